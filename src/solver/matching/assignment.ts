/**
 * Dense linear assignment: minimise Σ cost[i][col(i)] over injective maps rows → columns.
 *
 * `n` rows, `m ≥ n` columns, the cost matrix row-major in one array (`cost[i * m + j]`).
 * Square (n = m) is the classic assignment problem; rectangular (n < m) assigns every row to a
 * distinct column and leaves m − n columns free. `+Infinity` marks a forbidden pair.
 *
 * Algorithm: shortest augmenting paths with dual potentials (Jonker & Volgenant 1987, in the
 * dense form of Crouse 2016 that SciPy's `linear_sum_assignment` uses), O(n²m) worst case.
 * Start: row reduction u_i = min_j c_ij and a greedy assignment on the zero reduced costs. Then,
 * for each free row, a Dijkstra over columns on the reduced costs c_ij − u_i − v_j ≥ 0 finds the
 * closest free column; the potentials are moved so the path becomes tight, and the path is
 * flipped. Ties prefer a free column, which ends the search early.
 *
 * The result carries its own proof: the duals `u` (rows) and `v` (columns, ≤ 0, 0 on free
 * columns) satisfy u_i + v_j ≤ c_ij for every pair and Σu + Σv = cost. By weak LP duality no
 * assignment costs less (see `verifyAssignment`).
 *
 * Solver code: typed arrays, no allocation inside the loops, deterministic.
 */

export interface AssignmentResult {
  /** Whether every row could be assigned at finite cost. When false the other fields are partial. */
  feasible: boolean
  /** Column of each row (length n), −1 only when infeasible. */
  rowToCol: Int32Array
  /** Row of each column (length m), −1 for a free column. */
  colToRow: Int32Array
  /** Σ cost[i][rowToCol[i]]. */
  cost: number
  /** Row duals. */
  u: Float64Array
  /** Column duals, ≤ 0, and 0 on every free column. */
  v: Float64Array
}

/** Read-only numeric array: a Float64Array or any array-like of numbers. */
export type NumericArray = ArrayLike<number>

function checkMatrix(cost: NumericArray, n: number, m: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 0 || m < 0) throw new RangeError(`assignment: bad dimensions ${n}×${m}`)
  if (n > m) throw new RangeError(`assignment: needs rows ≤ columns, got ${n}×${m} (transpose the matrix)`)
  if (cost.length < n * m) throw new RangeError(`assignment: cost has ${cost.length} entries, needs ${n * m}`)
  for (let k = 0; k < n * m; k++) {
    const c = cost[k]
    if (!(c < Infinity) && c !== Infinity) throw new RangeError(`assignment: cost[${k}] = ${c} (row ${Math.floor(k / m)}, column ${k % m}); costs must be finite or +Infinity`)
    if (c === -Infinity) throw new RangeError(`assignment: cost[${k}] = -Infinity`)
  }
}

/**
 * Solves the (rectangular) linear assignment problem, minimising cost.
 * @param cost row-major n×m matrix (`cost[i * m + j]`), finite or +Infinity (forbidden)
 * @param n rows
 * @param m columns, m ≥ n (default n)
 */
