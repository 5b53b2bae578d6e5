/**
 * LP back ends and the capacity plan:
 *  (a) HiGHS vs javascript-lp-solver on models both can solve (transportation LPs, GAP
 *      relaxations, small capacity-plan LPs): the ratio is how many times faster HiGHS is;
 *  (b) the capacity LP of the Berlin example, 28 days, with HiGHS (and the whole planCapacity
 *      pipeline once: LP, rounding, evaluation, with its gap);
 *  (c) the generalized assignment benchmarks through the plan's heuristic-plus-LP code: time and
 *      gap to the known optimum per instance.
 * The engines run in-process here (the timing is the solver's; the worker adds start-up and
 * transfer, measured in one extra row). Every answer is verified before it is timed, and the two
 * back ends must agree.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { createLpBackend } from '../src/adapters/lp/backend.js'
import { loadEngine, type LpEngine } from '../src/adapters/lp/engine.js'
import { readScenario } from '../src/cli/io.js'
import { compile, type Model } from '../src/model/compile.js'
import { createRng } from '../src/model/random.js'
import type { Scenario } from '../src/model/schema.js'
import { assignmentLp, gapAssignmentProblem, parseOrLibraryGap, solveGap } from '../src/solver/assign/gap.js'
import { LpBuilder, type LpModel } from '../src/solver/lp/model.js'
import type { LpResult } from '../src/solver/lp/port.js'
import { verifyLpResult } from '../src/solver/lp/verify.js'
import { buildPlanLp, DEFAULT_PLAN_WEIGHTS } from '../src/solver/plan/lp.js'
import { planCapacity } from '../src/solver/plan/plan.js'
import { extractDemand, extractSupply } from '../src/solver/plan/supply-demand.js'
import type { BenchContext, Row } from './lib.js'

const SUITE = 'lp'
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function row(ctx: BenchContext, operation: string, size: string, times: number[], extra?: Row['extra']): Row {
  const m = median(times)
  const r: Row = { suite: SUITE, operation, size, medianUs: m * 1000, p99Us: Math.max(...times) * 1000, opsPerSec: 1000 / m, ...(extra ? { extra } : {}) }
  ctx.rows.push(r)
  return r
}

const opts = { timeLimitMs: 600_000, mipGap: 1e-6, relax: false, explain: false, presolve: false }

function solveChecked(e: LpEngine, m: LpModel): LpResult & { status: 'optimal' } {
  const r = e.solve(m, opts)
  if (r.status !== 'optimal') throw new Error(`${e.name}: ${r.status}`)
  const v = verifyLpResult(m, r)
  if (!v.ok) throw new Error(`${e.name}: verifier rejects: ${v.issues[0].message}`)
  return r
}

/**
 * Times two engines on one model, interleaved (A B, B A, …) so load from other processes on a
 * shared machine hits both alike, after a warm-up; each sample runs enough calls to last ≥ 30 ms.
 * HiGHS's row carries the ratio (how many times faster it is).
 */
function pair(ctx: BenchContext, name: string, size: string, m: LpModel, highs: LpEngine, jslp: LpEngine, samples: number) {
  const a = solveChecked(highs, m), b = solveChecked(jslp, m)
  if (Math.abs(a.objective - b.objective) > 1e-6 * (1 + Math.abs(a.objective))) throw new Error(`${name}: back ends disagree (${a.objective} vs ${b.objective})`)
  const engines = [highs, jslp]
  const calls = engines.map((e) => {
    const start = performance.now()
    let last = 0
    do {
      const t = performance.now()
      solveChecked(e, m)
      last = performance.now() - t
    } while (performance.now() - start < Math.min(ctx.timeMs, 1000))
    return Math.max(1, Math.ceil(30 / Math.max(last, 1e-3)))
  })
  const times: number[][] = [[], []]
  for (let s = 0; s < samples; s++)
    for (const k of s % 2 ? [1, 0] : [0, 1]) {
      const t = performance.now()
      for (let c = 0; c < calls[k]; c++) solveChecked(engines[k], m)
      times[k].push((performance.now() - t) / calls[k])
    }
  const rh = row(ctx, `highs: ${name}`, size, times[0], { objective: +a.objective.toFixed(6), callsPerSample: calls[0] })
  const rj = row(ctx, `javascript-lp-solver: ${name} (peer)`, size, times[1], { callsPerSample: calls[1] })
  rh.peer = `${SUITE}/${rj.operation}`
  rh.ratio = rj.medianUs / rh.medianUs
}

function transport(S: number, D: number, seed: number): LpModel {
  const rng = createRng(seed)
  const b = new LpBuilder('min')
  for (let i = 0; i < S; i++) for (let j = 0; j < D; j++) b.addCol({ cost: 1 + rng.int(50) })
  for (let i = 0; i < S; i++) b.addRow(-Infinity, Math.ceil((D * 8) / S) + 5, Array.from({ length: D }, (_, j) => i * D + j), new Array(D).fill(1))
  for (let j = 0; j < D; j++) b.addRow(3 + rng.int(10), Infinity, Array.from({ length: S }, (_, i) => i * D + j), new Array(S).fill(1))
  return b.build()
}

const gapDir = new URL('../test/data/gap/', import.meta.url)
const readGap = (name: string) => parseOrLibraryGap(gunzipSync(readFileSync(new URL(`${name}.gz`, gapDir))).toString(), name)

