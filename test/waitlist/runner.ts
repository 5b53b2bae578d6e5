/**
 * Model-based testing of the online waitlist: random small scenarios (the slot-engine generators
 * of test/solver/harness.ts, with part of the working time booked up front so that citizens have
 * to wait, and a waitlist policy), random command sequences mixing the slot engine's commands
 * (search, hold, confirm, cancel, clock moves, snapshot/restore) with joinWaitlist, leaveWaitlist,
 * acceptOffer, declineOffer, manual offer(), setAutoOffer and offer expiry.
 *
 * The engine's offer decisions (which citizen, which slot) are not predicted; every one of them is
 * checked as it is reported, and then mirrored into the reference model (reference.ts, as a
 * RefOfferGroup) so that every other command is still predicted exactly: search results, hold and
 * confirm outcomes, appointments, holds, freezes and the clock equal the reference's. Events are
 * replayed in order against the reference and the waitlist model (model.ts); each must be
 * possible at that point: an `offer` for a free slot that suits a waiting citizen at the moment of
 * the offer (working time, skills, duration, booking window, dates and windows, never a slot that
 * citizen declined or let expire), an expiry exactly when due and in time order, a `freed` right
 * after what freed it, and so on.
 *
 * Checked after every command: the engine's appointments, holds, freezes, offer groups, offers and
 * waitlist (its order too) equal the models'; no entry holds more than one open offer, no citizen
 * two for the same services; nothing overlaps (appointments, holds, freezes, offers); every record
 * lies in working time at a staff member with every skill; free + held + booked + frozen + offered
 * = capacity, each as the reference counts it; a rejected command leaves snapshot() identical and
 * emits nothing; notifications: one per offer, expiry, confirmation (also of an accepted offer),
 * cancellation of an appointment with a citizen, and reminder (exactly at start − reminder lead,
 * for every appointment with a citizen booked before that moment and still there), nothing for
 * appointments without a citizen, idempotency keys never repeated, a failing sink reported as
 * `notificationFailed` without changing anything; snapshot → restore → snapshot identical, and the
 * restored scheduler behaves like the original (events, notifications, state).
 *
 * The per-citizen limit (policy.maxActiveAppointmentsPerCitizen) applies to the waitlist too: no
 * automatic offer goes to a citizen with that many holds and appointments not yet begun, and
 * acceptOffer is then rejected (LIMIT_EXCEEDED); a manual offer() may still be made.
 *
 * Optional checks (`Checks`), the completeness of the online matching: `freed` — after capacity
 * frees (cancel, expired hold or offer, declined or withdrawn offer), no waiting citizen is left
 * whom a free slot overlapping the freed units would suit; `quiescent` — after every command, no
 * free slot suits a waiting citizen at all (automatic offers on); `priority` — an automatic offer
 * goes to the best waiting citizen whom its slot suits.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { Scenario, ScenarioInput, WaitlistEntry } from '../../src/model/schema.js'
import type { SearchRequest, Slot } from '../../src/model/requests.js'
import { formatInstant } from '../../src/model/tz.js'
import type { Notification } from '../../src/solver/ports.js'
import {
  createScheduler,
  restoreScheduler,
  type Appointment,
  type Hold,
  type Offer,
  type Scheduler,
  type SchedulerEventName,
} from '../../src/solver/scheduler/index.js'
import { buildScenario, commandArb, fmtTime, scenarioSpecArb, type Command as SlotCommand } from '../solver/harness.js'
import { MIN, Reference, plusDays, type RefAppointment, type RefHold, type RefOfferGroup, type RefSlot } from '../solver/reference.js'
import { comboOf, WaitModel, type ModelEntry, type SlotMs } from './model.js'

/** `arb` with probability p (in percent), else undefined. */
export function maybe<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: p, arbitrary: arb }, { weight: 100 - p, arbitrary: fc.constant(undefined) })
}
const step = (lo: number, hi: number, by = 10) => fc.integer({ min: lo / by, max: hi / by }).map((x) => x * by)
const ALL = [1, 2, 3, 4, 5, 6, 7]

// ---- scenarios ---------------------------------------------------------------------------------

/** Ways a join request is made invalid on purpose (each with the JSON path it must be reported at). */
export const INVALID_JOINS = [
  'unknownService', 'unknownOffice', 'unknownDistrict', 'badWindow', 'serviceString', 'emptyServices', 'badDate',
  'extraKey', 'badPriority', 'badCreatedAt', 'badWeekday', 'citizenNumber', 'officesEmpty', 'badId', 'noWindows', 'manyWindows',
] as const
export type InvalidJoin = (typeof INVALID_JOINS)[number]

const winArb = fc.record({ weekdays: maybe(fc.subarray(ALL, { minLength: 1 }), 40), from: step(0, 1380), len: step(20, 720) })

export const joinArb = fc.record({
  t: fc.constant('join' as const),
  citizen: fc.nat(5),
  svc: fc.oneof({ weight: 4, arbitrary: fc.nat(2).map((k) => [k]) }, { weight: 1, arbitrary: fc.array(fc.nat(2), { minLength: 1, maxLength: 2 }) }),
  scope: fc.constantFrom('any', 'any', 'offices', 'offices', 'district', 'both'),
  offices: fc.subarray([0, 1, 2], { minLength: 1 }),
  district: fc.nat(1),
  windows: maybe(fc.array(winArb, { minLength: 1, maxLength: 2 }), 25),
  dates: maybe(fc.subarray([-1, 0, 1, 2, 3, 4, 5], { minLength: 1 }), 10),
  earliest: maybe(fc.integer({ min: -1, max: 5 }), 20),
  latest: maybe(fc.integer({ min: -1, max: 6 }), 25),
  urgent: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 4, arbitrary: fc.constant(false) }),
  /** createdAt relative to now, minutes; undefined = the engine's now. */
  created: maybe(fc.integer({ min: -20 * 1440, max: 1440 }), 50),
  id: maybe(fc.nat(3), 20),
  invalid: maybe(fc.constantFrom(...INVALID_JOINS), 12),
})
export type JoinCommand = typeof joinArb extends fc.Arbitrary<infer T> ? T : never

export const waitSpecArb = fc.record({
  base: scenarioSpecArb,
  offerMinutes: fc.constantFrom(1, 5, 15, 30, 30, 60),
  broadcast: maybe(fc.integer({ min: 1, max: 3 }), 30),
  reminder: fc.constantFrom(0, 30, 60, 1440),
  /** Share of working time booked up front (percent), and where. */
  prebook: fc.record({ pct: fc.constantFrom(0, 60, 85, 100, 100), seed: fc.nat(), citizens: fc.boolean() }),
  autoOffer: fc.constantFrom(true, true, true, true, false),
  /** `throwing`: the sink throws on every third notification. */
  sink: fc.constantFrom('record', 'record', 'throwing'),
  /** Entries in the scenario's own waitlist (valid ones, one per citizen and need). */
  initial: fc.array(joinArb.map((j) => ({ ...j, invalid: undefined })), { maxLength: 5 }),
})
export type WaitSpec = typeof waitSpecArb extends fc.Arbitrary<infer T> ? T : never

export interface BuiltWait {
  scenario: Scenario
  now: number
  mode: 'strict' | 'report'
  autoOffer: boolean
  sink: 'record' | 'throwing'
}

/** A small deterministic generator for the prebooking pattern. */
function lcg(seed: number): () => number {
  let x = (seed >>> 0) || 1
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x / 2 ** 32
  }
}

/** Turns a join command into the request it stands for (possibly invalid on purpose). */
export function joinRequest(scenario: Scenario, now: number, c: JoinCommand): Record<string, unknown> {
  const nS = scenario.services.length, nO = scenario.offices.length
  const zone = scenario.timezone
  const day = (k: number) => plusDays(scenario.horizon.start, k)
  const req: Record<string, unknown> = { citizenId: `c${c.citizen}`, services: c.svc.map((k) => scenario.services[k % nS].id) }
  const districts = [...new Set(scenario.offices.map((o) => o.district))].sort()
  if (c.scope === 'offices' || c.scope === 'both') req.offices = [...new Set(c.offices.map((k) => scenario.offices[k % nO].id))]
  if (c.scope === 'district' || c.scope === 'both') req.district = districts[c.district % districts.length]
  if (c.windows) req.windows = c.windows.map((w) => ({ ...(w.weekdays ? { weekdays: w.weekdays } : {}), from: fmtTime(w.from), to: fmtTime(Math.min(1440, w.from + w.len)) }))
  if (c.dates) req.dates = c.dates.map(day)
  if (c.earliest !== undefined) req.earliest = day(c.earliest)
  if (c.latest !== undefined) req.latest = day(c.latest)
  if (c.urgent) req.priority = 'urgent'
  if (c.created !== undefined) req.createdAt = formatInstant(zone, now + c.created * MIN)
  if (c.id !== undefined) req.id = `e${c.id}`
  switch (c.invalid) {
    case 'unknownService': (req.services as string[]).push('nope'); break
    case 'unknownOffice': req.offices = [...((req.offices as string[]) ?? []), 'nowhere']; delete req.district; break
    case 'unknownDistrict': req.district = 'Atlantis'; delete req.offices; break
    case 'badWindow': req.windows = [{ from: '10:00', to: '10:00' }]; break
    case 'serviceString': req.services = scenario.services[0].id; break
    case 'emptyServices': req.services = []; break
    case 'badDate': req.earliest = '2026-02-30'; break
    case 'extraKey': req.colour = 'blue'; break
    case 'badPriority': req.priority = 'vip'; break
    case 'badCreatedAt': req.createdAt = 'yesterday'; break
    case 'badWeekday': req.windows = [{ weekdays: [8], from: '08:00', to: '12:00' }]; break
    case 'citizenNumber': req.citizenId = 42; break
    case 'officesEmpty': req.offices = []; delete req.district; break
    case 'badId': req.id = ''; break
    case 'noWindows': req.windows = []; break
    case 'manyWindows': req.windows = Array.from({ length: 51 }, () => ({ from: '08:00', to: '09:00' })); break
  }
  return req
}

