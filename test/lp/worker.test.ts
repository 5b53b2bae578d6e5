/**
 * Solves run in a worker thread under a wall-clock budget: a timeout is a typed status with the
 * best bound and incumbent, a solver that ignores its own limit is terminated, the calling thread
 * keeps running meanwhile, and the back end recovers for the next solve.
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { createLpBackend } from '../../src/adapters/lp/backend.js'
import { assignmentLp, gapAssignmentProblem, parseOrLibraryGap } from '../../src/solver/assign/gap.js'
import { LpBuilder } from '../../src/solver/lp/model.js'
import { solveLp } from '../../src/solver/lp/verify.js'
import { createRng } from '../../src/model/random.js'

const gap = (name: string) => parseOrLibraryGap(gunzipSync(readFileSync(new URL(`../data/gap/${name}.gz`, import.meta.url))).toString(), name)
/** A GAP MIP that HiGHS does not solve in seconds (best known 12 244, bound 12 235). */
const hardMip = () => assignmentLp(gapAssignmentProblem(gap('chu1997/d20200')), { integer: true })

const highs = createLpBackend('highs')
const jslp = createLpBackend('jslp')
afterAll(async () => {
  await highs.close()
  await jslp.close()
})

describe('worker-thread solves', () => {
  it('returns time_limit with a verified incumbent and a bound, on time, while the event loop keeps ticking', async () => {
    const m = hardMip()
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const progress: number[] = []
    const t0 = performance.now()
    const r = await solveLp(highs, m, { timeLimitMs: 3000, onProgress: (p) => p.objective !== undefined && progress.push(p.objective) })
    const elapsed = performance.now() - t0
    clearInterval(timer)
    expect(r.status).toBe('time_limit')
    if (r.status !== 'time_limit') return
    expect(elapsed).toBeLessThan(3000 + 1000)
    // The main thread was free: most 10 ms ticks happened during the solve.
    expect(ticks).toBeGreaterThan(elapsed / 10 / 3)
    expect(r.incumbent).toBeDefined()
    expect(r.verification.ok).toBe(true)
    expect(r.verification.maxIntegralityViolation).toBeLessThan(1e-6)
    expect(r.bound).toBeDefined()
    expect(r.bound!).toBeLessThanOrEqual(12_244 + 1e-6)
    expect(r.incumbent!.objective).toBeGreaterThanOrEqual(12_235 - 1e-6)
    expect(progress.length).toBeGreaterThan(0)
  })

  it('terminates a solver that overruns its budget, and the back end recovers', async () => {
    // javascript-lp-solver honours no time limit on an LP: the worker is killed at the deadline.
    const rng = createRng(5)
    const S = 30, D = 40
    const b = new LpBuilder('min')
    for (let i = 0; i < S; i++) for (let j = 0; j < D; j++) b.addCol({ cost: 1 + rng.int(100) })
    for (let i = 0; i < S; i++) b.addRow(-Infinity, 20, Array.from({ length: D }, (_, j) => i * D + j), new Array(D).fill(1))
    for (let j = 0; j < D; j++) b.addRow(10, Infinity, Array.from({ length: S }, (_, i) => i * D + j), new Array(S).fill(1))
    const big = b.build()
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const t0 = performance.now()
    const r = await jslp.solve(big, { timeLimitMs: 150 })
    const elapsed = performance.now() - t0
    clearInterval(timer)
    // Either it finished (a fast machine) or it was cut off at the deadline; never a hang.
    expect(['optimal', 'time_limit']).toContain(r.status)
    expect(elapsed).toBeLessThan(150 + 250 + 1000)
    expect(ticks).toBeGreaterThan(5)
    const small = new LpBuilder('max')
    const x = small.addCol({ cost: 1, upper: 3 })
    small.addRow(-Infinity, 2, [x], [1])
    const again = await solveLp(jslp, small.build())
    expect(again.status === 'optimal' && again.objective).toBeCloseTo(2, 9)
  })

  it('queues concurrent solves on one back end and answers each', async () => {
    const models = [1, 2, 3].map((k) => {
      const b = new LpBuilder('max')
      const x = b.addCol({ cost: k, upper: k })
      b.addRow(-Infinity, 10, [x], [1])
      return b.build()
    })
    const rs = await Promise.all(models.map((m) => solveLp(highs, m)))
    expect(rs.map((r) => (r.status === 'optimal' ? r.objective : NaN))).toEqual([1, 4, 9])
  })

  it('rejects a pending solve when the back end is closed, and can be used again', async () => {
    const be = createLpBackend('highs')
    const pending = solveLp(be, hardMip(), { timeLimitMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    await new Promise((r) => setTimeout(r, 300))
    await be.close()
    expect(await pending).toMatchObject({ code: 'SOLVER_FAILED', message: 'the highs back end was closed during a solve' })
    const b = new LpBuilder('max')
    const x = b.addCol({ cost: 2, upper: 1 })
    b.addRow(-Infinity, 5, [x], [1])
    const r = await solveLp(be, b.build())
    expect(r.status === 'optimal' && r.objective).toBe(2)
    await be.close()
  })
})
