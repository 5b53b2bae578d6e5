/**
 * Overbooking for no-shows (the `overbook` overlay kind): per office and weekday, book beyond the
 * staff's time by as much as the forecast no-show rate allows with a stated bound on the expected
 * number of citizens who come and find no booked time of their own.
 *
 * The plan, per office and weekday: the staff's minutes C (shifts minus breaks), the mean
 * appointment length L (the office's services weighted by forecast demand), so n = ⌊C / L⌋
 * appointments fit. With k more booked, the citizens who come are X ~ Binomial(n + k, 1 − q)
 * (independent no-shows at rate q); those beyond n wait for someone's free time. k is the largest
 * number with E[max(0, X − n)] ≤ maxExpectedOverflow, and k·L minutes of bookable time are added
 * as overbooking staff (`overbooking: true`): nobody on the day; whoever is free serves their
 * appointments (src/solver/day/rule.ts), so the call queue absorbs the overflow. Their time is
 * spread evenly over the opening hours (blocks as long as the longest service, breaks between),
 * so the extra bookings do not pile up at one time of day.
 */
import { z } from 'zod'
import { IdSchema, type Office, type Scenario, type Shift } from './schema.js'
import { issue, type Ctx } from './live-changes.js'

export const OverbookChangeSchema = z
  .strictObject({
    kind: z.literal('overbook'),
    noShowRate: z.number().min(0).max(0.5).meta({ description: 'Forecast share of appointments nobody comes to.' }),
    maxExpectedOverflow: z
      .number()
      .min(0)
      .max(100)
      .default(1)
      .meta({ description: 'Bound on the expected number of citizens per office and day who come and find no booked time of their own.' }),
    offices: z.array(IdSchema).min(1).optional().meta({ description: 'Only these offices; omitted = all.' }),
  })
  .meta({ description: 'Books beyond the staff time by the forecast no-show rate, with a bound on the expected overflow (overbooking staff).' })
export type OverbookChange = z.output<typeof OverbookChangeSchema>

export interface OverbookingRow {
  officeId: string
  weekday: number
  /** Appointments the staff's own time holds (n), and those booked beyond it (k). */
  capacity: number
  extra: number
  meanMinutes: number
  /** E[max(0, X − n)], X ~ Binomial(n + k, 1 − noShowRate): citizens per day beyond the staff's time. */
  expectedOverflow: number
}

/** E[max(0, X − n)] for X ~ Binomial(trials, p), summed exactly over the pmf. */
export function expectedOverflow(trials: number, p: number, n: number): number {
  if (trials <= n) return 0
  if (p >= 1) return trials - n
  if (p <= 0) return 0
  // pmf by recurrence from its mode outward would be steadier; from 0 in log space is exact enough here.
  const lq = Math.log1p(-p), lp = Math.log(p)
  let logC = 0 // log C(trials, 0)
  let e = 0
  for (let x = 0; x <= trials; x++) {
    if (x > 0) logC += Math.log(trials - x + 1) - Math.log(x)
    if (x > n) e += (x - n) * Math.exp(logC + x * lp + (trials - x) * lq)
  }
  return e
}

/** The largest k ≤ n with expectedOverflow(n + k, 1 − q, n) ≤ bound. */
export function extraBookings(n: number, q: number, bound: number): number {
  let k = 0
  while (k < n && expectedOverflow(n + k + 1, 1 - q, n) <= bound) k++
  return k
}

const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))
const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

