/**
 * The what-if simulation: simulated days of Berlin under one policy, end to end (demand, search,
 * hold, confirm, cancel, offers, KPIs). One run is seconds long, so it is timed directly (wall
 * clock and peak RSS, sampled once per simulated day) rather than repeated under tinybench. No
 * peer: nothing else simulates this; the figure to watch is µs per request.
 */
import { readScenario } from '../src/cli/io.js'
import { createLpBackend } from '../src/adapters/lp/index.js'
import { simulate } from '../src/solver/sim/simulate.js'
import type { PolicyName } from '../src/solver/sim/types.js'
import type { BenchContext } from './lib.js'

export async function simSuite(ctx: BenchContext): Promise<void> {
  const scenario = readScenario('berlin')
  // Full: 90 simulated days (56 filled fast, 14 warm-up, 20 measured) and the ablation steps; CI: 35 days, the three policies.
  const fillDays = ctx.ci ? 14 : 56, warmupDays = ctx.ci ? 6 : 14, days = ctx.ci ? 15 : 20
  const policies: PolicyName[] = ctx.ci ? ['fcfs', 'waitlist', 'optimized'] : ['fcfs', 'waitlist', 'optimized', 'fcfs14', 'offers14', 'quotas14']
  for (const policy of policies) {
    const lp = policy === 'optimized' || policy === 'quotas14' ? createLpBackend('highs') : undefined
    let peak = process.memoryUsage().rss
    const t = performance.now()
    const run = await simulate(scenario, { policy, days, warmupDays, fillDays, seed: 1 }, { lp, onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) })
    const ms = performance.now() - t
    await lp?.close()
    const n = run.log.length
    ctx.rows.push({
      suite: 'sim',
      operation: `simulate ${policy}`,
      size: `Berlin, ${fillDays + warmupDays + days} days (${fillDays} filled), ${n.toLocaleString('en')} requests`,
      medianUs: ms * 1000,
      p99Us: ms * 1000,
      opsPerSec: (n / ms) * 1000,
      extra: { seconds: Math.round(ms / 100) / 10, usPerRequest: Math.round((ms * 1000) / n), peakRssMB: Math.round(peak / 1e6), within14Share: run.result.kpis.within14Share },
    })
    console.error(`sim ${policy}: ${(ms / 1000).toFixed(1)} s, ${n} requests, peak RSS ${Math.round(peak / 1e6)} MB`)
  }
}
