/**
 * simulate: a discrete-event simulation of a city's offices over weeks. Requests arrive from the
 * demand forecast; simulated citizens search, hold and confirm through an ordinary scheduler (the
 * same commands a booking backend sends), cancel, miss appointments, join the waitlist and answer
 * offers. The policy decides what happens to freed and newly released capacity.
 *
 * Same scenario, options and seed → the same result, byte for byte: every random draw comes from
 * seeded streams, and demand and citizens are drawn independently of the policy, so policies are
 * compared on identical requests.
 */
import { Heap } from 'heap-js'
import { z } from 'zod'
import type { Model } from '../../model/compile.js'
import { countRange } from '../../model/bitset.js'
import { fail, TerminplanError } from '../../model/errors.js'
import { parseCommand } from '../../model/requests.js'
import { loadScenario } from '../../model/load.js'
import { createRng, poisson, weightedIndex, type Rng } from '../../model/random.js'
import { serviceListIssues } from '../../model/rules.js'
import { LocalDateSchema, type Scenario } from '../../model/schema.js'
import { addDays, isoWeekday, startOfLocalDay } from '../../model/tz.js'
import type { LpBackend } from '../lp/port.js'
import { matchWaitlist } from '../batch-match.js'
import { planCapacity } from '../plan/plan.js'
import { createScheduler, INTERNALS, type Scheduler, type SchedulerInternals } from '../scheduler.js'
import { findSlots, fnv1a, resolveRequest, type ResolvedRequest } from '../search.js'
import { BehaviourSchema, drawDays, drawFlexibility, drawServiceCount, drawWindow, WINDOWS, type Behaviour, type Flexibility } from './behaviour.js'
import { DAY_MS, GOAL_MS, kpisByGroup, kpisOf, leadHistogram, type MeasureWindow } from './kpis.js'
import { RequestLog } from './requests.js'
import { POLICY_NAMES, type CityKpis, type PolicyName, type SimulationResult } from './types.js'

export const SimulationOptionsSchema = z.strictObject({
  policy: z.enum(POLICY_NAMES as [PolicyName, ...PolicyName[]]),
  /** Measured days, after the warm-up. */
  days: z.int().min(15, 'at least 15 days (the 14-day goal needs them)').max(366),
  /** Days simulated first so that calendars fill as in steady state; not measured. */
  warmupDays: z.int().min(0).max(180).default(28),
  seed: z.int().min(0).max(2 ** 32 - 1).default(1),
  /** First simulated date; default the scenario's horizon start. */
  from: LocalDateSchema.optional(),
  behaviour: BehaviourSchema.default(BehaviourSchema.parse({})),
  /** The goal in days (the `optimized` policy's booking window and plan target). */
  targetDays: z.int().min(1).max(60).default(14),
  /** Days each weekly capacity plan covers (`optimized`). */
  planDays: z.int().min(7).max(60).default(21),
  /**
   * How offices release capacity today: this share of each office's staff is bookable only
   * `shortNoticeDays` ahead (slots released at short notice), the rest over the whole booking
   * window. Simulated as a twin office per office (same district and services) holding those staff;
   * results are reported under the original office.
   */
  release: z.strictObject({ shortNoticeShare: z.number().min(0).max(1), shortNoticeDays: z.int().min(0).max(60) }).default({ shortNoticeShare: 0.75, shortNoticeDays: 3 }),
  /** Names of the overlays applied to the scenario, for the report. */
  overlays: z.array(z.string().max(200)).default([]),
})
export type SimulationOptionsInput = z.input<typeof SimulationOptionsSchema>

export interface SimulationHooks {
  /** LP back end for the `optimized` policy's capacity plans and batch matching. */
  lp?: LpBackend
  /** Called after each simulated day. */
  onProgress?: (day: number, days: number) => void
}

export interface SimulationRun {
  result: SimulationResult
  /** One row per request (warm-up and tail included): see `eventsCsv`. */
  log: RequestLog
  model: Model
}

const enum Ev {
  Arrival,
  Retry,
  Cancel,
  OfferAnswer,
  GiveUp,
}

interface Event {
  t: number
  seq: number
  kind: Ev
  req: number
  /** Offer id for OfferAnswer. */
  ref?: string
  accept?: boolean
}

