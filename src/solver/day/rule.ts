/**
 * The call rule of the day of service, "appointments at their time, walk-ins in the gaps": which
 * waiting citizen a free staff member calls next. One pure function, used by `callNext`, by the
 * waiting-time prediction and by the simulation of the day, so all three follow the same rule.
 *
 * 1. **Own due appointments first.** Checked-in citizens booked to this staff member whose start
 *    has come (and walk-ins a no-show's time was reserved for on them), earliest start first, then
 *    earliest check-in.
 * 2. **Then the gaps.** Anyone else who is there — another staff member's due appointment (earliest
 *    start first), then walk-ins and citizens who came early, in check-in order — is called only
 *    if serving them (for their expected duration) ends no later than this staff member's next
 *    booked appointment plus `maxDelayMs`. So serving others never delays one's own appointments
 *    by more than the limit: with service times as expected and citizens on time, no appointment
 *    starts more than `maxDelayMs` late (test/day/queue-run.test.ts checks exactly that).
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
  let own: T | undefined
  for (const t of r.waiting) {
    if (t.booked !== r.staff || !isDue(t, r.at, r.staff) || !r.canServe(t)) continue
    if (!own || dueBefore(t, own)) own = t
  }
  if (own) return own
  let gapBase: number | undefined
  const fits = (t: T) => {
    // An early citizen's own appointment does not count against serving them now.
    const next = t.booked === r.staff ? r.nextBooked(t) : (gapBase ??= r.nextBooked(undefined))
    return r.at + t.expectedMs <= next + r.maxDelayMs
  }
  let due: T | undefined
  for (const t of r.waiting) {
    if (t.kind !== 'appointment' || !isDue(t, r.at, r.staff) || !r.canServe(t) || !fits(t)) continue
    if (!due || dueBefore(t, due)) due = t
  }
  if (due) return due
  let first: T | undefined
  for (const t of r.waiting) {
    // A walk-in reserved on another staff member waits for them.
    if (t.kind === 'walkIn' && t.booked >= 0 && t.booked !== r.staff) continue
    if (!r.canServe(t) || !fits(t)) continue
    if (!first || t.checkedInAt < first.checkedInAt || (t.checkedInAt === first.checkedInAt && t.seq < first.seq)) first = t
  }
  return first
}

function dueBefore(a: RuleTicket, b: RuleTicket): boolean {
  if (a.start! !== b.start!) return a.start! < b.start!
  return a.checkedInAt < b.checkedInAt || (a.checkedInAt === b.checkedInAt && a.seq < b.seq)
}
