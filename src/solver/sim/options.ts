/**
 * What a simulation run is asked to do: one zod schema, so the library, the CLI and the worker
 * threads parse options the same way.
 */
import { z } from 'zod'
import { LocalDateSchema } from '../../model/schema.js'
import { BehaviourSchema } from './behaviour.js'
import { POLICY_NAMES, type PolicyName } from './types.js'

export const SimulationOptionsSchema = z.strictObject({
  policy: z.enum(POLICY_NAMES as [PolicyName, ...PolicyName[]]),
  /** Measured days, after the fill and the warm-up. */
  days: z.int().min(15, 'at least 15 days (the 14-day goal needs them)').max(366),
  /**
   * Days before the measured ones that are simulated event by event (cancellations, offers,
   * retries settle); not measured.
   */
  warmupDays: z.int().min(0).max(180).default(14),
  /**
   * Days before the warm-up whose requests only book (fast fill): the calendars and the waitlist
   * start as steady state would leave them, at a fraction of the cost of simulating those days.
   * See warmup.ts.
   */
  fillDays: z.int().min(0).max(180).default(56),
  seed: z.int().min(0).max(2 ** 32 - 1).default(1),
  /** First simulated date (the fill's first day); default the scenario's horizon start. */
  from: LocalDateSchema.optional(),
  behaviour: BehaviourSchema.default(BehaviourSchema.parse({})),
  /** The goal in days: the 14-day policies' public booking window and the plans' target. */
  targetDays: z.int().min(1).max(60).default(14),
  /** Days each weekly capacity plan covers (quotas14, optimized). */
  planDays: z.int().min(7).max(60).default(21),
  /** Budget of one nightly matching (optimized); past it the best answer so far is used and counted. */
  matchTimeLimitMs: z.int().min(100).max(600_000).default(20_000),
  /**
   * How offices release capacity today (Berlin): this share of each office's staff is bookable
   * only `shortNoticeDays` ahead, the rest over the whole window — the model's
   * `bookingWindow.shortNotice`, set on every office that has none.
   */
  release: z.strictObject({ shortNoticeShare: z.number().min(0).max(1), shortNoticeDays: z.int().min(0).max(60) }).default({ shortNoticeShare: 0.75, shortNoticeDays: 3 }),
  /** Names of the overlays applied to the scenario, for the report. */
  overlays: z.array(z.string().max(200)).default([]),
})
export type SimulationOptionsInput = z.input<typeof SimulationOptionsSchema>
export type SimulationOptions = z.output<typeof SimulationOptionsSchema>
