/**
 * Errors at the edges. Every adapter failure becomes a TerminplanError (`IO_FAILED` for network,
 * server and file problems, `COMMAND_INVALID` for bad arguments) with a JSON path, and nothing that
 * reaches a message may carry a secret: URLs lose their user info, query and fragment, and every
 * configured secret is cut out of any text that came from elsewhere (a server's error page, an
 * exception of a library).
 */
import { TerminplanError, type ErrorCode, type ValidationIssue } from '../../model/errors.js'

/** `https://user:pw@host:8443/a/b?token=x#f` → `https://host:8443/a/b`. Non-URLs pass through redacted. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url))
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

/** Removes every secret (and its Basic-auth and URL-encoded forms) from `text`. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text
  for (const s of secrets) {
    if (!s || s.length < 3) continue
    for (const form of new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64')])) out = out.split(form).join('***')
  }
  return out
}

/** A failure talking to the outside world. `path` says which input or resource it was about. */
export function ioError(path: string, code: string, message: string, extra: ValidationIssue[] = []): TerminplanError {
  return new TerminplanError('IO_FAILED', message, [{ path, code, message }, ...extra])
}

export function failWith(errorCode: ErrorCode, path: string, code: string, message: string): never {
  throw new TerminplanError(errorCode, message, [{ path, code, message }])
}

/** The message of an unknown thrown value, including a fetch failure's cause (ECONNREFUSED …). */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause
    const c = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined
    return c && !e.message.includes(c) ? `${e.message} (${c})` : e.message
  }
  return String(e)
}
