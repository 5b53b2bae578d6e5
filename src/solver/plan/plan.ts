/**
 * planCapacity: which office releases how many slots of which service on which day, and how much
 * staff time it keeps back for the waitlist and phone — with its LP bound and the gap of the
 * integer plan.
 *
 * A pipeline of steps: extract supply and demand (supply-demand.ts) → build the LP (lp.ts) →
 * solve it through an LpBackend, verified (lp/verify.ts) → realise integer slots on staff
 * timelines per office-day with the LP-guided assignment heuristic (realise.ts) → evaluate the
 * integer plan exactly: the same LP with the quotas fixed → re-round with the evaluation's duals
 * and keep the better plan → on small models, a local search over quotas, each candidate packed
 * and evaluated by the LP → KPIs, shadow prices of staff time, slot patterns.
 *
 * Budgets: each LP solve gets `timeLimitMs` (in the back end's worker), the whole call
 * `totalTimeLimitMs`. The steps on the calling thread check the total as they go and let the
 * event loop run between office-days. Until the first integer plan has been evaluated, running
 * out of either budget throws TerminplanError('TIMEOUT') (path `$.timeLimitMs` or
 * `$.totalTimeLimitMs`); after that, running out of the total stops the improvement steps and the
 * best plan so far is returned with `timeLimited: true` and a warning.
 */
import { fail, isTerminplanError, TerminplanError } from '../../model/errors.js'
import { compile, type Model } from '../../model/compile.js'
import type { Scenario } from '../../model/schema.js'
import type { Scheduler } from '../scheduler/index.js'
import type { LpBackend } from '../lp/port.js'
import { solveLp, type CheckedLpResult } from '../lp/verify.js'
import { Deadline, timeoutError } from '../budget.js'
import { buildPlanLp, DEFAULT_PLAN_WEIGHTS, odsKey, type PlanLp, type PlanLpOptions, type PlanWeights } from './lp.js'
import { realiseCounts, realiseOfficeDay, type PatternSlot, type Realised } from './realise.js'
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
  /** Budget of the whole call in ms (see the module comment). Default 10 × timeLimitMs. */
  totalTimeLimitMs?: number
  /** Rounds of re-rounding with the evaluated plan's duals (one LP each). Default 1. */
  improveRounds?: number
  /**
   * LP evaluations the quota local search may spend (it runs on models of at most
   * `SMALL_MODEL_COLUMNS` columns). Default 400, fewer for larger models (4·10⁵ / columns).
   */
  searchEvaluations?: number
  /**
   * Solve the exact integer model (a MIP over slots per staff run) through the back end:
   * `auto` (default) when it has at most EXACT_MAX_INTEGERS integer columns, `always`, or
   * `never` (the heuristic alone). The better of heuristic and MIP is kept.
   */
  exact?: 'auto' | 'always' | 'never'
  /** Fill idle time beyond the kept-back share with slots beyond the forecast. Default true. */
  fillIdle?: boolean
  seed?: number
  /** Units already taken per staff member (a scheduler's `busyUnits`); default none. */
  busy?: (staff: number) => ArrayLike<number>
  /** Name LP rows and columns (explanations; slower). */
  names?: boolean
  /** Clock for the reported timings and the total budget (default performance.now). */
  clock?: () => number
}

/** Models up to this many LP columns get the quota local search. */
export const SMALL_MODEL_COLUMNS = 2000
/** `exact: 'auto'` solves the MIP when it has at most this many integer columns. */
export const EXACT_MAX_INTEGERS = 1500
/** Time the exact MIP may take at most (less if the plan's time limit is lower). */
export const EXACT_TIME_LIMIT_MS = 10_000

