/**
 * One place that turns any error into a JSON answer: stable `code`, a message, and for
 * validation errors the offending `field`. 5xx details are logged, never sent. Unknown routes
 * answer 404 NOT_FOUND; only JSON bodies are accepted (415 otherwise).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { maxHeaderSize, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, ERROR_STATUS, ServerError, type ErrorCode } from '../errors.js';
import { REQUEST_ID_HEADER } from '../trace-context.js';
import { REJECTION_CODES } from './metrics.js';

export interface NormalizedError {
  statusCode: number;
  code: ErrorCode;
  message: string;
  field?: string;
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** '/texts/2' → 'texts[2]', '/inputs/0/shape' → 'inputs[0].shape'. */
export function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function fromValidation(errors: readonly AjvError[]): NormalizedError {
  const first = errors[0] as AjvError;
  const base = { statusCode: 400, code: ERROR_CODES.VALIDATION_FAILED };
  const { keyword, instancePath, params } = first;
  if (keyword === 'required') {
    const field = fieldPath(instancePath, String(params.missingProperty));
    return { ...base, field, message: `${field} is required` };
  }
  if (keyword === 'additionalProperties') {
    const field = fieldPath(instancePath, String(params.additionalProperty));
    return { ...base, field, message: `${field} is not an allowed field` };
  }
  if ((keyword === 'minProperties' || keyword === 'maxProperties') && instancePath === '') {
    return { ...base, field: 'text', message: 'body must contain exactly one of "text" or "texts"' };
  }
  const field = fieldPath(instancePath) || 'body';
  return { ...base, field, message: `${field} ${first.message ?? 'is invalid'}` };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERROR_CODES.BODY_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERROR_CODES.INVALID_JSON,
  FST_ERR_CTP_INVALID_JSON_BODY: ERROR_CODES.INVALID_JSON,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERROR_CODES.VALIDATION_FAILED,
};

const CLIENT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BODY_TOO_LARGE: 'request body is larger than the limit',
  UNSUPPORTED_MEDIA_TYPE: 'content-type must be application/json',
  INVALID_JSON: 'request body is not valid JSON',
};

export function normalizeError(error: FastifyError | ServerError | Error): NormalizedError {
  if (error instanceof ServerError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
  const fe = error as FastifyError;
  if (Array.isArray(fe.validation) && fe.validation.length > 0) return fromValidation(fe.validation as AjvError[]);
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped !== undefined) {
    return { statusCode: ERROR_STATUS[mapped], code: mapped, message: CLIENT_MESSAGES[mapped] ?? fe.message };
  }
  if (error instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    return { statusCode: 400, code: ERROR_CODES.INVALID_JSON, message: CLIENT_MESSAGES.INVALID_JSON as string };
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { statusCode: fe.statusCode, code: ERROR_CODES.VALIDATION_FAILED, message: fe.message };
  }
  return { statusCode: 500, code: ERROR_CODES.INTERNAL, message: 'internal server error' };
}

const RETRYABLE = new Set<ErrorCode>([ERROR_CODES.QUEUE_FULL, ERROR_CODES.SHUTTING_DOWN, ERROR_CODES.NOT_READY]);

/** Logs server-side failures and sets Retry-After on overload answers; returns the normalized error. */
export function prepareErrorReply(error: Error, request: FastifyRequest, reply: FastifyReply): NormalizedError {
  const normalized = normalizeError(error);
  if (normalized.statusCode >= 500 && !RETRYABLE.has(normalized.code)) {
    request.log.error({ err: error, code: normalized.code }, 'request failed');
  }
  if (RETRYABLE.has(normalized.code)) reply.header('retry-after', '1');
  if (REJECTION_CODES.has(normalized.code)) request.server.metrics.rejected.inc({ code: normalized.code });
  reply.status(normalized.statusCode);
  return normalized;
}

function errorBody(e: NormalizedError): Record<string, string> {
  return e.field === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, field: e.field };
}

function setupErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => reply.send(errorBody(prepareErrorReply(error, request, reply))));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: ERROR_CODES.NOT_FOUND, message: `route ${request.method} ${request.url} not found` }),
  );
  // JSON only: no text/plain parser, so any other content type answers 415.
  app.removeContentTypeParser('text/plain');
  // CONNECT never reaches Fastify's router (node:http emits 'connect', and closes the socket
  // unanswered when nobody listens): the 404 every other unknown route gets.
  app.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    writeRawError(socket, ERROR_CODES.NOT_FOUND, `route CONNECT ${req.url ?? ''} not found`, app.serverId);
  });
}

/**
 * Errors Fastify raises before routing (an undecodable URL): no hook runs for them, so the
 * header and the body field are set here.
 */
export function frameworkErrors(serverId: string): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return (error, request, reply) => {
    const body = { code: ERROR_CODES.BAD_URL, message: error.message, server_id: serverId };
    void (reply as FastifyReply)
      .header('x-server-id', serverId)
      .header(REQUEST_ID_HEADER, request.id)
      .code(ERROR_STATUS.BAD_URL)
      .send(body);
  };
}

/** node:http's `clientError` codes → the replica's code for them. */
export function clientErrorCode(err: { code?: string }): ErrorCode {
  if (err.code === 'HPE_HEADER_OVERFLOW') return ERROR_CODES.HEADERS_TOO_LARGE;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT') return ERROR_CODES.REQUEST_TIMEOUT;
  return ERROR_CODES.BAD_REQUEST;
}

const CLIENT_ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  // node's limit for every server of the process (`--max-http-header-size`, 16 KiB by default)
  HEADERS_TOO_LARGE: `request head over the header size limit (${maxHeaderSize} bytes, node's --max-http-header-size)`,
  REQUEST_TIMEOUT: 'request not received in time',
};

/**
 * What node:http's parser refuses before Fastify sees a request (a malformed head, CL with TE,
 * a head over node's `--max-http-header-size`, a slow client): answered in the replica's JSON error format with a stable
 * `code` (Fastify's default sends `{"error","message","statusCode"}`, node's own no body at all),
 * then the connection closed. A reset connection, or one already gone, gets nothing.
 */
export function clientErrorHandler(serverId: string): (err: Error & { code?: string }, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const code = clientErrorCode(err);
    const reason = (err as { reason?: string }).reason;
    writeRawError(socket, code, CLIENT_ERROR_MESSAGES[code] ?? `malformed request${reason === undefined ? '' : `: ${reason}`}`, serverId);
  };
}

/** An error answered on the raw socket (no Fastify request exists), then the connection closed. */
function writeRawError(socket: Duplex, code: ErrorCode, message: string, serverId: string): void {
  if (socket.writable) {
    const body = JSON.stringify({ code, message, server_id: serverId });
    socket.write(
      `HTTP/1.1 ${ERROR_STATUS[code]} ${STATUS_CODES[ERROR_STATUS[code]] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-server-id: ${serverId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export default fp(async (app) => setupErrors(app), { name: 'errors', fastify: '5.x', dependencies: ['server-id', 'metrics'] });
