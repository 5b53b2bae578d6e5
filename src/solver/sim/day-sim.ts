/**
 * The day of service, simulated: each measured office-day's booked appointments and a stream of
 * walk-ins run through the call rule (src/solver/day/rule.ts, via runQueue), the same rule
 * `callNext` applies live. Citizens arrive around their appointment (behaviour.lateness), walk-ins
 * over the opening hours (behaviour.walkInShare), services take a drawn time around the planned
 * one (behaviour.durationCv), and a no-show's time is free for whoever is waiting once
 * policy.dayOfService.noShowMinutes have passed. Appointments booked to overbooking staff (see the
 * `overbook` overlay) have no staff member of their own: whoever is free serves them.
 */
import type { Model } from '../../model/compile.js'
import { servicesDuration } from '../../model/compile.js'
import { createRng, type Rng } from '../../model/random.js'
import { DayPolicySchema } from '../../model/schema.js'
import type { AppointmentRec } from '../ledger.js'
import { segmentsByDay } from '../occupancy.js'
import { runQueue, type QueueCitizen, type QueueStaff } from '../day/queue-run.js'
import type { Behaviour } from './behaviour.js'
import { meanLength } from '../../model/overbooking.js'

const MIN = 60_000

export interface DayOfServiceKpis {
  /** Office-days simulated (measured days on which an office had staff at work). */
  officeDays: number
  /** Booked appointments on them, those who came and the no-shows. */
  appointments: number
  arrived: number
  noShows: number
  /** Booked staff hours of the no-shows, and the hours of it in which their staff member served someone else. */
  noShowHours: number
  noShowHoursRecovered: number
  /** Citizens served in the office: appointments and walk-ins. */
  citizensServed: number
  appointmentsServed: number
  walkIns: number
  walkInsServed: number
  /** Citizens (walk-ins, and appointments in an overloaded queue) still waiting at closing or out of patience. */
  left: number
  /** Minutes from arrival (or the appointment's start, if later) to the call; null without any. */
  appointmentWaitP50: number | null
  appointmentWaitP90: number | null
  walkInWaitP50: number | null
  walkInWaitP90: number | null
  /** Appointments called more than policy.dayOfService.walkInMaxDelayMinutes after their start (arrived on time). */
  appointmentsDelayed: number
  /** Appointments booked beyond the staff's own time (overbooking staff). */
  overbooked: number
}

export interface DaySimInput {
  m: Model
  behaviour: Behaviour
  seed: number
  /** Appointments to simulate (the measured days'), and whether their citizen does not come. */
  appointments: { rec: AppointmentRec; noShow: boolean }[]
  /** Model day indices to simulate. */
  days: number[]
}

/** A draw from N(0, 1) (Box–Muller). */
function normal(rng: Rng): number {
  const u1 = Math.max(rng.next(), 1e-12), u2 = rng.next()
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
}

/** Actual minutes around `planned`: log-normal with mean `planned` and coefficient of variation `cv`. */
function drawMinutes(rng: Rng, planned: number, cv: number): number {
  if (cv <= 0) return planned
  const s2 = Math.log(1 + cv * cv)
  return Math.max(1, Math.round(planned * Math.exp(Math.sqrt(s2) * normal(rng) - s2 / 2)))
}

const quantile = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return Math.round(s[Math.ceil(q * s.length) - 1] * 10) / 10
}

