/**
 * Our own check of every LP answer, independent of the back end that gave it:
 *  - a solution must lie within its column bounds and satisfy every row, integer columns must be
 *    integral (for a MIP), and the reported objective must equal Σ cost·x;
 *  - row duals, where given, yield a bound on the optimum by weak duality (the Lagrangian bound
 *    below holds for *any* multipliers), so an LP's optimality is certified when that bound meets
 *    the objective — we never take "optimal" on the solver's word alone;
 *  - an infeasibility certificate (Farkas multipliers) is checked the same way.
 * `solveLp` wraps a back end: an answer the verifier rejects becomes a SOLVER_FAILED error, never
 * a result.
 */
import { TerminplanError, type ValidationIssue } from '../../model/errors.js'
import { colName, isMip, lpModelIssues, objectiveValue, rowName, type LpModel } from './model.js'
import type { LpBackend, LpResult, LpSolveOptions } from './port.js'

export interface VerifyOptions {
  /** Absolute feasibility tolerance, scaled by 1 + |bound|. Default 1e-6. */
  feasibilityTol?: number
  /** Distance from the nearest integer allowed for integer columns. Default 1e-6. */
  integralityTol?: number
  /** Relative tolerance of the objective check and of the optimality certificate. Default 1e-6. */
  optimalityTol?: number
  /** Check integrality (default: when the model has integer columns and was not relaxed). */
  integral?: boolean
}

export interface SolutionCheck {
  issues: ValidationIssue[]
  maxBoundViolation: number
  maxRowViolation: number
  maxIntegralityViolation: number
  /** Σ cost·x + offset, recomputed. */
  objective: number
}

export interface LpVerification extends SolutionCheck {
  ok: boolean
  /**
   * A bound on the optimum computed here from the back end's row duals (lower for min, upper for
   * max); absent without duals.
   */
  dualBound?: number
  /** The dual bound meets the objective: the LP solution is proved optimal. */
  certified: boolean
  /** For an infeasible answer: the certificate proves infeasibility. */
  infeasibilityCertified?: boolean
}

const tolOf = (o: VerifyOptions) => ({
  feas: o.feasibilityTol ?? 1e-6,
  int: o.integralityTol ?? 1e-6,
  opt: o.optimalityTol ?? 1e-6,
})

/** Checks a primal point: bounds, rows, integrality, objective. */
export function checkSolution(m: LpModel, x: ArrayLike<number>, opts: VerifyOptions & { reportedObjective?: number } = {}): SolutionCheck {
  const t = tolOf(opts)
  const integral = opts.integral ?? isMip(m)
  const issues: ValidationIssue[] = []
  const add = (path: string, code: string, message: string) => {
    if (issues.length < 20) issues.push({ path, code, message })
  }
  let maxB = 0, maxR = 0, maxI = 0
  if (x.length !== m.nCols) {
    add('$.x', 'wrong_length', `solution has ${x.length} values for ${m.nCols} columns`)
    return { issues, maxBoundViolation: Infinity, maxRowViolation: Infinity, maxIntegralityViolation: Infinity, objective: NaN }
  }
  for (let j = 0; j < m.nCols; j++) {
    const v = x[j]
    if (!Number.isFinite(v)) {
      add(`$.x[${j}]`, 'not_finite', `${colName(m, j)} = ${v}`)
      maxB = Infinity
      continue
    }
    const lo = m.colLower[j], up = m.colUpper[j]
    const viol = Math.max(lo - v, v - up, 0)
    if (viol > maxB) maxB = viol
    if (viol > t.feas * (1 + Math.abs(viol === lo - v ? lo : up))) add(`$.x[${j}]`, 'bound_violated', `${colName(m, j)} = ${v} outside [${lo}, ${up}]`)
    if (integral && m.integer[j]) {
      const f = Math.abs(v - Math.round(v))
      if (f > maxI) maxI = f
      if (f > t.int) add(`$.x[${j}]`, 'not_integral', `integer column ${colName(m, j)} = ${v}`)
    }
  }
  for (let i = 0; i < m.nRows; i++) {
    let s = 0, scale = 0
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
      const term = m.rowValue[k] * x[m.rowIndex[k]]
      s += term
      scale = Math.max(scale, Math.abs(term))
    }
    const lo = m.rowLower[i], up = m.rowUpper[i]
    const viol = Math.max(lo - s, s - up, 0)
    if (viol > maxR) maxR = viol
    const ref = viol === lo - s ? lo : up
    if (viol > t.feas * (1 + Math.max(Math.abs(ref), scale))) add(`$.rows[${i}]`, 'row_violated', `row ${rowName(m, i)} = ${s} outside [${lo}, ${up}]`)
  }
  const objective = objectiveValue(m, x)
  if (opts.reportedObjective !== undefined && Math.abs(opts.reportedObjective - objective) > t.opt * (1 + Math.abs(objective)))
    add('$.objective', 'objective_mismatch', `reported objective ${opts.reportedObjective} but Σ cost·x = ${objective}`)
  return { issues, maxBoundViolation: maxB, maxRowViolation: maxR, maxIntegralityViolation: maxI, objective }
}

