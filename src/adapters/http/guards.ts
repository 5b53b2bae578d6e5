/**
 * Bot protection and load shedding, before a request reaches the scheduler:
 * - token buckets per citizen and per client on search and hold, per appointment and per client
 *   on reschedule (a move takes a slot as a hold does), per client on live changes (each rebuilds
 *   the booking state);
 * - a cap on open holds per citizen, and hold lifetimes no longer than the policy's, so holds
 *   cannot squat capacity;
 * - 503 when too many requests are in flight or the event loop lags (overload).
 * A refusal is a 429 (or 503) with Retry-After, whose body points to the waitlist: a citizen who
 * waits there is offered a freed slot, so polling gains nothing.
 */
import type { FastifyRequest } from 'fastify'
import { TerminplanError } from '../../model/index.js'
import type { ServedScheduler } from './context.js'
import { httpError } from './errors.js'
import type { ServiceMetrics } from './metrics.js'
import { TokenBuckets, type BucketOptions } from './rate-limit.js'

export interface RateLimits {
  /** Searches per citizen (when the body names one). Default 2/s, burst 20. */
  searchPerCitizen: BucketOptions | null
  /** Searches per client (X-Client-Id when trusted, else the IP). Default 20/s, burst 100. */
  searchPerClient: BucketOptions | null
  /** Holds per citizen. Default one per 30 s, burst 3. */
  holdPerCitizen: BucketOptions | null
  /** Holds per client. Default 10 a minute, burst 10 (so one client holds at most ~100 slots over a 10-minute hold time). */
  holdPerClient: BucketOptions | null
  /** Read-only views per client (they copy whole lists, e.g. every appointment). Default 5/s, burst 20. */
  viewsPerClient: BucketOptions | null
  /** Reschedules per appointment (a move takes a slot, as a hold does). Default one per 30 s, burst 3. */
  reschedulePerAppointment: BucketOptions | null
  /** Reschedules per client. Default 10 a minute, burst 10 (as holds: polling for a freed slot by moving into it gains no more than holding it). */
  reschedulePerClient: BucketOptions | null
  /** Live changes (POST /changes) per client: each rebuilds the booking state (about 0.7 s on Berlin). Default 10 a minute, burst 10. */
  changesPerClient: BucketOptions | null
}

export interface GuardLimits extends RateLimits {
  /** Open holds per citizen at once (default 1). */
  holdsPerCitizen: number
  /** Longest hold a client may ask for, minutes (default: the scenario's policy.holdMinutes). */
  holdTtlMaxMinutes?: number
  /**
   * Use this request header as the client key (default none: the client's IP). Only for a
   * trusted front end that sets it per end user; anyone else could change it at will.
   */
  clientIdHeader?: string
  /** Requests in flight before new ones get 503 (default 1,000). */
  maxInFlight: number
  /** Event-loop lag in ms beyond which new requests get 503 (default 1,000; 0 = off). */
  maxEventLoopLagMs: number
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  searchPerCitizen: { perSecond: 2, burst: 20 },
  searchPerClient: { perSecond: 20, burst: 100 },
  holdPerCitizen: { perSecond: 1 / 30, burst: 3 },
  holdPerClient: { perSecond: 1 / 6, burst: 10 },
  viewsPerClient: { perSecond: 5, burst: 20 },
  reschedulePerAppointment: { perSecond: 1 / 30, burst: 3 },
  reschedulePerClient: { perSecond: 1 / 6, burst: 10 },
  changesPerClient: { perSecond: 1 / 6, burst: 10 },
  holdsPerCitizen: 1,
  maxInFlight: 1000,
  maxEventLoopLagMs: 1000,
}

export const WAITLIST_HINT =
  'Searching again will not find freed slots sooner: join the waitlist (POST /waitlist) and a fitting slot is offered to you as soon as one frees up (GET /events streams offers).'

export class Guards {
  private readonly buckets: { [K in keyof RateLimits]: TokenBuckets | null }
  inFlight = 0
  lagMs = 0
  private lagTimer?: NodeJS.Timeout

  constructor(
    readonly limits: GuardLimits,
    private readonly s: ServedScheduler,
    private readonly metrics: ServiceMetrics,
    clock: () => number,
  ) {
    const mk = (o: BucketOptions | null) => (o ? new TokenBuckets(o, clock) : null)
    this.buckets = {
      searchPerCitizen: mk(limits.searchPerCitizen),
      searchPerClient: mk(limits.searchPerClient),
      holdPerCitizen: mk(limits.holdPerCitizen),
      holdPerClient: mk(limits.holdPerClient),
      viewsPerClient: mk(limits.viewsPerClient),
      reschedulePerAppointment: mk(limits.reschedulePerAppointment),
      reschedulePerClient: mk(limits.reschedulePerClient),
      changesPerClient: mk(limits.changesPerClient),
    }
    if (!(Number.isInteger(limits.holdsPerCitizen) && limits.holdsPerCitizen >= 1)) throw new RangeError('holdsPerCitizen must be a whole number ≥ 1')
  }

