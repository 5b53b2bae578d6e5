/** A small office for the day-of-service tests: two staff, a 10-minute grid, three booked appointments. */
import type { ScenarioInput } from '../../src/model/schema.js'

export const DAY = '2026-06-01'
export const at = (hhmm: string, date = DAY) => `${date}T${hhmm}:00+02:00`

export function dayScenario(): ScenarioInput {
  const week = [1, 2, 3, 4, 5]
  return {
    horizon: { start: DAY, days: 5 },
    unitMinutes: 10,
    services: [
      { id: 'reg', name: 'Anmeldung', durationMinutes: 10 },
      { id: 'pass', name: 'Reisepass', durationMinutes: 20 },
    ],
    offices: [
      { id: 'mitte', name: 'Mitte', district: 'M', desks: 2, openingHours: [{ weekdays: week, from: '08:00', to: '12:00' }], bookingWindow: { minDays: 0, maxDays: 4 }, services: ['reg', 'pass'] },
      { id: 'nord', name: 'Nord', district: 'N', desks: 1, openingHours: [{ weekdays: week, from: '08:00', to: '12:00' }], services: ['reg'] },
    ],
    staff: [
      { id: 'ana', office: 'mitte', skills: ['reg', 'pass'], shifts: [{ weekdays: week, from: '08:00', to: '12:00' }] },
      { id: 'ben', office: 'mitte', skills: ['reg'], shifts: [{ weekdays: week, from: '08:00', to: '12:00' }] },
      { id: 'cem', office: 'nord', skills: ['reg'], shifts: [{ weekdays: week, from: '08:00', to: '12:00' }] },
    ],
    appointments: [
      { id: 'a-ana-9', office: 'mitte', staff: 'ana', start: at('09:00'), services: ['pass'], citizenId: 'c1' },
      { id: 'a-ana-930', office: 'mitte', staff: 'ana', start: at('09:30'), services: ['reg'], citizenId: 'c2' },
      { id: 'a-ben-9', office: 'mitte', staff: 'ben', start: at('09:00'), services: ['reg'], citizenId: 'c3' },
    ],
  }
}
