/**
 * Time, in one place. Wall-clock strings become absolute instants here and nowhere else, with
 * explicit rules for the two DST oddities (the same as Temporal's `compatible` disambiguation):
 * - a wall time that does not exist (spring forward, 02:30 on 2026-03-29 in Berlin) is moved
 *   forward by the length of the gap (→ 03:30 CEST);
 * - a wall time that occurs twice (fall back, 02:30 on 2026-10-25) means the earlier instant (CEST).
 */
import { DateTime, IANAZone } from 'luxon'

const MINUTE = 60_000
const DAY_MS = 86_400_000

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/

export interface LocalDate {
  year: number
  month: number
  day: number
}

/** Parses `YYYY-MM-DD`, rejecting dates that do not exist (2026-02-30). */
export function parseLocalDate(s: string): LocalDate | null {
  const m = DATE_RE.exec(s)
  if (!m) return null
  const year = +m[1], month = +m[2], day = +m[3]
  // Date.UTC maps years 0–99 to 1900–1999; such dates are typos here anyway.
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (day > dim) return null
  return { year, month, day }
}

export function isValidLocalDate(s: string): boolean {
  return parseLocalDate(s) !== null
}

/** `HH:mm` → minutes after midnight; `24:00` is allowed (end of day), `24:30` is not. */
export function parseTimeOfDay(s: string): number | null {
  const m = TIME_RE.exec(s)
  if (!m) return null
  if (m[3] !== undefined) return 24 * 60
  return +m[1] * 60 + +m[2]
}

export function isValidZone(zone: string): boolean {
  return typeof zone === 'string' && IANAZone.isValidZone(zone)
}

const zoneCache = new Map<string, IANAZone>()
function ianaZone(zone: string): IANAZone {
  let z = zoneCache.get(zone)
  if (!z) {
    z = IANAZone.create(zone)
    if (!z.isValid) throw new RangeError(`unknown time zone ${zone}`)
    zoneCache.set(zone, z)
  }
  return z
}

// Luxon asks Intl for every offset, which costs microseconds; compile() asks the same few
// thousand questions for hundreds of staff. Both caches are bounded and purely functional.
const CACHE_LIMIT = 200_000
const HOUR_MS = 3_600_000
const offsetCache = new Map<string, Map<number, number>>()
const wallCache = new Map<string, number>()

/**
 * UTC offset of `zone` at instant `ms`, in minutes. Offsets change at most once an hour, so the
 * offset is cached per clock hour when the hour's first and last millisecond agree; hours with
 * a transition are answered exactly, per instant.
 */
export function offsetMinutes(zone: string, ms: number): number {
  let c = offsetCache.get(zone)
  if (!c) offsetCache.set(zone, (c = new Map()))
  const hour = Math.floor(ms / HOUR_MS)
  let off = c.get(hour)
  if (off === undefined) {
    if (c.size >= CACHE_LIMIT) c.clear()
    const z = ianaZone(zone)
    const a = z.offset(hour * HOUR_MS), b = z.offset(hour * HOUR_MS + HOUR_MS - 1)
    off = a === b ? a : NaN
    c.set(hour, off)
  }
  return Number.isNaN(off) ? ianaZone(zone).offset(ms) : off
}

/** Days since 1970-01-01 of a local calendar date (zone-free arithmetic). */
export function epochDay(d: LocalDate): number {
  return Math.floor(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS)
}

export function dateFromEpochDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10)
}

/** ISO weekday of a local date, 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const d = parseLocalDate(date)
  if (!d) throw new RangeError(`invalid date ${date}`)
  const js = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()
  return js === 0 ? 7 : js
}

export function addDays(date: string, n: number): string {
  const d = parseLocalDate(date)
  if (!d) throw new RangeError(`invalid date ${date}`)
  return dateFromEpochDay(epochDay(d) + n)
}

export type Disambiguation = 'compatible' | 'earlier' | 'later' | 'reject'

/**
 * The instant (epoch ms) of wall time `minutes` after midnight of local `date` in `zone`.
 * `minutes` may exceed 24 h (a night shift ending the next morning) and is then counted as wall
 * time of the following day(s). See the module comment for gaps and overlaps.
 */
export function wallToInstant(
  zone: string,
  date: string,
  minutes: number,
  disambiguation: Disambiguation = 'compatible',
): number {
  const key = `${zone}|${date}|${minutes}|${disambiguation}`
  const hit = wallCache.get(key)
  if (hit !== undefined) return hit
  const t = wallToInstantUncached(zone, date, minutes, disambiguation)
  if (wallCache.size >= CACHE_LIMIT) wallCache.clear()
  wallCache.set(key, t)
  return t
}

