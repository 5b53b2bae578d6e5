/**
 * The day of service: check-in, walk-ins, the call queue, service times and no-show release.
 * Functions of the facade (impl.ts). Check-in is in use at an office on a date from the first day
 * command there; from then on an appointment nobody checked in for `noShowMinutes` after its start
 * is a no-show (swept whenever the clock moves), and its remaining time goes, in this order, to a
 * waiting walk-in that fits, to the waitlist (the usual offers of freed time), or back to the pool.
 */
import { fail } from '../../model/errors.js'
import { DayOptionsSchema, DurationOverlayOptionsSchema, WalkInRequestSchema, type DayOptions, type DurationOverlayOptions, type WalkInRequest } from '../../model/day-requests.js'
import { DayPolicySchema, type DayPolicy } from '../../model/schema.js'
import type { OverlayInput } from '../../model/overlay.js'
import { parseCommand } from '../../model/requests.js'
import { serviceListIssues } from '../../model/rules.js'
import { localDateOf } from '../../model/tz.js'
import { getBit } from '../../model/bitset.js'
import type { AppointmentRec } from '../ledger.js'
import { durationOverlayOf, plannedMinutes, sampleStat } from '../day/durations.js'
import { overtimeOnly, runQueue, type QueueCitizen, type QueueStaff } from '../day/queue-run.js'
import { pickNext, type RuleTicket } from '../day/rule.js'
import { newActiveDay, OPEN_STATES, sampleKey, WALK_IN_PREFIX, type ActiveDay, type NoShowRec, type TicketRec } from '../day/state.js'
import { checkIdArg, parseNow } from './args.js'
import type { SchedulerImpl } from './impl.js'
import type { DayStats, DurationStat, NoShow, Ticket } from './types.js'

const MIN = 60_000

export function dayPolicy(s: SchedulerImpl): DayPolicy {
  return s.model.scenario.policy.dayOfService ?? DEFAULT_DAY_POLICY
}
const DEFAULT_DAY_POLICY = DayPolicySchema.parse({})

/** Running totals (tickets older than yesterday are dropped, their figures stay here). */
export interface DayTotals {
  checkIns: number
  walkIns: number
  served: number
  left: number
  missedCalls: number
  noShows: number
  noShowMinutes: number
  recoveredMinutes: number
  waits: number[]
}
export const WAIT_CAP = 5000
export const emptyTotals = (): DayTotals => ({ checkIns: 0, walkIns: 0, served: 0, left: 0, missedCalls: 0, noShows: 0, noShowMinutes: 0, recoveredMinutes: 0, waits: [] })

// ---- arguments ---------------------------------------------------------------------------------

function atOf(s: SchedulerImpl, at: string | undefined): number {
  if (at === undefined) return s.ctx.now
  const ms = parseNow(at, '$.at')
  if (ms > s.ctx.now) fail('COMMAND_INVALID', '$.at', 'in_the_future', `${at} is later than now (${s.now()}); the day records what has happened`)
  return ms
}

function options(s: SchedulerImpl, opts: DayOptions | undefined): number {
  return atOf(s, parseCommand(DayOptionsSchema, opts ?? {}, 'options').at)
}

function officeOf(s: SchedulerImpl, officeId: unknown): number {
  checkIdArg(officeId, '$.officeId', 'office id')
  const o = s.model.officeIndex.get(officeId)
  if (o === undefined) fail('NOT_FOUND', '$.officeId', 'unknown_office', `no office "${officeId}"`)
  return o
}

function ticketOf(s: SchedulerImpl, ticketId: unknown): TicketRec {
  checkIdArg(ticketId, '$.ticketId', 'ticket id')
  const t = s.day.tickets.get(ticketId)
  if (!t) fail('NOT_FOUND', '$.ticketId', 'ticket_not_found', `no ticket "${ticketId}" (today's and yesterday's are kept)`)
  return t
}

const startMsOf = (s: SchedulerImpl, a: AppointmentRec) => s.model.t0 + a.start * s.model.unitMs
const unitFloor = (s: SchedulerImpl, ms: number) => Math.floor((ms - s.model.t0) / s.model.unitMs)
const unitCeil = (s: SchedulerImpl, ms: number) => Math.ceil((ms - s.model.t0) / s.model.unitMs)

// ---- active office-days and the no-show sweep ---------------------------------------------------

