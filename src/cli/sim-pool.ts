/**
 * Simulation runs side by side in worker threads, as many at once as the machine has cores
 * (each run is single-threaded and independent; results come back in job order, so the output
 * does not depend on which finished first).
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { workerEntryFor } from '../adapters/common/worker-entry.js'
import { TerminplanError, type ErrorCode, type ValidationIssue } from '../model/errors.js'
import type { RunGoals } from '../solver/sim/paired.js'
import type { SimulationResult } from '../solver/sim/types.js'
import type { SimJob, SimWorkerMessage } from './sim-worker.js'

export interface PoolResult {
  label: string
  result: SimulationResult
  csv?: string
  goals: RunGoals
}

function runOne(job: SimJob, onProgress: (day: number, days: number) => void): Promise<PoolResult> {
  const { entry, eval: isCode } = workerEntryFor(import.meta.url, './sim-worker.ts', ['./sim-worker.js', './cli/sim-worker.js', '../cli/sim-worker.js'])
  return new Promise((resolve, reject) => {
    const w = new Worker(entry, { eval: isCode, workerData: job })
    let settled = false
    w.on('message', (m: SimWorkerMessage) => {
      if (m.kind === 'progress') onProgress(m.day, m.days)
      else if (m.kind === 'done') {
        settled = true
        resolve({ label: job.label, result: m.result, csv: m.csv, goals: m.goals })
      } else {
        settled = true
        const e = m.error
        reject(e.code ? new TerminplanError(e.code as ErrorCode, e.message, (e.issues as ValidationIssue[]) ?? []) : new Error(e.message))
      }
    })
    w.on('error', (e) => {
      settled = true
      reject(e)
    })
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`simulation worker exited with code ${code}`))
    })
  })
}

/**
 * Runs `jobs` with at most `parallel` at once, starting them by descending `cost` (the longest
 * first, so that short runs fill the gaps at the end); `onProgress(k, day, days)` per job.
 */
export async function runPool(
  jobs: SimJob[],
  onProgress: (k: number, day: number, days: number) => void,
  cost: (job: SimJob) => number = () => 1,
  parallel = Math.max(1, Math.min(availableParallelism(), jobs.length)),
): Promise<PoolResult[]> {
  const out: PoolResult[] = new Array(jobs.length)
  const order = jobs.map((j, k) => ({ k, c: cost(j) })).sort((a, b) => b.c - a.c || a.k - b.k).map((x) => x.k)
  let next = 0
  const lanes = Array.from({ length: parallel }, async () => {
    while (next < order.length) {
      const k = order[next++]
      out[k] = await runOne(jobs[k], (d, n) => onProgress(k, d, n))
    }
  })
  await Promise.all(lanes)
  return out
}
