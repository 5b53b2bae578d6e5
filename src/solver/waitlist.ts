/**
 * The waiting citizens, indexed so that a freed slot finds its best candidate fast: one priority
 * queue (heap-js) per (scope, service combination), where the scope is one office, one district
 * or "any office". A freed slot at office o looks only at the queues of o, o's district and "any",
 * for the combinations that fit its length and the staff member's skills.
 *
 * Priority is static, so heaps stay valid: urgent class first, then the earliest due date (the
 * citizen's latest acceptable date or 14 days after joining, whichever is sooner — earliest
 * deadline first is what maximises the share served in time), then who joined first.
 */
import { Heap } from 'heap-js'
import { servicesDuration, type Model } from '../model/compile.js'
import type { WaitlistEntry } from '../model/schema.js'
import { parseInstant, parseTimeOfDay, wallToInstant } from '../model/tz.js'
import type { GridCalendar } from './grid-calendar.js'

export const TARGET_DAYS = 14
/** Live and stale items a queue looks at, at most, for one freed slot (see WaitlistIndex.best). */
export const FULL_SCAN_LIMIT = 2048
const DAY_MS = 86_400_000

export type EntryState = 'waiting' | 'offered' | 'served' | 'left'

export interface EntryRec {
  entry: WaitlistEntry
  seq: number
  state: EntryState
  services: number[]
  comboKey: string
  urgent: boolean
  /** Epoch ms by which the citizen should have an appointment. */
  due: number
  createdAt: number
  /** Acceptable offices (indices); null = any. */
  offices: Set<number> | null
  /** Day range (inclusive) and optional explicit days, as day indices. */
  dayFrom: number
  dayTo: number
  days: Set<number> | null
  windows: { mask: number; from: number; to: number }[] | null
  /** Slots this citizen declined or let expire (`staff:start`), never offered again. */
  declined: Set<string>
  offerId?: string
  /** The queues it waits in (computed on first enqueue). */
  scopes?: string[]
  /** Services, offices and windows as one key (`needKeyOf`): the shared search request and the batch matching's group; computed on first use. */
  needKey?: string
  /** Bumped whenever the entry leaves the queues (offered) or re-enters them; older heap items are stale. */
  version: number
}

/** A queue item: an entry as it was when pushed. Stale items are dropped when they surface. */
interface Item {
  rec: EntryRec
  version: number
}

const compareItems = (a: Item, b: Item) => compareEntries(a.rec, b.rec)

/**
 * One queue (scope × combination), in parts by last acceptable day. The `low` cache holds, by
 * slot day d, an entry no worse than the best of the parts that suit d (null: none do): taking
 * entries out only makes the best worse, so it stays true until a push, which forgets it (a new
 * `gen`). A freed slot skips a queue whose bound cannot beat what it already found. The cache is
 * a small ring by day (typed arrays, no map: this is read for every freed slot × queue).
 */
export interface Queue {
  readonly combo: Combo
  /** The parts' last days (`lastDays[j]` for `heaps[j]`), in no order; a few dozen at most. */
  lastDays: number[]
  heaps: Heap<Item>[]
  gen: number
  lowDay: Int32Array
  lowGen: Int32Array
  low: (EntryRec | null)[]
  /** Emptied and dropped from its scope (a later entry gets a new queue). */
  dead: boolean
}

const LOW_RING = 64

function newQueue(combo: Combo): Queue {
  return { combo, lastDays: [], heaps: [], gen: 1, lowDay: new Int32Array(LOW_RING), lowGen: new Int32Array(LOW_RING), low: new Array(LOW_RING).fill(null), dead: false }
}

function removePart(q: Queue, j: number): void {
  const last = q.heaps.length - 1
  q.heaps[j] = q.heaps[last]
  q.lastDays[j] = q.lastDays[last]
  q.heaps.pop()
  q.lastDays.pop()
}

function dropStaleTops(heap: Heap<Item>): void {
  while (heap.length > 0 && heap.peek()!.version !== heap.peek()!.rec.version) heap.pop()
}

