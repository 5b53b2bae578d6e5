/**
 * Reference optima from HiGHS (npm `highs`, WebAssembly) for the matching tests and the bench:
 * the LP relaxations of bipartite matching and of the assignment problem. Both constraint
 * matrices are totally unimodular, so the LP optimum equals the integer optimum.
 */
import loadHighs, { type Highs, type ModelData } from 'highs'
import type { BipartiteMatchingProblem } from '../../src/solver/matching/min-cost-flow.js'

let loaded: Promise<Highs> | undefined
/** The HiGHS runtime, loaded once. */
export function highs(): Promise<Highs> {
  loaded ??= loadHighs()
  return loaded
}

export interface HighsOutcome {
  status: string
  objective: number
  /** Primal value per column (edge, or row-major matrix cell). */
  x: Float64Array
}

function solveLp(h: Highs, model: ModelData, options: Record<string, unknown>): HighsOutcome {
  // HiGHS reports "not solved" for a model without columns; its optimum is 0.
  if (model.numCols === 0) return { status: 'optimal', objective: 0, x: new Float64Array(0) }
  const lp = h.createModel(model)
  try {
    lp.options.set({ output_flag: false, ...options })
    lp.run()
    const code = lp.getModelStatus()
    const status = Object.entries(h.constants.modelStatus).find(([, v]) => v === code)?.[0] ?? String(code)
    return { status, objective: lp.getObjectiveValue(), x: lp.getSolution().colValue }
  } finally {
    lp.dispose()
  }
}

/**
 * max Σ w_e x_e, Σ_{e∋i} x_e ≤ 1 (left), Σ_{e∋j} x_e ≤ c_j (right), 0 ≤ x ≤ 1: one column per edge.
 */
export function highsMatching(h: Highs, p: BipartiteMatchingProblem, options: Record<string, unknown> = {}): HighsOutcome {
  const nE = p.edgeLeft.length
  const starts = new Int32Array(nE + 1)
  const indices = new Int32Array(2 * nE)
  const values = new Float64Array(2 * nE).fill(1)
  for (let e = 0; e < nE; e++) {
    starts[e + 1] = 2 * e + 2
    indices[2 * e] = p.edgeLeft[e]
    indices[2 * e + 1] = p.nLeft + p.edgeRight[e]
  }
  const rowUpper = new Float64Array(p.nLeft + p.nRight).fill(1)
  if (p.rightCapacity) for (let j = 0; j < p.nRight; j++) rowUpper[p.nLeft + j] = p.rightCapacity[j]
  return solveLp(h, {
    numCols: nE,
    numRows: p.nLeft + p.nRight,
    sense: h.constants.objectiveSense.maximize,
    colCost: Float64Array.from(p.edgeWeight),
    colLower: new Float64Array(nE),
    colUpper: new Float64Array(nE).fill(1),
    rowLower: new Float64Array(p.nLeft + p.nRight).fill(-Infinity),
    rowUpper,
    matrix: { format: 'csc', numRows: p.nLeft + p.nRight, numCols: nE, starts, indices, values },
  }, options)
}

/** min Σ c_ij x_ij, every row exactly once, every column at most once (n ≤ m); finite costs only. */
export function highsAssignment(h: Highs, cost: ArrayLike<number>, n: number, m: number = n, options: Record<string, unknown> = {}): HighsOutcome {
  const nc = n * m
  const starts = new Int32Array(nc + 1)
  const indices = new Int32Array(2 * nc)
  for (let k = 0; k < nc; k++) {
    starts[k + 1] = 2 * k + 2
    indices[2 * k] = Math.floor(k / m)
    indices[2 * k + 1] = n + (k % m)
  }
  const rowLower = new Float64Array(n + m)
  rowLower.fill(1, 0, n)
  rowLower.fill(-Infinity, n)
  return solveLp(h, {
    numCols: nc,
    numRows: n + m,
    sense: h.constants.objectiveSense.minimize,
    colCost: Float64Array.from({ length: nc }, (_, k) => cost[k]),
    colLower: new Float64Array(nc),
    colUpper: new Float64Array(nc).fill(Infinity),
    rowLower,
    rowUpper: new Float64Array(n + m).fill(1),
    matrix: { format: 'csc', numRows: n + m, numCols: nc, starts, indices, values: new Float64Array(2 * nc).fill(1) },
  }, options)
}
