/** Writes schema/scenario.schema.json and schema/overlay.schema.json from the zod schemas (the single source of truth). */
import { writeFileSync } from 'node:fs'
import { scenarioJsonSchema } from '../src/model/json-schema.js'
import { overlayJsonSchema } from '../src/model/overlay.js'

for (const [file, schema] of [
  ['scenario.schema.json', scenarioJsonSchema()],
  ['overlay.schema.json', overlayJsonSchema()],
] as const) {
  const out = new URL(`../schema/${file}`, import.meta.url)
  writeFileSync(out, JSON.stringify(schema, null, 2) + '\n')
  console.log(`wrote ${out.pathname}`)
}
