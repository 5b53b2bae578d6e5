/**
 * iCalendar (RFC 5545) → one staff member's shifts and absences over a date range, with ical.js.
 *
 * Pipeline: parse (ical.js) → resolve time zones (every TZID of an IANA zone is converted with the
 * engine's own tz rules; other TZIDs use the file's VTIMEZONE) → expand recurrences with ical.js
 * (RRULE, RDATE, EXDATE; RECURRENCE-ID exceptions replace or cancel their occurrence) → classify
 * each occurrence as shift, break, absence or nothing → wall times in the scenario's zone →
 * attach breaks to the shifts around them → compress to weekly/dated shifts (lossless over the
 * range) → validate with the model's zod schemas.
 *
 * Classification, first match wins: STATUS:CANCELLED → ignored; `X-TERMINPLAN-KIND` (shift,
 * absence, break, ignore); a CATEGORIES word (Shift/Schicht/Dienst, Absence/Urlaub/Vacation/Sick/
 * Krank/Leave/Training/Fortbildung, Break/Pause); TRANSP:TRANSPARENT → ignored; all-day → absence;
 * timed → shift. A shift belongs to the date it starts on; only shifts starting inside the range are
 * returned, absences are clipped to it. Absence reasons (SUMMARY) are personal and only copied when
 * asked for (`reasons: true`).
 */
import ICAL from 'ical.js'
import { z } from 'zod'
import { TerminplanError, type ValidationIssue } from '../../model/errors.js'
import { AbsenceSchema, IdSchema, ShiftSchema, type Absence } from '../../model/schema.js'
import { addDays, fmtHm, formatInstant, isValidZone, localDateOf, localMinutesOf, parseLocalDate, startOfLocalDay, wallToInstant } from '../../model/tz.js'
import { compressShifts, mergeAbsences, type DatedShift, type DateRange } from '../common/shifts.js'
import { buildVtimezone } from './vtimezone.js'

export type EventKind = 'shift' | 'absence' | 'break' | 'ignore'

/** What the classifier sees of an event (or of a RECURRENCE-ID exception). */
export interface IcsEventInfo {
  uid: string
  summary?: string
  categories: string[]
  allDay: boolean
  transparent: boolean
  status?: string
  /** Value of X-TERMINPLAN-KIND, lower case. */
  kind?: string
}

export interface IcsImportOptions {
  staffId: string
  range: DateRange
  /** The scenario's zone: wall times of the result are in it. Default Europe/Berlin. */
  timezone?: string
  /** Put every shift at this office (else X-TERMINPLAN-OFFICE of the event, else the home office). */
  office?: string
  /** Copy event summaries into absence reasons (personal data: off by default). */
  reasons?: boolean
  /** Own classification; return undefined to fall back to the default rules. */
  classify?: (e: IcsEventInfo) => EventKind | undefined
  /** Safety limit on expanded occurrences per import (default 200,000). */
  maxOccurrences?: number
}

export const StaffAvailabilitySchema = z.strictObject({
  staffId: IdSchema,
  range: z.strictObject({ from: z.string(), to: z.string() }),
  timezone: z.string(),
  shifts: z.array(ShiftSchema),
  absences: z.array(AbsenceSchema),
})
export type StaffAvailabilityCore = z.output<typeof StaffAvailabilitySchema>

export interface StaffAvailability extends StaffAvailabilityCore {
  /** Events skipped or adjusted, with where they were. */
  warnings: ValidationIssue[]
}

const WORDS: Array<[EventKind, RegExp]> = [
  ['break', /^(break|pause|mittagspause|lunch)$/i],
  ['absence', /^(absence|abwesend|abwesenheit|vacation|urlaub|leave|holiday|sick|krank|krankheit|training|fortbildung|off)$/i],
  ['shift', /^(shift|schicht|dienst|work|arbeit|arbeitszeit)$/i],
]

export function defaultClassify(e: IcsEventInfo): EventKind {
  if (e.status === 'CANCELLED') return 'ignore'
  if (e.kind && ['shift', 'absence', 'break', 'ignore'].includes(e.kind)) return e.kind as EventKind
  for (const [kind, re] of WORDS) if (e.categories.some((c) => re.test(c.trim()))) return kind
  if (e.transparent) return 'ignore'
  return e.allDay ? 'absence' : 'shift'
}

const MINUTE = 60_000
const DAY = 86_400_000

type Time = InstanceType<typeof ICAL.Time>
type Component = InstanceType<typeof ICAL.Component>
type IcalEvent = InstanceType<typeof ICAL.Event>

