/**
 * simulate: a discrete-event simulation of a city's offices over weeks. Requests arrive from the
 * demand forecast; simulated citizens search, hold and confirm through an ordinary scheduler (the
 * same rules a booking backend's commands meet), cancel, miss appointments, join the waitlist and
 * answer offers. The policy (policies/) decides what the public may book and what happens to
 * freed and newly released capacity.
 *
 * A run has three parts: the fast fill (`fillDays`, warmup.ts: requests only book, so the
 * calendars and the waitlist start as in steady state), the warm-up (`warmupDays`, simulated in
 * full, not measured) and the measured days.
 *
 * Same scenario, options and seed → the same result, byte for byte: every random draw comes from
 * seeded streams, and demand and citizens are drawn independently of the policy, so policies are
 * compared on identical requests.
 */
import { Heap } from 'heap-js'
import type { Model } from '../../model/compile.js'
import { fail, TerminplanError } from '../../model/errors.js'
import { parseCommand } from '../../model/requests.js'
import { createRng, weightedIndex, type Rng } from '../../model/random.js'
import type { Scenario } from '../../model/schema.js'
import { addDays, startOfLocalDay } from '../../model/tz.js'
import type { LpBackend } from '../lp/port.js'
import { createScheduler, enginePort, type EnginePort, type Scheduler } from '../scheduler/index.js'
import { findSlots, fnv1a } from '../search.js'
import { Citizens, type Citizen } from './citizens.js'
import { DAY_MS, GOAL_MS, type MeasureWindow } from './kpis.js'
import { SimulationOptionsSchema, type SimulationOptions, type SimulationOptionsInput } from './options.js'
import { createPolicy, policyTraits, type Policy, type SimRun } from './policies/index.js'
import type { RequestLog } from './requests.js'
import { runScenario } from './scenario.js'
import { summarise, type RunTotals } from './summary.js'
import type { SimulationResult } from './types.js'
import { fillCalendars } from './warmup.js'
import { goalMarks, type RunGoals } from './paired.js'

export { SimulationOptionsSchema, type SimulationOptionsInput } from './options.js'

export interface SimulationHooks {
  /** LP back end for the capacity plans and batch matching (quotas14, optimized). */
  lp?: LpBackend
  /** Called after each simulated day (fill days included). */
  onProgress?: (day: number, days: number) => void
}

export interface SimulationRun {
  result: SimulationResult
  /** One row per request (fill, warm-up and tail included): see `eventsCsv`. */
  log: RequestLog
  model: Model
  /** The scheduler the run drove, in its final state (for checks and further what-ifs). */
  scheduler: Scheduler
  /** Each request's 14-day mark, to pair this run with another on the same requests (`pairedDifference`). */
  goals: RunGoals
}

