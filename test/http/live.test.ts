/**
 * Reschedule (POST /appointments/{id}/reschedule) and live changes (POST and GET /changes) over
 * real sockets: each answer checked against what the other routes then show (search, views,
 * offers, stats, metrics) and, for a journal, against a recovered scheduler.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openScheduler } from '../../src/adapters/journal/index.js'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler } from '../../src/solver/scheduler/index.js'
import { NOW, SLOTS, T, WEEK, plus20, town } from '../waitlist/fixtures.js'
import { call, start, type Running } from './harness.js'

let r: Running | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

/** A 20-minute `reg` slot at East (eve) on day d. */
const east = (d: number, hm: string, staffId = 'eve') => ({ officeId: 'east', staffId, start: T(d, hm), end: T(d, plus20(hm)), services: ['reg'] })
/** What POST /search finds for `reg` at East on day d (the test's view of free time). */
const eastFree = async (base: string, d: number) =>
  ((await call(base, 'POST', '/search', { services: ['reg'], offices: ['east'], from: `2026-06-0${d}`, to: `2026-06-0${d}`, limit: 100 })).body.slots as { staffId: string; start: string }[]).map((x) => `${x.staffId} ${x.start}`)
const noLimits = { reschedulePerAppointment: null, reschedulePerClient: null, changesPerClient: null, viewsPerClient: null, searchPerClient: null, searchPerCitizen: null }

/** The town with a second person at East, eli, working 08:00–09:00 on weekdays and free: where a sick call at East can move appointments to. */
function townWithEli() {
  const input = town({ days: [1] })
  input.staff!.push({ id: 'eli', office: 'east', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '09:00' }] })
  return createScheduler(loadScenario(input), { now: NOW })
}

