/**
 * Error mapping: every TerminplanError code reaches the client as its status with the library's
 * code and paths; codes the booking commands cannot produce on a healthy scheduler are raised by a
 * scheduler wrapper, the rest by real requests. Nothing internal leaks.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openScheduler } from '../../src/adapters/journal/index.js'
import { STATUS_BY_CODE } from '../../src/adapters/http/index.js'
import { loadScenario } from '../../src/model/load.js'
import { TerminplanError, type ErrorCode } from '../../src/model/errors.js'
import { createScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { NOW, T, town } from '../waitlist/fixtures.js'
import { call, start, type Running } from './harness.js'

let r: Running | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const noLimits = { searchPerCitizen: null, searchPerClient: null, holdPerCitizen: null, holdPerClient: null, holdsPerCitizen: 10 }
const slot = (d: number, hm: string, end: string) => ({ officeId: 'east', staffId: 'eve', start: T(d, hm), end: T(d, end), services: ['reg'] })

describe('error mapping', () => {
  it('COMMAND_INVALID (400) from schema validation, with the model paths', async () => {
    r = await start()
    const a = await call(r.base, 'POST', '/search', { services: [42] })
    expect(a.status).toBe(400)
    expect(a.body).toMatchObject({ code: 'COMMAND_INVALID', issues: [{ path: '$.services[0]', code: 'invalid_type' }] })
    const b = await call(r.base, 'POST', '/search', { services: ['reg'], color: 'red' })
    expect(b.body.issues).toEqual([{ path: '$.color', code: 'unknown_field', message: 'unknown field "color"' }])
    const c = await call(r.base, 'POST', '/holds', { ...slot(2, '08:00', '08:20'), citizenId: '' })
    expect(c.body).toMatchObject({ code: 'COMMAND_INVALID', issues: [{ path: '$.citizenId', code: 'too_small' }] })
    const d = await call(r.base, 'GET', '/appointments?limit=0')
    expect(d.body.issues[0].path).toBe('$.limit')
  })

  it('COMMAND_INVALID (400) from the library: the same path the library gives', async () => {
    r = await start()
    const bad = { ...slot(2, '08:05', '08:25'), citizenId: 'c-1' }
    let lib: TerminplanError | undefined
    try {
      r.s.hold({ ...slot(2, '08:05', '08:25') }, { citizenId: 'c-1' })
    } catch (e) {
      lib = e as TerminplanError
    }
    const a = await call(r.base, 'POST', '/holds', bad)
    expect(a.status).toBe(400)
    expect(a.body).toEqual({ code: lib!.code, message: lib!.message, issues: lib!.issues })
    expect(a.body.issues[0]).toMatchObject({ path: '$.start', code: 'off_grid' })
    const b = await call(r.base, 'POST', '/holds', { ...slot(2, '08:00', '08:20'), citizenId: 'c-1', ttlMinutes: 60 })
    expect(b.body).toMatchObject({ code: 'COMMAND_INVALID', issues: [{ path: '$.ttlMinutes', code: 'too_big' }] })
  })

  it('NOT_FOUND 404, CONFLICT 409, LIMIT_EXCEEDED 409', async () => {
    const s = createScheduler(loadScenario(town({ days: [1] })), { now: NOW, limits: { waitlistSize: 1 } })
    r = await start({ scheduler: s, service: { limits: noLimits } })
    const nf = await call(r.base, 'POST', '/holds/nope/confirm')
    expect(nf.status).toBe(404)
    expect(nf.body).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: '$.holdId', code: 'hold_not_found' }] })
    expect((await call(r.base, 'POST', '/offers/nope/accept')).body.issues[0].path).toBe('$.offerId')

    const h1 = await call(r.base, 'POST', '/holds', { ...slot(2, '08:00', '08:20'), citizenId: 'c-1' })
    expect(h1.status).toBe(201)
    const taken = await call(r.base, 'POST', '/holds', { ...slot(2, '08:00', '08:20'), citizenId: 'c-2' })
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ code: 'CONFLICT', issues: [{ path: '$.start', code: 'slot_taken' }] })
    // An idempotency key used for one hold cannot confirm another.
    const h2 = await call(r.base, 'POST', '/holds', { ...slot(2, '08:20', '08:40'), citizenId: 'c-2' })
    expect((await call(r.base, 'POST', `/holds/${h1.body.id}/confirm`, undefined, { 'idempotency-key': 'k' })).status).toBe(201)
    const reuse = await call(r.base, 'POST', `/holds/${h2.body.id}/confirm`, undefined, { 'idempotency-key': 'k' })
    expect(reuse.status).toBe(409)
    expect(reuse.body.issues[0]).toMatchObject({ path: '$.idempotencyKey', code: 'idempotency_key_reused' })

    expect((await call(r.base, 'POST', '/waitlist', { citizenId: 'w-1', services: ['reg'] })).status).toBe(201)
    const full = await call(r.base, 'POST', '/waitlist', { citizenId: 'w-2', services: ['reg'] })
    expect(full.status).toBe(409)
    expect(full.body).toMatchObject({ code: 'LIMIT_EXCEEDED', issues: [{ path: '$', code: 'limit_exceeded' }] })
    // The service stamps the time of joining: a back-dated entry would jump the queue.
    const backdated = await call(r.base, 'POST', '/waitlist', { citizenId: 'w-3', services: ['reg'], createdAt: '2020-01-01T00:00:00Z' })
    expect(backdated.status).toBe(400)
    expect(backdated.body.issues).toEqual([{ path: '$.createdAt', code: 'unknown_field', message: 'unknown field "createdAt"' }])
    const dup = await call(r.base, 'POST', '/waitlist', { citizenId: 'w-1', services: ['reg'] })
    expect(dup.body.code).toMatch(/CONFLICT|LIMIT_EXCEEDED/)
  })

  it('STATE_INVALID 503 from a closed journal, without host paths in the answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-http-'))
    try {
      const s = openScheduler({ scenario: loadScenario(town({ days: [1] })), journal: dir, now: NOW })
      r = await start({ scheduler: s })
      expect((await call(r.base, 'GET', '/ready')).status).toBe(200)
      s.close()
      r.advance(1)
      const a = await call(r.base, 'POST', '/search', { services: ['reg'] })
      expect(a.status).toBe(503)
      expect(a.body.code).toBe('STATE_INVALID')
      expect(JSON.stringify(a.body)).not.toContain(dir)
      r.advance(1)
      expect((await call(r.base, 'GET', '/ready')).status).toBe(503)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('every library code has one status; codes a healthy scheduler cannot raise come through a wrapper', async () => {
    const base = createScheduler(loadScenario(town({ days: [1] })), { now: NOW })
    let next: unknown
    // The public interface, with confirm replaced: what a scheduler in trouble would throw.
    const s: Scheduler = new Proxy(base, {
      get: (t, k) => (k === 'confirm' ? () => { throw next } : Reflect.get(t, k, t)),
    })
    r = await start({ scheduler: s })
    const codes: ErrorCode[] = ['SCENARIO_INVALID', 'COMMAND_INVALID', 'NOT_FOUND', 'CONFLICT', 'EXPIRED', 'LIMIT_EXCEEDED', 'STATE_INVALID', 'SOLVER_FAILED', 'TIMEOUT', 'IO_FAILED', 'USAGE', 'NOT_LEADER']
    const expected: Record<ErrorCode, number> = { SCENARIO_INVALID: 400, COMMAND_INVALID: 400, USAGE: 400, NOT_FOUND: 404, CONFLICT: 409, LIMIT_EXCEEDED: 409, EXPIRED: 410, SOLVER_FAILED: 500, STATE_INVALID: 503, TIMEOUT: 503, IO_FAILED: 503, NOT_LEADER: 421 }
    for (const code of codes) {
      next = new TerminplanError(code, `m-${code}`, [{ path: '$.holdId', code: 'x', message: `m-${code}` }])
      const a = await call(r.base, 'POST', '/holds/h/confirm')
      expect(a.status, code).toBe(expected[code])
      expect(STATUS_BY_CODE[code]).toBe(expected[code])
      expect(a.body.code).toBe(code)
      expect(a.body.issues[0]).toMatchObject({ path: '$.holdId', code: 'x' })
      if (a.status < 500) expect(a.body.message).toBe(`m-${code}`)
    }
    // Not a TerminplanError: 500 INTERNAL, no message, no stack.
    next = new TypeError('secret /etc/passwd at line 3')
    const a = await call(r.base, 'POST', '/holds/h/confirm')
    expect(a.status).toBe(500)
    expect(a.body).toEqual({ code: 'INTERNAL', message: 'internal error', issues: [{ path: '$', code: 'internal', message: 'internal error' }] })
    expect(JSON.stringify(a.body)).not.toMatch(/secret|passwd|at /)
  })

  it('unknown route 404 and wrong media type 415 in the same shape', async () => {
    r = await start()
    const a = await call(r.base, 'GET', '/nothing-here')
    expect(a.status).toBe(404)
    expect(a.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', issues: [{ path: '$', code: 'route_not_found' }] })
    const b = await call(r.base, 'POST', '/search', 'services=reg', { 'content-type': 'application/x-www-form-urlencoded' })
    expect(b.status).toBe(415)
    expect(b.body.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })
})
