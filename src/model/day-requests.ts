/** Requests of the day of service (check-in, walk-ins, the call queue): schemas that are type and validation. */
import { z } from 'zod'
import { IdSchema, InstantSchema } from './schema.js'
import { ServiceListSchema } from './schema.js'

/** When it happened; default the scheduler's now. Never later than now: a terminal that was offline sends its times afterwards. */
export const DayOptionsSchema = z.strictObject({
  at: InstantSchema.optional(),
})
export type DayOptions = z.input<typeof DayOptionsSchema>

export const WalkInRequestSchema = z.strictObject({
  officeId: IdSchema,
  services: ServiceListSchema,
  at: InstantSchema.optional(),
})
export type WalkInRequest = z.input<typeof WalkInRequestSchema>

/** What durationOverlay exports: which statistic, and how many recorded services a figure needs. */
export const DurationOverlayOptionsSchema = z.strictObject({
  statistic: z.enum(['mean', 'p90']).default('mean'),
  minSamples: z.int().min(1).max(100000).default(20),
})
export type DurationOverlayOptions = z.input<typeof DurationOverlayOptionsSchema>