describe('POST /appointments/{appointmentId}/reschedule', () => {
  it('moves the appointment: the new slot is taken, the old one searchable again, nothing else changes', async () => {
    r = await start({ service: { limits: noLimits } })
    // Day 1 is booked out; day 2 is free.
    expect(await eastFree(r.base, 1)).toEqual([])
    const before = (await call(r.base, 'GET', '/stats')).body
    const others = (await call(r.base, 'GET', '/appointments?limit=1000')).body.filter((a: { id: string }) => a.id !== 'eve-1-0800')

    const a = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '08:20'))
    expect(a.status).toBe(200)
    expect(a.body).toEqual({ id: 'eve-1-0800', officeId: 'east', staffId: 'eve', start: T(2, '08:20'), end: T(2, '08:40'), services: ['reg'], citizenId: 'z-eve-1-0800' })

    // The views: the same appointment (id, citizen) at its new time, every other one as it was.
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0800')).body).toEqual([a.body])
    const after = (await call(r.base, 'GET', '/appointments?limit=1000')).body
    expect(after.filter((x: { id: string }) => x.id !== 'eve-1-0800')).toEqual(others)
    // The old slot is free again, and only it on day 1; on day 2 the new one is taken.
    expect(await eastFree(r.base, 1)).toEqual([`eve ${T(1, '08:00')}`])
    expect(await eastFree(r.base, 2)).toEqual(SLOTS.filter((hm) => hm !== '08:20').map((hm) => `eve ${T(2, hm)}`))
    // As many units booked as before: a move, not a second booking.
    expect((await call(r.base, 'GET', '/stats')).body).toEqual(before)
    // The freed slot can be booked by someone else at once.
    const h = await call(r.base, 'POST', '/holds', { ...east(1, '08:00'), citizenId: 'c-new' })
    expect(h.status).toBe(201)
  })

  it('Idempotency-Key: a replay returns the same appointment and moves nothing; the key cannot move it elsewhere', async () => {
    r = await start({ service: { limits: noLimits } })
    const key = { 'idempotency-key': 'move-1' }
    const first = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '09:00'), key)
    expect(first.status).toBe(200)
    const replay = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '09:00'), key)
    expect(replay.status).toBe(200)
    expect(replay.body).toEqual(first.body)
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0800')).body).toEqual([first.body])
    expect(await eastFree(r.base, 2)).toEqual(SLOTS.filter((hm) => hm !== '09:00').map((hm) => `eve ${T(2, hm)}`))
    // The same key for another target is refused, and the appointment stays where the key put it.
    const other = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '09:20'), key)
    expect(other.status).toBe(409)
    expect(other.body).toMatchObject({ code: 'CONFLICT', issues: [{ path: '$.idempotencyKey', code: 'idempotency_key_reused' }] })
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0800')).body).toEqual([first.body])
  })

  it('a taken slot is 409 at $.start and the appointment stays put; unknown appointment 404; bad slots 400 with paths', async () => {
    r = await start({ service: { limits: noLimits } })
    const taken = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(1, '09:00'))
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ code: 'CONFLICT', issues: [{ path: '$.start', code: 'slot_taken' }] })
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0800')).body).toMatchObject([{ start: T(1, '08:00'), staffId: 'eve' }])
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0900')).body).toMatchObject([{ id: 'eve-1-0900', start: T(1, '09:00') }])
    // A slot someone holds is taken too.
    expect((await call(r.base, 'POST', '/holds', { ...east(2, '08:00'), citizenId: 'c-1' })).status).toBe(201)
    expect((await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '08:00'))).body.issues[0]).toMatchObject({ path: '$.start', code: 'slot_taken' })

    const nf = await call(r.base, 'POST', '/appointments/nope/reschedule', east(2, '08:20'))
    expect(nf.status).toBe(404)
    expect(nf.body).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: '$.appointmentId', code: 'appointment_not_found' }] })

    // Schema validation (before the scheduler): paths into the body.
    const { end: _end, ...noEnd } = east(2, '08:20')
    const missing = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', noEnd)
    expect(missing.status).toBe(400)
    expect(missing.body).toMatchObject({ code: 'COMMAND_INVALID', issues: [{ path: '$.end' }] })
    const extra = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', { ...east(2, '08:20'), citizenId: 'c-9' })
    expect(extra.body.issues).toEqual([{ path: '$.citizenId', code: 'unknown_field', message: 'unknown field "citizenId"' }])
    // The library's rules, with its paths.
    const offGrid = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', { ...east(2, '08:20'), start: T(2, '08:25'), end: T(2, '08:45') })
    expect(offGrid.status).toBe(400)
    expect(offGrid.body).toMatchObject({ code: 'COMMAND_INVALID', issues: [{ path: '$.start', code: 'off_grid' }] })
    const services = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', { officeId: 'north', staffId: 'ana', start: T(2, '08:00'), end: T(2, '08:40'), services: ['pass'] })
    expect(services.status).toBe(400)
    expect(services.body.issues[0]).toMatchObject({ path: '$.services', code: 'wrong_services' })
    const office = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', { ...east(2, '08:20'), officeId: 'atlantis' })
    expect(office.body.issues[0]).toMatchObject({ path: '$.officeId', code: 'unknown_office' })
    // Nothing of this moved it.
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0800')).body).toMatchObject([{ start: T(1, '08:00'), staffId: 'eve' }])
    // An appointment that has begun cannot be moved.
    r.advance(61) // Monday 08:01
    const begun = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '08:20'))
    expect(begun.status).toBe(409)
    expect(begun.body.issues[0]).toMatchObject({ path: '$.appointmentId', code: 'already_started' })
  })

  it('the freed time goes to a waiting citizen first (offered, not searchable)', async () => {
    r = await start({ service: { limits: noLimits } })
    const w = await call(r.base, 'POST', '/waitlist', { citizenId: 'c-w', services: ['reg'], offices: ['east'], latest: '2026-06-01' })
    expect(w.body.state).toBe('waiting')
    expect((await call(r.base, 'POST', '/appointments/eve-1-0920/reschedule', east(2, '08:00'))).status).toBe(200)
    const offers = (await call(r.base, 'GET', '/offers?citizenId=c-w')).body
    expect(offers.map((o: { slot: unknown }) => o.slot)).toEqual([east(1, '09:20')])
    expect(await eastFree(r.base, 1)).toEqual([])
  })

  it('is journaled: after a restart the appointment is at its new time and the key still replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-http-resched-'))
    const scenario = loadScenario(town({ days: [1] }))
    try {
      const s = openScheduler({ scenario, journal: dir, now: NOW })
      r = await start({ scheduler: s, service: { limits: noLimits } })
      const moved = await call(r.base, 'POST', '/appointments/sam-1-0800/reschedule', { officeId: 'south', staffId: 'sam', start: T(3, '09:00'), end: T(3, '09:20'), services: ['reg'] }, { 'idempotency-key': 'j-1' })
      expect(moved.status).toBe(200)
      await r.close()
      r = undefined
      s.close()
      const s2 = openScheduler({ scenario, journal: dir, now: NOW })
      try {
        expect(s2.appointments().find((a) => a.id === 'sam-1-0800')).toEqual(moved.body)
        r = await start({ scheduler: s2, service: { limits: noLimits } })
        const again = await call(r.base, 'POST', '/appointments/sam-1-0800/reschedule', { officeId: 'south', staffId: 'sam', start: T(3, '09:00'), end: T(3, '09:20'), services: ['reg'] }, { 'idempotency-key': 'j-1' })
        expect(again.body).toEqual(moved.body)
        // The key survived the restart: it cannot move the appointment elsewhere.
        const elsewhere = await call(r.base, 'POST', '/appointments/sam-1-0800/reschedule', { officeId: 'south', staffId: 'sam', start: T(3, '09:20'), end: T(3, '09:40'), services: ['reg'] }, { 'idempotency-key': 'j-1' })
        expect(elsewhere.status).toBe(409)
        expect(elsewhere.body.issues[0]).toMatchObject({ path: '$.idempotencyKey', code: 'idempotency_key_reused' })
        await r.close()
        r = undefined
      } finally {
        s2.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is rate-limited per appointment and per client: 429 with the path and Retry-After', async () => {
    r = await start({ service: { limits: { clientIdHeader: 'x-client-id', reschedulePerAppointment: { perSecond: 1 / 30, burst: 2 }, reschedulePerClient: { perSecond: 1, burst: 3 } } } })
    const a = { 'x-client-id': 'a' }
    expect((await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '08:00'), a)).status).toBe(200)
    expect((await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '08:20'), a)).status).toBe(200)
    const perAppt = await call(r.base, 'POST', '/appointments/eve-1-0800/reschedule', east(2, '08:40'), { 'x-client-id': 'b' })
    expect(perAppt.status).toBe(429)
    expect(perAppt.headers.get('retry-after')).toBe('30')
    expect(perAppt.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30, issues: [{ path: '$.appointmentId', code: 'appointment_rate_limit' }] })
    expect((await call(r.base, 'POST', '/appointments/eve-1-0820/reschedule', east(2, '08:40'), a)).status).toBe(200)
    const perClient = await call(r.base, 'POST', '/appointments/eve-1-0840/reschedule', east(2, '09:00'), a)
    expect(perClient.status).toBe(429)
    expect(perClient.body.issues[0]).toMatchObject({ path: '$', code: 'client_rate_limit' })
    // Refused moves did not happen.
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0840')).body).toMatchObject([{ start: T(1, '08:40') }])
    expect((await call(r.base, 'GET', '/appointments?citizenId=z-eve-1-0800')).body).toMatchObject([{ start: T(2, '08:20') }])
  })
})

