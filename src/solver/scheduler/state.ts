/**
 * The booking state of one compiled scenario: the model and its calendar, occupancy, search
 * context, the ledger of holds, appointments, freezes and offers, and the waitlist's offer engine.
 * A live change builds a new state for the changed scenario and moves the records over (see
 * change.ts), so the facade swaps one object. The placement rules and the views (records → the
 * public ISO shapes) live here because every module of the facade needs them.
 */
import { servicesDuration, type Model } from '../../model/compile.js'
import { TerminplanError, fail, jsonPath, type ValidationIssue } from '../../model/errors.js'
import { isPlainSlot, parseCommand, SlotSchema } from '../../model/requests.js'
import { serviceListIssues } from '../../model/rules.js'
import type { WaitlistEntry } from '../../model/schema.js'
import { parseInstant, parseTimeOfDay } from '../../model/tz.js'
import { getBit } from '../../model/bitset.js'
import { GridCalendar } from '../grid-calendar.js'
import { Ledger, type AppointmentRec, type HoldRec, type OfferGroupRec, type OfferRec } from '../ledger.js'
import { OfferEngine } from '../offers.js'
import type { EntryRec } from '../waitlist.js'
import { Occupancy, segmentsByDay } from '../occupancy.js'
import { setContextNow, type SearchContext } from '../search.js'
import { SLOT_RULES, type SlotRuleCode } from '../slot-rules.js'
import type { Appointment, Hold, Offer, WaitlistView } from './types.js'

/** What the state asks of the facade: the per-citizen limit and what to do with new offers. */
export interface StateHooks {
  mayOffer(rec: EntryRec): boolean
  onOffered(group: OfferGroupRec, offers: OfferRec[]): void
}

export interface ResolvedSlot {
  office: number
  staff: number
  start: number
  end: number
  services: string[]
}

export class BookingState {
  readonly ctx: SearchContext
  readonly occ: Occupancy
  readonly cal: GridCalendar
  readonly ledger = new Ledger()
  readonly engine: OfferEngine

  /** `indexed` false: the occupancy's indexes wait for the records (transferRecords indexes once they are marked). */
  constructor(readonly model: Model, nowMs: number, hooks: StateHooks, indexed = true) {
    this.occ = new Occupancy(model, indexed)
    this.cal = new GridCalendar(model)
    this.ctx = { m: model, occ: this.occ, cal: this.cal, daySegs: segmentsByDay(model),
      windowMin: Int32Array.from(model.scenario.offices, (o) => o.bookingWindow.minDays),
      windowMax: Int32Array.from(model.scenario.offices, (o) => o.bookingWindow.maxDays),
      now: 0, nowUnit: 0, nowDay: 0, skilledCache: new Map(), durationCache: new Map() }
    setContextNow(this.ctx, nowMs)
    this.engine = new OfferEngine({ m: model, cal: this.cal, occ: this.occ, ledger: this.ledger, ctx: this.ctx, mayOffer: hooks.mayOffer, onOffered: hooks.onOffered })
  }

  // ---- placement rules -------------------------------------------------------------------------

  /** Services' length at an office in units, or 0 when the office lacks one of them. */
  durationAt(office: number, services: string[]): number {
    return servicesDuration(this.model, office, services.map((id) => this.model.serviceIndex.get(id)!))
  }

  /**
   * The first rule that a placement breaks, in SLOT_RULES order, or null. `checkTime` also checks
   * now and the booking window (new holds); loaded appointments only need to fit working time.
   * `anyLength` accepts a length other than the services' duration now (a record made before a
   * duration change).
   */
  placementProblem(office: number, staff: number, start: number, end: number, services: string[], checkTime: boolean, anyLength = false): SlotRuleCode | null {
    const m = this.model
    const dur = this.durationAt(office, services)
    if (dur === 0) return 'service_not_offered'
    const nS = m.serviceIds.length
    for (const id of services) if (m.skill[staff * nS + m.serviceIndex.get(id)!] !== 1) return 'staff_lacks_skill'
    if (anyLength ? end <= start : end - start !== dur) return 'wrong_duration'
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

  /** A placement rule broken: CONFLICT when the slot is taken, COMMAND_INVALID otherwise. */
  failPlacement(problem: SlotRuleCode, path = '$.start'): never {
    fail(problem === 'slot_taken' ? 'CONFLICT' : 'COMMAND_INVALID', path, problem, SLOT_RULES[problem])
  }

  unitOfInstant(ms: number, path: string): number {
    const m = this.model
    if ((ms - m.t0) % m.unitMs !== 0) fail('COMMAND_INVALID', path, 'off_grid', `${SLOT_RULES.off_grid} (${m.unitMinutes}-minute units)`)
    return (ms - m.t0) / m.unitMs
  }

  resolveSlot(input: unknown): ResolvedSlot {
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

  // ---- views -----------------------------------------------------------------------------------

  apptView(a: AppointmentRec): Appointment {
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

  holdView(h: HoldRec): Hold {
    const m = this.model
    return {
      id: h.id,
      expiresAt: this.isoMs(h.expiresAt),
      citizenId: h.citizenId,
      slot: { officeId: m.officeIds[h.office], staffId: m.staffIds[h.staff], start: this.cal.unitIso(h.start), end: this.cal.unitIso(h.end), services: [...h.services] },
    }
  }

  isoMs(ms: number): string {
    const m = this.model
    const u = (ms - m.t0) / m.unitMs
    return Number.isInteger(u) ? this.cal.unitIso(u) : this.cal.formatMs(ms)
  }


  entryView(r: EntryRec): WaitlistView {
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

  offerView(o: OfferRec, g: OfferGroupRec): Offer {
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
  entryIssues(e: WaitlistEntry, path: (string | number)[]): ValidationIssue[] {
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
}
