/** Writes schema/scenario.schema.json from the zod ScenarioSchema (the single source of truth). */
import { writeFileSync } from 'node:fs'
import { scenarioJsonSchema } from '../src/model/json-schema.js'

const out = new URL('../schema/scenario.schema.json', import.meta.url)
writeFileSync(out, JSON.stringify(scenarioJsonSchema(), null, 2) + '\n')
console.log(`wrote ${out.pathname}`)
