/**
 * The journal against an uninterrupted twin (model-run.ts), short: random waitlist-runner
 * sequences with reopens, crashes (some with a torn last write) and checkpoints mixed in. The
 * long version is test/long/journal.long.test.ts (`npm run test:long`).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { envInt } from '../solver/harness.js'
import { journalSpecArb, runJournalSequence, stepsArb } from './model-run.js'

describe('journal, model-based', () => {
  it('recovery always equals the uninterrupted run, and every invariant holds', () => {
    let ops = 0
    const tally: Record<string, number> = {}
    fc.assert(
      fc.property(journalSpecArb, stepsArb(60), (spec, steps) => {
        const r = runJournalSequence(spec, steps)
        ops += r.ops
        for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n
      }),
      { numRuns: envInt('TERMINPLAN_JOURNAL_RUNS', 25), seed: 8_2026 },
    )
    expect(ops).toBeGreaterThan(500)
    for (const k of ['journal:reopen', 'journal:crash/torn', 'journal:checkpoint', 'confirm:ok', 'hold:ok']) expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  })
})
