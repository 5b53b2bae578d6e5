/**
 * The day of service is journaled like every command: a reopened file journal, and a follower and
 * an independent rebuild of a PostgreSQL city, have the same tickets, no-shows and service times.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { openScheduler, type JournaledScheduler } from '../../src/adapters/journal/index.js'
import type { CityScheduler } from '../../src/adapters/journal/city.js'
import { loadScenario } from '../../src/model/load.js'
import type { Scheduler } from '../../src/solver/scheduler/index.js'
import { instance, PG_MISSING, rebuildFromRows, waitFor, warnSkip } from '../pg/harness.js'
import { startPostgres, type PgServer } from '../pg/server.js'
import { at, dayScenario } from './fixtures.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** A morning at mitte: check-ins, a walk-in, calls, service times, a missed call and a no-show. */
async function morning(s: Pick<Scheduler, 'checkIn' | 'checkInWalkIn' | 'callNext' | 'startService' | 'finishService' | 'missCall'> & { setNow(now: string): unknown }, day = at) {
  await s.setNow(day('08:50'))
  await s.checkIn('a-ana-9')
  const w = await s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
  await s.setNow(day('09:00'))
  const t1 = (await s.callNext('mitte', 'ana'))!
  await s.startService(t1.id)
  const t2 = (await s.callNext('mitte', 'ben'))!
  expect(t2.id).toBe(w.id)
  await s.missCall(t2.id)
  await s.setNow(day('09:17'))
  await s.finishService(t1.id)
  await s.setNow(day('09:45'))
}

const view = (s: Pick<Scheduler, 'tickets' | 'noShows' | 'dayStats' | 'durationStats' | 'snapshot'>) => ({
  tickets: s.tickets(), noShows: s.noShows(), stats: s.dayStats(), durations: s.durationStats(), snapshot: JSON.stringify(s.snapshot()),
})

describe('day of service in the file journal', () => {
  it('a reopened journal has the same day', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-day-'))
    dirs.push(dir)
    const scenario = loadScenario(dayScenario())
    const s: JournaledScheduler = openScheduler({ scenario, journal: dir, now: at('08:00'), fsync: 'none' })
    await morning(s)
    const before = view(s)
    expect(before.noShows.map((n) => n.appointment.id)).toEqual(['a-ben-9', 'a-ana-930'])
    expect(before.durations).toEqual([expect.objectContaining({ officeId: 'mitte', services: ['pass'], count: 1, meanMinutes: 17 })])
    s.close()
    const r = openScheduler({ scenario, journal: dir, now: at('08:00'), fsync: 'none' })
    expect(view(r)).toEqual(before)
    r.close()
  })
})

warnSkip()
describe.skipIf(!!PG_MISSING)('day of service on a PostgreSQL city', () => {
  let server: PgServer
  let db: pg.Pool
  const open: CityScheduler[] = []
  beforeAll(async () => {
    server = await startPostgres()
    db = new pg.Pool(server.config)
    db.on('error', () => undefined)
  }, 120_000)
  afterAll(async () => {
    for (const s of open) await s.close().catch(() => undefined)
    await db?.end()
    await server?.stop()
  }, 60_000)

  it("the follower and a rebuild from the rows have the leader's day", async () => {
    const leader = await instance(server, 'day', 'a')
    open.push(leader)
    const follower = await instance(server, 'day', 'b', { role: 'follower' })
    open.push(follower)
    // The harness's scenario is the slot-engine base: ana at north, 08:00–12:00.
    const { slots } = leader.search({ services: ['reg'], offices: ['north'], citizenId: 'c1', limit: 1 })
    const h = await leader.hold(slots[0], { citizenId: 'c1' })
    const a = await leader.confirm(h.id)
    await leader.setNow(a.start)
    const t = await leader.checkIn(a.id)
    const called = await leader.callNext('north', a.staffId)
    expect(called?.id).toBe(t.id)
    await leader.startService(t.id)
    await leader.setNow(new Date(Date.parse(a.start) + 12 * 60_000).toISOString())
    await leader.finishService(t.id)
    await leader.idle()
    const seq = leader.seq()
    await waitFor('the follower to catch up', () => follower.seq() === seq)
    expect(view(follower)).toEqual(view(leader))
    const { s } = await rebuildFromRows(db, 'day')
    expect(view(s)).toEqual(view(leader))
    expect(leader.durationStats()[0]).toMatchObject({ count: 1, meanMinutes: 12 })
  }, 60_000)
})
