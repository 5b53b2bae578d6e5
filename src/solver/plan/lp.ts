/**
 * The capacity plan as an LP: a transportation structure with side constraints.
 *
 * Demand cohorts (service s, demand group g, arrival day t, n requests) flow to service days d in
 * their 14-day window (`y`, on time); what misses the window (`v`) queues in a late backlog per
 * group (`B`) and is served later (`L`). On each service day, a group's citizens are served by
 * offices of their own district (`u`, universal share of an office's quota) or, at a cost, by
 * other acceptable offices through a city-wide pool per service and day (imports `W`, exports
 * `E`); groups that accept only listed offices get their own flows (`f`). An office-day's quota of
 * service s is u + Σf appointments; their staff minutes must be coverable by the skill classes
 * working there (Hall's condition over the classes: one row per tight set of services), after
 * the share kept back for the waitlist and phone.
 *
 * Objective (minimise), in this order by weight — documented in DEFAULT_PLAN_WEIGHTS:
 *   −onTime per citizen served within the target window, + waitPerDay per day waited (served
 *   or not), + otherDistrict per citizen served outside their district, − fairness × demand × μ
 *   where μ is the lowest on-time share over districts.
 *
 * With `quotas` the same model evaluates a fixed integer plan: capacity rows give way to
 * `u + Σf ≤ quota`, and its optimum is the plan's exact objective (citizens book optimally within
 * the released slots).
 */
import type { Model } from '../../model/compile.js'
import { LpBuilder, type LpModel } from '../lp/model.js'
import type { Demand, Supply } from './supply-demand.js'

export interface PlanWeights {
  /** Value of one citizen served within the target window (minus, in the objective). */
  onTime: number
  /** Cost of one day of waiting, per citizen. */
  waitPerDay: number
  /** Cost of serving a citizen outside the district of their demand group. */
  otherDistrict: number
  /** Value of one percentage point of the lowest district on-time share, per 100 citizens of demand. */
  fairness: number
}

/**
 * Weights that make the objective lexicographic in practice: one citizen served on time (1000)
 * outweighs the waiting any one citizen can cause within a plan (a day costs 1; a horizon is at
 * most a few hundred days); a day sooner outweighs ten citizens sent to another district (0.1);
 * fairness (0.01 per citizen of demand and unit of share) only breaks the remaining ties.
 */
export const DEFAULT_PLAN_WEIGHTS: PlanWeights = { onTime: 1000, waitPerDay: 1, otherDistrict: 0.1, fairness: 0.01 }

export interface PlanLpOptions {
  targetDays: number
  /** Earliest booking relative to arrival, in days (the offices' booking window minimum). */
  minDays: number
  keepBack: number
  weights: PlanWeights
  names?: boolean
  /** Evaluate fixed quotas: per office-day index, per service index. */
  quotas?: (officeDay: number, service: number) => number
  /**
   * The exact integer model (a MIP, for small instances and proofs): integer slots per service and
   * free run, each run's slots within its length, each office-day within its share.
   */
  exact?: boolean
  /** Called between steps of the build (per cohort, service-day, group and office-day); may throw to abort it (a time budget). */
  check?: () => void
}

export interface CapacityRow {
  officeDay: number
  row: number
  services: number[]
  capUnits: number
}

export interface PlanLp {
  model: LpModel
  firstDay: number
  lastDay: number
  /** Per y column: cohort index and service day. */
  yStart: number
  yCohort: Int32Array
  yDay: Int32Array
  /** v (missed the window) column per cohort. */
  vCol: Int32Array
  /** Columns of late service L with their group-service key and day. */
  late: { col: number; cohort0: number; day: number }[]
  /** Imports W: served outside the district. */
  importCols: number[]
  /** Supply columns per office-day and service: all columns whose sum is the quota. */
  supplyCols: Map<number, number[]>
  capacityRows: CapacityRow[]
  /** Row whose dual is the value of one more slot of service s at an office-day: district node or restricted group row. */
  valueRow: Map<number, number>
  /** Fairness variable, or −1. */
  muCol: number
  /** Exact model only: integer slot columns per run and service. */
  slotCols: { officeDay: number; run: number; service: number; col: number }[]
  /** Decided demand per district (arrived at least targetDays before the end). */
  decidedByDistrict: Float64Array
  decided: Uint8Array
}

