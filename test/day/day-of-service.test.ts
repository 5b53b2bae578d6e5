/**
 * The day of service by example: check-in windows, the call rule's choices, no-show release in its
 * three steps (walk-in, waitlist, pool), service times into statistics and an overlay, bad input
 * that changes nothing, and the day in snapshots.
 */
import { describe, expect, it } from 'vitest'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import { createScheduler, restoreScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { at, dayScenario } from './fixtures.js'

function make(now = at('08:30'), edit?: (s: ScenarioInput) => void): Scheduler {
  const input = dayScenario()
  edit?.(input)
  return createScheduler(loadScenario(input), { now })
}

function rejects(fn: () => unknown, code: string, path: string, issue?: string): void {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(TerminplanError)
    const err = e as TerminplanError
    expect(err.code).toBe(code)
    expect(err.issues[0].path).toBe(path)
    if (issue) expect(err.issues[0].code).toBe(issue)
    return
  }
  throw new Error('expected a rejection')
}

describe('check-in', () => {
  it('gives tickets with display codes and punctuality, per office and kind', () => {
    const s = make(at('08:59'))
    const a = s.checkIn('a-ana-9')
    expect(a).toMatchObject({ code: 'A-001', kind: 'appointment', punctuality: 'early', state: 'waiting', appointmentId: 'a-ana-9', start: at('09:00') })
    const w = s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    expect(w).toMatchObject({ code: 'W-001', kind: 'walkIn', state: 'waiting' })
    expect(w.appointmentId).toBeUndefined()
    expect(s.checkInWalkIn({ officeId: 'nord', services: ['reg'] }).code).toBe('W-001')
    s.setNow(at('09:05'))
    expect(s.checkIn('a-ben-9').punctuality).toBe('late')
    // No personal data: the ticket carries no citizen id.
    expect(JSON.stringify(s.tickets())).not.toMatch(/"c[123]"/)
  })

  it('opens earlyCheckInMinutes before the start and closes noShowMinutes after it', () => {
    const s = make(at('06:59'), (x) => (x.policy = { dayOfService: { earlyCheckInMinutes: 120, noShowMinutes: 10 } }))
    rejects(() => s.checkIn('a-ana-9'), 'COMMAND_INVALID', '$.at', 'too_early')
    s.setNow(at('09:10'))
    expect(s.checkIn('a-ana-9').punctuality).toBe('late')
    rejects(() => s.checkIn('a-ana-9'), 'CONFLICT', '$.appointmentId', 'already_checked_in')
  })

  it('rejects bad input with a path and changes nothing', () => {
    const s = make(at('08:50'))
    s.checkIn('a-ana-9')
    const before = JSON.stringify(s.snapshot())
    rejects(() => s.checkIn('nope'), 'NOT_FOUND', '$.appointmentId')
    rejects(() => s.checkIn(42 as unknown as string), 'COMMAND_INVALID', '$.appointmentId')
    rejects(() => s.checkIn('a-ben-9', { at: at('09:30') }), 'COMMAND_INVALID', '$.at', 'in_the_future')
    rejects(() => s.checkInWalkIn({ officeId: 'mitte', services: ['nope'] }), 'COMMAND_INVALID', '$.services[0]')
    rejects(() => s.checkInWalkIn({ officeId: 'nord', services: ['pass'] }), 'COMMAND_INVALID', '$.services', 'service_not_offered')
    rejects(() => s.checkInWalkIn({ officeId: 'zzz', services: ['reg'] }), 'NOT_FOUND', '$.officeId')
    rejects(() => s.checkInWalkIn({ officeId: 'mitte', services: ['reg'], name: 'Max' } as never), 'COMMAND_INVALID', '$.name')
    rejects(() => s.callNext('mitte', 'cem'), 'COMMAND_INVALID', '$.staffId', 'not_on_shift')
    rejects(() => s.callNext('mitte', 'nobody'), 'NOT_FOUND', '$.staffId')
    rejects(() => s.startService('t1'), 'CONFLICT', '$.ticketId', 'not_called')
    rejects(() => s.finishService('t9'), 'NOT_FOUND', '$.ticketId')
    rejects(() => s.missCall('t1'), 'CONFLICT', '$.ticketId', 'not_called')
    expect(JSON.stringify(s.snapshot())).toBe(before)
    const t = s.callNext('mitte', 'ana')!
    rejects(() => s.callNext('mitte', 'ana'), 'CONFLICT', '$.staffId', 'staff_busy')
    rejects(() => s.leaveQueue(t.id), 'CONFLICT', '$.ticketId', 'not_waiting')
  })
})

