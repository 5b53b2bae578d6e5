/**
 * Slot search as pure steps over the current availability:
 * resolve (request → per-office durations, skilled staff, day range) → candidates (runs of free
 * units that fit, day by day, skipping staff-days whose longest free run is too short) → rank
 * (by start, ties broken by a seeded hash of office and time so no office is favoured).
 */
import { servicesDuration, type Model } from '../model/compile.js'
import { TerminplanError, type ValidationIssue } from '../model/errors.js'
import { parseCommand, plainSearchRequest, SearchRequestSchema, type ParsedSearchRequest, type SearchRequest, type Slot } from '../model/requests.js'
import { serviceListIssues } from '../model/rules.js'
import { getBit } from '../model/bitset.js'
import { openingIntervals } from '../model/calendar.js'
import { parseTimeOfDay } from '../model/tz.js'
import type { GridCalendar } from './grid-calendar.js'
import { FIT_LENGTHS, NO_FIT, type DaySegments, type Occupancy } from './occupancy.js'

const FIT_W = FIT_LENGTHS + 1
import { reason, SLOT_RULES, type Reason } from './slot-rules.js'

export interface SearchContext {
  m: Model
  occ: Occupancy
  cal: GridCalendar
  daySegs: DaySegments[]
  /** Booking window per office, in days after today. */
  windowMin: Int32Array
  windowMax: Int32Array
  /** Current time, epoch ms, its first whole unit and its local day index (kept in step by the scheduler). */
  now: number
  nowUnit: number
  nowDay: number
  skilledCache: Map<string, Uint8Array>
  durationCache: Map<string, RequestShape>
  maxWindow?: number
  openCache?: Uint8Array
}

export interface Explanation {
  /** Offices and office-days looked at. */
  offices: number
  officeDays: number
  /** Office-days with at least one fitting free slot. */
  available: number
  /** Why the others were excluded, in rule order, counted at the first rule that excluded them. */
  reasons: Reason[]
  /** Last date on which an otherwise fitting office-day was fully booked. */
  bookedUntil?: string
  searched: { from: string; to: string }
}

export interface SearchResult {
  slots: Slot[]
  explanation?: Explanation
}

interface Window {
  mask: number
  from: number
  to: number
}

export interface ResolvedRequest {
  req: ParsedSearchRequest
  services: number[]
  /** Units at each office, 0 where the office is excluded (not requested or not offered). */
  dur: Int32Array
  /** 1 = not requested, 2 = does not offer the combination. */
  excluded: Uint8Array
  skilled: Uint8Array
  /** Requested days (inclusive), possibly outside the horizon. */
  dayFrom: number
  dayTo: number
  windows: Window[] | null
  salt: number
  /** Offices with `dur > 0`, ascending. */
  acceptable: Int32Array
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Integer hash of three numbers; used for fair tie-breaking. */
export function mix3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b + 0x7f4a7c15) | 0, 0xc2b2ae35) ^ c
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return h >>> 0
}

/** Staff with every skill of `services` (cached per combination). */
export function skilledStaff(ctx: SearchContext, services: number[]): Uint8Array {
  const key = [...new Set(services)].sort((a, b) => a - b).join(',')
  let mask = ctx.skilledCache.get(key)
  if (!mask) {
    const m = ctx.m, nS = m.serviceIds.length
    mask = new Uint8Array(m.staffIds.length)
    for (let p = 0; p < mask.length; p++) mask[p] = services.every((s) => m.skill[p * nS + s] === 1) ? 1 : 0
    ctx.skilledCache.set(key, mask)
  }
  return mask
}

/** What a request's services and offices determine, cached per shape (searches repeat a few shapes). */
export interface RequestShape {
  services: number[]
  dur: Int32Array
  excluded: Uint8Array
  skilled: Uint8Array
  acceptable: Int32Array
}

