/**
 * The model-based property of test/solver/model-based.test.ts at scale: `npm run test:long` runs
 * random scenarios with long command sequences (up to 150 commands each) against the reference
 * model until at least 100,000 engine operations (commands, clock moves, restores) have been
 * checked, and asserts that count at the end.
 *
 * TERMINPLAN_LONG_OPS raises the target, TERMINPLAN_MB_SEED fixes the first seed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildScenario, commandsArb, envInt, runSequence, scenarioSpecArb } from '../solver/harness.js'

const MIN_OPS = 100_000
const TARGET = Math.max(MIN_OPS, envInt('TERMINPLAN_LONG_OPS', MIN_OPS))
const SEED = process.env.TERMINPLAN_MB_SEED !== undefined ? Number(process.env.TERMINPLAN_MB_SEED) : Date.now() % 1_000_000

describe('slot engine against the reference model, at scale', () => {
  it(`at least ${TARGET.toLocaleString('en')} operations keep every invariant and agree with the reference`, () => {
    let ops = 0, sequences = 0, round = 0
    const tally: Record<string, number> = {}
    const started = Date.now()
    while (ops < TARGET) {
      fc.assert(
        fc.property(scenarioSpecArb, commandsArb(150), (spec, commands) => {
          const built = buildScenario(spec)
          const r = runSequence(built, commands)
          ops += r.ops
          sequences++
          for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n
        }),
        { numRuns: 250, seed: SEED + round },
      )
      round++
    }
    console.log(
      `model-based (long): ${ops} operations in ${sequences} sequences, seeds ${SEED}…${SEED + round - 1}, ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
        Object.entries(tally)
          .sort()
          .map(([k, n]) => `  ${k}: ${n}`)
          .join('\n'),
    )
    expect(ops).toBeGreaterThanOrEqual(MIN_OPS)
    // The sequences did book, expire, cancel, thaw and restore, not only fail.
    for (const k of ['holdRandom:ok', 'holdResult:ok', 'confirm:ok', 'confirm:replay', 'cancel:ok', 'event:expired', 'event:freed/cancelled', 'restore:ok', 'search:found'])
      expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  }, 60 * 60_000)
})
