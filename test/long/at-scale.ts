/**
 * The loop of the model-based long runs: rounds of 100 sequences (seeds `seed`, `seed + 1`, …)
 * until `target` operations have been checked, then a summary line with the tally.
 */
import fc from 'fast-check'

export interface SequenceResult {
  ops: number
  tally: Record<string, number>
}

export function runAtScale(
  label: string,
  target: number,
  seed: number,
  property: (round: number, add: (r: SequenceResult) => void) => fc.IRawProperty<never[]> | fc.IRawProperty<unknown[]>,
): SequenceResult {
  let ops = 0, sequences = 0, round = 0
  const tally: Record<string, number> = {}
  const add = (r: SequenceResult) => {
    ops += r.ops
    sequences++
    for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n
  }
  const started = Date.now()
  while (ops < target) {
    fc.assert(property(round, add) as fc.IRawProperty<unknown[]>, { numRuns: 100, seed: seed + round })
    round++
  }
  console.log(
    `${label} (long): ${ops} operations in ${sequences} sequences, seeds ${seed}…${seed + round - 1}, ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      Object.entries(tally)
        .sort()
        .map(([k, n]) => `  ${k}: ${n}`)
        .join('\n'),
  )
  return { ops, tally }
}
