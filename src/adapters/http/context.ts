/**
 * What the routes share: the scheduler (its public interface only), the clock, the metrics and
 * the guards. `run` is the one way a route calls the scheduler: it moves the clock to real time
 * first (so holds and offers expire), then times and counts the command.
 *
 * The scheduler is either one in this process (a `Scheduler`, journaled or not: commands answer
 * at once) or one instance of a city on PostgreSQL (a `CityScheduler`: commands answer once
 * committed, and a follower refuses them with NOT_LEADER). Reads are synchronous on both.
 */
import type { CityScheduler, Staleness } from '../journal/city.js'
import type { Scheduler } from '../../solver/index.js'
import type { CommandKind, ServiceMetrics } from './metrics.js'
import type { Guards } from './guards.js'

type Commands = 'hold' | 'confirm' | 'cancel' | 'setNow' | 'joinWaitlist' | 'leaveWaitlist' | 'acceptOffer' | 'declineOffer' | 'reschedule' | 'applyChange'
  | 'checkIn' | 'checkInWalkIn' | 'callNext' | 'startService' | 'finishService' | 'missCall' | 'leaveQueue'
type MaybeAsync<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<Awaited<R>> : never

/** What the service needs of a scheduler: `Scheduler` and `CityScheduler` both are one. */
export type ServedScheduler = Pick<Scheduler, 'search' | 'now' | 'appointments' | 'holds' | 'stats' | 'busyUnits' | 'waitlist' | 'offers' | 'on' | 'model' | 'changes' | 'tickets' | 'noShows' | 'dayStats' | 'durationStats' | 'durationOverlay'> & {
  [K in Commands]: MaybeAsync<Scheduler[K]>
} & Partial<Pick<CityScheduler, 'city' | 'role' | 'leader' | 'staleness'>>

/** Where this instance stands in its city, or null for a scheduler of its own. */
export function replication(s: ServedScheduler): (Staleness & { city: string; leader: string | null }) | null {
  return s.staleness && s.leader && s.city !== undefined ? { ...s.staleness(), city: s.city, leader: s.leader() } : null
}

export interface ServiceContext {
  s: ServedScheduler
  metrics: ServiceMetrics
  guards: Guards
  /** Epoch ms now, as the service sees it. */
  clock: () => number
  /** Brings the scheduler's clock up to `clock()`. */
  syncClock(): Promise<void>
  run<T>(kind: CommandKind, fn: () => T | Promise<T>): Promise<T>
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
 * a command (and a journal line). A follower's clock is the leader's: it moves with the log.
 */
export function clockSync(s: ServedScheduler, clock: () => number, resolutionMs: number): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY
  return async () => {
    if (s.role && s.role() !== 'leader') return
    const t = clock()
    if (t - last < resolutionMs) return
    last = t
    if (t > Date.parse(s.now())) await s.setNow(t)
  }
}

export function createRunner(metrics: ServiceMetrics, sync: () => Promise<void>): ServiceContext['run'] {
  return async <T>(kind: CommandKind, fn: () => T | Promise<T>): Promise<T> => {
    await sync()
    const t0 = performance.now()
    try {
      const r = await fn()
      metrics.command(kind, 'ok', (performance.now() - t0) / 1000)
      return r
    } catch (e) {
      metrics.command(kind, outcomeOf(e), (performance.now() - t0) / 1000)
      throw e
    }
  }
}