/** Check-in is in use at office `o` on the date of `at` from now on; the sweep catches up at once. */
function activate(s: SchedulerImpl, o: number, at: number): ActiveDay {
  const officeId = s.model.officeIds[o]
  const date = localDateOf(s.model.zone, at)
  const key = `${officeId}|${date}`
  let day = s.day.active.get(key)
  if (!day) {
    day = newActiveDay(officeId, date)
    s.day.active.set(key, day)
    fillBook(s, day)
    sweep(s)
  }
  return day
}

/** The day's appointments at the office from the ledger (after activation or a rebuilt state). */
export function fillBook(s: SchedulerImpl, day: ActiveDay): void {
  const o = s.model.officeIndex.get(day.officeId)
  if (o === undefined) return
  for (const a of s.ledger.appointments.values()) {
    if (a.office !== o) continue
    const ms = startMsOf(s, a)
    if (localDateOf(s.model.zone, ms) === day.date) s.day.note(day, a.id, ms, a.staff)
  }
}

/** After a rebuilt booking state (a live change, a horizon roll): the active days' books anew. */
export function refillBooks(s: SchedulerImpl): void {
  for (const day of s.day.active.values()) {
    day.book = []
    day.ids.clear()
    day.byStaff.clear()
    day.cursor = 0
    fillBook(s, day)
  }
}

/** The ledger's hook: an appointment made or moved on an active day joins its book. */
export function noteAppointment(s: SchedulerImpl, a: AppointmentRec): void {
  if (s.day.active.size === 0) return
  const ms = startMsOf(s, a)
  const day = s.day.active.get(`${s.model.officeIds[a.office]}|${localDateOf(s.model.zone, ms)}`)
  if (day) s.day.note(day, a.id, ms, a.staff)
}

/** Marks due no-shows and closes the days that are over; runs whenever the clock moves. */
export function sweep(s: SchedulerImpl): void {
  if (s.day.active.size === 0 && s.day.tickets.size === 0 && s.day.noShows.size === 0) return
  const now = s.ctx.now
  const noShowMs = dayPolicy(s).noShowMinutes * MIN
  const today = localDateOf(s.model.zone, now)
  for (const [key, day] of [...s.day.active]) {
    const o = s.model.officeIndex.get(day.officeId)
    while (day.cursor < day.book.length && day.book[day.cursor].start + noShowMs <= now) {
      const { id, start } = day.book[day.cursor++]
      const a = s.ledger.appointments.get(id)
      if (!a || a.office !== o || startMsOf(s, a) !== start || s.day.byAppointment.has(id)) continue
      markNoShow(s, a, start + noShowMs)
    }
    if (day.date < today) {
      closeDay(s, day)
      s.day.active.delete(key)
    }
  }
  pruneTickets(s, today)
}

function markNoShow(s: SchedulerImpl, a: AppointmentRec, at: number): void {
  const m = s.model
  const view = s.st.apptView(a)
  s.ledger.appointments.delete(a.id)
  s.beginSet.delete(a.id)
  s.ledger.timerDied()
  s.ledger.unlinkCitizen(a.citizenId, a.id)
  // Time already past is simply let go; what is left goes to a walk-in, else to the waitlist and the pool.
  const cut = Math.max(a.start, Math.min(a.end, unitCeil(s, s.ctx.now)))
  s.occ.release(a.staff, a.start, a.end)
  let walkIn: TicketRec | undefined
  let toWalkIn = 0
  if (cut < a.end) {
    walkIn = fittingWalkIn(s, a.office, a.staff, a.end - cut)
    if (walkIn) {
      const dur = s.st.durationAt(a.office, walkIn.services)
      reserve(s, walkIn, a.staff, a.office, cut, cut + dur)
      walkIn.reservedStaffId = m.staffIds[a.staff]
      toWalkIn = dur
    }
  }
  const rec = {
    appointmentId: a.id, officeId: m.officeIds[a.office], staffId: m.staffIds[a.staff], start: startMsOf(s, a), end: m.t0 + a.end * m.unitMs,
    services: [...a.services], at, toWalkInMinutes: toWalkIn * m.unitMinutes, releasedMinutes: Math.max(0, a.end - cut - toWalkIn) * m.unitMinutes,
  }
  s.day.noShows.set(a.id, rec)
  s.dayTotals.noShows++
  s.dayTotals.noShowMinutes += (a.end - a.start) * m.unitMinutes
  s.dayTotals.recoveredMinutes += rec.toWalkInMinutes
  s.emit('noShow', { noShow: noShowView(s, rec, view), ...(walkIn ? { walkIn: ticketView(s, walkIn) } : {}) })
  if (cut + toWalkIn < a.end) s.release(a.staff, a.office, cut + toWalkIn, a.end, 'no_show')
  s.reconsiderCitizen(a.citizenId)
}

