/**
 * createScheduler: what a booking backend embeds. Search, hold, confirm, cancel over one compiled
 * scenario, with an injected clock. Every command validates completely, then applies, then emits
 * events; a rejected command throws a TerminplanError and changes nothing.
 */
import { z } from 'zod'
import { compile, type Model } from '../model/compile.js'
import { zodIssues } from '../model/load.js'
import { IdSchema, InstantSchema, ServiceListSchema } from '../model/schema.js'
import { TerminplanError, fail, type ErrorCode, type ValidationIssue } from '../model/errors.js'
import {
  ConfirmOptionsSchema,
  HoldOptionsSchema,
  parseCommand,
  SlotSchema,
  type ConfirmOptions,
  type HoldOptions,
  type SearchRequest,
  type Slot,
} from '../model/requests.js'
import { serviceListIssues } from '../model/rules.js'
import type { Scenario } from '../model/schema.js'
import { parseInstant } from '../model/tz.js'
import { popcount, getBit } from '../model/bitset.js'
import { GridCalendar } from './grid-calendar.js'
import { Ledger, type AppointmentRec, type HoldRec } from './ledger.js'
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

export interface SchedulerEvents {
  held: { hold: Hold }
  confirmed: { appointment: Appointment; holdId: string }
  cancelled: { appointment: Appointment; frozenUntil: string }
  expired: { hold: Hold }
  freed: FreedRange & { reason: 'cancelled' | 'expired' }
}
export type SchedulerEventName = keyof SchedulerEvents

export interface CapacityStats {
  capacityUnits: number
  freeUnits: number
  heldUnits: number
  bookedUnits: number
  frozenUnits: number
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
  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void
}

function parseNow(now: string | number, path = '$.now'): number {
  const ms = typeof now === 'number' ? now : parseInstant(now)
  if (ms === null || !Number.isFinite(ms)) fail('COMMAND_INVALID', path, 'invalid_instant', `not an ISO 8601 date-time with offset: ${String(now)}`)
  return ms
}

/** Stable fingerprint of a scenario, so a snapshot is never restored onto another one. */
export function scenarioHash(s: Scenario): string {
  return fnv1a(JSON.stringify(s)).toString(16).padStart(8, '0')
}

class SchedulerImpl implements Scheduler {
  readonly model: Model
  private readonly ctx: SearchContext
  private readonly occ: Occupancy
  private readonly cal: GridCalendar
  private readonly ledger = new Ledger()
  private readonly handlers = new Map<SchedulerEventName, Set<(e: never) => void>>()
  private readonly issues: ValidationIssue[] = []
  private hashCache?: string

  constructor(model: Model, nowMs: number) {
    this.model = model
    this.occ = new Occupancy(model)
    this.cal = new GridCalendar(model)
    this.ctx = { m: model, occ: this.occ, cal: this.cal, daySegs: segmentsByDay(model),
      windowMin: Int32Array.from(model.scenario.offices, (o) => o.bookingWindow.minDays),
      windowMax: Int32Array.from(model.scenario.offices, (o) => o.bookingWindow.maxDays),
      now: 0, nowUnit: 0, nowDay: 0, skilledCache: new Map(), durationCache: new Map() }
    setContextNow(this.ctx, nowMs)
  }

  // ---- placement rules -------------------------------------------------------------------------

  /** Services' length at an office in units, or 0 when the office lacks one of them. */
  private durationAt(office: number, services: string[]): number {
    const m = this.model, nS = m.serviceIds.length
    let total = 0
    for (const id of services) {
      const u = m.durationUnits[office * nS + m.serviceIndex.get(id)!]
      if (u === 0) return 0
      total += u
    }
    return total
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
      if (rel < bw.minDays || rel > bw.maxDays) return 'outside_booking_window'
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
    const slot = parseCommand(SlotSchema, input, 'slot')
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
    let set = this.handlers.get(event)
    if (!set) this.handlers.set(event, (set = new Set()))
    set.add(handler as (e: never) => void)
    return () => set!.delete(handler as (e: never) => void)
  }

