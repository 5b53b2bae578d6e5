/** Recorded service times: statistics per office and service list, and the overlay that plans with them. */
import type { OverlayInput } from '../../model/overlay.js'
import type { Model } from '../../model/compile.js'
import { servicesDuration } from '../../model/compile.js'

export interface SampleStat {
  count: number
  mean: number
  p90: number
}

/** Mean and 90th percentile (nearest rank) of recorded minutes. */
export function sampleStat(xs: readonly number[]): SampleStat {
  const sorted = [...xs].sort((a, b) => a - b)
  const n = sorted.length
  const mean = n ? sorted.reduce((s, x) => s + x, 0) / n : 0
  const p90 = n ? sorted[Math.ceil(0.9 * n) - 1] : 0
  return { count: n, mean, p90 }
}

/** Planned minutes of a service list at an office (0 when not offered). */
export function plannedMinutes(m: Model, officeId: string, services: readonly string[]): number {
  const o = m.officeIndex.get(officeId)
  if (o === undefined) return 0
  const idx = services.map((id) => m.serviceIndex.get(id))
  if (idx.some((i) => i === undefined)) return 0
  return servicesDuration(m, o, idx as number[]) * m.unitMinutes
}

/**
 * serviceDuration changes for single services recorded at least `minSamples` times: the chosen
 * statistic rounded to the grid unit (at least one unit), where it differs from the plan; offices
 * with the same new duration share one change.
 */
export function durationOverlayOf(m: Model, samples: ReadonlyMap<string, readonly number[]>, statistic: 'mean' | 'p90', minSamples: number): OverlayInput {
  const groups = new Map<string, { service: string; minutes: number; offices: string[] }>()
  for (const key of [...samples.keys()].sort()) {
    const [officeId, list] = key.split('\u0000')
    if (list.includes('+') || !m.officeIndex.has(officeId) || !m.serviceIndex.has(list)) continue
    const st = sampleStat(samples.get(key)!)
    if (st.count < minSamples) continue
    const u = m.unitMinutes
    const minutes = Math.max(u, Math.round((statistic === 'mean' ? st.mean : st.p90) / u) * u)
    if (minutes === plannedMinutes(m, officeId, [list])) continue
    const g = `${list}\u0000${minutes}`
    const x = groups.get(g) ?? groups.set(g, { service: list, minutes, offices: [] }).get(g)!
    x.offices.push(officeId)
  }
  const changes = [...groups.values()].map((g) => ({ kind: 'serviceDuration' as const, service: g.service, minutes: g.minutes, offices: g.offices }))
  return {
    name: 'recorded service durations',
    description: `${statistic} of recorded service times, at least ${minSamples} per office and service, rounded to the ${m.unitMinutes}-minute grid`,
    changes: changes as OverlayInput['changes'],
  }
}
