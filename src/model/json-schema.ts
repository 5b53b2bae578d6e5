/** JSON Schema for editors, generated from the zod schema so the two cannot drift. */
import { z } from 'zod'
import { ScenarioSchema } from './schema.js'

export function scenarioJsonSchema(): Record<string, unknown> {
  // `input` mode: fields with defaults are optional for people writing scenario files.
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
}
