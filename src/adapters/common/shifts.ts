/**
 * Normalising rosters: concrete dated shifts (what a calendar or an availability rule yields over
 * a date range) → the model's compact form, losslessly.
 *
 * Shifts with the same wall times, breaks and office that recur on a weekday every week without a
 * gap become one weekly shift with `validFrom`/`validTo`; a run that starts in the range's first
 * week (or ends in its last) is widened to the range's first (last) day, so that weekdays with the
 * same pattern share one rule; everything else stays a dated shift. Expanding the result over the
 * range gives back exactly the input occurrences.
 */
import type { Absence, Shift } from '../../model/schema.js'
import { addDays, epochDay, isoWeekday, parseLocalDate } from '../../model/tz.js'

export interface DateRange {
  /** First local date, inclusive (YYYY-MM-DD). */
  from: string
  /** Last local date, inclusive. */
  to: string
}

export interface DatedShift {
  date: string
  from: string
  to: string
  breaks: { from: string; to: string }[]
  office?: string
}

const dayNo = (d: string) => epochDay(parseLocalDate(d)!)

function patternKey(s: DatedShift): string {
  const breaks = [...s.breaks].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
  return JSON.stringify([s.from, s.to, breaks.map((b) => [b.from, b.to]), s.office ?? null])
}

/** Dated occurrences → weekly and dated shifts (see the module comment). Deterministic order. */
export function compressShifts(dated: DatedShift[], range: DateRange): Shift[] {
  const lo = dayNo(range.from), hi = dayNo(range.to)
  // pattern → weekday → sorted unique dates
  const byPattern = new Map<string, { sample: DatedShift; byWeekday: Map<number, string[]> }>()
  for (const s of dated) {
    const key = patternKey(s)
    let g = byPattern.get(key)
    if (!g) byPattern.set(key, (g = { sample: s, byWeekday: new Map() }))
    const wd = isoWeekday(s.date)
    const list = g.byWeekday.get(wd) ?? []
    list.push(s.date)
    g.byWeekday.set(wd, list)
  }
  const weekly = new Map<string, Shift>() // pattern + validity → shift (weekdays merged)
  const singles: Shift[] = []
  for (const [key, g] of byPattern) {
    const base = g.sample
    const breaks = [...base.breaks].sort((a, b) => (a.from < b.from ? -1 : 1)).map((b) => ({ from: b.from, to: b.to }))
    const mk = (extra: Partial<Shift>): Shift => {
      const sh: Shift = { ...extra, from: base.from, to: base.to, breaks: breaks.map((b) => ({ ...b })) } as Shift
      if (base.office !== undefined) sh.office = base.office
      return sh
    }
    for (const [wd, datesRaw] of [...g.byWeekday].sort((a, b) => a[0] - b[0])) {
      const dates = [...new Set(datesRaw)].sort()
      let i = 0
      while (i < dates.length) {
        let j = i
        while (j + 1 < dates.length && dayNo(dates[j + 1]) - dayNo(dates[j]) === 7) j++
        if (j === i) singles.push(mk({ date: dates[i] }))
        else {
          const first = dayNo(dates[i]), last = dayNo(dates[j])
          const validFrom = first - 7 < lo ? range.from : dates[i]
          const validTo = last + 7 > hi ? range.to : dates[j]
          const wkey = `${key}|${validFrom}|${validTo}`
          const existing = weekly.get(wkey)
          if (existing) existing.weekdays!.push(wd)
          else weekly.set(wkey, mk({ weekdays: [wd], validFrom, validTo }))
        }
        i = j + 1
      }
    }
  }
  const order = (s: Shift) => `${s.validFrom ?? s.date}|${s.from}|${s.to}`
  const out = [...weekly.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
  singles.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
  return [...out, ...singles].map(normaliseShiftKeys)
}

/** Fixed key order, so JSON output is stable and diffable. */
function normaliseShiftKeys(s: Shift): Shift {
  const o: Record<string, unknown> = {}
  for (const k of ['weekdays', 'date', 'validFrom', 'validTo', 'from', 'to', 'breaks', 'office'] as const) if (s[k] !== undefined) o[k] = s[k]
  return o as Shift
}

/**
 * Whole-day absences: overlapping or adjacent ranges with the same reason merge; instant
 * absences are kept as they are. Sorted by start.
 */
export function mergeAbsences(list: Absence[]): Absence[] {
  const days = list.filter((a) => a.from.length === 10 && a.to.length === 10).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
  const timed = list.filter((a) => !(a.from.length === 10 && a.to.length === 10))
  const merged: Absence[] = []
  for (const a of days) {
    const prev = merged[merged.length - 1]
    if (prev && prev.reason === a.reason && a.from <= addDays(prev.to, 1)) {
      if (a.to > prev.to) prev.to = a.to
    } else merged.push({ ...a })
  }
  const key = (a: Absence) => (a.from.length === 10 ? `${a.from}T00:00` : a.from)
  return [...merged, ...timed].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}
