/**
 * The online-offer completeness properties of test/waitlist/properties.test.ts, unseeded: every
 * run of `npm run test:long` draws new seeds (printed with any counterexample), TERMINPLAN_WL_ROUNDS
 * rounds of 300 sequences each per property. The ranking bug of session 2 (seed 1522269550, path 57:
 * a citizen back under the limit was offered in join order, not rank order) was found this way.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { envInt } from '../solver/harness.js'
import { runAutoOffering, waitCommandsArb, waitSpecArb, type Checks } from '../waitlist/runner.js'

const ROUNDS = envInt('TERMINPLAN_WL_ROUNDS', 10)
const RUNS = 300

describe.skipIf(!process.env.TERMINPLAN_LONG)('online offers, unseeded', () => {
  const property = (checks: Checks) => () => {
    let sequences = 0
    for (let r = 0; r < ROUNDS; r++)
      fc.assert(
        fc.property(waitSpecArb, waitCommandsArb(30, { auto: false }), (spec, commands) => {
          runAutoOffering(spec, commands, checks)
          sequences++
        }),
        { numRuns: RUNS },
      )
    expect(sequences).toBe(ROUNDS * RUNS)
  }
  it('an automatic offer goes to the best waiting citizen its slot suits', property({ priority: true }), 1_800_000)
  it('freed capacity goes to the next citizen it suits', property({ freed: true }), 1_800_000)
  it('nobody waits while a free slot suits them', property({ quiescent: true }), 1_800_000)
})
