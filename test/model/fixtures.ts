/**
 * Shared fixtures for the model tests. Every function returns a fresh object, so tests may mutate
 * it freely (or structuredClone it first when they need the original again).
 *
 * Modules are imported one by one (not through src/model/index.ts) so these suites depend only on
 * the foundation they test.
 */
import { TerminplanError, type ValidationIssue } from '../../src/model/errors.js'
import type { ScenarioInput } from '../../src/model/schema.js'

/** Anything JSON-like, for mutation tests that deliberately break the schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const WEEKDAYS = [1, 2, 3, 4, 5]
export const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7]

/**
 * A small valid scenario that exercises every kind of reference, with known indices:
 *
 * horizon 2026-03-02 (Mon) .. 2026-03-15 (Sun), 14 days, timezone and policy left to defaults.
 * services: [0] passport 20 min (30 at mitte, maxQuantity 2), [1] registration 10 min,
 *           [2] idcard 20 min, combinable with passport and registration.
 * offices:  [0] mitte (district Mitte) offers all three; closed 2026-03-06; Mon–Fri 08–16.
 *           [1] spandau (district Spandau) offers registration and passport; Mon–Fri 07:30–15.
 * staff:    [0] anna @mitte, weekly Mon–Fri 08–16 with a break 12:00–12:30, absent 10–11 March.
 *           [1] ben @spandau, weekly Mon+Wed 07:30–12:00; on Thu 2026-03-05 09–13 at mitte.
 * demand:   [0] passport every Monday, district Mitte, offices [mitte]; [1] registration on 03-03.
 * appointments: [0] a1 at mitte with anna, two passports and a registration.
 * waitlist: [0] w1 registration at spandau or mitte, district Spandau, Mon/Tue mornings.
 */
export function validScenario(): ScenarioInput {
  return {
    name: 'fixture',
    horizon: { start: '2026-03-02', days: 14 },
    services: [
      { id: 'passport', name: 'Reisepass', durationMinutes: 20, maxQuantity: 2, officeDurations: { mitte: 30 } },
      { id: 'registration', name: 'Anmeldung', durationMinutes: 10 },
      { id: 'idcard', name: 'Personalausweis', durationMinutes: 20, combinable: ['passport', 'registration'] },
    ],
    offices: [
      {
        id: 'mitte',
        name: 'Bürgeramt Mitte',
        district: 'Mitte',
        openingHours: [{ weekdays: [...WEEKDAYS], from: '08:00', to: '16:00' }],
        closures: [{ from: '2026-03-06', to: '2026-03-06', reason: 'Betriebsausflug' }],
        services: ['passport', 'registration', 'idcard'],
        desks: 3,
      },
      {
        id: 'spandau',
        name: 'Bürgeramt Spandau',
        district: 'Spandau',
        openingHours: [{ weekdays: [...WEEKDAYS], from: '07:30', to: '15:00' }],
        services: ['registration', 'passport'],
        desks: 2,
      },
    ],
    staff: [
      {
        id: 'anna',
        office: 'mitte',
        skills: ['passport', 'registration', 'idcard'],
        shifts: [{ weekdays: [...WEEKDAYS], from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] }],
        absences: [{ from: '2026-03-10', to: '2026-03-11', reason: 'Urlaub' }],
      },
      {
        id: 'ben',
        office: 'spandau',
        skills: ['registration'],
        shifts: [
          { weekdays: [1, 3], from: '07:30', to: '12:00' },
          { date: '2026-03-05', from: '09:00', to: '13:00', office: 'mitte', breaks: [{ from: '10:00', to: '10:15' }] },
        ],
      },
    ],
    demand: [
      { service: 'passport', weekday: 1, district: 'Mitte', offices: ['mitte'], count: 12 },
      { service: 'registration', date: '2026-03-03', count: 5.5 },
    ],
    appointments: [
      {
        id: 'a1',
        office: 'mitte',
        staff: 'anna',
        start: '2026-03-02T09:00:00+01:00',
        services: ['passport', 'passport', 'registration'],
        citizenId: 'c1',
      },
    ],
    waitlist: [
      {
        id: 'w1',
        citizenId: 'c2',
        services: ['registration'],
        offices: ['spandau', 'mitte'],
        district: 'Spandau',
        windows: [{ weekdays: [1, 2], from: '08:00', to: '12:00' }],
        earliest: '2026-03-02',
        latest: '2026-03-13',
        createdAt: '2026-03-01T10:00:00Z',
      },
    ],
  }
}

