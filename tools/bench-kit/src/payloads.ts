/**
 * The `/predict` payload mix of the model-server bench (`apps/model-server/bench/load.ts`,
 * issue 11), the same texts: four 8-word texts, then one 200-word text, in turn. Pure and
 * deterministic, so every target of a run gets the same bodies.
 */
import type { WrkRequest } from './wrk-script.js';

const WORDS = 'meeting report invoice attached please review thanks regards project deadline monday free offer click here win money'.split(' ');

function text(words: number, seed: number): string {
  return Array.from({ length: words }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length]).join(' ');
}

/** `count` texts: every fifth one 200 words long, the others 8. */
export function predictTexts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i % 5 === 4 ? text(200, i) : text(8, i)));
}

/** `POST /predict` requests, one text per body, for wrk's rotation. */
export function predictRequests(count = 100): WrkRequest[] {
  return predictTexts(count).map((t) => ({ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: t }) }));
}
