import { readScenario } from './src/cli/io.js'
import { compile } from './src/model/compile.js'
import { extractDemand, extractSupply } from './src/solver/plan/supply-demand.js'
import { buildPlanLp, DEFAULT_PLAN_WEIGHTS } from './src/solver/plan/lp.js'
import loadHighs from 'highs'
const m = compile(readScenario('berlin'))
const days = Number(process.argv[2] ?? 28)
const demand = extractDemand(m, 0, days)
const supply = extractSupply(m, 0, days, new Set(demand.services))
const lp = buildPlanLp(m, supply, demand, 0, days, { targetDays: 14, minDays: 0, keepBack: 0, weights: { ...DEFAULT_PLAN_WEIGHTS, fairness: Number(process.env.FAIR ?? 0.01) } }).model
const h = await loadHighs()
const variants: Record<string, any> = {
  off: { presolve: 'off' },
  offNoScale: { presolve: 'off', simplex_scale_strategy: 0 },
  off2: { presolve: 'off' },
}
for (const [name, opts] of Object.entries(variants)) {
  const t = performance.now()
  const model = h.createModel({ numCols: lp.nCols, numRows: lp.nRows, sense: h.constants.objectiveSense.minimize, offset: 0, colCost: lp.colCost, colLower: lp.colLower, colUpper: lp.colUpper, rowLower: lp.rowLower, rowUpper: lp.rowUpper, matrix: { format: 'csr', numRows: lp.nRows, numCols: lp.nCols, starts: lp.rowStart, indices: lp.rowIndex, values: lp.rowValue } })
  try {
    model.options.set({ output_flag: false, time_limit: 30, ...opts })
    const st = model.run().modelStatus
    console.log(name, st, model.getObjectiveValue(), (performance.now() - t).toFixed(0), 'ms', model.info.get('simplex_iteration_count'), model.info.get('ipm_iteration_count'))
  } catch (e) { console.log(name, 'error', (e as Error).message.slice(0, 100)) }
  model.dispose()
}
