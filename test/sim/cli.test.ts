/**
 * `terminplan simulate` and `compare` in-process: the table, JSON on stdout, events.csv, the
 * report, overlays, and usage errors (exit 2) with `path: message` lines.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import type { Comparison } from '../../src/solver/sim/types.js'
import { townInput } from './town.js'

async function run(args: string[]) {
  let out = '', err = ''
  const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false })
  return { code, out, err }
}

const dir = mkdtempSync(join(tmpdir(), 'terminplan-sim-'))
const scenario = join(dir, 'town.json')
writeFileSync(scenario, JSON.stringify(townInput()))
const overlay = join(dir, 'plus.json')
writeFileSync(overlay, JSON.stringify({ name: 'two more at c1', changes: [{ kind: 'addStaff', office: 'c1', count: 2 }] }))
const small = ['--days', '15', '--warmup', '7', '--seed', '3']

describe('terminplan simulate / compare', () => {
  it('prints the comparison table and writes JSON, events.csv and the report', async () => {
    const json = join(dir, 'out.json'), events = join(dir, 'events.csv'), report = join(dir, 'report.html')
    const r = await run(['simulate', scenario, ...small, '--policy', 'all', '--json', json, '--events', events, '--report', report])
    expect(r.err).toMatch(/^wrote /)
    expect(r.code).toBe(0)
    expect(r.out.split('\n')[0]).toMatch(/^\s+fcfs\s+waitlist\s+optimized$/)
    expect(r.out).toMatch(/within 14 days\s+\d+\.\d %\s+\d+\.\d %\s+\d+\.\d %/)
    const c = JSON.parse(readFileSync(json, 'utf8')) as Comparison
    expect(c.runs.map((x) => x.label)).toEqual(['fcfs', 'waitlist', 'optimized'])
    // Each later run against fcfs on the same requests: the share's difference with its 95 % interval.
    expect(c.paired?.map((d) => [d.label, d.vs])).toEqual([['waitlist', 'fcfs'], ['optimized', 'fcfs']])
    const row = r.out.split('\n').find((l) => l.startsWith('  vs fcfs (pp, 95 %)'))!
    const cells = [...row.matchAll(/([+−])(\d+\.\d) ± (\d+\.\d)/g)]
    expect(cells).toHaveLength(2)
    for (const [k, d] of c.paired!.entries()) {
      const share = c.runs[k + 1].result.kpis.within14Share - c.runs[0].result.kpis.within14Share
      expect(Math.abs(d.mean - share)).toBeLessThan(2e-4)
      expect(Number(cells[k][2]) * (cells[k][1] === '−' ? -1 : 1)).toBeCloseTo(d.mean * 100, 1)
      expect(Number(cells[k][3])).toBeCloseTo(1.96 * d.se * 100, 1)
    }
    const rows = readFileSync(events, 'utf8').trimEnd().split('\n')
    expect(rows[0]).toBe('policy,request_id,services,district,requested_at,outcome,appointment_start,office_id')
    expect(rows.length - 1).toBe(c.runs.reduce((a, x) => a + x.result.totalRequests, 0))
    const html = readFileSync(report, 'utf8')
    expect(html.startsWith('<!DOCTYPE html>') || html.startsWith('<!doctype html>')).toBe(true)
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(5)
    // The report's 14-day difference carries the same interval as the table.
    expect(html).toContain(`<span class="delta">${cells[1][1]}${cells[1][2]} ± ${cells[1][3]}`)
  }, 120_000)

  it('writes JSON to stdout with --json - (no table), the same bytes for the same seed', async () => {
    const a = await run(['simulate', scenario, ...small, '--policy', 'fcfs', '--json', '-'])
    const b = await run(['simulate', scenario, ...small, '--policy', 'fcfs', '--json', '-'])
    expect(a.code).toBe(0)
    expect(a.err).toBe('')
    const c = JSON.parse(a.out) as Comparison
    expect(c.runs[0].result.policy).toBe('fcfs')
    expect(a.out).toBe(b.out)
  })

  it('--sick-calls sets the sick-call rate: none with 0, some by default on the same requests', async () => {
    const off = JSON.parse((await run(['simulate', scenario, ...small, '--policy', 'fcfs', '--sick-calls', '0', '--json', '-'])).out) as Comparison
    const on = JSON.parse((await run(['simulate', scenario, ...small, '--policy', 'fcfs', '--sick-calls', '40', '--json', '-'])).out) as Comparison
    expect(off.runs[0].result.kpis.sickCalls).toBe(0)
    expect(on.runs[0].result.kpis.sickCalls).toBeGreaterThan(0)
    expect(on.runs[0].result.kpis.disruptedAppointments).toBeGreaterThan(0)
    expect(on.runs[0].result.totalRequests).toBe(off.runs[0].result.totalRequests)
    const bad = await run(['simulate', scenario, ...small, '--sick-calls', 'many'])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/^\$\.sick-calls: /m)
  })

  it('compares the scenario as is with each overlay', async () => {
    const r = await run(['compare', scenario, ...small, '--with', overlay, '--json', '-'])
    expect(r.code).toBe(0)
    const c = JSON.parse(r.out) as Comparison
    expect(c.runs.map((x) => x.label)).toEqual(['fcfs (as is)', 'fcfs + two more at c1'])
    expect(c.runs[1].result.overlays).toEqual(['two more at c1'])
    // Two more staff at c1: more working time there, the same requests.
    expect(c.runs[1].result.totalRequests).toBe(c.runs[0].result.totalRequests)
    const util = (k: number) => c.runs[k].result.byOffice.find((o) => o.officeId === 'c1')!
    expect(util(1).requests).toBeGreaterThan(util(0).requests)
    expect(c.paired?.map((d) => d.label)).toEqual(['fcfs + two more at c1'])
    // More demand is other requests: no pairing, no interval row.
    const more = join(dir, 'more.json')
    writeFileSync(more, JSON.stringify({ name: 'more demand', changes: [{ kind: 'scaleDemand', factor: 1.2 }] }))
    const m = await run(['compare', scenario, ...small, '--with', more])
    expect(m.code).toBe(0)
    expect(m.out).not.toMatch(/vs fcfs \(pp, 95 %\)/)
  })

  it('answers the terminal what-if: five minutes off ID cards at two offices', async () => {
    const terminals = join(dir, 'terminals.json')
    writeFileSync(terminals, JSON.stringify({ name: 'terminals', changes: [{ kind: 'serviceDuration', service: 'id', deltaMinutes: -5, offices: ['c1', 'c2'] }] }))
    const r = await run(['compare', scenario, ...small, '--policy', 'fcfs', '--with', terminals, '--json', '-'])
    expect(r.code).toBe(0)
    const c = JSON.parse(r.out) as Comparison
    expect(c.runs.map((x) => x.label)).toEqual(['fcfs (as is)', 'fcfs + terminals'])
    // Shorter ID card appointments at c1 and c2: more of the same requests booked there; elsewhere the same staff time.
    const at = (k: number, id: string) => c.runs[k].result.byOffice.find((o) => o.officeId === id)!
    const booked = (k: number, id: string) => at(k, id).outcomes.booked + at(k, id).outcomes.no_show
    expect(booked(1, 'c1') + booked(1, 'c2')).toBeGreaterThan(booked(0, 'c1') + booked(0, 'c2'))
    expect(c.runs[1].result.kpis.servedShare).toBeGreaterThanOrEqual(c.runs[0].result.kpis.servedShare)
    expect(c.runs[1].result.totalRequests).toBe(c.runs[0].result.totalRequests)
  })

  it('rejects bad options as usage errors and bad overlays with their path', async () => {
    const bad = await run(['simulate', scenario, '--policy', 'lottery'])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/^\$\.policy: /m)
    expect(bad.err).not.toMatch(/\n\s+at /)
    const days = await run(['simulate', scenario, '--days', '3'])
    expect(days.code).toBe(2)
    expect(days.err).toMatch(/^\$\.days: /m)
    const none = await run(['compare', scenario])
    expect(none.code).toBe(2)
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, JSON.stringify({ name: 'x', changes: [{ kind: 'close', office: 'nowhere', from: '2027-01-05', to: '2027-01-06' }] }))
    const ov = await run(['simulate', scenario, ...small, '--policy', 'fcfs', '--with', broken])
    expect(ov.code).toBe(1)
    expect(ov.err).toMatch(/^\$\.changes\[0\]\.office: /m)
  })
})