function shiftMinutes(sh: Shift): number {
  const len = hm(sh.to) - hm(sh.from)
  return len - sh.breaks.reduce((s, b) => s + Math.max(0, Math.min(hm(sh.to), hm(b.to)) - Math.max(hm(sh.from), hm(b.from))), 0)
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/** The grid the scenario will compile to: unitMinutes, else the greatest common divisor of its durations. */
function gridOf(s: Scenario): number {
  if (s.unitMinutes !== undefined) return s.unitMinutes
  let g = 0
  for (const sv of s.services) {
    g = gcd(g, sv.durationMinutes)
    for (const m of Object.values(sv.officeDurations ?? {})) g = gcd(g, m)
  }
  return Math.max(1, g)
}

/** Mean appointment length at an office: its services weighted by forecast demand (equal weights without any). */
export function meanLength(s: Scenario, office: Office): number {
  let w = 0, sum = 0
  for (const id of office.services) {
    const sv = s.services.find((x) => x.id === id)
    if (!sv) continue
    const len = sv.officeDurations?.[office.id] ?? sv.durationMinutes
    const demand = s.demand.filter((d) => d.service === id && (!d.offices || d.offices.includes(office.id))).reduce((a, d) => a + d.count, 0)
    const weight = demand > 0 ? demand : s.demand.length ? 0 : 1
    w += weight
    sum += weight * len
  }
  return w > 0 ? sum / w : 0
}

export function overbookingPlan(s: Scenario, q: number, bound: number, offices?: readonly string[]): OverbookingRow[] {
  const rows: OverbookingRow[] = []
  for (const office of s.offices) {
    if (offices && !offices.includes(office.id)) continue
    const L = meanLength(s, office)
    if (L <= 0) continue
    const openDays = [...new Set(office.openingHours.flatMap((h) => h.weekdays))]
    for (let w = 1; w <= 7; w++) {
      let minutes = 0
      for (const p of s.staff) {
        if (p.overbooking) continue
        for (const sh of p.shifts) if ((sh.office ?? p.office) === office.id && sh.date === undefined && (sh.weekdays ?? openDays).includes(w)) minutes += shiftMinutes(sh)
      }
      if (minutes === 0) continue
      const n = Math.floor(minutes / L)
      const k = extraBookings(n, q, bound)
      rows.push({ officeId: office.id, weekday: w, capacity: n, extra: k, meanMinutes: L, expectedOverflow: expectedOverflow(n + k, 1 - q, n) })
    }
  }
  return rows
}

/** Opening intervals of an office on an ISO weekday, in minutes. */
function openingOn(office: Office, w: number): [number, number][] {
  return office.openingHours.filter((h) => h.weekdays.includes(w)).map((h) => [hm(h.from), hm(h.to)] as [number, number]).sort((a, b) => a[0] - b[0])
}

/**
 * Shifts that work `minutes` spread over the opening intervals: blocks of `block` minutes (the
 * office's longest service, so any booking fits one) repeating at an even period, breaks between.
 */
function spreadShifts(open: [number, number][], minutes: number, block: number, grid: number, w: number): Shift[] {
  const total = open.reduce((a, [x, y]) => a + y - x, 0)
  const f = Math.min(1, minutes / total)
  if (f <= 0) return []
  const period = Math.max(block, Math.round(block / f / grid) * grid)
  const shifts: Shift[] = []
  for (const [a, b] of open) {
    const breaks: { from: string; to: string }[] = []
    for (let t = a; t < b; t += period) {
      const workEnd = Math.min(b, t + block), next = Math.min(b, t + period)
      if (workEnd < next) breaks.push({ from: fmt(workEnd), to: fmt(next) })
    }
    shifts.push({ weekdays: [w], from: fmt(a), to: fmt(b), breaks: mergeBreaks(breaks) })
  }
  return shifts
}

function mergeBreaks(bs: { from: string; to: string }[]): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = []
  for (const b of bs) {
    const last = out[out.length - 1]
    if (last && last.to === b.from) last.to = b.to
    else out.push({ ...b })
  }
  return out
}

export function overbook(c: Ctx, ch: OverbookChange): (() => void) | null {
  const n0 = c.out.length
  ch.offices?.forEach((id, j) => {
    if (!c.s.offices.some((o) => o.id === id)) c.out.push(issue([...c.at, 'offices', j], 'unknown_reference', `unknown office "${id}"`))
  })
  if (c.out.length > n0) return null
  const s = c.s
  const rows = overbookingPlan(s, ch.noShowRate, ch.maxExpectedOverflow, ch.offices)
  const grid = gridOf(s)
  return () => {
    const used = new Set(s.staff.map((p) => p.id))
    for (const office of s.offices) {
      const mine = rows.filter((r) => r.officeId === office.id && r.extra > 0)
      if (mine.length === 0) continue
      const skills = [...new Set(s.staff.filter((p) => !p.overbooking && (p.office === office.id || p.shifts.some((sh) => sh.office === office.id))).flatMap((p) => p.skills))].filter((x) => office.services.includes(x))
      if (skills.length === 0) continue
      const longest = Math.max(...office.services.map((id) => { const sv = s.services.find((x) => x.id === id); return sv ? (sv.officeDurations?.[office.id] ?? sv.durationMinutes) : 0 }))
      const block = Math.ceil(longest / grid) * grid
      // As many overbooking staff as the largest day needs, each working an even share.
      const per = new Map(mine.map((r) => [r.weekday, r.extra * r.meanMinutes]))
      const openMinutes = (w: number) => openingOn(office, w).reduce((a, [x, y]) => a + y - x, 0)
      const count = Math.max(...mine.map((r) => Math.ceil(per.get(r.weekday)! / Math.max(1, openMinutes(r.weekday)))))
      for (let j = 1; j <= count; j++) {
        let id = `${office.id}-overbook-${j}`
        for (let n = 2; used.has(id); n++) id = `${office.id}-overbook-${j}-${n}`
        used.add(id)
        const shifts = mine.flatMap((r) => spreadShifts(openingOn(office, r.weekday), per.get(r.weekday)! / count, block, grid, r.weekday))
        if (shifts.length) s.staff.push({ id, office: office.id, skills: [...skills], shifts, absences: [], overbooking: true })
      }
    }
  }
}
