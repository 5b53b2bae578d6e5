/**
 * The calendar port: how the engine reads staff availability from, and writes appointments to,
 * a calendar system (an .ics file set, a CalDAV server, …). Everything crossing it is normalised
 * and validated by zod: availability arrives as the model's own `Shift`/`Absence` types, and
 * appointments travel as `CalendarAppointment`, keyed by a stable UID so every write is idempotent.
 *
 * `syncAppointments` and `readStaffAvailability` are the two uses the engine makes of the port;
 * both only read the scheduler (public API) and change nothing in it, also when they fail.
 */
import { z } from 'zod'
import { TerminplanError, type ValidationIssue } from '../model/errors.js'
import { loadScenario } from '../model/load.js'
import { IdSchema, InstantSchema, LocalDateSchema, ServiceListSchema, type Absence, type Scenario, type Shift } from '../model/schema.js'
import type { Appointment } from '../solver/index.js'
import { absenceInterval } from '../model/calendar.js'
import { addDays, formatInstant, startOfLocalDay } from '../model/tz.js'
import type { DateRange } from './common/shifts.js'

export type { DateRange } from './common/shifts.js'

export const DateRangeSchema = z.strictObject({ from: LocalDateSchema, to: LocalDateSchema })

/** An appointment as a calendar holds it. Staff and citizen ids only when the caller opted in. */
export const CalendarAppointmentSchema = z.strictObject({
  uid: z.string().min(1).max(255),
  appointmentId: IdSchema,
  officeId: IdSchema,
  officeName: z.string().max(500).optional(),
  services: ServiceListSchema,
  serviceNames: z.array(z.string().max(500)).optional(),
  start: InstantSchema,
  end: InstantSchema,
  staffId: IdSchema.optional(),
  citizenId: IdSchema.optional(),
})
export type CalendarAppointment = z.output<typeof CalendarAppointmentSchema>

/** What a write did: `unchanged` means the calendar already held exactly this (no request made). */
export type WriteResult = 'created' | 'updated' | 'unchanged'

export interface AvailabilityResult {
  staffId: string
  range: DateRange
  timezone: string
  shifts: Shift[]
  absences: Absence[]
  warnings: ValidationIssue[]
}

export interface CalendarAdapter {
  /** Shifts and absences of one staff member over a date range (inclusive), in `timezone`. */
  readAvailability(staffId: string, range: DateRange): Promise<AvailabilityResult>
  /** Create or update by UID. Writing the same appointment twice changes nothing the second time. */
  putAppointment(a: CalendarAppointment): Promise<WriteResult>
  /** Delete by UID; false when there was nothing to delete (so repeating it is harmless). */
  deleteAppointment(uid: string): Promise<boolean>
  /** The appointments the calendar holds (all, or those overlapping the date range). */
  listAppointments(range?: DateRange): Promise<CalendarAppointment[]>
}

export interface PrivacyOptions {
  /** Include the staff member's id (X-TERMINPLAN-STAFF). Default false. */
  staff?: boolean
  /** Include the citizen's opaque id (X-TERMINPLAN-CITIZEN). Default false. */
  citizen?: boolean
}

/** The UID of an appointment: stable per appointment id, so re-exports and re-syncs replace, never duplicate. */
export function appointmentUid(appointmentId: string, domain = 'terminplan'): string {
  return `${appointmentId}@${domain}`
}

/** A scheduler appointment → its calendar form, with names from the scenario and only the opted-in ids. */
export function toCalendarAppointment(a: Appointment, scenario?: Scenario, include: PrivacyOptions = {}, uidDomain?: string): CalendarAppointment {
  const office = scenario?.offices.find((o) => o.id === a.officeId)
  const names = scenario ? a.services.map((id) => scenario.services.find((s) => s.id === id)?.name ?? id) : undefined
  const c: CalendarAppointment = {
    uid: appointmentUid(a.id, uidDomain),
    appointmentId: a.id,
    officeId: a.officeId,
    services: [...a.services],
    start: a.start,
    end: a.end,
  }
  if (office) c.officeName = office.name
  if (names) c.serviceNames = names
  if (include.staff) c.staffId = a.staffId
  if (include.citizen && a.citizenId !== undefined) c.citizenId = a.citizenId
  return CalendarAppointmentSchema.parse(c)
}

/** Same content (what a write would change)? */
export function sameAppointment(a: CalendarAppointment, b: CalendarAppointment): boolean {
  const norm = (x: CalendarAppointment) =>
    JSON.stringify([x.uid, x.appointmentId, x.officeId, x.officeName ?? null, x.services, x.serviceNames ?? null, Date.parse(x.start), Date.parse(x.end), x.staffId ?? null, x.citizenId ?? null])
  return norm(a) === norm(b)
}

export interface SyncReport {
  created: number
  updated: number
  unchanged: number
  deleted: number
}

export interface SyncOptions {
  /** Only appointments of this office (the calendar is the office's). */
  officeId?: string
  privacy?: PrivacyOptions
  uidDomain?: string
  /** Delete calendar appointments (with our UID domain) that the scheduler no longer has. Default true. */
  prune?: boolean
}

