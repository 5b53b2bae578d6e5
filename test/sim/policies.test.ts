/**
 * The goal-keeping rules of offers14 (the ablation's waitlist step and everything built on it):
 * on arrival a citizen books only what meets their 14×24 h (not to the end of the public window's
 * 14th date), and once the 14 days are over only what is still free within a day. fcfs, fcfs14 and
 * the tolerance-based waitlist keep their own leads.
 */
import { describe, expect, it } from 'vitest'
import type { Citizen } from '../../src/solver/sim/citizens.js'
import { SimulationOptionsSchema } from '../../src/solver/sim/options.js'
import { createPolicy, type SimRun } from '../../src/solver/sim/policies/index.js'
import type { Scheduler } from '../../src/solver/scheduler/index.js'
import { POLICY_NAMES } from '../../src/solver/sim/types.js'
import { simulate } from '../../src/solver/sim/simulate.js'
import { town } from './town.js'
import { OVERDUE_LEAD_DAYS } from '../../src/solver/sim/policies/waitlist.js'

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

describe('offers14 past the goal', () => {
  it('looks only at what is still free within a day once the 14 days are over, and looks again daily', () => {
    const DAY = 86_400_000
    const c = citizen(14, 42)
    const calls: { lastStart: number }[] = []
    let retries = 0, now = 10 * DAY
    const run = {
      opt,
      citizen: () => c,
      now: () => now,
      requestedAt: () => 0,
      tryBook: (_i: number, lead: number) => (calls.push({ lastStart: lead * DAY }), false),
      retryLater: () => void retries++,
    } as unknown as SimRun
    const p = createPolicy('offers14', null as unknown as Scheduler)
    // Before the goal has passed, a retry looks as far as patience allows.
    p.retry!(run, 0)
    expect(calls.at(-1)!.lastStart).toBe(42 * DAY)
    now = 14 * DAY
    p.gaveUp(run, 0)
    expect(c.overdue).toBe(true)
    expect(calls.at(-1)!.lastStart).toBe(now + OVERDUE_LEAD_DAYS * DAY)
    expect(retries).toBe(1)
    now = 20 * DAY
    p.retry!(run, 0)
    expect(calls.at(-1)!.lastStart).toBe(now + OVERDUE_LEAD_DAYS * DAY)
    // Never beyond patience.
    now = 41.5 * DAY
    p.retry!(run, 0)
    expect(calls.at(-1)!.lastStart).toBe(42 * DAY)
  })
})
