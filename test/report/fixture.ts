/**
 * TEST FIXTURE — not simulation output. Builds plausible `Comparison` objects for the report
 * tests from a seeded RNG: Berlin's offices and districts (from examples/berlin), a within-14-days
 * share per policy in the range the city reports, utilisation with weekends and holidays off,
 * a lead-time histogram, a waitlist that fills during the warm-up. The numbers are invented and
 * only roughly consistent with each other; they exist to exercise the report, not to be believed.
 */
import { readFileSync } from 'node:fs'
import { createRng, type Rng } from '../../src/model/random.js'
import type {
  Comparison,
  DistrictKpis,
  Kpis,
  OfficeKpis,
  Outcome,
  PolicyName,
  SimulationResult,
  WeekPoint,
} from '../../src/solver/sim/types.js'

export interface FixtureRun {
  policy: PolicyName
  overlays?: string[]
  label?: string
}

export interface FixtureOptions {
  seed?: number
  /** Number of offices: Berlin's first n (≤ 46), more are invented. */
  offices?: number
  /** Measured days (columns of the utilisation grid). */
  days?: number
  warmupDays?: number
  start?: string
  runs?: FixtureRun[]
  /** Requests per working day across the city. */
  requestsPerDay?: number
}

interface Office {
  id: string
  name: string
  district: string
}

const BERLIN: Office[] = (
  JSON.parse(readFileSync(new URL('../../examples/berlin/scenario.json', import.meta.url), 'utf8')) as {
    offices: { id: string; name: string; district: string }[]
  }
).offices.map((o) => ({ id: o.id, name: o.name, district: o.district }))

/** Public holidays in Berlin around the fixture's default period. */
const HOLIDAYS = new Set(['2026-12-25', '2026-12-26', '2027-01-01', '2027-03-08', '2027-03-26', '2027-03-29'])

export const DEFAULT_RUNS: FixtureRun[] = [{ policy: 'fcfs' }, { policy: 'waitlist' }, { policy: 'optimized' }]

function addDays(date: string, k: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + k)).toISOString().slice(0, 10)
}

function isWorkday(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number)
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return wd !== 0 && wd !== 6 && !HOLIDAYS.has(date)
}