describe('POST /changes and GET /changes', () => {
  const sick = { name: 'eve sick', changes: [{ kind: 'absence', staff: 'eve', from: T(1, '07:30'), to: T(1, '10:00'), reason: 'sick call' }] }

  it('a sick call moves what fits to another staff member, offers alternatives for the rest, and is logged', async () => {
    r = await start({ scheduler: townWithEli(), service: { limits: noLimits } })
    const events = await fetch(r.base + '/events?citizenId=z-eve-1-0900')
    const reader = events.body!.getReader()
    // eli is free 08:00–09:00 on Monday; eve is booked 08:00–10:00.
    expect(await eastFree(r.base, 1)).toEqual(['08:00', '08:20', '08:40'].map((hm) => `eli ${T(1, hm)}`))
    const before = (await call(r.base, 'GET', '/stats')).body
    expect((await call(r.base, 'GET', '/changes')).body).toEqual([])

    const res = await call(r.base, 'POST', '/changes', sick)
    expect(res.status).toBe(201)
    const change = res.body
    expect(change).toMatchObject({ index: 0, name: 'eve sick', affected: 6, moved: 3, offered: 3, unplaceable: 0, holdsDropped: 0, offersWithdrawn: 0, exact: true })
    expect(change.outcomes.map((o: { appointmentId: string; outcome: string }) => `${o.appointmentId} ${o.outcome}`)).toEqual([
      'eve-1-0800 moved', 'eve-1-0820 moved', 'eve-1-0840 moved', 'eve-1-0900 offered', 'eve-1-0920 offered', 'eve-1-0940 offered',
    ])

    // The views agree: the first three are eli's now, at the same time and for the same citizen.
    const appts = (await call(r.base, 'GET', '/appointments?officeId=east&limit=1000')).body
    expect(appts.map((a: { id: string; staffId: string; start: string; citizenId: string }) => `${a.id} ${a.staffId} ${a.start} ${a.citizenId}`)).toEqual(
      ['08:00', '08:20', '08:40'].map((hm) => `eve-1-${hm.replace(':', '')} eli ${T(1, hm)} z-eve-1-${hm.replace(':', '')}`),
    )
    // The other three citizens each hold an offer, the one the answer names, for the same service,
    // in the same district (N: north or east), never in eve's absence, no two on one person's time.
    const offered = change.outcomes.filter((o: { outcome: string }) => o.outcome === 'offered')
    const offerSlots: string[] = []
    for (const o of offered) {
      const citizen = `z-${o.appointmentId}`
      const [offer] = (await call(r.base, 'GET', `/offers?citizenId=${citizen}`)).body
      expect(offer.id).toBe(o.offerId)
      expect(offer.entryId).toBe(o.entryId)
      expect(offer.slot.services).toEqual(['reg'])
      expect(['north', 'east']).toContain(offer.slot.officeId)
      expect(offer.slot.staffId === 'eve' && offer.slot.start < T(1, '10:00')).toBe(false)
      offerSlots.push(`${offer.slot.staffId} ${offer.slot.start}`)
      const [entry] = (await call(r.base, 'GET', `/waitlist?citizenId=${citizen}`)).body
      expect(entry).toMatchObject({ id: o.entryId, priority: 'urgent', state: 'offered', offerId: o.offerId })
    }
    expect(new Set(offerSlots).size).toBe(3)
    // Offered slots are held: search no longer finds them; Monday at East has nothing left.
    const eastTuesday = await eastFree(r.base, 2)
    for (const x of offerSlots) expect(eastTuesday).not.toContain(x)
    expect(await eastFree(r.base, 1)).toEqual([])
    // Capacity by hand: 3 appointments gone (20 min = 1 unit each), 3 units offered, eve's 6 Monday units no longer capacity.
    const after = (await call(r.base, 'GET', '/stats')).body
    expect(after).toEqual({ ...before, capacityUnits: before.capacityUnits - 6, freeUnits: before.freeUnits - 3 - 3, bookedUnits: before.bookedUnits - 3, offeredUnits: before.offeredUnits + 3 })

    // The offer reached the citizen's event stream.
    let text = ''
    while (!text.includes('event: offer\n')) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toContain(`"offerId":"${offered[0].offerId}"`)
    await reader.cancel()

    // The log: the overlay as posted, when, the horizon and the hash the answer gave.
    const log = await call(r.base, 'GET', '/changes')
    expect(log.status).toBe(200)
    expect(log.body).toEqual([{ overlay: sick, at: NOW, horizonStart: '2026-06-01', hash: change.scenarioHash }])
    // The citizen accepts the alternative.
    const acc = await call(r.base, 'POST', `/offers/${offered[0].offerId}/accept`)
    expect(acc.status).toBe(201)
    expect(acc.body.citizenId).toBe('z-eve-1-0900')
  })

  it('a bad change is 400 with a path into the overlay, and changes nothing', async () => {
    r = await start({ scheduler: townWithEli(), service: { limits: noLimits } })
    const appts = (await call(r.base, 'GET', '/appointments?limit=1000')).body
    const cases: [unknown, string, string][] = [
      // The library's checks against the scenario in force.
      [{ name: 'x', changes: [{ kind: 'absence', staff: 'nobody', from: T(1, '08:00'), to: T(1, '09:00') }] }, '$.changes[0].staff', 'unknown_reference'],
      [{ name: 'x', changes: [sick.changes[0], { kind: 'absence', staff: 'eli', from: T(1, '09:00'), to: T(1, '08:00') }] }, '$.changes[1].to', 'empty_range'],
      [{ name: 'x', changes: [{ kind: 'close', office: 'atlantis', from: '2026-06-01', to: '2026-06-01' }] }, '$.changes[0].office', 'unknown_reference'],
      // The overlay schema, before the scheduler.
      [{ name: 'x', changes: [{ kind: 'absense', staff: 'eve', from: T(1, '08:00'), to: T(1, '09:00') }] }, '$.changes[0].kind', 'invalid_union'],
      [{ name: 'x', changes: [{ ...sick.changes[0], colour: 'red' }] }, '$.changes[0].colour', 'unknown_field'],
      [{ name: 'x', changes: [] }, '$.changes', 'too_small'],
      [{ changes: sick.changes }, '$.name', 'invalid_type'],
    ]
    for (const [body, path, code] of cases) {
      const a = await call(r.base, 'POST', '/changes', body)
      expect(a.status, path).toBe(400)
      expect(a.body.code, path).toBe('COMMAND_INVALID')
      expect(a.body.issues[0], path).toMatchObject({ path, code })
    }
    expect((await call(r.base, 'GET', '/changes')).body).toEqual([])
    expect((await call(r.base, 'GET', '/appointments?limit=1000')).body).toEqual(appts)
    expect((await call(r.base, 'GET', '/offers')).body).toEqual([])
  })

  it('a second change gets the next index; the log lists both in order; a journal keeps them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-http-change-'))
    const input = town({ days: [1] })
    const scenario = loadScenario(input)
    try {
      const s = openScheduler({ scenario, journal: dir, now: NOW })
      r = await start({ scheduler: s, service: { limits: noLimits } })
      const one = await call(r.base, 'POST', '/changes', { name: 'sam sick Tuesday', changes: [{ kind: 'absence', staff: 'sam', from: '2026-06-02', to: '2026-06-02' }] })
      expect(one.body).toMatchObject({ index: 0, affected: 0 })
      r.advance(30)
      const two = await call(r.base, 'POST', '/changes', { name: 'east closed Wednesday', changes: [{ kind: 'close', office: 'east', from: '2026-06-03', to: '2026-06-03' }] })
      expect(two.body).toMatchObject({ index: 1, affected: 0 })
      const log = (await call(r.base, 'GET', '/changes')).body
      expect(log.map((x: { overlay: { name: string }; at: string; hash: string }) => [x.overlay.name, x.at, x.hash])).toEqual([
        ['sam sick Tuesday', NOW, one.body.scenarioHash],
        ['east closed Wednesday', T(1, '07:30'), two.body.scenarioHash],
      ])
      // Neither day is bookable any more where it was changed.
      expect((await call(r.base, 'POST', '/search', { services: ['reg'], offices: ['south'], from: '2026-06-02', to: '2026-06-02' })).body.slots).toEqual([])
      expect(await eastFree(r.base, 3)).toEqual([])
      await r.close()
      r = undefined
      s.close()
      const s2 = openScheduler({ scenario, journal: dir, now: NOW })
      try {
        expect(s2.changes()).toEqual(log)
      } finally {
        s2.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is rate-limited per client (each change rebuilds the booking state)', async () => {
    r = await start({ service: { limits: { changesPerClient: { perSecond: 1 / 60, burst: 2 } } } })
    const change = (i: number) => ({ name: `c${i}`, changes: [{ kind: 'absence', staff: 'sam', from: '2026-06-0' + (2 + i), to: '2026-06-0' + (2 + i) }] })
    expect((await call(r.base, 'POST', '/changes', change(0))).status).toBe(201)
    expect((await call(r.base, 'POST', '/changes', change(1))).status).toBe(201)
    const no = await call(r.base, 'POST', '/changes', change(2))
    expect(no.status).toBe(429)
    expect(no.headers.get('retry-after')).toBe('60')
    expect(no.body).toMatchObject({ code: 'RATE_LIMITED', issues: [{ path: '$', code: 'client_rate_limit' }] })
    expect(no.body.hint).toBeUndefined()
    expect((await call(r.base, 'GET', '/changes')).body.map((x: { overlay: { name: string } }) => x.overlay.name)).toEqual(['c0', 'c1'])
  })
})

