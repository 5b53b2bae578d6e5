/**
 * Sparse bipartite maximum-weight b-matching, exact.
 *
 * Left nodes (waiting citizens) take at most one right node (a free slot, or a slot group with a
 * capacity); right node j takes at most `capacity[j]` left nodes (default 1). Every edge
 * (left, right, weight) is an allowed pair; weight > 0 is the benefit of matching it. A left node
 * may stay unmatched when that is better, so the result is a maximum-weight matching, not
 * necessarily a maximum-cardinality one. Edges with weight ≤ 0 can never help and are ignored.
 *
 * As a min-cost flow: source → left (cap 1, cost 0), left → right (cap 1, cost −w),
 * right → sink (cap c_j, cost 0), flow value free. The algorithm is successive shortest paths
 * with Johnson potentials and a binary heap, organised like the Hungarian method: nodes of one
 * side enter one at a time, and after each entry the matching is optimal for the nodes seen so
 * far, with dual variables that prove it (described here with the left side entering). The
 * duals are the LP duals of
 *
 *   max Σ_e w_e x_e   s.t.  Σ_{e∋i} x_e ≤ 1,  Σ_{e∋j} x_e ≤ c_j,  x ≥ 0
 *   min Σ_i y_i + Σ_j c_j z_j   s.t.  y_i + z_j ≥ w_e (e = ij),  y, z ≥ 0
 *
 * (the constraint matrix is totally unimodular, so the LP optimum is integral). Invariants:
 * y, z ≥ 0 and y_i + z_j ≥ w_ij on the edges of entered nodes; matched edges tight; y_i > 0 only
 * on matched left nodes, z_j > 0 only on full right nodes. On entry, node i gets
 * y_i = max(0, max_j w_ij − z_j). If that is 0 it stays unmatched; if its best edge leads to a
 * right node with room, it takes it (tight); otherwise a Dijkstra from i over the reduced costs
 * y_i' + z_j − w_i'j ≥ 0 (matched edges cost 0, right → its matched left nodes) finds the
 * cheapest way to end the alternating path: at a right node with room (cost = distance), or by
 * dropping a matched left node x (cost = distance + y_x, which brings y_x to 0). The Dijkstra
 * stops as soon as nothing in the heap can beat the best end found; the potentials of the
 * settled nodes move by (δ − distance), which keeps every invariant, and the path flips.
 *
 * The same loop runs from either side (the problem is symmetric once right capacities are split
 * into units: no left node can take two units of one right node, since it takes one unit at
 * most). By default the side with fewer entries enters — on a waitlist usually the free slots,
 * far fewer than the people waiting, which makes most entries a fast path. Entering by units,
 * the unit duals are folded back into one z_j per right node (the minimum over its units; a
 * left node on a unit with a larger dual takes the difference), which keeps the certificate.
 *
 * Complexity O(n·(E + V log V)) worst case (n = entries); in practice most entries take the
 * fast path or a short search. Solver code: typed arrays, no allocation in the loops,
 * deterministic (the result is a function of the input arrays, their order and the options).
 */
import { deadlinePoll, timeoutError, type Clock } from '../budget.js'
import { IndexedMinHeap } from './heap.js'

export interface BipartiteMatchingProblem {
  nLeft: number
  nRight: number
  /** Edge e joins left `edgeLeft[e]` and right `edgeRight[e]` with benefit `edgeWeight[e]`. */
  edgeLeft: ArrayLike<number>
  edgeRight: ArrayLike<number>
  edgeWeight: ArrayLike<number>
  /** How many left nodes right node j can take (non-negative integer, default 1 each). */
  rightCapacity?: ArrayLike<number>
}

export interface BipartiteMatchingResult {
  /** Right node of each left node, −1 when unmatched. */
  rightOfLeft: Int32Array
  /** Edge (index into the problem's arrays) used by each left node, −1 when unmatched. */
  edgeOfLeft: Int32Array
  /** Left nodes taken by each right node. */
  load: Int32Array
  /** Σ weights of the chosen edges. */
  weight: number
  matched: number
  /** Dual certificate: left duals y ≥ 0. */
  yLeft: Float64Array
  /** Dual certificate: right duals z ≥ 0. */
  zRight: Float64Array
  /** Σ y + Σ c·z: an upper bound on every matching's weight; equal to `weight` at the optimum. */
  dualBound: number
  /** How many entries needed a shortest-path search, and how many nodes those searches settled. */
  stats: { entered: 'left' | 'right'; searches: number; settled: number }
}

