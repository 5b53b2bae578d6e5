/**
 * Dense linear assignment: minimise Σ cost[i][col(i)] over injective maps rows → columns.
 *
 * `n` rows, `m ≥ n` columns, the cost matrix row-major in one array (`cost[i * m + j]`).
 * Square (n = m) is the classic assignment problem; rectangular (n < m) assigns every row to a
 * distinct column and leaves m − n columns free. `+Infinity` marks a forbidden pair.
 *
 * Algorithm: Jonker & Volgenant (1987), LAPJV, O(n²m) worst case, with column potentials v and
 * reduced costs c_ij − u_i − v_j ≥ 0 (u_i = min_j c_ij − v_j):
 *  1. square and no forbidden pair: column reduction (v_j = min_i c_ij, each row takes at most
 *     one column it is the minimum of) and reduction transfer; otherwise v = 0, all rows free;
 *  2. augmenting row reduction, two rounds: a free row takes its best column and lowers that
 *     column's v until its second best is as good, displacing the column's row (which is retried);
 *  3. augmentation: for each row still free, Dijkstra over the columns on the reduced costs,
 *     taking all columns at the current minimum distance at once, until a free column is
 *     reached; settled columns lower v by (minimum − distance) and the path is flipped.
 * In the rectangular case only assigned columns are ever lowered, and they stay assigned, so a
 * free column keeps v = 0 (needed by the dual of "each column at most once").
 *
 * The result carries its own proof: the duals `u` (rows) and `v` (columns; in the rectangular
 * case ≤ 0, and 0 on free columns) satisfy u_i + v_j ≤ c_ij for every pair and Σu + Σv = cost.
 * By weak LP duality no assignment costs less (see `verifyAssignment`).
 *
 * Solver code: typed arrays, no allocation inside the loops, deterministic.
 *
 * Budget: with `options.timeLimitMs` the row reduction and the augmentation check the clock as
 * they go and throw TerminplanError('TIMEOUT') when it is spent (an exact algorithm: a partial
 * assignment would have no proof, so there is no best-so-far). Without it there is no limit
 * (O(n²m) on the input given).
 */
import { deadlinePoll, timeoutError, type Clock } from '../budget.js'

export interface AssignmentOptions {
  /** Wall-clock budget in ms; past it the call throws TIMEOUT. Default: none. */
  timeLimitMs?: number
  /** Clock for the budget (ms), default performance.now. */
  clock?: Clock
}

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
  /** Column duals; when n < m, ≤ 0 and 0 on every free column. */
  v: Float64Array
}

/** Read-only numeric array: a Float64Array or any array-like of numbers. */
export type NumericArray = ArrayLike<number>

function checkDimensions(length: number, n: number, m: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 0 || m < 0) throw new RangeError(`assignment: bad dimensions ${n}×${m}`)
  if (n > m) throw new RangeError(`assignment: needs rows ≤ columns, got ${n}×${m} (transpose the matrix)`)
  if (length < n * m) throw new RangeError(`assignment: cost has ${length} entries, needs ${n * m}`)
}

/**
 * Solves the (rectangular) linear assignment problem, minimising cost.
 * @param matrix row-major n×m costs (`matrix[i * m + j]`), finite or +Infinity (forbidden)
 * @param n rows
 * @param m columns, m ≥ n (default n)
 */