/** The shape of a validated request: service indices, per-office lengths and exclusions, skilled staff, acceptable offices. */
function requestShape(ctx: SearchContext, serviceIds: string[], offices: string[] | undefined): RequestShape {
  const key = `${serviceIds.join(',')}|${offices ? offices.join(',') : '*'}`
  const hit = ctx.durationCache.get(key)
  if (hit) return hit
  const m = ctx.m
  const services = serviceIds.map((id) => m.serviceIndex.get(id)!)
  const nO = m.officeIds.length
  const dur = new Int32Array(nO)
  const excluded = new Uint8Array(nO)
  const accepted = offices ? new Set(offices.map((id) => m.officeIndex.get(id)!)) : null
  for (let o = 0; o < nO; o++) {
    if (accepted && !accepted.has(o)) {
      excluded[o] = 1
      continue
    }
    const total = servicesDuration(m, o, services)
    if (total === 0) excluded[o] = 2
    dur[o] = total
  }
  const acceptable = Int32Array.from(Array.from(dur).flatMap((du, o) => (du !== 0 ? [o] : [])))
  const v = { services, dur, excluded, skilled: skilledStaff(ctx, services), acceptable }
  if (ctx.durationCache.size > 10_000) ctx.durationCache.clear()
  ctx.durationCache.set(key, v)
  return v
}

/** Validates a request against the scenario and turns it into dense form. */
export function resolveRequest(ctx: SearchContext, input: SearchRequest): ResolvedRequest {
  const req = plainSearchRequest(input) ?? parseCommand(SearchRequestSchema, input, 'search request')
  const m = ctx.m, s = m.scenario
  const issues: ValidationIssue[] = serviceListIssues(s, ['services'], req.services)
  req.offices?.forEach((id, i) => {
    if (!m.officeIndex.has(id)) issues.push({ path: `$.offices[${i}]`, code: 'unknown_reference', message: `unknown office "${id}"` })
  })
  if (req.from !== undefined && req.to !== undefined && req.to < req.from)
    issues.push({ path: '$.to', code: 'empty_range', message: `to (${req.to}) is before from (${req.from})` })
  req.windows?.forEach((w, i) => {
    if (parseTimeOfDay(w.to)! <= parseTimeOfDay(w.from)!)
      issues.push({ path: `$.windows[${i}].to`, code: 'empty_range', message: `window ends (${w.to}) before it starts (${w.from})` })
  })
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `invalid search request: ${issues[0].path}: ${issues[0].message}`, issues)

  const { services, dur, excluded, skilled, acceptable } = requestShape(ctx, req.services, req.offices)
  const nowDay = ctx.nowDay
  const maxWindow = (ctx.maxWindow ??= Math.max(0, ...s.offices.map((o) => o.bookingWindow.maxDays)))
  const dayFrom = req.from !== undefined ? ctx.cal.dayOfDate(req.from) : nowDay
  const dayTo = req.to !== undefined ? ctx.cal.dayOfDate(req.to) : nowDay + maxWindow
  const windows = req.windows
    ? req.windows.map((w) => ({
        mask: w.weekdays ? w.weekdays.reduce((a, d) => a | (1 << d), 0) : 0xfe,
        from: parseTimeOfDay(w.from)!,
        to: parseTimeOfDay(w.to)!,
      }))
    : null
  return {
    req,
    services,
    dur,
    excluded,
    skilled,
    acceptable,
    dayFrom,
    dayTo,
    windows,
    salt: req.citizenId ? fnv1a(req.citizenId) : 0,
  }
}

/** Moves the context's clock; units already begun are past. */
export function setContextNow(ctx: SearchContext, ms: number): void {
  ctx.now = ms
  ctx.nowUnit = Math.ceil((ms - ctx.m.t0) / ctx.m.unitMs)
  ctx.nowDay = ctx.cal.dayOfInstant(ms)
}

/** Unit intervals of day `d` allowed by the windows, or the whole day. */
function windowIntervals(ctx: SearchContext, rr: ResolvedRequest, d: number, out: number[]): number {
  const m = ctx.m
  if (!rr.windows) {
    out[0] = m.dayStart[d]
    out[1] = m.dayStart[d + 1]
    return 1
  }
  let n = 0
  const bit = 1 << ctx.cal.weekday[d]
  for (const w of rr.windows) {
    if ((w.mask & bit) === 0) continue
    out[2 * n] = ctx.cal.wallUnitCeil(d, w.from)
    out[2 * n + 1] = ctx.cal.wallUnitFloor(d, w.to)
    n++
  }
  return n
}

/** Per-call buffers of findSlots (it never re-enters). */
let scratch = { bound: new Int32Array(0), tie: new Float64Array(0), keys: new Float64Array(0), listTie: new Float64Array(0) }

