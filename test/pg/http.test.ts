/**
 * The HTTP service over a PostgreSQL city (what `serve --database` runs), over real sockets on
 * 127.0.0.1 against a real server: the leader answers a command after its commit; a follower
 * answers commands with 421 NOT_LEADER naming the leader, serves searches and views from its
 * replica, and says where it stands in /ready and /metrics; many bookings at once are all
 * acknowledged and all in the log; when the leader goes the follower takes over and books.
 * A second test runs the CLI itself: two `serve --database` processes of one city.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpService, type HttpService } from '../../src/adapters/http/index.js'
import type { CityScheduler } from '../../src/adapters/journal/city.js'
import { call } from '../http/harness.js'
import { instance, NOW, PG_MISSING, rebuildFromRows, waitFor, warnSkip } from './harness.js'
import { startPostgres, type PgServer } from './server.js'

warnSkip()
let server: PgServer
let db: pg.Pool
const cleanup: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  if (PG_MISSING) return
  server = await startPostgres()
  db = new pg.Pool(server.config)
  db.on('error', () => undefined)
}, 120_000)
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined)
  await db?.end()
  await server?.stop()
}, 60_000)

const rows = async (city: string) => (await db.query('SELECT seq, cmd, ret FROM terminplan_commands WHERE city = $1 ORDER BY seq', [city])).rows as { seq: string; cmd: string; ret: string | null }[]

/** One instance of the city behind its own HTTP service; the clock is the test's. */
async function served(city: string, id: string, clock: () => number, role?: 'follower'): Promise<{ s: CityScheduler; app: HttpService; base: string }> {
  const s = await instance(server, city, id, { role })
  const app = await createHttpService({ scheduler: s, clock, clockResolutionMs: 0, tickMs: 0, limits: { headersTimeoutMs: 1000, maxEventLoopLagMs: 0, holdPerClient: null, searchPerClient: null } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  cleanup.push(() => s.close(), () => app.close())
  return { s, app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` }
}

async function bookOver(base: string, citizenId: string, key: string) {
  const search = await call(base, 'POST', '/search', { services: ['reg'], citizenId, limit: 1 })
  expect(search.status).toBe(200)
  const hold = await call(base, 'POST', '/holds', { ...search.body.slots[0], citizenId })
  expect(hold.status).toBe(201)
  const confirmed = await call(base, 'POST', `/holds/${hold.body.id}/confirm`, undefined, { 'idempotency-key': key })
  return Object.assign(confirmed, { holdId: hold.body.id as string })
}

/** A metric's value from Prometheus text format. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  if (!line) throw new Error(`no ${name} in /metrics`)
  return Number(line.slice(name.length + 1))
}

describe.skipIf(PG_MISSING !== null)('the HTTP service over a PostgreSQL city', () => {
  it('leader books after the commit; a follower refuses commands with 421, serves reads, and takes over', async () => {
    let t = Date.parse(NOW)
    const clock = () => t
    const a = await served('h1', 'http://a.example:8080', clock)
    const b = await served('h1', 'http://b.example:8080', clock)
    expect([a.s.role(), b.s.role()]).toEqual(['leader', 'follower'])

    const first = await bookOver(a.base, 'z1', 'k-1')
    expect(first.status).toBe(201)
    // Acknowledged means committed: the row is there.
    expect((await rows('h1')).some((r) => r.cmd === 'confirm' && r.ret === first.body.id)).toBe(true)
    // A retry with the key answers the same appointment and books nothing more; the key on another hold is a conflict.
    const retry = await call(a.base, 'POST', `/holds/${first.holdId}/confirm`, undefined, { 'idempotency-key': 'k-1' })
    expect([retry.status, retry.body.id]).toEqual([201, first.body.id])
    expect(a.s.appointments().length).toBe(1)
    const before = (await rows('h1')).length
    const hold2 = await call(a.base, 'POST', '/holds', { ...(await call(a.base, 'POST', '/search', { services: ['reg'], citizenId: 'z1b', limit: 1 })).body.slots[0], citizenId: 'z1b' })
    const reused = await call(a.base, 'POST', `/holds/${hold2.body.id}/confirm`, undefined, { 'idempotency-key': 'k-1' })
    expect([reused.status, reused.body.code]).toEqual([409, 'CONFLICT'])
    expect((await rows('h1')).length).toBe(before + 1) // the hold only

    // Many confirms at once (group commit): every answer is a distinct booking, and each is in the log.
    const holds = []
    for (let i = 0; i < 12; i++) {
      const found = await call(a.base, 'POST', '/search', { services: ['reg'], citizenId: `m${i}`, limit: 1 })
      holds.push((await call(a.base, 'POST', '/holds', { ...found.body.slots[0], citizenId: `m${i}` })).body.id as string)
    }
    const many = await Promise.all(holds.map((id, i) => call(a.base, 'POST', `/holds/${id}/confirm`, undefined, { 'idempotency-key': `km-${i}` })))
    expect(many.map((r) => [r.status, r.body.code])).toEqual(Array(12).fill([201, undefined]))
    expect(new Set(many.map((r) => r.body.id)).size).toBe(12)
    const logged = new Set((await rows('h1')).filter((r) => r.cmd === 'confirm').map((r) => r.ret))
    for (const r of many) expect(logged.has(r.body.id)).toBe(true)
    const rebuilt = (await rebuildFromRows(db, 'h1')).s.appointments()
    expect(rebuilt).toEqual(a.s.appointments())

    // Typed errors from the leader, as from a scheduler of its own.
    const missing = await call(a.base, 'DELETE', '/appointments/a-none')
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND'])

    // The follower: commands are 421 naming the leader, and nothing is written.
    const seq = a.s.seq()
    const refused = await call(b.base, 'POST', '/holds', { ...(await call(b.base, 'POST', '/search', { services: ['reg'], citizenId: 'f1', limit: 1 })).body.slots[0], citizenId: 'f1' })
    expect([refused.status, refused.body.code]).toEqual([421, 'NOT_LEADER'])
    expect(refused.body.message).toContain('http://a.example:8080')
    const cancel = await call(b.base, 'DELETE', `/appointments/${first.body.id}`)
    expect([cancel.status, cancel.body.code]).toEqual([421, 'NOT_LEADER'])
    expect((await rows('h1')).length).toBe(seq)
    // Its reads come from its replica, which converges on the leader's state.
    await waitFor('the follower to catch up', () => b.s.seq() === seq)
    const viewA = await call(a.base, 'GET', '/appointments?limit=1000')
    const viewB = await call(b.base, 'GET', '/appointments?limit=1000')
    expect(viewB.body).toEqual(viewA.body)
    expect(viewB.body.length).toBe(13)
    const q = { services: ['reg'], citizenId: 'q', limit: 5 }
    expect((await call(b.base, 'POST', '/search', q)).body).toEqual((await call(a.base, 'POST', '/search', q)).body)

    // Readiness and metrics say where each instance stands.
    expect((await call(a.base, 'GET', '/ready')).body).toMatchObject({ status: 'ok', role: 'leader', leader: 'http://a.example:8080', behind: 0 })
    const notReady = await call(b.base, 'GET', '/ready')
    expect([notReady.status, notReady.body.code]).toEqual([421, 'NOT_LEADER'])
    expect((await call(b.base, 'GET', '/ready?for=reads')).body).toMatchObject({ status: 'ok', role: 'follower', leader: 'http://a.example:8080', behind: 0 })
    const ma = (await call(a.base, 'GET', '/metrics')).body as string
    const mb = (await call(b.base, 'GET', '/metrics')).body as string
    expect([metric(ma, 'terminplan_city_leader'), metric(mb, 'terminplan_city_leader')]).toEqual([1, 0])
    expect(metric(mb, 'terminplan_replication_behind_commands')).toBe(0)
    // Bookings are counted where they were made.
    expect(metric(ma, 'terminplan_bookings_total{channel="hold"}')).toBe(13)

    // The leader goes (its service first, then its lease): the follower takes over and books.
    await a.app.close()
    await a.s.close()
    await waitFor('the follower to lead', () => b.s.role() === 'leader')
    t += 60_000
    const after = await bookOver(b.base, 'z2', 'k-2')
    expect(after.status).toBe(201)
    expect((await call(b.base, 'GET', '/ready')).body).toMatchObject({ status: 'ok', role: 'leader', leader: 'http://b.example:8080' })
    expect((await rows('h1')).some((r) => r.cmd === 'confirm' && r.ret === after.body.id)).toBe(true)
    // The clock moved on the new leader is a command in the log too.
    expect((await rows('h1')).some((r) => r.cmd === 'setNow')).toBe(true)
    // A retry of the first booking's key on the new leader still answers the first booking.
    const again = await call(b.base, 'POST', `/holds/${first.holdId}/confirm`, undefined, { 'idempotency-key': 'k-1' })
    expect([again.status, again.body.id]).toEqual([201, first.body.id])
  })

  it('`terminplan serve berlin --database`: a leader and a follower process; the follower names the leader, takes over on SIGTERM of the leader', async () => {
    const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname
    const start = (...extra: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', 'berlin', '--port', '0', '--database', server.url, '--now', '2026-12-01T08:00:00+01:00', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
      cleanup.push(async () => child.exitCode === null && child.kill('SIGKILL'))
      return child
    }
    const urlOf = (child: ChildProcess) =>
      new Promise<string>((resolve, reject) => {
        let out = ''
        let err = ''
        child.stderr!.on('data', (d) => (err += d))
        child.stdout!.on('data', (d) => {
          out += d
          const m = /at (http:\/\/127\.0\.0\.1:\d+).*city berlin on PostgreSQL \((\w+)\)/.exec(out)
          if (m) resolve(`${m[1]} ${m[2]}`)
        })
        child.on('exit', () => reject(new Error(`exited: ${out} ${err}`)))
      })
    const leader = start()
    const [la, lrole] = (await urlOf(leader)).split(' ')
    expect(lrole).toBe('leader')
    const follower = start('--instance', 'http://replica.example')
    const [fa, frole] = (await urlOf(follower)).split(' ')
    expect(frole).toBe('follower')

    const search = await call(la, 'POST', '/search', { services: ['120703'], citizenId: 'c-1', limit: 1 })
    const hold = await call(la, 'POST', '/holds', { ...search.body.slots[0], citizenId: 'c-1' })
    const appt = await call(la, 'POST', `/holds/${hold.body.id}/confirm`, undefined, { 'idempotency-key': 'k-1' })
    expect(appt.status).toBe(201)
    // The follower names the leader by its URL (the default instance name).
    const refused = await call(fa, 'POST', '/holds', { ...search.body.slots[0], citizenId: 'c-2' })
    expect([refused.status, refused.body.code]).toEqual([421, 'NOT_LEADER'])
    expect(refused.body.message).toContain(la)
    await waitFor('the follower to see the booking', async () => (await call(fa, 'GET', '/appointments?citizenId=c-1')).body.length === 1)

    // SIGTERM: the leader stops cleanly and gives the lease up; the follower leads at once.
    const exited = new Promise<number | null>((r) => leader.on('exit', (code) => r(code)))
    leader.kill('SIGTERM')
    expect(await exited).toBe(0)
    await waitFor('the follower to lead', async () => (await call(fa, 'GET', '/ready')).status === 200, 20_000)
    const s2 = await call(fa, 'POST', '/search', { services: ['120703'], citizenId: 'c-2', limit: 1 })
    const h2 = await call(fa, 'POST', '/holds', { ...s2.body.slots[0], citizenId: 'c-2' })
    expect((await call(fa, 'POST', `/holds/${h2.body.id}/confirm`)).status).toBe(201)
    expect((await rows('berlin')).filter((r) => r.cmd === 'confirm').length).toBe(2)
    const fexit = new Promise<number | null>((r) => follower.on('exit', (code) => r(code)))
    follower.kill('SIGTERM')
    expect(await fexit).toBe(0)
  }, 120_000)
})