/** `Europe/Berlin`, `/Europe/Berlin` (some clients) → the IANA name; null for other ids. */
export function ianaZoneOf(tzid: string | undefined | null): string | null {
  if (!tzid) return null
  let hit = zoneIds.get(tzid)
  if (hit === undefined) {
    const t = tzid.startsWith('/') ? tzid.slice(1) : tzid
    // Asking Intl whether a zone exists costs tens of microseconds; calendars repeat a few ids.
    hit = isValidZone(t) ? t : null
    if (zoneIds.size > 1000) zoneIds.clear()
    zoneIds.set(tzid, hit)
  }
  return hit
}
const zoneIds = new Map<string, string | null>()

function invalid(issues: ValidationIssue[]): TerminplanError {
  const first = issues[0]
  return new TerminplanError('IO_FAILED', `cannot import calendar: ${issues.length} problem${issues.length === 1 ? '' : 's'}, first ${first.path}: ${first.message}`, issues)
}

/** Parses one or more iCalendar texts into VCALENDAR components; syntax errors carry the text's index. */
export function parseCalendars(texts: string | string[], pathPrefix = '$.calendars'): Component[] {
  const list = Array.isArray(texts) ? texts : [texts]
  const out: Component[] = []
  const issues: ValidationIssue[] = []
  list.forEach((text, i) => {
    const path = `${pathPrefix}[${i}]`
    if (typeof text !== 'string' || !/BEGIN:VCALENDAR/i.test(text)) {
      issues.push({ path, code: 'invalid_ics', message: 'not an iCalendar text (no BEGIN:VCALENDAR)' })
      return
    }
    try {
      const jcal = ICAL.parse(text) as unknown
      const roots = Array.isArray(jcal) && Array.isArray(jcal[0]) ? (jcal as unknown[]) : [jcal]
      for (const r of roots) {
        const c = new ICAL.Component(r as never)
        if (c.name !== 'vcalendar') issues.push({ path, code: 'invalid_ics', message: `top-level component is ${c.name.toUpperCase()}, not VCALENDAR` })
        else out.push(c)
      }
    } catch (e) {
      issues.push({ path, code: 'invalid_ics', message: `not valid iCalendar: ${(e as Error).message}` })
    }
  })
  if (issues.length) throw invalid(issues)
  return out
}

/**
 * A canonical form of the events of iCalendar text(s), for "would this write change anything?":
 * every VEVENT's properties without DTSTAMP/SEQUENCE/LAST-MODIFIED/CREATED, sorted. Texts a server
 * reformatted (line folding, property order) compare equal.
 */
export function eventFingerprint(texts: string | string[]): string {
  const skip = new Set(['dtstamp', 'sequence', 'last-modified', 'created'])
  const events: string[] = []
  for (const cal of parseCalendars(texts))
    for (const ve of cal.getAllSubcomponents('vevent')) {
      const props = (ve.toJSON()[1] as unknown[][]).filter((p) => !skip.has(String(p[0]))).map((p) => JSON.stringify(p))
      events.push(props.sort().join('\n'))
    }
  return events.sort().join('\n--\n')
}

/**
 * Makes every TZID resolvable inside its calendar: for IANA ids without a VTIMEZONE one is built
 * from tz data (so ical.js compares EXDATEs and occurrences in the right zone); other ids without
 * a VTIMEZONE are an error.
 */
