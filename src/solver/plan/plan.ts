/**
 * planCapacity: which office releases how many slots of which service on which day, and how much
 * staff time it keeps back for the waitlist and phone — with its LP bound and the gap of the
 * integer plan.
 *
 * Pipeline of steps: extract supply and demand (supply-demand.ts) → build the LP (lp.ts) → solve
 * it through an LpBackend, verified (lp/verify.ts) → realise integer slots on staff timelines per
 * office-day with the LP-guided assignment heuristic (realise.ts) → evaluate the integer plan
 * exactly by the same LP with the quotas fixed → optionally re-round with the evaluation's duals
 * and keep the better plan → KPIs, shadow prices of staff time, slot patterns.
 */
import { TerminplanError, fail } from '../../model/errors.js'
import type { Model } from '../../model/compile.js'
import type { LpBackend } from '../lp/port.js'
import { solveLp, type CheckedLpResult } from '../lp/verify.js'
import { buildPlanLp, DEFAULT_PLAN_WEIGHTS, odsKey, type PlanLp, type PlanWeights } from './lp.js'
import { realiseOfficeDay, type PatternSlot } from './realise.js'
import { districtNames, extractDemand, extractSupply, type Demand, type Supply } from './supply-demand.js'

export interface PlanOptions {
  /** The LP back end (see `createLpBackend`). */
  backend: LpBackend
  /** First planned date (default: the horizon's start). */
  from?: string
  /** Planned days (default: the rest of the horizon). */
  days?: number
  /** The goal: served within this many days of arrival. Default 14. */
  targetDays?: number
  /** Share of staff time kept back for the waitlist and phone; default the scenario's policy.waitlistShare. */
  waitlistShare?: number
  weights?: Partial<PlanWeights>
  /** Budget per LP solve in ms. Default 60 000. */
  timeLimitMs?: number
  /** Rounds of re-rounding with the evaluated plan's duals (each costs one more LP). Default 1. */
  improveRounds?: number
  /** Fill idle time beyond the kept-back share with slots beyond the forecast. Default true. */
  fillIdle?: boolean
  seed?: number
  /** Units already taken per staff member (a scheduler's `busyUnits`); default none. */
  busy?: (staff: number) => ArrayLike<number>
  /** Name LP rows and columns (for explanations; slower). */
  names?: boolean
  /** Clock for the reported timings only (default performance.now). */
  clock?: () => number
}

export interface PlanKpis {
  /** Forecast requests arriving in the planned days. */
  demand: number
  /** Requests whose target window ends inside the planned days (the ones the goal can be judged on). */
  decidedDemand: number
  /** Served within the target window, all cohorts. */
  servedOnTime: number
  /** Of the decided demand, the share served within the target window. */
  onTimeShare: number
  servedLate: number
  /** Not served by the end of the planned days (late backlog and cohorts whose window runs on). */
  open: number
  /** Mean days from arrival to appointment of those served on time. */
  meanWaitDaysOnTime: number
  /** Share of the served who are served outside their district. */
  otherDistrictShare: number
  /** On-time share per district (decided demand), by district name. */
  districts: { district: string; decidedDemand: number; onTimeShare: number }[]
  minDistrictShare: number
  maxDistrictShare: number
}

export interface Quota {
  officeId: string
  date: string
  serviceId: string
  slots: number
  /** The LP's fractional quota, for comparison. */
  lp: number
}

export interface OfficeDayPlan {
  officeId: string
  date: string
  /** Free staff minutes at the office-day. */
  freeMinutes: number
  /** Minutes held by released slots. */
  slotMinutes: number
  /** Minutes not released: kept back for the waitlist and phone (and idle). */
  keptBackMinutes: number
  /** Objective gained per extra staff hour here (from the LP's duals; higher = more useful). */
  valuePerStaffHour: number
  /** ≈ citizens more served within the target per extra staff hour here. */
  citizensPerStaffHour: number
}

export interface CapacityPlan {
  from: string
  to: string
  days: number
  targetDays: number
  waitlistShare: number
  weights: PlanWeights
  backend: string
  /** LP relaxation: optimal (a bound on every plan) or time_limit (then no bound). */
  lpStatus: 'optimal' | 'time_limit'
  /** Lower bound on the objective of any plan (verified by the LP's duals when `lpCertified`). */
  lpBound: number
  lpCertified: boolean
  /** Objective of the integer plan (its evaluation LP's optimum). */
  objective: number
  /** (objective − lpBound) / |lpBound|. */
  gap: number
  kpis: { lp: PlanKpis; plan: PlanKpis }
  quotas: Quota[]
  officeDays: OfficeDayPlan[]
  /** Slots on staff timelines (dense indices into the model; see `planSlots`). */
  patterns: PatternSlot[]
  /** Slots released beyond the LP plan in idle time. */
  extraSlots: number
  model: { columns: number; rows: number; nonzeros: number }
  timings: { buildMs: number; lpMs: number; realiseMs: number; evaluateMs: number; totalMs: number }
  warnings: string[]
}

