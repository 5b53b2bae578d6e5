/**
 * A planner's what-if on the built-in Berlin example: the same four weeks of requests under
 * today's first-come-first-served and under the waitlist, compared on the 14-day goal.
 * Run: npx tsx examples/simulate.ts
 */
import { simulate } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
for (const policy of ['fcfs', 'waitlist'] as const) {
  const { result } = await simulate(scenario, { policy, days: 21, warmupDays: 7, fillDays: 28, seed: 1 })
  const k = result.kpis
  console.log(
    `${policy.padEnd(9)} within 14 days ${(k.within14Share * 100).toFixed(1)} %, lead p50 ${k.leadDaysP50} d, p90 ${k.leadDaysP90} d, ` +
      `from the waitlist ${k.outcomes.waitlist_booked}, unserved ${k.outcomes.unserved} of ${k.requests}`,
  )
  console.log(`          worst district ${result.districtSpread.worst} ${(result.districtSpread.min * 100).toFixed(1)} %, best ${result.districtSpread.best} ${(result.districtSpread.max * 100).toFixed(1)} %`)
}
