/**
 * The 200 texts of the agreement check: held-out corpus messages (packages/model's split) and
 * edge cases — letters and digits of every Unicode block (including the ones newer than
 * Python's own Unicode data), every code point that lowercases, Final_Sigma contexts, emoji,
 * lone surrogates, 511/512/513 tokens, very long texts.
 */
import { loadExamples, splitExamples } from '@fleet/model/corpus';

export const TOTAL_TEXTS = 200;

/** Ranges → groups of at most `perText` strings (one per element), so no text passes 512 tokens. */
function chunk<T>(items: readonly T[], perText: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += perText) out.push(items.slice(i, i + perText));
  return out;
}

function codePoints(test: RegExp, from = 0, to = 0x10ffff): number[] {
  const out: number[] = [];
  for (let cp = from; cp <= to; cp++) if (!(cp >= 0xd800 && cp <= 0xdfff) && test.test(String.fromCodePoint(cp))) out.push(cp);
  return out;
}

/** One token per 256-code-point block with letters or digits: up to 6 of them, upper and lower mixed. */
function everyScript(): string[] {
  const byBlock = new Map<number, number[]>();
  for (const cp of codePoints(/^[\p{L}\p{N}]$/u)) {
    const block = byBlock.get(cp >> 8) ?? [];
    if (block.length < 6) block.push(cp);
    byBlock.set(cp >> 8, block);
  }
  const words = [...byBlock.values()].map((cps) => String.fromCodePoint(...cps));
  return chunk(words, 400).map((ws) => ws.join(' · '));
}

/** Every code point whose toLowerCase() changes it, alone between spaces. */
function everyLowercasing(): string[] {
  const cps = codePoints(/./su).filter((cp) => String.fromCodePoint(cp).toLowerCase() !== String.fromCodePoint(cp));
  return chunk(cps, 450).map((group) => group.map((cp) => `${String.fromCodePoint(cp)}x`).join(' '));
}

/** Σ between cased, case-ignorable and other characters, in the ways Final_Sigma looks at. */
function sigmaContexts(): string[] {
  const pieces = ['Α', 'a', 'Σ', "'", '\u0301', 'ʰ', '\u0345', '1', ' ', '.', '\u200d', 'ß', 'ǅ', '\ud800'];
  const out: string[] = [];
  let seed = 7;
  for (let t = 0; t < 8; t++) {
    let s = '';
    for (let i = 0; i < 300; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      s += pieces[seed % pieces.length];
    }
    out.push(s);
  }
  return [...out, 'ΟΔΥΣΣΕΥΣ', 'Σ', 'ΑΣ', 'ΑΣ.', "Α'Σ'", 'ΣΑ', '1ʰΣ', 'ΑΣʰ', 'ΑΣʰα'];
}

const words = (n: number, prefix = 'w'): string => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

function specials(): string[] {
  return [
    'Hi 😀 there 👍🏽 family 👨‍👩‍👧 flag 🇫🇷 keycap 1️⃣ end',
    '🙂🙃😉'.repeat(50),
    'lone \ud800 high', 'lone \udc00 low', 'ab\ud83dcd', '\udfff\ud800x\udbff',
    'ẞtraße İstanbul ǅemal Ⅻ ⅻ ② ² ١٢٣ １２３ Ⓐ e\u0301 ﬁne ŉ',
    '!!! ??? ...', ' \t\n ', '\u0000\u0001 nul',
    words(511), words(512), words(513), words(2000),
    'x'.repeat(100_000),
    `${'lorem ipsum dolor sit amet '.repeat(12_000)}`,
    'FREE money!!! Click http://example.invalid/win NOW to claim your PRIZE',
  ];
}

export function agreementTexts(): string[] {
  const edge = [...everyScript(), ...everyLowercasing(), ...sigmaContexts(), ...specials()];
  const heldOut = splitExamples(loadExamples()).heldOut;
  const wanted = TOTAL_TEXTS - edge.length;
  if (wanted <= 0) throw new Error(`${edge.length} edge cases leave no room for corpus messages`);
  const stride = heldOut.length / wanted;
  const corpus = Array.from({ length: wanted }, (_, i) => heldOut[Math.floor(i * stride)]?.text ?? '');
  return [...corpus, ...edge];
}