/** Every id and district name used in `validScenario()`; an "unknown" id must avoid all of them. */
export const KNOWN_NAMES: ReadonlySet<string> = new Set([
  'passport', 'registration', 'idcard', 'mitte', 'spandau', 'Mitte', 'Spandau', 'anna', 'ben', 'a1', 'w1', 'c1', 'c2',
])

/**
 * Every place in `validScenario()` that refers to another entity by id (or to a district by name),
 * as a property path. Replacing the value there with an unknown id must be reported at exactly
 * that path as `unknown_reference`. `officeDurations` keys are listed separately.
 */
export const REFERENCE_SITES: ReadonlyArray<ReadonlyArray<string | number>> = [
  ['services', 2, 'combinable', 0],
  ['services', 2, 'combinable', 1],
  ['offices', 0, 'services', 0],
  ['offices', 0, 'services', 1],
  ['offices', 0, 'services', 2],
  ['offices', 1, 'services', 0],
  ['offices', 1, 'services', 1],
  ['staff', 0, 'office'],
  ['staff', 0, 'skills', 0],
  ['staff', 0, 'skills', 1],
  ['staff', 0, 'skills', 2],
  ['staff', 1, 'office'],
  ['staff', 1, 'skills', 0],
  ['staff', 1, 'shifts', 1, 'office'],
  ['demand', 0, 'service'],
  ['demand', 0, 'district'],
  ['demand', 0, 'offices', 0],
  ['demand', 1, 'service'],
  ['appointments', 0, 'office'],
  ['appointments', 0, 'staff'],
  ['appointments', 0, 'services', 0],
  ['appointments', 0, 'services', 1],
  ['appointments', 0, 'services', 2],
  ['waitlist', 0, 'services', 0],
  ['waitlist', 0, 'offices', 0],
  ['waitlist', 0, 'offices', 1],
  ['waitlist', 0, 'district'],
]

/** Sets `value` at property path `path` inside `root`. */
export function setAt(root: Loose, path: ReadonlyArray<string | number>, value: unknown): void {
  let cur = root
  for (const k of path.slice(0, -1)) cur = cur[k]
  cur[path[path.length - 1]] = value
}

/** Runs `fn`, which must throw a SCENARIO_INVALID TerminplanError, and returns its issues. */
export function issuesOf(fn: () => unknown): ValidationIssue[] {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  if (thrown === undefined) throw new Error('expected a TerminplanError, but nothing was thrown')
  if (!(thrown instanceof TerminplanError)) throw new Error(`expected a TerminplanError, got ${String(thrown)}`)
  if (thrown.code !== 'SCENARIO_INVALID') throw new Error(`expected code SCENARIO_INVALID, got ${thrown.code}`)
  return thrown.issues
}

/** The (code, path) pairs of a list of issues, in order. */
export function codesAndPaths(issues: ValidationIssue[]): { code: string; path: string }[] {
  return issues.map(({ code, path }) => ({ code, path }))
}

/** Runs of set bits of a Uint32Array bitset over `n` bits, as [start, end) pairs; read bit by bit. */
export function bitRuns(bits: Uint32Array, n: number): [number, number][] {
  const out: [number, number][] = []
  let start = -1
  for (let i = 0; i <= n; i++) {
    const on = i < n && ((bits[Math.floor(i / 32)] >>> (i % 32)) & 1) === 1
    if (on && start < 0) start = i
    if (!on && start >= 0) {
      out.push([start, i])
      start = -1
    }
  }
  return out
}
