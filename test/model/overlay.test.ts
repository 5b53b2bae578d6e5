/**
 * What-if overlays. Every change kind is checked against the compiled result: working units per
 * office and date (from compile()'s segments) before and after, compared with differences worked
 * out by hand on the small fixture (10-minute units: an 8-hour day is 48 units, 7.5 hours 45).
 *
 * Fixture (test/model/fixtures.ts): horizon Mon 2026-03-02 … Sun 03-15; mitte open Mon–Fri 08–16,
 * closed Fri 03-06; spandau open Mon–Fri 07:30–15; anna @mitte Mon–Fri 08–16 with a 30-minute
 * break (45 units a day), absent Tue 03-10 and Wed 03-11; ben @spandau Mon+Wed 07:30–12 and at
 * mitte on Thu 03-05 09–13 with a break 10:00–10:15.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { compile, defaultUnitMinutes, type Model } from '../../src/model/compile.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import {
  applyOverlay,
  applyOverlays,
  overlayIssues,
  overlayJsonSchema,
  parseOverlay,
  parseOverlayJson,
  validateOverlay,
  type Overlay,
  type OverlayInput,
} from '../../src/model/overlay.js'
import type { Scenario } from '../../src/model/schema.js'
import { WEEKDAYS, codesAndPaths, validScenario, type Loose } from './fixtures.js'

const base = (): Scenario => loadScenario(validScenario())
const overlay = (changes: unknown[], name = 'test'): Overlay => parseOverlay({ name, changes })

/** Working units per "office date", from the compiled segments. */
function unitsByOfficeDate(m: Model): Map<string, number> {
  const out = new Map<string, number>()
  for (const g of m.segments) {
    const key = `${m.officeIds[g.office]} ${m.dates[g.day]}`
    out.set(key, (out.get(key) ?? 0) + g.end - g.start)
  }
  return out
}

/** after − before per "office date", nonzero ones only (`before` may be compiled already). */
function unitDiff(before: Scenario | Map<string, number>, after: Scenario): Record<string, number> {
  const a = before instanceof Map ? before : unitsByOfficeDate(compile(before)), b = unitsByOfficeDate(compile(after))
  const out: Record<string, number> = {}
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const d = (b.get(key) ?? 0) - (a.get(key) ?? 0)
    if (d !== 0) out[key] = d
  }
  return out
}

/** Runs `fn`, which must throw a SCENARIO_INVALID TerminplanError, and returns it. */
function errorOf(fn: () => unknown): TerminplanError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(TerminplanError)
    expect((e as TerminplanError).code).toBe('SCENARIO_INVALID')
    return e as TerminplanError
  }
  throw new Error('expected a TerminplanError, but nothing was thrown')
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v)
    Object.freeze(x)
  }
  return x
}

const staffOf = (s: Scenario, id: string) => s.staff.find((p) => p.id === id)!