export function solveAssignment(matrix: NumericArray, n: number, m: number = n, options: AssignmentOptions = {}): AssignmentResult {
  const poll = deadlinePoll(options.clock, options.timeLimitMs, 1)
  const expired = () => {
    if (poll()) throw timeoutError('the linear assignment', options.timeLimitMs!, 'timeLimitMs')
  }
  checkDimensions(matrix.length, n, m)
  // One array type in the loops keeps them monomorphic.
  const cost = matrix instanceof Float64Array ? matrix : Float64Array.from({ length: n * m }, (_, k) => matrix[k])
  const finite = checkCosts(cost, n, m)
  const v = new Float64Array(m)
  const u = new Float64Array(n)
  const rowToCol = new Int32Array(n).fill(-1)
  const colToRow = new Int32Array(m).fill(-1)
  if (n === 0) return { feasible: true, rowToCol, colToRow, cost: 0, u, v }
  const free = new Int32Array(n)
  let numFree: number
  if (n === m && finite) numFree = columnReduction(cost, n, v, rowToCol, colToRow, free)
  else {
    // Rectangular (or with forbidden pairs): all v = 0, every row starts free. Free columns keep
    // v = 0 throughout: only assigned columns are ever lowered, and they stay assigned.
    numFree = n
    for (let i = 0; i < n; i++) free[i] = i
  }
  if (finite) numFree = augmentingRowReduction(cost, n, m, v, rowToCol, colToRow, free, numFree, expired)
  if (!augment(cost, m, v, rowToCol, colToRow, free, numFree, expired)) return { feasible: false, rowToCol, colToRow, cost: Infinity, u, v }
  let total = 0
  for (let i = 0; i < n; i++) {
    const j = rowToCol[i]
    const c = cost[i * m + j]
    total += c
    u[i] = c - v[j]
  }
  return { feasible: true, rowToCol, colToRow, cost: total, u, v }
}

/** Rejects NaN and −Infinity; returns whether every cost is finite. */
function checkCosts(cost: Float64Array, n: number, m: number): boolean {
  let finite = true
  for (let k = 0, nm = n * m; k < nm; k++) {
    const c = cost[k]
    if (c !== c || c === -Infinity) throw new RangeError(`assignment: cost[${k}] = ${c} (row ${Math.floor(k / m)}, column ${k % m}); costs must be finite or +Infinity`)
    if (c === Infinity) finite = false
  }
  return finite
}

/**
 * Square, finite: column reduction (v_j = min_i c_ij; a row that is the minimum of several
 * columns keeps the one with the smallest v, scanning columns from the last as in JV) and
 * reduction transfer (a row assigned once lowers its column's v to its second-best reduced
 * cost). Fills `free` with the unassigned rows and returns their number.
 */
function columnReduction(cost: Float64Array, n: number, v: Float64Array, rowToCol: Int32Array, colToRow: Int32Array, free: Int32Array): number {
  const m = n
  const matches = new Int32Array(n)
  for (let j = n - 1; j >= 0; j--) {
    let min = cost[j], imin = 0
    for (let i = 1, k = m + j; i < n; i++, k += m) {
      if (cost[k] < min) {
        min = cost[k]
        imin = i
      }
    }
    v[j] = min
    if (++matches[imin] === 1) {
      rowToCol[imin] = j
      colToRow[j] = imin
    } else if (v[j] < v[rowToCol[imin]]) {
      colToRow[rowToCol[imin]] = -1
      rowToCol[imin] = j
      colToRow[j] = imin
    }
  }
  let numFree = 0
  for (let i = 0; i < n; i++) {
    if (matches[i] === 0) free[numFree++] = i
    else if (matches[i] === 1) {
      const j1 = rowToCol[i], base = i * m
      let min = Infinity
      for (let j = 0; j < m; j++) if (j !== j1 && cost[base + j] - v[j] < min) min = cost[base + j] - v[j]
      if (min < Infinity) v[j1] -= min
    }
  }
  return numFree
}

/**
 * Augmenting row reduction, two rounds (finite costs): a free row takes its best column j1
 * (reduced cost c − v) and lowers v_j1 until its second best is as good; a row it displaces is
 * free again (and retried at once when v moved). Afterwards every assigned row sits on a minimum
 * of c_ij − v_j. Returns the number of rows left in `free`.
 */
