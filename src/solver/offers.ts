/**
 * Online waitlist offers. Whenever capacity frees (a cancel after its freeze, an expired hold, a
 * declined or expired offer, a newly released booking day, a new entry that fits what is free),
 * the best-fitting waiting citizen gets an offer: the slot is held for them for
 * `policy.offerMinutes`; accepting books it, declining or letting it expire moves on to the next.
 * In broadcast mode the same slot goes to the top N at once and the first accept wins.
 */
import { servicesDuration, type Model } from '../model/compile.js'
import { getBit } from '../model/bitset.js'
import type { GridCalendar } from './grid-calendar.js'
import type { Ledger, OfferGroupRec, OfferRec } from './ledger.js'
import type { Occupancy } from './occupancy.js'
import { findSlots, fnv1a, resolveRequest, type ResolvedRequest, type SearchContext } from './search.js'
import { compareEntries, WaitlistIndex, type EntryRec } from './waitlist.js'

/** How many live entries one queue may examine for one freed slot; bounds the latency. */
export const EXAMINE_PER_QUEUE = 64

/** Services, offices and windows as one key: entries with the same need share a search request and a matching group. */
export function needKeyOf(rec: EntryRec, officeIds: readonly string[]): string {
  const e = rec.entry
  const offices = rec.offices ? [...rec.offices].sort((a, b) => a - b).map((o) => officeIds[o]) : undefined
  return `${e.services.join('+')}|${offices?.join(',') ?? '*'}|${JSON.stringify(e.windows ?? null)}`
}

export interface OfferCore {
  m: Model
  cal: GridCalendar
  occ: Occupancy
  ledger: Ledger
  ctx: SearchContext
  /** Called for each new offer group, after its units are taken. */
  onOffered(group: OfferGroupRec, offers: OfferRec[]): void
  /** Whether the citizen may get an offer now (the per-citizen limit). */
  mayOffer(rec: EntryRec): boolean
}

export interface Candidate {
  rec: EntryRec
  start: number
  dur: number
}

export class OfferEngine {
  readonly wl: WaitlistIndex
  /** Whether freed capacity is offered on its own; off when a batch matcher decides instead. */
  auto = true
  private readonly scopeCache: string[][]

  constructor(readonly core: OfferCore) {
    this.wl = new WaitlistIndex(core.m, core.cal)
    const m = core.m
    this.scopeCache = m.officeIds.map((_, o) => [`o${o}`, `d${m.officeDistrict[o]}`, '*'])
  }

  private skilled(p: number, services: number[]): boolean {
    const m = this.core.m, nS = m.serviceIds.length
    for (const s of services) if (m.skill[p * nS + s] !== 1) return false
    return true
  }

  /** The best candidate for a free run [a, b) of staff `p` at office `o` on day `d`. */
  bestCandidate(p: number, o: number, d: number, a: number, b: number): Candidate | undefined {
    const { ctx } = this.core
    const rel = d - ctx.nowDay
    if (rel < ctx.windowMin[o] || rel > ctx.windowMax[o] || rel > this.core.m.staffMaxDays[p]) return undefined
    const lo = Math.max(a, ctx.nowUnit)
    let best: Candidate | undefined
    // Only the combinations waiting at this office, its district or anywhere.
    for (const scope of this.scopeCache[o]) {
      for (const q of this.wl.queuesByLength(scope, o)) {
        const combo = q.combo
        const dur = combo.durAt[o]
        // Shortest first: no later queue fits the run either.
        if (lo + dur > b) break
        if (q.dead || combo.live === 0 || !this.skilled(p, combo.services)) continue
        const rec = this.wl.bestInQueue(
          scope,
          q,
          (r) => {
            // Cheap date test first; the citizen's appointment count costs more.
            if (d < r.dayFrom || d > r.dayTo || !this.core.mayOffer(r)) return false
            return this.wl.earliestUndeclined(r, p, d, lo, b, dur) >= 0
          },
          EXAMINE_PER_QUEUE,
          best?.rec,
          d,
        )
        // `start` belongs to the last entry `fits` looked at, which need not be the one returned.
        if (rec) best = { rec, start: this.wl.earliestUndeclined(rec, p, d, lo, b, dur), dur }
      }
    }
    return best
  }

