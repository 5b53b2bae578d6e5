/**
 * CalDAV (RFC 4791) through tsdav: rosters are read from one calendar collection per staff member,
 * appointments are written to one collection, one resource per UID (`<collection>/<uid>.ics`).
 *
 * Every request goes through one guarded fetch: a time limit, Basic authentication added in one
 * place, and strict status checks, because tsdav turns some failures into empty results (a wrong
 * password must never look like an empty roster). Failures become TerminplanErrors:
 * `IO_FAILED` with issue codes `unreachable`, `timeout`, `unauthorized`, `server_error`,
 * `unexpected_status`, `malformed_response`; `NOT_FOUND` for a missing calendar. Messages name
 * the method and the URL without user info or query, and any configured secret is cut out of
 * text that came from the server or a library. Nothing is logged.
 *
 * Writes are idempotent by UID: a put reads the resource first and writes only when the content
 * differs (create with If-None-Match: *, update with If-Match: etag; a lost race is retried).
 */
import { createCalendarObject, deleteCalendarObject, fetchCalendarObjects, makeCalendar, propfind, updateCalendarObject } from 'tsdav'
import { TerminplanError } from '../../model/errors.js'
import { addDays, startOfLocalDay } from '../../model/tz.js'
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
import { calendarAppointmentsToIcs, parseCalendarAppointments } from '../ical/export.js'
import { eventFingerprint, importStaffAvailability, parseCalendars, type IcsImportOptions } from '../ical/import.js'
import { describeError, ioError, redactSecrets, redactUrl } from '../common/errors.js'

type Fetch = typeof fetch

export interface CalDavOptions {
  /** Server root, e.g. `http://127.0.0.1:5232/`. User info in the URL is not allowed (pass username/password). */
  serverUrl: string
  username: string
  password: string
  /** Collection of a staff member's roster, absolute or relative to serverUrl. Default `<username>/roster-<staffId>/`. */
  rosterCalendar?: (staffId: string) => string
  /** Collection for appointments. Default `<username>/appointments/`. */
  appointmentCalendar?: string
  /** The scenario's zone (wall times of imported shifts, local times of written events). Default Europe/Berlin. */
  timezone?: string
  /** Per-request time limit in ms (default 15,000). */
  timeoutMs?: number
  /** Injected fetch (tests); default the global fetch. */
  fetch?: Fetch
  /** Passed to the iCalendar import (absence reasons, own classification). */
  importOptions?: Pick<IcsImportOptions, 'reasons' | 'classify' | 'maxOccurrences'>
  /** DTSTAMP of written events; default the time of writing. */
  stamp?: () => string | number
}

const ensureSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`)

export class CalDavCalendarAdapter implements CalendarAdapter {
  private readonly root: string
  private readonly auth: string
  private readonly secrets: string[]
  private readonly opts: CalDavOptions
  readonly timezone: string

  constructor(opts: CalDavOptions) {
    let root: URL
    try {
      root = new URL(ensureSlash(opts.serverUrl))
    } catch {
      throw new TerminplanError('COMMAND_INVALID', 'invalid CalDAV server URL', [{ path: '$.serverUrl', code: 'invalid_url', message: 'not a URL' }])
    }
    if (root.username || root.password)
      throw new TerminplanError('COMMAND_INVALID', 'the CalDAV server URL must not contain credentials', [
        { path: '$.serverUrl', code: 'credentials_in_url', message: 'pass username and password separately, not in the URL' },
      ])
    if (root.protocol !== 'http:' && root.protocol !== 'https:')
      throw new TerminplanError('COMMAND_INVALID', 'CalDAV needs an http(s) URL', [{ path: '$.serverUrl', code: 'invalid_url', message: 'not an http(s) URL' }])
    this.root = root.href
    this.opts = opts
    this.timezone = opts.timezone ?? 'Europe/Berlin'
    this.auth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`
    this.secrets = [opts.password, this.auth.slice(6), `${opts.username}:${opts.password}`]
  }

  /** Never shows the password, also not through util.inspect or JSON.stringify. */
  toJSON(): Record<string, unknown> {
    return { serverUrl: redactUrl(this.root), username: this.opts.username, timezone: this.timezone }
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CalDavCalendarAdapter ${JSON.stringify(this.toJSON())}`
  }

  private url(pathOrUrl: string): string {
    return ensureSlash(new URL(pathOrUrl, this.root).href)
  }

  rosterUrl(staffId: string): string {
    return this.url(this.opts.rosterCalendar ? this.opts.rosterCalendar(staffId) : `${encodeURIComponent(this.opts.username)}/roster-${encodeURIComponent(staffId)}/`)
  }

  appointmentsUrl(): string {
    return this.url(this.opts.appointmentCalendar ?? `${encodeURIComponent(this.opts.username)}/appointments/`)
  }

  private clean(text: string): string {
    return redactSecrets(text, this.secrets)
  }

  /** A fetch for tsdav and for our own requests: auth, time limit, status checks; errors carry `path`. */
  private guarded(path: string): Fetch {
    const base = this.opts.fetch ?? fetch
    const timeoutMs = this.opts.timeoutMs ?? 15_000
    const g = async (input: Parameters<Fetch>[0], init: RequestInit = {}): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      const method = (init.method ?? 'GET').toUpperCase()
      const where = `${method} ${redactUrl(url)}`
      const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0])
      headers.set('Authorization', this.auth)
      let res: Response
      try {
        res = await base(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      } catch (e) {
        const name = (e as Error)?.name
        if (name === 'TimeoutError' || name === 'AbortError') throw ioError(path, 'timeout', `${where}: no answer within ${timeoutMs} ms`)
        throw ioError(path, 'unreachable', this.clean(`${where}: cannot reach the CalDAV server: ${describeError(e)}`))
      }
      if (res.status === 401 || res.status === 403)
        throw ioError(path, 'unauthorized', `${where}: ${res.status} ${res.status === 401 ? 'authentication failed (wrong user name or password)' : 'access denied'}`)
      if (res.status >= 500) throw ioError(path, 'server_error', `${where}: server error ${res.status}`)
      if (res.status >= 300 && res.status < 400) throw ioError(path, 'unexpected_status', `${where}: unexpected redirect ${res.status}`)
      if (method === 'REPORT' || method === 'PROPFIND') {
        if (res.status === 404) throw new TerminplanError('NOT_FOUND', `${where}: no such calendar`, [{ path, code: 'calendar_not_found', message: `no calendar at ${redactUrl(url)}` }])
        if (res.status !== 207) throw ioError(path, 'unexpected_status', `${where}: expected 207 Multi-Status, got ${res.status}`)
        const text = await res.text()
        const type = res.headers.get('content-type') ?? ''
        const opens = /^\s*(<\?xml[^>]*\?>\s*)?<([A-Za-z][\w.-]*:)?multistatus[\s>/]/.test(text)
        const closes = /<\/([A-Za-z][\w.-]*:)?multistatus>\s*$/.test(text) || /^\s*(<\?xml[^>]*\?>\s*)?<([A-Za-z][\w.-]*:)?multistatus[^>]*\/>\s*$/.test(text)
        if (!/xml/i.test(type) || !opens || !closes)
          throw ioError(path, 'malformed_response', `${where}: the server's answer is not a WebDAV multistatus document`)
        return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers })
      }
      return res
    }
    return g as Fetch
  }

  /** Runs an operation; anything that is not already a TerminplanError becomes a redacted IO_FAILED. */
  private async op<T>(path: string, fn: (f: Fetch) => Promise<T>): Promise<T> {
    try {
      return await fn(this.guarded(path))
    } catch (e) {
      if (e instanceof TerminplanError) throw e
      throw ioError(path, 'malformed_response', this.clean(`CalDAV exchange failed: ${describeError(e)}`))
    }
  }

  /** Creates the calendar collection when it does not exist yet (idempotent). */
  async ensureCalendar(urlOrPath: string, displayName?: string): Promise<'created' | 'exists'> {
    const url = this.url(urlOrPath)
    const path = `$.calendar[${JSON.stringify(redactUrl(url))}]`
    return this.op(path, async (f) => {
      try {
        await propfind({ url, props: { 'd:resourcetype': {} }, depth: '0', fetch: f })
        return 'exists'
      } catch (e) {
        if (!(e instanceof TerminplanError && e.code === 'NOT_FOUND')) throw e
      }
      const res = await makeCalendar({ url, props: displayName ? { 'd:displayname': displayName } : {}, fetch: f })
      const bad = res.find((r) => !r.ok && r.status !== 405 && r.status !== 409)
      if (bad) throw ioError(path, 'unexpected_status', `MKCALENDAR ${redactUrl(url)}: ${bad.status}`)
      return 'created'
    })
  }

  /** Writes a roster (one VCALENDAR, any number of UIDs) into a staff member's calendar, one resource per UID; returns how many resources changed. */
  async writeRoster(staffId: string, ics: string): Promise<number> {
    const url = this.rosterUrl(staffId)
    const cals = parseCalendars(ics)
    const byUid = new Map<string, string[]>()
    const timezones: string[] = []
    for (const cal of cals) {
      for (const tz of cal.getAllSubcomponents('vtimezone')) timezones.push(tz.toString())
      for (const ve of cal.getAllSubcomponents('vevent')) {
        const uid = String(ve.getFirstPropertyValue('uid') ?? '')
        if (!uid) throw new TerminplanError('COMMAND_INVALID', 'an event without UID cannot be stored on a CalDAV server', [{ path: '$.roster', code: 'missing_uid', message: 'event without UID' }])
        byUid.set(uid, [...(byUid.get(uid) ?? []), ve.toString()])
      }
    }
    let n = 0
    for (const [uid, events] of byUid) {
      const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//terminplan//terminplan//EN', ...timezones, ...events, 'END:VCALENDAR', ''].join('\r\n')
      const want = eventFingerprint(body)
      const result = await this.putResource(`$.roster[${JSON.stringify(staffId)}]`, url, uid, body, (old) => {
        try {
          return eventFingerprint(old) === want
        } catch {
          return false
        }
      })
      if (result !== 'unchanged') n++
    }
    return n
  }

  async readAvailability(staffId: string, range: DateRange): Promise<AvailabilityResult> {
    const r = DateRangeSchema.safeParse(range)
    if (!r.success) throw new TerminplanError('COMMAND_INVALID', 'invalid date range', [{ path: '$.range', code: 'invalid_range', message: r.error.issues[0].message }])
    const url = this.rosterUrl(staffId)
    const path = `$.roster[${JSON.stringify(staffId)}]`
    const zone = this.timezone
    const objects = await this.op(path, (f) =>
      fetchCalendarObjects({
        calendar: { url },
        // A day of margin on both sides: the server filters by UTC, our import by local dates.
        timeRange: { start: new Date(startOfLocalDay(zone, addDays(range.from, -1))).toISOString(), end: new Date(startOfLocalDay(zone, addDays(range.to, 2))).toISOString() },
        fetch: f,
      }),
    )
    const texts = objects.map((o) => {
      if (typeof o.data !== 'string' || !o.data.includes('BEGIN:VCALENDAR'))
        throw ioError(path, 'malformed_response', `${redactUrl(o.url)}: calendar object without iCalendar data`)
      return o.data
    })
    try {
      return importStaffAvailability(texts, { ...this.opts.importOptions, staffId, range, timezone: zone })
    } catch (e) {
      if (e instanceof TerminplanError && e.code === 'IO_FAILED')
        throw ioError(path, 'malformed_response', `the roster of "${staffId}" on the server cannot be read: ${e.issues[0]?.message ?? e.message}`, e.issues)
      throw e
    }
  }

  /** GET one resource: null when it does not exist. */
  private async getResource(f: Fetch, path: string, url: string): Promise<{ etag?: string; data: string } | null> {
    const res = await f(url, { method: 'GET' })
    if (res.status === 404 || res.status === 410) return null
    if (res.status !== 200) throw ioError(path, 'unexpected_status', `GET ${redactUrl(url)}: ${res.status}`)
    return { etag: res.headers.get('etag') ?? undefined, data: await res.text() }
  }

  private resourceUrl(collection: string, uid: string): string {
    return new URL(`${encodeURIComponent(uid)}.ics`, collection).href
  }

  /** Create-or-update of one resource with optimistic concurrency; `same` decides whether a write is needed. */
  private async putResource(path: string, collection: string, uid: string, body: string, same: (old: string) => boolean): Promise<WriteResult> {
    const url = this.resourceUrl(collection, uid)
    return this.op(path, async (f) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const old = await this.getResource(f, path, url)
        if (old && same(old.data)) return 'unchanged'
        const res = old
          ? await updateCalendarObject({ calendarObject: { url, data: body, etag: old.etag }, fetch: f })
          : await createCalendarObject({ calendar: { url: collection }, filename: `${encodeURIComponent(uid)}.ics`, iCalString: body, fetch: f })
        if (res.status === 412) continue // someone wrote in between: look again
        if (res.status === 404 || res.status === 409) throw new TerminplanError('NOT_FOUND', `PUT ${redactUrl(url)}: no such calendar`, [{ path, code: 'calendar_not_found', message: `no calendar at ${redactUrl(collection)}` }])
        if (!res.ok) throw ioError(path, 'unexpected_status', `PUT ${redactUrl(url)}: ${res.status}`)
        return old ? 'updated' : 'created'
      }
      throw ioError(path, 'conflict', `PUT ${redactUrl(url)}: the resource kept changing; gave up after 3 attempts`)
    })
  }

  async putAppointment(a: CalendarAppointment): Promise<WriteResult> {
    const parsed = CalendarAppointmentSchema.safeParse(a)
    if (!parsed.success)
      throw new TerminplanError('COMMAND_INVALID', `invalid appointment: ${parsed.error.issues[0].message}`, [{ path: '$.appointment', code: 'invalid_appointment', message: parsed.error.issues[0].message }])
    const appt = parsed.data
    const body = calendarAppointmentsToIcs([appt], { timezone: this.timezone, stamp: this.opts.stamp?.() ?? Date.now() })
    const path = `$.appointments[${JSON.stringify(appt.uid)}]`
    return this.putResource(path, this.appointmentsUrl(), appt.uid, body, (old) => {
      try {
        const prev = parseCalendarAppointments(old, this.timezone)
        return prev.length === 1 && sameAppointment(prev[0], appt)
      } catch {
        return false // unreadable: overwrite it
      }
    })
  }

  async deleteAppointment(uid: string): Promise<boolean> {
    const url = this.resourceUrl(this.appointmentsUrl(), uid)
    const path = `$.appointments[${JSON.stringify(uid)}]`
    return this.op(path, async (f) => {
      const res = await deleteCalendarObject({ calendarObject: { url, etag: undefined }, fetch: f })
      if (res.status === 404 || res.status === 410) return false
      if (!res.ok) throw ioError(path, 'unexpected_status', `DELETE ${redactUrl(url)}: ${res.status}`)
      return true
    })
  }

  async listAppointments(range?: DateRange): Promise<CalendarAppointment[]> {
    const url = this.appointmentsUrl()
    const path = '$.appointments'
    const zone = this.timezone
    const objects = await this.op(path, (f) =>
      fetchCalendarObjects({
        calendar: { url },
        ...(range ? { timeRange: { start: new Date(startOfLocalDay(zone, range.from)).toISOString(), end: new Date(startOfLocalDay(zone, addDays(range.to, 1))).toISOString() } } : {}),
        fetch: f,
      }),
    )
    const out: CalendarAppointment[] = []
    objects.forEach((o) => {
      if (typeof o.data !== 'string') throw ioError(path, 'malformed_response', `${redactUrl(o.url)}: calendar object without iCalendar data`)
      try {
        out.push(...parseCalendarAppointments(o.data, zone))
      } catch (e) {
        if (e instanceof TerminplanError) throw ioError(path, 'malformed_response', `${redactUrl(o.url)}: ${e.issues[0]?.message ?? e.message}`)
        throw e
      }
    })
    return out.sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || (a.uid < b.uid ? -1 : 1))
  }
}
