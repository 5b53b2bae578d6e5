/**
 * The ledger: holds, appointments and cancel freezes as records, kept in step with the occupancy
 * bitsets. It changes only through the scheduler's commands; each command checks everything
 * first and then applies, so a rejected command leaves no trace.
 */
import { Heap } from 'heap-js'

export interface HoldRec {
  id: string
  staff: number
  office: number
  start: number
  end: number
  services: string[]
  citizenId: string
  createdAt: number
  expiresAt: number
}

export interface AppointmentRec {
  id: string
  staff: number
  office: number
  start: number
  end: number
  services: string[]
  citizenId?: string
}

/** Units of a cancelled appointment, blocked until `until` (anti-trading). */
export interface FreezeRec {
  id: string
  staff: number
  office: number
  start: number
  end: number
  until: number
}

/** A slot offered to one or more waiting citizens (several in broadcast mode: first accept wins). */
export interface OfferGroupRec {
  id: string
  staff: number
  office: number
  start: number
  end: number
  createdAt: number
  expiresAt: number
  /** Open offers of this group. */
  offerIds: string[]
}

export interface OfferRec {
  id: string
  groupId: string
  entryId: string
  citizenId: string
  services: string[]
}

export type TimerKind = 'hold' | 'freeze' | 'offer' | 'reminder' | 'begin'

export interface Timer {
  at: number
  seq: number
  kind: TimerKind
  id: string
}

// Beginnings first: a citizen whose appointment begins at this instant is below their limit
// before the capacity that frees at the same instant is offered (else a later-ranked citizen gets it).
const KIND_ORDER: Record<TimerKind, number> = { begin: 0, hold: 1, freeze: 2, offer: 3, reminder: 4 }

/** Generated ids in the order they were minted (`h2` before `h10`), then plain string order. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** The appointments map, telling the day of service (its no-show sweep) about every record set. */
export class AppointmentMap extends Map<string, AppointmentRec> {
  onSet?: (rec: AppointmentRec) => void
  override set(id: string, rec: AppointmentRec): this {
    super.set(id, rec)
    this.onSet?.(rec)
    return this
  }
}

export class Ledger {
  readonly holds = new Map<string, HoldRec>()
  appointments = new AppointmentMap()
  readonly freezes = new Map<string, FreezeRec>()
  /** idempotency key → { holdId, appointment as returned then } */
  readonly idempotency = new Map<string, { holdId: string; appointmentId: string }>()
  /**
   * citizen id → ids of their holds and appointments: one id as itself, more as a set (most
   * citizens have one, and a live change relinks every record: a set each was most of its cost).
   */
  private byCitizen = new Map<string, string | Set<string>>()
  readonly offers = new Map<string, OfferRec>()
  readonly groups = new Map<string, OfferGroupRec>()
  /** Due at the same instant: beginnings, holds, freezes, offers, reminders, then by id (numerically), so a restored ledger fires in the same order. */
  readonly timers = new Heap<Timer>(
    (a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareIds(a.id, b.id),
  )
  seq = { hold: 0, appointment: 0, freeze: 0, timer: 0, entry: 0, offer: 0, group: 0 }

  /** Timers whose record is gone (a confirmed hold); dropped lazily, compacted when they pile up. */
  private deadTimers = 0

  addTimer(at: number, kind: TimerKind, id: string): void {
    this.timers.push({ at, seq: this.seq.timer++, kind, id })
  }

  /** Whether the record a timer was set for still exists with that due time. */
  timerLive(t: Timer): boolean {
    switch (t.kind) {
      case 'hold':
        return this.holds.get(t.id)?.expiresAt === t.at
      case 'freeze':
        return this.freezes.get(t.id)?.until === t.at
      case 'offer':
        return this.groups.get(t.id)?.expiresAt === t.at
      case 'reminder':
      case 'begin':
        return this.appointments.has(t.id)
    }
  }

  timerDied(): void {
    if (++this.deadTimers < 4096 || this.deadTimers * 2 < this.timers.length) return
    const live = this.timers.toArray().filter((t) => this.timerLive(t))
    this.timers.clear()
    this.timers.init(live)
    this.deadTimers = 0
  }

  linkCitizen(citizenId: string | undefined, id: string): void {
    if (citizenId === undefined) return
    const cur = this.byCitizen.get(citizenId)
    if (cur === undefined) this.byCitizen.set(citizenId, id)
    else if (typeof cur !== 'string') cur.add(id)
    else if (cur !== id) this.byCitizen.set(citizenId, new Set([cur, id]))
  }

  unlinkCitizen(citizenId: string | undefined, id: string): void {
    if (citizenId === undefined) return
    const cur = this.byCitizen.get(citizenId)
    if (cur === undefined) return
    if (typeof cur === 'string') {
      if (cur === id) this.byCitizen.delete(citizenId)
      return
    }
    cur.delete(id)
    if (cur.size === 0) this.byCitizen.delete(citizenId)
  }

  /**
   * Takes over the appointments of `from` and their citizens' links, less those in `gone` (a
   * rebuild on the same grid and indices, where every record that stays is shared): moved, not
   * copied, because re-inserting a long history was most of a live change's cost. `from` must not
   * be used after. Its holds' links are dropped: the rebuild links the holds it keeps. This ledger
   * must be empty; its own no-show hook stays.
   */
  adoptAppointments(from: Ledger, gone: Iterable<AppointmentRec>): void {
    if (this.appointments.size > 0 || this.byCitizen.size > 0 || this.holds.size > 0) throw new Error('adoptAppointments: the ledger is not empty')
    const onSet = this.appointments.onSet
    this.appointments = from.appointments
    this.appointments.onSet = onSet
    this.byCitizen = from.byCitizen
    from.appointments = new AppointmentMap()
    from.byCitizen = new Map()
    for (const h of from.holds.values()) this.unlinkCitizen(h.citizenId, h.id)
    for (const a of gone) {
      this.appointments.delete(a.id)
      this.unlinkCitizen(a.citizenId, a.id)
    }
  }

  /** The ids of one citizen's holds and appointments, in the order they were linked. */
  idsOfCitizen(citizenId: string): Iterable<string> {
    const cur = this.byCitizen.get(citizenId)
    return cur === undefined ? [] : typeof cur === 'string' ? [cur] : cur
  }

  /** Holds plus appointments not yet begun, of one citizen. */
  activeCount(citizenId: string, nowUnit: number): number {
    const cur = this.byCitizen.get(citizenId)
    if (cur === undefined) return 0
    if (typeof cur === 'string') return this.isActive(cur, nowUnit) ? 1 : 0
    let n = 0
    for (const id of cur) if (this.isActive(id, nowUnit)) n++
    return n
  }

  private isActive(id: string, nowUnit: number): boolean {
    if (this.holds.has(id)) return true
    const a = this.appointments.get(id)
    return a !== undefined && a.start >= nowUnit
  }

  /** Ids that did not come from our counters (scenario appointments); generated ids skip them. */
  readonly foreignIds = new Set<string>()

  /** A fresh id: counters never repeat, so only foreign ids can collide. */
  nextId(kind: 'hold' | 'appointment' | 'freeze' | 'entry' | 'offer' | 'group'): string {
    const prefix = { hold: 'h', appointment: 'a', freeze: 'f', entry: 'w', offer: 'o', group: 'g' }[kind]
    for (;;) {
      const id = prefix + ++this.seq[kind]
      if (!this.foreignIds.has(id)) return id
    }
  }
}
