/**
 * compile(): hand-made scenarios whose unit counts are worked out in the comments. Unit indices
 * count from local midnight of the horizon's first day; with 10-minute units a 24-hour day has
 * 144 units, so hh:mm on day d of an ordinary week is unit 144·d + 6·hh + mm/10.
 */
import { describe, expect, it } from 'vitest'
import { compile, defaultUnitMinutes, instantToUnit, unitToInstant, type Model } from '../../src/model/compile.js'
import { loadScenario } from '../../src/model/load.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import { formatInstant } from '../../src/model/tz.js'
import { ALL_DAYS, HOUR, WEEKDAYS, bitRuns, validScenario } from './fixtures.js'

const build = (input: ScenarioInput): Model => compile(loadScenario(input))

/** A staff member's segments as plain tuples [office, day, start, end]. */
function segmentsOf(m: Model, staffId: string): [number, number, number, number][] {
  const p = m.staffIndex.get(staffId)!
  return m.segments.slice(m.segFirst[p], m.segFirst[p + 1]).map((s) => {
    expect(s.staff).toBe(p)
    return [s.office, s.day, s.start, s.end]
  })
}

const workRuns = (m: Model, staffId: string) => bitRuns(m.work[m.staffIndex.get(staffId)!], m.nUnits)

/** Structural invariants every compiled model keeps; checked for every scenario below. */
function expectInvariants(m: Model): void {
  expect(m.dayStart.length).toBe(m.days + 1)
  expect(m.dayStart[0]).toBe(0)
  expect(m.dayStart[m.days]).toBe(m.nUnits)
  expect(m.segFirst.length).toBe(m.staffIds.length + 1)
  expect(m.segFirst[m.staffIds.length]).toBe(m.segments.length)
  for (let p = 0; p < m.staffIds.length; p++) {
    const segs = m.segments.slice(m.segFirst[p], m.segFirst[p + 1])
    let covered = 0
    segs.forEach((s, k) => {
      expect(s.staff).toBe(p)
      expect(s.start).toBeLessThan(s.end)
      // Never across local midnight: the whole segment lies inside its day.
      expect(s.start).toBeGreaterThanOrEqual(m.dayStart[s.day])
      expect(s.end).toBeLessThanOrEqual(m.dayStart[s.day + 1])
      // Sorted and disjoint.
      if (k > 0) expect(s.start).toBeGreaterThanOrEqual(segs[k - 1].end)
      covered += s.end - s.start
    })
    // Segments cover exactly the working bits.
    const bits = bitRuns(m.work[p], m.nUnits).reduce((n, [a, b]) => n + b - a, 0)
    expect(covered).toBe(bits)
  }
}

describe('default unit: gcd of all durations, including per-office durations', () => {
  const withDurations = (durations: number[], officeDurations?: Record<string, number>): ScenarioInput => ({
    horizon: { start: '2026-03-02', days: 1 },
    services: durations.map((d, i) => ({ id: `s${i}`, name: `S${i}`, durationMinutes: d, ...(i === 0 && officeDurations ? { officeDurations } : {}) })),
    offices: [
      { id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: ALL_DAYS, from: '08:00', to: '16:00' }], services: durations.map((_, i) => `s${i}`), desks: 1 },
    ],
  })

  // The last column is the number of whole units in the ordinary 24-hour day 2026-03-02.
  it.each([
    // gcd(20, 30) = 10; 1440 / 10 = 144
    [[20, 30], undefined, 10, 144],
    // gcd(20, 30, 45) = 5: the per-office duration counts; 1440 / 5 = 288
    [[20, 30], { o: 45 }, 5, 288],
    // gcd(24, 36) = 12; 1440 / 12 = 120
    [[24, 36], undefined, 12, 120],
    // gcd(25) = 25; 1440 / 25 = 57.6, so 57 whole units
    [[25], undefined, 25, 57],
    // gcd(60, 90, 7) = 1; 1440
    [[60, 90, 7], undefined, 1, 1440],
  ] as const)('durations %j, officeDurations %j → %i minutes, %i units a day', (durations, officeDurations, unit, units) => {
    const s = loadScenario(withDurations([...durations], officeDurations ? { ...officeDurations } : undefined))
    expect(defaultUnitMinutes(s)).toBe(unit)
    const m = compile(s)
    expect(m.unitMinutes).toBe(unit)
    expect(m.unitMs).toBe(unit * 60_000)
    expect(m.nUnits).toBe(units)
  })

  it('per-office durations become durationUnits at that office only', () => {
    // Unit gcd(20, 30, 45) = 5: s0 is 20/5 = 4 units in general and 45/5 = 9 at office o.
    const input = withDurations([20, 30], { o: 45 })
    input.offices.push({ id: 'p', name: 'P', district: 'D', openingHours: [{ weekdays: ALL_DAYS, from: '08:00', to: '16:00' }], services: ['s0'], desks: 1 })
    const m = build(input)
    expect(Array.from(m.durationUnits)).toEqual([9, 6, 4, 0]) // [o·s0, o·s1, p·s0, p·s1]
  })

  it('an explicit unitMinutes wins over the gcd', () => {
    const input = withDurations([20, 30])
    input.unitMinutes = 5
    const m = build(input)
    expect(m.unitMinutes).toBe(5)
    expect(m.nUnits).toBe(288)
    expect(Array.from(m.durationUnits)).toEqual([4, 6])
  })
})

