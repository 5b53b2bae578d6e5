/**
 * Explaining infeasibility in the model's own names: which rows (and column bounds) conflict.
 * Back-end independent, so javascript-lp-solver answers are explained too:
 *  - `rowBoundConflicts`: rows that no values inside the column bounds can satisfy (interval
 *    arithmetic, linear time);
 *  - `deletionFilter`: the classic IIS filter for small models — drop each row in turn and keep it
 *    dropped when the rest stays infeasible; what remains is irreducible.
 */
import { colName, rowName, type LpModel } from './model.js'
import type { LpConflict } from './port.js'

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(+v.toPrecision(6)))

/** `name: 2·x1 + 3·x4 ≤ 10` */
export function describeRow(m: LpModel, i: number, maxTerms = 8): string {
  const terms: string[] = []
  const n = m.rowStart[i + 1] - m.rowStart[i]
  for (let k = m.rowStart[i]; k < m.rowStart[i + 1] && terms.length < maxTerms; k++) {
    const v = m.rowValue[k]
    const name = colName(m, m.rowIndex[k])
    terms.push(`${terms.length === 0 ? (v < 0 ? '−' : '') : v < 0 ? ' − ' : ' + '}${Math.abs(v) === 1 ? '' : fmt(Math.abs(v)) + '·'}${name}`)
  }
  let expr = terms.join('') + (n > maxTerms ? ` + … (${n} terms)` : '')
  if (n === 0) expr = '0'
  const lo = m.rowLower[i], up = m.rowUpper[i]
  const rel = lo === up ? `= ${fmt(lo)}` : lo === -Infinity ? `≤ ${fmt(up)}` : up === Infinity ? `≥ ${fmt(lo)}` : `in [${fmt(lo)}, ${fmt(up)}]`
  return `${rowName(m, i)}: ${expr} ${rel}`
}

export function describeBounds(m: LpModel, j: number): string {
  return `${colName(m, j)} in [${fmt(m.colLower[j])}, ${fmt(m.colUpper[j])}]`
}

export function conflictOf(m: LpModel, method: LpConflict['method'], rows: number[], cols: number[]): LpConflict {
  return { method, rows, cols, description: [...rows.map((i) => describeRow(m, i)), ...cols.map((j) => describeBounds(m, j))] }
}

/** Rows whose activity range over the column bounds misses the row's bounds. */
export function rowBoundConflicts(m: LpModel, tol = 1e-9): LpConflict | undefined {
  const rows: number[] = []
  const cols = new Set<number>()
  for (let i = 0; i < m.nRows; i++) {
    let lo = 0, hi = 0
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
      const a = m.rowValue[k], j = m.rowIndex[k]
      const l = m.colLower[j], u = m.colUpper[j]
      lo += a > 0 ? a * l : a * u
      hi += a > 0 ? a * u : a * l
    }
    const scale = 1 + Math.max(Math.abs(m.rowLower[i] === -Infinity ? 0 : m.rowLower[i]), Math.abs(m.rowUpper[i] === Infinity ? 0 : m.rowUpper[i]))
    if (hi < m.rowLower[i] - tol * scale || lo > m.rowUpper[i] + tol * scale) {
      rows.push(i)
      for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) cols.add(m.rowIndex[k])
    }
  }
  for (let j = 0; j < m.nCols; j++) if (m.colLower[j] > m.colUpper[j]) cols.add(j)
  if (rows.length === 0 && cols.size === 0) return undefined
  return conflictOf(m, 'row-bounds', rows, [...cols].sort((a, b) => a - b))
}

/** The model restricted to `keep` rows (same columns). */
export function withRows(m: LpModel, keep: number[]): LpModel {
  let nnz = 0
  for (const i of keep) nnz += m.rowStart[i + 1] - m.rowStart[i]
  const rowStart = new Int32Array(keep.length + 1)
  const rowIndex = new Int32Array(nnz), rowValue = new Float64Array(nnz)
  let w = 0
  keep.forEach((i, r) => {
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
      rowIndex[w] = m.rowIndex[k]
      rowValue[w++] = m.rowValue[k]
    }
    rowStart[r + 1] = w
  })
  return {
    ...m,
    nRows: keep.length,
    rowLower: Float64Array.from(keep, (i) => m.rowLower[i]),
    rowUpper: Float64Array.from(keep, (i) => m.rowUpper[i]),
    rowStart,
    rowIndex,
    rowValue,
    rowNames: m.rowNames ? keep.map((i) => m.rowNames![i]) : undefined,
    // Feasibility only: the objective does not matter.
    colCost: new Float64Array(m.nCols),
    integer: new Uint8Array(m.nCols),
  }
}

/**
 * Deletion filter: `infeasible(model)` must say whether a model (same columns, subset of rows) is
 * infeasible. Returns an irreducible set of rows, or undefined when the full model is feasible.
 * Costs one solve per row; meant for models of up to a few hundred rows.
 */
export function deletionFilter(m: LpModel, infeasible: (sub: LpModel) => boolean, deadline = Infinity, now: () => number = () => 0): LpConflict | undefined {
  let keep = Array.from({ length: m.nRows }, (_, i) => i)
  if (!infeasible(withRows(m, keep))) return undefined
  for (let k = 0; k < keep.length; ) {
    if (now() > deadline) break
    const trial = keep.filter((_, idx) => idx !== k)
    if (infeasible(withRows(m, trial))) keep = trial
    else k++
  }
  return conflictOf(m, 'deletion-filter', keep, [])
}
