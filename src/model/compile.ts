/**
 * compile(): a validated Scenario → dense arrays for the solver. Ids become integers; time becomes
 * a grid of `unitMinutes` units counted from local midnight of the horizon's first day, built from
 * absolute instants so 23-hour and 25-hour days are exact.
 */
import { createBitset, setRange, type Bitset } from './bitset.js'
import { absenceInterval, expandShifts, horizonDates, openingIntervals, type Interval } from './calendar.js'
import type { Scenario } from './schema.js'
import { addDays, startOfLocalDay } from './tz.js'

/** A run of working units of one staff member at one office: [start, end) in units. */
export interface Segment {
  staff: number
  office: number
  day: number
  start: number
  end: number
}

export interface Model {
  scenario: Scenario
  zone: string
  unitMinutes: number
  unitMs: number
  /** Epoch ms of local midnight of the horizon's first day; unit 0 starts here. */
  t0: number
  nUnits: number
  days: number
  dates: string[]
  /** Unit index of each local midnight; `dayStart[days] === nUnits`. */
  dayStart: Int32Array

  serviceIds: string[]
  serviceIndex: Map<string, number>
  officeIds: string[]
  officeIndex: Map<string, number>
  staffIds: string[]
  staffIndex: Map<string, number>
  districtIds: string[]
  officeDistrict: Int32Array
  /** Home office per staff member. */
  staffHome: Int32Array
  /**
   * Days ahead a staff member's time may be booked at most, on top of the office's window: the
   * home office's `bookingWindow.shortNotice.days` for the staff it selects, else no limit
   * (NO_DAY_LIMIT).
   */
  staffMaxDays: Int32Array
  /** The longest of those limits (−1 when no staff member has one): beyond it every staff member's time is released. */
  shortNoticeMaxDays: number

  /** Units service s takes at office o, at `o * nServices + s`; 0 = not offered there. */
  durationUnits: Int32Array
  /** Skills per staff member at `p * nServices + s` (1 = can serve). */
  skill: Uint8Array
  /** Staff able to serve each service, ascending. */
  staffByService: Int32Array[]

  /** Per staff member: units in which they can serve (shift ∩ opening − breaks − absences − closures). */
  work: Bitset[]
  /** The same as runs with their office, sorted by staff, then start. */
  segments: Segment[]
  /** Index into `segments` of each staff member's first segment; `segFirst[nStaff] = segments.length`. */
  segFirst: Int32Array
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

/** Default grid unit: the greatest common divisor of all service durations (as ZMS does). */
export function defaultUnitMinutes(s: Scenario): number {
  let g = 0
  for (const sv of s.services) {
    g = gcd(g, sv.durationMinutes)
    for (const d of Object.values(sv.officeDurations ?? {})) g = gcd(g, d)
  }
  return Math.max(1, g)
}

function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = []
  for (const x of a)
    for (const y of b) {
      const start = Math.max(x.start, y.start), end = Math.min(x.end, y.end)
      if (start < end) out.push({ start, end })
    }
  return out
}

function subtract(a: Interval[], cut: Interval[]): Interval[] {
  let cur = a
  for (const c of cut) {
    const next: Interval[] = []
    for (const x of cur) {
      if (c.end <= x.start || c.start >= x.end) next.push(x)
      else {
        if (c.start > x.start) next.push({ start: x.start, end: c.start })
        if (c.end < x.end) next.push({ start: c.end, end: x.end })
      }
    }
    cur = next
  }
  return cur
}

/**
 * `unitMinutes` overrides the scenario's grid (a running scheduler keeps a grid that every time it
 * has recorded lies on; see ScenarioVersions). `prev`, a model of an earlier version of the same
 * scenario (a live change), lends the working time of every staff member whose record and
 * offices are unchanged, on the same grid — a sick call recompiles one person, not 550.
 */
