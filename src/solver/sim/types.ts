import type { SeedComparison } from './seeds.js'
import type { PairedDifference } from './paired.js'
import type { DayOfServiceKpis } from './day-sim.js'
/**
 * What a simulation run reports. Plain JSON (numbers, strings, arrays), so the CLI can write it
 * as is and the HTML report can draw it; every share is 0..1, every lead time in days.
 */

/**
 * `fcfs`, `waitlist` and `optimized` are the three policies compared by default; `fcfs14`,
 * `offers14` and `quotas14` are the steps between fcfs and optimized (the ablation): a 14-day
 * public window, + waitlist offers, + weekly quota plans; optimized adds nightly matching.
 */
export type PolicyName = 'fcfs' | 'waitlist' | 'optimized' | 'fcfs14' | 'offers14' | 'quotas14'
export const POLICY_NAMES: readonly PolicyName[] = ['fcfs', 'waitlist', 'optimized', 'fcfs14', 'offers14', 'quotas14']
/** The default comparison. */
export const MAIN_POLICIES: readonly PolicyName[] = ['fcfs', 'waitlist', 'optimized']
/** From today's practice to the full optimiser, one part at a time. */
export const ABLATION_POLICIES: readonly PolicyName[] = ['fcfs', 'fcfs14', 'offers14', 'quotas14', 'optimized']

/** How one request ended. */
export type Outcome = 'booked' | 'waitlist_booked' | 'unserved' | 'cancelled' | 'no_show'
export const OUTCOMES: readonly Outcome[] = ['booked', 'waitlist_booked', 'unserved', 'cancelled', 'no_show']

/** The headline figures, for the city, a district or an office. */
export interface Kpis {
  /** Requests measured: arrived after warm-up and at least 14 days before the end. */
  requests: number
  /** Of those, the share whose appointment starts within 14×24 h of the request (cancelled ones count as not served). */
  within14Share: number
  /** Lead time (request → appointment start) in days over measured requests that got an appointment; null when none did. */
  leadDaysP50: number | null
  leadDaysP90: number | null
  leadDaysMean: number | null
  /** Measured requests by outcome. */
  outcomes: Record<Outcome, number>
}

export interface CityKpis extends Kpis {
  /** Share of measured requests that got an appointment at all (within any lead). */
  servedShare: number
  /** Nightly matchings that hit their time budget and used their best answer so far (optimized). */
  matchingsTimeLimited: number
  /** Booked staff time (including no-shows) over working staff time, on the measured days. */
  utilisation: number
  /** Staff time citizens actually used (no-shows excluded) over working staff time. */
  servedUtilisation: number
  /** Slots freed by cancellations on the measured days, and the share of their time booked again. */
  freedSlots: number
  refilledShare: number
  /** Appointments missed without cancelling, and the staff hours they took. */
  noShows: number
  noShowHours: number
  /** Waiting citizens, mean and maximum over the measured days (0 for fcfs). */
  waitlistMean: number
  waitlistMax: number
  /** Offers made to waiting citizens and the share accepted. */
  offers: number
  offerAcceptShare: number
  /** Staff sick calls on the measured days (behaviour.sickCallsPerYear), the appointments they disrupted, and the share placed again the same day (another staff member at the same time, or an alternative accepted that day). */
  sickCalls: number
  disruptedAppointments: number
  replacedSameDayShare: number
}

export interface DistrictKpis extends Kpis {
  district: string
}

export interface OfficeKpis extends Kpis {
  officeId: string
  officeName: string
  district: string
  /** Booked staff time over working staff time at this office on the measured days. */
  utilisation: number
}

export interface WeekPoint {
  /** Local date of the week's first day (the run's weeks start on the first measured day). */
  weekStart: string
  requests: number
  within14Share: number
}

export interface SimulationResult {
  scenario: string
  policy: PolicyName
  seed: number
  /** Overlays applied, by name, in order. */
  overlays: string[]
  /** First and last simulated date (warm-up included) and the first measured date. */
  from: string
  to: string
  measuredFrom: string
  days: number
  warmupDays: number
  fillDays: number
  /** Requests generated over the whole run (warm-up and tail included). */
  totalRequests: number
  kpis: CityKpis
  byDistrict: DistrictKpis[]
  byOffice: OfficeKpis[]
  /** Spread of the within-14-days share between districts (max − min, and who). */
  districtSpread: { min: number; max: number; range: number; worst: string; best: string }
  /** The measured days' day of service: in-office waits, walk-ins, no-show hours recovered (day-sim.ts). */
  dayOfService: DayOfServiceKpis
  /** Measured requests by week of arrival. */
  weekly: WeekPoint[]
  /** Lead times of measured requests with an appointment: `counts[d]` = leads in [d, d+1) days; the last bin holds all longer ones. */
  leadHistogram: { binDays: number; counts: number[] }
  /** Waiting citizens at the end of each simulated day (warm-up included). */
  waitlistLength: { date: string; waiting: number }[]
  /** Booked share of working staff time per office (rows, in `byOffice` order) and measured date (columns); null on days an office does not work. */
  utilisationGrid: { officeIds: string[]; dates: string[]; values: (number | null)[][] }
}

/** A comparison: the same demand and seed under several policies and/or overlays. */
export interface Comparison {
  /** One entry per run, in the order they ran: label = policy, or `policy + overlay`. */
  runs: { label: string; result: SimulationResult }[]
  /** With several seeds: `runs` are the first seed's, this the spread over all of them. */
  seeds?: SeedComparison
  /** Each later run's 14-day share against the first's, request by request within the first seed (runs on the same requests only). */
  paired?: PairedDifference[]
}