  /** Measures event-loop lag (a timer that fires late by the lag); stopped by `stop`. */
  startLagMonitor(intervalMs = 100): void {
    if (this.limits.maxEventLoopLagMs <= 0) return
    let expected = performance.now() + intervalMs
    this.lagTimer = setInterval(() => {
      const now = performance.now()
      this.lagMs = Math.max(0, now - expected)
      expected = now + intervalMs
    }, intervalMs)
    this.lagTimer.unref()
  }

  stop(): void {
    if (this.lagTimer) clearInterval(this.lagTimer)
  }

  clientKey(req: FastifyRequest): string {
    const h = this.limits.clientIdHeader
    const v = h ? req.headers[h.toLowerCase()] : undefined
    return typeof v === 'string' && v.length > 0 && v.length <= 128 ? `h:${v}` : `ip:${req.ip}`
  }

  /** Throws OVERLOADED when the service cannot take more work now. */
  admit(): void {
    const overloaded = this.inFlight > this.limits.maxInFlight || (this.limits.maxEventLoopLagMs > 0 && this.lagMs > this.limits.maxEventLoopLagMs)
    if (!overloaded) return
    this.metrics.rejected('overload')
    throw httpError('OVERLOADED', '$', 'overloaded', 'the service is overloaded; try again shortly', { retryAfterSeconds: 1 })
  }

  /** Takes a token from bucket `name` for `key`, or throws RATE_LIMITED (with the waitlist hint when `hint`). */
  private take(name: keyof RateLimits, key: string, who: 'citizen' | 'client' | 'appointment', hint = true): void {
    const b = this.buckets[name]
    if (!b) return
    const r = b.take(key)
    if (r.ok) return
    this.metrics.rejected(`rate_limit_${who}`)
    const retry = Math.max(1, Math.ceil(r.retryAfterMs / 1000))
    const path = who === 'client' ? '$' : `$.${who}Id`
    throw httpError('RATE_LIMITED', path, `${who}_rate_limit`, `too many requests ${who === 'appointment' ? 'for this appointment' : `from this ${who}`}; retry after ${retry} s`, hint ? { retryAfterSeconds: retry, hint: WAITLIST_HINT } : { retryAfterSeconds: retry })
  }

  view(req: FastifyRequest): void {
    this.take('viewsPerClient', this.clientKey(req), 'client')
  }

  search(req: FastifyRequest, citizenId: string | undefined): void {
    this.take('searchPerClient', this.clientKey(req), 'client')
    if (citizenId !== undefined) this.take('searchPerCitizen', citizenId, 'citizen')
  }

  /** Rate limits for a reschedule: per client, then per appointment (its id: the service does not look up whose it is). */
  reschedule(req: FastifyRequest, appointmentId: string): void {
    this.take('reschedulePerClient', this.clientKey(req), 'client', false)
    this.take('reschedulePerAppointment', appointmentId, 'appointment', false)
  }

  /** The rate limit for a live change. */
  change(req: FastifyRequest): void {
    this.take('changesPerClient', this.clientKey(req), 'client', false)
  }

  /** Rate limits, the hold cap and the lifetime cap for a hold request. */
  hold(req: FastifyRequest, citizenId: string, ttlMinutes: number | undefined): void {
    const maxTtl = this.limits.holdTtlMaxMinutes ?? this.s.model.scenario.policy.holdMinutes
    if (ttlMinutes !== undefined && ttlMinutes > maxTtl)
      throw new TerminplanError('COMMAND_INVALID', `a hold lasts at most ${maxTtl} minutes here`, [{ path: '$.ttlMinutes', code: 'too_big', message: `at most ${maxTtl} minutes` }])
    this.take('holdPerClient', this.clientKey(req), 'client')
    this.take('holdPerCitizen', citizenId, 'citizen')
    let open = 0
    let firstExpiry = Number.POSITIVE_INFINITY
    for (const h of this.s.holds()) {
      if (h.citizenId !== citizenId) continue
      open++
      firstExpiry = Math.min(firstExpiry, Date.parse(h.expiresAt))
    }
    if (open >= this.limits.holdsPerCitizen) {
      this.metrics.rejected('hold_cap')
      const retry = Math.max(1, Math.ceil((firstExpiry - Date.parse(this.s.now())) / 1000))
      throw httpError('RATE_LIMITED', '$.citizenId', 'hold_cap', `this citizen has ${open} open hold${open === 1 ? '' : 's'} already (at most ${this.limits.holdsPerCitizen}); confirm it or let it expire`, {
        retryAfterSeconds: retry,
        hint: WAITLIST_HINT,
      })
    }
  }
}