/** The first waiting walk-in (check-in order) at office `o` that staff `p` can serve within `units`. */
function fittingWalkIn(s: SchedulerImpl, o: number, p: number, units: number): TicketRec | undefined {
  const officeId = s.model.officeIds[o]
  let best: TicketRec | undefined
  for (const t of openTickets(s, officeId)) {
    if (t.kind !== 'walkIn' || t.state !== 'waiting' || t.appointmentId !== undefined || !skilled(s, p, t.services)) continue
    const dur = s.st.durationAt(o, t.services)
    if (dur === 0 || dur > units) continue
    if (!best || t.seq < best.seq) best = t
  }
  return best
}

/** Reserves [from, to) on staff `p` for a walk-in: a ledger record, so nobody books that time meanwhile. */
function reserve(s: SchedulerImpl, t: TicketRec, p: number, o: number, from: number, to: number): void {
  const rec: AppointmentRec = { id: WALK_IN_PREFIX + t.id, staff: p, office: o, start: from, end: to, services: [...t.services] }
  s.occ.occupy(p, from, to)
  s.ledger.appointments.set(rec.id, rec)
  t.appointmentId = rec.id
  s.day.byAppointment.set(rec.id, t.id)
}

/** Ends a walk-in's reservation at unit `until` (its start: wholly); the rest is freed and offered. */
function endReservation(s: SchedulerImpl, t: TicketRec, until: number): void {
  if (t.kind !== 'walkIn' || t.appointmentId === undefined) return
  const rec = s.ledger.appointments.get(t.appointmentId)
  if (!rec) return
  const keepTo = Math.max(rec.start, Math.min(rec.end, until))
  if (keepTo >= rec.end) return
  const end = rec.end
  const from = Math.max(keepTo, Math.min(end, unitCeil(s, s.ctx.now)))
  if (keepTo === rec.start) s.ledger.appointments.delete(rec.id)
  else rec.end = keepTo
  // Past time is let go quietly; what is still ahead is freed like any other.
  if (from > keepTo) s.occ.release(rec.staff, keepTo, from)
  if (end > from) s.release(rec.staff, rec.office, from, end, 'served_early')
}

function closeDay(s: SchedulerImpl, day: ActiveDay): void {
  for (const t of openTickets(s, day.officeId)) {
    if (t.date !== day.date) continue
    if (t.state === 'serving') finish(s, t, undefined)
    else setState(s, t, 'left', undefined)
  }
}

/** Tickets of days before yesterday leave memory; their figures are in the totals. */
function pruneTickets(s: SchedulerImpl, today: string): void {
  if (s.dayPrunedFor === today) return
  s.dayPrunedFor = today
  const yesterday = yesterdayOf(s, today)
  for (const [id, t] of s.day.tickets) {
    if (t.date >= yesterday) break
    s.day.tickets.delete(id)
    if (t.appointmentId !== undefined) s.day.byAppointment.delete(t.appointmentId)
  }
  for (const [id, n] of s.day.noShows) if (localDateOf(s.model.zone, n.start) < yesterday) s.day.noShows.delete(id)
}
const yesterdayOf = (s: SchedulerImpl, today: string) => localDateOf(s.model.zone, Date.parse(`${today}T12:00:00Z`) - 86_400_000)

// ---- commands ----------------------------------------------------------------------------------

