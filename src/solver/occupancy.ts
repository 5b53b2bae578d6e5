/**
 * Availability: the compiled working time minus what is taken (appointments, holds, cancel
 * freezes), per staff member as a bitset, with a per staff-day index of the longest free run so a
 * search skips full days without looking at their units.
 */
import { clearRange, createBitset, getBit, setRange, type Bitset } from '../model/bitset.js'
import { NO_DAY_LIMIT, type Model } from '../model/compile.js'

/** Run lengths (units) for which the earliest fitting start is indexed; longer requests scan. */
export const FIT_LENGTHS = 16
/** "No free run of that length": later than any unit. */
export const NO_FIT = 0x7fffffff

export class Occupancy {
  /** Units taken, per staff member. Always a subset of the staff member's working units. */
  readonly busy: Bitset[]
  /** Longest free run inside one segment, per `staff * days + day`. */
  readonly maxRun: Int32Array
  /** The longest of those over the staff working at an office, per `day * offices + office`. */
  readonly officeDayMax: Int32Array
  /** The longest of those over all offices, per day: a booked-out day costs one read. */
  readonly dayMax: Int32Array
  /**
   * Earliest start of a free run of `len` units (1 ≤ len ≤ FIT_LENGTHS) inside segment `si`, at
   * `si * (FIT_LENGTHS + 1) + len`, NO_FIT when none: a search starts scanning there instead of at
   * the segment's start, and skips a segment whose earliest fit is later than what it has.
   */
  readonly segFit: Int32Array
  /** The minimum of those over an office-day's segments, at `(day * offices + office) * (FIT_LENGTHS + 1) + len`: a lower bound that lets a search skip whole offices. */
  readonly officeDayFit: Int32Array
  /**
   * The same three indexes over the staff whose time has no short-notice limit
   * (`Model.staffMaxDays`): a search beyond every short-notice horizon reads these, so that
   * time not yet released does not make a booked-out day look open.
   */
  readonly officeDayMaxLong: Int32Array
  readonly dayMaxLong: Int32Array
  readonly officeDayFitLong: Int32Array
  /** Staff working at each office-day, per `day * offices + office`. */
  private readonly officeDayStaff: Int32Array[]
  /** Segments (global indices) of each office-day, per `day * offices + office`. */
  private readonly officeDaySegs: Int32Array[]
  private readonly m: Model

  /** `indexed` false: the caller marks a batch and calls `reindex` before anything reads an index (a rebuild). */
  constructor(m: Model, indexed = true) {
    this.m = m
    const nO = m.officeIds.length
    this.busy = m.staffIds.map(() => createBitset(m.nUnits))
    this.maxRun = new Int32Array(m.staffIds.length * m.days)
    this.officeDayMax = new Int32Array(m.days * nO)
    this.dayMax = new Int32Array(m.days)
    const lists: Set<number>[] = Array.from({ length: m.days * nO }, () => new Set())
    const segLists: number[][] = Array.from({ length: m.days * nO }, () => [])
    m.segments.forEach((seg, si) => {
      lists[seg.day * nO + seg.office].add(seg.staff)
      segLists[seg.day * nO + seg.office].push(si)
    })
    this.officeDayStaff = lists.map((l) => Int32Array.from([...l].sort((a, b) => a - b)))
    this.officeDaySegs = segLists.map((l) => Int32Array.from(l))
    this.segFit = new Int32Array(m.segments.length * (FIT_LENGTHS + 1)).fill(NO_FIT)
    this.officeDayFit = new Int32Array(m.days * nO * (FIT_LENGTHS + 1)).fill(NO_FIT)
    this.officeDayMaxLong = new Int32Array(m.days * nO)
    this.dayMaxLong = new Int32Array(m.days)
    this.officeDayFitLong = new Int32Array(m.days * nO * (FIT_LENGTHS + 1)).fill(NO_FIT)
    if (indexed) this.reindex()
  }

  /** Recomputes every index from the busy bits: at construction, and after a batch of `mark`. */
  reindex(): void {
    const m = this.m
    // Per segment first, then every office-day and day once.
    for (let p = 0; p < m.staffIds.length; p++) for (let si = m.segFirst[p]; si < m.segFirst[p + 1]; si++) if (si === m.segFirst[p] || m.segments[si - 1].day !== m.segments[si].day) this.refresh(p, m.segments[si].day, si, false)
    for (let k = 0; k < m.days * m.officeIds.length; k++) this.refreshOfficeDay(k)
    for (let d = 0; d < m.days; d++) this.refreshDay(d)
  }

