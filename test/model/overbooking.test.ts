/**
 * Overbooking for no-shows (src/model/overbooking.ts): the expected overflow against a direct
 * count over all outcomes and a Monte Carlo estimate, the number of extra bookings as the largest
 * within the bound, and the overlay's staff: marked, skilled, and working the planned minutes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import { applyOverlay } from '../../src/model/overlay.js'
import { expectedOverflow, extraBookings, overbookingPlan } from '../../src/model/overbooking.js'
import { createRng } from '../../src/model/random.js'
import { TerminplanError } from '../../src/model/errors.js'
import { compile } from '../../src/model/compile.js'
import { dayScenario } from '../day/fixtures.js'

/** E[max(0, X − n)] by enumerating every outcome of the trials (small sizes only). */
function bruteOverflow(trials: number, p: number, n: number): number {
  let e = 0
  for (let mask = 0; mask < 1 << trials; mask++) {
    let x = 0, pr = 1
    for (let i = 0; i < trials; i++) {
      const come = (mask >> i) & 1
      x += come
      pr *= come ? p : 1 - p
    }
    e += pr * Math.max(0, x - n)
  }
  return e
}

describe('overbooking plan', () => {
  it('expected overflow equals enumeration over all outcomes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (trials, n, p) => {
        expect(expectedOverflow(trials, p, n)).toBeCloseTo(bruteOverflow(trials, p, n), 9)
      }),
      { numRuns: 300, seed: 15 },
    )
  })

  it('agrees with a Monte Carlo estimate at office size, and k is the largest within the bound', () => {
    const rng = createRng(7)
    for (const [n, q, bound] of [[150, 0.1, 1], [40, 0.12, 0.5], [300, 0.09, 2]] as const) {
      const k = extraBookings(n, q, bound)
      expect(expectedOverflow(n + k, 1 - q, n)).toBeLessThanOrEqual(bound)
      expect(expectedOverflow(n + k + 1, 1 - q, n)).toBeGreaterThan(bound)
      let sum = 0
      const runs = 20_000
      for (let r = 0; r < runs; r++) {
        let x = 0
        for (let i = 0; i < n + k; i++) if (rng.next() >= q) x++
        sum += Math.max(0, x - n)
      }
      const e = expectedOverflow(n + k, 1 - q, n)
      // Within five standard errors (overflow's sd is below sqrt of its second moment, at most a few citizens).
      expect(Math.abs(sum / runs - e)).toBeLessThan(5 * (Math.sqrt(e * 4 + 1) / Math.sqrt(runs)) + 0.01)
    }
    // Nobody stays away: every extra booking overflows.
    expect(extraBookings(100, 0, 1)).toBe(1)
    expect(extraBookings(100, 0, 0.5)).toBe(0)
  })

  it('adds overbooking staff that work the planned extra minutes, evenly over the day', () => {
    const s = loadScenario({ ...dayScenario(), appointments: [], staff: Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, office: 'mitte', skills: ['reg', 'pass'], shifts: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '12:00' }] })) })
    const plan = overbookingPlan(s, 0.1, 1, ['mitte'])
    expect(plan.map((r) => r.weekday)).toEqual([1, 2, 3, 4, 5])
    // 6 × 240 minutes at a mean of 15 (reg 10, pass 20, no demand: equal weights): 96 fit.
    expect(plan[0]).toMatchObject({ capacity: 96, meanMinutes: 15 })
    expect(plan[0].extra).toBeGreaterThan(0)
    const out = applyOverlay(s, { name: 'ob', changes: [{ kind: 'overbook', noShowRate: 0.1, maxExpectedOverflow: 1, offices: ['mitte'] }] })
    const extra = out.staff.filter((p) => p.overbooking)
    expect(extra.length).toBeGreaterThan(0)
    expect(extra.every((p) => p.office === 'mitte' && p.skills.sort().join() === 'pass,reg')).toBe(true)
    const m = compile(out)
    const minutesOn = (day: number) => m.segments.filter((g) => g.day === day && out.staff[g.staff].overbooking).reduce((a, g) => a + (g.end - g.start) * m.unitMinutes, 0)
    // Monday: the planned k × L minutes, to the grid (10 minutes per hour and staff member).
    const want = plan[0].extra * plan[0].meanMinutes
    expect(Math.abs(minutesOn(0) - want)).toBeLessThanOrEqual(extra.length * 4 * 10)
    // Every hour of the opening (08–12) gets some of it, and less than all of it.
    const hours = new Set(m.segments.filter((g) => g.day === 0 && out.staff[g.staff].overbooking).map((g) => Math.floor(((g.start - m.dayStart[0]) * m.unitMinutes) / 60)))
    expect([...hours].sort((a, b) => a - b)).toEqual([8, 9, 10, 11])
    expect(minutesOn(0)).toBeLessThan(240)
  })

  it('rejects an unknown office with its path and a rate out of range', () => {
    const s = loadScenario(dayScenario())
    const err = (() => {
      try {
        applyOverlay(s, { name: 'ob', changes: [{ kind: 'overbook', noShowRate: 0.1, maxExpectedOverflow: 1, offices: ['nope'] }] })
      } catch (e) {
        return e as TerminplanError
      }
    })()
    expect(err?.issues[0].path).toBe('$.changes[0].offices[0]')
    expect(() => applyOverlay(s, { name: 'ob', changes: [{ kind: 'overbook', noShowRate: 0.9 }] } as never)).toThrow(TerminplanError)
  })
})