/** Validates the problem and returns the capacities as an Int32Array. */
function checkProblem(p: BipartiteMatchingProblem): Int32Array {
  const { nLeft, nRight, edgeLeft, edgeRight, edgeWeight } = p
  if (!Number.isInteger(nLeft) || !Number.isInteger(nRight) || nLeft < 0 || nRight < 0) throw new RangeError(`matching: bad sizes ${nLeft}, ${nRight}`)
  const e = edgeLeft.length
  if (edgeRight.length !== e || edgeWeight.length !== e) throw new RangeError(`matching: edge arrays differ in length (${e}, ${edgeRight.length}, ${edgeWeight.length})`)
  for (let k = 0; k < e; k++) {
    const l = edgeLeft[k], r = edgeRight[k], w = edgeWeight[k]
    if (!Number.isInteger(l) || l < 0 || l >= nLeft) throw new RangeError(`matching: edge ${k} has left node ${l} outside 0..${nLeft - 1}`)
    if (!Number.isInteger(r) || r < 0 || r >= nRight) throw new RangeError(`matching: edge ${k} has right node ${r} outside 0..${nRight - 1}`)
    if (!Number.isFinite(w)) throw new RangeError(`matching: edge ${k} has weight ${w}`)
  }
  const cap = new Int32Array(nRight)
  if (p.rightCapacity === undefined) cap.fill(1)
  else {
    if (p.rightCapacity.length !== nRight) throw new RangeError(`matching: rightCapacity has ${p.rightCapacity.length} entries, needs ${nRight}`)
    for (let j = 0; j < nRight; j++) {
      const c = p.rightCapacity[j]
      if (!(c >= 0) || (!Number.isInteger(c) && c !== Infinity)) throw new RangeError(`matching: rightCapacity[${j}] = ${c}`)
      cap[j] = Math.min(c, nLeft)
    }
  }
  return cap
}

export interface MatchingOptions {
  /**
   * Which side enters one node at a time: `left`, `right` (each unit of a right node's capacity
   * enters as its own node), or `auto` (default): the side with fewer entries. Both give an
   * optimal matching with a certificate; they may differ among equally good matchings.
   */
  enter?: 'left' | 'right' | 'auto'
  /**
   * Wall-clock budget in ms, checked between entering nodes; past it the call throws
   * TerminplanError('TIMEOUT'). The matching is exact: a partial one would be optimal only for the
   * nodes entered so far, and its duals no bound, so there is no best-so-far. Default: none.
   */
  timeLimitMs?: number
  /** Clock for the budget (ms), default performance.now. */
  clock?: Clock
}

interface CoreResult {
  /** CSR position of the edge used by each entering node, −1 when unmatched. */
  matchQ: Int32Array
  yA: Float64Array
  zB: Float64Array
  searches: number
  settled: number
}

/**
 * The Hungarian-style successive-shortest-path loop. Side A nodes (capacity 1) enter in index
 * order; A node a's edges are CSR positions aBegin[a] .. aEnd[a] − 1 into adjB/adjW. B node b
 * takes at most capB[b] A nodes (callers clamp capB to b's in-degree, so slots fit in E).
 */
function hungarianCore(nA: number, aBegin: Int32Array, aEnd: Int32Array, nB: number, capB: Int32Array, adjB: Int32Array, adjW: Float64Array, expired: (now?: boolean) => boolean, limitMs?: number): CoreResult {
  const core = new HungarianCore(nA, aBegin, aEnd, nB, capB, adjB, adjW)
  for (let root = 0; root < nA; root++) {
    if (expired()) throw timeoutError('the maximum-weight matching', limitMs!, 'timeLimitMs')
    core.enter(root)
  }
  return { matchQ: core.matchQ, yA: core.y, zB: core.z, searches: core.searches, settled: core.settledTotal }
}

