/**
 * Model-based testing of the slot engine: random small scenarios, random command sequences, and
 * after every command a comparison with the reference model (reference.ts) plus the invariants of
 * DESIGN.md. Shared by test/solver/model-based.test.ts (CI) and test/long (100,000+ operations).
 *
 * A command sequence is generated as plain data (indices and numbers); `runSequence` interprets it
 * against the engine and the reference side by side, so fast-check can shrink both the scenario and
 * the commands.
 *
 * Checked after every command: appointments, holds, cancel-freezes and the clock equal the
 * reference's; no staff member has two overlapping records; every record lies inside working time
 * at a staff member with every skill; stats() adds up (free + held + booked + frozen = capacity)
 * and its capacity, held, booked and frozen units equal the reference's; events equal the
 * reference's (what falls due at one instant as a set). Per command: search starts equal the
 * reference's first `limit` feasible starts and each slot is feasible at its staff member, the
 * explanation's counts equal the reference's; hold, confirm, cancel and setNow succeed or fail as
 * the reference predicts, with one of the issue codes it predicts; a rejected command leaves
 * snapshot() byte-identical and emits nothing; an idempotent confirm returns the same appointment;
 * minted ids are never reused; snapshot → restore → snapshot is byte-identical, the restored
 * scheduler answers the next search identically and behaves like the original until every hold
 * and freeze has run out.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { Scenario, ScenarioInput } from '../../src/model/schema.js'
import { formatInstant } from '../../src/model/tz.js'
import { fnv1a, mix3 } from '../../src/solver/search.js'
import {
  createScheduler,
  restoreScheduler,
  type Appointment,
  type Hold,
  type Scheduler,
  type SchedulerEventName,
} from '../../src/solver/scheduler/index.js'
import type { SearchRequest, Slot } from '../../src/model/requests.js'
import { MIN, Reference, plusDays, type RefAppointment, type RefEvent, type RefHold, type RefRequest, type RefSlot } from './reference.js'

// ---- scenario generation ----------------------------------------------------------------------

/** Horizon starts right before or on the DST days of 2026 in Europe/Berlin (both are Sundays). */
export const DST_STARTS = ['2026-03-27', '2026-03-28', '2026-03-29', '2026-10-23', '2026-10-24', '2026-10-25']

/**
 * Other zones, now and then, with horizons around their 2026 transitions: Santiago changes at
 * midnight (2026-09-06 has no 00:00; on 2026-04-05 the hour before midnight repeats), Lord Howe
 * by 30 minutes (2026-04-05, 2026-10-04), New York at 02:00 (2026-03-08, 2026-11-01).
 */
export const OTHER_ZONES: [string, string[]][] = [
  ['America/Santiago', ['2026-04-03', '2026-04-04', '2026-09-04', '2026-09-05', '2026-09-06']],
  ['Australia/Lord_Howe', ['2026-04-03', '2026-04-04', '2026-10-02', '2026-10-03', '2026-10-04']],
  ['America/New_York', ['2026-03-07', '2026-03-08', '2026-10-31', '2026-11-01']],
]

const zoneAndStartArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constant('Europe/Berlin'), fc.constantFrom(...DST_STARTS)) },
  { weight: 4, arbitrary: fc.tuple(fc.constant('Europe/Berlin'), fc.nat(364).map((k) => plusDays('2026-01-01', k))) },
  ...OTHER_ZONES.map(([zone, starts]) => ({ weight: 1, arbitrary: fc.tuple(fc.constant(zone), fc.constantFrom(...starts)) })),
)

const ALL = [1, 2, 3, 4, 5, 6, 7]

