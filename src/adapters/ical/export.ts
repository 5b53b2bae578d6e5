/**
 * iCalendar export with ical-generator: appointments (per office, staff member or citizen) and a
 * staff member's roster (shifts, breaks, absences), each calendar with a VTIMEZONE built from tz
 * data for the dates it contains.
 *
 * Times are written as local times with TZID, except the rare instant whose local time is
 * ambiguous (the repeated hour when clocks go back) and timed absences: those are written in UTC,
 * so every instant reads back exactly. DTSTAMP comes from the caller (deterministic output).
 * Appointments carry no personal data unless the caller opts in (staff id, citizen id); their
 * UIDs are `<appointment id>@<domain>`, stable across exports.
 */
// Named imports: the CommonJS build of this package cannot use ical-generator's default export.
import { ICalCalendar, ICalCalendarMethod, type ICalEventData } from 'ical-generator'
import { DateTime } from 'luxon'
import { breakMinutes, expandShifts, horizonDates, shiftAppliesOn, shiftEndMinutes } from '../../model/calendar.js'
import { TerminplanError } from '../../model/errors.js'
import type { Scenario, Staff } from '../../model/schema.js'
import { addDays, formatInstant, isValidZone, localDateOf, localMinutesOf, parseInstant, parseTimeOfDay, startOfLocalDay, wallToInstant } from '../../model/tz.js'
import { CalendarAppointmentSchema, toCalendarAppointment, type CalendarAppointment, type PrivacyOptions } from '../calendar-port.js'
import type { Appointment } from '../../solver/index.js'
import { ianaZoneOf, parseCalendars } from './import.js'
import { vtimezoneGenerator } from './vtimezone.js'

const PRODID = { company: 'terminplan', product: 'terminplan', language: 'EN' }

function stampOf(stamp: string | number): DateTime {
  const ms = typeof stamp === 'number' ? stamp : parseInstant(stamp)
  if (ms === null || !Number.isFinite(ms))
    throw new TerminplanError('COMMAND_INVALID', `invalid DTSTAMP ${String(stamp)}`, [{ path: '$.stamp', code: 'invalid_instant', message: 'stamp must be an ISO instant with offset or epoch ms' }])
  return DateTime.fromMillis(ms, { zone: 'utc' })
}

/** Start/end fields of a timed event: local time with TZID when unambiguous, else UTC. */
function timed(zone: string, start: number, end: number): Pick<ICalEventData, 'start' | 'end' | 'timezone'> {
  const exact = (ms: number) => wallToInstant(zone, localDateOf(zone, ms), localMinutesOf(zone, ms)) === ms && ms % 60_000 === 0
  if (exact(start) && exact(end))
    return { start: DateTime.fromMillis(start, { zone }), end: DateTime.fromMillis(end, { zone }), timezone: zone }
  return { start: DateTime.fromMillis(start, { zone: 'utc' }), end: DateTime.fromMillis(end, { zone: 'utc' }), timezone: null }
}

function newCalendar(zone: string, name: string, from: number, to: number) {
  if (!isValidZone(zone)) throw new TerminplanError('COMMAND_INVALID', `unknown time zone ${zone}`, [{ path: '$.timezone', code: 'invalid_zone', message: `unknown time zone ${zone}` }])
  // `name: null`: events name their own zone; UTC events stay UTC. The generator adds one VTIMEZONE.
  return new ICalCalendar({ prodId: PRODID, name, method: ICalCalendarMethod.PUBLISH, timezone: { name: null, generator: vtimezoneGenerator({ from, to }) } })
}

export interface AppointmentIcsOptions {
  /** Zone of the local times written (the scenario's). */
  timezone: string
  /** DTSTAMP of every event (ISO instant or epoch ms); the scheduler's now is a good choice. */
  stamp: string | number
  /** Calendar name (X-WR-CALNAME). */
  name?: string
}

/** Service ids in a comma list: `%` and `,` inside an id are percent-encoded. */
const encodeId = (id: string) => id.replace(/%/g, '%25').replace(/,/g, '%2C')
const decodeId = (s: string) => s.replace(/%2C/gi, ',').replace(/%25/g, '%')

