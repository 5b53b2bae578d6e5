/**
 * OpenAPI contract: a session that calls every route (successes and failures) over HTTP, and each
 * answer validated by Ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) against the schema that
 * /openapi.json gives for its path, method, status and content type. Every documented operation
 * must have been exercised.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { T } from '../waitlist/fixtures.js'
import { call, start, type Answer, type Running } from './harness.js'

let r: Running
let doc: any
const ajv = new Ajv2020({ strict: false, allErrors: true })
const seen = new Set<string>()
const failures: string[] = []

beforeAll(async () => {
  r = await start({ town: { days: [1, 2] } })
  doc = (await call(r.base, 'GET', '/openapi.json')).body
})
afterAll(async () => {
  await r.close()
})

function template(path: string): string | undefined {
  const p = path.split('?')[0]
  return Object.keys(doc.paths).find((t) => new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$').test(p))
}

/** Calls and checks the answer against the document. */
async function checked(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
  const a = await call(r.base, method, path, body, headers)
  const t = template(path)
  const op = t && doc.paths[t][method.toLowerCase()]
  if (!op) {
    failures.push(`${method} ${path}: not in the document`)
    return a
  }
  const key = String(a.status) in op.responses ? String(a.status) : `${String(a.status)[0]}XX`
  const resp = op.responses[key]
  seen.add(`${method} ${t} ${key}`)
  if (!resp) {
    failures.push(`${method} ${path}: status ${a.status} not documented`)
    return a
  }
  if (a.status === 204) return a
  const type = (a.headers.get('content-type') ?? '').split(';')[0]
  const media = resp.content?.[type]
  if (!media) {
    failures.push(`${method} ${path} ${a.status}: content type ${type} not documented`)
    return a
  }
  const validate = ajv.compile(media.schema)
  if (!validate(a.body)) failures.push(`${method} ${path} ${a.status}: ${ajv.errorsText(validate.errors)}`)
  return a
}