/** Key of a service combination (by index, repeats kept): the same need, whatever the order. */
export function comboKeyOf(services: number[]): string {
  return [...services].sort((a, b) => a - b).join(',')
}

export function compareEntries(a: EntryRec, b: EntryRec): number {
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1
  return a.due - b.due || a.createdAt - b.createdAt || a.seq - b.seq
}

export interface Combo {
  key: string
  services: number[]
  /** Entries (any state but served/left) using it; a combination with none is skipped. */
  live: number
  /** Its length in units at each office (0: not offered there), computed once. */
  durAt: Int32Array
}

export class WaitlistIndex {
  readonly entries = new Map<string, EntryRec>()
  /** Every combination seen, one object per key for the index's life (`live` 0: none waits). */
  readonly combos = new Map<string, Combo>()
  /**
   * Queues by `scope|combination`, each split by the entry's last acceptable day: a slot on day d
   * looks only at the parts whose last day is d or later, so the citizens whose time runs out
   * sooner (at the top of one earliest-due-first heap) never stand in the way of those it suits.
   */
  private readonly buckets = new Map<string, Map<string, Queue>>()
  /**
   * Each scope's queues as a list, in the order they were made (a freed slot walks it without a
   * key lookup per combination); dead ones are dropped when the list is next handed out.
   */
  private readonly lists = new Map<string, Queue[]>()
  private readonly dirty = new Set<string>()
  /** `queuesByLength`'s lists, by scope then office; kept in step with `lists`. */
  private readonly byLength = new Map<string, (Queue[] | undefined)[]>()
  /** citizen id → combination key → their live entry for it (one need, one entry). */
  private readonly byCitizen = new Map<string, Map<string, EntryRec>>()
  private seq = 0
  waiting = 0

  private readonly districtOffices: number[][]

  constructor(private readonly m: Model, private readonly cal: GridCalendar) {
    this.districtOffices = m.districtIds.map((_, k) => m.officeIds.map((_, o) => o).filter((o) => m.officeDistrict[o] === k))
  }

  /** Turns a validated entry into its indexed form (does not add it). */
  prepare(entry: WaitlistEntry): EntryRec {
    const m = this.m
    const services = entry.services.map((id) => m.serviceIndex.get(id)!)
    const comboKey = comboKeyOf(services)
    const createdAt = parseInstant(entry.createdAt)!
    let offices: Set<number> | null = null
    if (entry.offices) offices = new Set(entry.offices.map((id) => m.officeIndex.get(id)!))
    if (entry.district !== undefined) {
      const d = m.districtIds.indexOf(entry.district)
      const inDistrict = m.officeIds.map((_, o) => o).filter((o) => m.officeDistrict[o] === d)
      offices = offices ? new Set([...offices].filter((o) => inDistrict.includes(o))) : new Set(inDistrict)
    }
    const dayFrom = entry.earliest !== undefined ? this.cal.dayOfDate(entry.earliest) : -Infinity
    const dayTo = entry.latest !== undefined ? this.cal.dayOfDate(entry.latest) : Infinity
    const latestEnd = entry.latest !== undefined ? wallToInstant(m.zone, entry.latest, 1440) : Infinity
    return {
      entry,
      seq: this.seq++,
      state: 'waiting',
      services,
      comboKey,
      urgent: entry.priority === 'urgent',
      due: Math.min(latestEnd, createdAt + TARGET_DAYS * DAY_MS),
      createdAt,
      offices,
      dayFrom,
      dayTo,
      days: entry.dates ? new Set(entry.dates.map((d) => this.cal.dayOfDate(d))) : null,
      windows: entry.windows
        ? entry.windows.map((w) => ({ mask: w.weekdays ? w.weekdays.reduce((a, d) => a | (1 << d), 0) : 0xfe, from: parseTimeOfDay(w.from)!, to: parseTimeOfDay(w.to)! }))
        : null,
      declined: new Set(),
      version: 0,
    }
  }

