/**
 * A deliberately simple, independent reference model of booking, used as the oracle of the
 * slot-engine tests.
 *
 * It shares nothing with compile() or the solver: working time is materialised here from the
 * scenario's wall-clock rules with plain arithmetic (luxon for calendar dates, `wallToInstant` for
 * the wall time → instant step), kept as plain [start, end) intervals in epoch ms per
 * (staff, office), and bookings are a plain array of taken intervals that is scanned linearly.
 * Nothing is indexed, nothing is a bitset; every question is answered by brute force.
 *
 * The rules it encodes (the specification of issue 3, written down once more):
 * - working time of a staff member at an office = shift ∩ opening hours − breaks − absences −
 *   closures/holidays, clipped to the horizon;
 * - a slot is valid when it starts and ends on the grid (`t0 + k·unit`, t0 = local midnight of the
 *   horizon's first day), lasts exactly the sum of its services' durations at the office, lies in
 *   the horizon and inside one working interval of a staff member at that office who has every
 *   skill, does not span local midnight (a grid unit belongs to the local day it starts in), starts
 *   at or after `now`, and its local start date is within the office's booking window counted in
 *   calendar days from `now`'s local date;
 * - it is free when it overlaps no hold, appointment or cancel-freeze of that staff member.
 */
import { DateTime } from 'luxon'
import type { Scenario, Staff } from '../../src/model/schema.js'
import { wallToInstant } from '../../src/model/tz.js'

export const MIN = 60_000

export interface Iv {
  start: number
  end: number
}

export interface WorkIv extends Iv {
  staffId: string
  officeId: string
}

export interface RefSlot {
  officeId: string
  staffId: string
  start: number
  end: number
  services: string[]
}

export interface RefHold extends RefSlot {
  kind: 'hold'
  id: string
  citizenId: string
  createdAt: number
  expiresAt: number
  /** Creation order of its expiry timer. */
  seq: number
}

export interface RefAppointment extends RefSlot {
  kind: 'appointment'
  id: string
  citizenId?: string
}

export interface RefFreeze {
  kind: 'freeze'
  officeId: string
  staffId: string
  start: number
  end: number
  until: number
  seq: number
}

/**
 * Units held for an open waitlist offer (one slot, offered to one or, in broadcast mode, several
 * waiting citizens). The slot-engine runner never creates one; the waitlist runner
 * (test/waitlist/runner.ts) mirrors the engine's offers here, after checking each, so that search
 * and hold predictions see offered units as taken. Its expiry is driven by that runner.
 */
export interface RefOfferGroup {
  kind: 'offer'
  officeId: string
  staffId: string
  start: number
  end: number
  createdAt: number
  expiresAt: number
  offers: { id: string; entryId: string; citizenId: string; services: string[] }[]
}

export type Taken = RefHold | RefAppointment | RefFreeze | RefOfferGroup

export interface RefRequest {
  services: string[]
  offices?: string[]
  /** Only these staff members (the engine's search has no such filter; for direct questions). */
  staff?: string[]
  from?: string
  to?: string
  windows?: { weekdays?: number[]; from: string; to: string }[]
}

export interface RefCandidate {
  start: number
  officeId: string
  /** Staff members who could take it, in scenario order. */
  staffIds: string[]
  end: number
}

/** What a clock move makes happen; `at` is the instant it happens at. */
export type RefEvent =
  | { type: 'expired'; at: number; hold: RefHold }
  | { type: 'freed'; at: number; officeId: string; staffId: string; start: number; end: number; reason: 'cancelled' | 'expired' }

// ---- plain calendar arithmetic ------------------------------------------------------------------

export function hm(s: string): number {
  const [h, m] = s.split(':').map(Number)
  return h * 60 + m
}

const plusCache = new Map<string, string>()
export function plusDays(date: string, n: number): string {
  const k = `${date}|${n}`
  let v = plusCache.get(k)
  if (v === undefined) {
    v = DateTime.fromISO(date, { zone: 'utc' }).plus({ days: n }).toISODate()!
    if (plusCache.size > 100_000) plusCache.clear()
    plusCache.set(k, v)
  }
  return v
}

