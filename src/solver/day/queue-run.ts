/**
 * One office's day run forward under the call rule (rule.ts): staff call whenever they are free
 * and on shift, citizens arrive, appointments not there `noShowMs` after their start are no-shows,
 * walk-ins give up after their patience. The waiting-time prediction runs it on today's state with
 * expected durations; the simulation of the day runs it with drawn arrivals and durations.
 */
import { isDue, pickNext, type RuleTicket } from './rule.js'

export interface QueueStaff {
  staff: number
  /** Working intervals at this office, [from, to) in ms, sorted. */
  shifts: [number, number][]
  /** When this staff member is next free (ms): already serving someone until then, or the first shift. */
  freeAt: number
}

export interface QueueCitizen extends RuleTicket {
  services: number[]
  /** When they check in (ms); Infinity = never (an appointment's no-show). */
  arrival: number
  /** How long serving really takes (ms). */
  actualMs: number
  /** Walk-ins leave after waiting this long. */
  patienceMs: number
  // Results.
  calledAt: number
  servedBy: number
  outcome: 'served' | 'noShow' | 'left' | 'pending'
}

export interface QueueRun {
  staff: QueueStaff[]
  /** Appointments and walk-ins of the day; results are written into them. */
  citizens: QueueCitizen[]
  noShowMs: number
  maxDelayMs: number
  canServe(staff: number, c: QueueCitizen): boolean
  /** Stop once every citizen of `stopWhen` has a result (prediction); default run to the end. */
  stopWhen?: (c: QueueCitizen) => boolean
}

const onShiftAt = (s: QueueStaff, t: number) => s.shifts.some(([a, b]) => a <= t && t < b)
const nextShiftAfter = (s: QueueStaff, t: number) => {
  let best = Infinity
  for (const [a] of s.shifts) if (a > t && a < best) best = a
  return best
}

/** Within `maxDelayMs` after the end of one of the staff member's shifts (and not on shift). */
export function inOvertime(s: QueueStaff, t: number, maxDelayMs: number): boolean {
  return s.shifts.some(([, b]) => b <= t && t < b + maxDelayMs)
}

/**
 * Who a staff member may still call just after their shift: their own appointments that are due,
 * so that one booked at the end of the shift and delayed within the limit is still served.
 */
export function overtimeOnly<T extends RuleTicket>(waiting: readonly T[], staff: number, t: number): T[] {
  return waiting.filter((c) => c.booked === staff && isDue(c, t, staff))
}

export function runQueue(q: QueueRun): void {
  const cs = q.citizens
  for (const c of cs) {
    c.calledAt = NaN
    c.servedBy = -1
    c.outcome = 'pending'
  }
  const byArrival = cs.filter((c) => Number.isFinite(c.arrival)).sort((a, b) => a.arrival - b.arrival || a.seq - b.seq)
  const appts = cs.filter((c) => c.kind === 'appointment' && c.start !== undefined).sort((a, b) => a.start! - b.start! || a.seq - b.seq)
  // Per staff member, their booked appointments (and reserved walk-ins) in start order.
  const booked = new Map<number, QueueCitizen[]>()
  for (const c of cs) if (c.booked >= 0 && c.start !== undefined) (booked.get(c.booked) ?? booked.set(c.booked, []).get(c.booked)!).push(c)
  for (const xs of booked.values()) xs.sort((a, b) => a.start! - b.start! || a.seq - b.seq)
  const bookedPtr = new Map<number, number>()
  const nextBookedOf = (staff: number, except: QueueCitizen | undefined): number => {
    const xs = booked.get(staff)
    if (!xs) return Infinity
    let i = bookedPtr.get(staff) ?? 0
    while (i < xs.length && xs[i].outcome !== 'pending') i++
    bookedPtr.set(staff, i)
    for (; i < xs.length; i++) {
      const c = xs[i]
      if (c.outcome === 'pending' && c !== except) return c.start!
    }
    return Infinity
  }
  let arrived = 0
  let deadlinePtr = 0
  const waiting: QueueCitizen[] = []
  let open = cs.filter((c) => !q.stopWhen || q.stopWhen(c)).length
  const settle = (c: QueueCitizen, outcome: QueueCitizen['outcome']) => {
    c.outcome = outcome
    if (!q.stopWhen || q.stopWhen(c)) open--
  }
  let t = Math.min(...q.staff.map((s) => s.freeAt), byArrival.length ? byArrival[0].arrival : Infinity)
  for (let guard = 0; guard < 50 * cs.length + 1000 && Number.isFinite(t) && open > 0; guard++) {
    while (arrived < byArrival.length && byArrival[arrived].arrival <= t) {
      const c = byArrival[arrived++]
      // An appointment checked in after its no-show deadline was released already.
      if (c.kind === 'appointment' && c.start !== undefined && c.arrival > c.start + q.noShowMs) continue
      waiting.push(c)
    }
    while (deadlinePtr < appts.length && appts[deadlinePtr].start! + q.noShowMs <= t) {
      const c = appts[deadlinePtr++]
      if (c.outcome === 'pending' && !(c.arrival <= c.start! + q.noShowMs)) settle(c, 'noShow')
    }
    for (let i = waiting.length - 1; i >= 0; i--) {
      const c = waiting[i]
      if (c.kind === 'walkIn' && c.arrival + c.patienceMs <= t) {
        waiting.splice(i, 1)
        settle(c, 'left')
      }
    }
    for (let calls = 1; calls > 0; ) {
      calls = 0
      for (const s of q.staff) {
        if (s.freeAt > t || waiting.length === 0) continue
        const on = onShiftAt(s, t)
        // Just after a shift, only one's own delayed appointments (see overtimeOnly).
        if (!on && !inOvertime(s, t, q.maxDelayMs)) continue
        const pool = on ? waiting : overtimeOnly(waiting, s.staff, t)
        if (pool.length === 0) continue
        const c = pickNext({ at: t, staff: s.staff, waiting: pool, canServe: (x) => q.canServe(s.staff, x), nextBooked: (ex) => nextBookedOf(s.staff, ex), maxDelayMs: q.maxDelayMs })
        if (!c) continue
        waiting.splice(waiting.indexOf(c), 1)
        c.calledAt = t
        c.servedBy = s.staff
        settle(c, 'served')
        s.freeAt = t + c.actualMs
        calls++
      }
    }
    let next = Infinity
    for (const s of q.staff) next = Math.min(next, s.freeAt > t ? s.freeAt : onShiftAt(s, t) ? Infinity : nextShiftAfter(s, t))
    if (arrived < byArrival.length) next = Math.min(next, byArrival[arrived].arrival)
    if (deadlinePtr < appts.length) next = Math.min(next, appts[deadlinePtr].start! + q.noShowMs)
    for (const c of waiting) {
      if (c.kind === 'walkIn' && Number.isFinite(c.patienceMs)) next = Math.min(next, c.arrival + c.patienceMs)
      // An appointment becomes due at its start.
      if (c.start !== undefined && c.start > t) next = Math.min(next, c.start)
    }
    t = next
  }
  for (const c of cs) if (c.outcome === 'pending') c.outcome = Number.isFinite(c.arrival) ? 'left' : 'noShow'
}