/**
 * Makes the calendar hold exactly the scheduler's appointments (of one office, optionally):
 * puts every appointment by UID and deletes the ones cancelled since. Running it twice in a row
 * writes nothing the second time. Reads the scheduler only.
 */
export async function syncAppointments(
  appointments: Appointment[],
  adapter: CalendarAdapter,
  scenario: Scenario | undefined,
  opts: SyncOptions = {},
): Promise<SyncReport> {
  const domain = opts.uidDomain ?? 'terminplan'
  const wanted = appointments.filter((a) => opts.officeId === undefined || a.officeId === opts.officeId).map((a) => toCalendarAppointment(a, scenario, opts.privacy, domain))
  const report: SyncReport = { created: 0, updated: 0, unchanged: 0, deleted: 0 }
  const existing = await adapter.listAppointments()
  const byUid = new Map(existing.map((x) => [x.uid, x]))
  for (const a of wanted) {
    const prev = byUid.get(a.uid)
    if (prev && sameAppointment(prev, a)) {
      report.unchanged++
      continue
    }
    report[await adapter.putAppointment(a)]++
  }
  if (opts.prune ?? true) {
    const keep = new Set(wanted.map((a) => a.uid))
    for (const x of existing) {
      if (keep.has(x.uid) || !x.uid.endsWith(`@${domain}`)) continue
      if (opts.officeId !== undefined && x.officeId !== opts.officeId) continue
      if (await adapter.deleteAppointment(x.uid)) report.deleted++
    }
  }
  return report
}

/**
 * Reads the availability of the given staff members from the calendar and returns a new, fully
 * validated scenario in which their shifts and absences are replaced by the calendar's. All reads
 * happen before anything is built; any failure throws and nothing is returned, so a scheduler built
 * from the old scenario is untouched. The range defaults to the scenario's horizon.
 */
export async function readStaffAvailability(scenario: Scenario, adapter: CalendarAdapter, staffIds: string[], range?: DateRange): Promise<Scenario> {
  const r = range ?? { from: scenario.horizon.start, to: horizonEnd(scenario) }
  const issues: ValidationIssue[] = []
  const index = new Map(scenario.staff.map((p, i) => [p.id, i]))
  staffIds.forEach((id, i) => {
    if (!index.has(id)) issues.push({ path: `$.staffIds[${i}]`, code: 'unknown_staff', message: `unknown staff member "${id}"` })
  })
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `cannot read availability: ${issues[0].message}`, issues)
  const results: AvailabilityResult[] = []
  for (const id of staffIds) results.push(await adapter.readAvailability(id, r))
  const next = structuredClone(scenario) as Scenario
  for (const res of results) {
    const p = next.staff[index.get(res.staffId)!]
    // Outside the read range the scenario's own roster stays.
    // Weekly rules cut around the range keep only the parts that still reach the horizon.
    const h = { from: scenario.horizon.start, to: horizonEnd(scenario) }
    const kept = outsideRange(p.shifts, r).filter((s) => s.date !== undefined || ((s.validFrom ?? h.from) <= h.to && (s.validTo ?? h.to) >= h.from))
    p.shifts = [...kept, ...res.shifts]
    p.absences = [...absencesOutside(scenario.timezone, p.absences, r), ...res.absences]
  }
  return loadScenario(next)
}

function horizonEnd(s: Scenario): string {
  return addDays(s.horizon.start, s.horizon.days - 1)
}

/** The parts of shifts that apply outside `r`: dated shifts outside it, weekly rules cut around it. */
export function outsideRange(shifts: Shift[], r: DateRange): Shift[] {
  const out: Shift[] = []
  const before = addDays(r.from, -1), after = addDays(r.to, 1)
  for (const s of shifts) {
    if (s.date !== undefined) {
      if (s.date < r.from || s.date > r.to) out.push(s)
      continue
    }
    if (s.validFrom === undefined || s.validFrom <= before) out.push({ ...s, validTo: s.validTo !== undefined && s.validTo < before ? s.validTo : before })
    if (s.validTo === undefined || s.validTo >= after) out.push({ ...s, validFrom: s.validFrom !== undefined && s.validFrom > after ? s.validFrom : after })
  }
  return out
}

/** The parts of absences outside `r` (whole days cut by date, instants by the range's local midnights). */
export function absencesOutside(zone: string, absences: Absence[], r: DateRange): Absence[] {
  const out: Absence[] = []
  const before = addDays(r.from, -1), after = addDays(r.to, 1)
  const lo = startOfLocalDay(zone, r.from), hi = startOfLocalDay(zone, after)
  for (const a of absences) {
    if (a.from.length === 10 && a.to.length === 10) {
      if (a.from <= before) out.push({ ...a, to: a.to < before ? a.to : before })
      if (a.to >= after) out.push({ ...a, from: a.from > after ? a.from : after })
      continue
    }
    const iv = absenceInterval(zone, a)
    if (iv.start < lo) out.push({ ...a, from: formatInstant(zone, iv.start), to: formatInstant(zone, Math.min(iv.end, lo)) })
    if (iv.end > hi) out.push({ ...a, from: formatInstant(zone, Math.max(iv.start, hi)), to: formatInstant(zone, iv.end) })
  }
  return out
}
