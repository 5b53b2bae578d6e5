/**
 * Request and response schemas of the HTTP service. Requests are the model's own command schemas
 * (one source of truth: the same zod schema validates a library call and an HTTP body); responses
 * describe what the Scheduler interface returns. OpenAPI is generated from both.
 */
import { z } from 'zod'
import { HoldOptionsSchema, IdSchema, InstantSchema, JoinWaitlistSchema, LocalDateSchema, OverlaySchema, SearchRequestSchema, ServiceListSchema, SlotSchema } from '../../model/index.js'
import { ChangeRecordSchema, ChangeResultSchema } from '../../solver/scheduler/index.js'
import { DayOptionsSchema, DurationOverlayOptionsSchema, WalkInRequestSchema } from '../../model/day-requests.js'
import { TicketSnapshotSchema } from '../../solver/day/state.js'

export { ChangeRecordSchema, ChangeResultSchema, OverlaySchema, SearchRequestSchema, SlotSchema }

/**
 * A join over HTTP: the model's join request without `createdAt`. The time of joining sets the
 * citizen's due date and so their place in the queue; a client that could back-date it would jump
 * the queue, so the service stamps it (the library takes it for importing existing entries).
 */
export const JoinWaitlistBodySchema = JoinWaitlistSchema.omit({ createdAt: true })

/** A hold request is the slot and the hold options side by side, so the library's paths (`$.start`, `$.citizenId`) are paths into the body. */
export const HoldBodySchema = z.strictObject({ ...SlotSchema.shape, ...HoldOptionsSchema.shape })

/**
 * A reschedule's body is the new slot itself, so the library's paths (`$.start`, `$.services`) are
 * paths into the body; the idempotency key comes in the header, as for confirm and accept.
 */
export const RescheduleBodySchema = SlotSchema

/** A live change's body is an overlay (src/model/overlay.ts): the library's paths (`$.changes[0].staff`) point into it. */
export const ChangeBodySchema = OverlaySchema

/** Commands that take no body accept none or `{}`. */
export const EmptyBodySchema = z.strictObject({}).nullish()

export const IdempotencyHeadersSchema = z.object({
  'idempotency-key': z.string().min(1).max(256).optional().describe("Passed to the library's idempotencyKey: a replay returns the same appointment"),
})

export const HoldIdParams = z.strictObject({ holdId: IdSchema })
export const AppointmentIdParams = z.strictObject({ appointmentId: IdSchema })
export const EntryIdParams = z.strictObject({ entryId: IdSchema })
export const OfferIdParams = z.strictObject({ offerId: IdSchema })

const Limit = z.coerce.number().int().min(1).max(100_000).default(1000)
export const CitizenQuery = z.strictObject({ citizenId: IdSchema.optional(), limit: Limit })
export const AppointmentsQuery = z.strictObject({ officeId: IdSchema.optional(), citizenId: IdSchema.optional(), from: LocalDateSchema.optional(), limit: Limit })
export const EventsQuery = z.strictObject({ citizenId: IdSchema.optional() })

