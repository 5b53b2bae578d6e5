/**
 * Hand-made fixtures for the slot engine: one test per rule in SLOT_RULES (the search explanation
 * counts it, or the hold rejects with it), multi-service bookings, booking-window edges, DST days,
 * existing appointments, the citizen limit, the clock, ordering and fairness, holds and freezes,
 * idempotency, determinism, and regression tests for the defects the model-based tests found.
 *
 * The base fixture (unit 10 minutes; 2026-06-01 is a Monday; horizon Mon 06-01 … Sun 06-07):
 *   services  reg 10 min · pass 20 min (30 at north), maxQuantity 2 · id 20 min, combinable only with pass
 *   north     Mon–Fri 08–12, offers reg/pass/id, closed Fri 06-05, booking window 0–14 days
 *   south     Mon–Fri 08–12, offers reg/pass, booking window 1–3 days
 *   west      Mon–Fri 08–12, offers reg, nobody works there
 *   ana       @north, reg/pass/id, Mon–Fri 08–12 with a break 10:00–10:20
 *   bo        @south, reg, Mon–Fri 08–12, absent Wed 06-03
 *   cy        @south, reg/pass, Mon and Wed 09–11
 *   now       Mon 2026-06-01 07:00 (+02:00)
 */
import { describe, expect, it } from 'vitest'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import type { Slot } from '../../src/model/requests.js'
import { createScheduler, restoreScheduler, type Scheduler, type SchedulerEventName } from '../../src/solver/scheduler/index.js'
import { SLOT_RULES } from '../../src/solver/slot-rules.js'
import type { Explanation } from '../../src/solver/search.js'
import { NOW, WEEK, base, night } from './fixtures.js'

const MIN = 60_000

function make(input: ScenarioInput = base(), now: string | number = NOW, mode?: 'strict' | 'report'): Scheduler {
  return createScheduler(loadScenario(input), { now, ...(mode ? { existingAppointments: mode } : {}) })
}

function counts(e: Explanation | undefined): Record<string, number> {
  expect(e).toBeDefined()
  return Object.fromEntries(e!.reasons.map((r) => [r.code, r.count]))
}

/** Runs fn, which must throw a TerminplanError; returns it. */
function rejection(fn: () => unknown): TerminplanError {
  try {
    fn()
  } catch (e) {
    if (e instanceof TerminplanError) return e
    throw e
  }
  throw new Error('expected a TerminplanError, nothing was thrown')
}

/** A rejected command: the error and issue code, and the state byte-identical to before. */
function expectRejected(s: Scheduler, fn: () => unknown, code: string, issue: string): TerminplanError {
  const before = JSON.stringify(s.snapshot())
  const e = rejection(fn)
  expect({ code: e.code, issue: e.issues[0]?.code }).toEqual({ code, issue })
  expect(JSON.stringify(s.snapshot())).toBe(before)
  return e
}

const slot = (officeId: string, staffId: string, start: string, end: string, services: string[]): Slot => ({ officeId, staffId, start, end, services })

function recorder(s: Scheduler) {
  const events: { type: SchedulerEventName; payload: unknown }[] = []
  for (const type of ['held', 'confirmed', 'cancelled', 'expired', 'freed'] as const) s.on(type, (payload) => events.push({ type, payload }))
  return events
}

// ---- one test per rule --------------------------------------------------------------------------

/** Every rule of SLOT_RULES has a test below, in one of these two lists. */
const EXPLAINED = ['office_not_requested', 'service_not_offered', 'no_skilled_staff', 'outside_horizon', 'outside_booking_window', 'office_closed', 'no_staff_on_duty', 'windows_never_open', 'in_the_past', 'fully_booked']
const HOLD_REJECTS = ['unknown_office', 'unknown_staff', 'service_not_offered', 'staff_lacks_skill', 'wrong_duration', 'off_grid', 'outside_horizon', 'in_the_past', 'outside_booking_window', 'outside_working_time', 'slot_taken']