function ensureTimezones(cal: Component, path: string, range: DateRange, issues: ValidationIssue[]): void {
  const defined = new Set(cal.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid'))))
  const used = new Map<string, number>() // tzid → earliest year seen
  const visit = (c: Component) => {
    for (const p of c.getAllProperties()) {
      const tzid = p.getParameter('tzid')
      if (typeof tzid === 'string') {
        const year = Number(String(p.toJSON()[3] ?? '').slice(0, 4))
        used.set(tzid, Math.min(used.get(tzid) ?? 9999, Number.isFinite(year) && year > 1900 ? year : 9999))
      }
    }
    for (const sub of c.getAllSubcomponents()) if (sub.name !== 'vtimezone') visit(sub)
  }
  visit(cal)
  for (const [tzid, year] of used) {
    if (defined.has(tzid)) continue
    const zone = ianaZoneOf(tzid)
    if (!zone) {
      issues.push({ path, code: 'unknown_timezone', message: `TZID "${tzid}" is neither an IANA zone nor defined by a VTIMEZONE in the calendar` })
      continue
    }
    const from = Math.min(Date.UTC(Math.min(year, 9000), 0, 1), Date.parse(`${range.from}T00:00:00Z`))
    const to = Date.parse(`${range.to}T00:00:00Z`) + DAY
    const text = buildVtimezone(zone, { from, to })
    if (!text) continue // UTC: ical.js knows it
    const vt = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${text}\r\nEND:VCALENDAR`) as never).getFirstSubcomponent('vtimezone')!
    vt.updatePropertyWithValue('tzid', tzid)
    cal.addSubcomponent(vt)
  }
}

/** The instant (epoch ms) of a DATE-TIME: IANA zones by the engine's rules, UTC exactly, floating in `zone`. */
function instantOf(t: Time, zone: string): number {
  const wall = t.hour * 60 + t.minute
  const date = `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`
  const tzid = t.zone?.tzid
  if (tzid === 'UTC' || t.zone === ICAL.Timezone.utcTimezone) return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second)
  if (!tzid || tzid === 'floating') return wallToInstant(zone, date, wall) + t.second * 1000
  const iana = ianaZoneOf(tzid)
  if (iana) return wallToInstant(iana, date, wall) + t.second * 1000
  return t.toUnixTime() * 1000
}

/** End instant of a series instance starting at `start`, by RFC 5545 (exact durations, nominal days of DURATION). */
function instanceEnd(ev: IcalEvent, start: Time, zone: string): number {
  const startMs = instantOf(start, zone)
  const dur = ev.component.getFirstPropertyValue('duration') as unknown as { weeks: number; days: number; hours: number; minutes: number; seconds: number; isNegative: boolean } | null
  if (dur && typeof dur === 'object') {
    const sign = dur.isNegative ? -1 : 1
    const days = sign * (dur.weeks * 7 + dur.days)
    const exact = sign * ((dur.hours * 60 + dur.minutes) * 60 + dur.seconds) * 1000
    if (days === 0) return startMs + exact
    const shifted = start.clone()
    shifted.adjust(days, 0, 0, 0)
    return instantOf(shifted, zone) + exact
  }
  if (!ev.component.hasProperty('dtend')) return startMs
  return startMs + (instantOf(ev.endDate, zone) - instantOf(ev.startDate, zone))
}

function dateOf(t: Time): string {
  return `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`
}

function info(ev: IcalEvent): IcsEventInfo {
  const c = ev.component
  const categories = c.getAllProperties('categories').flatMap((p) => p.getValues().map(String))
  const kind = c.getFirstPropertyValue('x-terminplan-kind')
  const status = c.getFirstPropertyValue('status')
  const transp = c.getFirstPropertyValue('transp')
  return {
    uid: String(ev.uid ?? ''),
    summary: ev.summary ? String(ev.summary) : undefined,
    categories,
    allDay: ev.startDate?.isDate === true,
    transparent: String(transp ?? '').toUpperCase() === 'TRANSPARENT',
    status: status ? String(status).toUpperCase() : undefined,
    kind: kind ? String(kind).toLowerCase() : undefined,
  }
}

interface Occurrence {
  path: string
  kind: EventKind
  allDay: boolean
  /** All-day: dates [startDate, endDate) ; timed: instants. */
  startDate?: string
  endDate?: string
  start: number
  end: number
  summary?: string
  office?: string
}

/** Expands the events of the calendars into classified occurrences that touch the range. */
function occurrences(cals: Component[], opts: IcsImportOptions, zone: string, issues: ValidationIssue[]): Occurrence[] {
  const lo = startOfLocalDay(zone, opts.range.from)
  const hi = startOfLocalDay(zone, addDays(opts.range.to, 1))
  const classify = (i: IcsEventInfo) => opts.classify?.(i) ?? defaultClassify(i)
  const limit = opts.maxOccurrences ?? 200_000
  let count = 0
  const out: Occurrence[] = []

  cals.forEach((cal, ci) => {
    const vevents = cal.getAllSubcomponents('vevent')
    const masters = new Map<string, { ev: IcalEvent; path: string }>()
    const exceptions: { ev: IcalEvent; path: string }[] = []
    vevents.forEach((ve, vi) => {
      const path = `$.calendars[${ci}].vevent[${vi}]`
      let ev: IcalEvent
      try {
        ev = new ICAL.Event(ve)
        if (!ev.startDate) throw new Error('no DTSTART')
      } catch (e) {
        issues.push({ path, code: 'invalid_event', message: `unreadable event: ${(e as Error).message}` })
        return
      }
      if (ve.hasProperty('recurrence-id')) exceptions.push({ ev, path })
      else if (masters.has(ev.uid)) issues.push({ path: `${path}.uid`, code: 'duplicate_uid', message: `UID "${ev.uid}" is used by two events` })
      else masters.set(ev.uid, { ev, path })
    })
    const orphans: { ev: IcalEvent; path: string }[] = []
    const exceptionPaths = new Map<IcalEvent, string>()
    for (const x of exceptions) {
      const m = masters.get(x.ev.uid)
      exceptionPaths.set(x.ev, x.path)
      if (m) m.ev.relateException(x.ev)
      else orphans.push(x)
    }

    /** RFC 5545 end of a timed instance (exact durations); undefined for all-day ones. */
    const exactEnd = (ev: IcalEvent, start: Time) => (start.isDate ? undefined : instanceEnd(ev, start, zone))
    const emit = (ev: IcalEvent, path: string, start: Time, end: Time, masterKind: EventKind | null, endMs?: number) => {
      const i = info(ev)
      // An exception with its own kind markers decides for itself; otherwise it inherits the master's kind.
      const own = i.status === 'CANCELLED' || i.kind !== undefined || i.categories.length > 0 || masterKind === null
      const kind = own ? classify(i) : masterKind!
      if (kind === 'ignore') return
      const officeProp = ev.component.getFirstPropertyValue('x-terminplan-office')
      const office = officeProp ? String(officeProp) : undefined
      if (start.isDate) {
        const startDate = dateOf(start)
        let endDate = end && end.isDate ? dateOf(end) : addDays(startDate, 1)
        if (endDate <= startDate) endDate = addDays(startDate, 1)
        const s = startOfLocalDay(zone, startDate), e = startOfLocalDay(zone, endDate)
        if (e <= lo || s >= hi) return
        out.push({ path, kind, allDay: true, startDate, endDate, start: s, end: e, summary: i.summary, office })
        return
      }
      const s = instantOf(start, zone)
      const e = endMs ?? (end ? instantOf(end, zone) : s)
      if (s >= hi || (e <= lo && !(kind === 'shift' && s >= lo))) return
      out.push({ path, kind, allDay: false, start: s, end: e, summary: i.summary, office })
    }

    for (const { ev, path } of masters.values()) {
      const masterKind = classify(info(ev))
      if (!ev.isRecurring()) {
        emit(ev, path, ev.startDate, ev.endDate, null, exactEnd(ev, ev.startDate))
        continue
      }
      const it = ev.iterator()
      let next: Time | null
      const seen = new Set<number>()
      while ((next = it.next())) {
        if (++count > limit) {
          issues.push({ path, code: 'too_many_occurrences', message: `more than ${limit} occurrences; narrow the range or the recurrence` })
          return
        }
        if (instantOf(next, zone) >= hi + DAY) break
        const d = ev.getOccurrenceDetails(next)
        const item = d.item
        const itemPath = item !== ev ? (exceptionPaths.get(item) ?? path) : path
        seen.add(instantOf(next, zone))
        // RFC 5545: every instance of a series lasts the master's exact duration (DTEND − DTSTART),
        // days of a DURATION being nominal; ical.js adds it to wall time instead. An exception
        // (RECURRENCE-ID) has its own DTSTART and DTEND.
        const own = item === ev ? exactEnd(ev, d.startDate) : instantOf(d.startDate, zone) === instantOf(item.startDate, zone) ? exactEnd(item, item.startDate) : undefined
        emit(item, itemPath, d.startDate, d.endDate, masterKind, own)
      }
      // Exceptions whose original occurrence lies past the expansion but that moved into the range.
      for (const x of exceptions) {
        if (x.ev.uid !== ev.uid || seen.has(instantOf(x.ev.recurrenceId, zone))) continue
        if (instantOf(x.ev.recurrenceId, zone) >= hi + DAY) emit(x.ev, x.path, x.ev.startDate, x.ev.endDate, masterKind, exactEnd(x.ev, x.ev.startDate))
      }
    }
    for (const o of orphans) emit(o.ev, o.path, o.ev.startDate, o.ev.endDate, null, exactEnd(o.ev, o.ev.startDate))
  })
  return out
}

/** Imports one staff member's availability from iCalendar text(s); throws IO_FAILED listing every problem. */
export function importStaffAvailability(ics: string | string[], opts: IcsImportOptions): StaffAvailability {
  const zone = opts.timezone ?? 'Europe/Berlin'
  const argIssues: ValidationIssue[] = []
  if (!isValidZone(zone)) argIssues.push({ path: '$.timezone', code: 'invalid_zone', message: `not an IANA time zone: ${zone}` })
  if (!parseLocalDate(opts.range.from)) argIssues.push({ path: '$.range.from', code: 'invalid_date', message: `not a date: ${opts.range.from}` })
  if (!parseLocalDate(opts.range.to)) argIssues.push({ path: '$.range.to', code: 'invalid_date', message: `not a date: ${opts.range.to}` })
  else if (opts.range.to < opts.range.from) argIssues.push({ path: '$.range.to', code: 'empty_range', message: 'the range ends before it starts' })
  if (!IdSchema.safeParse(opts.staffId).success) argIssues.push({ path: '$.staffId', code: 'invalid_id', message: 'staff id must be a non-empty id' })
  if (argIssues.length) throw new TerminplanError('COMMAND_INVALID', `invalid import options: ${argIssues[0].path}: ${argIssues[0].message}`, argIssues)

  const cals = parseCalendars(ics)
  const issues: ValidationIssue[] = []
  cals.forEach((c, i) => ensureTimezones(c, `$.calendars[${i}]`, opts.range, issues))
  if (issues.length) throw invalid(issues)
  const occ = occurrences(cals, opts, zone, issues)
  const warnings: ValidationIssue[] = []

  const lo = startOfLocalDay(zone, opts.range.from)
  const hi = startOfLocalDay(zone, addDays(opts.range.to, 1))
  const shifts: (DatedShift & { start: number; end: number; path: string })[] = []
  const absences: Absence[] = []
  for (const o of occ) {
    if (o.kind === 'absence') {
      if (o.allDay) {
        const from = o.startDate! < opts.range.from ? opts.range.from : o.startDate!
        const lastDay = addDays(o.endDate!, -1)
        const to = lastDay > opts.range.to ? opts.range.to : lastDay
        const a: Absence = { from, to }
        if (opts.reasons && o.summary) a.reason = o.summary.slice(0, 500)
        absences.push(a)
      } else {
        if (o.end <= o.start) {
          warnings.push({ path: o.path, code: 'empty_event', message: 'absence without duration ignored' })
          continue
        }
        const a: Absence = { from: formatInstant(zone, Math.max(o.start, lo)), to: formatInstant(zone, Math.min(o.end, hi)) }
        if (opts.reasons && o.summary) a.reason = o.summary.slice(0, 500)
        absences.push(a)
      }
      continue
    }
    if (o.kind === 'shift') {
      if (o.allDay) {
        issues.push({ path: o.path, code: 'shift_without_times', message: 'an all-day event cannot be a shift (it has no working hours); mark it as an absence or give it times' })
        continue
      }
      const date = localDateOf(zone, o.start)
      if (date < opts.range.from || date > opts.range.to) continue
      if (o.end - o.start <= 0 || o.end - o.start >= DAY) {
        issues.push({ path: o.path, code: o.end <= o.start ? 'empty_event' : 'shift_too_long', message: `a shift must last more than 0 and less than 24 hours (${date})` })
        continue
      }
      if (o.start % MINUTE !== 0 || o.end % MINUTE !== 0) warnings.push({ path: o.path, code: 'seconds_dropped', message: 'seconds dropped from shift times' })
      const sh = { date, from: fmtHm(localMinutesOf(zone, o.start)), to: fmtHm(localMinutesOf(zone, o.end)), breaks: [], start: o.start, end: o.end, path: o.path } as DatedShift & { start: number; end: number; path: string }
      const office = opts.office ?? o.office
      if (office !== undefined) sh.office = office
      shifts.push(sh)
    }
  }
  // Breaks go to the shift occurrence that contains them.
  for (const o of occ) {
    if (o.kind !== 'break') continue
    if (o.allDay) {
      warnings.push({ path: o.path, code: 'break_without_times', message: 'all-day break ignored' })
      continue
    }
    const host = shifts.find((s) => s.start <= o.start && o.end <= s.end && o.end > o.start)
    if (!host) {
      if (o.start >= lo && o.start < hi)
        warnings.push({ path: o.path, code: 'break_outside_shift', message: `break at ${formatInstant(zone, o.start)} lies in no shift; ignored` })
      continue
    }
    host.breaks.push({ from: fmtHm(localMinutesOf(zone, o.start)), to: fmtHm(localMinutesOf(zone, o.end)) })
  }
  if (issues.length) throw invalid(issues)

  const compact = compressShifts(
    shifts.map(({ start: _s, end: _e, path: _p, ...d }) => d),
    opts.range,
  )
  const result = StaffAvailabilitySchema.safeParse({
    staffId: opts.staffId,
    range: { from: opts.range.from, to: opts.range.to },
    timezone: zone,
    shifts: compact,
    absences: mergeAbsences(absences),
  })
  if (!result.success) {
    const problems = result.error.issues.map((i) => ({ path: `$.${i.path.join('.')}`, code: 'invalid_result', message: i.message }))
    throw invalid(problems)
  }
  return { ...result.data, warnings }
}