export function solveAssignment(cost: NumericArray, n: number, m: number = n): AssignmentResult {
  checkMatrix(cost, n, m)
  const u = new Float64Array(n)
  const v = new Float64Array(m)
  const rowToCol = new Int32Array(n).fill(-1)
  const colToRow = new Int32Array(m).fill(-1)
  const dist = new Float64Array(m)
  const remaining = new Int32Array(m)
  const scanned = new Int32Array(m)
  const pred = new Int32Array(m)

  // Row reduction and a greedy start: every reduced cost c_ij − u_i is ≥ 0 with v = 0, and a
  // row whose cheapest column is still free takes it (a tight edge).
  for (let i = 0; i < n; i++) {
    const base = i * m
    let best = Infinity, arg = -1
    for (let j = 0; j < m; j++) {
      const c = cost[base + j]
      if (c < best || (c === best && arg >= 0 && colToRow[arg] >= 0 && colToRow[j] < 0)) {
        best = c
        arg = j
      }
    }
    if (arg < 0) return { feasible: false, rowToCol, colToRow, cost: Infinity, u, v }
    u[i] = best
    if (colToRow[arg] < 0) {
      rowToCol[i] = arg
      colToRow[arg] = i
    }
  }

  for (let cur = 0; cur < n; cur++) {
    if (rowToCol[cur] >= 0) continue
    // Dijkstra from row `cur` over the columns.
    for (let j = 0; j < m; j++) {
      dist[j] = Infinity
      remaining[j] = m - 1 - j
    }
    let numRemaining = m, numScanned = 0
    let i = cur, minVal = 0, sink = -1
    while (sink < 0) {
      let lowest = Infinity, index = -1
      const base = i * m, ui = u[i]
      for (let k = 0; k < numRemaining; k++) {
        const j = remaining[k]
        const r = minVal + cost[base + j] - ui - v[j]
        if (r < dist[j]) {
          dist[j] = r
          pred[j] = i
        }
        const d = dist[j]
        if (d < lowest || (d === lowest && colToRow[j] < 0)) {
          lowest = d
          index = k
        }
      }
      if (index < 0 || lowest === Infinity) return { feasible: false, rowToCol, colToRow, cost: Infinity, u, v }
      minVal = lowest
      const j = remaining[index]
      remaining[index] = remaining[--numRemaining]
      if (colToRow[j] < 0) sink = j
      else {
        scanned[numScanned++] = j
        i = colToRow[j]
      }
    }
    // Potentials: every scanned column's edge to its row stays tight, reduced costs stay ≥ 0,
    // and the path from `cur` to `sink` becomes tight.
    u[cur] += minVal
    for (let k = 0; k < numScanned; k++) {
      const j = scanned[k]
      const delta = minVal - dist[j]
      u[colToRow[j]] += delta
      v[j] -= delta
    }
    // Flip the path.
    let j = sink
    for (;;) {
      const r = pred[j]
      colToRow[j] = r
      const next = rowToCol[r]
      rowToCol[r] = j
      if (r === cur) break
      j = next
    }
  }

  let total = 0
  for (let r = 0; r < n; r++) total += cost[r * m + rowToCol[r]]
  return { feasible: true, rowToCol, colToRow, cost: total, u, v }
}

export interface AssignmentCheck {
  ok: boolean
  /** What failed first, for a message. */
  reason?: string
  /** Cost recomputed from the matrix. */
  primal: number
  /** Σu + Σv. */
  dual: number
  /** Largest violation of u_i + v_j ≤ c_ij (0 when none). */
  maxViolation: number
}

/**
 * Checks an assignment and its optimality certificate against the matrix, independently of how
 * they were found: every row has a distinct column in range, the cost recomputed from the
 * matrix, the duals feasible (u_i + v_j ≤ c_ij for all pairs, and v_j ≤ 0 when n < m, since a
 * column may stay free) and Σu + Σv = cost. By weak duality every assignment costs at least
 * Σu + Σv, so equality proves optimality. Tolerance `tol` is relative to the largest used cost.
 */
export function verifyAssignment(cost: NumericArray, n: number, m: number, rowToCol: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, tol = 1e-9): AssignmentCheck {
  const fail = (reason: string, primal = NaN, dual = NaN, maxViolation = NaN): AssignmentCheck => ({ ok: false, reason, primal, dual, maxViolation })
  if (rowToCol.length !== n || u.length !== n || v.length !== m) return fail('lengths do not match the matrix')
  const used = new Uint8Array(m)
  let primal = 0, scale = 1
  for (let i = 0; i < n; i++) {
    const j = rowToCol[i]
    if (!Number.isInteger(j) || j < 0 || j >= m) return fail(`row ${i} has no valid column (${j})`)
    if (used[j]) return fail(`column ${j} is used twice`)
    used[j] = 1
    const c = cost[i * m + j]
    if (!Number.isFinite(c)) return fail(`row ${i} uses the forbidden pair (${i}, ${j})`)
    primal += c
    scale = Math.max(scale, Math.abs(c))
  }
  let dual = 0, maxViolation = 0
  for (let i = 0; i < n; i++) dual += u[i]
  for (let j = 0; j < m; j++) {
    dual += v[j]
    if (n < m) {
      if (v[j] > maxViolation) maxViolation = v[j]
    }
  }
  const eps = tol * scale
  for (let i = 0; i < n; i++) {
    const ui = u[i], base = i * m
    if (!Number.isFinite(ui)) return fail(`u[${i}] is not finite`, primal, dual)
    for (let j = 0; j < m; j++) {
      const viol = ui + v[j] - cost[base + j]
      if (viol > maxViolation) maxViolation = viol
    }
  }
  if (maxViolation > eps) return fail(`dual infeasible by ${maxViolation}`, primal, dual, maxViolation)
  if (Math.abs(primal - dual) > eps * Math.max(1, n)) return fail(`duality gap ${primal - dual}`, primal, dual, maxViolation)
  return { ok: true, primal, dual, maxViolation }
}
