/**
 * The matching checks at scale (`npm run test:long`): the bench's 20,000 × 5,000 waitlist batch
 * certified and equal to HiGHS, from both entering sides; many random instances against HiGHS;
 * large dense instances certified.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { solveAssignment, verifyAssignment } from '../../src/solver/matching/assignment.js'
import { maxWeightBipartiteMatching, verifyMatching } from '../../src/solver/matching/min-cost-flow.js'
import { highs, highsMatching } from '../matching/highs-reference.js'
import { randomCostMatrix, uniformInstance, waitlistInstance } from '../matching/instances.js'

describe('matching at scale', () => {
  it('20,000 waiting × 5,000 slots: certified optimum, equal to HiGHS, from both sides', async () => {
    const h = await highs()
    const p = waitlistInstance(20000, 5000, 20, 2025)
    const a = maxWeightBipartiteMatching(p)
    const b = maxWeightBipartiteMatching(p, { enter: 'left' })
    expect(verifyMatching(p, a.edgeOfLeft, a.yLeft, a.zRight).ok).toBe(true)
    expect(verifyMatching(p, b.edgeOfLeft, b.yLeft, b.zRight).ok).toBe(true)
    expect(b.weight).toBe(a.weight)
    const lp = highsMatching(h, p)
    expect(lp.status).toBe('optimal')
    expect(a.weight).toBeCloseTo(lp.objective, 6)
  })

  it('2,000 random instances with capacities and real weights agree with HiGHS', async () => {
    const h = await highs()
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (nLeft, nRight, degree, maxCap, seed) => {
        const base = uniformInstance(nLeft, nRight, degree, 1000, seed, maxCap)
        const p = { ...base, edgeWeight: Float64Array.from(base.edgeWeight, (w, k) => (k % 3 === 0 ? w / 7 : w)) }
        const r = maxWeightBipartiteMatching(p)
        expect(verifyMatching(p, r.edgeOfLeft, r.yLeft, r.zRight).ok).toBe(true)
        expect(r.weight).toBeCloseTo(highsMatching(h, p).objective, 5)
      }),
      { numRuns: 2000 },
    )
  })

  it('dense 1,500 × 1,500 and 1,000 × 2,000 are certified', () => {
    for (const [n, m] of [[1500, 1500], [1000, 2000]]) {
      const cost = randomCostMatrix(n, m, 100000, n + m)
      const r = solveAssignment(cost, n, m)
      expect(verifyAssignment(cost, n, m, r.rowToCol, r.u, r.v).ok).toBe(true)
    }
  })
})