function augmentingRowReduction(cost: Float64Array, n: number, m: number, v: Float64Array, rowToCol: Int32Array, colToRow: Int32Array, free: Int32Array, numFree: number, expired: () => void): number {
  // Each immediate retry lowers a v; the limit only guards against pathological inputs.
  let retries = 0
  const retryLimit = 64 * n + 1024
  for (let round = 0; round < 2 && numFree > 0; round++) {
    let k = 0
    const prevFree = numFree
    numFree = 0
    while (k < prevFree) {
      expired()
      const i = free[k++]
      const base = i * m
      let umin = cost[base] - v[0], usubmin = Infinity, j1 = 0, j2 = -1
      for (let j = 1; j < m; j++) {
        const h = cost[base + j] - v[j]
        if (h < usubmin) {
          if (h >= umin) {
            usubmin = h
            j2 = j
          } else {
            usubmin = umin
            umin = h
            j2 = j1
            j1 = j
          }
        }
      }
      if (usubmin === Infinity) usubmin = umin // a single column: nothing to transfer
      let i0 = colToRow[j1]
      // Lowering v_j1 must make progress: in floating point a tiny difference can vanish
      // against v_j1, and retrying the displaced row would then loop. Treat that as a tie.
      if (umin < usubmin && v[j1] - (usubmin - umin) < v[j1] && retries < retryLimit) {
        v[j1] -= usubmin - umin
        retries++
      } else if (umin < usubmin) usubmin = umin
      else if (i0 >= 0 && j2 >= 0) {
        j1 = j2
        i0 = colToRow[j2]
      }
      if (i0 >= 0 && rowToCol[i0] === j1) rowToCol[i0] = -1
      rowToCol[i] = j1
      colToRow[j1] = i
      if (i0 >= 0) {
        if (umin < usubmin) free[--k] = i0 // retry the displaced row at once
        else free[numFree++] = i0
      }
    }
  }
  return numFree
}

/**
 * Augmentation: for each free row, Dijkstra over the columns on the reduced costs, taking all
 * columns at the current minimum distance at once, until a free column is reached; settled
 * columns lower v by (minimum − distance), keeping their rows tight, and the path is flipped.
 * Returns false when some row cannot reach a free column at finite cost.
 */
function augment(cost: Float64Array, m: number, v: Float64Array, rowToCol: Int32Array, colToRow: Int32Array, free: Int32Array, numFree: number, expired: () => void): boolean {
  const d = new Float64Array(m)
  const pred = new Int32Array(m)
  const cols = new Int32Array(m)
  for (let f = 0; f < numFree; f++) {
    const freeRow = free[f]
    const fbase = freeRow * m
    for (let j = 0; j < m; j++) {
      d[j] = cost[fbase + j] - v[j]
      pred[j] = freeRow
      cols[j] = j
    }
    // cols[0, low): settled; [low, up): at distance `min`, to scan; [up, m): the rest.
    let low = 0, up = 0, last = 0, min = 0, end = -1
    while (end < 0) {
      if (up === low) {
        last = low - 1
        min = d[cols[up++]]
        for (let k = up; k < m; k++) {
          const j = cols[k], h = d[j]
          if (h <= min) {
            if (h < min) {
              up = low
              min = h
            }
            cols[k] = cols[up]
            cols[up++] = j
          }
        }
        if (min === Infinity) return false
        for (let k = low; k < up; k++) {
          if (colToRow[cols[k]] < 0) {
            end = cols[k]
            break
          }
        }
      }
      if (end < 0) {
        expired()
        const j1 = cols[low++]
        const i = colToRow[j1], base = i * m
        const h = cost[base + j1] - v[j1] - min
        for (let k = up; k < m; k++) {
          const j = cols[k]
          const v2 = cost[base + j] - v[j] - h
          if (v2 < d[j]) {
            pred[j] = i
            if (v2 === min) {
              if (colToRow[j] < 0) {
                end = j
                break
              }
              cols[k] = cols[up]
              cols[up++] = j
            }
            d[j] = v2
          }
        }
      }
    }
    for (let k = 0; k <= last; k++) {
      const j = cols[k]
      v[j] += d[j] - min
    }
    for (;;) {
      const i = pred[end]
      colToRow[end] = i
      const next = rowToCol[i]
      rowToCol[i] = end
      if (i === freeRow) break
      end = next
    }
  }
  return true
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
