/**
 * One simulation run in a worker thread (the CLI runs policies and seeds side by side): the
 * scenario and options come in workerData; progress, the result and, when asked, the run's
 * events.csv rows go back.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createLpBackend, type LpBackendName } from '../adapters/lp/index.js'
import { eventsCsv } from '../solver/sim/events.js'
import { simulate, type SimulationOptionsInput } from '../solver/sim/simulate.js'
import type { Scenario } from '../model/schema.js'
import type { RunGoals } from '../solver/sim/paired.js'

export interface SimJob {
  label: string
  scenario: Scenario
  options: SimulationOptionsInput
  lp?: LpBackendName
  /** Write events.csv rows (with a leading policy column when set). */
  events?: { policyColumn: boolean }
}

export type SimWorkerMessage =
  | { kind: 'progress'; day: number; days: number }
  | { kind: 'done'; result: import('../solver/sim/types.js').SimulationResult; csv?: string; goals: RunGoals }
  | { kind: 'error'; error: { name: string; message: string; code?: string; issues?: unknown } }

const job = workerData as SimJob
const port = parentPort!
const lp = job.lp ? createLpBackend(job.lp) : undefined
try {
  const run = await simulate(job.scenario, job.options, { lp, onProgress: (day, days) => port.postMessage({ kind: 'progress', day, days } satisfies SimWorkerMessage) })
  let csv: string | undefined
  if (job.events) {
    const lines = [...eventsCsv([{ label: job.label, run }], job.events.policyColumn)]
    csv = lines.slice(1).join('')
  }
  port.postMessage({ kind: 'done', result: run.result, csv, goals: run.goals } satisfies SimWorkerMessage, [run.goals.marks.buffer as ArrayBuffer])
} catch (e) {
  const x = e as { name?: string; message?: string; code?: string; issues?: unknown }
  port.postMessage({ kind: 'error', error: { name: x.name ?? 'Error', message: x.message ?? String(e), code: x.code, issues: x.issues } } satisfies SimWorkerMessage)
} finally {
  await lp?.close()
}
