/**
 * From fractional LP quotas to concrete slots on staff timelines, one office-day at a time: a
 * capacitated assignment (assign/heuristic.ts, the code the GAP benchmarks prove) of appointment
 * slots to free runs of staff time. Items are the LP's whole slots per service (worth the LP's
 * value of one more slot there plus a premium for being in the LP plan) and its fractional
 * remainders (worth their share); agents are the runs (capacity = their units, a slot only at
 * staff with the skill); a slot may stay unreleased at no cost. Slots are laid out in each run
 * from its start, services interleaved; what is left of a run is kept back (waitlist, phone) or
 * idle. Optionally idle time beyond the kept-back share is filled with more slots.
 */
import type { Model } from '../../model/compile.js'
import { solveAssignment } from '../assign/heuristic.js'
import type { AssignmentProblem } from '../assign/problem.js'
import type { OfficeDay, Supply } from './supply-demand.js'

/** One released slot: a service at one staff member, [start, end) in units. */
export interface PatternSlot {
  staff: number
  office: number
  day: number
  start: number
  end: number
  service: number
}

export interface RealiseInput {
  m: Model
  supply: Supply
  officeDay: number
  /** LP quota per service of this office-day (fractional). */
  target: Map<number, number>
  /** LP value of one more slot per service (objective units, ≥ 0). */
  value: Map<number, number>
  keepBack: number
  /** Add slots in idle time beyond the kept-back share (services weighted by `fillWeight`). */
  fillIdle: boolean
  fillWeight: Map<number, number>
  seed: number
}

export interface Realised {
  slots: PatternSlot[]
  /** Released slots per service. */
  quota: Map<number, number>
  /** Slots added beyond the LP plan in idle time. */
  extra: number
  /** Free units not holding a slot. */
  leftUnits: number
}

const PREMIUM = 1

export function realiseOfficeDay(inp: RealiseInput): Realised {
  const { m, supply } = inp
  const od: OfficeDay = supply.officeDays[inp.officeDay]
  const nS = m.serviceIds.length
  const runs = od.runs.map((r) => supply.runs[r])
  const dur = (s: number) => m.durationUnits[od.office * nS + s]

  // Item types: whole LP slots and the fractional remainder, per service.
  const items: { service: number; count: number; cost: number }[] = []
  for (const [s, q] of inp.target) {
    const whole = Math.floor(q + 1e-6)
    const frac = q - whole
    const v = Math.max(0, inp.value.get(s) ?? 0)
    if (whole > 0) items.push({ service: s, count: whole, cost: -(v + PREMIUM) })
    if (frac > 1e-6) items.push({ service: s, count: 1, cost: -(v * frac + PREMIUM * frac) })
  }
  const slots: PatternSlot[] = []
  /** Run of each slot (index into `runs`). */
  const slotRun: number[] = []
  const used = new Int32Array(runs.length)
  const quota = new Map<number, number>()
  if (items.length) {
    const p = assignmentProblem(m, runs, items, dur)
    // Guide: a greedy packing (the plan's counterpart of the GAP's LP solution); the search then
    // only works where the greedy left slots out. Everything placed = nothing better exists.
    const guide = greedyPacking(p, items.map((it) => it.service), dur)
    let all = 0
    for (const it of items) all += it.count * it.cost
    const sol = solveAssignment(p, { seed: inp.seed, guide, rounds: 20, effort: 2e4, candidates: 16, lowerBound: all })
    for (let i = 0; i < items.length; i++)
      for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++)
        for (let k = 0; k < sol.arcUnits[e]; k++) {
          const r = p.arcAgent[e]
          used[r] += dur(items[i].service)
          quota.set(items[i].service, (quota.get(items[i].service) ?? 0) + 1)
          slots.push({ staff: runs[r].staff, office: od.office, day: od.day, start: 0, end: 0, service: items[i].service })
          slotRun.push(r)
        }
  }
  // Keep the kept-back share: release no more than (1 − share) of the free units.
  const total = runs.reduce((a, r) => a + r.end - r.start, 0)
  const allowed = Math.floor(total * (1 - inp.keepBack) + 1e-9)
  let usedTotal = slots.reduce((a, x) => a + dur(x.service), 0)
  if (usedTotal > allowed) {
    // Drop the least valuable slots (fractional-remainder ones first: lowest value per unit).
    const order = slots.map((x, i) => i).sort((a, b) => (inp.value.get(slots[a].service) ?? 0) / dur(slots[a].service) - (inp.value.get(slots[b].service) ?? 0) / dur(slots[b].service) || a - b)
    const drop = new Set<number>()
    for (const i of order) {
      if (usedTotal <= allowed) break
      drop.add(i)
      usedTotal -= dur(slots[i].service)
      quota.set(slots[i].service, quota.get(slots[i].service)! - 1)
      used[slotRun[i]] -= dur(slots[i].service)
    }
    const keep = slots.map((_, i) => i).filter((i) => !drop.has(i))
    const ks = keep.map((i) => slots[i]), kr = keep.map((i) => slotRun[i])
    slots.length = 0
    slotRun.length = 0
    slots.push(...ks)
    slotRun.push(...kr)
  }
  // Fill idle time beyond the kept-back share with extra slots, most wanted services first.
  let extra = 0
  if (inp.fillIdle) {
    const fillOrder = [...od.services].sort((a, b) => (inp.fillWeight.get(b) ?? 0) - (inp.fillWeight.get(a) ?? 0) || a - b)
    const weight = fillOrder.map((s) => Math.max(0, inp.fillWeight.get(s) ?? 0))
    const wSum = weight.reduce((a, x) => a + x, 0)
    let budget = allowed - usedTotal
    const released = new Map<number, number>()
    for (let r = 0; r < runs.length && budget > 0 && wSum > 0; r++) {
      let free = runs[r].end - runs[r].start - used[r]
      for (;;) {
        // The service furthest below its share of the extra slots that fits here.
        let best = -1, bestDef = -Infinity
        fillOrder.forEach((s, k) => {
          const du = dur(s)
          if (du > free || du > budget || m.skill[runs[r].staff * nS + s] !== 1 || weight[k] === 0) return
          const def = weight[k] / wSum - (released.get(s) ?? 0) / (extra + 1)
          if (def > bestDef) {
            bestDef = def
            best = s
          }
        })
        if (best < 0) break
        slots.push({ staff: runs[r].staff, office: od.office, day: od.day, start: 0, end: 0, service: best })
        slotRun.push(r)
        released.set(best, (released.get(best) ?? 0) + 1)
        quota.set(best, (quota.get(best) ?? 0) + 1)
        used[r] += dur(best)
        free -= dur(best)
        budget -= dur(best)
        usedTotal += dur(best)
        extra++
      }
    }
  }
  const byRun: number[][] = runs.map(() => [])
  slotRun.forEach((r, i) => byRun[r].push(i))
  layOut(runs, slots, byRun, dur)
  return { slots, quota, extra, leftUnits: total - usedTotal }
}

