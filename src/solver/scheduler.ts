/**
 * createScheduler: what a booking backend embeds. Search, hold, confirm, cancel over one compiled
 * scenario, with an injected clock. Every command validates completely, then applies, then emits
 * events; a rejected command throws a TerminplanError and changes nothing.
 */
import { z } from 'zod'
import { compile, servicesDuration, type Model } from '../model/compile.js'
import { zodIssues } from '../model/load.js'
import { IdSchema, InstantSchema, ServiceListSchema, WaitlistEntrySchema, type WaitlistEntry } from '../model/schema.js'
import { TerminplanError, fail, jsonPath, type ErrorCode, type ValidationIssue } from '../model/errors.js'
import { DEFAULT_LIMITS, howToRaise, limitError, limitIssue, resolveLimits } from '../model/limits.js'
import {
  AcceptOfferOptionsSchema,
  ConfirmOptionsSchema,
  HoldOptionsSchema,
  isPlainConfirmOptions,
  isPlainHoldOptions,
  isPlainSlot,
  JoinWaitlistSchema,
  parseCommand,
  SlotSchema,
  type AcceptOfferOptions,
  type ConfirmOptions,
  type HoldOptions,
  type JoinWaitlistRequest,
  type SearchRequest,
  type Slot,
} from '../model/requests.js'
import { serviceListIssues } from '../model/rules.js'
import type { Scenario } from '../model/schema.js'
import { parseInstant, parseTimeOfDay } from '../model/tz.js'
import { popcount, getBit } from '../model/bitset.js'
import { GridCalendar } from './grid-calendar.js'
import { compareIds, Ledger, type AppointmentRec, type HoldRec, type OfferGroupRec, type OfferRec } from './ledger.js'
import { OfferEngine } from './offers.js'
import type { Notification, NotificationSink } from './ports.js'
import { Listeners, sendNotification } from './listeners.js'
import { comboKeyOf, compareEntries, type EntryRec } from './waitlist.js'
import { Occupancy, segmentsByDay } from './occupancy.js'
import { search as runSearch, setContextNow, type SearchContext, type SearchResult, fnv1a } from './search.js'
import { SLOT_RULES, type SlotRuleCode } from './slot-rules.js'

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

export interface SchedulerEvents {
  held: { hold: Hold }
  confirmed: { appointment: Appointment; holdId: string }
  cancelled: { appointment: Appointment; frozenUntil: string }
  expired: { hold: Hold }
  freed: FreedRange & { reason: 'cancelled' | 'expired' | 'offer_declined' | 'offer_expired' | 'offer_withdrawn' }
  offer: { offer: Offer }
  offerAccepted: { offer: Offer; appointment: Appointment }
  offerDeclined: { offer: Offer }
  offerExpired: { offer: Offer }
  /** Another citizen accepted the same broadcast slot, or the citizen left the waitlist. */
  offerWithdrawn: { offer: Offer }
  waitlistJoined: { entry: WaitlistView }
  waitlistLeft: { entry: WaitlistView; reason: 'left' | 'served' }
  /** A notification sink threw or rejected; the command had already succeeded. */
  notificationFailed: { notification: Notification; error: unknown }
}
export type SchedulerEventName = keyof SchedulerEvents

export interface CapacityStats {
  capacityUnits: number
  freeUnits: number
  heldUnits: number
  bookedUnits: number
  frozenUnits: number
  /** Units held for open waitlist offers. */
  offeredUnits: number
}

