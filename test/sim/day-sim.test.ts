/**
 * The simulated day of service (src/solver/sim/day-sim.ts) on the test town: its figures add up,
 * it is deterministic, with service times as planned and citizens on time no appointment waits
 * past the limit (the call rule's promise, now over whole booked calendars), and overbooking
 * books more citizens who are then served by whoever is free.
 */
import { describe, expect, it } from 'vitest'
import { applyOverlay } from '../../src/model/overlay.js'
import { createLpBackend } from '../../src/adapters/lp/index.js'
import { simulate } from '../../src/solver/sim/simulate.js'
import { eventsCsv } from '../../src/solver/sim/events.js'
import { town } from './town.js'

const OPTIONS = { policy: 'fcfs', days: 15, warmupDays: 2, fillDays: 14, seed: 3 } as const

describe('the simulated day of service', () => {
  it('adds up, and repeats itself for the same seed', async () => {
    const a = (await simulate(town(), OPTIONS)).result.dayOfService
    const b = (await simulate(town(), OPTIONS)).result.dayOfService
    expect(b).toEqual(a)
    expect(a.officeDays).toBeGreaterThan(30)
    expect(a.appointments).toBe(a.arrived + a.noShows)
    expect(a.citizensServed).toBe(a.appointmentsServed + a.walkInsServed)
    expect(a.appointmentsServed + a.left - (a.walkIns - a.walkInsServed)).toBe(a.arrived)
    expect(a.noShowHoursRecovered).toBeLessThanOrEqual(a.noShowHours)
    expect(a.walkIns).toBeGreaterThan(0)
    // Behaviour's default: a third of visits without appointment, against what staff time holds.
    expect(a.walkIns / (a.walkIns + a.appointments)).toBeGreaterThan(0.2)
    expect(a.walkIns / (a.walkIns + a.appointments)).toBeLessThan(0.45)
  })

  it('with service times as planned and citizens on time, nobody with an appointment waits past the limit', async () => {
    const r = (await simulate(town(), { ...OPTIONS, behaviour: { durationCv: 0, lateness: { meanMinutes: 0, sdMinutes: 0 } } })).result.dayOfService
    expect(r.appointmentsDelayed).toBe(0)
    expect(r.appointmentsServed).toBe(r.arrived)
    expect(r.walkInsServed).toBeGreaterThan(0)
    // And with drawn service times some do: the check above can fail.
    expect((await simulate(town(), OPTIONS)).result.dayOfService.appointmentsDelayed).toBeGreaterThan(0)
  })

  it('overbooking books beyond the staff time; whoever is free serves those citizens', async () => {
    const plain = (await simulate(town(), OPTIONS)).result
    const over = (await simulate(applyOverlay(town(), { name: 'ob', changes: [{ kind: 'overbook', noShowRate: 0.1, maxExpectedOverflow: 1 }] }), OPTIONS)).result
    expect(plain.dayOfService.overbooked).toBe(0)
    expect(over.dayOfService.overbooked).toBeGreaterThan(0)
    expect(over.dayOfService.appointments).toBeGreaterThan(plain.dayOfService.appointments)
    expect(over.dayOfService.appointmentsServed).toBeGreaterThan(plain.dayOfService.appointmentsServed)
    // The same staff, so the same walk-ins come.
    expect(over.dayOfService.walkIns).toBe(plain.dayOfService.walkIns)
  })

  it('the optimized policy overbooks by the observed no-show share, as the overbook change does, and never on top of a scenario\'s own', async () => {
    const lp = createLpBackend('highs')
    try {
      const opt = { ...OPTIONS, policy: 'optimized', behaviour: { noShowShare: 0.12 } } as const
      const csv = (run: Awaited<ReturnType<typeof simulate>>) => [...eventsCsv([{ label: 'x', run }], false)].join('')
      const own = await simulate(town(), opt, { lp })
      // The same run as the change applied by hand to the scenario, with the same rate and bound.
      const byHand = await simulate(applyOverlay(town(), { name: 'ob', changes: [{ kind: 'overbook', noShowRate: 0.12, maxExpectedOverflow: 1 }] }), opt, { lp })
      expect(own.result.dayOfService.overbooked).toBeGreaterThan(0)
      expect(csv(own)).toBe(csv(byHand))
      // Overbooking time: the working units of overbooking staff over the horizon.
      const overbookingStaff = (run: typeof own) => run.model.segments.filter((g) => run.model.scenario.staff[g.staff].overbooking).reduce((n, g) => n + g.end - g.start, 0)
      expect(overbookingStaff(byHand)).toBe(overbookingStaff(own))
      // A different rate plans differently: the policy does read the share.
      const other = await simulate(town(), { ...opt, behaviour: { noShowShare: 0.3 } }, { lp })
      expect(overbookingStaff(other)).not.toBe(overbookingStaff(own))
      // quotas14, the step before, does not overbook.
      expect((await simulate(town(), { ...opt, policy: 'quotas14' }, { lp })).result.dayOfService.overbooked).toBe(0)
    } finally {
      await lp.close()
    }
  }, 120_000)
})