export const odsKey = (officeDay: number, service: number, nS: number) => officeDay * nS + service

/** Sets of services that must fit the classes' capacity (Hall's condition), minimal and deduplicated. */
export function hallSets(classes: { services: number[]; units: number }[], services: number[]): { services: number[]; cap: number }[] {
  const nC = classes.length
  const sets = new Map<string, { services: number[]; cap: number }>()
  if (nC > 12) {
    // Too many classes to enumerate: fall back to every class on its own and all together.
    const all = { services, cap: classes.reduce((a, c) => a + c.units, 0) }
    return [all, ...classes.map((c) => ({ services: services.filter((s) => !classes.some((o) => o !== c && o.services.includes(s))), cap: c.units })).filter((x) => x.services.length)]
  }
  for (let mask = 0; mask < 1 << nC; mask++) {
    // Excluding the classes in `mask`: the services none of them covers need the others.
    const excluded = new Set<number>()
    for (let c = 0; c < nC; c++) if (mask & (1 << c)) for (const s of classes[c].services) excluded.add(s)
    const t = services.filter((s) => !excluded.has(s))
    if (t.length === 0) continue
    let cap = 0
    for (const c of classes) if (c.services.some((s) => t.includes(s))) cap += c.units
    const key = t.join(',')
    const prev = sets.get(key)
    if (!prev || cap < prev.cap) sets.set(key, { services: t, cap })
  }
  const list = [...sets.values()]
  // Drop a set implied by a superset with no more capacity.
  return list.filter((a) => !list.some((b) => b !== a && b.cap <= a.cap && b.services.length > a.services.length && a.services.every((s) => b.services.includes(s))))
}

