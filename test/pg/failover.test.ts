/**
 * Failover test against a real PostgreSQL server: two instances of one city run as child
 * processes (failover-child.ts), each with clients that book and cancel through it. The leader is
 * killed with SIGKILL at random moments (seeded), TERMINPLAN_FAILOVER_KILLS times (default 50);
 * the follower takes over, and a new follower is started. After every kill the city is rebuilt
 * here from the rows of its tables alone and checked: every booking a client had acknowledged
 * exists exactly once, at the same staff member and time; no booking whose cancellation was
 * acknowledged is back; the invariants hold (test/journal/invariants.ts); no appointment was
 * confirmed twice and epochs only grow along the log; and the new leader's snapshot at its seq is
 * byte-identical to the rebuild at that seq. At the end the follower is compared with the leader
 * the same way. Takeover times (kill → the survivor leads) are measured.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayCommand } from '../../src/adapters/journal/commands.js'
import { createRng } from '../../src/model/random.js'
import type { Scheduler } from '../../src/solver/scheduler/index.js'
import { InvariantChecker } from '../journal/invariants.js'
import { envInt } from '../solver/harness.js'
import { instance, PG_MISSING, rebuildFromRows, scenario, waitFor, warnSkip } from './harness.js'
import { startPostgres, type PgServer } from './server.js'

warnSkip()
const KILLS = envInt('TERMINPLAN_FAILOVER_KILLS', 50)
const SEED = envInt('TERMINPLAN_FAILOVER_SEED', 20260602)
const LEASE_MS = 1500
const CITY = 'failover'
const here = path.dirname(fileURLToPath(import.meta.url))
const CHILD = path.join(here, 'failover-child.ts')

let server: PgServer
let db: pg.Pool
let work = ''
let command: string[] = []
const children = new Set<ChildProcess>()

beforeAll(async () => {
  if (PG_MISSING) return
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-failover-'))
  command = [process.execPath, '--import', 'tsx', CHILD]
  if (process.env.TERMINPLAN_CRASH_TSX !== '1') {
    try {
      const name = 'esbuild'
      const esbuild = (await import(name)) as { build(o: Record<string, unknown>): Promise<unknown> }
      const out = path.join(work, 'failover-child.mjs')
      // pg is CommonJS: the bundle gets a require of its own; pg-native is optional and absent.
      await esbuild.build({
        entryPoints: [CHILD],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: out,
        logLevel: 'error',
        external: ['pg-native'],
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      })
      command = [process.execPath, out]
    } catch {
      // No esbuild: tsx it is.
    }
  }
  server = await startPostgres()
  db = new pg.Pool(server.config)
  db.on('error', () => undefined) // an idle connection ended by the server (its stop) is not a test failure
}, 120_000)
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await db?.end()
  await server?.stop()
  if (work) fs.rmSync(work, { recursive: true, force: true })
}, 60_000)

interface Instance {
  id: string
  child: ChildProcess
  role: 'leader' | 'follower' | 'starting'
  becameLeader: number
  stderr: string
  exited: Promise<void>
  /** Resolvers waiting for a line starting with a tag. */
  waiters: { tag: string; resolve: (parts: string[]) => void }[]
}

