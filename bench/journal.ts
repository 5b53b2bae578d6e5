/**
 * The command log: commands per second through the file journal (openScheduler, fsync before
 * every booking returns) and through PostgreSQL (openCityScheduler, every command acknowledged
 * after its commit), one client and several (group commit), in the same run on the same workload
 * (search, hold, confirm, a cancel every third booking, the clock moved a minute every tenth). The PostgreSQL server is started for
 * the run (test/pg/server.ts) with fsync on, so both sides make bookings durable. Follower lag:
 * ms from a command's commit on the leader to its replay on a follower (same process; LISTEN/NOTIFY
 * and a read per batch). Skipped (one line) where the PostgreSQL binaries are missing. Full runs only:
 * it needs a server.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import pg from 'pg'
import { openCityScheduler, type CityScheduler } from '../src/adapters/journal/city.js'
import { openScheduler } from '../src/adapters/journal/open.js'
import { pgStore } from '../src/adapters/journal/pg/store.js'
import { TerminplanError } from '../src/model/errors.js'
import { loadScenario } from '../src/model/load.js'
import { createRng } from '../src/model/random.js'
import { CRASH_NOW, crashScenario } from '../test/journal/crash-fixture.js'
import { pgUnavailable, startPostgres } from '../test/pg/server.js'
import type { BenchContext, Row } from './lib.js'

const scenario = loadScenario(crashScenario())

/** Anything with the scheduler's commands, sync or async. */
interface Target {
  search: CityScheduler['search']
  appointments: CityScheduler['appointments']
  hold(...a: Parameters<CityScheduler['hold']>): unknown
  confirm(...a: Parameters<CityScheduler['confirm']>): unknown
  cancel(id: string): unknown
  now(): string
  setNow(now: number): unknown
}

/** One client: `n` commands of the mix; the number done. */
async function client(s: Target, n: number, seed: number): Promise<number> {
  const rng = createRng(seed)
  let done = 0, k = 0
  while (done < n) {
    if (k - done > 10 * n) throw new Error('the bench workload is stuck')
    try {
      const live = s.appointments()
      if (k % 10 === 9) {
        // Cancelled time comes back after the cancel freeze: move the clock.
        await s.setNow(Date.parse(s.now()) + 60_000)
        done++
      } else if (live.length > 0 && (k % 3 === 2 || live.length > 150)) {
        await s.cancel(live[rng.int(live.length)].id)
        done++
      } else {
        const citizenId = `b${seed}-${k}`
        const { slots } = s.search({ services: ['reg'], citizenId, limit: 4 })
        if (slots.length) {
          const h = (await s.hold(slots[rng.int(slots.length)], { citizenId })) as { id: string }
          await s.confirm(h.id)
          done += 2
        }
      }
    } catch (e) {
      if (!(e instanceof TerminplanError)) throw e // a race between clients (taken, cancelled): next
    }
    k++
  }
  return done
}

function row(operation: string, size: string, commands: number, ms: number, extra?: Row['extra']): Row {
  const us = (ms * 1000) / commands
  return { suite: 'journal', operation, size, medianUs: us, p99Us: us, opsPerSec: (commands / ms) * 1000, extra }
}

export async function journalSuite(ctx: BenchContext): Promise<void> {
  const why = pgUnavailable()
  if (why) {
    console.error(`journal bench skipped: ${why}`)
    return
  }
  const N = Number(process.env.TERMINPLAN_BENCH_JOURNAL_N ?? (ctx.ci ? 300 : 3000))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-bench-journal-'))
  const server = await startPostgres({ fsync: true })
  const db = new pg.Pool(server.config)
  db.on('error', () => undefined)
  try {
    // The file journal: synchronous, one client.
    const f = openScheduler({ scenario, journal: path.join(dir, 'files'), now: CRASH_NOW })
    let t = performance.now()
    const nf = await client(f, N, 1)
    console.error(`journal bench: file journal ${nf} commands in ${Math.round(performance.now() - t)} ms`)
    const fileRow = row('file journal, fsync bookings', `${nf} commands`, nf, performance.now() - t)
    f.close()
    ctx.rows.push(fileRow)

    for (const clients of [1, 8]) {
      const city = `bench${clients}`
      const leader = await openCityScheduler({ scenario, store: pgStore({ connection: server.config, city }), instance: 'leader', now: CRASH_NOW })
      const follower = await openCityScheduler({ scenario, store: pgStore({ connection: server.config, city }), instance: 'follower', now: CRASH_NOW, role: 'follower' })
      // Lag: commit (the leader's acknowledgement) → replayed on the follower.
      const committedAt = new Map<number, number>()
      const lags: number[] = []
      leader.onApplied((seq) => committedAt.set(seq, performance.now()))
      follower.onApplied((seq) => {
        const at = performance.now()
        for (const [s, c] of committedAt) if (s <= seq) (lags.push(at - c), committedAt.delete(s))
      })
      t = performance.now()
      const done = await Promise.all(Array.from({ length: clients }, (_, i) => client(leader, Math.ceil(N / clients), 10 + i)))
      const ms = performance.now() - t
      const n = done.reduce((a, b) => a + b, 0)
      const until = Date.now() + 10_000
      while (follower.seq() < leader.seq() && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
      lags.sort((a, b) => a - b)
      const pick = (q: number) => Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] * 100) / 100
      const pgRow = row(`postgres, ${clients} client${clients > 1 ? 's' : ''}${clients > 1 ? ' (group commit)' : ''}`, `${n} commands`, n, ms, {
        followerLagMsMedian: pick(0.5),
        followerLagMsP99: pick(0.99),
      })
      // Rows of one transaction share its timestamp (now()).
      const tx = Number((await db.query('SELECT count(DISTINCT committed_at)::int AS n FROM terminplan_commands WHERE city = $1', [city])).rows[0].n)
      pgRow.extra!.transactions = tx
      pgRow.extra!.commandsPerTransaction = Math.round((n / tx) * 10) / 10
      pgRow.peer = `journal/${fileRow.operation}`
      pgRow.ratio = fileRow.medianUs / pgRow.medianUs
      ctx.rows.push(pgRow)
      console.error(`journal bench: ${pgRow.operation}: ${Math.round(pgRow.opsPerSec)} commands/s (file journal ${Math.round(fileRow.opsPerSec)}), ${tx} transactions, follower lag median ${pick(0.5)} ms, p99 ${pick(0.99)} ms`)
      await follower.close()
      await leader.close()
    }
  } finally {
    await db.end()
    await server.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

