/**
 * javascript-lp-solver (pure JavaScript, dense tableau) as an LP engine, for small models.
 * Measured facts it is designed around: a 500×500 assignment took it 87 s and 7.9 GB; on a MIP
 * it hit its timeout and returned `feasible` with fractional "integer" variables; a constraint
 * whose only coefficient is 0 makes its presolve report infeasible. Hence: presolve off, zero
 * terms never sent (the LpBuilder strips them; empty rows are checked here), a MIP answer taken
 * only when integral, and a size cap with an error that points to HiGHS.
 */
import solver from 'javascript-lp-solver'
import type { Model as JslpModel } from 'javascript-lp-solver'
import { TerminplanError } from '../../model/errors.js'
import { deletionFilter, rowBoundConflicts } from '../../solver/lp/explain.js'
import { isMip, type LpModel } from '../../solver/lp/model.js'
import type { LpResult } from '../../solver/lp/port.js'
import type { EngineOptions, LpEngine } from './engine.js'

/** Dense tableau cells (rows × columns, bound rows included) javascript-lp-solver is allowed. */
export const JSLP_MAX_CELLS = 2_000_000
/** Models up to this many rows get a deletion-filter explanation when infeasible. */
const EXPLAIN_MAX_ROWS = 60

/** Tableau size the model would need: its rows plus one per bounded column, by columns + slacks. */
export function jslpCells(m: LpModel): number {
  let boundRows = 0
  for (let j = 0; j < m.nCols; j++) if (m.colLower[j] !== 0 || m.colUpper[j] !== Infinity) boundRows++
  const rows = m.nRows + boundRows + 1
  return rows * (m.nCols + rows)
}

interface Built {
  json: JslpModel
  /** Rows with no coefficients whose bounds exclude 0: infeasible before any solve. */
  emptyInfeasible: number[]
}

function toJslp(m: LpModel, mip: boolean, opts: EngineOptions): Built {
  const variables: Record<string, Record<string, number>> = {}
  const constraints: Record<string, { min?: number; max?: number; equal?: number }> = {}
  const ints: Record<string, 1> = {}
  const unrestricted: Record<string, 1> = {}
  const emptyInfeasible: number[] = []
  const bound = (lo: number, up: number) => (lo === up ? { equal: lo } : { ...(lo !== -Infinity ? { min: lo } : {}), ...(up !== Infinity ? { max: up } : {}) })
  for (let j = 0; j < m.nCols; j++) {
    const v: Record<string, number> = {}
    if (m.colCost[j] !== 0) v.obj = m.colCost[j]
    variables[`c${j}`] = v
    const lo = m.colLower[j], up = m.colUpper[j]
    if (lo < 0) unrestricted[`c${j}`] = 1
    // jslp's variables are ≥ 0 unless unrestricted; other bounds become one-term rows.
    const rowLo = lo === 0 ? -Infinity : lo
    if (rowLo !== -Infinity || up !== Infinity) {
      constraints[`b${j}`] = bound(rowLo, up)
      v[`b${j}`] = 1
    }
    if (mip && m.integer[j]) ints[`c${j}`] = 1
  }
  for (let i = 0; i < m.nRows; i++) {
    const lo = m.rowLower[i], up = m.rowUpper[i]
    if (m.rowStart[i + 1] === m.rowStart[i]) {
      if (lo > 0 || up < 0) emptyInfeasible.push(i)
      continue
    }
    if (lo === -Infinity && up === Infinity) continue
    constraints[`r${i}`] = bound(lo, up)
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) variables[`c${m.rowIndex[k]}`][`r${i}`] = m.rowValue[k]
  }
  const json: JslpModel = {
    optimize: 'obj',
    opType: m.sense,
    constraints,
    variables,
    ...(Object.keys(ints).length ? { ints } : {}),
    ...(Object.keys(unrestricted).length ? { unrestricted } : {}),
    options: { presolve: false, timeout: Math.max(1, Math.floor(opts.timeLimitMs)), tolerance: opts.mipGap, exitOnCycles: true },
  }
  return { json, emptyInfeasible }
}

export function createJslpEngine(): LpEngine {
  const solveOnce = (m: LpModel, opts: EngineOptions): LpResult => {
    const t0 = performance.now()
    const cells = jslpCells(m)
    if (cells > JSLP_MAX_CELLS)
      throw new TerminplanError(
        'LIMIT_EXCEEDED',
        `the model is too large for javascript-lp-solver (${m.nRows} rows × ${m.nCols} columns: a dense tableau of ${(cells / 1e6).toFixed(1)} M cells, limit ${JSLP_MAX_CELLS / 1e6} M); use the HiGHS back end (--backend highs)`,
        [{ path: '$', code: 'model_too_large', message: `javascript-lp-solver is limited to ${JSLP_MAX_CELLS / 1e6} M tableau cells; use HiGHS` }],
      )
    const mip = !opts.relax && isMip(m)
    const { json, emptyInfeasible } = toJslp(m, mip, opts)
    const base = () => ({ backend: 'jslp', timeMs: performance.now() - t0 })
    if (emptyInfeasible.length) return { status: 'infeasible', ...base(), conflict: opts.explain ? rowBoundConflicts(m) : undefined }
    let res: Record<string, unknown>
    try {
      res = solver.Solve(json) as Record<string, unknown>
    } catch (e) {
      throw new TerminplanError('SOLVER_FAILED', `javascript-lp-solver failed: ${(e as Error).message}`)
    }
    if (res.feasible !== true) {
      const elapsed = performance.now() - t0
      // A MIP that ran out of time may come back "infeasible" before branch and cut found anything.
      if (mip && elapsed >= opts.timeLimitMs * 0.95) return { status: 'time_limit', ...base() }
      const r: LpResult = { status: 'infeasible', ...base() }
      if (opts.explain) r.conflict = explainInfeasible(m, opts)
      return r
    }
    if (res.bounded === false) return { status: 'unbounded', ...base() }
    const x = new Float64Array(m.nCols)
    for (let j = 0; j < m.nCols; j++) {
      const v = res[`c${j}`]
      x[j] = typeof v === 'number' ? v : 0
    }
    const objective = (typeof res.result === 'number' ? res.result : 0) + m.offset
    if (mip) {
      let integral = true
      for (let j = 0; j < m.nCols && integral; j++) if (m.integer[j] && Math.abs(x[j] - Math.round(x[j])) > 1e-6) integral = false
      // Timeout answers carry fractional "integer" variables: never an incumbent, never optimal.
      if (!integral || res.isIntegral !== true) return { status: 'time_limit', ...base() }
      if (performance.now() - t0 >= opts.timeLimitMs) return { status: 'time_limit', ...base(), incumbent: { x, objective } }
    }
    return { status: 'optimal', ...base(), x, objective }
  }

  /** Row check first; a deletion filter over jslp itself for small models. */
  const explainInfeasible = (m: LpModel, opts: EngineOptions) => {
    const quick = rowBoundConflicts(m)
    if (quick || m.nRows > EXPLAIN_MAX_ROWS) return quick
    const deadline = performance.now() + Math.min(2000, opts.timeLimitMs)
    return deletionFilter(m, (sub) => solveOnce(sub, { ...opts, relax: true, explain: false }).status === 'infeasible', deadline, () => performance.now())
  }

  return { name: 'jslp', solve: solveOnce }
}