export function checkIn(s: SchedulerImpl, appointmentId: string, opts?: DayOptions): Ticket {
  checkIdArg(appointmentId, '$.appointmentId', 'appointment id')
  const at = options(s, opts)
  const a = s.ledger.appointments.get(appointmentId)
  if (!a || appointmentId.startsWith(WALK_IN_PREFIX)) {
    const ns = s.day.noShows.get(appointmentId)
    if (ns) fail('CONFLICT', '$.appointmentId', 'no_show', `appointment "${appointmentId}" was released as a no-show at ${s.st.isoMs(ns.at)}; check in as a walk-in`)
    fail('NOT_FOUND', '$.appointmentId', 'appointment_not_found', `no appointment "${appointmentId}"`)
  }
  if (s.day.byAppointment.has(a.id)) fail('CONFLICT', '$.appointmentId', 'already_checked_in', `appointment "${a.id}" is checked in already (ticket "${s.day.byAppointment.get(a.id)}")`)
  const pol = dayPolicy(s)
  const start = startMsOf(s, a)
  if (at < start - pol.earlyCheckInMinutes * MIN)
    fail('COMMAND_INVALID', '$.at', 'too_early', `check-in opens ${pol.earlyCheckInMinutes} minutes before the appointment (${s.st.isoMs(start)})`)
  if (at > start + pol.noShowMinutes * MIN)
    fail('CONFLICT', '$.at', 'too_late', `check-in closed ${pol.noShowMinutes} minutes after the appointment's start (${s.st.isoMs(start)}); check in as a walk-in`)
  const t = newTicket(s, s.model.officeIds[a.office], 'appointment', [...a.services], at)
  t.appointmentId = a.id
  t.punctuality = at < start ? 'early' : at === start ? 'onTime' : 'late'
  s.day.byAppointment.set(a.id, t.id)
  // Checked in first, so that the catching-up sweep of a newly active day does not release it.
  activate(s, a.office, start)
  s.dayTotals.checkIns++
  if (s.listeners.has('ticket')) s.emit('ticket', { ticket: ticketView(s, t), change: 'checkedIn' })
  return ticketView(s, t)
}

export function checkInWalkIn(s: SchedulerImpl, input: WalkInRequest): Ticket {
  const req = parseCommand(WalkInRequestSchema, input, 'walk-in')
  const o = officeOf(s, req.officeId)
  const sl = serviceListIssues(s.model.scenario, ['services'], req.services)
  if (sl.length) fail('COMMAND_INVALID', sl[0].path, sl[0].code, sl[0].message)
  if (s.st.durationAt(o, req.services) === 0) fail('COMMAND_INVALID', '$.services', 'service_not_offered', `office "${req.officeId}" does not offer all of these services`)
  const at = atOf(s, req.at)
  activate(s, o, at)
  const t = newTicket(s, req.officeId, 'walkIn', [...req.services], at)
  s.dayTotals.walkIns++
  if (s.listeners.has('ticket')) s.emit('ticket', { ticket: ticketView(s, t), change: 'checkedIn' })
  return ticketView(s, t)
}

function newTicket(s: SchedulerImpl, officeId: string, kind: TicketRec['kind'], services: string[], at: number): TicketRec {
  const date = localDateOf(s.model.zone, at)
  const seq = ++s.day.seq
  const t: TicketRec = { id: `t${seq}`, seq, code: s.day.nextCode(officeId, date, kind), officeId, date, kind, services, checkedInAt: at, state: 'waiting' }
  s.day.tickets.set(t.id, t)
  openSet(s, officeId).add(t.id)
  return t
}