  /** Further entries (broadcast) that fit exactly [start, start + dur) with the same services. */
  private moreFor(first: Candidate, p: number, o: number, d: number, n: number): EntryRec[] {
    const out: EntryRec[] = []
    const key = first.rec.comboKey
    while (out.length < n) {
      let pick: EntryRec | undefined
      for (const scope of this.scopeCache[o]) {
        const rec = this.wl.best(
          scope,
          key,
          (r) => r !== first.rec && !out.includes(r) && this.core.mayOffer(r) && this.wl.timeFits(r, d, first.start, first.dur) && !r.declined.has(`${p}:${first.start}`),
          EXAMINE_PER_QUEUE,
          pick,
          d,
        )
        if (rec) pick = rec
      }
      if (!pick) break
      out.push(pick)
    }
    return out
  }

  /**
   * Offers the free time around [a, b) at staff `p` (inside one segment) to waiting citizens,
   * repeatedly, until nothing more fits. Returns the number of offer groups made.
   */
  offerFreeRun(p: number, a: number, b: number): number {
    const { m, occ } = this.core
    if (!this.auto || this.wl.waiting === 0) return 0
    // Only time that is really free (a caller's range may have been taken meanwhile).
    if (!occ.isFree(p, a, b)) return 0
    const si = occ.segmentAt(p, a)
    const seg = m.segments[si]
    const busy = occ.busy[p]
    // The maximal free run containing the freed units.
    let lo = a, hi = b
    while (lo > seg.start && !getBit(busy, lo - 1)) lo--
    while (hi < seg.end && !getBit(busy, hi)) hi++
    let made = 0
    // Offer the run, then what is left on both sides of each offered slot.
    const stack: [number, number][] = [[lo, hi]]
    while (stack.length > 0) {
      const [x, y] = stack.pop()!
      const c = this.bestCandidate(p, seg.office, seg.day, x, y)
      if (!c) continue
      this.makeOffer(c, p, seg.office, seg.day)
      made++
      if (y > c.start + c.dur) stack.push([c.start + c.dur, y])
      if (c.start > x) stack.push([x, c.start])
    }
    return made
  }

  /**
   * The earliest free slot (any acceptable office and staff member) that suits `rec` and that it
   * has not declined, day by day; office-days whose longest free run is too short are skipped.
   */
  earliestFor(rec: EntryRec): { staff: number; office: number; start: number; dur: number } | undefined {
    const { m, ctx, occ } = this.core
    // Nothing declined and no explicit dates: the indexed search answers it (earliest start, any staff).
    if (rec.declined.size === 0 && rec.days === null) return this.earliestBySearch(rec)
    const nO = m.officeIds.length
    const durAt = new Int32Array(nO)
    for (let o = 0; o < nO; o++) if (!rec.offices || rec.offices.has(o)) durAt[o] = servicesDuration(m, o, rec.services)
    const dFrom = Math.max(0, ctx.nowDay, rec.dayFrom === -Infinity ? 0 : rec.dayFrom)
    const dTo = Math.min(m.days - 1, rec.dayTo === Infinity ? m.days - 1 : rec.dayTo)
    let minDur = Infinity
    for (let o = 0; o < nO; o++) if (durAt[o] !== 0 && durAt[o] < minDur) minDur = durAt[o]
    const shortDays = m.shortNoticeMaxDays
    for (let d = dFrom; d <= dTo; d++) {
      // A day with no free run long enough anywhere: one read.
      if ((d - ctx.nowDay > shortDays ? occ.dayMaxLong : occ.dayMax)[d] < minDur) continue
      if (rec.days && !rec.days.has(d)) continue
      const best = this.earliestOnDay(rec, d, durAt)
      if (best) return best
    }
    return undefined
  }

