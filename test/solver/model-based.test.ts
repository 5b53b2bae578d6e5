/**
 * Model-based tests of the slot engine: random small scenarios (1–3 offices, 1–4 staff, 1–3
 * services, weekly and dated shifts with breaks, absences, closures, a few days, often across the
 * 2026 DST days in Europe/Berlin) and random command sequences (search, hold of a result or of a
 * random possibly-invalid slot, confirm with and without idempotency keys, repeated, cancel, clock
 * moves, clock-backwards attempts, snapshot/restore), checked after every command against the
 * reference model (reference.ts) and the invariants of DESIGN.md. See harness.ts for the checks.
 *
 * TERMINPLAN_MB_RUNS sets the number of sequences (default 300), TERMINPLAN_MB_SEED the seed
 * (default: a new one each run; fast-check prints it with any counterexample),
 * TERMINPLAN_MB_TALLY=1 prints what the sequences did.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildScenario, commandsArb, envInt, runSequence, scenarioSpecArb } from './harness.js'

const RUNS = envInt('TERMINPLAN_MB_RUNS', 300)
const SEED = process.env.TERMINPLAN_MB_SEED !== undefined ? Number(process.env.TERMINPLAN_MB_SEED) : undefined

describe('slot engine against the reference model', () => {
  it(`${RUNS} random command sequences keep every invariant and agree with the reference`, () => {
    let ops = 0
    const tally: Record<string, number> = {}
    fc.assert(
      fc.property(scenarioSpecArb, commandsArb(40), (spec, commands) => {
        const built = buildScenario(spec)
        const r = runSequence(built, commands)
        ops += r.ops
        for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(ops).toBeGreaterThan(RUNS)
    if (process.env.TERMINPLAN_MB_TALLY) console.log(ops, Object.entries(tally).sort())
    // Not vacuous: the sequences booked, expired, cancelled, thawed and restored.
    if (RUNS >= 100)
      for (const k of ['holdResult:ok', 'confirm:ok', 'confirm:replay', 'cancel:ok', 'event:expired', 'event:freed/cancelled', 'restore:ok', 'search:found', 'search:dst-day-slot', 'setNow:COMMAND_INVALID/clock_backwards'])
        expect(tally[k] ?? 0, k).toBeGreaterThan(0)
  })

  it('the same scenario and the same commands give identical outputs (determinism)', () => {
    fc.assert(
      fc.property(scenarioSpecArb, commandsArb(25), (spec, commands) => {
        const a = runSequence(buildScenario(spec), commands)
        const b = runSequence(buildScenario(spec), commands)
        expect(b.transcript).toEqual(a.transcript)
      }),
      { numRuns: Math.max(5, Math.round(RUNS / 15)), seed: SEED },
    )
  })
})