/** Per-request state the engine needs while it runs (not reported). */
interface Pending {
  shape: number
  tolerance: number
  patience: number
  retries: number
  cancelAt: number
  noShow: boolean
  appointmentId?: string
  entryId?: string
}

interface Shape {
  services: string[]
  offices?: string[]
  windows?: { from: string; to: string }[]
  rr?: ResolvedRequest
}

const TWIN = '~short'
/** The office a (possibly twin) office id reports under. */
const baseOfficeId = (id: string) => (id.endsWith(TWIN) ? id.slice(0, -TWIN.length) : id)

/**
 * Short-notice release as twin offices: `share` of each office's staff (every k-th by id order,
 * spread evenly) move to a twin bookable only `days` ahead. Nothing else changes.
 */
function withShortNoticeTwins(s: Scenario, share: number, days: number): Scenario {
  if (share <= 0) return s
  const moved = new Set<string>()
  for (const o of s.offices) {
    const staff = s.staff.filter((p) => p.office === o.id)
    const n = Math.round(share * staff.length)
    // Spread evenly: staff j moves when floor((j+1)·n/len) > floor(j·n/len).
    staff.forEach((p, j) => {
      if (Math.floor(((j + 1) * n) / staff.length) > Math.floor((j * n) / staff.length)) moved.add(p.id)
    })
  }
  const twinOf = (office: string) => `${office}${TWIN}`
  const homeOffice = new Map(s.staff.map((p) => [p.id, p.office]))
  const twins = s.offices.filter((o) => s.staff.some((p) => moved.has(p.id) && p.office === o.id))
  return {
    ...s,
    offices: [
      ...s.offices,
      ...twins.map((o) => ({ ...o, id: twinOf(o.id), name: `${o.name} (short notice)`, bookingWindow: { minDays: Math.min(o.bookingWindow.minDays, days), maxDays: Math.min(o.bookingWindow.maxDays, days) } })),
    ],
    staff: s.staff.map((p) =>
      moved.has(p.id) ? { ...p, office: twinOf(p.office), shifts: p.shifts.map((sh) => (sh.office === p.office ? { ...sh, office: twinOf(p.office) } : sh)) } : p,
    ),
    appointments: s.appointments.map((a) => (a.staff !== undefined && moved.has(a.staff) && a.office === homeOffice.get(a.staff) ? { ...a, office: twinOf(a.office) } : a)),
    demand: s.demand.map((d) => (d.offices ? { ...d, offices: d.offices.flatMap((id) => (twins.some((t) => t.id === id) ? [id, twinOf(id)] : [id])) } : d)),
  }
}

/** The scenario the run needs: a horizon long enough for warm-up, measured days and the booking window. */
function runScenario(s: Scenario, from: string, totalDays: number, policy: PolicyName, targetDays: number, release: { shortNoticeShare: number; shortNoticeDays: number }): Scenario {
  const maxWindow = Math.max(...s.offices.map((o) => o.bookingWindow.maxDays))
  const start = s.horizon.start
  const offset = Math.round((startOfLocalDay(s.timezone, from) - startOfLocalDay(s.timezone, start)) / DAY_MS)
  if (offset < 0) fail('COMMAND_INVALID', '$.from', 'outside_horizon', `the simulation cannot start before the horizon (${start})`)
  const days = Math.max(s.horizon.days, offset + totalDays + maxWindow + 2)
  if (days > 731) fail('COMMAND_INVALID', '$.days', 'too_long', `warm-up, days and the ${maxWindow}-day booking window need ${days} days of horizon; at most 731`)
  const twinned = withShortNoticeTwins(s, release.shortNoticeShare, release.shortNoticeDays)
  // `optimized` releases only the target's days to the public; the rest goes through the waitlist.
  const offices = policy === 'optimized' ? twinned.offices.map((o) => ({ ...o, bookingWindow: { ...o.bookingWindow, maxDays: Math.min(o.bookingWindow.maxDays, targetDays) } })) : twinned.offices
  return loadScenario({ ...twinned, horizon: { start, days }, offices })
}

