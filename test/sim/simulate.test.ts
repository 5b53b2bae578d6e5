/**
 * simulate(): determinism, the same demand under every policy, KPIs that events.csv recomputes
 * (an independent CSV reader below, not the engine's own code), bookings that never overlap,
 * and typed errors for bad options.
 */
import { describe, expect, it } from 'vitest'
import { TerminplanError } from '../../src/model/errors.js'
import { createLpBackend } from '../../src/adapters/lp/index.js'
import { eventsCsv } from '../../src/solver/sim/events.js'
import { simulate, type SimulationRun } from '../../src/solver/sim/simulate.js'
import { pairedDifference } from '../../src/solver/sim/paired.js'
import { town } from './town.js'

const OPTIONS = { days: 21, warmupDays: 14, seed: 7 } as const

/** Splits one CSV line (RFC 4180 quotes). */
function splitCsv(line: string): string[] {
  const out: string[] = []
  let cur = '', q = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++
      else if (c === '"') q = false
      else cur += c
    } else if (c === '"') q = true
    else if (c === ',') out.push(cur), (cur = '')
    else cur += c
  }
  out.push(cur)
  return out
}

/** The 14-day KPI from the CSV alone, by the rule in the README. */
function recompute(csv: string, measuredFrom: string, to: string, zoneOffsetDays = 0) {
  const lines = csv.trimEnd().split('\n')
  const header = splitCsv(lines[0])
  const col = (name: string) => header.indexOf(name)
  const from = Date.parse(`${measuredFrom}T00:00:00+01:00`)
  const end = Date.parse(`${to}T00:00:00+01:00`) + (1 + zoneOffsetDays) * 86_400_000
  const until = end - 14 * 86_400_000
  let n = 0, within = 0
  const outcomes: Record<string, number> = {}
  /** Measured requests by id: whether within 14 days. */
  const byId = new Map<string, boolean>()
  for (const line of lines.slice(1)) {
    const r = splitCsv(line)
    const at = Date.parse(r[col('requested_at')])
    if (at < from || at > until) continue
    n++
    const outcome = r[col('outcome')]
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
    const ok = ['booked', 'waitlist_booked', 'no_show'].includes(outcome) && Date.parse(r[col('appointment_start')]) - at <= 14 * 86_400_000
    byId.set(r[col('request_id')], ok)
    if (ok) within++
  }
  return { n, share: Math.round((within / n) * 1e4) / 1e4, outcomes, byId }
}

const csvOf = (runs: { label: string; run: SimulationRun }[]) => [...eventsCsv(runs)].join('')

