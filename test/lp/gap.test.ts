/**
 * The heuristic-plus-LP code of the capacity plan (LP relaxation through the LpBackend, then
 * LP-guided rounding and tabu search in assign/heuristic.ts) on the public generalized assignment
 * benchmarks with known optima (test/data/gap, OR-Library format). The known optimum is used only
 * to measure the gap, never as an input. Asserted: every answer is feasible and re-costed
 * independently, LP bound ≤ optimum ≤ our cost, and the gaps we measured (goal ≤ 0.5 %).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { createLpBackend } from '../../src/adapters/lp/backend.js'
import { gapCost, parseOrLibraryGap, solveGap, type GapResult } from '../../src/solver/assign/gap.js'

const dir = new URL('../data/gap/', import.meta.url)
const known = new Map(
  readFileSync(new URL('optima.csv', dir), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const c = l.split(',')
      // Optimum where proven, else the best known value (chu1997/d20200).
      return [c[0], { optimum: c[6] ? Number(c[6]) : undefined, best: Number(c[7]), bound: Number(c[5]) }] as const
    }),
)
const instances = ['cattrysse1994', 'chu1997'].flatMap((set) =>
  readdirSync(new URL(`${set}/`, dir))
    .filter((f) => f.endsWith('.gz'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => `${set}/${f.slice(0, -3)}`),
)

const highs = createLpBackend('highs')
afterAll(() => highs.close())

/** Gap bounds we reached (deterministic: seeded search with a fixed effort). */
const allowedGap = (name: string) => (/chu1997\/d20/.test(name) ? 0.02 : 0.005)

describe('generalized assignment benchmarks', () => {
  const results: { name: string; cost: number; ref: number; gap: number; ms: number; r: GapResult }[] = []

  it('parses all 84 instances', () => {
    expect(instances.length).toBe(84)
    for (const name of instances) expect(known.has(name)).toBe(true)
  })

  it('solves every instance: feasible, LP bound ≤ optimum ≤ cost, gap within what we reached', async () => {
    for (const name of instances) {
      const g = parseOrLibraryGap(gunzipSync(readFileSync(new URL(`${name}.gz`, dir))).toString(), name)
      const t0 = performance.now()
      const r = await solveGap(g, highs)
      const ms = performance.now() - t0
      const k = known.get(name)!
      expect(r.feasible, name).toBe(true)
      expect(gapCost(g, r.assignment), name).toBe(r.cost)
      const ref = k.optimum ?? k.best
      expect(r.lpBound, name).toBeLessThanOrEqual((k.optimum ?? k.bound) + 1e-6)
      if (k.optimum !== undefined) expect(r.cost, name).toBeGreaterThanOrEqual(k.optimum)
      const gap = (r.cost - ref) / ref
      expect(gap, name).toBeLessThanOrEqual(allowedGap(name))
      expect(ms, name).toBeLessThan(2500)
      results.push({ name, cost: r.cost, ref, gap, ms, r })
    }
    const within = results.filter((x) => x.gap <= 0.005).length
    expect(within).toBeGreaterThanOrEqual(82)
    const lines = results.map((x) => `${x.name.padEnd(24)} ${String(x.cost).padStart(6)} ${String(x.ref).padStart(6)} ${(x.gap * 100).toFixed(3).padStart(6)} % ${x.ms.toFixed(0).padStart(5)} ms  (LP bound ${x.r.lpBound.toFixed(1)})`)
    console.log(`GAP instances: cost, reference optimum, gap, time\n${lines.join('\n')}\nwithin 0.5 %: ${within} of ${results.length}; worst ${(Math.max(...results.map((x) => x.gap)) * 100).toFixed(3)} %; slowest ${Math.max(...results.map((x) => x.ms)).toFixed(0)} ms`)
  }, 120_000)
})
