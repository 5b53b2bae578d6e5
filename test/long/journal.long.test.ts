/**
 * The journal's model-based run (test/journal/model-run.ts) at scale: `npm run test:long` runs
 * random waitlist-runner sequences (up to 150 commands each) on a journaled scheduler and an
 * uninterrupted twin, with reopens, crashes (some with a torn last write), checkpoints and
 * snapshot/restore mixed in, until at least 100,000 operations have been checked; every
 * recovery equals the twin byte for byte and every invariant holds after every command.
 *
 * TERMINPLAN_LONG_OPS raises the target, TERMINPLAN_JOURNAL_SEED changes the first seed (fixed
 * by default, so a failure is reproducible).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runAtScale } from './at-scale.js'
import { envInt } from '../solver/harness.js'
import { journalSpecArb, runJournalSequence, stepsArb } from '../journal/model-run.js'

const MIN_OPS = 100_000
const TARGET = Math.max(MIN_OPS, envInt('TERMINPLAN_LONG_OPS', MIN_OPS))
const SEED = envInt('TERMINPLAN_JOURNAL_SEED', 80_000)

describe('journal against an uninterrupted twin, at scale', () => {
  it(`at least ${TARGET.toLocaleString('en')} operations: recovery is exact, no invariant breaks`, () => {
    const { ops, tally } = runAtScale('journal model-based', TARGET, SEED, (_round, add) =>
      fc.property(journalSpecArb, stepsArb(150), (spec, steps) => add(runJournalSequence(spec, steps))),
    )
    expect(ops).toBeGreaterThanOrEqual(MIN_OPS)
    for (const k of ['journal:reopen', 'journal:crash', 'journal:crash/torn', 'journal:checkpoint', 'hold:ok', 'confirm:ok', 'cancel:ok', 'join:ok', 'accept:ok', 'decline:ok', 'offer:ok', 'restore:ok', 'event:offerExpired', 'event:expired'])
      expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  }, 60 * 60_000)
})
