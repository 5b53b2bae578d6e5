/**
 * Shared by the PostgreSQL tests: whether they run here (one clear line when not), the scenario,
 * instances on a server, and an independent rebuild of a city from the rows of its tables.
 */
import pg from 'pg'
import { openCityScheduler, type CityScheduler } from '../../src/adapters/journal/city.js'
import { pgStore } from '../../src/adapters/journal/pg/store.js'
import { replayCommand } from '../../src/adapters/journal/commands.js'
import { unframe } from '../../src/adapters/journal/journal.js'
import { loadScenario } from '../../src/model/load.js'
import type { Scenario } from '../../src/model/schema.js'
import { restoreScheduler, type Scheduler, type SchedulerSnapshot } from '../../src/solver/scheduler/index.js'
import { CRASH_NOW, crashScenario } from '../journal/crash-fixture.js'
import { pgUnavailable, type PgServer } from './server.js'

export const PG_MISSING = pgUnavailable()
if (PG_MISSING && process.env.CI) throw new Error(`${PG_MISSING}: CI must run the PostgreSQL tests (.ci/run installs postgresql)`)
let warned = false
export function warnSkip(): void {
  if (PG_MISSING && !warned) console.warn(`skipping the PostgreSQL tests: ${PG_MISSING}`)
  warned = true
}

export const NOW = CRASH_NOW
export const scenario: Scenario = loadScenario(crashScenario())

export async function instance(server: PgServer | { config: pg.ClientConfig }, city: string, id: string, extra: { leaseMs?: number; pollMs?: number; role?: 'auto' | 'follower'; snapshotEvery?: number; clock?: () => number } = {}): Promise<CityScheduler> {
  const store = pgStore({ connection: server.config, city, leaseMs: extra.leaseMs ?? 2000 })
  return openCityScheduler({ scenario, store, instance: id, now: NOW, pollMs: extra.pollMs ?? 25, role: extra.role, snapshotEvery: extra.snapshotEvery, clock: extra.clock })
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v as NonNullable<T>
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * The city rebuilt from its rows alone (snapshot 0 and every command, checksums not consulted),
 * up to `upTo`: the evidence the instances are compared with.
 */
export async function rebuildFromRows(db: pg.Pool | pg.Client, city: string, upTo = Number.MAX_SAFE_INTEGER): Promise<{ s: Scheduler; seq: number }> {
  const snap = await db.query('SELECT body FROM terminplan_snapshots WHERE city = $1 AND seq = 0', [city])
  const u = unframe(Buffer.from(snap.rows[0].body as string, 'utf8'))
  if ('error' in u) throw new Error(`snapshot 0 of ${city}: ${u.error}`)
  const body = u.ok as { autoOffer: boolean; snapshot: SchedulerSnapshot }
  const s = restoreScheduler(scenario, body.snapshot, { waitlist: { autoOffer: body.autoOffer } })
  const rows = await db.query('SELECT seq, cmd, args::text AS args, ret FROM terminplan_commands WHERE city = $1 AND seq <= $2 ORDER BY seq', [city, upTo])
  let seq = 0
  for (const r of rows.rows as { seq: string; cmd: string; args: string; ret: string | null }[]) {
    seq++
    if (Number(r.seq) !== seq) throw new Error(`${city}: command ${seq} is missing (found ${r.seq})`)
    replayCommand(s, { seq, cmd: r.cmd as never, args: JSON.parse(r.args) as unknown[], ...(r.ret !== null ? { ret: r.ret } : {}) }, `${city}#${seq}`)
  }
  return { s, seq }
}
