/**
 * CalDAV against a real server (Radicale, started here on 127.0.0.1) and against broken servers
 * (node:http on 127.0.0.1). Radicale is required in CI (`.ci/run` installs it); elsewhere these
 * tests are skipped with a note when it is not installed.
 */
import { createServer, type Server } from 'node:http'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { readStaffAvailability, syncAppointments } from '../../src/adapters/calendar-port.js'
import { CalDavCalendarAdapter } from '../../src/adapters/caldav/adapter.js'
import { exportRosterIcs, shiftOccurrenceKeys } from '../../src/adapters/ical/export.js'
import { importStaffAvailability } from '../../src/adapters/ical/import.js'
import { isTerminplanError, TerminplanError } from '../../src/model/errors.js'
import { addDays } from '../../src/model/tz.js'
import { bookedScheduler, contractScenario, syncContract, writeContract } from './contract.js'
import { freePort, radicaleAvailable, startRadicale, type Radicale } from './radicale.js'

const PASSWORD = 'Sup3r-secret-Pa55word'
const STAMP = '2027-03-01T00:00:00Z'
const haveRadicale = radicaleAvailable()
if (!haveRadicale && process.env.CI) throw new Error('radicale is not installed: CI must run the CalDAV tests (.ci/run installs it)')
if (!haveRadicale) console.warn('radicale not installed: skipping the CalDAV server tests (apt-get install radicale)')

/** Every form a leaked credential could take. */
const leaks = (text: string) => [PASSWORD, Buffer.from(`alice:${PASSWORD}`).toString('base64'), encodeURIComponent(PASSWORD)].filter((x) => text.includes(x))

async function caught(p: Promise<unknown>): Promise<TerminplanError> {
  try {
    await p
  } catch (e) {
    if (isTerminplanError(e)) return e
    throw e
  }
  throw new Error('expected a TerminplanError')
}

/** Asserts the error says nothing secret anywhere a person or a log could see it. */
function noSecrets(e: TerminplanError): void {
  expect(leaks(`${e.message}\n${JSON.stringify(e)}\n${e.stack}\n${inspect(e, { depth: 5 })}`)).toEqual([])
}