describe('addStaff', () => {
  it('adds count staff working the opening hours on the given weekdays', () => {
    const s = base()
    const r = applyOverlay(s, overlay([{ kind: 'addStaff', office: 'mitte', count: 2, weekdays: [2, 1] }]))
    // 2 × 08:00–16:00 = 2 × 48 units on every Monday and Tuesday (no absences for new staff).
    expect(unitDiff(s, r)).toEqual({
      'mitte 2026-03-02': 96, 'mitte 2026-03-03': 96, 'mitte 2026-03-09': 96, 'mitte 2026-03-10': 96,
    })
    expect(r.staff.slice(2)).toEqual([
      { id: 'mitte-ovl-1', office: 'mitte', skills: ['passport', 'registration', 'idcard'], shifts: [{ weekdays: [1, 2], from: '08:00', to: '16:00', breaks: [] }], absences: [] },
      { id: 'mitte-ovl-2', office: 'mitte', skills: ['passport', 'registration', 'idcard'], shifts: [{ weekdays: [1, 2], from: '08:00', to: '16:00', breaks: [] }], absences: [] },
    ])
  })

  it('uses given times and dates; weekdays default to the days the office is open', () => {
    const s = base()
    const r = applyOverlay(s, overlay([{ kind: 'addStaff', office: 'mitte', count: 1, from: '09:00', to: '12:00', validFrom: '2026-03-09' }]))
    // 3 hours = 18 units, Mon–Fri from 03-09 (mitte is open every weekday of that week).
    expect(unitDiff(s, r)).toEqual(Object.fromEntries(['09', '10', '11', '12', '13'].map((d) => [`mitte 2026-03-${d}`, 18])))
    expect(staffOf(r, 'mitte-ovl-1').shifts).toEqual([{ weekdays: WEEKDAYS, validFrom: '2026-03-09', from: '09:00', to: '12:00', breaks: [] }])
  })

  it('follows split and per-weekday opening hours with one shift per opening interval', () => {
    const input = validScenario() as Loose
    input.offices[0].openingHours = [
      { weekdays: WEEKDAYS, from: '08:00', to: '12:00' },
      { weekdays: WEEKDAYS, from: '13:00', to: '16:00' },
      { weekdays: [6], from: '10:00', to: '14:00' },
    ]
    const s = loadScenario(input)
    const r = applyOverlay(s, overlay([{ kind: 'addStaff', office: 'mitte', count: 1 }]))
    expect(staffOf(r, 'mitte-ovl-1').shifts).toEqual([
      { weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '12:00', breaks: [] },
      { weekdays: [1, 2, 3, 4, 5], from: '13:00', to: '16:00', breaks: [] },
      { weekdays: [6], from: '10:00', to: '14:00', breaks: [] },
    ])
    // 7 hours = 42 units on weekdays except the closure on Fri 03-06; 4 hours = 24 on Saturdays.
    const expected: Record<string, number> = {}
    for (const d of ['02', '03', '04', '05', '09', '10', '11', '12', '13']) expected[`mitte 2026-03-${d}`] = 42
    expected['mitte 2026-03-07'] = expected['mitte 2026-03-14'] = 24
    expect(unitDiff(s, r)).toEqual(expected)
  })

  it('skills: the office services, a list, or those of `like`', () => {
    const r = applyOverlay(base(), overlay([
      { kind: 'addStaff', office: 'spandau', count: 1 },
      { kind: 'addStaff', office: 'spandau', count: 1, skills: ['passport'] },
      { kind: 'addStaff', office: 'mitte', count: 1, like: 'ben' },
    ]))
    expect(staffOf(r, 'spandau-ovl-1').skills).toEqual(['registration', 'passport'])
    expect(staffOf(r, 'spandau-ovl-2').skills).toEqual(['passport'])
    expect(staffOf(r, 'mitte-ovl-1').skills).toEqual(['registration'])
    const m = compile(r)
    const p = m.staffIndex.get('mitte-ovl-1')!
    expect(m.serviceIds.filter((_, si) => m.skill[p * m.serviceIds.length + si] === 1)).toEqual(['registration'])
  })

  it('ids skip ids already in use and continue across changes and overlays', () => {
    const input = validScenario() as Loose
    input.staff.push({ id: 'mitte-ovl-2', office: 'mitte', skills: ['passport'], shifts: [] })
    const s = loadScenario(input)
    const r = applyOverlays(s, [
      overlay([{ kind: 'addStaff', office: 'mitte', count: 2 }], 'one'),
      overlay([{ kind: 'addStaff', office: 'mitte', count: 1 }], 'two'),
    ])
    expect(r.staff.map((p) => p.id)).toEqual(['anna', 'ben', 'mitte-ovl-2', 'mitte-ovl-1', 'mitte-ovl-3', 'mitte-ovl-4'])
    expect(r.meta).toEqual({ overlays: ['one', 'two'] })
  })

  it('reports problems at their path in the overlay', () => {
    const bad = (change: object) => codesAndPaths(overlayIssues(base(), { name: 'x', changes: [change] } as Overlay))
    expect(bad({ kind: 'addStaff', office: 'nowhere', count: 1 })).toEqual([{ code: 'unknown_reference', path: '$.changes[0].office' }])
    expect(bad({ kind: 'addStaff', office: 'spandau', count: 1, skills: ['idcard', 'nope'] })).toEqual([
      { code: 'not_offered', path: '$.changes[0].skills[0]' },
      { code: 'unknown_reference', path: '$.changes[0].skills[1]' },
    ])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 1, like: 'zoe' })).toEqual([{ code: 'unknown_reference', path: '$.changes[0].like' }])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 1, weekdays: [1, 6] })).toEqual([{ code: 'office_closed', path: '$.changes[0].weekdays[1]' }])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 1, from: '09:00' })).toEqual([{ code: 'missing_field', path: '$.changes[0].to' }])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 1, from: '12:00', to: '09:00' })).toEqual([{ code: 'empty_range', path: '$.changes[0].to' }])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 1, skills: ['passport'], like: 'anna' })).toEqual([{ code: 'exclusive_fields', path: '$.changes[0].like' }])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 1, validFrom: '2026-04-01' })).toEqual([{ code: 'outside_horizon', path: '$.changes[0].validFrom' }])
    expect(bad({ kind: 'addStaff', office: 'mitte', count: 0 })).toEqual([{ code: 'too_small', path: '$.changes[0].count' }])
  })
})