describe('the call rule', () => {
  it('calls due appointments first, earliest start, skills respected', () => {
    const s = make(at('08:40'))
    const pass = s.checkIn('a-ana-9')
    const walk = s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    s.setNow(at('09:00'))
    // ben lacks 'pass'; his own 09:00 citizen has not come, and a 10-minute walk-in delays it by 10 minutes, the limit.
    const byBen = s.callNext('mitte', 'ben')
    expect(byBen?.id).toBe(walk.id)
    const byAna = s.callNext('mitte', 'ana')
    expect(byAna?.id).toBe(pass.id)
  })

  it('fills gaps with walk-ins only where no appointment is delayed past the limit', () => {
    const s = make(at('08:55'), (x) => (x.policy = { dayOfService: { walkInMaxDelayMinutes: 5 } }))
    const w = s.checkInWalkIn({ officeId: 'mitte', services: ['pass'] })
    // ana's next appointment is at 09:00; a 20-minute walk-in would end at 09:15, 15 minutes late.
    expect(s.callNext('mitte', 'ana')).toBeNull()
    s.setNow(at('08:56'))
    s.checkIn('a-ana-9')
    s.setNow(at('09:00'))
    const first = s.callNext('mitte', 'ana')!
    expect(first.appointmentId).toBe('a-ana-9')
    s.startService(first.id)
    s.setNow(at('09:20'))
    s.finishService(first.id)
    // 09:20 + 20 = 09:40 against 09:30 + 5: too long, though the 09:30 citizen is not there yet.
    expect(s.callNext('mitte', 'ana')).toBeNull()
    s.setNow(at('09:30'))
    const second = s.checkIn('a-ana-930')
    expect(s.callNext('mitte', 'ana')?.id).toBe(second.id)
    s.startService(second.id)
    s.setNow(at('09:40'))
    s.finishService(second.id)
    // Nothing booked after 09:40: the walk-in's turn, and its time is reserved in the ledger.
    const t = s.callNext('mitte', 'ana')!
    expect(t.id).toBe(w.id)
    expect(s.appointments().find((a) => a.id === t.appointmentId)).toMatchObject({ staffId: 'ana', start: at('09:40'), end: at('10:00') })
    expect(s.search({ services: ['reg'], offices: ['mitte'] }).slots.filter((x) => x.staffId === 'ana' && x.start < at('10:00') && x.start >= at('09:40'))).toEqual([])
  })

  it('serves early citizens early only where that fits', () => {
    const s = make(at('08:00'))
    s.checkIn('a-ana-930')
    // ana's next other appointment is 09:00: a 10-minute service now fits.
    expect(s.callNext('mitte', 'ana')?.appointmentId).toBe('a-ana-930')
  })
})

