/** Deterministic synthetic e-mails of very different lengths (no data set needed at bench time). */
import { WARMUP } from '@fleet/model';

const WORDS = (
  'meeting report invoice attached please review thanks regards project deadline monday free offer ' +
  'click here win money credit card limited time order now remove list subscribe account password ' +
  'update security team release build patch schedule lunch call tomorrow budget quarter sales'
).split(' ');

/** Mulberry32: a tiny seeded PRNG so every run sends the same texts. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeCorpus(size: number, seed = 42): string[] {
  const random = prng(seed);
  const texts: string[] = [...WARMUP.texts];
  while (texts.length < size) {
    // lengths from 5 to ~400 words, skewed short like real mail
    const length = 5 + Math.floor(400 * random() ** 3);
    texts.push(Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' '));
  }
  return texts;
}
