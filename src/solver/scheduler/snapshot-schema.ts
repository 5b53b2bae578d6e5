/** The snapshot format: a scheduler's whole state as JSON, validated like any input before a restore. */
import { z } from 'zod'
import { DaySnapshotSchema } from '../day/state.js'
import { OverlaySchema } from '../../model/overlay.js'
import { IdSchema, InstantSchema, LocalDateSchema, ServiceListSchema, WaitlistEntrySchema } from '../../model/schema.js'

/**
 * One change applied to a running scheduler: the overlay, when, the horizon's first day then
 * (a rolling horizon moves it), and the hash of the scenario it gave, so a restore can tell where
 * a change log differs.
 */
const Count = z.int().min(0).max(Number.MAX_SAFE_INTEGER)

/** What a live change did (Scheduler.applyChange's result); kept with a keyed change so a retry returns it. */
export const ChangeResultSchema = z.strictObject({
  index: z.int().min(-1).describe("The change's position in the change log (0-based); −1 for a horizon roll"),
  name: z.string().max(200),
  scenarioHash: z.string().max(64).describe('Hash of the scenario now in force'),
  affected: Count.describe('Appointments whose time the change took away'),
  moved: Count.describe('… moved to another staff member at the same office and time'),
  offered: Count.describe('… offered the nearest alternative, held for the citizen (urgent on the waitlist)'),
  unplaceable: Count.describe('… with no alternative now: reported, and urgent on the waitlist when they have a citizen id and there is room'),
  outcomes: z
    .array(
      z.strictObject({
        appointmentId: IdSchema,
        outcome: z.enum(['moved', 'offered', 'unplaceable']),
        staffId: IdSchema.optional(),
        offerId: IdSchema.optional(),
        entryId: IdSchema.optional(),
      }),
    )
    .describe('Per affected appointment, in start order'),
  holdsDropped: Count.describe('Open holds whose slot the change removed'),
  offersWithdrawn: Count.describe('Open offers whose slot the change removed'),
  exact: z.boolean().describe('Whether the same-slot matching was exact on every overlap component'),
})

export const ChangeRecordSchema = z.strictObject({
  overlay: OverlaySchema,
  at: InstantSchema,
  horizonStart: LocalDateSchema,
  hash: z.string().max(64),
  /** The change's idempotency key, and what it did (returned again to a retry with the same key). */
  idempotencyKey: z.string().min(1).max(256).optional(),
  result: ChangeResultSchema.optional(),
})
export type ChangeRecord = z.output<typeof ChangeRecordSchema>

const Seq = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
/** What appointments and holds record of their slot. */
const Placed = {
  id: IdSchema,
  officeId: IdSchema,
  staffId: IdSchema,
  start: InstantSchema,
  /** Only when the length differs from the services' duration now (a duration change since booking). */
  end: InstantSchema.optional(),
  services: ServiceListSchema,
}

/** A scheduler's whole state as JSON; validated like any input before a restore. */
export const SchedulerSnapshotSchema = z.strictObject({
  version: z.literal(1),
  scenarioHash: z.string().max(64),
  now: InstantSchema,
  seq: z.strictObject({ hold: Seq, appointment: Seq, freeze: Seq }),
  appointments: z.array(z.strictObject({ ...Placed, citizenId: IdSchema.optional() })),
  holds: z.array(
    z.strictObject({
      ...Placed,
      citizenId: IdSchema,
      createdAt: InstantSchema,
      expiresAt: InstantSchema,
    }),
  ),
  freezes: z.array(z.strictObject({ id: IdSchema, officeId: IdSchema, staffId: IdSchema, start: InstantSchema, end: InstantSchema, until: InstantSchema })),
  idempotency: z.array(z.tuple([z.string().min(1).max(256), z.strictObject({ holdId: IdSchema, appointmentId: IdSchema })])),
  waitlist: z
    .array(
      z.strictObject({
        entry: WaitlistEntrySchema,
        state: z.enum(['waiting', 'offered']),
        declined: z.array(z.string().max(64)),
      }),
    )
    .default([]),
  offerGroups: z
    .array(
      z.strictObject({
        id: IdSchema,
        officeId: IdSchema,
        staffId: IdSchema,
        start: InstantSchema,
        end: InstantSchema,
        createdAt: InstantSchema,
        expiresAt: InstantSchema,
        offers: z.array(z.strictObject({ id: IdSchema, entryId: IdSchema, citizenId: IdSchema, services: ServiceListSchema })).min(1),
      }),
    )
    .default([]),
  /** The scenario's changes since load, in order; restore replays them onto the scenario. */
  changes: z.array(ChangeRecordSchema).default([]),
  /** The horizon's first day now, when a rolling horizon has moved it. */
  horizonStart: LocalDateSchema.optional(),
  /** Present (true) when the horizon rolls (SchedulerOptions.horizon = 'rolling'). */
  rolling: z.literal(true).optional(),
  seqWaitlist: z.strictObject({ entry: Seq, offer: Seq, group: Seq }).default({ entry: 0, offer: 0, group: 0 }),
  /** The day of service (tickets, no-shows, service times), once it has been used. */
  day: DaySnapshotSchema.optional(),
})
export type SchedulerSnapshot = z.output<typeof SchedulerSnapshotSchema>
