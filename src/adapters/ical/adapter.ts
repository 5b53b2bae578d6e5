/**
 * The calendar port over plain .ics texts: rosters are iCalendar texts per staff member (files an
 * office exports from its roster tool), appointments live in memory and are written out as one
 * calendar with `toIcs()`. Same contract as the CalDAV adapter, without a server.
 */
import { TerminplanError } from '../../model/errors.js'
import { addDays, parseInstant, startOfLocalDay } from '../../model/tz.js'
import {
  CalendarAppointmentSchema,
  DateRangeSchema,
  sameAppointment,
  type AvailabilityResult,
  type CalendarAdapter,
  type CalendarAppointment,
  type DateRange,
  type WriteResult,
} from '../calendar-port.js'
import { calendarAppointmentsToIcs, parseCalendarAppointments } from './export.js'
import { importStaffAvailability, type IcsImportOptions } from './import.js'

export interface IcsAdapterOptions {
  /** Staff id → iCalendar text(s) of their roster. */
  rosters?: Record<string, string | string[]>
  /** An appointments calendar to start from (as written by `toIcs`). */
  appointments?: string
  timezone?: string
  importOptions?: Pick<IcsImportOptions, 'reasons' | 'classify' | 'maxOccurrences' | 'office'>
  /** DTSTAMP for `toIcs` (default now). */
  stamp?: () => string | number
  name?: string
}

export class IcsCalendarAdapter implements CalendarAdapter {
  private readonly rosters = new Map<string, string[]>()
  private readonly store = new Map<string, CalendarAppointment>()
  readonly timezone: string

  constructor(private readonly opts: IcsAdapterOptions = {}) {
    this.timezone = opts.timezone ?? 'Europe/Berlin'
    for (const [id, t] of Object.entries(opts.rosters ?? {})) this.setRoster(id, t)
    if (opts.appointments) for (const a of parseCalendarAppointments(opts.appointments, this.timezone)) this.store.set(a.uid, a)
  }

  setRoster(staffId: string, ics: string | string[]): void {
    this.rosters.set(staffId, Array.isArray(ics) ? [...ics] : [ics])
  }

  async readAvailability(staffId: string, range: DateRange): Promise<AvailabilityResult> {
    const r = DateRangeSchema.safeParse(range)
    if (!r.success) throw new TerminplanError('COMMAND_INVALID', 'invalid date range', [{ path: '$.range', code: 'invalid_range', message: r.error.issues[0].message }])
    const texts = this.rosters.get(staffId)
    if (!texts) throw new TerminplanError('NOT_FOUND', `no roster for "${staffId}"`, [{ path: `$.roster[${JSON.stringify(staffId)}]`, code: 'calendar_not_found', message: `no roster for "${staffId}"` }])
    return importStaffAvailability(texts, { ...this.opts.importOptions, staffId, range, timezone: this.timezone })
  }

  async putAppointment(a: CalendarAppointment): Promise<WriteResult> {
    const parsed = CalendarAppointmentSchema.safeParse(a)
    if (!parsed.success)
      throw new TerminplanError('COMMAND_INVALID', `invalid appointment: ${parsed.error.issues[0].message}`, [{ path: '$.appointment', code: 'invalid_appointment', message: parsed.error.issues[0].message }])
    const prev = this.store.get(parsed.data.uid)
    if (prev && sameAppointment(prev, parsed.data)) return 'unchanged'
    this.store.set(parsed.data.uid, structuredClone(parsed.data))
    return prev ? 'updated' : 'created'
  }

  async deleteAppointment(uid: string): Promise<boolean> {
    return this.store.delete(uid)
  }

  async listAppointments(range?: DateRange): Promise<CalendarAppointment[]> {
    const lo = range ? startOfLocalDay(this.timezone, range.from) : -Infinity
    const hi = range ? startOfLocalDay(this.timezone, addDays(range.to, 1)) : Infinity
    return [...this.store.values()]
      .filter((a) => parseInstant(a.end)! > lo && parseInstant(a.start)! < hi)
      .sort((a, b) => parseInstant(a.start)! - parseInstant(b.start)! || (a.uid < b.uid ? -1 : 1))
      .map((a) => structuredClone(a))
  }

  /** The appointments as one iCalendar text (VTIMEZONE included). */
  toIcs(): string {
    return calendarAppointmentsToIcs([...this.store.values()], { timezone: this.timezone, stamp: this.opts.stamp?.() ?? Date.now(), name: this.opts.name })
  }
}