/** State of `hungarianCore`, split into small methods so the JIT optimises each hot loop early. */
class HungarianCore {
  // Slots: B node b holds its matched A nodes in slots[slotStart[b] .. + load[b]).
  readonly slotStart: Int32Array
  readonly slots: Int32Array
  readonly slotOf: Int32Array
  readonly load: Int32Array
  readonly matchQ: Int32Array
  readonly matchB: Int32Array
  readonly y: Float64Array
  readonly z: Float64Array
  // Search state. Node ids: A node a → a, B node b → nA + b.
  readonly dist: Float64Array
  readonly settled: Uint8Array
  readonly settledList: Int32Array
  readonly touched: Int32Array
  /** A node that reached B node b, and through which CSR position. */
  readonly predA: Int32Array
  readonly predQ: Int32Array
  readonly heap: IndexedMinHeap
  searches = 0
  settledTotal = 0

  constructor(
    readonly nA: number,
    readonly aBegin: Int32Array,
    readonly aEnd: Int32Array,
    readonly nB: number,
    readonly capB: Int32Array,
    readonly adjB: Int32Array,
    readonly adjW: Float64Array,
  ) {
    this.slotStart = new Int32Array(nB + 1)
    for (let b = 0; b < nB; b++) this.slotStart[b + 1] = this.slotStart[b] + capB[b]
    this.slots = new Int32Array(this.slotStart[nB])
    this.slotOf = new Int32Array(nA).fill(-1)
    this.load = new Int32Array(nB)
    this.matchQ = new Int32Array(nA).fill(-1)
    this.matchB = new Int32Array(nA).fill(-1)
    this.y = new Float64Array(nA)
    this.z = new Float64Array(nB)
    const nNodes = nA + nB
    this.dist = new Float64Array(nNodes).fill(Infinity)
    this.settled = new Uint8Array(nNodes)
    this.settledList = new Int32Array(nNodes)
    this.touched = new Int32Array(nNodes)
    this.predA = new Int32Array(nB)
    this.predQ = new Int32Array(nB)
    this.heap = new IndexedMinHeap(nNodes, this.dist)
  }

  /** Node `root` enters: y_root = max(0, max_b w − z_b); among the best, prefer a B node with room. */
  enter(root: number): void {
    const { adjB, adjW, z, load, capB } = this
    let best = 0, bestQ = -1
    for (let q = this.aBegin[root], end = this.aEnd[root]; q < end; q++) {
      const b = adjB[q]
      const g = adjW[q] - z[b]
      if (g > best || (g === best && bestQ >= 0 && load[b] < capB[b] && load[adjB[bestQ]] >= capB[adjB[bestQ]])) {
        best = g
        bestQ = q
      }
    }
    if (bestQ < 0) return // nothing worth taking: unmatched, y = 0
    this.y[root] = best
    const bb = adjB[bestQ]
    if (load[bb] < capB[bb]) this.attach(root, bb, bestQ) // z = 0 on a B node with room: tight
    else this.search(root, best)
  }

