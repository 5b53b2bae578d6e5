/** The clock: setNow fires due timers in time order (hold and offer expiries, freezes, reminders, beginnings), releases newly bookable days at midnight and rolls a rolling horizon. */
import { fail } from '../../model/errors.js'
import { addDays, localDateOf } from '../../model/tz.js'
import { parseNow } from './args.js'
import { rebuild } from './live.js'
import { setContextNow } from '../search.js'
import type { SchedulerImpl } from './impl.js'
import { sweep } from './day-sweep.js'

export function setNow(s: SchedulerImpl, nowInput: string | number): void {
  const ms = parseNow(nowInput)
  if (ms < s.ctx.now) fail('COMMAND_INVALID', '$.now', 'clock_backwards', `the clock cannot go back (now is ${s.now()})`)
  // Expiries fire in time order, each seeing the clock at its own moment. A horizon roll on the
  // way replaces the ledger (and its timers), so the heap is read anew each time.
  // Each local midnight on the way is a stop of its own, before a timer due at the same instant:
  // a day is released at its midnight, not at whatever timer comes first after it (a restored
  // scheduler sets fewer timers and must release it at the same moment), and what the release
  // offers expires by its own timer within this call.
  for (;;) {
    const timers = s.ledger.timers
    const midnight = nextMidnight(s)
    const due = timers.length > 0 && timers.peek()!.at <= ms ? timers.peek()!.at : Infinity
    if (midnight <= ms && midnight <= due) {
      s.advanceTo(midnight)
      continue
    }
    if (due === Infinity) break
    const t = timers.peek()!
    if (s.rollDue(t.at)) {
      s.advanceTo(t.at)
      continue
    }
    timers.pop()
    if (!s.ledger.timerLive(t)) continue
    s.advanceTo(t.at)
    switch (t.kind) {
      case 'hold': {
        const h = s.ledger.holds.get(t.id)!
        s.ledger.holds.delete(h.id)
        s.ledger.unlinkCitizen(h.citizenId, h.id)
        s.emit('expired', { hold: s.st.holdView(h) })
        s.release(h.staff, h.office, h.start, h.end, 'expired')
        s.reconsiderCitizen(h.citizenId)
        break
      }
      case 'freeze': {
        const f = s.ledger.freezes.get(t.id)!
        s.ledger.freezes.delete(f.id)
        s.release(f.staff, f.office, f.start, f.end, 'cancelled')
        break
      }
      case 'offer':
        s.expireGroup(s.ledger.groups.get(t.id)!)
        break
      case 'reminder': {
        const a = s.ledger.appointments.get(t.id)!
        const startMs = s.model.t0 + a.start * s.model.unitMs
        // A rescheduled appointment's old reminder is stale: only the one for its start counts.
        if (startMs > s.ctx.now && t.at === startMs - s.model.scenario.policy.reminderMinutesBefore * 60_000) s.notifyAppointment('reminder', a)
        break
      }
      case 'begin':
        if (t.at !== s.model.t0 + s.ledger.appointments.get(t.id)!.start * s.model.unitMs + 1) break
        s.beginSet.delete(t.id)
        // The appointment has begun and no longer counts against the citizen's limit.
        s.reconsiderCitizen(s.ledger.appointments.get(t.id)!.citizenId)
        break
    }
  }
  s.advanceTo(ms)
  sweep(s)
}

/** The next local midnight after the clock within the horizon, or Infinity. */
function nextMidnight(s: SchedulerImpl): number {
  const m = s.model, next = s.ctx.nowDay + 1
  if (next < 0 || next >= m.days) return Infinity
  const at = m.t0 + m.dayStart[next] * m.unitMs
  return at > s.ctx.now ? at : Infinity
}

/**
 * Whether a rolling horizon should move: it starts yesterday (so last night's shifts that run
 * past midnight keep their working time today) and `ms` is on a later date than that.
 */
export function rollDue(s: SchedulerImpl, ms: number): boolean {
  return s.rolling && addDays(localDateOf(s.model.zone, ms), -1) > s.model.scenario.horizon.start
}

/**
 * Moves the clock; when the local date changes, the booking window releases new days. With a
 * rolling horizon the state is first rebuilt on a horizon that starts today.
 */
export function advanceTo(s: SchedulerImpl, ms: number): void {
  let before = s.ctx.nowDay
  setContextNow(s.ctx, ms)
  if (s.rollDue(ms)) {
    const start = addDays(localDateOf(s.model.zone, ms), -1)
    const k = s.model.dates.indexOf(start)
    const shift = k >= 0 ? k : s.model.days
    rebuild(s, s.versions.rolled(start), undefined, -1)
    before -= shift
  }
  const after = s.ctx.nowDay
  if (after <= before) return
  s.engine.wl.prune(after)
  if (s.engine.wl.waiting === 0) return
  const m = s.model
  for (let o = 0; o < m.officeIds.length; o++) {
    // The window's new last day, and the short-notice staff's (bestCandidate checks whose time it is).
    const short = m.scenario.offices[o].bookingWindow.shortNotice?.days
    for (const max of short !== undefined && short < s.ctx.windowMax[o] ? [short, s.ctx.windowMax[o]] : [s.ctx.windowMax[o]])
      for (let d = Math.max(0, before + max + 1); d <= Math.min(m.days - 1, after + max); d++) s.engine.offerDay(o, d)
  }
}