describe('no-show release', () => {
  it('marks an appointment nobody checked in for as a no-show at its deadline', () => {
    const s = make(at('09:00'), (x) => (x.policy = { dayOfService: { walkInMaxDelayMinutes: 5 } }))
    s.checkIn('a-ana-9')
    // Check-in in use at mitte today; ben's 09:00 citizen does not come.
    const w = s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    // His 09:00 citizen may still come, and 10 minutes would delay them by more than 5.
    expect(s.callNext('mitte', 'ben')).toBeNull()
    const events: string[] = []
    s.on('noShow', (e) => events.push(`${e.noShow.appointment.id}:${e.walkIn?.id ?? '-'}`))
    s.setNow(at('09:09'))
    expect(events).toEqual([])
    s.setNow(at('09:10'))
    // The deadline has come: a-ben-9 is a no-show; its time (09:00–09:10) is over, nothing to give.
    expect(s.noShows().map((n) => n.appointment.id)).toEqual(['a-ben-9'])
    expect(s.appointments().some((a) => a.id === 'a-ben-9')).toBe(false)
    rejects(() => s.checkIn('a-ben-9'), 'CONFLICT', '$.appointmentId', 'no_show')
    expect(events).toEqual(['a-ben-9:-'])
    expect(s.tickets('mitte').find((t) => t.id === w.id)?.state).toBe('waiting')
  })

  it('a long no-show goes to a walk-in, then the waitlist, then the pool', () => {
    const s = make(at('08:50'), (x) => {
      x.policy = { dayOfService: { noShowMinutes: 5 } }
      x.appointments = [{ id: 'long', office: 'mitte', staff: 'ana', start: at('09:00'), services: ['pass', 'pass'], citizenId: 'c9' }]
      x.services[1].maxQuantity = 2
    })
    s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    // Takes a passport appointment between 09:00 and 09:40 at mitte, today included.
    const entry = s.joinWaitlist({ citizenId: 'w1', services: ['pass'], offices: ['mitte'], windows: [{ from: '09:00', to: '09:40' }], latest: '2026-06-01' })
    expect(s.offers()).toEqual([])
    s.setNow(at('09:05'))
    const n = s.noShows()
    expect(n).toHaveLength(1)
    // 09:00–09:40 booked; from 09:10 (the next unit after 09:05): 10 minutes to the walk-in, 20 released.
    expect(n[0]).toMatchObject({ toWalkInMinutes: 10, releasedMinutes: 20 })
    const walkIn = s.tickets('mitte').find((t) => t.kind === 'walkIn')!
    expect(walkIn).toMatchObject({ reservedStaffId: 'ana', start: at('09:10') })
    const offer = s.offers().find((o) => o.entryId === entry.id)!
    expect(offer.slot).toMatchObject({ staffId: 'ana', start: at('09:20'), end: at('09:40') })
    // Declined: the time goes back to the pool.
    const free = () => s.search({ services: ['reg'], offices: ['mitte'], limit: 50 }).slots.some((x) => x.staffId === 'ana' && x.start === at('09:20'))
    expect(free()).toBe(false)
    s.declineOffer(offer.id)
    expect(free()).toBe(true)
    // Only ana calls the reserved walk-in.
    expect(s.callNext('mitte', 'ben')).toBeNull()
    s.setNow(at('09:10'))
    expect(s.callNext('mitte', 'ana')?.id).toBe(walkIn.id)
    expect(s.dayStats()).toMatchObject({ noShows: 1, noShowMinutes: 40, recoveredMinutes: 10 })
  })
})

describe('service times', () => {
  it('feed duration statistics, predictions and an overlay the plan can take', () => {
    const s = make(at('08:00'), (x) => (x.appointments = []))
    const minutes = [18, 22, 19, 21, 25, 15]
    let t = Date.parse(at('08:00'))
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
    for (const m of minutes) {
      s.setNow(iso(t))
      const w = s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
      expect(s.callNext('mitte', 'ben')?.id).toBe(w.id)
      s.startService(w.id)
      t += m * 60_000
      s.setNow(iso(t))
      s.finishService(w.id)
    }
    const st = s.durationStats().find((d) => d.officeId === 'mitte' && d.services.join() === 'reg')!
    const sorted = [...minutes].sort((a, b) => a - b)
    expect(st.count).toBe(6)
    expect(st.meanMinutes).toBeCloseTo(minutes.reduce((a, b) => a + b) / 6, 9)
    expect(st.p90Minutes).toBe(sorted[Math.ceil(0.9 * 6) - 1])
    expect(st.plannedMinutes).toBe(10)
    // Three walk-ins wait; ana and ben are free: the prediction spreads them over both.
    for (let i = 0; i < 3; i++) s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    const waits = s.tickets('mitte').filter((x) => x.state === 'waiting').map((x) => x.predictedWaitMinutes)
    expect(waits[0]).toBe(0)
    expect(waits[1]).toBe(0)
    // The third waits for the first service to end, at the recorded mean (20 min), not the planned 10.
    expect(waits[2]).toBe(Math.ceil(minutes.reduce((a, b) => a + b) / 6))
    const overlay = s.durationOverlay({ minSamples: 5 })
    const change = overlay.changes[0] as { service: string; minutes: number; offices: string[] }
    expect(change).toMatchObject({ kind: 'serviceDuration', service: 'reg', offices: ['mitte'] })
    expect(change.minutes).toBe(Math.round(st.meanMinutes / 10) * 10)
    rejects(() => s.durationOverlay({ minSamples: 7 }), 'NOT_FOUND', '$.minSamples')
  })
})

