/**
 * loadScenario / parseScenarioJson: every bad input is a TerminplanError('SCENARIO_INVALID') whose
 * issues say what is wrong (`code`) and where (`path`). Each case mutates the shared fixture (see
 * fixtures.ts for its indices) and lists the issues it must produce, worked out by hand.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compile } from '../../src/model/compile.js'
import { TerminplanError, jsonPath, type ValidationIssue } from '../../src/model/errors.js'
import { MAX_REPORTED_ISSUES, loadScenario, parseScenarioJson } from '../../src/model/load.js'
import { KNOWN_NAMES, REFERENCE_SITES, codesAndPaths, issuesOf, setAt, validScenario, type Loose } from './fixtures.js'

interface Case {
  name: string
  mutate: (s: Loose) => void
  /** The issues expected, as [code, path]. */
  expected: [string, string][]
  /** true (default): exactly these issues, in this order; false: at least these. */
  exact?: boolean
}

const unknownRefs: Case[] = [
  {
    name: 'office offers an unknown service (and the appointment using the removed one is no longer offered)',
    mutate: (s) => (s.offices[0].services[1] = 'nope'),
    expected: [
      ['unknown_reference', '$.offices[0].services[1]'],
      ['not_offered', '$.appointments[0].services[2]'],
    ],
  },
  { name: 'staff home office unknown', mutate: (s) => (s.staff[1].office = 'nope'), expected: [['unknown_reference', '$.staff[1].office']] },
  { name: 'staff skill unknown', mutate: (s) => (s.staff[0].skills[2] = 'nope'), expected: [['unknown_reference', '$.staff[0].skills[2]']] },
  { name: 'shift at an unknown office', mutate: (s) => (s.staff[1].shifts[1].office = 'nope'), expected: [['unknown_reference', '$.staff[1].shifts[1].office']] },
  { name: 'demand for an unknown service', mutate: (s) => (s.demand[1].service = 'nope'), expected: [['unknown_reference', '$.demand[1].service']] },
  { name: 'demand at an unknown office', mutate: (s) => (s.demand[0].offices = ['mitte', 'nope']), expected: [['unknown_reference', '$.demand[0].offices[1]']] },
  { name: 'district that no office is in', mutate: (s) => (s.districts = [{ id: 'Atlantis', neighbours: [] }]), expected: [['unknown_reference', '$.districts[0].id']] },
  {
    name: 'district neighbours: unknown, itself, one-sided',
    mutate: (s) => {
      const [a, b] = [...new Set((s.offices as { district: string }[]).map((o) => o.district))]
      s.districts = [{ id: a, neighbours: ['Atlantis', a, b] }, { id: b, neighbours: [] }]
    },
    expected: [
      ['unknown_reference', '$.districts[0].neighbours[0]'],
      ['self_neighbour', '$.districts[0].neighbours[1]'],
      ['asymmetric_neighbours', '$.districts[0].neighbours[2]'],
    ],
  },
  { name: 'demand in an unknown district', mutate: (s) => (s.demand[0].district = 'Atlantis'), expected: [['unknown_reference', '$.demand[0].district']] },
  { name: 'appointment at an unknown office', mutate: (s) => (s.appointments[0].office = 'nope'), expected: [['unknown_reference', '$.appointments[0].office']] },
  { name: 'appointment with an unknown staff member', mutate: (s) => (s.appointments[0].staff = 'nobody'), expected: [['unknown_reference', '$.appointments[0].staff']] },
  {
    name: 'appointment for an unknown service',
    mutate: (s) => (s.appointments[0].services[2] = 'nope'),
    expected: [['unknown_reference', '$.appointments[0].services[2]']],
    exact: false,
  },
  { name: 'waitlist entry accepting an unknown office', mutate: (s) => (s.waitlist[0].offices[1] = 'nope'), expected: [['unknown_reference', '$.waitlist[0].offices[1]']] },
  { name: 'waitlist entry in an unknown district', mutate: (s) => (s.waitlist[0].district = 'Atlantis'), expected: [['unknown_reference', '$.waitlist[0].district']] },
  { name: 'waitlist entry for an unknown service', mutate: (s) => (s.waitlist[0].services = ['nope']), expected: [['unknown_reference', '$.waitlist[0].services[0]']] },
  {
    name: 'officeDurations keyed by an unknown office',
    mutate: (s) => (s.services[0].officeDurations = { mitte: 30, nope: 20 }),
    expected: [['unknown_reference', '$.services[0].officeDurations.nope']],
  },
  {
    name: 'officeDurations keyed by an unknown office whose id needs quoting in the path',
    mutate: (s) => (s.services[0].officeDurations = { 'bezirks-amt': 20 }),
    expected: [['unknown_reference', '$.services[0].officeDurations["bezirks-amt"]']],
  },
  { name: 'combinable with an unknown service', mutate: (s) => (s.services[2].combinable[1] = 'nope'), expected: [['unknown_reference', '$.services[2].combinable[1]']] },
]