  /**
   * `prepare` for a live entry of another index over the same calendar, services, offices and
   * districts (a live change that keeps them): what it derived from the entry is shared, not
   * derived again. A new sequence number, waiting, nothing declined yet (does not add it).
   */
  carry(r: EntryRec): EntryRec {
    return {
      entry: r.entry, seq: this.seq++, state: 'waiting', services: r.services, comboKey: r.comboKey, urgent: r.urgent, due: r.due, createdAt: r.createdAt,
      offices: r.offices, dayFrom: r.dayFrom, dayTo: r.dayTo, days: r.days, windows: r.windows, declined: new Set(), version: 0, scopes: r.scopes, needKey: r.needKey,
    }
  }

  private scopes(rec: EntryRec): string[] {
    if (rec.entry.offices === undefined && rec.entry.district !== undefined) {
      // A whole district: one queue per district, unless offices narrow it further.
      return [`d${this.m.districtIds.indexOf(rec.entry.district)}`]
    }
    if (rec.offices === null) return ['*']
    // Offices that make up whole districts wait in the districts' queues (one push for each
    // district rather than each office: "my district and its neighbours" is a common list).
    const m = this.m
    const out: string[] = []
    const covered = new Set<number>()
    for (let k = 0; k < m.districtIds.length; k++) {
      const inK = this.districtOffices[k]
      if (inK.length > 1 && inK.every((o) => rec.offices!.has(o))) {
        out.push(`d${k}`)
        for (const o of inK) covered.add(o)
      }
    }
    for (const o of [...rec.offices].sort((a, b) => a - b)) if (!covered.has(o)) out.push(`o${o}`)
    return out
  }

  /** The citizen's live entries, best first (so that a citizen back under the limit is offered in rank order). */
  entriesOf(citizenId: string): EntryRec[] {
    const needs = this.byCitizen.get(citizenId)
    return needs ? [...needs.values()].sort(compareEntries) : []
  }

  /** The citizen's live entry for the same services, if any. */
  sameNeed(citizenId: string, comboKey: string): EntryRec | undefined {
    return this.byCitizen.get(citizenId)?.get(comboKey)
  }

  add(rec: EntryRec): void {
    this.entries.set(rec.entry.id, rec)
    let needs = this.byCitizen.get(rec.entry.citizenId)
    if (!needs) this.byCitizen.set(rec.entry.citizenId, (needs = new Map()))
    needs.set(rec.comboKey, rec)
    this.comboOf(rec).live++
    this.waiting++
    if (rec.state === 'waiting') this.enqueue(rec)
  }

  private comboOf(rec: EntryRec): Combo {
    let combo = this.combos.get(rec.comboKey)
    if (!combo) {
      const services = [...rec.services].sort((a, b) => a - b)
      const durAt = Int32Array.from(this.m.officeIds, (_, o) => servicesDuration(this.m, o, services))
      this.combos.set(rec.comboKey, (combo = { key: rec.comboKey, services, live: 0, durAt }))
    }
    return combo
  }

  private enqueue(rec: EntryRec): void {
    for (const scope of (rec.scopes ??= this.scopes(rec))) {
      let byCombo = this.buckets.get(scope)
      if (!byCombo) this.buckets.set(scope, (byCombo = new Map()))
      let q = byCombo.get(rec.comboKey)
      if (!q) {
        byCombo.set(rec.comboKey, (q = newQueue(this.comboOf(rec))))
        let list = this.lists.get(scope)
        if (!list) this.lists.set(scope, (list = []))
        list.push(q)
        this.insertByLength(scope, q)
      }
      q.gen++
      const j = q.lastDays.indexOf(rec.dayTo)
      let heap = j >= 0 ? q.heaps[j] : undefined
      if (!heap) {
        q.lastDays.push(rec.dayTo)
        q.heaps.push((heap = new Heap<Item>(compareItems)))
      }
      heap.push({ rec, version: rec.version })
    }
  }

  /**
   * Drops the queue parts whose last day is before `day` (today): nothing can be offered to
   * them any more, and `best` no longer looks at them.
   */
  prune(day: number): void {
    for (const [scope, byCombo] of this.buckets) {
      for (const q of byCombo.values()) {
        for (let j = q.heaps.length - 1; j >= 0; j--) if (q.lastDays[j] < day) removePart(q, j)
        if (q.heaps.length === 0) this.drop(scope, q)
      }
    }
  }

