/**
 * What the routes share: the scheduler (its public interface only), the clock, the metrics and
 * the guards. `run` is the one way a route calls the scheduler: it moves the clock to real time
 * first (so holds and offers expire), then times and counts the command.
 */
import type { Scheduler } from '../../solver/index.js'
import type { CommandKind, ServiceMetrics } from './metrics.js'
import type { Guards } from './guards.js'

export interface ServiceContext {
  s: Scheduler
  metrics: ServiceMetrics
  guards: Guards
  /** Epoch ms now, as the service sees it. */
  clock: () => number
  /** Brings the scheduler's clock up to `clock()`. */
  syncClock(): void
  run<T>(kind: CommandKind, fn: () => T): T
  /** True once the service is shutting down (readiness fails, streams end). */
  closing: boolean
}

export function outcomeOf(e: unknown): string {
  const code = (e as { code?: unknown })?.code
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code.toLowerCase() : 'internal'
}

/**
 * The scheduler's clock follows `clock` but never goes back (a journal recovered with a later time,
 * or `--now` in the future, wins) and is set at most once per `resolutionMs`, since each setNow is
 * a command (and a journal line).
 */
export function clockSync(s: Scheduler, clock: () => number, resolutionMs: number): () => void {
  let last = Number.NEGATIVE_INFINITY
  return () => {
    const t = clock()
    if (t - last < resolutionMs) return
    last = t
    if (t > Date.parse(s.now())) s.setNow(t)
  }
}

export function createRunner(metrics: ServiceMetrics, sync: () => void): ServiceContext['run'] {
  return <T>(kind: CommandKind, fn: () => T): T => {
    sync()
    const t0 = performance.now()
    try {
      const r = fn()
      metrics.command(kind, 'ok', (performance.now() - t0) / 1000)
      return r
    } catch (e) {
      metrics.command(kind, outcomeOf(e), (performance.now() - t0) / 1000)
      throw e
    }
  }
}