describe.skipIf(PG_MISSING !== null)('failover (PostgreSQL)', () => {
  it(`SIGKILL of the leader at random moments (${KILLS} times): a follower takes over, nothing acknowledged is lost, followers converge`, async () => {
    const started = Date.now()
    const rng = createRng(SEED)
    const checker = new InvariantChecker(scenario)
    const acked = new Map<string, string>()
    const everAcked = new Set<string>()
    const cancelled = new Set<string>()
    let bookings = 0, cancels = 0, cancelledUnacked = 0, refused = 0, spawned = 0, checkedBookings = 0, compared = 0
    const takeovers: number[] = []
    let whileStarting = 0
    let failure: Error | null = null

    const spawnInstance = (): Instance => {
      const id = `i${++spawned}`
      const child = spawn(command[0], [...command.slice(1), JSON.stringify(server.config), CITY, id, String(SEED + spawned), String(LEASE_MS)], { stdio: ['pipe', 'pipe', 'pipe'] })
      children.add(child)
      const inst: Instance = { id, child, role: 'starting', becameLeader: 0, stderr: '', waiters: [], exited: new Promise((r) => child.once('close', () => r())) }
      let buf = ''
      const line = (l: string) => {
        const parts = l.split(' ')
        const [tag, a, b, c] = parts
        if (tag === 'L') {
          inst.role = 'leader'
          inst.becameLeader = Date.now()
        } else if (tag === 'F') inst.role = 'follower'
        else if (tag === 'B') {
          if (everAcked.has(a)) throw new Error(`appointment id ${a} acknowledged twice`)
          everAcked.add(a)
          acked.set(a, `${b} ${c}`)
          bookings++
        } else if (tag === 'C') {
          acked.delete(a)
          cancelled.add(a)
          cancels++
        } else if (tag === 'N') refused++
        for (const w of inst.waiters.filter((x) => x.tag === tag)) {
          inst.waiters.splice(inst.waiters.indexOf(w), 1)
          w.resolve(parts)
        }
      }
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', (d: string) => {
        buf += d
        for (let k = buf.indexOf('\n'); k >= 0; k = buf.indexOf('\n')) {
          try {
            line(buf.slice(0, k))
          } catch (e) {
            failure ??= e as Error
          }
          buf = buf.slice(k + 1)
        }
      })
      child.stderr!.setEncoding('utf8')
      child.stderr!.on('data', (d: string) => (inst.stderr += d))
      child.on('close', (code, signal) => {
        children.delete(child)
        if (signal !== 'SIGKILL') failure ??= new Error(`instance ${id} exited (${code ?? signal}):\n${inst.stderr}`)
      })
      return inst
    }
    const next = (inst: Instance, tag: string) => new Promise<string[]>((resolve) => inst.waiters.push({ tag, resolve }))
    const snapshotOf = async (inst: Instance) => {
      const file = path.join(work, `snap-${inst.id}.json`)
      const answer = next(inst, 'S')
      inst.child.stdin!.write(`S ${file}\n`)
      await answer
      const o = JSON.parse(fs.readFileSync(file, 'utf8')) as { seq: number; role: string; snapshot: unknown }
      return { seq: o.seq, json: JSON.stringify(o.snapshot) }
    }

    // The evidence: the city rebuilt from its rows, incrementally.
    let ref: { s: Scheduler; seq: number } | null = null
    const rebuildTo = async (seq: number) => {
      if (!ref) ref = await rebuildFromRows(db, CITY, 0)
      const r = await db.query('SELECT seq, cmd, args::text AS args, ret FROM terminplan_commands WHERE city = $1 AND seq > $2 AND seq <= $3 ORDER BY seq', [CITY, ref.seq, seq])
      for (const row of r.rows as { seq: string; cmd: string; args: string; ret: string | null }[]) {
        const n = ref.seq + 1
        if (Number(row.seq) !== n) throw new Error(`command ${n} is missing from the log`)
        replayCommand(ref.s, { seq: n, cmd: row.cmd as never, args: JSON.parse(row.args) as unknown[], ...(row.ret !== null ? { ret: row.ret } : {}) }, `${CITY}#${n}`)
        ref.seq = n
      }
      if (ref.seq !== seq) throw new Error(`the log ends at ${ref.seq}, an instance is at ${seq}`)
      return ref.s
    }
    const verify = async (where: string, leader: Instance) => {
      const snap = await snapshotOf(leader)
      const s = await rebuildTo(snap.seq)
      if (snap.json !== JSON.stringify(s.snapshot())) throw new Error(`${where}: instance ${leader.id} at ${snap.seq} differs from the log`)
      compared++
      const byId = new Map(s.appointments().map((a) => [a.id, `${a.staffId} ${a.start}`]))
      for (const [id, slot] of acked) {
        if (!byId.has(id)) {
          // Cancelled by a command that committed but whose acknowledgement the kill cut off: in the log.
          const c = await db.query(`SELECT seq FROM terminplan_commands WHERE city = $1 AND cmd = 'cancel' AND args::text = $2 AND seq <= $3`, [CITY, JSON.stringify([id]), snap.seq])
          if (c.rowCount === 1) {
            acked.delete(id)
            cancelledUnacked++
            continue
          }
        }
        if (byId.get(id) !== slot) {
          const rowsOf = await db.query(`SELECT seq, epoch, cmd, ret, committed_at FROM terminplan_commands WHERE city = $1 AND (ret = $2 OR args::text LIKE $3) ORDER BY seq`, [CITY, id, `%${id}%`])
          throw new Error(`${where}: acknowledged booking ${id} (${slot}) is ${byId.has(id) ? `at ${byId.get(id)}` : 'lost'}; at seq ${snap.seq}; rows: ${JSON.stringify(rowsOf.rows)}; takeovers ${takeovers.join(',')}`)
        }
        checkedBookings++
      }
      for (const id of cancelled) if (byId.has(id)) throw new Error(`${where}: booking ${id} was cancelled (acknowledged) but is back`)
      const problems = checker.check(s)
      if (problems.length) throw new Error(`${where}: ${problems.slice(0, 5).join('; ')}`)
      const twice = await db.query(`SELECT ret FROM terminplan_commands WHERE city = $1 AND cmd IN ('confirm', 'acceptOffer') GROUP BY ret HAVING count(*) > 1`, [CITY])
      if (twice.rowCount) throw new Error(`${where}: appointments confirmed twice: ${twice.rows.map((r) => r.ret as string).join(', ')}`)
      const back = await db.query('SELECT count(*)::int AS n FROM terminplan_commands a JOIN terminplan_commands b ON a.city = b.city AND b.seq = a.seq + 1 WHERE a.city = $1 AND b.epoch < a.epoch', [CITY])
      if (back.rows[0].n) throw new Error(`${where}: an older epoch appended after a newer one`)
      leader.child.stdin!.write('R\n')
    }

    let leader = spawnInstance()
    await waitFor('the first leader', () => leader.role === 'leader' || failure, 20_000)
    // Two followers: one ready, the next one starting while the round runs (so kills also meet
    // an instance in the middle of its start), and two candidates race for every takeover.
    let followers = [spawnInstance()]
    await waitFor('the first follower', () => followers[0].role === 'follower' || failure, 20_000)
    followers.push(spawnInstance())
    for (let kill = 1; kill <= KILLS && !failure; kill++) {
      await waitFor(`a follower (kill ${kill})`, () => followers.some((f) => f.role === 'follower') || failure, 20_000)
      if (followers.some((f) => f.role === 'starting')) whileStarting++
      await new Promise((r) => setTimeout(r, rng.next() < 0.2 ? rng.int(20) : rng.int(250)))
      const t0 = Date.now()
      leader.child.kill('SIGKILL')
      await leader.exited
      const winner = await waitFor(`a follower to take over (kill ${kill})`, () => failure ?? followers.find((f) => f.role === 'leader'), 3 * LEASE_MS + 20_000)
      if (failure) break
      const w = winner as Instance
      takeovers.push(w.becameLeader - t0)
      leader = w
      followers = followers.filter((f) => f !== w)
      await verify(`after kill ${kill}`, leader)
      if (followers.some((f) => f.role === 'leader')) throw new Error(`after kill ${kill}: two instances lead`)
      followers.push(spawnInstance())
    }
    await waitFor('the followers', () => followers.every((f) => f.role === 'follower') || failure, 20_000)
    if (followers.some((f) => f.role === 'leader')) throw new Error('two instances lead')
    if (failure) throw failure
    // The end: every instance still, the followers at the leader's seq, all equal to the log.
    for (const f of followers) f.child.stdin!.write('P\n')
    const last = await snapshotOf(leader)
    for (const follower of followers) {
      const f = await waitFor('the follower to converge', async () => {
        const x = await snapshotOf(follower)
        return x.seq === last.seq ? x : null
      })
      expect(f.json).toBe(last.json)
      compared++
    }
    expect(JSON.stringify((await rebuildTo(last.seq)).snapshot())).toBe(last.json)
    for (const x of [leader, ...followers]) x.child.kill('SIGKILL')
    await Promise.all([leader, ...followers].map((x) => x.exited))
    const snapshots = (await db.query('SELECT count(*)::int AS n FROM terminplan_snapshots WHERE city = $1', [CITY])).rows[0].n as number
    expect(snapshots).toBeGreaterThan(1) // instances start from a recent snapshot, not from command 1
    const sorted = [...takeovers].sort((a, b) => a - b)
    const secs = (Date.now() - started) / 1000
    console.log(
      `failover test: ${takeovers.length} SIGKILLs of the leader (${whileStarting} while another instance was starting), ${spawned} instances; ${bookings} bookings and ${cancels} cancellations acknowledged (${cancelledUnacked} more committed, their acknowledgement cut off by a kill), ${refused} commands refused with NOT_LEADER; ` +
        `${checkedBookings} booking checks, ${compared + 1} snapshot comparisons (instances with the log and with each other) at ${last.seq} commands, ${snapshots} snapshots in the table; takeover ms (kill to the follower leading) median ${sorted[sorted.length >> 1]}, max ${sorted[sorted.length - 1]}; ${secs.toFixed(1)} s`,
    )
    expect(takeovers.length).toBe(KILLS)
    expect(bookings).toBeGreaterThan(KILLS)
    expect(cancels).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
    // Bounded: the advisory lock goes with the killed session, so no lease has to expire.
    expect(sorted[sorted.length - 1]).toBeLessThan(LEASE_MS + 1000)
  }, 180_000)

  it('split brain: a paused leader (SIGSTOP) loses the city when its lease expires, and after waking its appends are refused', async () => {
    const city = 'paused'
    const lease = 600
    const child = spawn(command[0], [...command.slice(1), JSON.stringify(server.config), city, 'old', String(SEED), String(lease)], { stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(child)
    const lines: string[] = []
    let buf = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (d: string) => {
      buf += d
      for (let k = buf.indexOf('\n'); k >= 0; k = buf.indexOf('\n')) {
        lines.push(buf.slice(0, k))
        buf = buf.slice(k + 1)
      }
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += String(d)))
    const exited = new Promise<void>((r) => child.once('close', () => r()))
    try {
      await waitFor('the old leader', () => lines.includes('L 0') || child.exitCode !== null, 20_000)
      expect(stderr).toBe('')
      await waitFor('bookings', () => lines.filter((l) => l.startsWith('B ')).length >= 20)
      child.kill('SIGSTOP')
      const stopped = Date.now()
      const seen = lines.length
      // Its session is alive, so its lock is held: the new instance has to wait for the lease to expire.
      const b = await instance(server, city, 'new', { leaseMs: lease, pollMs: 20 })
      await waitFor('the new leader', () => b.role() === 'leader', 10_000)
      const waited = Date.now() - stopped
      expect(waited).toBeGreaterThanOrEqual(lease - 100)
      const epoch = Number((await db.query('SELECT epoch FROM terminplan_leases WHERE city = $1', [city])).rows[0].epoch)
      for (let i = 0; i < 5; i++) {
        const { slots } = b.search({ services: ['reg'], citizenId: `nb${i}`, limit: 1 })
        await b.confirm((await b.hold(slots[0], { citizenId: `nb${i}` })).id)
      }
      child.kill('SIGCONT')
      // Awake, it still believes it leads until its next renewal or append is refused; then it follows.
      await waitFor('the old leader to step down', () => lines.slice(seen).some((l) => l.startsWith('F ')), 10_000)
      await waitFor('refused commands', () => lines.slice(seen).some((l) => l === 'N'), 10_000)
      const after = lines.slice(seen)
      // Nothing it did after the takeover was acknowledged as committed...
      const bookedAfter = after.slice(0, after.findIndex((l) => l.startsWith('F '))).filter((l) => l.startsWith('B ') || l.startsWith('C '))
      // ...and nothing of its epoch is in the log after the new epoch's first command.
      const r = await db.query('SELECT max(seq) FILTER (WHERE epoch < $2)::int AS old, min(seq) FILTER (WHERE epoch = $2)::int AS new FROM terminplan_commands WHERE city = $1', [city, epoch])
      expect(r.rows[0].new).toBeGreaterThan(r.rows[0].old)
      // What it acknowledged while it led is in the new leader's state, unless cancelled since.
      const byId = new Map(b.appointments().map((a) => [a.id, `${a.staffId} ${a.start}`]))
      const cancelledIds = new Set(lines.filter((l) => l.startsWith('C ')).map((l) => l.split(' ')[1]))
      for (const l of lines.filter((x) => x.startsWith('B '))) {
        const [, id, staff, start] = l.split(' ')
        if (!cancelledIds.has(id)) expect(byId.get(id), `booking ${id}`).toBe(`${staff} ${start}`)
      }
      // Its commands after waking would be the only way to two leaders: every one was refused or was
      // committed before the takeover (the row lock orders them), so the log has one writer at a time.
      for (const l of bookedAfter) expect(byId.has(l.split(' ')[1]) || cancelledIds.has(l.split(' ')[1])).toBe(true)
      const rebuilt = await rebuildFromRows(db, city)
      expect(rebuilt.seq).toBe(b.seq())
      expect(JSON.stringify(rebuilt.s.snapshot())).toBe(JSON.stringify(b.snapshot()))
      // And it converges as a follower.
      const file = path.join(work, 'paused.json')
      await waitFor('the old leader to converge', async () => {
        child.stdin!.write(`S ${file}\n`)
        await waitFor('its snapshot', () => lines.some((l) => l.startsWith('S ')))
        lines.splice(lines.findIndex((l) => l.startsWith('S ')), 1)
        const o = JSON.parse(fs.readFileSync(file, 'utf8')) as { seq: number; snapshot: unknown }
        child.stdin!.write('R\n')
        return o.seq === b.seq() && JSON.stringify(o.snapshot) === JSON.stringify(b.snapshot())
      })
      console.log(`split brain test: the paused leader was replaced after ${waited} ms (lease ${lease} ms); after waking it acknowledged ${bookedAfter.length} commands before stepping down, all committed before the takeover; ${after.filter((l) => l === 'N').length} refused with NOT_LEADER`)
      await b.close()
    } finally {
      child.kill('SIGKILL')
      await exited
    }
  }, 60_000)
})
