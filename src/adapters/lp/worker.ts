/**
 * The LP worker thread: loads an engine once, solves the models it is sent, streams MIP progress
 * (with incumbents, so a worker killed at the deadline still leaves its best solution) and posts
 * the result. Built to dist/lp-worker.js; run from the TypeScript source under tsx/vitest.
 */
import { parentPort } from 'node:worker_threads'
import { isTerminplanError } from '../../model/errors.js'
import type { LpModel } from '../../solver/lp/model.js'
import type { LpResult } from '../../solver/lp/port.js'
import { loadEngine, type EngineName, type EngineOptions, type LpEngine } from './engine.js'

export interface WorkerRequest {
  id: number
  engine: EngineName
  model: LpModel
  /** Wall-clock deadline (epoch ms) for the engine; its time limit is what is left of it. */
  deadline?: number
  options: Omit<EngineOptions, 'onProgress'>
}

export type WorkerMessage =
  | { id: number; type: 'ready'; loadMs: number }
  | { id: number; type: 'progress'; progress: NonNullable<Parameters<NonNullable<EngineOptions['onProgress']>>[0]> }
  | { id: number; type: 'result'; result: LpResult }
  | { id: number; type: 'error'; error: { code?: string; message: string; issues?: unknown[] } }

const port = parentPort
if (port) {
  const engines = new Map<EngineName, Promise<LpEngine>>()
  port.on('message', async (req: WorkerRequest) => {
    const post = (msg: WorkerMessage) => port.postMessage(msg)
    try {
      const t0 = performance.now()
      let engine = engines.get(req.engine)
      if (!engine) engines.set(req.engine, (engine = loadEngine(req.engine)))
      const e = await engine
      post({ id: req.id, type: 'ready', loadMs: performance.now() - t0 })
      const timeLimitMs = req.deadline !== undefined ? Math.max(1, Math.min(req.options.timeLimitMs, req.deadline - Date.now())) : req.options.timeLimitMs
      const result = e.solve(req.model, { ...req.options, timeLimitMs, onProgress: (progress) => post({ id: req.id, type: 'progress', progress }) })
      post({ id: req.id, type: 'result', result })
    } catch (err) {
      if (isTerminplanError(err)) post({ id: req.id, type: 'error', error: { code: err.code, message: err.message, issues: err.issues } })
      else post({ id: req.id, type: 'error', error: { message: (err as Error)?.message ?? String(err) } })
    }
  })
}
