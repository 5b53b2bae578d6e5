/**
 * Sparse maximum-weight bipartite b-matching: hand-made cases, fast-check properties (valid
 * matching, capacities, weight = Σ chosen edges, dual certificate, no improving residual cycle),
 * and agreement on the optimum with brute force, the dense assignment code and HiGHS.
 */
import fc from 'fast-check'
import type { Highs } from 'highs'
import { beforeAll, describe, expect, it } from 'vitest'
import { solveAssignment } from '../../src/solver/matching/assignment.js'
import { findImprovingCycle, maxWeightBipartiteMatching, verifyMatching, type BipartiteMatchingProblem, type BipartiteMatchingResult } from '../../src/solver/matching/min-cost-flow.js'
import { bruteMatching } from './brute.js'
import { highs, highsMatching } from './highs-reference.js'
import { uniformInstance, waitlistInstance } from './instances.js'

type Edge = [number, number, number]
const problem = (nLeft: number, nRight: number, edges: Edge[], rightCapacity?: number[]): BipartiteMatchingProblem => ({
  nLeft,
  nRight,
  edgeLeft: edges.map((e) => e[0]),
  edgeRight: edges.map((e) => e[1]),
  edgeWeight: edges.map((e) => e[2]),
  rightCapacity,
})

const capOf = (p: BipartiteMatchingProblem, j: number) => (p.rightCapacity ? p.rightCapacity[j] : 1)

/** Everything a correct answer must satisfy, checked here without the library's verifier. */
function expectValidAndCertified(p: BipartiteMatchingProblem, r: BipartiteMatchingResult, eps = 1e-9) {
  const load = new Array<number>(p.nRight).fill(0)
  let weight = 0, matched = 0
  for (let i = 0; i < p.nLeft; i++) {
    const e = r.edgeOfLeft[i]
    if (e < 0) {
      expect(r.rightOfLeft[i]).toBe(-1)
      continue
    }
    expect(p.edgeLeft[e]).toBe(i) // the edge is this left node's own
    expect(r.rightOfLeft[i]).toBe(p.edgeRight[e])
    load[p.edgeRight[e]]++
    weight += p.edgeWeight[e]
    matched++
  }
  for (let j = 0; j < p.nRight; j++) {
    expect(load[j]).toBeLessThanOrEqual(capOf(p, j)) // no right node over capacity
    expect(r.load[j]).toBe(load[j])
  }
  expect(r.matched).toBe(matched)
  const scale = Math.max(1, ...Array.from(p.edgeWeight, Math.abs))
  expect(Math.abs(r.weight - weight)).toBeLessThanOrEqual(eps * scale)
  // Dual certificate: y, z ≥ 0, y_i + z_j ≥ w_e on every edge, Σy + Σ c_j z_j = weight.
  let worst = 0, bound = 0
  for (let i = 0; i < p.nLeft; i++) {
    worst = Math.max(worst, -r.yLeft[i])
    bound += r.yLeft[i]
  }
  for (let j = 0; j < p.nRight; j++) {
    worst = Math.max(worst, -r.zRight[j])
    if (r.zRight[j] !== 0) bound += capOf(p, j) * r.zRight[j]
  }
  for (let e = 0; e < p.edgeLeft.length; e++) worst = Math.max(worst, p.edgeWeight[e] - r.yLeft[p.edgeLeft[e]] - r.zRight[p.edgeRight[e]])
  expect(worst).toBeLessThanOrEqual(eps * scale)
  expect(Math.abs(bound - weight)).toBeLessThanOrEqual(eps * scale * Math.max(1, p.nLeft))
  expect(verifyMatching(p, r.edgeOfLeft, r.yLeft, r.zRight).ok).toBe(true)
}

/** Same optimum through the dense code: columns = capacity copies of right nodes + one dummy per left. */
function viaAssignment(p: BipartiteMatchingProblem): number {
  const copies: number[] = []
  for (let j = 0; j < p.nRight; j++) for (let k = 0; k < Math.min(capOf(p, j), p.nLeft); k++) copies.push(j)
  const n = p.nLeft, m = copies.length + n
  const best = new Map<number, number>()
  for (let e = 0; e < p.edgeLeft.length; e++) {
    const key = p.edgeLeft[e] * p.nRight + p.edgeRight[e]
    best.set(key, Math.max(best.get(key) ?? 0, p.edgeWeight[e]))
  }
  const cost = new Float64Array(n * m)
  for (let i = 0; i < n; i++) for (let c = 0; c < copies.length; c++) cost[i * m + c] = -(best.get(i * p.nRight + copies[c]) ?? 0)
  return 0 - solveAssignment(cost, n, m).cost
}

