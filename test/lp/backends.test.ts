/**
 * The LP port and its two back ends: hand-made models with known answers, both back ends agreeing
 * on random LPs and MIPs (fast-check), MIP answers checked against brute force, infeasibility and
 * unboundedness with explanations, the verifier rejecting wrong answers, and the typed errors.
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createLpBackend } from '../../src/adapters/lp/backend.js'
import { TerminplanError } from '../../src/model/errors.js'
import { LpBuilder, lpModelIssues, objectiveValue, type LpModel } from '../../src/solver/lp/model.js'
import type { LpBackend, LpResult } from '../../src/solver/lp/port.js'
import { checkSolution, lagrangianBound, solveLp } from '../../src/solver/lp/verify.js'
import { createRng } from '../../src/model/random.js'

const highs = createLpBackend('highs')
const jslp = createLpBackend('jslp')
const highsInline = createLpBackend('highs', { mode: 'inline' })
const jslpInline = createLpBackend('jslp', { mode: 'inline' })
afterAll(async () => {
  await highs.close()
  await jslp.close()
})

/** The workshop example: max 30 chairs + 50 tables; carpentry c + 2t ≤ 40, finishing 2c + t ≤ 50. */
function workshop(sense: 'min' | 'max', integer = false): LpModel {
  const b = new LpBuilder(sense, { names: true })
  const sign = sense === 'max' ? 1 : -1
  const c = b.addCol({ name: 'chairs', cost: 30 * sign, integer })
  const t = b.addCol({ name: 'tables', cost: 50 * sign, integer })
  b.addRow(-Infinity, 40, [c, t], [1, 2], 'carpentry')
  b.addRow(-Infinity, 50, [c, t], [2, 1], 'finishing')
  return b.build()
}

async function rejection(p: Promise<unknown>): Promise<TerminplanError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(TerminplanError)
    return e as TerminplanError
  }
  throw new Error('expected a rejection')
}