const notOffered: Case[] = [
  {
    name: 'appointment for a service its office does not offer',
    mutate: (s) => Object.assign(s.appointments[0], { office: 'spandau', staff: 'ben', services: ['registration', 'idcard'] }),
    expected: [['not_offered', '$.appointments[0].services[1]']],
  },
  {
    name: 'demand at an office that does not offer the service',
    mutate: (s) => Object.assign(s.demand[0], { service: 'idcard', offices: ['mitte', 'spandau'] }),
    expected: [['not_offered', '$.demand[0].offices[1]']],
  },
  {
    name: 'officeDurations for an office that does not offer the service',
    mutate: (s) => (s.services[2].officeDurations = { spandau: 20 }),
    expected: [['not_offered', '$.services[2].officeDurations.spandau']],
  },
]

const numbers: Case[] = [
  { name: 'duration 0', mutate: (s) => (s.services[1].durationMinutes = 0), expected: [['too_small', '$.services[1].durationMinutes']] },
  { name: 'negative duration', mutate: (s) => (s.services[1].durationMinutes = -10), expected: [['too_small', '$.services[1].durationMinutes']] },
  { name: 'non-integer duration', mutate: (s) => (s.services[1].durationMinutes = 7.5), expected: [['invalid_type', '$.services[1].durationMinutes']] },
  { name: 'per-office duration 0', mutate: (s) => (s.services[0].officeDurations.mitte = 0), expected: [['too_small', '$.services[0].officeDurations.mitte']] },
  { name: 'non-integer per-office duration', mutate: (s) => (s.services[0].officeDurations.mitte = 12.5), expected: [['invalid_type', '$.services[0].officeDurations.mitte']] },
  { name: 'NaN demand count', mutate: (s) => (s.demand[1].count = NaN), expected: [['invalid_type', '$.demand[1].count']] },
  { name: 'Infinity demand count', mutate: (s) => (s.demand[1].count = Infinity), expected: [['invalid_type', '$.demand[1].count']] },
  { name: 'negative demand count', mutate: (s) => (s.demand[1].count = -1), expected: [['too_small', '$.demand[1].count']] },
  { name: 'zero desks', mutate: (s) => (s.offices[1].desks = 0), expected: [['too_small', '$.offices[1].desks']] },
  { name: 'horizon of 0 days', mutate: (s) => (s.horizon.days = 0), expected: [['too_small', '$.horizon.days']] },
  { name: 'horizon of 732 days', mutate: (s) => (s.horizon.days = 732), expected: [['too_big', '$.horizon.days']] },
  { name: 'waitlist share above 1', mutate: (s) => (s.policy = { waitlistShare: 1.5 }), expected: [['too_big', '$.policy.waitlistShare']] },
  {
    name: 'unitMinutes that does not divide the durations',
    // 15 divides none of 20 (passport), 10 (registration), 20 (idcard), but does divide passport's 30 at mitte.
    mutate: (s) => (s.unitMinutes = 15),
    expected: [
      ['unit_mismatch', '$.services[0].durationMinutes'],
      ['unit_mismatch', '$.services[1].durationMinutes'],
      ['unit_mismatch', '$.services[2].durationMinutes'],
    ],
  },
]