  /**
   * Dijkstra from root over the reduced costs. A path ends at a B node with room (cost = its
   * distance) or by dropping a settled A node x (cost = distance + y_x, which brings y_x to 0);
   * dropping the root itself costs y_root. Then potentials move and the path flips.
   */
  private search(root: number, yRoot: number): void {
    const { nA, aBegin, aEnd, adjB, adjW, y, z, load, capB, dist, settled, settledList, touched, predA, predQ, heap, slots, slotStart } = this
    this.searches++
    let nTouched = 0, nSettled = 0
    let endCost = yRoot
    let endB = -1, endDrop = root
    dist[root] = 0
    touched[nTouched++] = root
    heap.pushOrDecrease(root)
    while (heap.size > 0 && heap.peekKey() < endCost) {
      const x = heap.pop()
      const dx = dist[x]
      settled[x] = 1
      settledList[nSettled++] = x
      if (x < nA) {
        const yx = y[x]
        if (x !== root && dx + yx < endCost) {
          endCost = dx + yx
          endB = -1
          endDrop = x
        }
        for (let q = aBegin[x], end = aEnd[x]; q < end; q++) {
          const b = adjB[q]
          const node = nA + b
          if (settled[node]) continue
          let r = yx + z[b] - adjW[q]
          if (r < 0) r = 0 // rounding only: reduced costs are ≥ 0
          const nd = dx + r
          if (nd < dist[node]) {
            if (dist[node] === Infinity) touched[nTouched++] = node
            dist[node] = nd
            predA[b] = x
            predQ[b] = q
            if (load[b] < capB[b]) {
              if (nd < endCost) {
                endCost = nd
                endB = b
                endDrop = -1
              }
            } else if (nd < endCost) heap.pushOrDecrease(node)
          }
        }
      } else {
        // A full B node: its matched edges are tight, so its A nodes are at the same distance.
        const b = x - nA
        for (let s = slotStart[b], end = s + load[b]; s < end; s++) {
          const a = slots[s]
          if (!settled[a] && dx < dist[a]) {
            if (dist[a] === Infinity) touched[nTouched++] = a
            dist[a] = dx
            heap.pushOrDecrease(a)
          }
        }
      }
    }
    heap.clear()
    this.settledTotal += nSettled

    // Potentials: settled nodes move by δ − distance (δ = endCost ≥ every settled distance).
    for (let k = 0; k < nSettled; k++) {
      const x = settledList[k]
      const shift = endCost - dist[x]
      if (x < nA) {
        const v = y[x] - shift
        y[x] = v > 0 ? v : 0
      } else z[x - nA] += shift
    }
    this.flip(root, endB, endDrop)
    for (let k = 0; k < nTouched; k++) {
      const x = touched[k]
      dist[x] = Infinity
      settled[x] = 0
    }
  }

  /** Flips the alternating path from its end (a B node with room, or a dropped A node) back to root. */
  private flip(root: number, endB: number, endDrop: number): void {
    const { predA, predQ, matchB } = this
    let b = endB
    if (endDrop >= 0) {
      this.y[endDrop] = 0
      if (endDrop !== root) {
        b = matchB[endDrop]
        this.detach(endDrop)
      }
    }
    while (b >= 0) {
      const a = predA[b]
      const old = matchB[a]
      if (old >= 0) this.detach(a)
      this.attach(a, b, predQ[b])
      b = a === root ? -1 : old
    }
  }

  private detach(a: number): void {
    const b = this.matchB[a]
    const s = this.slotOf[a]
    const last = this.slots[this.slotStart[b] + --this.load[b]]
    this.slots[s] = last
    this.slotOf[last] = s
    this.slotOf[a] = -1
    this.matchB[a] = -1
    this.matchQ[a] = -1
  }

  private attach(a: number, b: number, q: number): void {
    const s = this.slotStart[b] + this.load[b]++
    this.slots[s] = a
    this.slotOf[a] = s
    this.matchB[a] = b
    this.matchQ[a] = q
  }
}

