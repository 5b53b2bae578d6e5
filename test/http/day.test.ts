/**
 * The day of service over HTTP, on real sockets: a morning at mitte (test/day/fixtures.ts) through
 * the routes — check-in, walk-in, the queue with predicted waits, calls (and 204 when nobody fits),
 * service times, a missed call, a no-show — each answer equal to what the scheduler itself says;
 * bad input 4xx with code and path and nothing changed; the routes in the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpService, type HttpService } from '../../src/adapters/http/index.js'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { at, dayScenario } from '../day/fixtures.js'
import { call } from './harness.js'

let app: HttpService
let s: Scheduler
let base = ''
let t = Date.parse(at('08:30'))
const setClock = (hhmm: string) => void (t = Date.parse(at(hhmm)))

beforeAll(async () => {
  s = createScheduler(loadScenario(dayScenario()), { now: at('08:30') })
  app = await createHttpService({ scheduler: s, clock: () => t, clockResolutionMs: 0, tickMs: 0, limits: { headersTimeoutMs: 1000, maxEventLoopLagMs: 0 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
})
afterAll(async () => {
  await app?.close()
})

describe('the day of service over HTTP', () => {
  it('runs a morning: check-in, walk-in, queue, calls, service times, a missed call and a no-show', async () => {
    const a = await call(base, 'POST', '/checkins', { appointmentId: 'a-ana-9' })
    expect(a.status).toBe(201)
    expect(a.body).toMatchObject({ code: 'A-001', kind: 'appointment', punctuality: 'early', state: 'waiting' })
    // Twice: 409, and the queue is as it was.
    const once = await call(base, 'GET', '/tickets')
    const twice = await call(base, 'POST', '/checkins', { appointmentId: 'a-ana-9' })
    expect(twice.status).toBe(409)
    expect(twice.body).toMatchObject({ code: 'CONFLICT', issues: [{ path: '$.appointmentId', code: 'already_checked_in' }] })
    expect((await call(base, 'GET', '/tickets')).body).toEqual(once.body)
    const w = await call(base, 'POST', '/walkins', { officeId: 'mitte', services: ['reg'] })
    expect(w.status).toBe(201)
    expect(w.body.code).toBe('W-001')
    const queue = await call(base, 'GET', '/tickets?officeId=mitte')
    expect(queue.status).toBe(200)
    expect(queue.body).toEqual(s.tickets('mitte'))
    expect(queue.body.every((x: { predictedWaitMinutes?: number }) => typeof x.predictedWaitMinutes === 'number')).toBe(true)
    // 08:30: ben's own 09:00 citizen may come; a 10-minute walk-in now ends 08:40: fits.
    const c1 = await call(base, 'POST', '/offices/mitte/call', { staffId: 'ben' })
    expect(c1.status).toBe(200)
    expect(c1.body).toMatchObject({ id: w.body.id, state: 'called', staffId: 'ben' })
    expect((await call(base, 'POST', `/tickets/${w.body.id}/start`)).status).toBe(200)
    setClock('08:42')
    const fin = await call(base, 'POST', `/tickets/${w.body.id}/finish`, {})
    expect(fin.body).toMatchObject({ state: 'served', finishedAt: at('08:42') })
    // Nobody else waits whom ben can serve: 204.
    const none = await call(base, 'POST', '/offices/mitte/call', { staffId: 'ben' })
    expect(none.status).toBe(204)
    setClock('09:00')
    const c2 = await call(base, 'POST', '/offices/mitte/call', { staffId: 'ana' })
    expect(c2.body).toMatchObject({ id: a.body.id, staffId: 'ana' })
    const missed = await call(base, 'POST', `/tickets/${a.body.id}/missed`, { at: at('08:59') })
    expect(missed.status).toBe(400)
    expect(missed.body).toMatchObject({ code: 'COMMAND_INVALID', issues: [{ path: '$.at' }] })
    expect((await call(base, 'POST', `/tickets/${a.body.id}/missed`)).body.state).toBe('noShow')
    setClock('09:45')
    const ns = await call(base, 'GET', '/no-shows')
    expect(ns.body).toEqual(s.noShows())
    expect(ns.body.map((n: { appointment: { id: string } }) => n.appointment.id).sort()).toEqual(['a-ana-9', 'a-ana-930', 'a-ben-9'])
    const stats = await call(base, 'GET', '/day/stats')
    expect(stats.body).toEqual(s.dayStats())
    expect(stats.body).toMatchObject({ checkIns: 1, walkIns: 1, served: 1, missedCalls: 1, noShows: 3 })
    const durations = await call(base, 'GET', '/durations')
    expect(durations.body).toEqual(s.durationStats())
    expect(durations.body).toEqual([{ officeId: 'mitte', services: ['reg'], count: 1, plannedMinutes: 10, meanMinutes: 12, p90Minutes: 12 }])
    const overlay = await call(base, 'GET', '/durations/overlay?minSamples=1')
    // 12 minutes rounds to the 10-minute plan: nothing to change.
    expect(overlay.status).toBe(404)
    expect(overlay.body).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: '$.minSamples' }] })
    const metrics = await call(base, 'GET', '/metrics')
    expect(metrics.body).toMatch(/terminplan_tickets_total\{kind="walkIn",change="served"\} 1/)
    const noShows = /terminplan_no_shows_total (\d+)/.exec(metrics.body)?.[1]
    expect(noShows, metrics.body.split('\n').filter((l: string) => l.includes('no_show')).join('\n')).toBe('3')
  })

  it('answers bad input with its code and path, and changes nothing', async () => {
    const before = JSON.stringify(s.snapshot())
    const tickets = (await call(base, 'GET', '/tickets')).body
    expect(tickets.length).toBeGreaterThan(0)
    const cases: [string, string, unknown, number, string, string][] = [
      ['POST', '/checkins', { appointmentId: 'nope' }, 404, 'NOT_FOUND', '$.appointmentId'],
      ['POST', '/checkins', { appointmentId: 'a-ana-9', extra: 1 }, 400, 'COMMAND_INVALID', '$.extra'],
      ['POST', '/checkins', {}, 400, 'COMMAND_INVALID', '$.appointmentId'],
      // Released as a no-show: a walk-in ticket, not a check-in.
      ['POST', '/checkins', { appointmentId: 'a-ben-9' }, 409, 'CONFLICT', '$.appointmentId'],
      ['POST', '/walkins', { officeId: 'mitte', services: ['reg'], at: 'soon' }, 400, 'COMMAND_INVALID', '$.at'],
      ['POST', '/walkins', { officeId: 'mitte', services: ['reg'], at: at('10:00') }, 400, 'COMMAND_INVALID', '$.at'],
      ['POST', '/walkins', { officeId: 'süd', services: ['reg'] }, 404, 'NOT_FOUND', '$.officeId'],
      ['POST', '/walkins', { officeId: 'mitte', services: ['nope'] }, 400, 'COMMAND_INVALID', '$.services[0]'],
      ['POST', '/walkins', { officeId: 'nord', services: ['pass'] }, 400, 'COMMAND_INVALID', '$.services'],
      ['POST', '/offices/mitte/call', { staffId: 'cem' }, 400, 'COMMAND_INVALID', '$.staffId'],
      ['POST', '/offices/mitte/call', {}, 400, 'COMMAND_INVALID', '$.staffId'],
      ['POST', '/tickets/t99/finish', undefined, 404, 'NOT_FOUND', '$.ticketId'],
      ['POST', '/tickets/t1/start', undefined, 409, 'CONFLICT', '$.ticketId'],
      ['POST', '/tickets/t1/left', { at: at('09:40'), why: 'x' }, 400, 'COMMAND_INVALID', '$.why'],
      ['POST', '/tickets/t1/left', '', 400, 'BAD_JSON', '$'],
      ['GET', '/tickets?officeId=mitte&state=waiting', undefined, 400, 'COMMAND_INVALID', '$.state'],
      ['GET', '/durations/overlay?statistic=median', undefined, 400, 'COMMAND_INVALID', '$.statistic'],
      ['GET', '/durations/overlay?minSamples=0', undefined, 400, 'COMMAND_INVALID', '$.minSamples'],
    ]
    for (const [method, path, body, status, code, where] of cases) {
      const r = await call(base, method, path, body)
      expect([path, r.status], JSON.stringify(r.body)).toEqual([path, status])
      expect(r.body.code).toBe(code)
      expect(r.body.issues[0].path).toBe(where)
    }
    expect(JSON.stringify(s.snapshot())).toBe(before)
    expect((await call(base, 'GET', '/tickets')).body).toEqual(tickets)
  })

  it('exports recorded service times as an overlay POST /changes applies', async () => {
    // A service of its own, from 08:00: two walk-ins take 30 minutes each against the planned 10.
    const s2 = createScheduler(loadScenario(dayScenario()), { now: at('08:00') })
    let t2 = Date.parse(at('08:00'))
    const app2 = await createHttpService({ scheduler: s2, clock: () => t2, clockResolutionMs: 0, tickMs: 0, limits: { headersTimeoutMs: 1000, maxEventLoopLagMs: 0 } })
    try {
      await app2.listen({ port: 0, host: '127.0.0.1' })
      const b2 = `http://127.0.0.1:${(app2.server.address() as { port: number }).port}`
      for (const staffId of ['ana', 'ben']) {
        expect((await call(b2, 'POST', '/walkins', { officeId: 'mitte', services: ['reg'] })).status).toBe(201)
        const called = await call(b2, 'POST', '/offices/mitte/call', { staffId })
        expect(called.status).toBe(200)
        expect((await call(b2, 'POST', `/tickets/${called.body.id}/start`, {})).body.state).toBe('serving')
      }
      t2 = Date.parse(at('08:30'))
      for (const x of s2.tickets()) expect((await call(b2, 'POST', `/tickets/${x.id}/finish`)).body.state).toBe('served')
      const durations = await call(b2, 'GET', '/durations')
      expect(durations.body).toEqual(s2.durationStats())
      expect(durations.body).toEqual([{ officeId: 'mitte', services: ['reg'], count: 2, plannedMinutes: 10, meanMinutes: 30, p90Minutes: 30 }])
      expect((await call(b2, 'GET', '/durations/overlay')).status).toBe(404) // minSamples defaults to 20
      const p90 = await call(b2, 'GET', '/durations/overlay?statistic=p90&minSamples=2')
      expect(p90.body).toEqual(s2.durationOverlay({ statistic: 'p90', minSamples: 2 }))
      const overlay = await call(b2, 'GET', '/durations/overlay?minSamples=2')
      expect(overlay.status).toBe(200)
      expect(overlay.body).toEqual(s2.durationOverlay({ minSamples: 2 }))
      expect(overlay.body.changes).toEqual([{ kind: 'serviceDuration', service: 'reg', minutes: 30, offices: ['mitte'] }])
      // The document is an overlay as it stands: the live change route takes it, and then the plan is the record.
      const applied = await call(b2, 'POST', '/changes', overlay.body)
      expect(applied.status, JSON.stringify(applied.body)).toBe(201)
      expect(s2.changes()).toHaveLength(1)
      expect((await call(b2, 'GET', '/durations')).body).toMatchObject([{ plannedMinutes: 30, meanMinutes: 30 }])
      expect((await call(b2, 'GET', '/durations/overlay?minSamples=2')).status).toBe(404)
    } finally {
      await app2.close()
    }
  })

  it('lists the routes in the OpenAPI document', async () => {
    const doc = (await call(base, 'GET', '/openapi.json')).body
    for (const p of ['/checkins', '/walkins', '/offices/{officeId}/call', '/tickets/{ticketId}/start', '/tickets/{ticketId}/finish', '/tickets/{ticketId}/missed', '/tickets/{ticketId}/left', '/tickets', '/no-shows', '/day/stats', '/durations', '/durations/overlay'])
      expect(Object.keys(doc.paths), p).toContain(p)
    expect(Object.keys(doc.paths['/offices/{officeId}/call'].post.responses)).toEqual(['200', '204', '4XX', '5XX'])
    expect(doc.paths['/checkins'].post.tags).toEqual(['day of service'])
    expect(doc.tags.map((x: { name: string }) => x.name)).toContain('day of service')
    // The ticket commands take `{ at }`, `{}` or no body at all.
    for (const a of ['start', 'finish', 'missed', 'left']) expect(doc.paths[`/tickets/{ticketId}/${a}`].post.requestBody.required, a).toBe(false)
    expect(doc.paths['/checkins'].post.requestBody.required).toBe(true)
  })
})