/** Calendar appointments → iCalendar text. */
export function calendarAppointmentsToIcs(list: CalendarAppointment[], opts: AppointmentIcsOptions): string {
  const items = list.map((a, i) => {
    const r = CalendarAppointmentSchema.safeParse(a)
    if (!r.success) throw new TerminplanError('COMMAND_INVALID', `invalid appointment at $[${i}]: ${r.error.issues[0].message}`, [{ path: `$[${i}]`, code: 'invalid_appointment', message: r.error.issues[0].message }])
    return r.data
  })
  const times = items.flatMap((a) => [parseInstant(a.start)!, parseInstant(a.end)!])
  const cal = newCalendar(opts.timezone, opts.name ?? 'terminplan appointments', times.length ? Math.min(...times) : Date.now(), times.length ? Math.max(...times) : Date.now())
  const stamp = stampOf(opts.stamp)
  for (const a of [...items].sort((x, y) => parseInstant(x.start)! - parseInstant(y.start)! || (x.uid < y.uid ? -1 : 1))) {
    const x: [string, string][] = [
      ['X-TERMINPLAN-KIND', 'appointment'],
      ['X-TERMINPLAN-APPOINTMENT', a.appointmentId],
      ['X-TERMINPLAN-OFFICE', a.officeId],
      ['X-TERMINPLAN-SERVICES', a.services.map(encodeId).join(',')],
    ]
    if (a.staffId !== undefined) x.push(['X-TERMINPLAN-STAFF', a.staffId])
    if (a.citizenId !== undefined) x.push(['X-TERMINPLAN-CITIZEN', a.citizenId])
    cal.createEvent({
      id: a.uid,
      ...timed(opts.timezone, parseInstant(a.start)!, parseInstant(a.end)!),
      stamp,
      summary: a.serviceNames ? a.serviceNames.join(' + ') : 'Appointment',
      location: a.officeName ?? null,
      categories: [{ name: 'Appointment' }],
      x,
    })
  }
  return cal.toString()
}

export interface AppointmentExportOptions {
  /** Only this office's / staff member's / citizen's appointments (combinable). */
  office?: string
  staff?: string
  citizen?: string
  /** Which ids to write besides office and services (default none). */
  include?: PrivacyOptions
  stamp: string | number
  uidDomain?: string
  name?: string
}

/** Scheduler appointments → iCalendar text, with names and zone from the scenario. */
export function exportAppointmentsIcs(appointments: Appointment[], scenario: Scenario, opts: AppointmentExportOptions): string {
  const selected = appointments.filter(
    (a) =>
      (opts.office === undefined || a.officeId === opts.office) &&
      (opts.staff === undefined || a.staffId === opts.staff) &&
      (opts.citizen === undefined || a.citizenId === opts.citizen),
  )
  const list = selected.map((a) => toCalendarAppointment(a, scenario, opts.include, opts.uidDomain))
  return calendarAppointmentsToIcs(list, { timezone: scenario.timezone, stamp: opts.stamp, name: opts.name })
}

/**
 * Reads appointments written by `calendarAppointmentsToIcs` (or any VEVENT with our X- properties).
 * Times are given with the offset of `zone` (default: the event's own TZID zone, else UTC).
 */