const weekdayCache = new Map<string, number>()
export function weekdayOf(date: string): number {
  let w = weekdayCache.get(date)
  if (w === undefined) weekdayCache.set(date, (w = DateTime.fromISO(date, { zone: 'utc' }).weekday))
  return w
}

export function localDate(zone: string, ms: number): string {
  return DateTime.fromMillis(ms, { zone }).toISODate()!
}

/** Whole calendar days from local date a to local date b. */
export function daysBetween(a: string, b: string): number {
  return Math.round(DateTime.fromISO(b, { zone: 'utc' }).diff(DateTime.fromISO(a, { zone: 'utc' }), 'days').days)
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s)
}

/** Union of intervals, merged where they overlap or touch. */
export function union(ivs: Iv[]): Iv[] {
  const xs = ivs.filter((x) => x.start < x.end).sort((a, b) => a.start - b.start)
  const out: Iv[] = []
  for (const x of xs) {
    const last = out[out.length - 1]
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end)
    else out.push({ start: x.start, end: x.end })
  }
  return out
}

function intersectAll(a: Iv[], b: Iv[]): Iv[] {
  const out: Iv[] = []
  for (const x of a)
    for (const y of b) {
      const s = Math.max(x.start, y.start), e = Math.min(x.end, y.end)
      if (s < e) out.push({ start: s, end: e })
    }
  return out
}

function minus(a: Iv[], cuts: Iv[]): Iv[] {
  let cur = a
  for (const c of cuts) {
    const next: Iv[] = []
    for (const x of cur) {
      if (c.end <= x.start || c.start >= x.end) next.push(x)
      else {
        if (x.start < c.start) next.push({ start: x.start, end: c.start })
        if (c.end < x.end) next.push({ start: c.end, end: x.end })
      }
    }
    cur = next
  }
  return cur
}

const overlaps = (a: Iv, b: Iv) => a.start < b.end && b.start < a.end

// ---- the reference ------------------------------------------------------------------------------

export class Reference {
  readonly s: Scenario
  readonly zone: string
  readonly unitMs: number
  readonly t0: number
  /** End of the last whole grid unit of the horizon. */
  readonly gridEnd: number
  readonly dates: string[]
  /** Working intervals per staff member per office, merged. */
  readonly work: WorkIv[] = []
  /**
   * Diagnostics, not rules: places where working time is made of several pieces at one office
   * (opening-hour entries, shifts, days) that touch or overlap at a boundary off the grid, so that
   * rounding each piece to units loses a unit the union has. Used only to steer the generators
   * around a known defect while hunting for others.
   */

  // ---- booking state: a plain array of what is taken, plus the bookkeeping around it ----
  taken: Taken[] = []
  now: number
  idempotency = new Map<string, { holdId: string; appointmentId: string }>()
  private timerSeq = 0

  constructor(s: Scenario, now: number) {
    this.s = s
    this.zone = s.timezone
    this.now = now
    let g = 0
    for (const sv of s.services) {
      g = gcd(g, sv.durationMinutes)
      for (const d of Object.values(sv.officeDurations ?? {})) g = gcd(g, d)
    }
    this.unitMs = (s.unitMinutes ?? g) * MIN
    this.dates = Array.from({ length: s.horizon.days }, (_, i) => plusDays(s.horizon.start, i))
    this.t0 = this.wall(s.horizon.start, 0)
    const tEnd = this.wall(plusDays(s.horizon.start, s.horizon.days), 0)
    this.gridEnd = this.t0 + Math.floor((tEnd - this.t0) / this.unitMs) * this.unitMs
    for (const p of s.staff) this.work.push(...this.workOf(p))
  }

  private wallCache = new Map<string, number>()
  private dateCache = new Map<number, string>()

  wall(date: string, minutes: number): number {
    const k = `${date}|${minutes}`
    let v = this.wallCache.get(k)
    if (v === undefined) this.wallCache.set(k, (v = wallToInstant(this.zone, date, minutes)))
    return v
  }

  /** Local date of an instant (memoised; luxon is slow in the brute-force loops). */
  day(ms: number): string {
    let v = this.dateCache.get(ms)
    if (v === undefined) {
      v = localDate(this.zone, ms)
      if (this.dateCache.size > 200_000) this.dateCache.clear()
      this.dateCache.set(ms, v)
    }
    return v
  }

