/** The scheduler's public shapes: views of its records, events, options and the command facade. */
import type { ValidationIssue } from '../../model/errors.js'
import type { Model } from '../../model/compile.js'
import type { AcceptOfferOptions, ConfirmOptions, HoldOptions, JoinWaitlistRequest, SearchRequest, Slot } from '../../model/requests.js'
import type { Notification, NotificationSink } from '../ports.js'
import type { SearchResult } from '../search.js'
import type { OverlayInput } from '../../model/overlay.js'
import type { z } from 'zod'
import type { DayOptions, DurationOverlayOptions, WalkInRequest } from '../../model/day-requests.js'
import type { ChangeRecord, ChangeResultSchema, SchedulerSnapshot } from './snapshot-schema.js'

export interface Appointment {
  id: string
  officeId: string
  staffId: string
  start: string
  end: string
  services: string[]
  citizenId?: string
}

export interface Hold {
  id: string
  expiresAt: string
  slot: Slot
  citizenId: string
}

export interface FreedRange {
  officeId: string
  staffId: string
  start: string
  end: string
}

export interface Offer {
  id: string
  entryId: string
  citizenId: string
  slot: Slot
  expiresAt: string
}

export interface WaitlistView {
  id: string
  citizenId: string
  services: string[]
  priority: 'normal' | 'urgent'
  createdAt: string
  /** When this citizen should have an appointment (latest date or 14 days after joining). */
  due: string
  state: 'waiting' | 'offered'
  offerId?: string
}

/** A citizen in an office's queue on the day of service (no personal data: ids and a display code). */
export interface Ticket {
  id: string
  /** Short code for the call display: `A-007` (appointment) or `W-012` (walk-in), counted per office and day. */
  code: string
  officeId: string
  kind: 'appointment' | 'walkIn'
  /** The appointment checked in; for a walk-in, the time reserved for them (a no-show's or while served), if any. */
  appointmentId?: string
  services: string[]
  checkedInAt: string
  /** Appointments: checked in before their start, at it, or after it (within policy.dayOfService.noShowMinutes). */
  punctuality?: 'early' | 'onTime' | 'late'
  state: 'waiting' | 'called' | 'serving' | 'served' | 'noShow' | 'left'
  /** The staff member who called them. */
  staffId?: string
  /** A walk-in given a no-show's time on this staff member: only they call it. */
  reservedStaffId?: string
  /** The appointment's planned start, or the start of a walk-in's reserved time. */
  start?: string
  calledAt?: string
  startedAt?: string
  finishedAt?: string
  /** While waiting: minutes until called as the call rule, run forward, predicts (absent when it predicts no call today). */
  predictedWaitMinutes?: number
}

/** An appointment nobody checked in for within policy.dayOfService.noShowMinutes. */
export interface NoShow {
  appointment: Appointment
  at: string
  /** Minutes of its remaining time given at once to a waiting walk-in, and released to the waitlist and the pool. */
  toWalkInMinutes: number
  releasedMinutes: number
}

/** Recorded service times of one office and service list. */
export interface DurationStat {
  officeId: string
  services: string[]
  count: number
  plannedMinutes: number
  meanMinutes: number
  p90Minutes: number
}

/** The day of service's figures since the scheduler started (tickets of the last two days are kept in full). */
export interface DayStats {
  checkIns: number
  walkIns: number
  served: number
  left: number
  /** Tickets called who did not come (missCall), and appointments nobody checked in for. */
  missedCalls: number
  noShows: number
  noShowMinutes: number
  /** No-show minutes given to walk-ins at once. */
  recoveredMinutes: number
  /** In-office waits of served citizens (check-in, or the appointment's start if later, to the call), in minutes. */
  waitP50Minutes: number | null
  waitP90Minutes: number | null
}

export interface SchedulerEvents {
  held: { hold: Hold }
  confirmed: { appointment: Appointment; holdId: string }
  cancelled: { appointment: Appointment; frozenUntil: string }
  expired: { hold: Hold }
  freed: FreedRange & { reason: 'cancelled' | 'rescheduled' | 'expired' | 'offer_declined' | 'offer_expired' | 'offer_withdrawn' | 'no_show' | 'served_early' }
  offer: { offer: Offer }
  offerAccepted: { offer: Offer; appointment: Appointment }
  offerDeclined: { offer: Offer }
  offerExpired: { offer: Offer }
  /** Another citizen accepted the same broadcast slot, or the citizen left the waitlist. */
  offerWithdrawn: { offer: Offer }
  waitlistJoined: { entry: WaitlistView }
  waitlistLeft: { entry: WaitlistView; reason: 'left' | 'served' }
  /** A live change (or a horizon roll) took effect; what it did to existing bookings. */
  changed: { change: ChangeResult }
  /** An appointment moved: by a live change to another staff member, or by reschedule. */
  appointmentMoved: { appointment: Appointment; previous: Appointment; reason: 'replanned' | 'rescheduled' }
  /** A live change took an appointment's time away; `offer` is the alternative held, if any. */
  appointmentDisrupted: { appointment: Appointment; offer?: Offer; entry?: WaitlistView }
  /** A ticket was created or changed state on the day of service. */
  ticket: { ticket: Ticket; change: 'checkedIn' | 'called' | 'started' | 'served' | 'noShow' | 'left' }
  /** Nobody checked in for an appointment in time: it is gone from the ledger and its time released. */
  noShow: { noShow: NoShow; walkIn?: Ticket }
  /** A notification sink threw or rejected; the command had already succeeded. */
  notificationFailed: { notification: Notification; error: unknown }
}
export type SchedulerEventName = keyof SchedulerEvents

