/**
 * The command facade: search, hold, confirm, cancel, reschedule, the waitlist's commands, the
 * clock, and live changes, over one booking state (state.ts). Every command validates completely,
 * then applies, then emits events; a rejected command throws a TerminplanError and changes nothing.
 */
import type { Model } from '../../model/compile.js'
import { TerminplanError, fail, type ErrorCode, type ValidationIssue } from '../../model/errors.js'
import { DEFAULT_LIMITS, howToRaise, limitError, limitIssue } from '../../model/limits.js'
import type { OverlayInput } from '../../model/overlay.js'
import {
  AcceptOfferOptionsSchema,
  ConfirmOptionsSchema,
  HoldOptionsSchema,
  isPlainConfirmOptions,
  isPlainHoldOptions,
  JoinWaitlistSchema,
  parseCommand,
  type AcceptOfferOptions,
  type ConfirmOptions,
  type HoldOptions,
  type JoinWaitlistRequest,
  type SearchRequest,
  type Slot,
} from '../../model/requests.js'
import { WaitlistEntrySchema, type WaitlistEntry } from '../../model/schema.js'
import { addDays, localDateOf, parseInstant } from '../../model/tz.js'
import { popcount } from '../../model/bitset.js'
import type { GridCalendar } from '../grid-calendar.js'
import { compareIds, type AppointmentRec, type HoldRec, type Ledger, type OfferGroupRec, type OfferRec } from '../ledger.js'
import type { OfferEngine } from '../offers.js'
import type { Notification, NotificationSink } from '../ports.js'
import { Listeners, sendNotification } from '../listeners.js'
import { comboKeyOf, compareEntries, type EntryRec } from '../waitlist.js'
import type { Occupancy } from '../occupancy.js'
import { fnv1a, search as runSearch, setContextNow, type SearchContext, type SearchResult } from '../search.js'
import { SLOT_RULES, type SlotRuleCode } from '../slot-rules.js'
import { checkIdArg, parseNow } from './args.js'
import { applyLiveChange, rebuild } from './live.js'
import type { ChangeRecord, SchedulerSnapshot } from './snapshot-schema.js'
import { restoreRecords, writeSnapshot } from './snapshot.js'
import { BookingState } from './state.js'
import type {
  Appointment,
  CapacityStats,
  ChangeOptions,
  ChangeResult,
  Hold,
  Offer,
  Scheduler,
  SchedulerEventName,
  SchedulerEvents,
  WaitlistView,
} from './types.js'
import type { ScenarioVersions } from './versions.js'

export class SchedulerImpl implements Scheduler {
  /** The booking state; a live change or a horizon roll replaces it as a whole. */
  st: BookingState
  readonly listeners = new Listeners<SchedulerEvents>()
  readonly issues: ValidationIssue[] = []
  sink?: NotificationSink
  /** Appointments whose 'begin' timer is set (see scheduleReminder). */
  readonly beginSet = new Set<string>()
  /** Live waitlist entries at most (SchedulerOptions.limits). */
  waitlistLimit: number = DEFAULT_LIMITS.waitlistSize
  /** Scenario versions: the scenario as loaded, its hash, and the changes since. */
  readonly versions: ScenarioVersions
  /** While set, offers are not announced on their own (a disruption bundles them in one notice). */
  quietOffers = false
  /** SchedulerOptions.horizon === 'rolling'. */
  rolling = false

  constructor(model: Model, nowMs: number, sink: NotificationSink | undefined, versions: ScenarioVersions) {
    this.sink = sink
    this.versions = versions
    this.st = this.newState(model, nowMs)
  }

  /** A fresh booking state over `model`, wired to this facade's limits and notifications. */
  newState(model: Model, nowMs: number): BookingState {
    return new BookingState(model, nowMs, {
      mayOffer: (r) => this.ledger.activeCount(r.entry.citizenId, this.ctx.nowUnit) < this.model.scenario.policy.maxActiveAppointmentsPerCitizen,
      onOffered: (g, offers) => {
        for (const o of offers) {
          const view = this.st.offerView(o, g)
          this.emit('offer', { offer: view })
          if (!this.quietOffers) this.notify({ kind: 'offer', idempotencyKey: `offer:${o.id}`, citizenId: o.citizenId, at: this.now(), officeId: view.slot.officeId, start: view.slot.start, end: view.slot.end, services: view.slot.services, offerId: o.id, expiresAt: view.expiresAt })
        }
      },
    })
  }

