/**
 * An independent model of the waitlist, the oracle of test/waitlist: who is waiting, in which
 * order, and which slots suit whom. It shares nothing with src/solver/waitlist.ts or offers.ts:
 * entries are plain records, priority is recomputed from the entry's fields, and "does this slot
 * suit this citizen" is answered from the scenario with the reference model's working time
 * (test/solver/reference.ts) and plain calendar arithmetic.
 *
 * The rules (issue 5, written down once more):
 * - an entry accepts an office when it lists it (and, with a district too, the office lies in it),
 *   or names only a district and the office lies in it, or names neither;
 * - a slot suits an entry when it is for exactly the entry's services, lasts their duration at
 *   the office, lies in working time of a staff member with every skill, its local date lies in
 *   [earliest, latest] and among `dates` (when given), and some window (when given) holds it on
 *   that weekday from its start to its end;
 * - when offered automatically, the slot starts at or after the moment of the offer, inside the
 *   office's booking window counted from that moment's local date, and the citizen never declined
 *   or let expire an offer of the same staff member and start;
 * - priority: urgent first, then the earliest due date (end of the `latest` day, or 14 days after
 *   joining, whichever is sooner), then who joined first (createdAt), then join order.
 */
import type { Scenario, WaitlistEntry } from '../../src/model/schema.js'
import { formatInstant } from '../../src/model/tz.js'
import { MIN, hm, plusDays, weekdayOf, type Reference } from '../solver/reference.js'

export const DAY_MS = 86_400_000

export interface ModelEntry {
  id: string
  citizenId: string
  services: string[]
  /** The services as a multiset key (sorted ids). */
  combo: string
  urgent: boolean
  createdAt: number
  due: number
  /** Join order. */
  seq: number
  /** Accepted offices; null = any. */
  offices: Set<string> | null
  earliest?: string
  latest?: string
  dates: Set<string> | null
  windows: { weekdays: number[] | null; from: number; to: number }[] | null
  state: 'waiting' | 'offered'
  offerId?: string
  /** `staffId@epochMs` of slots this citizen declined or let expire. */
  declined: Set<string>
  /** As the engine must show it (canonical entry). */
  entry: WaitlistEntry
}

export interface SlotMs {
  officeId: string
  staffId: string
  start: number
  end: number
}

export const comboOf = (services: string[]) => [...services].sort().join('\u0000')

/** Canonical order of an entry's fields (the schema's), so snapshots compare as text. */
export function canonicalEntry(e: WaitlistEntry): WaitlistEntry {
  const out: Record<string, unknown> = {}
  for (const k of ['id', 'citizenId', 'services', 'offices', 'district', 'windows', 'dates', 'earliest', 'latest', 'createdAt', 'priority'] as const)
    if (e[k] !== undefined) out[k] = e[k]
  return out as WaitlistEntry
}

export class WaitModel {
  readonly entries = new Map<string, ModelEntry>()
  private seq = 0

  constructor(readonly ref: Reference, readonly s: Scenario) {}

  /** Offices an entry accepts (null = any). */
  acceptedOffices(e: { offices?: string[]; district?: string }): Set<string> | null {
    const inDistrict = e.district !== undefined ? this.s.offices.filter((o) => o.district === e.district).map((o) => o.id) : null
    if (e.offices) return new Set(e.offices.filter((id) => inDistrict === null || inDistrict.includes(id)))
    return inDistrict ? new Set(inDistrict) : null
  }

  add(entry: WaitlistEntry): ModelEntry {
    const createdAt = Date.parse(entry.createdAt)
    const latestEnd = entry.latest !== undefined ? this.ref.wall(plusDays(entry.latest, 1), 0) : Infinity
    const rec: ModelEntry = {
      id: entry.id,
      citizenId: entry.citizenId,
      services: [...entry.services],
      combo: comboOf(entry.services),
      urgent: entry.priority === 'urgent',
      createdAt,
      due: Math.min(latestEnd, createdAt + 14 * DAY_MS),
      seq: this.seq++,
      offices: this.acceptedOffices(entry),
      earliest: entry.earliest,
      latest: entry.latest,
      dates: entry.dates ? new Set(entry.dates) : null,
      windows: entry.windows ? entry.windows.map((w) => ({ weekdays: w.weekdays ?? null, from: hm(w.from), to: hm(w.to) })) : null,
      state: 'waiting',
      declined: new Set(),
      entry: canonicalEntry(structuredClone(entry)),
    }
    this.entries.set(rec.id, rec)
    return rec
  }

  /** < 0 when a comes first. */
  static compare(a: ModelEntry, b: ModelEntry): number {
    if (a.urgent !== b.urgent) return a.urgent ? -1 : 1
    return a.due - b.due || a.createdAt - b.createdAt || a.seq - b.seq
  }

  sorted(): ModelEntry[] {
    return [...this.entries.values()].sort(WaitModel.compare)
  }

