import { readScenario } from './src/cli/io.js'
import { compile } from './src/model/compile.js'
import { createLpBackend } from './src/adapters/lp/index.js'
import { planCapacity } from './src/solver/plan/plan.js'
const days = Number(process.argv[2] ?? 28)
let t = performance.now()
const m = compile(readScenario('berlin'))
console.log('compile', (performance.now() - t).toFixed(0))
const be = createLpBackend((process.env.BE ?? 'highs') as any, { mode: (process.env.MODE ?? 'inline') as any })
t = performance.now()
const plan = await planCapacity(m, { backend: be, days, improveRounds: Number(process.env.IMP ?? 1) })
console.log('plan ms', (performance.now() - t).toFixed(0), plan.model, plan.timings, plan.lpStatus, plan.lpCertified, plan.lpBound, plan.objective, plan.gap)
console.log(JSON.stringify(plan.kpis.lp, null, 0).slice(0, 600))
console.log(JSON.stringify(plan.kpis.plan, null, 0).slice(0, 600))
console.log('quotas', plan.quotas.length, 'patterns', plan.patterns.length, 'extra', plan.extraSlots, plan.warnings)
const top = [...plan.officeDays].sort((a, b) => b.citizensPerStaffHour - a.citizensPerStaffHour).slice(0, 5)
console.log(top)
await be.close()
