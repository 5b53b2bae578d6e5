/**
 * /metrics scraped over HTTP and parsed (Prometheus text format), each figure checked against a
 * count made by hand; citizen ids never appear.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler } from '../../src/solver/scheduler/index.js'
import { NOW, T, town } from '../waitlist/fixtures.js'
import { call, start, type Running } from './harness.js'

let r: Running | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The text exposition format: `# HELP`/`# TYPE` lines, then `name{a="b",…} value`. */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ')
      types.set(name, type)
      continue
    }
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    samples.push({ name: m[1], labels, value: m[3] === 'NaN' ? Number.NaN : Number(m[3]) })
  }
  return { samples, types }
}

const value = (s: Sample[], name: string, labels: Record<string, string> = {}) =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0)

describe('/metrics', () => {
  it('counts commands, capacity, waitlist, offers and the within-14-days share', async () => {
    // The town over 30 days, so a booking can lie more than 14 days ahead.
    const input = town({ days: [1] })
    input.horizon.days = 30
    for (const o of input.offices) o.bookingWindow = { minDays: 0, maxDays: 30 }
    r = await start({ scheduler: createScheduler(loadScenario(input), { now: NOW }), service: { limits: { holdsPerCitizen: 5, holdPerCitizen: null } } })
    const book = async (citizenId: string, from: string) => {
      const [slot] = (await call(r!.base, 'POST', '/search', { services: ['reg'], offices: ['east'], from, limit: 1 })).body.slots
      const h = await call(r!.base, 'POST', '/holds', { ...slot, citizenId })
      return (await call(r!.base, 'POST', `/holds/${h.body.id}/confirm`)).body
    }
    const near = await book('c-secret-1', '2026-06-02') // Tuesday 08:00, 1 day ahead
    const far = await book('c-secret-2', '2026-06-22') // Monday three weeks on: more than 14 days ahead
    expect(near.start).toBe(T(2, '08:00'))
    expect(far.start).toBe('2026-06-22T08:00:00+02:00')
    const taken = await call(r.base, 'POST', '/holds', { officeId: 'east', staffId: 'eve', start: near.start, end: near.end, services: ['reg'], citizenId: 'c-secret-3' })
    expect(taken.status).toBe(409)
    await call(r.base, 'POST', '/holds/none/confirm')

    // Waitlist: Tuesday at East is full but for 08:00 → book it out, wait, free one, accept.
    for (const s of r.s.search({ services: ['reg'], offices: ['east'], from: '2026-06-02', to: '2026-06-02', limit: 10 }).slots) r.s.confirm(r.s.hold(s, { citizenId: `fill-${s.start}` }).id)
    await call(r.base, 'POST', '/waitlist', { citizenId: 'c-secret-4', services: ['reg'], offices: ['east'], latest: '2026-06-02' })
    await call(r.base, 'POST', '/waitlist', { citizenId: 'c-secret-5', services: ['reg'], offices: ['north'], earliest: '2026-06-29', latest: '2026-06-29' })
    await call(r.base, 'DELETE', `/appointments/${near.id}`)
    const [offer] = (await call(r.base, 'GET', '/offers')).body
    expect(offer.slot.start).toBe(T(2, '08:00'))
    expect((await call(r.base, 'POST', `/offers/${offer.id}/accept`)).status).toBe(201)

    const res = await call(r.base, 'GET', '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text: string = res.body
    expect(text).not.toMatch(/c-secret|fill-/)
    const { samples, types } = parse(text)
    expect(types.get('terminplan_commands_total')).toBe('counter')
    expect(types.get('terminplan_command_duration_seconds')).toBe('histogram')

    expect(value(samples, 'terminplan_commands_total', { command: 'search', outcome: 'ok' })).toBe(2)
    expect(value(samples, 'terminplan_commands_total', { command: 'hold', outcome: 'ok' })).toBe(2)
    expect(value(samples, 'terminplan_commands_total', { command: 'hold', outcome: 'conflict' })).toBe(1)
    expect(value(samples, 'terminplan_commands_total', { command: 'confirm', outcome: 'ok' })).toBe(2)
    expect(value(samples, 'terminplan_commands_total', { command: 'confirm', outcome: 'not_found' })).toBe(1)
    expect(value(samples, 'terminplan_commands_total', { command: 'accept_offer', outcome: 'ok' })).toBe(1)
    expect(value(samples, 'terminplan_command_duration_seconds_count', { command: 'hold' })).toBe(3)
    expect(value(samples, 'terminplan_http_requests_total', { route: '/holds', status: '201' })).toBe(2)

    // Bookings the scheduler made while the service ran (its events): two through HTTP holds (1 day
    // and 21 days ahead), the five fills for Tuesday, and one offer accepted for the day after the
    // citizen joined. 7 of 8 within 14 days.
    expect(value(samples, 'terminplan_bookings_total', { channel: 'hold' })).toBe(7)
    expect(value(samples, 'terminplan_bookings_total', { channel: 'offer' })).toBe(1)
    expect(value(samples, 'terminplan_bookings_within_14_days_total')).toBe(7)
    expect(value(samples, 'terminplan_within_14_days_share')).toBeCloseTo(7 / 8, 12)
    // c-secret-5 is offered North's free Monday 29 June as soon as they join.
    expect(value(samples, 'terminplan_offers_total', { event: 'made' })).toBe(2)
    expect(value(samples, 'terminplan_offers_total', { event: 'accepted' })).toBe(1)
    expect(value(samples, 'terminplan_waitlist_length', { state: 'waiting' })).toBe(0)
    expect(value(samples, 'terminplan_waitlist_length', { state: 'offered' })).toBe(1)

    // Free minutes at East by hand: eve works 08:00–10:00 on weekdays; from Tuesday 2 June to
    // Tuesday 30 June that is 21 weekdays × 120 min; Tuesday is booked out, one more 20 minutes on the 22nd.
    expect(value(samples, 'terminplan_free_minutes', { office: 'east' })).toBe(21 * 120 - 120 - 20)
    expect(value(samples, 'terminplan_free_minutes_by_day', { office: 'east', date: '2026-06-02' })).toBe(0)
    expect(value(samples, 'terminplan_free_minutes_by_day', { office: 'east', date: '2026-06-03' })).toBe(120)
    // The next 14 days from Monday 1 June: the ten weekdays with working time (weekends have no series).
    const dates = samples.filter((x) => x.name === 'terminplan_free_minutes_by_day' && x.labels.office === 'east').map((x) => x.labels.date)
    expect(dates).toEqual(['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((d) => `2026-06-${d}`))
    // The same totals as the scheduler's own capacity stats (units of 20 minutes, whole horizon).
    const st = r.s.stats()
    expect(value(samples, 'terminplan_capacity_units', { state: 'booked' })).toBe(st.bookedUnits)
    expect(value(samples, 'terminplan_capacity_units', { state: 'free' })).toBe(st.freeUnits)
  })

  it('is its own registry: two services in one process keep their counts apart', async () => {
    r = await start()
    const other = await start()
    try {
      await call(r.base, 'POST', '/search', { services: ['reg'] })
      const mine = parse((await call(r.base, 'GET', '/metrics')).body).samples
      const theirs = parse((await call(other.base, 'GET', '/metrics')).body).samples
      expect(value(mine, 'terminplan_commands_total', { command: 'search' })).toBe(1)
      expect(value(theirs, 'terminplan_commands_total', { command: 'search' })).toBe(0)
    } finally {
      await other.close()
    }
  })
})

describe('logs', () => {
  it('when switched on, carry no citizen id, query string or body', async () => {
    const { Writable } = await import('node:stream')
    let log = ''
    const stream = new Writable({
      write(chunk, _enc, done) {
        log += chunk
        done()
      },
    })
    r = await start({ service: { logger: { level: 'info', stream } } })
    const [slot] = r.s.search({ services: ['reg'], offices: ['east'], limit: 1 }).slots
    await call(r.base, 'POST', '/search', { services: ['reg'], citizenId: 'c-secret-1' })
    await call(r.base, 'POST', '/holds', { ...slot, citizenId: 'c-secret-2' })
    await call(r.base, 'POST', '/holds', { ...slot, citizenId: 'c-secret-3' }) // 409
    await call(r.base, 'GET', '/holds?citizenId=c-secret-2')
    await call(r.base, 'POST', '/waitlist', { citizenId: 'c-secret-4', services: ['nope'] }) // 400 naming the service
    expect(log).toContain('"url":"/holds"')
    expect(log.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(10)
    expect(log).not.toMatch(/c-secret|citizenId/)
  })
})
