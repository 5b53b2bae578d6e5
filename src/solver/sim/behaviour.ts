/**
 * How simulated citizens behave: what they ask for, where and when they accept an appointment,
 * and what they do when nothing fits. Every figure is an assumption, documented in README
 * ("Simulation → Calibration"); a zod schema so a planner can override any of them.
 */
import { z } from 'zod'
import type { Rng } from '../../model/random.js'
import { weightedIndex } from '../../model/random.js'

const Share = z.number().min(0).max(1)
/** A discrete distribution: values with weights. */
const Choice = z
  .array(z.strictObject({ days: z.int().min(0).max(365), weight: z.number().min(0).max(1e6) }))
  .min(1)
  .refine((xs) => xs.some((x) => x.weight > 0), 'at least one positive weight')

export const BehaviourSchema = z.strictObject({
  /** Where citizens accept an appointment: home district only, home and neighbouring districts, any office. */
  flexibility: z
    .strictObject({ home: z.number().min(0), neighbours: z.number().min(0), any: z.number().min(0) })
    .refine((f) => f.home + f.neighbours + f.any > 0, 'at least one positive weight')
    .default({ home: 0.35, neighbours: 0.35, any: 0.3 }),
  /** Share of requests limited to mornings (07–12) or afternoons (12–19), half each. */
  windowShare: Share.default(0.2),
  /** Share of requests for two services, and for three (the second and third drawn from the demand mix). */
  twoServiceShare: Share.default(0.1),
  threeServiceShare: Share.default(0.02),
  /** Days within which the citizen wants an appointment; beyond it they would rather wait for a freed slot (waitlist policies). */
  toleranceDays: Choice.default([
    { days: 7, weight: 0.3 },
    { days: 14, weight: 0.5 },
    { days: 28, weight: 0.2 },
  ]),
  /** The longest lead a citizen accepts at all; with nothing within it they try again later or give up. */
  patienceDays: Choice.default([
    { days: 21, weight: 0.25 },
    { days: 42, weight: 0.35 },
    { days: 60, weight: 0.4 },
  ]),
  /** Days on which a citizen who found nothing looks again (once a day), before giving up. */
  retryDays: z.int().min(0).max(60).default(5),
  /** Share of bookings cancelled, at a uniformly random moment between booking and appointment. */
  cancelShare: Share.default(0.12),
  /** Share of appointments missed without cancelling (the city reports 8.7–12 %). */
  noShowShare: Share.default(0.1),
  /**
   * Sick calls: episodes a staff member starts per year, and their mean length in calendar days
   * (geometric). Calibrated to Berlin's state employees in 2019: on average 4 absences a year of
   * 8.8 days each, a sickness rate of 10.2 % (Senatsverwaltung für Finanzen, "Gesundheitsquoten
   * 2019", as reported by B.Z., August 2020). The call comes at 07:00 on the first day and covers
   * the whole episode, so that day's and later appointments are re-planned (0 turns it off).
   */
  sickCallsPerYear: z.number().min(0).max(250).default(4),
  sickDaysMean: z.number().min(1).max(365).default(8.8),
  /**
   * The day of service (src/solver/sim/day-sim.ts). Share of visits without appointment: in one
   * April about a third of Berlin's visits (65,000 of 202,179) were walk-ins.
   */
  walkInShare: Share.default(0.32),
  /** Minutes walk-ins wait before they give up. */
  walkInPatienceMinutes: z.int().min(0).max(1440).default(120),
  /** Arrival relative to the appointment's start, in minutes: normal with this mean and spread (negative = early). */
  lateness: z.strictObject({ meanMinutes: z.number().min(-120).max(120), sdMinutes: z.number().min(0).max(120) }).default({ meanMinutes: -5, sdMinutes: 8 }),
  /** Service times around the planned duration: log-normal, this coefficient of variation. */
  durationCv: z.number().min(0).max(3).default(0.3),
  /** Share of waitlist offers accepted, and the minutes a citizen takes to answer (uniform up to this). */
  offerAcceptShare: Share.default(0.85),
  offerAnswerMinutes: z.int().min(0).max(10080).default(20),
  /** Requests per hour of the day (0–23), relative: when citizens look for appointments. */
  hourProfile: z.array(z.number().min(0)).length(24).default([
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 3, 4, 4.5, 4.5, 4, 3.5, 3.5, 3.5, 3.5, 3, 3, 3, 3, 2.5, 2, 1.2, 0.5,
  ]),
})
export type Behaviour = z.output<typeof BehaviourSchema>
export type BehaviourInput = z.input<typeof BehaviourSchema>

export type Flexibility = 'home' | 'neighbours' | 'any'
export const FLEXIBILITIES: readonly Flexibility[] = ['home', 'neighbours', 'any']

/** Draws one value of a discrete distribution. */
export function drawDays(rng: Rng, choice: Behaviour['toleranceDays']): number {
  return choice[weightedIndex(rng, choice.map((c) => c.weight))].days
}

export function drawFlexibility(rng: Rng, b: Behaviour): Flexibility {
  return FLEXIBILITIES[weightedIndex(rng, [b.flexibility.home, b.flexibility.neighbours, b.flexibility.any])]
}

/** 0 = any time, 1 = mornings, 2 = afternoons. */
export function drawWindow(rng: Rng, b: Behaviour): 0 | 1 | 2 {
  if (rng.next() >= b.windowShare) return 0
  return rng.next() < 0.5 ? 1 : 2
}

export const WINDOWS = [null, { from: '07:00', to: '12:00' }, { from: '12:00', to: '19:00' }] as const

export function drawServiceCount(rng: Rng, b: Behaviour): 1 | 2 | 3 {
  const r = rng.next()
  return r < b.threeServiceShare ? 3 : r < b.threeServiceShare + b.twoServiceShare ? 2 : 1
}