export function callNext(s: SchedulerImpl, officeId: string, staffId: string, opts?: DayOptions): Ticket | null {
  const o = officeOf(s, officeId)
  checkIdArg(staffId, '$.staffId', 'staff id')
  const p = s.model.staffIndex.get(staffId)
  if (p === undefined) fail('NOT_FOUND', '$.staffId', 'unknown_staff', `no staff member "${staffId}"`)
  const at = options(s, opts)
  if (s.model.scenario.staff[p].overbooking) fail('COMMAND_INVALID', '$.staffId', 'overbooking_staff', `"${staffId}" is overbooking time, not a person; whoever is free serves its appointments`)
  const maxDelayMs = dayPolicy(s).walkInMaxDelayMinutes * MIN
  const si = s.occ.segmentAt(p, unitFloor(s, at))
  const onShift = si >= 0 && s.model.segments[si].office === o
  // Just after a shift only one's own delayed appointments may be called (queue-run.ts, overtimeOnly).
  const before = s.occ.segmentAt(p, unitFloor(s, at - maxDelayMs))
  const overtime = !onShift && before >= 0 && s.model.segments[before].office === o && s.model.t0 + s.model.segments[before].end * s.model.unitMs <= at
  if (!onShift && !overtime) fail('COMMAND_INVALID', '$.staffId', 'not_on_shift', `staff member "${staffId}" is not on shift at office "${officeId}" at ${s.st.isoMs(at)}`)
  const open = s.day.busy.get(staffId)
  if (open !== undefined) fail('CONFLICT', '$.staffId', 'staff_busy', `staff member "${staffId}" has called ticket "${open}" and not finished it`)
  activate(s, o, at)
  const all = ruleTickets(s, officeId, true)
  const booked = bookedOf(s, o, p, at)
  const pick = pickNext({
    at,
    staff: p,
    waiting: onShift ? all : overtimeOnly(all, p, at),
    canServe: (x) => skilled(s, p, x.t.services),
    nextBooked: (except) => {
      for (const b of booked) if (b.id !== except?.t.appointmentId) return b.start
      return Infinity
    },
    maxDelayMs,
  })
  if (!pick) return null
  const t = pick.t
  t.staffId = staffId
  t.calledAt = at
  if (t.kind === 'walkIn' && t.appointmentId === undefined) reserveWhileServed(s, t, p, o, at, pick.expectedMs)
  setState(s, t, 'called', 'called')
  s.day.busy.set(staffId, t.id)
  return ticketView(s, t)
}

/** A walk-in called into free time: that time is theirs in the ledger for as long as they are expected to take. */
function reserveWhileServed(s: SchedulerImpl, t: TicketRec, p: number, o: number, at: number, expectedMs: number): void {
  const from = Math.max(unitFloor(s, at), s.ctx.nowUnit)
  const si = s.occ.segmentAt(p, from)
  if (si < 0) return
  const stop = Math.min(s.model.segments[si].end, unitCeil(s, at + expectedMs))
  let to = from
  while (to < stop && !getBit(s.occ.busy[p], to)) to++
  if (to > from) reserve(s, t, p, o, from, to)
}

export function startService(s: SchedulerImpl, ticketId: string, opts?: DayOptions): Ticket {
  const t = ticketOf(s, ticketId)
  const at = options(s, opts)
  if (t.state !== 'called') fail('CONFLICT', '$.ticketId', 'not_called', `ticket "${t.id}" is ${t.state}, not called`)
  if (at < t.calledAt!) fail('COMMAND_INVALID', '$.at', 'before_call', `service cannot start before the call (${s.st.isoMs(t.calledAt!)})`)
  t.startedAt = at
  setState(s, t, 'serving', 'started')
  return ticketView(s, t)
}

export function finishService(s: SchedulerImpl, ticketId: string, opts?: DayOptions): Ticket {
  const t = ticketOf(s, ticketId)
  const at = options(s, opts)
  if (t.state !== 'serving') fail('CONFLICT', '$.ticketId', 'not_serving', `ticket "${t.id}" is ${t.state}, not being served`)
  if (at < t.startedAt!) fail('COMMAND_INVALID', '$.at', 'before_start', `service cannot finish before it started (${s.st.isoMs(t.startedAt!)})`)
  finish(s, t, at)
  return ticketView(s, t)
}

function finish(s: SchedulerImpl, t: TicketRec, at: number | undefined): void {
  if (at !== undefined) {
    t.finishedAt = at
    s.day.record(t.officeId, t.services, (at - t.startedAt!) / MIN)
    endReservation(s, t, unitCeil(s, at))
  }
  setState(s, t, 'served', 'served')
}

export function missCall(s: SchedulerImpl, ticketId: string, opts?: DayOptions): Ticket {
  const t = ticketOf(s, ticketId)
  const at = options(s, opts)
  if (t.state !== 'called') fail('CONFLICT', '$.ticketId', 'not_called', `ticket "${t.id}" is ${t.state}, not called`)
  if (at < t.calledAt!) fail('COMMAND_INVALID', '$.at', 'before_call', `the call was at ${s.st.isoMs(t.calledAt!)}`)
  setState(s, t, 'noShow', 'noShow')
  s.dayTotals.missedCalls++
  if (t.kind === 'walkIn') endReservation(s, t, -Infinity)
  else {
    const a = t.appointmentId !== undefined ? s.ledger.appointments.get(t.appointmentId) : undefined
    if (a) {
      s.day.byAppointment.delete(a.id)
      markNoShow(s, a, at)
    }
  }
  return ticketView(s, t)
}

