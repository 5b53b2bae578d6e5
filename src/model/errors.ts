/**
 * Typed errors. Every rejection the engine makes is a TerminplanError with a stable `code`
 * and, where the problem lies in the input, one issue per problem with a JSON path into it.
 */

export type ErrorCode =
  | 'SCENARIO_INVALID'
  | 'COMMAND_INVALID'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'EXPIRED'
  | 'LIMIT_EXCEEDED'
  | 'STATE_INVALID'
  | 'SOLVER_FAILED'
  | 'TIMEOUT'
  | 'IO_FAILED'
  | 'USAGE'
  | 'NOT_LEADER'

export interface ValidationIssue {
  /** JSON path into the input, e.g. `$.offices[2].openingHours[0].from`. */
  path: string
  /** Machine-readable reason, e.g. `unknown_reference`, `invalid_time`. */
  code: string
  /** Plain-language message for people. */
  message: string
}

export class TerminplanError extends Error {
  readonly code: ErrorCode
  readonly issues: ValidationIssue[]

  constructor(code: ErrorCode, message: string, issues: ValidationIssue[] = []) {
    super(message)
    this.name = 'TerminplanError'
    this.code = code
    this.issues = issues
  }

  /** The first issue's path, or `$` when the error is not about one place. */
  get path(): string {
    return this.issues[0]?.path ?? '$'
  }

  toJSON(): { name: string; code: ErrorCode; message: string; issues: ValidationIssue[] } {
    return { name: this.name, code: this.code, message: this.message, issues: this.issues }
  }
}

export function isTerminplanError(e: unknown): e is TerminplanError {
  return e instanceof TerminplanError
}

/** One-issue error, for commands. */
export function fail(code: ErrorCode, path: string, issueCode: string, message: string): never {
  throw new TerminplanError(code, message, [{ path, code: issueCode, message }])
}

/** `['offices', 2, 'from']` → `$.offices[2].from` */
export function jsonPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = '$'
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`
    else if (typeof s === 'string' && /^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`
    else out += `[${JSON.stringify(String(s))}]`
  }
  return out
}