const times: Case[] = [
  { name: 'invalid time zone', mutate: (s) => (s.timezone = 'Europe/Berlinn'), expected: [['invalid_zone', '$.timezone']] },
  { name: 'closing time 24:30', mutate: (s) => (s.offices[0].openingHours[0].to = '24:30'), expected: [['invalid_time', '$.offices[0].openingHours[0].to']] },
  { name: 'shift start 7:5', mutate: (s) => (s.staff[0].shifts[0].from = '7:5'), expected: [['invalid_time', '$.staff[0].shifts[0].from']] },
  { name: 'break at 25:00', mutate: (s) => (s.staff[0].shifts[0].breaks[0].from = '25:00'), expected: [['invalid_time', '$.staff[0].shifts[0].breaks[0].from']] },
  { name: 'horizon starting on 2026-02-30', mutate: (s) => (s.horizon.start = '2026-02-30'), expected: [['invalid_date', '$.horizon.start']] },
  { name: 'holiday on 2026-02-29 (2026 is no leap year)', mutate: (s) => (s.offices[1].holidays = ['2026-02-29']), expected: [['invalid_date', '$.offices[1].holidays[0]']] },
  {
    name: 'appointment start without an offset',
    mutate: (s) => (s.appointments[0].start = '2026-03-02T09:00:00'),
    expected: [['invalid_instant', '$.appointments[0].start']],
  },
  { name: 'absence ending at a date-time that does not exist', mutate: (s) => (s.staff[0].absences[0].to = '2026-03-11T25:00:00Z'), expected: [['invalid_date', '$.staff[0].absences[0].to']] },
  {
    name: 'shift on a date after the horizon',
    mutate: (s) => (s.staff[1].shifts[1].date = '2026-03-16'),
    expected: [['outside_horizon', '$.staff[1].shifts[1].date']],
  },
  {
    name: 'shift on a date before the horizon',
    mutate: (s) => (s.staff[1].shifts[1].date = '2026-03-01'),
    expected: [['outside_horizon', '$.staff[1].shifts[1].date']],
  },
  { name: 'demand on a date after the horizon', mutate: (s) => (s.demand[1].date = '2026-03-16'), expected: [['outside_horizon', '$.demand[1].date']] },
]

const ranges: Case[] = [
  {
    name: 'weekly and dated shifts of one person overlapping (Wed 08–16 and Wed 2026-03-04 15–18)',
    mutate: (s) => s.staff[0].shifts.push({ date: '2026-03-04', from: '15:00', to: '18:00' }),
    expected: [['shift_overlap', '$.staff[0].shifts[1]']],
  },
  {
    name: 'two weekly shifts of one person overlapping (Wed 07:30–12 and Wed 11–14)',
    mutate: (s) => s.staff[1].shifts.push({ weekdays: [3], from: '11:00', to: '14:00' }),
    expected: [['shift_overlap', '$.staff[1].shifts[2]']],
  },
  {
    name: 'a night shift overlapping the next morning (Mon 22–06 and Tue 05–09)',
    mutate: (s) =>
      (s.staff[1].shifts = [
        { weekdays: [1], from: '22:00', to: '06:00' },
        { weekdays: [2], from: '05:00', to: '09:00' },
      ]),
    expected: [['shift_overlap', '$.staff[1].shifts[1]']],
  },
  { name: 'break outside its shift', mutate: (s) => (s.staff[0].shifts[0].breaks = [{ from: '16:30', to: '17:00' }]), expected: [['break_outside_shift', '$.staff[0].shifts[0].breaks[0]']] },
  {
    name: 'break partly outside its shift',
    mutate: (s) => (s.staff[0].shifts[0].breaks = [{ from: '07:45', to: '08:15' }]),
    expected: [['break_outside_shift', '$.staff[0].shifts[0].breaks[0]']],
  },
  {
    name: 'overlapping breaks',
    mutate: (s) =>
      (s.staff[0].shifts[0].breaks = [
        { from: '12:00', to: '12:30' },
        { from: '12:15', to: '12:45' },
      ]),
    expected: [['break_overlap', '$.staff[0].shifts[0].breaks[1]']],
  },
  {
    name: 'closure ending before it starts',
    mutate: (s) => (s.offices[0].closures[0] = { from: '2026-03-06', to: '2026-03-05' }),
    expected: [['empty_range', '$.offices[0].closures[0].to']],
  },
  {
    name: 'opening hours closing before opening',
    mutate: (s) => (s.offices[1].openingHours[0] = { weekdays: [1, 2, 3, 4, 5], from: '15:00', to: '07:30' }),
    expected: [['empty_range', '$.offices[1].openingHours[0].to']],
  },
  { name: 'empty shift (from = to)', mutate: (s) => (s.staff[1].shifts[0].to = '07:30'), expected: [['empty_range', '$.staff[1].shifts[0].to']] },
  {
    name: 'absence ending before it starts',
    mutate: (s) => (s.staff[0].absences[0] = { from: '2026-03-11', to: '2026-03-10' }),
    expected: [['empty_range', '$.staff[0].absences[0].to']],
  },
  {
    name: 'booking window with maxDays below minDays',
    mutate: (s) => (s.offices[0].bookingWindow = { minDays: 10, maxDays: 5 }),
    expected: [['empty_range', '$.offices[0].bookingWindow.maxDays']],
  },
  {
    name: 'waitlist window ending before it starts',
    mutate: (s) => (s.waitlist[0].windows[0] = { from: '12:00', to: '08:00' }),
    expected: [['empty_range', '$.waitlist[0].windows[0].to']],
  },
  { name: 'waitlist latest before earliest', mutate: (s) => (s.waitlist[0].latest = '2026-03-01'), expected: [['empty_range', '$.waitlist[0].latest']] },
]