const Seq = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
/** A scheduler's whole state as JSON; validated like any input before a restore. */
export const SchedulerSnapshotSchema = z.strictObject({
  version: z.literal(1),
  scenarioHash: z.string().max(64),
  now: InstantSchema,
  seq: z.strictObject({ hold: Seq, appointment: Seq, freeze: Seq }),
  appointments: z.array(
    z.strictObject({ id: IdSchema, officeId: IdSchema, staffId: IdSchema, start: InstantSchema, services: ServiceListSchema, citizenId: IdSchema.optional() }),
  ),
  holds: z.array(
    z.strictObject({
      id: IdSchema,
      officeId: IdSchema,
      staffId: IdSchema,
      start: InstantSchema,
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
  seqWaitlist: z.strictObject({ entry: Seq, offer: Seq, group: Seq }).default({ entry: 0, offer: 0, group: 0 }),
})
export type SchedulerSnapshot = z.output<typeof SchedulerSnapshotSchema>

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
  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void
}

function parseNow(now: string | number, path = '$.now'): number {
  const ms = typeof now === 'number' ? now : parseInstant(now)
  if (ms === null || !Number.isFinite(ms)) fail('COMMAND_INVALID', path, 'invalid_instant', `not an ISO 8601 date-time with offset: ${String(now).slice(0, 64)}`)
  return ms
}

/** An id argument of a command: a string no longer than any id can be (so a huge one is never echoed). */
function checkIdArg(v: unknown, path: string, what: string): asserts v is string {
  if (typeof v !== 'string') fail('COMMAND_INVALID', path, 'invalid_type', `${what} must be a string`)
  if (v.length > 128) fail('COMMAND_INVALID', path, 'too_big', `${what} has ${v.length} characters; ids have at most 128`)
}

/** Stable fingerprint of a scenario, so a snapshot is never restored onto another one. */
export function scenarioHash(s: Scenario): string {
  return fnv1a(JSON.stringify(s)).toString(16).padStart(8, '0')
}

/** Internal access for solver modules (batch matching); not part of the public API. */
export const INTERNALS = Symbol('terminplan.internals')

export interface SchedulerInternals {
  m: Model
  cal: GridCalendar
  occ: Occupancy
  ledger: Ledger
  engine: OfferEngine
  ctx: SearchContext
}

class SchedulerImpl implements Scheduler {
  readonly model: Model
  private readonly ctx: SearchContext
  private readonly occ: Occupancy
  private readonly cal: GridCalendar
  private readonly ledger = new Ledger()
  private readonly listeners = new Listeners<SchedulerEvents>()
  private readonly issues: ValidationIssue[] = []
  private hashCache?: string
  private readonly engine: OfferEngine
  private sink?: NotificationSink
  /** Appointments whose 'begin' timer is set (see scheduleReminder). */
  private readonly beginSet = new Set<string>()
  /** Live waitlist entries at most (SchedulerOptions.limits). */
  waitlistLimit: number = DEFAULT_LIMITS.waitlistSize

  constructor(model: Model, nowMs: number, sink?: NotificationSink) {
    this.model = model
    this.sink = sink
    this.occ = new Occupancy(model)
    this.cal = new GridCalendar(model)
    this.ctx = { m: model, occ: this.occ, cal: this.cal, daySegs: segmentsByDay(model),
      windowMin: Int32Array.from(model.scenario.offices, (o) => o.bookingWindow.minDays),
      windowMax: Int32Array.from(model.scenario.offices, (o) => o.bookingWindow.maxDays),
      now: 0, nowUnit: 0, nowDay: 0, skilledCache: new Map(), durationCache: new Map() }
    setContextNow(this.ctx, nowMs)
    this.engine = new OfferEngine({
      m: model,
      cal: this.cal,
      occ: this.occ,
      ledger: this.ledger,
      ctx: this.ctx,
      mayOffer: (r) => this.ledger.activeCount(r.entry.citizenId, this.ctx.nowUnit) < this.model.scenario.policy.maxActiveAppointmentsPerCitizen,
      onOffered: (g, offers) => {
        for (const o of offers) {
          const view = this.offerView(o, g)
          this.emit('offer', { offer: view })
          this.notify({ kind: 'offer', idempotencyKey: `offer:${o.id}`, citizenId: o.citizenId, at: this.now(), officeId: view.slot.officeId, start: view.slot.start, end: view.slot.end, services: view.slot.services, offerId: o.id, expiresAt: view.expiresAt })
        }
      },
    })
  }

  // ---- placement rules -------------------------------------------------------------------------

  /** Services' length at an office in units, or 0 when the office lacks one of them. */
  private durationAt(office: number, services: string[]): number {
    return servicesDuration(this.model, office, services.map((id) => this.model.serviceIndex.get(id)!))
  }


  /**
   * The first rule that a placement breaks, in SLOT_RULES order, or null. `checkTime` also checks
   * now and the booking window (new holds); loaded appointments only need to fit working time.
   */
  private placementProblem(office: number, staff: number, start: number, end: number, services: string[], checkTime: boolean): SlotRuleCode | null {
    const m = this.model
    const dur = this.durationAt(office, services)
    if (dur === 0) return 'service_not_offered'
    const nS = m.serviceIds.length
    for (const id of services) if (m.skill[staff * nS + m.serviceIndex.get(id)!] !== 1) return 'staff_lacks_skill'
    if (end - start !== dur) return 'wrong_duration'
    if (start < 0 || end > m.nUnits) return 'outside_horizon'
    if (checkTime) {
      if (start < this.ctx.nowUnit) return 'in_the_past'
      const rel = this.cal.dayOfUnit(start) - this.ctx.nowDay
      const bw = m.scenario.offices[office].bookingWindow
      if (rel < bw.minDays || rel > bw.maxDays || rel > m.staffMaxDays[staff]) return 'outside_booking_window'
    }
    const si = this.occ.segmentAt(staff, start)
    if (si < 0 || m.segments[si].end < end || m.segments[si].office !== office) return 'outside_working_time'
    for (let u = start; u < end; u++) if (getBit(this.occ.busy[staff], u)) return 'slot_taken'
    return null
  }

  private unitOfInstant(ms: number, path: string): number {
    const m = this.model
    if ((ms - m.t0) % m.unitMs !== 0) fail('COMMAND_INVALID', path, 'off_grid', `${SLOT_RULES.off_grid} (${m.unitMinutes}-minute units)`)
    return (ms - m.t0) / m.unitMs
  }

  private resolveSlot(input: unknown): { office: number; staff: number; start: number; end: number; services: string[] } {
    const slot = isPlainSlot(input) ? input : parseCommand(SlotSchema, input, 'slot')
    const m = this.model
    const office = m.officeIndex.get(slot.officeId)
    if (office === undefined) fail('COMMAND_INVALID', '$.officeId', 'unknown_office', `${SLOT_RULES.unknown_office} "${slot.officeId}"`)
    const staff = m.staffIndex.get(slot.staffId)
    if (staff === undefined) fail('COMMAND_INVALID', '$.staffId', 'unknown_staff', `${SLOT_RULES.unknown_staff} "${slot.staffId}"`)
    const sl = serviceListIssues(m.scenario, ['services'], slot.services)
    if (sl.length) throw new TerminplanError('COMMAND_INVALID', `invalid slot: ${sl[0].path}: ${sl[0].message}`, sl)
    const start = this.unitOfInstant(parseInstant(slot.start)!, '$.start')
    const end = this.unitOfInstant(parseInstant(slot.end)!, '$.end')
    return { office, staff, start, end, services: slot.services }
  }

  // ---- events ----------------------------------------------------------------------------------

  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void {
    return this.listeners.on(event, handler)
  }

  private emit<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    this.listeners.emit(event, payload)
  }

  // ---- views -----------------------------------------------------------------------------------

  private apptView(a: AppointmentRec): Appointment {
    const m = this.model
    const v: Appointment = {
      id: a.id,
      officeId: m.officeIds[a.office],
      staffId: m.staffIds[a.staff],
      start: this.cal.unitIso(a.start),
      end: this.cal.unitIso(a.end),
      services: [...a.services],
    }
    if (a.citizenId !== undefined) v.citizenId = a.citizenId
    return v
  }

  private holdView(h: HoldRec): Hold {
    const m = this.model
    return {
      id: h.id,
      expiresAt: this.isoMs(h.expiresAt),
      citizenId: h.citizenId,
      slot: { officeId: m.officeIds[h.office], staffId: m.staffIds[h.staff], start: this.cal.unitIso(h.start), end: this.cal.unitIso(h.end), services: [...h.services] },
    }
  }

  private isoMs(ms: number): string {
    const m = this.model
    const u = (ms - m.t0) / m.unitMs
    return Number.isInteger(u) ? this.cal.unitIso(u) : this.cal.formatMs(ms)
  }

  // ---- commands --------------------------------------------------------------------------------

  search(req: SearchRequest): SearchResult {
    return runSearch(this.ctx, req)
  }

  hold(slotInput: Slot, optsInput: HoldOptions): Hold {
    const opts = isPlainHoldOptions(optsInput) ? optsInput : parseCommand(HoldOptionsSchema, optsInput, 'hold options')
    const { office, staff, start, end, services } = this.resolveSlot(slotInput)
    return this.holdView(this.holdAt(office, staff, start, end, services, opts))
  }

  /** `hold` on a slot already in units: every rule, event and timer of a hold. */
  holdAt(office: number, staff: number, start: number, end: number, services: string[], opts: HoldOptions): HoldRec {
    const problem = this.placementProblem(office, staff, start, end, services, true)
    if (problem) {
      const code: ErrorCode = problem === 'slot_taken' ? 'CONFLICT' : 'COMMAND_INVALID'
      fail(code, problem === 'slot_taken' || problem === 'outside_working_time' ? '$.start' : '$', problem, SLOT_RULES[problem])
    }
    const pol = this.model.scenario.policy
    if (this.ledger.activeCount(opts.citizenId, this.ctx.nowUnit) >= pol.maxActiveAppointmentsPerCitizen)
      fail('LIMIT_EXCEEDED', '$.citizenId', 'citizen_limit', `a citizen may hold at most ${pol.maxActiveAppointmentsPerCitizen} open holds and appointments`)
    const ttl = (opts.ttlMinutes ?? pol.holdMinutes) * 60_000
    const rec: HoldRec = {
      id: this.ledger.nextId('hold'),
      staff,
      office,
      start,
      end,
      services: [...services],
      citizenId: opts.citizenId,
      createdAt: this.ctx.now,
      expiresAt: this.ctx.now + ttl,
    }
    this.applyHold(rec)
    if (this.listeners.has('held')) this.emit('held', { hold: this.holdView(rec) })
    return rec
  }

  /**
   * Places an appointment made before the scheduler's clock (a simulation's warm-up), as a
   * scenario appointment is placed: the slot must lie in working time and be free; no events.
   */
  placeAppointment(office: number, staff: number, start: number, end: number, services: string[], citizenId: string): AppointmentRec {
    const problem = this.placementProblem(office, staff, start, end, services, false)
    if (problem) fail(problem === 'slot_taken' ? 'CONFLICT' : 'COMMAND_INVALID', '$.start', problem, SLOT_RULES[problem])
    const rec: AppointmentRec = { id: this.ledger.nextId('appointment'), staff, office, start, end, services: [...services], citizenId }
    this.ledger.appointments.set(rec.id, rec)
    this.ledger.linkCitizen(citizenId, rec.id)
    this.occ.occupy(staff, start, end)
    this.scheduleReminder(rec)
    return rec
  }

  private applyHold(rec: HoldRec): void {
    this.ledger.holds.set(rec.id, rec)
    this.ledger.linkCitizen(rec.citizenId, rec.id)
    this.occ.occupy(rec.staff, rec.start, rec.end)
    this.ledger.addTimer(rec.expiresAt, 'hold', rec.id)
  }

  /** A repeated confirmation (same idempotency key, same hold or offer) returns the first result. */
  private replay(key: string | undefined, sourceId: string): Appointment | undefined {
    if (key === undefined) return undefined
    const prev = this.ledger.idempotency.get(key)
    if (!prev) return undefined
    if (prev.holdId !== sourceId) fail('CONFLICT', '$.idempotencyKey', 'idempotency_key_reused', 'this idempotency key was used to confirm another hold or offer')
    const a = this.ledger.appointments.get(prev.appointmentId)
    if (a) return this.apptView(a)
    fail('CONFLICT', '$.idempotencyKey', 'appointment_cancelled', 'the appointment confirmed with this key has been cancelled since')
  }

  confirm(holdId: string, optsInput: ConfirmOptions = {}): Appointment {
    const opts = isPlainConfirmOptions(optsInput) ? optsInput : parseCommand(ConfirmOptionsSchema, optsInput, 'confirm options')
    checkIdArg(holdId, '$.holdId', 'hold id')
    const key = opts.idempotencyKey
    const replay = this.replay(key, holdId)
    if (replay) return replay
    return this.apptView(this.confirmHold(holdId, key))
  }

  /** `confirm` after its argument checks and idempotent replay. */
  confirmHold(holdId: string, key?: string): AppointmentRec {
    const h = this.ledger.holds.get(holdId)
    if (!h) fail('NOT_FOUND', '$.holdId', 'hold_not_found', `no open hold "${holdId}" (never made, expired or already confirmed)`)
    if (h.expiresAt <= this.ctx.now) fail('EXPIRED', '$.holdId', 'hold_expired', `hold "${holdId}" expired at ${this.isoMs(h.expiresAt)}`)
    if (h.start < this.ctx.nowUnit) fail('CONFLICT', '$.holdId', 'already_started', `the slot of hold "${holdId}" has already begun`)
    const rec: AppointmentRec = { id: this.ledger.nextId('appointment'), staff: h.staff, office: h.office, start: h.start, end: h.end, services: h.services, citizenId: h.citizenId }
    // The hold's units pass to the appointment without being released in between.
    this.ledger.holds.delete(h.id)
    this.ledger.timerDied()
    this.ledger.unlinkCitizen(h.citizenId, h.id)
    this.ledger.appointments.set(rec.id, rec)
    this.ledger.linkCitizen(rec.citizenId, rec.id)
    if (key !== undefined) this.ledger.idempotency.set(key, { holdId, appointmentId: rec.id })
    this.scheduleReminder(rec)
    if (this.listeners.has('confirmed')) this.emit('confirmed', { appointment: this.apptView(rec), holdId })
    this.notifyAppointment('confirmation', rec)
    return rec
  }

  cancel(appointmentId: string): void {
    checkIdArg(appointmentId, '$.appointmentId', 'appointment id')
    const a = this.ledger.appointments.get(appointmentId)
    if (!a) fail('NOT_FOUND', '$.appointmentId', 'appointment_not_found', `no appointment "${appointmentId}"`)
    if (a.start < this.ctx.nowUnit) fail('CONFLICT', '$.appointmentId', 'already_started', `appointment "${appointmentId}" has already begun`)
    this.ledger.appointments.delete(a.id)
    this.beginSet.delete(a.id)
    this.ledger.timerDied() // its reminder, if any
    this.ledger.unlinkCitizen(a.citizenId, a.id)
    const freezeMs = this.model.scenario.policy.cancelFreezeMinutes * 60_000
    const until = this.ctx.now + freezeMs
    const view = this.apptView(a)
    if (freezeMs > 0) {
      const f = { id: this.ledger.nextId('freeze'), staff: a.staff, office: a.office, start: a.start, end: a.end, until }
      this.ledger.freezes.set(f.id, f)
      this.ledger.addTimer(until, 'freeze', f.id)
    }
    this.emit('cancelled', { appointment: view, frozenUntil: this.isoMs(until) })
    if (a.citizenId !== undefined) this.notifyAppointment('cancellation', a)
    if (freezeMs === 0) this.release(a.staff, a.office, a.start, a.end, 'cancelled')
    this.reconsiderCitizen(a.citizenId)
  }

  /** A citizen below the per-citizen limit again: their waiting entries may now get offers. */
  private reconsiderCitizen(citizenId: string | undefined): void {
    if (citizenId === undefined || !this.engine.auto || this.engine.wl.waiting === 0) return
    for (const r of this.engine.wl.entriesOf(citizenId)) if (r.state === 'waiting') this.offerToEntry(r)
  }

  /** Frees units, tells listeners, and offers them to the waitlist. */
  private release(p: number, o: number, a: number, b: number, reason: SchedulerEvents['freed']['reason']): void {
    const m = this.model
    this.occ.release(p, a, b)
    this.emit('freed', { officeId: m.officeIds[o], staffId: m.staffIds[p], start: this.cal.unitIso(a), end: this.cal.unitIso(b), reason })
    this.engine.offerFreeRun(p, a, b)
  }

  setNow(nowInput: string | number): void {
    const ms = parseNow(nowInput)
    if (ms < this.ctx.now) fail('COMMAND_INVALID', '$.now', 'clock_backwards', `the clock cannot go back (now is ${this.now()})`)
    // Expiries fire in time order, each seeing the clock at its own moment.
    const timers = this.ledger.timers
    while (timers.length > 0 && timers.peek()!.at <= ms) {
      const t = timers.pop()!
      if (!this.ledger.timerLive(t)) continue
      this.advanceTo(t.at)
      switch (t.kind) {
        case 'hold': {
          const h = this.ledger.holds.get(t.id)!
          this.ledger.holds.delete(h.id)
          this.ledger.unlinkCitizen(h.citizenId, h.id)
          this.emit('expired', { hold: this.holdView(h) })
          this.release(h.staff, h.office, h.start, h.end, 'expired')
          this.reconsiderCitizen(h.citizenId)
          break
        }
        case 'freeze': {
          const f = this.ledger.freezes.get(t.id)!
          this.ledger.freezes.delete(f.id)
          this.release(f.staff, f.office, f.start, f.end, 'cancelled')
          break
        }
        case 'offer':
          this.expireGroup(this.ledger.groups.get(t.id)!)
          break
        case 'reminder': {
          const a = this.ledger.appointments.get(t.id)!
          if (this.model.t0 + a.start * this.model.unitMs > this.ctx.now) this.notifyAppointment('reminder', a)
          break
        }
        case 'begin':
          this.beginSet.delete(t.id)
          // The appointment has begun and no longer counts against the citizen's limit.
          this.reconsiderCitizen(this.ledger.appointments.get(t.id)!.citizenId)
          break
      }
    }
    this.advanceTo(ms)
  }

  /** Moves the clock; when the local date changes, the booking window releases new days. */
  private advanceTo(ms: number): void {
    const before = this.ctx.nowDay
    setContextNow(this.ctx, ms)
    const after = this.ctx.nowDay
    if (after <= before || this.engine.wl.waiting === 0) return
    const m = this.model
    for (let o = 0; o < m.officeIds.length; o++) {
      // The window's new last day, and the short-notice staff's (bestCandidate checks whose time it is).
      const short = m.scenario.offices[o].bookingWindow.shortNotice?.days
      for (const max of short !== undefined && short < this.ctx.windowMax[o] ? [short, this.ctx.windowMax[o]] : [this.ctx.windowMax[o]])
        for (let d = Math.max(0, before + max + 1); d <= Math.min(m.days - 1, after + max); d++) this.engine.offerDay(o, d)
    }
  }

  // ---- waitlist --------------------------------------------------------------------------------

  private entryView(r: EntryRec): WaitlistView {
    const v: WaitlistView = {
      id: r.entry.id,
      citizenId: r.entry.citizenId,
      services: [...r.entry.services],
      priority: r.entry.priority,
      createdAt: r.entry.createdAt,
      due: Number.isFinite(r.due) ? this.cal.formatMs(r.due) : '',
      state: r.state === 'offered' ? 'offered' : 'waiting',
    }
    if (r.offerId !== undefined) v.offerId = r.offerId
    return v
  }

  private offerView(o: OfferRec, g: OfferGroupRec): Offer {
    const m = this.model
    return {
      id: o.id,
      entryId: o.entryId,
      citizenId: o.citizenId,
      slot: { officeId: m.officeIds[g.office], staffId: m.staffIds[g.staff], start: this.cal.unitIso(g.start), end: this.cal.unitIso(g.end), services: [...o.services] },
      expiresAt: this.isoMs(g.expiresAt),
    }
  }

  /** Checks a waitlist entry against the scenario; problems carry paths under `path`. */
  private entryIssues(e: WaitlistEntry, path: (string | number)[]): ValidationIssue[] {
    const m = this.model
    const issues = serviceListIssues(m.scenario, [...path, 'services'], e.services)
    const at = (k: (string | number)[]) => jsonPath([...path, ...k])
    e.offices?.forEach((id, j) => {
      if (!m.officeIndex.has(id)) issues.push({ path: at(['offices', j]), code: 'unknown_reference', message: `unknown office "${id}"` })
    })
    if (e.district !== undefined && !m.districtIds.includes(e.district))
      issues.push({ path: at(['district']), code: 'unknown_reference', message: `no office is in district "${e.district}"` })
    if (e.earliest !== undefined && e.latest !== undefined && e.latest < e.earliest)
      issues.push({ path: at(['latest']), code: 'empty_range', message: `latest (${e.latest}) is before earliest (${e.earliest})` })
    e.windows?.forEach((w, j) => {
      if (parseTimeOfDay(w.to)! <= parseTimeOfDay(w.from)!) issues.push({ path: at(['windows', j, 'to']), code: 'empty_range', message: `window ends (${w.to}) before it starts (${w.from})` })
    })
    if (issues.length === 0 && e.offices && e.district !== undefined) {
      const d = m.districtIds.indexOf(e.district)
      if (!e.offices.some((id) => m.officeDistrict[m.officeIndex.get(id)!] === d))
        issues.push({ path: at(['offices']), code: 'empty_range', message: `none of the offices is in district "${e.district}"` })
    }
    return issues
  }

  joinWaitlist(input: JoinWaitlistRequest): WaitlistView {
    const req = parseCommand(JoinWaitlistSchema, input, 'waitlist entry')
    const entry: WaitlistEntry = { ...req, id: req.id ?? '', createdAt: req.createdAt ?? this.now() }
    const issues = this.entryIssues(entry, [])
    if (issues.length) throw new TerminplanError('COMMAND_INVALID', `invalid waitlist entry: ${issues[0].path}: ${issues[0].message}`, issues)
    if (req.id !== undefined && this.engine.wl.entries.has(req.id)) fail('CONFLICT', '$.id', 'duplicate_id', `waitlist entry "${req.id}" exists already`)
    const comboKey = comboKeyOf(entry.services.map((id) => this.model.serviceIndex.get(id)!))
    const other = this.engine.wl.sameNeed(entry.citizenId, comboKey)
    if (other) fail('CONFLICT', '$.citizenId', 'already_waiting', `citizen is already waiting for these services (entry "${other.entry.id}")`)
    if (this.engine.wl.waiting >= this.waitlistLimit)
      fail('LIMIT_EXCEEDED', '$', 'limit_exceeded', `the waitlist is full: ${this.engine.wl.waiting} entries, the limit (limits.waitlistSize); ${howToRaise('waitlistSize')}`)
    if (entry.id === '') entry.id = this.freshEntryId()
    // Canonical form (schema key order), so snapshots of joined and restored entries are identical.
    const rec = this.engine.wl.prepare(WaitlistEntrySchema.parse(entry))
    this.engine.wl.add(rec)
    this.beginTimersFor(rec.entry.citizenId)
    this.emit('waitlistJoined', { entry: this.entryView(rec) })
    this.offerToEntry(rec)
    return this.entryView(rec)
  }

  private freshEntryId(): string {
    for (;;) {
      const id = this.ledger.nextId('entry')
      if (!this.engine.wl.entries.has(id)) return id
    }
  }

  /** Offers an entry that (again) waits the earliest free slot that suits it and that it has not declined. */
  private offerToEntry(rec: EntryRec): void {
    if (!this.engine.auto || rec.state !== 'waiting') return
    if (!this.engine.core.mayOffer(rec)) return
    const found = this.engine.earliestFor(rec)
    if (found) this.engine.offerTo(rec, found.staff, found.office, found.start, found.dur)
  }

  leaveWaitlist(entryId: string): void {
    checkIdArg(entryId, '$.entryId', 'entry id')
    const rec = this.engine.wl.entries.get(entryId)
    if (!rec || rec.state === 'served' || rec.state === 'left') fail('NOT_FOUND', '$.entryId', 'entry_not_found', `no waiting entry "${entryId}"`)
    const view = this.entryView(rec)
    const offerId = rec.offerId
    this.engine.wl.retire(rec, 'left')
    this.engine.wl.entries.delete(entryId)
    this.emit('waitlistLeft', { entry: view, reason: 'left' })
    if (offerId !== undefined) this.closeOffer(this.ledger.offers.get(offerId)!, 'offerWithdrawn', 'offer_withdrawn')
  }

  waitlist(): WaitlistView[] {
    return [...this.engine.wl.entries.values()]
      .filter((r) => r.state === 'waiting' || r.state === 'offered')
      .sort(compareEntries)
      .map((r) => this.entryView(r))
  }

  offers(): Offer[] {
    return [...this.ledger.offers.values()]
      .map((o) => ({ o, g: this.ledger.groups.get(o.groupId)! }))
      .sort((x, y) => x.g.start - y.g.start || compareIds(x.o.id, y.o.id))
      .map(({ o, g }) => this.offerView(o, g))
  }

  acceptOffer(offerId: string, optsInput: AcceptOfferOptions = {}): Appointment {
    const opts = parseCommand(AcceptOfferOptionsSchema, optsInput, 'accept options')
    checkIdArg(offerId, '$.offerId', 'offer id')
    const key = opts.idempotencyKey
    const replay = this.replay(key, offerId)
    if (replay) return replay
    const o = this.ledger.offers.get(offerId)
    if (!o) fail('NOT_FOUND', '$.offerId', 'offer_not_found', `no open offer "${offerId}" (never made, declined, expired or taken)`)
    const g = this.ledger.groups.get(o.groupId)!
    if (g.expiresAt <= this.ctx.now) fail('EXPIRED', '$.offerId', 'offer_expired', `offer "${offerId}" expired at ${this.isoMs(g.expiresAt)}`)
    if (g.start < this.ctx.nowUnit) fail('CONFLICT', '$.offerId', 'already_started', 'the offered slot has already begun')
    const rec = this.engine.wl.entries.get(o.entryId)!
    const pol = this.model.scenario.policy
    if (this.ledger.activeCount(o.citizenId, this.ctx.nowUnit) >= pol.maxActiveAppointmentsPerCitizen)
      fail('LIMIT_EXCEEDED', '$.offerId', 'citizen_limit', `a citizen may hold at most ${pol.maxActiveAppointmentsPerCitizen} open holds and appointments`)
    // The group's units pass to the appointment; the other offers of a broadcast are withdrawn.
    const others = g.offerIds.filter((id) => id !== o.id).map((id) => this.ledger.offers.get(id)!)
    this.ledger.groups.delete(g.id)
    this.ledger.timerDied()
    for (const x of [o, ...others]) {
      this.ledger.offers.delete(x.id)
      const r = this.engine.wl.entries.get(x.entryId)
      if (r && r.offerId === x.id) this.engine.wl.markWaiting(r)
    }
    const a: AppointmentRec = { id: this.ledger.nextId('appointment'), staff: g.staff, office: g.office, start: g.start, end: g.end, services: [...o.services], citizenId: o.citizenId }
    this.ledger.appointments.set(a.id, a)
    this.ledger.linkCitizen(a.citizenId, a.id)
    if (key !== undefined) this.ledger.idempotency.set(key, { holdId: offerId, appointmentId: a.id })
    this.scheduleReminder(a)
    const entryView = this.entryView(rec)
    this.engine.wl.retire(rec, 'served')
    this.engine.wl.entries.delete(rec.entry.id)
    const view = this.apptView(a)
    this.emit('offerAccepted', { offer: this.offerView(o, g), appointment: view })
    this.emit('waitlistLeft', { entry: { ...entryView, state: 'waiting' }, reason: 'served' })
    this.notifyAppointment('confirmation', a)
    for (const x of others) this.emit('offerWithdrawn', { offer: this.offerView(x, g) })
    // Citizens who lost the race wait again: offer them what suits them now.
    for (const x of others) {
      const r = this.engine.wl.entries.get(x.entryId)
      if (r && r.state === 'waiting') this.offerToEntry(r)
    }
    return view
  }

  offer(entryId: string, slotInput: Slot): Offer {
    checkIdArg(entryId, '$.entryId', 'entry id')
    const rec = this.engine.wl.entries.get(entryId)
    if (!rec || rec.state === 'served' || rec.state === 'left') fail('NOT_FOUND', '$.entryId', 'entry_not_found', `no waiting entry "${entryId}"`)
    if (rec.state === 'offered') fail('CONFLICT', '$.entryId', 'already_offered', `entry "${entryId}" holds an open offer already`)
    const { office, staff, start, end, services } = this.resolveSlot(slotInput)
    const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')
    if (!same(services, rec.entry.services)) fail('COMMAND_INVALID', '$.services', 'wrong_services', 'the slot is for other services than the entry')
    const problem = this.placementProblem(office, staff, start, end, services, true)
    if (problem) fail(problem === 'slot_taken' ? 'CONFLICT' : 'COMMAND_INVALID', '$.start', problem, SLOT_RULES[problem])
    if (rec.offices && !rec.offices.has(office)) fail('COMMAND_INVALID', '$.officeId', 'office_not_accepted', 'the citizen does not accept this office')
    if (!this.engine.wl.timeFits(rec, this.cal.dayOfUnit(start), start, end - start))
      fail('COMMAND_INVALID', '$.start', 'outside_citizen_times', "the slot lies outside the citizen's dates or time windows")
    this.engine.offerTo(rec, staff, office, start, end - start)
    const o = this.ledger.offers.get(rec.offerId!)!
    return this.offerView(o, this.ledger.groups.get(o.groupId)!)
  }

  [INTERNALS](): SchedulerInternals {
    return { m: this.model, cal: this.cal, occ: this.occ, ledger: this.ledger, engine: this.engine, ctx: this.ctx }
  }

  setAutoOffer(on: boolean): void {
    this.engine.auto = on
  }

  declineOffer(offerId: string): void {
    checkIdArg(offerId, '$.offerId', 'offer id')
    const o = this.ledger.offers.get(offerId)
    if (!o) fail('NOT_FOUND', '$.offerId', 'offer_not_found', `no open offer "${offerId}"`)
    this.closeOffer(o, 'offerDeclined', 'offer_declined')
  }

  /** Ends one offer; when its group has no open offer left, the slot is freed and offered on. */
  private closeOffer(o: OfferRec, event: 'offerDeclined' | 'offerWithdrawn' | 'offerExpired', reason: 'offer_declined' | 'offer_withdrawn' | 'offer_expired'): void {
    const g = this.ledger.groups.get(o.groupId)!
    const view = this.offerView(o, g)
    this.ledger.offers.delete(o.id)
    g.offerIds = g.offerIds.filter((id) => id !== o.id)
    const rec = this.engine.wl.entries.get(o.entryId)
    if (rec && rec.offerId === o.id) {
      rec.declined.add(`${g.staff}:${g.start}`)
      this.engine.wl.markWaiting(rec)
    }
    this.emit(event, { offer: view })
    if (event === 'offerExpired') this.notify({ kind: 'offer_expired', idempotencyKey: `offer_expired:${o.id}`, citizenId: o.citizenId, at: this.now(), offerId: o.id })
    if (g.offerIds.length === 0) {
      this.ledger.groups.delete(g.id)
      this.ledger.timerDied()
      this.release(g.staff, g.office, g.start, g.end, reason)
    }
    // Back to waiting: free capacity that suits the citizen may have come up while they held the offer.
    if (rec && rec.state === 'waiting' && this.engine.wl.entries.has(rec.entry.id)) this.offerToEntry(rec)
  }

  private expireGroup(g: OfferGroupRec): void {
    for (const id of [...g.offerIds]) this.closeOffer(this.ledger.offers.get(id)!, 'offerExpired', 'offer_expired')
  }

  // ---- notifications ---------------------------------------------------------------------------

  private notify(n: Notification): void {
    if (!this.sink) return
    sendNotification(this.sink, n, (error) => this.emit('notificationFailed', { notification: n, error }))
  }

  private notifyAppointment(kind: 'confirmation' | 'reminder' | 'cancellation', a: AppointmentRec): void {
    if (a.citizenId === undefined || !this.sink) return
    const m = this.model
    this.notify({
      kind,
      idempotencyKey: `${kind}:${a.id}`,
      citizenId: a.citizenId,
      at: this.now(),
      appointmentId: a.id,
      officeId: m.officeIds[a.office],
      start: this.cal.unitIso(a.start),
      end: this.cal.unitIso(a.end),
      services: [...a.services],
    })
  }

  /**
   * An appointment's timers, both derived from it (so a restore sets them again): a reminder
   * `policy.reminderMinutesBefore` ahead, and its beginning, when it stops counting against the
   * citizen's limit and their waiting entries may get offers. The beginning matters only to a
   * citizen who waits for something, so it is set when they have a waiting entry, or when they
   * join the waitlist (`beginTimersFor`); a heap of every appointment's beginning would cost
   * every command its logarithm.
   */
  private scheduleReminder(a: AppointmentRec): void {
    if (a.citizenId === undefined) return
    const startMs = this.model.t0 + a.start * this.model.unitMs
    const before = this.model.scenario.policy.reminderMinutesBefore
    if (before > 0 && this.sink && startMs - before * 60_000 > this.ctx.now) this.ledger.addTimer(startMs - before * 60_000, 'reminder', a.id)
    if (this.engine.wl.entriesOf(a.citizenId).length > 0) this.scheduleBegin(a)
  }

  private scheduleBegin(a: AppointmentRec): void {
    const startMs = this.model.t0 + a.start * this.model.unitMs
    if (startMs + 1 > this.ctx.now && !this.beginSet.has(a.id)) {
      this.beginSet.add(a.id)
      this.ledger.addTimer(startMs + 1, 'begin', a.id)
    }
  }

  /** A citizen now waits for something: their appointments' beginnings matter (see scheduleReminder). */
  private beginTimersFor(citizenId: string): void {
    const ids = this.ledger.byCitizen.get(citizenId)
    if (!ids) return
    for (const id of [...ids].sort(compareIds)) {
      const a = this.ledger.appointments.get(id)
      if (a) this.scheduleBegin(a)
    }
  }

  now(): string {
    return this.isoMs(this.ctx.now)
  }

  appointments(): Appointment[] {
    return [...this.ledger.appointments.values()]
      .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((a) => this.apptView(a))
  }

  holds(): Hold[] {
    return [...this.ledger.holds.values()].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1)).map((h) => this.holdView(h))
  }

  busyUnits(p: number): Readonly<Uint32Array> {
    return this.occ.busy[p]
  }

  loadIssues(): ValidationIssue[] {
    return this.issues.map((i) => ({ ...i }))
  }

  stats(): CapacityStats {
    let capacityUnits = 0, busy = 0, heldUnits = 0, bookedUnits = 0, frozenUnits = 0
    for (let p = 0; p < this.model.staffIds.length; p++) {
      capacityUnits += popcount(this.model.work[p])
      busy += popcount(this.occ.busy[p])
    }
    for (const h of this.ledger.holds.values()) heldUnits += h.end - h.start
    for (const a of this.ledger.appointments.values()) bookedUnits += a.end - a.start
    for (const f of this.ledger.freezes.values()) frozenUnits += f.end - f.start
    let offeredUnits = 0
    for (const g of this.ledger.groups.values()) offeredUnits += g.end - g.start
    return { capacityUnits, freeUnits: capacityUnits - busy, heldUnits, bookedUnits, frozenUnits, offeredUnits }
  }

  // ---- loading and snapshots -------------------------------------------------------------------

  /** Places scenario appointments; returns the problems of those that do not fit. */
  loadScenarioAppointments(mode: 'strict' | 'report'): void {
    const m = this.model
    const problems: ValidationIssue[] = []
    // Generated ids must never repeat a scenario id, placed or not.
    for (const a of m.scenario.appointments) this.ledger.foreignIds.add(a.id)
    const staffAt = m.officeIds.map((_, o) => [...new Set(m.segments.filter((g) => g.office === o).map((g) => g.staff))].sort((x, y) => x - y))
    m.scenario.appointments.forEach((a, i) => {
      const office = m.officeIndex.get(a.office)!
      const startMs = parseInstant(a.start)!
      const path = `$.appointments[${i}]`
      if ((startMs - m.t0) % m.unitMs !== 0) {
        problems.push({ path: `${path}.start`, code: 'off_grid', message: SLOT_RULES.off_grid })
        return
      }
      const start = (startMs - m.t0) / m.unitMs
      const dur = this.durationAt(office, a.services)
      const candidates = a.staff !== undefined ? [m.staffIndex.get(a.staff)!] : staffAt[office]
      let placed = -1
      let first: SlotRuleCode | null = null
      for (const p of candidates) {
        const problem = this.placementProblem(office, p, start, start + dur, a.services, false)
        if (!problem) {
          placed = p
          break
        }
        first ??= problem
      }
      if (placed < 0) {
        const code = first ?? 'no_staff_on_duty'
        problems.push({ path: a.staff !== undefined ? path : `${path}.start`, code, message: `${SLOT_RULES[code]}: appointment "${a.id}" cannot be placed` })
        return
      }
      const rec: AppointmentRec = { id: a.id, staff: placed, office, start, end: start + dur, services: [...a.services] }
      if (a.citizenId !== undefined) rec.citizenId = a.citizenId
      this.ledger.appointments.set(rec.id, rec)
      this.ledger.linkCitizen(rec.citizenId, rec.id)
      this.occ.occupy(placed, rec.start, rec.end)
    })
    if (problems.length && mode === 'strict')
      throw new TerminplanError('SCENARIO_INVALID', `${problems.length} existing appointment(s) conflict, first ${problems[0].path}: ${problems[0].message}`, problems)
    this.issues.push(...problems)
  }

  private hash(): string {
    return (this.hashCache ??= scenarioHash(this.model.scenario))
  }

  snapshot(): SchedulerSnapshot {
    const m = this.model, L = this.ledger
    const byStartThenId = <T extends { start: number; id: string }>(a: T, b: T) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    return {
      version: 1,
      scenarioHash: this.hash(),
      now: this.cal.formatMs(this.ctx.now),
      seq: { hold: L.seq.hold, appointment: L.seq.appointment, freeze: L.seq.freeze },
      appointments: [...L.appointments.values()].sort(byStartThenId).map((a) => {
        const o: SchedulerSnapshot['appointments'][number] = { id: a.id, officeId: m.officeIds[a.office], staffId: m.staffIds[a.staff], start: this.cal.unitIso(a.start), services: [...a.services] }
        if (a.citizenId !== undefined) o.citizenId = a.citizenId
        return o
      }),
      holds: [...L.holds.values()].sort(byStartThenId).map((h) => ({
        id: h.id,
        officeId: m.officeIds[h.office],
        staffId: m.staffIds[h.staff],
        start: this.cal.unitIso(h.start),
        services: [...h.services],
        citizenId: h.citizenId,
        createdAt: this.cal.formatMs(h.createdAt),
        expiresAt: this.cal.formatMs(h.expiresAt),
      })),
      freezes: [...L.freezes.values()].sort(byStartThenId).map((f) => ({
        id: f.id,
        officeId: m.officeIds[f.office],
        staffId: m.staffIds[f.staff],
        start: this.cal.unitIso(f.start),
        end: this.cal.unitIso(f.end),
        until: this.cal.formatMs(f.until),
      })),
      idempotency: [...L.idempotency.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => [k, { ...v }]),
      waitlist: [...this.engine.wl.entries.values()]
        .filter((r) => r.state === 'waiting' || r.state === 'offered')
        .sort((a, b) => a.seq - b.seq)
        .map((r) => ({ entry: structuredClone(r.entry), state: r.state as 'waiting' | 'offered', declined: [...r.declined].map((k) => this.slotKeyOut(k)).sort() })),
      offerGroups: [...L.groups.values()]
        .sort((a, b) => a.start - b.start || compareIds(a.id, b.id))
        .map((g) => ({
          id: g.id,
          officeId: m.officeIds[g.office],
          staffId: m.staffIds[g.staff],
          start: this.cal.unitIso(g.start),
          end: this.cal.unitIso(g.end),
          createdAt: this.cal.formatMs(g.createdAt),
          expiresAt: this.cal.formatMs(g.expiresAt),
          offers: g.offerIds.map((id) => {
            const o = L.offers.get(id)!
            return { id: o.id, entryId: o.entryId, citizenId: o.citizenId, services: [...o.services] }
          }),
        })),
      seqWaitlist: { entry: L.seq.entry, offer: L.seq.offer, group: L.seq.group },
    }
  }

  /** A declined-slot key (`staff:unit`) in stable form (`staffId@ISO`) and back. */
  private slotKeyOut(k: string): string {
    const [p, u] = k.split(':').map(Number)
    return `${this.model.staffIds[p]}@${this.cal.unitIso(u)}`
  }

  private slotKeyIn(k: string, path: string): string {
    const at = k.lastIndexOf('@')
    const p = this.model.staffIndex.get(k.slice(0, at))
    const ms = parseInstant(k.slice(at + 1))
    if (at < 0 || p === undefined || ms === null) fail('STATE_INVALID', path, 'invalid_snapshot', `not a declined slot: ${k}`)
    return `${p}:${(ms - this.model.t0) / this.model.unitMs}`
  }

  /** Loads the scenario's waiting citizens and offers them what is free, best first. */
  loadScenarioWaitlist(): void {
    const m = this.model
    if (m.scenario.waitlist.length > this.waitlistLimit) throw limitError([limitIssue('$.waitlist', 'waitlistSize', `${m.scenario.waitlist.length} waitlist entries`, this.waitlistLimit)])
    const issues = m.scenario.waitlist.flatMap((e, i) => this.entryIssues(e, ['waitlist', i]))
    if (issues.length) throw new TerminplanError('SCENARIO_INVALID', `invalid waitlist: ${issues[0].path}: ${issues[0].message}`, issues)
    for (const e of m.scenario.waitlist) {
      this.engine.wl.add(this.engine.wl.prepare(structuredClone(e)))
      this.beginTimersFor(e.citizenId)
    }
    for (const r of [...this.engine.wl.entries.values()].sort(compareEntries)) if (r.state === 'waiting') this.offerToEntry(r)
  }

  /** Reminders for appointments loaded from a scenario or a snapshot. */
  scheduleAllReminders(): void {
    for (const a of [...this.ledger.appointments.values()].sort((x, y) => x.start - y.start)) this.scheduleReminder(a)
  }

  /** Rebuilds state from a snapshot; every record is checked like a command, all or nothing. */
  restore(input: unknown): void {
    const m = this.model
    const parsed = SchedulerSnapshotSchema.safeParse(input)
    if (!parsed.success) {
      const issues = zodIssues(parsed.error)
      throw new TerminplanError('STATE_INVALID', `invalid snapshot: ${issues[0].path}: ${issues[0].message}`, issues)
    }
    const snap = parsed.data
    const bad = (path: string, message: string): never => fail('STATE_INVALID', path, 'invalid_snapshot', message)
    if (snap.scenarioHash !== this.hash()) bad('$.scenarioHash', 'the snapshot was taken of a different scenario')
    const now = parseInstant(snap.now)!
    const unitOf = (iso: string, path: string) => {
      const ms = parseInstant(iso)!
      if ((ms - m.t0) % m.unitMs !== 0) bad(path, `not on the time grid: ${iso}`)
      return (ms - m.t0) / m.unitMs
    }
    const idx = (map: Map<string, number>, id: string, path: string) => map.get(id) ?? bad(path, `unknown id "${id}"`)
    const seen = new Set<string>()
    const fresh = (id: string, path: string) => {
      if (seen.has(id)) bad(path, `id "${id}" appears twice`)
      seen.add(id)
    }
    const lengthOf = (office: number, services: string[], path: string) => {
      const sl = serviceListIssues(m.scenario, [], services)
      if (sl.length) bad(`${path}.services`, sl[0].message)
      const dur = this.durationAt(office, services)
      if (dur === 0) bad(`${path}.services`, 'services not offered at the office')
      return dur
    }
    const place = (p: number, a: number, b: number, path: string) => {
      if (!this.occ.isFree(p, a, b)) bad(path, 'overlaps another record or lies outside working time')
      this.occ.occupy(p, a, b)
    }
    setContextNow(this.ctx, now)
    for (const a of m.scenario.appointments) this.ledger.foreignIds.add(a.id)
    snap.appointments.forEach((a, i) => {
      const path = `$.appointments[${i}]`
      fresh(a.id, `${path}.id`)
      const office = idx(m.officeIndex, a.officeId, `${path}.officeId`), staff = idx(m.staffIndex, a.staffId, `${path}.staffId`)
      const start = unitOf(a.start, `${path}.start`)
      const end = start + lengthOf(office, a.services, path)
      place(staff, start, end, path)
      const rec: AppointmentRec = { id: a.id, staff, office, start, end, services: [...a.services] }
      if (a.citizenId !== undefined) rec.citizenId = a.citizenId
      this.ledger.appointments.set(a.id, rec)
      this.ledger.linkCitizen(rec.citizenId, rec.id)
    })
    snap.holds.forEach((h, i) => {
      const path = `$.holds[${i}]`
      fresh(h.id, `${path}.id`)
      const office = idx(m.officeIndex, h.officeId, `${path}.officeId`), staff = idx(m.staffIndex, h.staffId, `${path}.staffId`)
      const start = unitOf(h.start, `${path}.start`)
      const end = start + lengthOf(office, h.services, path)
      const expiresAt = parseInstant(h.expiresAt)!
      if (expiresAt <= now) bad(`${path}.expiresAt`, 'the hold had expired by the snapshot\'s time')
      place(staff, start, end, path)
      const rec: HoldRec = { id: h.id, staff, office, start, end, services: [...h.services], citizenId: h.citizenId, createdAt: parseInstant(h.createdAt)!, expiresAt }
      this.ledger.holds.set(h.id, rec)
      this.ledger.linkCitizen(rec.citizenId, rec.id)
      this.ledger.addTimer(rec.expiresAt, 'hold', rec.id)
    })
    snap.freezes.forEach((f, i) => {
      const path = `$.freezes[${i}]`
      fresh(f.id, `${path}.id`)
      const office = idx(m.officeIndex, f.officeId, `${path}.officeId`), staff = idx(m.staffIndex, f.staffId, `${path}.staffId`)
      const start = unitOf(f.start, `${path}.start`), end = unitOf(f.end, `${path}.end`)
      if (end <= start) bad(`${path}.end`, 'a freeze must not be empty')
      const until = parseInstant(f.until)!
      if (until <= now) bad(`${path}.until`, 'the freeze had ended by the snapshot\'s time')
      place(staff, start, end, path)
      this.ledger.freezes.set(f.id, { id: f.id, staff, office, start, end, until })
      this.ledger.addTimer(until, 'freeze', f.id)
    })
    for (const [k, v] of snap.idempotency) this.ledger.idempotency.set(k, { ...v })
    snap.waitlist.forEach((w, i) => {
      const path = `$.waitlist[${i}]`
      const issues = this.entryIssues(w.entry, ['waitlist', i, 'entry'])
      if (issues.length) throw new TerminplanError('STATE_INVALID', `invalid snapshot: ${issues[0].path}: ${issues[0].message}`, issues)
      fresh(`entry:${w.entry.id}`, `${path}.entry.id`)
      fresh(`need:${w.entry.citizenId}\u0000${[...w.entry.services].sort().join('\u0000')}`, `${path}.entry.citizenId`)
      const rec = this.engine.wl.prepare(structuredClone(w.entry))
      w.declined.forEach((k, j) => rec.declined.add(this.slotKeyIn(k, `${path}.declined[${j}]`)))
      this.engine.wl.add(rec)
    })
    snap.offerGroups.forEach((gs, i) => {
      const path = `$.offerGroups[${i}]`
      fresh(gs.id, `${path}.id`)
      const office = idx(m.officeIndex, gs.officeId, `${path}.officeId`), staff = idx(m.staffIndex, gs.staffId, `${path}.staffId`)
      const start = unitOf(gs.start, `${path}.start`), end = unitOf(gs.end, `${path}.end`)
      const expiresAt = parseInstant(gs.expiresAt)!
      if (expiresAt <= now) bad(`${path}.expiresAt`, "the offer had expired by the snapshot's time")
      place(staff, start, end, path)
      const g: OfferGroupRec = { id: gs.id, staff, office, start, end, createdAt: parseInstant(gs.createdAt)!, expiresAt, offerIds: [] }
      gs.offers.forEach((o, j) => {
        fresh(o.id, `${path}.offers[${j}].id`)
        const rec = this.engine.wl.entries.get(o.entryId)
        if (!rec || rec.state !== 'waiting' || rec.entry.citizenId !== o.citizenId) bad(`${path}.offers[${j}].entryId`, `no waiting entry "${o.entryId}" of that citizen`)
        if (start + lengthOf(office, o.services, `${path}.offers[${j}]`) !== end) bad(`${path}.offers[${j}].services`, 'services do not fill the offered slot')
        this.engine.wl.markOffered(rec!, o.id)
        this.ledger.offers.set(o.id, { id: o.id, groupId: g.id, entryId: o.entryId, citizenId: o.citizenId, services: [...o.services] })
        g.offerIds.push(o.id)
      })
      this.ledger.groups.set(g.id, g)
      this.ledger.addTimer(expiresAt, 'offer', g.id)
    })
    for (const w of snap.waitlist)
      if (w.state === 'offered' && this.engine.wl.entries.get(w.entry.id)!.state !== 'offered') bad('$.waitlist', `entry "${w.entry.id}" is marked offered but has no offer`)
    Object.assign(this.ledger.seq, { hold: snap.seq.hold, appointment: snap.seq.appointment, freeze: snap.seq.freeze, ...snap.seqWaitlist })
    this.scheduleAllReminders()
  }
}

