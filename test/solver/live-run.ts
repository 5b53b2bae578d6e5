/**
 * Model-based testing of live operation: random small scenarios (harness.ts), random sequences of
 * bookings, cancels, clock moves (with a rolling horizon in some runs, so the horizon rolls at each
 * midnight), waitlist joins and accepted offers, reschedules, snapshot → restore, and live changes
 * — sick calls from an instant, whole-day absences, closures, new shifts from a date, service
 * durations (which may change the grid), added staff, and invalid changes.
 *
 * Checked after every command, against independent models where there are any:
 * - the invariants (test/journal/invariants.ts) against the reference model's working time of the
 *   scenario in force — the base scenario with every accepted change applied (applyOverlay, the
 *   model's own function) on the horizon the engine now has: no appointment, hold or offer on an
 *   absent or unskilled staff member, none outside a shift or opening hours, no overlaps, busy
 *   units = records (records that began before the last change are exempt from working time);
 * - a rejected command (typed error) leaves snapshot() identical and emits nothing;
 * - a change: every appointment not yet begun before it is afterwards either in place, moved
 *   (same office, start and end, another staff member), or gone and reported as offered or
 *   unplaceable — and the counts say the same; an offered one has an open offer for its citizen;
 *   each citizen of an affected appointment gets exactly one appointment_moved or
 *   appointment_disrupted notification naming it, and no separate offer notification;
 * - a reschedule: the appointment keeps its id and services, the old time is free unless the new
 *   slot covers it, a repeat with the same key returns the same;
 * - snapshot → restore (scenario + change log) → snapshot byte-identical; restoring with the
 *   change log cut short is STATE_INVALID at `$.changes[i]`;
 * - with a rolling horizon the engine's horizon starts on yesterday's local date, nothing that ended
 *   before it is in memory, and the scenario it keeps does not grow with time.
 */
import fc from 'fast-check'
import { TerminplanError } from '../../src/model/errors.js'
import { applyOverlay, type Overlay } from '../../src/model/overlay.js'
import type { Scenario } from '../../src/model/schema.js'
import { formatInstant } from '../../src/model/tz.js'
import type { Notification } from '../../src/solver/ports.js'
import { createScheduler, restoreScheduler, rollScenario, type Appointment, type ChangeResult, type Scheduler } from '../../src/solver/scheduler/index.js'
import { InvariantChecker } from '../journal/invariants.js'
import { buildScenario, scenarioSpecArb } from './harness.js'
import { localDate, MIN, plusDays } from './reference.js'

const step = (lo: number, hi: number, by = 5) => fc.integer({ min: lo / by, max: hi / by }).map((x) => x * by)

export const changeArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('sick' as const), staff: fc.nat(5), offMin: step(0, 2 * 1440), lenMin: step(10, 1440) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('absentDays' as const), staff: fc.nat(5), day: fc.nat(4), len: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('close' as const), office: fc.nat(2), day: fc.nat(4), len: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('shifts' as const), staff: fc.nat(5), day: fc.nat(4), from: step(360, 720, 30), len: fc.constantFrom(0, 120, 240, 480) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('duration' as const), service: fc.nat(2), minutes: fc.constantFrom(10, 15, 20, 30, 45) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('addStaff' as const), office: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('invalid' as const), what: fc.constantFrom('staff', 'range', 'kind') }) },
)
export type ChangeCmd = typeof changeArb extends fc.Arbitrary<infer T> ? T : never

export const liveCommandArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('book' as const), svc: fc.nat(2), day: fc.nat(4), pick: fc.nat(3), citizen: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), minutes: fc.oneof(step(5, 240), step(600, 1440)) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('change' as const), change: changeArb, retry: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reschedule' as const), pick: fc.nat(), day: fc.nat(4), slot: fc.nat(3), key: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('join' as const), svc: fc.nat(2), citizen: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('accept' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const) }) },
)
export type LiveCommand = typeof liveCommandArb extends fc.Arbitrary<infer T> ? T : never

