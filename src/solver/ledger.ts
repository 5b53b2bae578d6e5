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

export interface Timer {
  at: number
  seq: number
  kind: 'hold' | 'freeze'
  id: string
}

export class Ledger {
  readonly holds = new Map<string, HoldRec>()
  readonly appointments = new Map<string, AppointmentRec>()
  readonly freezes = new Map<string, FreezeRec>()
  /** idempotency key → { holdId, appointment as returned then } */
  readonly idempotency = new Map<string, { holdId: string; appointmentId: string }>()
  /** citizen id → ids of their holds and appointments */
  readonly byCitizen = new Map<string, Set<string>>()
  /** Due at the same instant: holds before freezes, then by id (numerically), so a restored ledger fires in the same order. */
  readonly timers = new Heap<Timer>(
    (a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'hold' ? -1 : 1) || a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
  seq = { hold: 0, appointment: 0, freeze: 0, timer: 0 }

  /** Timers whose record is gone (a confirmed hold); dropped lazily, compacted when they pile up. */
  private deadTimers = 0

  addTimer(at: number, kind: Timer['kind'], id: string): void {
    this.timers.push({ at, seq: this.seq.timer++, kind, id })
  }

  timerDied(): void {
    if (++this.deadTimers < 4096 || this.deadTimers * 2 < this.timers.length) return
    const live = this.timers.toArray().filter((t) => (t.kind === 'hold' ? this.holds.get(t.id)?.expiresAt === t.at : this.freezes.get(t.id)?.until === t.at))
    this.timers.clear()
    this.timers.init(live)
    this.deadTimers = 0
  }

  linkCitizen(citizenId: string | undefined, id: string): void {
    if (citizenId === undefined) return
    let set = this.byCitizen.get(citizenId)
    if (!set) this.byCitizen.set(citizenId, (set = new Set()))
    set.add(id)
  }

  unlinkCitizen(citizenId: string | undefined, id: string): void {
    if (citizenId === undefined) return
    const set = this.byCitizen.get(citizenId)
    if (!set) return
    set.delete(id)
    if (set.size === 0) this.byCitizen.delete(citizenId)
  }

  /** Holds plus appointments not yet begun, of one citizen. */
  activeCount(citizenId: string, nowUnit: number): number {
    const set = this.byCitizen.get(citizenId)
    if (!set) return 0
    let n = 0
    for (const id of set) {
      if (this.holds.has(id)) n++
      else {
        const a = this.appointments.get(id)
        if (a && a.start >= nowUnit) n++
      }
    }
    return n
  }

  /** Ids that did not come from our counters (scenario appointments); generated ids skip them. */
  readonly foreignIds = new Set<string>()

  /** A fresh id: counters never repeat, so only foreign ids can collide. */
  nextId(kind: 'hold' | 'appointment' | 'freeze'): string {
    const prefix = kind === 'hold' ? 'h' : kind === 'appointment' ? 'a' : 'f'
    for (;;) {
      const id = prefix + ++this.seq[kind]
      if (!this.foreignIds.has(id)) return id
    }
  }
}
