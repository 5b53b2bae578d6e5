/**
 * The day of service (issue #15) at a busy office: Berlin's office with the most staff, its
 * next working day booked full, at 10:00 with the morning's citizens checked in (early, on time
 * and late), walk-ins waiting and half the staff serving. Rows:
 * - `callNext` for a free staff member: the call rule over the queue and the staff member's
 *   bookings of the day, and the walk-in's time reserved in the ledger;
 * - `tickets(office)`: every ticket with its predicted wait (the rule run forward for the day);
 * - the peer, measured on the same state in the same run: `search` for one service at that office,
 *   the call a booking backend makes most.
 * callNext changes the state, so each iteration calls on a copy of the same state, restored from a
 * snapshot before the measurement (the office alone, so that restores are quick).
 */
import { createScheduler, restoreScheduler, type Scenario } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'
import { createRng } from '../src/model/random.js'
import { getBit } from '../src/model/bitset.js'
import { wallToInstant, formatInstant } from '../src/model/tz.js'
import { enginePort } from '../src/solver/scheduler/index.js'
import { compare, measure, type BenchContext } from './lib.js'

/** Berlin reduced to its office with the most staff (and those staff). */
function busiestOffice(): { scenario: Scenario; office: string } {
  const s = readScenario('berlin')
  const staffAt = new Map<string, number>()
  for (const p of s.staff) staffAt.set(p.office, (staffAt.get(p.office) ?? 0) + 1)
  const [office] = [...staffAt].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]
  const scenario: Scenario = {
    ...s,
    offices: s.offices.filter((o) => o.id === office),
    staff: s.staff.filter((p) => p.office === office && p.shifts.every((sh) => sh.office === undefined || sh.office === office)),
    demand: s.demand.filter((d) => !d.offices || d.offices.includes(office)),
    appointments: [],
    waitlist: [],
  }
  return { scenario, office }
}

export async function daySuite(ctx: BenchContext): Promise<void> {
  const { scenario, office } = busiestOffice()
  const zone = scenario.timezone
  const s0 = createScheduler(scenario, { now: wallToInstant(zone, scenario.horizon.start, 7 * 60) })
  const port = enginePort(s0)
  const m = port.model
  const nS = m.serviceIds.length
  const rng = createRng(15)
  const day = Math.min(...m.segments.map((g) => g.day).filter((d) => d > 0))
  const date = m.dates[day]
  // The day booked full: each staff member's working time, a random service they can serve after another.
  let booked = 0
  for (const seg of m.segments) {
    if (seg.day !== day) continue
    const choices: number[] = []
    for (let si = 0; si < nS; si++) if (m.durationUnits[seg.office * nS + si] > 0 && m.skill[seg.staff * nS + si] === 1) choices.push(si)
    for (let u = seg.start; choices.length && u < seg.end; ) {
      const si = choices[rng.int(choices.length)]
      const dur = m.durationUnits[seg.office * nS + si]
      if (u + dur > seg.end) break
      if (!getBit(s0.busyUnits(seg.staff), u)) port.placeAppointment(seg.office, seg.staff, u, u + dur, [m.serviceIds[si]], `c${booked++}`)
      u += dur
    }
  }
  const at = (min: number) => formatInstant(zone, wallToInstant(zone, date, min))
  s0.setNow(at(8 * 60))
  // Citizens come from 08:00 to 10:00 for appointments up to 10:40, 9 in 10 of them; walk-ins through the morning.
  const appts = s0.appointments().filter((a) => a.start >= at(8 * 60 + 30) && a.start < at(10 * 60 + 40))
  const arrivals: { t: number; id?: string; services?: string[] }[] = []
  for (const a of appts) if (rng.next() < 0.9) arrivals.push({ t: Math.max(8 * 60, Math.min(10 * 60, Math.round((Date.parse(a.start) - Date.parse(at(0))) / 60_000 - 10 + 15 * rng.next()))), id: a.id })
  for (let i = 0; i < 40; i++) arrivals.push({ t: 8 * 60 + Math.floor(rng.next() * 120), services: appts[rng.int(appts.length)].services })
  arrivals.sort((x, y) => x.t - y.t)
  // The morning minute by minute: citizens check in, free staff call the next, services take about their planned time.
  const staffAt = (min: number) => {
    const u = (Date.parse(at(min)) - m.t0) / m.unitMs
    return [...new Set(m.segments.filter((g) => g.day === day && g.start <= u && g.end > u).map((g) => m.staffIds[g.staff]))].sort()
  }
  const serving = new Map<string, { ticket: string; until: number }>()
  const o = m.officeIndex.get(office)!
  let next = 0
  for (let t = 8 * 60; t <= 10 * 60; t++) {
    s0.setNow(at(t))
    while (next < arrivals.length && arrivals[next].t <= t) {
      const x = arrivals[next++]
      if (x.id) s0.checkIn(x.id)
      else s0.checkInWalkIn({ officeId: office, services: x.services! })
    }
    for (const id of staffAt(t)) {
      const cur = serving.get(id)
      if (cur && cur.until <= t) {
        s0.finishService(cur.ticket)
        serving.delete(id)
      }
      // At 10:00 the free ones stay free: their next call is the one timed.
      if (serving.has(id) || t === 10 * 60) continue
      const called = s0.callNext(office, id)
      if (!called) continue
      s0.startService(called.id)
      const minutes = called.services.reduce((a, sv) => a + m.durationUnits[o * nS + m.serviceIndex.get(sv)!] * m.unitMinutes, 0)
      serving.set(id, { ticket: called.id, until: t + Math.max(1, Math.round(minutes * (0.7 + 0.6 * rng.next()))) })
    }
  }
  const staff = staffAt(10 * 60)
  const free = staff.filter((id) => !serving.has(id))
  if (free.length === 0) throw new Error('nobody is free at 10:00: the bench state is wrong')
  const snap = s0.snapshot()
  const waiting = s0.tickets(office).filter((t) => t.state === 'waiting').length
  const size = `Berlin's busiest office (${staff.length} staff on shift, ${booked} appointments that day), ${waiting} waiting`

  // callNext changes the state: each iteration calls on a scheduler of its own, restored beforehand
  // (not in the timed part, and not just before it, so restore's garbage is not collected on our time).
  const n = ctx.ci ? 30 : 150
  // Each is warmed by reading its queue once, as the office's call display does all day.
  const pool = Array.from({ length: n + 8 }, () => {
    const r = restoreScheduler(scenario, snap)
    r.tickets(office)
    return r
  })
  let k = 0
  let called = 0
  const callRow = await measure(ctx, 'day', 'callNext at a busy office', size, () => {
    const cur = pool[k % pool.length]
    if (cur.callNext(office, free[Math.floor(k / pool.length) % free.length])) called++
    k++
  }, { iterations: n, timeMs: 1, warmupIterations: 4 })
  if (called === 0) throw new Error('callNext never called anyone: the bench state is wrong')
  const s = restoreScheduler(scenario, snap)
  const ticketsRow = await measure(ctx, 'day', 'tickets(office) with predicted waits', size, () => s.tickets(office))
  const service = s.tickets(office)[0].services[0]
  const searchRow = await measure(ctx, 'day', 'search one service at that office (peer)', size, () => s.search({ services: [service], offices: [office] }))
  compare(callRow, searchRow)
  compare(ticketsRow, searchRow)
  callRow.extra = { staffOnShift: staff.length, waiting, calledShare: Math.round((called / Math.max(1, k)) * 100) / 100 }
}