  // ---- working time ----

  officeClosed(officeId: string, date: string): boolean {
    const o = this.s.offices.find((x) => x.id === officeId)!
    return o.holidays.includes(date) || o.closures.some((c) => c.from <= date && date <= c.to)
  }

  opening(officeId: string, date: string): Iv[] {
    if (this.officeClosed(officeId, date)) return []
    const o = this.s.offices.find((x) => x.id === officeId)!
    const wd = weekdayOf(date)
    return o.openingHours
      .filter((h) => h.weekdays.includes(wd) && hm(h.to) > hm(h.from))
      .map((h) => ({ start: this.wall(date, hm(h.from)), end: this.wall(date, hm(h.to)) }))
  }

  absence(a: { from: string; to: string }): Iv {
    return {
      start: isDate(a.from) ? this.wall(a.from, 0) : Date.parse(a.from),
      end: isDate(a.to) ? this.wall(plusDays(a.to, 1), 0) : Date.parse(a.to),
    }
  }

  private workOf(p: Staff): WorkIv[] {
    const absences = p.absences.map((a) => this.absence(a))
    const byOffice = new Map<string, Iv[]>()
    for (const date of this.dates) {
      for (const sh of p.shifts) {
        const applies = sh.date !== undefined
          ? sh.date === date
          : !!sh.weekdays?.includes(weekdayOf(date)) && (sh.validFrom === undefined || date >= sh.validFrom) && (sh.validTo === undefined || date <= sh.validTo)
        if (!applies) continue
        const from = hm(sh.from)
        let to = hm(sh.to)
        if (to <= from) to += 1440 // ends the next day
        const shift: Iv = { start: this.wall(date, from), end: this.wall(date, to) }
        const breaks = sh.breaks.map((b) => {
          let bf = hm(b.from), bt = hm(b.to)
          if (bf < from) bf += 1440
          if (bf >= 1440) bt += 1440
          if (bt <= bf) bt += 1440
          return { start: this.wall(date, bf), end: this.wall(date, bt) }
        })
        const officeId = sh.office ?? p.office
        const open = [-1, 0, 1].flatMap((k) => this.opening(officeId, plusDays(date, k)))
        let parts = intersectAll([shift], open)
        parts = minus(parts, breaks)
        parts = minus(parts, absences)
        parts = intersectAll(parts, [{ start: this.t0, end: this.gridEnd }])
        const list = byOffice.get(officeId) ?? []
        list.push(...parts)
        byOffice.set(officeId, list)
      }
    }
    const out: WorkIv[] = []
    for (const [officeId, ivs] of byOffice) {
      const merged = union(ivs)
      for (const iv of merged) out.push({ staffId: p.id, officeId, ...iv })
    }
    return out.sort((a, b) => a.start - b.start)
  }

  /** Working intervals of one staff member (at one office). */
  workIntervals(staffId: string, officeId?: string): WorkIv[] {
    return this.work.filter((w) => w.staffId === staffId && (officeId === undefined || w.officeId === officeId))
  }

  onGrid(ms: number): boolean {
    return (ms - this.t0) % this.unitMs === 0
  }

  /** Capacity in grid units: whole units inside one working interval. */
  capacityUnits(): number {
    let n = 0
    for (const w of this.work) {
      const a = Math.ceil((w.start - this.t0) / this.unitMs), b = Math.floor((w.end - this.t0) / this.unitMs)
      if (b > a) n += b - a
    }
    return n
  }

  /** Capacity in minutes: the whole grid units of working time, times the unit's length. */
  capacityMinutes(): number {
    return (this.capacityUnits() * this.unitMs) / MIN
  }

  // ---- services ----

  service(id: string) {
    return this.s.services.find((x) => x.id === id)
  }

  /** Minutes the services take at the office, or null when the office lacks one of them. */
  durationMinutes(officeId: string, services: string[]): number | null {
    const o = this.s.offices.find((x) => x.id === officeId)
    if (!o) return null
    let total = 0
    for (const id of services) {
      const sv = this.service(id)
      if (!sv || !o.services.includes(id)) return null
      total += sv.officeDurations?.[officeId] ?? sv.durationMinutes
    }
    return total
  }

