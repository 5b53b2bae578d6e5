/**
 * Dense assignment: hand-made cases, and random instances against brute force (tiny), HiGHS
 * (the assignment LP, which is integral) and the certificate, with fast-check.
 */
import fc from 'fast-check'
import type { Highs } from 'highs'
import { beforeAll, describe, expect, it } from 'vitest'
import { solveAssignment, verifyAssignment } from '../../src/solver/matching/assignment.js'
import { bruteAssignment } from './brute.js'
import { highs, highsAssignment } from './highs-reference.js'

/** Independent check of a finite answer: distinct columns, recomputed cost, dual certificate. */
function expectOptimalByCertificate(cost: ArrayLike<number>, n: number, m: number, r: ReturnType<typeof solveAssignment>, eps = 1e-9) {
  expect(r.feasible).toBe(true)
  const used = new Set<number>()
  let primal = 0
  for (let i = 0; i < n; i++) {
    const j = r.rowToCol[i]
    expect(j >= 0 && j < m && !used.has(j)).toBe(true)
    used.add(j)
    expect(r.colToRow[j]).toBe(i)
    primal += cost[i * m + j]
  }
  for (let j = 0; j < m; j++) if (!used.has(j)) expect(r.colToRow[j]).toBe(-1)
  expect(r.cost).toBeCloseTo(primal, 9)
  let dual = 0
  for (let i = 0; i < n; i++) dual += r.u[i]
  for (let j = 0; j < m; j++) {
    dual += r.v[j]
    if (n < m) expect(r.v[j]).toBeLessThanOrEqual(eps)
  }
  let worst = 0
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) worst = Math.max(worst, r.u[i] + r.v[j] - cost[i * m + j])
  expect(worst).toBeLessThanOrEqual(eps)
  expect(Math.abs(dual - primal)).toBeLessThanOrEqual(eps * Math.max(1, n) * 100)
  expect(verifyAssignment(cost, n, m, r.rowToCol, r.u, r.v).ok).toBe(true)
}

/** n ≤ m, entries integers in [lo, hi] or (with `forbid`) +Infinity. */
const instance = (maxN: number, maxExtra: number, lo: number, hi: number, forbid = false) =>
  fc.record({ n: fc.integer({ min: 0, max: maxN }), extra: fc.integer({ min: 0, max: maxExtra }) }).chain(({ n, extra }) => {
    const m = n + extra
    const entry = forbid ? fc.oneof({ weight: 4, arbitrary: fc.integer({ min: lo, max: hi }) }, { weight: 1, arbitrary: fc.constant(Infinity) }) : fc.integer({ min: lo, max: hi })
    return fc.record({ n: fc.constant(n), m: fc.constant(m), cost: fc.array(entry, { minLength: n * m, maxLength: n * m }) })
  })