  /** Marks [a, b) taken without touching the indexes (a batch: moving records onto a new state); `reindex` after it. */
  mark(p: number, a: number, b: number): void {
    setRange(this.busy[p], a, b)
  }

  /** Index of the segment of staff `p` containing unit `u`, or -1. */
  segmentAt(p: number, u: number): number {
    const segs = this.m.segments
    let lo = this.m.segFirst[p], hi = this.m.segFirst[p + 1] - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const s = segs[mid]
      if (u < s.start) hi = mid - 1
      else if (u >= s.end) lo = mid + 1
      else return mid
    }
    return -1
  }

  /** Whether [a, b) lies in one working segment of `p` and none of it is taken. */
  isFree(p: number, a: number, b: number): boolean {
    const si = this.segmentAt(p, a)
    if (si < 0 || this.m.segments[si].end < b) return false
    const busy = this.busy[p]
    for (let u = a; u < b; u++) if (getBit(busy, u)) return false
    return true
  }

  /** Marks [a, b) taken. The caller has checked `isFree`. */
  occupy(p: number, a: number, b: number): void {
    setRange(this.busy[p], a, b)
    this.refreshUnits(p, a, b)
  }

  /** Marks [a, b) free again. */
  release(p: number, a: number, b: number): void {
    clearRange(this.busy[p], a, b)
    this.refreshUnits(p, a, b)
  }

  private refreshUnits(p: number, a: number, b: number): void {
    const si = this.segmentAt(p, a)
    if (si >= 0) this.refresh(p, this.m.segments[si].day, si)
    if (b > a) {
      const sj = this.segmentAt(p, b - 1)
      if (sj >= 0 && sj !== si && this.m.segments[sj].day !== this.m.segments[si]?.day) this.refresh(p, this.m.segments[sj].day, sj)
    }
  }

  /** Recomputes the longest free run of `p` on day `d`, and the earliest fits of its segments; `near` is any segment index of that day. */
  refresh(p: number, d: number, near = -1, aggregate = true): void {
    const m = this.m
    const busy = this.busy[p]
    const W = FIT_LENGTHS + 1
    const fit = this.segFit
    let best = 0, fitsChanged = false
    let first = m.segFirst[p]
    if (near >= 0) {
      first = near
      while (first > m.segFirst[p] && m.segments[first - 1].day === d) first--
    }
    for (let si = first; si < m.segFirst[p + 1]; si++) {
      const s = m.segments[si]
      if (s.day < d) continue
      if (s.day > d) break
      const base = si * W
      let run = 0, segBest = 0
      for (let u = s.start; u < s.end; u++) {
        if ((busy[u >>> 5] & (1 << (u & 31))) !== 0) run = 0
        else if (++run > segBest) {
          // The first run to reach this length starts the earliest window of that length.
          segBest = run
          if (run <= FIT_LENGTHS && fit[base + run] !== u - run + 1) {
            fit[base + run] = u - run + 1
            fitsChanged = true
          }
        }
      }
      for (let len = segBest + 1; len < W; len++)
        if (fit[base + len] !== NO_FIT) {
          fit[base + len] = NO_FIT
          fitsChanged = true
        }
      if (segBest > best) best = segBest
    }
    const old = this.maxRun[p * m.days + d]
    this.maxRun[p * m.days + d] = best
    if (!aggregate || (best === old && !fitsChanged && best !== 0)) return
    // Keep the office-day maxima and fits in step (a person may work at two offices on one day).
    const nO = m.officeIds.length
    let last = -1
    for (let si = first; si < m.segFirst[p + 1]; si++) {
      const s = m.segments[si]
      if (s.day < d) continue
      if (s.day > d) break
      const k = d * nO + s.office
      if (k !== last) this.refreshOfficeDay(k)
      last = k
    }
    this.refreshDay(d)
  }

  /** Office-day `k = day * offices + office`: its longest runs and earliest fits, over all staff and over those without a limit. */
  private refreshOfficeDay(k: number): void {
    const m = this.m
    const W = FIT_LENGTHS + 1
    const d = Math.floor(k / m.officeIds.length)
    let mx = 0, mxLong = 0
    for (const q of this.officeDayStaff[k]) {
      const r = this.maxRun[q * m.days + d]
      if (r > mx) mx = r
      if (r > mxLong && m.staffMaxDays[q] === NO_DAY_LIMIT) mxLong = r
    }
    this.officeDayMax[k] = mx
    this.officeDayMaxLong[k] = mxLong
    const ob = k * W
    const fit = this.segFit, odf = this.officeDayFit, odl = this.officeDayFitLong
    odf.fill(NO_FIT, ob + 1, ob + W)
    odl.fill(NO_FIT, ob + 1, ob + W)
    for (const sj of this.officeDaySegs[k]) {
      const sb = sj * W
      const long = m.staffMaxDays[m.segments[sj].staff] === NO_DAY_LIMIT
      for (let len = 1; len < W; len++) {
        const f = fit[sb + len]
        if (f === NO_FIT) break // fits are NO_FIT from the segment's longest run on
        if (f < odf[ob + len]) odf[ob + len] = f
        if (long && f < odl[ob + len]) odl[ob + len] = f
      }
    }
  }

  private refreshDay(d: number): void {
    const nO = this.m.officeIds.length
    let dm = 0, dl = 0
    for (let k = d * nO, e = k + nO; k < e; k++) {
      if (this.officeDayMax[k] > dm) dm = this.officeDayMax[k]
      if (this.officeDayMaxLong[k] > dl) dl = this.officeDayMaxLong[k]
    }
    this.dayMax[d] = dm
    this.dayMaxLong[d] = dl
  }
}