export const liveSpecArb = fc.record({ base: scenarioSpecArb, rolling: fc.boolean(), autoOffer: fc.boolean() })
export type LiveSpec = typeof liveSpecArb extends fc.Arbitrary<infer T> ? T : never

export interface LiveRunResult {
  ops: number
  tally: Record<string, number>
}

function attempt<T>(fn: () => T): { ok: T } | { err: TerminplanError } {
  try {
    return { ok: fn() }
  } catch (e) {
    if (e instanceof TerminplanError) return { err: e }
    throw e
  }
}

/** The overlay a change command stands for, on the scenario in force (`s`), at `now`. */
export function overlayOf(s: Scenario, now: number, c: ChangeCmd, n: number): Overlay {
  const zone = s.timezone
  const day = (k: number) => plusDays(s.horizon.start, k % s.horizon.days)
  const staff = (k: number) => s.staff[k % s.staff.length].id
  const office = (k: number) => s.offices[k % s.offices.length].id
  const name = `change ${n}`
  switch (c.t) {
    case 'sick': {
      const from = now + c.offMin * MIN
      return { name, changes: [{ kind: 'absence', staff: staff(c.staff), from: formatInstant(zone, from), to: formatInstant(zone, from + c.lenMin * MIN) }] }
    }
    case 'absentDays':
      return { name, changes: [{ kind: 'absence', staff: staff(c.staff), from: day(c.day), to: day(Math.min(c.day % s.horizon.days + c.len, s.horizon.days - 1)) }] }
    case 'close':
      return { name, changes: [{ kind: 'close', office: office(c.office), from: day(c.day), to: day(Math.min(c.day % s.horizon.days + c.len, s.horizon.days - 1)) }] }
    case 'shifts': {
      const h = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
      const shifts = c.len === 0 ? [] : [{ weekdays: [1, 2, 3, 4, 5, 6, 7], from: h(c.from), to: h(c.from + c.len), breaks: [] }]
      return { name, changes: [{ kind: 'shifts', staff: staff(c.staff), from: day(c.day), shifts }] }
    }
    case 'duration':
      return { name, changes: [{ kind: 'serviceDuration', service: s.services[c.service % s.services.length].id, minutes: c.minutes }] }
    case 'addStaff':
      return { name, changes: [{ kind: 'addStaff', office: office(c.office), count: 1 }] }
    case 'invalid':
      return c.what === 'staff'
        ? { name, changes: [{ kind: 'absence', staff: 'nobody', from: day(0), to: day(0) }] }
        : c.what === 'range'
          ? { name, changes: [{ kind: 'absence', staff: staff(0), from: day(1), to: day(0) }] }
          : ({ name, changes: [{ kind: 'teleport', staff: staff(0) }] } as unknown as Overlay)
  }
}

const INVALID_PATH: Record<string, string> = { staff: '$.changes[0].staff', range: '$.changes[0].to', kind: '$.changes[0].kind' }