const kinds: Case[] = [
  { name: 'shift with both weekdays and a date', mutate: (s) => (s.staff[0].shifts[0].date = '2026-03-02'), expected: [['shift_kind', '$.staff[0].shifts[0]']] },
  { name: 'shift with neither weekdays nor a date', mutate: (s) => delete s.staff[0].shifts[0].weekdays, expected: [['shift_kind', '$.staff[0].shifts[0]']] },
  { name: 'dated shift with validFrom', mutate: (s) => (s.staff[1].shifts[1].validFrom = '2026-03-02'), expected: [['shift_kind', '$.staff[1].shifts[1].validFrom']] },
  { name: 'demand with both a date and a weekday', mutate: (s) => (s.demand[0].date = '2026-03-02'), expected: [['demand_kind', '$.demand[0]']] },
  { name: 'demand with neither a date nor a weekday', mutate: (s) => delete s.demand[0].weekday, expected: [['demand_kind', '$.demand[0]']] },
]

const serviceLists: Case[] = [
  {
    name: 'too many services in an appointment (4 > default 3)',
    mutate: (s) => (s.appointments[0].services = ['passport', 'passport', 'registration', 'idcard']),
    expected: [['too_many_services', '$.appointments[0].services']],
  },
  {
    name: 'maxQuantity exceeded in an appointment (3 passports, at most 2)',
    mutate: (s) => (s.appointments[0].services = ['passport', 'passport', 'passport']),
    expected: [['max_quantity', '$.appointments[0].services']],
  },
  {
    name: 'maxQuantity exceeded in a waitlist entry (2 registrations, at most 1)',
    mutate: (s) => (s.waitlist[0].services = ['registration', 'registration']),
    expected: [['max_quantity', '$.waitlist[0].services']],
  },
  {
    name: 'services that cannot be combined',
    mutate: (s) => {
      s.services[2].combinable = ['registration']
      s.appointments[0].services = ['idcard', 'passport']
    },
    expected: [['not_combinable', '$.appointments[0].services']],
  },
  { name: 'appointment without services', mutate: (s) => (s.appointments[0].services = []), expected: [['too_small', '$.appointments[0].services']] },
]

const shape: Case[] = [
  {
    name: 'duplicate service id',
    mutate: (s) => s.services.push({ ...structuredClone(s.services[0]), name: 'Pass again' }),
    expected: [['duplicate_id', '$.services[3].id']],
  },
  { name: 'duplicate staff id', mutate: (s) => (s.staff[1].id = 'anna'), expected: [['duplicate_id', '$.staff[1].id']] },
  { name: 'empty offices array', mutate: (s) => (s.offices = []), expected: [['too_small', '$.offices']] },
  { name: 'office offering no services', mutate: (s) => (s.offices[1].services = []), expected: [['too_small', '$.offices[1].services']] },
  {
    name: 'misspelt field (openingHour)',
    mutate: (s) => {
      s.offices[0].openingHour = s.offices[0].openingHours
      delete s.offices[0].openingHours
    },
    expected: [
      ['invalid_type', '$.offices[0].openingHours'],
      ['unknown_field', '$.offices[0].openingHour'],
    ],
  },
  { name: 'unknown field on a staff member', mutate: (s) => (s.staff[0].skils = ['passport']), expected: [['unknown_field', '$.staff[0].skils']] },
  { name: 'unknown top-level field', mutate: (s) => (s.polcy = {}), expected: [['unknown_field', '$.polcy']] },
  { name: 'desks as a string', mutate: (s) => (s.offices[0].desks = '3'), expected: [['invalid_type', '$.offices[0].desks']] },
  { name: 'services as an object', mutate: (s) => (s.services = {}), expected: [['invalid_type', '$.services']] },
  { name: 'missing horizon', mutate: (s) => delete s.horizon, expected: [['invalid_type', '$.horizon']] },
  { name: 'weekday 8', mutate: (s) => (s.offices[0].openingHours[0].weekdays = [1, 8]), expected: [['too_big', '$.offices[0].openingHours[0].weekdays[1]']] },
  { name: 'unknown offer mode', mutate: (s) => (s.policy = { offerMode: 'random' }), expected: [['invalid_value', '$.policy.offerMode']] },
  { name: 'latitude 91', mutate: (s) => (s.offices[0].coordinates = { lat: 91, lon: 13.4 }), expected: [['too_big', '$.offices[0].coordinates.lat']] },
]

