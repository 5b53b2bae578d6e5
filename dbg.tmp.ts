import { readScenario } from './src/cli/io.js'
import { compile } from './src/model/compile.js'
import { createLpBackend } from './src/adapters/lp/index.js'
import { extractDemand, extractSupply } from './src/solver/plan/supply-demand.js'
import { buildPlanLp, DEFAULT_PLAN_WEIGHTS, odsKey } from './src/solver/plan/lp.js'
import { realiseOfficeDay } from './src/solver/plan/realise.js'
import { solveLp } from './src/solver/lp/verify.js'
const m = compile(readScenario('berlin'))
const days = 7
const demand = extractDemand(m, 0, days)
const supply = extractSupply(m, 0, days, new Set(demand.services))
const lp = buildPlanLp(m, supply, demand, 0, days, { targetDays: 14, minDays: 0, keepBack: 0, weights: DEFAULT_PLAN_WEIGHTS })
const be = createLpBackend('highs', { mode: 'inline' })
const r = await solveLp(be, lp.model)
if (r.status !== 'optimal') throw 1
const nS = m.serviceIds.length
let lpUnits = 0, realUnits = 0, cap = 0, lost = 0
const t = performance.now()
for (let i = 0; i < supply.officeDays.length; i++) {
  const od = supply.officeDays[i]
  const target = new Map<number, number>(), val = new Map<number, number>()
  let u = 0
  for (const s of od.services) { const q = (lp.supplyCols.get(odsKey(i, s, nS)) ?? []).reduce((a, c) => a + r.x[c], 0); if (q > 1e-6) target.set(s, q); u += q * m.durationUnits[od.office * nS + s]; const vr = lp.valueRow.get(odsKey(i,s,nS)); val.set(s, vr !== undefined ? Math.max(0, -r.rowDual![vr]) : 0) }
  const res = realiseOfficeDay({ m, supply, officeDay: i, target, value: val, keepBack: 0, fillIdle: false, fillWeight: new Map(), seed: 1 })
  const ru = res.slots.reduce((a, x) => a + x.end - x.start, 0)
  lpUnits += u; realUnits += ru; cap += od.units
  if (i < 3 || u - ru > 20) console.log(i, m.officeIds[od.office], m.dates[od.day], 'cap', od.units, 'classes', od.classes.map(c => c.services.length + ':' + c.units).join(' '), 'runs', od.runs.length, 'lp', u.toFixed(1), 'real', ru, [...val.values()].map(v => v.toFixed(1)).join(','))
}
console.log('lpUnits', lpUnits.toFixed(0), 'real', realUnits, 'cap', cap, 'ms', (performance.now() - t).toFixed(0))