describe('live changes on the day', () => {
  it("a sick call ends a walk-in's reserved time without reporting it as a disrupted booking", () => {
    const s = make(at('08:30'), (x) => (x.appointments = []))
    s.checkInWalkIn({ officeId: 'mitte', services: ['pass'] })
    const t = s.callNext('mitte', 'ana')!
    expect(s.appointments().map((a) => a.id)).toEqual([t.appointmentId])
    const r = s.applyChange({ name: 'sick', changes: [{ kind: 'absence', staff: 'ana', from: at('08:40'), to: at('12:00') }] })
    expect(r).toMatchObject({ affected: 0, unplaceable: 0 })
    expect(s.appointments()).toEqual([])
    s.startService(t.id)
    s.setNow(at('08:50'))
    expect(s.finishService(t.id).state).toBe('served')
  })
})

describe('in-office waits', () => {
  it('count from check-in for walk-ins and from the start for early appointments', () => {
    const s = make(at('08:30'), (x) => (x.appointments = [{ id: 'b', office: 'mitte', staff: 'ana', start: at('09:00'), services: ['reg'] }]))
    const w = s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    const a = s.checkIn('b')
    s.setNow(at('08:50'))
    expect(s.callNext('mitte', 'ben')?.id).toBe(w.id)
    s.startService(w.id)
    s.setNow(at('09:05'))
    expect(s.callNext('mitte', 'ana')?.id).toBe(a.id)
    s.startService(a.id)
    s.finishService(w.id)
    s.setNow(at('09:12'))
    s.finishService(a.id)
    // The walk-in waited 20 minutes (08:30–08:50), the early citizen 5 (09:00–09:05).
    expect(s.dayStats()).toMatchObject({ served: 2, waitP50Minutes: 5, waitP90Minutes: 20 })
  })
})

describe('snapshots', () => {
  it('carry the day: a restored scheduler continues exactly like the original', () => {
    const s = make(at('08:50'))
    s.checkIn('a-ana-9')
    s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    s.setNow(at('09:00'))
    const t = s.callNext('mitte', 'ana')!
    s.startService(t.id)
    s.setNow(at('09:15'))
    const snap = s.snapshot()
    expect(snap.day?.tickets).toHaveLength(2)
    const r = restoreScheduler(loadScenario(dayScenario()), JSON.parse(JSON.stringify(snap)))
    expect(JSON.stringify(r.snapshot())).toBe(JSON.stringify(snap))
    for (const x of [s, r]) {
      x.finishService(t.id)
      x.setNow(at('09:40'))
    }
    expect(r.tickets()).toEqual(s.tickets())
    expect(r.noShows()).toEqual(s.noShows())
    expect(JSON.stringify(r.snapshot())).toBe(JSON.stringify(s.snapshot()))
  })

  it('close the day: open tickets end as left the next day, and old tickets leave memory', () => {
    const s = make(at('08:50'))
    s.checkInWalkIn({ officeId: 'mitte', services: ['reg'] })
    s.setNow('2026-06-02T07:00:00+02:00')
    expect(s.tickets().map((t) => t.state)).toEqual(['left'])
    // a-ana-9, a-ana-930 and a-ben-9: nobody came.
    expect(s.dayStats()).toMatchObject({ walkIns: 1, left: 1, noShows: 3 })
    s.setNow('2026-06-04T07:00:00+02:00')
    expect(s.tickets()).toEqual([])
    expect(s.dayStats().walkIns).toBe(1)
  })
})