describe('LP back ends on known models', () => {
  for (const [name, be] of [['highs', highs], ['jslp', jslp]] as const)
    for (const sense of ['max', 'min'] as const)
      it(`${name} solves the workshop LP (${sense}) in a worker, verified`, async () => {
        const r = await solveLp(be, workshop(sense))
        expect(r.status).toBe('optimal')
        if (r.status !== 'optimal') return
        expect(r.backend).toBe(name)
        expect(r.objective).toBeCloseTo(sense === 'max' ? 1100 : -1100, 6)
        expect(r.x[0]).toBeCloseTo(20, 6)
        expect(r.x[1]).toBeCloseTo(10, 6)
        expect(r.verification.ok).toBe(true)
        if (name === 'highs') {
          // Row duals certify optimality through our own Lagrangian bound.
          expect(r.verification.certified).toBe(true)
          expect(r.verification.dualBound).toBeCloseTo(r.objective, 6)
          expect(Math.abs(r.rowDual![0])).toBeCloseTo(70 / 3, 6)
        }
      })

  it('solves a MIP to an integral optimum on both back ends', async () => {
    // max 5x + 4y, 6x + 4y ≤ 24, x + 2y ≤ 6, integers → LP optimum 21 at (3, 1.5), MIP optimum 20 at (4, 0).
    const b = new LpBuilder('max')
    const x = b.addCol({ cost: 5, integer: true }), y = b.addCol({ cost: 4, integer: true })
    b.addRow(-Infinity, 24, [x, y], [6, 4])
    b.addRow(-Infinity, 6, [x, y], [1, 2])
    const m = b.build()
    for (const be of [highs, jslp]) {
      const r = await solveLp(be, m)
      expect(r.status).toBe('optimal')
      if (r.status === 'optimal') {
        expect(r.objective).toBeCloseTo(20, 6)
        expect(r.verification.maxIntegralityViolation).toBeLessThan(1e-6)
      }
      const relaxed = await solveLp(be, m, { relax: true })
      expect(relaxed.status === 'optimal' && relaxed.objective).toBeCloseTo(21, 6)
    }
  })

  it('explains an infeasible model by its conflicting rows, and HiGHS certifies it', async () => {
    const b = new LpBuilder('min', { names: true })
    const x = b.addCol({ name: 'x', upper: 5 }), y = b.addCol({ name: 'y', upper: 5 }), z = b.addCol({ name: 'z', upper: 1 })
    b.addRow(12, Infinity, [x, y], [1, 1], 'need')
    b.addRow(-Infinity, 100, [x, y, z], [1, 3, 1], 'roomy')
    const m = b.build()
    for (const be of [highs, jslp]) {
      const r = await solveLp(be, m)
      expect(r.status).toBe('infeasible')
      if (r.status !== 'infeasible') continue
      expect(r.conflict?.rows).toEqual([0])
      expect(r.conflict?.description[0]).toBe('need: x + y ≥ 12')
      if (be === highs) expect(r.verification.infeasibilityCertified).toBe(true)
    }
  })

  it('explains a conflict no single row shows (deletion filter on jslp, IIS on HiGHS)', async () => {
    const b = new LpBuilder('min', { names: true })
    const x = b.addCol({ name: 'x' }), y = b.addCol({ name: 'y' })
    b.addRow(10, Infinity, [x, y], [1, 1], 'atLeast10')
    b.addRow(-Infinity, 4, [x], [1], 'xSmall')
    b.addRow(-Infinity, 4, [y], [1], 'ySmall')
    b.addRow(-Infinity, 100, [x, y], [2, 1], 'irrelevant')
    const m = b.build()
    for (const be of [highs, jslp]) {
      const r = await solveLp(be, m)
      expect(r.status).toBe('infeasible')
      if (r.status === 'infeasible') expect([...(r.conflict?.rows ?? [])].sort()).toEqual([0, 1, 2])
    }
  })

  it('reports unbounded models', async () => {
    const b = new LpBuilder('max')
    const x = b.addCol({ cost: 1 }), y = b.addCol({ cost: 1 })
    b.addRow(-Infinity, 4, [x, y], [1, -1])
    for (const be of [highs, jslp]) expect((await solveLp(be, b.build())).status).toBe('unbounded')
  })

  it('strips zero coefficients, so a row whose only coefficient is 0 is harmless', async () => {
    const b = new LpBuilder('max')
    const x = b.addCol({ cost: 1, upper: 3 })
    b.addRow(-Infinity, 5, [x], [0])
    b.addRow(-Infinity, 2, [x, x], [1, 0])
    const m = b.build()
    expect(m.rowStart[1] - m.rowStart[0]).toBe(0)
    for (const be of [highs, jslp]) {
      const r = await solveLp(be, m)
      expect(r.status === 'optimal' && r.objective).toBeCloseTo(2, 6)
    }
  })

  it('rejects a malformed model with paths before solving', async () => {
    const m = workshop('max')
    const bad: LpModel = { ...m, colUpper: Float64Array.from([NaN, 4]), rowValue: Float64Array.from([1, 0, 2, 1]) }
    const issues = lpModelIssues(bad)
    expect(issues.map((i) => i.path)).toEqual(['$.cols[0].upper', '$.rows[0].coefficients[1]'])
    const e = await rejection(solveLp(highs, bad))
    expect(e.code).toBe('COMMAND_INVALID')
  })

  it('caps javascript-lp-solver by tableau size and points to HiGHS', async () => {
    // A 150 × 150 assignment; the 500 × 500 one took javascript-lp-solver 87 s and 7.9 GB.
    const n = 150
    const b = new LpBuilder('min')
    const rng = createRng(3)
    for (let k = 0; k < n * n; k++) b.addCol({ cost: rng.int(100), upper: 1 })
    for (let i = 0; i < n; i++) b.addRow(1, 1, Array.from({ length: n }, (_, j) => i * n + j), new Array(n).fill(1))
    for (let j = 0; j < n; j++) b.addRow(1, 1, Array.from({ length: n }, (_, i) => i * n + j), new Array(n).fill(1))
    const e = await rejection(solveLp(jslp, b.build()))
    expect(e.code).toBe('LIMIT_EXCEEDED')
    expect(e.message).toMatch(/use the HiGHS back end/)
  })
})

describe('the verifier', () => {
  const fake = (result: LpResult): LpBackend => ({ name: 'fake', solve: async () => result, close: async () => {} })

  it('rejects a solution that breaks a row, a bound or its objective', async () => {
    const m = workshop('max')
    const base = { backend: 'fake', timeMs: 1 }
    const row = await rejection(solveLp(fake({ status: 'optimal', ...base, x: Float64Array.from([25, 10]), objective: 1250 }), m))
    expect(row.code).toBe('SOLVER_FAILED')
    expect(row.issues[0]).toMatchObject({ path: '$.rows[0]', code: 'row_violated' })
    const bound = await rejection(solveLp(fake({ status: 'optimal', ...base, x: Float64Array.from([-1, 0]), objective: -30 }), m))
    expect(bound.issues[0].code).toBe('bound_violated')
    const obj = await rejection(solveLp(fake({ status: 'optimal', ...base, x: Float64Array.from([20, 10]), objective: 1200 }), m))
    expect(obj.issues[0].code).toBe('objective_mismatch')
  })

  it('accepts a MIP answer only when integral; drops a fractional incumbent at the time limit', async () => {
    const m = workshop('max', true)
    const base = { backend: 'fake', timeMs: 1 }
    const frac = await rejection(solveLp(fake({ status: 'optimal', ...base, x: Float64Array.from([20.5, 9.5]), objective: 1090 }), m))
    expect(frac.issues[0].code).toBe('not_integral')
    const r = await solveLp(fake({ status: 'time_limit', ...base, incumbent: { x: Float64Array.from([20.5, 9.5]), objective: 1090 }, bound: 1100 }), m)
    expect(r.status).toBe('time_limit')
    expect(r.status === 'time_limit' && r.incumbent).toBeUndefined()
  })

  it('does not certify optimality from duals that do not prove it', async () => {
    const m = workshop('max')
    const r = await solveLp(fake({ status: 'optimal', backend: 'fake', timeMs: 1, x: Float64Array.from([25, 0]), objective: 750, rowDual: Float64Array.from([0, 15]) }), m)
    expect(r.verification.ok).toBe(true)
    expect(r.verification.certified).toBe(false)
    // Any multipliers give a valid bound: here 1250 ≥ the true optimum 1100.
    expect(r.verification.dualBound).toBeGreaterThanOrEqual(1100 - 1e-9)
  })

  it('any multipliers give a valid bound (weak duality), property', () => {
    const m = workshop('max')
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }), (a, b) => lagrangianBound(m, [a, b]) >= 1100 - 1e-6),
    )
  })
})

