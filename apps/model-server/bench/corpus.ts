/** Deterministic synthetic e-mails of very different lengths (no data set needed at bench time). */
import { createSeededRandom } from '@fleet/lb-core';
import { WARMUP } from '@fleet/model';

const WORDS = (
  'meeting report invoice attached please review thanks regards project deadline monday free offer ' +
  'click here win money credit card limited time order now remove list subscribe account password ' +
  'update security team release build patch schedule lunch call tomorrow budget quarter sales'
).split(' ');

export function makeCorpus(size: number, seed = 42): string[] {
  const random = createSeededRandom(seed); // mulberry32: every run sends the same texts
  const texts: string[] = [...WARMUP.texts];
  while (texts.length < size) {
    // lengths from 5 to ~400 words, skewed short like real mail
    const length = 5 + Math.floor(400 * random() ** 3);
    texts.push(Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' '));
  }
  return texts;
}
