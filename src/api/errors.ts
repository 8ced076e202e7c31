import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, fromDatabaseError, type ErrorCode } from '../lib/errors.ts';

// Fastify's own client errors, mapped onto Kinetic's codes and shape.
const fastifyCodes: Record<string, { code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_REQUEST', message: 'request body is empty but Content-Type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than the allowed limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON with Content-Type: application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'BAD_REQUEST' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', message: 'the URL path is not valid percent-encoding' },
  // Ids are at most 64 characters; the router refuses path segments over 100 (Fastify's maxParamLength).
  FST_ERR_MAX_PARAM_LENGTH: { code: 'BAD_REQUEST', message: 'a path segment is too long (ids are at most 64 characters)' },
};

export function toAppError(err: FastifyError | Error): AppError {
  if (err instanceof AppError) return err;
  const db = fromDatabaseError(err);
  if (db) return db;
  const fe = err as FastifyError & { statusCode?: number };
  const mapped = fe.code ? fastifyCodes[fe.code] : undefined;
  if (mapped) return new AppError(mapped.code, mapped.message ?? fe.message);
  if (fe.validation) {
    return new AppError('VALIDATION_FAILED', fe.message, { issues: fe.validation.map((v) => ({ field: String(v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.'), message: v.message ?? 'invalid' })) });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ErrorCode = fe.statusCode === 404 ? 'NOT_FOUND' : fe.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : fe.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : fe.statusCode === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST';
    return new AppError(code, fe.message);
  }
  return new AppError('INTERNAL', 'internal error; the details are in the server log');
}

export interface ErrorLog {
  error(obj: object, msg?: string): void;
  fatal?(obj: object, msg?: string): void;
}

/**
 * Kinetic's error answer for every route and for the router's own errors.
 * A 5xx is always logged through the application logger (whatever the HTTP
 * access log does; at KINETIC_LOG_LEVEL=fatal as fatal, so only `silent`
 * hides it) with the request id, and the body carries the same id so a report
 * can be matched to its log line. A 429 says when to come back (Retry-After).
 */
export function makeErrorHandler(log: ErrorLog, level: string) {
  return function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const appError = toAppError(err);
    const body = appError.toJSON();
    if (appError.httpStatus >= 500) {
      const entry = { err, requestId: request.id, method: request.method, url: request.url.split('?')[0] };
      if (level === 'fatal' && log.fatal) log.fatal(entry, 'request failed');
      else log.error(entry, 'request failed');
      if (appError.code === 'INTERNAL') body.error.message = `internal error; the details are in the server log under request id ${request.id}`;
      Object.assign(body.error, { requestId: request.id });
    }
    const retryAfter = (appError.details as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
    if (appError.code === 'RATE_LIMITED' && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(appError.httpStatus).send(body);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(new AppError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toJSON());
}
