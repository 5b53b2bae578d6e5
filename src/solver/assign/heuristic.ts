/**
 * LP-guided rounding and local search for capacitated assignment (assign/problem.ts).
 *
 *  1. Construct: units go where the LP put whole units (`guide`); the rest by regret — the unit
 *     whose best and second-best arcs (ranked by LP reduced cost, `rank`) differ most goes first.
 *  2. Improve: iterated local search over shift and swap moves on cost + ρ·overload, where the
 *     penalty ρ oscillates (raised while the search sits in infeasible space, lowered while
 *     feasible), so the search may cross briefly infeasible assignments; moves are restricted to
 *     each item's best arcs by LP rank. Perturbation: a few random shifts; every few rounds without
 *     a better assignment the search restarts from the best one.
 *
 * Deterministic: randomness from a seeded Rng, effort bounded by counts of iterations and of
 * evaluated moves. A wall-clock limit (`timeLimitMs`, measured with `clock`, default
 * performance.now) is a safety stop: at it the construction or the search stops and the best
 * assignment found so far is returned, marked `timeLimited` (it may be infeasible if the
 * construction had not finished). It never throws for time.
 */
import { createRng } from '../../model/random.js'
import { defaultClock } from '../budget.js'
import { evaluateAssignment, type AssignmentProblem, type AssignmentSolution } from './problem.js'

export interface AssignOptions {
  seed?: number
  /** LP values per arc (in units): whole units are placed there first, and guided arcs stay candidates. */
  guide?: ArrayLike<number>
  /** Key per arc ranking where an item should go, lower first (e.g. LP reduced costs); default its cost. */
  rank?: ArrayLike<number>
  /** Arcs per item the moves consider (best by rank; guided arcs always). Default 8. */
  candidates?: number
  /** Tabu-search iterations at most. Default 200 + 20 × units. */
  rounds?: number
  /**
   * Moves evaluated at most, summed over iterations (a deterministic measure of effort: about
   * 15 million a second on a 2024 server core). Default 5 million.
   */
  effort?: number
  /** Stop after this many iterations without a better assignment. Default: 8 restarts' worth. */
  stall?: number
  /** Stop as soon as a feasible assignment costs at most this (e.g. an LP bound rounded up). */
  lowerBound?: number
  /** Safety stop in ms, measured with `clock`: past it the best assignment so far is returned, `timeLimited`. */
  timeLimitMs?: number
  /** Clock in ms; default performance.now when `timeLimitMs` is set. */
  clock?: () => number
}

const EPS = 1e-9

