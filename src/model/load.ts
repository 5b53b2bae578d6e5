/**
 * `loadScenario`: checks the input's size against the limits (limits.ts), validates shape (zod)
 * and then the named rules, collects every problem, and either returns a complete Scenario or
 * throws one TerminplanError listing them all.
 */
import type { z } from 'zod'
import { TerminplanError, jsonPath, type ValidationIssue } from './errors.js'
import { limitError, limitIssue, resolveLimits, sizeIssues, structureIssues, type InputLimits } from './limits.js'
import { scenarioRules } from './rules.js'
import { ScenarioSchema, type Scenario } from './schema.js'

/** Past this many problems the rest are summarised; a 10 MB bad file must not yield 10 MB of errors. */
export const MAX_REPORTED_ISSUES = 200

export function zodIssues(error: z.ZodError): ValidationIssue[] {
  const out: ValidationIssue[] = []
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) out.push({ path: jsonPath([...i.path, key]), code: 'unknown_field', message: `unknown field "${key}"` })
      continue
    }
    const custom = i.code === 'custom' ? (i.params as { code?: string } | undefined)?.code : undefined
    out.push({ path: jsonPath(i.path), code: custom ?? i.code, message: i.message })
  }
  return out
}

function raise(issues: ValidationIssue[]): never {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES)
  if (issues.length > shown.length)
    shown.push({ path: '$', code: 'too_many_issues', message: `${issues.length - shown.length} more problems not shown` })
  const first = shown[0]
  const msg = `invalid scenario: ${issues.length} problem${issues.length === 1 ? '' : 's'}, first ${first.path}: ${first.message}`
  throw new TerminplanError('SCENARIO_INVALID', msg, shown)
}

export interface LoadOptions {
  /** Input limits (see limits.ts); unset ones keep their defaults. */
  limits?: Partial<InputLimits>
}

/**
 * Validates `input` (a parsed JSON value) completely; returns it with defaults applied. An input
 * beyond the limits is refused first, as LIMIT_EXCEEDED, before anything expensive runs.
 */
export function loadScenario(input: unknown, options: LoadOptions = {}): Scenario {
  const limits = resolveLimits(options.limits)
  const sizes = sizeIssues(input, limits)
  if (sizes.length > 0) throw limitError(sizes)
  const structure = structureIssues(input, limits)
  if (structure.limit) throw limitError(structure.issues.filter((i) => i.code === 'limit_exceeded'))
  if (structure.issues.length > 0) raise(structure.issues)
  const parsed = ScenarioSchema.safeParse(input)
  if (!parsed.success) raise(zodIssues(parsed.error))
  const scenario = parsed.data
  const issues: ValidationIssue[] = []
  for (const rule of scenarioRules) issues.push(...rule(scenario))
  if (issues.length > 0) raise(issues)
  return scenario
}

/** A JSON syntax error's message, shortened: engines may quote the input around the error. */
function syntaxMessage(e: unknown): string {
  const msg = String((e as Error)?.message ?? e)
  return msg.length > 200 ? `${msg.slice(0, 200)}…` : msg
}

/**
 * Parses JSON text and validates it; syntax errors are reported like any other problem. A leading
 * byte-order mark is ignored; text longer than `limits.fileBytes` characters is refused unparsed.
 */
export function parseScenarioJson(text: string, options: LoadOptions = {}): Scenario {
  const limits = resolveLimits(options.limits)
  if (typeof text !== 'string') raise([{ path: '$', code: 'invalid_json', message: `expected JSON text, got ${text === null ? 'null' : typeof text}` }])
  if (text.length > limits.fileBytes)
    throw limitError([limitIssue('$', 'fileBytes', `a text of ${text.length.toLocaleString('en-US')} characters`, limits.fileBytes)])
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (body.trim() === '') raise([{ path: '$', code: 'invalid_json', message: 'not valid JSON: the input is empty' }])
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (e) {
    raise([{ path: '$', code: 'invalid_json', message: `not valid JSON: ${syntaxMessage(e)}` }])
  }
  return loadScenario(value, { limits })
}
