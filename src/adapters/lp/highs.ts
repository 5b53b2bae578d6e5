/**
 * HiGHS (npm `highs`, HiGHS compiled to WebAssembly) as an LP engine: the default back end.
 * The model goes in as compressed rows through the persistent API (no LP text to print and parse);
 * LP answers carry row duals, MIP solves stream incumbents and bounds through callbacks, and an
 * infeasible model is explained by HiGHS' IIS and certified by its dual ray where available.
 */
import loadHighs from 'highs'
import type { Highs, Model as HighsModel } from 'highs'
import { TerminplanError } from '../../model/errors.js'
import { conflictOf, deletionFilter, rowBoundConflicts } from '../../solver/lp/explain.js'
import { isMip, type LpModel } from '../../solver/lp/model.js'
import type { LpConflict, LpIncumbent, LpResult } from '../../solver/lp/port.js'
import type { EngineOptions, LpEngine } from './engine.js'

let loading: Promise<Highs> | undefined
/** Models up to this many rows get a deletion-filter explanation when HiGHS' IIS finds nothing. */
const EXPLAIN_MAX_ROWS = 60

/** Loads the WASM module once per thread. */
export function loadHighsModule(): Promise<Highs> {
  loading ??= loadHighs().catch((e: unknown) => {
    loading = undefined
    throw new TerminplanError('SOLVER_FAILED', `cannot load HiGHS: ${(e as Error)?.message ?? String(e)}`)
  })
  return loading
}

/** HiGHS' model status codes (highs.constants.modelStatus). */
const ST = { empty: 6, optimal: 7, infeasible: 8, unboundedOrInfeasible: 9, unbounded: 10, objectiveBound: 11, objectiveTarget: 12, timeLimit: 13, iterationLimit: 14, solutionLimit: 16, interrupted: 17 } as const

function toHighsModel(h: Highs, m: LpModel, mip: boolean, costScale = 1) {
  const sense = m.sense === 'max' ? h.constants.objectiveSense.maximize : h.constants.objectiveSense.minimize
  return {
    numCols: m.nCols,
    numRows: m.nRows,
    sense,
    offset: m.offset * costScale,
    colCost: costScale === 1 ? m.colCost : m.colCost.map((c) => c * costScale),
    colLower: m.colLower,
    colUpper: m.colUpper,
    rowLower: m.rowLower,
    rowUpper: m.rowUpper,
    matrix: { format: 'csr' as const, numRows: m.nRows, numCols: m.nCols, starts: m.rowStart, indices: m.rowIndex, values: m.rowValue },
    ...(mip ? { integrality: Int32Array.from(m.integer) } : {}),
  }
}

function num(model: HighsModel, key: string): number | undefined {
  try {
    const v = model.info.get(key)
    const n = typeof v === 'bigint' ? Number(v) : v
    return Number.isFinite(n) ? n : undefined
  } catch {
    return undefined
  }
}