/** A random LP that is feasible by construction (rows around the activity of a random point), all columns bounded. */
function randomLp(seed: number, nCols: number, nRows: number, integer: boolean): LpModel {
  const rng = createRng(seed)
  const b = new LpBuilder(rng.next() < 0.5 ? 'min' : 'max')
  const x0: number[] = []
  for (let j = 0; j < nCols; j++) {
    const lo = integer ? 0 : rng.int(3) - 1, up = lo + 1 + rng.int(6)
    b.addCol({ lower: lo, upper: up, cost: rng.int(21) - 10, integer })
    x0.push(integer ? lo + rng.int(up - lo + 1) : lo + rng.next() * (up - lo))
  }
  for (let i = 0; i < nRows; i++) {
    const idx: number[] = [], val: number[] = []
    for (let j = 0; j < nCols; j++)
      if (rng.next() < 0.5) {
        idx.push(j)
        val.push(rng.int(11) - 5)
      }
    let act = 0
    idx.forEach((j, k) => (act += val[k] * x0[j]))
    const kind = rng.int(3)
    b.addRow(kind === 1 ? -Infinity : Math.floor(act - rng.int(4)), kind === 0 ? Infinity : Math.ceil(act + rng.int(4)), idx, val)
  }
  return b.build()
}

describe('both back ends agree', () => {
  it('on random bounded LPs (property, in-process engines)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 10 }), async (seed, n, k) => {
        const m = randomLp(seed, n, k, false)
        const a = await solveLp(highsInline, m)
        const b = await solveLp(jslpInline, m)
        expect(a.status).toBe('optimal')
        expect(b.status).toBe('optimal')
        if (a.status === 'optimal' && b.status === 'optimal') {
          expect(Math.abs(a.objective - b.objective)).toBeLessThan(1e-6 * (1 + Math.abs(a.objective)))
          expect(a.verification.certified).toBe(true)
        }
      }),
      { numRuns: 60 },
    )
  })

  it('on random bounded MIPs, and both equal brute force', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), async (seed, n, k) => {
        const m = randomLp(seed, n, k, true)
        const a = await solveLp(highsInline, m)
        const b = await solveLp(jslpInline, m)
        const brute = bruteForce(m)
        expect(a.status).toBe(brute === undefined ? 'infeasible' : 'optimal')
        expect(b.status).toBe(a.status)
        if (a.status === 'optimal' && b.status === 'optimal') {
          expect(a.objective).toBeCloseTo(brute!, 6)
          expect(b.objective).toBeCloseTo(brute!, 6)
        }
      }),
      { numRuns: 60 },
    )
  })

  it('through the worker threads on a mid-size transportation LP', async () => {
    const rng = createRng(11)
    const S = 8, D = 25
    const b = new LpBuilder('min')
    for (let i = 0; i < S; i++) for (let j = 0; j < D; j++) b.addCol({ cost: 1 + rng.int(40), upper: 30 })
    for (let i = 0; i < S; i++) b.addRow(-Infinity, 40, Array.from({ length: D }, (_, j) => i * D + j), new Array(D).fill(1))
    for (let j = 0; j < D; j++) b.addRow(5 + rng.int(6), Infinity, Array.from({ length: S }, (_, i) => i * D + j), new Array(S).fill(1))
    const m = b.build()
    const [a, c] = await Promise.all([solveLp(highs, m), solveLp(jslp, m)])
    expect(a.status === 'optimal' && c.status === 'optimal').toBe(true)
    if (a.status === 'optimal' && c.status === 'optimal') expect(c.objective).toBeCloseTo(a.objective, 6)
  })
})

/** The optimum of an all-integer model by enumeration, or undefined when infeasible. */
function bruteForce(m: LpModel): number | undefined {
  let best: number | undefined
  const x = new Float64Array(m.nCols)
  const rec = (j: number) => {
    if (j === m.nCols) {
      if (checkSolution(m, x, { integral: true }).issues.length === 0) {
        const z = objectiveValue(m, x)
        if (best === undefined || (m.sense === 'min' ? z < best : z > best)) best = z
      }
      return
    }
    for (let v = m.colLower[j]; v <= m.colUpper[j]; v++) {
      x[j] = v
      rec(j + 1)
    }
  }
  rec(0)
  return best
}
