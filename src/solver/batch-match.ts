/**
 * Batch waitlist matching: assign many waiting citizens to free capacity at once, maximising
 * Σ priority × preference.
 *
 * Candidates: for every waiting citizen, the earliest fitting free slots (the ordinary search,
 * filtered by the citizen's dates, windows and declined slots). Each distinct slot (staff, start,
 * end) is a right-hand node.
 * - If no two candidate slots overlap, this is a bipartite matching: solved exactly by our
 *   min-cost-flow code, optimality proven by its dual certificate (gap 0).
 * - Otherwise slots of different lengths overlap at one staff member. Dropping the overlap
 *   constraints leaves a bipartite matching whose optimum bounds the true one from above. With an
 *   LP back end, the LP relaxation with one row per overlap point gives a tighter bound and a
 *   fractional guide. Either way the integer plan is built by rounding (take pairs by their
 *   relaxed value, skip overlaps) and repair (give the remaining citizens their best free
 *   candidate), and the bound and the gap are reported.
 *
 * Budget: `timeLimitMs` (default 30 s) is for the whole call. Collecting candidates and the exact
 * matching run on the calling thread and check the deadline as they go: past it the call throws
 * TerminplanError('TIMEOUT') and offers nothing. The LP runs in the back end's worker with what
 * is left; if it does not finish, the result rounds the bipartite relaxation instead (a valid
 * plan with a weaker bound: method `relaxation-rounding`, `timeLimited: true`).
 */
import { TerminplanError } from '../model/errors.js'
import type { Slot } from '../model/requests.js'
import { maxWeightBipartiteMatching } from './matching/min-cost-flow.js'
import { LpBuilder } from './lp/model.js'
import type { LpBackend } from './lp/port.js'
import { solveLp } from './lp/verify.js'
import { offerEngineOf, type Offer, type Scheduler } from './scheduler/index.js'
import { findSlots, fnv1a } from './search.js'
import { compareEntries, type EntryRec } from './waitlist.js'
import { needKeyOf } from './offers.js'
import { Deadline, type Clock } from './budget.js'

const DAY_MS = 86_400_000

export interface MatchOptions {
  /** Candidate slots per waiting citizen (default 20). */
  candidatesPerEntry?: number
  /** `offer` (default): make an offer for every assignment; `none`: only return the plan. */
  apply?: 'offer' | 'none'
  /** LP back end for the relaxation when candidate slots overlap; without one the bipartite bound is used. */
  lp?: LpBackend
  /** Budget of the whole call in ms (default 30 000); see the module comment for what happens at it. */
  timeLimitMs?: number
  /** Clock for the budget (ms), default performance.now. */
  clock?: Clock
  /**
   * At the budget: `throw` (default) a TIMEOUT and offer nothing; `best` — stop collecting
   * candidates at half the budget, and if the matching itself runs out, take pairs greedily by
   * weight; the result is marked `timeLimited` (what a simulation's nightly run wants).
   */
  onTimeout?: 'throw' | 'best'
}

/** Budget of `matchWaitlist` without `timeLimitMs`. */
export const MATCH_DEFAULT_TIME_LIMIT_MS = 30_000

export interface MatchAssignment {
  entryId: string
  citizenId: string
  slot: Slot
  weight: number
}

export interface MatchResult {
  method: 'exact-matching' | 'lp-rounding' | 'relaxation-rounding'
  waiting: number
  /** Citizens with at least one candidate slot. */
  withCandidates: number
  candidateSlots: number
  edges: number
  assignments: MatchAssignment[]
  objective: number
  /** Upper bound on the best possible objective. */
  bound: number
  /** (bound − objective) / bound; 0 when proven optimal. */
  gap: number
  offers: Offer[]
  /** The LP did not finish within the budget: the plan rounds the bipartite relaxation instead. */
  timeLimited?: boolean
}

/** Priority of a waiting citizen: class, then how long they have waited relative to the 14-day goal. */
export function entryPriority(rec: EntryRec, now: number): number {
  const waited = Math.max(0, now - rec.createdAt) / DAY_MS
  return (rec.urgent ? 2 : 1) * (1 + waited / 14)
}

/** Preference of a slot: sooner is better, and a slot after the citizen's due date is worth half. */
export function slotPreference(rec: EntryRec, startMs: number, now: number): number {
  const ahead = Math.max(0, startMs - now) / DAY_MS
  return (startMs <= rec.due ? 1 : 0.5) / (1 + ahead / 14)
}

/** Runs a step with part of the budget; its TIMEOUT is reported as the whole call's. */
function timedOutAs<T>(deadline: Deadline, step: () => T): T {
  try {
    return step()
  } catch (e) {
    if (e instanceof TerminplanError && e.code === 'TIMEOUT') throw deadline.error()
    throw e
  }
}

interface Cand {
  entry: number
  slot: number
  weight: number
}