  /**
   * The earliest free slot on day `d` that suits `rec` and that it has not declined, at offices
   * where `durAt` (units, by office) is not 0.
   */
  private earliestOnDay(rec: EntryRec, d: number, durAt: Int32Array): { staff: number; office: number; start: number; dur: number } | undefined {
    const { m, ctx, occ } = this.core
    const nO = m.officeIds.length
    const rel = d - ctx.nowDay
    // Beyond every short-notice horizon only staff without a limit count (see Occupancy).
    const officeDayMax = rel > m.shortNoticeMaxDays ? occ.officeDayMaxLong : occ.officeDayMax
    let best: { staff: number; office: number; start: number; dur: number } | undefined
    const segs = ctx.daySegs[d]
    for (let k = 0; k < segs.n; k++) {
      const o = segs.office[k], dur = durAt[o]
      if (dur === 0 || officeDayMax[d * nO + o] < dur || rel < ctx.windowMin[o] || rel > ctx.windowMax[o]) continue
      const p = segs.staff[k]
      if (occ.maxRun[p * m.days + d] < dur || rel > m.staffMaxDays[p] || !this.skilled(p, rec.services)) continue
      if (best && segs.start[k] >= best.start) break
      const busy = occ.busy[p]
      for (let u = Math.max(segs.start[k], ctx.nowUnit); u < segs.end[k]; ) {
        if (getBit(busy, u)) {
          u++
          continue
        }
        let e = u
        while (e < segs.end[k] && !getBit(busy, e)) e++
        const t = this.wl.earliestUndeclined(rec, p, d, u, e, dur)
        if (t >= 0 && (!best || t < best.start)) best = { staff: p, office: o, start: t, dur }
        if (t >= 0) break
        u = e
      }
    }
    return best
  }

  private readonly requestCache = new Map<string, ResolvedRequest>()

  /**
   * The entry's need as a search request in dense form (limit 1, no citizen: callers set their
   * own `req.limit` and `salt`), shared by every entry with the same services, offices and
   * windows; undefined when no office is acceptable.
   */
  requestFor(rec: EntryRec): ResolvedRequest | undefined {
    const { m, ctx } = this.core
    if (rec.offices && rec.offices.size === 0) return undefined
    const key = (rec.needKey ??= needKeyOf(rec, m.officeIds))
    let rr = this.requestCache.get(key)
    if (!rr) {
      const e = rec.entry
      const offices = rec.offices ? [...rec.offices].sort((a, b) => a - b).map((o) => m.officeIds[o]) : undefined
      rr = resolveRequest(ctx, { services: e.services, offices, windows: e.windows, limit: 1 })
      if (this.requestCache.size > 10_000) this.requestCache.clear()
      this.requestCache.set(key, rr)
    }
    return rr
  }

  private earliestBySearch(rec: EntryRec): { staff: number; office: number; start: number; dur: number } | undefined {
    const { m, ctx } = this.core
    const rr = this.requestFor(rec)
    if (!rr) return undefined
    const dayFrom = Math.max(ctx.nowDay, rec.dayFrom === -Infinity ? 0 : rec.dayFrom)
    const dayTo = Math.min(m.days - 1, rec.dayTo === Infinity ? m.days - 1 : rec.dayTo)
    if (dayTo < dayFrom) return undefined
    const found = findSlots(ctx, { ...rr, dayFrom, dayTo, salt: fnv1a(rec.entry.citizenId) })
    if (found.n === 0) return undefined
    const o = found.office[0]
    return { staff: found.staff[0], office: o, start: found.start[0], dur: rr.dur[o] }
  }

  /** Offers exactly [start, start + dur) at staff `p`, office `o`, to one entry. */
  offerTo(rec: EntryRec, p: number, o: number, start: number, dur: number): void {
    this.makeOffer({ rec, start, dur }, p, o, -1, false)
  }