export function runLiveSequence(spec: LiveSpec, commands: LiveCommand[]): LiveRunResult {
  const built = buildScenario(spec.base)
  const base = built.scenario
  const notes: Notification[] = []
  const sink = { send: (n: Notification) => void notes.push(structuredClone(n)) }
  const opts = { notifications: sink, horizon: spec.rolling ? ('rolling' as const) : ('fixed' as const), waitlist: { autoOffer: spec.autoOffer } }
  const made = attempt(() => createScheduler(base, { now: built.now, existingAppointments: built.mode, ...opts }))
  if ('err' in made) return { ops: 0, tally: { 'create:rejected': 1 } }
  let s: Scheduler = made.ok
  const tally: Record<string, number> = {}
  const count = (k: string) => (tally[k] = (tally[k] ?? 0) + 1)
  // The scenario in force as the test derives it: base + every accepted change, in order.
  let inForce = base
  const overlays: Overlay[] = []
  let lastChange = -Infinity
  let now = built.now
  const events: string[] = []
  const watch = (x: Scheduler) => {
    for (const e of ['held', 'confirmed', 'cancelled', 'expired', 'freed', 'offer', 'offerAccepted', 'offerWithdrawn', 'waitlistJoined', 'appointmentMoved', 'appointmentDisrupted', 'changed'] as const) x.on(e, () => void events.push(e))
  }
  watch(s)
  const fail = (msg: string): never => {
    throw new Error(`${msg} (after ${JSON.stringify(tally)})`)
  }

  let horizonStart = ''
  /** Offers a change made (alternatives for disrupted appointments): the only ones without automatic offers. */
  const changeOffers = new Set<string>()
  const check = () => {
    if (!spec.autoOffer) for (const o of s.offers()) if (!changeOffers.has(o.id)) fail(`automatic offers are off, yet offer ${o.id} was made`)
    const m = s.model
    // A roll rebuilds like a change: what had begun by then is history (its working time may lie before the new horizon).
    if (m.scenario.horizon.start !== horizonStart) {
      if (horizonStart !== '') lastChange = now
      horizonStart = m.scenario.horizon.start
    }
    // The engine's horizon (a rolling one moves) and grid (a change never coarsens it).
    inForce = rollScenario(inForce, m.scenario.horizon.start)
    if (JSON.stringify(inForce) !== JSON.stringify(m.scenario)) fail('the scenario in force differs from base + changes')
    const scen = { ...inForce, unitMinutes: m.unitMinutes }
    const problems = new InvariantChecker(scen).check(s, lastChange)
    if (problems.length) fail(`invariant: ${problems.slice(0, 3).join('; ')}`)
    if (spec.rolling) {
      const yesterday = plusDays(localDate(m.zone, now), -1)
      if (yesterday >= base.horizon.start && m.scenario.horizon.start !== yesterday) fail(`rolling horizon starts ${m.scenario.horizon.start}, yesterday was ${yesterday}`)
      for (const a of s.appointments()) if (Date.parse(a.end) <= m.t0) fail(`appointment ${a.id} ended before the horizon and is still in memory`)
      if (m.scenario.horizon.days !== base.horizon.days) fail('the rolling horizon changed its length')
    }
  }
  const rejectedCleanly = (before: string, nEvents: number, what: string) => {
    if (JSON.stringify(s.snapshot()) !== before) fail(`${what} was rejected but changed the state`)
    if (events.length !== nEvents) fail(`${what} was rejected but emitted events`)
  }

  let n = 0
  for (const c of commands) {
    n++
    const before = JSON.stringify(s.snapshot())
    const nEvents = events.length
    switch (c.t) {
      case 'book': {
        const sv = base.services[c.svc % base.services.length].id
        const from = plusDays(s.model.scenario.horizon.start, c.day % s.model.days)
        const r = attempt(() => s.search({ services: [sv], from, citizenId: `c${c.citizen}`, limit: 4 }))
        if ('err' in r || r.ok.slots.length === 0) break
        const slot = r.ok.slots[c.pick % r.ok.slots.length]
        const h = attempt(() => s.hold(slot, { citizenId: `c${c.citizen}` }))
        if ('err' in h) {
          rejectedCleanly(before, nEvents, 'hold')
          count(`hold:${h.err.code}`)
          break
        }
        s.confirm(h.ok.id)
        count('book:ok')
        break
      }
      case 'cancel': {
        const list = s.appointments().filter((a) => Date.parse(a.start) >= now)
        if (!list.length) break
        const r = attempt(() => s.cancel(list[c.pick % list.length].id))
        if ('err' in r) fail(`cancel of a future appointment rejected: ${r.err.message}`)
        count('cancel:ok')
        break
      }
      case 'advance': {
        now += c.minutes * MIN
        s.setNow(now)
        count('advance')
        break
      }
      case 'join': {
        const sv = base.services[c.svc % base.services.length].id
        const r = attempt(() => s.joinWaitlist({ citizenId: `c${c.citizen}`, services: [sv] }))
        count(`join:${'err' in r ? r.err.code : 'ok'}`)
        if ('err' in r) rejectedCleanly(before, nEvents, 'join')
        break
      }
      case 'accept': {
        const offers = s.offers()
        if (!offers.length) break
        const r = attempt(() => s.acceptOffer(offers[c.pick % offers.length].id))
        count(`accept:${'err' in r ? r.err.code : 'ok'}`)
        if ('err' in r) rejectedCleanly(before, nEvents, 'acceptOffer')
        break
      }
      case 'reschedule': {
        const list = s.appointments().filter((a) => Date.parse(a.start) > now)
        if (!list.length) break
        const a = list[c.pick % list.length]
        const from = plusDays(s.model.scenario.horizon.start, c.day % s.model.days)
        const found = attempt(() => s.search({ services: a.services, from, limit: 4 }))
        if ('err' in found || !found.ok.slots.length) break
        const slot = found.ok.slots[c.slot % found.ok.slots.length]
        const key = c.key ? `k${n}` : undefined
        const r = attempt(() => s.reschedule(a.id, slot, key ? { idempotencyKey: key } : {}))
        if ('err' in r) {
          rejectedCleanly(before, nEvents, 'reschedule')
          count(`reschedule:${r.err.code}`)
          break
        }
        const moved = r.ok
        if (moved.id !== a.id || JSON.stringify(moved.services) !== JSON.stringify(a.services) || moved.start !== slot.start || moved.staffId !== slot.staffId) fail('reschedule did not move the appointment to the slot')
        const overlapsNew = a.staffId === slot.staffId && Date.parse(a.start) < Date.parse(slot.end) && Date.parse(slot.start) < Date.parse(a.end)
        if (!overlapsNew && s.appointments().some((x) => x.staffId === a.staffId && x.start === a.start)) fail('the old time of a rescheduled appointment is still taken by it')
        if (key) {
          const again = s.reschedule(a.id, slot, { idempotencyKey: key })
          if (JSON.stringify(again) !== JSON.stringify(moved)) fail('a repeated reschedule with the same key returned something else')
        }
        count('reschedule:ok')
        break
      }
      case 'restore': {
        const snap = s.snapshot()
        const r = restoreScheduler(base, snap, opts)
        if (JSON.stringify(r.snapshot()) !== JSON.stringify(snap)) fail('snapshot → restore → snapshot differs')
        if (snap.changes.length > 0) {
          const cut = attempt(() => restoreScheduler(base, snap, { ...opts, changes: overlays.slice(0, -1) }))
          if (!('err' in cut) || cut.err.code !== 'STATE_INVALID' || cut.err.issues[0].path !== `$.changes[${snap.changes.length - 1}]`) fail('a cut change log was not rejected at its first missing change')
          count('restore:cutRejected')
        }
        s = r
        watch(s)
        count('restore')
        break
      }
      case 'change': {
        const ov = overlayOf(s.model.scenario, now, c.change, n)
        const pending = s.appointments().filter((a) => Date.parse(a.start) >= now)
        notes.length = 0
        const key = c.retry ? `change-key-${n}` : undefined
        const r = attempt(() => s.applyChange(ov, key ? { idempotencyKey: key } : {}))
        if (c.change.t === 'invalid') {
          if (!('err' in r)) return fail('an invalid change was accepted')
          if (r.err.code !== 'COMMAND_INVALID' || r.err.issues[0].path !== INVALID_PATH[c.change.what]) fail(`invalid change: ${r.err.code} at ${r.err.issues[0]?.path}`)
          rejectedCleanly(before, nEvents, 'an invalid change')
          count('change:invalid')
          break
        }
        if ('err' in r) {
          // A change that does not fit the scenario (e.g. dates outside the horizon, a shift onto another): typed, and nothing changed.
          if (r.err.code !== 'COMMAND_INVALID') fail(`change rejected with ${r.err.code}: ${r.err.message}`)
          rejectedCleanly(before, nEvents, 'a change')
          count('change:rejected')
          break
        }
        inForce = applyOverlay(rollScenario(inForce, s.model.scenario.horizon.start), ov)
        overlays.push(ov)
        lastChange = now
        for (const o of r.ok.outcomes) if (o.offerId !== undefined) changeOffers.add(o.offerId)
        checkChange(r.ok, pending, s.appointments(), s, notes, fail)
        if (key) {
          // A retry with the key returns the first answer and changes nothing; the key with another change is CONFLICT.
          const snap = JSON.stringify(s.snapshot()), nE = events.length
          if (JSON.stringify(s.applyChange(ov, { idempotencyKey: key })) !== JSON.stringify(r.ok)) fail('a retried change returned another result')
          const other = attempt(() => s.applyChange({ ...ov, name: `${ov.name} again` }, { idempotencyKey: key }))
          if (!('err' in other) || other.err.code !== 'CONFLICT') fail('a reused change key was not CONFLICT')
          rejectedCleanly(snap, nE, 'a retried change')
          count('change:retried')
        }
        count(`change:${c.change.t}`)
        if (r.ok.affected > 0) count('change:disrupting')
        if (r.ok.moved > 0) count('change:moved')
        if (r.ok.offered > 0) count('change:offered')
        break
      }
    }
    check()
  }
  return { ops: n, tally }
}

