/**
 * The day of service's shared parts: its policy and running totals, times on the grid, the open
 * tickets of an office, what the call rule sees of them (rule.ts), ticket state changes and views.
 */
import { DayPolicySchema, type DayPolicy } from '../../model/schema.js'
import { localDateOf } from '../../model/tz.js'
import type { AppointmentRec } from '../ledger.js'
import { plannedMinutes } from '../day/durations.js'
import { type RuleTicket } from '../day/rule.js'
import { OPEN_STATES, sampleKey, WAIT_CAP, type DaySnapshot, type NoShowRec, type TicketRec } from '../day/state.js'
import type { SchedulerImpl } from './impl.js'
import type { NoShow, Ticket } from './types.js'

export const MIN = 60_000

export function dayPolicy(s: SchedulerImpl): DayPolicy {
  return s.model.scenario.policy.dayOfService ?? DEFAULT_DAY_POLICY
}
const DEFAULT_DAY_POLICY = DayPolicySchema.parse({})

/** Running totals (tickets older than yesterday are dropped, their figures stay here); as snapshots carry them. */
export type DayTotals = DaySnapshot['totals']
export const emptyTotals = (): DayTotals => ({ checkIns: 0, walkIns: 0, served: 0, left: 0, missedCalls: 0, noShows: 0, noShowMinutes: 0, recoveredMinutes: 0, waits: [] })

export const startMsOf = (s: SchedulerImpl, a: AppointmentRec) => s.model.t0 + a.start * s.model.unitMs
export const unitFloor = (s: SchedulerImpl, ms: number) => Math.floor((ms - s.model.t0) / s.model.unitMs)
export const unitCeil = (s: SchedulerImpl, ms: number) => Math.ceil((ms - s.model.t0) / s.model.unitMs)

// ---- the rule's view of the queue --------------------------------------------------------------

export interface LiveRuleTicket extends RuleTicket {
  t: TicketRec
}

export function openSet(s: SchedulerImpl, officeId: string): Set<string> {
  let set = s.dayOpen.get(officeId)
  if (!set) s.dayOpen.set(officeId, (set = new Set()))
  return set
}

export function openTickets(s: SchedulerImpl, officeId: string, waitingOnly = false): TicketRec[] {
  const ids = s.dayOpen.get(officeId)
  const out: TicketRec[] = []
  if (ids)
    for (const id of ids) {
      const t = s.day.tickets.get(id)!
      if (!waitingOnly || t.state === 'waiting') out.push(t)
    }
  return out
}

export function skilled(s: SchedulerImpl, p: number, services: readonly string[]): boolean {
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

export function ticketStart(s: SchedulerImpl, t: TicketRec): number | undefined {
  const a = t.appointmentId !== undefined ? s.ledger.appointments.get(t.appointmentId) : undefined
  return a ? startMsOf(s, a) : undefined
}

export function ruleTickets(s: SchedulerImpl, officeId: string, waitingOnly = false): LiveRuleTicket[] {
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
export function bookedOf(s: SchedulerImpl, o: number, p: number, at: number): { id: string; start: number }[] {
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

export function newTicket(s: SchedulerImpl, officeId: string, kind: TicketRec['kind'], services: string[], at: number): TicketRec {
  const date = localDateOf(s.model.zone, at)
  const seq = ++s.day.seq
  const t: TicketRec = { id: `t${seq}`, seq, code: s.day.nextCode(officeId, date, kind), officeId, date, kind, services, checkedInAt: at, state: 'waiting' }
  s.day.tickets.set(t.id, t)
  openSet(s, officeId).add(t.id)
  return t
}

export function setState(s: SchedulerImpl, t: TicketRec, state: TicketRec['state'], change: 'called' | 'started' | 'served' | 'noShow' | 'left' | undefined): void {
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

// ---- views -------------------------------------------------------------------------------------

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

export function noShowView(s: SchedulerImpl, n: NoShowRec, appointment?: NoShow['appointment']): NoShow {
  return {
    appointment: appointment ?? { id: n.appointmentId, officeId: n.officeId, staffId: n.staffId, start: s.st.isoMs(n.start), end: s.st.isoMs(n.end), services: [...n.services] },
    at: s.st.isoMs(n.at),
    toWalkInMinutes: n.toWalkInMinutes,
    releasedMinutes: n.releasedMinutes,
  }
}
