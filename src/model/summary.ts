/** Plain figures about a compiled model, for `terminplan summary` and for people sanity-checking input. */
import { popcount } from './bitset.js'
import type { Model } from './compile.js'
import { isoWeekday } from './tz.js'

export interface ModelSummary {
  name?: string
  timezone: string
  horizon: { start: string; days: number; end: string }
  unitMinutes: number
  offices: number
  districts: number
  staff: number
  services: number
  /** Days on which any staff member works. */
  workingDays: number
  /** Staff hours available for appointments per working day (after breaks, absences, closures). */
  staffedHoursPerWorkingDay: number
  /** Grid units staff can serve per working day. */
  bookableUnitsPerWorkingDay: number
  /** Demand-weighted mean appointment length in units (over offices offering each service). */
  meanServiceUnits: number
  /** Appointments the staffed time could hold per working day at that mean length. */
  appointmentCapacityPerWorkingDay: number
  /** Forecast requests falling on working days, per working day. */
  demandPerWorkingDay: number
}

export function summarizeModel(m: Model): ModelSummary {
  const s = m.scenario
  const perDay = new Float64Array(m.days)
  for (const seg of m.segments) perDay[seg.day] += seg.end - seg.start
  const workingDays = perDay.reduce((n, u) => n + (u > 0 ? 1 : 0), 0)
  const totalUnits = m.work.reduce((n, b) => n + popcount(b), 0)

  // Demand over the horizon, per service, for the weighting and the per-day figure.
  const nS = m.serviceIds.length
  // Requests counted on working days only, so the per-working-day figure compares with capacity.
  const working = new Set(m.dates.filter((_, i) => perDay[i] > 0))
  const demandBy = new Float64Array(nS)
  for (const d of s.demand) {
    const si = m.serviceIndex.get(d.service)!
    if (d.date !== undefined) demandBy[si] += working.has(d.date) ? d.count : 0
    else for (const date of working) if (isoWeekday(date) === d.weekday) demandBy[si] += d.count
  }
  let wSum = 0, uSum = 0
  for (let si = 0; si < nS; si++) {
    let n = 0, tot = 0
    for (let oi = 0; oi < m.officeIds.length; oi++) {
      const u = m.durationUnits[oi * nS + si]
      if (u > 0) { n++; tot += u }
    }
    if (n === 0) continue
    const w = demandBy[si] > 0 ? demandBy[si] : s.demand.length === 0 ? 1 : 0
    wSum += w
    uSum += w * (tot / n)
  }
  const meanServiceUnits = wSum > 0 ? uSum / wSum : 0
  const totalDemand = demandBy.reduce((a, b) => a + b, 0)
  const perWorkingDay = (x: number) => (workingDays > 0 ? x / workingDays : 0)
  const round1 = (x: number) => Math.round(x * 10) / 10

  return {
    name: s.name,
    timezone: m.zone,
    horizon: { start: s.horizon.start, days: m.days, end: m.dates[m.days - 1] },
    unitMinutes: m.unitMinutes,
    offices: m.officeIds.length,
    districts: m.districtIds.length,
    staff: m.staffIds.length,
    services: nS,
    workingDays,
    staffedHoursPerWorkingDay: round1(perWorkingDay((totalUnits * m.unitMinutes) / 60)),
    bookableUnitsPerWorkingDay: Math.round(perWorkingDay(totalUnits)),
    meanServiceUnits: round1(meanServiceUnits),
    appointmentCapacityPerWorkingDay: meanServiceUnits > 0 ? Math.round(perWorkingDay(totalUnits) / meanServiceUnits) : 0,
    demandPerWorkingDay: Math.round(perWorkingDay(totalDemand)),
  }
}