describe('the fixture', () => {
  it('is valid, so every failure below comes from its mutation', () => {
    expect(() => loadScenario(validScenario())).not.toThrow()
  })
})

describe.each([
  ['unknown references', unknownRefs],
  ['services not offered', notOffered],
  ['numbers', numbers],
  ['times, dates and the horizon', times],
  ['ranges and overlaps', ranges],
  ['weekly or dated', kinds],
  ['service lists', serviceLists],
  ['shape', shape],
] as const)('%s', (_, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = validScenario()
    c.mutate(s)
    const issues = issuesOf(() => loadScenario(s))
    const expected = c.expected.map(([code, path]) => ({ code, path }))
    if (c.exact === false) for (const e of expected) expect(codesAndPaths(issues)).toContainEqual(e)
    else expect(codesAndPaths(issues)).toEqual(expected)
    for (const i of issues) expect(i.message.length).toBeGreaterThan(0)
  })
})

describe('parseScenarioJson', () => {
  it.each(['{"horizon": ', 'not json', '', "{'single': 'quotes'}", '{"a": 1,}'])('non-JSON text %j → invalid_json at $', (text) => {
    const issues = issuesOf(() => parseScenarioJson(text))
    expect(codesAndPaths(issues)).toEqual([{ code: 'invalid_json', path: '$' }])
  })

  it('valid JSON of the wrong shape is validated like any input', () => {
    expect(codesAndPaths(issuesOf(() => parseScenarioJson('[]')))).toEqual([{ code: 'invalid_type', path: '$' }])
    expect(codesAndPaths(issuesOf(() => parseScenarioJson('null')))).toEqual([{ code: 'invalid_type', path: '$' }])
  })

  it('the fixture as JSON text loads to the same scenario as the object', () => {
    expect(parseScenarioJson(JSON.stringify(validScenario()))).toEqual(loadScenario(validScenario()))
  })
})

