/**
 * Determinism: the same scenario, seed and command sequence give byte-identical JSON — every
 * command's result or error, every event, every notification and the final snapshot — on fresh
 * schedulers, and when the run is cut midway by snapshot → JSON → restore. The `plan` and `match`
 * commands print identical JSON twice once their timing fields are removed (they embed wall-clock
 * timings and have no flag to drop them): `timings` in the plan, `timeMs` in the match result and
 * the `time` row of its table.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import { createRng } from '../../src/model/random.js'
import type { Scenario } from '../../src/model/schema.js'
import { createScheduler, restoreScheduler, type Scheduler, type SchedulerEventName, type SchedulerSnapshot } from '../../src/solver/scheduler/index.js'
import { validScenario, type Loose } from '../model/fixtures.js'
import { smallScenario } from '../plan/fixtures.js'

const EVENTS: SchedulerEventName[] = [
  'held', 'confirmed', 'cancelled', 'expired', 'freed', 'offer', 'offerAccepted', 'offerDeclined',
  'offerExpired', 'offerWithdrawn', 'waitlistJoined', 'waitlistLeft', 'notificationFailed',
]
const START = '2026-03-02T07:00:00+01:00'

/** A command as data, drawn from the seed alone; ids are resolved against the state when it runs. */
type Op =
  | { op: 'search'; services: string[]; offices?: string[]; windows?: { weekdays?: number[]; from: string; to: string }[]; citizenId: string; limit: number }
  | { op: 'holdFirst'; services: string[]; offices?: string[]; citizenId: string }
  | { op: 'confirm'; k: number; key?: string }
  | { op: 'cancel'; k: number }
  | { op: 'join'; citizenId: string; services: string[]; offices?: string[]; latest?: string }
  | { op: 'accept'; k: number }
  | { op: 'decline'; k: number }
  | { op: 'leave'; k: number }
  | { op: 'advance'; minutes: number }
  | { op: 'bad'; kind: number }

function commands(seed: number, n: number): Op[] {
  const rng = createRng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]
  const services = [['passport'], ['registration'], ['idcard'], ['passport', 'registration'], ['idcard', 'registration']] as const
  const offices = [undefined, ['mitte'], ['spandau'], ['spandau', 'mitte']] as const
  const citizen = () => `c${rng.int(12)}`
  const ops: Op[] = []
  for (let i = 0; i < n; i++) {
    const r = rng.next()
    const sv = [...pick(services)]
    const of = pick(offices)
    const o = of ? { offices: [...of] } : {}
    if (r < 0.15) ops.push({ op: 'search', services: sv, ...o, citizenId: citizen(), limit: 1 + rng.int(8), ...(rng.next() < 0.5 ? { windows: [{ weekdays: [1 + rng.int(5)], from: '08:00', to: pick(['10:00', '12:00', '16:00']) }] } : {}) })
    else if (r < 0.35) ops.push({ op: 'holdFirst', services: sv, ...o, citizenId: citizen() })
    else if (r < 0.5) ops.push({ op: 'confirm', k: rng.int(4), ...(rng.next() < 0.5 ? { key: `key-${rng.int(6)}` } : {}) })
    else if (r < 0.58) ops.push({ op: 'cancel', k: rng.int(6) })
    else if (r < 0.7) ops.push({ op: 'join', citizenId: citizen(), services: sv, ...o, ...(rng.next() < 0.5 ? { latest: pick(['2026-03-06', '2026-03-13']) } : {}) })
    else if (r < 0.78) ops.push({ op: 'accept', k: rng.int(3) })
    else if (r < 0.83) ops.push({ op: 'decline', k: rng.int(3) })
    else if (r < 0.86) ops.push({ op: 'leave', k: rng.int(3) })
    else if (r < 0.97) ops.push({ op: 'advance', minutes: pick([1, 5, 10, 35, 90, 600]) })
    else ops.push({ op: 'bad', kind: rng.int(3) })
  }
  return ops
}

function apply(s: Scheduler, op: Op): unknown {
  const nth = <T>(xs: T[], k: number) => xs[k % Math.max(1, xs.length)]
  switch (op.op) {
    case 'search':
      return s.search({ services: op.services, offices: op.offices, windows: op.windows, citizenId: op.citizenId, limit: op.limit, explain: true })
    case 'holdFirst': {
      const slot = s.search({ services: op.services, offices: op.offices, citizenId: op.citizenId, limit: 1 }).slots[0]
      return slot ? s.hold(slot, { citizenId: op.citizenId }) : 'nothing free'
    }
    case 'confirm':
      return s.confirm(nth(s.holds(), op.k)?.id ?? 'none', op.key ? { idempotencyKey: op.key } : {})
    case 'cancel':
      return s.cancel(nth(s.appointments(), op.k)?.id ?? 'none')
    case 'join':
      return s.joinWaitlist({ citizenId: op.citizenId, services: op.services, offices: op.offices, latest: op.latest })
    case 'accept':
      return s.acceptOffer(nth(s.offers(), op.k)?.id ?? 'none')
    case 'decline':
      return s.declineOffer(nth(s.offers(), op.k)?.id ?? 'none')
    case 'leave':
      return s.leaveWaitlist(nth(s.waitlist(), op.k)?.id ?? 'none')
    case 'advance':
      return s.setNow(Date.parse(s.now()) + op.minutes * 60_000)
    case 'bad':
      return [() => s.search({ services: ['ghost'] }), () => s.setNow(NaN), () => s.hold({} as never, { citizenId: 'x' })][op.kind]()
  }
}

