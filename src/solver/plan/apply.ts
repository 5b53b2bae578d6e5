/**
 * A capacity plan on the slot engine: its released slots as the slot engine's `Slot`s, the time it
 * keeps back per staff run, and a gate that releases only the plan's slots through a scheduler —
 * the way offices release quotas in ZMS-like systems, with every booking still validated by the
 * scheduler (skills, working time, booking window, conflicts).
 */
import { getBit } from '../../model/bitset.js'
import type { Model } from '../../model/compile.js'
import { fail } from '../../model/errors.js'
import { parseCommand, SearchRequestSchema, type HoldOptions, type SearchRequest, type Slot } from '../../model/requests.js'
import { formatInstant, localDateOf, localMinutesOf, isoWeekday, parseTimeOfDay, parseInstant } from '../../model/tz.js'
import type { Hold, Scheduler } from '../scheduler/index.js'
import type { CapacityPlan } from './plan.js'
import type { PatternSlot } from './realise.js'
import { extractSupply } from './supply-demand.js'

const iso = (m: Model, u: number) => formatInstant(m.zone, m.t0 + u * m.unitMs)

/** The plan's released slots as slot-engine slots (ISO times), optionally for one office, date or staff member. */
export function planSlots(m: Model, plan: CapacityPlan, filter: { officeId?: string; date?: string; staffId?: string } = {}): Slot[] {
  const out: Slot[] = []
  for (const p of plan.patterns) {
    if (filter.officeId !== undefined && m.officeIds[p.office] !== filter.officeId) continue
    if (filter.date !== undefined && m.dates[p.day] !== filter.date) continue
    if (filter.staffId !== undefined && m.staffIds[p.staff] !== filter.staffId) continue
    out.push(toSlot(m, p))
  }
  return out
}

function toSlot(m: Model, p: PatternSlot): Slot {
  return { officeId: m.officeIds[p.office], staffId: m.staffIds[p.staff], start: iso(m, p.start), end: iso(m, p.end), services: [m.serviceIds[p.service]] }
}

export interface KeptBackRange {
  officeId: string
  staffId: string
  date: string
  start: string
  end: string
}

/**
 * Free staff time the plan does not release (kept back for the waitlist and phone, or idle):
 * per run of free working time, what follows its slots. `busy` must be the one the plan used.
 */
export function keptBackRanges(m: Model, plan: CapacityPlan, busy?: (staff: number) => ArrayLike<number>): KeptBackRange[] {
  const first = m.dates.indexOf(plan.from)
  const supply = extractSupply(m, first, plan.days, new Set(m.serviceIds.map((_, i) => i)), busy)
  const taken = new Map<number, Set<number>>()
  for (const p of plan.patterns) {
    let set = taken.get(p.staff)
    if (!set) taken.set(p.staff, (set = new Set()))
    for (let u = p.start; u < p.end; u++) set.add(u)
  }
  const out: KeptBackRange[] = []
  for (const r of supply.runs) {
    const set = taken.get(r.staff)
    let a = -1
    for (let u = r.start; u <= r.end; u++) {
      const free = u < r.end && !set?.has(u)
      if (free && a < 0) a = u
      if (!free && a >= 0) {
        out.push({ officeId: m.officeIds[r.office], staffId: m.staffIds[r.staff], date: m.dates[r.day], start: iso(m, a), end: iso(m, u) })
        a = -1
      }
    }
  }
  return out
}

export interface QuotaGate {
  /**
   * The plan's released slots that are still free, earliest first: single services match slots
   * of that service; several services match adjacent released slots at one staff member that
   * together hold exactly those services. Offices, dates, time windows and the limit as in search.
   */
  search(req: SearchRequest): Slot[]
  /** Holds a released slot (or run of adjacent released slots) through the scheduler. */
  hold(slot: Slot, opts: HoldOptions): Hold
  /** Released slots still free per office, date and service. */
  remaining(): { officeId: string; date: string; serviceId: string; free: number }[]
}