describe('a week in Berlin: shift ∩ opening hours − breaks − absences − closures/holidays', () => {
  /*
   * Mon 2026-03-02 .. Sun 2026-03-08, no DST change; unit 10 min (gcd of 20, 30, 10); 7 · 144 = 1008 units.
   * Day bases: Mon 0, Tue 144, Wed 288, Thu 432, Fri 576, Sat 720, Sun 864.
   */
  const input = (): ScenarioInput => ({
    horizon: { start: '2026-03-02', days: 7 },
    services: [
      { id: 'passport', name: 'Pass', durationMinutes: 20, officeDurations: { mitte: 30 } },
      { id: 'registration', name: 'Anmeldung', durationMinutes: 10 },
    ],
    offices: [
      {
        id: 'mitte',
        name: 'Mitte',
        district: 'Mitte',
        openingHours: [{ weekdays: WEEKDAYS, from: '08:00', to: '18:00' }],
        holidays: ['2026-03-06'],
        services: ['passport', 'registration'],
        desks: 2,
      },
      {
        id: 'spandau',
        name: 'Spandau',
        district: 'Spandau',
        openingHours: [{ weekdays: WEEKDAYS, from: '07:00', to: '15:00' }],
        closures: [{ from: '2026-03-03', to: '2026-03-04' }],
        services: ['registration'],
        desks: 1,
      },
    ],
    staff: [
      {
        id: 'anna',
        office: 'mitte',
        skills: ['passport', 'registration'],
        shifts: [{ weekdays: WEEKDAYS, from: '07:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] }],
        absences: [
          { from: '2026-03-03', to: '2026-03-03' }, // all of Tuesday (dates are inclusive)
          { from: '2026-03-05T14:00:00+01:00', to: '2026-03-05T14:00:00Z' }, // Thursday 14:00–15:00 local
        ],
      },
      {
        id: 'ben',
        office: 'spandau',
        skills: ['registration'],
        shifts: [
          { weekdays: [1, 3, 5], from: '06:00', to: '12:00' },
          { date: '2026-03-03', from: '09:00', to: '10:00', office: 'mitte' },
          { date: '2026-03-05', from: '07:00', to: '11:00', office: 'mitte' },
        ],
      },
      { id: 'cem', office: 'mitte', skills: ['passport', 'passport'], shifts: [] },
      { id: 'dora', office: 'mitte', skills: ['registration'], shifts: [{ weekdays: [6], from: '09:00', to: '13:00' }] },
    ],
  })

  it('grid: 7 days of 144 units from local midnight', () => {
    const m = build(input())
    expect(m.unitMinutes).toBe(10)
    expect(m.days).toBe(7)
    expect(m.nUnits).toBe(1008)
    expect(Array.from(m.dayStart)).toEqual([0, 144, 288, 432, 576, 720, 864, 1008])
    expect(m.t0).toBe(Date.UTC(2026, 2, 1, 23, 0)) // 00:00 CET
    expect(m.dates).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'])
    expectInvariants(m)
  })

  it('anna: breaks, a whole-day absence, an instant absence and a holiday are cut out', () => {
    /*
     * Shift 07–16 ∩ open 08–18 = 08–16 (units 48–96), minus the break 12:00–12:30 (72–75):
     *   Mon: [48,72) [75,96)                                   24 + 21 = 45
     *   Tue: absent all day                                     0
     *   Wed: [288+48, 288+72) [288+75, 288+96) = [336,360) [363,384)   45
     *   Thu: also minus 14:00–15:00 (84–90): [480,504) [507,516) [522,528)   24 + 9 + 6 = 39
     *   Fri: holiday at mitte                                   0
     *   total 129 units.
     */
    const m = build(input())
    const expected: [number, number][] = [[48, 72], [75, 96], [336, 360], [363, 384], [480, 504], [507, 516], [522, 528]]
    expect(workRuns(m, 'anna')).toEqual(expected)
    expect(segmentsOf(m, 'anna')).toEqual([
      [0, 0, 48, 72], [0, 0, 75, 96], [0, 2, 336, 360], [0, 2, 363, 384], [0, 3, 480, 504], [0, 3, 507, 516], [0, 3, 522, 528],
    ])
    expect(workRuns(m, 'anna').reduce((n, [a, b]) => n + b - a, 0)).toBe(129)
  })

  it('ben: closures at the home office; shifts at another office use its hours, and segments carry it', () => {
    /*
     * Weekly Mon/Wed/Fri 06–12 at spandau ∩ open 07–15 = 07–12 (units 42–72):
     *   Mon [42,72); Wed: spandau closed (closure 03-03..03-04, inclusive); Fri [576+42, 576+72) = [618,648).
     * Tue 03-03 09–10 at mitte (spandau's closure does not apply): [144+54, 144+60) = [198,204).
     * Thu 03-05 07–11 at mitte, which opens at 08 (spandau would open at 07): [432+48, 432+66) = [480,498).
     *   total 30 + 6 + 18 + 30 = 84 units.
     */
    const m = build(input())
    const mitte = m.officeIndex.get('mitte')!, spandau = m.officeIndex.get('spandau')!
    expect([mitte, spandau]).toEqual([0, 1])
    expect(workRuns(m, 'ben')).toEqual([[42, 72], [198, 204], [480, 498], [618, 648]])
    expect(segmentsOf(m, 'ben')).toEqual([
      [spandau, 0, 42, 72],
      [mitte, 1, 198, 204],
      [mitte, 3, 480, 498],
      [spandau, 4, 618, 648],
    ])
    expect(m.staffHome[m.staffIndex.get('ben')!]).toBe(spandau)
  })

  it('no shift, or a shift when the office is closed, gives no working units', () => {
    const m = build(input())
    // cem has no shifts; dora works Saturdays, when mitte is closed.
    expect(workRuns(m, 'cem')).toEqual([])
    expect(workRuns(m, 'dora')).toEqual([])
    expect(segmentsOf(m, 'cem')).toEqual([])
    expect(segmentsOf(m, 'dora')).toEqual([])
    expect(Array.from(m.segFirst)).toEqual([0, 7, 11, 11, 11])
    expectInvariants(m)
  })

  it('ids, skills, staffByService, durationUnits and districts', () => {
    const m = build(input())
    expect(m.serviceIds).toEqual(['passport', 'registration'])
    expect(m.officeIds).toEqual(['mitte', 'spandau'])
    expect(m.staffIds).toEqual(['anna', 'ben', 'cem', 'dora'])
    // passport: anna, cem (listed twice, counted once); registration: anna, ben, dora.
    expect(m.staffByService.map((xs) => Array.from(xs))).toEqual([[0, 2], [0, 1, 3]])
    // skill[p · 2 + s]
    expect(Array.from(m.skill)).toEqual([1, 1, 0, 1, 1, 0, 0, 1])
    // durationUnits[o · 2 + s]: passport at mitte 30/10 = 3, registration 10/10 = 1;
    // spandau does not offer passport (0), registration 1.
    expect(Array.from(m.durationUnits)).toEqual([3, 1, 0, 1])
    expect(Array.from(m.staffHome)).toEqual([0, 1, 0, 0])
    expect(m.districtIds).toEqual(['Mitte', 'Spandau'])
    expect(Array.from(m.officeDistrict)).toEqual([0, 1])
  })

  it('unit and instant conversions agree with the wall clock', () => {
    const m = build(input())
    expect(formatInstant(m.zone, unitToInstant(m, 48))).toBe('2026-03-02T08:00:00+01:00')
    expect(formatInstant(m.zone, unitToInstant(m, 480))).toBe('2026-03-05T08:00:00+01:00')
    expect(instantToUnit(m, Date.UTC(2026, 2, 5, 7, 5))).toBe(480) // 08:05 CET lies in unit 480
    expect(instantToUnit(m, Date.UTC(2026, 2, 1, 22, 50))).toBe(-1) // before the horizon
  })
})

describe('partial units', () => {
  it('a shift not aligned to the grid keeps only whole units inside it', () => {
    // 08:05–09:55 with 10-minute units: starts in unit 48 (08:00–08:10), so the first whole unit
    // is 49 (08:10); ends in unit 59 (09:50–10:00), so the last whole unit is 58 → [49, 59).
    const m = build({
      horizon: { start: '2026-03-02', days: 1 },
      services: [{ id: 's', name: 'S', durationMinutes: 10 }],
      offices: [{ id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: ALL_DAYS, from: '06:00', to: '20:00' }], services: ['s'], desks: 1 }],
      staff: [{ id: 'p', office: 'o', skills: ['s'], shifts: [{ weekdays: [1], from: '08:05', to: '09:55' }] }],
    })
    expect(workRuns(m, 'p')).toEqual([[49, 59]])
    expectInvariants(m)
  })
})

