/**
 * Fast conversions between grid units, local dates and wall times for one compiled model.
 * Luxon is slow in hot loops, so regular days use arithmetic and only DST days ask the tz module.
 */
import type { Model } from '../model/compile.js'
import { addDays, dateFromEpochDay, epochDay, formatInstant, isoWeekday, offsetMinutes, parseLocalDate, wallToInstant } from '../model/tz.js'

export class GridCalendar {
  readonly weekday: Uint8Array
  /** 1 where the day is 24 h long and its midnight sits on a unit boundary. */
  private readonly regular: Uint8Array
  private readonly iso: (string | undefined)[]
  private readonly m: Model
  private readonly firstEpochDay: number

  constructor(m: Model) {
    this.m = m
    this.weekday = Uint8Array.from(m.dates, (d) => isoWeekday(d))
    const perDay = 1440 / m.unitMinutes
    // Regular: exactly 24 h from this midnight to the next, and midnight on a unit boundary.
    // (Unit counts alone mislead: with 90-minute units a 23-hour day also has 16.)
    this.regular = Uint8Array.from(m.dates, (date, d) => {
      const midnight = wallToInstant(m.zone, date, 0)
      const next = wallToInstant(m.zone, addDays(date, 1), 0)
      const exact = midnight === m.t0 + m.dayStart[d] * m.unitMs
      return Number.isInteger(perDay) && next - midnight === 86_400_000 && exact ? 1 : 0
    })
    this.iso = new Array(m.nUnits + 1)
    this.firstEpochDay = epochDay(parseLocalDate(m.dates[0])!)
  }

  /** First unit starting at or after wall time `minutes` of day `d`. */
  wallUnitCeil(d: number, minutes: number): number {
    const m = this.m
    if (this.regular[d]) return m.dayStart[d] + Math.ceil(minutes / m.unitMinutes)
    return Math.ceil((wallToInstant(m.zone, m.dates[d], minutes) - m.t0) / m.unitMs)
  }

  /** Last unit boundary at or before wall time `minutes` of day `d`. */
  wallUnitFloor(d: number, minutes: number): number {
    const m = this.m
    if (this.regular[d]) return m.dayStart[d] + Math.floor(minutes / m.unitMinutes)
    return Math.floor((wallToInstant(m.zone, m.dates[d], minutes) - m.t0) / m.unitMs)
  }

  /** ISO 8601 with offset of the start of unit `u` (cached). */
  unitIso(u: number): string {
    let s = this.iso[u]
    if (s === undefined) {
      s = formatInstant(this.m.zone, this.m.t0 + u * this.m.unitMs)
      if (u >= 0 && u <= this.m.nUnits) this.iso[u] = s
    }
    return s
  }

  /** ISO 8601 with offset of any instant (not cached). */
  formatMs(ms: number): string {
    return formatInstant(this.m.zone, ms)
  }

  /** Day index (may be outside [0, days)) of the local date of instant `ms`. */
  dayOfInstant(ms: number): number {
    // Days since the epoch of the local date: the local wall time as if it were UTC, floored.
    return Math.floor((ms + offsetMinutes(this.m.zone, ms) * 60_000) / 86_400_000) - this.firstEpochDay
  }

  /** Day index of a local date string (may be outside the horizon). */
  dayOfDate(date: string): number {
    return epochDay(parseLocalDate(date)!) - this.firstEpochDay
  }

  /** Day index of unit `u` inside the horizon. */
  dayOfUnit(u: number): number {
    const ds = this.m.dayStart
    let lo = 0, hi = this.m.days - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (ds[mid] <= u) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Local date of day index `d`, also outside the horizon. */
  dateOfDayUnclamped(d: number): string {
    return dateFromEpochDay(this.firstEpochDay + d)
  }

  dateOfDay(d: number): string {
    return this.m.dates[Math.max(0, Math.min(this.m.days - 1, d))]
  }
}