describe.skipIf(!haveRadicale)('CalDAV against Radicale', () => {
  let srv: Radicale
  const out: string[] = []
  beforeAll(async () => {
    srv = await startRadicale({ alice: PASSWORD, bob: 'b0b-Pa55' })
    // Everything the process prints while the tests run, to check for credentials at the end.
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void out.push(a.map(String).join(' ')))
  }, 30_000)
  afterAll(async () => {
    vi.restoreAllMocks()
    await srv?.stop()
  })
  const dav = (over: Partial<ConstructorParameters<typeof CalDavCalendarAdapter>[0]> = {}) =>
    new CalDavCalendarAdapter({ serverUrl: srv.url, username: 'alice', password: PASSWORD, timezone: 'Europe/Berlin', stamp: () => STAMP, ...over })

  it('stores a roster per staff member and reads it back as the model\'s shifts and absences', async () => {
    const s = contractScenario()
    const a = dav()
    expect(await a.ensureCalendar(a.rosterUrl('p1'), 'Dienstplan p1')).toBe('created')
    expect(await a.ensureCalendar(a.rosterUrl('p1'))).toBe('exists')
    const text = exportRosterIcs(s.staff[0], s, { stamp: STAMP })
    expect(await a.writeRoster('p1', text)).toBeGreaterThan(0)
    expect(await a.writeRoster('p1', text)).toBe(0) // unchanged: nothing written
    const range = { from: s.horizon.start, to: addDays(s.horizon.start, s.horizon.days - 1) }
    const fromServer = await a.readAvailability('p1', range)
    const local = importStaffAvailability(text, { staffId: 'p1', range, timezone: 'Europe/Berlin' })
    expect(fromServer).toEqual(local)
    // Through the port into a scenario: the same working time as before.
    const next = await readStaffAvailability(s, a, ['p1'])
    expect(shiftOccurrenceKeys(next, next.staff[0])).toEqual(shiftOccurrenceKeys(s, s.staff[0]))
    // A shorter range: the server filters, the import clips.
    const week = await a.readAvailability('p1', { from: '2027-03-29', to: '2027-04-04' })
    expect(week.absences).toEqual([{ from: '2027-03-31', to: '2027-04-01' }])
    expect(week.shifts.every((sh) => (sh.validFrom ?? sh.date)! >= '2027-03-29')).toBe(true)
  })

  it('writes appointments idempotently by UID (create, unchanged, update, delete)', async () => {
    const a = dav({ appointmentCalendar: 'alice/appointments-contract/' })
    await a.ensureCalendar(a.appointmentsUrl())
    await writeContract(a)
  })

  it('syncs a scheduler\'s appointments: the second sync writes nothing, cancellations are deleted', async () => {
    const a = dav({ appointmentCalendar: 'alice/appointments-o1/' })
    await a.ensureCalendar(a.appointmentsUrl())
    await syncContract(a, contractScenario())
  })

  it('fails with typed errors on a wrong password, another user\'s calendar, a missing calendar; the scheduler is untouched', async () => {
    const s = contractScenario()
    const sched = bookedScheduler(s)
    const before = JSON.stringify(sched.snapshot())
    const wrong = new CalDavCalendarAdapter({ serverUrl: srv.url, username: 'alice', password: `${PASSWORD}-wrong` })
    const e1 = await caught(wrong.readAvailability('p1', { from: '2027-03-22', to: '2027-03-28' }))
    expect(e1.code).toBe('IO_FAILED')
    expect(e1.issues[0]).toMatchObject({ path: '$.roster["p1"]', code: 'unauthorized' })
    expect(e1.message).toMatch(/^REPORT http:\/\/127\.0\.0\.1:\d+\/alice\/roster-p1\/: 401/)
    const e2 = await caught(syncAppointments(sched.appointments(), wrong, s))
    expect(e2.issues[0].code).toBe('unauthorized')
    const e3 = await caught(readStaffAvailability(s, wrong, ['p1']))
    expect(e3.issues[0].code).toBe('unauthorized')
    expect(JSON.stringify(sched.snapshot())).toBe(before)

    const bob = new CalDavCalendarAdapter({ serverUrl: srv.url, username: 'bob', password: 'b0b-Pa55', rosterCalendar: () => 'alice/roster-p1/' })
    expect((await caught(bob.readAvailability('p1', { from: '2027-03-22', to: '2027-03-28' }))).issues[0]).toMatchObject({ code: 'unauthorized' })

    const missing = await caught(dav().readAvailability('nobody', { from: '2027-03-22', to: '2027-03-28' }))
    expect(missing.code).toBe('NOT_FOUND')
    expect(missing.issues[0]).toMatchObject({ path: '$.roster["nobody"]', code: 'calendar_not_found' })
    const noCal = await caught(dav({ appointmentCalendar: 'alice/nothing-here/' }).putAppointment({ uid: 'u@t', appointmentId: 'u', officeId: 'o1', services: ['s1'], start: '2027-03-22T08:00:00+01:00', end: '2027-03-22T08:20:00+01:00' }))
    expect(noCal.code).toBe('NOT_FOUND')
    for (const e of [e1, e2, e3, missing, noCal]) noSecrets(e)
  })

  it('fails with a typed error when the server cannot be reached', async () => {
    const port = await freePort() // nothing listens there
    const a = new CalDavCalendarAdapter({ serverUrl: `http://127.0.0.1:${port}/`, username: 'alice', password: PASSWORD })
    const e = await caught(a.listAppointments())
    expect(e.code).toBe('IO_FAILED')
    expect(e.issues[0]).toMatchObject({ path: '$.appointments', code: 'unreachable' })
    expect(e.message).toMatch(/ECONNREFUSED/)
    noSecrets(e)
  })

  it('never shows or logs credentials', async () => {
    const a = dav()
    expect(leaks(`${inspect(a)} ${JSON.stringify(a)} ${String(a)}`)).toEqual([])
    expect(() => new CalDavCalendarAdapter({ serverUrl: `http://alice:${PASSWORD}@127.0.0.1/`, username: 'alice', password: PASSWORD })).toThrow(/must not contain credentials/)
    try {
      new CalDavCalendarAdapter({ serverUrl: `http://alice:${PASSWORD}@127.0.0.1/`, username: 'alice', password: PASSWORD })
    } catch (e) {
      noSecrets(e as TerminplanError)
    }
    expect(leaks(out.join('\n'))).toEqual([])
    expect(leaks(srv.log())).toEqual([])
    expect(srv.log()).toMatch(/Failed login attempt/) // the server did see the wrong password test
  })
})

