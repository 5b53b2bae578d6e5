/**
 * Input limits: how large an input the engine accepts before it does any real work. They guard a
 * service that loads scenarios or takes commands from elsewhere against inputs that would cost
 * minutes or gigabytes (a million offices, a 100,000-deep array, a 10 MB string, a 5 GB file).
 * Every limit is an option; the defaults are far above any real city (Berlin: 46 offices,
 * 550 staff, 120 days) and each message names the option that raises it.
 *
 *   loadScenario(input, { limits: { offices: 20_000 } })
 *   parseScenarioJson(text, { limits: { staff: 200_000 } })
 *   createScheduler(scenario, { now, limits: { waitlistSize: 500_000 } })
 *
 * The command line reads the environment variable TERMINPLAN_LIMITS, e.g.
 * `TERMINPLAN_LIMITS=offices=20000,fileBytes=200000000 terminplan validate big.json`.
 */
import { TerminplanError, jsonPath, type ValidationIssue } from './errors.js'

export interface InputLimits {
  /** Offices in a scenario. Default 5,000. */
  offices: number
  /** Staff members in a scenario. Default 50,000. */
  staff: number
  /**
   * Days of the horizon. Default 731, which is also the schema's own bound (`horizon.days` ≤ 731):
   * this limit can lower it, not raise it.
   */
  horizonDays: number
  /** Waiting citizens: entries in a scenario's `waitlist`, and live entries of a scheduler. Default 100,000. */
  waitlistSize: number
  /** Rows of `demand`. Default 500,000. */
  demandRows: number
  /** Existing `appointments` in a scenario. Default 2,000,000. */
  appointments: number
  /** Characters of any one string anywhere in the input (`meta` and `$schema` included). Default 1,000,000. */
  stringLength: number
  /** Nesting depth of arrays and objects (a scenario needs 7; `meta` may nest more). Default 64. */
  depth: number
  /** Bytes of a scenario file the command line reads, after unpacking `.gz`. Default 64 MiB. */
  fileBytes: number
}

export const DEFAULT_LIMITS: Readonly<InputLimits> = Object.freeze({
  offices: 5_000,
  staff: 50_000,
  horizonDays: 731,
  waitlistSize: 100_000,
  demandRows: 500_000,
  appointments: 2_000_000,
  stringLength: 1_000_000,
  depth: 64,
  fileBytes: 64 * 1024 * 1024,
})

export type LimitName = keyof InputLimits
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[]

/** How a caller raises a limit; appended to every limit message. */
export function howToRaise(name: LimitName): string {
  return `raise it with the option limits.${name} (command line: TERMINPLAN_LIMITS=${name}=<n>)`
}

/** The defaults overridden by `partial`; every value must be a positive integer (or Infinity). */
export function resolveLimits(partial: Partial<InputLimits> | undefined): InputLimits {
  const out: InputLimits = { ...DEFAULT_LIMITS }
  if (partial === undefined) return out
  if (partial === null || typeof partial !== 'object')
    throw new TerminplanError('COMMAND_INVALID', 'limits must be an object', [{ path: '$.limits', code: 'invalid_type', message: 'limits must be an object' }])
  const issues: ValidationIssue[] = []
  for (const [k, v] of Object.entries(partial)) {
    if (!(LIMIT_NAMES as string[]).includes(k)) {
      issues.push({ path: jsonPath(['limits', k]), code: 'unknown_field', message: `unknown limit "${k}"; known: ${LIMIT_NAMES.join(', ')}` })
      continue
    }
    if (v === undefined) continue
    if (typeof v !== 'number' || !(v === Infinity || (Number.isInteger(v) && v >= 1)))
      issues.push({ path: jsonPath(['limits', k]), code: 'invalid_limit', message: `limit ${k} must be a whole number ≥ 1 or Infinity, got ${String(v)}` })
    else out[k as LimitName] = v
  }
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `invalid limits: ${issues[0].path}: ${issues[0].message}`, issues)
  return out
}

/** One limit problem as an issue at `path`. */
export function limitIssue(path: string, name: LimitName, what: string, limit: number): ValidationIssue {
  return { path, code: 'limit_exceeded', message: `${what} exceeds the limit of ${limit.toLocaleString('en-US')} (limits.${name}); ${howToRaise(name)}` }
}

export function limitError(issues: ValidationIssue[]): TerminplanError {
  const first = issues[0]
  return new TerminplanError('LIMIT_EXCEEDED', `input too large: ${first.path}: ${first.message}`, issues)
}

/**
 * Parses TERMINPLAN_LIMITS (`name=value,name=value`) for the command line; values may use `_`
 * as a digit separator. Unknown names and bad values are usage errors.
 */
