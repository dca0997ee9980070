/**
 * Errors at the HTTP edge: every failure leaves as `application/problem+json`
 * (RFC 9457) with a stable `code`, a human `detail`, the correlation id and, for
 * validation, every failing field. Unexpected errors are logged with the
 * correlation id and masked as a generic 500 — no stack traces reach clients.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type ErrorKind, type FieldProblem, ValidationError } from '../domain/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  correlation_id: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

const STATUS: Record<ErrorKind, number> = {
  invalid: 422,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthenticated: 401,
  too_large: 413,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, correlationId: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `urn:voicesurvey:problem:${code}`, title: TITLES[status] ?? 'Error', status, code, detail, correlation_id: correlationId, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

type ValidationContext = 'body' | 'querystring' | 'params' | 'headers';

/** Turns zod issues (via fastify-type-provider-zod) into one problem per field. */
function fieldProblems(err: { validation: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] }, context: ValidationContext | undefined): FieldProblem[] {
  const prefix = context === 'querystring' ? 'query.' : context === 'params' ? 'path.' : context === 'headers' ? 'header.' : '';
  const out: FieldProblem[] = [];
  for (const v of err.validation) {
    const path = v.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params['keys'])) {
      for (const key of v.params['keys'] as string[]) {
        out.push({ field: prefix + (path ? `${path}.${key}` : key), code: 'unknown_field', message: 'is not a recognized field' });
      }
      continue;
    }
    out.push({ field: prefix + (path || '(root)'), code: v.keyword, message: v.message ?? 'is invalid' });
  }
  return out;
}

/** Maps any thrown error to a problem; `internal` is true when it must be logged as a bug. */
export function toProblem(err: unknown, correlationId: string): { problem: Problem; internal: boolean } {
  if (err instanceof ValidationError) {
    return { problem: problem(STATUS[err.kind], err.code, err.message, correlationId, { errors: [...err.problems] }), internal: false };
  }
  if (err instanceof DomainError) {
    const extra = err.details ? { details: err.details } : {};
    return { problem: problem(STATUS[err.kind], err.code, err.message, correlationId, extra), internal: false };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const ctx = (err as FastifyError).validationContext as ValidationContext | undefined;
    const errors = fieldProblems(err as never, ctx);
    const where = ctx === 'querystring' ? 'query string' : ctx === 'params' ? 'path' : ctx ?? 'request';
    return {
      problem: problem(400, 'validation.failed', `The ${where} is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, correlationId, { errors }),
      internal: false,
    };
  }
  if (isResponseSerializationError(err)) {
    return { problem: problem(500, 'internal', 'Something went wrong on our side; the error was logged.', correlationId), internal: true };
  }
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { problem: problem(400, 'request.malformed_json', 'The request body is not valid JSON.', correlationId), internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { problem: problem(413, 'request.too_large', `The request body is larger than the limit.`, correlationId), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { problem: problem(415, 'request.unsupported_media_type', 'This content type is not accepted here; send application/json.', correlationId), internal: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { problem: problem(400, 'request.bad_content_length', 'The Content-Length header does not match the body.', correlationId), internal: false };
    default:
      break;
  }
  if (fe.statusCode === 429) {
    return { problem: problem(429, 'rate_limited', 'Too many requests; slow down and retry later.', correlationId), internal: false };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors (bad headers, unsupported methods, …): say what, not how.
    return { problem: problem(fe.statusCode, 'request.invalid', fe.message ?? 'The request is invalid.', correlationId), internal: false };
  }
  return { problem: problem(500, 'internal', 'Something went wrong on our side; the error was logged.', correlationId), internal: true };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem: p, internal } = toProblem(err, req.id);
  if (internal) req.log.error({ err }, 'request failed');
  else req.log.info({ code: p.code, status: p.status }, 'request rejected');
  return sendProblem(reply, p);
}