describe('removeStaff', () => {
  /** The fixture plus s-2, s-9, s-10 at spandau Mon–Fri 07:30–15:00 (45 units) and s-11 on Mondays only. */
  function withSpandauStaff(): Scenario {
    const input = validScenario() as Loose
    for (const id of ['s-10', 's-2', 's-9'])
      input.staff.push({ id, office: 'spandau', skills: ['registration'], shifts: [{ weekdays: WEEKDAYS, from: '07:30', to: '15:00' }] })
    input.staff.push({ id: 's-11', office: 'spandau', skills: ['registration'], shifts: [{ weekdays: [1], from: '07:30', to: '15:00' }] })
    return loadScenario(input)
  }

  it('takes the staff with the highest ids (shorter first) off their shifts on each weekday', () => {
    const s = withSpandauStaff()
    // Mondays: ben, s-2, s-9, s-10, s-11 work → s-10 and s-11 go; Tuesdays: s-2, s-9, s-10 → s-9 and s-10.
    const r = applyOverlay(s, overlay([{ kind: 'removeStaff', office: 'spandau', count: 2, weekdays: [1, 2] }]))
    expect(unitDiff(s, r)).toEqual({
      'spandau 2026-03-02': -90, 'spandau 2026-03-03': -90, 'spandau 2026-03-09': -90, 'spandau 2026-03-10': -90,
    })
    expect(staffOf(r, 's-11').shifts).toEqual([])
    expect(staffOf(r, 's-10').shifts).toEqual([{ weekdays: [3, 4, 5], from: '07:30', to: '15:00', breaks: [] }])
    expect(staffOf(r, 's-9').shifts).toEqual([{ weekdays: [1, 3, 4, 5], from: '07:30', to: '15:00', breaks: [] }])
    expect(staffOf(r, 's-2')).toEqual(staffOf(s, 's-2'))
    expect(staffOf(r, 'ben')).toEqual(staffOf(s, 'ben'))
    // Staff records stay, so nothing that refers to them breaks.
    expect(r.staff.map((p) => p.id)).toEqual(s.staff.map((p) => p.id))
  })

  it('defaults to every day the office is open; whole shifts go when no weekday is left', () => {
    const s = withSpandauStaff()
    const r = applyOverlay(s, overlay([{ kind: 'removeStaff', office: 'spandau', count: 1 }]))
    // Monday: s-11 (30 → −45 on both Mondays); Tue–Fri: s-10 (−45 on each).
    const expected: Record<string, number> = {}
    for (const d of ['02', '03', '04', '05', '06', '09', '10', '11', '12', '13']) expected[`spandau 2026-03-${d}`] = -45
    expect(unitDiff(s, r)).toEqual(expected)
    expect(staffOf(r, 's-11').shifts).toEqual([])
    expect(staffOf(r, 's-10').shifts).toEqual([{ weekdays: [1], from: '07:30', to: '15:00', breaks: [] }])
  })

  it('named staff, and shifts at another office than home (dated ones dropped)', () => {
    const s = base()
    // ben works at mitte only on Thu 03-05, 09–13 with a 10:00–10:15 break: 09:00–10:00 and 10:20–13:00 = 6 + 16 units.
    const r = applyOverlay(s, overlay([{ kind: 'removeStaff', office: 'mitte', staff: ['ben'] }]))
    expect(unitDiff(s, r)).toEqual({ 'mitte 2026-03-05': -22 })
    expect(staffOf(r, 'ben').shifts).toEqual([{ weekdays: [1, 3], from: '07:30', to: '12:00', breaks: [] }])
    // Thursdays at mitte: ben (3 characters) sorts before anna (4), so anna is the last one.
    const r2 = applyOverlay(s, overlay([{ kind: 'removeStaff', office: 'mitte', count: 1, weekdays: [4] }]))
    expect(unitDiff(s, r2)).toEqual({ 'mitte 2026-03-05': -45, 'mitte 2026-03-12': -45 })
  })

  it('splits a weekly shift around validFrom/validTo', () => {
    const s = base()
    const r = applyOverlay(s, overlay([{ kind: 'removeStaff', office: 'mitte', staff: ['anna'], weekdays: [1, 5], validFrom: '2026-03-09', validTo: '2026-03-13' }]))
    expect(unitDiff(s, r)).toEqual({ 'mitte 2026-03-09': -45, 'mitte 2026-03-13': -45 })
    const brk = [{ from: '12:00', to: '12:30' }]
    expect(staffOf(r, 'anna').shifts).toEqual([
      { weekdays: WEEKDAYS, from: '08:00', to: '16:00', breaks: brk, validTo: '2026-03-08' },
      { weekdays: [2, 3, 4], from: '08:00', to: '16:00', breaks: brk, validFrom: '2026-03-09', validTo: '2026-03-13' },
      { weekdays: WEEKDAYS, from: '08:00', to: '16:00', breaks: brk, validFrom: '2026-03-14' },
    ])
  })

  it('reports problems at their path in the overlay', () => {
    const bad = (...changes: object[]) => codesAndPaths(overlayIssues(base(), { name: 'x', changes } as Overlay))
    expect(bad({ kind: 'removeStaff', office: 'mitte', count: 3, weekdays: [4] })).toEqual([{ code: 'not_enough_staff', path: '$.changes[0].count' }])
    expect(bad({ kind: 'removeStaff', office: 'mitte', staff: ['zoe', 'ben'], weekdays: [1] })).toEqual([{ code: 'unknown_reference', path: '$.changes[0].staff[0]' }])
    expect(bad({ kind: 'removeStaff', office: 'mitte', staff: ['ben'], weekdays: [1] })).toEqual([{ code: 'not_working', path: '$.changes[0].staff[0]' }])
    expect(bad({ kind: 'removeStaff', office: 'mitte' })).toEqual([{ code: 'missing_field', path: '$.changes[0]' }])
    expect(bad({ kind: 'removeStaff', office: 'mitte', count: 1, staff: ['anna'] })).toEqual([{ code: 'exclusive_fields', path: '$.changes[0].staff' }])
    expect(bad({ kind: 'removeStaff', office: 'mitte', staff: ['anna', 'anna'] })).toEqual([{ code: 'duplicate_id', path: '$.changes[0].staff[1]' }])
    // Changes are checked against the scenario as the changes before them left it.
    expect(bad(
      { kind: 'removeStaff', office: 'mitte', staff: ['anna'], weekdays: [5] },
      { kind: 'removeStaff', office: 'mitte', staff: ['anna'], weekdays: [5] },
    )).toEqual([{ code: 'not_working', path: '$.changes[1].staff[0]' }])
    expect(bad(
      { kind: 'addStaff', office: 'spandau', count: 1 },
      { kind: 'removeStaff', office: 'spandau', staff: ['spandau-ovl-1'], weekdays: [2] },
    )).toEqual([])
  })
})

