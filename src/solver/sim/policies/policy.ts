/**
 * A simulation policy: how a city releases capacity and what a citizen does when nothing fits.
 * One module per policy; the run (simulate.ts) calls these hooks and nothing else differs.
 */
import type { LpBackend } from '../../lp/port.js'
import type { Scheduler } from '../../scheduler/index.js'
import type { SimulationOptions } from '../options.js'
import type { Citizen } from '../citizens.js'
import type { PolicyName } from '../types.js'

/** What a policy may ask of the run. */
export interface SimRun {
  readonly opt: SimulationOptions
  readonly lp?: LpBackend
  readonly scheduler: Scheduler
  /** A nightly matching hit its budget (counted in the KPIs). */
  timeLimited(): void
  /** Books the earliest acceptable public slot starting at most `leadDays` after the request; false when none. */
  tryBook(i: number, leadDays: number): boolean
  /** Puts the citizen on the waitlist until `days` after the request; they give up then. */
  joinWaitlist(i: number, days: number): void
  /** The citizen looks again tomorrow (while retries and patience last). */
  retryLater(i: number): void
  citizen(i: number): Citizen
  /** The simulated clock (epoch ms) and a request's arrival. */
  now(): number
  requestedAt(i: number): number
  /** Whether the request has no appointment (yet). */
  unserved(i: number): boolean
}

/** Quotas: how many public bookings of a service an office-day may still take. */
export interface PublicGate {
  allows(day: number, office: number, services: number[]): boolean
  use(day: number, office: number, services: number[]): void
}

export interface Policy {
  readonly name: PolicyName
  /** What the policy changes, for the report. */
  readonly description: string
  /** The public booking window in days (caps every office's), or undefined for the offices' own. */
  windowDays?(opt: SimulationOptions): number | undefined
  /** Whether freed capacity and released days are offered to waiting citizens at once. */
  readonly autoOffer: boolean
  readonly needsLp: boolean
  /** Lead (days after the request) a citizen books on arrival. */
  arrivalLeadDays(c: Citizen, opt: SimulationOptions): number
  /** Nothing within that lead on arrival (or during the fill). */
  notFound(run: SimRun, i: number): void
  /** A citizen looks again (a retry); true when they booked. Default: the earliest slot within their patience. */
  retry?(run: SimRun, i: number): boolean
  /** The citizen's time on the waitlist ran out; they have left it. */
  gaveUp(run: SimRun, i: number): void
  /** Each midnight, before the day's requests (weekly plans, nightly matching). */
  atMidnight?(run: SimRun, day: number, absDay: number): Promise<void>
  /** Public bookings pass this gate (capacity plan quotas). */
  readonly gate?: PublicGate
  /** During the fast fill: whether citizens who found nothing wait (and get what a new day releases, best first). */
  readonly fillWaits: boolean
  /**
   * Whether the city books beyond the staff's time by the no-show rate it observes
   * (`behaviour.noShowShare`), planned per office and weekday with at most one citizen expected
   * to find no booked time of their own (the `overbook` change, src/model/overbooking.ts). Not
   * added to a scenario that already has overbooking time.
   */
  readonly overbook?: boolean
}