export function parseCalendarAppointments(ics: string | string[], zone?: string): CalendarAppointment[] {
  const out: CalendarAppointment[] = []
  const issues: { path: string; code: string; message: string }[] = []
  parseCalendars(ics).forEach((cal, ci) => {
    cal.getAllSubcomponents('vevent').forEach((ve, vi) => {
      const path = `$.calendars[${ci}].vevent[${vi}]`
      if (String(ve.getFirstPropertyValue('x-terminplan-kind') ?? '').toLowerCase() !== 'appointment') return
      // ical.js leaves X- properties as raw text: undo TEXT escaping (RFC 5545 3.3.11) ourselves.
      const unescape = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
      const get = (name: string) => {
        const v = ve.getFirstPropertyValue(name)
        if (v === null || v === undefined) return undefined
        return name.startsWith('x-') ? unescape(String(v)) : String(v)
      }
      const instant = (name: string): string | undefined => {
        const prop = ve.getFirstProperty(name)
        if (!prop) return undefined
        const t = prop.getFirstValue() as unknown as { toUnixTime(): number; hour: number; minute: number; second: number; year: number; month: number; day: number; zone?: { tzid?: string } }
        const tzid = prop.getParameter('tzid')
        const own = typeof tzid === 'string' ? ianaZoneOf(tzid) : null
        const date = `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`
        const ms = own ? wallToInstant(own, date, t.hour * 60 + t.minute) + t.second * 1000 : t.toUnixTime() * 1000
        return formatInstant(zone ?? own ?? 'UTC', ms)
      }
      const services = (get('x-terminplan-services') ?? '').split(',').filter(Boolean).map(decodeId)
      const summary = get('summary')
      const a: Record<string, unknown> = {
        uid: get('uid'),
        appointmentId: get('x-terminplan-appointment'),
        officeId: get('x-terminplan-office'),
        services,
        start: instant('dtstart'),
        end: instant('dtend'),
      }
      const officeName = get('location')
      if (officeName) a.officeName = officeName
      if (summary && summary !== 'Appointment') a.serviceNames = summary.split(' + ')
      const staff = get('x-terminplan-staff')
      if (staff) a.staffId = staff
      const citizen = get('x-terminplan-citizen')
      if (citizen) a.citizenId = citizen
      const r = CalendarAppointmentSchema.safeParse(a)
      if (r.success) out.push(r.data)
      else issues.push({ path, code: 'invalid_appointment', message: `${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}` })
    })
  })
  if (issues.length) throw new TerminplanError('IO_FAILED', `cannot read appointments: ${issues[0].path}: ${issues[0].message}`, issues)
  return out
}

export interface RosterExportOptions {
  stamp: string | number
  /** Dates covered (default the scenario's horizon). */
  range?: { from: string; to: string }
  uidDomain?: string
  /** Copy absence reasons into SUMMARY (personal data: off by default). */
  reasons?: boolean
}

