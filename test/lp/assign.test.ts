/**
 * The capacitated-assignment heuristic on its own: against brute force on small random GAPs,
 * with optional units and multiplicities against the exact MIP, and the independent evaluator.
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLpBackend } from '../../src/adapters/lp/backend.js'
import { createRng } from '../../src/model/random.js'
import { assignmentLp, parseOrLibraryGap, solveGap } from '../../src/solver/assign/gap.js'
import { solveCapacitatedAssignment } from '../../src/solver/assign/heuristic.js'
import { denseAssignmentProblem, evaluateAssignment, type AssignmentProblem } from '../../src/solver/assign/problem.js'
import { solveLp } from '../../src/solver/lp/verify.js'

const highs = createLpBackend('highs', { mode: 'inline' })
const jslp = createLpBackend('jslp', { mode: 'inline' })

function randomGap(seed: number, n: number, m: number): AssignmentProblem {
  const rng = createRng(seed)
  const cost: number[] = [], weight: number[] = []
  for (let i = 0; i < n; i++)
    for (let a = 0; a < m; a++) {
      cost.push(1 + rng.int(30))
      weight.push(1 + rng.int(9))
    }
  const capacity = Array.from({ length: m }, () => Math.ceil((n * 5) / m) + rng.int(4))
  return denseAssignmentProblem({ nItems: n, nAgents: m, capacity, cost, weight })
}

function bruteForce(p: AssignmentProblem): number {
  let best = Infinity
  const units = new Int32Array(p.arcAgent.length)
  const rec = (i: number) => {
    if (i === p.nItems) {
      const e = evaluateAssignment(p, units)
      if (e.feasible) best = Math.min(best, e.cost)
      return
    }
    for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) {
      units[e] = 1
      rec(i + 1)
      units[e] = 0
    }
  }
  rec(0)
  return best
}

describe('capacitated assignment heuristic', () => {
  it('is feasible, never below the optimum, and optimal on small random GAPs (property)', async () => {
    let optimal = 0, runs = 0
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 3, max: 8 }), fc.integer({ min: 2, max: 3 }), async (seed, n, m) => {
        const p = randomGap(seed, n, m)
        const opt = bruteForce(p)
        if (opt === Infinity) return
        const lp = await solveLp(highs, assignmentLp(p))
        const guide = lp.status === 'optimal' ? lp.x : undefined
        const sol = solveCapacitatedAssignment(p, { seed: 1, guide, rank: lp.status === 'optimal' ? lp.colDual : undefined })
        expect(sol.feasible).toBe(true)
        expect(evaluateAssignment(p, sol.arcUnits).cost).toBe(sol.cost)
        expect(sol.cost).toBeGreaterThanOrEqual(opt)
        runs++
        if (sol.cost === opt) optimal++
      }),
      { numRuns: 60 },
    )
    expect(optimal).toBeGreaterThanOrEqual(runs - 1)
  })

  it('packs units of several items into agents, leaving out the least valuable, like the exact MIP', async () => {
    // Runs of 7, 5 and 3 units; slots of 2 and 3 units worth 2 and 3.2; one agent lacks item 1.
    const p: AssignmentProblem = {
      nItems: 2,
      nAgents: 3,
      capacity: Float64Array.from([7, 5, 3]),
      count: Int32Array.from([6, 4]),
      unassignedCost: new Float64Array(2),
      arcStart: Int32Array.from([0, 3, 5]),
      arcAgent: Int32Array.from([0, 1, 2, 0, 1]),
      arcWeight: Float64Array.from([2, 2, 2, 3, 3]),
      arcCost: Float64Array.from([-2, -2, -2, -3.2, -3.2]),
    }
    const sol = solveCapacitatedAssignment(p, { seed: 3 })
    const mip = await solveLp(highs, assignmentLp(p, { integer: true }))
    expect(mip.status).toBe('optimal')
    if (mip.status === 'optimal') expect(sol.cost).toBeCloseTo(mip.objective, 9)
    expect(sol.feasible).toBe(true)
  })

  it('the evaluator flags overloads and missing must-assign units', () => {
    // Two jobs of weight 5 at one agent of capacity 6, or anywhere at an agent of capacity 10.
    const p = denseAssignmentProblem({ nItems: 2, nAgents: 2, capacity: [6, 10], cost: [1, 4, 1, 4], weight: [5, 5, 5, 5] })
    const both0 = evaluateAssignment(p, [1, 0, 1, 0])
    expect(both0).toMatchObject({ feasible: false, cost: 2 })
    expect(evaluateAssignment(p, [1, 0, 0, 1])).toMatchObject({ feasible: true, cost: 5 })
    expect(evaluateAssignment(p, [1, 0, 0, 0])).toMatchObject({ feasible: false, cost: Infinity })
    expect(solveCapacitatedAssignment(p).cost).toBe(5)
  })

  it('solves a GAP instance through either back end to its optimum', async () => {
    const g = parseOrLibraryGap(gunzipSync(readFileSync(new URL('../data/gap/cattrysse1994/gap1-0.gz', import.meta.url))).toString())
    for (const be of [highs, jslp]) {
      const r = await solveGap(g, be)
      expect(r.feasible).toBe(true)
      expect(r.cost).toBe(261)
      expect(r.lpBound).toBeLessThanOrEqual(261)
    }
  })

  it('rejects text that is not an OR-Library GAP instance', () => {
    expect(() => parseOrLibraryGap('2 2 1 2 3', 'x')).toThrow(/expected 12 numbers, found 5/)
  })
})
