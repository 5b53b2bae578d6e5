import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { scenarioJsonSchema } from '../../src/model/json-schema.js'

describe('schema/scenario.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/scenario.schema.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(scenarioJsonSchema())
  })

  it('describes the fields editors need: required keys, enums and formats', () => {
    const s = scenarioJsonSchema() as { required: string[]; properties: Record<string, any> }
    expect(s.required).toEqual(expect.arrayContaining(['horizon', 'services', 'offices']))
    expect(s.properties.policy.properties.offerMode.enum).toEqual(['sequential', 'broadcast'])
    expect(s.properties.horizon.properties.start.pattern).toBe('^\\d{4}-\\d{2}-\\d{2}$')
  })
})