/**
 * The issues a join request must be rejected with: the zod-level defect (its path only) or the
 * full list of rule-level issues; none = valid.
 */
export function joinIssues(scenario: Scenario, c: JoinCommand, req: Record<string, unknown>): { zodPath?: string; issues: { path: string; code: string }[] } {
  switch (c.invalid) {
    case 'serviceString': return { zodPath: '$.services', issues: [] }
    case 'emptyServices': return { zodPath: '$.services', issues: [] }
    case 'badDate': return { zodPath: '$.earliest', issues: [] }
    case 'extraKey': return { zodPath: '$.colour', issues: [] }
    case 'badPriority': return { zodPath: '$.priority', issues: [] }
    case 'badCreatedAt': return { zodPath: '$.createdAt', issues: [] }
    case 'badWeekday': return { zodPath: '$.windows[0].weekdays[0]', issues: [] }
    case 'citizenNumber': return { zodPath: '$.citizenId', issues: [] }
    case 'officesEmpty': return { zodPath: '$.offices', issues: [] }
    case 'badId': return { zodPath: '$.id', issues: [] }
    case 'noWindows': return { zodPath: '$.windows', issues: [] }
    case 'manyWindows': return { zodPath: '$.windows', issues: [] }
  }
  const out: { path: string; code: string }[] = []
  const services = req.services as string[]
  const svc = new Map(scenario.services.map((x) => [x.id, x]))
  services.forEach((id, j) => {
    if (!svc.has(id)) out.push({ path: `$.services[${j}]`, code: 'unknown_reference' })
  })
  if (services.length > scenario.policy.maxServicesPerAppointment) out.push({ path: '$.services', code: 'too_many_services' })
  const counts = new Map<string, number>()
  for (const id of services) counts.set(id, (counts.get(id) ?? 0) + 1)
  for (const [id, n] of counts) if (svc.has(id) && n > svc.get(id)!.maxQuantity) out.push({ path: '$.services', code: 'max_quantity' })
  const ids = [...counts.keys()].sort()
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const ca = svc.get(ids[i])?.combinable, cb = svc.get(ids[j])?.combinable
      if ((ca && !ca.includes(ids[j])) || (cb && !cb.includes(ids[i]))) out.push({ path: '$.services', code: 'not_combinable' })
    }
  const offices = req.offices as string[] | undefined
  offices?.forEach((id, j) => {
    if (!scenario.offices.some((o) => o.id === id)) out.push({ path: `$.offices[${j}]`, code: 'unknown_reference' })
  })
  const district = req.district as string | undefined
  if (district !== undefined && !scenario.offices.some((o) => o.district === district)) out.push({ path: '$.district', code: 'unknown_reference' })
  if (req.earliest !== undefined && req.latest !== undefined && (req.latest as string) < (req.earliest as string)) out.push({ path: '$.latest', code: 'empty_range' })
  ;(req.windows as { from: string; to: string }[] | undefined)?.forEach((w, j) => {
    if (w.to !== '24:00' && w.to <= w.from) out.push({ path: `$.windows[${j}].to`, code: 'empty_range' })
  })
  if (out.length === 0 && offices && district !== undefined && !offices.some((id) => scenario.offices.find((o) => o.id === id)?.district === district))
    out.push({ path: '$.offices', code: 'empty_range' })
  return { issues: out }
}

export function buildWait(spec: WaitSpec): BuiltWait {
  const built = buildScenario(spec.base)
  const input: ScenarioInput = structuredClone(built.input)
  input.policy = {
    ...input.policy,
    offerMinutes: spec.offerMinutes,
    reminderMinutesBefore: spec.reminder,
    ...(spec.broadcast !== undefined ? { offerMode: 'broadcast' as const, broadcastSize: spec.broadcast } : {}),
  }
  let scenario = loadScenario(input)
  // Book part of the working time up front (after the scenario's own appointments), so that
  // citizens have to wait and cancellations matter.
  if (spec.prebook.pct > 0) {
    const ref = new Reference(scenario, built.now)
    const bad = ref.placeExisting()
    const rnd = lcg(spec.prebook.seed)
    const appts = [...(input.appointments ?? [])].filter((_, i) => !bad.includes(i))
    let n = 0
    for (const w of [...ref.work].sort((a, b) => a.start - b.start || (a.staffId < b.staffId ? -1 : 1))) {
      const office = scenario.offices.find((o) => o.id === w.officeId)!
      const svcs = office.services.filter((id) => ref.skilled(w.staffId, [id]))
      if (svcs.length === 0) continue
      let t = ref.t0 + Math.ceil((w.start - ref.t0) / ref.unitMs) * ref.unitMs
      while (t < w.end && n < 60) {
        const id = svcs[Math.floor(rnd() * svcs.length)]
        const end = t + ref.durationMinutes(office.id, [id])! * MIN
        if (end <= w.end && rnd() * 100 < spec.prebook.pct && ref.insideWorking(w.staffId, office.id, t, end) && ref.isFree(w.staffId, t, end)) {
          const a: RefAppointment = { kind: 'appointment', id: `pb${n}`, officeId: office.id, staffId: w.staffId, start: t, end, services: [id] }
          if (spec.prebook.citizens && n % 3 !== 2) a.citizenId = `z${n % 4}`
          ref.taken.push(a)
          appts.push({ id: a.id, office: office.id, staff: w.staffId, start: formatInstant(scenario.timezone, t), services: [id], ...(a.citizenId ? { citizenId: a.citizenId } : {}) })
          n++
          t = end
        } else t += ref.unitMs
      }
    }
    input.appointments = appts
  }
  // The scenario's own waitlist: valid entries, one per citizen and need.
  const seen = new Set<string>()
  const initial: WaitlistEntry[] = []
  spec.initial.forEach((c, i) => {
    const req = joinRequest(scenario, built.now, { ...c, created: c.created ?? -60, id: undefined })
    if (joinIssues(scenario, c, req).issues.length) return
    const key = `${req.citizenId as string}|${comboOf(req.services as string[])}`
    if (seen.has(key)) return
    seen.add(key)
    initial.push({ id: `i${i}`, ...(req as Omit<WaitlistEntry, 'id'>) })
  })
  if (initial.length) input.waitlist = initial
  scenario = loadScenario(input)
  return { scenario, now: built.now, mode: built.mode, autoOffer: spec.autoOffer, sink: spec.sink as 'record' | 'throwing' }
}

// ---- commands ----------------------------------------------------------------------------------

const waitCommandArb = fc.oneof(
  { weight: 10, arbitrary: joinArb },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('cancelLive' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('leave' as const), pick: fc.nat(), live: fc.constantFrom(true, true, true, false) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('accept' as const), pick: fc.nat(), live: fc.constantFrom(true, true, true, true, false), key: maybe(fc.nat(2), 40) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('decline' as const), pick: fc.nat(), live: fc.constantFrom(true, true, true, true, false) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('offerExpiry' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('manual' as const), entry: fc.nat(), mode: fc.constantFrom('fit', 'fit', 'fit', 'candidate', 'random', 'taken', 'unknown', 'wrong'), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('auto' as const), on: fc.constantFrom(true, false) }) },
)
export type WaitCommand = (typeof waitCommandArb extends fc.Arbitrary<infer T> ? T : never) | SlotCommand

export const waitCommandsArb = (maxLength = 40, opts: { auto?: boolean } = {}) =>
  fc.array(
    fc.oneof({ weight: 2, arbitrary: commandArb }, { weight: 3, arbitrary: waitCommandArb }).filter((c) => opts.auto !== false || c.t !== 'auto'),
    { minLength: Math.min(5, maxLength), maxLength, size: 'max' },
  )

// ---- the runner --------------------------------------------------------------------------------

export interface Checks {
  /** After capacity frees, nobody whom a free slot overlapping it would suit is left waiting. */
  freed?: boolean
  /** After every command, no free slot suits a waiting citizen (while automatic offers are on). */
  quiescent?: boolean
  /** An automatic offer goes to the best waiting citizen whom its slot suits. */
  priority?: boolean
}