describe('solveAssignment: hand-made cases', () => {
  it('1×1, 0×0 and 0×3', () => {
    expect(solveAssignment([7], 1).cost).toBe(7)
    expect(solveAssignment([], 0).cost).toBe(0)
    const r = solveAssignment([], 0, 3)
    expect(r.cost).toBe(0)
    expect([...r.colToRow]).toEqual([-1, -1, -1])
  })

  it('2×2 takes the anti-diagonal when it is cheaper', () => {
    const r = solveAssignment([4, 1, 2, 8], 2)
    expect([...r.rowToCol]).toEqual([1, 0])
    expect(r.cost).toBe(3)
  })

  it('3×3 textbook instance', () => {
    const c = [4, 1, 3, 2, 0, 5, 3, 2, 2]
    const r = solveAssignment(c, 3)
    expect(r.cost).toBe(5)
    expectOptimalByCertificate(c, 3, 3, r)
  })

  it('rectangular 2×4 leaves the expensive columns free', () => {
    const c = [9, 1, 9, 2, 9, 1, 9, 3]
    const r = solveAssignment(c, 2, 4)
    expect(r.cost).toBe(3) // row 0 → column 3 (2), row 1 → column 1 (1); the other way costs 4
    expectOptimalByCertificate(c, 2, 4, r)
  })

  it('negative and fractional costs', () => {
    const c = [-1.5, 2.25, 0.5, -3.75]
    const r = solveAssignment(c, 2)
    expect(r.cost).toBeCloseTo(-5.25, 12)
    expectOptimalByCertificate(c, 2, 2, r)
  })

  it('forbidden pairs (+Infinity) are avoided, and infeasibility is reported', () => {
    const I = Infinity
    const ok = solveAssignment([I, 5, 1, I], 2)
    expect(ok.feasible).toBe(true)
    expect(ok.cost).toBe(6)
    expect(solveAssignment([1, I, 2, I], 2).feasible).toBe(false) // column 1 forbidden for both rows
    expect(solveAssignment([I, I, 1, 2], 2).feasible).toBe(false) // row 0 has no allowed column
  })

  it('rejects bad input with a message', () => {
    expect(() => solveAssignment([1, 2], 2, 1)).toThrow(/rows ≤ columns/)
    expect(() => solveAssignment([1, NaN, 2, 3], 2)).toThrow(/cost\[1\]/)
    expect(() => solveAssignment([1, -Infinity, 2, 3], 2)).toThrow(/-Infinity/)
    expect(() => solveAssignment([1, 2, 3], 2)).toThrow(/needs 4/)
  })

  it('accepts a plain array and a Float64Array alike', () => {
    const c = [3, 7, 2, 9, 1, 8, 6, 4, 5]
    expect(solveAssignment(c, 3).cost).toBe(solveAssignment(Float64Array.from(c), 3).cost)
  })

  it('the verifier rejects a wrong certificate, a repeated column and a gap', () => {
    const c = [4, 1, 3, 2, 0, 5, 3, 2, 2]
    const r = solveAssignment(c, 3)
    expect(verifyAssignment(c, 3, 3, r.rowToCol, r.u, r.v).ok).toBe(true)
    const u = Float64Array.from(r.u)
    u[0] += 1
    expect(verifyAssignment(c, 3, 3, r.rowToCol, u, r.v).reason).toMatch(/dual infeasible|gap/)
    expect(verifyAssignment(c, 3, 3, [0, 0, 1], r.u, r.v).reason).toMatch(/used twice/)
    const low = Float64Array.from(r.u)
    low[0] -= 1 // still feasible, but the bound is 1 below the cost
    expect(verifyAssignment(c, 3, 3, r.rowToCol, low, r.v).reason).toMatch(/gap/)
  })

  it('is deterministic', () => {
    const c = Float64Array.from({ length: 400 }, (_, k) => (k * 7919) % 13)
    const a = solveAssignment(c, 20), b = solveAssignment(c, 20)
    expect([...a.rowToCol]).toEqual([...b.rowToCol])
    expect([...a.v]).toEqual([...b.v])
  })
})

describe('solveAssignment: random instances', () => {
  it('equals brute force, with a valid certificate (n ≤ 7, m ≤ 8, many ties)', () => {
    fc.assert(
      fc.property(instance(7, 2, 0, 6), ({ n, m, cost }) => {
        const r = solveAssignment(cost, n, m)
        expect(r.cost).toBe(bruteAssignment(cost, n, m))
        expectOptimalByCertificate(cost, n, m, r)
      }),
      { numRuns: 400 },
    )
  })

  it('equals brute force with forbidden pairs, and reports infeasibility exactly when brute force finds none', () => {
    fc.assert(
      fc.property(instance(6, 2, -20, 20, true), ({ n, m, cost }) => {
        const r = solveAssignment(cost, n, m)
        const best = bruteAssignment(cost, n, m)
        expect(r.feasible).toBe(best < Infinity)
        if (r.feasible) {
          expect(r.cost).toBe(best)
          expectOptimalByCertificate(cost, n, m, r)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('real-valued costs: certificate holds to rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }).chain((n) => fc.record({ n: fc.constant(n), extra: fc.integer({ min: 0, max: 5 }) })).chain(({ n, extra }) =>
          fc.record({ n: fc.constant(n), m: fc.constant(n + extra), cost: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n * (n + extra), maxLength: n * (n + extra) }) }),
        ),
        ({ n, m, cost }) => {
          const r = solveAssignment(cost, n, m)
          expectOptimalByCertificate(cost, n, m, r, 1e-7)
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('solveAssignment against HiGHS', () => {
  let h: Highs
  beforeAll(async () => {
    h = await highs()
  })

  it('same optimum as the assignment LP on random square and rectangular instances', () => {
    fc.assert(
      fc.property(instance(30, 10, 0, 100), ({ n, m, cost }) => {
        fc.pre(n > 0)
        const r = solveAssignment(cost, n, m)
        const lp = highsAssignment(h, cost, n, m)
        expect(lp.status).toBe('optimal')
        expect(r.cost).toBeCloseTo(lp.objective, 6)
      }),
      { numRuns: 60 },
    )
  })
})