export async function matchWaitlist(s: Scheduler, options: MatchOptions = {}): Promise<MatchResult> {
  const engine = offerEngineOf(s)
  const { m, ctx, cal } = engine.core
  const best = options.onTimeout === 'best'
  const deadline = new Deadline(options.timeLimitMs ?? MATCH_DEFAULT_TIME_LIMIT_MS, 'batch matching', 'timeLimitMs', options.clock)
  const k = options.candidatesPerEntry ?? 20
  const now = ctx.now
  const entries = [...engine.wl.entries.values()].filter((r) => r.state === 'waiting').sort(compareEntries)
  let timeLimited = false

  // Candidates, from the ordinary search: one search per group of entries with the same services,
  // offices and windows (best first). The j-th entry of a group gets k slots from the j-th on, so
  // that equally placed citizens with one need do not all compete for the same first slots.
  const slotIndex = new Map<string, number>()
  const slots: { staff: number; office: number; start: number; end: number }[] = []
  const cands: Cand[] = []
  let withCandidates = 0
  const groups = new Map<string, number[]>()
  entries.forEach((rec, ei) => {
    if (rec.offices && rec.offices.size === 0) return
    // An entry never changes once joined, so its group's key is made once (the matching runs nightly over all who wait).
    const key = (rec.needKey ??= needKeyOf(rec, m.officeIds))
    const g = groups.get(key)
    if (g) g.push(ei)
    else groups.set(key, [ei])
  })
  for (const members of groups.values()) {
    // Out of time while collecting: with onTimeout 'best', match what was collected (the best-ranked groups first).
    if (best && deadline.remaining() < deadline.limitMs / 2) {
      timeLimited = true
      break
    }
    deadline.check()
    const first = entries[members[0]]
    let lo = Infinity, hi = -Infinity
    for (const ei of members) {
      lo = Math.min(lo, entries[ei].dayFrom)
      hi = Math.max(hi, entries[ei].dayTo)
    }
    // The group's shared request, with this search's limit and the first member's fair tie-break.
    const rr = engine.requestFor(first)!
    const req = { ...rr.req, limit: Math.min(200, members.length + k) }
    const found = findSlots(ctx, { ...rr, req, salt: fnv1a(first.entry.citizenId), dayFrom: Number.isFinite(lo) ? Math.max(lo, ctx.nowDay) : ctx.nowDay, dayTo: Number.isFinite(hi) ? hi : m.days - 1 })
    members.forEach((ei, j) => {
      const rec = entries[ei]
      const prio = entryPriority(rec, now)
      let any = false, taken = 0
      for (let q = Math.min(j, Math.max(0, found.n - k)); q < found.n && taken < k; q++) {
        const staff = found.staff[q], office = found.office[q], start = found.start[q], end = start + rr.dur[office]
        if (rec.declined.has(`${staff}:${start}`)) continue
        if (!engine.wl.timeFits(rec, cal.dayOfUnit(start), start, end - start)) continue
        const skey = `${staff}:${start}:${end}`
        let sj = slotIndex.get(skey)
        if (sj === undefined) {
          slotIndex.set(skey, (sj = slots.length))
          slots.push({ staff, office, start, end })
        }
        cands.push({ entry: ei, slot: sj, weight: prio * slotPreference(rec, m.t0 + start * m.unitMs, now) })
        taken++
        any = true
      }
      if (any) withCandidates++
    })
  }

  // Overlap points: per staff member, every start at which two or more distinct slots overlap.
  const byStaff = new Map<number, number[]>()
  slots.forEach((x, j) => {
    const list = byStaff.get(x.staff)
    if (list) list.push(j)
    else byStaff.set(x.staff, [j])
  })
  const cliques: number[][] = []
  for (const list of byStaff.values()) {
    deadline.check()
    list.sort((a, b) => slots[a].start - slots[b].start || slots[a].end - slots[b].end)
    for (let i = 0; i < list.length; i++) {
      const t = slots[list[i]].start
      const covering = list.filter((j) => slots[j].start <= t && t < slots[j].end)
      if (covering.length > 1) cliques.push(covering)
    }
  }

  // The bipartite relaxation (exact when nothing overlaps).
  const solveRelaxed = () =>
    maxWeightBipartiteMatching({
      nLeft: entries.length,
      nRight: slots.length,
      edgeLeft: Int32Array.from(cands, (c) => c.entry),
      edgeRight: Int32Array.from(cands, (c) => c.slot),
      edgeWeight: Float64Array.from(cands, (c) => c.weight),
    }, { timeLimitMs: Math.max(1, deadline.remaining()), clock: deadline.clock })
  let relaxed: ReturnType<typeof solveRelaxed>
  try {
    relaxed = timedOutAs(deadline, solveRelaxed)
  } catch (e) {
    if (!best || !(e instanceof TerminplanError) || e.code !== 'TIMEOUT') throw e
    // Out of time in the matching: the greedy by weight below is the answer; each citizen's best weight bounds it.
    timeLimited = true
    const top = new Float64Array(entries.length)
    for (const c of cands) if (c.weight > top[c.entry]) top[c.entry] = c.weight
    relaxed = { edgeOfLeft: new Int32Array(entries.length).fill(-1), dualBound: top.reduce((a, x) => a + x, 0) } as ReturnType<typeof solveRelaxed>
  }

  let method: MatchResult['method']
  let bound = relaxed.dualBound
  // Guide for rounding: a value per candidate pair.
  let guide: Float64Array
  if (cliques.length === 0 && !timeLimited) {
    method = 'exact-matching'
    guide = new Float64Array(cands.length)
    for (let l = 0; l < entries.length; l++) if (relaxed.edgeOfLeft[l] >= 0) guide[relaxed.edgeOfLeft[l]] = 1
  } else if (options.lp && !timeLimited) {
    method = 'lp-rounding'
    const lp = new LpBuilder('max', { name: 'waitlist-batch' })
    cands.forEach((c) => lp.addCol({ lower: 0, upper: 1, cost: c.weight }))
    const byEntry: number[][] = entries.map(() => [])
    const bySlot: number[][] = slots.map(() => [])
    cands.forEach((c, i) => {
      byEntry[c.entry].push(i)
      bySlot[c.slot].push(i)
    })
    for (const cols of byEntry) if (cols.length > 1) lp.addRow(-Infinity, 1, cols, cols.map(() => 1))
    for (const cols of bySlot) if (cols.length > 1) lp.addRow(-Infinity, 1, cols, cols.map(() => 1))
    for (let q = 0; q < cliques.length; q++) {
      if ((q & 255) === 0) deadline.check()
      const clique = cliques[q]
      const cols = clique.flatMap((j) => bySlot[j])
      if (cols.length > 1) lp.addRow(-Infinity, 1, cols, cols.map(() => 1))
    }
    const model = lp.build()
    deadline.check()
    const r = await solveLp(options.lp, model, { timeLimitMs: Math.max(1, deadline.remaining()) })
    if (r.status === 'optimal') {
      bound = Math.min(bound, r.objective)
      guide = Float64Array.from(r.x)
    } else if (r.status === 'time_limit') {
      // Out of time in the LP: round the bipartite relaxation, whose bound still holds.
      method = 'relaxation-rounding'
      timeLimited = true
      guide = new Float64Array(cands.length)
      for (let l = 0; l < entries.length; l++) if (relaxed.edgeOfLeft[l] >= 0) guide[relaxed.edgeOfLeft[l]] = 1
    } else throw new TerminplanError('SOLVER_FAILED', `batch matching LP ended ${r.status}`)
  } else {
    method = 'relaxation-rounding'
    guide = new Float64Array(cands.length)
    for (let l = 0; l < entries.length; l++) if (relaxed.edgeOfLeft[l] >= 0) guide[relaxed.edgeOfLeft[l]] = 1
  }

  // Rounding and repair: pairs by relaxed value, then weight; a pair is taken when its citizen is
  // free and its slot overlaps nothing taken at that staff member.
  const order = cands.map((_, i) => i).sort((a, b) => guide[b] - guide[a] || cands[b].weight - cands[a].weight || a - b)
  const entryTaken = new Uint8Array(entries.length)
  const taken: Map<number, [number, number][]> = new Map()
  const assignments: MatchAssignment[] = []
  const chosen: number[] = []
  let objective = 0
  for (const i of order) {
    const c = cands[i]
    if (entryTaken[c.entry]) continue
    const x = slots[c.slot]
    const busy = taken.get(x.staff) ?? []
    if (busy.some(([a, b]) => a < x.end && x.start < b)) continue
    busy.push([x.start, x.end])
    taken.set(x.staff, busy)
    entryTaken[c.entry] = 1
    chosen.push(i)
    objective += c.weight
  }
  chosen.sort((a, b) => cands[a].entry - cands[b].entry)
  for (const i of chosen) {
    const c = cands[i]
    const rec = entries[c.entry]
    const x = slots[c.slot]
    const slot: Slot = { officeId: m.officeIds[x.office], staffId: m.staffIds[x.staff], start: cal.unitIso(x.start), end: cal.unitIso(x.end), services: [...rec.entry.services] }
    assignments.push({ entryId: rec.entry.id, citizenId: rec.entry.citizenId, slot, weight: c.weight })
  }
  if (method === 'exact-matching') bound = objective > bound ? objective : bound
  const gap = bound > 0 ? Math.max(0, (bound - objective) / bound) : 0

  const offers: Offer[] = []
  if ((options.apply ?? 'offer') === 'offer') for (const a of assignments) offers.push(s.offer(a.entryId, a.slot))

  return {
    method,
    waiting: entries.length,
    withCandidates,
    candidateSlots: slots.length,
    edges: cands.length,
    assignments,
    objective,
    bound,
    gap: method === 'exact-matching' && Math.abs(bound - objective) <= 1e-9 * Math.max(1, bound) ? 0 : gap,
    offers,
    ...(timeLimited ? { timeLimited } : {}),
  }
}