  private drop(scope: string, q: Queue): void {
    this.buckets.get(scope)!.delete(q.combo.key)
    q.dead = true
    this.dirty.add(scope)
  }

  /**
   * The queues of `scope`, oldest first (some may hold only stale items, and some may die while
   * the caller walks the list: skip those with `dead` set).
   */
  queuesIn(scope: string): readonly Queue[] {
    const list = this.lists.get(scope)
    if (!list) return []
    if (!this.dirty.delete(scope)) return list
    // A new array: a caller still walking the old one is not disturbed.
    const live = list.filter((q) => !q.dead)
    this.lists.set(scope, live)
    const atOffice = this.byLength.get(scope)
    if (atOffice) for (let o = 0; o < atOffice.length; o++) atOffice[o] = atOffice[o]?.filter((q) => !q.dead)
    return live
  }

  /**
   * The queues of `scope` whose combination office `o` offers, shortest there first (ties in the
   * order they were made): a free run of length L needs only the prefix with length ≤ L, and
   * most of a scope's combinations are longer than a freed slot. Made on first use, then kept in
   * step: new queues are inserted, dead ones dropped when the scope's list is (`queuesIn`).
   */
  queuesByLength(scope: string, o: number): readonly Queue[] {
    const list = this.queuesIn(scope)
    let atOffice = this.byLength.get(scope)
    if (!atOffice) this.byLength.set(scope, (atOffice = []))
    let sorted = atOffice[o]
    if (!sorted) {
      sorted = list.filter((q) => q.combo.durAt[o] > 0)
      // Array.prototype.sort is stable: equal lengths keep the order they were made in.
      sorted.sort((a, b) => a.combo.durAt[o] - b.combo.durAt[o])
      atOffice[o] = sorted
    }
    return sorted
  }