describe('all problems at once, nothing partial', () => {
  it('three independent semantic problems are all reported, in rule order', () => {
    const s: Loose = validScenario()
    s.demand[1].service = 'nope' // demandReferencesExist
    s.staff[0].shifts[0].breaks = [{ from: '16:30', to: '17:00' }] // breaksInsideShift
    s.staff[1].office = 'nope' // staffReferencesExist
    let err: unknown
    try {
      loadScenario(s)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TerminplanError)
    const te = err as TerminplanError
    expect(te.code).toBe('SCENARIO_INVALID')
    expect(codesAndPaths(te.issues)).toEqual([
      { code: 'unknown_reference', path: '$.staff[1].office' },
      { code: 'break_outside_shift', path: '$.staff[0].shifts[0].breaks[0]' },
      { code: 'unknown_reference', path: '$.demand[1].service' },
    ])
    expect(te.message).toMatch(/^invalid scenario: 3 problems, first \$\.staff\[1\]\.office: /)
    expect(te.path).toBe('$.staff[1].office')
    expect(te.toJSON()).toEqual({ name: 'TerminplanError', code: 'SCENARIO_INVALID', message: te.message, issues: te.issues })
  })

  it('shape problems in different places are all reported too', () => {
    const s: Loose = validScenario()
    s.timezone = 'Mars/Olympus'
    s.offices[0].desks = '3'
    s.demand[1].count = NaN
    expect(codesAndPaths(issuesOf(() => loadScenario(s)))).toEqual([
      { code: 'invalid_zone', path: '$.timezone' },
      { code: 'invalid_type', path: '$.offices[0].desks' },
      { code: 'invalid_type', path: '$.demand[1].count' },
    ])
  })

  it(`past ${MAX_REPORTED_ISSUES} problems the rest are summarised`, () => {
    const s: Loose = validScenario()
    s.staff[0].skills = Array.from({ length: 250 }, () => 'nope')
    let err: TerminplanError | undefined
    try {
      loadScenario(s)
    } catch (e) {
      err = e as TerminplanError
    }
    expect(err).toBeInstanceOf(TerminplanError)
    expect(err!.issues.length).toBe(MAX_REPORTED_ISSUES + 1)
    expect(err!.issues[0]).toMatchObject({ code: 'unknown_reference', path: '$.staff[0].skills[0]' })
    expect(err!.issues[199]).toMatchObject({ code: 'unknown_reference', path: '$.staff[0].skills[199]' })
    expect(err!.issues[200]).toMatchObject({ code: 'too_many_issues', path: '$', message: '50 more problems not shown' })
    expect(err!.message).toMatch(/^invalid scenario: 250 problems/)
  })

  it('a rejected input is left untouched and nothing is returned', () => {
    const s: Loose = validScenario()
    s.staff[1].office = 'nope'
    const before = structuredClone(s)
    let returned: unknown = 'not set'
    try {
      returned = loadScenario(s)
    } catch {
      // expected
    }
    expect(returned).toBe('not set')
    expect(s).toEqual(before)
  })

  it('an accepted input is left untouched too (defaults go into a new object)', () => {
    const s = validScenario()
    const before = structuredClone(s)
    const out = loadScenario(s)
    expect(s).toEqual(before)
    expect(out).not.toBe(s)
    expect('policy' in s).toBe(false)
  })
})

describe('a valid scenario', () => {
  it('gets the defaults: timezone, policy, closures, holidays, booking window, maxQuantity, absences, breaks, priority', () => {
    const out = loadScenario(validScenario())
    expect(out.timezone).toBe('Europe/Berlin')
    expect(out.policy).toEqual({
      holdMinutes: 10,
      offerMinutes: 30,
      cancelFreezeMinutes: 30,
      waitlistShare: 0,
      maxServicesPerAppointment: 3,
      maxActiveAppointmentsPerCitizen: 3,
      offerMode: 'sequential',
      broadcastSize: 3,
      reminderMinutesBefore: 1440,
    })
    expect(out.offices[1].closures).toEqual([])
    expect(out.offices[1].holidays).toEqual([])
    expect(out.offices[1].bookingWindow).toEqual({ minDays: 0, maxDays: 60 })
    expect(out.services[1].maxQuantity).toBe(1)
    expect(out.staff[1].absences).toEqual([])
    expect(out.staff[1].shifts[0].breaks).toEqual([])
    expect(out.waitlist[0].priority).toBe('normal')
    // Given values are kept.
    expect(out.services[0].maxQuantity).toBe(2)
    expect(out.horizon).toEqual({ start: '2026-03-02', days: 14 })
  })

  it('keeps an explicit timezone and fills in the rest of a partial policy', () => {
    const s = validScenario()
    s.timezone = 'America/New_York'
    s.policy = { holdMinutes: 5, offerMode: 'broadcast' }
    const out = loadScenario(s)
    expect(out.timezone).toBe('America/New_York')
    expect(out.policy.holdMinutes).toBe(5)
    expect(out.policy.offerMode).toBe('broadcast')
    expect(out.policy.offerMinutes).toBe(30)
    expect(out.policy.maxServicesPerAppointment).toBe(3)
  })

  it('a minimal scenario (horizon, one service, one office) is valid', () => {
    const out = loadScenario({
      horizon: { start: '2026-03-02', days: 1 },
      services: [{ id: 's', name: 'S', durationMinutes: 15 }],
      offices: [{ id: 'o', name: 'O', district: 'D', openingHours: [{ weekdays: [1], from: '08:00', to: '12:00' }], services: ['s'], desks: 1 }],
    })
    expect(out.staff).toEqual([])
    expect(out.demand).toEqual([])
    expect(out.appointments).toEqual([])
    expect(out.waitlist).toEqual([])
  })

  it('two loads do not share default objects', () => {
    const a = loadScenario(validScenario())
    const b = loadScenario(validScenario())
    a.policy.holdMinutes = 99
    a.offices[1].closures.push({ from: '2026-03-02', to: '2026-03-02' })
    a.offices[1].bookingWindow.maxDays = 1
    expect(b.policy.holdMinutes).toBe(10)
    expect(b.offices[1].closures).toEqual([])
    expect(b.offices[1].bookingWindow.maxDays).toBe(60)
    expect(loadScenario(validScenario()).policy.holdMinutes).toBe(10)
  })

  it('accepts the borderline cases next to the rejected ones', () => {
    const s: Loose = validScenario()
    s.staff[1].shifts.push({ weekdays: [3], from: '12:00', to: '14:00' }) // touches Wed 07:30–12:00, no overlap
    s.staff[0].shifts[0].breaks = [{ from: '08:00', to: '08:15' }, { from: '15:45', to: '16:00' }] // at the shift's edges
    s.staff[0].absences = [{ from: '2026-03-10', to: '2026-03-10' }] // one whole day
    s.offices[0].openingHours[0].to = '24:00'
    s.offices[1].holidays = ['2028-02-29']
    s.staff[1].shifts[1].date = '2026-03-15' // the horizon's last day
    s.appointments[0].services = ['idcard', 'registration', 'passport']
    expect(() => loadScenario(s)).not.toThrow()
  })
})

