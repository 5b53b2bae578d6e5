/**
 * The policies' arrival rule: from offers14 on (the ablation's waitlist step and everything built
 * on it), a citizen books on arrival only what meets their 14×24 h — not to the end of the public
 * window's 14th date — and fcfs, fcfs14 and the tolerance-based waitlist keep their own leads.
 */
import { describe, expect, it } from 'vitest'
import type { Citizen } from '../../src/solver/sim/citizens.js'
import { SimulationOptionsSchema } from '../../src/solver/sim/options.js'
import { createPolicy } from '../../src/solver/sim/policies/index.js'
import type { Scheduler } from '../../src/solver/scheduler/index.js'
import { POLICY_NAMES } from '../../src/solver/sim/types.js'
import { simulate } from '../../src/solver/sim/simulate.js'
import { town } from './town.js'

const opt = SimulationOptionsSchema.parse({ policy: 'fcfs', days: 28 })
const citizen = (tolerance: number, patience: number): Citizen => ({ shape: 0, tolerance, patience, retries: 5, cancelAt: -1, noShow: false })

describe('arrival lead by policy', () => {
  it('caps the lead at the goal from offers14 on, and leaves the others as they were', () => {
    const none = null as unknown as Scheduler
    for (const name of POLICY_NAMES) {
      const p = createPolicy(name, none)
      for (const [tol, pat] of [[7, 21], [14, 42], [28, 60], [7, 10]]) {
        const lead = p.arrivalLeadDays(citizen(tol, pat), opt)
        const expected = name === 'waitlist' ? tol : name === 'fcfs' || name === 'fcfs14' ? pat : Math.min(pat, opt.targetDays)
        expect(lead, `${name} ${tol}/${pat}`).toBe(expected)
      }
    }
  })
})

describe('offers14 keeps the goal', () => {
  it('gives no appointment later than 14×24 h after its request when citizens accept nothing later', async () => {
    const behaviour = { patienceDays: [{ days: 14, weight: 1 }], toleranceDays: [{ days: 14, weight: 1 }], sickCallsPerYear: 0 }
    const { log } = await simulate(town(), { policy: 'offers14', days: 28, warmupDays: 7, fillDays: 14, seed: 3, behaviour })
    let booked = 0
    for (let i = 0; i < log.length; i++) {
      if (Number.isNaN(log.start[i])) continue
      booked++
      expect(log.start[i] - log.requestedAt[i], `request ${i}`).toBeLessThanOrEqual(14 * 86_400_000)
      expect(log.start[i]).toBeGreaterThan(log.requestedAt[i])
    }
    expect(booked).toBeGreaterThan(log.length / 2)
  })
})