describe('openingHours', () => {
  it('shrinking clips shifts: the same working units as leaving the shifts to compile', () => {
    const input = validScenario() as Loose
    input.staff.push({ id: 'nacht', office: 'mitte', skills: ['passport'], shifts: [{ weekdays: [1], from: '22:00', to: '06:00' }] })
    const s = loadScenario(input)
    const hours = [{ weekdays: WEEKDAYS, from: '10:00', to: '14:00' }]
    const adjusted = applyOverlay(s, overlay([{ kind: 'openingHours', office: 'mitte', openingHours: hours }]))
    const kept = applyOverlay(s, overlay([{ kind: 'openingHours', office: 'mitte', openingHours: hours, shifts: 'keep' }]))
    expect(Object.fromEntries(unitsByOfficeDate(compile(adjusted)))).toEqual(Object.fromEntries(unitsByOfficeDate(compile(kept))))
    expect(kept.staff).toEqual(s.staff)
    expect(staffOf(adjusted, 'anna').shifts).toEqual([{ weekdays: WEEKDAYS, from: '10:00', to: '14:00', breaks: [{ from: '12:00', to: '12:30' }] }])
    expect(staffOf(adjusted, 'ben').shifts[1]).toEqual({ date: '2026-03-05', from: '10:00', to: '13:00', office: 'mitte', breaks: [{ from: '10:00', to: '10:15' }] })
    expect(staffOf(adjusted, 'nacht')).toEqual(staffOf(s, 'nacht'))
    // anna: 10:00–14:00 less the break = 21 units (45 before) on her working days.
    expect(unitDiff(s, adjusted)['mitte 2026-03-02']).toBe(21 - 45)
  })

  it('extending moves shifts that were there at opening or closing with it, per weekday', () => {
    const s = base()
    const r = applyOverlay(s, overlay([{
      kind: 'openingHours', office: 'mitte',
      openingHours: [{ weekdays: [1], from: '07:00', to: '18:00' }, { weekdays: [2, 3, 4, 5], from: '08:00', to: '16:00' }],
    }]))
    expect(staffOf(r, 'anna').shifts).toEqual([
      { weekdays: [2, 3, 4, 5], from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] },
      { weekdays: [1], from: '07:00', to: '18:00', breaks: [{ from: '12:00', to: '12:30' }] },
    ])
    // Mondays: 11 hours less the break = 63 units instead of 45.
    expect(unitDiff(s, r)).toEqual({ 'mitte 2026-03-02': 18, 'mitte 2026-03-09': 18 })
    expect(staffOf(r, 'ben')).toEqual(staffOf(s, 'ben'))
  })

  it('a weekday the office no longer opens leaves the shifts there', () => {
    const s = base()
    const r = applyOverlay(s, overlay([{ kind: 'openingHours', office: 'mitte', openingHours: [{ weekdays: [1, 2, 3, 4], from: '08:00', to: '16:00' }] }]))
    expect(staffOf(r, 'anna').shifts).toEqual([{ weekdays: [1, 2, 3, 4], from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] }])
    expect(unitDiff(s, r)).toEqual({ 'mitte 2026-03-13': -45 })
  })

  it('a result that breaks a scenario rule is a typed error naming the overlay', () => {
    const input = validScenario() as Loose
    // Mondays 12–16 at mitte (there at closing), then 16–18 at spandau.
    input.staff.push({
      id: 'carla', office: 'mitte', skills: ['registration'],
      shifts: [{ weekdays: [1], from: '12:00', to: '16:00' }, { weekdays: [1], from: '16:00', to: '18:00', office: 'spandau' }],
    })
    const s = loadScenario(input)
    const before = structuredClone(s)
    const e = errorOf(() => applyOverlay(s, overlay([{ kind: 'openingHours', office: 'mitte', openingHours: [{ weekdays: WEEKDAYS, from: '08:00', to: '17:00' }] }], 'late-mitte')))
    expect(e.message).toMatch(/^overlay "late-mitte" gives an invalid scenario: /)
    expect(codesAndPaths(e.issues)).toEqual([{ code: 'shift_overlap', path: '$.staff[2].shifts[1]' }])
    expect(s).toEqual(before)
  })

  it('reports closing before opening at its path in the overlay', () => {
    const issues = overlayIssues(base(), overlay([{ kind: 'openingHours', office: 'mitte', openingHours: [{ weekdays: [1], from: '08:00', to: '16:00' }] }]))
    expect(issues).toEqual([])
    const e = errorOf(() => parseOverlay({ name: 'x', changes: [{ kind: 'openingHours', office: 'mitte', openingHours: [{ weekdays: [1], from: '16:00', to: '08:00' }] }] }))
    expect(codesAndPaths(e.issues)).toEqual([{ code: 'empty_range', path: '$.changes[0].openingHours[0].to' }])
  })
})

