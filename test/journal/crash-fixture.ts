/**
 * The scenario of the crash test, shared by the parent (crash.test.ts) and the child
 * (crash-child.ts): the base fixture of the slot-engine tests (test/solver/fixtures.ts) over two
 * weeks, with a short cancel freeze so that cancelled time comes back while the clock moves.
 */
import type { ScenarioInput } from '../../src/model/schema.js'
import { base } from '../solver/fixtures.js'

export const CRASH_NOW = '2026-06-01T07:00:00+02:00'

export function crashScenario(): ScenarioInput {
  const s = base()
  s.horizon = { start: '2026-06-01', days: 14 }
  s.policy = { cancelFreezeMinutes: 5, holdMinutes: 10, maxActiveAppointmentsPerCitizen: 3 }
  return s
}
