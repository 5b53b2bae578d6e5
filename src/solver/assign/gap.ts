/**
 * The generalized assignment problem (GAP): n jobs to m agents, job j at agent i costs c[i][j]
 * and uses r[i][j] of the agent's capacity b[i]; every job is assigned; minimise cost. It is the
 * shape of citizens to office-days with minute capacity, and the public benchmark that proves the
 * heuristic-plus-LP code the capacity plan uses: LP relaxation through an `LpBackend`, then
 * LP-guided rounding and local search (heuristic.ts), with the LP bound reported, so the gap of
 * every answer is known without knowing the optimum.
 */
import { TerminplanError } from '../../model/errors.js'
import { LpBuilder, type LpModel } from '../lp/model.js'
import type { LpBackend } from '../lp/port.js'
import { solveLp } from '../lp/verify.js'
import { timeoutError } from '../budget.js'
import { solveCapacitatedAssignment, type AssignOptions } from './heuristic.js'
import { denseAssignmentProblem, type AssignmentProblem } from './problem.js'

export interface GapInstance {
  name?: string
  agents: number
  jobs: number
  /** cost[i * jobs + j] */
  cost: Float64Array
  /** weight[i * jobs + j] */
  weight: Float64Array
  capacity: Float64Array
}

/** Parses the OR-Library text format: `m n`, cost matrix (m × n), resource matrix (m × n), capacities (m). */
export function parseOrLibraryGap(text: string, name?: string): GapInstance {
  const nums = text.trim().split(/\s+/).map(Number)
  const bad = (msg: string): never => {
    throw new TerminplanError('COMMAND_INVALID', `not an OR-Library GAP instance${name ? ` (${name})` : ''}: ${msg}`, [{ path: '$', code: 'invalid_gap', message: msg }])
  }
  if (nums.length < 2 || nums.some((x) => !Number.isFinite(x))) bad('expected whitespace-separated numbers')
  const [m, n] = nums
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) bad(`bad dimensions ${m} × ${n}`)
  if (nums.length !== 2 + 2 * m * n + m) bad(`expected ${2 + 2 * m * n + m} numbers, found ${nums.length}`)
  return {
    ...(name !== undefined ? { name } : {}),
    agents: m,
    jobs: n,
    cost: Float64Array.from(nums.slice(2, 2 + m * n)),
    weight: Float64Array.from(nums.slice(2 + m * n, 2 + 2 * m * n)),
    capacity: Float64Array.from(nums.slice(2 + 2 * m * n)),
  }
}

/** Jobs as items, agents as agents (pairs that can never fit are left out). */
export function gapAssignmentProblem(g: GapInstance): AssignmentProblem {
  const { agents: m, jobs: n } = g
  const cost = new Float64Array(n * m), weight = new Float64Array(n * m)
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      cost[j * m + i] = g.cost[i * n + j]
      weight[j * m + i] = g.weight[i * n + j]
    }
  return denseAssignmentProblem({ nItems: n, nAgents: m, capacity: g.capacity, cost, weight })
}

/**
 * The LP relaxation (or, with `integer`, the exact MIP) over the problem's arcs: one column per
 * arc in arc order, Σ_arcs of a job = 1, Σ weight·x ≤ capacity per agent.
 */
export function assignmentLp(p: AssignmentProblem, opts: { integer?: boolean; names?: boolean } = {}): LpModel {
  const b = new LpBuilder('min', { names: opts.names })
  for (let e = 0; e < p.arcAgent.length; e++) b.addCol({ cost: p.arcCost[e], integer: opts.integer, name: opts.names ? `x[${e}]` : undefined })
  // Units per item: Σ x = count (must-assign) or ≤ count (optional, with the unassigned cost as the rest).
  const slack: number[] = []
  for (let i = 0; i < p.nItems; i++) {
    const idx: number[] = [], val: number[] = []
    for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) {
      idx.push(e)
      val.push(1)
      b.setBounds(e, 0, p.count[i])
    }
    if (p.unassignedCost[i] !== Infinity) {
      const s = b.addCol({ lower: 0, upper: p.count[i], cost: p.unassignedCost[i], integer: opts.integer, name: opts.names ? `skip[${i}]` : undefined })
      slack.push(s)
      idx.push(s)
      val.push(1)
    }
    b.addRow(p.count[i], p.count[i], idx, val, opts.names ? `item[${i}]` : undefined)
  }
  const byAgent: { idx: number[]; val: number[] }[] = Array.from({ length: p.nAgents }, () => ({ idx: [], val: [] }))
  for (let e = 0; e < p.arcAgent.length; e++) {
    byAgent[p.arcAgent[e]].idx.push(e)
    byAgent[p.arcAgent[e]].val.push(p.arcWeight[e])
  }
  byAgent.forEach((r, a) => b.addRow(-Infinity, p.capacity[a], r.idx, r.val, opts.names ? `cap[${a}]` : undefined))
  return b.build()
}