describe('far-future dates (open-ended absences, horizons near year 9999)', () => {
  it('an absence "until further notice" (to 9999-12-31) is handled, not a crash', () => {
    // A common way to write an open-ended absence. The date is a valid YYYY-MM-DD; the day after
    // it (10000-01-01) cannot be written that way, which must not escape as a RangeError.
    const s: Loose = validScenario()
    s.staff[0].absences = [{ from: '2026-03-12', to: '9999-12-31', reason: 'Elternzeit' }]
    let result: unknown
    let thrown: unknown
    try {
      result = loadScenario(s)
    } catch (e) {
      thrown = e
    }
    if (thrown !== undefined) {
      // Rejecting it is acceptable, but only as a validation issue at the absence.
      expect(thrown).toBeInstanceOf(TerminplanError)
      expect((thrown as TerminplanError).issues.map((i) => i.path)).toContain('$.staff[0].absences[0].to')
    } else {
      // Accepted: anna then works the weekdays 2026-03-02..03-11 except Fri 03-06 (mitte closed):
      // 03-02, 03, 04, 05, 09, 10, 11 = 7 days of 45 units (08–16 minus 12:00–12:30), and nothing after.
      const m = compile(result as ReturnType<typeof loadScenario>)
      const anna = m.work[m.staffIndex.get('anna')!]
      let n = 0
      for (let u = 0; u < m.nUnits; u++) if ((anna[u >>> 5] >>> (u & 31)) & 1) n++
      expect(n).toBe(7 * 45)
    }
  })

  it('a horizon ending after 9999-12-31 is rejected as a TerminplanError at $.horizon, not a crash', () => {
    const s: Loose = validScenario()
    s.horizon = { start: '9999-12-25', days: 14 }
    s.staff[1].shifts[1].date = '9999-12-31'
    s.demand[1].date = '9999-12-31'
    const issues = issuesOf(() => loadScenario(s))
    expect(issues.some((i) => i.path.startsWith('$.horizon'))).toBe(true)
  })
})