  skilled(staffId: string, services: string[]): boolean {
    const p = this.s.staff.find((x) => x.id === staffId)
    return !!p && services.every((id) => p.skills.includes(id))
  }

  /** Problems of a service list, as issue codes (empty = valid). */
  serviceListProblems(services: string[]): string[] {
    const out: string[] = []
    if (services.length < 1) out.push('too_small')
    if (services.some((id) => !this.service(id))) out.push('unknown_reference')
    if (services.length > this.s.policy.maxServicesPerAppointment) out.push('too_many_services')
    const counts = new Map<string, number>()
    for (const id of services) counts.set(id, (counts.get(id) ?? 0) + 1)
    for (const [id, n] of counts) if (this.service(id) && n > this.service(id)!.maxQuantity) out.push('max_quantity')
    const ids = [...counts.keys()]
    for (const a of ids)
      for (const b of ids) {
        if (a >= b) continue
        // Each side must allow the other; no list means any partner.
        const ca = this.service(a)?.combinable, cb = this.service(b)?.combinable
        if (!((ca === undefined || ca.includes(b)) && (cb === undefined || cb.includes(a)))) out.push('not_combinable')
      }
    return out
  }

  // ---- slots ----

  /** Inside one working interval at the office, not spanning local midnight. */
  insideWorking(staffId: string, officeId: string, start: number, end: number): boolean {
    if (!(start < end)) return false
    if (this.day(start) !== this.day(end - this.unitMs)) return false
    return this.work.some((w) => w.staffId === staffId && w.officeId === officeId && w.start <= start && end <= w.end)
  }

  takenBy(staffId: string): Taken[] {
    return this.taken.filter((t) => t.staffId === staffId)
  }

  isFree(staffId: string, start: number, end: number): boolean {
    return !this.taken.some((t) => t.staffId === staffId && overlaps(t, { start, end }))
  }

  /** Booking window of the office, as the local dates [first, last] relative to now. */
  bookingDates(officeId: string, now = this.now): [string, string] {
    const o = this.s.offices.find((x) => x.id === officeId)!
    const today = this.day(now)
    return [plusDays(today, o.bookingWindow.minDays), plusDays(today, o.bookingWindow.maxDays)]
  }

  /**
   * Every rule a concrete slot breaks for a new hold, as SLOT_RULES codes (empty = valid and free).
   * Several can be broken at once; the engine reports one of them.
   */
  slotViolations(slot: RefSlot, now = this.now): string[] {
    const out: string[] = []
    const office = this.s.offices.find((x) => x.id === slot.officeId)
    const staff = this.s.staff.find((x) => x.id === slot.staffId)
    if (!office) out.push('unknown_office')
    if (!staff) out.push('unknown_staff')
    if (!this.onGrid(slot.start) || !this.onGrid(slot.end)) out.push('off_grid')
    if (!office || !staff) return out
    const dur = this.durationMinutes(slot.officeId, slot.services)
    if (dur === null) out.push('service_not_offered')
    if (!this.skilled(slot.staffId, slot.services)) out.push('staff_lacks_skill')
    if (dur !== null && slot.end - slot.start !== dur * MIN) out.push('wrong_duration')
    if (slot.start < this.t0 || slot.end > this.gridEnd) out.push('outside_horizon')
    if (slot.start < now) out.push('in_the_past')
    const [first, last] = this.bookingDates(slot.officeId, now)
    const day = this.day(slot.start)
    if (day < first || day > last) out.push('outside_booking_window')
    if (!this.insideWorking(slot.staffId, slot.officeId, slot.start, slot.end)) out.push('outside_working_time')
    if (!this.isFree(slot.staffId, slot.start, slot.end)) out.push('slot_taken')
    return out
  }

