/**
 * Several instances on one city, against a real PostgreSQL server (server.ts): commands are
 * acknowledged after their commit and are rows in the table; a follower replays them into a
 * byte-identical state, serves searches with a staleness and refuses commands with NOT_LEADER
 * naming the leader; a deposed leader's append is refused (fencing); a connection cut mid-commit
 * gives a typed error and the command is in the log after recovery or was never acknowledged;
 * idempotency keys hold across instances; one process leads one city and follows another.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CityScheduler } from '../../src/adapters/journal/city.js'
import { cityKey, pgStore } from '../../src/adapters/journal/pg/store.js'
import { TerminplanError } from '../../src/model/errors.js'
import { instance, PG_MISSING, rebuildFromRows, waitFor, warnSkip } from './harness.js'
import { startProxy } from './proxy.js'
import { startPostgres, type PgServer } from './server.js'

warnSkip()
let server: PgServer
let db: pg.Pool
const open: CityScheduler[] = []
const track = (s: CityScheduler) => (open.push(s), s)

beforeAll(async () => {
  if (PG_MISSING) return
  server = await startPostgres()
  db = new pg.Pool(server.config)
  db.on('error', () => undefined) // an idle connection ended by the server (its stop) is not a test failure
}, 120_000)
afterAll(async () => {
  for (const s of open) await s.close().catch(() => undefined)
  await db?.end()
  await server?.stop()
}, 60_000)

const rows = async (city: string) => (await db.query('SELECT seq, epoch, cmd, ret FROM terminplan_commands WHERE city = $1 ORDER BY seq', [city])).rows as { seq: string; epoch: string; cmd: string; ret: string | null }[]

async function book(s: CityScheduler, citizenId: string, key?: string) {
  const { slots } = s.search({ services: ['reg'], citizenId, limit: 3 })
  const h = await s.hold(slots[0], { citizenId })
  return s.confirm(h.id, key ? { idempotencyKey: key } : undefined)
}

async function rejection(p: Promise<unknown>): Promise<TerminplanError> {
  try {
    await p
  } catch (e) {
    if (e instanceof TerminplanError) return e
    throw e
  }
  throw new Error('expected a rejection')
}

describe.skipIf(PG_MISSING !== null)('several instances on one city (PostgreSQL)', () => {
  it('leader commits before it acknowledges; a follower converges byte-identically and refuses commands with NOT_LEADER', async () => {
    const a = track(await instance(server, 'c1', 'http://a:8080'))
    expect(a.role()).toBe('leader')
    const b = track(await instance(server, 'c1', 'http://b:8080'))
    expect(b.role()).toBe('follower')
    expect(b.leader()).toBe('http://a:8080')
    const appts = []
    for (let i = 0; i < 5; i++) {
      const appt = await book(a, `z${i}`)
      // Acknowledged: the row is there already.
      expect((await rows('c1')).some((r) => r.cmd === 'confirm' && r.ret === appt.id)).toBe(true)
      appts.push(appt)
    }
    await a.cancel(appts[1].id)
    // Many at once: group commit puts them into fewer transactions, every one acknowledged.
    // A command is applied at once (the next search sees it) and acknowledged after its commit.
    const queued = []
    for (let i = 0; i < 8; i++) queued.push(a.hold(a.search({ services: ['pass'], citizenId: `g${i}`, limit: 1 }).slots[0], { citizenId: `g${i}` }))
    const holds = await Promise.all(queued)
    expect(new Set(holds.map((h) => h.id)).size).toBe(8)
    // Rows of one transaction share its timestamp (now()): fewer transactions than commands.
    const tx = await db.query(`SELECT count(DISTINCT committed_at)::int AS n FROM terminplan_commands WHERE city = 'c1' AND ret = ANY($1)`, [holds.map((h) => h.id)])
    expect(tx.rows[0].n).toBeLessThan(8)
    const seq = a.seq()
    expect(seq).toBe((await rows('c1')).length)
    await waitFor('the follower to catch up', () => b.seq() === seq)
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()))
    expect(JSON.stringify((await rebuildFromRows(db, 'c1')).s.snapshot())).toBe(JSON.stringify(a.snapshot()))
    const st = b.staleness()
    expect(st).toMatchObject({ role: 'follower', seq, leaderSeq: seq, behind: 0 })
    expect(b.search({ services: ['reg'], citizenId: 'q', limit: 3 }).slots).toEqual(a.search({ services: ['reg'], citizenId: 'q', limit: 3 }).slots)
    const e = await rejection(b.cancel(appts[0].id))
    expect(e.code).toBe('NOT_LEADER')
    expect(e.message).toContain('http://a:8080')
    expect((await rows('c1')).length).toBe(seq)
    // Bad input on the leader: typed, with a path, nothing written.
    const bad = await rejection(a.setAutoOffer('yes' as unknown as boolean))
    expect([bad.code, bad.path]).toEqual(['COMMAND_INVALID', '$.on'])
    const missing = await rejection(a.cancel('a-none'))
    expect(missing.code).toBe('NOT_FOUND')
    expect((await rows('c1')).length).toBe(seq)
    // A checkpoint: a snapshot row at the leader's seq; an instance started now begins from it.
    expect(await a.checkpoint()).toEqual({ seq })
    expect((await db.query(`SELECT seq::int FROM terminplan_snapshots WHERE city = 'c1' ORDER BY seq`)).rows.map((r) => r.seq)).toEqual([0, seq])
    await db.query(`UPDATE terminplan_commands SET crc = '00000000' WHERE city = 'c1' AND seq = 1`) // would be refused if replayed
    const c = track(await instance(server, 'c1', 'http://c:8080'))
    expect([c.role(), c.seq(), JSON.stringify(c.snapshot())]).toEqual(['follower', seq, JSON.stringify(a.snapshot())])
    await expect(b.checkpoint()).rejects.toMatchObject({ code: 'NOT_LEADER' })
    await a.close()
    await b.close()
    await c.close()
  })

  it('staleness on the injected clock; a damaged row is refused with STATE_INVALID at its place', async () => {
    let now = 1_000_000
    const a = track(await instance(server, 'c6', 'A'))
    await book(a, 's1')
    const b = track(await instance(server, 'c6', 'B', { role: 'follower', clock: () => now, pollMs: 10_000 }))
    expect(b.staleness()).toEqual({ role: 'follower', seq: a.seq(), leaderSeq: a.seq(), behind: 0, ms: 0 })
    // The leader goes away; the read replica keeps serving and says how old its answers are.
    await a.close()
    now += 4_000
    expect(b.staleness()).toMatchObject({ role: 'follower', behind: 0, ms: 4_000 })
    expect(b.search({ services: ['reg'], citizenId: 's2', limit: 1 }).slots.length).toBe(1)
    await b.close()
    // A row changed behind the log's back: its checksum no longer fits, a starting instance refuses it.
    await db.query(`UPDATE terminplan_commands SET args = '["a-other"]' WHERE city = 'c6' AND seq = 2`)
    const e = await rejection(instance(server, 'c6', 'C', { role: 'follower' }))
    expect([e.code, e.path]).toEqual(['STATE_INVALID', 'postgres:c6#2'])
  })

  it('events and notifications come after the commit, and only from the leader', async () => {
    const sent: { kind: string; seq: number }[] = []
    const store = pgStore({ connection: server.config, city: 'c7', leaseMs: 2000 })
    let lead: CityScheduler | null = null
    const { openCityScheduler } = await import('../../src/adapters/journal/city.js')
    const { scenario, NOW } = await import('./harness.js')
    lead = track(await openCityScheduler({ scenario, store, instance: 'A', now: NOW, notifications: { send: (n) => void sent.push({ kind: n.kind, seq: lead!.seq() }) } }))
    const events: { id: string; seq: number }[] = []
    lead.on('confirmed', (e) => events.push({ id: e.appointment.id, seq: lead!.seq() }))
    const b = track(await instance(server, 'c7', 'B'))
    let followerEvents = 0
    b.on('confirmed', () => followerEvents++)
    for (let i = 0; i < 3; i++) await book(lead, `ev${i}`)
    expect(events.length).toBe(3)
    for (const e of events) {
      const row = (await rows('c7')).find((r) => r.cmd === 'confirm' && r.ret === e.id)!
      expect(e.seq, `event of ${e.id} before its commit`).toBeGreaterThanOrEqual(Number(row.seq))
    }
    expect(sent.filter((n) => n.kind === 'confirmation').length).toBe(3)
    await waitFor('the follower', () => b.seq() === lead!.seq())
    expect(followerEvents).toBe(0)
    await lead.close()
    await b.close()
  })

  it('fencing: a deposed leader cannot append, whatever it believes', async () => {
    const a = pgStore({ connection: server.config, city: 'c2', leaseMs: 60_000 })
    const b = pgStore({ connection: server.config, city: 'c2', leaseMs: 60_000 })
    await a.connect()
    await b.connect()
    try {
      expect(await a.acquireLease('A')).toEqual({ ok: { epoch: 1, owner: 'A' } })
      expect(await b.acquireLease('B')).toEqual({ heldBy: { epoch: 1, owner: 'A' } })
      await a.append([{ seq: 1, cmd: 'setNow', args: ['2026-06-01T07:05:00+02:00'] }], true)
      // A's session dies (a partition, a pause longer than the server's patience): its lock goes, B takes over.
      const killed = await db.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = 1 AND objsubid = 2 AND granted`, [cityKey('c2') >>> 0])
      expect(killed.rowCount).toBe(1)
      const r = await waitFor('B to take over', async () => {
        const x = await b.acquireLease('B')
        return 'ok' in x ? x : null
      })
      expect(r).toEqual({ ok: { epoch: 2, owner: 'B' } })
      // A still believes it leads with epoch 1: its appends and snapshots are refused.
      a.epoch = 1
      const e = await rejection(a.append([{ seq: 2, cmd: 'setNow', args: ['2026-06-01T07:06:00+02:00'] }], true))
      expect(e.code).toBe('NOT_LEADER')
      expect(e.message).toContain('B')
      a.epoch = 1
      expect((await rejection(Promise.resolve(a.writeSnapshot({ seq: 1, autoOffer: true, loadIssues: [], snapshot: {} as never })))).code).toBe('NOT_LEADER')
      await b.append([{ seq: 2, cmd: 'setNow', args: ['2026-06-01T07:07:00+02:00'] }], true)
      // Out of sequence (a gap or a repeat) is refused as well.
      expect((await rejection(b.append([{ seq: 2, cmd: 'setNow', args: ['2026-06-01T07:08:00+02:00'] }], true))).code).toBe('CONFLICT')
      expect((await rejection(b.append([{ seq: 4, cmd: 'setNow', args: ['2026-06-01T07:08:00+02:00'] }], true))).code).toBe('CONFLICT')
      expect((await rows('c2')).map((x) => [x.seq, x.epoch])).toEqual([['1', '1'], ['2', '2']])
      expect((await db.query(`SELECT count(*)::int AS n FROM terminplan_snapshots WHERE city = 'c2'`)).rows[0].n).toBe(0)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('a connection cut mid-commit: a typed error, and the command is in the log after recovery or was never acknowledged', async () => {
    const proxy = await startProxy(server.config)
    try {
      const a = track(await instance({ config: { ...server.config, port: proxy.port } }, 'c3', 'A'))
      const seen: string[] = []
      const retryable = (x: unknown) => x instanceof TerminplanError && (x.code === 'IO_FAILED' || x.issues[0]?.code === 'seq_conflict')
      for (const how of ['before', 'after', 'late', 'before', 'after', 'late'] as const) {
        const citizenId = `cut-${seen.length}`
        const { slots } = a.search({ services: ['reg'], citizenId, limit: 1 })
        const h = await a.hold(slots[0], { citizenId })
        const cut = proxy.cutOn('terminplan_commands', how)
        const e = await rejection(a.confirm(h.id, { idempotencyKey: `k-${citizenId}` }))
        if (how !== 'late') await cut
        expect(e.code).toBe('IO_FAILED')
        // Recovery: the leader rebuilds from the log and leads on; the client retries with its key.
        const appt = await waitFor('the leader to recover', async () => {
          try {
            return await a.confirm(h.id, { idempotencyKey: `k-${citizenId}` })
          } catch (x) {
            if (retryable(x)) return null
            throw x
          }
        })
        const retriedAt = Date.now()
        if (how === 'late') {
          // The lost statement reaches the server after the retry: it finds the log moved on and inserts nothing.
          await cut
          await waitFor('a command after the late statement', async () => {
            try {
              return (await a.setNow(Date.parse(a.now()) + 60_000), true)
            } catch (x) {
              if (retryable(x)) return null
              throw x
            }
          })
        }
        const confirms = (await rows('c3')).filter((r) => r.cmd === 'confirm' && r.ret === appt.id)
        // 'after' (and 'late' when the statement arrived before the retry): the lost commit happened, the
        // retry returned it again (a second row, the same id); 'before', 'late' after the retry: only the retry.
        const landed = how === 'after' || (how === 'late' && proxy.lateSentAt < retriedAt)
        expect(confirms.length, how).toBe(landed ? 2 : 1)
        expect(a.appointments().filter((x) => x.citizenId === citizenId).length).toBe(1)
        seen.push(how)
      }
      await a.idle()
      expect(JSON.stringify((await rebuildFromRows(db, 'c3')).s.snapshot())).toBe(JSON.stringify(a.snapshot()))
      await a.close()
    } finally {
      await proxy.close()
    }
  })

  it('idempotency keys hold across instances; one process leads one city and follows another', async () => {
    const a = track(await instance(server, 'c4', 'A', { leaseMs: 1000 }))
    const b = track(await instance(server, 'c4', 'B', { leaseMs: 1000 }))
    const first = await book(a, 'idem', 'same-key')
    const holdId = (await rows('c4')).find((r) => r.cmd === 'hold')!.ret!
    await a.close() // a clean stop hands the lease over at once
    await waitFor('B to lead', () => b.role() === 'leader', 5000)
    const again = await b.confirm(holdId, { idempotencyKey: 'same-key' })
    expect(again.id).toBe(first.id)
    expect(b.appointments().filter((x) => x.citizenId === 'idem').length).toBe(1)
    // Cities are partitions: B leads c4 and follows c5, C the other way round.
    const c = track(await instance(server, 'c5', 'C'))
    const b5 = track(await instance(server, 'c5', 'B'))
    const c4 = track(await instance(server, 'c4', 'C'))
    expect([b.role(), b5.role(), c.role(), c4.role()]).toEqual(['leader', 'follower', 'leader', 'follower'])
    await book(c, 'five')
    await waitFor('B to follow c5', () => b5.seq() === c.seq())
    expect(JSON.stringify(b5.snapshot())).toBe(JSON.stringify(c.snapshot()))
    await waitFor('C to follow c4', () => c4.seq() === b.seq())
    expect(JSON.stringify(c4.snapshot())).toBe(JSON.stringify(b.snapshot()))
    for (const s of [b, b5, c, c4]) await s.close()
  })
})

describe('several instances: bad options', () => {
  it('are typed errors with a path, before anything connects', async () => {
    const bad = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        if (e instanceof TerminplanError) return [e.code, e.path]
        throw e
      }
      throw new Error('expected a rejection')
    }
    expect(bad(() => pgStore({ city: 'no spaces', connection: 'postgres://x' }))).toEqual(['COMMAND_INVALID', '$.store.city'])
    expect(bad(() => pgStore({ city: 'berlin', connection: 'postgres://x', leaseMs: 5 }))).toEqual(['COMMAND_INVALID', '$.store.leaseMs'])
    expect(bad(() => pgStore({ city: 'berlin' }))).toEqual(['COMMAND_INVALID', '$.store'])
    const store = pgStore({ city: 'berlin', connection: 'postgres://nobody@127.0.0.1:1/none' })
    const { openCityScheduler } = await import('../../src/adapters/journal/city.js')
    const { scenario, NOW } = await import('./harness.js')
    const e = await rejection(openCityScheduler({ scenario, store, instance: '', now: NOW }))
    expect([e.code, e.path]).toEqual(['COMMAND_INVALID', '$.instance'])
    const role = await rejection(openCityScheduler({ scenario, store, instance: 'a', now: NOW, role: 'boss' as never }))
    expect([role.code, role.path]).toEqual(['COMMAND_INVALID', '$.role'])
    // Nothing listens on port 1: a typed IO_FAILED, not a hang.
    const io = await rejection(openCityScheduler({ scenario, store, instance: 'a', now: NOW }))
    expect([io.code, io.path]).toEqual(['IO_FAILED', '$.store'])
    await store.close()
  })
})