export function compile(s: Scenario, unitMinutes: number = s.unitMinutes ?? defaultUnitMinutes(s), prev?: Model): Model {
  const zone = s.timezone
  const unitMs = unitMinutes * 60_000
  const dates = horizonDates(s)
  const days = dates.length
  const t0 = startOfLocalDay(zone, s.horizon.start)
  const tEnd = startOfLocalDay(zone, addDays(s.horizon.start, days))
  const nUnits = Math.floor((tEnd - t0) / unitMs)
  const dayStart = new Int32Array(days + 1)
  for (let d = 0; d < days; d++) dayStart[d] = Math.ceil((startOfLocalDay(zone, dates[d]) - t0) / unitMs)
  dayStart[days] = nUnits

  const serviceIds = s.services.map((x) => x.id)
  const officeIds = s.offices.map((x) => x.id)
  const staffIds = s.staff.map((x) => x.id)
  const serviceIndex = new Map(serviceIds.map((id, i) => [id, i]))
  const officeIndex = new Map(officeIds.map((id, i) => [id, i]))
  const staffIndex = new Map(staffIds.map((id, i) => [id, i]))
  const nS = serviceIds.length

  const districtIds = [...new Set(s.offices.map((o) => o.district))].sort()
  const districtIndex = new Map(districtIds.map((d, i) => [d, i]))
  const officeDistrict = Int32Array.from(s.offices, (o) => districtIndex.get(o.district)!)

  const durationUnits = new Int32Array(officeIds.length * nS)
  s.offices.forEach((o, oi) => {
    for (const sid of o.services) {
      const sv = s.services[serviceIndex.get(sid)!]
      const minutes = sv.officeDurations?.[o.id] ?? sv.durationMinutes
      durationUnits[oi * nS + serviceIndex.get(sid)!] = Math.ceil(minutes / unitMinutes)
    }
  })

  const skill = new Uint8Array(staffIds.length * nS)
  const byService: number[][] = serviceIds.map(() => [])
  s.staff.forEach((p, pi) => {
    for (const sid of new Set(p.skills)) {
      const si = serviceIndex.get(sid)!
      skill[pi * nS + si] = 1
      byService[si].push(pi)
    }
  })

  const toUnitCeil = (ms: number) => Math.min(nUnits, Math.max(0, Math.ceil((ms - t0) / unitMs)))
  const toUnitFloor = (ms: number) => Math.min(nUnits, Math.max(0, Math.floor((ms - t0) / unitMs)))
  const dayOfUnit = (u: number) => {
    let lo = 0, hi = days - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (dayStart[mid] <= u) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  const openingCache = new Map<string, Interval[]>()
  const opening = (oi: number, date: string) => {
    const key = `${oi}|${date}`
    let v = openingCache.get(key)
    if (!v) openingCache.set(key, (v = openingIntervals(zone, s.offices[oi], date)))
    return v
  }

  const work: Bitset[] = []
  const segments: Segment[] = []
  const segFirst = new Int32Array(staffIds.length + 1)
  const lend = prev && prev.zone === zone && prev.t0 === t0 && prev.unitMs === unitMs && prev.nUnits === nUnits ? prev : undefined
  const officeSame = lend ? s.offices.map((o, i) => lend.officeIds[i] === o.id && JSON.stringify(lend.scenario.offices[i]) === JSON.stringify(o)) : []
  s.staff.forEach((p, pi) => {
    segFirst[pi] = segments.length
    const q = lend?.staffIndex.get(p.id)
    if (lend && q !== undefined && JSON.stringify(lend.scenario.staff[q]) === JSON.stringify(p)
      && [p.office, ...p.shifts.map((sh) => sh.office ?? p.office)].every((id) => officeSame[officeIndex.get(id)!])) {
      // Unchanged: the earlier model's working time (bitsets are never written after compile).
      for (let k = lend.segFirst[q]; k < lend.segFirst[q + 1]; k++) segments.push({ ...lend.segments[k], staff: pi })
      work.push(lend.work[q])
      return
    }
    const bits = createBitset(nUnits)
    const absences = p.absences.map((a) => absenceInterval(zone, a))
    // Working time as exact instants per office first; merged before rounding to the grid, so
    // two pieces that touch off the grid (opening 08:00–12:05 and 12:05–16:00) lose no unit.
    const pieces: (Interval & { office: number })[] = []
    for (const occ of expandShifts(s, p, dates)) {
      const oi = officeIndex.get(occ.office)!
      const open = [...opening(oi, occ.date), ...opening(oi, addDays(occ.date, 1))]
      let parts = intersect([{ start: occ.start, end: occ.end }], open)
      parts = subtract(parts, occ.breaks)
      parts = subtract(parts, absences)
      for (const part of parts) pieces.push({ ...part, office: oi })
    }
    pieces.sort((x, y) => x.start - y.start || x.office - y.office)
    const merged: (Interval & { office: number })[] = []
    for (const piece of pieces) {
      const last = merged[merged.length - 1]
      // Overlapping opening-hour entries give overlapping pieces: merge, never count a unit twice.
      if (last && last.office === piece.office && piece.start <= last.end) last.end = Math.max(last.end, piece.end)
      else merged.push({ ...piece })
    }
    for (const piece of merged) {
      const a = toUnitCeil(piece.start), b = toUnitFloor(piece.end)
      // A segment never spans local midnight: split it per day.
      for (let u = a; u < b; ) {
        const d = dayOfUnit(u)
        const e = Math.min(b, dayStart[d + 1])
        segments.push({ staff: pi, office: piece.office, day: d, start: u, end: e })
        setRange(bits, u, e)
        u = e
      }
    }
    work.push(bits)
  })
  segFirst[staffIds.length] = segments.length

  const staffMaxDays = shortNoticeDays(s)
  return {
    scenario: s,
    zone,
    unitMinutes,
    unitMs,
    t0,
    nUnits,
    days,
    dates,
    dayStart,
    serviceIds,
    serviceIndex,
    officeIds,
    officeIndex,
    staffIds,
    staffIndex,
    districtIds,
    officeDistrict,
    staffHome: Int32Array.from(s.staff, (p) => officeIndex.get(p.office)!),
    staffMaxDays,
    shortNoticeMaxDays: Math.max(-1, ...Array.from(staffMaxDays).filter((x) => x !== NO_DAY_LIMIT)),
    durationUnits,
    skill,
    staffByService: byService.map((xs) => Int32Array.from(xs)),
    work,
    segments,
    segFirst,
  }
}

/** "No limit" in `Model.staffMaxDays`. */
export const NO_DAY_LIMIT = 0x7fffffff

/**
 * Each office's short-notice staff: `round(share × n)` of its n home staff, spread evenly in the
 * order they are listed (staff j is chosen when ⌊(j+1)·k/n⌋ > ⌊j·k/n⌋).
 */
function shortNoticeDays(s: Scenario): Int32Array {
  const out = new Int32Array(s.staff.length).fill(NO_DAY_LIMIT)
  s.offices.forEach((o) => {
    const rule = o.bookingWindow.shortNotice
    if (!rule || rule.share <= 0) return
    const home = s.staff.flatMap((p, i) => (p.office === o.id ? [i] : []))
    const k = Math.round(rule.share * home.length)
    home.forEach((i, j) => {
      if (Math.floor(((j + 1) * k) / home.length) > Math.floor((j * k) / home.length)) out[i] = rule.days
    })
  })
  return out
}

/** Units services (by index, repeats = quantity) take together at office `o`; 0 if one is not offered there. */
export function servicesDuration(m: Model, o: number, services: ArrayLike<number>): number {
  const nS = m.serviceIds.length
  let total = 0
  for (let i = 0; i < services.length; i++) {
    const u = m.durationUnits[o * nS + services[i]]
    if (u === 0) return 0
    total += u
  }
  return total
}

/** Epoch ms of the start of unit `u`. */
export function unitToInstant(m: Model, u: number): number {
  return m.t0 + u * m.unitMs
}

/** The unit containing instant `ms` (may be outside [0, nUnits)). */
export function instantToUnit(m: Model, ms: number): number {
  return Math.floor((ms - m.t0) / m.unitMs)
}
