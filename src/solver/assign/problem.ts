/**
 * Capacitated assignment: units of items go to agents with capacity — the shape shared by the
 * generalized assignment problem (jobs to agents) and by realising a capacity plan (appointments
 * of a service to free runs of staff time). Sparse arcs list where an item may go, with the
 * capacity it uses there and its cost. An item may allow units to stay unassigned at a cost
 * (a plan need not release every slot); GAP items must all be assigned (`Infinity`).
 */

export interface AssignmentProblem {
  nItems: number
  nAgents: number
  /** Capacity per agent. */
  capacity: Float64Array
  /** Units of each item (1 for GAP jobs). */
  count: Int32Array
  /** Cost of leaving one unit of the item unassigned; Infinity = every unit must be assigned. */
  unassignedCost: Float64Array
  /** Arcs of item i: [arcStart[i], arcStart[i+1]). */
  arcStart: Int32Array
  arcAgent: Int32Array
  /** Capacity one unit uses at the arc's agent. */
  arcWeight: Float64Array
  /** Cost of one unit on the arc. */
  arcCost: Float64Array
}

export interface AssignmentSolution {
  /** Units on each arc. */
  arcUnits: Int32Array
  /** Units left unassigned per item. */
  unassigned: Int32Array
  /** Σ arc cost · units + Σ unassigned cost · units (Infinity when a must-assign unit is left out). */
  cost: number
  /** Capacities hold and every must-assign unit is assigned. */
  feasible: boolean
  /** The search stopped at its time limit; this is the best assignment found by then. */
  timeLimited?: boolean
}

/** Builds a problem from dense per-(item, agent) arrays; pairs with weight > capacity or Infinity are left out. */
export function denseAssignmentProblem(args: {
  nItems: number
  nAgents: number
  capacity: ArrayLike<number>
  /** cost[i * nAgents + a] */
  cost: ArrayLike<number>
  /** weight[i * nAgents + a] */
  weight: ArrayLike<number>
  count?: ArrayLike<number>
  unassignedCost?: ArrayLike<number>
}): AssignmentProblem {
  const { nItems, nAgents } = args
  const start = new Int32Array(nItems + 1)
  const agents: number[] = [], weights: number[] = [], costs: number[] = []
  for (let i = 0; i < nItems; i++) {
    for (let a = 0; a < nAgents; a++) {
      const w = args.weight[i * nAgents + a], c = args.cost[i * nAgents + a]
      if (!Number.isFinite(w) || !Number.isFinite(c) || w > args.capacity[a]) continue
      agents.push(a)
      weights.push(w)
      costs.push(c)
    }
    start[i + 1] = agents.length
  }
  return {
    nItems,
    nAgents,
    capacity: Float64Array.from(args.capacity),
    count: args.count ? Int32Array.from(args.count) : new Int32Array(nItems).fill(1),
    unassignedCost: args.unassignedCost ? Float64Array.from(args.unassignedCost) : new Float64Array(nItems).fill(Infinity),
    arcStart: start,
    arcAgent: Int32Array.from(agents),
    arcWeight: Float64Array.from(weights),
    arcCost: Float64Array.from(costs),
  }
}

/** Checks a solution from scratch: loads, counts and cost. */
export function evaluateAssignment(p: AssignmentProblem, arcUnits: ArrayLike<number>): AssignmentSolution {
  const load = new Float64Array(p.nAgents)
  const unassigned = new Int32Array(p.nItems)
  let cost = 0, feasible = true
  for (let i = 0; i < p.nItems; i++) {
    let n = 0
    for (let e = p.arcStart[i]; e < p.arcStart[i + 1]; e++) {
      const u = arcUnits[e]
      if (u < 0 || !Number.isInteger(u)) feasible = false
      n += u
      load[p.arcAgent[e]] += u * p.arcWeight[e]
      cost += u * p.arcCost[e]
    }
    if (n > p.count[i]) feasible = false
    unassigned[i] = Math.max(0, p.count[i] - n)
    if (unassigned[i] > 0) {
      if (p.unassignedCost[i] === Infinity) feasible = false
      cost += unassigned[i] * p.unassignedCost[i]
    }
  }
  for (let a = 0; a < p.nAgents; a++) if (load[a] > p.capacity[a] + 1e-9) feasible = false
  return { arcUnits: Int32Array.from(arcUnits), unassigned, cost, feasible }
}
