/** The day of service's reads: tickets with predicted waits, no-shows, the day's figures, service times and their overlay. */
import { fail } from '../../model/errors.js'
import { DurationOverlayOptionsSchema, type DurationOverlayOptions } from '../../model/day-requests.js'
import type { OverlayInput } from '../../model/overlay.js'
import { parseCommand } from '../../model/requests.js'
import { localDateOf } from '../../model/tz.js'
import { durationOverlayOf, plannedMinutes, sampleStat } from '../day/durations.js'
import { runQueue, type QueueCitizen, type QueueStaff } from '../day/queue-run.js'
import type { SchedulerImpl } from './impl.js'
import { dayPolicy, expectedMs, MIN, noShowView, ruleTickets, skilled, ticketView } from './day-queue.js'
import { officeOf } from './day-commands.js'
import type { DayStats, DurationStat, NoShow, Ticket } from './types.js'

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
  const ds = s.ctx.daySegs[d]
  for (let k = ds.officeFirst[o]; k < ds.officeFirst[o + 1]; k++) {
    const g = m.segments[ds.seg[ds.byOffice[k]]]
    // Overbooking time is nobody's: it calls no one.
    if (m.scenario.staff[g.staff].overbooking) continue
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

