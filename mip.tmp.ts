import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { createLpBackend } from './src/adapters/lp/index.js'
import { parseOrLibraryGap, gapAssignmentProblem, assignmentLp } from './src/solver/assign/gap.js'
import { solveLp } from './src/solver/lp/verify.js'
const be = createLpBackend('highs', { mode: 'inline' })
for (const name of process.argv.slice(2)) {
  const g = parseOrLibraryGap(gunzipSync(readFileSync(`test/data/gap/${name}.gz`)).toString(), name)
  const m = assignmentLp(gapAssignmentProblem(g), { integer: true })
  const t = performance.now()
  const r = await solveLp(be, m, { timeLimitMs: 20000 })
  console.log(name, r.status, (r as any).objective ?? (r as any).incumbent?.objective, (r as any).bound, (performance.now() - t).toFixed(0))
}