/** One day's working segments as parallel typed arrays, ordered by start (then office, staff). */
export interface DaySegments {
  start: Int32Array
  end: Int32Array
  office: Int32Array
  staff: Int32Array
  /** Index into `Model.segments` (and the occupancy's per-segment arrays). */
  seg: Int32Array
  n: number
  /** The day's segment indices grouped by office (by start within one): `byOffice[officeFirst[o] … officeFirst[o+1])`. */
  byOffice: Int32Array
  officeFirst: Int32Array
}

/**
 * The segments of each day, ordered by start: the search sees early candidates first, its cut-off
 * tightens after a few segments, and it stops at the first segment starting after the cut-off.
 */
export function segmentsByDay(m: Model): DaySegments[] {
  const segs = m.segments, nO = m.officeIds.length
  const count = new Int32Array(m.days)
  for (const s of segs) count[s.day]++
  // Every live change rebuilds this for the whole horizon: the order (start, office, staff, which
  // is unique per segment) and the segment's index are packed into one number and sorted natively
  // when they fit a double's 53 bits, instead of by a comparator reading segment objects.
  const bits = (n: number) => 32 - Math.clz32(Math.max(1, n - 1))
  const bOff = 2 ** bits(nO), bStaff = 2 ** bits(m.staffIds.length), bSeg = 2 ** bits(segs.length)
  const packed = (m.nUnits + 1) * bOff * bStaff * bSeg <= Number.MAX_SAFE_INTEGER
  const keys = Array.from(count, (c) => new Float64Array(c))
  const fill = new Int32Array(m.days)
  segs.forEach((x, i) => (keys[x.day][fill[x.day]++] = packed ? ((x.start * bOff + x.office) * bStaff + x.staff) * bSeg + i : i))
  return keys.map((k) => {
    const n = k.length
    if (packed) k.sort()
    else k.sort((a, b) => segs[a].start - segs[b].start || segs[a].office - segs[b].office || segs[a].staff - segs[b].staff)
    const out: DaySegments = {
      start: new Int32Array(n), end: new Int32Array(n), office: new Int32Array(n), staff: new Int32Array(n), seg: new Int32Array(n), n,
      byOffice: new Int32Array(n), officeFirst: new Int32Array(nO + 1),
    }
    for (let i = 0; i < n; i++) {
      const si = packed ? k[i] % bSeg : k[i]
      const x = segs[si]
      out.start[i] = x.start
      out.end[i] = x.end
      out.office[i] = x.office
      out.staff[i] = x.staff
      out.seg[i] = si
      out.officeFirst[x.office + 1]++
    }
    for (let o = 0; o < nO; o++) out.officeFirst[o + 1] += out.officeFirst[o]
    // Grouped by office, by position (so by start) within one: a counting sort.
    const at = out.officeFirst.slice(0, nO)
    for (let i = 0; i < n; i++) out.byOffice[at[out.office[i]]++] = i
    return out
  })
}