  private emit<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    const set = this.handlers.get(event)
    if (!set) return
    for (const h of [...set]) {
      try {
        ;(h as (e: SchedulerEvents[E]) => void)(payload)
      } catch (e) {
        // A listener's failure must not undo or block a committed command; surface it asynchronously.
        queueMicrotask(() => {
          throw e
        })
      }
    }
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
    const opts = parseCommand(HoldOptionsSchema, optsInput, 'hold options')
    const { office, staff, start, end, services } = this.resolveSlot(slotInput)
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
    const view = this.holdView(rec)
    this.emit('held', { hold: view })
    return view
  }

  private applyHold(rec: HoldRec): void {
    this.ledger.holds.set(rec.id, rec)
    this.ledger.linkCitizen(rec.citizenId, rec.id)
    this.occ.occupy(rec.staff, rec.start, rec.end)
    this.ledger.addTimer(rec.expiresAt, 'hold', rec.id)
  }

  confirm(holdId: string, optsInput: ConfirmOptions = {}): Appointment {
    const opts = parseCommand(ConfirmOptionsSchema, optsInput, 'confirm options')
    if (typeof holdId !== 'string') fail('COMMAND_INVALID', '$.holdId', 'invalid_type', 'hold id must be a string')
    const key = opts.idempotencyKey
    if (key !== undefined) {
      const prev = this.ledger.idempotency.get(key)
      if (prev) {
        if (prev.holdId !== holdId) fail('CONFLICT', '$.idempotencyKey', 'idempotency_key_reused', 'this idempotency key was used to confirm another hold')
        const a = this.ledger.appointments.get(prev.appointmentId)
        if (a) return this.apptView(a)
        fail('CONFLICT', '$.idempotencyKey', 'appointment_cancelled', 'the appointment confirmed with this key has been cancelled since')
      }
    }
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
    const view = this.apptView(rec)
    this.emit('confirmed', { appointment: view, holdId })
    return view
  }

  cancel(appointmentId: string): void {
    if (typeof appointmentId !== 'string') fail('COMMAND_INVALID', '$.appointmentId', 'invalid_type', 'appointment id must be a string')
    const a = this.ledger.appointments.get(appointmentId)
    if (!a) fail('NOT_FOUND', '$.appointmentId', 'appointment_not_found', `no appointment "${appointmentId}"`)
    if (a.start < this.ctx.nowUnit) fail('CONFLICT', '$.appointmentId', 'already_started', `appointment "${appointmentId}" has already begun`)
    this.ledger.appointments.delete(a.id)
    this.ledger.unlinkCitizen(a.citizenId, a.id)
    const freezeMs = this.model.scenario.policy.cancelFreezeMinutes * 60_000
    const until = this.ctx.now + freezeMs
    const view = this.apptView(a)
    if (freezeMs > 0) {
      const f = { id: this.ledger.nextId('freeze'), staff: a.staff, office: a.office, start: a.start, end: a.end, until }
      this.ledger.freezes.set(f.id, f)
      this.ledger.addTimer(until, 'freeze', f.id)
      this.emit('cancelled', { appointment: view, frozenUntil: this.isoMs(until) })
    } else {
      this.occ.release(a.staff, a.start, a.end)
      this.emit('cancelled', { appointment: view, frozenUntil: this.isoMs(until) })
      this.emit('freed', { officeId: view.officeId, staffId: view.staffId, start: view.start, end: view.end, reason: 'cancelled' })
    }
  }

  setNow(nowInput: string | number): void {
    const ms = parseNow(nowInput)
    if (ms < this.ctx.now) fail('COMMAND_INVALID', '$.now', 'clock_backwards', `the clock cannot go back (now is ${this.now()})`)
    // Expiries fire in time order, each seeing the clock at its own moment.
    const timers = this.ledger.timers
    while (timers.length > 0 && timers.peek()!.at <= ms) {
      const t = timers.pop()!
      if (t.kind === 'hold') {
        const h = this.ledger.holds.get(t.id)
        if (!h || h.expiresAt !== t.at) continue
        setContextNow(this.ctx, t.at)
        this.ledger.holds.delete(h.id)
        this.ledger.unlinkCitizen(h.citizenId, h.id)
        this.occ.release(h.staff, h.start, h.end)
        const view = this.holdView(h)
        this.emit('expired', { hold: view })
        const { officeId, staffId, start, end } = view.slot
        this.emit('freed', { officeId, staffId, start, end, reason: 'expired' })
      } else {
        const f = this.ledger.freezes.get(t.id)
        if (!f || f.until !== t.at) continue
        setContextNow(this.ctx, t.at)
        this.ledger.freezes.delete(f.id)
        this.occ.release(f.staff, f.start, f.end)
        const m = this.model
        this.emit('freed', { officeId: m.officeIds[f.office], staffId: m.staffIds[f.staff], start: this.cal.unitIso(f.start), end: this.cal.unitIso(f.end), reason: 'cancelled' })
      }
    }
    setContextNow(this.ctx, ms)
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
    return { capacityUnits, freeUnits: capacityUnits - busy, heldUnits, bookedUnits, frozenUnits }
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
    }
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
    Object.assign(this.ledger.seq, { hold: snap.seq.hold, appointment: snap.seq.appointment, freeze: snap.seq.freeze })
  }
}

/** A scheduler over `scenario` (validated), with its existing appointments placed. */
export function createScheduler(scenario: Scenario, options: SchedulerOptions): Scheduler {
  const nowMs = parseNow(options.now)
  const s = new SchedulerImpl(compile(scenario), nowMs)
  s.loadScenarioAppointments(options.existingAppointments ?? 'strict')
  return s
}

/** A scheduler in exactly the state of `snapshot` (taken of the same scenario). */
export function restoreScheduler(scenario: Scenario, snapshot: SchedulerSnapshot): Scheduler {
  const s = new SchedulerImpl(compile(scenario), 0)
  s.restore(snapshot)
  return s
}