describe('opening hours given in several pieces', () => {
  const officeWith = (openingHours: { weekdays: number[]; from: string; to: string }[]): ScenarioInput => ({
    horizon: { start: '2026-03-02', days: 1 }, // a Monday
    services: [{ id: 's', name: 'S', durationMinutes: 10 }],
    offices: [{ id: 'o', name: 'O', district: 'D', openingHours, services: ['s'], desks: 1 }],
    staff: [{ id: 'p', office: 'o', skills: ['s'], shifts: [{ weekdays: [1], from: '08:00', to: '14:00' }] }],
  })

  it('adjacent pieces (08–12, 12–14) give one run [48, 84)', () => {
    const m = build(officeWith([{ weekdays: [1], from: '08:00', to: '12:00' }, { weekdays: [1], from: '12:00', to: '14:00' }]))
    expect(workRuns(m, 'p')).toEqual([[48, 84]])
    expect(segmentsOf(m, 'p')).toEqual([[0, 0, 48, 84]])
    expectInvariants(m)
  })

  it('overlapping pieces (Mon–Fri 08–12 and a long Monday 10–14) still give one run [48, 84), counted once', () => {
    // The office is open 08–14 on Monday; the shift is 08–14, so 36 units, one segment.
    const m = build(officeWith([{ weekdays: WEEKDAYS, from: '08:00', to: '12:00' }, { weekdays: [1], from: '10:00', to: '14:00' }]))
    expect(workRuns(m, 'p')).toEqual([[48, 84]])
    expect(segmentsOf(m, 'p')).toEqual([[0, 0, 48, 84]])
    expectInvariants(m)
  })
})