  private makeOffer(first: Candidate, p: number, o: number, d: number, broadcast = true): void {
    const { m, ledger, occ, ctx } = this.core
    const pol = m.scenario.policy
    const recs = [first.rec, ...(broadcast && pol.offerMode === 'broadcast' ? this.moreFor(first, p, o, d, pol.broadcastSize - 1) : [])]
    const group: OfferGroupRec = {
      id: ledger.nextId('group'),
      staff: p,
      office: o,
      start: first.start,
      end: first.start + first.dur,
      createdAt: ctx.now,
      expiresAt: ctx.now + pol.offerMinutes * 60_000,
      offerIds: [],
    }
    const offers = recs.map((rec) => {
      const offer: OfferRec = { id: ledger.nextId('offer'), groupId: group.id, entryId: rec.entry.id, citizenId: rec.entry.citizenId, services: [...rec.entry.services] }
      this.wl.markOffered(rec, offer.id)
      ledger.offers.set(offer.id, offer)
      group.offerIds.push(offer.id)
      return offer
    })
    ledger.groups.set(group.id, group)
    occ.occupy(p, group.start, group.end)
    ledger.addTimer(group.expiresAt, 'offer', group.id)
    this.core.onOffered(group, offers)
  }

  /**
   * Offers a newly released day at an office to the waiting citizens, best first, each the
   * earliest free slot there that suits them; then, slot by slot, whatever is still free (for
   * citizens beyond the ones looked at). Citizen by citizen first because a released day has
   * hundreds of slots, and slot by slot each would look through every queue of the office.
   */
  offerDay(o: number, d: number): number {
    if (!this.auto || this.wl.waiting === 0) return 0
    const { m, ctx, occ } = this.core
    const rel = d - ctx.nowDay
    if (rel < ctx.windowMin[o] || rel > ctx.windowMax[o]) return 0
    const nO = m.officeIds.length
    // Upper bound on the offers the day can take: its free units over the shortest need waiting.
    const durOf = new Map<string, number>()
    let minDur = Infinity
    for (const c of this.wl.combos.values()) {
      if (c.live === 0) continue
      const dur = c.durAt[o]
      durOf.set(c.key, dur)
      if (dur > 0 && dur < minDur) minDur = dur
    }
    const free = this.freeUnits(o, d)
    // Nothing free is long enough for anyone waiting.
    if (free < minDur) return 0
    let made = 0
    const durAt = new Int32Array(nO)
    const n = Math.ceil(free / minDur) + EXAMINE_PER_QUEUE
    const recs = this.wl.bestN(this.scopeCache[o], (c) => (durOf.get(c.key) ?? 0) > 0, d, n)
    for (const rec of recs) {
      if (occ.officeDayMax[d * nO + o] < minDur) return made
      // Offers made on the way may have changed it (broadcast groups, the citizen's limit).
      if (rec.state !== 'waiting' || d < rec.dayFrom || d > rec.dayTo || !this.core.mayOffer(rec)) continue
      durAt[o] = durOf.get(rec.comboKey)!
      const slot = this.earliestOnDay(rec, d, durAt)
      if (!slot) continue
      this.makeOffer({ rec, start: slot.start, dur: slot.dur }, slot.staff, o, d)
      made++
    }
    // Everyone who could use the day was looked at: the slot-by-slot pass would find no one else
    // (offers only take time away and tighten the citizens' limits).
    if (recs.length < n) return made
    return made + this.offerDaySlots(o, d)
  }

  /** Free units of office `o` on day `d` from now on. */
  private freeUnits(o: number, d: number): number {
    const { occ, ctx } = this.core
    const segs = ctx.daySegs[d]
    let n = 0
    for (let k = 0; k < segs.n; k++) {
      if (segs.office[k] !== o) continue
      const busy = occ.busy[segs.staff[k]]
      for (let u = Math.max(segs.start[k], ctx.nowUnit); u < segs.end[k]; u++) if (!getBit(busy, u)) n++
    }
    return n
  }

  /** Offers every free run of a day at an office, slot by slot. */
  private offerDaySlots(o: number, d: number): number {
    const { occ, ctx } = this.core
    let made = 0
    const segs = ctx.daySegs[d]
    for (let k = 0; k < segs.n; k++) {
      if (segs.office[k] !== o) continue
      const p = segs.staff[k]
      const busy = occ.busy[p]
      for (let u = segs.start[k]; u < segs.end[k]; ) {
        if (getBit(busy, u)) {
          u++
          continue
        }
        let e = u
        while (e < segs.end[k] && !getBit(busy, e)) e++
        made += this.offerFreeRun(p, u, e)
        // Whatever was offered is now busy; continue after this run either way.
        u = e
      }
    }
    return made
  }
}