export interface WaitRunResult {
  ops: number
  tally: Record<string, number>
  transcript: string[]
}

const EVENTS: SchedulerEventName[] = [
  'held', 'confirmed', 'cancelled', 'expired', 'freed', 'offer', 'offerAccepted', 'offerDeclined', 'offerExpired', 'offerWithdrawn', 'waitlistJoined', 'waitlistLeft', 'notificationFailed',
]

interface Logged {
  type: SchedulerEventName
  payload: any // eslint-disable-line @typescript-eslint/no-explicit-any
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

/** Canonical JSON: keys sorted, so that key order does not matter (as with toEqual). */
function canon(x: unknown): string {
  return JSON.stringify(x, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v))
}

/** Cheap checks; vitest's expect only runs (for its diff) when they fail. */
function same(msg: string, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want) && canon(got) !== canon(want)) expect(got, msg).toEqual(want)
}
function is(msg: string, got: unknown, want: unknown): void {
  if (got !== want) expect(got, msg).toBe(want)
}
function contains(msg: string, list: readonly unknown[], x: unknown): void {
  if (!list.includes(x)) expect(list, msg).toContain(x)
}

/** A failure with the command that led to it. */
function bad(where: string, msg: string): never {
  throw new Error(`${where}: ${msg}`)
}