describe('DST days in Berlin', () => {
  const allDayOffice = { id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: ALL_DAYS, from: '00:00', to: '24:00' }], services: ['s', 't'], desks: 1 }
  const services = [
    { id: 's', name: 'S', durationMinutes: 10 },
    { id: 't', name: 'T', durationMinutes: 30 },
  ]

  it('spring: Sat 03-28, Sun 03-29 (23 h → 138 units), Mon 03-30 → 426 units', () => {
    /*
     * Day starts: Sat 0, Sun 144, Mon 144 + 138 = 282, end 282 + 144 = 426.
     * p: Sun 01:00 CET → 05:00 CEST is 3 h of real time = 18 units: 01:00 is unit 144 + 6 = 150,
     *    05:00 CEST is 4 h (24 units) after Sunday's midnight, since 02:00–03:00 does not exist → [150, 168).
     *    Mon 08:00–09:00 → [282 + 48, 282 + 54) = [330, 336).
     * night: Sat 22:00 → Sun 06:00 is 7 h real = 42 units: Sat [132, 144) + Sun [144, 144 + 30) (06:00 CEST
     *    is 5 h after Sunday's midnight) = [144, 174), split at midnight.
     */
    const m = build({
      horizon: { start: '2026-03-28', days: 3 },
      services,
      offices: [allDayOffice],
      staff: [
        {
          id: 'p',
          office: 'o',
          skills: ['s'],
          shifts: [
            { date: '2026-03-29', from: '01:00', to: '05:00' },
            { date: '2026-03-30', from: '08:00', to: '09:00' },
          ],
        },
        { id: 'night', office: 'o', skills: ['t'], shifts: [{ weekdays: [6], from: '22:00', to: '06:00' }] },
      ],
    })
    expect(m.unitMinutes).toBe(10)
    expect(m.nUnits).toBe(426)
    expect(Array.from(m.dayStart)).toEqual([0, 144, 282, 426])
    expect(m.dayStart[2] - m.dayStart[1]).toBe(138)
    expect(workRuns(m, 'p')).toEqual([[150, 168], [330, 336]])
    expect(formatInstant(m.zone, unitToInstant(m, 150))).toBe('2026-03-29T01:00:00+01:00')
    expect(formatInstant(m.zone, unitToInstant(m, 168))).toBe('2026-03-29T05:00:00+02:00')
    expect(formatInstant(m.zone, unitToInstant(m, 282))).toBe('2026-03-30T00:00:00+02:00')
    expect(workRuns(m, 'night')).toEqual([[132, 174]])
    expect(segmentsOf(m, 'night')).toEqual([[0, 0, 132, 144], [0, 1, 144, 174]])
    expectInvariants(m)
  })

  it('autumn: Sat 10-24, Sun 10-25 (25 h → 150 units), Mon 10-26 → 438 units; a night shift is 9 h', () => {
    /*
     * Day starts: Sat 0, Sun 144, Mon 144 + 150 = 294, end 294 + 144 = 438.
     * night: Sat 22:00 CEST → Sun 06:00 CET = 20:00Z → 05:00Z = 9 h real = 54 units:
     *   Sat [132, 144); Sun: 06:00 CET is 7 h after Sunday's midnight (22:00Z) = 42 units → [144, 186).
     * day: Sun 09:00 CET is 10 h after midnight → [144 + 60, 144 + 66) = [204, 210);
     *      Mon 08:00–09:00 → [294 + 48, 294 + 54) = [342, 348).
     */
    const m = build({
      horizon: { start: '2026-10-24', days: 3 },
      services,
      offices: [allDayOffice],
      staff: [
        { id: 'night', office: 'o', skills: ['s'], shifts: [{ weekdays: [6], from: '22:00', to: '06:00' }] },
        {
          id: 'day',
          office: 'o',
          skills: ['s'],
          shifts: [
            { date: '2026-10-25', from: '09:00', to: '10:00' },
            { date: '2026-10-26', from: '08:00', to: '09:00' },
          ],
        },
      ],
    })
    expect(m.nUnits).toBe(438)
    expect(Array.from(m.dayStart)).toEqual([0, 144, 294, 438])
    expect(m.dayStart[2] - m.dayStart[1]).toBe(150)
    expect(workRuns(m, 'night')).toEqual([[132, 186]])
    expect((186 - 132) * m.unitMs).toBe(9 * HOUR)
    expect(segmentsOf(m, 'night')).toEqual([[0, 0, 132, 144], [0, 1, 144, 186]])
    expect(formatInstant(m.zone, unitToInstant(m, 186))).toBe('2026-10-25T06:00:00+01:00')
    expect(workRuns(m, 'day')).toEqual([[204, 210], [342, 348]])
    expect(formatInstant(m.zone, unitToInstant(m, 204))).toBe('2026-10-25T09:00:00+01:00')
    expectInvariants(m)
  })

  it('a night shift ending in a closed office keeps only the open part', () => {
    // Same Saturday night, but the office is open Saturdays only: only Sat 22:00–24:00 = [132, 144).
    const m = build({
      horizon: { start: '2026-10-24', days: 2 },
      services,
      offices: [{ ...allDayOffice, openingHours: [{ weekdays: [6], from: '00:00', to: '24:00' }] }],
      staff: [{ id: 'night', office: 'o', skills: ['s'], shifts: [{ weekdays: [6], from: '22:00', to: '06:00' }] }],
    })
    expect(m.nUnits).toBe(294)
    expect(workRuns(m, 'night')).toEqual([[132, 144]])
    expectInvariants(m)
  })
})

