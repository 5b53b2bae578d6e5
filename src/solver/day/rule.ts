/**
 * The call rule of the day of service, "appointments at their time, walk-ins in the gaps": which
 * waiting citizen a free staff member calls next. One pure function, used by `callNext`, by the
 * waiting-time prediction and by the simulation of the day, so all three follow the same rule.
 *
 * 1. **Due appointments first.** Among checked-in appointments whose start has come (and walk-ins
 *    a no-show's time was reserved for on this staff member), the earliest start; at equal starts
 *    the one booked to this staff member, then the earliest check-in. Earliest start first keeps
 *    the largest delay of any appointment as small as it can be.
 * 2. **Then the gaps, in arrival order.** A walk-in, or an appointment checked in before its time,
 *    is called if serving it (for its expected duration) ends no later than the staff member's next
 *    booked appointment plus `maxDelayMs`; the first such citizen in check-in order. So a walk-in
 *    never delays an appointment by more than the policy's limit, and an early citizen is served
 *    early only where that fits too (their own appointment does not count against it).
 * 3. Skills always hold: only citizens whose every service the staff member has.
 */

export interface RuleTicket {
  kind: 'appointment' | 'walkIn'
  /** Planned start (ms) of an appointment, or of a walk-in's reserved time; undefined for other walk-ins. */
  start?: number
  /** Staff member the time is booked or reserved to, or -1. */
  booked: number
  checkedInAt: number
  /** How long serving is expected to take (ms). */
  expectedMs: number
  /** Order among equals (ticket sequence). */
  seq: number
}

export interface RuleInput<T extends RuleTicket> {
  at: number
  staff: number
  /** Waiting, checked-in citizens at the office. */
  waiting: readonly T[]
  canServe(t: T): boolean
  /** Start (ms) of this staff member's next booked appointment not yet served or released, ignoring `except`; Infinity if none. */
  nextBooked(except: T | undefined): number
  maxDelayMs: number
}

/** Whether `t` counts as due under rule 1. */
export function isDue<T extends RuleTicket>(t: T, at: number, staff: number): boolean {
  if (t.start === undefined || t.start > at) return false
  // A walk-in's reserved time belongs to the staff member it was reserved on.
  return t.kind === 'appointment' || t.booked === staff
}

export function pickNext<T extends RuleTicket>(r: RuleInput<T>): T | undefined {
  let best: T | undefined
  for (const t of r.waiting) {
    if (!isDue(t, r.at, r.staff) || !r.canServe(t)) continue
    if (!best || dueBefore(t, best, r.staff)) best = t
  }
  if (best) return best
  let gapBase: number | undefined
  let first: T | undefined
  for (const t of r.waiting) {
    // A walk-in reserved on another staff member waits for them.
    if (t.kind === 'walkIn' && t.booked >= 0 && t.booked !== r.staff) continue
    if (!r.canServe(t)) continue
    const own = t.kind === 'appointment' && t.booked === r.staff
    const next = own ? r.nextBooked(t) : (gapBase ??= r.nextBooked(undefined))
    if (r.at + t.expectedMs > next + r.maxDelayMs) continue
    if (!first || t.checkedInAt < first.checkedInAt || (t.checkedInAt === first.checkedInAt && t.seq < first.seq)) first = t
  }
  return first
}

function dueBefore(a: RuleTicket, b: RuleTicket, staff: number): boolean {
  if (a.start! !== b.start!) return a.start! < b.start!
  const ao = a.booked === staff ? 0 : 1, bo = b.booked === staff ? 0 : 1
  if (ao !== bo) return ao < bo
  return a.checkedInAt < b.checkedInAt || (a.checkedInAt === b.checkedInAt && a.seq < b.seq)
}