interface Internal {
  m: Model
  supply: Supply
  demand: Demand
  lp: PlanLp
}

function kpisOf(m: Model, demand: Demand, lp: PlanLp, x: Float64Array, targetDays: number): PlanKpis {
  const nCoh = demand.cohorts.length
  let dem = 0, decided = 0, onTime = 0, onTimeDecided = 0, waitOnTime = 0, late = 0, imported = 0
  const names = districtNames(m)
  const dDec = new Float64Array(names.length), dOn = new Float64Array(names.length)
  for (let c = 0; c < nCoh; c++) {
    const co = demand.cohorts[c]
    dem += co.count
    if (lp.decided[c]) {
      decided += co.count
      const k = demand.groups[co.group].district
      if (k >= 0) dDec[k] += co.count
    }
  }
  for (let k = 0; k < lp.yCohort.length; k++) {
    const v = x[lp.yStart + k]
    if (v <= 0) continue
    const c = lp.yCohort[k]
    const co = demand.cohorts[c]
    onTime += v
    waitOnTime += v * (lp.yDay[k] - co.day)
    if (lp.decided[c]) {
      onTimeDecided += v
      const dist = demand.groups[co.group].district
      if (dist >= 0) dOn[dist] += v
    }
  }
  for (const l of lp.late) late += x[l.col]
  for (const c of lp.importCols) imported += x[c]
  const districts = names.map((district, k) => ({ district, decidedDemand: round(dDec[k], 2), onTimeShare: dDec[k] > 0 ? round(dOn[k] / dDec[k], 4) : 1 })).filter((d) => d.decidedDemand > 0)
  void targetDays
  return {
    demand: round(dem, 2),
    decidedDemand: round(decided, 2),
    servedOnTime: round(onTime, 2),
    onTimeShare: decided > 0 ? round(onTimeDecided / decided, 4) : 1,
    servedLate: round(late, 2),
    open: round(Math.max(0, dem - onTime - late), 2),
    meanWaitDaysOnTime: onTime > 0 ? round(waitOnTime / onTime, 2) : 0,
    otherDistrictShare: onTime + late > 0 ? round(imported / (onTime + late), 4) : 0,
    districts,
    minDistrictShare: districts.length ? Math.min(...districts.map((d) => d.onTimeShare)) : 1,
    maxDistrictShare: districts.length ? Math.max(...districts.map((d) => d.onTimeShare)) : 1,
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

async function solveChecked(backend: LpBackend, lp: PlanLp, timeLimitMs: number, what: string): Promise<CheckedLpResult & { status: 'optimal' | 'time_limit' }> {
  const r = await solveLp(backend, lp.model, { timeLimitMs })
  if (r.status === 'infeasible')
    throw new TerminplanError('SOLVER_FAILED', `the ${what} LP is infeasible (a defect: the plan LP always has a solution): ${r.conflict?.description.slice(0, 3).join('; ') ?? ''}`)
  if (r.status === 'unbounded') throw new TerminplanError('SOLVER_FAILED', `the ${what} LP is unbounded (a defect)`)
  if (r.status === 'time_limit' && !r.incumbent)
    throw new TerminplanError('TIMEOUT', `the ${what} LP did not finish within ${Math.round(timeLimitMs / 1000)} s; raise --time-limit`, [
      { path: '$.timeLimit', code: 'time_limit', message: `the ${what} LP needs more than ${Math.round(timeLimitMs / 1000)} s` },
    ])
  return r as CheckedLpResult & { status: 'optimal' | 'time_limit' }
}

/** Plans capacity for a compiled model. */
export async function planCapacity(m: Model, options: PlanOptions): Promise<CapacityPlan> {
  const clock = options.clock ?? (() => performance.now())
  const t0 = clock()
  const s = m.scenario
  const firstDay = options.from !== undefined ? m.dates.indexOf(options.from) : 0
  if (firstDay < 0) fail('COMMAND_INVALID', '$.from', 'outside_horizon', `${options.from} is not a date of the horizon (${m.dates[0]} … ${m.dates[m.days - 1]})`)
  const days = options.days ?? m.days - firstDay
  if (!Number.isInteger(days) || days < 1 || firstDay + days > m.days)
    fail('COMMAND_INVALID', '$.days', 'outside_horizon', `${days} days from ${m.dates[firstDay]} do not fit the horizon (${m.days - firstDay} days left)`)
  const targetDays = options.targetDays ?? 14
  if (!Number.isInteger(targetDays) || targetDays < 0) fail('COMMAND_INVALID', '$.targetDays', 'invalid_target', 'targetDays must be a whole number of days ≥ 0')
  const keepBack = options.waitlistShare ?? s.policy.waitlistShare
  if (!(keepBack >= 0 && keepBack < 1)) fail('COMMAND_INVALID', '$.waitlistShare', 'invalid_share', 'waitlistShare must be in [0, 1)')
  const weights: PlanWeights = { ...DEFAULT_PLAN_WEIGHTS, ...options.weights }
  const timeLimitMs = options.timeLimitMs ?? 60_000
  const warnings: string[] = []
  const minDays = Math.min(...s.offices.map((o) => o.bookingWindow.minDays))
  const maxDays = Math.max(...s.offices.map((o) => o.bookingWindow.maxDays))
  if (new Set(s.offices.map((o) => `${o.bookingWindow.minDays}-${o.bookingWindow.maxDays}`)).size > 1)
    warnings.push(`offices have different booking windows; the plan assumes bookings ${minDays}–${maxDays} days ahead everywhere`)
  if (maxDays < targetDays) warnings.push(`no office takes bookings more than ${maxDays} days ahead; the plan still counts service up to ${targetDays} days after arrival as on time`)

  const demand = extractDemand(m, firstDay, days)
  const supply = extractSupply(m, firstDay, days, new Set(demand.services), options.busy)
  if (demand.cohorts.length === 0) warnings.push('no forecast demand in the planned days: every quota is 0')
  const lpOpts = { targetDays, minDays, keepBack, weights, names: options.names }
  const lp = buildPlanLp(m, supply, demand, firstDay, days, lpOpts)
  const t1 = clock()
  const relax = await solveChecked(options.backend, lp, timeLimitMs, 'capacity plan')
  const t2 = clock()
  const x = relax.status === 'optimal' ? relax.x : relax.incumbent!.x
  const lpCertified = relax.status === 'optimal' && relax.verification.certified
  const lpBound =
    relax.status === 'optimal' ? (relax.verification.dualBound !== undefined && Number.isFinite(relax.verification.dualBound) ? Math.min(relax.verification.dualBound, relax.objective) : relax.objective) : relax.bound ?? -Infinity
  if (relax.status === 'time_limit') warnings.push('the LP stopped at its time limit: the plan is built from its best solution and has no proven bound')

  const nS = m.serviceIds.length
  const internal: Internal = { m, supply, demand, lp }
  const lpQuota = (i: number, sv: number) => (lp.supplyCols.get(odsKey(i, sv, nS)) ?? []).reduce((a, c) => a + x[c], 0)
  // Value of one more slot: minus the dual of the row that receives the office's supply (the row
  // reads served − supplied = 0, so raising its right-hand side is one more slot).
  const valueFrom = (duals: Float64Array | undefined, rowOf: (i: number, sv: number) => number | undefined) => (i: number, sv: number) => {
    const r = rowOf(i, sv)
    return duals && r !== undefined ? Math.max(0, -duals[r]) : 0
  }
  const demandWeight = new Map<number, number>()
  for (const c of demand.cohorts) demandWeight.set(c.service, (demandWeight.get(c.service) ?? 0) + c.count)

  let value = valueFrom(relax.status === 'optimal' ? relax.rowDual : undefined, (i, sv) => lp.valueRow.get(odsKey(i, sv, nS)))
  const realiseAll = (seed: number) => {
    const patterns: PatternSlot[] = []
    const quota = new Map<number, number>()
    let extra = 0
    const left = new Float64Array(supply.officeDays.length)
    supply.officeDays.forEach((od, i) => {
      const target = new Map<number, number>()
      const val = new Map<number, number>()
      for (const sv of od.services) {
        const q = lpQuota(i, sv)
        if (q > 1e-6) target.set(sv, q)
        val.set(sv, value(i, sv))
      }
      const r = realiseOfficeDay({ m, supply, officeDay: i, target, value: val, keepBack, fillIdle: options.fillIdle ?? true, fillWeight: demandWeight, seed: seed + i })
      for (const [sv, n] of r.quota) if (n > 0) quota.set(odsKey(i, sv, nS), n)
      patterns.push(...r.slots)
      extra += r.extra
      left[i] = r.leftUnits
    })
    return { patterns, quota, extra, left }
  }
  const evaluate = async (quota: Map<number, number>) => {
    const ev = buildPlanLp(m, supply, demand, firstDay, days, { ...lpOpts, quotas: (i, sv) => quota.get(odsKey(i, sv, nS)) ?? 0 })
    const r = await solveChecked(options.backend, ev, timeLimitMs, 'plan evaluation')
    const xe = r.status === 'optimal' ? r.x : r.incumbent!.x
    return { ev, r, x: xe, objective: r.status === 'optimal' ? r.objective : r.incumbent!.objective }
  }

  const seed = options.seed ?? 1
  let tReal = clock()
  let best = realiseAll(seed)
  let realiseMs = clock() - tReal
  let tEval = clock()
  let bestEval = await evaluate(best.quota)
  let evaluateMs = clock() - tEval
  for (let round = 0; round < (options.improveRounds ?? 1); round++) {
    // Re-value slots by the evaluated plan's duals on its quotas, and re-round.
    const duals = bestEval.r.status === 'optimal' ? bestEval.r.rowDual : undefined
    if (!duals) break
    const quotaRow = new Map<number, number>()
    const ev = bestEval.ev
    for (let r = 0; r < ev.model.nRows; r++) void r
    const prevValue = value
    value = (i, sv) => {
      // The plan LP's value, plus what the evaluation says this office-day still lacks.
      const cols = ev.supplyCols.get(odsKey(i, sv, nS)) ?? []
      const vr = ev.valueRow.get(odsKey(i, sv, nS))
      const base = prevValue(i, sv)
      const extra = vr !== undefined ? Math.max(0, -duals[vr]) : 0
      void cols
      void quotaRow
      return Math.max(base, extra)
    }
    tReal = clock()
    const cand = realiseAll(seed + 7919 * (round + 1))
    realiseMs += clock() - tReal
    tEval = clock()
    const candEval = await evaluate(cand.quota)
    evaluateMs += clock() - tEval
    if (candEval.objective < bestEval.objective - 1e-9 * Math.abs(bestEval.objective)) {
      best = cand
      bestEval = candEval
    } else break
  }

  // ---- result ---------------------------------------------------------------------------------
  const unitsPerHour = 60 / m.unitMinutes
  const hallValue = new Float64Array(supply.officeDays.length)
  if (relax.status === 'optimal' && relax.rowDual) for (const c of lp.capacityRows) hallValue[c.officeDay] += -relax.rowDual[c.row]
  const quotas: Quota[] = []
  supply.officeDays.forEach((od, i) => {
    for (const sv of od.services) {
      const n = best.quota.get(odsKey(i, sv, nS)) ?? 0
      const q = lpQuota(i, sv)
      if (n > 0 || q > 1e-6) quotas.push({ officeId: m.officeIds[od.office], date: m.dates[od.day], serviceId: m.serviceIds[sv], slots: n, lp: round(q, 3) })
    }
  })
  const slotUnits = new Float64Array(supply.officeDays.length)
  for (const p of best.patterns) slotUnits[supply.officeDayIndex[p.day * m.officeIds.length + p.office]] += p.end - p.start
  const officeDays: OfficeDayPlan[] = supply.officeDays.map((od, i) => {
    const perHour = hallValue[i] * unitsPerHour * (1 - keepBack)
    return {
      officeId: m.officeIds[od.office],
      date: m.dates[od.day],
      freeMinutes: od.units * m.unitMinutes,
      slotMinutes: slotUnits[i] * m.unitMinutes,
      keptBackMinutes: (od.units - slotUnits[i]) * m.unitMinutes,
      valuePerStaffHour: round(perHour, 3),
      citizensPerStaffHour: round(perHour / weights.onTime, 3),
    }
  })
  const objective = bestEval.objective
  const gap = Number.isFinite(lpBound) ? (objective - lpBound) / Math.max(1e-9, Math.abs(lpBound)) : Infinity
  void internal
  return {
    from: m.dates[firstDay],
    to: m.dates[firstDay + days - 1],
    days,
    targetDays,
    waitlistShare: keepBack,
    weights,
    backend: relax.backend,
    lpStatus: relax.status,
    lpBound,
    lpCertified,
    objective,
    gap: Math.max(0, gap),
    kpis: { lp: kpisOf(m, demand, lp, x, targetDays), plan: kpisOf(m, demand, bestEval.ev, bestEval.x, targetDays) },
    quotas,
    officeDays,
    patterns: best.patterns.sort((a, b) => a.day - b.day || a.office - b.office || a.staff - b.staff || a.start - b.start),
    extraSlots: best.extra,
    model: { columns: lp.model.nCols, rows: lp.model.nRows, nonzeros: lp.model.rowStart[lp.model.nRows] },
    timings: { buildMs: round(t1 - t0, 1), lpMs: round(t2 - t1, 1), realiseMs: round(realiseMs, 1), evaluateMs: round(evaluateMs, 1), totalMs: round(clock() - t0, 1) },
    warnings,
  }
}