function wallToInstantUncached(zone: string, date: string, minutes: number, disambiguation: Disambiguation): number {
  const d = parseLocalDate(date)
  if (!d) throw new RangeError(`invalid date ${date}`)
  const wall = Date.UTC(d.year, d.month - 1, d.day) + minutes * MINUTE
  const before = offsetMinutes(zone, wall - DAY_MS)
  const after = offsetMinutes(zone, wall + DAY_MS)
  const candidates: number[] = []
  for (const off of before === after ? [before] : [before, after]) {
    const t = wall - off * MINUTE
    if (offsetMinutes(zone, t) === off) candidates.push(t)
  }
  candidates.sort((a, b) => a - b)
  if (candidates.length === 1) return candidates[0]
  if (candidates.length === 2) {
    // Fall back: the wall time happens twice.
    if (disambiguation === 'reject') throw new RangeError(`ambiguous wall time ${date} ${fmtHm(minutes)} in ${zone}`)
    return disambiguation === 'later' ? candidates[1] : candidates[0]
  }
  // Spring forward: the wall time does not exist.
  if (disambiguation === 'reject') throw new RangeError(`nonexistent wall time ${date} ${fmtHm(minutes)} in ${zone}`)
  // Interpreting with the offset before the transition lands after the gap ('compatible', 'later');
  // with the offset after it lands before the gap ('earlier').
  return disambiguation === 'earlier' ? wall - after * MINUTE : wall - before * MINUTE
}

/** Whether a wall time falls into a DST gap or overlap; for validation messages. */
export function wallTimeKind(zone: string, date: string, minutes: number): 'normal' | 'gap' | 'overlap' {
  try {
    wallToInstant(zone, date, minutes, 'reject')
    return 'normal'
  } catch (e) {
    return String((e as Error).message).startsWith('ambiguous') ? 'overlap' : 'gap'
  }
}

/** Local midnight of `date` (midnight always exists in the zones we know; if not, the first instant after). */
export function startOfLocalDay(zone: string, date: string): number {
  return wallToInstant(zone, date, 0)
}

// Booking traffic parses the same few thousand grid instants over and over.
const instantCache = new Map<string, number | null>()

/** Parses an ISO date-time with an explicit offset or `Z`; null when it has none or is invalid. */
export function parseInstant(s: string): number | null {
  if (typeof s !== 'string') return null
  const hit = instantCache.get(s)
  if (hit !== undefined) return hit
  const v = parseInstantUncached(s)
  if (instantCache.size >= CACHE_LIMIT) instantCache.clear()
  if (s.length <= 40) instantCache.set(s, v)
  return v
}

function parseInstantUncached(s: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null
  const datePart = s.slice(0, 10)
  if (!isValidLocalDate(datePart)) return null
  const hh = +s.slice(11, 13), mm = +s.slice(14, 16)
  if (hh > 23 || mm > 59) return null
  if (s.length > 16 && s[16] === ':' && +s.slice(17, 19) > 59) return null
  const ms = Date.parse(s)
  return Number.isFinite(ms) ? ms : null
}

/** Local date (`YYYY-MM-DD`) of an instant in `zone`. */
export function localDateOf(zone: string, ms: number): string {
  return new Date(ms + offsetMinutes(zone, ms) * MINUTE).toISOString().slice(0, 10)
}

/** Minutes after local midnight of an instant in `zone` (wall clock, 0..1439). */
export function localMinutesOf(zone: string, ms: number): number {
  const local = ms + offsetMinutes(zone, ms) * MINUTE
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE)
}

/** ISO 8601 with the zone's offset at that instant: `2026-03-29T03:30:00+02:00`. */
export function formatInstant(zone: string, ms: number): string {
  const off = offsetMinutes(zone, ms)
  // Milliseconds only when there are any, so grid times read cleanly and odd instants round-trip.
  const local = new Date(ms + off * MINUTE).toISOString().slice(0, ms % 1000 === 0 ? 19 : 23)
  const sign = off < 0 ? '-' : '+'
  const a = Math.abs(off)
  return `${local}${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`
}

/**
 * Luxon view of an instant, for callers who want calendar arithmetic at the edges. Throws on an
 * invalid result instead of setting luxon's global `throwOnInvalid`, which would change luxon's
 * behaviour for the embedding application too.
 */
export function toDateTime(zone: string, ms: number): DateTime {
  const dt = DateTime.fromMillis(ms, { zone })
  if (!dt.isValid) throw new RangeError(`invalid date-time ${ms} in ${zone}: ${dt.invalidExplanation ?? dt.invalidReason}`)
  return dt
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

export function fmtHm(minutes: number): string {
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`
}