/**
 * What solver modules that drive a scheduler from inside (simulation, batch matching) may use:
 * the compiled model, the clock's search context, and commands in grid units. Every command here
 * keeps every rule of its public counterpart; only the ISO round trip is skipped.
 */
export interface EnginePort {
  readonly model: Model
  readonly cal: GridCalendar
  readonly ctx: SearchContext
  /** Live waitlist entries (waiting or offered). */
  waiting(): number
  /** hold() in units; returns the hold's id. */
  holdAt(office: number, staff: number, start: number, end: number, services: string[], opts: HoldOptions): { id: string }
  /** confirm() of a hold made by holdAt; returns the appointment's id. */
  confirmHold(holdId: string): { id: string }
  /** An appointment made before the clock (warm-up): placed like a scenario appointment, no events. */
  placeAppointment(office: number, staff: number, start: number, end: number, services: string[], citizenId: string): { id: string }
}

/** The waitlist's offer engine of a scheduler (batch matching reads the waiting entries and their fit). */
export function offerEngineOf(s: Scheduler): OfferEngine {
  return internalsOf(s).engine
}

/** The internals behind a scheduler or a wrapper that forwards them (the journal). */
function internalsOf(s: Scheduler): SchedulerInternals {
  const f = (s as unknown as { [INTERNALS]?: () => SchedulerInternals })[INTERNALS]
  if (typeof f !== 'function') fail('COMMAND_INVALID', '$', 'no_engine', 'needs a scheduler made by createScheduler, restoreScheduler or openScheduler')
  return f.call(s)
}