/** Maximum-weight bipartite b-matching with its dual certificate. See the module comment. */
export function maxWeightBipartiteMatching(p: BipartiteMatchingProblem, options: MatchingOptions = {}): BipartiteMatchingResult {
  const expired = deadlinePoll(options.clock, options.timeLimitMs, 16)
  const phase = () => {
    if (expired(true)) throw timeoutError('the maximum-weight matching', options.timeLimitMs!, 'timeLimitMs')
  }
  const capIn = checkProblem(p)
  phase()
  const { nLeft, nRight, edgeLeft, edgeRight, edgeWeight } = p
  const nEdges = edgeLeft.length

  // Only edges with weight > 0 can help. Capacity beyond a right node's in-degree is never used.
  const degL = new Int32Array(nLeft)
  const degR = new Int32Array(nRight)
  for (let k = 0; k < nEdges; k++) {
    if (edgeWeight[k] > 0) {
      degL[edgeLeft[k]]++
      degR[edgeRight[k]]++
    }
  }
  const capR = new Int32Array(nRight)
  let units = 0
  for (let j = 0; j < nRight; j++) units += capR[j] = Math.min(capIn[j], degR[j])
  phase()
  const enter = options.enter ?? 'auto'
  const fromRight = enter === 'right' || (enter === 'auto' && units < nLeft)

  // CSR of the useful edges from the entering side, in input order.
  const nSide = fromRight ? nRight : nLeft
  const start = new Int32Array(nSide + 1)
  const deg = fromRight ? degR : degL
  for (let s = 0; s < nSide; s++) start[s + 1] = start[s] + deg[s]
  const m = start[nSide]
  const adjOther = new Int32Array(m)
  const adjW = new Float64Array(m)
  const adjE = new Int32Array(m)
  const fill = start.slice(0, nSide)
  for (let k = 0; k < nEdges; k++) {
    const w = edgeWeight[k]
    if (!(w > 0)) continue
    const q = fromRight ? fill[edgeRight[k]]++ : fill[edgeLeft[k]]++
    adjOther[q] = fromRight ? edgeLeft[k] : edgeRight[k]
    adjW[q] = w
    adjE[q] = k
  }

  phase()
  const rightOfLeft = new Int32Array(nLeft).fill(-1)
  const edgeOfLeft = new Int32Array(nLeft).fill(-1)
  const load = new Int32Array(nRight)
  const yLeft = new Float64Array(nLeft)
  const zRight = new Float64Array(nRight)
  let core: CoreResult
  if (!fromRight) {
    core = hungarianCore(nLeft, start.subarray(0, nLeft), start.subarray(1), nRight, capR, adjOther, adjW, expired, options.timeLimitMs)
    for (let i = 0; i < nLeft; i++) {
      const q = core.matchQ[i]
      if (q >= 0) {
        rightOfLeft[i] = adjOther[q]
        edgeOfLeft[i] = adjE[q]
        load[adjOther[q]]++
      }
    }
    yLeft.set(core.yA)
    zRight.set(core.zB)
  } else {
    // Each unit of right capacity enters as its own node; units of node j share j's edges.
    // No left node can take two units of j, since a left node takes one unit at most.
    const aBegin = new Int32Array(units), aEnd = new Int32Array(units)
    const firstUnit = new Int32Array(nRight + 1)
    for (let j = 0, u = 0; j < nRight; j++) {
      for (let k = 0; k < capR[j]; k++, u++) {
        aBegin[u] = start[j]
        aEnd[u] = start[j + 1]
      }
      firstUnit[j + 1] = u
    }
    const capL = new Int32Array(nLeft)
    for (let i = 0; i < nLeft; i++) capL[i] = degL[i] > 0 ? 1 : 0
    core = hungarianCore(units, aBegin, aEnd, nLeft, capL, adjOther, adjW, expired, options.timeLimitMs)
    // Back to one dual per right node: z_j = min over its units (0 if any unit is free, since a
    // free unit has dual 0), and a left node matched to a unit with a larger dual takes the
    // difference. Feasibility and the dual objective are unchanged (Σ_k z_jk = c_j z_j + shifts).
    for (let j = 0; j < nRight; j++) {
      let zj = Infinity
      for (let u = firstUnit[j]; u < firstUnit[j + 1]; u++) if (core.yA[u] < zj) zj = core.yA[u]
      zRight[j] = capR[j] > 0 ? zj : 0
    }
    yLeft.set(core.zB)
    for (let j = 0; j < nRight; j++) {
      for (let u = firstUnit[j]; u < firstUnit[j + 1]; u++) {
        const q = core.matchQ[u]
        if (q < 0) continue
        const i = adjOther[q]
        rightOfLeft[i] = j
        edgeOfLeft[i] = adjE[q]
        load[j]++
        yLeft[i] += core.yA[u] - zRight[j]
      }
    }
  }
  // A right node whose capacity exceeds its in-degree can only be "full" with every neighbour
  // matched to it; move its dual onto those neighbours so the bound uses the given capacity.
  if (p.rightCapacity !== undefined) {
    const moved = new Float64Array(nRight)
    let any = false
    for (let j = 0; j < nRight; j++) {
      if (zRight[j] > 0 && p.rightCapacity[j] > capR[j]) {
        moved[j] = zRight[j]
        zRight[j] = 0
        any = true
      }
    }
    if (any) for (let i = 0; i < nLeft; i++) if (rightOfLeft[i] >= 0) yLeft[i] += moved[rightOfLeft[i]]
  }

  // A right node of capacity 0 costs nothing in the bound, so its z can cover all its edges.
  for (let k = 0; k < nEdges; k++) {
    const j = edgeRight[k]
    if (capIn[j] === 0) {
      const need = edgeWeight[k] - yLeft[edgeLeft[k]]
      if (need > zRight[j]) zRight[j] = need
    }
  }

  let weight = 0, matched = 0
  for (let i = 0; i < nLeft; i++) {
    const e = edgeOfLeft[i]
    if (e >= 0) {
      weight += edgeWeight[e]
      matched++
    }
  }
  let dualBound = 0
  for (let i = 0; i < nLeft; i++) dualBound += yLeft[i]
  for (let j = 0; j < nRight; j++) if (zRight[j] > 0 && capR[j] > 0) dualBound += capR[j] * zRight[j]
  return { rightOfLeft, edgeOfLeft, load, weight, matched, yLeft, zRight, dualBound, stats: { entered: fromRight ? 'right' : 'left', searches: core.searches, settled: core.settled } }
}

