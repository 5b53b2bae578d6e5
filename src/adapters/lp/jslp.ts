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
import { JSLP_MAX_CELLS, jslpCells } from './limits.js'

export { JSLP_MAX_CELLS, jslpCells }

/** Models up to this many rows get a deletion-filter explanation when infeasible. */
const EXPLAIN_MAX_ROWS = 60

interface Built {
  json: JslpModel
  /** Rows with no coefficients whose bounds exclude 0: infeasible before any solve. */
  emptyInfeasible: number[]
  /** x_j = base[j] + sign[j]·p_j − (free ? q_j : 0), with p, q ≥ 0 the solver's variables. */
  base: Float64Array
  sign: Float64Array
  free: Uint8Array
  /** Constant added to the objective by the substitution (offset included). */
  constant: number
}

/**
 * javascript-lp-solver's variables are ≥ 0 (its `unrestricted` variables gave wrong answers in our
 * property tests, caught by the verifier), so columns are substituted: x = l + p (finite lower
 * bound), x = u − p (only an upper bound), x = p − q (free); finite ranges become one-term rows.
 */
function toJslp(m: LpModel, mip: boolean, opts: EngineOptions): Built {
  const variables: Record<string, Record<string, number>> = {}
  const constraints: Record<string, { min?: number; max?: number; equal?: number }> = {}
  const ints: Record<string, 1> = {}
  const emptyInfeasible: number[] = []
  const bound = (lo: number, up: number) => (lo === up ? { equal: lo } : { ...(lo !== -Infinity ? { min: lo } : {}), ...(up !== Infinity ? { max: up } : {}) })
  const base = new Float64Array(m.nCols), sign = new Float64Array(m.nCols), free = new Uint8Array(m.nCols)
  let constant = m.offset
  for (let j = 0; j < m.nCols; j++) {
    const isInt = mip && m.integer[j] === 1
    let lo = m.colLower[j], up = m.colUpper[j]
    if (isInt) {
      lo = Math.ceil(lo - 1e-9)
      up = Math.floor(up + 1e-9)
    }
    const v: Record<string, number> = {}
    variables[`c${j}`] = v
    if (lo !== -Infinity) {
      base[j] = lo
      sign[j] = 1
      if (up !== Infinity) {
        constraints[`b${j}`] = { max: up - lo }
        v[`b${j}`] = 1
      }
    } else if (up !== Infinity) {
      base[j] = up
      sign[j] = -1
    } else {
      sign[j] = 1
      free[j] = 1
      variables[`n${j}`] = {}
      if (isInt) ints[`n${j}`] = 1
    }
    const c = m.colCost[j]
    constant += c * base[j]
    if (c !== 0) {
      v.obj = c * sign[j]
      if (free[j]) variables[`n${j}`].obj = -c
    }
    if (isInt) ints[`c${j}`] = 1
  }
  for (let i = 0; i < m.nRows; i++) {
    let lo = m.rowLower[i], up = m.rowUpper[i]
    if (m.rowStart[i + 1] === m.rowStart[i]) {
      if (lo > 0 || up < 0) emptyInfeasible.push(i)
      continue
    }
    if (lo === -Infinity && up === Infinity) continue
    let shift = 0
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
      const j = m.rowIndex[k], a = m.rowValue[k]
      shift += a * base[j]
      variables[`c${j}`][`r${i}`] = a * sign[j]
      if (free[j]) variables[`n${j}`][`r${i}`] = -a
    }
    lo -= shift
    up -= shift
    constraints[`r${i}`] = bound(lo, up)
  }
  const json: JslpModel = {
    optimize: 'obj',
    opType: m.sense,
    constraints,
    variables,
    ...(Object.keys(ints).length ? { ints } : {}),
    options: { presolve: false, timeout: Math.max(1, Math.floor(opts.timeLimitMs)), tolerance: opts.mipGap, exitOnCycles: true },
  }
  return { json, emptyInfeasible, base, sign, free, constant }
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
    const { json, emptyInfeasible, base: x0, sign, free, constant } = toJslp(m, mip, opts)
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
    const num = (v: unknown) => (typeof v === 'number' ? v : 0)
    for (let j = 0; j < m.nCols; j++) x[j] = x0[j] + sign[j] * num(res[`c${j}`]) - (free[j] ? num(res[`n${j}`]) : 0)
    const objective = num(res.result) + constant
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