describe('OpenAPI contract', () => {
  it('is OpenAPI 3.1 and documents every route with its error answers', () => {
    expect(doc.openapi).toBe('3.1.0')
    for (const [p, ops] of Object.entries<any>(doc.paths))
      for (const [m, op] of Object.entries<any>(ops)) {
        if (p === '/health') continue
        expect(Object.keys(op.responses), `${m} ${p}`).toEqual(expect.arrayContaining(['4XX', '5XX']))
      }
    // Confirm takes no body (or `{}`), and says so.
    const confirm = doc.paths['/holds/{holdId}/confirm'].post
    expect(confirm.requestBody).toEqual({ required: false, content: { 'application/json': { schema: { type: 'object', properties: {}, additionalProperties: false } } } })
    expect(confirm.parameters.map((x: { in: string; name: string }) => `${x.in}:${x.name}`)).toEqual(['path:holdId', 'header:idempotency-key'])
  })

  it('every answer of a full session validates against the document', async () => {
    const slots = (await checked('POST', '/search', { services: ['reg'], offices: ['east'], limit: 2, explain: true })).body.slots
    expect(slots.length).toBe(2)
    await checked('POST', '/search', { services: ['nope'] })
    await checked('POST', '/search', '{bad')
    const hold = (await checked('POST', '/holds', { ...slots[0], citizenId: 'c-1' })).body
    await checked('POST', '/holds', { ...slots[0], citizenId: 'c-2' }) // taken: 409
    await checked('GET', '/holds?citizenId=c-1')
    const appt = (await checked('POST', `/holds/${hold.id}/confirm`, undefined, { 'idempotency-key': 'k1' })).body
    // Replay: the same appointment again.
    expect((await checked('POST', `/holds/${hold.id}/confirm`, undefined, { 'idempotency-key': 'k1' })).body).toEqual(appt)
    expect(r.s.appointments().filter((a) => a.citizenId === 'c-1')).toHaveLength(1)
    await checked('POST', `/holds/${hold.id}/confirm`) // no key: the hold is gone, 404
    await checked('GET', '/appointments?officeId=east&from=2026-06-02')
    await checked('GET', '/appointments?limit=-1')
    // Reschedule to the second slot found, replay, then into a taken slot (409) and a bad one (400).
    const moved = (await checked('POST', `/appointments/${appt.id}/reschedule`, slots[1], { 'idempotency-key': 'm1' })).body
    expect(moved).toEqual({ ...appt, start: slots[1].start, end: slots[1].end })
    expect((await checked('POST', `/appointments/${appt.id}/reschedule`, slots[1], { 'idempotency-key': 'm1' })).body).toEqual(moved)
    const booked = r.s.appointments().find((a) => a.id !== appt.id)!
    await checked('POST', `/appointments/${appt.id}/reschedule`, { officeId: booked.officeId, staffId: booked.staffId, start: booked.start, end: booked.end, services: booked.services })
    await checked('POST', `/appointments/${appt.id}/reschedule`, { ...slots[0], start: 'soon' })
    await checked('DELETE', `/appointments/${appt.id}`)
    await checked('DELETE', `/appointments/${appt.id}`)

    // Book out East's Tuesday so a waiting citizen has to wait, then free one slot.
    for (const s of r.s.search({ services: ['reg'], offices: ['east'], limit: 100 }).slots) r.s.confirm(r.s.hold(s, { citizenId: `fill-${s.start}` }).id)
    const entry = (await checked('POST', '/waitlist', { citizenId: 'c-3', services: ['reg'], offices: ['east'] })).body
    await checked('POST', '/waitlist', { citizenId: 'c-3', services: ['reg'], offices: ['east'] }) // already waiting
    await checked('GET', '/waitlist?citizenId=c-3')
    const mine = r.s.appointments().find((a) => a.officeId === 'east' && a.start === T(2, '08:00'))!
    r.s.cancel(mine.id)
    const [offer] = (await checked('GET', '/offers?citizenId=c-3')).body
    expect(offer.entryId).toBe(entry.id)
    await checked('POST', `/offers/${offer.id}/decline`)
    await checked('POST', `/offers/${offer.id}/decline`)
    await checked('POST', `/offers/${offer.id}/accept`)
    const e2 = (await checked('POST', '/waitlist', { citizenId: 'c-4', services: ['reg'], offices: ['east'] })).body
    const [o2] = (await checked('GET', '/offers?citizenId=c-4')).body
    await checked('POST', `/offers/${o2.id}/accept`, {}, { 'idempotency-key': 'k2' })
    await checked('DELETE', `/waitlist/${e2.id}`) // served: 404
    const e3 = (await checked('POST', '/waitlist', { citizenId: 'c-5', services: ['reg'], offices: ['east'] })).body
    await checked('DELETE', `/waitlist/${e3.id}`)

    // A live change (sam off on Wednesday, when nothing is booked at South), a bad one, the log.
    const change = (await checked('POST', '/changes', { name: 'sam off', changes: [{ kind: 'absence', staff: 'sam', from: '2026-06-03', to: '2026-06-03' }] })).body
    expect(change).toMatchObject({ index: 0, affected: 0 })
    await checked('POST', '/changes', { name: 'bad', changes: [{ kind: 'absence', staff: 'nobody', from: '2026-06-03', to: '2026-06-03' }] })
    expect((await checked('GET', '/changes')).body).toHaveLength(1)

    // The day of service at East on Tuesday: a booked citizen and a walk-in, calls, service times.
    r.advance(24 * 60 + 50) // Tuesday 07:50
    const booked8 = r.s.appointments().find((a) => a.officeId === 'east' && a.start === T(2, '08:20'))!
    const ticket = (await checked('POST', '/checkins', { appointmentId: booked8.id })).body
    await checked('POST', '/checkins', { appointmentId: booked8.id }) // twice: 409
    const walk = (await checked('POST', '/walkins', { officeId: 'east', services: ['reg'] })).body
    await checked('POST', '/walkins', { officeId: 'east', services: ['nope'] })
    await checked('GET', '/tickets?officeId=east')
    r.advance(30) // 08:20
    const called = (await checked('POST', '/offices/east/call', { staffId: booked8.staffId })).body
    expect(called.id).toBe(ticket.id)
    await checked('POST', '/offices/east/call', { staffId: booked8.staffId }) // still serving: 409
    await checked('POST', `/tickets/${ticket.id}/start`)
    await checked('POST', `/tickets/${ticket.id}/start`) // not called: 409
    r.advance(15)
    await checked('POST', `/tickets/${ticket.id}/finish`, {})
    await checked('POST', `/tickets/${walk.id}/missed`) // waiting, not called: 409
    await checked('POST', `/tickets/${walk.id}/left`)
    await checked('POST', `/tickets/${walk.id}/finish`)
    await checked('POST', '/offices/east/call', { staffId: booked8.staffId }) // nobody: 204
    await checked('GET', '/no-shows')
    await checked('GET', '/day/stats')
    await checked('GET', '/durations')
    await checked('GET', '/durations/overlay?minSamples=1')
    await checked('GET', '/durations/overlay?minSamples=0')
    // 08:40: the next booked citizen checked in, called, and not there when called.
    r.advance(5)
    const next = r.s.appointments().find((a) => a.officeId === 'east' && a.start === T(2, '08:40') && a.staffId === booked8.staffId)!
    const t2 = (await checked('POST', '/checkins', { appointmentId: next.id })).body
    expect((await checked('POST', '/offices/east/call', { staffId: next.staffId })).body.id).toBe(t2.id)
    await checked('POST', `/tickets/${t2.id}/missed`)

    await checked('GET', '/stats')
    await checked('GET', '/now')
    await checked('GET', '/health')
    await checked('GET', '/ready')
    await checked('GET', '/metrics')
    await checked('GET', '/events?citizenId=')
    // The stream itself: headers and the first comment, then hang up.
    const ctrl = new AbortController()
    const ev = await fetch(r.base + '/events', { signal: ctrl.signal })
    expect(ev.status).toBe(200)
    expect(ev.headers.get('content-type')).toMatch(/^text\/event-stream/)
    seen.add('GET /events 200')
    ctrl.abort()

    expect(failures).toEqual([])
    const documented = Object.entries<any>(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    const exercised = new Set([...seen].map((k) => k.split(' ').slice(0, 2).join(' ')))
    expect(documented.filter((d) => !exercised.has(d))).toEqual([])
    // Successes and failures of the commands were both checked.
    for (const k of ['POST /holds 201', 'POST /holds 4XX', 'POST /holds/{holdId}/confirm 201', 'POST /offers/{offerId}/accept 201', 'POST /offers/{offerId}/accept 4XX', 'DELETE /waitlist/{entryId} 204', 'POST /appointments/{appointmentId}/reschedule 200', 'POST /appointments/{appointmentId}/reschedule 4XX', 'POST /changes 201', 'POST /changes 4XX', 'GET /changes 200'])
      expect(seen, k).toContain(k)
  })

  it('serves the docs page', async () => {
    const a = await fetch(r.base + '/docs/')
    expect(a.status).toBe(200)
    expect(await a.text()).toMatch(/swagger/i)
  })
})
