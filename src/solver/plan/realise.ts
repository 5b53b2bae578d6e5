/**
 * From fractional LP quotas to concrete slots on staff timelines, one office-day at a time: a
 * capacitated assignment of appointment slots to free runs of staff time. Items are the LP's
 * whole slots per service (worth the LP's value of one more slot there plus a premium for being
 * in the LP plan) and its fractional remainders (worth their share); agents are the runs
 * (capacity = their units, a slot only at staff with the skill); a slot may stay unreleased.
 * A greedy packing comes first (the LP's whole slots, then the remainders; the service under most
 * pressure, the ends of runs filled exactly); where it left a whole slot out although free time
 * remains, the LP-guided tabu search of assign/heuristic.ts — the code the GAP benchmarks
 * prove — repacks the office-day. Slots are laid out in each run from its start, services
 * interleaved; what is left is kept back (waitlist, phone) or idle, and idle time beyond the
 * kept-back share can be filled with more slots.
 */
import type { Model } from '../../model/compile.js'
import { solveCapacitatedAssignment } from '../assign/heuristic.js'
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
export const POLISH_MAX_SLOTS = 120

export function realiseOfficeDay(inp: RealiseInput): Realised {
  const { m, supply } = inp
  const od: OfficeDay = supply.officeDays[inp.officeDay]
  const nS = m.serviceIds.length
  const runs = od.runs.map((r) => supply.runs[r])
  const dur = (s: number) => m.durationUnits[od.office * nS + s]

  // Item types: whole LP slots and the fractional remainder, per service.
  const items: { service: number; count: number; cost: number; whole: boolean }[] = []
  for (const [s, q] of inp.target) {
    const whole = Math.floor(q + 1e-6)
    const frac = q - whole
    const v = Math.max(0, inp.value.get(s) ?? 0)
    if (whole > 0) items.push({ service: s, count: whole, cost: -(v + PREMIUM), whole: true })
    if (frac > 1e-6) items.push({ service: s, count: 1, cost: -(v * frac + PREMIUM * frac), whole: false })
  }
  const slots: PatternSlot[] = []
  /** Run of each slot (index into `runs`). */
  const slotRun: number[] = []
  const used = new Int32Array(runs.length)
  const quota = new Map<number, number>()
  const total = runs.reduce((a, r) => a + r.end - r.start, 0)
  const allowed = Math.floor(total * (1 - inp.keepBack) + 1e-9)
  if (items.length) {
    const p = assignmentProblem(m, runs, items, dur)
    // A greedy packing first (the plan's counterpart of the GAP's LP solution); the local search
    // only runs where the greedy left slots out and room might be made for them.
    const guide = greedyPacking(p, items.map((it) => it.service), items.map((it) => it.whole), dur, allowed)
    let arcUnits: ArrayLike<number> = guide
    let placed = 0, minLeft = Infinity, room = 0
    const placedOf = new Int32Array(items.length)
    for (let i = 0; i < items.length; i++) for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) placedOf[i] += guide[e]
    let wholeLeft = false
    for (let i = 0; i < items.length; i++) {
      placed += placedOf[i] * dur(items[i].service)
      if (placedOf[i] < items[i].count) {
        minLeft = Math.min(minLeft, dur(items[i].service))
        if (items[i].whole) wholeLeft = true
      }
    }
    room = Math.min(total, allowed) - placed
    let nUnits = 0
    for (const it of items) nUnits += it.count
    // The local search polishes office-days of up to POLISH_MAX_SLOTS slots where the greedy left a
    // whole LP slot out although free time remains (fragmented over runs). Measured on Berlin, it
    // adds < 0.01 % slot time on big office-days at four times the cost, so those keep the greedy.
    if (wholeLeft && minLeft <= room && nUnits <= POLISH_MAX_SLOTS) {
      let all = 0
      for (const it of items) all += it.count * it.cost
      const sol = solveCapacitatedAssignment(p, { seed: inp.seed, guide, rounds: 8, effort: 3e3, candidates: 16, lowerBound: all })
      let solUnits = 0, guideCost = 0
      for (let e = 0; e < p.arcAgent.length; e++) {
        solUnits += sol.arcUnits[e] * p.arcWeight[e]
        guideCost += guide[e] * p.arcCost[e]
      }
      if (sol.feasible && solUnits <= allowed && sol.cost < guideCost - 1e-9) arcUnits = sol.arcUnits
    }
    for (let i = 0; i < items.length; i++)
      for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++)
        for (let k = 0; k < arcUnits[e]; k++) {
          const r = p.arcAgent[e]
          used[r] += dur(items[i].service)
          quota.set(items[i].service, (quota.get(items[i].service) ?? 0) + 1)
          slots.push({ staff: runs[r].staff, office: od.office, day: od.day, start: 0, end: 0, service: items[i].service })
          slotRun.push(r)
        }
  }
  // Keep the kept-back share: release no more than (1 − share) of the free units.
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
    const maxFill = Math.max(0, ...od.services.map(dur))
    let budget = allowed - usedTotal
    const released = new Map<number, number>()
    for (let r = 0; r < runs.length && budget > 0 && wSum > 0; r++) {
      let free = runs[r].end - runs[r].start - used[r]
      for (;;) {
        // The service furthest below its share of the extra slots that fits here.
        let best = -1, bestDef = -Infinity
        fillOrder.forEach((s, k) => {
          const du = dur(s)
          if (du > free || du > budget || m.skill[runs[r].staff * nS + s] !== 1 || (weight[k] === 0 && free > maxFill)) return
          // Near a run's end the largest slot that fits; otherwise the service furthest below its share.
          const def = (free <= maxFill ? du * 1e6 : 0) + weight[k] / wSum - (released.get(s) ?? 0) / (extra + 1)
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
function greedyPacking(p: AssignmentProblem, itemService: number[], first: boolean[], dur: (s: number) => number, allowed: number): Float64Array {
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
  const order = Array.from({ length: nA }, (_, a) => a).sort((x, y) => agentItems[x].length - agentItems[y].length || p.capacity[y] - p.capacity[x] || x - y)
  let budget = allowed
  let maxDur = 0, minDur = Infinity
  for (let i = 0; i < nI; i++) {
    maxDur = Math.max(maxDur, dur(itemService[i]))
    minDur = Math.min(minDur, dur(itemService[i]))
  }
  // Two passes: the LP's whole slots first, then the fractional remainders in what is left.
  for (const pass of [true, false]) {
    const reach = new Float64Array(nI)
    for (let a = 0; a < nA; a++) for (const i of agentItems[a]) reach[i] += free[a]
    for (const a of order) {
      for (;;) {
        let best = -1, bestP = -Infinity
        // Near the end of a run, fit the remainder exactly (largest slot that fits); before that,
        // the service under most pressure.
        // The shortest slots are kept as fillers for the ends of runs.
        const tail = free[a] <= maxDur
        for (const i of agentItems[a]) {
          if (left[i] === 0 || first[i] !== pass) continue
          const du = dur(itemService[i])
          if (du > free[a] || du > budget) continue
          const pressure = (tail ? du * 1e6 : du > minDur ? 1e3 : 0) + (left[i] * du) / Math.max(reach[i], 1e-9) - p.arcCost[arcAt[i * nA + a]] * 1e-9
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
        budget -= du
        for (const i of agentItems[a]) reach[i] -= du
      }
      // What is left of this run is out of reach for the rest of the pass.
      for (const i of agentItems[a]) reach[i] -= free[a]
    }
  }
  return guide
}

/** Slots from explicit counts per run (index into `supply.runs`) and service, laid out in each run. */
export function realiseCounts(m: Model, supply: Supply, officeDay: number, counts: { run: number; service: number; n: number }[]): Realised {
  const od = supply.officeDays[officeDay]
  const nS = m.serviceIds.length
  const dur = (s: number) => m.durationUnits[od.office * nS + s]
  const runs = od.runs.map((r) => supply.runs[r])
  const slots: PatternSlot[] = []
  const byRun: number[][] = runs.map(() => [])
  const quota = new Map<number, number>()
  let used = 0
  for (const c of counts) {
    const k = od.runs.indexOf(c.run)
    if (k < 0) throw new Error('internal: a run of another office-day')
    for (let j = 0; j < c.n; j++) {
      byRun[k].push(slots.length)
      slots.push({ staff: runs[k].staff, office: od.office, day: od.day, start: 0, end: 0, service: c.service })
      quota.set(c.service, (quota.get(c.service) ?? 0) + 1)
      used += dur(c.service)
    }
  }
  byRun.forEach((list, k) => {
    if (list.reduce((a, i) => a + dur(slots[i].service), 0) > runs[k].end - runs[k].start) throw new Error('internal: slots exceed their run')
  })
  layOut(runs, slots, byRun, dur)
  return { slots, quota, extra: 0, leftUnits: od.units - used }
}
