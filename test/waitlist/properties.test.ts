/**
 * Model-based tests of the online waitlist (see runner.ts for what is generated and checked):
 * random small scenarios with part of the week booked up front, and random command sequences
 * mixing search, hold, confirm, cancel, clock moves and snapshot/restore with joinWaitlist,
 * leaveWaitlist, acceptOffer, declineOffer, manual offers, setAutoOffer and offer expiry. After
 * every command: no entry holds more than one open offer and no citizen two for the same
 * services; offered units overlap nothing; every accepted offer is a valid appointment under
 * every slot-engine rule; expiries happen exactly when due; free + held + booked + frozen +
 * offered = capacity; rejected commands leave snapshot() unchanged; snapshot/restore round-trips
 * and the restored scheduler behaves like the original.
 *
 * The second block checks that the online matching is complete: freed capacity goes to the next
 * fitting citizen, nobody waits while a free slot suits them, an automatic offer goes to the best
 * waiting citizen the slot suits.
 *
 * TERMINPLAN_WL_RUNS sets the number of sequences (default 200; half as many per completeness check), TERMINPLAN_WL_SEED the seed
 * (default: a new one each run; fast-check prints it with any counterexample),
 * TERMINPLAN_WL_TALLY=1 prints what the sequences did.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { envInt } from '../solver/harness.js'
import { buildWait, runAutoOffering, runWaitSequence, waitCommandsArb, waitSpecArb, type Checks } from './runner.js'

const RUNS = envInt('TERMINPLAN_WL_RUNS', 200)
// Fixed by default so CI is repeatable; TERMINPLAN_WL_SEED explores others, and test:long runs them unseeded
// (test/long/waitlist-ranking.long.test.ts). Seed 1522269550 (path 57) found a ranking bug, fixed since: its regression test is below.
const SEED = process.env.TERMINPLAN_WL_SEED !== undefined ? Number(process.env.TERMINPLAN_WL_SEED) : 20261121
/**
 * Bounds on a property's wall time, so that a failure's shrinking ends inside the test timeout and
 * reports what it has (fast-check stops at the limit; a property that runs out of time without a
 * failure passes with the sequences it ran — the tallies below guard against a vacuous pass).
 */
const MAIN_LIMIT_MS = 45_000
const COMPLETE_LIMIT_MS = 12_000

describe('online waitlist against the models', () => {
  it(`${RUNS} random command sequences keep every invariant`, () => {
    let ops = 0
    const tally: Record<string, number> = {}
    fc.assert(
      fc.property(waitSpecArb, waitCommandsArb(40), (spec, commands) => {
        const r = runWaitSequence(buildWait(spec), commands)
        ops += r.ops
        for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: MAIN_LIMIT_MS },
    )
    if (process.env.TERMINPLAN_WL_TALLY) console.log(ops, Object.entries(tally).sort())
    expect(ops).toBeGreaterThan(RUNS)
    // Not vacuous: the sequences offered, accepted, declined, expired, withdrew, broadcast, restored.
    if (RUNS >= 100)
      for (const k of [
        'offer:auto/1', 'offer:manual', 'accept:ok', 'decline:ok', 'leave:ok', 'event:offerExpired', 'event:offerWithdrawn', 'event:freed/offer_expired',
        'event:freed/offer_declined', 'join:ok', 'join:CONFLICT/already_waiting', 'manual:CONFLICT/slot_taken', 'restore:ok', 'note:reminder', 'note:offer_expired',
      ])
        expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  })

  it('the same scenario and the same commands give identical outputs (determinism)', () => {
    fc.assert(
      fc.property(waitSpecArb, waitCommandsArb(25), (spec, commands) => {
        const a = runWaitSequence(buildWait(spec), commands)
        const b = runWaitSequence(buildWait(spec), commands)
        expect(b.transcript).toEqual(a.transcript)
      }),
      { numRuns: Math.max(5, Math.round(RUNS / 15)), seed: SEED, interruptAfterTimeLimit: COMPLETE_LIMIT_MS },
    )
  })
})

describe('online matching is complete', () => {
  const complete = (checks: Checks) => () => {
    let sequences = 0
    fc.assert(
      fc.property(waitSpecArb, waitCommandsArb(30, { auto: false }), (spec, commands) => {
        // Automatic offers stay on throughout (no setAutoOffer in these sequences).
        runAutoOffering(spec, commands, checks)
        sequences++
      }),
      { numRuns: Math.round(RUNS / 2), seed: SEED, interruptAfterTimeLimit: COMPLETE_LIMIT_MS },
    )
    // The time limit must not make the property vacuous: most of the sequences ran.
    expect(sequences).toBeGreaterThanOrEqual(Math.round(RUNS / 4))
  }
  it('freed capacity goes to the next citizen it suits (cancel, expired hold, declined, expired or withdrawn offer)', complete({ freed: true }))
  it('an automatic offer goes to the best waiting citizen its slot suits', complete({ priority: true }))
  it('nobody waits while a free slot suits them', complete({ quiescent: true }))
  it('regression: seed 1522269550 (a citizen back under the limit is offered in rank order)', () => {
    fc.assert(
      fc.property(waitSpecArb, waitCommandsArb(30, { auto: false }), (spec, commands) => {
        runAutoOffering(spec, commands, { priority: true })
      }),
      { numRuns: 80, seed: 1522269550 },
    )
  })
})