function assignmentProblem(m: Model, runs: { staff: number; start: number; end: number }[], items: { service: number; count: number; cost: number }[], dur: (s: number) => number): AssignmentProblem {
  const nS = m.serviceIds.length
  const start = new Int32Array(items.length + 1)
  const agent: number[] = [], weight: number[] = [], cost: number[] = []
  items.forEach((it, i) => {
    const du = dur(it.service)
    runs.forEach((r, k) => {
      if (m.skill[r.staff * nS + it.service] !== 1 || r.end - r.start < du) return
      agent.push(k)
      weight.push(du)
      cost.push(it.cost)
    })
    start[i + 1] = agent.length
  })
  return {
    nItems: items.length,
    nAgents: runs.length,
    capacity: Float64Array.from(runs, (r) => r.end - r.start),
    count: Int32Array.from(items, (x) => x.count),
    unassignedCost: new Float64Array(items.length),
    arcStart: start,
    arcAgent: Int32Array.from(agent),
    arcWeight: Float64Array.from(weight),
    arcCost: Float64Array.from(cost),
  }
}

/** Lays each run's slots out from its start, services interleaved (round robin by service). */
function layOut(runs: { start: number }[], slots: PatternSlot[], byRun: number[][], dur: (s: number) => number): void {
  byRun.forEach((list, r) => {
    const queues = new Map<number, number[]>()
    for (const i of list) {
      let q = queues.get(slots[i].service)
      if (!q) queues.set(slots[i].service, (q = []))
      q.push(i)
    }
    const services = [...queues.keys()].sort((a, b) => queues.get(b)!.length - queues.get(a)!.length || a - b)
    let u = runs[r].start
    for (let placed = 0; placed < list.length; )
      for (const s of services) {
        const q = queues.get(s)!
        if (!q.length) continue
        const i = q.shift()!
        slots[i].start = u
        slots[i].end = u + dur(s)
        u = slots[i].end
        placed++
      }
  })
}

/**
 * Packs slots into runs greedily: runs with the fewest skills first; into each run, one slot at a
 * time, the service under the most pressure (its remaining slot minutes over the free minutes of
 * the runs that could still take it) that fits; the most valuable item type of that service first.
 * Returns units per arc of the assignment problem.
 */
function greedyPacking(p: AssignmentProblem, itemService: number[], dur: (s: number) => number): Float64Array {
  const nA = p.nAgents, nI = p.nItems
  const guide = new Float64Array(p.arcAgent.length)
  const left = Int32Array.from(p.count)
  const arcAt = new Int32Array(nI * nA).fill(-1)
  const agentItems: number[][] = Array.from({ length: nA }, () => [])
  for (let i = 0; i < nI; i++)
    for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) {
      arcAt[i * nA + p.arcAgent[e]] = e
      agentItems[p.arcAgent[e]].push(i)
    }
  const free = Float64Array.from(p.capacity)
  // Free minutes of the runs that can take each item.
  const reach = new Float64Array(nI)
  for (let a = 0; a < nA; a++) for (const i of agentItems[a]) reach[i] += free[a]
  const order = Array.from({ length: nA }, (_, a) => a).sort((x, y) => agentItems[x].length - agentItems[y].length || p.capacity[y] - p.capacity[x] || x - y)
  for (const a of order) {
    for (;;) {
      let best = -1, bestP = -Infinity
      for (const i of agentItems[a]) {
        if (left[i] === 0) continue
        const du = dur(itemService[i])
        if (du > free[a]) continue
        const pressure = (left[i] * du) / Math.max(reach[i], 1e-9) - p.arcCost[arcAt[i * nA + a]] * 1e-9
        if (pressure > bestP) {
          bestP = pressure
          best = i
        }
      }
      if (best < 0) break
      const du = dur(itemService[best])
      guide[arcAt[best * nA + a]]++
      left[best]--
      free[a] -= du
      for (const i of agentItems[a]) reach[i] -= du
    }
    for (const i of agentItems[a]) reach[i] -= free[a]
    free[a] = 0
  }
  return guide
}
