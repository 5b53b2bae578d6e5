/**
 * The day of service on the built-in Berlin example: a morning at one office. Citizens with
 * appointments check in (early, on time, late), citizens without one take a walk-in ticket, the
 * staff call the next citizen by the call rule (appointments at their time, walk-ins in the gaps),
 * one citizen does not come and their time goes to a waiting walk-in, and the recorded service
 * times become an overlay the plan can take.
 * Run: npx tsx examples/day-of-service.ts
 */
import { createScheduler, type Ticket } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
const s = createScheduler(scenario, { now: '2026-12-01T08:00:00+01:00' })
const office = scenario.offices[0].id
const day = '2026-12-02'
const at = (hhmm: string) => `${day}T${hhmm}:00+01:00`

// The evening before: eight citizens book ID cards (120703) tomorrow from 08:00 at this office.
const booked = []
for (let i = 0; i < 8; i++) {
  const slot = s.search({ services: ['120703'], offices: [office], from: day, to: day, citizenId: `c${i}` }).slots[0]
  booked.push(s.confirm(s.hold(slot, { citizenId: `c${i}` }).id))
}
const show = (t: Ticket) => `${t.code} ${t.kind === 'walkIn' ? 'walk-in' : `${t.start!.slice(11, 16)} appointment`}${t.staffId ? ` → ${t.staffId}` : ''}`

// 07:50: the first citizens check in at the terminal; two walk-ins take a ticket.
s.setNow(at('07:50'))
for (const a of booked.slice(0, 3)) console.log('checked in', show(s.checkIn(a.id)))
for (let i = 0; i < 2; i++) console.log('walk-in', show(s.checkInWalkIn({ officeId: office, services: ['120703'] })))

// 08:00: the clerks with an 08:00 appointment call. A walk-in would delay a citizen who may still
// come by more than policy.dayOfService.walkInMaxDelayMinutes (10), so each calls their own.
s.setNow(at('08:00'))
const clerks = [...new Set(booked.map((a) => a.staffId))]
const serving = new Map<string, Ticket>()
for (const clerk of clerks) {
  const t = s.callNext(office, clerk)
  if (!t) continue
  console.log(`08:00 ${clerk} calls`, show(t))
  serving.set(clerk, s.startService(t.id))
}
console.log('waiting:', s.tickets(office).filter((t) => t.state === 'waiting').map((t) => `${t.code} (≈ ${t.predictedWaitMinutes ?? '–'} min, if the office's other clerks call too)`).join(', '))

// 08:05: someone comes to deregister (120335, 10 minutes). At 08:10 five 08:00 citizens have not
// come: no-shows. The first walk-in that fits the time left (08:10–08:20) gets it, reserved.
s.setNow(at('08:05'))
console.log('walk-in', show(s.checkInWalkIn({ officeId: office, services: ['120335'] })))
s.setNow(at('08:10'))
for (const n of s.noShows())
  console.log(`no-show ${n.appointment.start.slice(11, 16)} (${n.appointment.staffId}): ${n.toWalkInMinutes} min to a walk-in, ${n.releasedMinutes} min back to the waitlist and the pool`)
for (const t of s.tickets(office).filter((x) => x.reservedStaffId)) {
  const called = s.callNext(office, t.reservedStaffId!)!
  console.log(`08:10 ${t.reservedStaffId} calls`, show(called))
  serving.set(t.reservedStaffId!, s.startService(called.id))
}
// The other clerks whose citizen did not come have nothing booked now: the walk-ins' turn.
for (const clerk of clerks.filter((c) => !serving.has(c))) {
  const t = s.callNext(office, clerk)
  if (!t) continue
  console.log(`08:10 ${clerk} calls`, show(t))
  serving.set(clerk, s.startService(t.id))
}

// Services take their time; at 08:25 the first round is done.
s.setNow(at('08:25'))
for (const t of serving.values()) s.finishService(t.id)

// The day's figures, and the recorded service times as a what-if the planners can compare.
console.log('\nday:', JSON.stringify(s.dayStats()))
for (const d of s.durationStats()) console.log(`recorded ${d.services.join('+')} at ${d.officeId}: ${d.count} × mean ${d.meanMinutes.toFixed(1)} min, p90 ${d.p90Minutes} (planned ${d.plannedMinutes})`)
try {
  console.log('overlay:', JSON.stringify(s.durationOverlay({ minSamples: 1 })))
} catch (e) {
  console.log('no overlay yet:', (e as Error).message)
}