export function parseLimitsSpec(spec: string | undefined): Partial<InputLimits> {
  const out: Partial<InputLimits> = {}
  if (spec === undefined || spec.trim() === '') return out
  for (const part of spec.split(',')) {
    const [k, v, ...rest] = part.split('=').map((x) => x.trim())
    const n = v === undefined ? NaN : v.toLowerCase() === 'infinity' ? Infinity : Number(v.replace(/_/g, ''))
    if (!(LIMIT_NAMES as string[]).includes(k) || rest.length > 0 || !(n === Infinity || (Number.isInteger(n) && n >= 1)))
      throw new TerminplanError('USAGE', `TERMINPLAN_LIMITS: cannot read "${part}"`, [
        { path: '$.TERMINPLAN_LIMITS', code: 'invalid_limit', message: `cannot read "${part}": use name=value with a name of ${LIMIT_NAMES.join(', ')} and a whole number ≥ 1` },
      ])
    out[k as LimitName] = n
  }
  return out
}

/**
 * Walks a parsed input without recursion (so a 100,000-deep array cannot overflow the stack) and
 * reports, each at its path: nesting deeper than `limits.depth` (which also catches cycles in
 * objects passed through the JavaScript API), strings longer than `limits.stringLength`, and
 * `__proto__` keys (JSON.parse makes them own properties; copying them would set a prototype, so
 * they are refused rather than silently dropped). At most `max` issues are collected.
 */
export function structureIssues(input: unknown, limits: InputLimits, max = 50): { issues: ValidationIssue[]; limit: boolean } {
  const issues: ValidationIssue[] = []
  let limit = false
  if (input === null || typeof input !== 'object') {
    if (typeof input === 'string' && input.length > limits.stringLength) {
      issues.push(limitIssue('$', 'stringLength', `a string of ${input.length.toLocaleString('en-US')} characters`, limits.stringLength))
      limit = true
    }
    return { issues, limit }
  }
  // Depth-first with an explicit stack; paths are built only for problems (parent links).
  interface Frame {
    value: unknown
    key: PropertyKey | undefined
    parent: Frame | undefined
    depth: number
  }
  const pathOf = (f: Frame | undefined, extra?: PropertyKey): string => {
    const segs: PropertyKey[] = extra === undefined ? [] : [extra]
    for (let x = f; x && x.key !== undefined; x = x.parent) segs.push(x.key)
    return jsonPath(segs.reverse())
  }
  const stack: Frame[] = [{ value: input, key: undefined, parent: undefined, depth: 1 }]
  // Strings are checked where they are found; only objects and arrays get a frame.
  const child = (f: Frame, key: PropertyKey, x: unknown) => {
    if (typeof x === 'string') {
      if (x.length > limits.stringLength) {
        issues.push(limitIssue(pathOf(f, key), 'stringLength', `a string of ${x.length.toLocaleString('en-US')} characters`, limits.stringLength))
        limit = true
      }
    } else if (x !== null && typeof x === 'object') stack.push({ value: x, key, parent: f, depth: f.depth + 1 })
  }
  while (stack.length > 0 && issues.length < max) {
    const f = stack.pop()!
    const v = f.value as object
    if (f.depth > limits.depth) {
      issues.push(limitIssue(pathOf(f), 'depth', `nesting deeper than ${limits.depth} levels`, limits.depth))
      limit = true
      continue
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) child(f, i, v[i])
      continue
    }
    const keys = Object.keys(v)
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]
      if (k.length > limits.stringLength) {
        // Reported at the object: a path with the key in it would be as long as the key.
        issues.push(limitIssue(pathOf(f), 'stringLength', `a key of ${k.length.toLocaleString('en-US')} characters`, limits.stringLength))
        limit = true
        continue
      }
      if (k === '__proto__') {
        issues.push({ path: pathOf(f, k), code: 'forbidden_key', message: 'the key "__proto__" is not allowed (it would change an object\'s prototype)' })
        continue
      }
      child(f, k, (v as Record<string, unknown>)[k])
    }
  }
  return { issues, limit }
}

/** Sizes of a scenario's lists against the limits, checked on the raw input before validation. */
export function sizeIssues(input: unknown, limits: InputLimits): ValidationIssue[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return []
  const o = input as Record<string, unknown>
  const out: ValidationIssue[] = []
  const count = (key: string, name: LimitName, noun: string) => {
    const v = Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined
    if (Array.isArray(v) && v.length > limits[name]) out.push(limitIssue(jsonPath([key]), name, `${v.length.toLocaleString('en-US')} ${noun}`, limits[name]))
  }
  count('offices', 'offices', 'offices')
  count('staff', 'staff', 'staff members')
  count('waitlist', 'waitlistSize', 'waitlist entries')
  count('demand', 'demandRows', 'demand rows')
  count('appointments', 'appointments', 'appointments')
  const h = Object.prototype.hasOwnProperty.call(o, 'horizon') ? o.horizon : undefined
  if (h !== null && typeof h === 'object' && !Array.isArray(h)) {
    const days = (h as Record<string, unknown>).days
    if (typeof days === 'number' && days > limits.horizonDays && limits.horizonDays < DEFAULT_LIMITS.horizonDays)
      out.push(limitIssue('$.horizon.days', 'horizonDays', `a horizon of ${days} days`, limits.horizonDays))
  }
  return out
}
