/**
 * The paired difference of two runs on the same requests: its mean and standard error against
 * counts of discordant pairs, and no pairing at all when the runs saw different requests.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pairedDifference, type RunGoals } from '../../src/solver/sim/paired.js'
import { simulate } from '../../src/solver/sim/simulate.js'
import { town } from './town.js'

/** Two runs' marks on the same requests: 0 = not measured (in both), 1 = missed, 2 = within 14 days. */
const pairs = fc.array(fc.tuple(fc.constantFrom(0, 1, 2), fc.boolean(), fc.boolean()), { minLength: 2, maxLength: 400 }).map((rows) => {
  const a = Uint8Array.from(rows, ([m, x]) => (m === 0 ? 0 : x ? 2 : 1))
  const b = Uint8Array.from(rows, ([m, , y]) => (m === 0 ? 0 : y ? 2 : 1))
  return { a: { demand: 'd', marks: a } as RunGoals, b: { demand: 'd', marks: b } as RunGoals }
})

describe('pairedDifference', () => {
  it('is the difference of the shares, with the standard error of the discordant pairs', () => {
    fc.assert(
      fc.property(pairs, ({ a, b }) => {
        let n = 0, inA = 0, inB = 0, onlyB = 0, onlyA = 0
        for (let i = 0; i < a.marks.length; i++) {
          if (a.marks[i] === 0) continue
          n++
          const x = a.marks[i] === 2, y = b.marks[i] === 2
          if (x) inA++
          if (y) inB++
          if (y && !x) onlyB++
          if (x && !y) onlyA++
        }
        const d = pairedDifference(a, b, 'b', 'a')
        if (n < 2) {
          expect(d).toBeNull()
          return
        }
        expect(d).not.toBeNull()
        expect(d!.requests).toBe(n)
        expect(d!.mean).toBeCloseTo(inB / n - inA / n, 5)
        const mean = (onlyB - onlyA) / n
        const se = Math.sqrt((onlyB + onlyA - n * mean * mean) / (n - 1) / n)
        expect(d!.se).toBeCloseTo(se, 5)
        expect(d!.real).toBe(Math.abs(mean) > 1.96 * se)
      }),
    )
  })

  it('is zero with no spread when both runs agree on every request', () => {
    const marks = Uint8Array.from([0, 1, 2, 2, 1, 0, 2])
    expect(pairedDifference({ demand: 'x', marks }, { demand: 'x', marks: marks.slice() }, 'b', 'a')).toEqual({ label: 'b', vs: 'a', requests: 5, mean: 0, se: 0, real: false })
  })

  it('does not pair runs on different requests', async () => {
    const a = { demand: 'x', marks: Uint8Array.from([1, 2, 2]) }
    expect(pairedDifference(a, { demand: 'y', marks: a.marks }, 'b', 'a')).toBeNull()
    expect(pairedDifference(a, { demand: 'x', marks: Uint8Array.from([0, 2, 2]) }, 'b', 'a')).toBeNull()
    // Two seeds draw two demand streams; the same seed the same one, under any policy.
    const options = { days: 15, warmupDays: 3, policy: 'fcfs' } as const
    const s1 = await simulate(town(), { ...options, seed: 1 })
    const s2 = await simulate(town(), { ...options, seed: 2 })
    const s1b = await simulate(town(), { ...options, policy: 'fcfs14', seed: 1 })
    expect(pairedDifference(s1.goals, s2.goals, 'seed 2', 'seed 1')).toBeNull()
    expect(s1b.goals.demand).toBe(s1.goals.demand)
    expect(pairedDifference(s1.goals, s1b.goals, 'fcfs14', 'fcfs')).not.toBeNull()
  }, 60_000)
})
