/**
 * Small random scenarios for the capacity plan's proofs (seeded, so every failure reproduces):
 * one or two districts, up to three offices, two or three services of 10–30 minutes, a few staff
 * with different skills and short shifts (some with a break), and demand per service, weekday and
 * district. 2026-06-01 is a Monday.
 */
import { createRng, type Rng } from '../../src/model/random.js'
import type { ScenarioInput } from '../../src/model/schema.js'

export interface SmallOptions {
  days?: number
  offices?: number
  services?: number
  /** Mean requests per service, weekday and district. */
  load?: number
}

const pick = <T>(rng: Rng, xs: T[]): T => xs[rng.int(xs.length)]

export function smallScenario(seed: number, o: SmallOptions = {}): ScenarioInput {
  const rng = createRng(seed)
  const nOff = o.offices ?? 1 + rng.int(2)
  const nSvc = o.services ?? 2 + rng.int(2)
  const days = o.days ?? 3 + rng.int(3)
  const districts = nOff > 1 && rng.next() < 0.7 ? ['North', 'South'] : ['North']
  const services = Array.from({ length: nSvc }, (_, i) => ({ id: `s${i}`, name: `Service ${i}`, durationMinutes: pick(rng, [10, 20, 20, 30]) }))
  const offices = Array.from({ length: nOff }, (_, i) => ({
    id: `o${i}`,
    name: `Office ${i}`,
    district: districts[i % districts.length],
    openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '13:00' }],
    services: services.filter((_, k) => k === 0 || rng.next() < 0.8).map((x) => x.id),
    desks: 3,
  }))
  const staff = offices.flatMap((off, i) =>
    Array.from({ length: 1 + rng.int(2) }, (_, k) => {
      const from = pick(rng, ['08:00', '08:30', '09:00'])
      const to = pick(rng, ['10:00', '10:50', '11:30', '12:00'])
      const skills = off.services.filter((_, j) => j === 0 || rng.next() < 0.7)
      const breaks = rng.next() < 0.3 ? [{ from: '09:40', to: '09:50' }] : []
      return { id: `p${i}-${k}`, office: off.id, skills, shifts: [{ weekdays: [1, 2, 3, 4, 5], from, to, breaks }] }
    }),
  )
  const load = o.load ?? 3
  const demand = services.flatMap((sv) =>
    districts.flatMap((district) =>
      [1, 2, 3, 4, 5].map((weekday) => ({ service: sv.id, weekday, district, count: Math.round(rng.next() * 2 * load * 4) / 4 })),
    ),
  ).filter((d) => d.count > 0)
  return {
    horizon: { start: '2026-06-01', days },
    services,
    offices,
    staff,
    demand,
  }
}
