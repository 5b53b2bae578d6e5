/**
 * The LP port's model: a sparse linear (or mixed-integer) program in the form every back end
 * understands —
 *
 *   min or max  offset + Σ cost[j]·x[j]
 *   subject to  rowLower[i] ≤ Σ A[i,j]·x[j] ≤ rowUpper[i]
 *               colLower[j] ≤ x[j] ≤ colUpper[j],  x[j] integer where integer[j] = 1
 *
 * Rows are stored compressed (CSR) in typed arrays so a model crosses to a worker thread without
 * copying object graphs. ±Infinity marks a missing bound. `LpBuilder` assembles models, strips
 * zero coefficients and merges repeated ones (a row whose only coefficient is 0 makes some
 * solvers' presolve report infeasible), and `validateLpModel` says what is wrong and where.
 */
import { TerminplanError, type ValidationIssue } from '../../model/errors.js'

export type LpSense = 'min' | 'max'

export interface LpModel {
  name?: string
  sense: LpSense
  /** Constant added to the objective. */
  offset: number
  nCols: number
  colLower: Float64Array
  colUpper: Float64Array
  colCost: Float64Array
  /** 1 where the column must take an integer value. */
  integer: Uint8Array
  nRows: number
  rowLower: Float64Array
  rowUpper: Float64Array
  /** CSR: the coefficients of row i are at [rowStart[i], rowStart[i+1]). */
  rowStart: Int32Array
  rowIndex: Int32Array
  rowValue: Float64Array
  /** Optional names, for explanations and debugging (`x[3]`, `row[7]` otherwise). */
  colNames?: string[]
  rowNames?: string[]
}

export interface ColumnSpec {
  name?: string
  lower?: number
  upper?: number
  cost?: number
  integer?: boolean
}

/** Growable typed arrays: a model with 10⁵ columns is built without 10⁵ small objects. */
class F64 {
  a = new Float64Array(64)
  n = 0
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.n++] = v
  }
  take(): Float64Array {
    return this.a.slice(0, this.n)
  }
}
class I32 {
  a = new Int32Array(64)
  n = 0
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.n++] = v
  }
  take(): Int32Array {
    return this.a.slice(0, this.n)
  }
}

export class LpBuilder {
  private readonly lower = new F64()
  private readonly upper = new F64()
  private readonly cost = new F64()
  private readonly int = new I32()
  private readonly rLower = new F64()
  private readonly rUpper = new F64()
  private readonly start = new I32()
  private readonly index = new I32()
  private readonly value = new F64()
  private readonly colNames: string[] | undefined
  private readonly rowNames: string[] | undefined
  /** Scratch for merging repeated column indices inside one row. */
  private mark = new Int32Array(64).fill(-1)
  private slot = new Int32Array(64)
  private readonly modelName?: string
  offset = 0

  constructor(readonly sense: LpSense = 'min', opts: { names?: boolean; name?: string } = {}) {
    this.start.push(0)
    if (opts.names) {
      this.colNames = []
      this.rowNames = []
    }
    this.modelName = opts.name
  }

  get nCols(): number {
    return this.cost.n
  }
  get nRows(): number {
    return this.rLower.n
  }

  /** Adds a column; returns its index. Bounds default to [0, +∞), cost to 0. */
  addCol(spec: ColumnSpec = {}): number {
    const j = this.cost.n
    this.lower.push(spec.lower ?? 0)
    this.upper.push(spec.upper ?? Infinity)
    this.cost.push(spec.cost ?? 0)
    this.int.push(spec.integer ? 1 : 0)
    this.colNames?.push(spec.name ?? `x${j}`)
    return j
  }

  setCost(j: number, cost: number): void {
    this.cost.a[j] = cost
  }
  setBounds(j: number, lower: number, upper: number): void {
    this.lower.a[j] = lower
    this.upper.a[j] = upper
  }