/** The Berlin example cut down to the offices of some districts (their staff and demand). */
function berlinPart(base: Scenario, districts: string[], days: number): Model {
  const offices = base.offices.filter((o) => districts.includes(o.district))
  const ids = new Set(offices.map((o) => o.id))
  const staff = base.staff.filter((p) => ids.has(p.office)).map((p) => ({ ...p, shifts: p.shifts.filter((sh) => sh.office === undefined || ids.has(sh.office)) }))
  return compile({ ...base, horizon: { ...base.horizon, days }, offices, staff, demand: base.demand.filter((d) => d.district === undefined || districts.includes(d.district)) })
}

function planLp(m: Model, days: number): LpModel {
  const demand = extractDemand(m, 0, days)
  const supply = extractSupply(m, 0, days, new Set(demand.services))
  return buildPlanLp(m, supply, demand, 0, days, { targetDays: 14, minDays: 0, keepBack: 0, weights: DEFAULT_PLAN_WEIGHTS }).model
}

export async function lpSuite(ctx: BenchContext): Promise<void> {
  const highs = await loadEngine('highs')
  const jslp = await loadEngine('jslp')
  const berlin = readScenario('berlin')

  // (a) HiGHS against javascript-lp-solver where both finish.
  const samples = ctx.ci ? 7 : 15
  for (const [S, D] of ctx.ci ? [[5, 20], [10, 40]] : [[5, 20], [10, 40], [20, 60]]) pair(ctx, `transportation ${S}×${D}`, `${S * D} columns, ${S + D} rows`, transport(S, D, S * D), highs, jslp, samples)
  for (const name of ctx.ci ? ['cattrysse1994/gap12-0'] : ['cattrysse1994/gap12-0', 'chu1997/c05100']) {
    const m = assignmentLp(gapAssignmentProblem(readGap(name)))
    pair(ctx, `GAP relaxation ${name}`, `${m.nCols} columns, ${m.nRows} rows`, m, highs, jslp, samples)
  }
  for (const [districts, days] of (ctx.ci ? [[['Spandau'], 3]] : [[['Spandau'], 3], [['Spandau'], 7]]) as [string[], number][]) {
    const m = planLp(berlinPart(berlin, districts, days), days)
    pair(ctx, `capacity LP, Berlin ${districts.join('+')} ${days} days`, `${m.nCols} columns, ${m.nRows} rows`, m, highs, jslp, samples)
  }

  // (b) The capacity LP of all Berlin, 28 days.
  const m28 = compile({ ...berlin, horizon: { ...berlin.horizon, days: 28 } })
  const lp28 = planLp(m28, 28)
  const size = `Berlin 28 days: ${lp28.nCols} columns, ${lp28.nRows} rows, ${lp28.rowStart[lp28.nRows]} nonzeros`
  solveChecked(highs, lp28) // warm-up: the first solve in a fresh WASM instance is slower
  const times: number[] = []
  let certified = false
  for (let s = 0; s < (ctx.ci ? 2 : 5); s++) {
    const t = performance.now()
    const r = solveChecked(highs, lp28)
    times.push(performance.now() - t)
    certified = verifyLpResult(lp28, r).certified
  }
  row(ctx, 'highs: capacity LP, optimal', size, times, { certified: String(certified) })
  const backend = createLpBackend('highs')
  try {
    const t = performance.now()
    const plan = await planCapacity(m28, { backend, days: 28 })
    row(ctx, 'planCapacity (worker: LP, rounding, evaluation)', size, [performance.now() - t], {
      lpMs: plan.timings.lpMs,
      realiseMs: plan.timings.realiseMs,
      evaluateMs: plan.timings.evaluateMs,
      gapPct: +(plan.gap * 100).toFixed(3),
      onTimeLp: Math.round(plan.kpis.lp.servedOnTime),
      onTimePlan: Math.round(plan.kpis.plan.servedOnTime),
    })
  } finally {
    await backend.close()
  }

  // (c) Generalized assignment: the plan's heuristic-plus-LP code against known optima.
  const known = new Map(
    readFileSync(new URL('optima.csv', gapDir), 'utf8').trim().split('\n').slice(1).map((l) => {
      const c = l.split(',')
      return [c[0], Number(c[6] || c[7])] as const
    }),
  )
  const all = ['cattrysse1994', 'chu1997'].flatMap((set) => readdirSync(new URL(`${set}/`, gapDir)).filter((f) => f.endsWith('.gz')).map((f) => `${set}/${f.slice(0, -3)}`)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  const chosen = ctx.ci ? ['cattrysse1994/gap12-0', 'chu1997/c10100', 'chu1997/d10100', 'chu1997/d20200'] : all
  const inline = createLpBackend('highs', { mode: 'inline' })
  const gaps: number[] = []
  const all0 = performance.now()
  for (const name of chosen) {
    const g = readGap(name)
    const t = performance.now()
    const r = await solveGap(g, inline)
    const ms = performance.now() - t
    const opt = known.get(name)!
    const gap = (r.cost - opt) / opt
    gaps.push(gap)
    row(ctx, `GAP ${name}`, `${g.jobs} jobs × ${g.agents} agents`, [ms], { cost: r.cost, optimum: opt, gapPct: +(gap * 100).toFixed(3), lpBound: +r.lpBound.toFixed(2), lpMs: +r.lpMs.toFixed(1) })
  }
  row(ctx, 'GAP, all chosen instances in sequence', `${chosen.length} instances`, [performance.now() - all0], { within05pct: gaps.filter((x) => x <= 0.005).length, worstPct: +(Math.max(...gaps) * 100).toFixed(3) })
}
