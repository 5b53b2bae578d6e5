/** Exhaustive reference solvers for tiny instances (tests only). */
import type { BipartiteMatchingProblem } from '../../src/solver/matching/min-cost-flow.js'

/** Minimum over all injective maps rows → columns (n ≤ m ≤ ~8); Infinity when none is finite. */
export function bruteAssignment(cost: ArrayLike<number>, n: number, m: number): number {
  const used = new Uint8Array(m)
  // rest[i] = Σ_{r ≥ i} min_j cost[r][j]: a lower bound on what rows i.. add (costs may be negative).
  const rest = new Float64Array(n + 1)
  for (let i = n - 1; i >= 0; i--) {
    let min = Infinity
    for (let j = 0; j < m; j++) min = Math.min(min, cost[i * m + j])
    rest[i] = rest[i + 1] + min
  }
  let best = Infinity
  const go = (i: number, acc: number) => {
    if (acc + rest[i] >= best) return
    if (i === n) {
      best = acc
      return
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue
      used[j] = 1
      go(i + 1, acc + cost[i * m + j])
      used[j] = 0
    }
  }
  go(0, 0)
  return best
}

/** Maximum weight over all b-matchings (each left node: none or one of its edges). */
export function bruteMatching(p: BipartiteMatchingProblem): number {
  const byLeft: number[][] = Array.from({ length: p.nLeft }, () => [])
  for (let e = 0; e < p.edgeLeft.length; e++) byLeft[p.edgeLeft[e]].push(e)
  const room = Array.from({ length: p.nRight }, (_, j) => (p.rightCapacity ? p.rightCapacity[j] : 1))
  let best = 0
  const go = (i: number, acc: number) => {
    if (i === p.nLeft) {
      if (acc > best) best = acc
      return
    }
    go(i + 1, acc)
    for (const e of byLeft[i]) {
      const j = p.edgeRight[e]
      if (room[j] <= 0) continue
      room[j]--
      go(i + 1, acc + p.edgeWeight[e])
      room[j]++
    }
  }
  go(0, 0)
  return best
}
