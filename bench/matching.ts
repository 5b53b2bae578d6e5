/**
 * Exact batch matching: (a) the waitlist batch (waiting citizens × free slots) by our min-cost
 * flow vs HiGHS on the matching LP, (b) dense assignment (LAPJV) vs the `munkres` package,
 * (c) OR-Library assign500/600/700. Every answer is checked before it is timed: ours by its
 * dual certificate, the peers against our optimum.
 *
 * Ours and its peer are timed interleaved on the same instance (see `timedPair`): the machine is
 * shared, and multi-second HiGHS solves do not fit tinybench's 16 warm-up iterations. The
 * OR-Library rows go through `measure`.
 */
import munkres from 'munkres'
import { solveAssignment, verifyAssignment } from '../src/solver/matching/assignment.js'
import { maxWeightBipartiteMatching, verifyMatching, type BipartiteMatchingProblem } from '../src/solver/matching/min-cost-flow.js'
import { highs, highsMatching } from '../test/matching/highs-reference.js'
import { randomCostMatrix, waitlistInstance } from '../test/matching/instances.js'
import { ORLIB_PUBLISHED_OPTIMUM, readOrlibAssign } from '../test/matching/orlib.js'
import { compare, measure, type BenchContext, type Row } from './lib.js'

const SUITE = 'matching'

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/**
 * Times solvers of the same instance interleaved, rotating their order in every round (A B C,
 * B C A, …), so that load from other processes on a shared machine hits all alike; each sample
 * runs a batch of calls lasting at least `minSampleMs`. Returns one row per solver (median and
 * max per call, in µs).
 */
async function timedInterleaved(ctx: BenchContext, size: string, tasks: { op: string; fn: () => unknown }[], samples: number, minSampleMs = 20): Promise<Row[]> {
  // Warm-up: at least one call and `ctx.timeMs / 2` of calls each, so the JIT has optimised the
  // loops (on a loaded 2-core machine its compiler thread gets little time); the last call's
  // duration sets how many calls a sample needs.
  const calls = tasks.map(({ fn }) => {
    const start = performance.now()
    let last = 0
    do {
      const t = performance.now()
      fn()
      last = performance.now() - t
    } while (performance.now() - start < ctx.timeMs / 2)
    return Math.max(1, Math.ceil(minSampleMs / Math.max(last, 1e-3)))
  })
  const times = tasks.map(() => [] as number[])
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < tasks.length; k++) {
      const x = (s + k) % tasks.length
      const t = performance.now()
      for (let c = 0; c < calls[x]; c++) tasks[x].fn()
      times[x].push((performance.now() - t) / calls[x])
    }
  }
  return tasks.map(({ op }, x) => {
    const m = median(times[x])
    const row: Row = { suite: SUITE, operation: op, size, medianUs: m * 1000, p99Us: Math.max(...times[x]) * 1000, opsPerSec: 1000 / m, extra: { samples, callsPerSample: calls[x] } }
    ctx.rows.push(row)
    return row
  })
}

function certified(p: BipartiteMatchingProblem, r: ReturnType<typeof maxWeightBipartiteMatching>): boolean {
  return verifyMatching(p, r.edgeOfLeft, r.yLeft, r.zRight).ok
}

export async function matchingSuite(ctx: BenchContext): Promise<void> {
  const h = await highs()

  // (a) Batch waitlist matching.
  {
    const [nWaiting, nSlots] = ctx.ci ? [2000, 500] : [20000, 5000]
    const p = waitlistInstance(nWaiting, nSlots, 20, 2025)
    const size = `${nWaiting.toLocaleString('en')} waiting × ${nSlots.toLocaleString('en')} free slots, ${p.edgeLeft.length.toLocaleString('en')} acceptable pairs`
    const r = maxWeightBipartiteMatching(p)
    if (!certified(p, r)) throw new Error('matching: our batch answer failed its certificate')
    const lp = highsMatching(h, p)
    if (lp.status !== 'optimal' || Math.abs(lp.objective - r.weight) > 1e-6 * Math.max(1, r.weight)) throw new Error(`matching: HiGHS ${lp.status} ${lp.objective} vs ours ${r.weight}`)

    const [ours, left, peer] = await timedInterleaved(
      ctx,
      size,
      [
        { op: 'batch waitlist, exact min-cost flow', fn: () => maxWeightBipartiteMatching(p) },
        { op: 'batch waitlist, citizens entering (variant)', fn: () => maxWeightBipartiteMatching(p, { enter: 'left' }) },
        { op: 'batch waitlist, HiGHS LP (peer)', fn: () => highsMatching(h, p) },
      ],
      ctx.ci ? 5 : 3,
      1,
    )
    compare(ours, peer)
    const rl = maxWeightBipartiteMatching(p, { enter: 'left' })
    ours.extra = { ...ours.extra, optimum: r.weight, highsOptimum: lp.objective, matched: r.matched, certified: 1, entered: r.stats.entered, searches: r.stats.searches, settled: r.stats.settled }
    left.extra = { ...left.extra, optimum: rl.weight, certified: certified(p, rl) ? 1 : 0, searches: rl.stats.searches, settled: rl.stats.settled, fasterThanHighsBy: +(peer.medianUs / left.medianUs).toFixed(2) }
    peer.extra = { ...peer.extra, optimum: lp.objective, solver: 'HiGHS (wasm), default options; model built from the same edge arrays' }
  }

  // (b) Dense assignment vs munkres.
  {
    const n = ctx.ci ? 200 : 500
    const cost = randomCostMatrix(n, n, 1000, 11)
    const rows = Array.from({ length: n }, (_, i) => Array.from(cost.subarray(i * n, (i + 1) * n)))
    const size = `${n}×${n}, integer costs 0–999`
    const r = solveAssignment(cost, n)
    if (!verifyAssignment(cost, n, n, r.rowToCol, r.u, r.v).ok) throw new Error('matching: dense answer failed its certificate')
    let peerCost = 0
    for (const [i, j] of munkres(rows)) peerCost += cost[i * n + j]
    if (peerCost !== r.cost) throw new Error(`matching: munkres ${peerCost} vs ours ${r.cost}`)
    const [ours, peer] = await timedInterleaved(
      ctx,
      size,
      [
        { op: 'dense assignment (LAPJV)', fn: () => solveAssignment(cost, n) },
        { op: 'dense assignment, munkres package (peer)', fn: () => munkres(rows) },
      ],
      ctx.ci ? 9 : 15,
    )
    compare(ours, peer)
    ours.extra = { ...ours.extra, optimum: r.cost, munkresOptimum: peerCost, certified: 1 }
  }

  // (c) OR-Library assign500/600/700.
  for (const n of [500, 600, 700] as const) {
    const { cost } = readOrlibAssign(n)
    const r = solveAssignment(cost, n)
    const ok = verifyAssignment(cost, n, n, r.rowToCol, r.u, r.v).ok
    if (!ok) throw new Error(`matching: assign${n} failed its certificate`)
    const row = await measure(ctx, SUITE, `OR-Library assign${n}`, `${n}×${n}, Beasley 1990`, () => solveAssignment(cost, n))
    row.extra = { optimum: r.cost, published: ORLIB_PUBLISHED_OPTIMUM[n], certified: 1 }
  }
}
