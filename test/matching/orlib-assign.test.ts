/**
 * OR-Library assign500/600/700 (Beasley 1990) solved by the exact dense assignment code. The
 * proof of optimality is checked here, independently of the solver and of its own verifier:
 * the answer is a permutation, its cost is recomputed from the matrix, and the duals are a
 * feasible solution of the dual LP (u_i + v_j ≤ c_ij for every pair) whose value Σu + Σv equals
 * that cost — so no permutation can cost less. The published optimum is compared last, as an
 * extra check only.
 */
import { describe, expect, it } from 'vitest'
import { solveAssignment, verifyAssignment } from '../../src/solver/matching/assignment.js'
import { ORLIB_PUBLISHED_OPTIMUM, readOrlibAssign } from './orlib.js'

describe('OR-Library linear assignment', () => {
  for (const size of [500, 600, 700] as const) {
    it(`assign${size}: optimal by dual certificate`, () => {
      const { n, cost } = readOrlibAssign(size)
      const r = solveAssignment(cost, n)
      expect(r.feasible).toBe(true)

      // A permutation of the columns.
      const seen = new Uint8Array(n)
      for (let i = 0; i < n; i++) {
        const j = r.rowToCol[i]
        expect(Number.isInteger(j) && j >= 0 && j < n).toBe(true)
        expect(seen[j]).toBe(0)
        seen[j] = 1
      }
      // Its cost, recomputed from the matrix.
      let primal = 0
      for (let i = 0; i < n; i++) primal += cost[i * n + r.rowToCol[i]]
      expect(primal).toBe(r.cost)

      // Dual feasibility for every pair, and no duality gap. All data are small integers, and
      // the duals stay integral, so the comparisons are exact.
      let violations = 0
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (r.u[i] + r.v[j] > cost[i * n + j]) violations++
      expect(violations).toBe(0)
      let dual = 0
      for (let i = 0; i < n; i++) dual += r.u[i]
      for (let j = 0; j < n; j++) dual += r.v[j]
      expect(dual).toBe(primal)

      // The library's own verifier agrees, and so does the published optimum.
      expect(verifyAssignment(cost, n, n, r.rowToCol, r.u, r.v).ok).toBe(true)
      expect(primal).toBe(ORLIB_PUBLISHED_OPTIMUM[size])
    })
  }
})