export async function createHighsEngine(): Promise<LpEngine> {
  const h = await loadHighsModule()

  const run = (m: LpModel, opts: EngineOptions, overrides: Record<string, string | number | boolean> = {}, costScale = 1): LpResult => {
    const t0 = performance.now()
    const mip = !opts.relax && isMip(m)
    let model: HighsModel
    try {
      model = h.createModel(toHighsModel(h, m, mip, costScale))
    } catch (e) {
      throw new TerminplanError('SOLVER_FAILED', `HiGHS rejected the model: ${(e as Error).message}`)
    }
    try {
      model.options.set({
        output_flag: false,
        time_limit: Math.max(0.001, opts.timeLimitMs / 1000),
        mip_rel_gap: opts.mipGap,
        random_seed: 0,
        ...(opts.presolve !== undefined ? { presolve: opts.presolve ? 'on' : 'off' } : {}),
        ...overrides,
      })
      let incumbent: LpIncumbent | undefined
      let bound: number | undefined
      const cb = h.constants.callbackType
      const callbacks = mip
        ? {
            [cb.mipImprovingSolution]: (e: { data: { mip_solution?: Float64Array; objective_function_value?: number; mip_dual_bound?: number; running_time?: number } }) => {
              if (!e.data.mip_solution || e.data.objective_function_value === undefined) return undefined
              incumbent = { x: e.data.mip_solution.slice(), objective: e.data.objective_function_value }
              if (Number.isFinite(e.data.mip_dual_bound)) bound = e.data.mip_dual_bound
              opts.onProgress?.({ timeMs: (e.data.running_time ?? 0) * 1000, objective: incumbent.objective, bound, incumbent })
              return undefined
            },
            // Bounds as they improve, so a worker cut off at its deadline still leaves one.
            [cb.mipLogging]: (e: { data: { mip_dual_bound?: number; running_time?: number } }) => {
              const b = e.data.mip_dual_bound
              if (b === undefined || !Number.isFinite(b) || b === bound) return undefined
              bound = b
              opts.onProgress?.({ timeMs: (e.data.running_time ?? 0) * 1000, objective: incumbent?.objective, bound })
              return undefined
            },
          }
        : undefined
      const status = model.run(callbacks as never).modelStatus
      const base = { backend: 'highs', timeMs: performance.now() - t0, iterations: num(model, mip ? 'mip_total_lp_iterations' : 'simplex_iteration_count'), nodes: mip ? num(model, 'mip_node_count') : undefined }
      const primalFeasible = num(model, 'primal_solution_status') === 2
      if (status === ST.optimal || status === ST.empty) {
        const sol = model.getSolution()
        const res: LpResult = { status: 'optimal', ...base, x: sol.colValue, objective: model.getObjectiveValue() }
        if (mip) {
          const b = num(model, 'mip_dual_bound')
          if (b !== undefined) res.bound = b
        } else if (num(model, 'dual_solution_status') === 2) {
          res.rowDual = sol.rowDual
          res.colDual = sol.colDual
        }
        return res
      }
      if (status === ST.infeasible) {
        const res: LpResult = { status: 'infeasible', ...base }
        if (!mip) {
          try {
            const ray = model.getDualRay()
            if (ray && ray.values.length === m.nRows) res.certificate = Float64Array.from(ray.values)
          } catch {
            // no ray: the answer stays uncertified
          }
        }
        if (opts.explain) {
          res.conflict = explain(m, model, Math.min(5, Math.max(0.05, (opts.timeLimitMs - (performance.now() - t0)) / 1000)))
          if (!res.conflict && m.nRows <= EXPLAIN_MAX_ROWS) {
            const deadline = performance.now() + Math.min(2000, opts.timeLimitMs)
            res.conflict = deletionFilter(m, (sub) => run(sub, { ...opts, relax: true, explain: false, onProgress: undefined }).status === 'infeasible', deadline, () => performance.now())
          }
        }
        return res
      }
      if (status === ST.unbounded) return { status: 'unbounded', ...base }
      if (status === ST.unboundedOrInfeasible) return decide(m, opts, base.timeMs)
      if (status === ST.timeLimit || status === ST.interrupted || status === ST.iterationLimit || status === ST.solutionLimit || status === ST.objectiveBound || status === ST.objectiveTarget) {
        const res: LpResult = { status: 'time_limit', ...base }
        if (mip) {
          const b = num(model, 'mip_dual_bound')
          if (b !== undefined) res.bound = b
          else if (bound !== undefined) res.bound = bound
          if (primalFeasible) {
            const sol = model.getSolution()
            res.incumbent = { x: sol.colValue, objective: model.getObjectiveValue() }
          } else if (incumbent) res.incumbent = incumbent
        }
        return res
      }
      throw new TerminplanError('SOLVER_FAILED', `HiGHS ended with model status ${status}`)
    } finally {
      model.dispose()
    }
  }

  /** "Infeasible or unbounded" from presolve: solve the feasibility problem to tell them apart. */
  const decide = (m: LpModel, opts: EngineOptions, spent: number): LpResult => {
    const feas = run(m, { ...opts, timeLimitMs: Math.max(1, opts.timeLimitMs - spent) }, { presolve: 'off' }, 0)
    if (feas.status === 'infeasible') return feas
    if (feas.status === 'optimal') return { status: 'unbounded', backend: 'highs', timeMs: spent + feas.timeMs }
    return feas
  }

  return {
    name: 'highs',
    solve: (m, opts) => run(m, opts),
  }
}

function explain(m: LpModel, model: HighsModel, seconds: number): LpConflict | undefined {
  try {
    // The row-priority strategy finds conflicts the default light one misses.
    model.options.set({ iis_strategy: 6, iis_time_limit: Math.max(0.01, seconds) })
    const iis = model.getIis()
    const rows = Array.from(iis.rowIndex)
    const cols = Array.from(iis.colIndex)
    if (rows.length || cols.length) return conflictOf(m, 'highs-iis', rows, cols)
  } catch {
    // IIS not available for this model: fall back to our own checks
  }
  return rowBoundConflicts(m)
}