/** Random problems: integer weights in [minW, maxW] (≤ 0 included when minW ≤ 0), optional capacities 0..maxCap. */
const problemArb = (maxLeft: number, maxRight: number, maxEdges: number, minW: number, maxW: number, maxCap: number) =>
  fc.record({ nLeft: fc.integer({ min: 0, max: maxLeft }), nRight: fc.integer({ min: 1, max: maxRight }) }).chain(({ nLeft, nRight }) =>
    fc.record({
      edges: nLeft === 0 ? fc.constant([] as Edge[]) : fc.array(fc.tuple(fc.integer({ min: 0, max: nLeft - 1 }), fc.integer({ min: 0, max: nRight - 1 }), fc.integer({ min: minW, max: maxW })), { maxLength: maxEdges }),
      caps: fc.option(fc.array(fc.integer({ min: 0, max: maxCap }), { minLength: nRight, maxLength: nRight }), { nil: undefined }),
    }).map(({ edges, caps }) => problem(nLeft, nRight, edges as Edge[], caps)),
  )

describe('maxWeightBipartiteMatching: hand-made cases', () => {
  it('leaves a left node unmatched when another gains more from its only slot', () => {
    const p = problem(2, 1, [[0, 0, 5], [1, 0, 10]])
    const r = maxWeightBipartiteMatching(p)
    expect([...r.rightOfLeft]).toEqual([-1, 0])
    expect(r.weight).toBe(10)
    expectValidAndCertified(p, r)
  })

  it('re-routes along an alternating path', () => {
    const p = problem(2, 2, [[0, 0, 10], [0, 1, 9], [1, 0, 10]])
    for (const enter of ['left', 'right'] as const) {
      const r = maxWeightBipartiteMatching(p, { enter })
      expect([...r.rightOfLeft]).toEqual([1, 0])
      expect(r.weight).toBe(19)
      expectValidAndCertified(p, r)
    }
  })

  it('prefers weight over cardinality', () => {
    // Two matched edges weigh 2 + 2 = 4; the single heavy edge weighs 10.
    const p = problem(2, 2, [[0, 0, 10], [0, 1, 2], [1, 0, 2]])
    const r = maxWeightBipartiteMatching(p)
    expect(r.weight).toBe(10)
    expect(r.matched).toBe(1)
    expectValidAndCertified(p, r)
  })

  it('respects right capacities, including 0 and Infinity', () => {
    const p = problem(3, 2, [[0, 0, 5], [1, 0, 6], [2, 0, 7], [0, 1, 1]], [2, 0])
    const r = maxWeightBipartiteMatching(p)
    expect(r.weight).toBe(13)
    expect([...r.load]).toEqual([2, 0])
    expectValidAndCertified(p, r)
    const q = problem(3, 1, [[0, 0, 5], [1, 0, 6], [2, 0, 7]], [Infinity])
    const s = maxWeightBipartiteMatching(q)
    expect(s.weight).toBe(18)
    expect(verifyMatching(q, s.edgeOfLeft, s.yLeft, s.zRight).ok).toBe(true)
  })

  it('ignores edges of weight ≤ 0 and picks the heavier of duplicate edges', () => {
    const p = problem(2, 2, [[0, 0, 0], [1, 1, -3], [1, 0, 3], [1, 0, 8]])
    const r = maxWeightBipartiteMatching(p)
    expect(r.weight).toBe(8)
    expect(r.edgeOfLeft[1]).toBe(3)
    expect(r.rightOfLeft[0]).toBe(-1)
    expectValidAndCertified(p, r)
  })

  it('handles empty problems', () => {
    const r = maxWeightBipartiteMatching(problem(0, 0, []))
    expect(r.weight).toBe(0)
    const s = maxWeightBipartiteMatching(problem(3, 2, []))
    expect([...s.rightOfLeft]).toEqual([-1, -1, -1])
    expect(s.dualBound).toBe(0)
  })

  it('rejects bad input with a message', () => {
    expect(() => maxWeightBipartiteMatching(problem(1, 1, [[1, 0, 1]]))).toThrow(/left node 1/)
    expect(() => maxWeightBipartiteMatching(problem(1, 1, [[0, 2, 1]]))).toThrow(/right node 2/)
    expect(() => maxWeightBipartiteMatching(problem(1, 1, [[0, 0, NaN]]))).toThrow(/weight NaN/)
    expect(() => maxWeightBipartiteMatching(problem(1, 1, [[0, 0, 1]], [1.5]))).toThrow(/rightCapacity\[0\]/)
    expect(() => maxWeightBipartiteMatching({ ...problem(1, 1, [[0, 0, 1]]), edgeWeight: [] })).toThrow(/differ in length/)
  })

  it('the verifiers reject a suboptimal matching, a broken certificate and an over-full slot', () => {
    const p = problem(2, 2, [[0, 0, 10], [0, 1, 9], [1, 0, 10]])
    const r = maxWeightBipartiteMatching(p)
    // Drop left 1's match: 10 is lost, and the residual graph has a cycle gaining exactly that.
    const worse = Int32Array.from(r.edgeOfLeft)
    worse[1] = -1
    expect(findImprovingCycle(p, worse)?.gain).toBe(10)
    expect(findImprovingCycle(p, r.edgeOfLeft)).toBeNull()
    expect(verifyMatching(p, worse, r.yLeft, r.zRight).reason).toMatch(/gap/)
    const y = Float64Array.from(r.yLeft)
    y[0] = 0
    expect(verifyMatching(p, r.edgeOfLeft, y, r.zRight).reason).toMatch(/dual infeasible/)
    expect(verifyMatching(p, [0, 2], r.yLeft, r.zRight).reason).toMatch(/capacity/)
    expect(verifyMatching(p, [2, -1], r.yLeft, r.zRight).reason).toMatch(/edge 2 of left 1/)
  })

  it('is deterministic', () => {
    const p = uniformInstance(300, 80, 6, 50, 9, 3)
    const a = maxWeightBipartiteMatching(p), b = maxWeightBipartiteMatching(p)
    expect([...a.edgeOfLeft]).toEqual([...b.edgeOfLeft])
    expect([...a.yLeft]).toEqual([...b.yLeft])
  })
})

