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
    const cases: [string, string, unknown, number, string, string][] = [
      ['POST', '/checkins', { appointmentId: 'nope' }, 404, 'NOT_FOUND', '$.appointmentId'],
      ['POST', '/checkins', { appointmentId: 'a-ana-9', extra: 1 }, 400, 'COMMAND_INVALID', '$.extra'],
      ['POST', '/walkins', { officeId: 'mitte', services: ['nope'] }, 400, 'COMMAND_INVALID', '$.services[0]'],
      ['POST', '/walkins', { officeId: 'nord', services: ['pass'] }, 400, 'COMMAND_INVALID', '$.services'],
      ['POST', '/offices/mitte/call', { staffId: 'cem' }, 400, 'COMMAND_INVALID', '$.staffId'],
      ['POST', '/offices/mitte/call', {}, 400, 'COMMAND_INVALID', '$.staffId'],
      ['POST', '/tickets/t99/finish', undefined, 404, 'NOT_FOUND', '$.ticketId'],
      ['POST', '/tickets/t1/start', undefined, 409, 'CONFLICT', '$.ticketId'],
    ]
    for (const [method, path, body, status, code, where] of cases) {
      const r = await call(base, method, path, body)
      expect([path, r.status], JSON.stringify(r.body)).toEqual([path, status])
      expect(r.body.code).toBe(code)
      expect(r.body.issues[0].path).toBe(where)
    }
    expect(JSON.stringify(s.snapshot())).toBe(before)
  })

  it('lists the routes in the OpenAPI document', async () => {
    const doc = (await call(base, 'GET', '/openapi.json')).body
    for (const p of ['/checkins', '/walkins', '/offices/{officeId}/call', '/tickets/{ticketId}/start', '/tickets/{ticketId}/finish', '/tickets/{ticketId}/missed', '/tickets/{ticketId}/left', '/tickets', '/no-shows', '/day/stats', '/durations', '/durations/overlay'])
      expect(Object.keys(doc.paths), p).toContain(p)
    expect(Object.keys(doc.paths['/offices/{officeId}/call'].post.responses)).toEqual(['200', '204', '4XX', '5XX'])
    expect(doc.paths['/checkins'].post.tags).toEqual(['day of service'])
  })
})
