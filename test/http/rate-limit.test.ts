/**
 * Bot protection with an injected clock: token buckets per client and per citizen, the cap on open
 * holds, and a bot that holds in a loop cannot squat the capacity.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { TokenBuckets } from '../../src/adapters/http/index.js'
import { call, start, type Running } from './harness.js'

let r: Running | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const SECOND = 1 / 60 // harness advances in minutes

describe('token buckets', () => {
  it('allow a burst, then one per refill interval, with the exact wait', () => {
    let t = 0
    const b = new TokenBuckets({ perSecond: 2, burst: 3 }, () => t)
    expect([b.take('a'), b.take('a'), b.take('a')].every((x) => x.ok)).toBe(true)
    expect(b.take('a')).toEqual({ ok: false, retryAfterMs: 500 })
    expect(b.take('b').ok).toBe(true)
    t = 499
    expect(b.take('a').ok).toBe(false)
    t = 500
    expect(b.take('a').ok).toBe(true)
    expect(b.take('a')).toEqual({ ok: false, retryAfterMs: 500 })
  })

  it('stay bounded in keys, dropping full buckets first', () => {
    let t = 0
    const b = new TokenBuckets({ perSecond: 1, burst: 1, maxKeys: 10 }, () => t)
    for (let i = 0; i < 10; i++) b.take(`k${i}`)
    t = 5000 // all refilled: nothing to remember
    b.take('new')
    expect(b.size).toBe(1)
  })
})

describe('rate limits over HTTP', () => {
  it('search: per client, with Retry-After and a pointer to the waitlist; other clients unaffected; refills with the clock', async () => {
    r = await start({ service: { limits: { clientIdHeader: 'x-client-id', searchPerClient: { perSecond: 1, burst: 3 }, searchPerCitizen: null } } })
    const q = { services: ['reg'] }
    const bot = { 'x-client-id': 'bot' }
    for (let i = 0; i < 3; i++) expect((await call(r.base, 'POST', '/search', q, bot)).status).toBe(200)
    const no = await call(r.base, 'POST', '/search', q, bot)
    expect(no.status).toBe(429)
    expect(no.headers.get('retry-after')).toBe('1')
    expect(no.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1, issues: [{ path: '$', code: 'client_rate_limit' }] })
    expect(no.body.hint).toContain('POST /waitlist')
    expect((await call(r.base, 'POST', '/search', q, { 'x-client-id': 'someone' })).status).toBe(200)
    r.advance(SECOND)
    expect((await call(r.base, 'POST', '/search', q, bot)).status).toBe(200)
    expect((await call(r.base, 'POST', '/search', q, bot)).status).toBe(429)
  })

  it('without a trusted header the client is its IP, whatever X-Client-Id says', async () => {
    r = await start({ service: { limits: { searchPerClient: { perSecond: 1, burst: 2 }, searchPerCitizen: null } } })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await call(r.base, 'POST', '/search', { services: ['reg'] }, { 'x-client-id': `fake-${i}` })).status)
    expect(statuses).toEqual([200, 200, 429, 429])
  })

  it('search: per citizen across clients', async () => {
    r = await start({ service: { limits: { clientIdHeader: 'x-client-id', searchPerCitizen: { perSecond: 0.5, burst: 2 } } } })
    const q = { services: ['reg'], citizenId: 'c-1' }
    expect((await call(r.base, 'POST', '/search', q, { 'x-client-id': 'a' })).status).toBe(200)
    expect((await call(r.base, 'POST', '/search', q, { 'x-client-id': 'b' })).status).toBe(200)
    const no = await call(r.base, 'POST', '/search', q, { 'x-client-id': 'c' })
    expect(no.status).toBe(429)
    expect(no.body.issues[0]).toMatchObject({ path: '$.citizenId', code: 'citizen_rate_limit' })
    expect(no.headers.get('retry-after')).toBe('2')
    expect((await call(r.base, 'POST', '/search', { ...q, citizenId: 'c-2' }, { 'x-client-id': 'c' })).status).toBe(200)
  })

  it('one open hold per citizen: 429 until it is confirmed or expires, Retry-After = until it expires', async () => {
    r = await start()
    const [a, b] = r.s.search({ services: ['reg'], offices: ['east'], limit: 2 }).slots
    const h = await call(r.base, 'POST', '/holds', { ...a, citizenId: 'c-1' })
    expect(h.status).toBe(201)
    const second = await call(r.base, 'POST', '/holds', { ...b, citizenId: 'c-1' })
    expect(second.status).toBe(429)
    expect(second.body).toMatchObject({ code: 'RATE_LIMITED', issues: [{ path: '$.citizenId', code: 'hold_cap' }] })
    expect(second.headers.get('retry-after')).toBe('600') // policy.holdMinutes = 10
    expect(r.s.holds()).toHaveLength(1)
    await call(r.base, 'POST', `/holds/${h.body.id}/confirm`)
    expect((await call(r.base, 'POST', '/holds', { ...b, citizenId: 'c-1' })).status).toBe(201)
  })

  it('a bot holding in a loop is stopped, and the capacity stays bookable by others', async () => {
    r = await start({ service: { limits: { clientIdHeader: 'x-client-id', holdPerClient: { perSecond: 1 / 60, burst: 4 } } } })
    const freeBefore = r.s.stats().freeUnits
    const codes: Record<number, number> = {}
    // The bot takes the earliest free slot each time, with a new citizen id each time.
    for (let i = 0; i < 30; i++) {
      const [slot] = (await call(r.base, 'POST', '/search', { services: ['reg'], offices: ['east'], limit: 1 }, { 'x-client-id': 'bot' })).body.slots
      const a = await call(r.base, 'POST', '/holds', { ...slot, citizenId: `bot-${i}` }, { 'x-client-id': 'bot' })
      codes[a.status] = (codes[a.status] ?? 0) + 1
    }
    expect(codes).toEqual({ 201: 4, 429: 26 })
    // One citizen id in a loop: the hold cap stops it after one.
    for (let i = 0; i < 5; i++) {
      const [slot] = r.s.search({ services: ['reg'], offices: ['east'], limit: 1 }).slots
      await call(r.base, 'POST', '/holds', { ...slot, citizenId: 'bot-same' }, { 'x-client-id': `bot-${i}` })
    }
    expect(r.s.holds().filter((h) => h.citizenId === 'bot-same')).toHaveLength(1)
    expect(r.s.stats().heldUnits).toBe(5)
    expect(r.s.stats().freeUnits).toBe(freeBefore - 5)
    // Someone else books the next free slot at East.
    const [slot] = (await call(r.base, 'POST', '/search', { services: ['reg'], offices: ['east'], limit: 1, citizenId: 'human' }, { 'x-client-id': 'human' })).body.slots
    const h = await call(r.base, 'POST', '/holds', { ...slot, citizenId: 'human' }, { 'x-client-id': 'human' })
    expect((await call(r.base, 'POST', `/holds/${h.body.id}/confirm`)).status).toBe(201)
    // The bot's holds expire with the policy hold time and their units are free again.
    r.advance(11)
    await call(r.base, 'GET', '/holds')
    expect(r.s.stats()).toMatchObject({ heldUnits: 0, freeUnits: freeBefore - 1 })
  })

  it('views: per client, since each copies a whole list', async () => {
    r = await start({ service: { limits: { viewsPerClient: { perSecond: 1, burst: 2 } } } })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call(r.base, 'GET', '/appointments')).status)
    expect(statuses).toEqual([200, 200, 429])
    r.advance(SECOND)
    expect((await call(r.base, 'GET', '/stats')).status).toBe(200)
  })

  it('overload: past maxInFlight new requests get 503 OVERLOADED with Retry-After', async () => {
    r = await start({ service: { limits: { maxInFlight: 0 } } })
    // This request itself is in flight when the next one arrives: hold one open with a slow body.
    const { connect } = await import('node:net')
    const sock = connect(r.port, '127.0.0.1')
    await new Promise((res) => sock.on('connect', res))
    sock.write('POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{')
    await new Promise((res) => setTimeout(res, 50))
    const a = await call(r.base, 'GET', '/stats')
    expect(a.status).toBe(503)
    expect(a.headers.get('retry-after')).toBe('1')
    expect(a.body).toMatchObject({ code: 'OVERLOADED', issues: [{ code: 'overloaded' }] })
    sock.destroy()
    await new Promise((res) => setTimeout(res, 50))
    expect((await call(r.base, 'GET', '/stats')).status).toBe(200)
  })
})