describe('other time zones', () => {
  it('America/New_York over its spring change (2026-03-08, 23 h) with 30-minute units', () => {
    /*
     * Units of 30 min: Sat 03-07 48 units, Sun 03-08 46, Mon 03-09 48 → 142; day starts [0, 48, 94, 142].
     * t0 = 2026-03-07 00:00 EST = 05:00Z.
     * Mon 08:00–18:00 ∩ open 09:00–17:00 → [94 + 18, 94 + 34) = [112, 128).
     * Sat 22:00 EST → Sun 06:00 EDT = 03:00Z → 10:00Z = 7 h = 14 units: Sat [44, 48), Sun [48, 58).
     */
    const m = build({
      timezone: 'America/New_York',
      horizon: { start: '2026-03-07', days: 3 },
      services: [{ id: 's', name: 'DMV visit', durationMinutes: 30 }],
      offices: [
        {
          id: 'dmv',
          name: 'DMV',
          district: 'Manhattan',
          openingHours: [
            { weekdays: WEEKDAYS, from: '09:00', to: '17:00' },
            { weekdays: [6, 7], from: '00:00', to: '24:00' },
          ],
          services: ['s'],
          desks: 1,
        },
      ],
      staff: [
        {
          id: 'p',
          office: 'dmv',
          skills: ['s'],
          shifts: [
            { weekdays: [1], from: '08:00', to: '18:00' },
            { weekdays: [6], from: '22:00', to: '06:00' },
          ],
        },
      ],
    })
    expect(m.zone).toBe('America/New_York')
    expect(m.unitMinutes).toBe(30)
    expect(m.t0).toBe(Date.UTC(2026, 2, 7, 5, 0))
    expect(m.nUnits).toBe(142)
    expect(Array.from(m.dayStart)).toEqual([0, 48, 94, 142])
    expect(workRuns(m, 'p')).toEqual([[44, 58], [112, 128]])
    expect(segmentsOf(m, 'p')).toEqual([[0, 0, 44, 48], [0, 1, 48, 58], [0, 2, 112, 128]])
    expect(formatInstant(m.zone, unitToInstant(m, 112))).toBe('2026-03-09T09:00:00-04:00')
    expect(formatInstant(m.zone, unitToInstant(m, 58))).toBe('2026-03-08T06:00:00-04:00')
    expectInvariants(m)
  })

  it('Asia/Kolkata (+05:30): the grid starts at 18:30Z the day before', () => {
    // 20-minute units, 72 per day; Sunday 2026-03-29 10:00–12:00 → [30, 36).
    const m = build({
      timezone: 'Asia/Kolkata',
      horizon: { start: '2026-03-29', days: 1 },
      services: [{ id: 's', name: 'S', durationMinutes: 20 }],
      offices: [{ id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: ALL_DAYS, from: '09:00', to: '17:00' }], services: ['s'], desks: 1 }],
      staff: [{ id: 'p', office: 'o', skills: ['s'], shifts: [{ weekdays: [7], from: '10:00', to: '12:00' }] }],
    })
    expect(m.t0).toBe(Date.UTC(2026, 2, 28, 18, 30))
    expect(m.nUnits).toBe(72) // Berlin's short day is an ordinary day in India
    expect(workRuns(m, 'p')).toEqual([[30, 36]])
    expect(formatInstant(m.zone, unitToInstant(m, 30))).toBe('2026-03-29T10:00:00+05:30')
    expectInvariants(m)
  })
})

