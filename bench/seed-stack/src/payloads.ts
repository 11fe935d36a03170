/**
 * The payload mix of `pnpm bench:stack`, the same for both stacks: four 8-word texts and one
 * 200-word text, in rotation, taken from held-out corpus messages (real mail, never trained
 * on); and the same five texts in bodies of 8 texts per request.
 */
import type { WrkRequest } from '@fleet/bench-kit';
import { tokenize } from '@fleet/model';
import { loadExamples, splitExamples, type Example } from '@fleet/model/corpus';

export const SHORT_WORDS = 8;
export const LONG_WORDS = 200;
export const TEXTS_PER_BATCH = 8;

export interface PayloadMix {
  /** Four short texts then the long one. */
  texts: string[];
  /** One text per request: one body per text. */
  single: WrkRequest[];
  /** TEXTS_PER_BATCH texts per request: five bodies, each the mix rotated by one. */
  batch: WrkRequest[];
}

function firstWords(examples: readonly Example[], label: Example['label'], count: number, words: number): string[] {
  return examples
    .filter((e) => e.label === label)
    .map((e) => tokenize(e.text, words))
    .filter((tokens) => tokens.length === words)
    .slice(0, count)
    .map((tokens) => tokens.join(' '));
}

const post = (body: unknown): WrkRequest => ({ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Built from the held-out messages (pure given them): 2 ham + 2 spam short texts, 1 long spam text. */
export function payloadMix(heldOut: readonly Example[]): PayloadMix {
  const texts = [...firstWords(heldOut, 'ham', 2, SHORT_WORDS), ...firstWords(heldOut, 'spam', 2, SHORT_WORDS), ...firstWords(heldOut, 'spam', 1, LONG_WORDS)];
  if (texts.length !== 5) throw new Error('the held-out split has too few messages for the payload mix');
  const batch = texts.map((_, offset) => post({ texts: Array.from({ length: TEXTS_PER_BATCH }, (_, k) => texts[(offset + k) % texts.length]) }));
  return { texts, single: texts.map((text) => post({ text })), batch };
}

export function loadPayloadMix(): PayloadMix {
  return payloadMix(splitExamples(loadExamples()).heldOut);
}
