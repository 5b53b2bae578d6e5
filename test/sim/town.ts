/**
 * A small town for simulation tests: three districts in a row (North – Centre – South), four
 * offices, eight staff, two services, and demand of about 120 % of capacity, as in Berlin.
 *
 * Capacity by hand: 8 staff × 7.5 h on weekdays; the mix is 60 % 20-minute and 40 % 30-minute
 * appointments (mean 24 min), so ≈ 8 × 450 / 24 = 150 appointments a working day; demand is
 * 180 a working day.
 */
import { loadScenario } from '../../src/model/load.js'
import type { Scenario, ScenarioInput } from '../../src/model/schema.js'

const WEEKDAYS = [1, 2, 3, 4, 5]

export function townInput(demandPerDay = 180): ScenarioInput {
  const offices = [
    { id: 'n1', district: 'North' },
    { id: 'c1', district: 'Centre' },
    { id: 'c2', district: 'Centre' },
    { id: 's1', district: 'South' },
  ]
  const share = { North: 0.3, Centre: 0.45, South: 0.25 } as Record<string, number>
  return {
    name: 'town',
    timezone: 'Europe/Berlin',
    horizon: { start: '2027-01-04', days: 140 },
    services: [
      { id: 'id', name: 'ID card', durationMinutes: 20, maxQuantity: 2 },
      { id: 'reg', name: 'Registration', durationMinutes: 30 },
    ],
    offices: offices.map((o) => ({
      id: o.id,
      name: `Office ${o.id.toUpperCase()} <${o.district}>`,
      district: o.district,
      openingHours: [{ weekdays: WEEKDAYS, from: '08:00', to: '16:00' }],
      services: ['id', 'reg'],
      desks: 2,
      bookingWindow: { minDays: 0, maxDays: 42 },
    })),
    districts: [
      { id: 'North', neighbours: ['Centre'] },
      { id: 'Centre', neighbours: ['North', 'South'] },
      { id: 'South', neighbours: ['Centre'] },
    ],
    staff: offices.flatMap((o) =>
      [1, 2].map((k) => ({
        id: `${o.id}-${k}`,
        office: o.id,
        skills: ['id', 'reg'],
        shifts: [{ weekdays: WEEKDAYS, from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] }],
      })),
    ),
    demand: Object.keys(share).flatMap((district) =>
      WEEKDAYS.flatMap((weekday) => [
        { service: 'id', weekday, district, count: demandPerDay * 0.6 * share[district] },
        { service: 'reg', weekday, district, count: demandPerDay * 0.4 * share[district] },
      ]),
    ),
  }
}

export function town(demandPerDay?: number): Scenario {
  return loadScenario(townInput(demandPerDay))
}
