/**
 * Hand-made scenarios shared by the slot-engine tests (see slot-rules.test.ts for the base
 * fixture's description). Every function returns a fresh object.
 */
import type { ScenarioInput } from '../../src/model/schema.js'

export const WEEK = [1, 2, 3, 4, 5]
export const NOW = '2026-06-01T07:00:00+02:00'

export function base(): ScenarioInput {
  return {
    horizon: { start: '2026-06-01', days: 7 },
    services: [
      { id: 'reg', name: 'Anmeldung', durationMinutes: 10 },
      { id: 'pass', name: 'Reisepass', durationMinutes: 20, maxQuantity: 2, officeDurations: { north: 30 } },
      { id: 'id', name: 'Personalausweis', durationMinutes: 20, combinable: ['pass'] },
    ],
    offices: [
      {
        id: 'north', name: 'North', district: 'N', desks: 2,
        openingHours: [{ weekdays: WEEK, from: '08:00', to: '12:00' }],
        closures: [{ from: '2026-06-05', to: '2026-06-05' }],
        bookingWindow: { minDays: 0, maxDays: 14 },
        services: ['reg', 'pass', 'id'],
      },
      {
        id: 'south', name: 'South', district: 'S', desks: 2,
        openingHours: [{ weekdays: WEEK, from: '08:00', to: '12:00' }],
        bookingWindow: { minDays: 1, maxDays: 3 },
        services: ['reg', 'pass'],
      },
      {
        id: 'west', name: 'West', district: 'W', desks: 1,
        openingHours: [{ weekdays: WEEK, from: '08:00', to: '12:00' }],
        services: ['reg'],
      },
    ],
    staff: [
      { id: 'ana', office: 'north', skills: ['reg', 'pass', 'id'], shifts: [{ weekdays: WEEK, from: '08:00', to: '12:00', breaks: [{ from: '10:00', to: '10:20' }] }] },
      { id: 'bo', office: 'south', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '12:00' }], absences: [{ from: '2026-06-03', to: '2026-06-03' }] },
      { id: 'cy', office: 'south', skills: ['reg', 'pass'], shifts: [{ weekdays: [1, 3], from: '09:00', to: '11:00' }] },
    ],
  }
}

/** An office open day and night, one person working 00:00–06:00 every day; 10-minute grid. */
export function night(start: string): ScenarioInput {
  return {
    horizon: { start, days: 3 },
    services: [
      { id: 'short', name: 'Short', durationMinutes: 20 },
      { id: 'tiny', name: 'Tiny', durationMinutes: 10 },
    ],
    offices: [{ id: 'night', name: 'Night', district: 'N', desks: 1, openingHours: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }], services: ['short', 'tiny'] }],
    staff: [{ id: 'owl', office: 'night', skills: ['short', 'tiny'], shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '06:00' }] }],
  }
}