describe('close', () => {
  it('adds a closure: the office has no working units on those dates, nothing else changes', () => {
    const s = base()
    const r = applyOverlay(s, overlay([{ kind: 'close', office: 'mitte', from: '2026-03-09', to: '2026-03-10' }], 'mitte-zu'))
    const before = unitsByOfficeDate(compile(s)), after = unitsByOfficeDate(compile(r))
    expect(before.get('mitte 2026-03-09')).toBe(45)
    expect(after.has('mitte 2026-03-09')).toBe(false)
    expect(after.has('mitte 2026-03-10')).toBe(false)
    expect(unitDiff(s, r)).toEqual({ 'mitte 2026-03-09': -45 }) // anna is absent on 03-10 anyway
    expect(r.offices[0].closures.at(-1)).toEqual({ from: '2026-03-09', to: '2026-03-10', reason: 'overlay "mitte-zu"' })
  })

  it('reports reversed and out-of-horizon dates', () => {
    const bad = (change: object) => codesAndPaths(overlayIssues(base(), { name: 'x', changes: [change] } as Overlay))
    expect(bad({ kind: 'close', office: 'mitte', from: '2026-03-10', to: '2026-03-09' })).toEqual([{ code: 'empty_range', path: '$.changes[0].to' }])
    expect(bad({ kind: 'close', office: 'mitte', from: '2026-05-01', to: '2026-05-02' })).toEqual([{ code: 'outside_horizon', path: '$.changes[0].from' }])
    expect(bad({ kind: 'close', office: 'rathaus', from: '2026-03-09', to: '2026-03-09' })).toEqual([{ code: 'unknown_reference', path: '$.changes[0].office' }])
  })
})

describe('scaleDemand', () => {
  const counts = (s: Scenario) => s.demand.map((d) => d.count)

  it('scales all demand, or by service and/or district', () => {
    const s = base() // demand: passport Mondays in Mitte 12; registration on 03-03, no district, 5.5
    const total = (x: Scenario) => x.demand.reduce((n, d) => n + d.count, 0)
    expect(total(applyOverlay(s, overlay([{ kind: 'scaleDemand', factor: 1.1 }])))).toBeCloseTo(17.5 * 1.1, 12)
    expect(counts(applyOverlay(s, overlay([{ kind: 'scaleDemand', factor: 2, services: ['passport'] }])))).toEqual([24, 5.5])
    expect(counts(applyOverlay(s, overlay([{ kind: 'scaleDemand', factor: 0.5, districts: ['Mitte'] }])))).toEqual([6, 5.5])
    expect(counts(applyOverlay(s, overlay([{ kind: 'scaleDemand', factor: 3, services: ['registration', 'idcard'] }, { kind: 'scaleDemand', factor: 2 }])))).toEqual([24, 33])
    expect(counts(applyOverlay(s, overlay([{ kind: 'scaleDemand', factor: 0 }])))).toEqual([0, 0])
  })

  it('reports unknown services and districts, and filters that match nothing', () => {
    const bad = (change: object) => codesAndPaths(overlayIssues(base(), { name: 'x', changes: [change] } as Overlay))
    expect(bad({ kind: 'scaleDemand', factor: 2, services: ['visa'] })).toEqual([{ code: 'unknown_reference', path: '$.changes[0].services[0]' }])
    expect(bad({ kind: 'scaleDemand', factor: 2, districts: ['Pankow'] })).toEqual([{ code: 'unknown_reference', path: '$.changes[0].districts[0]' }])
    expect(bad({ kind: 'scaleDemand', factor: 2, services: ['registration'], districts: ['Mitte'] })).toEqual([{ code: 'no_match', path: '$.changes[0]' }])
    expect(bad({ kind: 'scaleDemand', factor: -1 })).toEqual([{ code: 'too_small', path: '$.changes[0].factor' }])
  })

  it('a count past the scenario limit is a typed error naming the overlay', () => {
    const input = validScenario() as Loose
    input.demand[0].count = 1e6
    const e = errorOf(() => applyOverlay(loadScenario(input), overlay([{ kind: 'scaleDemand', factor: 100 }], 'boom')))
    expect(e.message).toContain('overlay "boom"')
    expect(codesAndPaths(e.issues)).toEqual([{ code: 'too_big', path: '$.demand[0].count' }])
  })
})