/** The accounting of one change: everything pending is in place, moved, or reported; each citizen told once. */
function checkChange(r: ChangeResult, pending: Appointment[], after: Appointment[], s: Scheduler, notes: Notification[], fail: (m: string) => never): void {
  const now = new Map(after.map((a) => [a.id, a]))
  const outcome = new Map(r.outcomes.map((o) => [o.appointmentId, o]))
  if (r.outcomes.length !== r.affected || r.moved + r.offered + r.unplaceable !== r.affected) fail('change counts do not add up')
  const offers = s.offers()
  for (const a of pending) {
    const b = now.get(a.id)
    const o = outcome.get(a.id)
    if (b && b.staffId === a.staffId && b.start === a.start && !o) continue // untouched
    if (!o) fail(`appointment ${a.id} changed or vanished without being reported`)
    if (o.outcome === 'moved') {
      if (!b || b.officeId !== a.officeId || b.start !== a.start || b.end !== a.end || b.staffId === a.staffId || b.staffId !== o.staffId) fail(`moved appointment ${a.id} is not at the same office and time with another staff member`)
    } else {
      if (b) fail(`appointment ${a.id} reported ${o.outcome} but still booked`)
      if (o.outcome === 'offered' && !offers.some((x) => x.id === o.offerId && x.citizenId === a.citizenId)) fail(`offered appointment ${a.id} has no open offer for its citizen`)
    }
    if (a.citizenId !== undefined) {
      const told = notes.filter((x) => x.appointmentId === a.id && (x.kind === 'appointment_moved' || x.kind === 'appointment_disrupted'))
      const want = o.outcome === 'moved' ? 'appointment_moved' : 'appointment_disrupted'
      if (told.length !== 1 || told[0].kind !== want || told[0].citizenId !== a.citizenId) fail(`citizen of ${a.id} told ${told.length} times (${told.map((x) => x.kind)}), want one ${want}`)
      if (o.offerId !== undefined && notes.some((x) => x.kind === 'offer' && x.offerId === o.offerId)) fail('a disruption offer was also announced on its own')
    }
  }
  for (const o of r.outcomes) if (!pending.some((a) => a.id === o.appointmentId)) fail(`outcome for ${o.appointmentId}, which was not pending`)
}
