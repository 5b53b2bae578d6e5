/** The snapshot format: a scheduler's whole state as JSON, validated like any input before a restore. */
import { z } from 'zod'
import { OverlaySchema } from '../../model/overlay.js'
import { IdSchema, InstantSchema, LocalDateSchema, ServiceListSchema, WaitlistEntrySchema } from '../../model/schema.js'

/**
 * One change applied to a running scheduler: the overlay, when, the horizon's first day then
 * (a rolling horizon moves it), and the hash of the scenario it gave, so a restore can tell where
 * a change log differs.
 */
export const ChangeRecordSchema = z.strictObject({
  overlay: OverlaySchema,
  at: InstantSchema,
  horizonStart: LocalDateSchema,
  hash: z.string().max(64),
})
export type ChangeRecord = z.output<typeof ChangeRecordSchema>

const Seq = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
/** A scheduler's whole state as JSON; validated like any input before a restore. */
export const SchedulerSnapshotSchema = z.strictObject({
  version: z.literal(1),
  scenarioHash: z.string().max(64),
  now: InstantSchema,
  seq: z.strictObject({ hold: Seq, appointment: Seq, freeze: Seq }),
  appointments: z.array(
    z.strictObject({
      id: IdSchema,
      officeId: IdSchema,
      staffId: IdSchema,
      start: InstantSchema,
      /** Only when the length differs from the services' duration now (a duration change since booking). */
      end: InstantSchema.optional(),
      services: ServiceListSchema,
      citizenId: IdSchema.optional(),
    }),
  ),
  holds: z.array(
    z.strictObject({
      id: IdSchema,
      officeId: IdSchema,
      staffId: IdSchema,
      start: InstantSchema,
      end: InstantSchema.optional(),
      services: ServiceListSchema,
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
  seqWaitlist: z.strictObject({ entry: Seq, offer: Seq, group: Seq }).default({ entry: 0, offer: 0, group: 0 }),
})
export type SchedulerSnapshot = z.output<typeof SchedulerSnapshotSchema>