describe('bad overlays', () => {
  it('every problem at once, with paths into the overlay; the scenario is untouched', () => {
    const s = base()
    const before = structuredClone(s)
    const o = overlay([
      { kind: 'addStaff', office: 'mitte', count: 1 },
      { kind: 'close', office: 'moabit', from: '2026-03-09', to: '2026-03-09' },
      { kind: 'scaleDemand', factor: 2, services: ['visa'] },
    ], 'broken')
    const e = errorOf(() => applyOverlay(s, o))
    expect(e.message).toBe('invalid overlay "broken": 2 problems, first $.changes[1].office: unknown office "moabit"')
    expect(codesAndPaths(e.issues)).toEqual([
      { code: 'unknown_reference', path: '$.changes[1].office' },
      { code: 'unknown_reference', path: '$.changes[2].services[0]' },
    ])
    expect(s).toEqual(before)
    expect(codesAndPaths(errorOf(() => validateOverlay(s, o, 'broken.json')).issues)).toEqual(codesAndPaths(e.issues))
    expect(errorOf(() => validateOverlay(s, o, 'broken.json')).message).toMatch(/^invalid overlay "broken" \(broken\.json\): /)
    expect(errorOf(() => parseOverlay(o, 'broken.json', s)).issues).toEqual(e.issues)
  })

  it('shape: unknown kinds and fields, missing name, with exact paths', () => {
    const shape = (input: unknown) => codesAndPaths(errorOf(() => parseOverlay(input, 'x.json')).issues)
    expect(shape({ name: 'x', changes: [{ kind: 'addStaff', office: 'mitte', count: 1 }, { kind: 'hireEveryone' }] })).toEqual([
      { code: 'invalid_union', path: '$.changes[1].kind' },
    ])
    expect(shape({ name: 'x', changes: [{ kind: 'close', office: 'mitte', from: '2026-03-09', to: '2026-03-09', until: 'x' }] })).toEqual([
      { code: 'unknown_field', path: '$.changes[0].until' },
    ])
    expect(shape({ changes: [] })).toEqual([
      { code: 'invalid_type', path: '$.name' },
      { code: 'too_small', path: '$.changes' },
    ])
    expect(shape({ name: 'x', changes: [{ kind: 'close', office: 'mitte', from: '2026-02-30', to: '2026-03-01' }] })).toEqual([
      { code: 'invalid_date', path: '$.changes[0].from' },
    ])
    expect(shape([])).toEqual([{ code: 'invalid_type', path: '$' }])
    expect(codesAndPaths(errorOf(() => parseOverlayJson('{"name": ', 'x.json')).issues)).toEqual([{ code: 'invalid_json', path: '$' }])
  })

  it('references are checked only against a scenario', () => {
    const input = { name: 'x', changes: [{ kind: 'close', office: 'moabit', from: '2026-03-09', to: '2026-03-09' }] }
    expect(parseOverlay(input).changes[0]).toEqual(input.changes[0])
    expect(codesAndPaths(errorOf(() => parseOverlay(input, 'x.json', base())).issues)).toEqual([{ code: 'unknown_reference', path: '$.changes[0].office' }])
    // An overlay built in code is shape-checked as well.
    expect(codesAndPaths(overlayIssues(base(), { name: 'x', changes: [{ kind: 'close', office: 'mitte', from: 'soon', to: 'later' }] } as Loose))).toEqual([
      { code: 'invalid_date', path: '$.changes[0].from' },
      { code: 'invalid_date', path: '$.changes[0].to' },
    ])
  })
})