  /**
   * Adds a row `lower ≤ Σ values[k]·x[indices[k]] ≤ upper`; returns its index. Zero coefficients
   * are dropped and repeated columns merged (their coefficients added).
   */
  addRow(lower: number, upper: number, indices: ArrayLike<number>, values: ArrayLike<number>, name?: string): number {
    const i = this.rLower.n
    this.rLower.push(lower)
    this.rUpper.push(upper)
    this.rowNames?.push(name ?? `r${i}`)
    const first = this.index.n
    for (let k = 0; k < indices.length; k++) {
      const j = indices[k], v = values[k]
      if (j >= this.mark.length) this.growMark(j + 1)
      if (this.mark[j] === i) this.value.a[this.slot[j]] += v
      else {
        this.mark[j] = i
        this.slot[j] = this.index.n
        this.index.push(j)
        this.value.push(v)
      }
    }
    // Compact away zeros (given, or produced by merging).
    let w = first
    for (let r = first; r < this.index.n; r++) {
      const v = this.value.a[r]
      if (v === 0) continue
      this.index.a[w] = this.index.a[r]
      this.value.a[w] = v
      w++
    }
    this.index.n = w
    this.value.n = w
    this.start.push(w)
    return i
  }

  private growMark(n: number): void {
    let len = this.mark.length
    while (len < n) len *= 2
    const m = new Int32Array(len).fill(-1)
    m.set(this.mark)
    this.mark = m
    const s = new Int32Array(len)
    s.set(this.slot)
    this.slot = s
  }

  build(): LpModel {
    const m: LpModel = {
      sense: this.sense,
      offset: this.offset,
      nCols: this.cost.n,
      colLower: this.lower.take(),
      colUpper: this.upper.take(),
      colCost: this.cost.take(),
      integer: Uint8Array.from(this.int.take()),
      nRows: this.rLower.n,
      rowLower: this.rLower.take(),
      rowUpper: this.rUpper.take(),
      rowStart: this.start.take(),
      rowIndex: this.index.take(),
      rowValue: this.value.take(),
    }
    if (this.modelName !== undefined) m.name = this.modelName
    if (this.colNames) m.colNames = [...this.colNames]
    if (this.rowNames) m.rowNames = [...this.rowNames]
    return m
  }
}

export const colName = (m: LpModel, j: number): string => m.colNames?.[j] ?? `x${j}`
export const rowName = (m: LpModel, i: number): string => m.rowNames?.[i] ?? `r${i}`

export function isMip(m: LpModel): boolean {
  for (let j = 0; j < m.nCols; j++) if (m.integer[j]) return true
  return false
}

/** Number of stored coefficients. */
export function nonzeros(m: LpModel): number {
  return m.rowStart[m.nRows]
}

