import { describe, expect, it } from 'vitest';
import { predictRequests, predictTexts } from './payloads.js';

describe('predictTexts', () => {
  it('is four 8-word texts then one 200-word text, in turn, all distinct', () => {
    const texts = predictTexts(10);
    expect(texts.map((t) => t.split(' ').length)).toEqual([8, 8, 8, 8, 200, 8, 8, 8, 8, 200]);
    expect(new Set(texts).size).toBe(10);
    expect(predictTexts(10)).toEqual(texts);
  });
});

describe('predictRequests', () => {
  it('posts one text per JSON body to /predict', () => {
    const [first] = predictRequests(5);
    expect(first).toMatchObject({ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(first?.body ?? '')).toEqual({ text: predictTexts(1)[0] });
    expect(predictRequests()).toHaveLength(100);
  });
});