describe('purity and determinism', () => {
  const everything: OverlayInput = {
    name: 'everything',
    changes: [
      { kind: 'addStaff', office: 'spandau', count: 2, weekdays: [1, 2] },
      { kind: 'removeStaff', office: 'spandau', count: 1, weekdays: [1] },
      { kind: 'openingHours', office: 'mitte', openingHours: [{ weekdays: WEEKDAYS, from: '07:00', to: '17:00' }] },
      { kind: 'close', office: 'spandau', from: '2026-03-12', to: '2026-03-13' },
      { kind: 'scaleDemand', factor: 1.25, districts: ['Mitte'] },
    ],
  }

  it('never mutates the scenario or the overlay (both deep-frozen)', () => {
    const s = deepFreeze(base())
    const o = deepFreeze(parseOverlay(everything))
    const sBefore = structuredClone(s), oBefore = structuredClone(o)
    const r = applyOverlay(s, o)
    expect(s).toEqual(sBefore)
    expect(o).toEqual(oBefore)
    expect(r).not.toEqual(s)
    r.staff[0].shifts.length = 0 // the result shares nothing with the input
    expect(s).toEqual(sBefore)
    expect(applyOverlays(s, [])).toEqual(s)
    expect(applyOverlays(s, [])).not.toBe(s)
  })

  it('the same inputs give the same scenario, and it loads again unchanged', () => {
    const s = base(), o = parseOverlay(everything)
    const r = applyOverlay(s, o)
    expect(JSON.stringify(applyOverlay(s, o))).toBe(JSON.stringify(r))
    expect(loadScenario(JSON.parse(JSON.stringify(r)))).toEqual(r)
    // Removal picks the last id on Mondays: spandau-ovl-2 (the longest id).
    expect(staffOf(r, 'spandau-ovl-2').shifts).toEqual([{ weekdays: [2], from: '07:30', to: '15:00', breaks: [] }])
    expect(r.meta).toEqual({ overlays: ['everything'] })
  })

  it('applyOverlays applies in order, each against the result of those before', () => {
    const s = base()
    const add = overlay([{ kind: 'addStaff', office: 'spandau', count: 1, weekdays: [1] }], 'add')
    const remove = overlay([{ kind: 'removeStaff', office: 'spandau', count: 1, weekdays: [1] }], 'remove')
    const ab = applyOverlays(s, [add, remove])
    const ba = applyOverlays(s, [remove, add])
    expect(staffOf(ab, 'spandau-ovl-1').shifts).toEqual([])
    expect(staffOf(ab, 'ben').shifts).toEqual(staffOf(s, 'ben').shifts)
    expect(staffOf(ba, 'spandau-ovl-1').shifts).toHaveLength(1)
    expect(staffOf(ba, 'ben').shifts[0].weekdays).toEqual([3])
    expect(ab).toEqual(applyOverlay(applyOverlay(s, add), remove))
    const e = errorOf(() => applyOverlays(s, [remove, remove]))
    expect(e.message).toMatch(/^invalid overlay "remove": 1 problem, first \$\.changes\[0\]\.count: only 0 staff work at office "spandau" on Mondays$/)
  })
})

describe('the Berlin example overlays', () => {
  let berlin: Scenario
  let berlinUnits: Map<string, number>
  const example = (file: string) => {
    const path = new URL(`../../examples/berlin/overlays/${file}`, import.meta.url)
    return parseOverlayJson(readFileSync(path, 'utf8'), file, berlin)
  }
  beforeAll(() => {
    berlin = loadScenario(JSON.parse(readFileSync(new URL('../../examples/berlin/scenario.json', import.meta.url), 'utf8')))
    berlinUnits = unitsByOfficeDate(compile(berlin))
  })

  it('mitte-plus-4: four staff more at each Mitte office, every open weekday', () => {
    const r = applyOverlay(berlin, example('mitte-plus-4.json'))
    const mitte = berlin.offices.filter((o) => o.district === 'Mitte').map((o) => o.id)
    expect(mitte).toEqual(['122280', '122282', '122284'])
    expect(r.staff.length).toBe(berlin.staff.length + 12)
    expect(r.staff.slice(-12).map((p) => p.id)).toEqual(mitte.flatMap((o) => [1, 2, 3, 4].map((n) => `${o}-ovl-${n}`)))
    // Each new person works the opening hours: on an open day, 4 × its length in units more.
    const diff = unitDiff(berlinUnits, r)
    const unitMinutes = berlin.unitMinutes ?? defaultUnitMinutes(berlin)
    const office = berlin.offices[0]
    for (const date of ['2027-01-11', '2027-01-12', '2027-01-13', '2027-01-14', '2027-01-15']) {
      const w = new Date(`${date}T12:00:00Z`).getUTCDay()
      const h = office.openingHours.find((x) => x.weekdays.includes(w))!
      const minutes = (t: string) => +t.slice(0, 2) * 60 + +t.slice(3)
      expect(diff[`122280 ${date}`]).toBe((4 * (minutes(h.to) - minutes(h.from))) / unitMinutes)
    }
    expect(Object.keys(diff).every((k) => mitte.includes(k.split(' ')[0]) && diff[k] > 0)).toBe(true)
  })

  it('demand-plus-10: every request count × 1.1', () => {
    const r = applyOverlay(berlin, example('demand-plus-10.json'))
    const total = (x: Scenario) => x.demand.reduce((n, d) => n + d.count, 0)
    expect(total(r)).toBeCloseTo(total(berlin) * 1.1, 6)
    r.demand.forEach((d, i) => expect(d.count).toBeCloseTo(berlin.demand[i].count * 1.1, 9))
  })

  it('rathaus-mitte-closed-week: no working time at Rathaus Mitte that week', () => {
    const r = applyOverlay(berlin, example('rathaus-mitte-closed-week.json'))
    const before = berlinUnits, after = unitsByOfficeDate(compile(r))
    for (const d of ['11', '12', '13', '14', '15']) {
      expect(before.get(`122280 2027-01-${d}`)).toBeGreaterThan(0)
      expect(after.has(`122280 2027-01-${d}`)).toBe(false)
    }
    for (const [key, units] of before) if (!key.startsWith('122280 2027-01-1')) expect(after.get(key)).toBe(units)
  })
})

