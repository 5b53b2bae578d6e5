/**
 * VTIMEZONE components built from the runtime's IANA time-zone data (through luxon/Intl), so an
 * exported calendar carries the exact UTC offsets of its own dates and needs no time-zone database
 * at the receiving end.
 *
 * Every offset change in the covered range becomes one onset: observances with the same offsets
 * and name share one STANDARD/DAYLIGHT component, its DTSTART the first onset and one RDATE per
 * onset (DTSTART repeated as an RDATE: ical.js reads onsets from RDATEs only when a component has
 * any, and reads one value per RDATE property). A leading observance fixes the offset in force at
 * the start of the range, so times before the first change resolve too.
 */
import { DateTime } from 'luxon'
import { isValidZone, offsetMinutes } from '../../model/tz.js'

const MINUTE = 60_000
const DAY = 86_400_000

function fmtOffset(min: number): string {
  const sign = min < 0 ? '-' : '+'
  const a = Math.abs(min)
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`
}

/** Wall time of instant `ms` at a fixed offset, as iCalendar local DATE-TIME (no zone). */
function localStamp(ms: number, offsetMin: number): string {
  return new Date(ms + offsetMin * MINUTE).toISOString().slice(0, 19).replace(/[-:]/g, '')
}

function zoneName(zone: string, ms: number): string | undefined {
  for (const locale of ['en-GB', 'en-US']) {
    const n = DateTime.fromMillis(ms, { zone, locale }).toFormat('ZZZZ')
    if (/^[A-Z]{2,6}$/.test(n)) return n
  }
  return undefined
}

/** Offset changes of `zone` in [from, to): the first instant with the new offset, and both offsets. */
export function offsetTransitions(zone: string, from: number, to: number): { at: number; before: number; after: number }[] {
  const out: { at: number; before: number; after: number }[] = []
  // Offsets change at most a few times a year and never twice within 12 hours anywhere.
  const step = DAY / 2
  let t = from
  let off = offsetMinutes(zone, t)
  while (t < to) {
    const next = Math.min(t + step, to)
    const offNext = offsetMinutes(zone, next)
    if (offNext !== off) {
      let lo = t, hi = next // offset(lo) = off, offset(hi) = offNext
      while (hi - lo > 1000) {
        const mid = lo + Math.max(1000, Math.floor((hi - lo) / 2000) * 1000)
        if (offsetMinutes(zone, mid) === off) lo = mid
        else hi = mid
      }
      out.push({ at: hi, before: off, after: offNext })
    }
    t = next
    off = offNext
  }
  return out
}

export interface VtimezoneOptions {
  /** First and last instant (epoch ms) the calendar's times fall in; the range is widened by a year on each side. */
  from: number
  to: number
}

/** The VTIMEZONE text (CRLF lines, no folding needed) of `zone` for the given range; null for UTC or unknown zones. */
export function buildVtimezone(zone: string, opts: VtimezoneOptions): string | null {
  if (!isValidZone(zone) || zone === 'UTC' || zone === 'Etc/UTC') return null
  const y0 = Math.max(1970, new Date(opts.from).getUTCFullYear() - 1)
  const y1 = Math.min(2200, new Date(opts.to).getUTCFullYear() + 1)
  const key = `${zone}|${y0}|${y1}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const text = build(zone, y0, y1)
  if (cache.size > 500) cache.clear()
  cache.set(key, text)
  return text
}

const cache = new Map<string, string>()

function build(zone: string, y0: number, y1: number): string {
  const start = Date.UTC(y0, 0, 1)
  const end = Date.UTC(y1 + 1, 0, 1)
  const offStart = offsetMinutes(zone, start)
  const dst = (ms: number) => DateTime.fromMillis(ms, { zone }).isInDST

  interface Observance {
    kind: 'STANDARD' | 'DAYLIGHT'
    from: number
    to: number
    name?: string
    onsets: string[]
  }
  const groups = new Map<string, Observance>()
  const add = (kind: Observance['kind'], from: number, to: number, name: string | undefined, onset: string) => {
    const key = `${kind}|${from}|${to}|${name ?? ''}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { kind, from, to, name, onsets: [] }))
    g.onsets.push(onset)
  }
  add(dst(start) ? 'DAYLIGHT' : 'STANDARD', offStart, offStart, zoneName(zone, start), localStamp(start, offStart))
  for (const tr of offsetTransitions(zone, start, end))
    add(dst(tr.at) ? 'DAYLIGHT' : 'STANDARD', tr.before, tr.after, zoneName(zone, tr.at), localStamp(tr.at, tr.before))

  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`]
  for (const g of groups.values()) {
    lines.push(`BEGIN:${g.kind}`, `TZOFFSETFROM:${fmtOffset(g.from)}`, `TZOFFSETTO:${fmtOffset(g.to)}`)
    if (g.name) lines.push(`TZNAME:${g.name}`)
    lines.push(`DTSTART:${g.onsets[0]}`)
    for (const o of g.onsets) lines.push(`RDATE:${o}`)
    lines.push(`END:${g.kind}`)
  }
  lines.push('END:VTIMEZONE')
  return lines.join('\r\n')
}

/** A generator for ical-generator's `timezone: { name, generator }` option over a fixed range. */
export function vtimezoneGenerator(opts: VtimezoneOptions): (zone: string) => string | null {
  return (zone) => buildVtimezone(zone, opts)
}