export function solveCapacitatedAssignment(p: AssignmentProblem, opts: AssignOptions = {}): AssignmentSolution {
  const { nItems, nAgents } = p
  const rng = createRng(opts.seed ?? 1)
  const rank = opts.rank ?? p.arcCost
  const clock = opts.clock ?? (opts.timeLimitMs !== undefined ? defaultClock : undefined)
  const deadline = clock && opts.timeLimitMs !== undefined ? clock() + opts.timeLimitMs : Infinity
  let timeLimited = false
  const overTime = () => {
    if (!timeLimited && clock !== undefined && deadline !== Infinity && clock() >= deadline) timeLimited = true
    return timeLimited
  }

  // ---- indexes -------------------------------------------------------------------------------
  const arcOf = new Int32Array(nItems * nAgents).fill(-1)
  for (let i = 0; i < nItems; i++) for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) arcOf[i * nAgents + p.arcAgent[e]] = e
  const k = opts.candidates ?? 8
  const candStart = new Int32Array(nItems + 1)
  const candList: number[] = []
  for (let i = 0; i < nItems; i++) {
    const arcs: number[] = []
    for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) arcs.push(e)
    arcs.sort((x, y) => rank[x] - rank[y] || p.arcAgent[x] - p.arcAgent[y])
    const keep = arcs.filter((e, idx) => idx < k || (opts.guide !== undefined && opts.guide[e] > EPS))
    for (const e of keep) candList.push(e)
    candStart[i + 1] = candList.length
  }
  const cand = Int32Array.from(candList)

  let nUnits = 0
  for (let i = 0; i < nItems; i++) nUnits += p.count[i]
  const unitItem = new Int32Array(nUnits)
  for (let i = 0, u = 0; i < nItems; i++) for (let c = 0; c < p.count[i]; c++) unitItem[u++] = i
  const unitArc = new Int32Array(nUnits).fill(-1)
  // Units per agent as swap-remove lists.
  const agentUnits = new Int32Array(nAgents * Math.max(1, nUnits))
  const agentSize = new Int32Array(nAgents)
  const unitPos = new Int32Array(nUnits).fill(-1)
  const load = new Float64Array(nAgents)
  const cap = p.capacity
  const optional = (i: number) => p.unassignedCost[i] !== Infinity

  let cost = 0
  let overload = 0
  const over = (l: number, a: number) => (l > cap[a] + EPS ? l - cap[a] : 0)

  const place = (u: number, e: number) => {
    const i = unitItem[u]
    if (unitArc[u] >= 0) {
      const old = unitArc[u], a = p.arcAgent[old]
      overload -= over(load[a], a)
      load[a] -= p.arcWeight[old]
      overload += over(load[a], a)
      cost -= p.arcCost[old]
      const pos = unitPos[u], last = agentUnits[a * nUnits + --agentSize[a]]
      agentUnits[a * nUnits + pos] = last
      unitPos[last] = pos
      unitPos[u] = -1
    } else if (optional(i)) cost -= p.unassignedCost[i]
    unitArc[u] = e
    if (e >= 0) {
      const a = p.arcAgent[e]
      overload -= over(load[a], a)
      load[a] += p.arcWeight[e]
      overload += over(load[a], a)
      cost += p.arcCost[e]
      unitPos[u] = agentSize[a]
      agentUnits[a * nUnits + agentSize[a]++] = u
    } else if (optional(i)) cost += p.unassignedCost[i]
  }

  // ---- construction ----------------------------------------------------------------------------
  for (let u = 0; u < nUnits; u++) if (optional(unitItem[u])) cost += p.unassignedCost[unitItem[u]]
  const firstUnit = new Int32Array(nItems + 1)
  for (let i = 0; i < nItems; i++) firstUnit[i + 1] = firstUnit[i] + p.count[i]
  const nextFree = Int32Array.from(firstUnit.subarray(0, nItems))
  if (opts.guide) {
    // Whole LP units first, biggest LP values first.
    const arcs = Array.from({ length: p.arcAgent.length }, (_, e) => e).filter((e) => opts.guide![e] >= 1 - 1e-6)
    arcs.sort((x, y) => opts.guide![y] - opts.guide![x] || x - y)
    for (const e of arcs) {
      let i = 0
      while (p.arcStart[i + 1] <= e) i++
      const whole = Math.floor(opts.guide[e] + 1e-6)
      const a = p.arcAgent[e]
      for (let c = 0; c < whole && nextFree[i] < firstUnit[i + 1]; c++) {
        if (load[a] + p.arcWeight[e] > cap[a] + EPS) break
        place(nextFree[i]++, e)
      }
    }
  }
  // Regret greedy for the rest.
  const pending: number[] = []
  for (let i = 0; i < nItems; i++) for (let u = nextFree[i]; u < firstUnit[i + 1]; u++) pending.push(u)
  const unitValue = (i: number, e: number) => rank[e] - (opts.guide ? opts.guide[e] * 1e-9 : 0)
  while (pending.length) {
    // Out of time: the remaining units stay unassigned (the result says it is time-limited).
    if (overTime()) break
    let bestIdx = -1, bestRegret = -Infinity, bestArc = -1
    for (let idx = 0; idx < pending.length; idx++) {
      const i = unitItem[pending[idx]]
      let b1 = Infinity, b2 = Infinity, arc = -1
      for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) {
        const a = p.arcAgent[e]
        if (load[a] + p.arcWeight[e] > cap[a] + EPS) continue
        const v = unitValue(i, e)
        if (v < b1) {
          b2 = b1
          b1 = v
          arc = e
        } else if (v < b2) b2 = v
      }
      if (optional(i)) {
        const v = p.unassignedCost[i]
        if (v < b1) {
          b2 = b1
          b1 = v
          arc = -1
        } else if (v < b2) b2 = v
      }
      const regret = b1 === Infinity ? Infinity : b2 - b1
      if (regret > bestRegret) {
        bestRegret = regret
        bestIdx = idx
        bestArc = arc
      }
    }
    const u = pending[bestIdx]
    pending[bestIdx] = pending[pending.length - 1]
    pending.pop()
    const i = unitItem[u]
    if (bestArc >= 0) place(u, bestArc)
    else if (!optional(i)) {
      // Nothing fits: take the arc that overloads least; the search repairs it.
      let e0 = -1, least = Infinity
      for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) {
        const a = p.arcAgent[e]
        const o = load[a] + p.arcWeight[e] - cap[a]
        if (o < least) {
          least = o
          e0 = e
        }
      }
      if (e0 >= 0) place(u, e0)
    }
  }

  // ---- local search ------------------------------------------------------------------------------
  let bestCost = Infinity
  let best: Int32Array | undefined
  const snapshot = () => {
    const arcUnits = new Int32Array(p.arcAgent.length)
    for (let u = 0; u < nUnits; u++) if (unitArc[u] >= 0) arcUnits[unitArc[u]]++
    return arcUnits
  }
  const feasibleNow = () => overload <= EPS && mustAssignedAll()
  const mustAssignedAll = () => {
    for (let u = 0; u < nUnits; u++) if (unitArc[u] < 0 && !optional(unitItem[u])) return false
    return true
  }
  const record = () => {
    if (feasibleNow() && cost < bestCost - EPS) {
      bestCost = cost
      best = snapshot()
    }
  }
  record()
  const lb = opts.lowerBound ?? -Infinity
  const done = () => bestCost <= lb + 1e-7 || overTime()
  if (nUnits === 0 || done()) return finish()

  let meanC = 0, meanW = 0
  for (let e = 0; e < p.arcAgent.length; e++) {
    meanC += Math.abs(p.arcCost[e])
    meanW += p.arcWeight[e]
  }
  const rho0 = p.arcAgent.length ? Math.max(1e-6, meanC / Math.max(meanW, 1e-9)) : 1
  let rho = rho0

  // Tabu search: each iteration applies the best admissible shift or swap on cost + ρ·overload.
  // An item that leaves an agent may not return to it for a few iterations, unless that move
  // yields a better feasible assignment than any so far (aspiration).
  const tabu = new Int32Array(nItems * nAgents)
  const seenArc = new Int32Array(p.arcAgent.length)
  const seenInner = new Int32Array(p.arcAgent.length)
  const seenItem = new Int32Array(nItems)
  let stamp = 0, inner = 0
  const iterations = opts.rounds ?? 200 + 20 * nUnits
  const effort = opts.effort ?? 5e6
  let evaluated = 0
  const restartAfter = Math.max(200, 4 * nUnits)
  const stall = opts.stall ?? 8 * restartAfter
  let lastBest = 0
  let lastImprove = 0
  const overAfter = (l: number, a: number) => (l > cap[a] + EPS ? l - cap[a] : 0)

  const isCand = new Uint8Array(p.arcAgent.length)
  for (let c = 0; c < cand.length; c++) isCand[cand[c]] = 1
  const { arcAgent, arcWeight, arcCost, unassignedCost } = p

  for (let iter = 1; iter <= iterations; iter++) {
    let bestD = Infinity, ties = 0
    let mu = -1, mg = -2, mv = -1, mh = -1
    // Aspiration: a tabu move is allowed when it gives the best feasible assignment yet.
    const allAssigned = mustAssignedAll()
    stamp++
    for (let u = 0; u < nUnits; u++) {
      const i = unitItem[u], e = unitArc[u]
      // Units of one item on one arc are interchangeable: look at one of them.
      if (e >= 0) {
        if (seenArc[e] === stamp) continue
        seenArc[e] = stamp
      } else {
        if (seenItem[i] === stamp) continue
        seenItem[i] = stamp
      }
      const a = e >= 0 ? arcAgent[e] : -1
      const la = a >= 0 ? load[a] : 0
      const capA = a >= 0 ? cap[a] + EPS : 0
      const oa = a >= 0 && la > capA ? la - cap[a] : 0
      const wOut = e >= 0 ? arcWeight[e] : 0
      const cOut = e >= 0 ? arcCost[e] : optional(i) ? unassignedCost[i] : 0
      const oaOut = a >= 0 ? (la - wOut > capA ? la - wOut - cap[a] : 0) - oa : 0
      const tabuRow = i * nAgents
      // shifts (and assigning an unassigned unit)
      evaluated += candStart[i + 1] - candStart[i]
      for (let c = candStart[i]; c < candStart[i + 1]; c++) {
        const g = cand[c]
        if (g === e) continue
        const b = arcAgent[g]
        const lb = load[b], lb2 = lb + arcWeight[g], capB = cap[b] + EPS
        const dOver = oaOut + (lb2 > capB ? lb2 - cap[b] : 0) - (lb > capB ? lb - cap[b] : 0)
        const dCost = arcCost[g] - cOut
        let d = dCost + rho * dOver
        if (tabu[tabuRow + b] > iter) {
          if (!(allAssigned && overload + dOver <= EPS && cost + dCost < bestCost - EPS)) continue
          d -= 1e12
        }
        if (d < bestD - EPS) {
          bestD = d
          ties = 1
          mu = u
          mg = g
          mv = -1
        } else if (d <= bestD + EPS && rng.int(++ties) === 0) {
          mu = u
          mg = g
          mv = -1
        }
      }
      if (e < 0) continue
      if (optional(i)) {
        const dCost = unassignedCost[i] - cOut
        const d = dCost + rho * oaOut
        if (d < bestD - EPS) {
          bestD = d
          ties = 1
          mu = u
          mg = -1
          mv = -1
        }
      }
      // Swaps with units of other items, both moving to one of their candidate arcs; each pair once.
      for (let c = candStart[i]; c < candStart[i + 1]; c++) {
        const g = cand[c]
        const b = arcAgent[g]
        if (b === a) continue
        const tabuIn = tabu[tabuRow + b] > iter
        const lb = load[b], capB = cap[b] + EPS
        const ob = lb > capB ? lb - cap[b] : 0
        const lbIn = lb + arcWeight[g]
        const laOut = la - wOut
        inner++
        const base = b * nUnits
        evaluated += agentSize[b]
        for (let s2 = 0; s2 < agentSize[b]; s2++) {
          const v = agentUnits[base + s2]
          const f = unitArc[v]
          if (f <= e || seenInner[f] === inner) continue
          seenInner[f] = inner
          const j = unitItem[v]
          if (j === i) continue
          const h = arcOf[j * nAgents + a]
          if (h < 0 || isCand[h] === 0) continue
          const na = laOut + arcWeight[h], nb = lbIn - arcWeight[f]
          const dOver = (na > capA ? na - cap[a] : 0) - oa + (nb > capB ? nb - cap[b] : 0) - ob
          const dCost = arcCost[g] + arcCost[h] - cOut - arcCost[f]
          let d = dCost + rho * dOver
          if (tabuIn || tabu[j * nAgents + a] > iter) {
            if (!(allAssigned && overload + dOver <= EPS && cost + dCost < bestCost - EPS)) continue
            d -= 1e12
          }
          if (d < bestD - EPS) {
            bestD = d
            ties = 1
            mu = u
            mg = g
            mv = v
            mh = h
          } else if (d <= bestD + EPS && rng.int(++ties) === 0) {
            mu = u
            mg = g
            mv = v
            mh = h
          }
        }
      }
    }
    if (mu < 0) break
    const tenure = () => iter + 3 + rng.int(Math.max(2, Math.ceil(nAgents / 2)))
    const iu = unitItem[mu], eu = unitArc[mu]
    if (eu >= 0) tabu[iu * nAgents + p.arcAgent[eu]] = tenure()
    if (mv >= 0) {
      const iv = unitItem[mv]
      tabu[iv * nAgents + p.arcAgent[unitArc[mv]]] = tenure()
      place(mu, mg)
      place(mv, mh)
    } else place(mu, mg)
    const before = bestCost
    record()
    if (bestCost < before) lastImprove = lastBest = iter
    if (done() || evaluated >= effort || iter - lastBest > stall) break
    rho = overload > EPS ? Math.min(rho * 1.1, rho0 * 1e6) : Math.max(rho0 / 16, rho / 1.1)
    if (iter - lastImprove > restartAfter && best) {
      restore(best)
      tabu.fill(0)
      lastImprove = iter
    }
  }
  return finish()

  function restore(arcUnits: Int32Array) {
    for (let u = 0; u < nUnits; u++) if (unitArc[u] >= 0) place(u, -1)
    const next = Int32Array.from(firstUnit.subarray(0, nItems))
    for (let i = 0; i < nItems; i++)
      for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) for (let c = 0; c < arcUnits[e]; c++) place(next[i]++, e)
  }

  function finish(): AssignmentSolution {
    const sol = evaluateAssignment(p, best ?? snapshot())
    if (timeLimited) sol.timeLimited = true
    return sol
  }
}
