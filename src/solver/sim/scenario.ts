/**
 * The scenario a run simulates: the input (validated once, by whoever loaded it) with the
 * policy's overbooking for no-shows, a horizon long enough for the fill, warm-up, measured days
 * and the booking window, the release practice on every office, and the policy's public window.
 * Each change keeps the scenario valid, so it is compiled without validating again.
 */
import { fail } from '../../model/errors.js'
import { applyOverlays } from '../../model/overlay.js'
import type { Scenario } from '../../model/schema.js'
import { startOfLocalDay } from '../../model/tz.js'
import { DAY_MS } from './kpis.js'
import type { SimulationOptions } from './options.js'
import type { Policy } from './policies/policy.js'

export function runScenario(input: Scenario, from: string, totalDays: number, policy: Pick<Policy, 'windowDays' | 'overbook'>, opt: SimulationOptions): Scenario {
  const s = withOverbooking(input, policy, opt)
  const maxWindow = Math.max(...s.offices.map((o) => o.bookingWindow.maxDays))
  const start = s.horizon.start
  const offset = Math.round((startOfLocalDay(s.timezone, from) - startOfLocalDay(s.timezone, start)) / DAY_MS)
  if (offset < 0) fail('COMMAND_INVALID', '$.from', 'outside_horizon', `the simulation cannot start before the horizon (${start})`)
  const days = Math.max(s.horizon.days, offset + totalDays + maxWindow + 2)
  if (days > 731) fail('COMMAND_INVALID', '$.days', 'too_long', `fill, warm-up, days and the ${maxWindow}-day booking window need ${days} days of horizon; at most 731`)
  const { shortNoticeShare: share, shortNoticeDays } = opt.release
  const window = policy.windowDays?.(opt)
  const offices = s.offices.map((o) => {
    const bw = { ...o.bookingWindow }
    if (window !== undefined) bw.maxDays = Math.max(bw.minDays, Math.min(bw.maxDays, window))
    if (bw.shortNotice === undefined && share > 0) bw.shortNotice = { share, days: shortNoticeDays }
    return { ...o, bookingWindow: bw }
  })
  return { ...s, horizon: { start, days }, offices }
}

/** The policy's overbooking for no-shows (the `overbook` change), unless the scenario has overbooking time of its own. */
function withOverbooking(s: Scenario, policy: Pick<Policy, 'overbook'>, opt: SimulationOptions): Scenario {
  if (!policy.overbook || s.staff.some((p) => p.overbooking)) return s
  // The change takes rates up to 0.5.
  const noShowRate = Math.min(0.5, opt.behaviour.noShowShare)
  return applyOverlays(s, [{ name: "the policy's overbooking", changes: [{ kind: 'overbook', noShowRate, maxExpectedOverflow: 1 }] }])
}