describe('maxWeightBipartiteMatching: properties', () => {
  it('valid, within capacity, weight = Σ chosen edges, certified, no improving cycle, = brute force (nLeft ≤ 8)', () => {
    fc.assert(
      fc.property(problemArb(8, 6, 24, -5, 20, 3), fc.constantFrom('left', 'right', 'auto'), (p, enter) => {
        const r = maxWeightBipartiteMatching(p, { enter: enter as 'left' | 'right' | 'auto' })
        expectValidAndCertified(p, r)
        expect(findImprovingCycle(p, r.edgeOfLeft)).toBeNull()
        expect(r.weight).toBe(bruteMatching(p))
      }),
      { numRuns: 500 },
    )
  })

  it('both entering sides and the dense assignment agree on the optimum', () => {
    fc.assert(
      fc.property(problemArb(25, 15, 120, 1, 100, 3), (p) => {
        const a = maxWeightBipartiteMatching(p, { enter: 'left' })
        const b = maxWeightBipartiteMatching(p, { enter: 'right' })
        expectValidAndCertified(p, a)
        expectValidAndCertified(p, b)
        expect(b.weight).toBe(a.weight)
        expect(viaAssignment(p)).toBe(a.weight)
      }),
      { numRuns: 200 },
    )
  })

  it('real-valued weights: certified to rounding, no improving cycle', () => {
    const arb = problemArb(15, 10, 60, 1, 1, 2).chain((p) =>
      fc.array(fc.double({ min: -10, max: 1000, noNaN: true }), { minLength: p.edgeLeft.length, maxLength: p.edgeLeft.length }).map((w) => ({ ...p, edgeWeight: w })),
    )
    fc.assert(
      fc.property(arb, (p) => {
        const r = maxWeightBipartiteMatching(p)
        expectValidAndCertified(p, r, 1e-9)
        expect(findImprovingCycle(p, r.edgeOfLeft, 1e-9)).toBeNull()
      }),
      { numRuns: 200 },
    )
  })
})

describe('maxWeightBipartiteMatching against HiGHS', () => {
  let h: Highs
  beforeAll(async () => {
    h = await highs()
  })

  it('sparse, dense, brute force and HiGHS all agree on tiny instances', () => {
    fc.assert(
      fc.property(problemArb(7, 5, 20, -3, 30, 3), (p) => {
        const sparse = maxWeightBipartiteMatching(p).weight
        expect(viaAssignment(p)).toBe(sparse)
        expect(bruteMatching(p)).toBe(sparse)
        expect(highsMatching(h, p).objective).toBeCloseTo(sparse, 6)
      }),
      { numRuns: 150 },
    )
  })

  it('same optimum as the matching LP on random instances with capacities', () => {
    fc.assert(
      fc.property(problemArb(60, 40, 300, -10, 100, 4), (p) => {
        const r = maxWeightBipartiteMatching(p)
        const lp = highsMatching(h, p)
        expect(lp.status).toBe('optimal')
        expect(r.weight).toBeCloseTo(lp.objective, 6)
        expect(r.dualBound).toBeCloseTo(lp.objective, 6)
      }),
      { numRuns: 60 },
    )
  })

  it('same optimum on a 2,000 × 500 waitlist-shaped instance and a uniform one with capacities', () => {
    for (const p of [waitlistInstance(2000, 500, 20, 42), uniformInstance(1500, 300, 10, 1000, 7, 3)]) {
      const r = maxWeightBipartiteMatching(p)
      expectValidAndCertified(p, r)
      const lp = highsMatching(h, p)
      expect(lp.status).toBe('optimal')
      expect(r.weight).toBeCloseTo(lp.objective, 6)
    }
  })
})
