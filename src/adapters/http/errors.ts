/**
 * One error shape for every answer that is not a success: `{ code, message, issues[] }`, the
 * library's TerminplanError as JSON. Library errors keep their code and paths; Fastify's own
 * errors (body too large, bad JSON, unknown route, time-outs) get a code of their own. A stack
 * trace or an internal message never leaves the process.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isTerminplanError, type ErrorCode, type ValidationIssue } from '../../model/index.js'
import type { ErrorBody } from './schemas.js'

/** Codes the service adds to the library's. */
export type HttpErrorCode =
  | 'RATE_LIMITED'
  | 'OVERLOADED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_JSON'
  | 'ROUTE_NOT_FOUND'
  | 'REQUEST_TIMEOUT'
  | 'INTERNAL'

/** HTTP status for each code: one status per code, so clients can switch on either. */
export const STATUS_BY_CODE: Record<ErrorCode | HttpErrorCode, number> = {
  COMMAND_INVALID: 400,
  SCENARIO_INVALID: 400,
  USAGE: 400,
  BAD_JSON: 400,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  // The citizen's own limit (open holds and appointments) or a full waitlist: retrying does not help.
  LIMIT_EXCEEDED: 409,
  EXPIRED: 410,
  // A follower instance: the body names the leader to send the command to.
  NOT_LEADER: 421,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SOLVER_FAILED: 500,
  STATE_INVALID: 503,
  IO_FAILED: 503,
  TIMEOUT: 503,
  OVERLOADED: 503,
}

/** An error the service raises itself (rate limit, shedding); carries what the client needs to back off. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly issues: ValidationIssue[] = [],
    readonly retryAfterSeconds?: number,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export function httpError(code: HttpErrorCode, path: string, issueCode: string, message: string, extra: { retryAfterSeconds?: number; hint?: string } = {}): HttpError {
  return new HttpError(code, message, [{ path, code: issueCode, message }], extra.retryAfterSeconds, extra.hint)
}

/** Fastify's own error codes, by what they mean for the client. */
const FASTIFY_CODES: Record<string, { code: HttpErrorCode; issue: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', issue: 'body_too_large', message: 'the request body is larger than the service accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', issue: 'unsupported_media_type', message: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_JSON', issue: 'invalid_content_length', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_JSON', issue: 'empty_body', message: 'the body is empty; send a JSON object or no Content-Type' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_JSON', issue: 'invalid_json', message: 'the body is not valid JSON' },
}

export function errorBody(e: unknown): { status: number; body: ErrorBody } {
  if (isTerminplanError(e)) {
    const status = STATUS_BY_CODE[e.code] ?? 500
    // A server-side failure's message may name files of the host (journal paths): keep its codes, not its words.
    const hide = status >= 500
    const message = hide ? `the service cannot carry out commands now (${e.code})` : e.message
    const issues = e.issues.length > 0 ? e.issues.map((i) => ({ path: i.path, code: i.code, message: hide ? message : i.message })) : [{ path: '$', code: e.code.toLowerCase(), message }]
    return { status, body: { code: e.code, message, issues } }
  }
  if (e instanceof HttpError) {
    const body: ErrorBody = { code: e.code, message: e.message, issues: e.issues }
    if (e.retryAfterSeconds !== undefined) body.retryAfterSeconds = e.retryAfterSeconds
    if (e.hint !== undefined) body.hint = e.hint
    return { status: STATUS_BY_CODE[e.code], body }
  }
  const fe = e as Partial<FastifyError> | null
  if (fe && typeof fe === 'object') {
    const known = fe.code ? FASTIFY_CODES[fe.code] : undefined
    if (known) return simple(known.code, known.issue, known.message)
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      if (fe.statusCode === 413) return simple('PAYLOAD_TOO_LARGE', 'body_too_large', 'the request body is larger than the service accepts')
      if (fe.statusCode === 415) return simple('UNSUPPORTED_MEDIA_TYPE', 'unsupported_media_type', 'send the body as application/json')
      // Any other client error from Fastify (e.g. a malformed URL): a 400 without its internals.
      return { status: 400, body: { code: 'COMMAND_INVALID', message: 'bad request', issues: [{ path: '$', code: (fe.code ?? 'bad_request').toLowerCase(), message: 'bad request' }] } }
    }
  }
  return simple('INTERNAL', 'internal', 'internal error')
}

function simple(code: HttpErrorCode, issue: string, message: string): { status: number; body: ErrorBody } {
  return { status: STATUS_BY_CODE[code], body: { code, message, issues: [{ path: '$', code: issue, message }] } }
}

export function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const { status, body } = errorBody(e)
  if (body.retryAfterSeconds !== undefined) reply.header('retry-after', String(body.retryAfterSeconds))
  return reply.code(status).send(body)
}

/** The Fastify error handler: answers in the one shape; a failure of the service itself is logged (type, code and frames only). */
export function handleError(e: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status } = errorBody(e)
  if (status >= 500) req.log.error({ err: e }, 'command failed')
  return sendError(reply, e)
}