/** Everything wrong with a model's shape and numbers, each with a path; empty when it is sound. */
export function lpModelIssues(m: LpModel): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (path: string, code: string, message: string) => {
    if (issues.length < 50) issues.push({ path, code, message })
  }
  if (m.sense !== 'min' && m.sense !== 'max') add('$.sense', 'invalid_sense', 'sense must be "min" or "max"')
  if (!Number.isFinite(m.offset)) add('$.offset', 'not_finite', 'the objective offset must be a finite number')
  const lens: [string, { length: number }, number][] = [
    ['colLower', m.colLower, m.nCols],
    ['colUpper', m.colUpper, m.nCols],
    ['colCost', m.colCost, m.nCols],
    ['integer', m.integer, m.nCols],
    ['rowLower', m.rowLower, m.nRows],
    ['rowUpper', m.rowUpper, m.nRows],
    ['rowStart', m.rowStart, m.nRows + 1],
  ]
  for (const [name, arr, n] of lens) if (arr.length !== n) add(`$.${name}`, 'wrong_length', `${name} has ${arr.length} entries, expected ${n}`)
  if (issues.length) return issues
  for (let j = 0; j < m.nCols; j++) {
    const lo = m.colLower[j], up = m.colUpper[j]
    if (!Number.isFinite(m.colCost[j])) add(`$.cols[${j}].cost`, 'not_finite', `cost of ${colName(m, j)} is not a finite number`)
    if (Number.isNaN(lo) || lo === Infinity) add(`$.cols[${j}].lower`, 'invalid_bound', `lower bound of ${colName(m, j)} is ${lo}`)
    if (Number.isNaN(up) || up === -Infinity) add(`$.cols[${j}].upper`, 'invalid_bound', `upper bound of ${colName(m, j)} is ${up}`)
    if (lo > up) add(`$.cols[${j}]`, 'empty_bounds', `bounds of ${colName(m, j)} are empty: ${lo} > ${up}`)
  }
  if (m.rowStart[0] !== 0 || m.rowStart[m.nRows] !== m.rowIndex.length || m.rowIndex.length !== m.rowValue.length)
    add('$.rowStart', 'bad_csr', 'rowStart, rowIndex and rowValue do not describe a compressed row matrix')
  else
    for (let i = 0; i < m.nRows; i++) {
      const lo = m.rowLower[i], up = m.rowUpper[i]
      if (Number.isNaN(lo) || lo === Infinity) add(`$.rows[${i}].lower`, 'invalid_bound', `lower bound of row ${rowName(m, i)} is ${lo}`)
      if (Number.isNaN(up) || up === -Infinity) add(`$.rows[${i}].upper`, 'invalid_bound', `upper bound of row ${rowName(m, i)} is ${up}`)
      if (lo > up) add(`$.rows[${i}]`, 'empty_bounds', `bounds of row ${rowName(m, i)} are empty: ${lo} > ${up}`)
      if (m.rowStart[i + 1] < m.rowStart[i]) add(`$.rows[${i}]`, 'bad_csr', 'rowStart must not decrease')
      for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
        const j = m.rowIndex[k]
        if (!Number.isInteger(j) || j < 0 || j >= m.nCols) add(`$.rows[${i}].coefficients[${k - m.rowStart[i]}]`, 'unknown_column', `row ${rowName(m, i)} refers to column ${j}`)
        if (!Number.isFinite(m.rowValue[k]) || m.rowValue[k] === 0)
          add(`$.rows[${i}].coefficients[${k - m.rowStart[i]}]`, 'bad_coefficient', `row ${rowName(m, i)} has coefficient ${m.rowValue[k]}`)
      }
    }
  return issues
}

/** Throws COMMAND_INVALID listing every problem of the model. */
export function validateLpModel(m: LpModel): void {
  const issues = lpModelIssues(m)
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `invalid LP model: ${issues[0].path}: ${issues[0].message}`, issues)
}

/** Σ cost·x + offset. */
export function objectiveValue(m: LpModel, x: ArrayLike<number>): number {
  let z = m.offset
  for (let j = 0; j < m.nCols; j++) z += m.colCost[j] * x[j]
  return z
}

/** Row activities A·x. */
export function rowActivities(m: LpModel, x: ArrayLike<number>): Float64Array {
  const act = new Float64Array(m.nRows)
  for (let i = 0; i < m.nRows; i++) {
    let s = 0
    for (let k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) s += m.rowValue[k] * x[m.rowIndex[k]]
    act[i] = s
  }
  return act
}

/** The same model with integrality dropped (its LP relaxation). */
export function relaxation(m: LpModel): LpModel {
  return { ...m, integer: new Uint8Array(m.nCols) }
}

/** The typed arrays of a model, for postMessage's transfer list (the model is copied first). */
export function cloneLpModel(m: LpModel): LpModel {
  return {
    ...m,
    colLower: m.colLower.slice(),
    colUpper: m.colUpper.slice(),
    colCost: m.colCost.slice(),
    integer: m.integer.slice(),
    rowLower: m.rowLower.slice(),
    rowUpper: m.rowUpper.slice(),
    rowStart: m.rowStart.slice(),
    rowIndex: m.rowIndex.slice(),
    rowValue: m.rowValue.slice(),
    colNames: m.colNames ? [...m.colNames] : undefined,
    rowNames: m.rowNames ? [...m.rowNames] : undefined,
  }
}
