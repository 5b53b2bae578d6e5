/**
 * The difference between two runs on the same requests, with its standard error from one seed.
 * Every policy of a seed sees the same demand stream, request by request, so the 14-day shares of
 * two runs can be compared pair by pair: d_i = within_B(i) − within_A(i) per measured request, the
 * difference is mean(d) and its standard error sd(d)/√n. It counts the requests' own chance,
 * not chance events that hit many requests at once (a sick call, a busy week): for those, seeds.
 */
import type { RequestLog } from './requests.js'
import { GOAL_MS, isMeasured, type MeasureWindow } from './kpis.js'

/** Per request: 0 = not measured, 1 = measured and not within 14 days, 2 = within 14 days. */
export type GoalMarks = Uint8Array

export interface RunGoals {
  /** Fingerprint of the requests (instants and services): only runs with the same one pair up. */
  demand: string
  marks: GoalMarks
}

export function goalMarks(log: RequestLog, w: MeasureWindow): RunGoals {
  const marks = new Uint8Array(log.length)
  // FNV-1a over the request instants and service keys, 32 bits.
  let h = 0x811c9dc5
  const mix = (x: number) => {
    h ^= x & 0xffff
    h = Math.imul(h, 0x01000193)
    h ^= x >>> 16
    h = Math.imul(h, 0x01000193)
  }
  for (let i = 0; i < log.length; i++) {
    const t = log.requestedAt[i]
    mix(Math.floor(t / 1000) | 0)
    mix(log.services[i])
    if (!isMeasured(log, i, w)) continue
    marks[i] = log.hadAppointment(i) && log.start[i] - t <= GOAL_MS ? 2 : 1
  }
  return { demand: `${log.length}:${(h >>> 0).toString(16)}`, marks }
}

export interface PairedDifference {
  label: string
  vs: string
  /** Measured requests paired. */
  requests: number
  /** Within-14-days share of `label` minus that of `vs` (0..1 scale). */
  mean: number
  /** Standard error of `mean`. */
  se: number
  /** Whether the 95 % interval (1.96 standard errors) leaves out zero. */
  real: boolean
}

/** The paired difference `other − base`, or null when the runs did not see the same requests. */
export function pairedDifference(base: RunGoals, other: RunGoals, label: string, vs: string): PairedDifference | null {
  if (base.demand !== other.demand) return null
  const a = base.marks, b = other.marks
  let n = 0, sum = 0, sumSq = 0
  for (let i = 0; i < a.length; i++) {
    // The measured set depends only on the request instants, so it is the same in both runs.
    if (a[i] === 0 || b[i] === 0) {
      if (a[i] !== b[i]) return null
      continue
    }
    const d = b[i] - a[i]
    n++
    sum += d
    sumSq += d * d
  }
  if (n < 2) return null
  const mean = sum / n
  const variance = (sumSq - n * mean * mean) / (n - 1)
  const se = Math.sqrt(Math.max(0, variance) / n)
  const r = (x: number) => Math.round(x * 1e5) / 1e5
  return { label, vs, requests: n, mean: r(mean), se: r(se), real: Math.abs(mean) > 1.96 * se }
}
