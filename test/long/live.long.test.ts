/**
 * Live operation's model-based run (test/solver/live-run.ts) at scale: `npm run test:long` runs
 * random sequences (up to 150 commands each) of bookings, reschedules, clock moves with and
 * without a rolling horizon, waitlist offers, snapshot → restore and live changes (sick calls,
 * absences, closures, new shifts, service durations, added staff, invalid changes) until at least
 * 100,000 operations have been checked, every invariant after every command.
 *
 * TERMINPLAN_LONG_OPS raises the target, TERMINPLAN_LIVE_SEED changes the first seed (fixed by
 * default, so a failure is reproducible).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runAtScale } from './at-scale.js'
import { envInt } from '../solver/harness.js'
import { liveCommandArb, liveSpecArb, runLiveSequence } from '../solver/live-run.js'

const MIN_OPS = 100_000
const TARGET = Math.max(MIN_OPS, envInt('TERMINPLAN_LONG_OPS', MIN_OPS))
const SEED = envInt('TERMINPLAN_LIVE_SEED', 140_000)

describe('live changes and rolling horizons, at scale', () => {
  it(`at least ${TARGET.toLocaleString('en')} operations: no invariant breaks, every disruption accounted for`, () => {
    const { ops, tally } = runAtScale('live model-based', TARGET, SEED, (_round, add) =>
      fc.property(liveSpecArb, fc.array(liveCommandArb, { minLength: 20, maxLength: 150 }), (spec, cmds) => add(runLiveSequence(spec, cmds))),
    )
    expect(ops).toBeGreaterThanOrEqual(TARGET)
    for (const k of ['change:sick', 'change:moved', 'change:offered', 'restore:cutRejected', 'reschedule:ok']) expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  }, 3_600_000)
})