describe('CalDAV against broken servers', () => {
  let server: Server
  let url = ''
  let reply: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = () => undefined
  beforeAll(async () => {
    server = createServer((req, res) => reply(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const addr = server.address()
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
  const adapter = () => new CalDavCalendarAdapter({ serverUrl: url, username: 'alice', password: PASSWORD, timeoutMs: 500 })
  const read = () => adapter().readAvailability('p1', { from: '2027-03-22', to: '2027-03-28' })
  const multistatus = (data: string) =>
    `<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/alice/roster-p1/x.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag><c:calendar-data>${data}</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`
  const respond = (status: number, body: string, type = 'application/xml; charset=utf-8', headers: Record<string, string> = {}) => {
    reply = (req, res) => {
      req.resume()
      res.writeHead(status, { 'Content-Type': type, ...headers })
      res.end(body)
    }
  }

  const cases: Array<[string, () => void, string]> = [
    ['an HTML page instead of a multistatus', () => respond(207, '<html><body>Welcome</body></html>', 'text/html'), 'malformed_response'],
    ['a truncated multistatus', () => respond(207, multistatus('BEGIN:VCALENDAR').slice(0, 120)), 'malformed_response'],
    ['200 instead of 207', () => respond(200, multistatus('x')), 'unexpected_status'],
    ['a server error (with the password echoed back)', () => respond(500, `internal error for alice:${PASSWORD}`, 'text/plain'), 'server_error'],
    ['a redirect', () => respond(302, '', 'text/plain', { Location: 'http://127.0.0.1:1/' }), 'unexpected_status'],
    ['calendar data that is not iCalendar', () => respond(207, multistatus('NOT A CALENDAR')), 'malformed_response'],
    ['broken iCalendar', () => respond(207, multistatus('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\nEND:VCALENDAR')), 'malformed_response'],
  ]
  for (const [name, setup, code] of cases)
    it(`turns ${name} into IO_FAILED ${code}`, async () => {
      setup()
      const e = await caught(read())
      expect(e.code).toBe('IO_FAILED')
      expect(e.issues[0]).toMatchObject({ path: '$.roster["p1"]', code })
      noSecrets(e)
    })

  it('gives up after the time limit when the server never answers', async () => {
    reply = () => undefined // keep the connection open, say nothing
    const t = Date.now()
    const e = await caught(read())
    expect(e.issues[0]).toMatchObject({ code: 'timeout' })
    expect(Date.now() - t).toBeLessThan(5000)
    noSecrets(e)
  })

  it('sends the credentials only as Basic authentication, and rejects an unusable URL up front', async () => {
    let auth = ''
    reply = (req, res) => {
      auth = String(req.headers.authorization)
      req.resume()
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' })
      res.end()
    }
    const e = await caught(read())
    expect(e.issues[0].code).toBe('unauthorized')
    expect(auth).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`)
    expect(() => new CalDavCalendarAdapter({ serverUrl: 'ftp://x/', username: 'a', password: 'b' })).toThrow(/http/)
  })
})