/**
 * The Lagrangian bound of the LP relaxation for row multipliers y (any y):
 *   min c·x over the bounds and rows ≥ Σ_j min_{x_j∈[l_j,u_j]} (c − Aᵀy)_j·x_j + Σ_i min_{r∈[L_i,U_i]} y_i·r
 * (mirrored for max). Multipliers pointing at a missing row bound are dropped (set to 0), which
 * keeps the bound valid; a reduced cost pointing at a missing column bound makes it infinite,
 * unless it is within floating-point rounding (10⁻¹² of the terms that formed it) of zero.
 * `costScale` 0 gives the Farkas form used to certify infeasibility.
 */
export function lagrangianBound(m: LpModel, y: ArrayLike<number>, costScale = 1): number {
  const sgn = m.sense === 'min' ? 1 : -1
  // Work in min form: min sgn·c·x; a max problem's duals are mirrored the same way.
  const d = new Float64Array(m.nCols)
  // |terms| summed per column: a reduced cost within rounding error of 0 counts as 0.
  const mag = new Float64Array(m.nCols)
  for (let j = 0; j < m.nCols; j++) {
    d[j] = sgn * costScale * m.colCost[j]
    mag[j] = Math.abs(d[j])
  }
  let bound = sgn * costScale * m.offset
  for (let i = 0; i < m.nRows; i++) {
    let yi = sgn * y[i]
    if (!Number.isFinite(yi)) yi = 0
    if (yi > 0 && m.rowLower[i] === -Infinity) yi = 0
    if (yi < 0 && m.rowUpper[i] === Infinity) yi = 0
    if (yi === 0) continue
    bound += yi > 0 ? yi * m.rowLower[i] : yi * m.rowUpper[i]
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
      d[m.rowIndex[k]] -= yi * m.rowValue[k]
      mag[m.rowIndex[k]] += Math.abs(yi * m.rowValue[k])
    }
  }
  for (let j = 0; j < m.nCols; j++) {
    const dj = Math.abs(d[j]) <= 1e-12 * (1 + mag[j]) ? 0 : d[j]
    if (dj > 0) bound += m.colLower[j] === -Infinity ? -Infinity : dj * m.colLower[j]
    else if (dj < 0) bound += m.colUpper[j] === Infinity ? -Infinity : dj * m.colUpper[j]
  }
  return sgn * bound
}

/** Checks a back end's answer against the model. */
export function verifyLpResult(m: LpModel, r: LpResult, opts: VerifyOptions & { relaxed?: boolean } = {}): LpVerification {
  const t = tolOf(opts)
  const integral = opts.integral ?? (!opts.relaxed && isMip(m))
  const empty: SolutionCheck = { issues: [], maxBoundViolation: 0, maxRowViolation: 0, maxIntegralityViolation: 0, objective: NaN }
  if (r.status === 'optimal') {
    const c = checkSolution(m, r.x, { ...opts, integral, reportedObjective: r.objective })
    const v: LpVerification = { ...c, ok: c.issues.length === 0, certified: false }
    if (r.rowDual && !integral) {
      const b = lagrangianBound(m, r.rowDual)
      v.dualBound = b
      v.certified = Number.isFinite(b) && Math.abs(b - c.objective) <= t.opt * (1 + Math.abs(c.objective))
    }
    return v
  }
  if (r.status === 'time_limit' && r.incumbent) {
    const c = checkSolution(m, r.incumbent.x, { ...opts, integral, reportedObjective: r.incumbent.objective })
    return { ...c, ok: c.issues.length === 0, certified: false }
  }
  if (r.status === 'infeasible' && r.certificate) {
    const b = lagrangianBound(m, r.certificate, 0)
    const mirrored = lagrangianBound(m, Float64Array.from(r.certificate, (v) => -v), 0)
    // min form: a positive bound on "min 0" proves infeasibility (mirrored for max).
    const proves = (x: number) => (m.sense === 'min' ? x > 1e-7 : x < -1e-7)
    return { ...empty, ok: true, certified: false, infeasibilityCertified: proves(b) || proves(mirrored) }
  }
  return { ...empty, ok: true, certified: false }
}

export type CheckedLpResult = LpResult & { verification: LpVerification }

/**
 * Solves through a back end and verifies the answer. A solution that breaks a bound, a row,
 * integrality or its objective is a SOLVER_FAILED error; a time-limit incumbent that fails is
 * dropped. Model errors are reported before anything is sent.
 */
export async function solveLp(backend: LpBackend, m: LpModel, options: LpSolveOptions & VerifyOptions = {}): Promise<CheckedLpResult> {
  const shape = lpModelIssues(m)
  if (shape.length) throw new TerminplanError('COMMAND_INVALID', `invalid LP model: ${shape[0].path}: ${shape[0].message}`, shape)
  const r = await backend.solve(m, options)
  const v = verifyLpResult(m, r, { ...options, relaxed: options.relax })
  if (!v.ok) {
    if (r.status === 'time_limit') {
      const { incumbent: _dropped, ...rest } = r
      return { ...rest, verification: { ...v, ok: true, issues: [] } }
    }
    throw new TerminplanError('SOLVER_FAILED', `the ${r.backend} back end returned a solution our verifier rejects: ${v.issues[0].message}`, v.issues)
  }
  return { ...r, verification: v }
}