const enum Ev {
  Retry,
  Cancel,
  OfferAnswer,
  GiveUp,
  /** 07:00: the morning's sick calls, as one live change. */
  SickCalls,
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

/** The state of one run; policies reach it through SimRun. */
export class Sim implements SimRun {
  readonly port: EnginePort
  readonly citizens: Citizens
  readonly heap = new Heap<Event>((x, y) => x.t - y.t || x.seq - y.seq)
  private seq = 0
  readonly offerRng: Rng
  readonly retryRng: Rng
  readonly sickRng: Rng
  /** Staff member → the first day (run index) they are back, while on a sick episode. */
  private readonly sickUntil = new Map<number, number>()
  /** Request → the run day its appointment was disrupted (until it is booked again). */
  private readonly disruptedOn = new Map<number, number>()
  /** Day 0 of the run as a model day index. */
  readonly t0Day: number
  readonly window: MeasureWindow
  readonly totals: RunTotals = { freed: [], offersMade: 0, offersAccepted: 0, waitlistLength: [], timeLimited: 0, sickCalls: 0, disrupted: 0, replacedSameDay: 0 }
  /** During the fast fill: who waits (request, give-up instant) instead of the scheduler's waitlist. */
  fillQueue: { i: number; until: number }[] | null = null
  /** During the fast fill: its end; cancellations before it are not simulated. */
  fillEnd = -Infinity

  constructor(
    readonly scheduler: Scheduler,
    readonly policy: Policy,
    readonly opt: SimulationOptions,
    readonly from: string,
    readonly totalDays: number,
    readonly lp?: LpBackend,
  ) {
    this.port = enginePort(scheduler)
    const demandRng = createRng(opt.seed)
    // Separate streams: what the policy causes (offers, retries) never shifts the demand drawn.
    this.offerRng = createRng((opt.seed ^ 0x5bd1e995) >>> 0)
    this.retryRng = createRng((opt.seed ^ 0x27d4eb2f) >>> 0)
    this.sickRng = createRng((opt.seed ^ 0x165667b1) >>> 0)
    this.citizens = new Citizens(this.m.scenario, this.m, opt.behaviour, demandRng)
    this.t0Day = this.m.dates.indexOf(from)
    const measuredFrom = opt.fillDays + opt.warmupDays
    this.window = { from: this.dayMs(measuredFrom), until: this.dayMs(totalDays) - GOAL_MS }
  }

  /** The compiled scenario in force (a sick call replaces it; ids, days and the grid stay). */
  get m(): Model {
    return this.port.model
  }

  get log(): RequestLog {
    return this.citizens.log
  }

  dayMs(d: number): number {
    return startOfLocalDay(this.m.zone, addDays(this.from, d))
  }

  push(t: number, kind: Ev, req: number, ref?: string, accept?: boolean): void {
    this.heap.push({ t, seq: this.seq++, kind, req, ref, accept })
  }

  citizen(i: number): Citizen {
    return this.citizens.pending[i]
  }

  now(): number {
    return this.port.ctx.now
  }

  requestedAt(i: number): number {
    return this.log.requestedAt[i]
  }

  unserved(i: number): boolean {
    return this.log.outcomeOf(i) === 'unserved'
  }

  timeLimited(): void {
    this.totals.timeLimited++
  }

  private citizenId(i: number): string {
    return `c${i}`
  }

  /** Books the earliest acceptable public slot within `leadDays` of the request; in the fill, placed directly. */
  tryBook(i: number, leadDays: number, how: 'booked' | 'waitlist_booked' = 'booked'): boolean {
    const { ctx, cal } = this.port
    const m = this.m, log = this.log
    const pd = this.citizen(i)
    const rr = this.citizens.resolved(ctx, pd.shape)
    const lastStart = log.requestedAt[i] + leadDays * DAY_MS
    if (lastStart <= ctx.now) return false
    const found = findSlots(ctx, { ...rr, dayFrom: ctx.nowDay, dayTo: cal.dayOfInstant(lastStart), salt: fnv1a(this.citizenId(i)) })
    const gate = this.policy.gate
    for (let k = 0; k < found.n; k++) {
      const t = found.start[k], o = found.office[k], p = found.staff[k]
      const startMs = m.t0 + t * m.unitMs
      if (startMs > lastStart) return false
      const d = cal.dayOfUnit(t)
      if (gate && !gate.allows(d, o, rr.services)) continue
      const dur = rr.dur[o]
      let id: string
      if (this.fillQueue) id = this.port.placeAppointment(o, p, t, t + dur, rr.req.services, this.citizenId(i)).id
      else {
        const h = this.port.holdAt(o, p, t, t + dur, rr.req.services, { citizenId: this.citizenId(i) })
        id = this.port.confirmHold(h.id).id
      }
      gate?.use(d, o, rr.services)
      this.booked(i, how, id, startMs, o, dur)
      return true
    }
    return false
  }

  booked(i: number, how: 'booked' | 'waitlist_booked', appointmentId: string, startMs: number, o: number, dur: number): void {
    this.log.setAppointment(i, how, startMs, o, dur)
    const hit = this.disruptedOn.get(i)
    if (hit !== undefined) {
      this.disruptedOn.delete(i)
      if (hit === this.port.ctx.nowDay - this.t0Day && this.measured()) this.totals.replacedSameDay++
    }
    const pd = this.citizen(i)
    pd.appointmentId = appointmentId
    const now = this.port.ctx.now
    const cancelAt = now + pd.cancelAt * (startMs - now)
    if (pd.cancelAt >= 0 && cancelAt >= this.fillEnd) this.push(cancelAt, Ev.Cancel, i)
  }

  joinWaitlist(i: number, days: number): void {
    this.joinUntil(i, this.log.requestedAt[i] + days * DAY_MS)
  }

  /** Joins the scheduler's waitlist until instant `until` (the fill's end hands its queue over this way). */
  joinUntil(i: number, until: number): void {
    const log = this.log
    if (this.fillQueue) {
      this.fillQueue.push({ i, until })
      return
    }
    const { cal } = this.port
    const sh = this.citizens.shapes[this.citizen(i).shape]
    // The last date lying wholly before `until`: an offer on it still meets the citizen's time (14×24 h for the goal).
    const latest = cal.dateOfDay(cal.dayOfInstant(until - 1) - 1)
    // Only the keys that have a value: a key present as undefined takes the schema's slow path.
    const entry = this.scheduler.joinWaitlist({
      citizenId: this.citizenId(i),
      services: sh.services,
      ...(sh.offices ? { offices: sh.offices } : {}),
      ...(sh.windows ? { windows: sh.windows } : {}),
      latest,
      createdAt: cal.formatMs(log.requestedAt[i]),
    })
    this.citizen(i).entryId = entry.id
    if (this.unserved(i)) this.push(until, Ev.GiveUp, i)
  }

  retryLater(i: number): void {
    const pd = this.citizen(i)
    if (pd.retries <= 0 || this.fillQueue) return
    pd.retries--
    const b = this.opt.behaviour
    const next = this.dayMs(this.port.ctx.nowDay + 1 - this.t0Day) + weightedIndex(this.retryRng, b.hourProfile) * 3_600_000 + this.retryRng.int(60) * 60_000
    if (next < this.log.requestedAt[i] + pd.patience * DAY_MS) this.push(next, Ev.Retry, i)
  }

  arrival(i: number): void {
    if (!this.tryBook(i, this.policy.arrivalLeadDays(this.citizen(i), this.opt))) this.policy.notFound(this, i)
  }

  handle(e: Event): void {
    const i = e.req, pd = this.citizen(i), log = this.log, s = this.scheduler
    switch (e.kind) {
      case Ev.Retry:
        if (this.unserved(i) && !(this.policy.retry ? this.policy.retry(this, i) : this.tryBook(i, pd.patience))) this.retryLater(i)
        break
      case Ev.Cancel:
        if (pd.appointmentId && log.hadAppointment(i)) {
          s.cancel(pd.appointmentId)
          log.setOutcome(i, 'cancelled')
        }
        break
      case Ev.OfferAnswer: {
        try {
          if (e.accept) {
            const a = s.acceptOffer(e.ref!)
            if (this.port.ctx.now >= this.window.from) this.totals.offersAccepted++
            const o = this.m.officeIndex.get(a.officeId)!
            // A disrupted appointment placed again counts as the booking it replaces, not as a waitlist success.
            this.booked(i, this.disruptedOn.has(i) ? 'booked' : 'waitlist_booked', a.id, Date.parse(a.start), o, (Date.parse(a.end) - Date.parse(a.start)) / this.m.unitMs)
          } else {
            s.declineOffer(e.ref!)
            if (this.disruptedOn.has(i)) this.disruptedWaits(i)
          }
        } catch (err) {
          // The offer expired or was withdrawn before the citizen answered: nothing to do.
          if (!(err instanceof TerminplanError) || (err.code !== 'NOT_FOUND' && err.code !== 'EXPIRED' && err.code !== 'CONFLICT')) throw err
        }
        break
      }
      case Ev.SickCalls:
        this.sickCalls()
        break
      case Ev.GiveUp:
        if (!this.unserved(i) || pd.entryId === undefined) break
        try {
          s.leaveWaitlist(pd.entryId)
        } catch (err) {
          if (!(err instanceof TerminplanError) || err.code !== 'NOT_FOUND') throw err
        }
        pd.entryId = undefined
        this.policy.gaveUp(this, i)
        break
    }
  }

  /**
   * A disrupted citizen without an alternative they took: with automatic offers (the waitlist
   * policies) they stay on the waitlist, urgent; without (fcfs and the 14-day window, as today's
   * systems leave it to the citizen) they leave it and look again themselves.
   */
  disruptedWaits(i: number): void {
    const pd = this.citizen(i)
    if (this.port.offerEngine().auto || pd.entryId === undefined) return
    try {
      this.scheduler.leaveWaitlist(pd.entryId)
    } catch (err) {
      if (!(err instanceof TerminplanError) || err.code !== 'NOT_FOUND') throw err
    }
    pd.entryId = undefined
    this.retryLater(i)
  }

  /** Whether the clock is in the measured days. */
  measured(): boolean {
    return this.port.ctx.now >= this.window.from && this.port.ctx.now < this.window.until + GOAL_MS
  }

  /**
   * The morning's sick calls (behaviour.sickCallsPerYear, per working day): each staff member on
   * duty today and not already ill starts an episode with that probability, of a geometric length
   * (behaviour.sickDaysMean calendar days); all of them go to the scheduler as one live change,
   * absent from now to the episode's end, which re-plans what they had booked.
   */
  sickCalls(): void {
    const b = this.opt.behaviour
    const m = this.m, now = this.port.ctx.now
    const day = this.port.ctx.nowDay, runDay = day - this.t0Day
    const p = b.sickCallsPerYear / 250
    const onDuty = new Set<number>()
    const segs = this.port.ctx.daySegs[day]
    // Overbooking time is nobody's: it does not fall sick.
    for (let k = 0; k < segs.n; k++) if (segs.end[k] > this.port.ctx.nowUnit && !m.scenario.staff[segs.staff[k]].overbooking) onDuty.add(segs.staff[k])
    const changes: { kind: 'absence'; staff: string; from: string; to: string }[] = []
    for (const staff of [...onDuty].sort((x, y) => x - y)) {
      if ((this.sickUntil.get(staff) ?? -1) > runDay || this.sickRng.next() >= p) continue
      // Geometric number of calendar days with mean sickDaysMean (at least today).
      let days = 1
      while (this.sickRng.next() < 1 - 1 / b.sickDaysMean && days < 365) days++
      this.sickUntil.set(staff, runDay + days)
      changes.push({ kind: 'absence', staff: m.staffIds[staff], from: this.port.cal.formatMs(now), to: this.port.cal.formatMs(this.dayMs(runDay + days)) })
    }
    if (changes.length === 0) return
    const r = this.scheduler.applyChange({ name: `sick calls ${m.dates[day]}`, changes })
    if (this.measured()) {
      this.totals.sickCalls += changes.length
      this.totals.disrupted += r.affected
      this.totals.replacedSameDay += r.moved
    }
  }

  /** One simulated day: the policy's midnight, then requests merged in time order with the other events. */
  async day(day: number): Promise<void> {
    // The port, not its context: a sick call replaces the booking state (and its context).
    const s = this.scheduler, port = this.port
    const midnight = this.dayMs(day)
    if (midnight > port.ctx.now) s.setNow(midnight)
    this.totals.waitlistLength.push({ date: this.m.dates[this.t0Day + day], waiting: this.port.waiting() })
    await this.policy.atMidnight?.(this, day, this.t0Day + day)
    if (this.opt.behaviour.sickCallsPerYear > 0) this.push(midnight + 7 * 3_600_000, Ev.SickCalls, -1)
    const arrivals = this.citizens.arrive(this.m.dates[this.t0Day + day], midnight)
    const next = this.dayMs(day + 1)
    const at = this.log.requestedAt
    let ai = 0
    for (;;) {
      const top = this.heap.length > 0 && this.heap.peek()!.t < next ? this.heap.peek()! : null
      if (ai < arrivals.length && (!top || at[arrivals[ai]] <= top.t)) {
        const i = arrivals[ai++]
        if (at[i] > port.ctx.now) s.setNow(at[i])
        this.arrival(i)
        continue
      }
      if (!top) break
      this.heap.pop()
      if (top.t > port.ctx.now) s.setNow(top.t)
      this.handle(top)
    }
  }

  /** Offers reach the simulated citizens, who answer after a while; freed time is tracked for the KPIs. */
  listen(): void {
    const s = this.scheduler, b = this.opt.behaviour
    const port = this.port
    s.on('offer', ({ offer }) => {
      const ctx = port.ctx
      const i = Number(offer.citizenId.slice(1))
      if (ctx.now >= this.window.from) this.totals.offersMade++
      const accept = this.offerRng.next() < b.offerAcceptShare
      this.push(ctx.now + this.offerRng.int(b.offerAnswerMinutes + 1) * 60_000, Ev.OfferAnswer, i, offer.id, accept)
    })
    // A sick call's disruption: the citizen lost the appointment; an alternative offer (if any) arrives as an `offer`.
    s.on('appointmentDisrupted', ({ appointment, entry, offer }) => {
      const ctx = port.ctx
      if (appointment.citizenId === undefined) return
      const i = Number(appointment.citizenId.slice(1))
      const pd = this.citizen(i)
      if (pd.appointmentId !== appointment.id) return
      pd.appointmentId = undefined
      this.log.setOutcome(i, 'unserved')
      this.disruptedOn.set(i, ctx.nowDay - this.t0Day)
      if (entry) {
        pd.entryId = entry.id
        if (!offer) this.disruptedWaits(i)
        else this.push(Math.max(ctx.now + DAY_MS, this.log.requestedAt[i] + pd.patience * DAY_MS), Ev.GiveUp, i)
      }
    })
    // An alternative that expired unanswered: as a decline.
    s.on('offerExpired', ({ offer }) => {
      const i = Number(offer.citizenId.slice(1))
      if (this.disruptedOn.has(i)) this.disruptedWaits(i)
    })
    const measuredFrom = this.opt.fillDays + this.opt.warmupDays
    s.on('freed', (f) => {
      if (f.reason !== 'cancelled') return
      const m = this.m, cal = port.cal
      const a = (Date.parse(f.start) - m.t0) / m.unitMs, e = (Date.parse(f.end) - m.t0) / m.unitMs
      const day = cal.dayOfUnit(a) - this.t0Day
      if (day >= measuredFrom && day < this.totalDays) this.totals.freed.push({ p: m.staffIndex.get(f.staffId)!, a, b: e })
    })
  }
}

export async function simulate(scenario: Scenario, optionsInput: SimulationOptionsInput, hooks: SimulationHooks = {}): Promise<SimulationRun> {
  const opt = parseCommand(SimulationOptionsSchema, optionsInput, 'simulation options')
  const traits = policyTraits(opt.policy)
  if (traits.needsLp && !hooks.lp) fail('COMMAND_INVALID', '$.policy', 'needs_lp', `the ${opt.policy} policy needs an LP back end (hooks.lp)`)
  const from = opt.from ?? scenario.horizon.start
  const totalDays = opt.fillDays + opt.warmupDays + opt.days
  // The input was validated when it was loaded; every change here keeps it valid, so compile directly.
  const sc = runScenario(scenario, from, totalDays, traits, opt)
  const s = createScheduler(sc, { now: startOfLocalDay(sc.timezone, from), waitlist: { autoOffer: traits.autoOffer }, limits: { waitlistSize: 10_000_000 } })
  const sim = new Sim(s, createPolicy(opt.policy, s), opt, from, totalDays, hooks.lp)
  sim.listen()
  await fillCalendars(sim, (d) => hooks.onProgress?.(d, totalDays))
  for (let day = opt.fillDays; day < totalDays; day++) {
    await sim.day(day)
    hooks.onProgress?.(day + 1, totalDays)
  }
  const simEnd = sim.dayMs(totalDays)
  if (simEnd > sim.port.ctx.now) s.setNow(simEnd)
  return { result: summarise(sim, scenario, simEnd), log: sim.log, model: sim.m, scheduler: s, goals: goalMarks(sim.log, sim.window) }
}
