// POST /predict through the balancer and read who answered.
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { BASE_URL } from './config.ts';

export interface PredictResult {
  res: RefinedResponse<ResponseType | undefined>;
  /** `server_id` from the body, else the `x-server-id` header, else '' (e.g. a 429 from the balancer). */
  serverId: string;
  label: string;
}

export const SHORT_TEXTS = [
  'Congratulations, you won a free prize! Reply now to claim it',
  'Are we still meeting for lunch tomorrow?',
  'URGENT: your account is locked, click here to verify',
  'Thanks for the notes from the meeting, see you on Monday',
];

/** A long message (~`words` words) built from the short ones, so long and short share a vocabulary. */
export function longText(words: number): string {
  const out: string[] = [];
  for (let i = 0; out.length < words; i++) out.push(...(SHORT_TEXTS[i % SHORT_TEXTS.length] ?? '').split(' '));
  return out.slice(0, words).join(' ');
}

function field(body: unknown, key: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

function parseJson(res: RefinedResponse<ResponseType | undefined>): unknown {
  if (typeof res.body !== 'string' || !String(res.headers['Content-Type'] ?? '').includes('json')) return null;
  try {
    return JSON.parse(res.body);
  } catch (error) {
    console.error(`unparsable JSON body (status ${res.status}): ${String(error)}`);
    return null;
  }
}

export function predict(text: string, tags: Record<string, string> = {}): PredictResult {
  const res = http.post(`${BASE_URL}/predict`, JSON.stringify({ text }), {
    headers: { 'content-type': 'application/json' },
    tags: { name: 'POST /predict', ...tags },
  });
  const body = parseJson(res);
  const header = res.headers['X-Server-Id'] ?? '';
  return { res, serverId: field(body, 'server_id') || header, label: field(body, 'label') };
}

/** The `code` of a JSON error from the balancer (`RATE_LIMITED`…), or ''. */
export function errorCode(res: RefinedResponse<ResponseType | undefined>): string {
  return field(parseJson(res), 'code');
}