/** What a live change did (applyChange's result and the `changed` event); see ChangeResultSchema. */
export type ChangeResult = z.output<typeof ChangeResultSchema>

export interface ChangeOptions {
  /** A retry with the same key and the same change returns the first result and changes nothing; another change with it is CONFLICT. */
  idempotencyKey?: string
}

export interface CapacityStats {
  capacityUnits: number
  freeUnits: number
  heldUnits: number
  bookedUnits: number
  frozenUnits: number
  /** Units held for open waitlist offers. */
  offeredUnits: number
}


export interface SchedulerOptions {
  /** The current time: ISO 8601 with offset, or epoch ms. */
  now: string | number
  /**
   * Scenario appointments that cannot be placed (overlap, outside working time, missing skill):
   * `strict` (default) rejects the scenario listing them all; `report` loads the others and lists
   * the conflicts in `loadIssues()`.
   */
  existingAppointments?: 'strict' | 'report'
  /** Where offers, confirmations, reminders and expiries go (the embedder sends them). */
  notifications?: NotificationSink
  /**
   * `autoOffer` (default true): freed capacity, newly released days and new entries are offered
   * to waiting citizens at once. Off when a batch matcher (`matchWaitlist`) decides instead.
   */
  waitlist?: { autoOffer?: boolean }
  /** Input limits: `waitlistSize` live entries at most (default DEFAULT_LIMITS.waitlistSize); joins beyond it are LIMIT_EXCEEDED. */
  limits?: { waitlistSize?: number }
  /**
   * `fixed` (default): the scenario's horizon. `rolling`: at each local midnight the horizon
   * moves to start yesterday (same length; yesterday so that night shifts running past midnight
   * keep their hours), so the next booking day opens and older days leave memory.
   */
  horizon?: 'fixed' | 'rolling'
}

export interface Scheduler {
  readonly model: Model
  search(req: SearchRequest): SearchResult
  hold(slot: Slot, opts: HoldOptions): Hold
  confirm(holdId: string, opts?: ConfirmOptions): Appointment
  cancel(appointmentId: string): void
  setNow(now: string | number): void
  now(): string
  appointments(): Appointment[]
  holds(): Hold[]
  stats(): CapacityStats
  /** Read-only view of the units taken at staff member `p` (by index); for tools and checks. */
  busyUnits(p: number): Readonly<Uint32Array>
  snapshot(): SchedulerSnapshot
  loadIssues(): ValidationIssue[]
  /** Puts a citizen on the waitlist; a fitting free slot is offered at once. */
  joinWaitlist(entry: JoinWaitlistRequest): WaitlistView
  leaveWaitlist(entryId: string): void
  /** Waiting citizens, best first. */
  waitlist(): WaitlistView[]
  offers(): Offer[]
  acceptOffer(offerId: string, opts?: AcceptOfferOptions): Appointment
  declineOffer(offerId: string): void
  /** Offers a concrete free slot to a waiting citizen (what batch matching does with its result). */
  offer(entryId: string, slot: Slot): Offer
  /** Turns automatic offers on or off (see SchedulerOptions.waitlist). */
  setAutoOffer(on: boolean): void
  /**
   * Applies a live change — an overlay of absences (sick calls), shifts, closures, opening hours,
   * service durations, staff — atomically, or rejects it with a typed error and no change. The
   * appointments it takes time from are re-planned (see ChangeResult) and their citizens told once.
   */
  applyChange(change: OverlayInput, opts?: ChangeOptions): ChangeResult
  /** Moves an appointment to `slot` atomically: the old time is freed only if the new one is taken. Same services, same rules as a booking. */
  reschedule(appointmentId: string, slot: Slot, opts?: ConfirmOptions): Appointment
  /** The changes applied since the scenario was loaded, in order. */
  changes(): ChangeRecord[]

  // ---- the day of service (src/solver/day/) ----
  /** Checks in a booked citizen: from policy.dayOfService.earlyCheckInMinutes before the start until noShowMinutes after it. */
  checkIn(appointmentId: string, opts?: DayOptions): Ticket
  /** A citizen without appointment joins an office's queue. */
  checkInWalkIn(req: WalkInRequest): Ticket
  /** The next citizen for this staff member by the call rule (src/solver/day/rule.ts), or null when nobody fits now. */
  callNext(officeId: string, staffId: string, opts?: DayOptions): Ticket | null
  startService(ticketId: string, opts?: DayOptions): Ticket
  finishService(ticketId: string, opts?: DayOptions): Ticket
  /** A called citizen did not come; an appointment's remaining time is released as a no-show's. */
  missCall(ticketId: string, opts?: DayOptions): Ticket
  /** A waiting citizen left the queue. */
  leaveQueue(ticketId: string, opts?: DayOptions): Ticket
  /** Tickets of today and yesterday (optionally of one office), in check-in order, waiting ones with their predicted wait. */
  tickets(officeId?: string): Ticket[]
  noShows(): NoShow[]
  dayStats(): DayStats
  /** Recorded service times per office and service list. */
  durationStats(): DurationStat[]
  /** The recorded durations as an overlay of serviceDuration changes (single services with enough samples), to plan with. */
  durationOverlay(opts?: DurationOverlayOptions): OverlayInput
  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void
}