  /**
   * All distinct (office, start) pairs a search for `req` could offer now, earliest first; brute
   * force over every grid start of every working interval.
   */
  candidates(req: RefRequest, now = this.now): RefCandidate[] {
    const byKey = new Map<string, RefCandidate>()
    const wins = req.windows?.map((w) => ({ days: w.weekdays, from: hm(w.from), to: hm(w.to) }))
    for (const o of this.s.offices) {
      if (req.offices && !req.offices.includes(o.id)) continue
      const dur = this.durationMinutes(o.id, req.services)
      if (dur === null) continue
      const [first, last] = this.bookingDates(o.id, now)
      for (const p of this.s.staff) {
        if (req.staff && !req.staff.includes(p.id)) continue
        if (!this.skilled(p.id, req.services)) continue
        for (const w of this.workIntervals(p.id, o.id)) {
          const lo = Math.max(w.start, now)
          let t = this.t0 + Math.ceil((lo - this.t0) / this.unitMs) * this.unitMs
          for (; t + dur * MIN <= w.end; t += this.unitMs) {
            const end = t + dur * MIN
            const day = this.day(t)
            if (day < first || day > last) continue
            if (req.from !== undefined && day < req.from) continue
            if (req.to !== undefined && day > req.to) continue
            if (this.day(end - this.unitMs) !== day) continue
            if (wins && !wins.some((x) => (!x.days || x.days.includes(weekdayOf(day))) && this.wall(day, x.from) <= t && end <= this.wall(day, x.to))) continue
            if (!this.isFree(p.id, t, end)) continue
            const key = `${o.id}@${t}`
            const c = byKey.get(key)
            if (c) c.staffIds.push(p.id)
            else byKey.set(key, { start: t, officeId: o.id, staffIds: [p.id], end })
          }
        }
      }
    }
    return [...byKey.values()].sort((a, b) => a.start - b.start)
  }

  /**
   * Why a search finds what it finds: each office, then each office-day of the requested range,
   * counted at the first rule it fails, in the order of SLOT_RULES. Brute force again: an
   * office-day "fits the windows" when some grid start that day fits working time and the
   * windows, "fits now" when such a start is not before now, and is "available" when one is free.
   */
  explain(req: RefRequest, now = this.now): { officeDays: number; available: number; reasons: Record<string, number>; bookedUntil?: string; from: string; to: string } {
    const reasons: Record<string, number> = {}
    const bump = (c: string) => void (reasons[c] = (reasons[c] ?? 0) + 1)
    const today = this.day(now)
    const maxDays = Math.max(...this.s.offices.map((o) => o.bookingWindow.maxDays))
    const from = req.from ?? today
    const to = req.to ?? plusDays(today, maxDays)
    const wins = req.windows?.map((w) => ({ days: w.weekdays, from: hm(w.from), to: hm(w.to) }))
    let officeDays = 0, available = 0
    let bookedUntil: string | undefined
    const unitsIn = (w: Iv) => Math.floor((w.end - this.t0) / this.unitMs) - Math.ceil((w.start - this.t0) / this.unitMs)
    for (const o of this.s.offices) {
      if (req.offices && !req.offices.includes(o.id)) { bump('office_not_requested'); continue }
      const dur = this.durationMinutes(o.id, req.services)
      if (dur === null) { bump('service_not_offered'); continue }
      const staff = this.s.staff.filter((p) => this.skilled(p.id, req.services))
      const work = staff.flatMap((p) => this.workIntervals(p.id, o.id)).filter((w) => unitsIn(w) > 0)
      if (work.length === 0) { bump('no_skilled_staff'); continue }
      for (let date = from; date <= to; date = plusDays(date, 1)) {
        officeDays++
        if (!this.dates.includes(date)) { bump('outside_horizon'); continue }
        const rel = daysBetween(today, date)
        if (rel < 0) { bump('in_the_past'); continue }
        if (rel < o.bookingWindow.minDays || rel > o.bookingWindow.maxDays) { bump('outside_booking_window'); continue }
        if (this.opening(o.id, date).length === 0) { bump('office_closed'); continue }
        // Grid starts of working units on this date, per skilled staff member.
        let onDuty = false, fitsWindow = false, fitsNow = false, free = false
        for (const p of staff)
          for (const w of this.workIntervals(p.id, o.id)) {
            for (let t = this.t0 + Math.ceil((w.start - this.t0) / this.unitMs) * this.unitMs; t + this.unitMs <= w.end; t += this.unitMs) {
              if (this.day(t) !== date) continue
              onDuty = true
              const end = t + dur * MIN
              if (end > w.end || this.day(end - this.unitMs) !== date) continue
              if (wins && !wins.some((x) => (!x.days || x.days.includes(weekdayOf(date))) && this.wall(date, x.from) <= t && end <= this.wall(date, x.to))) continue
              fitsWindow = true
              if (t < now) continue
              fitsNow = true
              if (this.isFree(p.id, t, end)) free = true
            }
          }
        if (!onDuty) bump('no_staff_on_duty')
        else if (!fitsWindow) bump('windows_never_open')
        else if (!fitsNow) bump('in_the_past')
        else if (!free) {
          bump('fully_booked')
          if (bookedUntil === undefined || date > bookedUntil) bookedUntil = date
        }
        else available++
      }
    }
    return { officeDays, available, reasons, bookedUntil, from, to }
  }