describe('properties', () => {
  const PATH_RE = /^\$(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*$/
  const unknownId = fc.string({ minLength: 1, maxLength: 24 }).filter((x) => !KNOWN_NAMES.has(x) && x !== '__proto__')

  /** loadScenario either returns or throws a SCENARIO_INVALID TerminplanError with well-formed paths. */
  function loadOrIssues(input: unknown): { ok: true } | { ok: false; issues: ValidationIssue[] } {
    try {
      loadScenario(input)
      return { ok: true }
    } catch (e) {
      if (!(e instanceof TerminplanError)) throw new Error(`not a TerminplanError: ${(e as Error)?.stack ?? String(e)}`)
      expect(e.code).toBe('SCENARIO_INVALID')
      expect(e.issues.length).toBeGreaterThan(0)
      for (const i of e.issues) {
        expect(i.path.startsWith('$')).toBe(true)
        expect(i.path).toMatch(PATH_RE)
      }
      return { ok: false, issues: e.issues }
    }
  }

  it('replacing any reference with an unknown id is reported at exactly that path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REFERENCE_SITES), unknownId, (site, id) => {
        const s = validScenario()
        setAt(s, site, id)
        const r = loadOrIssues(s)
        expect(r.ok).toBe(false)
        if (!r.ok) expect(codesAndPaths(r.issues)).toContainEqual({ code: 'unknown_reference', path: jsonPath(site) })
      }),
      { numRuns: 300 },
    )
  })

  it('an officeDurations key naming an unknown office is reported at that key', () => {
    fc.assert(
      fc.property(unknownId, (key) => {
        const s: Loose = validScenario()
        s.services[1].officeDurations = Object.fromEntries([[key, 10]])
        const r = loadOrIssues(s)
        expect(r.ok).toBe(false)
        if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(jsonPath(['services', 1, 'officeDurations', key]))
      }),
      { numRuns: 200 },
    )
  })

  /** Every path to a value inside `v`, objects and arrays included. */
  function allPaths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = [prefix]
    if (Array.isArray(v)) v.forEach((x, i) => out.push(...allPaths(x, [...prefix, i])))
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...allPaths(x, [...prefix, k]))
    return out
  }
  const fixturePaths = allPaths(validScenario()).filter((p) => p.length > 0)

  const special = fc.constantFrom<unknown>(
    null, undefined, NaN, Infinity, -Infinity, -1, 0, 0.5, 1, 1e9, '', ' ', 'x'.repeat(200), [], {}, true,
    '00:00', '24:00', '24:30', '2026-03-02', '2026-02-30', '2026-03-02T08:00:00+01:00', 'Europe/Berlin',
    'passport', 'registration', 'idcard', 'mitte', 'spandau', 'anna', 'ben', 'Mitte', 'Spandau',
  )
  const mutation = fc.record({
    path: fc.constantFrom(...fixturePaths),
    action: fc.oneof(
      fc.constant<{ kind: 'delete' }>({ kind: 'delete' }),
      special.map((value) => ({ kind: 'set' as const, value })),
      fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'set' as const, value })),
      unknownId.map((value) => ({ kind: 'set' as const, value })),
    ),
  })

  it('random mutations of a valid scenario give a scenario or a TerminplanError, never another exception', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const s: Loose = validScenario()
        for (const { path, action } of mutations) {
          let parent = s
          for (const k of path.slice(0, -1)) {
            if (parent === null || typeof parent !== 'object') return // an earlier mutation removed the way
            parent = parent[k]
          }
          if (parent === null || typeof parent !== 'object') return
          const key = path[path.length - 1]
          if (action.kind === 'delete') {
            if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1)
            else delete parent[key]
          } else parent[key] = action.value
        }
        loadOrIssues(s)
      }),
      { numRuns: 1500 },
    )
  })
})

describe('shift overlaps, remembered per person', () => {
  it('reports the same overlap again, at whichever index the person now stands, and forgets nothing that changed', () => {
    const s: Loose = validScenario()
    s.staff[1].shifts.push({ weekdays: [3], from: '11:00', to: '14:00' })
    const first = codesAndPaths(issuesOf(() => loadScenario(structuredClone(s))))
    expect(first).toEqual([{ code: 'shift_overlap', path: '$.staff[1].shifts[2]' }])
    // Again (now from memory): the same answer.
    expect(codesAndPaths(issuesOf(() => loadScenario(structuredClone(s))))).toEqual(first)
    // The same person first in the list: the path follows the index.
    const moved = structuredClone(s)
    moved.staff = [moved.staff[1], moved.staff[0], ...moved.staff.slice(2)]
    expect(codesAndPaths(issuesOf(() => loadScenario(moved)))).toEqual([{ code: 'shift_overlap', path: '$.staff[0].shifts[2]' }])
    // The overlap removed: nothing remembered stands in the way.
    const fixed = structuredClone(s)
    fixed.staff[1].shifts.pop()
    expect(() => loadScenario(fixed)).not.toThrow()
    // Another person with another overlap, validated after: its own answer, not the first one's.
    const other: Loose = validScenario()
    other.staff[0].shifts.push({ date: '2026-03-04', from: '15:00', to: '18:00' })
    expect(codesAndPaths(issuesOf(() => loadScenario(other)))).toEqual([{ code: 'shift_overlap', path: '$.staff[0].shifts[1]' }])
  })
})
