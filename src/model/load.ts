/**
 * `loadScenario`: validates shape (zod) and then the named rules, collects every problem, and
 * either returns a complete Scenario or throws one TerminplanError listing them all.
 */
import type { z } from 'zod'
import { TerminplanError, jsonPath, type ValidationIssue } from './errors.js'
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

/** Validates `input` (a parsed JSON value) completely; returns it with defaults applied. */
export function loadScenario(input: unknown): Scenario {
  const parsed = ScenarioSchema.safeParse(input)
  if (!parsed.success) raise(zodIssues(parsed.error))
  const scenario = parsed.data
  const issues: ValidationIssue[] = []
  for (const rule of scenarioRules) issues.push(...rule(scenario))
  if (issues.length > 0) raise(issues)
  return scenario
}

/** Parses JSON text and validates it; syntax errors are reported like any other problem. */
export function parseScenarioJson(text: string): Scenario {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    raise([{ path: '$', code: 'invalid_json', message: `not valid JSON: ${(e as Error).message}` }])
  }
  return loadScenario(value)
}
