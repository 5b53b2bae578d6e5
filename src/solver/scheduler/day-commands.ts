/**
 * The day of service's commands: check-in, walk-ins, the call of the next citizen (rule.ts),
 * service start and finish, missed calls and citizens who leave. Functions of the facade
 * (impl.ts). Each validates completely before it changes anything; the clock's part (no-shows,
 * the day's end) is in day-sweep.ts, the reads in day-views.ts.
 */
import { fail } from '../../model/errors.js'
import { DayOptionsSchema, WalkInRequestSchema, type DayOptions, type WalkInRequest } from '../../model/day-requests.js'
import { parseCommand } from '../../model/requests.js'
import { serviceListIssues } from '../../model/rules.js'
import { getBit } from '../../model/bitset.js'
import { overtimeOnly } from '../day/queue-run.js'
import { pickNext } from '../day/rule.js'
import { WALK_IN_PREFIX, type TicketRec } from '../day/state.js'
import { checkIdArg, parseNow } from './args.js'
import type { SchedulerImpl } from './impl.js'
import { bookedOf, dayPolicy, MIN, newTicket, ruleTickets, setState, skilled, startMsOf, ticketView, unitCeil, unitFloor } from './day-queue.js'
import { activate, endReservation, finish, markNoShow, reserve } from './day-sweep.js'
import type { Ticket } from './types.js'

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

export function officeOf(s: SchedulerImpl, officeId: unknown): number {
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
    if (a) markNoShow(s, a, at)
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


