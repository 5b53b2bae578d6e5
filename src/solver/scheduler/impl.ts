/**
 * The command facade: search, hold, confirm, cancel, reads, notifications and timers, over one
 * booking state (state.ts); the waitlist's commands (waitlist-commands.ts), the clock (clock.ts),
 * reschedule (reschedule.ts), live changes (live.ts) and snapshots (snapshot.ts) are functions
 * of it in their own modules. Every command validates completely, then applies, then emits events;
 * a rejected command throws a TerminplanError and changes nothing.
 */
import type { Model } from '../../model/compile.js'
import { TerminplanError, fail, type ErrorCode, type ValidationIssue } from '../../model/errors.js'
import { DEFAULT_LIMITS, limitError, limitIssue } from '../../model/limits.js'
import type { OverlayInput } from '../../model/overlay.js'
import {
  ConfirmOptionsSchema,
  HoldOptionsSchema,
  isPlainConfirmOptions,
  isPlainHoldOptions,
  parseCommand,
  type AcceptOfferOptions,
  type ConfirmOptions,
  type HoldOptions,
  type JoinWaitlistRequest,
  type SearchRequest,
  type Slot,
} from '../../model/requests.js'
import { parseInstant } from '../../model/tz.js'
import { popcount } from '../../model/bitset.js'
import type { GridCalendar } from '../grid-calendar.js'
import { compareIds, type AppointmentRec, type HoldRec, type Ledger, type OfferGroupRec, type OfferRec } from '../ledger.js'
import type { OfferEngine } from '../offers.js'
import type { Notification, NotificationSink } from '../ports.js'
import { Listeners, sendNotification } from '../listeners.js'
import { compareEntries, type EntryRec } from '../waitlist.js'
import type { Occupancy } from '../occupancy.js'
import { search as runSearch, type SearchContext, type SearchResult } from '../search.js'
import { SLOT_RULES, type SlotRuleCode } from '../slot-rules.js'
import { checkIdArg } from './args.js'
import { applyLiveChange } from './live.js'
import type { ChangeRecord, SchedulerSnapshot } from './snapshot-schema.js'
import { restoreRecords, writeSnapshot } from './snapshot.js'
import { BookingState } from './state.js'
import * as Clock from './clock.js'
import * as R from './reschedule.js'
import * as W from './waitlist-commands.js'
import * as D from './day-commands.js'
import * as DQ from './day-queue.js'
import * as DS from './day-sweep.js'
import * as DV from './day-views.js'
import { DayState } from '../day/state.js'
import { restoreDay, writeDay } from './day-snapshot.js'
import type { DayOptions, DurationOverlayOptions, WalkInRequest } from '../../model/day-requests.js'
import type {
  Appointment,
  CapacityStats,
  DayStats,
  DurationStat,
  NoShow,
  Ticket,
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
  /** The day of service (day-commands.ts): tickets, no-shows, service times; kept across rebuilt states. */
  day = new DayState()
  dayTotals: DQ.DayTotals = DQ.emptyTotals()
  /** Office id → ids of its open tickets (derived from `day`). */
  readonly dayOpen = new Map<string, Set<string>>()
  /** The local date whose older tickets were last dropped. */
  dayPrunedFor = ''

  constructor(model: Model, nowMs: number, sink: NotificationSink | undefined, versions: ScenarioVersions) {
    this.sink = sink
    this.versions = versions
    this.st = this.newState(model, nowMs)
  }

  /** A fresh booking state over `model`, wired to this facade's limits and notifications. */
  newState(model: Model, nowMs: number, indexed = true): BookingState {
    const st = new BookingState(model, nowMs, {
      mayOffer: (r) => this.ledger.activeCount(r.entry.citizenId, this.ctx.nowUnit) < this.model.scenario.policy.maxActiveAppointmentsPerCitizen,
      onOffered: (g, offers) => {
        for (const o of offers) {
          const view = this.st.offerView(o, g)
          this.emit('offer', { offer: view })
          if (!this.quietOffers) this.notify({ kind: 'offer', idempotencyKey: `offer:${o.id}`, citizenId: o.citizenId, at: this.now(), officeId: view.slot.officeId, start: view.slot.start, end: view.slot.end, services: view.slot.services, offerId: o.id, expiresAt: view.expiresAt })
        }
      },
    }, indexed)
    // Only the state in force feeds the no-show sweep (a rebuild refills it once it is in force).
    st.ledger.appointments.onSet = (rec) => {
      if (this.st === st) DS.noteAppointment(this, rec)
    }
    return st
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
  replay(key: string | undefined, sourceId: string): Appointment | undefined {
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
    Clock.setNow(this, nowInput)
  }

  /**
   * Whether a rolling horizon should move: it starts yesterday (so last night's shifts that run
   * past midnight keep their working time today) and `ms` is on a later date than that.
   */
  rollDue(ms: number): boolean {
    return Clock.rollDue(this, ms)
  }

  /**
   * Moves the clock; when the local date changes, the booking window releases new days. With a
   * rolling horizon the state is first rebuilt on a horizon that starts today.
   */
  advanceTo(ms: number): void {
    Clock.advanceTo(this, ms)
  }

  // ---- waitlist --------------------------------------------------------------------------------
  joinWaitlist(input: JoinWaitlistRequest): WaitlistView {
    return W.joinWaitlist(this, input)
  }

  freshEntryId(): string {
    return W.freshEntryId(this)
  }

  /** Offers an entry that (again) waits the earliest free slot that suits it and that it has not declined. */
  offerToEntry(rec: EntryRec): void {
    W.offerToEntry(this, rec)
  }

  leaveWaitlist(entryId: string): void {
    W.leaveWaitlist(this, entryId)
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
    return W.acceptOffer(this, offerId, optsInput)
  }

  offer(entryId: string, slotInput: Slot): Offer {
    return W.offer(this, entryId, slotInput)
  }

  setAutoOffer(on: boolean): void {
    this.engine.auto = on
  }

  declineOffer(offerId: string): void {
    W.declineOffer(this, offerId)
  }

  /** Ends one offer; when its group has no open offer left, the slot is freed and offered on. */
  closeOffer(o: OfferRec, event: 'offerDeclined' | 'offerWithdrawn' | 'offerExpired', reason: 'offer_declined' | 'offer_withdrawn' | 'offer_expired'): void {
    W.closeOffer(this, o, event, reason)
  }

  expireGroup(g: OfferGroupRec): void {
    W.expireGroup(this, g)
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
    for (const id of [...this.ledger.idsOfCitizen(citizenId)].sort(compareIds)) {
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

  /** Reminders for appointments loaded from a scenario or a snapshot (or kept by a rebuild): only those not yet begun get timers. */
  scheduleAllReminders(): void {
    const { t0, unitMs } = this.model, now = this.ctx.now
    const ahead: AppointmentRec[] = []
    for (const a of this.ledger.appointments.values()) if (t0 + a.start * unitMs + 1 > now) ahead.push(a)
    for (const a of ahead.sort((x, y) => x.start - y.start)) this.scheduleReminder(a)
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  snapshot(): SchedulerSnapshot {
    const v = this.versions
    const snap = writeSnapshot(this.st, v.baseHash, v.changes, v.current.horizon.start !== v.base.horizon.start ? v.current.horizon.start : undefined, this.rolling)
    const day = writeDay(this)
    return day ? { ...snap, day } : snap
  }

  /** Rebuilds state from a validated snapshot taken of this scheduler's scenario version. */
  restore(snap: SchedulerSnapshot): void {
    restoreRecords(this.st, snap)
    restoreDay(this, snap.day)
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
    return R.reschedule(this, appointmentId, slotInput, optsInput)
  }

  // ---- the day of service ------------------------------------------------------------------------

  checkIn(appointmentId: string, opts?: DayOptions): Ticket {
    return D.checkIn(this, appointmentId, opts)
  }
  checkInWalkIn(req: WalkInRequest): Ticket {
    return D.checkInWalkIn(this, req)
  }
  callNext(officeId: string, staffId: string, opts?: DayOptions): Ticket | null {
    return D.callNext(this, officeId, staffId, opts)
  }
  startService(ticketId: string, opts?: DayOptions): Ticket {
    return D.startService(this, ticketId, opts)
  }
  finishService(ticketId: string, opts?: DayOptions): Ticket {
    return D.finishService(this, ticketId, opts)
  }
  missCall(ticketId: string, opts?: DayOptions): Ticket {
    return D.missCall(this, ticketId, opts)
  }
  leaveQueue(ticketId: string, opts?: DayOptions): Ticket {
    return D.leaveQueue(this, ticketId, opts)
  }
  tickets(officeId?: string): Ticket[] {
    return DV.tickets(this, officeId)
  }
  noShows(): NoShow[] {
    return DV.noShows(this)
  }
  dayStats(): DayStats {
    return DV.dayStats(this)
  }
  durationStats(): DurationStat[] {
    return DV.durationStats(this)
  }
  durationOverlay(opts?: DurationOverlayOptions): OverlayInput {
    return DV.durationOverlay(this, opts)
  }
}
