import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'

async function run(args: string[]) {
  let out = '', err = ''
  const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
  return { code, out, err }
}

const dir = mkdtempSync(join(tmpdir(), 'terminplan-cli-'))
function file(name: string, content: string): string {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

describe('terminplan CLI', () => {
  it('validates the built-in Berlin example', async () => {
    const r = await run(['validate', 'berlin'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^valid: 46 offices, 550 staff, 16 services/)
  })

  it('serve: --database and --journal exclude each other, and the city options need --database', async () => {
    const both = await run(['serve', 'berlin', '--port', '0', '--journal', join(dir, 'j'), '--database', 'postgres://127.0.0.1:1/x'])
    expect([both.code, both.err.trim()]).toEqual([2, '$.database: cannot be combined with --journal: the bookings live in one of them'])
    for (const opt of [['--city', 'berlin'], ['--instance', 'http://a'], ['--follower']]) {
      const r = await run(['serve', 'berlin', '--port', '0', ...opt])
      expect([r.code, r.err.trim()]).toEqual([2, `$.${opt[0].slice(2)}: needs --database`])
    }
  })

  it('prints one path: message line per problem and exits 1, without a stack trace', async () => {
    const bad = {
      horizon: { start: '2026-02-30', days: 7 },
      services: [{ id: 's', name: 'S', durationMinutes: 10 }],
      offices: [{ id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: [1], from: '08:00', to: '24:30' }], services: ['s', 'x'], desks: 1 }],
    }
    const r = await run(['validate', file('bad.json', JSON.stringify(bad))])
    expect(r.code).toBe(1)
    const lines = r.err.trim().split('\n')
    expect(lines).toContain('$.horizon.start: not a calendar date (YYYY-MM-DD) that exists')
    expect(lines.some((l) => l.startsWith('$.offices[0].openingHours[0].to: '))).toBe(true)
    expect(r.err).not.toMatch(/\n\s+at /)
  })

  it('reports semantic problems with their paths', async () => {
    const bad = {
      horizon: { start: '2026-12-01', days: 7 },
      services: [{ id: 's', name: 'S', durationMinutes: 10 }],
      offices: [{ id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: [1], from: '08:00', to: '12:00' }], services: ['s', 'x'], desks: 1 }],
    }
    const r = await run(['validate', file('ref.json', JSON.stringify(bad))])
    expect(r.code).toBe(1)
    expect(r.err.trim()).toBe('$.offices[0].services[1]: unknown service "x"')
  })

  it('reports non-JSON at $ and a missing file as an I/O problem', async () => {
    const r = await run(['validate', file('junk.json', '{ nope')])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^\$: not valid JSON/)
    const m = await run(['validate', join(dir, 'missing.json')])
    expect(m.code).toBe(1)
    expect(m.err).toMatch(/^\$: cannot read/)
  })

  it('prints the stack trace only with --debug', async () => {
    const r = await run(['--debug', 'validate', file('junk2.json', '[')])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/\n\s+at /)
  })

  it('exits 2 on usage errors', async () => {
    expect((await run(['validate'])).code).toBe(2)
    expect((await run(['no-such-command'])).code).toBe(2)
  })

  it('matches a generated Berlin waitlist to free slots and reports bound and gap', async () => {
    const out = join(dir, 'match.json')
    const r = await run(['match', 'berlin', '--waiting', '400', '--seed', '3', '--json', out])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^method\s+(exact-matching|lp-rounding)$/m)
    const res = JSON.parse(readFileSync(out, 'utf8'))
    expect(res.waiting).toBe(400)
    expect(res.assignments.length).toBeGreaterThan(0)
    expect(res.bound + 1e-9).toBeGreaterThanOrEqual(res.objective)
    expect(res.gap).toBeLessThan(0.05)
    // Opaque ids only: no names or other personal data in the export.
    expect(Object.keys(res.assignments[0]).sort()).toEqual(['citizenId', 'entryId', 'slot', 'weight'])
  }, 120_000)

  it('summarises the Berlin example as JSON with its capacity', async () => {
    const r = await run(['summary', 'berlin', '--json'])
    expect(r.code).toBe(0)
    const s = JSON.parse(r.out)
    expect(s.offices).toBe(46)
    expect(s.staff).toBe(550)
    // The example is calibrated to ≈ 2.0 M appointments a year against ≈ 2.4 M needed (README).
    expect(s.appointmentCapacityPerWorkingDay).toBeGreaterThan(7000)
    expect(s.appointmentCapacityPerWorkingDay).toBeLessThan(9000)
  })
})
