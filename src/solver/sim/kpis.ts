/**
 * KPIs from the request rows alone, so that anyone can recompute them from events.csv:
 * a request is measured when it arrived in [measuredFrom, end − 14 days]; it counts as within
 * 14 days when it had an appointment (booked, waitlist_booked or no_show) starting at most
 * 14×24 h after the request.
 */
import type { RequestLog } from './requests.js'
import { OUTCOMES, type Kpis, type Outcome } from './types.js'

export const DAY_MS = 86_400_000
export const GOAL_MS = 14 * DAY_MS

export interface MeasureWindow {
  from: number
  /** Requests at or after this instant are too late to be measured. */
  until: number
}

export function isMeasured(log: RequestLog, i: number, w: MeasureWindow): boolean {
  const t = log.requestedAt[i]
  return t >= w.from && t <= w.until
}

/** Nearest-rank percentile of a sorted array. */
function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d

/**
 * KPIs per group in one pass over the rows: `groupOf(i)` in [0, groups) places a measured request,
 * anything else leaves it out (e.g. −1 for an office when there is no appointment).
 */
export function kpisByGroup(log: RequestLog, w: MeasureWindow, groupOf: (i: number) => number, groups: number): Kpis[] {
  const n = new Array<number>(groups).fill(0), within = new Array<number>(groups).fill(0)
  const outcomes = Array.from({ length: groups }, () => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>)
  const leads = Array.from({ length: groups }, () => [] as number[])
  for (let i = 0; i < log.length; i++) {
    if (!isMeasured(log, i, w)) continue
    const g = groupOf(i)
    if (!(g >= 0 && g < groups)) continue
    n[g]++
    outcomes[g][log.outcomeOf(i)]++
    if (!log.hadAppointment(i)) continue
    const lead = log.start[i] - log.requestedAt[i]
    leads[g].push(lead / DAY_MS)
    if (lead <= GOAL_MS) within[g]++
  }
  const r2 = (x: number | null) => (x === null ? null : round(x, 2))
  return leads.map((l, g) => {
    const sorted = Float64Array.from(l).sort()
    const mean = l.length ? l.reduce((a, b) => a + b, 0) / l.length : null
    return {
      requests: n[g],
      within14Share: n[g] ? round(within[g] / n[g]) : 0,
      leadDaysP50: r2(percentile(sorted, 0.5)),
      leadDaysP90: r2(percentile(sorted, 0.9)),
      leadDaysMean: r2(mean),
      outcomes: outcomes[g],
    }
  })
}

/** KPIs over all measured requests. */
export function kpisOf(log: RequestLog, w: MeasureWindow): Kpis {
  return kpisByGroup(log, w, () => 0, 1)[0]
}

/** Lead-time histogram in whole days; the last bin collects everything longer. */
export function leadHistogram(log: RequestLog, w: MeasureWindow, maxDays: number): { binDays: number; counts: number[] } {
  const counts = new Array<number>(maxDays + 1).fill(0)
  for (let i = 0; i < log.length; i++) {
    if (!isMeasured(log, i, w) || !log.hadAppointment(i)) continue
    const d = Math.floor((log.start[i] - log.requestedAt[i]) / DAY_MS)
    counts[Math.min(maxDays, Math.max(0, d))]++
  }
  return { binDays: 1, counts }
}
