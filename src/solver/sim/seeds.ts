/**
 * The same comparison over several seeds: each KPI's mean and spread per run label, and each
 * label's difference to the first (the baseline) seed by seed, so that a difference smaller than
 * the noise is shown as such. With n seeds the difference counts as real when its mean is more
 * than twice its standard error (sd/√n) away from zero and every seed agrees on its sign.
 */
import type { SimulationResult } from './types.js'

export interface Spread {
  mean: number
  /** Sample standard deviation over seeds (0 with one seed). */
  sd: number
  min: number
  max: number
}

/** The figures compared over seeds; shares are 0..1, leads in days. */
export const SEED_KPIS = ['within14Share', 'servedShare', 'leadDaysP50', 'leadDaysMean', 'leadDaysP90', 'refilledShare', 'utilisation', 'districtSpread', 'waitlistMean', 'walkInsServedShare', 'noShowRecoveredShare'] as const
export type SeedKpi = (typeof SEED_KPIS)[number]

export function kpiOf(r: SimulationResult, k: SeedKpi): number {
  switch (k) {
    case 'districtSpread':
      return r.districtSpread.range
    case 'walkInsServedShare':
      return r.dayOfService?.walkIns ? r.dayOfService.walkInsServed / r.dayOfService.walkIns : Number.NaN
    case 'noShowRecoveredShare':
      return r.dayOfService?.noShowHours ? r.dayOfService.noShowHoursRecovered / r.dayOfService.noShowHours : Number.NaN
    case 'leadDaysP50':
    case 'leadDaysMean':
    case 'leadDaysP90':
      return r.kpis[k] ?? Number.NaN
    default:
      return r.kpis[k]
  }
}

export function spreadOf(xs: number[]): Spread {
  const n = xs.length
  const mean = xs.reduce((a, x) => a + x, 0) / n
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0
  const r = (x: number) => Math.round(x * 1e5) / 1e5
  return { mean: r(mean), sd: r(sd), min: r(Math.min(...xs)), max: r(Math.max(...xs)) }
}

export interface SeedComparison {
  seeds: number[]
  labels: string[]
  /** Per label, per KPI. */
  kpis: Record<string, Record<SeedKpi, Spread>>
  /** Per label after the first: its KPI minus the baseline's, seed by seed. */
  differences: { label: string; vs: string; kpi: SeedKpi; spread: Spread; real: boolean }[]
}

/** `runs[label][j]` is the result of seed `seeds[j]`. */
export function compareSeeds(seeds: number[], runs: { label: string; results: SimulationResult[] }[]): SeedComparison {
  const kpis: SeedComparison['kpis'] = {}
  for (const r of runs) kpis[r.label] = Object.fromEntries(SEED_KPIS.map((k) => [k, spreadOf(r.results.map((x) => kpiOf(x, k)))])) as Record<SeedKpi, Spread>
  const differences: SeedComparison['differences'] = []
  const base = runs[0]
  for (const r of runs.slice(1))
    for (const k of SEED_KPIS) {
      const d = r.results.map((x, j) => kpiOf(x, k) - kpiOf(base.results[j], k))
      const spread = spreadOf(d)
      const se = spread.sd / Math.sqrt(d.length)
      const sameSign = d.every((x) => x > 0) || d.every((x) => x < 0)
      differences.push({ label: r.label, vs: base.label, kpi: k, spread, real: d.length > 1 && sameSign && Math.abs(spread.mean) > 2 * se })
    }
  return { seeds, labels: runs.map((r) => r.label), kpis, differences }
}