export interface GapResult {
  /** Agent of each job. */
  assignment: Int32Array
  cost: number
  feasible: boolean
  /** Lower bound from the LP relaxation (verified by its duals where available). */
  lpBound: number
  /** (cost − ⌈LP bound⌉) / ⌈LP bound⌉ for integer costs: the gap proved without knowing the optimum. */
  gapToBound: number
  lpMs: number
  heuristicMs: number
  /** The local search stopped at the budget; `assignment` is the best found by then. */
  timeLimited?: boolean
}

/** Budget of `solveGap` without `timeLimitMs`. */
export const GAP_DEFAULT_TIME_LIMIT_MS = 30_000

/**
 * LP relaxation via the back end, then LP-guided rounding and local search. `timeLimitMs` is the
 * budget of the whole call (default 30 s): the LP (in the back end's worker) gets all of it and
 * throws TerminplanError('TIMEOUT') if it does not finish, since there is no bound and no guide
 * without it; the search gets what is left and returns its best assignment at the budget,
 * marked `timeLimited`. `clock` (ms) times the phases and measures the budget.
 */
export async function solveGap(g: GapInstance, backend: LpBackend, opts: AssignOptions & { clock?: () => number } = {}): Promise<GapResult> {
  const clock = opts.clock ?? (() => performance.now())
  const budget = opts.timeLimitMs ?? GAP_DEFAULT_TIME_LIMIT_MS
  const p = gapAssignmentProblem(g)
  const model = assignmentLp(p)
  const t0 = clock()
  const lp = await solveLp(backend, model, { timeLimitMs: budget })
  const t1 = clock()
  if (lp.status === 'infeasible') throw new TerminplanError('COMMAND_INVALID', `GAP instance ${g.name ?? ''} is infeasible (its LP relaxation is)`)
  if (lp.status === 'time_limit') throw timeoutError(`the LP relaxation of GAP instance ${g.name ?? ''}`.trimEnd(), budget, 'timeLimitMs')
  if (lp.status !== 'optimal') throw new TerminplanError('SOLVER_FAILED', `the LP relaxation of GAP instance ${g.name ?? ''} ended with status ${lp.status}`)
  const lpBound = lp.verification.dualBound !== undefined && Number.isFinite(lp.verification.dualBound) ? Math.min(lp.verification.dualBound, lp.objective) : lp.objective
  // Rank arcs by LP reduced cost: the LP's view of what each move costs.
  const rank = lp.colDual ? Float64Array.from({ length: p.arcAgent.length }, (_, e) => lp.colDual![e]) : p.arcCost
  const integral = p.arcCost.every(Number.isInteger)
  const lower = integral ? Math.ceil(lpBound - 1e-6) : lpBound
  const sol = solveCapacitatedAssignment(p, {
    // Effort measured to stay under a second per OR-Library instance on a 2024 server core.
    rounds: 200 + 40 * g.jobs,
    effort: 1.2e7,
    ...opts,
    guide: lp.x.subarray(0, p.arcAgent.length),
    rank,
    lowerBound: lower,
    clock,
    timeLimitMs: Math.max(0, budget - (t1 - t0)),
  })
  const t2 = clock()
  const assignment = new Int32Array(g.jobs).fill(-1)
  for (let j = 0; j < g.jobs; j++) for (let e = p.arcStart[j]; e < p.arcStart[j + 1]; e++) if (sol.arcUnits[e] > 0) assignment[j] = p.arcAgent[e]
  return {
    assignment,
    cost: sol.cost,
    feasible: sol.feasible,
    lpBound,
    gapToBound: sol.feasible ? (sol.cost - lower) / Math.abs(lower || 1) : Infinity,
    lpMs: t1 - t0,
    heuristicMs: t2 - t1,
    ...(sol.timeLimited ? { timeLimited: true } : {}),
  }
}

/** Cost of an assignment (agent per job), or Infinity when it breaks a capacity. Independent check. */
export function gapCost(g: GapInstance, assignment: ArrayLike<number>): number {
  const load = new Float64Array(g.agents)
  let cost = 0
  for (let j = 0; j < g.jobs; j++) {
    const i = assignment[j]
    if (!(i >= 0 && i < g.agents)) return Infinity
    cost += g.cost[i * g.jobs + j]
    load[i] += g.weight[i * g.jobs + j]
  }
  for (let i = 0; i < g.agents; i++) if (load[i] > g.capacity[i] + 1e-9) return Infinity
  return cost
}
