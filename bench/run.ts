/**
 * `npm run bench` runs every suite and writes bench/results.json; `npm run bench:ci` runs small
 * sizes and fails when a ratio to its peer falls below bench/floors.json.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { machine, table, type BenchContext } from './lib.js'
import { slotsSuite } from './slots.js'
import { waitlistSuite } from './waitlist.js'
import { matchingSuite } from './matching.js'
import { lpSuite } from './lp.js'
import { simSuite } from './sim.js'
import { httpSuite } from './http.js'
import { journalSuite } from './journal.js'
import { liveSuite } from './live.js'
import { daySuite } from './day.js'

const ci = process.argv.includes('--ci')
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7)
const ctx: BenchContext = { ci, timeMs: ci ? 300 : 2000, rows: [] }
const suites: Record<string, (c: BenchContext) => Promise<void>> = { slots: slotsSuite, waitlist: waitlistSuite, matching: matchingSuite, lp: lpSuite, sim: simSuite, http: httpSuite, journal: journalSuite, live: liveSuite, day: daySuite }

// The slot suite's peers materialise every slot of Berlin (minutes and gigabytes), the HTTP load
// test starts servers and runs seconds of load, and the journal suite starts a PostgreSQL server:
// full runs only.
const ciSkip = new Set(['slots', 'http', 'journal'])
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue
  if (ci && !only && ciSkip.has(name)) continue
  await run(ctx)
}
console.log(table(ctx.rows))
const out = new URL(ci ? './results.ci.json' : './results.json', import.meta.url)
// With --only, the other suites' rows of the last full run are kept (marked by their own machine).
let rows = ctx.rows
if (only) {
  try {
    const prev = JSON.parse(readFileSync(out, 'utf8')) as { rows: typeof ctx.rows }
    rows = [...prev.rows.filter((r) => r.suite !== only), ...ctx.rows]
  } catch {
    // No earlier results: just this suite.
  }
}
writeFileSync(out, JSON.stringify({ machine: machine(), ci, rows }, null, 2) + '\n')

// Ratio floors: a regression gate that does not depend on how fast this machine is today.
const floors = JSON.parse(readFileSync(new URL('./floors.json', import.meta.url), 'utf8')) as Record<string, number>
let failed = 0
for (const r of ctx.rows) {
  const key = `${r.suite}/${r.operation}`
  const floor = floors[key]
  if (floor === undefined || r.ratio === undefined) continue
  const ok = r.ratio >= floor
  if (!ok) failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${key}: ratio ${r.ratio.toFixed(1)} (floor ${floor})`)
}
if (failed > 0) process.exitCode = 1
