/**
 * Failures of the engine's upstream client, with the codes `upstream-errors.ts` already
 * classifies for undici (connect timeout, headers/body timeouts, "other side closed"), so the
 * walk's retry rules, passive health and the access log read both clients alike. Socket errors
 * (ECONNREFUSED, ECONNRESET, EMFILE…) and llhttp's `HPE_…` keep their own codes.
 */
export const UPSTREAM_FAILURES = {
  CONNECT_TIMEOUT: 'UND_ERR_CONNECT_TIMEOUT',
  HEADERS_TIMEOUT: 'UND_ERR_HEADERS_TIMEOUT',
  BODY_TIMEOUT: 'UND_ERR_BODY_TIMEOUT',
  /** The peer closed before the response ended (undici's SocketError "other side closed"). */
  CLOSED: 'UND_ERR_SOCKET',
  /** A response nobody asked for, or a 101 to a request that asked for no upgrade. */
  UNEXPECTED_RESPONSE: 'UND_ERR_RESPONSE',
  INVALID_ARG: 'UND_ERR_INVALID_ARG',
  /** The request body sent more or fewer bytes than its Content-Length. */
  BODY_LENGTH_MISMATCH: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  POOL_CLOSED: 'UND_ERR_CLOSED',
} as const;

export type UpstreamFailureCode = (typeof UPSTREAM_FAILURES)[keyof typeof UPSTREAM_FAILURES];

export interface UpstreamFailure extends Error {
  code: UpstreamFailureCode;
}

export function upstreamFailure(code: UpstreamFailureCode, message: string): UpstreamFailure {
  return Object.assign(new Error(message), { code });
}