  /** The earliest feasible start for the request, or null. */
  earliest(req: RefRequest, now = this.now): number | null {
    const c = this.candidates(req, now)
    return c.length ? c[0].start : null
  }

  // ---- the ledger -----------------------------------------------------------------------------

  holds(): RefHold[] {
    return this.taken.filter((t): t is RefHold => t.kind === 'hold')
  }

  appointments(): RefAppointment[] {
    return this.taken.filter((t): t is RefAppointment => t.kind === 'appointment')
  }

  freezes(): RefFreeze[] {
    return this.taken.filter((t): t is RefFreeze => t.kind === 'freeze')
  }

  /** Open waitlist offer groups (see RefOfferGroup). */
  offerGroups(): RefOfferGroup[] {
    return this.taken.filter((t): t is RefOfferGroup => t.kind === 'offer')
  }

  /** Open holds plus appointments not yet begun, of one citizen. */
  activeCount(citizenId: string): number {
    return this.taken.filter((t) => (t.kind === 'hold' && t.citizenId === citizenId) || (t.kind === 'appointment' && t.citizenId === citizenId && t.start >= this.now)).length
  }

  /** Outcome of hold(slot, citizen): null = accepted, else the error class and the possible issue codes. */
  predictHold(slot: RefSlot, citizenId: string): null | { error: 'COMMAND_INVALID' | 'CONFLICT' | 'LIMIT_EXCEEDED'; codes: string[] } {
    const v = [...this.serviceListProblems(slot.services), ...this.slotViolations(slot)]
    if (v.length) return { error: v.includes('slot_taken') && v.length === 1 ? 'CONFLICT' : 'COMMAND_INVALID', codes: v }
    if (this.activeCount(citizenId) >= this.s.policy.maxActiveAppointmentsPerCitizen) return { error: 'LIMIT_EXCEEDED', codes: ['citizen_limit'] }
    return null
  }

  addHold(h: Omit<RefHold, 'kind' | 'seq'>): RefHold {
    const rec: RefHold = { kind: 'hold', ...h, seq: this.timerSeq++ }
    this.taken.push(rec)
    return rec
  }

  /** Outcome of confirm(holdId, key). */
  predictConfirm(holdId: string, key?: string):
    | { ok: 'new'; hold: RefHold }
    | { ok: 'replay'; appointment: RefAppointment }
    | { error: string; code: string } {
    if (key !== undefined) {
      const prev = this.idempotency.get(key)
      if (prev) {
        if (prev.holdId !== holdId) return { error: 'CONFLICT', code: 'idempotency_key_reused' }
        const a = this.appointments().find((x) => x.id === prev.appointmentId)
        return a ? { ok: 'replay', appointment: a } : { error: 'CONFLICT', code: 'appointment_cancelled' }
      }
    }
    const h = this.holds().find((x) => x.id === holdId)
    if (!h) return { error: 'NOT_FOUND', code: 'hold_not_found' }
    if (h.expiresAt <= this.now) return { error: 'EXPIRED', code: 'hold_expired' }
    // A slot that has begun (its start lies before now) cannot be confirmed any more.
    if (h.start < this.now) return { error: 'CONFLICT', code: 'already_started' }
    return { ok: 'new', hold: h }
  }

