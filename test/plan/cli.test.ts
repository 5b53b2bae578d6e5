/** `terminplan plan`: the table, the JSON file, both back ends, usage errors. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { smallScenario } from './fixtures.js'

async function run(args: string[]) {
  let out = '', err = ''
  const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
  return { code, out, err }
}

const dir = mkdtempSync(join(tmpdir(), 'terminplan-plan-'))
const scenario = join(dir, 'small.json')
writeFileSync(scenario, JSON.stringify(smallScenario(4, { load: 6 })))

describe('terminplan plan', () => {
  it('prints the plan and writes it as JSON with the slot patterns', async () => {
    const out = join(dir, 'plan.json')
    const r = await run(['plan', scenario, '--target-days', '2', '--waitlist-share', '0.1', '--json', out, '--patterns'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/served within 2 days/)
    expect(r.out).toMatch(/objective: LP bound \/ integer plan/)
    const plan = JSON.parse(readFileSync(out, 'utf8'))
    expect(plan.waitlistShare).toBe(0.1)
    expect(plan.quotas.length).toBeGreaterThan(0)
    expect(plan.patterns.length).toBe(plan.quotas.reduce((a: number, q: { slots: number }) => a + q.slots, 0))
    expect(plan.patterns[0]).toEqual([expect.any(String), expect.any(String), expect.stringMatching(/^2026-06-0\d$/), expect.stringMatching(/^2026-06-0\dT\d\d:\d\d:00\+02:00$/), expect.any(String)])
    expect(plan.kpis.plan.servedOnTime).toBeLessThanOrEqual(plan.kpis.lp.servedOnTime + 1e-6)
  })

  it('solves with javascript-lp-solver to the same value and prints JSON to stdout', async () => {
    const a = await run(['plan', scenario, '--target-days', '2', '--json', '-'])
    const b = await run(['plan', scenario, '--target-days', '2', '--json', '-', '--backend', 'jslp'])
    expect(a.code).toBe(0)
    expect(b.code).toBe(0)
    const pa = JSON.parse(a.out), pb = JSON.parse(b.out)
    expect(pb.backend).toBe('jslp')
    expect(pb.objective).toBeCloseTo(pa.objective, 4)
    expect(pa.patterns).toBeUndefined()
  })

  it('plans the Berlin example and names where staff time helps most', async () => {
    const r = await run(['plan', 'berlin', '--days', '2', '--top', '3'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/2026-12-01 … 2026-12-02 \(2 days\)/)
    expect(r.out.match(/one more staff hour serves ≈ [\d.]+ more citizens within 14 days/g)?.length).toBe(3)
  }, 60_000)

  it('rejects bad options with a path and exit code 2', async () => {
    const r = await run(['plan', scenario, '--backend', 'cplex'])
    expect(r.code).toBe(2)
    expect(r.err.trim()).toBe('$.backend: must be highs or jslp, got cplex')
    const d = await run(['plan', scenario, '--days', '0'])
    expect(d.code).toBe(2)
    expect(d.err).toMatch(/^\$\.days: /)
    const f = await run(['plan', scenario, '--from', '2031-01-01'])
    expect(f.code).toBe(1)
    expect(f.err).toMatch(/^\$\.from: 2031-01-01 is not a date of the horizon/)
  })
})