  /** A new queue of `scope` goes into its sorted lists after those of equal length (the newest); new arrays, as in `queuesIn`. */
  private insertByLength(scope: string, q: Queue): void {
    const atOffice = this.byLength.get(scope)
    if (!atOffice) return
    for (let o = 0; o < atOffice.length; o++) {
      const sorted = atOffice[o], dur = q.combo.durAt[o]
      if (!sorted || dur === 0) continue
      let lo = 0, hi = sorted.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (sorted[mid].combo.durAt[o] <= dur) lo = mid + 1
        else hi = mid
      }
      atOffice[o] = [...sorted.slice(0, lo), q, ...sorted.slice(lo)]
    }
  }

  /**
   * The best `n` waiting entries, best first, in the queues of `scopes` for the combinations
   * `comboOk` accepts, whose last acceptable day is `day` or later. The queues are only read.
   */
  bestN(scopes: readonly string[], comboOk: (combo: Combo) => boolean, day: number, n: number): EntryRec[] {
    if (n <= 0) return []
    // A bounded selection: `worst` holds the best n so far with the worst of them on top.
    const worst = new Heap<EntryRec>((a, b) => compareEntries(b, a))
    for (const scope of scopes) {
      for (const q of this.queuesIn(scope)) {
        if (q.dead || q.combo.live === 0 || !comboOk(q.combo)) continue
        for (let j = 0; j < q.heaps.length; j++) {
          if (q.lastDays[j] < day) continue
          // Down the heap from its top (children of i at 2i + 1 and 2i + 2): below an item no better
          // than the n-th best so far, nothing is.
          const arr = q.heaps[j].heapArray
          const stack = [0]
          while (stack.length > 0) {
            const i = stack.pop()!
            if (i >= arr.length) continue
            const item = arr[i], r = item.rec
            if (worst.length >= n && compareEntries(r, worst.peek()!) >= 0) continue
            if (item.version === r.version && r.state === 'waiting') {
              if (worst.length < n) worst.push(r)
              else worst.replace(r)
            }
            stack.push(2 * i + 1, 2 * i + 2)
          }
        }
      }
    }
    const out: EntryRec[] = new Array(worst.length)
    for (let j = out.length - 1; j >= 0; j--) out[j] = worst.pop()!
    return out
  }

  /** The entry holds an offer: out of the queues until it waits again. */
  markOffered(rec: EntryRec, offerId: string): void {
    rec.state = 'offered'
    rec.offerId = offerId
    rec.version++
  }

  /** The entry's offer ended without a booking: back into the queues. */
  markWaiting(rec: EntryRec): void {
    rec.offerId = undefined
    if (rec.state !== 'offered') return
    rec.state = 'waiting'
    rec.version++
    this.enqueue(rec)
  }

  /** Marks an entry gone (served or left); heaps drop it lazily when it surfaces. */
  retire(rec: EntryRec, state: 'served' | 'left'): void {
    if (rec.state === 'served' || rec.state === 'left') return
    rec.state = state
    rec.version++
    this.waiting--
    const needs = this.byCitizen.get(rec.entry.citizenId)
    if (needs?.get(rec.comboKey) === rec) {
      needs.delete(rec.comboKey)
      if (needs.size === 0) this.byCitizen.delete(rec.entry.citizenId)
    }
    const combo = this.combos.get(rec.comboKey)
    if (combo) combo.live--
  }

  /**
   * The best waiting entry in the queues for `scope|combo` that `fits` accepts and that is better
   * than `bound`, looking at no more than `limit` live entries, best first. Entries examined are
   * put back.
   */
  best(scope: string, comboKey: string, fits: (r: EntryRec) => boolean, limit: number, bound?: EntryRec, day?: number): EntryRec | undefined {
    const q = this.buckets.get(scope)?.get(comboKey)
    return q ? this.bestInQueue(scope, q, fits, limit, bound, day) : undefined
  }

  /** `best` for a queue of `scope` in hand (a freed slot walks `queuesIn` and calls this). */
  bestInQueue(scope: string, q: Queue, fits: (r: EntryRec) => boolean, limit: number, bound?: EntryRec, day?: number): EntryRec | undefined {
    if (q.dead) return undefined
    const d = day ?? -Infinity
    const slot = d & (LOW_RING - 1)
    let low: EntryRec | null
    if (day !== undefined && q.lowGen[slot] === q.gen && q.lowDay[slot] === d) low = q.low[slot]
    else {
      low = null
      for (let j = 0; j < q.heaps.length; j++) {
        const top = q.lastDays[j] >= d ? q.heaps[j].peek()?.rec : undefined
        if (top && (low === null || compareEntries(top, low) < 0)) low = top
      }
      if (day !== undefined) {
        q.lowGen[slot] = q.gen
        q.lowDay[slot] = d
        q.low[slot] = low
      }
    }
    // Nothing here can beat the bound (the common case once a good candidate is found).
    if (low === null || (bound && compareEntries(low, bound) >= 0)) return undefined
    // The best top still waits (a push would have forgotten it, so it is still a top) and fits:
    // no other part can beat it, so none is visited.
    if (low.state === 'waiting' && fits(low)) return low
    // The parts a slot on `day` can suit whose top (live or stale: no worse than anything below
    // it) can beat the bound. They are visited best top first by selection, not sorted: mostly the
    // first one answers and the rest are cut off by the bound (a queue may have a hundred parts).
    const cands: number[] = []
    let empty = false
    for (let j = 0; j < q.heaps.length; j++) {
      if (q.lastDays[j] < d) continue
      const top = q.heaps[j].peek()
      if (!top) empty = true
      else if (!bound || compareEntries(top.rec, bound) < 0) cands.push(j)
    }
    let found: EntryRec | undefined
    let refreshed = day === undefined
    while (cands.length > 0) {
      let x = 0
      for (let y = 1; y < cands.length; y++) if (compareItems(q.heaps[cands[y]].peek()!, q.heaps[cands[x]].peek()!) < 0) x = y
      const heap = q.heaps[cands[x]]
      const top = heap.peek()!
      const limitBy = found ?? bound
      // Heap order: once a part's top is no better than the best so far, nothing below it is either.
      if (limitBy && compareEntries(top.rec, limitBy) >= 0) break
      if (top.version !== top.rec.version) {
        // A stale top: drop it and choose again with the part's real top.
        dropStaleTops(heap)
        if (heap.length === 0) {
          empty = true
          cands[x] = cands[cands.length - 1]
          cands.pop()
        }
        continue
      }
      if (!refreshed) {
        // The first live top chosen is the queue's best for this day: the cache learns it, so the
        // next slot that day can stop here or take it without a visit.
        refreshed = true
        q.lowGen[slot] = q.gen
        q.lowDay[slot] = d
        q.low[slot] = top.rec
      }
      const r = this.bestIn(heap, fits, limit, limitBy)
      if (r) found = r
      cands[x] = cands[cands.length - 1]
      cands.pop()
    }
    if (empty) {
      for (let j = q.heaps.length - 1; j >= 0; j--) if (q.heaps[j].length === 0) removePart(q, j)
      if (q.heaps.length === 0) this.drop(scope, q)
    }
    return found
  }

  /** `best` within one heap. */
  private bestIn(heap: Heap<Item>, fits: (r: EntryRec) => boolean, limit: number, bound?: EntryRec): EntryRec | undefined {
    const held: Item[] = []
    let found: EntryRec | undefined
    while (heap.length > 0 && held.length < limit) {
      const item = heap.peek()!
      const top = item.rec
      if (item.version !== top.version) {
        heap.pop()
        continue
      }
      if (bound && compareEntries(top, bound) >= 0) break
      if (fits(top)) {
        found = top
        break
      }
      held.push(heap.pop()!)
    }
    for (const r of held) heap.push(r)
    if (found || held.length < limit) return found
    // The bounded look found nothing: scan further rather than leave a fitting citizen out, up to
    // FULL_SCAN_LIMIT entries (beyond it a freed slot may wait for the next trigger).
    const all = heap.heapArray
    for (let j = 0, n = Math.min(all.length, FULL_SCAN_LIMIT); j < n; j++) {
      const item = all[j]
      const r = item.rec
      if (item.version !== r.version || (bound && compareEntries(r, bound) >= 0) || (found && compareEntries(r, found) >= 0)) continue
      if (fits(r)) found = r
    }
    return found
  }

  /** Whether slot [t, t + dur) on day `d` suits the entry's dates and windows. */
  timeFits(rec: EntryRec, d: number, t: number, dur: number): boolean {
    if (d < rec.dayFrom || d > rec.dayTo) return false
    if (rec.days && !rec.days.has(d)) return false
    if (!rec.windows) return true
    const bit = 1 << this.cal.weekday[d]
    for (const w of rec.windows) {
      if ((w.mask & bit) === 0) continue
      if (t >= this.cal.wallUnitCeil(d, w.from) && t + dur <= this.cal.wallUnitFloor(d, w.to)) return true
    }
    return false
  }

  /** Earliest start in [a, b − dur] on day `d` that suits the entry and that it has not declined at staff `p`, or −1. */
  earliestUndeclined(rec: EntryRec, p: number, d: number, a: number, b: number, dur: number): number {
    for (let lo = a; lo + dur <= b; ) {
      const t = this.earliestStart(rec, d, lo, b, dur)
      if (t < 0 || !rec.declined.has(`${p}:${t}`)) return t
      lo = t + 1
    }
    return -1
  }

  /** Earliest start in [a, b − dur] on day `d` that suits the entry, or −1. */
  earliestStart(rec: EntryRec, d: number, a: number, b: number, dur: number): number {
    if (d < rec.dayFrom || d > rec.dayTo || (rec.days && !rec.days.has(d))) return -1
    if (!rec.windows) return a + dur <= b ? a : -1
    let best = -1
    const bit = 1 << this.cal.weekday[d]
    for (const w of rec.windows) {
      if ((w.mask & bit) === 0) continue
      const lo = Math.max(a, this.cal.wallUnitCeil(d, w.from))
      const hi = Math.min(b, this.cal.wallUnitFloor(d, w.to))
      if (lo + dur <= hi && (best < 0 || lo < best)) best = lo
    }
    return best
  }
}
