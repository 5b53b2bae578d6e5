/**
 * The LP port: the one small interface behind which HiGHS, javascript-lp-solver (and any other
 * solver) sit. The caller builds an `LpModel`, asks a back end to solve it within a wall-clock
 * budget and gets a typed status. Back ends live in src/adapters/lp; the solver only sees this.
 * Nothing here trusts an answer: `solveLp` (verify.ts) checks every one before it is used.
 */
import type { LpModel } from './model.js'

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time_limit'

export interface LpSolveOptions {
  /** Wall-clock budget in ms for the whole solve, worker start-up included. Default 60 000. */
  timeLimitMs?: number
  /** Relative gap between incumbent and bound at which a MIP counts as solved. Default 1e-6. */
  mipGap?: number
  /** Solve the LP relaxation (integrality ignored). */
  relax?: boolean
  /** Presolve: true, false, or (default) the back end's choice. javascript-lp-solver never presolves. */
  presolve?: boolean
  /** Explain infeasibility (conflicting rows) where the back end can. Default true. */
  explain?: boolean
  /** MIP progress as the back end reports it: new incumbents and bounds. */
  onProgress?: (p: LpProgress) => void
}

export interface LpProgress {
  timeMs: number
  /** Objective of the best integer solution so far. */
  objective?: number
  /** Best proven bound on the optimum. */
  bound?: number
}

export interface LpIncumbent {
  x: Float64Array
  objective: number
}

/** Which rows (and column bounds) cannot hold together, as far as the back end can say. */
export interface LpConflict {
  /** `highs-iis`: HiGHS' irreducible infeasible subsystem; `row-bounds`: a row that no values within
   * the column bounds can satisfy; `deletion-filter`: rows left after dropping every row whose removal
   * keeps the model infeasible (small models). */
  method: 'highs-iis' | 'row-bounds' | 'deletion-filter'
  rows: number[]
  cols: number[]
  /** One line per row or bound, with names, e.g. `cap[o3,d2]: 2·x1 + 3·x4 ≤ 10`. */
  description: string[]
}

interface LpResultBase {
  /** Back end that answered (`highs`, `jslp`). */
  backend: string
  /** Wall-clock time of the solve in ms (worker start-up and transfer included). */
  timeMs: number
  /** Solver iterations, where reported. */
  iterations?: number
  /** Branch-and-bound nodes, for MIPs where reported. */
  nodes?: number
}

export interface LpOptimal extends LpResultBase {
  status: 'optimal'
  x: Float64Array
  objective: number
  /** Best bound the back end proved (for a MIP, within mipGap of the objective). */
  bound?: number
  /** Row duals (shadow prices) and reduced costs of an LP, in the convention d = c − Aᵀy. */
  rowDual?: Float64Array
  colDual?: Float64Array
}

export interface LpInfeasible extends LpResultBase {
  status: 'infeasible'
  conflict?: LpConflict
  /** Row multipliers proving infeasibility (a Farkas certificate), where the back end gives one. */
  certificate?: Float64Array
}

export interface LpUnbounded extends LpResultBase {
  status: 'unbounded'
}

export interface LpTimeLimit extends LpResultBase {
  status: 'time_limit'
  /** Best solution found before the budget ran out (integral for a MIP), if any. */
  incumbent?: LpIncumbent
  /** Best proven bound on the optimum, if any. */
  bound?: number
}

export type LpResult = LpOptimal | LpInfeasible | LpUnbounded | LpTimeLimit

export interface LpBackend {
  readonly name: string
  /** Solves `model`; never blocks the calling thread. Throws TerminplanError when the back end fails. */
  solve(model: LpModel, options?: LpSolveOptions): Promise<LpResult>
  /** Releases threads and memory; the back end may be used again afterwards (it restarts). */
  close(): Promise<void>
}

export const DEFAULT_TIME_LIMIT_MS = 60_000
export const DEFAULT_MIP_GAP = 1e-6
