/**
 * Disruption re-plan, first stage: appointments that lost their staff member (absence, shift or
 * skill change) move to another qualified staff member at the same office and the same time.
 *
 * Two appointments can compete for one staff member only when their times overlap, so the
 * affected set splits into overlap components (sorted by start, a component runs while the next
 * one starts before the latest end so far). Within a component every staff member takes at most
 * one appointment and the component is solved as an assignment (LAPJV, one dummy column per
 * appointment for "not moved"): the largest number moved, then the fewest moved away from their
 * home office's staff. That is exact when the component's appointments pairwise overlap — always
 * for one absent staff member, whose appointments never overlap each other, and for several
 * appointments at the same time. A component that is not a clique may leave a staff member free
 * for two of its appointments that do not overlap; a second pass gives what is left, in start
 * order, to any staff member still free (the result says whether that pass was needed).
 *
 * Pure: reads the state, returns the staff member per appointment; the caller applies it.
 */
import { solveAssignment } from '../matching/assignment.js'
import type { BookingState } from '../scheduler/state.js'

export interface AffectedSlot {
  office: number
  start: number
  end: number
  services: string[]
  /** The staff member it had (not a candidate). */
  staff: number
}

export interface SameSlotResult {
  /** The new staff member per appointment, −1 when none is free. */
  staff: Int32Array
  /** Components solved exactly (their appointments pairwise overlap). */
  exactComponents: number
  components: number
}

const NOT_MOVED = 1000
const AWAY = 1

/** Staff members who could take the slot now (free, working at the office then, all skills). */
function candidates(st: BookingState, a: AffectedSlot): number[] {
  const m = st.model, nS = m.serviceIds.length
  const first = m.serviceIndex.get(a.services[0])!
  const out: number[] = []
  for (const p of m.staffByService[first]) {
    if (p === a.staff) continue
    let skilled = true
    for (const id of a.services) if (m.skill[p * nS + m.serviceIndex.get(id)!] !== 1) skilled = false
    if (skilled && st.placementProblem(a.office, p, a.start, a.end, a.services, false, true) === null) out.push(p)
  }
  return out
}

export function reassignSameSlot(st: BookingState, items: readonly AffectedSlot[]): SameSlotResult {
  const result = new Int32Array(items.length).fill(-1)
  const order = items.map((_, i) => i).sort((x, y) => items[x].office - items[y].office || items[x].start - items[y].start || x - y)
  const cands = items.map((a) => candidates(st, a))
  // Intervals given away so far, per staff member (the state is not touched).
  const taken = new Map<number, [number, number][]>()
  const isTaken = (p: number, a: number, b: number) => (taken.get(p) ?? []).some(([x, y]) => x < b && a < y)
  const take = (p: number, a: number, b: number) => {
    const list = taken.get(p) ?? []
    list.push([a, b])
    taken.set(p, list)
  }
  let components = 0, exact = 0
  for (let k = 0; k < order.length; ) {
    // One overlap component at one office.
    const comp = [order[k]]
    let maxEnd = items[order[k]].end
    let j = k + 1
    while (j < order.length && items[order[j]].office === items[order[k]].office && items[order[j]].start < maxEnd) {
      comp.push(order[j])
      maxEnd = Math.max(maxEnd, items[order[j]].end)
      j++
    }
    k = j
    components++
    const clique = comp.every((x) => comp.every((y) => items[x].start < items[y].end && items[y].start < items[x].end))
    if (clique) exact++
    const cols = [...new Set(comp.flatMap((i) => cands[i]))].sort((x, y) => x - y)
    const n = comp.length, mCols = cols.length + n
    const cost = new Float64Array(n * mCols).fill(Infinity)
    comp.forEach((i, r) => {
      for (const p of cands[i]) cost[r * mCols + cols.indexOf(p)] = st.model.staffHome[p] === items[i].office ? 0 : AWAY
      cost[r * mCols + cols.length + r] = NOT_MOVED
    })
    const sol = solveAssignment(cost, n, mCols)
    comp.forEach((i, r) => {
      const c = sol.rowToCol[r]
      if (c < cols.length) {
        result[i] = cols[c]
        take(cols[c], items[i].start, items[i].end)
      }
    })
    // What the assignment left: any candidate still free (non-overlapping appointments may share one).
    for (const i of comp) {
      if (result[i] >= 0) continue
      const p = cands[i].find((q) => !isTaken(q, items[i].start, items[i].end))
      if (p !== undefined) {
        result[i] = p
        take(p, items[i].start, items[i].end)
      }
    }
  }
  return { staff: result, exactComponents: exact, components }
}