/** The earliest slots, ranked. Returns dense candidates; `toSlots` formats them. */
export function findSlots(ctx: SearchContext, rr: ResolvedRequest): { start: Int32Array; office: Int32Array; staff: Int32Array; n: number } {
  const m = ctx.m, occ = ctx.occ
  const limit = rr.req.limit
  if (scratch.listTie.length < limit) scratch.listTie = new Float64Array(limit)
  const tStart = new Int32Array(limit), tTie = scratch.listTie, tOffice = new Int32Array(limit), tStaff = new Int32Array(limit)
  let n = 0
  const nowUnit = ctx.nowUnit
  const nowDay = ctx.nowDay
  const dLo = Math.max(0, rr.dayFrom, nowDay)
  const dHi = Math.min(m.days - 1, rr.dayTo)
  const win = new Array<number>(2 * (rr.windows?.length ?? 1))
  const maxRun = occ.maxRun, days = m.days
  const nO = m.officeIds.length
  const segFit = occ.segFit, staffMaxDays = m.staffMaxDays, dayStart = m.dayStart
  if (scratch.bound.length < nO) scratch = { bound: new Int32Array(nO), tie: new Float64Array(nO), keys: new Float64Array(nO), listTie: scratch.listTie }
  // Per office its bound and tie; `keys` orders the offices of a day by (bound, tie) as plain
  // numbers: the bound within the day above 32 bits, the tie's high bits, the office in its low bits.
  const boundOf = scratch.bound, tieOf = scratch.tie, keys = scratch.keys
  const ob = 32 - Math.clz32(nO - 1), obMask = (1 << ob) - 1
  // The acceptable offices: a request for a few visits only theirs.
  const few = rr.acceptable

  let minDur = Infinity
  for (let o = 0; o < nO; o++) if (rr.dur[o] !== 0 && rr.dur[o] < minDur) minDur = rr.dur[o]
  // Beyond every short-notice horizon only staff without a limit count (see Occupancy).
  const shortDays = m.shortNoticeMaxDays
  for (let d = dLo; d <= dHi; d++) {
    if (n === limit && m.dayStart[d] > tStart[n - 1]) break
    const relDay = d - nowDay
    const long = relDay > shortDays
    const dayMax = long ? occ.dayMaxLong : occ.dayMax, officeDayMax = long ? occ.officeDayMaxLong : occ.officeDayMax
    const officeDayFit = long ? occ.officeDayFitLong : occ.officeDayFit
    if (dayMax[d] < minDur) continue
    const segs = ctx.daySegs[d]
    // Offices in order of their earliest possible fit (a lower bound): the first ones fill the
    // list, and an office whose bound is past the list's last entry is never entered.
    let nOff = 0
    let ordered = true
    for (let v = 0; v < few.length; v++) {
      const o = few[v]
      const du = rr.dur[o]
      if (du === 0 || officeDayMax[d * nO + o] < du || relDay < ctx.windowMin[o] || relDay > ctx.windowMax[o]) continue
      const bound = du <= FIT_LENGTHS ? officeDayFit[(d * nO + o) * FIT_W + du] : 0
      if (n === limit && bound > tStart[n - 1]) continue
      // Ties at the bound in (about) the order the ranking breaks them: an office whose first
      // slot is at its bound then enters before the tied ones it beats, which are then never
      // entered. The order is only a heuristic; the pruning below compares exact values.
      const tie = mix3(o, bound, rr.salt)
      boundOf[o] = bound
      tieOf[o] = tie
      // A bound outside the day's first 2^20 units would not fit the key exactly: clamp it, and
      // the order is then no longer by bound, so the loop below must not stop early.
      let rel = bound - dayStart[d]
      if (rel < 0 || rel >= 1_048_576) {
        ordered = false
        rel = rel < 0 ? 0 : 1_048_575
      }
      const key = rel * 4294967296 + ((((tie >>> ob) << ob) | o) >>> 0)
      // Insertion into one array of numbers: cheaper than a sort call for a city's few dozen offices.
      let i = nOff++
      while (i > 0 && keys[i - 1] > key) {
        keys[i] = keys[i - 1]
        i--
      }
      keys[i] = key
    }
    // Skip a day where no acceptable office has a long enough free run (booked-out days cost O(acceptable offices)).
    if (nOff === 0) continue
    const nWin = windowIntervals(ctx, rr, d, win)
    if (nWin === 0) continue
    for (let v = 0; v < nOff; v++) {
      const o = (keys[v] % 4294967296) & obMask
      if (n === limit && boundOf[o] > tStart[n - 1]) {
        if (ordered) break
        continue
      }
      // With the list full, an office can add only a start ≥ its bound; at the bound itself only with a better tie.
      if (n === limit && boundOf[o] === tStart[n - 1] && tieOf[o] >= tTie[n - 1]) continue
      const du = rr.dur[o]
      for (let kk = segs.officeFirst[o], kTo = segs.officeFirst[o + 1]; kk < kTo; kk++) {
        const k = segs.byOffice[kk]
        // Sorted by start within an office: once a segment starts after the last entry of a full list, none can enter.
        if (n === limit && segs.start[k] > tStart[n - 1]) break
        const p = segs.staff[k]
        if (rr.skilled[p] === 0 || maxRun[p * days + d] < du || relDay > staffMaxDays[p]) continue
        // No free run of this length begins before `fit` in this segment.
        const fit = du <= FIT_LENGTHS ? segFit[segs.seg[k] * FIT_W + du] : segs.start[k]
        if (fit === NO_FIT || (n === limit && (fit > tStart[n - 1] || (fit === tStart[n - 1] && mix3(o, fit, rr.salt) >= tTie[n - 1])))) continue
        const busy = occ.busy[p]
        const segEnd = segs.end[k]
        for (let w = 0; w < nWin; w++) {
          const a = Math.max(fit, win[2 * w], nowUnit)
          let b = Math.min(segEnd, win[2 * w + 1])
          // With the list full, nothing starting after its last entry can enter: stop scanning there.
          if (n === limit) b = Math.min(b, tStart[n - 1] + du)
          let run = 0
          for (let u = a; u < b; u++) {
            // Bit test written out: this is the hottest line of the engine.
            if ((busy[u >>> 5] & (1 << (u & 31))) !== 0) {
              run = 0
              // Skip the rest of this word's busy run at once: booked-out calendars are mostly full words.
              const sh = u & 31
              const ones = ~(busy[u >>> 5] >>> sh)
              u += (ones === 0 ? 32 - sh : 31 - Math.clz32(ones & -ones)) - 1
              continue
            }
            if (++run < du) continue
            const t = u - du + 1
            if (n === limit && t > tStart[n - 1]) break
            const tie = mix3(o, t, rr.salt)
            if (n === limit && (t > tStart[n - 1] || (t === tStart[n - 1] && tie >= tTie[n - 1]))) continue
            // Same office and start at another staff member: one slot for the citizen.
            let dup = false
            for (let i = 0; i < n; i++)
              if (tStart[i] === t && tOffice[i] === o) {
                dup = true
                break
              }
            if (dup) continue
            let i = n < limit ? n++ : n - 1
            while (i > 0 && (tStart[i - 1] > t || (tStart[i - 1] === t && tTie[i - 1] > tie))) {
              tStart[i] = tStart[i - 1]
              tTie[i] = tTie[i - 1]
              tOffice[i] = tOffice[i - 1]
              tStaff[i] = tStaff[i - 1]
              i--
            }
            tStart[i] = t
            tTie[i] = tie
            tOffice[i] = o
            tStaff[i] = p
          }
        }
      }
    }
  }
  return { start: tStart, office: tOffice, staff: tStaff, n }
}

