/**
 * Check-in in use at an office on a date (from the first day command there), and what the clock
 * does to such a day: an appointment nobody checked in for `noShowMinutes` after its start is a
 * no-show, and its remaining time goes to a waiting walk-in that fits (reserved in the ledger), to
 * the waitlist (the usual offers of freed time), or back to the pool; at the next midnight the
 * day's open tickets end and older ones leave memory.
 */
import { localDateOf } from '../../model/tz.js'
import type { AppointmentRec } from '../ledger.js'
import { newActiveDay, WALK_IN_PREFIX, type ActiveDay, type TicketRec } from '../day/state.js'
import type { SchedulerImpl } from './impl.js'
import { dayPolicy, MIN, noShowView, openTickets, setState, skilled, startMsOf, ticketView, unitCeil } from './day-queue.js'

// ---- active office-days and the no-show sweep ---------------------------------------------------

/** Check-in is in use at office `o` on the date of `at` from now on; the sweep catches up at once. */
export function activate(s: SchedulerImpl, o: number, at: number): ActiveDay {
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

/**
 * The day's appointments at the office from the ledger (after activation or a rebuilt state), in
 * start then id order: the ledger's own order depends on how it was built (bookings, a restore, a
 * live change), and equal starts are called in book order.
 */
export function fillBook(s: SchedulerImpl, day: ActiveDay): void {
  const o = s.model.officeIndex.get(day.officeId)
  if (o === undefined) return
  const found: AppointmentRec[] = []
  for (const a of s.ledger.appointments.values()) if (a.office === o && localDateOf(s.model.zone, startMsOf(s, a)) === day.date) found.push(a)
  found.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const a of found) s.day.note(day, a.id, startMsOf(s, a), a.staff)
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

export function markNoShow(s: SchedulerImpl, a: AppointmentRec, at: number): void {
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
export function reserve(s: SchedulerImpl, t: TicketRec, p: number, o: number, from: number, to: number): void {
  const rec: AppointmentRec = { id: WALK_IN_PREFIX + t.id, staff: p, office: o, start: from, end: to, services: [...t.services] }
  s.occ.occupy(p, from, to)
  s.ledger.appointments.set(rec.id, rec)
  t.appointmentId = rec.id
  s.day.byAppointment.set(rec.id, t.id)
}

/** Ends a walk-in's reservation at unit `until` (its start: wholly); the rest is freed and offered. */
export function endReservation(s: SchedulerImpl, t: TicketRec, until: number): void {
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

export function finish(s: SchedulerImpl, t: TicketRec, at: number | undefined): void {
  if (at !== undefined) {
    t.finishedAt = at
    s.day.record(t.officeId, t.services, (at - t.startedAt!) / MIN)
    endReservation(s, t, unitCeil(s, at))
  }
  setState(s, t, 'served', 'served')
}
