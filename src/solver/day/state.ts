/**
 * The day of service's records: tickets, no-shows, the office-days where check-in is in use, and
 * recorded service times. Kept apart from the booking state and in ids and epoch ms, so a live
 * change or a horizon roll (which rebuild the booking state) leaves them as they are.
 */
import { z } from 'zod'
import { IdSchema, InstantSchema, ServiceListSchema } from '../../model/schema.js'

/** Prefix of the ledger records that reserve a walk-in's time. */
export const WALK_IN_PREFIX = 'walkin-'

export type TicketState = 'waiting' | 'called' | 'serving' | 'served' | 'noShow' | 'left'
export const OPEN_STATES: ReadonlySet<TicketState> = new Set(['waiting', 'called', 'serving'])

export interface TicketRec {
  id: string
  seq: number
  /** Short code for the call display: `A-007` (appointment) or `W-012` (walk-in), per office and day. */
  code: string
  officeId: string
  date: string
  kind: 'appointment' | 'walkIn'
  /** The booked appointment; for a walk-in, the time reserved for them in the ledger, if any. */
  appointmentId?: string
  services: string[]
  checkedInAt: number
  punctuality?: 'early' | 'onTime' | 'late'
  state: TicketState
  /** Who called them. */
  staffId?: string
  /** A walk-in given a no-show's time on this staff member. */
  reservedStaffId?: string
  calledAt?: number
  startedAt?: number
  finishedAt?: number
}

export interface NoShowRec {
  appointmentId: string
  officeId: string
  staffId: string
  start: number
  end: number
  services: string[]
  at: number
  /** Minutes of its remaining time given to a walk-in at once. */
  toWalkInMinutes: number
  /** Minutes of its remaining time released to the waitlist and the pool. */
  releasedMinutes: number
}

/** An office-day on which check-in is in use: its appointments in start order, for the no-show sweep. */
export interface ActiveDay {
  officeId: string
  date: string
  /** Appointment ids and starts (ms), sorted by start; the sweep's position in it. */
  book: { id: string; start: number }[]
  ids: Map<string, number>
  cursor: number
  /** The same entries per staff member as booked when noted (checked against the ledger on use). */
  byStaff: Map<number, { id: string; start: number }[]>
}

export function newActiveDay(officeId: string, date: string): ActiveDay {
  return { officeId, date, book: [], ids: new Map(), cursor: 0, byStaff: new Map() }
}

/** Where `start` goes in a list sorted by start (after equal ones). */
function upperBound(xs: { start: number }[], start: number): number {
  let lo = 0, hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid].start <= start) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Recorded service times kept per office and service list (the most recent ones). */
export const SAMPLE_CAP = 2000
/** In-office waits kept for the day's percentiles (the most recent ones). */
export const WAIT_CAP = 5000

export class DayState {
  readonly tickets = new Map<string, TicketRec>()
  seq = 0
  /** `office|date|A` → last code number. */
  readonly codes = new Map<string, number>()
  /** Appointment (or walk-in reservation) id → its ticket id. */
  readonly byAppointment = new Map<string, string>()
  /** Staff id → the ticket they called or serve. */
  readonly busy = new Map<string, string>()
  readonly noShows = new Map<string, NoShowRec>()
  /** `office|date` → active day. */
  readonly active = new Map<string, ActiveDay>()
  /** `office\u0000services` → recorded minutes, oldest first. */
  readonly samples = new Map<string, number[]>()

  nextCode(officeId: string, date: string, kind: 'appointment' | 'walkIn'): string {
    const key = `${officeId}|${date}|${kind}`
    const n = (this.codes.get(key) ?? 0) + 1
    this.codes.set(key, n)
    return `${kind === 'appointment' ? 'A' : 'W'}-${String(n).padStart(3, '0')}`
  }

  /** Sum of each key's samples, so that the expected duration is read in constant time. */
  private readonly sums = new Map<string, number>()

  record(officeId: string, services: string[], minutes: number): void {
    this.add(sampleKey(officeId, services), minutes)
  }

  add(key: string, minutes: number): void {
    let xs = this.samples.get(key)
    if (!xs) this.samples.set(key, (xs = []))
    xs.push(minutes)
    let sum = (this.sums.get(key) ?? 0) + minutes
    if (xs.length > SAMPLE_CAP) for (const x of xs.splice(0, xs.length - SAMPLE_CAP)) sum -= x
    this.sums.set(key, sum)
  }

  /** Mean of a key's samples and how many there are. */
  meanOf(key: string): { n: number; mean: number } {
    const n = this.samples.get(key)?.length ?? 0
    return { n, mean: n ? this.sums.get(key)! / n : 0 }
  }

  /** Adds an appointment to its active day's book (a booking made or moved today). */
  note(day: ActiveDay, id: string, start: number, staff: number): void {
    if (day.ids.get(id) === start) {
      const list = day.byStaff.get(staff)
      if (list?.some((e) => e.id === id)) return
    } else {
      const at = upperBound(day.book, start)
      const e = { id, start }
      day.book.splice(at, 0, e)
      day.ids.set(id, start)
      if (at < day.cursor) day.cursor = at
    }
    let list = day.byStaff.get(staff)
    if (!list) day.byStaff.set(staff, (list = []))
    list.splice(upperBound(list, start), 0, { id, start })
  }
}

/** Services as a key: a list is the same need in any order. */
export function sampleKey(officeId: string, services: readonly string[]): string {
  return `${officeId}\u0000${[...services].sort().join('+')}`
}

// ---- snapshots ---------------------------------------------------------------------------------

const Seq = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
const Minutes = z.number().min(0).max(1e6)

export const TicketSnapshotSchema = z.strictObject({
  id: IdSchema,
  seq: Seq,
  code: z.string().min(1).max(16),
  officeId: IdSchema,
  date: z.string().max(10),
  kind: z.enum(['appointment', 'walkIn']),
  appointmentId: IdSchema.optional(),
  services: ServiceListSchema,
  checkedInAt: InstantSchema,
  punctuality: z.enum(['early', 'onTime', 'late']).optional(),
  state: z.enum(['waiting', 'called', 'serving', 'served', 'noShow', 'left']),
  staffId: IdSchema.optional(),
  reservedStaffId: IdSchema.optional(),
  calledAt: InstantSchema.optional(),
  startedAt: InstantSchema.optional(),
  finishedAt: InstantSchema.optional(),
})

export const DaySnapshotSchema = z.strictObject({
  seq: Seq,
  tickets: z.array(TicketSnapshotSchema),
  codes: z.array(z.tuple([z.string().max(300), Seq])),
  noShows: z.array(
    z.strictObject({
      appointmentId: IdSchema,
      officeId: IdSchema,
      staffId: IdSchema,
      start: InstantSchema,
      end: InstantSchema,
      services: ServiceListSchema,
      at: InstantSchema,
      toWalkInMinutes: Minutes,
      releasedMinutes: Minutes,
    }),
  ),
  active: z.array(z.tuple([IdSchema, z.string().max(10)])),
  samples: z.array(z.tuple([z.string().max(2000), z.array(Minutes).max(SAMPLE_CAP)])),
  totals: z.strictObject({
    checkIns: Seq, walkIns: Seq, served: Seq, left: Seq, missedCalls: Seq, noShows: Seq,
    noShowMinutes: Minutes.max(Number.MAX_SAFE_INTEGER), recoveredMinutes: Minutes.max(Number.MAX_SAFE_INTEGER),
    waits: z.array(Minutes).max(WAIT_CAP),
  }),
})
export type DaySnapshot = z.output<typeof DaySnapshotSchema>