export const HoldSchema = z.object({ id: IdSchema, expiresAt: InstantSchema, slot: SlotSchema, citizenId: IdSchema })
export const AppointmentSchema = z.object({
  id: IdSchema,
  officeId: IdSchema,
  staffId: IdSchema,
  start: InstantSchema,
  end: InstantSchema,
  services: ServiceListSchema,
  citizenId: IdSchema.optional(),
})
export const OfferSchema = z.object({ id: IdSchema, entryId: IdSchema, citizenId: IdSchema, slot: SlotSchema, expiresAt: InstantSchema })
export const WaitlistViewSchema = z.object({
  id: IdSchema,
  citizenId: IdSchema,
  services: ServiceListSchema,
  priority: z.enum(['normal', 'urgent']),
  createdAt: InstantSchema,
  due: InstantSchema,
  state: z.enum(['waiting', 'offered']),
  offerId: IdSchema.optional(),
})
export const ExplanationSchema = z.object({
  offices: z.int(),
  officeDays: z.int(),
  available: z.int(),
  reasons: z.array(z.object({ code: z.string(), name: z.string(), count: z.int(), per: z.enum(['office', 'office-day']) })),
  bookedUntil: z.string().optional(),
  searched: z.object({ from: z.string(), to: z.string() }),
})
export const SearchResultSchema = z.object({ slots: z.array(SlotSchema), explanation: ExplanationSchema.optional() })
export const StatsSchema = z.object({
  capacityUnits: z.int(),
  freeUnits: z.int(),
  heldUnits: z.int(),
  bookedUnits: z.int(),
  frozenUnits: z.int(),
  offeredUnits: z.int(),
})
export const NowSchema = z.object({ now: InstantSchema })
export const HealthSchema = z.object({
  status: z.enum(['ok', 'closing']),
  // Only for an instance of a PostgreSQL city (serve --database).
  role: z.enum(['starting', 'leader', 'follower', 'closed']).optional().describe('This instance in its city: only the leader takes commands'),
  leader: z.string().nullable().optional().describe('The leading instance as last seen (its --instance name)'),
  behind: z.int().optional().describe('Commands in the city log not yet in this instance\'s state'),
  staleMs: z.number().optional().describe('Milliseconds since this instance last knew it was up to date'),
})
export const ReadyQuery = z.strictObject({
  for: z.enum(['commands', 'reads']).default('commands').describe('commands: ready only where commands are taken (a city\'s leader); reads: a following instance is ready too'),
})

export const IssueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() })
/** Every error answer: the library's TerminplanError shape, plus what a client needs to back off. */
export const ErrorSchema = z.object({
  code: z.string().describe('TerminplanError code (COMMAND_INVALID, NOT_FOUND, CONFLICT, EXPIRED, LIMIT_EXCEEDED, …) or an HTTP-level one (RATE_LIMITED, PAYLOAD_TOO_LARGE, OVERLOADED, …)'),
  message: z.string(),
  issues: z.array(IssueSchema),
  retryAfterSeconds: z.int().optional(),
  hint: z.string().optional(),
})
export type ErrorBody = z.output<typeof ErrorSchema>

/** Error answers every route can give. */
export const errorResponses = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const

// ---- the day of service ----------------------------------------------------------------------

export const CheckInBodySchema = z.strictObject({ appointmentId: IdSchema, ...DayOptionsSchema.shape })
export const WalkInBodySchema = WalkInRequestSchema
export const CallBodySchema = z.strictObject({ staffId: IdSchema, ...DayOptionsSchema.shape })
/** `at` when it happened (default now); the body may be left out. */
export const DayBodySchema = DayOptionsSchema.nullish()
export const TicketIdParams = z.strictObject({ ticketId: IdSchema })
export const OfficeIdParams = z.strictObject({ officeId: IdSchema })
export const TicketsQuery = z.strictObject({ officeId: IdSchema.optional() })
export const DurationOverlayQuery = z.strictObject({
  statistic: DurationOverlayOptionsSchema.shape.statistic,
  minSamples: z.coerce.number().int().min(1).max(100_000).default(20),
})
/** A ticket as the scheduler shows it: the snapshot's record without its bookkeeping, with the planned start and the predicted wait. */
export const TicketSchema = z.object({
  ...TicketSnapshotSchema.omit({ seq: true, date: true }).shape,
  start: InstantSchema.optional(),
  predictedWaitMinutes: z.number().optional(),
})
export const NoShowSchema = z.object({ appointment: AppointmentSchema, at: InstantSchema, toWalkInMinutes: z.number(), releasedMinutes: z.number() })
export const DayStatsSchema = z.object({
  checkIns: z.int(),
  walkIns: z.int(),
  served: z.int(),
  left: z.int(),
  missedCalls: z.int(),
  noShows: z.int(),
  noShowMinutes: z.number(),
  recoveredMinutes: z.number(),
  waitP50Minutes: z.number().nullable(),
  waitP90Minutes: z.number().nullable(),
})
export const DurationStatSchema = z.object({ officeId: IdSchema, services: ServiceListSchema, count: z.int(), plannedMinutes: z.number(), meanMinutes: z.number(), p90Minutes: z.number() })
/** What durationOverlay returns: an overlay of serviceDuration changes only. */
export const DurationOverlaySchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  changes: z.array(z.object({ kind: z.literal('serviceDuration'), service: IdSchema, minutes: z.int(), offices: z.array(IdSchema) })),
})