export interface MatchingCheck {
  ok: boolean
  reason?: string
  /** Weight recomputed from the problem's edges. */
  weight: number
  /** Σ y + Σ c·z recomputed. */
  dualBound: number
  /** Largest violation of y ≥ 0, z ≥ 0, y_i + z_j ≥ w_e (0 when none). */
  maxViolation: number
}

/**
 * Checks a matching and its dual certificate against the problem alone: each left node uses at
 * most one edge and that edge is its own, no right node exceeds its capacity, the weight is the
 * sum of the chosen edges, the duals are feasible (y ≥ 0, z ≥ 0, y_i + z_j ≥ w_e on every edge)
 * and Σy + Σ c_j z_j equals the weight. By weak LP duality every matching weighs at most
 * Σy + Σ c_j z_j, so equality proves the matching maximal. `tol` is relative to the largest weight.
 */
export function verifyMatching(p: BipartiteMatchingProblem, edgeOfLeft: ArrayLike<number>, yLeft: ArrayLike<number>, zRight: ArrayLike<number>, tol = 1e-9): MatchingCheck {
  const { nLeft, nRight, edgeLeft, edgeRight, edgeWeight } = p
  const fail = (reason: string, weight = NaN, dualBound = NaN, maxViolation = NaN): MatchingCheck => ({ ok: false, reason, weight, dualBound, maxViolation })
  if (edgeOfLeft.length !== nLeft || yLeft.length !== nLeft || zRight.length !== nRight) return fail('lengths do not match the problem')
  const capOf = (j: number) => (p.rightCapacity === undefined ? 1 : p.rightCapacity[j])
  const load = new Float64Array(nRight)
  let weight = 0, scale = 1
  for (let k = 0; k < edgeWeight.length; k++) scale = Math.max(scale, Math.abs(edgeWeight[k]))
  for (let i = 0; i < nLeft; i++) {
    const e = edgeOfLeft[i]
    if (e === -1) continue
    if (!Number.isInteger(e) || e < 0 || e >= edgeLeft.length) return fail(`left ${i} uses edge ${e}, which does not exist`)
    if (edgeLeft[e] !== i) return fail(`left ${i} uses edge ${e} of left ${edgeLeft[e]}`)
    const j = edgeRight[e]
    if (++load[j] > capOf(j)) return fail(`right ${j} takes more than its capacity ${capOf(j)}`)
    weight += edgeWeight[e]
  }
  const eps = tol * scale
  let maxViolation = 0, dualBound = 0
  for (let i = 0; i < nLeft; i++) {
    const v = yLeft[i]
    if (!Number.isFinite(v)) return fail(`y[${i}] = ${v}`, weight)
    if (-v > maxViolation) maxViolation = -v
    dualBound += v
  }
  for (let j = 0; j < nRight; j++) {
    const v = zRight[j]
    if (!Number.isFinite(v)) return fail(`z[${j}] = ${v}`, weight)
    if (-v > maxViolation) maxViolation = -v
    if (v !== 0) dualBound += capOf(j) * v
  }
  for (let e = 0; e < edgeLeft.length; e++) {
    const viol = edgeWeight[e] - yLeft[edgeLeft[e]] - zRight[edgeRight[e]]
    if (viol > maxViolation) maxViolation = viol
  }
  if (maxViolation > eps) return fail(`dual infeasible by ${maxViolation}`, weight, dualBound, maxViolation)
  if (Math.abs(dualBound - weight) > eps * Math.max(1, nLeft)) return fail(`duality gap ${dualBound - weight}`, weight, dualBound, maxViolation)
  return { ok: true, weight, dualBound, maxViolation }
}

