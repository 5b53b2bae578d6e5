/**
 * A solver engine: the synchronous core of a back end, run inside the worker thread (or inline for
 * tests and benchmarks). `backend.ts` wraps an engine in a worker with a wall-clock budget and
 * turns it into the async `LpBackend` port of src/solver/lp.
 */
import type { LpModel } from '../../solver/lp/model.js'
import type { LpIncumbent, LpProgress, LpResult } from '../../solver/lp/port.js'

export type EngineName = 'highs' | 'jslp'
export const ENGINE_NAMES: readonly EngineName[] = ['highs', 'jslp']

export interface EngineOptions {
  /** Budget for the solver itself, in ms (the worker's own deadline is a little later). */
  timeLimitMs: number
  mipGap: number
  relax: boolean
  explain: boolean
  presolve?: boolean
  /** Progress with the incumbent's values, so a killed worker still leaves its best solution. */
  onProgress?: (p: LpProgress & { incumbent?: LpIncumbent }) => void
}

export interface LpEngine {
  readonly name: EngineName
  /** Solves synchronously; the result's `timeMs` is the solver's own time. */
  solve(model: LpModel, opts: EngineOptions): LpResult
}

export async function loadEngine(name: EngineName): Promise<LpEngine> {
  if (name === 'highs') return (await import('./highs.js')).createHighsEngine()
  if (name === 'jslp') return (await import('./jslp.js')).createJslpEngine()
  throw new Error(`unknown LP engine "${String(name)}"`)
}
