/**
 * The CalendarAdapter contract, run against every adapter (in-memory .ics and a real CalDAV
 * server): idempotent writes by UID, deletes, listing, availability as model types.
 */
import { expect } from 'vitest'
import { syncAppointments, type CalendarAdapter, type CalendarAppointment } from '../../src/adapters/calendar-port.js'
import { loadScenario } from '../../src/model/load.js'
import type { Scenario } from '../../src/model/schema.js'
import { createScheduler, type Scheduler } from '../../src/solver/index.js'

export function contractScenario(): Scenario {
  return loadScenario({
    horizon: { start: '2027-03-22', days: 14 },
    services: [
      { id: 's1', name: 'Personalausweis beantragen', durationMinutes: 20 },
      { id: 's2', name: 'Anmeldung einer Wohnung', durationMinutes: 10 },
    ],
    offices: [
      { id: 'o1', name: 'Bürgeramt Mitte', district: 'Mitte', openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }], services: ['s1', 's2'], desks: 2 },
      { id: 'o2', name: 'Bürgeramt Pankow', district: 'Pankow', openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }], services: ['s1'], desks: 1 },
    ],
    staff: [
      {
        id: 'p1',
        office: 'o1',
        skills: ['s1', 's2'],
        shifts: [
          { weekdays: [1, 3], from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] },
          { date: '2027-03-26', from: '09:00', to: '13:00', office: 'o2' },
        ],
        absences: [{ from: '2027-03-31', to: '2027-04-01' }],
      },
      { id: 'p2', office: 'o2', skills: ['s1'], shifts: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }] },
    ],
  })
}

export const appointment = (over: Partial<CalendarAppointment> = {}): CalendarAppointment => ({
  uid: 'A1@terminplan',
  appointmentId: 'A1',
  officeId: 'o1',
  officeName: 'Bürgeramt Mitte',
  services: ['s1'],
  serviceNames: ['Personalausweis beantragen'],
  start: '2027-03-22T08:00:00+01:00',
  end: '2027-03-22T08:20:00+01:00',
  ...over,
})

/** Puts, re-puts, updates, lists and deletes; returns nothing, asserts everything. */
export async function writeContract(adapter: CalendarAdapter): Promise<void> {
  const a = appointment()
  expect(await adapter.putAppointment(a)).toBe('created')
  expect(await adapter.putAppointment(a)).toBe('unchanged')
  const moved = appointment({ start: '2027-03-29T09:00:00+02:00', end: '2027-03-29T09:20:00+02:00' })
  expect(await adapter.putAppointment(moved)).toBe('updated')
  expect(await adapter.putAppointment(moved)).toBe('unchanged')
  const b = appointment({ uid: 'B2@terminplan', appointmentId: 'B2', services: ['s1', 's2'], serviceNames: ['Personalausweis beantragen', 'Anmeldung einer Wohnung'], start: '2027-03-24T10:00:00+01:00', end: '2027-03-24T10:30:00+01:00', citizenId: 'c-9' })
  expect(await adapter.putAppointment(b)).toBe('created')
  const list = await adapter.listAppointments()
  expect(list.map((x) => x.uid)).toEqual(['B2@terminplan', 'A1@terminplan'])
  expect(list[1]).toEqual(moved)
  expect(list[0]).toEqual(b)
  expect((await adapter.listAppointments({ from: '2027-03-29', to: '2027-03-29' })).map((x) => x.uid)).toEqual(['A1@terminplan'])
  expect(await adapter.deleteAppointment('A1@terminplan')).toBe(true)
  expect(await adapter.deleteAppointment('A1@terminplan')).toBe(false)
  expect(await adapter.deleteAppointment('B2@terminplan')).toBe(true)
  expect(await adapter.listAppointments()).toEqual([])
}

/** A scheduler with a few confirmed appointments at both offices. */
export function bookedScheduler(s: Scenario): Scheduler {
  const sched = createScheduler(s, { now: '2027-03-22T07:00:00+01:00' })
  const take = (services: string[], office: string, date: string, citizenId: string) => {
    const { slots } = sched.search({ services, offices: [office], from: date, to: date, limit: 1 })
    return sched.confirm(sched.hold(slots[0], { citizenId }).id)
  }
  take(['s1'], 'o1', '2027-03-22', 'c-1')
  take(['s1', 's2'], 'o1', '2027-03-24', 'c-2')
  take(['s1'], 'o2', '2027-03-23', 'c-3')
  take(['s2'], 'o1', '2027-03-29', 'c-4')
  return sched
}

/** Sync twice (the second writes nothing), cancel one, sync again (it is deleted). */
export async function syncContract(adapter: CalendarAdapter, s: Scenario): Promise<void> {
  const sched = bookedScheduler(s)
  const before = JSON.stringify(sched.snapshot())
  const first = await syncAppointments(sched.appointments(), adapter, s, { officeId: 'o1' })
  expect(first).toEqual({ created: 3, updated: 0, unchanged: 0, deleted: 0 })
  expect(await syncAppointments(sched.appointments(), adapter, s, { officeId: 'o1' })).toEqual({ created: 0, updated: 0, unchanged: 3, deleted: 0 })
  const listed = await adapter.listAppointments()
  expect(listed.every((x) => x.officeId === 'o1' && x.staffId === undefined && x.citizenId === undefined)).toBe(true)
  expect(JSON.stringify(sched.snapshot())).toBe(before) // syncing only reads the scheduler
  const victim = sched.appointments().find((a) => a.officeId === 'o1')!
  sched.cancel(victim.id)
  expect(await syncAppointments(sched.appointments(), adapter, s, { officeId: 'o1' })).toEqual({ created: 0, updated: 0, unchanged: 2, deleted: 1 })
  expect((await adapter.listAppointments()).map((x) => x.appointmentId)).not.toContain(victim.id)
  // Opting in to ids changes the content: an update, not a duplicate.
  expect(await syncAppointments(sched.appointments(), adapter, s, { officeId: 'o1', privacy: { citizen: true } })).toEqual({ created: 0, updated: 2, unchanged: 0, deleted: 0 })
  expect((await adapter.listAppointments()).every((x) => x.citizenId !== undefined)).toBe(true)
}