export function toSlots(ctx: SearchContext, rr: ResolvedRequest, c: ReturnType<typeof findSlots>): Slot[] {
  const out: Slot[] = []
  for (let i = 0; i < c.n; i++) {
    const t = c.start[i], o = c.office[i]
    out.push({
      officeId: ctx.m.officeIds[o],
      staffId: ctx.m.staffIds[c.staff[i]],
      start: ctx.cal.unitIso(t),
      end: ctx.cal.unitIso(t + rr.dur[o]),
      services: [...rr.req.services],
    })
  }
  return out
}

function officeOpen(ctx: SearchContext, o: number, d: number): boolean {
  const m = ctx.m
  if (!ctx.openCache) ctx.openCache = new Uint8Array(m.officeIds.length * m.days)
  const k = o * m.days + d
  if (ctx.openCache[k] === 0) ctx.openCache[k] = openingIntervals(m.zone, m.scenario.offices[o], m.dates[d]).length > 0 ? 2 : 1
  return ctx.openCache[k] === 2
}

/** Why the search found what it found: each office and office-day counted at its first failing rule. */
export function explain(ctx: SearchContext, rr: ResolvedRequest): Explanation {
  const m = ctx.m, s = m.scenario, occ = ctx.occ
  const counts = new Map<Reason['code'], number>()
  const bump = (c: Reason['code']) => counts.set(c, (counts.get(c) ?? 0) + 1)
  const nowUnit = ctx.nowUnit
  const nowDay = ctx.nowDay
  const win = new Array<number>(2 * (rr.windows?.length ?? 1))
  let officeDays = 0, available = 0, bookedUntil = -1
  const officeOk: number[] = []
  for (let o = 0; o < m.officeIds.length; o++) {
    if (rr.excluded[o] === 1) bump('office_not_requested')
    else if (rr.excluded[o] === 2) bump('service_not_offered')
    else if (!m.segments.some((seg) => seg.office === o && rr.skilled[seg.staff])) bump('no_skilled_staff')
    else officeOk.push(o)
  }
  for (const o of officeOk) {
    const du = rr.dur[o]
    const bw = s.offices[o].bookingWindow
    for (let d = rr.dayFrom; d <= rr.dayTo; d++) {
      officeDays++
      if (d < 0 || d >= m.days) { bump('outside_horizon'); continue }
      if (d < nowDay) { bump('in_the_past'); continue }
      if (d - nowDay < bw.minDays || d - nowDay > bw.maxDays) { bump('outside_booking_window'); continue }
      if (!officeOpen(ctx, o, d)) { bump('office_closed'); continue }
      const ds = ctx.daySegs[d]
      const segs: { start: number; end: number; staff: number }[] = []
      let later = 0
      for (let k = 0; k < ds.n; k++)
        if (ds.office[k] === o && rr.skilled[ds.staff[k]]) {
          // Staff whose time is released at short notice only, not yet bookable that day.
          if (d - nowDay > m.staffMaxDays[ds.staff[k]]) later++
          else segs.push({ start: ds.start[k], end: ds.end[k], staff: ds.staff[k] })
        }
      if (segs.length === 0) { bump(later > 0 ? 'outside_booking_window' : 'no_staff_on_duty'); continue }
      const nWin = windowIntervals(ctx, rr, d, win)
      let fitsWindow = false, fitsNow = false, free = false
      for (const g of segs)
        for (let w = 0; w < nWin; w++) {
          const a = Math.max(g.start, win[2 * w]), b = Math.min(g.end, win[2 * w + 1])
          if (b - a < du) continue
          fitsWindow = true
          const a2 = Math.max(a, nowUnit)
          if (b - a2 < du) continue
          fitsNow = true
          let run = 0
          for (let u = a2; u < b && !free; u++) run = getBit(occ.busy[g.staff], u) ? 0 : run + 1, (free = run >= du)
        }
      if (!fitsWindow) bump('windows_never_open')
      else if (!fitsNow) bump('in_the_past')
      else if (!free) { bump('fully_booked'); bookedUntil = Math.max(bookedUntil, d) }
      else available++
    }
  }
  const order = Object.keys(SLOT_RULES) as Reason['code'][]
  const officeLevel = new Set(['office_not_requested', 'service_not_offered', 'no_skilled_staff'])
  const out: Explanation = {
    offices: m.officeIds.length,
    officeDays,
    available,
    reasons: order.filter((c) => counts.has(c)).map((c) => reason(c, counts.get(c)!, officeLevel.has(c) ? 'office' : 'office-day')),
    searched: { from: ctx.cal.dateOfDayUnclamped(rr.dayFrom), to: ctx.cal.dateOfDayUnclamped(rr.dayTo) },
  }
  if (bookedUntil >= 0) out.bookedUntil = m.dates[bookedUntil]
  return out
}

export function search(ctx: SearchContext, input: SearchRequest): SearchResult {
  const rr = resolveRequest(ctx, input)
  const found = findSlots(ctx, rr)
  const slots = toSlots(ctx, rr, found)
  return slots.length === 0 || rr.req.explain ? { slots, explanation: explain(ctx, rr) } : { slots }
}