export function fmtTime(min: number): string {
  if (min === 1440) return '24:00'
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`
}

const weekdaysArb = fc.oneof({ weight: 4, arbitrary: fc.constant(ALL) }, { weight: 1, arbitrary: fc.subarray(ALL, { minLength: 1 }) })
/** `arb` with probability p (in percent), else undefined. */
function maybe<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: p, arbitrary: arb }, { weight: 100 - p, arbitrary: fc.constant(undefined) })
}
const step = (lo: number, hi: number, by = 10) => fc.integer({ min: lo / by, max: hi / by }).map((x) => x * by)

const hoursArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ weekdays: weekdaysArb, from: fc.oneof(step(360, 600, 30), step(300, 720)), len: fc.oneof(step(360, 720, 60), step(60, 720)) }).map((h) => ({ weekdays: h.weekdays, from: h.from, to: Math.min(1320, h.from + h.len) })) },
  // Around the clock: night and DST-hour working time become possible.
  { weight: 2, arbitrary: weekdaysArb.map((weekdays) => ({ weekdays, from: 0, to: 1440 })) },
  { weight: 1, arbitrary: weekdaysArb.map((weekdays) => ({ weekdays, from: 0, to: 360 })) },
)

const officeArb = fc.record({
  hours: fc.array(hoursArb, { minLength: 1, maxLength: 2 }),
  closure: maybe(fc.record({ off: fc.nat(5), len: fc.nat(1) }), 20),
  holiday: maybe(fc.nat(5), 15),
  minDays: fc.constantFrom(0, 0, 0, 1, 2),
  span: fc.constantFrom(0, 1, 2, 3, 5, 60, 60),
  servicesMask: fc.oneof(fc.constant(7), fc.nat(7)),
  desks: fc.integer({ min: 1, max: 3 }),
})

const serviceArb = fc.record({
  dur: fc.constantFrom(10, 20, 20, 30, 30, 40, 60, 90, 50),
  officeDur: maybe(fc.record({ office: fc.nat(2), dur: fc.constantFrom(10, 20, 30, 40, 60) }), 35),
  maxQ: fc.integer({ min: 1, max: 2 }),
  combinable: maybe(fc.nat(7), 25),
})

const shiftArb = fc.record({
  dated: fc.boolean(),
  dayOff: fc.nat(5),
  weekdays: weekdaysArb,
  from: fc.oneof({ weight: 4, arbitrary: step(360, 840, 30) }, { weight: 2, arbitrary: step(0, 1430) }, { weight: 1, arbitrary: step(300, 900, 5) }),
  len: fc.oneof({ weight: 4, arbitrary: step(240, 600, 30) }, { weight: 2, arbitrary: step(30, 720) }, { weight: 1, arbitrary: step(30, 600, 5) }),
  brk: maybe(fc.record({ off: step(10, 300), len: step(10, 60, 5) }), 50),
  office: maybe(fc.nat(2), 25),
  valid: maybe(fc.record({ from: fc.nat(5), to: fc.nat(5) }), 20),
})

const absenceArb = fc.oneof(
  fc.record({ kind: fc.constant('dates' as const), off: fc.nat(5), len: fc.nat(1) }),
  fc.record({ kind: fc.constant('instants' as const), offMin: step(0, 5 * 1440, 5), lenMin: step(10, 600, 5) }),
)

const staffArb = fc.record({
  office: fc.nat(2),
  skillsMask: fc.oneof(fc.constant(7), fc.nat(7)),
  shifts: fc.array(shiftArb, { minLength: 1, maxLength: 3 }),
  absence: maybe(absenceArb, 35),
})

const existingArb = fc.record({ pick: fc.nat(), pos: fc.nat(), svc: fc.nat(2), withStaff: fc.boolean(), citizen: fc.nat(3), idKind: fc.constantFrom('x', 'a') })

export const scenarioSpecArb = fc.record({
  zoneStart: zoneAndStartArb,
  days: fc.integer({ min: 2, max: 5 }),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 3 }),
  offices: fc.array(officeArb, { minLength: 1, maxLength: 3 }),
  staff: fc.array(staffArb, { minLength: 1, maxLength: 4 }),
  policy: fc.record({
    holdMinutes: fc.integer({ min: 1, max: 30 }),
    cancelFreezeMinutes: fc.constantFrom(0, 0, 5, 15, 30, 60),
    maxActive: fc.integer({ min: 1, max: 3 }),
  }),
  existing: fc.array(existingArb, { maxLength: 3 }),
  /** An explicit grid unit (dividing every duration), else the gcd of the durations. */
  unit: maybe(fc.constantFrom(5, 10), 15),
  strict: fc.boolean(),
  /** now relative to the horizon's first midnight, minutes; sometimes with seconds. */
  nowMin: fc.oneof({ weight: 3, arbitrary: step(-720, 720, 5) }, { weight: 1, arbitrary: step(-1440, 2 * 1440, 5) }),
  nowSec: maybe(fc.integer({ min: 1, max: 59 }), 15),
})
export type ScenarioSpec = typeof scenarioSpecArb extends fc.Arbitrary<infer T> ? T : never

export interface BuiltScenario {
  input: ScenarioInput
  scenario: Scenario
  now: number
  mode: 'strict' | 'report'
}

/** Turns a spec into a valid scenario (shifts of one person that overlap are dropped). */
export function buildScenario(full: ScenarioSpec): BuiltScenario {
  const [zone, start] = full.zoneStart
  const spec = { ...full, start }
  const dates = Array.from({ length: spec.days }, (_, i) => plusDays(spec.start, i))
  const dateAt = (k: number) => dates[k % dates.length]
  const sIds = spec.services.map((_, i) => `s${i}`)
  const oIds = spec.offices.map((_, i) => `o${i}`)
  const offices = spec.offices.map((o, i) => {
    let svc = sIds.filter((_, k) => (o.servicesMask >> k) & 1)
    if (svc.length === 0) svc = [sIds[i % sIds.length]]
    return {
      id: oIds[i],
      name: `Office ${i}`,
      district: `D${i % 2}`,
      openingHours: o.hours.map((h) => ({ weekdays: h.weekdays, from: fmtTime(h.from), to: fmtTime(h.to) })),
      closures: o.closure ? [{ from: dateAt(o.closure.off), to: dateAt(Math.min(o.closure.off % dates.length + o.closure.len, dates.length - 1)) }] : [],
      holidays: o.holiday !== undefined ? [dateAt(o.holiday)] : [],
      bookingWindow: { minDays: o.minDays, maxDays: o.minDays + o.span },
      services: svc,
      desks: o.desks,
    }
  })
  const services = spec.services.map((sv, i) => {
    const out: ScenarioInput['services'][number] = { id: sIds[i], name: `Service ${i}`, durationMinutes: sv.dur, maxQuantity: sv.maxQ }
    if (sv.officeDur) {
      const o = offices[sv.officeDur.office % offices.length]
      if (o.services.includes(sIds[i])) out.officeDurations = { [o.id]: sv.officeDur.dur }
    }
    if (sv.combinable !== undefined) out.combinable = sIds.filter((id, k) => k !== i && (sv.combinable! >> k) & 1)
    return out
  })
  const staff = spec.staff.map((p, i) => {
    let skills = sIds.filter((_, k) => (p.skillsMask >> k) & 1)
    if (skills.length === 0) skills = [sIds[i % sIds.length]]
    const shifts = p.shifts.map((sh) => {
      const len = Math.min(sh.len, 1430)
      const end = sh.from + len
      const to = end === 1440 ? 1440 : end % 1440
      const breaks = sh.brk && end <= 1440 && sh.brk.off + sh.brk.len < len ? [{ from: fmtTime(sh.from + sh.brk.off), to: fmtTime(sh.from + sh.brk.off + sh.brk.len) }] : []
      const base = { from: fmtTime(sh.from), to: fmtTime(to), breaks, ...(sh.office !== undefined ? { office: oIds[sh.office % oIds.length] } : {}) }
      if (sh.dated) return { date: dateAt(sh.dayOff), ...base }
      const [vf, vt] = sh.valid ? [sh.valid.from % dates.length, sh.valid.to % dates.length].sort((a, b) => a - b) : []
      const valid = sh.valid ? { validFrom: dates[vf], validTo: dates[vt] } : {}
      return { weekdays: sh.weekdays, ...valid, ...base }
    })
    const absences = []
    if (p.absence?.kind === 'dates') absences.push({ from: dateAt(p.absence.off), to: dateAt(Math.min(p.absence.off % dates.length + p.absence.len, dates.length - 1)) })
    if (p.absence?.kind === 'instants') {
      const t0 = Date.parse(`${spec.start}T00:00:00Z`)
      absences.push({ from: new Date(t0 + p.absence.offMin * MIN).toISOString(), to: new Date(t0 + (p.absence.offMin + p.absence.lenMin) * MIN).toISOString() })
    }
    return { id: `p${i}`, office: oIds[p.office % oIds.length], skills, shifts, absences }
  })
  const input: ScenarioInput = {
    ...(zone !== 'Europe/Berlin' ? { timezone: zone } : {}),
    horizon: { start: spec.start, days: spec.days },
    services,
    offices,
    staff,
    ...(spec.unit !== undefined ? { unitMinutes: spec.unit } : {}),
    policy: { holdMinutes: spec.policy.holdMinutes, cancelFreezeMinutes: spec.policy.cancelFreezeMinutes, maxActiveAppointmentsPerCitizen: spec.policy.maxActive },
  }
  let scenario = loadRepairing(input)

  // Existing appointments: mostly at real working time (picked from the reference), some clashing.
  if (spec.existing.length) {
    const ref = new Reference(scenario, 0)
    const appts: NonNullable<ScenarioInput['appointments']> = []
    spec.existing.forEach((e, i) => {
      if (ref.work.length === 0) return
      const w = ref.work[e.pick % ref.work.length]
      const office = offices.find((o) => o.id === w.officeId)!
      const svc = office.services[e.svc % office.services.length]
      const first = ref.t0 + Math.ceil((w.start - ref.t0) / ref.unitMs) * ref.unitMs
      const n = Math.max(1, Math.floor((w.end - first) / ref.unitMs))
      const start = first + (e.pos % n) * ref.unitMs
      appts.push({
        id: e.idKind === 'a' ? `a${i + 1}` : `x${i}`,
        office: w.officeId,
        ...(e.withStaff ? { staff: w.staffId } : {}),
        start: formatInstant(scenario.timezone, start),
        services: [svc],
        ...(e.citizen > 0 ? { citizenId: `c${e.citizen}` } : {}),
      })
    })
    input.appointments = appts
    scenario = loadScenario(input)
  }
  const t0 = new Reference(scenario, 0).t0 // local midnight of the first day
  return { input, scenario, now: t0 + spec.nowMin * MIN + (spec.nowSec ?? 0) * 1000, mode: spec.strict ? 'strict' : 'report' }
}

function loadRepairing(input: ScenarioInput): Scenario {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return loadScenario(input)
    } catch (e) {
      if (!(e instanceof TerminplanError)) throw e
      const drop = e.issues.filter((i) => i.code === 'shift_overlap')
      if (drop.length === 0 || drop.length !== e.issues.length) throw new Error(`generator produced an invalid scenario: ${JSON.stringify(e.issues.slice(0, 3))}`)
      const [, si, sj] = /^\$\.staff\[(\d+)\]\.shifts\[(\d+)\]$/.exec(drop[0].path)!
      input.staff![+si].shifts.splice(+sj, 1)
    }
  }
  throw new Error('could not repair the scenario')
}

// ---- commands ---------------------------------------------------------------------------------

const winArb = fc.record({ weekdays: maybe(fc.subarray(ALL, { minLength: 1 }), 40), from: step(0, 1380), len: step(30, 720) })

export const commandArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('search' as const),
      svc: fc.oneof({ weight: 3, arbitrary: fc.nat(2).map((k) => [k]) }, { weight: 1, arbitrary: fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }) }),
      offices: maybe(fc.subarray([0, 1, 2], { minLength: 1 }), 35),
      from: maybe(fc.integer({ min: -1, max: 5 }), 25),
      span: fc.nat(4),
      to: fc.boolean(),
      windows: maybe(fc.array(winArb, { minLength: 1, maxLength: 2 }), 25),
      citizen: fc.nat(5),
      limit: fc.integer({ min: 1, max: 6 }),
      explain: fc.boolean(),
    }),
  },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('holdResult' as const), idx: fc.nat(5), citizen: fc.nat(4), ttl: maybe(fc.integer({ min: 1, max: 30 }), 30) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('holdRandom' as const),
      office: fc.nat(3),
      staff: fc.nat(4),
      svc: fc.array(fc.nat(2), { minLength: 1, maxLength: 2 }),
      mode: fc.constantFrom('work', 'work', 'any', 'offgrid'),
      pick: fc.nat(),
      endDelta: fc.constantFrom(0, 0, 0, 0, 1, -1),
      citizen: fc.nat(4),
      ttl: maybe(fc.integer({ min: 1, max: 30 }), 30),
    }),
  },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('confirm' as const), pick: fc.nat(), live: fc.constantFrom(true, true, true, false), key: maybe(fc.nat(2), 60) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reconfirm' as const), otherKey: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat(), live: fc.constantFrom(true, true, true, false) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), minutes: fc.oneof({ weight: 4, arbitrary: fc.nat(30) }, { weight: 2, arbitrary: fc.nat(600) }, { weight: 1, arbitrary: fc.nat(3000) }), ms: fc.oneof(fc.constant(0), fc.nat(59_999)) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('toExpiry' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('backwards' as const), ms: fc.integer({ min: 1, max: 600_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const) }) },
)
export type Command = typeof commandArb extends fc.Arbitrary<infer T> ? T : never

export const commandsArb = (maxLength = 40) => fc.array(commandArb, { minLength: Math.min(5, maxLength), maxLength, size: 'max' })

// ---- the runner -------------------------------------------------------------------------------

const EVENTS: SchedulerEventName[] = ['held', 'confirmed', 'cancelled', 'expired', 'freed']

interface Logged {
  type: SchedulerEventName
  payload: unknown
}

type Outcome<T> = { ok: T } | { err: TerminplanError }

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: fn() }
  } catch (e) {
    if (e instanceof TerminplanError) return { err: e }
    throw e
  }
}

export interface RunResult {
  /** Engine operations executed (commands, clock moves, restores). */
  ops: number
  /** What happened, by kind (e.g. `holdResult:ok`, `holdRandom:CONFLICT/slot_taken`, `event:expired`). */
  tally: Record<string, number>
  /** Every output, in order, as JSON; equal for equal inputs. */
  transcript: string[]
}

/**
 * Runs one command sequence on a fresh scheduler and the reference side by side, checking every
 * property after every command. Throws (a vitest assertion error) at the first disagreement.
 */
export function runSequence(built: BuiltScenario, commands: Command[]): RunResult {
  const { scenario, mode } = built
  const zone = scenario.timezone
  const iso = (ms: number) => formatInstant(zone, ms)
  const ref = new Reference(scenario, built.now)
  const capacity = ref.capacityUnits()
  const transcript: string[] = []
  let ops = 0
  const log: Logged[] = []
  const tally: Record<string, number> = {}
  const count = (k: string, n = 1) => void (tally[k] = (tally[k] ?? 0) + n)
  let kind = 'create'

  // ---- creation, with existing appointments ----
  const bad = ref.placeExisting()
  let s: Scheduler
  if (mode === 'strict' && bad.length) {
    const r = attempt(() => createScheduler(scenario, { now: built.now }))
    if (!('err' in r)) throw new Error(`strict load accepted conflicting appointments ${JSON.stringify(bad)}`)
    expect(r.err.code).toBe('SCENARIO_INVALID')
    expect(r.err.issues.map((i) => /^\$\.appointments\[(\d+)\]/.exec(i.path)?.[1]).map(Number)).toEqual(bad)
  }
  s = createScheduler(scenario, { now: built.now, existingAppointments: bad.length ? 'report' : mode })
  ops++
  expect(s.loadIssues().map((i) => Number(/^\$\.appointments\[(\d+)\]/.exec(i.path)?.[1]))).toEqual(bad)

  // `freed` carries a FreedRange and a reason; the engine adds the services on expiries, which the
  // event type does not promise; compare the promised fields.
  const promised = (type: SchedulerEventName, payload: unknown): unknown => {
    if (type !== 'freed') return structuredClone(payload)
    const { officeId, staffId, start, end, reason } = payload as Record<string, unknown>
    return { officeId, staffId, start, end, reason }
  }
  const listen = (x: Scheduler) => EVENTS.forEach((type) => x.on(type, (payload) => log.push({ type, payload: promised(type, payload) })))
  listen(s)

  // ---- views of reference records as the engine must show them ----
  const apptView = (a: RefAppointment): Appointment => ({
    id: a.id,
    officeId: a.officeId,
    staffId: a.staffId,
    start: iso(a.start),
    end: iso(a.end),
    services: [...a.services],
    ...(a.citizenId !== undefined ? { citizenId: a.citizenId } : {}),
  })
  const holdView = (h: RefHold): Hold => ({
    id: h.id,
    expiresAt: iso(h.expiresAt),
    citizenId: h.citizenId,
    slot: { officeId: h.officeId, staffId: h.staffId, start: iso(h.start), end: iso(h.end), services: [...h.services] },
  })
  const eventViews = (evs: RefEvent[]): Logged[] =>
    evs.map((e) =>
      e.type === 'expired'
        ? { type: 'expired', payload: { hold: holdView(e.hold) } }
        : { type: 'freed', payload: { officeId: e.officeId, staffId: e.staffId, start: iso(e.start), end: iso(e.end), reason: e.reason } },
    )
  const byStartId = <T extends { start: number; id: string }>(a: T, b: T) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

  // ---- bookkeeping for picking targets ----
  const seenAppointmentIds = new Set<string>(scenario.appointments.map((a) => a.id))
  const holdIds: string[] = []
  const apptIds: string[] = ref.appointments().map((a) => a.id)
  let lastSlots: Slot[] = []
  let lastReq: SearchRequest = { services: [scenario.services[0].id] }
  let lastConfirm: { holdId: string; key?: string } | undefined
  const nS = scenario.services.length, nO = scenario.offices.length, nP = scenario.staff.length
  const svcIds = (xs: number[]) => xs.map((k) => scenario.services[k % nS].id)

  const toRefSlot = (slot: Slot): RefSlot => ({ officeId: slot.officeId, staffId: slot.staffId, start: Date.parse(slot.start), end: Date.parse(slot.end), services: [...slot.services] })

  function checkState(where: string): void {
    const appts = s.appointments(), holds = s.holds(), snap = s.snapshot()
    expect(appts, `${where}: appointments`).toEqual([...ref.appointments()].sort(byStartId).map(apptView))
    expect(holds, `${where}: holds`).toEqual([...ref.holds()].sort(byStartId).map(holdView))
    const fKey = (f: { staffId: string; start: string; until: string }) => `${f.staffId}|${Date.parse(f.start)}|${Date.parse(f.until)}`
    expect(
      snap.freezes.map((f) => ({ officeId: f.officeId, staffId: f.staffId, start: f.start, end: f.end, until: f.until })).sort((a, b) => (fKey(a) < fKey(b) ? -1 : 1)),
      `${where}: freezes`,
    ).toEqual(
      ref
        .freezes()
        .map((f) => ({ officeId: f.officeId, staffId: f.staffId, start: iso(f.start), end: iso(f.end), until: iso(f.until) }))
        .sort((a, b) => (fKey(a) < fKey(b) ? -1 : 1)),
    )
    expect(Date.parse(s.now()), `${where}: now`).toBe(ref.now)

    // Invariants, on the engine's own records.
    const taken = [
      ...appts.map((a) => ({ what: `appointment ${a.id}`, officeId: a.officeId, staffId: a.staffId, start: Date.parse(a.start), end: Date.parse(a.end), services: a.services as string[] | null })),
      ...holds.map((h) => ({ what: `hold ${h.id}`, ...h.slot, start: Date.parse(h.slot.start), end: Date.parse(h.slot.end), services: h.slot.services as string[] | null })),
      ...snap.freezes.map((f) => ({ what: `freeze ${f.id}`, officeId: f.officeId, staffId: f.staffId, start: Date.parse(f.start), end: Date.parse(f.end), services: null })),
    ]
    const byStaff = new Map<string, typeof taken>()
    for (const t of taken) {
      if (!ref.insideWorking(t.staffId, t.officeId, t.start, t.end)) throw new Error(`${where}: ${t.what} at ${t.staffId} ${iso(t.start)}–${iso(t.end)} lies outside working time`)
      if (t.services && !ref.skilled(t.staffId, t.services)) throw new Error(`${where}: ${t.what}: ${t.staffId} lacks a skill for ${t.services}`)
      byStaff.set(t.staffId, [...(byStaff.get(t.staffId) ?? []), t])
    }
    for (const [p, xs] of byStaff) {
      xs.sort((a, b) => a.start - b.start)
      for (let i = 1; i < xs.length; i++)
        if (xs[i].start < xs[i - 1].end) throw new Error(`${where}: ${p} has ${xs[i - 1].what} and ${xs[i].what} overlapping`)
    }
    const st = s.stats()
    const units = (xs: { start: number; end: number }[]) => xs.reduce((n, x) => n + (x.end - x.start) / ref.unitMs, 0)
    expect(st.capacityUnits, `${where}: capacity`).toBe(capacity)
    expect(st.freeUnits + st.heldUnits + st.bookedUnits + st.frozenUnits, `${where}: free + held + booked + frozen = capacity`).toBe(st.capacityUnits)
    expect([st.heldUnits, st.bookedUnits, st.frozenUnits], `${where}: held, booked, frozen units`).toEqual([units(ref.holds()), units(ref.appointments()), units(ref.freezes())])
  }

  /** Runs a command expected to fail: same error class, nothing changed, no events. */
  function expectRejected(where: string, fn: () => unknown, code: string | string[], issueCodes?: string[]): TerminplanError {
    const before = JSON.stringify(s.snapshot())
    const n = log.length
    const r = attempt(fn)
    ops++
    if (!('err' in r)) throw new Error(`${where}: expected ${String(code)}${issueCodes ? ` (${issueCodes.join('|')})` : ''}, but it succeeded: ${JSON.stringify(r.ok)}`)
    const codes = Array.isArray(code) ? code : [code]
    expect(codes, `${where}: error code ${r.err.code} (${r.err.message})`).toContain(r.err.code)
    if (issueCodes) expect(issueCodes, `${where}: issue code ${r.err.issues[0]?.code} (${r.err.message})`).toContain(r.err.issues[0]?.code)
    expect(JSON.stringify(s.snapshot()), `${where}: a rejected command changed the state`).toBe(before)
    expect(log.length, `${where}: a rejected command emitted events`).toBe(n)
    transcript.push(JSON.stringify({ where, error: r.err.toJSON() }))
    count(`${kind}:${r.err.code}/${r.err.issues[0]?.code}`)
    return r.err
  }

  function expectOk<T>(where: string, fn: () => T): T {
    const r = attempt(fn)
    ops++
    if ('err' in r) throw new Error(`${where}: expected success, got ${r.err.code} ${JSON.stringify(r.err.issues)}`)
    transcript.push(JSON.stringify({ where, ok: r.ok ?? null }))
    count(`${kind}:ok`)
    return r.ok
  }

  function expectEvents(where: string, from: number, expected: Logged[]): void {
    expect(log.slice(from), `${where}: events`).toEqual(expected)
    for (const e of expected) count(`event:${e.type}${e.type === 'freed' ? `/${(e.payload as { reason: string }).reason}` : ''}`)
    transcript.push(JSON.stringify(log.slice(from)))
  }

  function doSearch(where: string, req: SearchRequest): void {
    kind = 'search'
    const problems = ref.serviceListProblems(req.services)
    if (problems.length) {
      expectRejected(where, () => s.search(req), 'COMMAND_INVALID', problems)
      return
    }
    const n = log.length
    const res = expectOk(where, () => s.search(req))
    expect(log.length, `${where}: search emitted events`).toBe(n)
    const cands = ref.candidates(req as RefRequest)
    const limit = req.limit ?? 10
    const starts = res.slots.map((x) => Date.parse(x.start))
    // The earliest slot is the reference's earliest feasible start; in fact all `limit` first starts agree.
    expect(starts.map(iso), `${where}: slot starts vs reference (earliest ${cands.length ? iso(cands[0].start) : 'none'})`).toEqual(cands.slice(0, limit).map((c) => iso(c.start)))
    // Which offices: ties at one start are broken by the documented fair hash of office, time and citizen.
    const salt = req.citizenId ? fnv1a(req.citizenId) : 0
    const unitOf = (ms: number) => (ms - s.model.t0) / s.model.unitMs
    const tie = (c: { officeId: string; start: number }) => mix3(s.model.officeIndex.get(c.officeId)!, unitOf(c.start), salt)
    const ranked = [...cands].sort((a, b) => a.start - b.start || tie(a) - tie(b))
    expect(res.slots.map((x) => `${x.officeId}@${x.start}`), `${where}: offices of the slots vs the reference ranked by start and tie`).toEqual(ranked.slice(0, limit).map((c) => `${c.officeId}@${iso(c.start)}`))
    const seen = new Set<string>()
    for (const slot of res.slots) {
      const c = cands.find((x) => x.officeId === slot.officeId && iso(x.start) === slot.start)
      if (!c) throw new Error(`${where}: slot ${JSON.stringify(slot)} is not feasible per the reference`)
      expect(c.staffIds, `${where}: staff of ${JSON.stringify(slot)}`).toContain(slot.staffId)
      expect(slot.end, `${where}: end of ${JSON.stringify(slot)}`).toBe(iso(c.end))
      expect(slot.services).toEqual(req.services)
      const key = `${slot.officeId}@${slot.start}`
      expect(seen.has(key), `${where}: duplicate ${key}`).toBe(false)
      seen.add(key)
    }
    if (res.explanation) {
      const e = res.explanation, x = ref.explain(req as RefRequest)
      expect(
        { reasons: Object.fromEntries(e.reasons.map((r) => [r.code, r.count])), officeDays: e.officeDays, available: e.available, bookedUntil: e.bookedUntil, offices: e.offices, searched: e.searched },
        `${where}: explanation vs reference`,
      ).toEqual({ reasons: x.reasons, officeDays: x.officeDays, available: x.available, bookedUntil: x.bookedUntil, offices: nO, searched: { from: x.from, to: x.to } })
      count('search:explained')
    }
    if (res.slots.length === 0) {
      expect(res.explanation, `${where}: explanation when nothing found`).toBeDefined()
      expect(res.explanation!.available, `${where}: explanation.available with no slots`).toBe(0)
    } else if (req.explain) {
      expect(res.explanation!.available, `${where}: explanation.available with slots`).toBeGreaterThan(0)
    }
    lastSlots = res.slots
    lastReq = req
    count(res.slots.length ? 'search:found' : 'search:none')
    if (res.slots.some((x) => x.start.startsWith('2026-03-29') || x.start.startsWith('2026-10-25'))) count('search:dst-day-slot')
  }

  function doHold(where: string, slot: Slot, citizenId: string, ttl?: number, k = 'hold'): void {
    kind = k
    const opts = ttl === undefined ? { citizenId } : { citizenId, ttlMinutes: ttl }
    const rs = toRefSlot(slot)
    const p = ref.predictHold(rs, citizenId)
    if (p) {
      const err = expectRejected(where, () => s.hold(slot, opts), p.error === 'CONFLICT' ? 'CONFLICT' : p.error === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : ['COMMAND_INVALID', 'CONFLICT'], p.codes)
      if (err.code === 'CONFLICT') expect(err.issues[0].code).toBe('slot_taken')
      return
    }
    const n = log.length
    const h = expectOk(where, () => s.hold(slot, opts))
    const rec = ref.addHold({ id: h.id, ...rs, citizenId, createdAt: ref.now, expiresAt: ref.now + (ttl ?? scenario.policy.holdMinutes) * MIN })
    expect(h, `${where}: hold`).toEqual(holdView(rec))
    expect(holdIds.includes(h.id), `${where}: hold id ${h.id} reused`).toBe(false)
    holdIds.push(h.id)
    expectEvents(where, n, [{ type: 'held', payload: { hold: h } }])
  }

  function doConfirm(where: string, holdId: string, key?: string): void {
    kind = 'confirm'
    const p = ref.predictConfirm(holdId, key)
    const opts = key === undefined ? {} : { idempotencyKey: key }
    if ('error' in p) {
      expectRejected(where, () => s.confirm(holdId, opts), p.error, [p.code])
      return
    }
    const n = log.length
    const a = expectOk(where, () => s.confirm(holdId, opts))
    lastConfirm = { holdId, key }
    if (p.ok === 'replay') {
      count('confirm:replay')
      expect(a, `${where}: idempotent confirm returns the same appointment`).toEqual(apptView(p.appointment))
      expectEvents(where, n, [])
      return
    }
    expect(seenAppointmentIds.has(a.id), `${where}: appointment id ${a.id} was used before`).toBe(false)
    seenAppointmentIds.add(a.id)
    apptIds.push(a.id)
    const rec = ref.applyConfirm(p.hold, a.id, key)
    expect(a, `${where}: appointment`).toEqual(apptView(rec))
    expectEvents(where, n, [{ type: 'confirmed', payload: { appointment: a, holdId } }])
  }

  function doCancel(where: string, id: string): void {
    kind = 'cancel'
    const p = ref.predictCancel(id)
    if ('error' in p) {
      expectRejected(where, () => s.cancel(id), p.error, [p.code])
      return
    }
    const n = log.length
    expectOk(where, () => s.cancel(id))
    const view = apptView(p.ok)
    const { until, freedNow } = ref.applyCancel(p.ok)
    const expected: Logged[] = [{ type: 'cancelled', payload: { appointment: view, frozenUntil: iso(until) } }]
    if (freedNow) expected.push({ type: 'freed', payload: { officeId: view.officeId, staffId: view.staffId, start: view.start, end: view.end, reason: 'cancelled' } })
    expectEvents(where, n, expected)
  }

  function doSetNow(where: string, ms: number): void {
    kind = 'setNow'
    if (ms < ref.now) {
      expectRejected(where, () => s.setNow(iso(ms)), 'COMMAND_INVALID', ['clock_backwards'])
      return
    }
    const n = log.length
    expectOk(where, () => s.setNow(iso(ms)))
    const due = ref.advance(ms)
    // In time order; what falls due at one instant may come in any order, an expiry's
    // `expired` immediately followed by its `freed`.
    const got = log.slice(n)
    const units = (xs: Logged[]) => {
      const out: string[] = []
      for (let i = 0; i < xs.length; i++)
        out.push(xs[i].type === 'expired' ? JSON.stringify([xs[i], xs[++i]]) : JSON.stringify([xs[i]]))
      return out
    }
    let k = 0
    for (const at of [...new Set(due.map((e) => e.at))]) {
      const group = due.filter((e) => e.at === at)
      expect(units(got.slice(k, k + group.length)).sort(), `${where}: events due at ${iso(at)}`).toEqual(units(eventViews(group)).sort())
      k += group.length
    }
    expect(got.length, `${where}: number of events`).toBe(due.length)
    transcript.push(JSON.stringify(got))
    for (const e of due) count(`event:${e.type}${e.type === 'freed' ? `/${e.reason}` : ''}`)
  }

  function doRestore(where: string): void {
    kind = 'restore'
    const snap = s.snapshot()
    const json = JSON.stringify(snap)
    const r = expectOk(where, () => restoreScheduler(scenario, JSON.parse(json)))
    expect(JSON.stringify(r.snapshot()), `${where}: snapshot → restore → snapshot`).toBe(json)
    expect(r.stats(), `${where}: stats after restore`).toEqual(s.stats())
    expect(r.appointments()).toEqual(s.appointments())
    expect(r.holds()).toEqual(s.holds())
    const probe = { ...lastReq }
    if (ref.serviceListProblems(probe.services).length === 0) expect(r.search(probe), `${where}: restored scheduler answers the next search identically`).toEqual(s.search(probe))
    // The original and a second restored copy, both disposable now, must behave alike from here:
    // book the same next slot, then let every hold and freeze run out.
    const twin = restoreScheduler(scenario, JSON.parse(json))
    const trace = (x: Scheduler) => {
      const out: unknown[] = []
      EVENTS.forEach((type) => x.on(type, (payload) => out.push({ type, payload })))
      const slot = r.search({ services: [scenario.services[0].id], limit: 1 }).slots[0]
      if (slot) out.push(attempt(() => x.hold(slot, { citizenId: 'c-probe' })))
      const last = Math.max(ref.now, ...ref.holds().map((h) => h.expiresAt), ...ref.freezes().map((f) => f.until)) + 24 * 60 * MIN
      out.push(attempt(() => x.setNow(iso(last))))
      out.push(x.snapshot())
      return JSON.stringify(out)
    }
    expect(trace(twin), `${where}: a restored scheduler behaves like the original`).toBe(trace(s))
    s = r
    listen(s)
  }

  count('existing:placed', ref.appointments().length)
  count('existing:reported', bad.length)
  checkState('after create')
  commands.forEach((c, i) => {
    const where = `#${i} ${JSON.stringify(c)}`
    switch (c.t) {
      case 'search': {
        const req: SearchRequest = { services: svcIds(c.svc), limit: c.limit, citizenId: `c${c.citizen}` }
        if (c.offices) req.offices = [...new Set(c.offices.map((k) => scenario.offices[k % nO].id))]
        if (c.from !== undefined) {
          req.from = plusDays(scenario.horizon.start, c.from)
          if (c.to) req.to = plusDays(req.from, c.span)
        }
        if (c.windows) req.windows = c.windows.map((w) => ({ ...(w.weekdays ? { weekdays: w.weekdays } : {}), from: fmtTime(w.from), to: fmtTime(Math.min(1440, w.from + w.len)) }))
        if (c.explain) req.explain = true
        doSearch(where, req)
        break
      }
      case 'holdResult': {
        if (lastSlots.length === 0) {
          doSearch(`${where} (search first)`, { ...lastReq })
          if (lastSlots.length === 0) break
        }
        doHold(where, lastSlots[c.idx % lastSlots.length], `c${c.citizen}`, c.ttl, 'holdResult')
        break
      }
      case 'holdRandom': {
        const officeId = c.office === 3 ? 'nowhere' : scenario.offices[c.office % nO].id
        const staffId = c.staff === 4 ? 'nobody' : scenario.staff[c.staff % nP].id
        const services = svcIds(c.svc)
        const dur = ref.durationMinutes(officeId, services) ?? scenario.services[c.svc[0] % nS].durationMinutes
        let start: number
        const mine = ref.workIntervals(staffId)
        if (c.mode !== 'any' && mine.length) {
          const w = mine[c.pick % mine.length]
          const first = ref.t0 + Math.ceil((w.start - ref.t0) / ref.unitMs) * ref.unitMs
          const n = Math.max(1, Math.floor((w.end - first) / ref.unitMs))
          start = first + (Math.floor(c.pick / mine.length) % n) * ref.unitMs
        } else start = ref.t0 + (c.pick % Math.floor((ref.gridEnd - ref.t0) / ref.unitMs + 2)) * ref.unitMs - ref.unitMs
        if (c.mode === 'offgrid') start += 5 * MIN
        const end = start + dur * MIN + c.endDelta * ref.unitMs
        doHold(where, { officeId, staffId, start: iso(start), end: iso(end), services }, `c${c.citizen}`, c.ttl, 'holdRandom')
        break
      }
      case 'confirm': {
        const live = ref.holds().map((h) => h.id)
        const choices = c.live && live.length ? live : [...holdIds, 'h-unknown']
        const holdId = choices[c.pick % choices.length]
        doConfirm(where, holdId, c.key === undefined ? undefined : `k${c.key}-${holdIds.length % 2}`)
        break
      }
      case 'reconfirm': {
        if (!lastConfirm) break
        doConfirm(where, lastConfirm.holdId, c.otherKey ? `k-other-${lastConfirm.holdId}` : lastConfirm.key)
        break
      }
      case 'cancel': {
        const live = ref.appointments().map((a) => a.id)
        const choices = c.live && live.length ? live : [...apptIds, 'a-unknown']
        doCancel(where, choices[c.pick % choices.length])
        break
      }
      case 'advance':
        doSetNow(where, ref.now + c.minutes * MIN + c.ms)
        break
      case 'toExpiry': {
        const timers = [...ref.holds().map((h) => h.expiresAt), ...ref.freezes().map((f) => f.until)]
        if (timers.length === 0) {
          doSetNow(where, ref.now + 1)
          break
        }
        const at = timers[c.pick % timers.length]
        // 1 ms before: nothing of this one happens; at the instant: it expires (or thaws).
        if (at - 1 >= ref.now) {
          doSetNow(`${where} (1 ms before)`, at - 1)
          checkState(`${where} (1 ms before)`)
        }
        doSetNow(where, at)
        break
      }
      case 'backwards':
        doSetNow(where, ref.now - c.ms)
        break
      case 'restore':
        doRestore(where)
        break
    }
    checkState(where)
  })
  const dstBooked = ref.appointments().filter((a) => /^2026-(03-29|10-25)/.test(iso(a.start)))
  count('end:dst-day-appointments', dstBooked.length)
  return { ops, tally, transcript }
}

/** numRuns from an environment variable, else the default. */
export function envInt(name: string, dflt: number): number {
  const v = process.env[name]
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : dflt
}
