/**
 * The capacity LP's pieces on hand-made fixtures: Hall's sets for skill classes, the cohorts and
 * free runs it is built from, and the rows and costs of the model itself (by name).
 */
import { describe, expect, it } from 'vitest'
import { compile } from '../../src/model/compile.js'
import { loadScenario } from '../../src/model/load.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import { createBitset, setRange } from '../../src/model/bitset.js'
import { buildPlanLp, DEFAULT_PLAN_WEIGHTS, hallSets } from '../../src/solver/plan/lp.js'
import { extractDemand, extractSupply } from '../../src/solver/plan/supply-demand.js'

describe('Hall sets of skill classes', () => {
  it('nested classes: all services need everyone; those only the generalists do need them', () => {
    const sets = hallSets([{ services: [1, 2, 3], units: 10 }, { services: [1], units: 5 }], [1, 2, 3])
    expect(sets).toEqual([
      { services: [1, 2, 3], cap: 15 },
      { services: [2, 3], cap: 10 },
    ])
  })

  it('disjoint classes: each service alone and both together', () => {
    const sets = hallSets([{ services: [1], units: 4 }, { services: [2], units: 6 }], [1, 2])
    expect(sets.map((x) => `${x.services.join('+')}:${x.cap}`).sort()).toEqual(['1+2:10', '1:4', '2:6'])
  })
})

// 2026-06-01 is a Monday. One office in Mitte, one in Pankow; 10- and 20-minute services.
const fixture: ScenarioInput = {
  horizon: { start: '2026-06-01', days: 3 },
  services: [
    { id: 'short', name: 'Short', durationMinutes: 10 },
    { id: 'long', name: 'Long', durationMinutes: 20 },
  ],
  offices: [
    { id: 'mitte', name: 'Mitte', district: 'Mitte', openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '12:00' }], services: ['short', 'long'], desks: 2 },
    { id: 'pankow', name: 'Pankow', district: 'Pankow', openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '12:00' }], services: ['short'], desks: 2 },
  ],
  staff: [
    { id: 'ana', office: 'mitte', skills: ['short', 'long'], shifts: [{ weekdays: [1, 2, 3], from: '08:00', to: '09:00', breaks: [{ from: '08:30', to: '08:40' }] }] },
    { id: 'bo', office: 'pankow', skills: ['short'], shifts: [{ weekdays: [1, 2], from: '08:00', to: '08:50' }] },
  ],
  demand: [
    { service: 'long', weekday: 1, district: 'Mitte', count: 2 },
    { service: 'short', weekday: 2, district: 'Pankow', count: 3.5 },
    { service: 'short', date: '2026-06-01', offices: ['pankow'], count: 1 },
  ],
}

describe('supply and demand', () => {
  const m = compile(loadScenario(fixture))

  it('expands demand into cohorts per service, group and arrival day', () => {
    const d = extractDemand(m, 0, 3)
    expect(d.groups.map((g) => g.key)).toEqual([`${m.districtIds.indexOf('Mitte')}|*`, `${m.districtIds.indexOf('Pankow')}|*`, '-1|1'])
    expect(d.cohorts.map((c) => [m.serviceIds[c.service], c.group, m.dates[c.day], c.count])).toEqual([
      ['short', 1, '2026-06-02', 3.5],
      ['short', 2, '2026-06-01', 1],
      ['long', 0, '2026-06-01', 2],
    ])
  })

  it('cuts free runs at breaks and at booked units', () => {
    const busy = createBitset(m.nUnits)
    const ana = m.staffIndex.get('ana')!
    const u0 = m.dayStart[0] + (8 * 60) / m.unitMinutes
    setRange(busy, u0 + 1, u0 + 2) // 08:10–08:20 on Monday is booked
    const s = extractSupply(m, 0, 3, new Set([0, 1]), (p) => (p === ana ? busy : createBitset(m.nUnits)))
    const monday = s.officeDays.find((o) => o.day === 0 && m.officeIds[o.office] === 'mitte')!
    expect(monday.runs.map((r) => [s.runs[r].start - u0, s.runs[r].end - u0])).toEqual([[0, 1], [2, 3], [4, 6]])
    expect(monday.units).toBe(4)
    expect(monday.classes).toEqual([{ services: [0, 1], units: 4 }])
    const pankow = s.officeDays.find((o) => o.day === 0 && m.officeIds[o.office] === 'pankow')!
    expect(pankow.services).toEqual([0])
  })
})

describe('the capacity LP', () => {
  const m = compile(loadScenario(fixture))
  const demand = extractDemand(m, 0, 3)
  const supply = extractSupply(m, 0, 3, new Set(demand.services))
  const lp = buildPlanLp(m, supply, demand, 0, 3, { targetDays: 1, minDays: 0, keepBack: 0, weights: DEFAULT_PLAN_WEIGHTS, names: true })
  const names = lp.model.rowNames!
  const col = (name: string) => lp.model.colNames!.indexOf(name)

  it('has one row per cohort, per district node and pool, per restricted group, per capacity set, and fairness', () => {
    expect(names.filter((n) => n.startsWith('cohort['))).toHaveLength(3)
    expect(names).toContain('node[long,' + m.districtIds.indexOf('Mitte') + ',2026-06-01]')
    expect(names).toContain('pool[short,2026-06-02]')
    expect(names).toContain('group[short,g2,2026-06-01]')
    // Monday only the 20-minute service is wanted at Mitte; Tuesday both.
    expect(names.filter((n) => n.startsWith('cap[mitte,2026-06-01'))).toEqual(['cap[mitte,2026-06-01,{long}]'])
    expect(names.filter((n) => n.startsWith('cap[mitte,2026-06-02'))).toEqual(['cap[mitte,2026-06-02,{short long}]'])
    // Runs of 3 units: 20-minute slots fill at most 2 of each, so "long" gets its own row.
    expect(names).toContain('runs2[mitte,2026-06-01]')
    expect(names.filter((n) => n.startsWith('fair['))).toHaveLength(2)
  })

  it('prices a citizen served on time at −1000 plus a day of waiting per day', () => {
    const c0 = col('y[long,g0,2026-06-01→2026-06-01]'), c1 = col('y[long,g0,2026-06-01→2026-06-02]')
    expect(lp.model.colCost[c0]).toBe(-1000)
    expect(lp.model.colCost[c1]).toBe(-999)
    // Missing the 1-day window: waited 1 day, then the backlog charges a day at a time.
    expect(lp.model.colCost[col('v[long,g0,2026-06-01]')]).toBe(1)
    expect(lp.model.colCost[col('B[long,g0,2026-06-02]')]).toBe(1)
    // Served outside the district: 0.1.
    expect(lp.model.colCost[col(`W[short,${m.districtIds.indexOf('Pankow')},2026-06-02]`)]).toBe(0.1)
  })
})