function normal(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

export function fixtureOffices(count: number): Office[] {
  const out = BERLIN.slice(0, Math.min(count, BERLIN.length))
  for (let i = out.length; i < count; i++) {
    const b = BERLIN[i % BERLIN.length]
    out.push({ id: `9${String(i).padStart(5, '0')}`, name: `Bürgeramt Außenstelle ${i + 1} (${b.district})`, district: b.district })
  }
  return out
}

/** Base within-14-days share by policy (before overlays and noise). */
const BASE_SHARE: Record<PolicyName, number> = { fcfs: 0.63, waitlist: 0.72, optimized: 0.82, fcfs14: 0.75, offers14: 0.78, quotas14: 0.8 }
const WAITLIST_LEVEL: Record<PolicyName, number> = { fcfs: 0, waitlist: 1900, optimized: 1300, fcfs14: 0, offers14: 1500, quotas14: 1400 }

function histogram(rng: Rng, within14: number, appointments: number): { binDays: number; counts: number[] } {
  // Exponential lead times shifted by 1 day, scaled so P(lead < 14) ≈ within14.
  const mean = -13 / Math.log(Math.max(1e-6, 1 - clamp(within14, 0.01, 0.999)))
  const counts = new Array<number>(61).fill(0)
  const samples = 3000
  for (let i = 0; i < samples; i++) {
    const lead = 1 + -Math.log(Math.max(rng.next(), 1e-12)) * mean
    counts[Math.min(60, Math.floor(lead))]++
  }
  return { binDays: 1, counts: counts.map((c) => Math.round((c * appointments) / samples)) }
}

function leadStats(h: { counts: number[] }): Pick<Kpis, 'leadDaysP50' | 'leadDaysP90' | 'leadDaysMean'> {
  const total = h.counts.reduce((a, b) => a + b, 0)
  if (total === 0) return { leadDaysP50: null, leadDaysP90: null, leadDaysMean: null }
  const pct = (q: number) => {
    let acc = 0
    for (let i = 0; i < h.counts.length; i++) {
      acc += h.counts[i]
      if (acc >= q * total) return i + (1 - (acc - q * total) / Math.max(1, h.counts[i]))
    }
    return h.counts.length - 1
  }
  const mean = h.counts.reduce((a, c, i) => a + c * (i + 0.5), 0) / total
  return { leadDaysP50: pct(0.5), leadDaysP90: pct(0.9), leadDaysMean: mean }
}

function outcomes(rng: Rng, requests: number, share: number, policy: PolicyName): Record<Outcome, number> {
  const cancelled = Math.round(requests * (0.05 + 0.02 * rng.next()))
  const noShow = Math.round(requests * (0.04 + 0.02 * rng.next()))
  const unserved = Math.round(requests * clamp(1 - share - 0.18, 0.01, 0.5))
  const waitlistBooked = policy === 'fcfs' ? 0 : Math.round(requests * (0.12 + 0.06 * rng.next()))
  const booked = Math.max(0, requests - cancelled - noShow - unserved - waitlistBooked)
  return { booked, waitlist_booked: waitlistBooked, unserved, cancelled, no_show: noShow }
}

function kpisFor(rng: Rng, requests: number, share: number, policy: PolicyName): Kpis {
  const h = histogram(rng, share, Math.round(requests * 0.85))
  return { requests, within14Share: share, ...leadStats(h), outcomes: outcomes(rng, requests, share, policy) }
}

function buildRun(o: Required<Omit<FixtureOptions, 'runs' | 'offices'>> & { offices: Office[] }, run: FixtureRun, runIndex: number): SimulationResult {
  // Every run draws its own stream; the office loads are shared (same demand, same seed).
  const rng = createRng(o.seed * 7919 + runIndex * 104729 + 1)
  const shared = createRng(o.seed)
  const overlays = run.overlays ?? []
  const boost = 0.025 * overlays.length
  const base = clamp(BASE_SHARE[run.policy] + boost, 0, 0.99)
  const total = o.warmupDays + o.days
  const from = o.start
  const measuredFrom = addDays(from, o.warmupDays)
  const to = addDays(from, total - 1)
  const measuredDates = Array.from({ length: o.days }, (_, i) => addDays(measuredFrom, i))
  // Requests are measured when they arrive at least 14 days before the end.
  const measuredArrivals = measuredDates.slice(0, Math.max(0, o.days - 14))

  const officeLoad = o.offices.map(() => 0.74 + 0.22 * shared.next())
  const districts = [...new Set(o.offices.map((x) => x.district))]
  const districtOffset = new Map(districts.map((d) => [d, (shared.next() - 0.5) * 0.22]))

  // Utilisation grid.
  const values = o.offices.map((_, oi) =>
    measuredDates.map((d) => {
      if (!isWorkday(d) || rng.next() < 0.004) return null
      const monday = new Date(d + 'T00:00:00Z').getUTCDay() === 1 ? 0.04 : 0
      return clamp(officeLoad[oi] + boost + (run.policy === 'optimized' ? 0.02 : 0) + monday + 0.045 * normal(rng), 0.05, 1)
    }),
  )

  // Weekly within-14 shares (dip around Christmas).
  const weekly: WeekPoint[] = []
  for (let w = 0; w * 7 < measuredArrivals.length; w++) {
    const days = measuredArrivals.slice(w * 7, w * 7 + 7)
    const workdays = days.filter(isWorkday).length
    const requests = Math.round(workdays * o.requestsPerDay * (0.9 + 0.2 * rng.next()))
    const xmas = days.some((d) => d.slice(5) >= '12-20' || d.slice(5) <= '01-03') ? -0.07 : 0
    weekly.push({ weekStart: days[0], requests, within14Share: requests ? clamp(base + xmas + 0.035 * normal(rng), 0, 1) : 0 })
  }
  const requests = weekly.reduce((a, w) => a + w.requests, 0)
  const share = requests ? weekly.reduce((a, w) => a + w.requests * w.within14Share, 0) / requests : 0

  const byDistrict: DistrictKpis[] = districts.map((district) => {
    const n = o.offices.filter((x) => x.district === district).length
    const r = Math.round((requests * n) / o.offices.length)
    const s = clamp(share + districtOffset.get(district)! + 0.02 * normal(rng), 0.05, 1)
    return { district, ...kpisFor(rng, r, r ? s : 0, run.policy) }
  })
  const sorted = [...byDistrict].filter((d) => d.requests > 0).sort((a, b) => a.within14Share - b.within14Share)
  const worst = sorted[0], best = sorted[sorted.length - 1]

  const byOffice: OfficeKpis[] = o.offices.map((x, oi) => {
    const row = values[oi].filter((v): v is number => v !== null)
    const r = Math.round(requests / o.offices.length)
    const s = clamp(share + districtOffset.get(x.district)! + 0.04 * normal(rng), 0.05, 1)
    return {
      officeId: x.id,
      officeName: x.name,
      district: x.district,
      utilisation: row.length ? row.reduce((a, b) => a + b, 0) / row.length : 0,
      ...kpisFor(rng, r, r ? s : 0, run.policy),
    }
  })

  const leadHistogram = histogram(rng, share, Math.round(requests * 0.85))
  const cells = values.flat().filter((v): v is number => v !== null)
  const utilisation = cells.length ? cells.reduce((a, b) => a + b, 0) / cells.length : 0

  const level = WAITLIST_LEVEL[run.policy] * (1 - 0.15 * overlays.length)
  let waiting = 0
  const waitlistLength = Array.from({ length: total }, (_, i) => {
    const date = addDays(from, i)
    if (level === 0) return { date, waiting: 0 }
    const target = i < o.warmupDays ? (level * (i + 1)) / Math.max(1, o.warmupDays) : level
    waiting = Math.max(0, Math.round(waiting + 0.5 * (target - waiting) + level * 0.04 * normal(rng) + (isWorkday(date) ? 0 : level * 0.05)))
    return { date, waiting }
  })
  const measuredWaiting = waitlistLength.slice(o.warmupDays).map((w) => w.waiting)
  const cityOutcomes = outcomes(rng, requests, share, run.policy)
  const offers = run.policy === 'fcfs' ? 0 : Math.round(requests * 0.22)
  const freedSlots = cityOutcomes.cancelled

  const appts = Math.round(requests * 0.7)
  const noShowsDay = Math.round(appts * 0.1)
  const walkIns = Math.round(appts * 0.47)
  const dayOfService = {
    officeDays: 44 * o.days, appointments: appts, arrived: appts - noShowsDay, noShows: noShowsDay,
    noShowHours: Math.round(noShowsDay * 0.4), noShowHoursRecovered: Math.round(noShowsDay * 0.4 * (0.5 + 0.2 * rng.next())),
    citizensServed: appts - noShowsDay + Math.round(walkIns * 0.8), appointmentsServed: appts - noShowsDay, walkIns, walkInsServed: Math.round(walkIns * 0.8), left: Math.round(walkIns * 0.2),
    appointmentWaitP50: 2, appointmentWaitP90: 9 + Math.round(5 * rng.next()), walkInWaitP50: 24, walkInWaitP90: 70 + Math.round(20 * rng.next()),
    appointmentsDelayed: Math.round(appts * 0.03), overbooked: 0,
  }
  return {
    scenario: 'berlin',
    dayOfService,
    policy: run.policy,
    seed: o.seed,
    overlays,
    from,
    to,
    measuredFrom,
    days: total,
    warmupDays: o.warmupDays,
    fillDays: 0,
    totalRequests: Math.round(requests * (total / Math.max(1, measuredArrivals.length))),
    kpis: {
      requests,
      within14Share: share,
      ...leadStats(leadHistogram),
      outcomes: cityOutcomes,
      servedShare: requests ? (cityOutcomes.booked + cityOutcomes.waitlist_booked + cityOutcomes.no_show) / requests : 0,
      matchingsTimeLimited: 0,
      sickCalls: 0,
      disruptedAppointments: 0,
      replacedSameDayShare: 0,
      utilisation,
      servedUtilisation: utilisation * 0.95,
      freedSlots,
      refilledShare: freedSlots ? clamp((run.policy === 'fcfs' ? 0.55 : 0.85) + 0.05 * rng.next(), 0, 1) : 0,
      noShows: cityOutcomes.no_show,
      noShowHours: cityOutcomes.no_show * 0.3,
      waitlistMean: measuredWaiting.length ? measuredWaiting.reduce((a, b) => a + b, 0) / measuredWaiting.length : 0,
      waitlistMax: measuredWaiting.length ? Math.max(...measuredWaiting) : 0,
      offers,
      offerAcceptShare: offers ? 0.6 + 0.1 * rng.next() : 0,
    },
    byDistrict,
    byOffice,
    districtSpread: worst
      ? { min: worst.within14Share, max: best.within14Share, range: best.within14Share - worst.within14Share, worst: worst.district, best: best.district }
      : { min: 0, max: 0, range: 0, worst: '', best: '' },
    weekly,
    leadHistogram,
    waitlistLength,
    utilisationGrid: { officeIds: o.offices.map((x) => x.id), dates: measuredDates, values },
  }
}

/** A seeded, plausible comparison of runs (default: fcfs, waitlist, optimized on Berlin's 46 offices, 90 measured days). */
export function buildFixtureComparison(options: FixtureOptions = {}): Comparison {
  const o = {
    seed: options.seed ?? 42,
    days: options.days ?? 90,
    warmupDays: options.warmupDays ?? 14,
    start: options.start ?? '2026-12-01',
    requestsPerDay: options.requestsPerDay ?? 9600,
    offices: fixtureOffices(options.offices ?? BERLIN.length),
  }
  const runs = options.runs ?? DEFAULT_RUNS
  return {
    runs: runs.map((r, i) => ({
      label: r.label ?? [r.policy, ...(r.overlays ?? [])].join(' + '),
      result: buildRun(o, r, i),
    })),
  }
}

/** A run where nothing was measured: zero requests, null lead times, empty histogram and waitlist. */
export function emptyFixtureRun(label = 'fcfs'): Comparison['runs'][number] {
  const none: Record<Outcome, number> = { booked: 0, waitlist_booked: 0, unserved: 0, cancelled: 0, no_show: 0 }
  return {
    label,
    result: {
      dayOfService: {
        officeDays: 0, appointments: 0, arrived: 0, noShows: 0, noShowHours: 0, noShowHoursRecovered: 0, citizensServed: 0, appointmentsServed: 0, walkIns: 0, walkInsServed: 0, left: 0,
        appointmentWaitP50: null, appointmentWaitP90: null, walkInWaitP50: null, walkInWaitP90: null, appointmentsDelayed: 0, overbooked: 0,
      },
      scenario: 'empty',
      policy: 'fcfs',
      seed: 1,
      overlays: [],
      from: '2026-12-01',
      to: '2026-12-01',
      measuredFrom: '2026-12-01',
      days: 1,
      warmupDays: 0,
      fillDays: 0,
      totalRequests: 0,
      kpis: {
        requests: 0,
        within14Share: Number.NaN,
        leadDaysP50: null,
        leadDaysP90: null,
        leadDaysMean: null,
        outcomes: none,
        servedShare: Number.NaN,
        matchingsTimeLimited: 0,
        sickCalls: 0,
        disruptedAppointments: 0,
        replacedSameDayShare: 0,
        utilisation: Number.NaN,
        servedUtilisation: 0,
        freedSlots: 0,
        refilledShare: Number.NaN,
        noShows: 0,
        noShowHours: 0,
        waitlistMean: 0,
        waitlistMax: 0,
        offers: 0,
        offerAcceptShare: Number.NaN,
      },
      byDistrict: [{ district: 'Mitte', requests: 0, within14Share: 0, leadDaysP50: null, leadDaysP90: null, leadDaysMean: null, outcomes: none }],
      byOffice: [],
      districtSpread: { min: 0, max: 0, range: 0, worst: '', best: '' },
      weekly: [],
      leadHistogram: { binDays: 1, counts: [] },
      waitlistLength: [],
      utilisationGrid: { officeIds: [], dates: [], values: [] },
    },
  }
}
