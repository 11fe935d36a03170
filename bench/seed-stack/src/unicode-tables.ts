/**
 * The Unicode data the tokenizer of `@fleet/model` depends on, taken from the Node that runs
 * fleet, for the Python replica: its `unicodedata` (and `str.lower`) follow an older Unicode
 * (Python 3.11: 14.0; Node 20.20: 17.0), so new letters and case pairs would tokenize
 * differently. Pure: the Node build script writes the result as JSON.
 *
 * What the tokenizer does (packages/model/src/tokenize.ts): `text.toLowerCase()`, then runs of
 * `[\p{L}\p{N}]`. `toLowerCase` is per code point (some map to two: U+0130 → "i̇") except for
 * one contextual rule, Final_Sigma (U+03A3 → ς at the end of a word, else σ), which needs the
 * Cased and Case_Ignorable properties.
 */

/** Inclusive [first, last] code point ranges. */
export type Ranges = [number, number][];

export interface UnicodeTables {
  /** Versions of the Node that produced the tables (`process.versions`). */
  node: string;
  unicode: string;
  /** `[\p{L}\p{N}]`: token characters. */
  letterDigit: Ranges;
  /** Every code point whose `toLowerCase()` differs from itself: [code point, lowercase]. */
  lower: [number, string][];
  /** `\p{Cased}` and `\p{Case_Ignorable}`: the context of Final_Sigma. */
  cased: Ranges;
  caseIgnorable: Ranges;
}

const MAX_CODE_POINT = 0x10ffff;

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/** Ranges of the scalar values (surrogates excluded) for which `test` holds. */
export function rangesOf(test: (ch: string) => boolean, max = MAX_CODE_POINT): Ranges {
  const ranges: Ranges = [];
  let start = -1;
  for (let cp = 0; cp <= max + 1; cp++) {
    const inside = cp <= max && !isSurrogate(cp) && test(String.fromCodePoint(cp));
    if (inside && start === -1) start = cp;
    if (!inside && start !== -1) {
      ranges.push([start, cp - 1]);
      start = -1;
    }
  }
  return ranges;
}

export function lowercaseMap(max = MAX_CODE_POINT): [number, string][] {
  const map: [number, string][] = [];
  for (let cp = 0; cp <= max; cp++) {
    if (isSurrogate(cp)) continue;
    const ch = String.fromCodePoint(cp);
    const lower = ch.toLowerCase();
    if (lower !== ch) map.push([cp, lower]);
  }
  return map;
}

export function unicodeTables(): UnicodeTables {
  return {
    node: process.versions.node,
    unicode: process.versions.unicode ?? 'unknown',
    letterDigit: rangesOf((ch) => /^[\p{L}\p{N}]$/u.test(ch)),
    lower: lowercaseMap(),
    cased: rangesOf((ch) => /^\p{Cased}$/u.test(ch)),
    caseIgnorable: rangesOf((ch) => /^\p{Case_Ignorable}$/u.test(ch)),
  };
}
