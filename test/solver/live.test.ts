/**
 * Live operation, model-based (live-run.ts): random bookings, reschedules, clock moves with and
 * without a rolling horizon, snapshot → restore and live changes (sick calls, absences, closures,
 * shifts, durations, staff), every invariant checked after every command. The long version is
 * test/long/live.long.test.ts (`npm run test:long`, ≥ 100k operations).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { envInt } from './harness.js'
import { liveCommandArb, liveSpecArb, runLiveSequence } from './live-run.js'

describe('live changes, model-based', () => {
  it('keeps every invariant; every disrupted appointment is moved, offered or reported and its citizen told once', () => {
    let ops = 0
    const tally: Record<string, number> = {}
    fc.assert(
      fc.property(liveSpecArb, fc.array(liveCommandArb, { minLength: 10, maxLength: 60 }), (spec, cmds) => {
        const r = runLiveSequence(spec, cmds)
        ops += r.ops
        for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n
      }),
      { numRuns: envInt('TERMINPLAN_LIVE_RUNS', 100), seed: 14_2026 },
    )
    if (process.env.TERMINPLAN_LIVE_TALLY) console.log(ops, tally)
    expect(ops).toBeGreaterThan(1000)
    // The sequences reached what they are for.
    for (const k of ['book:ok', 'reschedule:ok', 'restore', 'restore:cutRejected', 'change:invalid', 'change:sick', 'change:disrupting', 'change:moved', 'change:offered', 'change:retried', 'advance'])
      expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  })
})
