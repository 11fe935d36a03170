/**
 * The `X-Request-Id` grammar shared by the balancer and the model-server (one owner: both
 * import it from here, so they accept exactly the same values).
 *
 * `X-Request-Id` (NGINX `$request_id`, Envoy `x-request-id`): an incoming value is kept when it
 * is 1–128 visible ASCII characters (0x21–0x7E): no spaces, no control characters, so it can
 * break neither a log line nor a header. Two headers arrive joined by ", " and are refused
 * (space); a repeated header given as an array is refused too. Otherwise the caller makes a new id.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
export const MAX_REQUEST_ID_LENGTH = 128;

/** The incoming request id when it is acceptable, else undefined. */
export function acceptRequestId(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REQUEST_ID_LENGTH) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return undefined;
  }
  return value;
}