describe('OpenAPI and metrics', () => {
  it('the document has both routes with their schemas', async () => {
    r = await start()
    const doc = (await call(r.base, 'GET', '/openapi.json')).body
    const re = doc.paths['/appointments/{appointmentId}/reschedule'].post
    expect(re.tags).toEqual(['booking'])
    expect(re.parameters.map((x: { in: string; name: string }) => `${x.in}:${x.name}`)).toEqual(['path:appointmentId', 'header:idempotency-key'])
    expect(re.requestBody.content['application/json'].schema.required).toEqual(['officeId', 'staffId', 'start', 'end', 'services'])
    expect(Object.keys(re.responses)).toEqual(['200', '4XX', '5XX'])
    expect(re.responses['200'].content['application/json'].schema.required).toEqual(['id', 'officeId', 'staffId', 'start', 'end', 'services'])
    const post = doc.paths['/changes'].post
    const body = post.requestBody.content['application/json'].schema
    expect(body.required).toEqual(['name', 'changes'])
    const kinds = body.properties.changes.items.oneOf.map((v: { properties: { kind: { enum: string[] } } }) => v.properties.kind.enum[0])
    expect(kinds).toEqual(['addStaff', 'removeStaff', 'openingHours', 'close', 'scaleDemand', 'absence', 'shifts', 'serviceDuration', 'overbook'])
    expect(Object.keys(post.responses)).toEqual(['201', '4XX', '5XX'])
    expect(post.responses['201'].content['application/json'].schema.required).toEqual(expect.arrayContaining(['index', 'affected', 'moved', 'offered', 'unplaceable', 'outcomes']))
    const get = doc.paths['/changes'].get
    expect(get.responses['200'].content['application/json'].schema.items.required).toEqual(['overlay', 'at', 'horizonStart', 'hash'])
    expect(doc.tags.map((t: { name: string }) => t.name)).toContain('changes')
  })

  it('counts reschedules and changes by outcome, and what became of disrupted appointments, without citizen ids', async () => {
    r = await start({ scheduler: townWithEli(), service: { limits: noLimits } })
    await call(r.base, 'POST', '/appointments/sam-1-0800/reschedule', { officeId: 'south', staffId: 'sam', start: T(2, '08:00'), end: T(2, '08:20'), services: ['reg'] }, { 'idempotency-key': 'm' })
    await call(r.base, 'POST', '/appointments/sam-1-0800/reschedule', { officeId: 'south', staffId: 'sam', start: T(2, '08:00'), end: T(2, '08:20'), services: ['reg'] }, { 'idempotency-key': 'm' })
    await call(r.base, 'POST', '/appointments/sam-1-0820/reschedule', { officeId: 'south', staffId: 'sam', start: T(1, '09:00'), end: T(1, '09:20'), services: ['reg'] }) // taken
    await call(r.base, 'POST', '/appointments/nope/reschedule', east(2, '08:00'))
    await call(r.base, 'POST', '/appointments/sam-1-0820/reschedule', { services: ['reg'] }) // schema: never reaches the scheduler
    await call(r.base, 'POST', '/changes', { name: 'x', changes: [{ kind: 'absence', staff: 'nobody', from: '2026-06-02', to: '2026-06-02' }] })
    await call(r.base, 'POST', '/changes', { name: 'eve sick', changes: [{ kind: 'absence', staff: 'eve', from: T(1, '07:30'), to: T(1, '10:00') }] })
    const text: string = (await call(r.base, 'GET', '/metrics')).body
    expect(text).not.toMatch(/z-(eve|sam)-|c-\d/)
    const v = (line: string) => Number(text.split('\n').find((l) => l.startsWith(line + ' '))?.split(' ')[1] ?? 0)
    // The replay is a successful command, not a second move.
    expect(v('terminplan_commands_total{command="reschedule",outcome="ok"}')).toBe(2)
    expect(v('terminplan_commands_total{command="reschedule",outcome="conflict"}')).toBe(1)
    expect(v('terminplan_commands_total{command="reschedule",outcome="not_found"}')).toBe(1)
    expect(v('terminplan_commands_total{command="apply_change",outcome="ok"}')).toBe(1)
    expect(v('terminplan_commands_total{command="apply_change",outcome="command_invalid"}')).toBe(1)
    expect(v('terminplan_command_duration_seconds_count{command="apply_change"}')).toBe(2)
    expect(v('terminplan_appointments_moved_total{reason="rescheduled"}')).toBe(1)
    expect(v('terminplan_appointments_moved_total{reason="replanned"}')).toBe(3)
    expect(v('terminplan_disrupted_appointments_total{outcome="moved"}')).toBe(3)
    expect(v('terminplan_disrupted_appointments_total{outcome="offered"}')).toBe(3)
    expect(v('terminplan_http_requests_total{route="/appointments/:appointmentId/reschedule",status="400"}')).toBe(1)
    expect(v('terminplan_http_requests_total{route="/changes",status="201"}')).toBe(1)
  })
})
