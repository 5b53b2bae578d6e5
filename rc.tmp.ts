import { readFileSync, readdirSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { createLpBackend } from './src/adapters/lp/index.js'
import { parseOrLibraryGap, gapAssignmentProblem, assignmentLp } from './src/solver/assign/gap.js'
import { solveLp } from './src/solver/lp/verify.js'
const optima = new Map(readFileSync('test/data/gap/optima.csv','utf8').trim().split('\n').slice(1).map(l => { const c = l.split(','); return [c[0], Number(c[7])] }))
const be = createLpBackend('highs', { mode: 'inline' })
for (const f of readdirSync('test/data/gap/chu1997').sort()) {
  const name = 'chu1997/' + f.replace('.gz','')
  const g = parseOrLibraryGap(gunzipSync(readFileSync(`test/data/gap/${name}.gz`)).toString(), name)
  const p = gapAssignmentProblem(g)
  const r = await solveLp(be, assignmentLp(p))
  if (r.status !== 'optimal') continue
  const allow = optima.get(name)! * 1.01 - r.objective
  let keep = 0; for (let e = 0; e < p.arcAgent.length; e++) if (r.colDual![e] <= allow) keep++
  console.log(name, 'arcs', p.arcAgent.length, 'keep(1% above opt)', keep, (keep / g.jobs).toFixed(1), 'per job')
}