export function leaveQueue(s: SchedulerImpl, ticketId: string, opts?: DayOptions): Ticket {
  const t = ticketOf(s, ticketId)
  options(s, opts)
  if (t.state !== 'waiting') fail('CONFLICT', '$.ticketId', 'not_waiting', `ticket "${t.id}" is ${t.state}, not waiting`)
  setState(s, t, 'left', 'left')
  endReservation(s, t, -Infinity)
  return ticketView(s, t)
}

function setState(s: SchedulerImpl, t: TicketRec, state: TicketRec['state'], change: 'called' | 'started' | 'served' | 'noShow' | 'left' | undefined): void {
  t.state = state
  if (!OPEN_STATES.has(state)) {
    openSet(s, t.officeId).delete(t.id)
    if (t.staffId !== undefined && s.day.busy.get(t.staffId) === t.id) s.day.busy.delete(t.staffId)
    if (state === 'served') {
      s.dayTotals.served++
      if (t.calledAt !== undefined) {
        const w = s.dayTotals.waits
        // From check-in, or from the appointment's start when they came early (a walk-in's reserved time is no appointment).
        const from = t.kind === 'appointment' ? Math.max(t.checkedInAt, ticketStart(s, t) ?? -Infinity) : t.checkedInAt
        w.push(Math.max(0, t.calledAt - from) / MIN)
        if (w.length > WAIT_CAP) w.splice(0, w.length - WAIT_CAP)
      }
    } else if (state === 'left') s.dayTotals.left++
  }
  if (change && s.listeners.has('ticket')) s.emit('ticket', { ticket: ticketView(s, t), change })
}

// ---- the rule's view of the queue --------------------------------------------------------------

interface LiveRuleTicket extends RuleTicket {
  t: TicketRec
}

function openSet(s: SchedulerImpl, officeId: string): Set<string> {
  let set = s.dayOpen.get(officeId)
  if (!set) s.dayOpen.set(officeId, (set = new Set()))
  return set
}

function openTickets(s: SchedulerImpl, officeId: string, waitingOnly = false): TicketRec[] {
  const ids = s.dayOpen.get(officeId)
  const out: TicketRec[] = []
  if (ids)
    for (const id of ids) {
      const t = s.day.tickets.get(id)!
      if (!waitingOnly || t.state === 'waiting') out.push(t)
    }
  return out
}

function skilled(s: SchedulerImpl, p: number, services: readonly string[]): boolean {
  const m = s.model
  const nS = m.serviceIds.length
  for (const id of services) {
    const k = m.serviceIndex.get(id)
    if (k === undefined || m.skill[p * nS + k] !== 1) return false
  }
  return true
}

/** Expected service time: the recorded mean once there are policy.minSamples, else the plan. */
export function expectedMs(s: SchedulerImpl, officeId: string, services: readonly string[]): number {
  const { n, mean } = s.day.meanOf(sampleKey(officeId, services))
  if (n >= dayPolicy(s).minSamples) return mean * MIN
  return plannedMinutes(s.model, officeId, services) * MIN
}

function ticketStart(s: SchedulerImpl, t: TicketRec): number | undefined {
  const a = t.appointmentId !== undefined ? s.ledger.appointments.get(t.appointmentId) : undefined
  return a ? startMsOf(s, a) : undefined
}

function ruleTickets(s: SchedulerImpl, officeId: string, waitingOnly = false): LiveRuleTicket[] {
  const expected = new Map<string, number>()
  const expectedOf = (services: string[]) => {
    const key = services.length === 1 ? services[0] : services.join('\u0000')
    let e = expected.get(key)
    if (e === undefined) expected.set(key, (e = expectedMs(s, officeId, services)))
    return e
  }
  // Open tickets are kept in the order they were made (seq order).
  return openTickets(s, officeId, waitingOnly).map((t) => {
      const a = t.appointmentId !== undefined ? s.ledger.appointments.get(t.appointmentId) : undefined
      // Time booked to overbooking staff is nobody's own: whoever is free serves it.
      const booked = a && !s.model.scenario.staff[a.staff]?.overbooking ? a.staff : -1
      return { t, kind: t.kind, start: a ? startMsOf(s, a) : undefined, booked, checkedInAt: t.checkedInAt, expectedMs: expectedOf(t.services), seq: t.seq }
    })
}