  applyConfirm(hold: RefHold, appointmentId: string, key?: string): RefAppointment {
    this.taken = this.taken.filter((t) => t !== hold)
    const a: RefAppointment = { kind: 'appointment', id: appointmentId, officeId: hold.officeId, staffId: hold.staffId, start: hold.start, end: hold.end, services: [...hold.services], citizenId: hold.citizenId }
    this.taken.push(a)
    if (key !== undefined) this.idempotency.set(key, { holdId: hold.id, appointmentId })
    return a
  }

  predictCancel(appointmentId: string): { ok: RefAppointment } | { error: string; code: string } {
    const a = this.appointments().find((x) => x.id === appointmentId)
    if (!a) return { error: 'NOT_FOUND', code: 'appointment_not_found' }
    if (a.start < this.now) return { error: 'CONFLICT', code: 'already_started' }
    return { ok: a }
  }

  /** Cancels; returns the freeze's end and whether the units were freed at once. */
  applyCancel(a: RefAppointment): { until: number; freedNow: boolean } {
    this.taken = this.taken.filter((t) => t !== a)
    const until = this.now + this.s.policy.cancelFreezeMinutes * MIN
    if (until > this.now) {
      this.taken.push({ kind: 'freeze', officeId: a.officeId, staffId: a.staffId, start: a.start, end: a.end, until, seq: this.timerSeq++ })
      return { until, freedNow: false }
    }
    return { until, freedNow: true }
  }

  /**
   * Moves the clock; returns what expires and frees, in time order. The order of things due at
   * the same instant is not specified (creation order here); callers compare those as a set.
   */
  advance(now: number): RefEvent[] {
    const due = this.taken
      .filter((t): t is RefHold | RefFreeze => (t.kind === 'hold' && t.expiresAt <= now) || (t.kind === 'freeze' && t.until <= now))
      .sort((a, b) => (a.kind === 'hold' ? a.expiresAt : a.until) - (b.kind === 'hold' ? b.expiresAt : b.until) || a.seq - b.seq)
    const events: RefEvent[] = []
    for (const t of due) {
      this.taken = this.taken.filter((x) => x !== t)
      if (t.kind === 'hold') {
        events.push({ type: 'expired', at: t.expiresAt, hold: t })
        events.push({ type: 'freed', at: t.expiresAt, officeId: t.officeId, staffId: t.staffId, start: t.start, end: t.end, reason: 'expired' })
      } else events.push({ type: 'freed', at: t.until, officeId: t.officeId, staffId: t.staffId, start: t.start, end: t.end, reason: 'cancelled' })
    }
    this.now = now
    return events
  }

  /**
   * Places the scenario's existing appointments in order, as the loader must: a given staff member
   * or else the first staff member (scenario order) for whom the appointment fits working time
   * and is free (booking window and `now` do not apply to existing bookings). Returns the indices
   * that could not be placed.
   */
  placeExisting(): number[] {
    const bad: number[] = []
    this.s.appointments.forEach((a, i) => {
      const start = Date.parse(a.start)
      const dur = this.durationMinutes(a.office, a.services)
      if (dur === null || !this.onGrid(start)) return void bad.push(i)
      const end = start + dur * MIN
      const candidates = a.staff !== undefined ? [a.staff] : this.s.staff.map((p) => p.id)
      const p = candidates.find(
        (id) => this.skilled(id, a.services) && start >= this.t0 && end <= this.gridEnd && this.insideWorking(id, a.office, start, end) && this.isFree(id, start, end),
      )
      if (p === undefined) return void bad.push(i)
      const rec: RefAppointment = { kind: 'appointment', id: a.id, officeId: a.office, staffId: p, start, end, services: [...a.services] }
      if (a.citizenId !== undefined) rec.citizenId = a.citizenId
      this.taken.push(rec)
    })
    return bad
  }

  /** A deep copy (for restore round trips). */
  clone(): Reference {
    const r = Object.create(Reference.prototype) as Reference
    Object.assign(r, this)
    r.taken = this.taken.map((t) => ({
      ...t,
      ...('services' in t ? { services: [...t.services] } : {}),
      ...(t.kind === 'offer' ? { offers: t.offers.map((o) => ({ ...o, services: [...o.services] })) } : {}),
    })) as Taken[]
    r.idempotency = new Map([...this.idempotency].map(([k, v]) => [k, { ...v }]))
    return r
  }
}
