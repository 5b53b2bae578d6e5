/** Seeded instance generators shared by the matching tests and the `matching` bench suite. */
import { createRng } from '../../src/model/random.js'
import type { BipartiteMatchingProblem } from '../../src/solver/matching/min-cost-flow.js'

/**
 * A batch waitlist: `nWaiting` citizens, `nSlots` free slots spread over 40 offices (slot s is at
 * office s mod 40, time position ⌊s / 40⌋). Each citizen accepts two offices and a window of
 * `perCitizen / 2` consecutive time positions, so about `perCitizen` slots. Weight = priority ×
 * preference: priority 1–60 (days waited) plus 60 for 5 % urgent cases, preference falling with
 * lateness in the window, plus 5 at the first-choice office. Integer weights; many citizens
 * compete for the same popular slots, as on a real waitlist.
 */
export function waitlistInstance(nWaiting: number, nSlots: number, perCitizen: number, seed: number): BipartiteMatchingProblem {
  const rng = createRng(seed)
  const offices = 40
  const times = Math.ceil(nSlots / offices)
  const per = Math.max(1, Math.floor(perCitizen / 2))
  const cap = nWaiting * 2 * per
  const l = new Int32Array(cap), r = new Int32Array(cap), w = new Float64Array(cap)
  let k = 0
  for (let i = 0; i < nWaiting; i++) {
    const priority = 1 + rng.int(60) + (rng.next() < 0.05 ? 60 : 0)
    const first = rng.int(offices)
    let second = rng.int(offices - 1)
    if (second >= first) second++
    const t0 = rng.int(Math.max(1, times - per + 1))
    for (const o of [first, second]) {
      for (let d = 0; d < per; d++) {
        const s = (t0 + d) * offices + o
        if (s >= nSlots) continue
        l[k] = i
        r[k] = s
        w[k] = priority * (per + 1 - d) + (o === first ? 5 : 0)
        k++
      }
    }
  }
  return { nLeft: nWaiting, nRight: nSlots, edgeLeft: l.slice(0, k), edgeRight: r.slice(0, k), edgeWeight: w.slice(0, k) }
}

/** Uniform random: each left node has `degree` random right nodes, weights integers 1..maxW. */
export function uniformInstance(nLeft: number, nRight: number, degree: number, maxW: number, seed: number, maxCap = 1): BipartiteMatchingProblem {
  const rng = createRng(seed)
  const e = nLeft * degree
  const l = new Int32Array(e), r = new Int32Array(e), w = new Float64Array(e)
  for (let i = 0, k = 0; i < nLeft; i++) {
    for (let d = 0; d < degree; d++, k++) {
      l[k] = i
      r[k] = rng.int(nRight)
      w[k] = 1 + rng.int(maxW)
    }
  }
  const rightCapacity = maxCap > 1 ? Int32Array.from({ length: nRight }, () => 1 + rng.int(maxCap)) : undefined
  return { nLeft, nRight, edgeLeft: l, edgeRight: r, edgeWeight: w, rightCapacity }
}

/** Dense n×m cost matrix, integers 0..range−1. */
export function randomCostMatrix(n: number, m: number, range: number, seed: number): Float64Array {
  const rng = createRng(seed)
  const c = new Float64Array(n * m)
  for (let k = 0; k < c.length; k++) c[k] = rng.int(range)
  return c
}