describe('the shared fixture compiles', () => {
  it('with the hand-computed grid and working units', () => {
    /*
     * 14 days from Mon 2026-03-02, unit gcd(20, 30, 10, 20) = 10, 14 · 144 = 2016 units.
     * anna: Mon–Fri 08–16 minus 12:00–12:30 = 45 units a day, on 7 of the 10 weekdays
     *       (not Fri 03-06, mitte closed; not Tue 03-10 and Wed 03-11, absent) = 315.
     * ben:  Mon/Wed 07:30–12:00 at spandau (07:30–15:00 open) = 27 units on 03-02, 03-04, 03-09, 03-11 = 108,
     *       plus Thu 03-05 09–13 at mitte minus 10:00–10:15 (units [486,492) [494,510)) = 6 + 16 = 22 → 130.
     */
    const m = build(validScenario())
    expect(m.nUnits).toBe(2016)
    expect(m.unitMinutes).toBe(10)
    const count = (id: string) => workRuns(m, id).reduce((n, [a, b]) => n + b - a, 0)
    expect(count('anna')).toBe(315)
    expect(count('ben')).toBe(130)
    expect(segmentsOf(m, 'ben').filter(([o]) => o === m.officeIndex.get('mitte'))).toEqual([[0, 3, 486, 492], [0, 3, 494, 510]])
    expectInvariants(m)
  })
})