describe('schema/overlay.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/overlay.schema.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(overlayJsonSchema())
    expect((committed as { required: string[] }).required).toEqual(['name', 'changes'])
  })
})


describe('serviceDuration with deltaMinutes (the self-service terminal what-if)', () => {
  // passport: 20 minutes by default, 30 at mitte; mitte and spandau offer it.
  const passport = (s: Scenario) => s.services.find((x) => x.id === 'passport')!

  it('changes the duration in force at the named offices', () => {
    const s = applyOverlay(base(), overlay([{ kind: 'serviceDuration', service: 'passport', deltaMinutes: -5, offices: ['mitte', 'spandau'] }]))
    expect(passport(s).durationMinutes).toBe(20)
    // mitte had its own 30, spandau the default 20.
    expect(passport(s).officeDurations).toEqual({ mitte: 25, spandau: 15 })
    const m = compile(s)
    expect(m.unitMinutes).toBe(5)
  })

  it('without offices, changes the default and every per-office duration', () => {
    const s = applyOverlay(base(), overlay([{ kind: 'serviceDuration', service: 'passport', deltaMinutes: 10 }]))
    expect(passport(s).durationMinutes).toBe(30)
    expect(passport(s).officeDurations).toEqual({ mitte: 40 })
  })

  it('needs minutes or deltaMinutes, exactly one, and a duration that stays positive; nothing changes otherwise', () => {
    const s0 = deepFreeze(base())
    const both = errorOf(() => applyOverlay(s0, overlay([{ kind: 'serviceDuration', service: 'passport', minutes: 10, deltaMinutes: -5 }])))
    expect(codesAndPaths(both.issues)).toContainEqual({ code: 'exclusive_fields', path: '$.changes[0].deltaMinutes' })
    const neither = errorOf(() => applyOverlay(s0, overlay([{ kind: 'serviceDuration', service: 'passport' }])))
    expect(codesAndPaths(neither.issues)).toContainEqual({ code: 'missing_field', path: '$.changes[0]' })
    const negative = errorOf(() => applyOverlay(s0, overlay([{ kind: 'serviceDuration', service: 'passport', deltaMinutes: -20, offices: ['spandau'] }])))
    expect(codesAndPaths(negative.issues)).toEqual([{ code: 'out_of_range', path: '$.changes[0].deltaMinutes' }])
    expect(negative.issues[0].message).toMatch(/spandau.*0 minutes/)
    expect(() => overlay([{ kind: 'serviceDuration', service: 'passport', deltaMinutes: 0 }])).toThrow(TerminplanError)
    // The frozen input is as it was (applyOverlay never writes to it; the freeze would throw).
    expect(passport(s0)).toEqual(passport(base()))
  })

  it('everywhere means every per-office duration too: one that would drop to 0 is rejected, naming its office', () => {
    // The first change gives spandau its own 5 minutes; the second is checked against that.
    const e = errorOf(() =>
      applyOverlay(
        base(),
        overlay([
          { kind: 'serviceDuration', service: 'passport', minutes: 5, offices: ['spandau'] },
          { kind: 'serviceDuration', service: 'passport', deltaMinutes: -5 },
        ]),
      ),
    )
    expect(codesAndPaths(e.issues)).toEqual([{ code: 'out_of_range', path: '$.changes[1].deltaMinutes' }])
    expect(e.issues[0].message).toMatch(/office "spandau".*would be 0 minutes \(now 5\)/)
  })

  it('a duration off the grid is handled as for minutes: a finer derived grid, or unit_mismatch against unitMinutes', () => {
    const viaMinutes = overlay([{ kind: 'serviceDuration', service: 'passport', minutes: 25, offices: ['mitte'] }])
    const viaDelta = overlay([{ kind: 'serviceDuration', service: 'passport', deltaMinutes: -5, offices: ['mitte'] }])
    // No unitMinutes: 30 - 5 = 25 is accepted and the derived grid becomes 5 minutes, the same scenario as minutes: 25.
    const byDelta = applyOverlay(base(), viaDelta)
    expect(byDelta).toEqual(applyOverlay(base(), viaMinutes))
    expect(compile(byDelta).unitMinutes).toBe(5)
    // unitMinutes 10: both are rejected by the scenario rules, at the same path into the result.
    const fixed = loadScenario({ ...validScenario(), unitMinutes: 10 })
    const a = errorOf(() => applyOverlay(fixed, viaMinutes))
    const b = errorOf(() => applyOverlay(fixed, viaDelta))
    expect(codesAndPaths(b.issues)).toEqual(codesAndPaths(a.issues))
    expect(codesAndPaths(b.issues)).toEqual([{ code: 'unit_mismatch', path: '$.services[0].officeDurations.mitte' }])
  })
})