describe('simulate', () => {
  it('gives byte-identical results for the same seed, and other results for another seed', async () => {
    const a = await simulate(town(), { ...OPTIONS, policy: 'waitlist' })
    const b = await simulate(town(), { ...OPTIONS, policy: 'waitlist' })
    const c = await simulate(town(), { ...OPTIONS, policy: 'waitlist', seed: 8 })
    expect(JSON.stringify(a.result)).toBe(JSON.stringify(b.result))
    expect(csvOf([{ label: 'x', run: a }])).toBe(csvOf([{ label: 'x', run: b }]))
    expect(JSON.stringify(c.result)).not.toBe(JSON.stringify(a.result))
  })

  it('runs every policy on the same requests; events.csv recomputes the KPIs', async () => {
    const lp = createLpBackend('highs')
    try {
      const runs = []
      for (const policy of ['fcfs', 'waitlist', 'optimized'] as const) runs.push({ label: policy, run: await simulate(town(), { ...OPTIONS, policy }, { lp }) })
      const csv = csvOf(runs)
      const lines = csv.trimEnd().split('\n')
      expect(lines[0]).toBe('policy,request_id,services,district,requested_at,outcome,appointment_start,office_id')
      // Identical demand: the same request rows (id, services, district, time) under each policy.
      const key = (policy: string) => lines.filter((l) => l.startsWith(`${policy},`)).map((l) => splitCsv(l).slice(1, 5).join(','))
      expect(key('waitlist')).toEqual(key('fcfs'))
      expect(key('optimized')).toEqual(key('fcfs'))
      for (const { label, run } of runs) {
        const r = run.result
        const own = csvOf([{ label, run }])
        const re = recompute(own, r.measuredFrom, r.to)
        expect(re.n, label).toBe(r.kpis.requests)
        expect(re.share, label).toBe(r.kpis.within14Share)
        for (const [k, v] of Object.entries(r.kpis.outcomes)) expect(re.outcomes[k] ?? 0, `${label} ${k}`).toBe(v)
        expect(r.kpis.requests).toBeGreaterThan(500)
        // Per-district requests add up to the city's; office utilisation never exceeds 1.
        expect(r.byDistrict.reduce((a, d) => a + d.requests, 0)).toBe(r.kpis.requests)
        for (const o of r.byOffice) expect(o.utilisation).toBeLessThanOrEqual(1)
        expect(r.kpis.utilisation).toBeGreaterThan(0.5)
        expect(r.kpis.servedUtilisation).toBeLessThanOrEqual(r.kpis.utilisation)
      }
      // The paired difference against fcfs, from the CSV by request id: the mean is the share's
      // difference and the standard error comes from the discordant pairs (b: only the later run
      // in time, c: only fcfs) — var(d) = ((b + c) − n·mean²)/(n − 1).
      const base = recompute(csvOf([runs[0]]), runs[0].run.result.measuredFrom, runs[0].run.result.to)
      for (const { label, run } of runs.slice(1)) {
        const own = recompute(csvOf([{ label, run }]), run.result.measuredFrom, run.result.to)
        let b = 0, c = 0
        for (const [id, ok] of own.byId) {
          const was = base.byId.get(id)
          expect(was, `${label} ${id} measured in both`).not.toBeUndefined()
          if (ok && !was) b++
          if (!ok && was) c++
        }
        const n = own.n, mean = (b - c) / n
        const se = Math.sqrt((b + c - n * mean * mean) / (n - 1) / n)
        const d = pairedDifference(runs[0].run.goals, run.goals, label, 'fcfs')!
        expect(d, label).not.toBeNull()
        expect(d.requests).toBe(n)
        expect(d.mean).toBeCloseTo(mean, 5)
        expect(d.mean).toBeCloseTo(run.result.kpis.within14Share - runs[0].run.result.kpis.within14Share, 3)
        expect(d.se).toBeCloseTo(se, 5)
        expect(d.se).toBeGreaterThan(0)
        expect(d.real).toBe(Math.abs(mean) > 1.96 * se)
      }
      // Demand above capacity: somebody waits. The waitlist policies book from the waitlist.
      const [fcfs, waitlist, optimized] = runs.map((r) => r.run.result)
      expect(fcfs.kpis.outcomes.waitlist_booked).toBe(0)
      expect(fcfs.kpis.waitlistMax).toBe(0)
      expect(waitlist.kpis.outcomes.waitlist_booked).toBeGreaterThan(0)
      expect(optimized.kpis.outcomes.waitlist_booked).toBeGreaterThan(0)
      expect(waitlist.kpis.offers).toBeGreaterThan(0)
    } finally {
      await lp.close()
    }
  }, 120_000)

  it('keeps every booking inside working time, at a skilled staff member, and never double-books a unit', async () => {
    const lp = createLpBackend('highs')
    try {
      for (const policy of ['fcfs', 'waitlist', 'optimized'] as const) {
        const run = await simulate(town(), { ...OPTIONS, policy }, { lp })
        const m = run.model
        const appointments = run.scheduler.appointments()
        expect(appointments.length, policy).toBeGreaterThan(100)
        // Independent of the engine's indexes: the compiled working time, segment by segment, and a per-staff unit map.
        const taken = new Map<string, string>()
        for (const a of appointments) {
          const p = m.staffIndex.get(a.staffId)!, o = m.officeIndex.get(a.officeId)!
          const u0 = (Date.parse(a.start) - m.t0) / m.unitMs, u1 = (Date.parse(a.end) - m.t0) / m.unitMs
          expect(Number.isInteger(u0) && u1 > u0, a.id).toBe(true)
          const inside = m.segments.some((g) => g.staff === p && g.office === o && g.start <= u0 && u1 <= g.end)
          expect(inside, `${policy} ${a.id} ${a.staffId} ${a.start} outside working time`).toBe(true)
          for (const sv of a.services) expect(m.skill[p * m.serviceIds.length + m.serviceIndex.get(sv)!], `${a.id} skill ${sv}`).toBe(1)
          for (let u = u0; u < u1; u++) {
            const k = `${p}:${u}`
            expect(taken.get(k), `${policy}: ${a.id} overlaps ${taken.get(k)} at ${a.staffId}`).toBeUndefined()
            taken.set(k, a.id)
          }
        }
      }
    } finally {
      await lp.close()
    }
  }, 180_000)

  it('rejects bad options with a typed error and a path', async () => {
    const bad: [unknown, string][] = [
      [{ ...OPTIONS, policy: 'lottery' }, '$.policy'],
      [{ ...OPTIONS, policy: 'fcfs', days: 3 }, '$.days'],
      [{ ...OPTIONS, policy: 'fcfs', warmupDays: -1 }, '$.warmupDays'],
      [{ ...OPTIONS, policy: 'fcfs', behaviour: { noShowShare: 2 } }, '$.behaviour.noShowShare'],
      [{ ...OPTIONS, policy: 'fcfs', from: '2026-12-01' }, '$.from'],
      [{ ...OPTIONS, policy: 'fcfs', days: 400 }, '$.days'],
      [{ ...OPTIONS, policy: 'optimized' }, '$.policy'],
    ]
    for (const [opts, path] of bad) {
      const e = await simulate(town(), opts as never).then(
        () => null,
        (x: unknown) => x,
      )
      expect(e, path).toBeInstanceOf(TerminplanError)
      expect((e as TerminplanError).path, JSON.stringify(opts)).toBe(path)
    }
  })
})