describe('every rule in SLOT_RULES is reported', () => {
  it('the lists below cover SLOT_RULES exactly', () => {
    expect(new Set([...EXPLAINED, ...HOLD_REJECTS])).toEqual(new Set(Object.keys(SLOT_RULES)))
  })

  describe('search explanations count each office or office-day at its first failing rule', () => {
    it('office_not_requested: offices not in the request, counted per office', () => {
      const r = make().search({ services: ['reg'], offices: ['north'], from: '2026-06-06', to: '2026-06-06' })
      expect(r.slots).toEqual([])
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, office_closed: 1 })
      expect(r.explanation!.reasons[0]).toMatchObject({ code: 'office_not_requested', per: 'office', name: SLOT_RULES.office_not_requested })
    })

    it('service_not_offered: south and west do not offer id', () => {
      const r = make().search({ services: ['id'], from: '2026-06-06', to: '2026-06-06' })
      expect(counts(r.explanation)).toMatchObject({ service_not_offered: 2 })
    })

    it('no_skilled_staff: west offers reg but nobody works there', () => {
      const r = make().search({ services: ['reg'], offices: ['west'] })
      expect(r.slots).toEqual([])
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, no_skilled_staff: 1 })
    })

    it('outside_horizon: requested days after the horizon, counted per office-day', () => {
      const r = make().search({ services: ['reg'], offices: ['north'], from: '2026-06-06', to: '2026-06-09' })
      // 06-06 and 06-07 are a weekend (closed), 06-08 and 06-09 lie after the horizon.
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, outside_horizon: 2, office_closed: 2 })
      expect(r.explanation!.officeDays).toBe(4)
    })

    it("outside_booking_window: south books 1–3 days ahead of now's local date", () => {
      const r = make().search({ services: ['reg'], offices: ['south'], from: '2026-06-01', to: '2026-06-07', explain: true })
      // 06-01 is day 0, 06-05 … 06-07 are days 4–6: outside; 06-02 … 06-04 have slots.
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, outside_booking_window: 4 })
      expect(r.explanation!.available).toBe(3)
      expect(r.slots[0].start).toBe('2026-06-02T08:00:00+02:00')
    })

    it('office_closed: weekend days (no opening hours) and a closure', () => {
      const r = make().search({ services: ['reg'], offices: ['north'], from: '2026-06-05', to: '2026-06-07' })
      expect(r.slots).toEqual([])
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, office_closed: 3 })
    })

    it('no_staff_on_duty: south is open, but only cy can do pass, on Mon and Wed', () => {
      const r = make().search({ services: ['pass'], offices: ['south'], from: '2026-06-02', to: '2026-06-04', explain: true })
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, no_staff_on_duty: 2 })
      expect(r.explanation!.available).toBe(1)
      expect(r.slots[0]).toMatchObject({ officeId: 'south', staffId: 'cy', start: '2026-06-03T09:00:00+02:00', end: '2026-06-03T09:20:00+02:00' })
    })

    it('no_staff_on_duty: an absence empties the day', () => {
      const input = base()
      input.staff![2].shifts = [{ weekdays: [1], from: '09:00', to: '11:00' }]
      const r = make(input).search({ services: ['reg'], offices: ['south'], from: '2026-06-03', to: '2026-06-03' })
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, no_staff_on_duty: 1 })
    })

    it("windows_never_open: the citizen's windows miss all working time", () => {
      const r = make().search({ services: ['reg'], offices: ['north'], from: '2026-06-01', to: '2026-06-07', windows: [{ from: '13:00', to: '15:00' }] })
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, office_closed: 3, windows_never_open: 4 })
    })

    it('windows_never_open: a window shorter than the service', () => {
      const r = make().search({ services: ['pass'], offices: ['north'], from: '2026-06-01', to: '2026-06-01', windows: [{ weekdays: [1], from: '08:00', to: '08:20' }] })
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, windows_never_open: 1 })
    })

    it("in_the_past: today's working time is over", () => {
      const r = make(base(), '2026-06-01T12:30:00+02:00').search({ services: ['reg'], offices: ['north'], from: '2026-06-01', to: '2026-06-01' })
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, in_the_past: 1 })
    })

    it('fully_booked: every fitting run taken; bookedUntil names the last such day', () => {
      const input = base()
      // ana works a single 20-minute stretch on Mon and Tue.
      input.staff![0].shifts = [{ weekdays: [1, 2], from: '08:00', to: '08:20' }]
      const s = make(input)
      let n = 0
      for (const start of ['2026-06-01T08:00', '2026-06-01T08:10', '2026-06-02T08:00', '2026-06-02T08:10']) {
        const [d, t] = start.split('T')
        const [h, m] = t.split(':').map(Number)
        const end = `${d}T${String(h).padStart(2, '0')}:${String(m + 10).padStart(2, '0')}:00+02:00`
        s.hold(slot('north', 'ana', `${start}:00+02:00`, end, ['reg']), { citizenId: `c${n++}` })
      }
      const r = s.search({ services: ['reg'], offices: ['north'], from: '2026-06-01', to: '2026-06-03' })
      expect(r.slots).toEqual([])
      expect(counts(r.explanation)).toEqual({ office_not_requested: 2, no_staff_on_duty: 1, fully_booked: 2 })
      expect(r.explanation!.bookedUntil).toBe('2026-06-02')
      // When the holds run out, the days are available again.
      s.setNow('2026-06-01T07:10:00+02:00')
      const again = s.search({ services: ['reg'], offices: ['north'], from: '2026-06-01', to: '2026-06-03', explain: true })
      expect(again.explanation!.available).toBe(2)
      expect(again.explanation!.bookedUntil).toBeUndefined()
    })
  })

  describe('hold rejects a concrete slot with the rule it breaks, and changes nothing', () => {
    const ok = slot('north', 'ana', '2026-06-02T08:00:00+02:00', '2026-06-02T08:10:00+02:00', ['reg'])

    it('the reference slot itself is fine', () => {
      expect(make().hold(ok, { citizenId: 'c1' }).slot).toEqual(ok)
    })

    it('unknown_office', () => {
      const s = make()
      const e = expectRejected(s, () => s.hold({ ...ok, officeId: 'east' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'unknown_office')
      expect(e.path).toBe('$.officeId')
    })

    it('unknown_staff', () => {
      const s = make()
      const e = expectRejected(s, () => s.hold({ ...ok, staffId: 'dora' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'unknown_staff')
      expect(e.path).toBe('$.staffId')
    })

    it('service_not_offered', () => {
      const s = make()
      expectRejected(s, () => s.hold(slot('south', 'cy', '2026-06-03T09:00:00+02:00', '2026-06-03T09:20:00+02:00', ['id']), { citizenId: 'c1' }), 'COMMAND_INVALID', 'service_not_offered')
    })

    it('staff_lacks_skill', () => {
      const s = make()
      expectRejected(s, () => s.hold(slot('south', 'bo', '2026-06-02T08:00:00+02:00', '2026-06-02T08:20:00+02:00', ['pass']), { citizenId: 'c1' }), 'COMMAND_INVALID', 'staff_lacks_skill')
    })

    it('wrong_duration (pass takes 30 minutes at north)', () => {
      const s = make()
      expectRejected(s, () => s.hold(slot('north', 'ana', '2026-06-02T08:00:00+02:00', '2026-06-02T08:20:00+02:00', ['pass']), { citizenId: 'c1' }), 'COMMAND_INVALID', 'wrong_duration')
    })

    it('off_grid', () => {
      const s = make()
      const e = expectRejected(s, () => s.hold({ ...ok, start: '2026-06-02T08:05:00+02:00', end: '2026-06-02T08:15:00+02:00' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'off_grid')
      expect(e.path).toBe('$.start')
    })

    it('outside_horizon', () => {
      const s = make()
      expectRejected(s, () => s.hold({ ...ok, start: '2026-06-08T08:00:00+02:00', end: '2026-06-08T08:10:00+02:00' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_horizon')
    })

    it('in_the_past', () => {
      const s = make(base(), '2026-06-02T08:05:00+02:00')
      expectRejected(s, () => s.hold(ok, { citizenId: 'c1' }), 'COMMAND_INVALID', 'in_the_past')
    })

    it('outside_booking_window', () => {
      const s = make()
      expectRejected(s, () => s.hold(slot('south', 'bo', '2026-06-01T08:00:00+02:00', '2026-06-01T08:10:00+02:00', ['reg']), { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_booking_window')
    })

    it('outside_working_time: in a break, across its start, after hours, at the wrong office, on a closure day', () => {
      const s = make()
      expectRejected(s, () => s.hold({ ...ok, start: '2026-06-02T10:10:00+02:00', end: '2026-06-02T10:20:00+02:00' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_working_time')
      expectRejected(s, () => s.hold({ ...ok, start: '2026-06-02T12:00:00+02:00', end: '2026-06-02T12:10:00+02:00' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_working_time')
      expectRejected(s, () => s.hold({ ...ok, start: '2026-06-02T09:50:00+02:00', end: '2026-06-02T10:10:00+02:00', services: ['id'] }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_working_time')
      expectRejected(s, () => s.hold({ ...ok, officeId: 'south' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_working_time')
      expectRejected(s, () => s.hold({ ...ok, start: '2026-06-05T08:00:00+02:00', end: '2026-06-05T08:10:00+02:00' }, { citizenId: 'c1' }), 'COMMAND_INVALID', 'outside_working_time')
    })

    it('slot_taken: CONFLICT, also for a partial overlap', () => {
      const s = make()
      s.hold(ok, { citizenId: 'c1' })
      expectRejected(s, () => s.hold(ok, { citizenId: 'c2' }), 'CONFLICT', 'slot_taken')
      expectRejected(s, () => s.hold({ ...ok, end: '2026-06-02T08:30:00+02:00', services: ['pass'] }, { citizenId: 'c2' }), 'CONFLICT', 'slot_taken')
      // Next to it is fine.
      s.hold({ ...ok, start: '2026-06-02T08:10:00+02:00', end: '2026-06-02T08:20:00+02:00' }, { citizenId: 'c2' })
    })
  })
})

// ---- multi-service bookings ---------------------------------------------------------------------

describe('multi-service bookings', () => {
  it('durations add up, with per-office durations', () => {
    const s = make()
    const north = s.search({ services: ['reg', 'pass'], offices: ['north'], limit: 1 }).slots[0]
    expect(north).toEqual({ officeId: 'north', staffId: 'ana', start: '2026-06-01T08:00:00+02:00', end: '2026-06-01T08:40:00+02:00', services: ['reg', 'pass'] })
    const south = s.search({ services: ['pass', 'reg'], offices: ['south'], limit: 1 }).slots[0]
    expect(south).toEqual({ officeId: 'south', staffId: 'cy', start: '2026-06-03T09:00:00+02:00', end: '2026-06-03T09:30:00+02:00', services: ['pass', 'reg'] })
    const a = s.confirm(s.hold(north, { citizenId: 'c1' }).id)
    expect(a).toMatchObject({ start: north.start, end: north.end, services: ['reg', 'pass'] })
    expect(s.stats().bookedUnits).toBe(4)
  })

  it('a repeated service is a quantity: two passports take twice as long, up to maxQuantity', () => {
    const s = make()
    expect(s.search({ services: ['pass', 'pass'], offices: ['north'], limit: 1 }).slots[0].end).toBe('2026-06-01T09:00:00+02:00')
    expectRejected(s, () => s.search({ services: ['pass', 'pass', 'pass'] }), 'COMMAND_INVALID', 'max_quantity')
    expectRejected(s, () => s.search({ services: ['reg', 'reg'] }), 'COMMAND_INVALID', 'max_quantity')
    expectRejected(s, () => s.hold(slot('north', 'ana', '2026-06-01T08:00:00+02:00', '2026-06-01T08:20:00+02:00', ['reg', 'reg']), { citizenId: 'c' }), 'COMMAND_INVALID', 'max_quantity')
  })

  it('combinable: id goes with pass only', () => {
    const s = make()
    expect(s.search({ services: ['id', 'pass'], limit: 1 }).slots[0]).toMatchObject({ officeId: 'north', end: '2026-06-01T08:50:00+02:00' })
    expectRejected(s, () => s.search({ services: ['id', 'reg'] }), 'COMMAND_INVALID', 'not_combinable')
    expectRejected(s, () => s.search({ services: ['reg', 'id'] }), 'COMMAND_INVALID', 'not_combinable')
  })

  it('at most policy.maxServicesPerAppointment services', () => {
    const s = make()
    expectRejected(s, () => s.search({ services: ['reg', 'pass', 'pass', 'id'] }), 'COMMAND_INVALID', 'too_many_services')
  })

  it('the run must fit one segment: a 40-minute request skips the break', () => {
    const s = make(base(), '2026-06-01T09:30:00+02:00')
    const r = s.search({ services: ['reg', 'pass'], offices: ['north'], limit: 2 })
    // 09:30–10:00 is too short before the break (10:00–10:20); then 10:20.
    expect(r.slots.map((x) => x.start)).toEqual(['2026-06-01T10:20:00+02:00', '2026-06-01T10:30:00+02:00'])
  })
})

// ---- booking window edges -------------------------------------------------------------------------

describe("booking window edges, relative to now's local date", () => {
  it('minDays 1 counts from the local date, not from 24 hours ahead', () => {
    // Mon 23:50: tomorrow 08:00 is 8 hours away and already bookable.
    expect(make(base(), '2026-06-01T23:50:00+02:00').search({ services: ['reg'], offices: ['south'], limit: 1 }).slots[0].start).toBe('2026-06-02T08:00:00+02:00')
    // Mon 22:10 UTC is Tue 00:10 in Berlin: the first bookable day is Wed (bo is absent, cy at 09:00).
    expect(make(base(), '2026-06-01T22:10:00Z').search({ services: ['reg'], offices: ['south'], limit: 1 }).slots[0]).toMatchObject({ staffId: 'cy', start: '2026-06-03T09:00:00+02:00' })
  })

  it('maxDays 3: day 3 is bookable to its last slot, day 4 is not', () => {
    const s = make()
    const last = slot('south', 'bo', '2026-06-04T11:50:00+02:00', '2026-06-04T12:00:00+02:00', ['reg'])
    s.hold(last, { citizenId: 'c1' })
    expectRejected(s, () => s.hold(slot('south', 'bo', '2026-06-05T08:00:00+02:00', '2026-06-05T08:10:00+02:00', ['reg']), { citizenId: 'c2' }), 'COMMAND_INVALID', 'outside_booking_window')
    const r = s.search({ services: ['reg'], offices: ['south'], limit: 1000 })
    expect(r.slots.at(-1)!.start).toBe('2026-06-04T11:40:00+02:00')
    // The window moves with the clock.
    s.setNow('2026-06-02T00:00:00+02:00')
    s.hold(slot('south', 'bo', '2026-06-05T08:00:00+02:00', '2026-06-05T08:10:00+02:00', ['reg']), { citizenId: 'c2' })
  })

  it('minDays 0 / maxDays 0: only today', () => {
    const input = base()
    input.offices[0].bookingWindow = { minDays: 0, maxDays: 0 }
    const s = make(input, '2026-06-01T11:45:00+02:00')
    const r = s.search({ services: ['reg'], offices: ['north'], limit: 100, explain: true })
    expect(r.slots.map((x) => x.start)).toEqual(['2026-06-01T11:50:00+02:00'])
  })
})

// ---- DST ----------------------------------------------------------------------------------------

describe('DST days in Europe/Berlin', () => {
  it('2026-03-29: a slot at 01:50–03:10 wall time lasts 20 minutes', () => {
    const s = make(night('2026-03-28'), '2026-03-28T12:00:00+01:00')
    const r = s.search({ services: ['short'], from: '2026-03-29', to: '2026-03-29', limit: 20 })
    const at150 = r.slots.find((x) => x.start === '2026-03-29T01:50:00+01:00')
    expect(at150).toMatchObject({ end: '2026-03-29T03:10:00+02:00' })
    expect(Date.parse(at150!.end) - Date.parse(at150!.start)).toBe(20 * MIN)
    // Consecutive 10-minute starts: 01:40, 01:50, then 03:00 (02:xx does not exist).
    const starts = r.slots.map((x) => x.start)
    expect(starts.slice(10, 13)).toEqual(['2026-03-29T01:40:00+01:00', '2026-03-29T01:50:00+01:00', '2026-03-29T03:00:00+02:00'])
    const a = s.confirm(s.hold(at150!, { citizenId: 'c' }).id)
    expect(a).toMatchObject({ start: '2026-03-29T01:50:00+01:00', end: '2026-03-29T03:10:00+02:00' })
    // The same instant written with the other offset is the same slot.
    expectRejected(s, () => s.hold({ ...at150!, end: '2026-03-29T02:10:00+01:00' }, { citizenId: 'd' }), 'CONFLICT', 'slot_taken')
  })

  it('2026-03-29 has 5 working hours from 00:00 to 06:00, 2026-10-25 has 7', () => {
    expect(make(night('2026-03-28'), '2026-03-28T00:00:00+01:00').stats().capacityUnits).toBe(36 + 30 + 36)
    expect(make(night('2026-10-24'), '2026-10-24T00:00:00+02:00').stats().capacityUnits).toBe(36 + 42 + 36)
  })

  it('2026-10-25: results run through the repeated hour with the right offsets', () => {
    const s = make(night('2026-10-24'), '2026-10-24T12:00:00+02:00')
    const starts = s.search({ services: ['short'], from: '2026-10-25', to: '2026-10-25', limit: 100 }).slots.map((x) => x.start)
    expect(starts).toHaveLength(41) // 7 hours of 10-minute starts, less the last one
    const i = starts.indexOf('2026-10-25T02:50:00+02:00')
    expect(starts.slice(i - 1, i + 3)).toEqual(['2026-10-25T02:40:00+02:00', '2026-10-25T02:50:00+02:00', '2026-10-25T02:00:00+01:00', '2026-10-25T02:10:00+01:00'])
    expect(starts.filter((x) => x.endsWith('+02:00'))).toHaveLength(18) // 00:00 … 02:50 CEST
    const ms = starts.map(Date.parse)
    for (let k = 1; k < ms.length; k++) expect(ms[k] - ms[k - 1]).toBe(10 * MIN)
    const overlap = s.search({ services: ['short'], from: '2026-10-25', to: '2026-10-25', limit: 100 }).slots[i]
    expect(overlap.end).toBe('2026-10-25T02:10:00+01:00')
  })

  it('windows on DST days mean wall time: 02:00–04:00 on 03-29 is one real hour', () => {
    const s = make(night('2026-03-28'), '2026-03-28T12:00:00+01:00')
    const starts = s.search({ services: ['tiny'], from: '2026-03-29', to: '2026-03-29', windows: [{ from: '02:00', to: '04:00' }], limit: 100 }).slots.map((x) => x.start)
    expect(starts[0]).toBe('2026-03-29T03:00:00+02:00')
    expect(starts).toHaveLength(6)
  })
})

// ---- existing appointments ------------------------------------------------------------------------

describe('existing scenario appointments', () => {
  const withAppointments = (appointments: ScenarioInput['appointments']): ScenarioInput => ({ ...base(), appointments })

  it('are placed, block their time, count as booked and keep their ids', () => {
    const s = make(withAppointments([{ id: 'x1', office: 'north', staff: 'ana', start: '2026-06-01T08:00:00+02:00', services: ['reg', 'pass'], citizenId: 'c1' }]))
    expect(s.appointments()).toEqual([
      { id: 'x1', officeId: 'north', staffId: 'ana', start: '2026-06-01T08:00:00+02:00', end: '2026-06-01T08:40:00+02:00', services: ['reg', 'pass'], citizenId: 'c1' },
    ])
    expect(s.search({ services: ['reg'], offices: ['north'], limit: 1 }).slots[0].start).toBe('2026-06-01T08:40:00+02:00')
    expect(s.stats().bookedUnits).toBe(4)
  })

  it('without a staff member, the first skilled one who is free takes it', () => {
    const s = make(withAppointments([
      { id: 'x1', office: 'south', start: '2026-06-01T09:00:00+02:00', services: ['reg'] },
      { id: 'x2', office: 'south', start: '2026-06-01T09:00:00+02:00', services: ['reg'] },
    ]))
    expect(s.appointments().map((a) => [a.id, a.staffId])).toEqual([['x1', 'bo'], ['x2', 'cy']])
  })

  it('conflicting ones reject the scenario in strict mode, every one listed with its path', () => {
    const input = withAppointments([
      { id: 'x1', office: 'north', staff: 'ana', start: '2026-06-01T08:00:00+02:00', services: ['reg'] },
      { id: 'x2', office: 'north', staff: 'ana', start: '2026-06-01T08:00:00+02:00', services: ['reg'] }, // overlaps x1
      { id: 'x3', office: 'north', staff: 'ana', start: '2026-06-01T10:00:00+02:00', services: ['reg'] }, // in the break
      { id: 'x4', office: 'south', start: '2026-06-02T08:00:00+02:00', services: ['pass'] }, // nobody can
      { id: 'x5', office: 'north', staff: 'ana', start: '2026-06-01T08:15:00+02:00', services: ['reg'] }, // off the grid
      { id: 'x6', office: 'north', staff: 'ana', start: '2026-06-01T08:30:00+02:00', services: ['reg'] }, // fine
    ])
    const e = rejection(() => make(input))
    expect(e.code).toBe('SCENARIO_INVALID')
    expect(e.issues.map((i) => i.path)).toEqual(['$.appointments[1]', '$.appointments[2]', '$.appointments[3].start', '$.appointments[4].start'])
    // x4: the candidates are the staff working at south; the first one's problem is reported.
    expect(e.issues.map((i) => i.code)).toEqual(['slot_taken', 'outside_working_time', 'staff_lacks_skill', 'off_grid'])
    expect(e.issues[0].message).toContain('x2')
  })

  it("are listed by loadIssues() in 'report' mode, the others placed", () => {
    const input = withAppointments([
      { id: 'x1', office: 'north', staff: 'ana', start: '2026-06-01T08:00:00+02:00', services: ['reg'] },
      { id: 'x2', office: 'north', staff: 'ana', start: '2026-06-01T08:00:00+02:00', services: ['reg'] },
      { id: 'x3', office: 'north', staff: 'ana', start: '2026-06-01T08:30:00+02:00', services: ['reg'] },
    ])
    const s = make(input, NOW, 'report')
    expect(s.loadIssues().map((i) => [i.path, i.code])).toEqual([['$.appointments[1]', 'slot_taken']])
    expect(s.appointments().map((a) => a.id)).toEqual(['x1', 'x3'])
    expect(make(base()).loadIssues()).toEqual([])
  })
})

// ---- citizen limit, clock, holds, freezes, idempotency ------------------------------------------------

describe('ledger rules', () => {
  it('policy.maxActiveAppointmentsPerCitizen: LIMIT_EXCEEDED; appointments that have begun stop counting', () => {
    const input = base()
    input.policy = { maxActiveAppointmentsPerCitizen: 2 }
    const s = make(input)
    const [a, b, c] = s.search({ services: ['reg'], offices: ['north'], limit: 3 }).slots
    const h1 = s.hold(a, { citizenId: 'c1' })
    s.hold(b, { citizenId: 'c1' })
    const e = expectRejected(s, () => s.hold(c, { citizenId: 'c1' }), 'LIMIT_EXCEEDED', 'citizen_limit')
    expect(e.path).toBe('$.citizenId')
    s.hold(c, { citizenId: 'c2' }) // others are not affected
    s.confirm(h1.id)
    const d = s.search({ services: ['reg'], offices: ['north'], limit: 1 }).slots[0]
    expectRejected(s, () => s.hold(d, { citizenId: 'c1' }), 'LIMIT_EXCEEDED', 'citizen_limit')
    s.setNow(a.start) // the hold on b expired at 07:10
    s.hold(d, { citizenId: 'c1' })
    const e2 = s.search({ services: ['reg'], offices: ['north'], limit: 1 }).slots[0]
    // At its start instant an appointment has not begun (it could still be cancelled): it counts.
    expectRejected(s, () => s.hold(e2, { citizenId: 'c1' }), 'LIMIT_EXCEEDED', 'citizen_limit')
    s.setNow(Date.parse(a.start) + 1)
    s.hold(e2, { citizenId: 'c1' })
  })

  it('the clock cannot go backwards; the same instant is fine', () => {
    const s = make()
    const e = expectRejected(s, () => s.setNow('2026-06-01T06:59:59.999+02:00'), 'COMMAND_INVALID', 'clock_backwards')
    expect(e.path).toBe('$.now')
    s.setNow(NOW)
    s.setNow(Date.parse(NOW) + 1)
    expect(s.now()).toBe('2026-06-01T07:00:00.001+02:00')
    expectRejected(s, () => s.setNow('yesterday'), 'COMMAND_INVALID', 'invalid_instant')
  })

  it('holds expire at exactly expiresAt, emitting expired and freed', () => {
    const s = make()
    const events = recorder(s)
    const sl = s.search({ services: ['reg'], limit: 1 }).slots[0]
    const h = s.hold(sl, { citizenId: 'c1', ttlMinutes: 7 })
    expect(h.expiresAt).toBe('2026-06-01T07:07:00+02:00')
    expect(events.map((e) => e.type)).toEqual(['held'])
    s.setNow(Date.parse(h.expiresAt) - 1)
    expect(s.holds()).toHaveLength(1)
    expect(s.stats().heldUnits).toBe(1)
    expect(s.search({ services: ['reg'], limit: 1 }).slots[0].start).not.toBe(sl.start)
    s.setNow(h.expiresAt)
    expect(s.holds()).toEqual([])
    expect(events.slice(1)).toEqual([
      { type: 'expired', payload: { hold: h } },
      { type: 'freed', payload: expect.objectContaining({ officeId: sl.officeId, staffId: sl.staffId, start: sl.start, end: sl.end, reason: 'expired' }) },
    ])
    expect(s.search({ services: ['reg'], limit: 1 }).slots[0]).toEqual(sl)
    expectRejected(s, () => s.confirm(h.id), 'NOT_FOUND', 'hold_not_found')
  })

  it('cancel keeps the units frozen for policy.cancelFreezeMinutes, then frees them', () => {
    const s = make()
    const events = recorder(s)
    const sl = s.search({ services: ['pass'], offices: ['north'], limit: 1 }).slots[0]
    const a = s.confirm(s.hold(sl, { citizenId: 'c1' }).id)
    s.setNow('2026-06-01T07:05:00+02:00')
    s.cancel(a.id)
    expect(events.slice(2)).toEqual([{ type: 'cancelled', payload: { appointment: a, frozenUntil: '2026-06-01T07:35:00+02:00' } }])
    expect(s.stats()).toMatchObject({ bookedUnits: 0, frozenUnits: 3 })
    expect(s.search({ services: ['pass'], offices: ['north'], limit: 1 }).slots[0].start).toBe('2026-06-01T08:30:00+02:00')
    expectRejected(s, () => s.hold(sl, { citizenId: 'c2' }), 'CONFLICT', 'slot_taken')
    s.setNow('2026-06-01T07:34:59.999+02:00')
    expect(s.stats().frozenUnits).toBe(3)
    s.setNow('2026-06-01T07:35:00+02:00')
    expect(events.slice(3)).toEqual([{ type: 'freed', payload: { officeId: 'north', staffId: 'ana', start: sl.start, end: sl.end, reason: 'cancelled' } }])
    expect(s.stats()).toMatchObject({ frozenUnits: 0, freeUnits: s.stats().capacityUnits })
    expect(s.search({ services: ['pass'], offices: ['north'], limit: 1 }).slots[0]).toEqual(sl)
    expectRejected(s, () => s.cancel(a.id), 'NOT_FOUND', 'appointment_not_found')
  })

  it('cancelFreezeMinutes 0 frees at once; an appointment that has begun cannot be cancelled', () => {
    const input = base()
    input.policy = { cancelFreezeMinutes: 0 }
    const s = make(input)
    const events = recorder(s)
    const [x, y] = s.search({ services: ['reg'], offices: ['north'], limit: 2 }).slots
    const a = s.confirm(s.hold(x, { citizenId: 'c1' }).id)
    const b = s.confirm(s.hold(y, { citizenId: 'c2' }).id)
    s.cancel(a.id)
    expect(events.slice(-2).map((e) => e.type)).toEqual(['cancelled', 'freed'])
    expect(s.stats().frozenUnits).toBe(0)
    s.setNow(Date.parse(y.start) + 1000)
    expectRejected(s, () => s.cancel(b.id), 'CONFLICT', 'already_started')
  })

  it('confirm with a used idempotency key returns the identical appointment', () => {
    const s = make()
    const events = recorder(s)
    const [x, y] = s.search({ services: ['reg'], limit: 2 }).slots
    const h = s.hold(x, { citizenId: 'c1' })
    const a = s.confirm(h.id, { idempotencyKey: 'k1' })
    expect(s.confirm(h.id, { idempotencyKey: 'k1' })).toEqual(a)
    expect(s.confirm(h.id, { idempotencyKey: 'k1' })).toEqual(a)
    expect(events.map((e) => e.type)).toEqual(['held', 'confirmed'])
    expect(s.appointments()).toHaveLength(1)
    // Without the key, a second confirm finds no hold.
    expectRejected(s, () => s.confirm(h.id), 'NOT_FOUND', 'hold_not_found')
    const h2 = s.hold(y, { citizenId: 'c2' })
    expectRejected(s, () => s.confirm(h2.id, { idempotencyKey: 'k1' }), 'CONFLICT', 'idempotency_key_reused')
    // It survives a snapshot.
    const r = restoreScheduler(loadScenario(base()), JSON.parse(JSON.stringify(s.snapshot())))
    expect(r.confirm(h.id, { idempotencyKey: 'k1' })).toEqual(a)
    s.cancel(a.id)
    expectRejected(s, () => s.confirm(h.id, { idempotencyKey: 'k1' }), 'CONFLICT', 'appointment_cancelled')
  })

  it('bad input changes nothing and says where', () => {
    const s = make()
    const sl = s.search({ services: ['reg'], limit: 1 }).slots[0]
    s.hold(sl, { citizenId: 'c1' })
    const before = JSON.stringify(s.snapshot())
    const bad: [() => unknown, string, string][] = [
      [() => s.search({ services: [] }), 'COMMAND_INVALID', '$.services'],
      [() => s.search({ services: ['nope'] }), 'COMMAND_INVALID', '$.services[0]'],
      [() => s.search({ services: ['reg'], offices: ['nope'] }), 'COMMAND_INVALID', '$.offices[0]'],
      [() => s.search({ services: ['reg'], from: '2026-06-03', to: '2026-06-02' }), 'COMMAND_INVALID', '$.to'],
      [() => s.search({ services: ['reg'], windows: [{ from: '10:00', to: '09:00' }] }), 'COMMAND_INVALID', '$.windows[0].to'],
      [() => s.search({ services: ['reg'], limit: 0 }), 'COMMAND_INVALID', '$.limit'],
      [() => s.hold(sl, { citizenId: '' }), 'COMMAND_INVALID', '$.citizenId'],
      [() => s.hold({ ...sl, start: 'soon' }, { citizenId: 'c2' }), 'COMMAND_INVALID', '$.start'],
      [() => s.hold(sl, { citizenId: 'c2', ttlMinutes: 0 }), 'COMMAND_INVALID', '$.ttlMinutes'],
      [() => s.confirm('h-nope'), 'NOT_FOUND', '$.holdId'],
      [() => s.cancel('a-nope'), 'NOT_FOUND', '$.appointmentId'],
    ]
    for (const [fn, code, path] of bad) {
      const e = rejection(fn)
      expect({ code: e.code, path: e.path }).toEqual({ code, path })
      expect(JSON.stringify(s.snapshot())).toBe(before)
    }
  })
})

// ---- ordering, fairness, determinism ------------------------------------------------------------------

/** Three identical offices (desks 1, 5 and 20), one person each, all day Mon–Fri. */
function triplet(): ScenarioInput {
  const office = (id: string, desks: number) => ({ id, name: id, district: id, desks, openingHours: [{ weekdays: WEEK, from: '08:00', to: '16:00' }], services: ['reg'] })
  return {
    horizon: { start: '2026-06-01', days: 5 },
    services: [{ id: 'reg', name: 'Anmeldung', durationMinutes: 10 }],
    offices: [office('aaa', 1), office('mmm', 5), office('zzz', 20)],
    staff: ['aaa', 'mmm', 'zzz'].map((o) => ({ id: `p-${o}`, office: o, skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '16:00' }] })),
  }
}

describe('ordering and fairness', () => {
  it('results are ordered by start; equal starts at different offices each appear once', () => {
    const s = make(triplet())
    const r = s.search({ services: ['reg'], limit: 9, citizenId: 'c1' })
    const starts = r.slots.map((x) => Date.parse(x.start))
    expect([...starts].sort((a, b) => a - b)).toEqual(starts)
    expect(r.slots.map((x) => x.start)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2].map((k) => `2026-06-01T08:${k}0:00+02:00`))
    for (let k = 0; k < 9; k += 3) expect(new Set(r.slots.slice(k, k + 3).map((x) => x.officeId)).size).toBe(3)
  })

  it('ties are broken fairly across offices: each first in 20–47 % of 3,000 searches', () => {
    const s = make(triplet())
    const first = new Map<string, number>()
    for (let i = 0; i < 3000; i++) {
      const o = s.search({ services: ['reg'], limit: 1, citizenId: `citizen-${i}` }).slots[0].officeId
      first.set(o, (first.get(o) ?? 0) + 1)
    }
    expect([...first.keys()].sort()).toEqual(['aaa', 'mmm', 'zzz'])
    for (const n of first.values()) {
      expect(n).toBeGreaterThanOrEqual(600)
      expect(n).toBeLessThanOrEqual(1410)
    }
  })

  it('the same citizen gets the same order every time', () => {
    const s = make(triplet())
    const a = s.search({ services: ['reg'], limit: 6, citizenId: 'c42' })
    expect(s.search({ services: ['reg'], limit: 6, citizenId: 'c42' })).toEqual(a)
  })
})

describe('determinism', () => {
  it('the same scenario and the same commands give identical outputs', () => {
    const run = () => {
      const s = make(base())
      const out: unknown[] = []
      s.on('held', (e) => out.push(['held', e]))
      s.on('confirmed', (e) => out.push(['confirmed', e]))
      s.on('cancelled', (e) => out.push(['cancelled', e]))
      s.on('expired', (e) => out.push(['expired', e]))
      s.on('freed', (e) => out.push(['freed', e]))
      for (let i = 0; i < 30; i++) {
        const services = [['reg'], ['pass'], ['reg', 'pass'], ['id', 'pass']][i % 4]
        const r = s.search({ services, limit: 3, citizenId: `c${i % 7}` })
        out.push(r)
        if (r.slots.length) {
          try {
            const h = s.hold(r.slots[i % r.slots.length], { citizenId: `c${i % 7}` })
            out.push(h)
            if (i % 3 !== 0) out.push(s.confirm(h.id, { idempotencyKey: `k${i}` }))
          } catch (e) {
            out.push((e as TerminplanError).toJSON())
          }
        }
        if (i % 5 === 4 && s.appointments().length) s.cancel(s.appointments()[0].id)
        s.setNow(Date.parse(s.now()) + 4 * MIN)
      }
      out.push(s.snapshot(), s.stats())
      return JSON.stringify(out)
    }
    expect(run()).toBe(run())
  })

  it('snapshot → restore → snapshot is identical, and the restored scheduler answers alike', () => {
    const s = make(base())
    const [x, y, z] = s.search({ services: ['reg'], limit: 3 }).slots
    s.confirm(s.hold(x, { citizenId: 'c1' }).id, { idempotencyKey: 'k' })
    s.hold(y, { citizenId: 'c2' })
    const b = s.confirm(s.hold(z, { citizenId: 'c3' }).id)
    s.cancel(b.id)
    s.setNow('2026-06-01T07:03:30.250+02:00')
    const json = JSON.stringify(s.snapshot())
    const r = restoreScheduler(loadScenario(base()), JSON.parse(json))
    expect(JSON.stringify(r.snapshot())).toBe(json)
    expect(r.stats()).toEqual(s.stats())
    expect(r.search({ services: ['reg'], limit: 5, citizenId: 'q' })).toEqual(s.search({ services: ['reg'], limit: 5, citizenId: 'q' }))
    const other = base()
    other.policy = { holdMinutes: 11 }
    expect(rejection(() => restoreScheduler(loadScenario(other), JSON.parse(json))).code).toBe('STATE_INVALID')
  })
})
