/**
 * LP back ends for the solver's port: an engine (HiGHS or javascript-lp-solver) run in a
 * worker thread with a wall-clock budget, so the calling thread never blocks. The engine is told
 * to stop a little before the budget; if it has not answered when the budget (plus a short
 * grace) is over, the worker is terminated and the solve returns `time_limit` with the last
 * incumbent and bound the worker streamed. One worker per back end, reused between solves,
 * restarted after a kill or crash, and unref'd while idle so it never keeps a process alive.
 */
import { workerEntryFor } from '../common/worker-entry.js'
import { Worker } from 'node:worker_threads'
import { TerminplanError, type ErrorCode, type ValidationIssue } from '../../model/errors.js'
import { lpModelIssues, type LpModel } from '../../solver/lp/model.js'
import { DEFAULT_MIP_GAP, DEFAULT_TIME_LIMIT_MS, type LpBackend, type LpIncumbent, type LpResult, type LpSolveOptions } from '../../solver/lp/port.js'
import { ENGINE_NAMES, loadEngine, type EngineName, type LpEngine } from './engine.js'
import type { WorkerMessage, WorkerRequest } from './worker.js'

export type LpBackendName = EngineName
export const LP_BACKENDS = ENGINE_NAMES

export interface LpBackendOptions {
  /**
   * `worker` (default): solve in a worker thread, never blocking the caller. `inline`: solve in
   * the calling thread (blocks; for benchmarks that time the engine alone, and for tools).
   */
  mode?: 'worker' | 'inline'
  /** How long past the budget a worker may take to answer before it is terminated: this or a tenth of the budget, whichever is more. Default 250 ms. */
  graceMs?: number
}

/** The module's own URL; tsup's shims supply it in the CommonJS build. */
function moduleUrl(): string {
  return import.meta.url
}

/** Where the worker's code is (see workerEntryFor); a missing build is SOLVER_FAILED here. */
export function workerEntry(): { entry: URL | string; eval: boolean } {
  try {
    return workerEntryFor(moduleUrl(), './worker.ts', ['./lp-worker.js', '../lp-worker.js', '../../lp-worker.js'])
  } catch (e) {
    throw new TerminplanError('SOLVER_FAILED', (e as Error).message)
  }
}

interface Pending {
  id: number
  resolve: (r: LpResult) => void
  reject: (e: unknown) => void
  onProgress?: LpSolveOptions['onProgress']
  incumbent?: LpIncumbent
  bound?: number
  started: number
  timer?: ReturnType<typeof setTimeout>
}

class WorkerBackend implements LpBackend {
  private worker?: Worker
  private pending?: Pending
  private queue: Promise<unknown> = Promise.resolve()
  private seq = 0

  constructor(readonly name: EngineName, private readonly graceMs: number) {}

  solve(model: LpModel, options: LpSolveOptions = {}): Promise<LpResult> {
    const issues = lpModelIssues(model)
    if (issues.length) return Promise.reject(new TerminplanError('COMMAND_INVALID', `invalid LP model: ${issues[0].path}: ${issues[0].message}`, issues))
    const run = this.queue.then(() => this.runOne(model, options))
    this.queue = run.catch(() => undefined)
    return run
  }

  private spawn(): Worker {
    const { entry, eval: isCode } = workerEntry()
    const w = new Worker(entry, { eval: isCode })
    w.on('message', (msg: WorkerMessage) => this.onMessage(w, msg))
    w.on('error', (e) => this.onCrash(w, e))
    w.on('exit', (code) => this.onCrash(w, new Error(`LP worker exited with code ${code}`)))
    w.unref()
    return w
  }

  private runOne(model: LpModel, options: LpSolveOptions): Promise<LpResult> {
    const budget = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS
    return new Promise<LpResult>((resolve, reject) => {
      const started = performance.now()
      const p: Pending = { id: ++this.seq, resolve, reject, onProgress: options.onProgress, started }
      this.pending = p
      let w: Worker
      try {
        w = this.worker ??= this.spawn()
      } catch (e) {
        this.pending = undefined
        reject(e)
        return
      }
      w.ref()
      p.timer = setTimeout(() => this.onTimeout(p), budget + Math.max(this.graceMs, budget * 0.1))
      const req: WorkerRequest = {
        id: p.id,
        engine: this.name,
        model,
        // The engine stops itself a little early (HiGHS checks its clock only now and then); the
        // deadline is wall-clock time, so a fresh worker's start-up comes off the engine's share.
        deadline: Date.now() + budget * 0.85,
        options: {
          timeLimitMs: Math.max(1, budget * 0.85),
          mipGap: options.mipGap ?? DEFAULT_MIP_GAP,
          relax: options.relax ?? false,
          explain: options.explain ?? true,
          ...(options.presolve !== undefined ? { presolve: options.presolve } : {}),
        },
      }
      w.postMessage(req)
    })
  }