  view(e: ModelEntry, zone: string) {
    const v: Record<string, unknown> = {
      id: e.id,
      citizenId: e.citizenId,
      services: [...e.services],
      priority: e.urgent ? 'urgent' : 'normal',
      createdAt: e.entry.createdAt,
      due: formatInstant(zone, e.due),
      state: e.state,
    }
    if (e.offerId !== undefined) v.offerId = e.offerId
    return v
  }

  /** Whether [start, end) at that local date suits the entry's dates and windows. */
  timeFits(e: ModelEntry, start: number, end: number): boolean {
    const day = this.ref.day(start)
    if (e.earliest !== undefined && day < e.earliest) return false
    if (e.latest !== undefined && day > e.latest) return false
    if (e.dates && !e.dates.has(day)) return false
    if (!e.windows) return true
    const wd = weekdayOf(day)
    return e.windows.some((w) => (w.weekdays === null || w.weekdays.includes(wd)) && this.ref.wall(day, w.from) <= start && end <= this.ref.wall(day, w.to))
  }

  /**
   * Why a slot does not suit an entry (null = it does). Working time, skills and duration always;
   * with `at`, also "not before `at`" and the booking window counted from `at`; with `declined`,
   * also the entry's declined slots.
   */
  misfit(e: ModelEntry, slot: SlotMs, opts: { at?: number; declined?: boolean; services?: string[] } = {}): string | null {
    const services = opts.services ?? e.services
    if (comboOf(services) !== e.combo) return 'wrong_services'
    if (e.offices && !e.offices.has(slot.officeId)) return 'office_not_accepted'
    const dur = this.ref.durationMinutes(slot.officeId, services)
    if (dur === null) return 'service_not_offered'
    if (slot.end - slot.start !== dur * MIN) return 'wrong_duration'
    if (!this.ref.skilled(slot.staffId, services)) return 'staff_lacks_skill'
    if (!this.ref.onGrid(slot.start)) return 'off_grid'
    if (!this.ref.insideWorking(slot.staffId, slot.officeId, slot.start, slot.end)) return 'outside_working_time'
    if (opts.at !== undefined) {
      if (slot.start < opts.at) return 'in_the_past'
      const [first, last] = this.ref.bookingDates(slot.officeId, opts.at)
      const day = this.ref.day(slot.start)
      if (day < first || day > last) return 'outside_booking_window'
    }
    if (!this.timeFits(e, slot.start, slot.end)) return 'outside_citizen_times'
    if (opts.declined && e.declined.has(`${slot.staffId}@${slot.start}`)) return 'declined'
    return null
  }

  /**
   * Free slots (per the reference's taken list) that suit `e` if offered at `at`, optionally only
   * those overlapping `within` (same staff member) or lying inside it. Brute force over the
   * working intervals, with the staff member's taken intervals sorted once.
   */
  freeFits(e: ModelEntry, at: number, opts: { overlapping?: SlotMs; inside?: SlotMs; max?: number } = {}): SlotMs[] {
    const ref = this.ref
    const out: SlotMs[] = []
    const max = opts.max ?? 1
    const area = opts.overlapping ?? opts.inside
    for (const o of this.s.offices) {
      if (e.offices && !e.offices.has(o.id)) continue
      if (area && area.officeId !== o.id) continue
      const dur = ref.durationMinutes(o.id, e.services)
      if (dur === null) continue
      const [first, last] = ref.bookingDates(o.id, at)
      for (const p of this.s.staff) {
        if (area && area.staffId !== p.id) continue
        if (!ref.skilled(p.id, e.services)) continue
        const busy = ref.taken.filter((t) => t.staffId === p.id).sort((a, b) => a.start - b.start)
        for (const w of ref.workIntervals(p.id, o.id)) {
          let lo = Math.max(w.start, at)
          let hi = w.end
          if (opts.overlapping) {
            lo = Math.max(lo, opts.overlapping.start - dur * MIN + ref.unitMs)
            hi = Math.min(hi, opts.overlapping.end + dur * MIN - ref.unitMs)
          }
          if (opts.inside) {
            lo = Math.max(lo, opts.inside.start)
            hi = Math.min(hi, opts.inside.end)
          }
          let t = ref.t0 + Math.ceil((lo - ref.t0) / ref.unitMs) * ref.unitMs
          let k = 0
          for (; t + dur * MIN <= hi; t += ref.unitMs) {
            const end = t + dur * MIN
            const day = ref.day(t)
            if (day < first || day > last) continue
            if (ref.day(end - ref.unitMs) !== day) continue
            if (e.declined.has(`${p.id}@${t}`)) continue
            if (!this.timeFits(e, t, end)) continue
            while (k < busy.length && busy[k].end <= t) k++
            let free = true
            for (let j = k; j < busy.length && busy[j].start < end; j++) if (busy[j].end > t) free = false
            if (!free) continue
            out.push({ officeId: o.id, staffId: p.id, start: t, end })
            if (out.length >= max) return out
          }
        }
      }
    }
    return out
  }
}
