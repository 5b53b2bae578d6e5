/**
 * Limits of the back ends, importable without loading them (the engines load in the worker).
 */
import type { LpModel } from '../../solver/lp/model.js'

/** Dense tableau cells (rows × columns, bound rows included) javascript-lp-solver is allowed. */
export const JSLP_MAX_CELLS = 2_000_000

/**
 * Tableau size the model would need there: its rows plus one per column bounded on both sides,
 * by its columns (free ones twice) plus slacks.
 */
export function jslpCells(m: LpModel): number {
  let boundRows = 0, cols = 0
  for (let j = 0; j < m.nCols; j++) {
    const lo = m.colLower[j], up = m.colUpper[j]
    if (Number.isFinite(lo) && Number.isFinite(up)) boundRows++
    cols += lo === -Infinity && up === Infinity ? 2 : 1
  }
  const rows = m.nRows + boundRows + 1
  return rows * (cols + rows)
}