export interface PlanKpis {
  /** Forecast requests arriving in the planned days. */
  demand: number
  /** Served within the target window. */
  servedOnTime: number
  /** servedOnTime / demand. Requests whose window runs past the plan and are not served in it count as missed, so this is a lower bound. */
  onTimeShare: number
  /** Requests whose target window ends inside the planned days. */
  decidedDemand: number
  /** Of those, the share served within the target window. */
  decidedOnTimeShare: number
  servedLate: number
  /** Not served within the planned days. */
  open: number
  /** Mean days from arrival to appointment, of those served on time. */
  meanWaitDaysOnTime: number
  /** Share of the served who are served outside their district. */
  otherDistrictShare: number
  /** On-time share (of all arrivals) per district. */
  districts: { district: string; demand: number; onTimeShare: number }[]
  minDistrictShare: number
  maxDistrictShare: number
}

export interface Quota {
  officeId: string
  date: string
  serviceId: string
  /** Slots released. */
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
  /** Minutes not released: kept back for the waitlist and phone (or idle). */
  keptBackMinutes: number
  /** Objective gained per extra staff hour here, from the LP's duals (0 where staff time is not scarce). */
  valuePerStaffHour: number
  /** ≈ citizens more served within the target per extra staff hour here (value / onTime weight). */
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
  /** LP relaxation: optimal (its objective bounds every plan) or time_limit (no bound). */
  lpStatus: 'optimal' | 'time_limit'
  /** Lower bound on the objective of any plan; −Infinity when the LP did not finish. */
  lpBound: number
  /** The bound is certified by the LP's duals (our verifier, not the solver's word). */
  lpCertified: boolean
  /** Objective of the integer plan (the optimum of its evaluation LP). */
  objective: number
  /** (objective − lpBound) / |lpBound|. */
  gap: number
  kpis: { lp: PlanKpis; plan: PlanKpis }
  quotas: Quota[]
  officeDays: OfficeDayPlan[]
  /** Released slots on staff timelines, in dense model indices (see `planSlots` for ISO times). */
  patterns: PatternSlot[]
  /** Slots released beyond the LP plan in idle time. */
  extraSlots: number
  /** How the integer plan was found: LP rounding and local search, or the exact MIP. */
  method: 'heuristic' | 'mip'
  /** The exact MIP, when it was solved: its status and proven bound. */
  mip?: { status: 'optimal' | 'time_limit' | 'infeasible' | 'unbounded'; objective?: number; bound?: number; integers: number }
  model: { columns: number; rows: number; nonzeros: number }
  search: { rounds: number; evaluations: number; improved: number }
  timings: { buildMs: number; lpMs: number; realiseMs: number; evaluateMs: number; totalMs: number }
  warnings: string[]
  /** The total budget ran out during the improvement steps: this is the best plan found by then. */
  timeLimited?: boolean
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

function kpisOf(m: Model, demand: Demand, lp: PlanLp, x: Float64Array): PlanKpis {
  let dem = 0, decided = 0, onTime = 0, onTimeDecided = 0, waitOnTime = 0, late = 0, imported = 0
  const names = districtNames(m)
  const dDem = new Float64Array(names.length), dOn = new Float64Array(names.length)
  demand.cohorts.forEach((co, c) => {
    dem += co.count
    if (lp.decided[c]) decided += co.count
    const k = demand.groups[co.group].district
    if (k >= 0) dDem[k] += co.count
  })
  for (let k = 0; k < lp.yCohort.length; k++) {
    const v = x[lp.yStart + k]
    if (v <= 0) continue
    const c = lp.yCohort[k]
    const co = demand.cohorts[c]
    onTime += v
    waitOnTime += v * (lp.yDay[k] - co.day)
    if (lp.decided[c]) onTimeDecided += v
    const dist = demand.groups[co.group].district
    if (dist >= 0) dOn[dist] += v
  }
  for (const l of lp.late) late += x[l.col]
  for (const c of lp.importCols) imported += x[c]
  const districts = names.map((district, k) => ({ district, demand: round(dDem[k], 2), onTimeShare: dDem[k] > 0 ? round(dOn[k] / dDem[k], 4) : 1 })).filter((d) => d.demand > 0)
  return {
    demand: round(dem, 2),
    servedOnTime: round(onTime, 2),
    onTimeShare: dem > 0 ? round(onTime / dem, 4) : 1,
    decidedDemand: round(decided, 2),
    decidedOnTimeShare: decided > 0 ? round(onTimeDecided / decided, 4) : 1,
    servedLate: round(late, 2),
    open: round(Math.max(0, dem - onTime - late), 2),
    meanWaitDaysOnTime: onTime > 0 ? round(waitOnTime / onTime, 2) : 0,
    otherDistrictShare: onTime + late > 0 ? round(imported / (onTime + late), 4) : 0,
    districts,
    minDistrictShare: districts.length ? Math.min(...districts.map((d) => d.onTimeShare)) : 1,
    maxDistrictShare: districts.length ? Math.max(...districts.map((d) => d.onTimeShare)) : 1,
  }
}

type Solved = CheckedLpResult & { status: 'optimal' | 'time_limit' }

/** An LP's budget: its own limit or what is left of the total, whichever is less. */
interface LpBudget {
  ms: number
  /** The total budget binds: a timeout is the total's. */
  total?: Deadline
}

async function solveChecked(backend: LpBackend, lp: PlanLp, budget: LpBudget, what: string): Promise<Solved> {
  const timeLimitMs = budget.ms
  // Presolve off: on these structured LPs HiGHS' presolve costs more than it saves (measured).
  const r = await solveLp(backend, lp.model, { timeLimitMs, presolve: false })
  if (r.status === 'infeasible')
    throw new TerminplanError('SOLVER_FAILED', `the ${what} LP is infeasible (a defect: it always has a solution): ${r.conflict?.description.slice(0, 3).join('; ') ?? ''}`)
  if (r.status === 'unbounded') throw new TerminplanError('SOLVER_FAILED', `the ${what} LP is unbounded (a defect)`)
  if (r.status === 'time_limit' && !r.incumbent) {
    if (budget.total) throw budget.total.error()
    throw timeoutError(`the ${what} LP`, timeLimitMs, 'timeLimitMs', 'timeLimitMs (command line: --time-limit)')
  }
  return r as Solved
}

const xOf = (r: Solved) => (r.status === 'optimal' ? r.x : r.incumbent!.x)
const objOf = (r: Solved) => (r.status === 'optimal' ? r.objective : r.incumbent!.objective)

interface Candidate {
  /** Realisation per office-day. */
  parts: (Realised | undefined)[]
  quota: Map<number, number>
}

/**
 * Plans capacity for a scenario (compiled here), a compiled model, or a scheduler (its model and
 * what is already booked or held in it).
 */
export async function planCapacity(input: Scenario | Model | Scheduler, options: PlanOptions): Promise<CapacityPlan> {
  let m: Model
  let busy = options.busy
  if ('busyUnits' in input && typeof input.busyUnits === 'function') {
    const s = input
    m = s.model
    busy ??= (p) => s.busyUnits(p)
  } else if ('segments' in input) m = input
  else m = compile(input as Scenario)
  return plan(m, { ...options, busy })
}

async function plan(m: Model, options: PlanOptions): Promise<CapacityPlan> {
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
  for (const [k, v] of Object.entries(weights))
    if (!(Number.isFinite(v) && v >= 0)) fail('COMMAND_INVALID', `$.weights.${k}`, 'invalid_weight', `weight ${k} must be a finite number ≥ 0`)
  const timeLimitMs = options.timeLimitMs ?? 60_000
  if (!(timeLimitMs > 0)) fail('COMMAND_INVALID', '$.timeLimitMs', 'invalid_budget', `timeLimitMs must be a positive number of milliseconds, got ${timeLimitMs}`)
  const total = new Deadline(options.totalTimeLimitMs ?? 10 * timeLimitMs, 'the capacity plan', 'totalTimeLimitMs', clock, 'totalTimeLimitMs (command line: --total-time-limit)')
  const lpBudget = (cap = timeLimitMs): LpBudget => {
    const left = total.remaining()
    return left < cap ? { ms: Math.max(1, left), total } : { ms: cap }
  }
  const seed = options.seed ?? 1
  const fillIdle = options.fillIdle ?? true
  const warnings: string[] = []
  const minDays = Math.min(...s.offices.map((o) => o.bookingWindow.minDays))
  const maxDays = Math.max(...s.offices.map((o) => o.bookingWindow.maxDays))
  if (new Set(s.offices.map((o) => `${o.bookingWindow.minDays}-${o.bookingWindow.maxDays}`)).size > 1)
    warnings.push(`offices have different booking windows; the plan assumes bookings ${minDays}–${maxDays} days ahead everywhere`)
  if (maxDays < targetDays) warnings.push(`no office takes bookings more than ${maxDays} days ahead; the plan still counts service up to ${targetDays} days after arrival as on time`)

  // ---- LP relaxation -----------------------------------------------------------------------
  const demand = extractDemand(m, firstDay, days)
  // The scheduler's bookings are read here, before the first pause; the rest works on copies.
  const supply = extractSupply(m, firstDay, days, new Set(demand.services), options.busy)
  if (demand.cohorts.length === 0) warnings.push('no forecast demand in the planned days: every quota is 0')
  await total.pause()
  const lpOpts: PlanLpOptions = { targetDays, minDays, keepBack, weights, names: options.names, check: () => total.check() }
  const lp = buildPlanLp(m, supply, demand, firstDay, days, lpOpts)
  await total.pause()
  const t1 = clock()
  const relax = await solveChecked(options.backend, lp, lpBudget(), 'capacity plan')
  const t2 = clock()
  const x = xOf(relax)
  const lpCertified = relax.status === 'optimal' && relax.verification.certified
  let lpBound = -Infinity
  if (relax.status === 'optimal') {
    const db = relax.verification.dualBound
    lpBound = db !== undefined && Number.isFinite(db) ? Math.min(db, relax.objective) : relax.objective
  } else warnings.push('the LP stopped at its time limit: the plan is built from its best solution and has no proven bound')

  // ---- integer plan -------------------------------------------------------------------------
  const nS = m.serviceIds.length
  const lpQuota = (i: number, sv: number) => (lp.supplyCols.get(odsKey(i, sv, nS)) ?? []).reduce((a, c) => a + x[c], 0)
  // Value of one more slot: minus the dual of the row that receives the office's supply (it reads
  // served − supplied = 0, so raising its right-hand side is one more slot).
  const valueBy = (duals: Float64Array | undefined, plan: PlanLp) => (i: number, sv: number) => {
    const r = plan.valueRow.get(odsKey(i, sv, nS))
    return duals && r !== undefined ? Math.max(0, -duals[r]) : 0
  }
  const fillWeight = new Map<number, number>()
  for (const c of demand.cohorts) fillWeight.set(c.service, (fillWeight.get(c.service) ?? 0) + c.count)
  let realiseMs = 0, evaluateMs = 0

  const realiseOne = (i: number, target: Map<number, number>, value: (i: number, sv: number) => number, fill: boolean, sd: number) => {
    const val = new Map<number, number>()
    for (const sv of supply.officeDays[i].services) val.set(sv, value(i, sv))
    return realiseOfficeDay({ m, supply, officeDay: i, target, value: val, keepBack, fillIdle: fill, fillWeight, seed: sd + i })
  }
  const realiseAll = async (value: (i: number, sv: number) => number, sd: number): Promise<Candidate> => {
    const tr = clock()
    const parts: (Realised | undefined)[] = []
    const quota = new Map<number, number>()
    for (let i = 0; i < supply.officeDays.length; i++) {
      await total.pause()
      const od = supply.officeDays[i]
      const target = new Map<number, number>()
      for (const sv of od.services) {
        const q = lpQuota(i, sv)
        if (q > 1e-6) target.set(sv, q)
      }
      const r = realiseOne(i, target, value, fillIdle, sd)
      parts.push(r)
      for (const [sv, n] of r.quota) if (n > 0) quota.set(odsKey(i, sv, nS), n)
    }
    realiseMs += clock() - tr
    return { parts, quota }
  }
  const evaluate = async (quota: Map<number, number>) => {
    const te = clock()
    await total.pause()
    const ev = buildPlanLp(m, supply, demand, firstDay, days, { ...lpOpts, quotas: (i, sv) => quota.get(odsKey(i, sv, nS)) ?? 0 })
    await total.pause()
    const r = await solveChecked(options.backend, ev, lpBudget(), 'plan evaluation')
    evaluateMs += clock() - te
    return { ev, r, objective: objOf(r) }
  }
  const better = (a: number, b: number) => a < b - 1e-9 * Math.max(1, Math.abs(b))

  let best = await realiseAll(valueBy(relax.status === 'optimal' ? relax.rowDual : undefined, lp), seed)
  let bestEval = await evaluate(best.quota)
  const search = { rounds: 0, evaluations: 1, improved: 0 }
  const lpValue = valueBy(relax.status === 'optimal' ? relax.rowDual : undefined, lp)
  // From here on there is a plan: running out of the total budget ends the improvement steps.
  let timeLimited = false
  const improving = async (step: () => Promise<void>) => {
    if (timeLimited) return
    try {
      await step()
    } catch (e) {
      if (isTerminplanError(e) && e.code === 'TIMEOUT' && e.path === '$.totalTimeLimitMs') timeLimited = true
      else throw e
    }
  }
  await improving(async () => {
    for (let r = 0; r < (options.improveRounds ?? 1); r++) {
      // Re-value slots by what the evaluated plan still lacks (its duals), and round again.
      const evDuals = bestEval.r.status === 'optimal' ? bestEval.r.rowDual : undefined
      if (!evDuals) break
      const evValue = valueBy(evDuals, bestEval.ev)
      const cand = await realiseAll((i, sv) => Math.max(lpValue(i, sv), evValue(i, sv)), seed + 7919 * (r + 1))
      const candEval = await evaluate(cand.quota)
      search.rounds++
      search.evaluations++
      if (!better(candEval.objective, bestEval.objective)) break
      best = cand
      bestEval = candEval
      search.improved++
    }
  })

  // Small models: the exact MIP through the back end (slots per staff run), if it does better.
  let method: CapacityPlan['method'] = 'heuristic'
  let mipInfo: CapacityPlan['mip']
  const exact = options.exact ?? 'auto'
  let integers = 0
  supply.officeDays.forEach((od) => {
    for (const sv of od.services) for (const r of od.runs) if (m.skill[supply.runs[r].staff * nS + sv] === 1) integers++
  })
  if (exact === 'always' || (exact === 'auto' && integers <= EXACT_MAX_INTEGERS)) await improving(async () => {
    const mip = buildPlanLp(m, supply, demand, firstDay, days, { ...lpOpts, exact: true })
    await total.pause()
    // Bounded: the heuristic plan stands if the MIP does not finish in time.
    const r = await solveLp(options.backend, mip.model, { timeLimitMs: lpBudget(Math.min(timeLimitMs, EXACT_TIME_LIMIT_MS)).ms })
    search.evaluations++
    mipInfo = { status: r.status, integers: mip.slotCols.length }
    const xm = r.status === 'optimal' ? r.x : r.status === 'time_limit' ? r.incumbent?.x : undefined
    if (r.status === 'optimal') {
      mipInfo.objective = r.objective
      mipInfo.bound = r.bound ?? r.objective
    } else if (r.status === 'time_limit') {
      if (r.incumbent) mipInfo.objective = r.incumbent.objective
      if (r.bound !== undefined) mipInfo.bound = r.bound
    }
    if (xm) {
      const counts: { run: number; service: number; n: number }[][] = supply.officeDays.map(() => [])
      for (const z of mip.slotCols) {
        const n = Math.round(xm[z.col])
        if (n > 0) counts[z.officeDay].push({ run: z.run, service: z.service, n })
      }
      const parts = supply.officeDays.map((_, i) => realiseCounts(m, supply, i, counts[i]))
      const quota = new Map<number, number>()
      parts.forEach((p, i) => {
        for (const [sv, n] of p.quota) if (n > 0) quota.set(odsKey(i, sv, nS), n)
      })
      const e = await evaluate(quota)
      if (better(e.objective, bestEval.objective)) {
        best = { parts, quota }
        bestEval = e
        method = 'mip'
      }
    }
  })

  // Small models: local search over quotas — at one office-day add or drop a slot, or trade one
  // or two slots for others; at two office-days exchange one slot of two services — each candidate packed on the staff timelines
  // and evaluated by the LP; first improvement, until none or the evaluation budget is spent.
  if (lp.model.nCols <= SMALL_MODEL_COLUMNS && mipInfo?.status !== 'optimal') await improving(async () => {
    const budget = options.searchEvaluations ?? Math.min(400, Math.ceil(4e5 / Math.max(1, lp.model.nCols)))
    const current = (i: number) => {
      const cur = new Map<number, number>()
      for (const sv of supply.officeDays[i].services) cur.set(sv, best.quota.get(odsKey(i, sv, nS)) ?? 0)
      return cur
    }
    /** Packs `target` at office-day i; undefined unless every slot fits. */
    const pack = (i: number, t: Map<number, number>) => {
      if ([...t.values()].some((n) => n < 0)) return undefined
      const target = new Map([...t].filter(([, n]) => n > 0))
      const r = realiseOne(i, target, () => 1, false, seed)
      return [...target].every(([sv, n]) => (r.quota.get(sv) ?? 0) === n) ? r : undefined
    }
    /** Evaluates new targets at some office-days; adopts them when better. */
    const tryMove = async (changes: [number, Map<number, number>][]) => {
      await total.pause()
      const parts = [...best.parts]
      for (const [i, t] of changes) {
        const r = pack(i, t)
        if (!r) return false
        parts[i] = r
      }
      const quota = new Map(best.quota)
      for (const [i, t] of changes) {
        for (const sv of supply.officeDays[i].services) quota.delete(odsKey(i, sv, nS))
        for (const [sv, n] of t) if (n > 0) quota.set(odsKey(i, sv, nS), n)
      }
      const e = await evaluate(quota)
      search.evaluations++
      if (!better(e.objective, bestEval.objective)) return false
      best = { parts, quota }
      bestEval = e
      search.improved++
      return true
    }
    const add = (t: Map<number, number>, sv: number, k: number) => new Map(t).set(sv, (t.get(sv) ?? 0) + k)
    let improved = true
    while (improved && search.evaluations < budget) {
      improved = false
      for (let i = 0; i < supply.officeDays.length && !improved && search.evaluations < budget; i++) {
        const svcs = supply.officeDays[i].services
        const cur = current(i)
        const moves: Map<number, number>[] = []
        // Slots of a traded for slots of b by length (one a for as many b as it needs, as many a
        // as fit for one b), or for one b and one c; or one slot more or less.
        const du = (sv: number) => m.durationUnits[supply.officeDays[i].office * nS + sv]
        for (const a of svcs) {
          moves.push(add(cur, a, 1), add(cur, a, -1))
          for (const b of svcs) {
            if (a === b) continue
            for (const k of new Set([1, Math.ceil(du(a) / du(b))])) moves.push(add(add(cur, a, 1), b, -k))
            for (const k of new Set([2, Math.floor(du(b) / du(a))])) if (k > 1) moves.push(add(add(cur, a, k), b, -1))
            for (const c of svcs) if (c !== a && c >= b) moves.push(add(add(add(cur, a, 1), b, -1), c, -1))
          }
        }
        for (const t of moves) {
          if (search.evaluations >= budget) break
          if (await tryMove([[i, t]])) {
            improved = true
            break
          }
        }
      }
      for (let i = 0; i < supply.officeDays.length && !improved && search.evaluations < budget; i++)
        for (let j = i + 1; j < supply.officeDays.length && !improved && search.evaluations < budget; j++) {
          const ci = current(i), cj = current(j)
          for (const a of supply.officeDays[i].services) {
            if (improved || search.evaluations >= budget) break
            for (const b of supply.officeDays[i].services) {
              if (a === b || !cj.has(a) || !cj.has(b) || (ci.get(b) ?? 0) === 0 || (cj.get(a) ?? 0) === 0) continue
              if (search.evaluations >= budget) break
              if (await tryMove([[i, add(add(ci, a, 1), b, -1)], [j, add(add(cj, a, -1), b, 1)]])) {
                improved = true
                break
              }
            }
          }
        }
    }
  })
  if (timeLimited) warnings.push(`stopped at the total time limit of ${Math.round(total.limitMs)} ms (totalTimeLimitMs): the plan is the best found by then`)

  // ---- result ---------------------------------------------------------------------------------
  const unitsPerHour = 60 / m.unitMinutes
  const hallValue = new Float64Array(supply.officeDays.length)
  if (relax.status === 'optimal' && relax.rowDual) for (const c of lp.capacityRows) hallValue[c.officeDay] += Math.max(0, -relax.rowDual[c.row])
  const quotas: Quota[] = []
  const patterns: PatternSlot[] = []
  let extraSlots = 0
  const officeDays: OfficeDayPlan[] = supply.officeDays.map((od, i) => {
    const part = best.parts[i]
    if (part) {
      patterns.push(...part.slots)
      extraSlots += part.extra
    }
    for (const sv of od.services) {
      const n = best.quota.get(odsKey(i, sv, nS)) ?? 0
      const q = lpQuota(i, sv)
      if (n > 0 || q > 1e-6) quotas.push({ officeId: m.officeIds[od.office], date: m.dates[od.day], serviceId: m.serviceIds[sv], slots: n, lp: round(q, 3) })
    }
    const slotUnits = part ? part.slots.reduce((a, p) => a + p.end - p.start, 0) : 0
    const perHour = hallValue[i] * unitsPerHour * (1 - keepBack)
    return {
      officeId: m.officeIds[od.office],
      date: m.dates[od.day],
      freeMinutes: od.units * m.unitMinutes,
      slotMinutes: slotUnits * m.unitMinutes,
      keptBackMinutes: (od.units - slotUnits) * m.unitMinutes,
      valuePerStaffHour: round(perHour, 3),
      citizensPerStaffHour: round(perHour / Math.max(weights.onTime, 1e-9), 3),
    }
  })
  patterns.sort((a, b) => a.day - b.day || a.office - b.office || a.staff - b.staff || a.start - b.start)
  const objective = bestEval.objective
  const gap = Number.isFinite(lpBound) ? Math.max(0, (objective - lpBound) / Math.max(1e-9, Math.abs(lpBound))) : Infinity
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
    gap,
    kpis: { lp: kpisOf(m, demand, lp, x), plan: kpisOf(m, demand, bestEval.ev, xOf(bestEval.r)) },
    quotas,
    officeDays,
    patterns,
    extraSlots,
    method,
    ...(mipInfo ? { mip: mipInfo } : {}),
    model: { columns: lp.model.nCols, rows: lp.model.nRows, nonzeros: lp.model.rowStart[lp.model.nRows] },
    search,
    timings: { buildMs: round(t1 - t0, 1), lpMs: round(t2 - t1, 1), realiseMs: round(realiseMs, 1), evaluateMs: round(evaluateMs, 1), totalMs: round(clock() - t0, 1) },
    warnings,
    ...(timeLimited ? { timeLimited } : {}),
  }
}

export type { PatternSlot } from './realise.js'
export type { Supply, Demand }