export function buildPlanLp(m: Model, supply: Supply, demand: Demand, firstDay: number, days: number, o: PlanLpOptions): PlanLp {
  const nS = m.serviceIds.length
  const lastDay = firstDay + days
  const T = o.targetDays
  const w = o.weights
  const names = o.names ?? false
  const check = o.check ?? (() => {})
  const b = new LpBuilder('min', { names, name: 'capacity plan' })
  const nm = (f: () => string) => (names ? f() : undefined)
  const svc = (s: number) => m.serviceIds[s]
  const date = (d: number) => m.dates[d]

  // Office-days offering each service on each day.
  const odsByServiceDay = new Map<number, number[]>()
  supply.officeDays.forEach((od, i) => {
    for (const s of od.services) {
      const k = s * m.days + od.day
      let l = odsByServiceDay.get(k)
      if (!l) odsByServiceDay.set(k, (l = []))
      l.push(i)
    }
  })
  const groupAccepts = (g: number, office: number) => {
    const offices = demand.groups[g].offices
    return offices === null || offices.includes(office)
  }
  const supplyFor = (s: number, g: number, d: number) => (odsByServiceDay.get(s * m.days + d) ?? []).filter((i) => groupAccepts(g, supply.officeDays[i].office))

  // ---- cohorts: on-time flows y and misses v ---------------------------------------------------
  const nCoh = demand.cohorts.length
  const decided = new Uint8Array(nCoh)
  const yC: number[] = [], yD: number[] = []
  const yStart = b.nCols
  const nDistricts = Math.max(m.districtIds.length, ...demand.groups.map((g) => g.district + 1))
  const decidedByDistrict = new Float64Array(nDistricts)
  const hasSupplyDay = new Map<string, boolean>()
  const supplyDay = (s: number, g: number, d: number) => {
    const k = `${s}|${g}|${d}`
    let v = hasSupplyDay.get(k)
    if (v === undefined) hasSupplyDay.set(k, (v = supplyFor(s, g, d).length > 0))
    return v
  }
  demand.cohorts.forEach((c, ci) => {
    check()
    decided[ci] = c.day + T < lastDay ? 1 : 0
    if (decided[ci] && demand.groups[c.group].district >= 0) decidedByDistrict[demand.groups[c.group].district] += c.count
    for (let d = c.day + o.minDays; d <= Math.min(c.day + T, lastDay - 1); d++) {
      if (d < firstDay || !supplyDay(c.service, c.group, d)) continue
      yC.push(ci)
      yD.push(d)
    }
  })
  for (let k = 0; k < yC.length; k++) {
    const c = demand.cohorts[yC[k]]
    b.addCol({ upper: c.count, cost: -w.onTime + w.waitPerDay * (yD[k] - c.day), name: nm(() => `y[${svc(c.service)},g${c.group},${date(c.day)}→${date(yD[k])}]`) })
  }
  const yCohort = Int32Array.from(yC), yDay = Int32Array.from(yD)
  const vCol = new Int32Array(nCoh)
  check()
  demand.cohorts.forEach((c, ci) => {
    const waited = decided[ci] ? T : lastDay - c.day
    vCol[ci] = b.addCol({ upper: c.count, cost: w.waitPerDay * waited, name: nm(() => `v[${svc(c.service)},g${c.group},${date(c.day)}]`) })
  })
  // Cohort rows: Σ_d y + v = n.
  {
    const idx: number[][] = demand.cohorts.map(() => [])
    for (let k = 0; k < yC.length; k++) idx[yC[k]].push(yStart + k)
    check()
    demand.cohorts.forEach((c, ci) => {
      const cols = [...idx[ci], vCol[ci]]
      b.addRow(c.count, c.count, cols, cols.map(() => 1), nm(() => `cohort[${svc(c.service)},g${c.group},${date(c.day)}]`))
    })
  }

  // ---- late backlog per (service, group) ------------------------------------------------------
  // Rows: B[d] − B[d−1] + L[d] − Σ v[t: t+T = d] = 0.
  const late: PlanLp['late'] = []
  const servedOnDay = new Map<string, number[]>() // `${s}|${g}|${d}` → columns serving the group that day
  const addServed = (s: number, g: number, d: number, col: number) => {
    const k = `${s}|${g}|${d}`
    let l = servedOnDay.get(k)
    if (!l) servedOnDay.set(k, (l = []))
    l.push(col)
  }
  check()
  for (let k = 0; k < yC.length; k++) addServed(demand.cohorts[yC[k]].service, demand.cohorts[yC[k]].group, yD[k], yStart + k)
  check()
  {
    const byKey = new Map<string, number[]>()
    demand.cohorts.forEach((c, ci) => {
      if (!decided[ci]) return
      const k = `${c.service}|${c.group}`
      let l = byKey.get(k)
      if (!l) byKey.set(k, (l = []))
      l.push(ci)
    })
    for (const list of byKey.values()) {
      check()
      const c0 = demand.cohorts[list[0]]
      const s = c0.service, g = c0.group
      const entries = new Map<number, number[]>()
      let total = 0
      for (const ci of list) {
        const d = demand.cohorts[ci].day + T
        let l = entries.get(d)
        if (!l) entries.set(d, (l = []))
        l.push(vCol[ci])
        total += demand.cohorts[ci].count
      }
      const first = Math.min(...entries.keys())
      let prevB = -1
      for (let d = first; d < lastDay; d++) {
        const isLast = d === lastDay - 1
        const bCol = b.addCol({ upper: total, cost: w.waitPerDay * (1 + (isLast ? T : 0)), name: nm(() => `B[${svc(s)},g${g},${date(d)}]`) })
        const idx = [bCol], val = [1]
        if (prevB >= 0) {
          idx.push(prevB)
          val.push(-1)
        }
        if (d > first && supplyDay(s, g, d)) {
          const lCol = b.addCol({ upper: total, cost: 0, name: nm(() => `L[${svc(s)},g${g},${date(d)}]`) })
          late.push({ col: lCol, cohort0: list[0], day: d })
          idx.push(lCol)
          val.push(1)
          addServed(s, g, d, lCol)
        }
        for (const v of entries.get(d) ?? []) {
          idx.push(v)
          val.push(-1)
        }
        b.addRow(0, 0, idx, val, nm(() => `backlog[${svc(s)},g${g},${date(d)}]`))
        prevB = bCol
      }
    }
  }

  // ---- where groups are served: district nodes and the city pool, restricted groups ------------
  const supplyCols = new Map<number, number[]>()
  const addSupply = (od: number, s: number, col: number) => {
    const k = odsKey(od, s, nS)
    let l = supplyCols.get(k)
    if (!l) supplyCols.set(k, (l = []))
    l.push(col)
  }
  const valueRow = new Map<number, number>()
  const importCols: number[] = []
  const maxSlots = (od: number, s: number) => {
    const x = supply.officeDays[od]
    const du = m.durationUnits[x.office * nS + s]
    let u = 0
    for (const c of x.classes) if (c.services.includes(s)) u += c.units
    return Math.floor((u * (1 - o.keepBack)) / du)
  }
  const universalGroups = demand.groups.map((g, i) => (g.offices === null ? i : -1)).filter((i) => i >= 0)
  const groupTotal = new Map<string, number>()
  for (const c of demand.cohorts) groupTotal.set(`${c.service}|${c.group}`, (groupTotal.get(`${c.service}|${c.group}`) ?? 0) + c.count)

  for (const s of demand.services) {
    for (let d = firstDay; d < lastDay; d++) {
      check()
      const ods = odsByServiceDay.get(s * m.days + d) ?? []
      // Universal groups: one node per district (index district + 1; 0 = no district).
      const nodeGroups = new Map<number, number>()
      for (const g of universalGroups) if (servedOnDay.has(`${s}|${g}|${d}`)) nodeGroups.set(demand.groups[g].district + 1, g)
      const nodeOffices = new Map<number, number[]>()
      if (nodeGroups.size > 0)
        for (const od of ods) {
          const node = m.officeDistrict[supply.officeDays[od].office] + 1
          let l = nodeOffices.get(node)
          if (!l) nodeOffices.set(node, (l = []))
          l.push(od)
        }
      if (nodeGroups.size > 0 && nodeOffices.size > 0) {
        const nodes = [...new Set([...nodeGroups.keys(), ...nodeOffices.keys()])].sort((x, y) => x - y)
        const poolIdx: number[] = [], poolVal: number[] = []
        for (const node of nodes) {
          const idx: number[] = [], val: number[] = []
          const g = nodeGroups.get(node)
          if (g !== undefined) {
            for (const col of servedOnDay.get(`${s}|${g}|${d}`)!) {
              idx.push(col)
              val.push(1)
            }
            const wCol = b.addCol({ upper: groupTotal.get(`${s}|${g}`)!, cost: node === 0 ? 0 : w.otherDistrict, name: nm(() => `W[${svc(s)},${node - 1},${date(d)}]`) })
            importCols.push(wCol)
            idx.push(wCol)
            val.push(-1)
            poolIdx.push(wCol)
            poolVal.push(1)
          }
          const offs = nodeOffices.get(node) ?? []
          if (offs.length) {
            let cap = 0
            for (const od of offs) cap += maxSlots(od, s)
            const eCol = b.addCol({ upper: cap, cost: 0, name: nm(() => `E[${svc(s)},${node - 1},${date(d)}]`) })
            idx.push(eCol)
            val.push(1)
            poolIdx.push(eCol)
            poolVal.push(-1)
            for (const od of offs) {
              const uCol = b.addCol({ upper: maxSlots(od, s), cost: 0, name: nm(() => `u[${svc(s)},${m.officeIds[supply.officeDays[od].office]},${date(d)}]`) })
              addSupply(od, s, uCol)
              idx.push(uCol)
              val.push(-1)
            }
          }
          const row = b.addRow(0, 0, idx, val, nm(() => `node[${svc(s)},${node - 1},${date(d)}]`))
          for (const od of offs) valueRow.set(odsKey(od, s, nS), row)
        }
        b.addRow(0, 0, poolIdx, poolVal, nm(() => `pool[${svc(s)},${date(d)}]`))
      }
      // Groups with their own list of offices: direct flows to those offices.
      demand.groups.forEach((grp, g) => {
        if (grp.offices === null) return
        const served = servedOnDay.get(`${s}|${g}|${d}`)
        if (!served) return
        const idx: number[] = [...served], val: number[] = served.map(() => 1)
        for (const od of supplyFor(s, g, d)) {
          const office = supply.officeDays[od].office
          const far = grp.district >= 0 && m.officeDistrict[office] !== grp.district
          const fCol = b.addCol({ upper: maxSlots(od, s), cost: far ? w.otherDistrict : 0, name: nm(() => `f[${svc(s)},g${g},${m.officeIds[office]},${date(d)}]`) })
          if (far) importCols.push(fCol)
          addSupply(od, s, fCol)
          idx.push(fCol)
          val.push(-1)
        }
        const row = b.addRow(0, 0, idx, val, nm(() => `group[${svc(s)},g${g},${date(d)}]`))
        for (const od of supplyFor(s, g, d)) if (!valueRow.has(odsKey(od, s, nS))) valueRow.set(odsKey(od, s, nS), row)
      })
    }
  }

  // ---- capacity: staff minutes by skill class, or fixed quotas --------------------------------
  const capacityRows: CapacityRow[] = []
  const slotCols: PlanLp['slotCols'] = []
  supply.officeDays.forEach((od, i) => {
    check()
    const present = od.services.filter((s) => supplyCols.has(odsKey(i, s, nS)))
    if (present.length === 0) return
    if (o.quotas) {
      for (const s of present) {
        const cols = supplyCols.get(odsKey(i, s, nS))!
        const q = o.quotas(i, s)
        if (cols.length === 1) b.setBounds(cols[0], 0, Math.min(q, Infinity))
        else b.addRow(-Infinity, q, cols, cols.map(() => 1), nm(() => `quota[${svc(s)},${m.officeIds[od.office]},${date(od.day)}]`))
      }
      return
    }
    if (o.exact) {
      // z[s, run] integer; quota(s) = Σ_run z ≤ … and Σ supply columns ≤ quota.
      const runCols: { run: number; col: number; s: number }[] = []
      for (const s of present) {
        const du = m.durationUnits[od.office * nS + s]
        const idx: number[] = [...supplyCols.get(odsKey(i, s, nS))!], val: number[] = idx.map(() => 1)
        for (const r of od.runs) {
          const run = supply.runs[r]
          if (m.skill[run.staff * nS + s] !== 1 || run.end - run.start < du) continue
          const col = b.addCol({ upper: Math.floor((run.end - run.start) / du), integer: true, name: nm(() => `z[${svc(s)},${m.staffIds[run.staff]},${run.start}]`) })
          runCols.push({ run: r, col, s })
          slotCols.push({ officeDay: i, run: r, service: s, col })
          idx.push(col)
          val.push(-1)
        }
        b.addRow(-Infinity, 0, idx, val, nm(() => `slots[${svc(s)},${m.officeIds[od.office]},${date(od.day)}]`))
      }
      for (const r of od.runs) {
        const mine = runCols.filter((z) => z.run === r)
        if (mine.length) b.addRow(-Infinity, supply.runs[r].end - supply.runs[r].start, mine.map((z) => z.col), mine.map((z) => m.durationUnits[od.office * nS + z.s]))
      }
      if (runCols.length) b.addRow(-Infinity, Math.floor(od.units * (1 - o.keepBack) + 1e-9), runCols.map((z) => z.col), runCols.map((z) => m.durationUnits[od.office * nS + z.s]), nm(() => `share[${m.officeIds[od.office]},${date(od.day)}]`))
      return
    }
    const classes = od.classes.map((c) => ({ services: c.services.filter((s) => present.includes(s)), units: c.units * (1 - o.keepBack) })).filter((c) => c.services.length)
    for (const set of hallSets(classes, present)) {
      const idx: number[] = [], val: number[] = []
      for (const s of set.services)
        for (const col of supplyCols.get(odsKey(i, s, nS))!) {
          idx.push(col)
          val.push(m.durationUnits[od.office * nS + s])
        }
      const row = b.addRow(-Infinity, set.cap, idx, val, nm(() => `cap[${m.officeIds[od.office]},${date(od.day)},{${set.services.map(svc).join(' ')}}]`))
      capacityRows.push({ officeDay: i, row, services: set.services, capUnits: set.cap })
    }
    // Runs are cut by breaks and bookings: slots whose lengths are all multiples of k fill at most
    // k·⌊L/k⌋ of a run of L units. One row per such family (valid for every integer plan); it
    // tells the LP where short slots are needed to fill the ends of runs.
    const durs = [...new Set(present.map((s) => m.durationUnits[od.office * nS + s]))]
    for (let k = 2; k <= Math.max(...durs); k++) {
      const fam = present.filter((s) => m.durationUnits[od.office * nS + s] % k === 0)
      if (fam.length === 0 || fam.length === present.length && k === 1) continue
      let runsCap = 0, units = 0
      for (const r of od.runs) {
        const run = supply.runs[r]
        if (!fam.some((s) => m.skill[run.staff * nS + s] === 1)) continue
        const L = run.end - run.start
        runsCap += k * Math.floor(L / k)
        units += L
      }
      const cap = Math.min(runsCap, units * (1 - o.keepBack))
      if (cap >= units * (1 - o.keepBack) - 1e-9) continue
      const idx: number[] = [], val: number[] = []
      for (const s of fam)
        for (const col of supplyCols.get(odsKey(i, s, nS))!) {
          idx.push(col)
          val.push(m.durationUnits[od.office * nS + s])
        }
      const row = b.addRow(-Infinity, cap, idx, val, nm(() => `runs${k}[${m.officeIds[od.office]},${date(od.day)}]`))
      capacityRows.push({ officeDay: i, row, services: fam, capUnits: cap })
    }
  })

  // ---- fairness: μ ≤ on-time share of every district ----------------------------------------
  // A cohort's on-time service is n − v, so each row is Σ (n − v) − D·μ ≥ 0 over the district's
  // cohorts: one coefficient per cohort (not per flow), which keeps the rows sparse.
  let muCol = -1
  const districtDemand = new Float64Array(nDistricts)
  for (const c of demand.cohorts) if (demand.groups[c.group].district >= 0) districtDemand[demand.groups[c.group].district] += c.count
  const demandTotal = districtDemand.reduce((a, x) => a + x, 0)
  if (w.fairness > 0 && districtDemand.filter((x) => x > 0).length > 1) {
    muCol = b.addCol({ upper: 1, cost: -w.fairness * demandTotal, name: nm(() => 'mu') })
    const rows: { idx: number[]; val: number[] }[] = Array.from({ length: nDistricts }, () => ({ idx: [], val: [] }))
    demand.cohorts.forEach((c, ci) => {
      const dist = demand.groups[c.group].district
      if (dist < 0) return
      rows[dist].idx.push(vCol[ci])
      rows[dist].val.push(-1)
    })
    rows.forEach((r, dist) => {
      if (districtDemand[dist] <= 0) return
      r.idx.push(muCol)
      r.val.push(-districtDemand[dist])
      b.addRow(-districtDemand[dist], Infinity, r.idx, r.val, nm(() => `fair[${dist}]`))
    })
  }

  check()
  return {
    model: b.build(),
    firstDay,
    lastDay,
    yStart,
    yCohort,
    yDay,
    vCol,
    late,
    importCols,
    supplyCols,
    capacityRows,
    valueRow,
    muCol,
    slotCols,
    decidedByDistrict,
    decided,
  }
}
