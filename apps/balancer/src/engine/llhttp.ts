import { createRequire } from 'node:module';

/**
 * Node's llhttp binding (`HTTPParser` from `_http_common`, internal to Node): the one import of
 * it, shared by the request parser (`request-parser.ts`) and the upstream response parser
 * (`upstream/response-parser.ts`). Each of those pins the part it uses with a test per Node major.
 */
export interface LlhttpError extends Error {
  code?: string;
  reason?: string;
}

export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(chunk: Buffer): number | LlhttpError;
  finish(): number | LlhttpError | undefined;
  close(): void;
  [key: number]: unknown;
}

export interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

export const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: NativeParserClass };