/** Runs `ops` on `s`, logging every result or error, event and notification as JSON lines. */
function runOps(s: Scheduler, ops: Op[], log: string[]): void {
  for (const op of ops) {
    let out: unknown
    try {
      out = { ok: apply(s, op) ?? null }
    } catch (e) {
      if (!(e instanceof TerminplanError)) throw e
      out = { error: e.toJSON() }
    }
    log.push(JSON.stringify({ op, out, stats: s.stats(), now: s.now() }))
  }
}

function fresh(scenario: Scenario, log: string[]): Scheduler {
  const s = createScheduler(scenario, { now: START, notifications: { send: (n) => void log.push(JSON.stringify({ notification: n })) } })
  listen(s, log)
  return s
}
function listen(s: Scheduler, log: string[]): void {
  for (const name of EVENTS) s.on(name, (e) => void log.push(JSON.stringify({ event: name, e })))
}

describe('the same commands give the same bytes', () => {
  const scenario = loadScenario(validScenario())

  it.each([1, 2, 3])('seed %i: two fresh schedulers, and a run cut by snapshot/restore', (seed) => {
    const ops = commands(seed, 300)
    const half = 150

    const logA: string[] = []
    const a = fresh(scenario, logA)
    runOps(a, ops, logA)
    const snapA = JSON.stringify(a.snapshot())

    const logB: string[] = []
    const b = fresh(scenario, logB)
    runOps(b, ops, logB)
    expect(logB.join('\n')).toBe(logA.join('\n'))
    expect(JSON.stringify(b.snapshot())).toBe(snapA)

    // The sequence did things: holds, bookings, offers, expiries, rejections.
    const all = logA.join('\n')
    for (const kind of ['"event":"held"', '"event":"confirmed"', '"event":"offer"', '"event":"expired"', '"error"']) expect(all).toContain(kind)

    // Cut midway: snapshot → JSON text → restore, then the rest.
    const logC: string[] = []
    const c1 = fresh(scenario, logC)
    runOps(c1, ops.slice(0, half), logC)
    const firstHalf = logC.length
    const text = JSON.stringify(c1.snapshot())
    const c2 = restoreScheduler(scenario, JSON.parse(text) as SchedulerSnapshot, { notifications: { send: (n) => void logC.push(JSON.stringify({ notification: n })) } })
    expect(JSON.stringify(c2.snapshot())).toBe(text)
    listen(c2, logC)
    runOps(c2, ops.slice(half), logC)
    expect(logC.slice(0, firstHalf).join('\n')).toBe(logA.slice(0, firstHalf).join('\n'))
    expect(logC.slice(firstHalf).join('\n')).toBe(logA.slice(firstHalf).join('\n'))
    expect(JSON.stringify(c2.snapshot())).toBe(snapA)
  })

  it('the same search, asked twice of one scheduler and of another, is the same bytes (explanations included)', () => {
    const a = createScheduler(scenario, { now: START })
    const b = createScheduler(loadScenario(validScenario()), { now: START })
    const req = { services: ['registration'], citizenId: 'c-4711', limit: 20, explain: true }
    const first = JSON.stringify(a.search(req))
    expect(JSON.stringify(a.search(req))).toBe(first)
    expect(JSON.stringify(b.search(req))).toBe(first)
  })
})

describe('the command line prints the same JSON twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'terminplan-det-'))
  async function run(args: string[]) {
    let out = '', err = ''
    const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
    return { code, out, err }
  }

  it('plan --json (without its `timings`)', async () => {
    const file = join(dir, 'small.json')
    writeFileSync(file, JSON.stringify(smallScenario(4, { load: 6 })))
    const outs: string[] = []
    for (let i = 0; i < 2; i++) {
      const r = await run(['plan', file, '--target-days', '2', '--json', '-', '--patterns'])
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      const { timings, ...rest } = JSON.parse(r.out)
      expect(Object.keys(timings).sort()).toEqual(['buildMs', 'evaluateMs', 'lpMs', 'realiseMs', 'totalMs'])
      outs.push(JSON.stringify(rest))
    }
    expect(outs[1]).toBe(outs[0])
    expect(outs[0]).toMatch(/"patterns":\[\[/)
  }, 60_000)

  it('match --json (without `timeMs`) and its table (without the time row)', async () => {
    const s: Loose = validScenario()
    const now = '2026-03-02T07:00:00+01:00'
    s.waitlist = [
      ...['a', 'b', 'c', 'd', 'e'].map((x, i) => ({ id: `wp${x}`, citizenId: `p${x}`, services: ['passport'], offices: ['mitte'], createdAt: `2026-02-2${i}T10:00:00Z` })),
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => ({ id: `wr${x}`, citizenId: `r${x}`, services: ['registration'], createdAt: `2026-02-1${i}T10:00:00Z`, ...(i % 2 ? { priority: 'urgent' } : {}) })),
    ]
    const file = join(dir, 'match.json')
    writeFileSync(file, JSON.stringify(s))
    const jsons: string[] = [], tables: string[] = []
    for (let i = 0; i < 2; i++) {
      const out = join(dir, `match-${i}.json`)
      const r = await run(['match', file, '--now', now, '--json', out])
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      const { timeMs, ...rest } = JSON.parse(readFileSync(out, 'utf8'))
      expect(typeof timeMs).toBe('number')
      jsons.push(JSON.stringify(rest))
      tables.push(r.out.replace(/^time\s+.*$/m, ''))
      expect(rest.assignments.length).toBeGreaterThan(0)
    }
    expect(jsons[1]).toBe(jsons[0])
    expect(tables[1]).toBe(tables[0])
  }, 60_000)

  it('summary --json (no timings in it)', async () => {
    const file = join(dir, 'fixture.json')
    writeFileSync(file, JSON.stringify(validScenario()))
    const a = await run(['summary', file, '--json'])
    const b = await run(['summary', file, '--json'])
    expect(a.code).toBe(0)
    expect(b.out).toBe(a.out)
  })
})