const BYDAY = ['', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']

/**
 * A staff member's roster over a date range → iCalendar: each weekly shift one recurring event
 * (RRULE WEEKLY, BYDAY, UNTIL the range's end), each break one recurring event of kind `break`,
 * dated shifts single events, whole-day absences all-day events, timed absences UTC events.
 * `importStaffAvailability` over the same range gives back the same working time.
 */
export function exportRosterIcs(staff: Staff, scenario: Scenario, opts: RosterExportOptions): string {
  const zone = scenario.timezone
  const range = opts.range ?? { from: scenario.horizon.start, to: addDays(scenario.horizon.start, scenario.horizon.days - 1) }
  const domain = opts.uidDomain ?? 'terminplan'
  const lo = startOfLocalDay(zone, range.from), hi = startOfLocalDay(zone, addDays(range.to, 1))
  const cal = newCalendar(zone, `roster ${staff.id}`, lo, hi)
  const stamp = stampOf(opts.stamp)
  const dates: string[] = []
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) dates.push(d)

  const event = (uid: string, kind: string, start: number, end: number, extra: Partial<ICalEventData> = {}, x: [string, string][] = []) =>
    cal.createEvent({ id: uid, ...timed(zone, start, end), stamp, summary: kind[0].toUpperCase() + kind.slice(1), categories: [{ name: kind[0].toUpperCase() + kind.slice(1) }], x: [['X-TERMINPLAN-KIND', kind], ...x], ...extra })

  staff.shifts.forEach((sh, i) => {
    const on = dates.filter((d) => shiftAppliesOn(sh, d))
    if (on.length === 0) return
    const from = parseTimeOfDay(sh.from)!, to = shiftEndMinutes(from, parseTimeOfDay(sh.to)!)
    const x: [string, string][] = sh.office !== undefined ? [['X-TERMINPLAN-OFFICE', sh.office]] : []
    const pieces: Array<{ kind: string; uid: string; from: number; to: number }> = [{ kind: 'shift', uid: `${staff.id}-shift-${i}`, from, to }]
    sh.breaks.forEach((b, k) => {
      const [bf, bt] = breakMinutes(from, parseTimeOfDay(b.from)!, parseTimeOfDay(b.to)!)
      pieces.push({ kind: 'break', uid: `${staff.id}-shift-${i}-break-${k}`, from: bf, to: bt })
    })
    for (const p of pieces) {
      const span = (d: string) => [wallToInstant(zone, d, p.from), wallToInstant(zone, d, p.to)] as const
      // RFC 5545 gives every instance of a series the first one's exact length, so instances
      // whose wall times span a clock change (a night shift that night) cannot be part of one:
      // they are written singly, before DTSTART or excluded from the rule with EXDATE.
      const nominal = (p.to - p.from) * 60_000
      const crossing = (d: string) => span(d)[1] - span(d)[0] !== nominal
      const first = sh.weekdays !== undefined ? on.findIndex((d) => !crossing(d)) : -1
      const singles = first < 0 ? on : on.filter((d, i) => i < first || crossing(d))
      singles.forEach((d) => {
        const [s, e] = span(d)
        event(`${p.uid}-${d}@${domain}`, p.kind, s, e, {}, x)
      })
      if (first >= 0) {
        const [s, e] = span(on[first])
        const byday = [...sh.weekdays!].sort((a, b) => a - b).map((w) => BYDAY[w]).join(',')
        const last = sh.validTo !== undefined && sh.validTo < range.to ? startOfLocalDay(zone, addDays(sh.validTo, 1)) - 1000 : hi - 1000
        const until = DateTime.fromMillis(last, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss'Z'")
        const exdates = on.slice(first).filter(crossing).map((d) => `EXDATE;TZID=${zone}:${DateTime.fromMillis(span(d)[0], { zone }).toFormat("yyyyLLdd'T'HHmmss")}`)
        event(`${p.uid}@${domain}`, p.kind, s, e, { repeating: [`RRULE:FREQ=WEEKLY;BYDAY=${byday};UNTIL=${until}`, ...exdates].join('\n') }, x)
      }
    }
  })
  staff.absences.forEach((a, j) => {
    const uid = `${staff.id}-absence-${j}@${domain}`
    const summary = opts.reasons && a.reason ? a.reason : 'Absence'
    const x: [string, string][] = [['X-TERMINPLAN-KIND', 'absence']]
    if (a.from.length === 10 && a.to.length === 10) {
      if (a.to < range.from || a.from > range.to) return
      cal.createEvent({
        id: uid,
        allDay: true,
        start: DateTime.fromISO(a.from, { zone }),
        end: DateTime.fromISO(addDays(a.to, 1), { zone }),
        stamp,
        summary,
        categories: [{ name: 'Absence' }],
        x,
      })
      return
    }
    const s = a.from.length === 10 ? startOfLocalDay(zone, a.from) : parseInstant(a.from)!
    const e = a.to.length === 10 ? startOfLocalDay(zone, addDays(a.to, 1)) : parseInstant(a.to)!
    if (e <= lo || s >= hi) return
    cal.createEvent({ id: uid, start: DateTime.fromMillis(s, { zone: 'utc' }), end: DateTime.fromMillis(e, { zone: 'utc' }), timezone: null, stamp, summary, categories: [{ name: 'Absence' }], x })
  })
  return cal.toString()
}

/** Working occurrences of a staff member over dates (for tests and checks): `date from–to`. */
export function shiftOccurrenceKeys(scenario: Scenario, staff: Staff, dates: string[] = horizonDates(scenario)): string[] {
  return expandShifts(scenario, staff, dates)
    .map((o) => `${o.office}|${o.start}|${o.end}|${o.breaks.map((b) => `${b.start}-${b.end}`).join(',')}`)
    .sort()
}