/**
 * Optimality check that needs no duals: looks for a negative-cost cycle in the residual graph of
 * the matching's flow (source → left → right → sink, plus sink ⇄ source so the flow value is
 * free), by Bellman–Ford. The matching is maximum-weight iff no such cycle exists; a cycle found
 * is an exchange that gains `gain`. O(V·E): for small instances (tests, diagnostics).
 */
export function findImprovingCycle(p: BipartiteMatchingProblem, edgeOfLeft: ArrayLike<number>, tol = 1e-9): { gain: number; nodes: number[] } | null {
  const { nLeft, nRight, edgeLeft, edgeRight, edgeWeight } = p
  const S = nLeft + nRight, T = S + 1, nNodes = T + 1
  const capOf = (j: number) => (p.rightCapacity === undefined ? 1 : p.rightCapacity[j])
  const load = new Int32Array(nRight)
  const usedEdge = new Uint8Array(edgeLeft.length)
  let flow = 0
  for (let i = 0; i < nLeft; i++) {
    const e = edgeOfLeft[i]
    if (e >= 0) {
      usedEdge[e] = 1
      load[edgeRight[e]]++
      flow++
    }
  }
  // Residual arcs.
  const from: number[] = [], to: number[] = [], cost: number[] = []
  const arc = (a: number, b: number, c: number) => {
    from.push(a)
    to.push(b)
    cost.push(c)
  }
  for (let i = 0; i < nLeft; i++) {
    if (edgeOfLeft[i] >= 0) arc(i, S, 0)
    else arc(S, i, 0)
  }
  for (let e = 0; e < edgeLeft.length; e++) {
    const l = edgeLeft[e], r = nLeft + edgeRight[e]
    if (usedEdge[e]) arc(r, l, edgeWeight[e])
    else arc(l, r, -edgeWeight[e])
  }
  for (let j = 0; j < nRight; j++) {
    if (load[j] < capOf(j)) arc(nLeft + j, T, 0)
    if (load[j] > 0) arc(T, nLeft + j, 0)
  }
  arc(T, S, 0)
  if (flow > 0) arc(S, T, 0)

  let scale = 1
  for (let k = 0; k < edgeWeight.length; k++) scale = Math.max(scale, Math.abs(edgeWeight[k]))
  const eps = tol * scale
  const d = new Float64Array(nNodes)
  const pred = new Int32Array(nNodes).fill(-1)
  let last = -1
  for (let round = 0; round < nNodes; round++) {
    last = -1
    for (let a = 0; a < from.length; a++) {
      const nd = d[from[a]] + cost[a]
      if (nd < d[to[a]] - eps) {
        d[to[a]] = nd
        pred[to[a]] = a
        last = to[a]
      }
    }
    if (last < 0) return null
  }
  // `last` was relaxed in round nNodes: walk back nNodes arcs to land on the cycle.
  let x = last
  for (let k = 0; k < nNodes; k++) x = from[pred[x]]
  const nodes: number[] = []
  let gain = 0, y = x
  do {
    nodes.push(y)
    const a = pred[y]
    gain -= cost[a]
    y = from[a]
  } while (y !== x)
  nodes.reverse()
  return { gain, nodes }
}