  get model(): Model {
    return this.st.model
  }
  get ctx(): SearchContext {
    return this.st.ctx
  }
  get occ(): Occupancy {
    return this.st.occ
  }
  get cal(): GridCalendar {
    return this.st.cal
  }
  get ledger(): Ledger {
    return this.st.ledger
  }
  get engine(): OfferEngine {
    return this.st.engine
  }

  // ---- events ----------------------------------------------------------------------------------

  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void {
    return this.listeners.on(event, handler)
  }

  emit<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    this.listeners.emit(event, payload)
  }


  search(req: SearchRequest): SearchResult {
    return runSearch(this.ctx, req)
  }

  hold(slotInput: Slot, optsInput: HoldOptions): Hold {
    const opts = isPlainHoldOptions(optsInput) ? optsInput : parseCommand(HoldOptionsSchema, optsInput, 'hold options')
    const { office, staff, start, end, services } = this.st.resolveSlot(slotInput)
    return this.st.holdView(this.holdAt(office, staff, start, end, services, opts))
  }

  /** `hold` on a slot already in units: every rule, event and timer of a hold. */
  holdAt(office: number, staff: number, start: number, end: number, services: string[], opts: HoldOptions): HoldRec {
    const problem = this.st.placementProblem(office, staff, start, end, services, true)
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
    if (this.listeners.has('held')) this.emit('held', { hold: this.st.holdView(rec) })
    return rec
  }

  /**
   * Places an appointment made before the scheduler's clock (a simulation's warm-up), as a
   * scenario appointment is placed: the slot must lie in working time and be free; no events.
   */
  placeAppointment(office: number, staff: number, start: number, end: number, services: string[], citizenId: string): AppointmentRec {
    const problem = this.st.placementProblem(office, staff, start, end, services, false)
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
    if (prev.holdId !== sourceId) fail('CONFLICT', '$.idempotencyKey', 'idempotency_key_reused', 'this idempotency key was used for another hold, offer or reschedule')
    const a = this.ledger.appointments.get(prev.appointmentId)
    if (a) return this.st.apptView(a)
    fail('CONFLICT', '$.idempotencyKey', 'appointment_cancelled', 'the appointment confirmed with this key has been cancelled since')
  }

  confirm(holdId: string, optsInput: ConfirmOptions = {}): Appointment {
    const opts = isPlainConfirmOptions(optsInput) ? optsInput : parseCommand(ConfirmOptionsSchema, optsInput, 'confirm options')
    checkIdArg(holdId, '$.holdId', 'hold id')
    const key = opts.idempotencyKey
    const replay = this.replay(key, holdId)
    if (replay) return replay
    return this.st.apptView(this.confirmHold(holdId, key))
  }

  /** `confirm` after its argument checks and idempotent replay. */
  confirmHold(holdId: string, key?: string): AppointmentRec {
    const h = this.ledger.holds.get(holdId)
    if (!h) fail('NOT_FOUND', '$.holdId', 'hold_not_found', `no open hold "${holdId}" (never made, expired or already confirmed)`)
    if (h.expiresAt <= this.ctx.now) fail('EXPIRED', '$.holdId', 'hold_expired', `hold "${holdId}" expired at ${this.st.isoMs(h.expiresAt)}`)
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
    if (this.listeners.has('confirmed')) this.emit('confirmed', { appointment: this.st.apptView(rec), holdId })
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
    const view = this.st.apptView(a)
    if (freezeMs > 0) {
      const f = { id: this.ledger.nextId('freeze'), staff: a.staff, office: a.office, start: a.start, end: a.end, until }
      this.ledger.freezes.set(f.id, f)
      this.ledger.addTimer(until, 'freeze', f.id)
    }
    this.emit('cancelled', { appointment: view, frozenUntil: this.st.isoMs(until) })
    if (a.citizenId !== undefined) this.notifyAppointment('cancellation', a)
    if (freezeMs === 0) this.release(a.staff, a.office, a.start, a.end, 'cancelled')
    this.reconsiderCitizen(a.citizenId)
  }

  /** A citizen below the per-citizen limit again: their waiting entries may now get offers. */
  reconsiderCitizen(citizenId: string | undefined): void {
    if (citizenId === undefined || !this.engine.auto || this.engine.wl.waiting === 0) return
    for (const r of this.engine.wl.entriesOf(citizenId)) if (r.state === 'waiting') this.offerToEntry(r)
  }

  /** Frees units, tells listeners, and offers them to the waitlist. */
  release(p: number, o: number, a: number, b: number, reason: SchedulerEvents['freed']['reason']): void {
    const m = this.model
    this.occ.release(p, a, b)
    this.emit('freed', { officeId: m.officeIds[o], staffId: m.staffIds[p], start: this.cal.unitIso(a), end: this.cal.unitIso(b), reason })
    this.engine.offerFreeRun(p, a, b)
  }

  setNow(nowInput: string | number): void {
    const ms = parseNow(nowInput)
    if (ms < this.ctx.now) fail('COMMAND_INVALID', '$.now', 'clock_backwards', `the clock cannot go back (now is ${this.now()})`)
    // Expiries fire in time order, each seeing the clock at its own moment. A horizon roll on the
    // way replaces the ledger (and its timers), so the heap is read anew each time.
    for (;;) {
      const timers = this.ledger.timers
      if (timers.length === 0 || timers.peek()!.at > ms) break
      const t = timers.peek()!
      if (this.rollDue(t.at)) {
        this.advanceTo(t.at)
        continue
      }
      timers.pop()
      if (!this.ledger.timerLive(t)) continue
      this.advanceTo(t.at)
      switch (t.kind) {
        case 'hold': {
          const h = this.ledger.holds.get(t.id)!
          this.ledger.holds.delete(h.id)
          this.ledger.unlinkCitizen(h.citizenId, h.id)
          this.emit('expired', { hold: this.st.holdView(h) })
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
          const startMs = this.model.t0 + a.start * this.model.unitMs
          // A rescheduled appointment's old reminder is stale: only the one for its start counts.
          if (startMs > this.ctx.now && t.at === startMs - this.model.scenario.policy.reminderMinutesBefore * 60_000) this.notifyAppointment('reminder', a)
          break
        }
        case 'begin':
          if (t.at !== this.model.t0 + this.ledger.appointments.get(t.id)!.start * this.model.unitMs + 1) break
          this.beginSet.delete(t.id)
          // The appointment has begun and no longer counts against the citizen's limit.
          this.reconsiderCitizen(this.ledger.appointments.get(t.id)!.citizenId)
          break
      }
    }
    this.advanceTo(ms)
  }

  /**
   * Whether a rolling horizon should move: it starts yesterday (so last night's shifts that run
   * past midnight keep their working time today) and `ms` is on a later date than that.
   */
  private rollDue(ms: number): boolean {
    return this.rolling && addDays(localDateOf(this.model.zone, ms), -1) > this.model.scenario.horizon.start
  }

  /**
   * Moves the clock; when the local date changes, the booking window releases new days. With a
   * rolling horizon the state is first rebuilt on a horizon that starts today.
   */
  private advanceTo(ms: number): void {
    let before = this.ctx.nowDay
    setContextNow(this.ctx, ms)
    if (this.rollDue(ms)) {
      const start = addDays(localDateOf(this.model.zone, ms), -1)
      const k = this.model.dates.indexOf(start)
      const shift = k >= 0 ? k : this.model.days
      rebuild(this, this.versions.rolled(start), undefined, -1)
      before -= shift
    }
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
  joinWaitlist(input: JoinWaitlistRequest): WaitlistView {
    const req = parseCommand(JoinWaitlistSchema, input, 'waitlist entry')
    const entry: WaitlistEntry = { ...req, id: req.id ?? '', createdAt: req.createdAt ?? this.now() }
    const issues = this.st.entryIssues(entry, [])
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
    this.emit('waitlistJoined', { entry: this.st.entryView(rec) })
    this.offerToEntry(rec)
    return this.st.entryView(rec)
  }

  freshEntryId(): string {
    for (;;) {
      const id = this.ledger.nextId('entry')
      if (!this.engine.wl.entries.has(id)) return id
    }
  }

  /** Offers an entry that (again) waits the earliest free slot that suits it and that it has not declined. */
  offerToEntry(rec: EntryRec): void {
    if (!this.engine.auto || rec.state !== 'waiting') return
    if (!this.engine.core.mayOffer(rec)) return
    const found = this.engine.earliestFor(rec)
    if (found) this.engine.offerTo(rec, found.staff, found.office, found.start, found.dur)
  }

  leaveWaitlist(entryId: string): void {
    checkIdArg(entryId, '$.entryId', 'entry id')
    const rec = this.engine.wl.entries.get(entryId)
    if (!rec || rec.state === 'served' || rec.state === 'left') fail('NOT_FOUND', '$.entryId', 'entry_not_found', `no waiting entry "${entryId}"`)
    const view = this.st.entryView(rec)
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
      .map((r) => this.st.entryView(r))
  }

  offers(): Offer[] {
    return [...this.ledger.offers.values()]
      .map((o) => ({ o, g: this.ledger.groups.get(o.groupId)! }))
      .sort((x, y) => x.g.start - y.g.start || compareIds(x.o.id, y.o.id))
      .map(({ o, g }) => this.st.offerView(o, g))
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
    if (g.expiresAt <= this.ctx.now) fail('EXPIRED', '$.offerId', 'offer_expired', `offer "${offerId}" expired at ${this.st.isoMs(g.expiresAt)}`)
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
    const entryView = this.st.entryView(rec)
    this.engine.wl.retire(rec, 'served')
    this.engine.wl.entries.delete(rec.entry.id)
    const view = this.st.apptView(a)
    this.emit('offerAccepted', { offer: this.st.offerView(o, g), appointment: view })
    this.emit('waitlistLeft', { entry: { ...entryView, state: 'waiting' }, reason: 'served' })
    this.notifyAppointment('confirmation', a)
    for (const x of others) this.emit('offerWithdrawn', { offer: this.st.offerView(x, g) })
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
    const { office, staff, start, end, services } = this.st.resolveSlot(slotInput)
    const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')
    if (!same(services, rec.entry.services)) fail('COMMAND_INVALID', '$.services', 'wrong_services', 'the slot is for other services than the entry')
    const problem = this.st.placementProblem(office, staff, start, end, services, true)
    if (problem) fail(problem === 'slot_taken' ? 'CONFLICT' : 'COMMAND_INVALID', '$.start', problem, SLOT_RULES[problem])
    if (rec.offices && !rec.offices.has(office)) fail('COMMAND_INVALID', '$.officeId', 'office_not_accepted', 'the citizen does not accept this office')
    if (!this.engine.wl.timeFits(rec, this.cal.dayOfUnit(start), start, end - start))
      fail('COMMAND_INVALID', '$.start', 'outside_citizen_times', "the slot lies outside the citizen's dates or time windows")
    this.engine.offerTo(rec, staff, office, start, end - start)
    const o = this.ledger.offers.get(rec.offerId!)!
    return this.st.offerView(o, this.ledger.groups.get(o.groupId)!)
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
  closeOffer(o: OfferRec, event: 'offerDeclined' | 'offerWithdrawn' | 'offerExpired', reason: 'offer_declined' | 'offer_withdrawn' | 'offer_expired'): void {
    const g = this.ledger.groups.get(o.groupId)!
    const view = this.st.offerView(o, g)
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

  notify(n: Notification): void {
    if (!this.sink) return
    sendNotification(this.sink, n, (error) => this.emit('notificationFailed', { notification: n, error }))
  }

  notifyAppointment(kind: 'confirmation' | 'reminder' | 'cancellation', a: AppointmentRec): void {
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
  scheduleReminder(a: AppointmentRec): void {
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
  beginTimersFor(citizenId: string): void {
    const ids = this.ledger.byCitizen.get(citizenId)
    if (!ids) return
    for (const id of [...ids].sort(compareIds)) {
      const a = this.ledger.appointments.get(id)
      if (a) this.scheduleBegin(a)
    }
  }

  now(): string {
    return this.st.isoMs(this.ctx.now)
  }

  appointments(): Appointment[] {
    return [...this.ledger.appointments.values()]
      .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((a) => this.st.apptView(a))
  }

  holds(): Hold[] {
    return [...this.ledger.holds.values()].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1)).map((h) => this.st.holdView(h))
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
      const dur = this.st.durationAt(office, a.services)
      const candidates = a.staff !== undefined ? [m.staffIndex.get(a.staff)!] : staffAt[office]
      let placed = -1
      let first: SlotRuleCode | null = null
      for (const p of candidates) {
        const problem = this.st.placementProblem(office, p, start, start + dur, a.services, false)
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

  /** Loads the scenario's waiting citizens and offers them what is free, best first. */
  loadScenarioWaitlist(): void {
    const m = this.model
    if (m.scenario.waitlist.length > this.waitlistLimit) throw limitError([limitIssue('$.waitlist', 'waitlistSize', `${m.scenario.waitlist.length} waitlist entries`, this.waitlistLimit)])
    const issues = m.scenario.waitlist.flatMap((e, i) => this.st.entryIssues(e, ['waitlist', i]))
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

  // ---- snapshots ---------------------------------------------------------------------------------

  snapshot(): SchedulerSnapshot {
    const v = this.versions
    return writeSnapshot(this.st, v.baseHash, v.changes, v.current.horizon.start !== v.base.horizon.start ? v.current.horizon.start : undefined, this.rolling)
  }

  /** Rebuilds state from a validated snapshot taken of this scheduler's scenario version. */
  restore(snap: SchedulerSnapshot): void {
    restoreRecords(this.st, snap)
    this.scheduleAllReminders()
  }

  // ---- live operation ----------------------------------------------------------------------------

  applyChange(change: OverlayInput, opts: ChangeOptions = {}): ChangeResult {
    return applyLiveChange(this, change, opts)
  }

  changes(): ChangeRecord[] {
    return structuredClone(this.versions.changes)
  }

  reschedule(appointmentId: string, slotInput: Slot, optsInput: ConfirmOptions = {}): Appointment {
    const opts = isPlainConfirmOptions(optsInput) ? optsInput : parseCommand(ConfirmOptionsSchema, optsInput, 'reschedule options')
    checkIdArg(appointmentId, '$.appointmentId', 'appointment id')
    const { office, staff, start, end, services } = this.st.resolveSlot(slotInput)
    const key = opts.idempotencyKey
    // The same key for the same move returns the appointment as it is now (the source is bounded, like an id).
    const source = `reschedule#${fnv1a(`${appointmentId}@${this.model.staffIds[staff]}@${this.cal.unitIso(start)}`).toString(16)}`
    const replay = this.replay(key, source)
    if (replay) return replay
    const a = this.ledger.appointments.get(appointmentId)
    if (!a) fail('NOT_FOUND', '$.appointmentId', 'appointment_not_found', `no appointment "${appointmentId}"`)
    if (a.start < this.ctx.nowUnit) fail('CONFLICT', '$.appointmentId', 'already_started', `appointment "${appointmentId}" has already begun`)
    const sameServices = a.services.length === services.length && [...a.services].sort().join('\u0000') === [...services].sort().join('\u0000')
    if (!sameServices) fail('COMMAND_INVALID', '$.services', 'wrong_services', 'a rescheduled appointment keeps its services (book anew for others)')
    // The appointment's own time counts as free for its new slot; it is taken back if the move fails.
    this.occ.release(a.staff, a.start, a.end)
    const problem = this.st.placementProblem(office, staff, start, end, services, true)
    if (problem) {
      this.occ.occupy(a.staff, a.start, a.end)
      this.st.failPlacement(problem)
    }
    const previous = this.st.apptView(a)
    if (a.staff === staff && a.start === start && a.office === office) {
      // Already there: nothing moves and nobody is told.
      this.occ.occupy(a.staff, a.start, a.end)
      if (key !== undefined) this.ledger.idempotency.set(key, { holdId: source, appointmentId: a.id })
      return previous
    }
    const old = { staff: a.staff, office: a.office, start: a.start, end: a.end }
    this.occ.occupy(staff, start, end)
    Object.assign(a, { staff, office, start, end })
    if (key !== undefined) this.ledger.idempotency.set(key, { holdId: source, appointmentId: a.id })
    this.beginSet.delete(a.id)
    this.scheduleReminder(a)
    const view = this.st.apptView(a)
    this.emit('appointmentMoved', { appointment: view, previous, reason: 'rescheduled' })
    if (a.citizenId !== undefined)
      this.notify({
        kind: 'appointment_moved',
        idempotencyKey: `appointment_moved:${a.id}:${this.now()}:${view.start}`,
        citizenId: a.citizenId,
        at: this.now(),
        appointmentId: a.id,
        officeId: view.officeId,
        start: view.start,
        end: view.end,
        services: [...a.services],
        previous: { officeId: previous.officeId, staffId: previous.staffId, start: previous.start, end: previous.end },
      })
    // The old time is free now: whatever of it the new slot does not cover goes to the waitlist.
    const freed = old.staff === staff ? [[old.start, Math.min(old.end, start)], [Math.max(old.start, end), old.end]] : [[old.start, old.end]]
    for (const [x, y] of freed) if (x < y && this.occ.isFree(old.staff, x, y)) {
      this.emit('freed', { officeId: this.model.officeIds[old.office], staffId: this.model.staffIds[old.staff], start: this.cal.unitIso(x), end: this.cal.unitIso(y), reason: 'rescheduled' })
      this.engine.offerFreeRun(old.staff, x, y)
    }
    return view
  }
}