/** Releases exactly the plan's slots through `scheduler` (same scenario the plan was made for). */
export function createQuotaGate(scheduler: Scheduler, plan: CapacityPlan): QuotaGate {
  const m = scheduler.model
  // Pattern slots per staff member sorted by start, for adjacency.
  const byStaff = new Map<number, PatternSlot[]>()
  for (const p of plan.patterns) {
    let l = byStaff.get(p.staff)
    if (!l) byStaff.set(p.staff, (l = []))
    l.push(p)
  }
  for (const l of byStaff.values()) l.sort((a, b) => a.start - b.start)
  const isFree = (p: { staff: number; start: number; end: number }) => {
    const busy = scheduler.busyUnits(p.staff) as Uint32Array
    for (let u = p.start; u < p.end; u++) if (getBit(busy, u)) return false
    return true
  }
  const nowInfo = () => {
    const ms = parseInstant(scheduler.now())!
    return { unit: Math.ceil((ms - m.t0) / m.unitMs), day: m.dates.indexOf(localDateOf(m.zone, ms)) }
  }

  /** Runs of adjacent released slots at one staff member whose services are the request's. */
  const candidates = (services: number[]): { staff: number; office: number; day: number; start: number; end: number }[] => {
    const want = [...services].sort((a, b) => a - b).join(',')
    const k = services.length
    const out: { staff: number; office: number; day: number; start: number; end: number }[] = []
    for (const [staff, list] of byStaff)
      for (let i = 0; i + k <= list.length; i++) {
        let ok = true
        for (let j = 1; j < k && ok; j++) ok = list[i + j].start === list[i + j - 1].end && list[i + j].office === list[i].office
        if (!ok) continue
        const got = list.slice(i, i + k).map((p) => p.service).sort((a, b) => a - b).join(',')
        if (got === want) out.push({ staff, office: list[i].office, day: list[i].day, start: list[i].start, end: list[i + k - 1].end })
      }
    return out
  }

  return {
    search(input) {
      const req = parseCommand(SearchRequestSchema, input, 'search request')
      const services = req.services.map((id) => m.serviceIndex.get(id) ?? fail('COMMAND_INVALID', '$.services', 'unknown_reference', `unknown service "${id}"`))
      const offices = req.offices ? new Set(req.offices.map((id) => m.officeIndex.get(id) ?? fail('COMMAND_INVALID', '$.offices', 'unknown_reference', `unknown office "${id}"`))) : null
      const now = nowInfo()
      const windows = req.windows?.map((w) => ({ days: w.weekdays ? new Set(w.weekdays) : null, from: parseTimeOfDay(w.from)!, to: parseTimeOfDay(w.to)! }))
      const found = candidates(services).filter((c) => {
        if (offices && !offices.has(c.office)) return false
        const date = m.dates[c.day]
        if ((req.from !== undefined && date < req.from) || (req.to !== undefined && date > req.to)) return false
        if (c.start < now.unit) return false
        const bw = m.scenario.offices[c.office].bookingWindow
        if (now.day >= 0 && (c.day - now.day < bw.minDays || c.day - now.day > bw.maxDays)) return false
        if (windows) {
          const a = localMinutesOf(m.zone, m.t0 + c.start * m.unitMs)
          const b = a + (c.end - c.start) * m.unitMinutes
          const wd = isoWeekday(date)
          if (!windows.some((w) => (!w.days || w.days.has(wd)) && a >= w.from && b <= w.to)) return false
        }
        return isFree(c)
      })
      found.sort((x, y) => x.start - y.start || x.office - y.office || x.staff - y.staff)
      return found.slice(0, req.limit).map((c) => ({ officeId: m.officeIds[c.office], staffId: m.staffIds[c.staff], start: iso(m, c.start), end: iso(m, c.end), services: [...req.services] }))
    },
    hold(slot, opts) {
      const services = slot.services.map((id) => m.serviceIndex.get(id) ?? fail('COMMAND_INVALID', '$.services', 'unknown_reference', `unknown service "${id}"`))
      const staff = m.staffIndex.get(slot.staffId)
      const start = parseInstant(slot.start)
      const released = staff !== undefined && start !== null && candidates(services).some((c) => c.staff === staff && m.t0 + c.start * m.unitMs === start && m.officeIds[c.office] === slot.officeId)
      if (!released) fail('COMMAND_INVALID', '$', 'not_released', 'the plan does not release this slot')
      return scheduler.hold(slot, opts)
    },
    remaining() {
      const counts = new Map<string, number>()
      for (const p of plan.patterns) {
        if (!isFree(p)) continue
        const k = `${m.officeIds[p.office]}|${m.dates[p.day]}|${m.serviceIds[p.service]}`
        counts.set(k, (counts.get(k) ?? 0) + 1)
      }
      return [...counts].map(([k, free]) => {
        const [officeId, date, serviceId] = k.split('|')
        return { officeId, date, serviceId, free }
      })
    },
  }
}