  private finish(p: Pending): void {
    if (p.timer) clearTimeout(p.timer)
    if (this.pending === p) this.pending = undefined
    this.worker?.unref()
  }

  private onMessage(w: Worker, msg: WorkerMessage): void {
    const p = this.pending
    if (w !== this.worker || !p || msg.id !== p.id) return
    if (msg.type === 'progress') {
      if (msg.progress.incumbent) p.incumbent = msg.progress.incumbent
      if (msg.progress.bound !== undefined) p.bound = msg.progress.bound
      const { incumbent: _x, ...rest } = msg.progress
      p.onProgress?.(rest)
    } else if (msg.type === 'result') {
      this.finish(p)
      p.resolve({ ...msg.result, timeMs: performance.now() - p.started })
    } else if (msg.type === 'error') {
      this.finish(p)
      const code = (msg.error.code ?? 'SOLVER_FAILED') as ErrorCode
      p.reject(new TerminplanError(code, msg.error.message, (msg.error.issues ?? []) as ValidationIssue[]))
    }
  }

  private onTimeout(p: Pending): void {
    if (this.pending !== p) return
    const w = this.worker
    this.worker = undefined
    this.finish(p)
    void w?.terminate()
    const r: LpResult = { status: 'time_limit', backend: this.name, timeMs: performance.now() - p.started }
    if (p.incumbent) r.incumbent = p.incumbent
    if (p.bound !== undefined) r.bound = p.bound
    p.resolve(r)
  }

  private onCrash(w: Worker, e: Error): void {
    if (w !== this.worker) return
    this.worker = undefined
    const p = this.pending
    if (!p) return
    this.finish(p)
    p.reject(new TerminplanError('SOLVER_FAILED', `the ${this.name} worker failed: ${e.message}`))
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    const p = this.pending
    if (p) {
      this.finish(p)
      p.reject(new TerminplanError('SOLVER_FAILED', `the ${this.name} back end was closed during a solve`))
    }
    if (w) await w.terminate()
  }
}

class InlineBackend implements LpBackend {
  private engine?: Promise<LpEngine>
  constructor(readonly name: EngineName) {}

  async solve(model: LpModel, options: LpSolveOptions = {}): Promise<LpResult> {
    const issues = lpModelIssues(model)
    if (issues.length) throw new TerminplanError('COMMAND_INVALID', `invalid LP model: ${issues[0].path}: ${issues[0].message}`, issues)
    const engine = await (this.engine ??= loadEngine(this.name))
    const t0 = performance.now()
    const r = engine.solve(model, {
      timeLimitMs: options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
      mipGap: options.mipGap ?? DEFAULT_MIP_GAP,
      relax: options.relax ?? false,
      explain: options.explain ?? true,
      ...(options.presolve !== undefined ? { presolve: options.presolve } : {}),
      onProgress: options.onProgress ? ({ incumbent: _x, ...p }) => options.onProgress!(p) : undefined,
    })
    return { ...r, timeMs: performance.now() - t0 }
  }

  async close(): Promise<void> {}
}

/** An LP back end: `highs` (default; HiGHS in WebAssembly) or `jslp` (javascript-lp-solver, small models). */
export function createLpBackend(name: LpBackendName = 'highs', options: LpBackendOptions = {}): LpBackend {
  if (!(LP_BACKENDS as readonly string[]).includes(name))
    throw new TerminplanError('USAGE', `unknown LP back end "${name}"`, [{ path: '$.backend', code: 'unknown_backend', message: `unknown LP back end "${name}"; use ${LP_BACKENDS.join(' or ')}` }])
  return options.mode === 'inline' ? new InlineBackend(name) : new WorkerBackend(name, options.graceMs ?? 250)
}