/** The engine port of a scheduler made by createScheduler or restoreScheduler. */
export function enginePort(s: Scheduler): EnginePort {
  if (!(s instanceof SchedulerImpl)) fail('COMMAND_INVALID', '$', 'no_engine', 'needs a scheduler made by createScheduler or restoreScheduler')
  const impl = s
  const i = internalsOf(s)
  return {
    model: i.m,
    cal: i.cal,
    ctx: i.ctx,
    waiting: () => i.engine.wl.waiting,
    holdAt: (o, p, a, b, services, opts) => impl.holdAt(o, p, a, b, services, opts),
    confirmHold: (id) => impl.confirmHold(id),
    placeAppointment: (o, p, a, b, services, c) => impl.placeAppointment(o, p, a, b, services, c),
  }
}

/** A scheduler over `scenario` (validated), with its existing appointments placed. */
export function createScheduler(scenario: Scenario, options: SchedulerOptions): Scheduler {
  const nowMs = parseNow(options.now)
  const s = new SchedulerImpl(compile(scenario), nowMs, options.notifications)
  s.waitlistLimit = resolveLimits(options.limits).waitlistSize
  s.setAutoOffer(options.waitlist?.autoOffer ?? true)
  s.loadScenarioAppointments(options.existingAppointments ?? 'strict')
  s.scheduleAllReminders()
  s.loadScenarioWaitlist()
  return s
}

/** A scheduler in exactly the state of `snapshot` (taken of the same scenario). */
export function restoreScheduler(scenario: Scenario, snapshot: SchedulerSnapshot, options: Pick<SchedulerOptions, 'notifications' | 'waitlist' | 'limits'> = {}): Scheduler {
  const s = new SchedulerImpl(compile(scenario), 0, options.notifications)
  s.waitlistLimit = resolveLimits(options.limits).waitlistSize
  s.setAutoOffer(options.waitlist?.autoOffer ?? true)
  s.restore(snapshot)
  return s
}