export async function simulate(scenario: Scenario, optionsInput: SimulationOptionsInput, hooks: SimulationHooks = {}): Promise<SimulationRun> {
  const opt = parseCommand(SimulationOptionsSchema, optionsInput, 'simulation options')
  const b: Behaviour = opt.behaviour
  const policy = opt.policy
  if (policy === 'optimized' && !hooks.lp) fail('COMMAND_INVALID', '$.policy', 'needs_lp', 'the optimized policy needs an LP back end (hooks.lp)')
  const from = opt.from ?? scenario.horizon.start
  const totalDays = opt.warmupDays + opt.days
  const sc = runScenario(scenario, from, totalDays, policy, opt.targetDays, opt.release)
  const s: Scheduler = createScheduler(sc, { now: startOfLocalDay(sc.timezone, from), waitlist: { autoOffer: policy !== 'fcfs' } })
  const m = s.model
  const zone = m.zone
  const nO = m.officeIds.length, nS = m.serviceIds.length
  // Results are reported per office of the input scenario (a short-notice twin counts as its office).
  const offices0 = scenario.offices, nO0 = offices0.length
  const office0Index = new Map(offices0.map((o, k) => [o.id, k]))
  const baseOf = Int32Array.from(m.officeIds, (id) => office0Index.get(baseOfficeId(id))!)
  const t0Day = m.dates.indexOf(from)
  const dayMs = (d: number) => startOfLocalDay(zone, addDays(from, d))
  const simEnd = dayMs(totalDays)
  const window: MeasureWindow = { from: dayMs(opt.warmupDays), until: simEnd - GOAL_MS }

  const internals = (s as unknown as { [INTERNALS]: () => SchedulerInternals })[INTERNALS].call(s)
  const ctx = internals.ctx

  // ---- districts, offices and request shapes -------------------------------------------------
  const districts = [...new Set(sc.offices.map((o) => o.district))].sort()
  const districtIndex = new Map(districts.map((d, i) => [d, i]))
  const officesOfDistrict = districts.map((d) => sc.offices.filter((o) => o.district === d).map((o) => o.id))
  const neighbours = new Map(sc.districts.map((d) => [d.id, d.neighbours]))
  const officesNear = districts.map((d) => [d, ...(neighbours.get(d) ?? [])].flatMap((x) => officesOfDistrict[districtIndex.get(x)!] ?? []))
  const shapes: Shape[] = []
  const shapeIndex = new Map<string, number>()
  const limit = policy === 'optimized' ? 8 : 1
  const shapeOf = (services: string[], district: number, flex: Flexibility, win: 0 | 1 | 2, fixed?: string[]): number => {
    const offices = fixed ?? (flex === 'home' ? officesOfDistrict[district] : flex === 'neighbours' ? officesNear[district] : undefined)
    const key = `${services.join('+')}|${offices ? (fixed ? fixed.join(',') : `${flex}:${district}`) : '*'}|${win}`
    let k = shapeIndex.get(key)
    if (k === undefined) {
      k = shapes.length
      const w = WINDOWS[win]
      shapes.push({ services, offices, windows: w ? [{ ...w }] : undefined })
      shapeIndex.set(key, k)
    }
    return k
  }
  const resolved = (k: number): ResolvedRequest => {
    const sh = shapes[k]
    if (!sh.rr) sh.rr = resolveRequest(ctx, { services: sh.services, offices: sh.offices, windows: sh.windows, limit })
    return sh.rr
  }

  // Services mix for second and third services, and which combinations are valid at all.
  const mixWeight = new Float64Array(nS)
  for (const d of sc.demand) mixWeight[m.serviceIndex.get(d.service)!] += d.count
  const validCombo = new Map<string, boolean>()
  const drawServices = (rng: Rng, first: string): string[] => {
    const n = drawServiceCount(rng, b)
    if (n === 1) return [first]
    const list = [first]
    for (let i = 1; i < n; i++) list.push(m.serviceIds[weightedIndex(rng, mixWeight)])
    list.sort()
    const key = list.join('+')
    let ok = validCombo.get(key)
    if (ok === undefined) validCombo.set(key, (ok = serviceListIssues(sc, ['services'], list).length === 0))
    return ok ? list : [first]
  }

  // ---- state ----------------------------------------------------------------------------------
  const log = new RequestLog()
  const pending: Pending[] = []
  const heap = new Heap<Event>((x, y) => x.t - y.t || x.seq - y.seq)
  let seq = 0
  const push = (t: number, kind: Ev, req: number, ref?: string, accept?: boolean) => heap.push({ t, seq: seq++, kind, req, ref, accept })
  const demandRng = createRng(opt.seed)
  // Separate streams: what the policy causes (offers, retries) never shifts the demand drawn.
  const offerRng = createRng((opt.seed ^ 0x5bd1e995) >>> 0)
  const retryRng = createRng((opt.seed ^ 0x27d4eb2f) >>> 0)
  const citizenOf = (i: number) => `c${i}`
  const reqOfCitizen = (id: string) => Number(id.slice(1))
  const noShowUnits = new Float64Array(nO0 * m.days)
  const freed: { p: number; a: number; b: number }[] = []
  let offersMade = 0, offersAccepted = 0
  const waitlistLength: { date: string; waiting: number }[] = []

  s.on('offer', ({ offer }) => {
    const i = reqOfCitizen(offer.citizenId)
    if (ctx.now >= window.from) offersMade++
    const accept = offerRng.next() < b.offerAcceptShare
    push(ctx.now + offerRng.int(b.offerAnswerMinutes + 1) * 60_000, Ev.OfferAnswer, i, offer.id, accept)
  })
  s.on('freed', (f) => {
    if (f.reason !== 'cancelled') return
    const a = (Date.parse(f.start) - m.t0) / m.unitMs, e = (Date.parse(f.end) - m.t0) / m.unitMs
    const day = internals.cal.dayOfUnit(a) - t0Day
    if (day >= opt.warmupDays && day < totalDays) freed.push({ p: m.staffIndex.get(f.staffId)!, a, b: e })
  })

  // ---- the capacity plan's quotas (optimized) -------------------------------------------------
  let quota: Map<number, number> | null = null
  let planFirst = 0, planLast = -1
  const quotaKey = (d: number, o: number, sv: number) => (d * nO + o) * nS + sv
  const refreshPlan = async (day: number) => {
    const plan = await planCapacity(s, { backend: hooks.lp!, from: m.dates[day], days: Math.min(opt.planDays, m.days - day), targetDays: opt.targetDays, exact: 'never', improveRounds: 0, searchEvaluations: 0, seed: opt.seed })
    quota = new Map()
    for (const q of plan.quotas) {
      const k = quotaKey(m.dates.indexOf(q.date), m.officeIndex.get(q.officeId)!, m.serviceIndex.get(q.serviceId)!)
      quota.set(k, (quota.get(k) ?? 0) + q.slots)
    }
    planFirst = day
    planLast = day + plan.days - 1
  }
  const quotaAllows = (d: number, o: number, services: number[]): boolean => {
    if (!quota || d < planFirst || d > planLast) return true
    for (const sv of services) if ((quota.get(quotaKey(d, o, sv)) ?? 0) <= 0) return false
    return true
  }
  const useQuota = (d: number, o: number, services: number[]) => {
    if (!quota || d < planFirst || d > planLast) return
    for (const sv of services) {
      const k = quotaKey(d, o, sv)
      quota.set(k, (quota.get(k) ?? 0) - 1)
    }
  }

  // ---- booking through the scheduler's commands ------------------------------------------------
  /** Books the earliest acceptable slot starting at most `maxLeadMs` after the request; false when none. */
  const tryBook = (i: number, maxLeadMs: number): boolean => {
    const pd = pending[i]
    const rr = resolved(pd.shape)
    const lastStart = log.requestedAt[i] + maxLeadMs
    if (lastStart <= ctx.now) return false
    const found = findSlots(ctx, { ...rr, dayFrom: ctx.nowDay, dayTo: internals.cal.dayOfInstant(lastStart), salt: fnv1a(citizenOf(i)) })
    for (let k = 0; k < found.n; k++) {
      const t = found.start[k], o = found.office[k], p = found.staff[k]
      const startMs = m.t0 + t * m.unitMs
      if (startMs > lastStart) return false
      const d = internals.cal.dayOfUnit(t)
      if (!quotaAllows(d, o, rr.services)) continue
      const dur = rr.dur[o]
      const h = s.hold({ officeId: m.officeIds[o], staffId: m.staffIds[p], start: internals.cal.unitIso(t), end: internals.cal.unitIso(t + dur), services: rr.req.services }, { citizenId: citizenOf(i) })
      const a = s.confirm(h.id)
      useQuota(d, o, rr.services)
      booked(i, 'booked', a.id, startMs, o, dur)
      return true
    }
    return false
  }

  const booked = (i: number, how: 'booked' | 'waitlist_booked', appointmentId: string, startMs: number, o: number, dur: number) => {
    log.setAppointment(i, how, startMs, baseOf[o], dur)
    const pd = pending[i]
    pd.appointmentId = appointmentId
    if (pd.cancelAt >= 0) push(ctx.now + pd.cancelAt * (startMs - ctx.now), Ev.Cancel, i)
  }

  /** Nothing within tolerance: the policy decides. */
  const notFound = (i: number) => {
    const pd = pending[i]
    if (policy === 'fcfs') {
      if (!tryBook(i, pd.patience * DAY_MS)) retryLater(i)
      return
    }
    const sh = shapes[pd.shape]
    const horizonDays = policy === 'optimized' ? pd.patience : pd.tolerance
    const latest = internals.cal.dateOfDay(internals.cal.dayOfInstant(log.requestedAt[i] + horizonDays * DAY_MS))
    const entry = s.joinWaitlist({ citizenId: citizenOf(i), services: sh.services, offices: sh.offices, windows: sh.windows, latest })
    pd.entryId = entry.id
    if (log.outcomeOf(i) === 'unserved') push(log.requestedAt[i] + horizonDays * DAY_MS, Ev.GiveUp, i)
  }

  const retryLater = (i: number) => {
    const pd = pending[i]
    if (pd.retries <= 0) return
    pd.retries--
    const next = dayMs(ctx.nowDay + 1 - t0Day) + weightedIndex(retryRng, b.hourProfile) * 3_600_000 + retryRng.int(60) * 60_000
    if (next < log.requestedAt[i] + pd.patience * DAY_MS) push(next, Ev.Retry, i)
  }

  const handle = (e: Event) => {
    const i = e.req, pd = pending[i]
    switch (e.kind) {
      case Ev.Arrival:
        if (!tryBook(i, (policy === 'fcfs' ? pd.patience : pd.tolerance) * DAY_MS)) notFound(i)
        break
      case Ev.Retry:
        if (log.outcomeOf(i) === 'unserved' && !tryBook(i, pd.patience * DAY_MS)) retryLater(i)
        break
      case Ev.Cancel:
        if (pd.appointmentId && log.hadAppointment(i)) {
          s.cancel(pd.appointmentId)
          log.setOutcome(i, 'cancelled')
        }
        break
      case Ev.OfferAnswer: {
        const offer = e.ref!
        try {
          if (e.accept) {
            const a = s.acceptOffer(offer)
            if (ctx.now >= window.from) offersAccepted++
            const o = m.officeIndex.get(a.officeId)!
            booked(i, 'waitlist_booked', a.id, Date.parse(a.start), o, (Date.parse(a.end) - Date.parse(a.start)) / m.unitMs)
          } else s.declineOffer(offer)
        } catch (err) {
          // The offer expired or was withdrawn before the citizen answered: nothing to do.
          if (!(err instanceof TerminplanError) || (err.code !== 'NOT_FOUND' && err.code !== 'EXPIRED' && err.code !== 'CONFLICT')) throw err
        }
        break
      }
      case Ev.GiveUp:
        if (log.outcomeOf(i) !== 'unserved' || pd.entryId === undefined) break
        try {
          s.leaveWaitlist(pd.entryId)
        } catch (err) {
          if (!(err instanceof TerminplanError) || err.code !== 'NOT_FOUND') throw err
        }
        pd.entryId = undefined
        // `waitlist`: the citizen falls back to today's way, a later public slot within patience.
        if (policy === 'waitlist' && !tryBook(i, pd.patience * DAY_MS)) retryLater(i)
        break
    }
  }

  // ---- arrivals --------------------------------------------------------------------------------
  const demandOn = (date: string) => {
    const wd = isoWeekday(date)
    return sc.demand.filter((d) => (d.date !== undefined ? d.date === date : d.weekday === wd))
  }
  const arrivals: number[] = []
  const arrive = (day: number) => {
    const date = m.dates[t0Day + day]
    const midnight = dayMs(day)
    for (const row of demandOn(date)) {
      const n = poisson(demandRng, row.count)
      const home = row.district !== undefined ? districtIndex.get(row.district)! : demandRng.int(districts.length)
      for (let j = 0; j < n; j++) {
        const at = midnight + weightedIndex(demandRng, b.hourProfile) * 3_600_000 + demandRng.int(3600) * 1000
        const services = drawServices(demandRng, row.service)
        const flex = drawFlexibility(demandRng, b)
        const win = drawWindow(demandRng, b)
        const tolerance = drawDays(demandRng, b.toleranceDays)
        const patience = Math.max(tolerance, drawDays(demandRng, b.patienceDays))
        const cancelAt = demandRng.next() < b.cancelShare ? demandRng.next() : -1
        const noShow = demandRng.next() < b.noShowShare
        const i = log.add(at, services.join('+'), home)
        pending.push({ shape: shapeOf(services, home, flex, win, row.offices), tolerance, patience, retries: b.retryDays, cancelAt, noShow })
        arrivals.push(i)
      }
    }
  }

  // ---- the day loop ------------------------------------------------------------------------------
  for (let day = 0; day < totalDays; day++) {
    const midnight = dayMs(day)
    if (policy === 'optimized') s.setAutoOffer(false)
    if (midnight > ctx.now) s.setNow(midnight)
    waitlistLength.push({ date: m.dates[t0Day + day], waiting: day === 0 ? 0 : internals.engine.wl.waiting })
    if (policy === 'optimized') {
      if (day % 7 === 0) await refreshPlan(t0Day + day)
      // The newly released day and what is still free go to the waiting citizens, matched as a whole.
      await matchWaitlist(s, { apply: 'offer' })
      s.setAutoOffer(true)
    }
    // The day's arrivals, in time order, merged with the other events (a heap would cost more).
    arrivals.length = 0
    arrive(day)
    arrivals.sort((x, y) => log.requestedAt[x] - log.requestedAt[y] || x - y)
    const next = dayMs(day + 1)
    let ai = 0
    for (;;) {
      const top = heap.length > 0 && heap.peek()!.t < next ? heap.peek()! : null
      if (ai < arrivals.length && (!top || log.requestedAt[arrivals[ai]] <= top.t)) {
        const i = arrivals[ai++]
        if (log.requestedAt[i] > ctx.now) s.setNow(log.requestedAt[i])
        handle({ t: log.requestedAt[i], seq: 0, kind: Ev.Arrival, req: i })
        continue
      }
      if (!top) break
      heap.pop()
      if (top.t > ctx.now) s.setNow(top.t)
      handle(top)
    }
    hooks.onProgress?.(day + 1, totalDays)
  }
  if (simEnd > ctx.now) s.setNow(simEnd)

  // Missed appointments: known once they have begun.
  for (let i = 0; i < log.length; i++) {
    if (!pending[i].noShow || !log.hadAppointment(i) || log.start[i] >= simEnd) continue
    log.setOutcome(i, 'no_show')
    const d = internals.cal.dayOfInstant(log.start[i])
    noShowUnits[log.office[i] * m.days + d] += log.units[i]
  }

  return { result: summarise(), log, model: m }

  // ---- results -----------------------------------------------------------------------------------
  function summarise(): SimulationResult {
    const measuredDays: number[] = []
    for (let d = opt.warmupDays; d < totalDays; d++) measuredDays.push(t0Day + d)
    const work = new Float64Array(nO0 * m.days), busy = new Float64Array(nO0 * m.days)
    for (const seg of m.segments) {
      if (seg.day < t0Day + opt.warmupDays || seg.day >= t0Day + totalDays) continue
      const k = baseOf[seg.office] * m.days + seg.day
      work[k] += seg.end - seg.start
      busy[k] += countRange(s.busyUnits(seg.staff), seg.start, seg.end)
    }
    const sum = (a: Float64Array, o?: number) => {
      let x = 0
      for (const d of measuredDays) for (let oo = 0; oo < nO0; oo++) if (o === undefined || o === oo) x += a[oo * m.days + d]
      return x
    }
    const totalWork = sum(work), totalBusy = sum(busy), totalNoShow = sum(noShowUnits)
    let freedUnits = 0, refilledUnits = 0
    for (const f of freed) {
      freedUnits += f.b - f.a
      refilledUnits += countRange(s.busyUnits(f.p), f.a, f.b)
    }
    const waitMeasured = waitlistLength.slice(opt.warmupDays)
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4
    const city: CityKpis = {
      ...kpisOf(log, window),
      utilisation: totalWork ? r4(totalBusy / totalWork) : 0,
      servedUtilisation: totalWork ? r4((totalBusy - totalNoShow) / totalWork) : 0,
      freedSlots: freed.length,
      refilledShare: freedUnits ? r4(refilledUnits / freedUnits) : 0,
      noShows: 0,
      noShowHours: Math.round((totalNoShow * m.unitMinutes) / 60),
      waitlistMean: waitMeasured.length ? Math.round((waitMeasured.reduce((a, w) => a + w.waiting, 0) / waitMeasured.length) * 10) / 10 : 0,
      waitlistMax: Math.max(0, ...waitMeasured.map((w) => w.waiting)),
      offers: offersMade,
      offerAcceptShare: offersMade ? r4(offersAccepted / offersMade) : 0,
    }
    city.noShows = city.outcomes.no_show
    const districtKpis = kpisByGroup(log, window, (i) => log.district[i], districts.length)
    const byDistrict = districts.map((d, k) => ({ district: d, ...districtKpis[k] }))
    const shares = byDistrict.filter((d) => d.requests > 0)
    const worst = shares.reduce((a, x) => (x.within14Share < a.within14Share ? x : a), shares[0] ?? byDistrict[0])
    const best = shares.reduce((a, x) => (x.within14Share > a.within14Share ? x : a), shares[0] ?? byDistrict[0])
    const officeKpis = kpisByGroup(log, window, (i) => log.office[i], nO0)
    const byOffice = offices0.map((o, k) => {
      const w = sum(work, k)
      return { officeId: o.id, officeName: o.name, district: o.district, ...officeKpis[k], utilisation: w ? r4(sum(busy, k) / w) : 0 }
    })
    // Weeks from the first measured day; `bounds[g]` is week g's first instant.
    const weekDays: number[] = [], bounds: number[] = []
    for (let d = opt.warmupDays; dayMs(d) < window.until; d += 7) weekDays.push(d), bounds.push(dayMs(d))
    bounds.push(dayMs(opt.warmupDays + 7 * weekDays.length))
    const weekOf = (i: number) => {
      const t = log.requestedAt[i]
      for (let g = 0; g < weekDays.length; g++) if (t < bounds[g + 1]) return t >= bounds[g] ? g : -1
      return -1
    }
    const weekKpis = kpisByGroup(log, window, weekOf, weekDays.length)
    const weekly = weekDays.map((d, g) => ({ weekStart: m.dates[t0Day + d], requests: weekKpis[g].requests, within14Share: weekKpis[g].within14Share }))
    return {
      scenario: scenario.name ?? '(unnamed)',
      policy,
      seed: opt.seed,
      overlays: opt.overlays,
      from,
      to: m.dates[t0Day + totalDays - 1],
      measuredFrom: m.dates[t0Day + opt.warmupDays],
      days: opt.days,
      warmupDays: opt.warmupDays,
      totalRequests: log.length,
      kpis: city,
      byDistrict,
      byOffice,
      districtSpread: {
        min: worst?.within14Share ?? 0,
        max: best?.within14Share ?? 0,
        range: r4((best?.within14Share ?? 0) - (worst?.within14Share ?? 0)),
        worst: worst?.district ?? '',
        best: best?.district ?? '',
      },
      weekly,
      leadHistogram: leadHistogram(log, window, Math.max(60, ...offices0.map((o) => o.bookingWindow.maxDays))),
      waitlistLength,
      utilisationGrid: {
        officeIds: offices0.map((o) => o.id),
        dates: measuredDays.map((d) => m.dates[d]),
        values: offices0.map((_, o) => measuredDays.map((d) => (work[o * m.days + d] ? r4(busy[o * m.days + d] / work[o * m.days + d]) : null))),
      },
    }
  }
}