export function runWaitSequence(b: BuiltWait, commands: WaitCommand[], checks: Checks = {}): WaitRunResult {
  const { scenario } = b
  const zone = scenario.timezone
  const isoCache = new Map<number, string>()
  const iso = (ms: number) => {
    let v = isoCache.get(ms)
    if (v === undefined) isoCache.set(ms, (v = formatInstant(zone, ms)))
    return v
  }
  const pol = scenario.policy
  const offerMs = pol.offerMinutes * MIN
  const remindMs = pol.reminderMinutesBefore * MIN
  const ref = new Reference(scenario, b.now)
  const wm = new WaitModel(ref, scenario)
  const capacity = ref.capacityUnits()
  const transcript: string[] = []
  const tally: Record<string, number> = {}
  const count = (k: string, n = 1) => void (tally[k] = (tally[k] ?? 0) + n)
  let ops = 0
  let auto = b.autoOffer
  let kind = 'create'

  // ---- notifications: a sink that records (and, if asked, throws on every third) ----
  let notes: Notification[] = []
  let thrown = 0
  let sends = 0
  let tracing: ((n: Notification) => void) | null = null
  const sink = {
    send(n: Notification): void {
      if (tracing) return tracing(n)
      notes.push(structuredClone(n))
      if (b.sink === 'throwing' && ++sends % 3 === 0) {
        thrown++
        throw new Error('sink down')
      }
    },
  }
  const noteKeys = new Set<string>()
  /** When each appointment with a citizen was booked (reminders are due only for those booked before their moment). */
  const bookedAt = new Map<string, number>()

  // ---- events ----
  const log: Logged[] = []
  const listen = (x: Scheduler) => EVENTS.forEach((type) => x.on(type, (payload) => log.push({ type, payload: structuredClone(payload) })))

  // ---- bookkeeping for picking targets ----
  const seenOfferIds = new Set<string>()
  const seenAppointmentIds = new Set<string>(scenario.appointments.map((a) => a.id))
  const generatedEntryIds = new Set<string>()
  const holdIds: string[] = []
  const offerIdsEver: string[] = []
  let lastSlots: Slot[] = []
  let lastReq: SearchRequest = { services: [scenario.services[0].id] }
  let lastConfirm: { holdId: string; key?: string } | undefined
  let lastFreed: SlotMs[] = []
  const nS = scenario.services.length, nO = scenario.offices.length, nP = scenario.staff.length
  const svcIds = (xs: number[]) => xs.map((k) => scenario.services[k % nS].id)

  // ---- creation ----
  const bad0 = ref.placeExisting()
  const apptIds: string[] = ref.appointments().map((a) => a.id)
  for (const a of ref.appointments()) if (a.citizenId !== undefined) bookedAt.set(a.id, b.now)
  const c0 = attempt(() =>
    createScheduler(scenario, { now: b.now, existingAppointments: bad0.length ? 'report' : b.mode, notifications: sink, waitlist: { autoOffer: b.autoOffer } }),
  )
  if ('err' in c0) throw new Error(`create: ${c0.err.code} ${JSON.stringify(c0.err.issues.slice(0, 3))}`)
  let s = c0.ok
  ops++

  // ---- views ----
  const apptView = (a: RefAppointment): Appointment => ({
    id: a.id, officeId: a.officeId, staffId: a.staffId, start: iso(a.start), end: iso(a.end), services: [...a.services],
    ...(a.citizenId !== undefined ? { citizenId: a.citizenId } : {}),
  })
  const holdView = (h: RefHold): Hold => ({
    id: h.id, expiresAt: iso(h.expiresAt), citizenId: h.citizenId,
    slot: { officeId: h.officeId, staffId: h.staffId, start: iso(h.start), end: iso(h.end), services: [...h.services] },
  })
  const byStartId = <T extends { start: number; id: string }>(x: T, y: T) => x.start - y.start || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
  const toMs = (slot: { officeId: string; staffId: string; start: string; end: string }): SlotMs => ({ officeId: slot.officeId, staffId: slot.staffId, start: Date.parse(slot.start), end: Date.parse(slot.end) })
  /** Whether a citizen has as many holds and appointments (not begun) as the policy allows. */
  const atLimit = (citizenId: string) => ref.activeCount(citizenId) >= pol.maxActiveAppointmentsPerCitizen
  const groupOf = (offerId: string) => ref.offerGroups().find((g) => g.offers.some((o) => o.id === offerId))
  const removeTaken = (t: object) => {
    const i = ref.taken.indexOf(t as never)
    if (i < 0) throw new Error('internal: record not in the reference')
    ref.taken.splice(i, 1)
  }

  /**
   * A new offer group as reported: checks everything the engine promises about it and mirrors it
   * into the models. `manual`: made by offer(entryId, slot).
   */
  function acceptGroup(where: string, offers: Offer[], at: number, manual: boolean, loading = false): void {
    const first = offers[0]
    const slot = toMs(first.slot)
    const tag = `offer ${offers.map((o) => `${o.id}→${o.entryId}`).join(',')} of ${slot.staffId} ${first.slot.start}–${first.slot.end}`
    if (!manual && !auto) bad(where, `${tag} made while automatic offers are off`)
    for (const o of offers) {
      if (o.slot.officeId !== first.slot.officeId || o.slot.staffId !== first.slot.staffId || o.slot.start !== first.slot.start || o.slot.end !== first.slot.end || o.expiresAt !== first.expiresAt)
        bad(where, `${tag}: offers of one group differ in slot or expiry`)
      if (seenOfferIds.has(o.id)) bad(where, `${tag}: offer id ${o.id} used before`)
      seenOfferIds.add(o.id)
      offerIdsEver.push(o.id)
    }
    if (Date.parse(first.expiresAt) !== at + offerMs) bad(where, `${tag}: expires ${first.expiresAt}, expected ${iso(at + offerMs)} (made at ${iso(at)} + ${pol.offerMinutes} min)`)
    const size = manual || pol.offerMode === 'sequential' ? 1 : pol.broadcastSize
    if (offers.length > size) bad(where, `${tag}: ${offers.length} offers for one slot, at most ${size}`)
    if (!ref.isFree(slot.staffId, slot.start, slot.end)) bad(where, `${tag}: the slot is not free (${JSON.stringify(ref.taken.filter((t) => t.staffId === slot.staffId && t.start < slot.end && slot.start < t.end).map((t) => t.kind))})`)
    const members = new Set(offers.map((o) => o.entryId))
    for (const o of offers) {
      const e = wm.entries.get(o.entryId)
      if (!e) bad(where, `${tag}: no entry ${o.entryId}`)
      if (e.state !== 'waiting') bad(where, `${tag}: entry ${e.id} is ${e.state} (${e.offerId})`)
      if (o.citizenId !== e.citizenId) bad(where, `${tag}: citizen ${o.citizenId}, entry's is ${e.citizenId}`)
      if (JSON.stringify(o.slot.services) !== JSON.stringify(e.services)) bad(where, `${tag}: services ${o.slot.services}, entry's ${e.services}`)
      const why = wm.misfit(e, slot, { at, declined: !manual })
      if (why) bad(where, `${tag}: does not suit entry ${e.id}: ${why}`)
      if (!manual && atLimit(e.citizenId)) bad(where, `${tag}: citizen ${e.citizenId} already has ${pol.maxActiveAppointmentsPerCitizen} holds and appointments (the per-citizen limit)`)
      for (const other of wm.entries.values())
        if (other !== e && other.citizenId === e.citizenId && other.combo === e.combo && other.state === 'offered') bad(where, `${tag}: citizen ${e.citizenId} holds another offer for these services`)
    }
    if (checks.priority && !manual && !loading) {
      // Nobody better than a member, not in the group and still waiting, would have suited the slot.
      const worst = offers.map((o) => wm.entries.get(o.entryId)!).sort(WaitModel.compare)
      for (const x of wm.entries.values()) {
        if (x.state !== 'waiting' || members.has(x.id) || atLimit(x.citizenId)) continue
        const firstMember = worst[0]
        const sameCombo = x.combo === firstMember.combo
        // Better than the first member (any services that fit inside the slot), or than any
        // member with the same services (broadcast picks the best that fit exactly).
        const beats = WaitModel.compare(x, firstMember) < 0 ? 'first' : sameCombo && WaitModel.compare(x, worst[worst.length - 1]) < 0 ? 'member' : null
        if (!beats) continue
        const fits = beats === 'first' ? wm.freeFits(x, at, { inside: slot }) : wm.misfit(x, slot, { at, declined: true }) === null ? [slot] : []
        if (fits.length)
          bad(where, `${tag}: entry ${x.id} (${x.urgent ? 'urgent' : 'normal'}, due ${iso(x.due)}, joined ${iso(x.createdAt)}) ranks before ${beats === 'first' ? firstMember.id : 'a member'} and the slot suits it (${iso(fits[0].start)})`)
      }
    }
    const g: RefOfferGroup = {
      kind: 'offer', officeId: slot.officeId, staffId: slot.staffId, start: slot.start, end: slot.end, createdAt: at, expiresAt: at + offerMs,
      offers: offers.map((o) => ({ id: o.id, entryId: o.entryId, citizenId: o.citizenId, services: [...o.slot.services] })),
    }
    ref.taken.push(g)
    for (const o of offers) {
      const e = wm.entries.get(o.entryId)!
      e.state = 'offered'
      e.offerId = o.id
    }
    count(manual ? 'offer:manual' : `offer:auto/${offers.length}`)
  }

  /** One offer of a group ends (declined, expired, withdrawn); returns the freed slot when the group is now empty. */
  function closeOffer(where: string, o: Offer, declined: boolean): SlotMs | null {
    const g = groupOf(o.id)
    if (!g) bad(where, `offer ${o.id} closed but not open`)
    g.offers = g.offers.filter((x) => x.id !== o.id)
    const e = wm.entries.get(o.entryId)
    if (e && e.offerId === o.id) {
      e.offerId = undefined
      e.state = 'waiting'
      if (declined) e.declined.add(`${g.staffId}@${g.start}`)
    }
    if (g.offers.length === 0) {
      removeTaken(g)
      return { officeId: g.officeId, staffId: g.staffId, start: g.start, end: g.end }
    }
    return null
  }

  /** What the command was: which events it may cause. `target`: the new now of a clock move. */
  type Ctx = { cmd: string; target?: number; manual?: boolean; accept?: string; decline?: string; leave?: string; cancelled?: RefAppointment }

  /**
   * Replays a successful command's events against the models, checking that each is possible at
   * that point. Returns the ranges freed, for the completeness check.
   */
  function consume(where: string, evs: Logged[], c: Ctx): SlotMs[] {
    const freedAll: SlotMs[] = []
    let pending: { slot: SlotMs; reason: string } | null = null
    let tPrev = ref.now
    const inTime = c.target !== undefined
    const at = (t: number, what: string) => {
      if (!inTime) {
        if (t !== ref.now) bad(where, `${what} at ${iso(t)}, but the command ran at ${iso(ref.now)}`)
        return
      }
      if (t < tPrev) bad(where, `${what} at ${iso(t)} after something at ${iso(tPrev)}: out of time order`)
      if (t > c.target!) bad(where, `${what} at ${iso(t)}, after the new now ${iso(c.target!)}`)
      tPrev = t
      ref.now = t
    }
    let withdrawnExpected: Set<string> | null = null
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i]
      count(`event:${e.type}${e.type === 'freed' ? `/${e.payload.reason}` : ''}`)
      if (pending && e.type !== 'freed') bad(where, `expected freed(${pending.reason}) of ${pending.slot.staffId} ${iso(pending.slot.start)}, got ${e.type}`)
      switch (e.type) {
        case 'held':
        case 'confirmed':
          // Checked and applied by doHold / doConfirm.
          if (c.cmd !== e.type.replace('held', 'hold').replace('confirmed', 'confirm') || i !== 0) bad(where, `unexpected ${e.type}`)
          break
        case 'cancelled': {
          if (c.cmd !== 'cancel' || i !== 0) bad(where, 'unexpected cancelled')
          const a = c.cancelled!
          same(`${where}: cancelled`, e.payload, { appointment: apptView(a), frozenUntil: iso(ref.now + pol.cancelFreezeMinutes * MIN) })
          removeTaken(a)
          if (pol.cancelFreezeMinutes > 0)
            ref.taken.push({ kind: 'freeze', officeId: a.officeId, staffId: a.staffId, start: a.start, end: a.end, until: ref.now + pol.cancelFreezeMinutes * MIN, seq: 0 })
          else pending = { slot: a, reason: 'cancelled' }
          break
        }
        case 'expired': {
          if (!inTime) bad(where, 'unexpected expired')
          const h = ref.holds().find((x) => x.id === e.payload.hold.id)
          if (!h) bad(where, `hold ${e.payload.hold.id} expired but not open`)
          at(h.expiresAt, `expiry of hold ${h.id}`)
          same(`${where}: expired`, e.payload, { hold: holdView(h) })
          removeTaken(h)
          pending = { slot: h, reason: 'expired' }
          break
        }
        case 'freed': {
          const p = e.payload as { officeId: string; staffId: string; start: string; end: string; reason: string }
          const range = toMs(p)
          if (pending) {
            same(`${where}: freed after ${pending.reason}`, { ...range, reason: p.reason }, { officeId: pending.slot.officeId, staffId: pending.slot.staffId, start: pending.slot.start, end: pending.slot.end, reason: pending.reason })
            pending = null
          } else {
            // A cancel-freeze thaws.
            if (!inTime || p.reason !== 'cancelled') bad(where, `unexpected freed ${JSON.stringify(p)}`)
            const f = ref.freezes().find((x) => x.staffId === range.staffId && x.start === range.start && x.end === range.end && x.officeId === range.officeId)
            if (!f) bad(where, `freed ${JSON.stringify(p)} but no such freeze`)
            at(f.until, `thaw of ${f.staffId} ${iso(f.start)}`)
            removeTaken(f)
          }
          freedAll.push(range)
          break
        }
        case 'offer': {
          const offers: Offer[] = [e.payload.offer]
          while (i + 1 < evs.length && evs[i + 1].type === 'offer') {
            const n: Offer = evs[i + 1].payload.offer
            if (n.slot.staffId !== offers[0].slot.staffId || n.slot.start !== offers[0].slot.start) break
            offers.push(n)
            i++
            count('event:offer')
          }
          const t = Date.parse(offers[0].expiresAt) - offerMs
          at(t, `offer ${offers[0].id}`)
          if (c.manual && evs.length !== 1) bad(where, `manual offer() emitted ${evs.map((x) => x.type)}`)
          acceptGroup(where, offers, t, !!c.manual)
          break
        }
        case 'offerAccepted': {
          if (c.cmd !== 'accept' || i !== 0) bad(where, 'unexpected offerAccepted')
          const o: Offer = e.payload.offer
          const g = groupOf(o.id)
          if (!g || o.id !== c.accept) bad(where, `accepted ${o.id}, not the open offer ${c.accept}`)
          const mo = g.offers.find((x) => x.id === o.id)!
          const a: Appointment = e.payload.appointment
          if (seenAppointmentIds.has(a.id)) bad(where, `appointment id ${a.id} used before`)
          seenAppointmentIds.add(a.id)
          const rec: RefAppointment = { kind: 'appointment', id: a.id, officeId: g.officeId, staffId: g.staffId, start: g.start, end: g.end, services: [...mo.services], citizenId: mo.citizenId }
          same(`${where}: the appointment is the offered slot`, a, apptView(rec))
          same(`${where}: accepted offer`, o, { id: mo.id, entryId: mo.entryId, citizenId: mo.citizenId, slot: { officeId: g.officeId, staffId: g.staffId, start: iso(g.start), end: iso(g.end), services: mo.services }, expiresAt: iso(g.expiresAt) })
          // A valid appointment under every slot-engine rule: working time (shift ∩ opening −
          // breaks − absences − closures), skills, duration, the booking window when offered, not
          // begun, and (checked below) overlapping nothing.
          const entry = wm.entries.get(mo.entryId)!
          const why = wm.misfit(entry, rec, { at: g.createdAt })
          if (why) bad(where, `accepted appointment ${a.id} breaks ${why}`)
          if (rec.start < ref.now) bad(where, `accepted appointment ${a.id} has begun`)
          removeTaken(g)
          for (const t of ref.taken) if (t.staffId === rec.staffId && t.start < rec.end && rec.start < t.end) bad(where, `accepted appointment overlaps a ${t.kind}`)
          ref.taken.push(rec)
          bookedAt.set(rec.id, ref.now)
          apptIds.push(rec.id)
          withdrawnExpected = new Set(g.offers.filter((x) => x.id !== o.id).map((x) => x.id))
          for (const x of g.offers) {
            const r = wm.entries.get(x.entryId)
            if (r && r.offerId === x.id) {
              r.offerId = undefined
              r.state = 'waiting'
            }
          }
          count(`accept:group/${g.offers.length}`)
          break
        }
        case 'waitlistLeft': {
          const v = e.payload as { entry: { id: string }; reason: string }
          const me = wm.entries.get(v.entry.id)
          if (!me) bad(where, `waitlistLeft for unknown entry ${v.entry.id}`)
          if (c.cmd === 'accept' && v.reason === 'served' && i === 1) {
            same(`${where}: waitlistLeft(served)`, v.entry, wm.view(me, zone))
          } else if (c.cmd === 'leave' && v.reason === 'left' && i === 0 && v.entry.id === c.leave) {
            same(`${where}: waitlistLeft(left)`, v.entry, wm.view(me, zone))
            if (me.offerId !== undefined) withdrawnExpected = new Set([me.offerId])
          } else bad(where, `unexpected waitlistLeft ${JSON.stringify(v)}`)
          wm.entries.delete(me.id)
          break
        }
        case 'offerWithdrawn': {
          const o: Offer = e.payload.offer
          if (!withdrawnExpected || !withdrawnExpected.has(o.id)) bad(where, `unexpected offerWithdrawn ${o.id}`)
          withdrawnExpected.delete(o.id)
          if (c.cmd === 'leave') {
            const freed = closeOffer(where, o, false)
            if (freed) pending = { slot: freed, reason: 'offer_withdrawn' }
          }
          break
        }
        case 'offerDeclined': {
          const o: Offer = e.payload.offer
          if (c.cmd !== 'decline' || i !== 0 || o.id !== c.decline) bad(where, `unexpected offerDeclined ${o.id}`)
          const freed = closeOffer(where, o, true)
          if (freed) pending = { slot: freed, reason: 'offer_declined' }
          break
        }
        case 'offerExpired': {
          if (!inTime) bad(where, 'unexpected offerExpired')
          const o: Offer = e.payload.offer
          const g = groupOf(o.id)
          if (!g) bad(where, `offer ${o.id} expired but not open`)
          at(g.expiresAt, `expiry of offer ${o.id}`)
          const freed = closeOffer(where, o, true)
          if (freed) pending = { slot: freed, reason: 'offer_expired' }
          break
        }
        case 'waitlistJoined': {
          if (c.cmd !== 'join' || i !== 0) bad(where, 'unexpected waitlistJoined')
          break // handled by doJoin
        }
        case 'notificationFailed':
          break
      }
    }
    if (pending) bad(where, `expected freed(${pending.reason}) at the end`)
    if (withdrawnExpected && (withdrawnExpected as Set<string>).size) bad(where, `offers ${[...(withdrawnExpected as Set<string>)]} were not withdrawn`)
    return freedAll
  }

  /** Notifications of one command: exactly the ones its events call for. */
  function checkNotes(where: string, evs: Logged[], from: number, to: number): void {
    const got = notes
    notes = []
    const failed = evs.filter((e) => e.type === 'notificationFailed')
    is(`${where}: notificationFailed events vs sink failures`, failed.length, thrown)
    for (const f of failed) contains(`${where}: failed notification is one that was sent`, got.map((n) => n.idempotencyKey), f.payload.notification.idempotencyKey)
    thrown = 0
    const expected: Partial<Notification>[] = []
    for (const e of evs) {
      if (e.type === 'offer') {
        const o: Offer = e.payload.offer
        expected.push({ kind: 'offer', citizenId: o.citizenId, at: iso(Date.parse(o.expiresAt) - offerMs), officeId: o.slot.officeId, start: o.slot.start, end: o.slot.end, services: o.slot.services, offerId: o.id, expiresAt: o.expiresAt })
      } else if (e.type === 'offerExpired') {
        const o: Offer = e.payload.offer
        expected.push({ kind: 'offer_expired', citizenId: o.citizenId, at: o.expiresAt, offerId: o.id })
      } else if (e.type === 'confirmed' || e.type === 'offerAccepted' || (e.type === 'cancelled' && e.payload.appointment.citizenId !== undefined)) {
        const a: Appointment = e.payload.appointment
        expected.push({ kind: e.type === 'cancelled' ? 'cancellation' : 'confirmation', citizenId: a.citizenId, at: iso(ref.now), appointmentId: a.id, officeId: a.officeId, start: a.start, end: a.end, services: a.services })
      }
    }
    // Reminders: every appointment with a citizen, booked before its reminder moment and still
    // there then, exactly at start − lead; none for the others.
    if (remindMs > 0)
      for (const a of ref.appointments()) {
        const r = a.start - remindMs
        if (a.citizenId !== undefined && r > from && r <= to && (bookedAt.get(a.id) ?? Infinity) < r)
          expected.push({ kind: 'reminder', citizenId: a.citizenId, at: iso(r), appointmentId: a.id, officeId: a.officeId, start: iso(a.start), end: iso(a.end), services: a.services })
      }
    const strip = (n: Notification) => {
      const { idempotencyKey: _k, ...rest } = n
      return rest
    }
    const order = (xs: object[]) => xs.map((x) => JSON.stringify(x, Object.keys(x).sort())).sort()
    same(`${where}: notifications`, order(got.map(strip)), order(expected))
    for (const n of got) {
      if (noteKeys.has(n.idempotencyKey)) bad(where, `idempotency key ${n.idempotencyKey} repeated`)
      noteKeys.add(n.idempotencyKey)
      count(`note:${n.kind}`)
    }
  }

  function checkState(where: string, freed: SlotMs[]): void {
    const appts = s.appointments(), holds = s.holds(), snap = s.snapshot()
    same(`${where}: appointments`, appts, [...ref.appointments()].sort(byStartId).map(apptView))
    same(`${where}: holds`, holds, [...ref.holds()].sort(byStartId).map(holdView))
    const fKey = (f: { staffId: string; start: string; until: string }) => `${f.staffId}|${Date.parse(f.start)}|${Date.parse(f.until)}`
    same(`${where}: freezes`, snap.freezes.map((f) => ({ officeId: f.officeId, staffId: f.staffId, start: f.start, end: f.end, until: f.until })).sort((x, y) => (fKey(x) < fKey(y) ? -1 : 1)), ref.freezes().map((f) => ({ officeId: f.officeId, staffId: f.staffId, start: iso(f.start), end: iso(f.end), until: iso(f.until) })).sort((x, y) => (fKey(x) < fKey(y) ? -1 : 1)))
    is(`${where}: now`, Date.parse(s.now()), ref.now)

    // Offer groups and offers.
    const gKey = (g: { staffId: string; start: string }) => `${g.staffId}|${Date.parse(g.start)}`
    same(`${where}: offer groups`, snap.offerGroups.map((g) => ({ officeId: g.officeId, staffId: g.staffId, start: g.start, end: g.end, createdAt: Date.parse(g.createdAt), expiresAt: Date.parse(g.expiresAt), offers: g.offers })).sort((x, y) => (gKey(x) < gKey(y) ? -1 : 1)), ref.offerGroups().map((g) => ({ officeId: g.officeId, staffId: g.staffId, start: iso(g.start), end: iso(g.end), createdAt: g.createdAt, expiresAt: g.expiresAt, offers: g.offers })).sort((x, y) => (gKey(x) < gKey(y) ? -1 : 1)),)
    const offers = s.offers()
    same(`${where}: offers()`, [...offers].sort((x, y) => (x.id < y.id ? -1 : 1)), ref
        .offerGroups()
        .flatMap((g) => g.offers.map((o) => ({ id: o.id, entryId: o.entryId, citizenId: o.citizenId, slot: { officeId: g.officeId, staffId: g.staffId, start: iso(g.start), end: iso(g.end), services: o.services }, expiresAt: iso(g.expiresAt) })))
        .sort((x, y) => (x.id < y.id ? -1 : 1)),)
    // No entry holds two offers, no citizen two for the same services.
    const perEntry = new Set<string>(), perNeed = new Set<string>()
    for (const o of offers) {
      if (perEntry.has(o.entryId)) bad(where, `entry ${o.entryId} holds two offers`)
      perEntry.add(o.entryId)
      const need = `${o.citizenId}|${comboOf(o.slot.services)}`
      if (perNeed.has(need)) bad(where, `citizen ${o.citizenId} holds two offers for ${o.slot.services}`)
      perNeed.add(need)
    }
    // The waitlist, in the model's priority order, and the declined slots.
    same(`${where}: waitlist (order: urgent, due, joined, join order)`, s.waitlist(), wm.sorted().map((e) => wm.view(e, zone)))
    same(`${where}: waitlist snapshot`, snap.waitlist.map((w) => ({ id: w.entry.id, state: w.state, declined: w.declined })).sort((x, y) => (x.id < y.id ? -1 : 1)), [...wm.entries.values()]
        .map((e) => ({ id: e.id, state: e.state, declined: [...e.declined].map((k) => { const at = k.lastIndexOf('@'); return `${k.slice(0, at)}@${iso(Number(k.slice(at + 1)))}` }).sort() }))
        .sort((x, y) => (x.id < y.id ? -1 : 1)),)

    // Invariants on the engine's own records: working time, skills, no overlaps (offers included).
    const taken = [
      ...appts.map((a) => ({ what: `appointment ${a.id}`, ...toMs(a), services: a.services as string[] | null })),
      ...holds.map((h) => ({ what: `hold ${h.id}`, ...toMs(h.slot), services: h.slot.services as string[] | null })),
      ...snap.freezes.map((f) => ({ what: `freeze ${f.id}`, ...toMs(f), services: null })),
      ...snap.offerGroups.map((g) => ({ what: `offer group ${g.id}`, ...toMs(g), services: g.offers[0].services as string[] | null })),
    ]
    const byStaff = new Map<string, typeof taken>()
    for (const t of taken) {
      if (!ref.insideWorking(t.staffId, t.officeId, t.start, t.end)) bad(where, `${t.what} at ${t.staffId} ${iso(t.start)}–${iso(t.end)} lies outside working time`)
      if (t.services && !ref.skilled(t.staffId, t.services)) bad(where, `${t.what}: ${t.staffId} lacks a skill for ${t.services}`)
      byStaff.set(t.staffId, [...(byStaff.get(t.staffId) ?? []), t])
    }
    for (const [p, xs] of byStaff) {
      xs.sort((x, y) => x.start - y.start)
      for (let i = 1; i < xs.length; i++) if (xs[i].start < xs[i - 1].end) bad(where, `${p} has ${xs[i - 1].what} and ${xs[i].what} overlapping`)
    }
    const st = s.stats()
    const units = (xs: { start: number; end: number }[]) => xs.reduce((n, x) => n + (x.end - x.start) / ref.unitMs, 0)
    is(`${where}: capacity`, st.capacityUnits, capacity)
    is(`${where}: free + held + booked + frozen + offered = capacity`, st.freeUnits + st.heldUnits + st.bookedUnits + st.frozenUnits + st.offeredUnits, st.capacityUnits)
    same(`${where}: held, booked, frozen, offered units`, [st.heldUnits, st.bookedUnits, st.frozenUnits, st.offeredUnits], [
      units(ref.holds()), units(ref.appointments()), units(ref.freezes()), units(ref.offerGroups()),
    ])

    // Completeness of the online matching (optional).
    if (auto && (checks.freed || checks.quiescent)) {
      for (const e of wm.sorted()) {
        if (e.state !== 'waiting' || atLimit(e.citizenId)) continue
        if (checks.quiescent) {
          const f = wm.freeFits(e, ref.now)
          if (f.length) bad(where, `entry ${e.id} (${e.citizenId}, ${e.services}) waits while ${f[0].staffId} ${iso(f[0].start)}–${iso(f[0].end)} at ${f[0].officeId} is free and suits it`)
        }
        if (checks.freed)
          for (const r of freed) {
            const f = wm.freeFits(e, ref.now, { overlapping: r })
            if (f.length) bad(where, `freed ${r.staffId} ${iso(r.start)}–${iso(r.end)}: entry ${e.id} (${e.citizenId}, ${e.services}) waits while ${iso(f[0].start)}–${iso(f[0].end)} there is free and suits it`)
          }
      }
    }
  }

  /** Runs a command expected to fail: that error, nothing changed, no events, no notifications. */
  function expectRejected(where: string, fn: () => unknown, code: string | string[], issueCodes?: string[]): TerminplanError {
    const before = JSON.stringify(s.snapshot())
    const n = log.length
    const r = attempt(fn)
    ops++
    if (!('err' in r)) bad(where, `expected ${String(code)}${issueCodes ? ` (${issueCodes.join('|')})` : ''}, but it succeeded: ${JSON.stringify(r.ok)}`)
    const codes = Array.isArray(code) ? code : [code]
    contains(`${where}: error code ${r.err.code} (${r.err.message})`, codes, r.err.code)
    if (issueCodes) contains(`${where}: issue code ${r.err.issues[0]?.code} (${r.err.message})`, issueCodes, r.err.issues[0]?.code)
    is(`${where}: a rejected command changed the state`, JSON.stringify(s.snapshot()), before)
    same(`${where}: a rejected command emitted events`, log.slice(n), [])
    same(`${where}: a rejected command sent notifications`, notes, [])
    transcript.push(JSON.stringify({ where, error: r.err.toJSON() }))
    count(`${kind}:${r.err.code}/${r.err.issues[0]?.code}`)
    return r.err
  }

  /** Runs a command expected to succeed; replays its events; checks its notifications. */
  function expectOk<T>(where: string, fn: () => T, c: Ctx, after?: (r: T, evs: Logged[]) => void): { ok: T; freed: SlotMs[] } {
    const n = log.length
    const from = ref.now
    const r = attempt(fn)
    ops++
    if ('err' in r) bad(where, `expected success, got ${r.err.code} ${JSON.stringify(r.err.issues)}`)
    const evs = log.slice(n)
    after?.(r.ok, evs)
    const freed = consume(where, evs.filter((e) => e.type !== 'notificationFailed'), c)
    if (c.target !== undefined) {
      ref.now = c.target
      for (const h of ref.holds()) if (h.expiresAt <= c.target) bad(where, `hold ${h.id} due ${iso(h.expiresAt)} did not expire`)
      for (const f of ref.freezes()) if (f.until <= c.target) bad(where, `freeze of ${f.staffId} ${iso(f.start)} due ${iso(f.until)} did not thaw`)
      for (const g of ref.offerGroups()) if (g.expiresAt <= c.target) bad(where, `offer ${g.offers.map((o) => o.id)} due ${iso(g.expiresAt)} did not expire`)
    }
    checkNotes(where, evs, from, ref.now)
    transcript.push(JSON.stringify({ where, ok: r.ok ?? null, events: evs }))
    count(`${kind}:ok`)
    return { ok: r.ok, freed }
  }

  // ---- commands ----

  function doSearch(where: string, req: SearchRequest): void {
    kind = 'search'
    const problems = ref.serviceListProblems(req.services)
    if (problems.length) {
      expectRejected(where, () => s.search(req), 'COMMAND_INVALID', problems)
      return
    }
    const { ok: res } = expectOk(where, () => s.search(req), { cmd: 'search' }, (_, evs) => same(`${where}: search emitted events`, evs, []))
    const cands = ref.candidates(req)
    same(`${where}: slot starts vs reference (offers count as taken)`, res.slots.map((x) => Date.parse(x.start)).map(iso), cands.slice(0, req.limit ?? 10).map((c) => iso(c.start)))
    for (const slot of res.slots) {
      const c = cands.find((x) => x.officeId === slot.officeId && iso(x.start) === slot.start)
      if (!c) bad(where, `slot ${JSON.stringify(slot)} is not feasible per the reference`)
      contains(`${where}: staff of ${JSON.stringify(slot)}`, c.staffIds, slot.staffId)
    }
    lastSlots = res.slots
    lastReq = req
  }

  function doHold(where: string, slot: Slot, citizenId: string, ttl?: number, k = 'hold'): void {
    kind = k
    const opts = ttl === undefined ? { citizenId } : { citizenId, ttlMinutes: ttl }
    const rs: RefSlot = { officeId: slot.officeId, staffId: slot.staffId, start: Date.parse(slot.start), end: Date.parse(slot.end), services: [...slot.services] }
    const p = ref.predictHold(rs, citizenId)
    if (p) {
      expectRejected(where, () => s.hold(slot, opts), p.error === 'CONFLICT' ? 'CONFLICT' : p.error === 'LIMIT_EXCEEDED' ? 'LIMIT_EXCEEDED' : ['COMMAND_INVALID', 'CONFLICT'], p.codes)
      return
    }
    const { ok: h } = expectOk(where, () => s.hold(slot, opts), { cmd: 'hold' }, (h, evs) => {
      same(`${where}: events`, evs.filter((e) => e.type !== 'notificationFailed'), [{ type: 'held', payload: { hold: h } }])
    })
    const rec = ref.addHold({ id: h.id, ...rs, citizenId, createdAt: ref.now, expiresAt: ref.now + (ttl ?? pol.holdMinutes) * MIN })
    same(`${where}: hold`, h, holdView(rec))
    if (holdIds.includes(h.id)) bad(where, `hold id ${h.id} reused`)
    holdIds.push(h.id)
  }

  function doConfirm(where: string, holdId: string, key?: string): void {
    kind = 'confirm'
    const p = ref.predictConfirm(holdId, key)
    const opts = key === undefined ? {} : { idempotencyKey: key }
    if ('error' in p) {
      expectRejected(where, () => s.confirm(holdId, opts), p.error, [p.code])
      return
    }
    let rec: RefAppointment | undefined
    const { ok: a } = expectOk(where, () => s.confirm(holdId, opts), { cmd: 'confirm' }, (a, evs) => {
      if (p.ok === 'replay') {
        same(`${where}: a replay emits nothing`, evs, [])
        return
      }
      if (seenAppointmentIds.has(a.id)) bad(where, `appointment id ${a.id} used before`)
      seenAppointmentIds.add(a.id)
      rec = ref.applyConfirm(p.hold, a.id, key)
      bookedAt.set(a.id, ref.now)
      apptIds.push(a.id)
      same(`${where}: events`, evs.filter((e) => e.type !== 'notificationFailed'), [{ type: 'confirmed', payload: { appointment: a, holdId } }])
    })
    lastConfirm = { holdId, key }
    if (p.ok === 'replay') {
      count('confirm:replay')
      same(`${where}: idempotent confirm returns the same appointment`, a, apptView(p.appointment))
    } else same(`${where}: appointment`, a, apptView(rec!))
  }

  function doCancel(where: string, id: string): void {
    kind = 'cancel'
    const p = ref.predictCancel(id)
    if ('error' in p) {
      expectRejected(where, () => s.cancel(id), p.error, [p.code])
      return
    }
    const { freed } = expectOk(where, () => s.cancel(id), { cmd: 'cancel', cancelled: p.ok })
    lastFreed = freed
  }

  function doSetNow(where: string, ms: number, k = 'setNow'): void {
    kind = k
    if (ms < ref.now) {
      expectRejected(where, () => s.setNow(iso(ms)), 'COMMAND_INVALID', ['clock_backwards'])
      return
    }
    const { freed } = expectOk(where, () => s.setNow(iso(ms)), { cmd: 'setNow', target: ms })
    lastFreed = freed
  }

  function doJoin(where: string, c: JoinCommand): void {
    kind = c.invalid ? `join-invalid/${c.invalid}` : 'join'
    const req = joinRequest(scenario, ref.now, c)
    const pred = joinIssues(scenario, c, req)
    if (pred.zodPath !== undefined) {
      const err = expectRejected(where, () => s.joinWaitlist(req as never), 'COMMAND_INVALID')
      contains(`${where}: JSON path`, err.issues.map((x) => x.path), pred.zodPath)
      return
    }
    if (pred.issues.length) {
      const err = expectRejected(where, () => s.joinWaitlist(req as never), 'COMMAND_INVALID')
      const norm = (xs: { path: string; code: string }[]) => xs.map((x) => `${x.path} ${x.code}`).sort()
      same(`${where}: issues`, norm(err.issues), norm(pred.issues))
      return
    }
    if (req.id !== undefined && wm.entries.has(req.id as string)) {
      expectRejected(where, () => s.joinWaitlist(req as never), 'CONFLICT', ['duplicate_id'])
      return
    }
    const combo = comboOf(req.services as string[])
    if ([...wm.entries.values()].some((e) => e.citizenId === req.citizenId && e.combo === combo)) {
      expectRejected(where, () => s.joinWaitlist(req as never), 'CONFLICT', ['already_waiting'])
      return
    }
    const { ok: view, freed } = expectOk(where, () => s.joinWaitlist(req as never), { cmd: 'join' }, (v, evs) => {
      const joined = evs[0]
      if (joined?.type !== 'waitlistJoined') bad(where, `first event ${joined?.type}, expected waitlistJoined`)
      const id = joined.payload.entry.id as string
      if (req.id === undefined) {
        if (generatedEntryIds.has(id) || wm.entries.has(id)) bad(where, `generated entry id ${id} used before`)
        generatedEntryIds.add(id)
      } else is('check', id, req.id)
      const entry = { ...req, id, createdAt: (req.createdAt as string | undefined) ?? iso(ref.now), priority: (req.priority as 'urgent' | undefined) ?? 'normal' } as WaitlistEntry
      const me = wm.add(entry)
      same(`${where}: waitlistJoined`, joined.payload.entry, wm.view(me, zone))
    })
    const me = wm.entries.get(view.id)!
    same(`${where}: returned view`, view, wm.view(me, zone))
    lastFreed = freed
  }

  function doLeave(where: string, id: string): void {
    kind = 'leave'
    if (!wm.entries.has(id)) {
      expectRejected(where, () => s.leaveWaitlist(id), 'NOT_FOUND', ['entry_not_found'])
      return
    }
    const { freed } = expectOk(where, () => s.leaveWaitlist(id), { cmd: 'leave', leave: id })
    if (wm.entries.has(id)) bad(where, `entry ${id} still waiting`)
    lastFreed = freed
  }

  function doAccept(where: string, offerId: string, key?: string): void {
    kind = 'accept'
    const opts = key === undefined ? {} : { idempotencyKey: key }
    if (key !== undefined) {
      const prev = ref.idempotency.get(key)
      if (prev) {
        if (prev.holdId !== offerId) {
          expectRejected(where, () => s.acceptOffer(offerId, opts), 'CONFLICT', ['idempotency_key_reused'])
          return
        }
        const a = ref.appointments().find((x) => x.id === prev.appointmentId)
        if (!a) {
          expectRejected(where, () => s.acceptOffer(offerId, opts), 'CONFLICT', ['appointment_cancelled'])
          return
        }
        kind = 'accept-replay'
        const { ok } = expectOk(where, () => s.acceptOffer(offerId, opts), { cmd: 'accept-replay' }, (_, evs) => same(`${where}: a replay emits nothing`, evs, []))
        same(`${where}: idempotent accept returns the same appointment`, ok, apptView(a))
        return
      }
    }
    const g = groupOf(offerId)
    if (!g) {
      expectRejected(where, () => s.acceptOffer(offerId, opts), 'NOT_FOUND', ['offer_not_found'])
      return
    }
    if (g.start < ref.now) {
      expectRejected(where, () => s.acceptOffer(offerId, opts), 'CONFLICT', ['already_started'])
      return
    }
    if (atLimit(g.offers.find((o) => o.id === offerId)!.citizenId)) {
      expectRejected(where, () => s.acceptOffer(offerId, opts), 'LIMIT_EXCEEDED', ['citizen_limit'])
      return
    }
    const { ok: a } = expectOk(where, () => s.acceptOffer(offerId, opts), { cmd: 'accept', accept: offerId })
    if (key !== undefined) ref.idempotency.set(key, { holdId: offerId, appointmentId: a.id })
  }

  function doDecline(where: string, offerId: string): void {
    kind = 'decline'
    if (!groupOf(offerId)) {
      expectRejected(where, () => s.declineOffer(offerId), 'NOT_FOUND', ['offer_not_found'])
      return
    }
    const { freed } = expectOk(where, () => s.declineOffer(offerId), { cmd: 'decline', decline: offerId })
    lastFreed = freed
  }

  function doManual(where: string, entryId: string, slot: Slot): void {
    kind = 'manual'
    const e = wm.entries.get(entryId)
    if (!e) {
      expectRejected(where, () => s.offer(entryId, slot), 'NOT_FOUND', ['entry_not_found'])
      return
    }
    if (e.state === 'offered') {
      expectRejected(where, () => s.offer(entryId, slot), 'CONFLICT', ['already_offered'])
      return
    }
    const rs: RefSlot = { officeId: slot.officeId, staffId: slot.staffId, start: Date.parse(slot.start), end: Date.parse(slot.end), services: [...slot.services] }
    const v = [...ref.serviceListProblems(slot.services), ...ref.slotViolations(rs)]
    if (comboOf(slot.services) !== e.combo) v.push('wrong_services')
    if (e.offices && !e.offices.has(slot.officeId)) v.push('office_not_accepted')
    if (ref.slotViolations(rs).length === 0 && !wm.timeFits(e, rs.start, rs.end)) v.push('outside_citizen_times')
    if (v.length) {
      const err = expectRejected(where, () => s.offer(entryId, slot), v.length === 1 && v[0] === 'slot_taken' ? 'CONFLICT' : ['COMMAND_INVALID', 'CONFLICT'], v)
      if (err.code === 'CONFLICT') is('check', err.issues[0].code, 'slot_taken')
      return
    }
    const { ok } = expectOk(where, () => s.offer(entryId, slot), { cmd: 'manual', manual: true })
    same(`${where}: returned offer`, ok, s.offers().find((o) => o.id === ok.id))
  }

  function doRestore(where: string): void {
    kind = 'restore'
    const snap = s.snapshot()
    const json = JSON.stringify(snap)
    const r = attempt(() => restoreScheduler(scenario, JSON.parse(json), { notifications: sink, waitlist: { autoOffer: auto } }))
    ops++
    if ('err' in r) bad(where, `restore failed: ${r.err.code} ${JSON.stringify(r.err.issues)}`)
    const x = r.ok
    is(`${where}: snapshot → restore → snapshot`, JSON.stringify(x.snapshot()), json)
    same(`${where}: stats after restore`, x.stats(), s.stats())
    same('check', x.appointments(), s.appointments())
    same('check', x.holds(), s.holds())
    same(`${where}: offers after restore`, x.offers(), s.offers())
    same(`${where}: waitlist after restore`, x.waitlist(), s.waitlist())
    if (ref.serviceListProblems(lastReq.services).length === 0) same(`${where}: the next search`, x.search(lastReq), s.search(lastReq))
    // The original and a second restored copy must behave alike from here: a new citizen joins,
    // accepts what they are offered, the first open offer is declined, and the clock runs until
    // every hold, freeze, offer and reminder has run out.
    const twinNotes: Notification[] = []
    const twin = restoreScheduler(scenario, JSON.parse(json), { notifications: { send: (n) => void twinNotes.push(structuredClone(n)) }, waitlist: { autoOffer: auto } })
    const trace = (y: Scheduler, sent: Notification[]) => {
      const out: unknown[] = []
      EVENTS.forEach((type) => y.on(type, (payload) => out.push({ type, payload })))
      out.push(attempt(() => y.joinWaitlist({ citizenId: 'c-probe', services: [scenario.services[0].id] })))
      const mine = y.offers().find((o) => o.citizenId === 'c-probe')
      if (mine) out.push(attempt(() => y.acceptOffer(mine.id)))
      const other = y.offers()[0]
      if (other) out.push(attempt(() => y.declineOffer(other.id)))
      const last = Math.max(ref.now, ...ref.holds().map((h) => h.expiresAt), ...ref.freezes().map((f) => f.until), ...ref.offerGroups().map((g) => g.expiresAt)) + 2 * 1440 * MIN
      out.push(attempt(() => y.setNow(iso(last))))
      out.push(y.snapshot(), y.offers(), y.waitlist(), sent)
      return JSON.stringify(out)
    }
    const n = log.length
    const mineNotes: Notification[] = []
    tracing = (nn) => void mineNotes.push(structuredClone(nn))
    const a = trace(s, mineNotes)
    tracing = null
    log.length = n
    is(`${where}: a restored scheduler behaves like the original (events, notifications, state)`, trace(twin, twinNotes), a)
    count('restore:ok')
    s = x
    listen(s)
  }

  // Creation's events were emitted before we could listen; rebuild the model from the engine's view
  // of them: the scenario's waitlist entries (best first) and the offers they got.
  for (const e of scenario.waitlist) wm.add(e)
  const createNotes = notes
  notes = []
  for (const g of s.snapshot().offerGroups) {
    const offers: Offer[] = g.offers.map((o) => ({ id: o.id, entryId: o.entryId, citizenId: o.citizenId, slot: { officeId: g.officeId, staffId: g.staffId, start: g.start, end: g.end, services: o.services }, expiresAt: g.expiresAt }))
    // Made one after the other while loading, so the priority check does not apply here.
    acceptGroup('create', offers, b.now, false, true)
  }
  same('create: one offer notification per offer, nothing else', createNotes.map((n) => `${n.kind} ${n.offerId}`).sort(), s.offers().map((o) => `offer ${o.id}`).sort())
  for (const n of createNotes) noteKeys.add(n.idempotencyKey)
  thrown = 0
  listen(s)
  checkState('after create', [])
  commands.forEach((c, i) => {
    const where = `#${i} ${JSON.stringify(c)}`
    lastFreed = []
    switch (c.t) {
      case 'search': {
        const req: SearchRequest = { services: svcIds(c.svc), limit: c.limit, citizenId: `c${c.citizen}` }
        if (c.offices) req.offices = [...new Set(c.offices.map((k) => scenario.offices[k % nO].id))]
        if (c.from !== undefined) {
          req.from = plusDays(scenario.horizon.start, c.from)
          if (c.to) req.to = plusDays(req.from, c.span)
        }
        if (c.windows) req.windows = c.windows.map((w) => ({ ...(w.weekdays ? { weekdays: w.weekdays } : {}), from: fmtTime(w.from), to: fmtTime(Math.min(1440, w.from + w.len)) }))
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
        doHold(where, { officeId, staffId, start: iso(start), end: iso(start + dur * MIN + c.endDelta * ref.unitMs), services }, `c${c.citizen}`, c.ttl, 'holdRandom')
        break
      }
      case 'confirm': {
        const live = ref.holds().map((h) => h.id)
        const choices = c.live && live.length ? live : [...holdIds, 'h-unknown']
        doConfirm(where, choices[c.pick % choices.length], c.key === undefined ? undefined : `k${c.key}`)
        break
      }
      case 'reconfirm':
        if (lastConfirm) doConfirm(where, lastConfirm.holdId, c.otherKey ? `k-other-${lastConfirm.holdId}` : lastConfirm.key)
        break
      case 'cancelLive': {
        // A cancellation that can succeed (not yet begun), to free capacity for the waitlist.
        const live = ref.appointments().filter((a) => a.start >= ref.now).map((a) => a.id)
        if (live.length) doCancel(where, live[c.pick % live.length])
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
        const at = timers.length ? timers[c.pick % timers.length] : ref.now + 1
        if (at - 1 >= ref.now) {
          doSetNow(`${where} (1 ms before)`, at - 1)
          checkState(`${where} (1 ms before)`, lastFreed)
        }
        doSetNow(where, at)
        break
      }
      case 'offerExpiry': {
        const groups = ref.offerGroups()
        if (groups.length === 0) {
          doSetNow(where, ref.now + 1, 'offerExpiry')
          break
        }
        const g = groups[c.pick % groups.length]
        const ids = g.offers.map((o) => o.id)
        if (g.expiresAt - 1 >= ref.now) {
          doSetNow(`${where} (1 ms before)`, g.expiresAt - 1, 'offerExpiry')
          checkState(`${where} (1 ms before)`, lastFreed)
          for (const id of ids) if (!groupOf(id)) bad(where, `offer ${id} expired 1 ms early`)
        }
        doSetNow(where, g.expiresAt, 'offerExpiry')
        for (const id of ids) if (groupOf(id) && groupOf(id)!.expiresAt === g.expiresAt) bad(where, `offer ${id} did not expire at ${iso(g.expiresAt)}`)
        count('offerExpiry:expired')
        break
      }
      case 'backwards':
        doSetNow(where, ref.now - c.ms)
        break
      case 'restore':
        doRestore(where)
        break
      case 'join':
        doJoin(where, c)
        break
      case 'leave': {
        const live = [...wm.entries.keys()]
        const choices = c.live && live.length ? live : ['e0', 'w-unknown', ...live]
        doLeave(where, choices[c.pick % choices.length])
        break
      }
      case 'accept': {
        const live = ref.offerGroups().flatMap((g) => g.offers.map((o) => o.id))
        const choices = c.live && live.length ? live : [...offerIdsEver, 'o-unknown']
        doAccept(where, choices[c.pick % choices.length], c.key === undefined ? undefined : `k${c.key}`)
        break
      }
      case 'decline': {
        const live = ref.offerGroups().flatMap((g) => g.offers.map((o) => o.id))
        const choices = c.live && live.length ? live : [...offerIdsEver, 'o-unknown']
        doDecline(where, choices[c.pick % choices.length])
        break
      }
      case 'manual': {
        const entries = [...wm.entries.values()]
        const e = c.mode === 'unknown' || entries.length === 0 ? undefined : entries[c.entry % entries.length]
        const entryId = e?.id ?? 'w-unknown'
        let slot: Slot | undefined
        const services = c.mode === 'wrong' ? [scenario.services[(c.pick + 1) % nS].id] : (e?.services ?? [scenario.services[0].id])
        if (e && c.mode === 'fit') {
          const fits = wm.freeFits(e, ref.now, { max: 5 })
          if (fits.length) {
            const f = fits[c.pick % fits.length]
            slot = { officeId: f.officeId, staffId: f.staffId, start: iso(f.start), end: iso(f.end), services }
          }
        }
        if (!slot && c.mode === 'taken') {
          const t = ref.taken.filter((x) => x.kind !== 'freeze')
          if (t.length) {
            const x = t[c.pick % t.length]
            slot = { officeId: x.officeId, staffId: x.staffId, start: iso(x.start), end: iso(x.start + (ref.durationMinutes(x.officeId, services) ?? 10) * MIN), services }
          }
        }
        if (!slot && c.mode !== 'random') {
          const cands = ref.candidates({ services })
          if (cands.length) {
            const x = cands[c.pick % cands.length]
            slot = { officeId: x.officeId, staffId: x.staffIds[0], start: iso(x.start), end: iso(x.end), services }
          }
        }
        if (!slot) {
          const w = ref.work.length ? ref.work[c.pick % ref.work.length] : undefined
          const start = w ? ref.t0 + Math.ceil((w.start - ref.t0) / ref.unitMs) * ref.unitMs : ref.now
          slot = { officeId: w?.officeId ?? scenario.offices[0].id, staffId: w?.staffId ?? scenario.staff[0].id, start: iso(start), end: iso(start + scenario.services[0].durationMinutes * MIN), services }
        }
        doManual(where, entryId, slot)
        break
      }
      case 'auto':
        kind = 'auto'
        s.setAutoOffer(c.on)
        auto = c.on
        ops++
        count(`auto:${c.on}`)
        break
    }
    checkState(where, lastFreed)
  })
  return { ops, tally, transcript }
}

/** One generated sequence with automatic offers on throughout (the completeness properties). */
export function runAutoOffering(spec: Parameters<typeof buildWait>[0], commands: Parameters<typeof runWaitSequence>[1], checks: Checks): void {
  const b = buildWait(spec)
  b.autoOffer = true
  runWaitSequence(b, commands, checks)
}