/** Staff `p`'s appointments at office `o` today that nobody has served or released, in start order. */
function bookedOf(s: SchedulerImpl, o: number, p: number, at: number): { id: string; start: number }[] {
  const day = s.day.active.get(`${s.model.officeIds[o]}|${localDateOf(s.model.zone, at)}`)
  const out: { id: string; start: number }[] = []
  if (!day) return out
  // From the start of the day: an appointment checked in late and still waiting blocks too.
  for (const b of day.byStaff.get(p) ?? []) {
    const a = s.ledger.appointments.get(b.id)
    if (!a || a.staff !== p || startMsOf(s, a) !== b.start) continue
    const tid = s.day.byAppointment.get(b.id)
    if (tid !== undefined) {
      const t = s.day.tickets.get(tid)
      if (!t || t.state !== 'waiting') continue
    }
    out.push(b)
    // Only the first two matter: the next one, and the one after it when the next is the candidate's own.
    if (out.length === 2) break
  }
  return out
}

// ---- reads -------------------------------------------------------------------------------------

export function ticketView(s: SchedulerImpl, t: TicketRec, predicted?: number): Ticket {
  const iso = (ms: number) => s.st.isoMs(ms)
  const v: Ticket = { id: t.id, code: t.code, officeId: t.officeId, kind: t.kind, services: [...t.services], checkedInAt: iso(t.checkedInAt), state: t.state }
  if (t.appointmentId !== undefined) v.appointmentId = t.appointmentId
  if (t.punctuality !== undefined) v.punctuality = t.punctuality
  if (t.staffId !== undefined) v.staffId = t.staffId
  if (t.reservedStaffId !== undefined) v.reservedStaffId = t.reservedStaffId
  const start = ticketStart(s, t)
  if (start !== undefined) v.start = iso(start)
  if (t.calledAt !== undefined) v.calledAt = iso(t.calledAt)
  if (t.startedAt !== undefined) v.startedAt = iso(t.startedAt)
  if (t.finishedAt !== undefined) v.finishedAt = iso(t.finishedAt)
  if (predicted !== undefined) v.predictedWaitMinutes = predicted
  return v
}

export function tickets(s: SchedulerImpl, officeId?: string): Ticket[] {
  if (officeId !== undefined) officeOf(s, officeId)
  const list = [...s.day.tickets.values()].filter((t) => officeId === undefined || t.officeId === officeId)
  const predicted = new Map<string, number>()
  for (const o of new Set(list.filter((t) => t.state === 'waiting').map((t) => t.officeId))) for (const [id, w] of predictWaits(s, o)) predicted.set(id, w)
  return list.map((t) => ticketView(s, t, predicted.get(t.id)))
}

/**
 * Minutes until each waiting ticket at the office is called: the call rule run forward from now
 * with expected service times, the staff on shift today, and today's booked appointments arriving
 * at their start.
 */
