/** The booking walk-through over HTTP, checked against the scheduler's own state. */
import { afterEach, describe, expect, it } from 'vitest'
import { createServer } from 'node:http'
import { WebhookNotificationSink } from '../../src/adapters/notify/index.js'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler } from '../../src/solver/scheduler/index.js'
import { call, start, type Running } from './harness.js'
import { NOW, T, town } from '../waitlist/fixtures.js'

let r: Running | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('HTTP walk-through', () => {
  it('search → hold → confirm → cancel, each answer equal to the scheduler state', async () => {
    r = await start()
    const search = await call(r.base, 'POST', '/search', { services: ['pass'], offices: ['south'], citizenId: 'c-1', limit: 3 })
    expect(search.status).toBe(200)
    // Day 1 is booked out; the first free 40 minutes at South are Tuesday 08:00.
    expect(search.body.slots[0]).toEqual({ officeId: 'south', staffId: 'sam', start: T(2, '08:00'), end: T(2, '08:40'), services: ['pass'] })
    expect(search.body.slots).toEqual(r.s.search({ services: ['pass'], offices: ['south'], citizenId: 'c-1', limit: 3 }).slots)

    const hold = await call(r.base, 'POST', '/holds', { ...search.body.slots[0], citizenId: 'c-1' })
    expect(hold.status).toBe(201)
    expect(hold.body.slot).toEqual(search.body.slots[0])
    expect(r.s.holds().map((h) => h.id)).toEqual([hold.body.id])
    // 10 minutes of policy.holdMinutes from the injected clock (Monday 07:00).
    expect(hold.body.expiresAt).toBe(T(1, '07:10'))

    const conf = await call(r.base, 'POST', `/holds/${hold.body.id}/confirm`)
    expect(conf.status).toBe(201)
    expect(conf.body).toMatchObject({ officeId: 'south', staffId: 'sam', start: T(2, '08:00'), end: T(2, '08:40'), services: ['pass'], citizenId: 'c-1' })
    expect(r.s.appointments().find((a) => a.id === conf.body.id)).toEqual(conf.body)
    expect(r.s.holds()).toEqual([])

    const list = await call(r.base, 'GET', '/appointments?citizenId=c-1')
    expect(list.body).toEqual([conf.body])

    const del = await call(r.base, 'DELETE', `/appointments/${conf.body.id}`)
    expect(del.status).toBe(204)
    expect(r.s.appointments().some((a) => a.id === conf.body.id)).toBe(false)
    const again = await call(r.base, 'DELETE', `/appointments/${conf.body.id}`)
    expect(again.status).toBe(404)
    expect(again.body).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: '$.appointmentId', code: 'appointment_not_found' }] })
  })

  it('waitlist join → offer (over the event stream) → accept books the freed slot', async () => {
    r = await start({ town: { days: [1, 2, 3, 4, 5] } })
    // Everything is booked: nothing to find.
    const none = await call(r.base, 'POST', '/search', { services: ['reg'], offices: ['east'] })
    expect(none.body.slots).toEqual([])
    expect(none.body.explanation.reasons.map((x: { code: string }) => x.code)).toContain('fully_booked')

    const events = await fetch(r.base + '/events?citizenId=c-9')
    const reader = events.body!.getReader()
    const join = await call(r.base, 'POST', '/waitlist', { id: 'w1', citizenId: 'c-9', services: ['reg'], offices: ['east'] })
    expect(join.status).toBe(201)
    expect(join.body).toMatchObject({ id: 'w1', citizenId: 'c-9', state: 'waiting' })
    expect((await call(r.base, 'GET', '/waitlist')).body.map((e: { id: string }) => e.id)).toEqual(['w1'])

    // Someone cancels at East (freeze 0): the freed slot is offered to c-9 at once.
    const del = await call(r.base, 'DELETE', '/appointments/eve-3-0840')
    expect(del.status).toBe(204)
    const offers = await call(r.base, 'GET', '/offers?citizenId=c-9')
    expect(offers.body).toHaveLength(1)
    const offer = offers.body[0]
    expect(offer.slot).toMatchObject({ officeId: 'east', staffId: 'eve', start: T(3, '08:40') })

    let text = ''
    while (!text.includes('\n\n', text.indexOf('event: offer'))) text += new TextDecoder().decode((await reader.read()).value)
    const frame = text.slice(text.indexOf('event: offer'))
    const data = JSON.parse(frame.split('\n').find((l) => l.startsWith('data: '))!.slice(6))
    expect(data).toEqual({ offerId: offer.id, entryId: 'w1', citizenId: 'c-9', slot: offer.slot, expiresAt: offer.expiresAt })
    await reader.cancel()

    const acc = await call(r.base, 'POST', `/offers/${offer.id}/accept`, undefined, { 'idempotency-key': 'acc-1' })
    expect(acc.status).toBe(201)
    expect(acc.body).toMatchObject({ officeId: 'east', start: T(3, '08:40'), citizenId: 'c-9' })
    expect(r.s.appointments().find((a) => a.id === acc.body.id)).toEqual(acc.body)
    expect(r.s.waitlist()).toEqual([])
    // The same key again: the same appointment, nothing booked twice.
    const replay = await call(r.base, 'POST', `/offers/${offer.id}/accept`, undefined, { 'idempotency-key': 'acc-1' })
    expect(replay.status).toBe(201)
    expect(replay.body).toEqual(acc.body)
    expect(r.s.appointments().filter((a) => a.citizenId === 'c-9')).toHaveLength(1)
  })

  it('leave the waitlist and decline an offer', async () => {
    r = await start({ town: { days: [1, 2, 3, 4, 5] } })
    await call(r.base, 'POST', '/waitlist', { id: 'w1', citizenId: 'c-1', services: ['reg'], offices: ['east'] })
    await call(r.base, 'POST', '/waitlist', { id: 'w2', citizenId: 'c-2', services: ['reg'], offices: ['east'] })
    await call(r.base, 'DELETE', '/appointments/eve-2-0800')
    const [o1] = (await call(r.base, 'GET', '/offers')).body
    expect(o1.citizenId).toBe('c-1')
    expect((await call(r.base, 'POST', `/offers/${o1.id}/decline`)).status).toBe(204)
    // Passed on to the next waiting citizen.
    const [o2] = (await call(r.base, 'GET', '/offers')).body
    expect(o2).toMatchObject({ citizenId: 'c-2', slot: o1.slot })
    expect((await call(r.base, 'DELETE', '/waitlist/w2')).status).toBe(204)
    expect(r.s.offers()).toEqual([])
    expect((await call(r.base, 'DELETE', '/waitlist/w2')).body).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: '$.entryId' }] })
  })

  it('notifications go out through the webhook sink: the offer a cancellation makes reaches the webhook', async () => {
    const received: { key: string | undefined; body: any }[] = []
    const hook = createServer((req, res) => {
      let b = ''
      req.on('data', (d) => (b += d))
      req.on('end', () => {
        received.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(b) })
        res.end()
      })
    })
    await new Promise<void>((res) => hook.listen(0, '127.0.0.1', res))
    try {
      const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/notify`
      const s = createScheduler(loadScenario(town({ days: [1, 2, 3, 4, 5] })), { now: NOW, notifications: new WebhookNotificationSink({ url }) })
      r = await start({ scheduler: s })
      await call(r.base, 'POST', '/waitlist', { id: 'w1', citizenId: 'c-7', services: ['reg'], offices: ['east'] })
      await call(r.base, 'DELETE', '/appointments/eve-4-0900')
      const [offer] = (await call(r.base, 'GET', '/offers')).body
      for (let i = 0; i < 100 && !received.some((n) => n.body.kind === 'offer'); i++) await new Promise((res) => setTimeout(res, 20))
      const note = received.find((n) => n.body.kind === 'offer')!
      expect(note.body).toMatchObject({ kind: 'offer', citizenId: 'c-7', offerId: offer.id, officeId: 'east', start: T(4, '09:00'), expiresAt: offer.expiresAt })
      expect(note.key).toBe(`offer:${offer.id}`)
    } finally {
      await new Promise((res) => hook.close(res))
    }
  })
})
