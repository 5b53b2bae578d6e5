/** Reads the gzipped OR-Library assignment instances in test/data/orlib-assign. */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

/** Published optima (Beasley 1990), for an extra comparison only: the proof is the dual certificate. */
export const ORLIB_PUBLISHED_OPTIMUM: Record<number, number> = { 500: 991, 600: 1176, 700: 1362 }

export function readOrlibAssign(n: 500 | 600 | 700): { n: number; cost: Float64Array } {
  const text = gunzipSync(readFileSync(new URL(`../data/orlib-assign/assign${n}.txt.gz`, import.meta.url))).toString('ascii')
  const tokens = text.trim().split(/\s+/)
  const size = Number(tokens[0])
  if (size !== n || tokens.length !== 1 + size * size) throw new Error(`assign${n}: expected ${n} and ${n * n} costs, got ${tokens[0]} and ${tokens.length - 1}`)
  const cost = new Float64Array(size * size)
  for (let k = 0; k < cost.length; k++) {
    const c = Number(tokens[k + 1])
    if (!Number.isInteger(c)) throw new Error(`assign${n}: token ${k + 1} is not an integer: ${tokens[k + 1]}`)
    cost[k] = c
  }
  return { n: size, cost }
}