export function predictWaits(s: SchedulerImpl, officeId: string): Map<string, number> {
  const m = s.model
  const o = m.officeIndex.get(officeId)!
  const now = s.ctx.now
  const date = localDateOf(m.zone, now)
  const d = m.dates.indexOf(date)
  const out = new Map<string, number>()
  if (d < 0) return out
  const staff = new Map<number, QueueStaff>()
  for (const g of m.segments) {
    if (g.office !== o || g.day !== d) continue
    const to = m.t0 + g.end * m.unitMs
    if (to <= now) continue
    let st = staff.get(g.staff)
    if (!st) staff.set(g.staff, (st = { staff: g.staff, shifts: [], freeAt: Infinity }))
    st.shifts.push([m.t0 + g.start * m.unitMs, to])
  }
  for (const st of staff.values()) {
    st.shifts.sort((a, b) => a[0] - b[0])
    st.freeAt = Math.max(now, st.shifts[0][0])
    const busyWith = s.day.busy.get(m.staffIds[st.staff])
    if (busyWith !== undefined) {
      const t = s.day.tickets.get(busyWith)!
      st.freeAt = Math.max(now, (t.startedAt ?? t.calledAt!) + expectedMs(s, officeId, t.services))
    }
  }
  const citizens: QueueCitizen[] = []
  const base = (seq: number): Pick<QueueCitizen, 'patienceMs' | 'calledAt' | 'servedBy' | 'outcome' | 'seq'> => ({ patienceMs: Infinity, calledAt: NaN, servedBy: -1, outcome: 'pending', seq })
  const ids: string[] = []
  for (const x of ruleTickets(s, officeId)) {
    if (x.t.state !== 'waiting') continue
    citizens.push({ ...base(x.seq), kind: x.kind, start: x.start, booked: x.booked, checkedInAt: x.checkedInAt, expectedMs: x.expectedMs, services: [], arrival: x.checkedInAt, actualMs: x.expectedMs })
    ids.push(x.t.id)
  }
  const mine = citizens.length
  const day = s.day.active.get(`${officeId}|${date}`)
  if (day) {
    let seq = s.day.seq + 1
    for (const { id, start } of day.book) {
      const a = s.ledger.appointments.get(id)
      if (!a || start < now - dayPolicy(s).noShowMinutes * MIN || s.day.byAppointment.has(id)) continue
      const e = expectedMs(s, officeId, a.services)
      citizens.push({ ...base(seq++), kind: 'appointment', start, booked: a.staff, checkedInAt: start, expectedMs: e, services: [], arrival: Math.max(now, start), actualMs: e })
    }
  }
  const byCitizen = new Map<QueueCitizen, string>()
  for (let i = 0; i < mine; i++) byCitizen.set(citizens[i], ids[i])
  const services = new Map<QueueCitizen, readonly string[]>()
  for (let i = 0; i < mine; i++) services.set(citizens[i], s.day.tickets.get(ids[i])!.services)
  runQueue({
    staff: [...staff.values()].sort((a, b) => a.staff - b.staff),
    citizens,
    noShowMs: dayPolicy(s).noShowMinutes * MIN,
    maxDelayMs: dayPolicy(s).walkInMaxDelayMinutes * MIN,
    canServe: (p, c) => {
      const sv = services.get(c)
      return sv ? skilled(s, p, sv) : c.booked === p || c.booked < 0
    },
    stopWhen: (c) => byCitizen.has(c),
  })
  for (let i = 0; i < mine; i++) if (citizens[i].outcome === 'served') out.set(ids[i], Math.ceil((citizens[i].calledAt - now) / MIN))
  return out
}

export function noShows(s: SchedulerImpl): NoShow[] {
  return [...s.day.noShows.values()].map((n) => noShowView(s, n))
}

function noShowView(s: SchedulerImpl, n: NoShowRec, appointment?: NoShow['appointment']): NoShow {
  return {
    appointment: appointment ?? { id: n.appointmentId, officeId: n.officeId, staffId: n.staffId, start: s.st.isoMs(n.start), end: s.st.isoMs(n.end), services: [...n.services] },
    at: s.st.isoMs(n.at),
    toWalkInMinutes: n.toWalkInMinutes,
    releasedMinutes: n.releasedMinutes,
  }
}

const quantile = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.ceil(q * sorted.length) - 1]
}

export function dayStats(s: SchedulerImpl): DayStats {
  const t = s.dayTotals
  return {
    checkIns: t.checkIns, walkIns: t.walkIns, served: t.served, left: t.left, missedCalls: t.missedCalls,
    noShows: t.noShows, noShowMinutes: t.noShowMinutes, recoveredMinutes: t.recoveredMinutes,
    waitP50Minutes: quantile(t.waits, 0.5), waitP90Minutes: quantile(t.waits, 0.9),
  }
}

export function durationStats(s: SchedulerImpl): DurationStat[] {
  return [...s.day.samples.keys()].sort().map((key) => {
    const [officeId, list] = key.split('\u0000')
    const services = list.split('+')
    const st = sampleStat(s.day.samples.get(key)!)
    return { officeId, services, count: st.count, plannedMinutes: plannedMinutes(s.model, officeId, services), meanMinutes: st.mean, p90Minutes: st.p90 }
  })
}

export function durationOverlay(s: SchedulerImpl, input?: DurationOverlayOptions): OverlayInput {
  const opts = parseCommand(DurationOverlayOptionsSchema, input ?? {}, 'duration overlay options')
  const overlay = durationOverlayOf(s.model, s.day.samples, opts.statistic, opts.minSamples)
  if (overlay.changes.length === 0) fail('NOT_FOUND', '$.minSamples', 'no_durations', `no single service has ${opts.minSamples} recorded service times that differ from its plan`)
  return overlay
}
