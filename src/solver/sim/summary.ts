/**
 * A run's results from its request rows and the scheduler's final state: KPIs for the city, per
 * district, office and week, the lead-time histogram, the waitlist per day and utilisation per
 * office and day.
 */
import { countRange } from '../../model/bitset.js'
import type { Scenario } from '../../model/schema.js'
import { kpisByGroup, kpisOf, leadHistogram } from './kpis.js'
import { simulateDays } from './day-sim.js'
import type { Sim } from './simulate.js'
import type { CityKpis, SimulationResult } from './types.js'

/** What a run counts as it goes, besides the request rows. */
export interface RunTotals {
  /** Staff time freed by cancellations on the measured days: staff index, units [a, b). */
  freed: { p: number; a: number; b: number }[]
  offersMade: number
  offersAccepted: number
  waitlistLength: { date: string; waiting: number }[]
  /** Nightly matchings that hit their budget. */
  timeLimited: number
  /** Measured days: staff sick calls, appointments they disrupted, and those placed again the same day. */
  sickCalls: number
  disrupted: number
  replacedSameDay: number
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4

export function summarise(sim: Sim, scenario: Scenario, simEnd: number): SimulationResult {
  const { m, log, opt, window, t0Day, totalDays, totals, scheduler: s } = sim
  const measuredFrom = opt.fillDays + opt.warmupDays
  const nO = m.officeIds.length

  // Missed appointments: known once they have begun.
  const noShowUnits = new Float64Array(nO * m.days)
  for (let i = 0; i < log.length; i++) {
    if (!sim.citizen(i).noShow || !log.hadAppointment(i) || log.start[i] >= simEnd) continue
    log.setOutcome(i, 'no_show')
    const d = sim.port.cal.dayOfInstant(log.start[i])
    noShowUnits[log.office[i] * m.days + d] += log.units[i]
  }

  const measuredDays: number[] = []
  for (let d = measuredFrom; d < totalDays; d++) measuredDays.push(t0Day + d)
  const simEndUnit = (simEnd - m.t0) / m.unitMs
  const dayOfService = simulateDays({
    m,
    behaviour: opt.behaviour,
    seed: opt.seed,
    days: measuredDays,
    appointments: [...sim.port.appointmentRecords()]
      .filter((a) => a.start < simEndUnit)
      .map((rec) => ({ rec, noShow: rec.citizenId !== undefined && rec.citizenId.startsWith('c') && sim.citizen(Number(rec.citizenId.slice(1)))?.noShow === true })),
  })
  const work = new Float64Array(nO * m.days), busy = new Float64Array(nO * m.days)
  for (const seg of m.segments) {
    if (seg.day < t0Day + measuredFrom || seg.day >= t0Day + totalDays) continue
    const k = seg.office * m.days + seg.day
    work[k] += seg.end - seg.start
    busy[k] += countRange(s.busyUnits(seg.staff), seg.start, seg.end)
  }
  const sum = (a: Float64Array, o?: number) => {
    let x = 0
    for (const d of measuredDays) for (let oo = 0; oo < nO; oo++) if (o === undefined || o === oo) x += a[oo * m.days + d]
    return x
  }
  const totalWork = sum(work), totalBusy = sum(busy), totalNoShow = sum(noShowUnits)
  let freedUnits = 0, refilledUnits = 0
  for (const f of totals.freed) {
    freedUnits += f.b - f.a
    refilledUnits += countRange(s.busyUnits(f.p), f.a, f.b)
  }
  const waitMeasured = totals.waitlistLength.slice(measuredFrom)
  const base = kpisOf(log, window)
  const served = base.outcomes.booked + base.outcomes.waitlist_booked + base.outcomes.no_show
  const city: CityKpis = {
    ...base,
    servedShare: base.requests ? r4(served / base.requests) : 0,
    utilisation: totalWork ? r4(totalBusy / totalWork) : 0,
    servedUtilisation: totalWork ? r4((totalBusy - totalNoShow) / totalWork) : 0,
    freedSlots: totals.freed.length,
    refilledShare: freedUnits ? r4(refilledUnits / freedUnits) : 0,
    noShows: base.outcomes.no_show,
    noShowHours: Math.round((totalNoShow * m.unitMinutes) / 60),
    waitlistMean: waitMeasured.length ? Math.round((waitMeasured.reduce((a, w) => a + w.waiting, 0) / waitMeasured.length) * 10) / 10 : 0,
    waitlistMax: Math.max(0, ...waitMeasured.map((w) => w.waiting)),
    offers: totals.offersMade,
    offerAcceptShare: totals.offersMade ? r4(totals.offersAccepted / totals.offersMade) : 0,
    matchingsTimeLimited: totals.timeLimited,
    sickCalls: totals.sickCalls,
    disruptedAppointments: totals.disrupted,
    replacedSameDayShare: totals.disrupted ? r4(Math.min(1, totals.replacedSameDay / totals.disrupted)) : 0,
  }
  const districts = sim.citizens.districts
  const districtKpis = kpisByGroup(log, window, (i) => log.district[i], districts.length)
  const byDistrict = districts.map((d, k) => ({ district: d, ...districtKpis[k] }))
  const shares = byDistrict.filter((d) => d.requests > 0)
  const worst = shares.reduce((a, x) => (x.within14Share < a.within14Share ? x : a), shares[0] ?? byDistrict[0])
  const best = shares.reduce((a, x) => (x.within14Share > a.within14Share ? x : a), shares[0] ?? byDistrict[0])
  const officeKpis = kpisByGroup(log, window, (i) => log.office[i], nO)
  const byOffice = scenario.offices.map((o, k) => {
    const w = sum(work, k)
    return { officeId: o.id, officeName: o.name, district: o.district, ...officeKpis[k], utilisation: w ? r4(sum(busy, k) / w) : 0 }
  })
  // Weeks from the first measured day; `bounds[g]` is week g's first instant.
  const weekDays: number[] = [], bounds: number[] = []
  for (let d = measuredFrom; sim.dayMs(d) < window.until; d += 7) weekDays.push(d), bounds.push(sim.dayMs(d))
  bounds.push(sim.dayMs(measuredFrom + 7 * weekDays.length))
  const weekOf = (i: number) => {
    const t = log.requestedAt[i]
    for (let g = 0; g < weekDays.length; g++) if (t < bounds[g + 1]) return t >= bounds[g] ? g : -1
    return -1
  }
  const weekKpis = kpisByGroup(log, window, weekOf, weekDays.length)
  const weekly = weekDays.map((d, g) => ({ weekStart: m.dates[t0Day + d], requests: weekKpis[g].requests, within14Share: weekKpis[g].within14Share }))
  return {
    scenario: scenario.name ?? '(unnamed)',
    policy: opt.policy,
    seed: opt.seed,
    overlays: opt.overlays,
    from: sim.from,
    to: m.dates[t0Day + totalDays - 1],
    measuredFrom: m.dates[t0Day + measuredFrom],
    days: opt.days,
    warmupDays: opt.warmupDays,
    fillDays: opt.fillDays,
    totalRequests: log.length,
    kpis: city,
    byDistrict,
    byOffice,
    districtSpread: {
      min: worst?.within14Share ?? 0,
      max: best?.within14Share ?? 0,
      range: r4((best?.within14Share ?? 0) - (worst?.within14Share ?? 0)),
      worst: worst?.district ?? '',
      best: best?.district ?? '',
    },
    dayOfService,
    weekly,
    leadHistogram: leadHistogram(log, window, Math.max(60, ...scenario.offices.map((o) => o.bookingWindow.maxDays))),
    waitlistLength: totals.waitlistLength,
    utilisationGrid: {
      officeIds: scenario.offices.map((o) => o.id),
      dates: measuredDays.map((d) => m.dates[d]),
      values: scenario.offices.map((_, o) => measuredDays.map((d) => (work[o * m.days + d] ? r4(busy[o * m.days + d] / work[o * m.days + d]) : null))),
    },
  }
}
