/** Argument checks shared by the commands: instants and ids, each failing with a path. */
import { fail } from '../../model/errors.js'
import { parseInstant } from '../../model/tz.js'

export function parseNow(now: string | number, path = '$.now'): number {
  const ms = typeof now === 'number' ? now : parseInstant(now)
  if (ms === null || !Number.isFinite(ms)) fail('COMMAND_INVALID', path, 'invalid_instant', `not an ISO 8601 date-time with offset: ${String(now).slice(0, 64)}`)
  return ms
}

/** An id argument of a command: a string no longer than any id can be (so a huge one is never echoed). */
export function checkIdArg(v: unknown, path: string, what: string): asserts v is string {
  if (typeof v !== 'string') fail('COMMAND_INVALID', path, 'invalid_type', `${what} must be a string`)
  if (v.length > 128) fail('COMMAND_INVALID', path, 'too_big', `${what} has ${v.length} characters; ids have at most 128`)
}