export function simulateDays(input: DaySimInput): DayOfServiceKpis {
  const { m, behaviour: b } = input
  const pol = m.scenario.policy.dayOfService ?? DayPolicySchema.parse({})
  const rng = createRng((input.seed ^ 0x2545f491) >>> 0)
  // Walk-ins from their own stream: the same ones come whatever was booked.
  const walkRng = createRng((input.seed ^ 0x68e31da4) >>> 0)
  const nS = m.serviceIds.length
  const daySegs = segmentsByDay(m)
  const virtual = new Set(m.scenario.staff.flatMap((p, i) => (p.overbooking ? [i] : [])))
  const byOfficeDay = new Map<number, { rec: AppointmentRec; noShow: boolean }[]>()
  const dayOf = (u: number) => {
    let lo = 0, hi = m.days - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (m.dayStart[mid] <= u) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const wanted = new Set(input.days)
  for (const a of input.appointments) {
    const d = dayOf(a.rec.start)
    if (!wanted.has(d)) continue
    const k = a.rec.office * m.days + d
    ;(byOfficeDay.get(k) ?? byOfficeDay.set(k, []).get(k)!).push(a)
  }
  const k: DayOfServiceKpis = {
    officeDays: 0, appointments: 0, arrived: 0, noShows: 0, noShowHours: 0, noShowHoursRecovered: 0, citizensServed: 0, appointmentsServed: 0, walkIns: 0, walkInsServed: 0, left: 0,
    appointmentWaitP50: null, appointmentWaitP90: null, walkInWaitP50: null, walkInWaitP90: null, appointmentsDelayed: 0, overbooked: 0,
  }
  const apptWaits: number[] = [], walkWaits: number[] = []
  let noShowMin = 0, recoveredMin = 0
  const walkInRatio = b.walkInShare < 1 ? b.walkInShare / (1 - b.walkInShare) : 0
  const meanMinutes = m.scenario.offices.map((o) => meanLength(m.scenario, o) || 20)
  for (const d of [...wanted].sort((x, y) => x - y)) {
    for (let o = 0; o < m.officeIds.length; o++) {
      const staff: QueueStaff[] = []
      const shiftsOf = new Map<number, [number, number][]>()
      for (let k = daySegs[d].officeFirst[o]; k < daySegs[d].officeFirst[o + 1]; k++) {
        const g = m.segments[daySegs[d].seg[daySegs[d].byOffice[k]]]
        if (virtual.has(g.staff)) continue
        const list = shiftsOf.get(g.staff) ?? shiftsOf.set(g.staff, []).get(g.staff)!
        list.push([m.t0 + g.start * m.unitMs, m.t0 + g.end * m.unitMs])
      }
      for (const [p, shifts] of [...shiftsOf].sort((x, y) => x[0] - y[0])) staff.push({ staff: p, shifts: shifts.sort((x, y) => x[0] - y[0]), freeAt: shifts[0][0] })
      if (staff.length === 0) continue
      k.officeDays++
      const appts = (byOfficeDay.get(o * m.days + d) ?? []).sort((x, y) => x.rec.start - y.rec.start || (x.rec.id < y.rec.id ? -1 : 1))
      const citizens: QueueCitizen[] = []
      const services = new Map<QueueCitizen, number[]>()
      let seq = 0
      const open = Math.min(...staff.map((s) => s.shifts[0][0]))
      const close = Math.max(...staff.map((s) => s.shifts[s.shifts.length - 1][1]))
      for (const { rec, noShow } of appts) {
        const sv = rec.services.map((id) => m.serviceIndex.get(id)!)
        const planned = (rec.end - rec.start) * m.unitMinutes
        const start = m.t0 + rec.start * m.unitMs
        const late = b.lateness.meanMinutes + b.lateness.sdMinutes * normal(rng)
        const arrival = noShow ? Infinity : Math.max(start - pol.earlyCheckInMinutes * MIN, Math.round(start + late * MIN))
        const own = virtual.has(rec.staff) ? -1 : rec.staff
        if (own < 0) k.overbooked++
        const c: QueueCitizen = {
          kind: 'appointment', start, booked: own, checkedInAt: arrival, expectedMs: planned * MIN, seq: seq++, services: sv,
          arrival, actualMs: drawMinutes(rng, planned, b.durationCv) * MIN, patienceMs: Infinity, calledAt: NaN, servedBy: -1, outcome: 'pending',
        }
        citizens.push(c)
        services.set(c, sv)
      }
      // Walk-ins: as many as the share says against what the staff's own time holds (so the same
      // under every policy and overlay that leaves the staff alone), needs drawn from the day's bookings.
      const staffMinutes = staff.reduce((a, st) => a + st.shifts.reduce((x, [f, t]) => x + (t - f) / MIN, 0), 0)
      const expected = (staffMinutes / meanMinutes[o]) * walkInRatio
      const n = Math.floor(expected) + (walkRng.next() < expected - Math.floor(expected) ? 1 : 0)
      const lastArrival = close - 30 * MIN
      for (let j = 0; j < n && appts.length > 0 && lastArrival > open; j++) {
        const like = appts[Math.floor(walkRng.next() * appts.length)].rec
        const sv = like.services.map((id) => m.serviceIndex.get(id)!)
        const planned = servicesDuration(m, o, sv) * m.unitMinutes
        const arrival = open + Math.floor(walkRng.next() * ((lastArrival - open) / MIN)) * MIN
        const c: QueueCitizen = {
          kind: 'walkIn', booked: -1, checkedInAt: arrival, expectedMs: planned * MIN, seq: seq++, services: sv,
          arrival, actualMs: drawMinutes(rng, planned, b.durationCv) * MIN, patienceMs: b.walkInPatienceMinutes * MIN, calledAt: NaN, servedBy: -1, outcome: 'pending',
        }
        citizens.push(c)
        services.set(c, sv)
      }
      runQueue({
        staff,
        citizens,
        noShowMs: pol.noShowMinutes * MIN,
        maxDelayMs: pol.walkInMaxDelayMinutes * MIN,
        canServe: (p, c) => services.get(c)!.every((x) => m.skill[p * nS + x] === 1),
      })
      // Who served what, when: for the no-show hours recovered.
      const serving = new Map<number, [number, number][]>()
      for (const c of citizens) if (c.outcome === 'served') (serving.get(c.servedBy) ?? serving.set(c.servedBy, []).get(c.servedBy)!).push([c.calledAt, c.calledAt + c.actualMs])
      for (const c of citizens) {
        if (c.kind === 'appointment') {
          k.appointments++
          if (c.outcome === 'noShow') {
            k.noShows++
            const from = c.start!, to = c.start! + c.expectedMs
            noShowMin += c.expectedMs / MIN
            if (c.booked >= 0) for (const [x, y] of serving.get(c.booked) ?? []) recoveredMin += Math.max(0, Math.min(y, to) - Math.max(x, from)) / MIN
            continue
          }
          k.arrived++
          if (c.outcome === 'left') k.left++
          else {
            k.appointmentsServed++
            const from = Math.max(c.arrival, c.start!)
            apptWaits.push((c.calledAt - from) / MIN)
            if (c.arrival <= c.start! && c.calledAt > c.start! + pol.walkInMaxDelayMinutes * MIN) k.appointmentsDelayed++
          }
        } else {
          k.walkIns++
          if (c.outcome === 'served') {
            k.walkInsServed++
            walkWaits.push((c.calledAt - c.arrival) / MIN)
          } else k.left++
        }
      }
    }
  }
  k.citizensServed = k.appointmentsServed + k.walkInsServed
  k.noShowHours = Math.round(noShowMin / 60)
  k.noShowHoursRecovered = Math.round(recoveredMin / 60)
  k.appointmentWaitP50 = quantile(apptWaits, 0.5)
  k.appointmentWaitP90 = quantile(apptWaits, 0.9)
  k.walkInWaitP50 = quantile(walkWaits, 0.5)
  k.walkInWaitP90 = quantile(walkWaits, 0.9)
  return k
}
