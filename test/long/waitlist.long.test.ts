/**
 * The model-based property of test/waitlist/properties.test.ts at scale: `npm run test:long` runs
 * random scenarios with long command sequences (up to 120 commands each) through the waitlist
 * runner (test/waitlist/runner.ts) until at least 100,000 engine operations (commands, clock
 * moves, restores) have been checked, and asserts that count at the end. Every invariant of the
 * CI property is checked after every command; the completeness checks (freed capacity goes to the
 * next fitting citizen, nobody waits while a free slot suits them, automatic offers go to the best
 * waiting citizen) run on every fourth round, on sequences with automatic offers left on.
 *
 * TERMINPLAN_LONG_OPS raises the target, TERMINPLAN_WL_SEED fixes the first seed,
 * TERMINPLAN_WL_COMPLETE=0 leaves out the completeness rounds.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runAtScale } from './at-scale.js'
import { envInt } from '../solver/harness.js'
import { buildWait, runWaitSequence, waitCommandsArb, waitSpecArb, type Checks } from '../waitlist/runner.js'

const MIN_OPS = 100_000
const TARGET = Math.max(MIN_OPS, envInt('TERMINPLAN_LONG_OPS', MIN_OPS))
const SEED = process.env.TERMINPLAN_WL_SEED !== undefined ? Number(process.env.TERMINPLAN_WL_SEED) : Date.now() % 1_000_000
const COMPLETE = process.env.TERMINPLAN_WL_COMPLETE !== '0'

describe('online waitlist against the models, at scale', () => {
  it(`at least ${TARGET.toLocaleString('en')} operations keep every invariant`, () => {
    const { ops, tally } = runAtScale('waitlist model-based', TARGET, SEED, (round, add) => {
      const complete = COMPLETE && round % 4 === 3
      const checks: Checks = complete ? { freed: true, quiescent: true, priority: true } : {}
      return fc.property(waitSpecArb, waitCommandsArb(120, complete ? { auto: false } : {}), (spec, commands) => {
        const b = buildWait(spec)
        if (complete) b.autoOffer = true
        add(runWaitSequence(b, commands, checks))
      })
    })
    expect(ops).toBeGreaterThanOrEqual(MIN_OPS)
    // The sequences did offer, accept, decline, expire, withdraw, broadcast and restore, not only fail.
    for (const k of ['offer:auto/1', 'offer:auto/2', 'offer:manual', 'accept:ok', 'decline:ok', 'leave:ok', 'event:offerExpired', 'event:offerWithdrawn', 'restore:ok', 'note:reminder'])
      expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  }, 60 * 60_000)
})
