/**
 * Scenario versions: the scenario a scheduler was loaded with, the changes applied to it since
 * (each with the horizon's first day then and the hash of what it gave), and the rolling horizon.
 * A snapshot carries the change log; a restore replays it onto the scenario it is given and names
 * the first change that gives something else.
 */
import { fail } from '../../model/errors.js'
import { applyOverlay, type Overlay } from '../../model/overlay.js'
import type { Scenario } from '../../model/schema.js'
import { defaultUnitMinutes } from '../../model/compile.js'
import { absenceInterval } from '../../model/calendar.js'
import { addDays, startOfLocalDay } from '../../model/tz.js'
import { fnv1a } from '../search.js'
import type { ChangeRecord } from './snapshot-schema.js'

/** Stable fingerprint of a scenario, so a snapshot is never restored onto another one. */
export function scenarioHash(s: Scenario): string {
  return fnv1a(JSON.stringify(s)).toString(16).padStart(8, '0')
}

/**
 * The scenario with its horizon starting on `start` (same length), and what lies wholly before
 * that day dropped — past closures, holidays, absences, dated shifts and shifts that ended, dated
 * demand, scenario appointments and waitlist entries — so a scheduler that runs for years keeps
 * a scenario of constant size. Rolling back is a no-op.
 */
export function rollScenario(s: Scenario, start: string): Scenario {
  if (start <= s.horizon.start) return s
  const r = structuredClone(s)
  const zone = r.timezone
  const startMs = startOfLocalDay(zone, start)
  r.horizon.start = start
  for (const o of r.offices) {
    o.closures = o.closures.filter((c) => c.to >= start)
    o.holidays = o.holidays.filter((d) => d >= start)
  }
  for (const p of r.staff) {
    p.absences = p.absences.filter((a) => absenceInterval(zone, a).end > startMs)
    p.shifts = p.shifts.filter((sh) => (sh.date === undefined || sh.date >= addDays(start, -1)) && (sh.validTo === undefined || sh.validTo >= addDays(start, -1)))
  }
  r.demand = r.demand.filter((d) => d.date === undefined || d.date >= start)
  r.appointments = r.appointments.filter((a) => Date.parse(a.start) >= startMs)
  r.waitlist = r.waitlist.filter((e) => e.latest === undefined || e.latest >= start)
  return r
}

/** Greatest common divisor. */
function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

export class ScenarioVersions {
  readonly baseHash: string
  current: Scenario
  currentHash: string
  readonly changes: ChangeRecord[] = []
  /**
   * The grid unit in force. A change never makes it coarser: it becomes the gcd of the old unit
   * and the one the changed scenario would have, so every time recorded so far stays on the grid.
   */
  unitMinutes: number

  constructor(readonly base: Scenario) {
    this.baseHash = scenarioHash(base)
    this.current = base
    this.currentHash = this.baseHash
    this.unitMinutes = base.unitMinutes ?? defaultUnitMinutes(base)
  }

  /** The unit a scenario gets after a change (see unitMinutes). */
  unitFor(s: Scenario): number {
    return gcd(this.unitMinutes, s.unitMinutes ?? defaultUnitMinutes(s))
  }

  /** The scenario `overlay` gives now, and its log record; nothing is committed (see commit). */
  next(overlay: Overlay, atIso: string): { scenario: Scenario; record: ChangeRecord } {
    const scenario = applyOverlay(this.current, overlay)
    // The overlay's name is recorded in meta by applyOverlay; the record keeps the overlay as given.
    return { scenario, record: { overlay: structuredClone(overlay), at: atIso, horizonStart: this.current.horizon.start, hash: scenarioHash(scenario) } }
  }

  commit(scenario: Scenario, record?: ChangeRecord): void {
    this.unitMinutes = this.unitFor(scenario)
    this.current = scenario
    this.currentHash = record?.hash ?? scenarioHash(scenario)
    if (record) this.changes.push(record)
  }

  /** The horizon moved to `start`; returns the rolled scenario (not committed). */
  rolled(start: string): Scenario {
    return rollScenario(this.current, start)
  }
}

/**
 * Rebuilds the versions of a snapshot: its change log replayed onto `base`, each change checked
 * against its recorded hash, then the horizon rolled to `horizonStart`. A `given` log (the
 * embedder's) must equal the snapshot's; the first difference is STATE_INVALID at its index.
 */
export function replayVersions(base: Scenario, changes: ChangeRecord[], horizonStart: string | undefined, given?: ReadonlyArray<ChangeRecord | Overlay>): ScenarioVersions {
  if (given !== undefined) {
    const n = Math.max(given.length, changes.length)
    for (let i = 0; i < n; i++) {
      const g = given[i], c = changes[i]
      const overlay = g === undefined ? undefined : 'overlay' in g ? g.overlay : g
      if (overlay === undefined || c === undefined || JSON.stringify(overlay) !== JSON.stringify(c.overlay)) {
        const what = c === undefined ? 'the snapshot has no such change' : overlay === undefined ? `the change log ends before the snapshot's change "${c.overlay.name}"` : `"${overlay.name}" differs from the snapshot's "${c.overlay.name}"`
        fail('STATE_INVALID', `$.changes[${i}]`, 'change_log_mismatch', `change ${i}: ${what}`)
      }
    }
  }
  const v = new ScenarioVersions(base)
  changes.forEach((c, i) => {
    const rolled = v.rolled(c.horizonStart)
    v.commit(rolled)
    let next: { scenario: Scenario; record: ChangeRecord }
    try {
      next = v.next(c.overlay, c.at)
    } catch (e) {
      fail('STATE_INVALID', `$.changes[${i}]`, 'change_log_mismatch', `change ${i} ("${c.overlay.name}") does not apply to this scenario: ${(e as Error).message}`)
    }
    if (next.record.hash !== c.hash)
      fail('STATE_INVALID', `$.changes[${i}]`, 'change_log_mismatch', `change ${i} ("${c.overlay.name}") gives another scenario than when it was made`)
    v.commit(next.scenario, c)
  })
  if (horizonStart !== undefined) v.commit(v.rolled(horizonStart))
  return v
}
