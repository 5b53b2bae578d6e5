/**
 * Regression tests: minimal reproductions of the defects the model-based tests found (all fixed).
 * Each states the expected behaviour; the comment says what went wrong before the fix.
 */
import { describe, expect, it } from 'vitest'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import { createScheduler, restoreScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'

const ALL = [1, 2, 3, 4, 5, 6, 7]

function oneOffice(opts: { services: { id: string; durationMinutes: number; combinable?: string[] }[]; hours: { weekdays: number[]; from: string; to: string }[]; shift: { from: string; to: string }; start?: string; days?: number }): ScenarioInput {
  const ids = opts.services.map((s) => s.id)
  return {
    horizon: { start: opts.start ?? '2026-06-01', days: opts.days ?? 1 },
    services: opts.services.map((s) => ({ name: s.id, ...s })),
    offices: [{ id: 'o', name: 'O', district: 'D', desks: 1, openingHours: opts.hours, services: ids }],
    staff: [{ id: 'p', office: 'o', skills: ids, shifts: [{ weekdays: ALL, from: opts.shift.from, to: opts.shift.to }] }],
  }
}

const make = (input: ScenarioInput, now: string): Scheduler => createScheduler(loadScenario(input), { now })

describe('defects found by the model-based tests', () => {
  /**
   * Fixed in 03708a2 (kept as a regression test): compile() kept the overlapping pieces of
   * overlapping opening-hour entries as overlapping segments; search offered 13:00–15:00 from the
   * second one, and hold, finding the first one (08:00–14:00) by binary search, rejected it as
   * outside_working_time.
   */
  it('overlapping opening-hour entries: a slot the search offers can be held', () => {
    const s = make(
      oneOffice({
        services: [{ id: 'long', durationMinutes: 120 }, { id: 'reg', durationMinutes: 10 }],
        hours: [{ weekdays: [1], from: '08:00', to: '14:00' }, { weekdays: [1], from: '12:00', to: '18:00' }],
        shift: { from: '08:00', to: '18:00' },
      }),
      '2026-06-01T07:00:00+02:00',
    )
    const [slot] = s.search({ services: ['long'], windows: [{ from: '13:00', to: '15:00' }], limit: 1 }).slots
    expect(slot).toMatchObject({ start: '2026-06-01T13:00:00+02:00', end: '2026-06-01T15:00:00+02:00' })
    expect(s.hold(slot, { citizenId: 'c' }).slot).toEqual(slot)
  })

  /**
   * compile() (src/model/compile.ts, the loop over `expandShifts` … `parts`) rounds each piece of
   * working time to whole units (ceil start, floor end) before merging pieces, so the unit
   * 12:00–12:30 that straddles the seam at 12:10 between two touching opening-hours entries (or
   * two touching shifts, or a night shift and the next day's opening) is lost, though it lies
   * wholly in working time. Fix: merge the pieces of one staff member at one office (union of the
   * instant intervals, touching or overlapping) before rounding to units and splitting at midnight.
   */
  it('opening hours in two touching parts (08:00–12:10, 12:10–16:00): the seam unit is working time', () => {
    const s = make(
      oneOffice({
        services: [{ id: 'half', durationMinutes: 30 }],
        hours: [{ weekdays: [1], from: '08:00', to: '12:10' }, { weekdays: [1], from: '12:10', to: '16:00' }],
        shift: { from: '08:00', to: '16:00' },
      }),
      '2026-06-01T07:00:00+02:00',
    )
    expect(s.search({ services: ['half'], windows: [{ from: '12:00', to: '12:30' }] }).slots.map((x) => x.start)).toEqual(['2026-06-01T12:00:00+02:00'])
    expect(s.stats().capacityUnits).toBe(16) // 8 hours of 30-minute units; the engine counts 15
  })

  /**
   * GridCalendar (src/solver/grid-calendar.ts, constructor) treats a day as regular when its
   * number of units equals 1440 / unit. With 90-minute units the 23-hour 2026-03-29 has
   * ceil(1380 / 90) = 16 = 1440 / 90 units, so wallUnitCeil/Floor map wall times by plain
   * arithmetic and are an hour off after 02:00: the window 00:00–07:30 admits 07:00–08:30 CEST.
   * (Same on Lord Howe's 23.5-hour 2026-10-04 with 40-minute units.) Fix: call a day regular
   * only when its real length is 24 hours, e.g. compare
   * wallToInstant(next date, 0) - wallToInstant(date, 0) with 86,400,000 ms.
   */
  it('windows on a DST day with 90-minute units are wall times', () => {
    const s = make(
      oneOffice({ services: [{ id: 'x', durationMinutes: 90 }], hours: [{ weekdays: ALL, from: '00:00', to: '24:00' }], shift: { from: '00:00', to: '12:00' }, start: '2026-03-29', days: 2 }),
      '2026-03-28T12:00:00+01:00',
    )
    const slots = s.search({ services: ['x'], from: '2026-03-29', to: '2026-03-29', windows: [{ from: '04:00', to: '07:30' }], limit: 10 }).slots
    // Grid instants that day: 00:00, 01:30 (CET), 04:00, 05:30, 07:00, 08:30 … (CEST).
    expect(slots.map((x) => `${x.start}–${x.end}`)).toEqual(['2026-03-29T04:00:00+02:00–2026-03-29T05:30:00+02:00', '2026-03-29T05:30:00+02:00–2026-03-29T07:00:00+02:00'])
  })

  /**
   * Fixed in 4b1a34d (kept as a regression test): serviceListIssues checked a pair only through
   * the combinable list of the service whose id sorts first, so with b limited to c, {a, b}
   * passed but the same pair named {z, b} was rejected.
   */
  it('combinable is symmetric: b (combinable only with c) cannot join a, whatever the ids', () => {
    const scenario = (other: string) =>
      oneOffice({
        services: [{ id: other, durationMinutes: 10 }, { id: 'b', durationMinutes: 10, combinable: ['c'] }, { id: 'c', durationMinutes: 10 }],
        hours: [{ weekdays: ALL, from: '08:00', to: '12:00' }],
        shift: { from: '08:00', to: '12:00' },
      })
    const verdict = (other: string) => {
      try {
        make(scenario(other), '2026-06-01T07:00:00+02:00').search({ services: [other, 'b'] })
        return 'accepted'
      } catch (e) {
        return (e as TerminplanError).issues[0].code
      }
    }
    expect({ z: verdict('z'), a: verdict('a') }).toEqual({ z: 'not_combinable', a: 'not_combinable' })
  })

  /**
   * Ledger.nextId (src/solver/ledger.ts) skips only ids of live records, so after the scenario's
   * appointment "a2" is cancelled the second confirm mints "a2" again: a client still holding the
   * old id now cancels somebody else's appointment. Fix: never mint the id of any scenario
   * appointment, placed or reported (the scenario is fixed, so this also holds after restore).
   */
  it('appointment ids are never reused', () => {
    const input = oneOffice({ services: [{ id: 'reg', durationMinutes: 10 }], hours: [{ weekdays: ALL, from: '08:00', to: '12:00' }], shift: { from: '08:00', to: '12:00' } })
    input.appointments = [{ id: 'a2', office: 'o', start: '2026-06-01T11:00:00+02:00', services: ['reg'] }]
    input.policy = { cancelFreezeMinutes: 0 }
    const s = make(input, '2026-06-01T07:00:00+02:00')
    s.cancel('a2')
    const [x, y] = s.search({ services: ['reg'], limit: 2 }).slots
    const ids = [s.confirm(s.hold(x, { citizenId: 'c1' }).id).id, s.confirm(s.hold(y, { citizenId: 'c2' }).id).id]
    expect(ids).not.toContain('a2') // the second is "a2"
  })

  it("appointment ids never repeat a scenario appointment's id, placed or reported", () => {
    const input = oneOffice({ services: [{ id: 'reg', durationMinutes: 10 }], hours: [{ weekdays: ALL, from: '08:00', to: '12:00' }], shift: { from: '08:00', to: '12:00' } })
    input.appointments = [
      { id: 'x', office: 'o', start: '2026-06-01T11:00:00+02:00', services: ['reg'] },
      { id: 'a1', office: 'o', start: '2026-06-01T11:00:00+02:00', services: ['reg'] }, // clashes with x: reported
    ]
    const s = createScheduler(loadScenario(input), { now: '2026-06-01T07:00:00+02:00', existingAppointments: 'report' })
    expect(s.loadIssues().map((i) => i.path)).toEqual(['$.appointments[1].start'])
    const [x] = s.search({ services: ['reg'], limit: 1 }).slots
    expect(s.confirm(s.hold(x, { citizenId: 'c1' }).id).id).not.toBe('a1')
  })

  /**
   * Timers due at the same instant fire in insertion order (Ledger.timers compares `at`, then a
   * `seq` that is not in the snapshot); restore re-inserts holds and freezes in snapshot order
   * (by start), so after a restore simultaneous expiries come in another order than without it.
   * Fix: break ties by something the snapshot keeps (e.g. kind, then id), or snapshot the order.
   */
  it('after snapshot/restore, simultaneous expiries fire in the same order as without it', () => {
    const input = oneOffice({ services: [{ id: 'reg', durationMinutes: 10 }], hours: [{ weekdays: ALL, from: '08:00', to: '12:00' }], shift: { from: '08:00', to: '12:00' } })
    const s = make(input, '2026-06-01T07:00:00+02:00')
    const [x, y] = s.search({ services: ['reg'], limit: 2 }).slots
    s.hold(y, { citizenId: 'c1' }) // later slot first
    s.hold(x, { citizenId: 'c2' })
    const r = restoreScheduler(loadScenario(input), JSON.parse(JSON.stringify(s.snapshot())))
    const order = (t: Scheduler) => {
      const out: string[] = []
      t.on('expired', (e) => out.push(e.hold.id))
      t.setNow('2026-06-01T08:00:00+02:00')
      return out
    }
    expect(order(r)).toEqual(order(s)) // ['h2', 'h1'] vs ['h1', 'h2']
  })

  /**
   * SchedulerImpl.restore (src/solver/scheduler.ts) promises "every record is checked like a
   * command, all or nothing", but a damaged or hand-edited snapshot is either accepted into a
   * broken state or fails with a plain TypeError/RangeError instead of STATE_INVALID:
   * - an unknown service makes durationAt() NaN → RangeError "Invalid time value";
   * - a hold of a service the office does not offer gets length 0 (holds skip the dur === 0 check);
   * - two appointments with one id are both placed in the bitsets but only one stays in the
   *   ledger: the other's units are busy for ever and free + held + booked + frozen < capacity;
   * - a missing array throws TypeError; a hold that expired before `now` comes back alive.
   * Fix: parse the snapshot with a zod schema (→ STATE_INVALID with paths), then check each
   * record like the commands do: serviceListIssues, durationAt > 0, skills, unique ids across
   * records, expiresAt/until after now.
   */
  describe('restore rejects a damaged snapshot with STATE_INVALID and a path', () => {
    const input = oneOffice({ services: [{ id: 'reg', durationMinutes: 10 }, { id: 'x', durationMinutes: 10 }], hours: [{ weekdays: ALL, from: '08:00', to: '12:00' }], shift: { from: '08:00', to: '12:00' } })
    input.offices[0].services = ['reg']
    input.staff![0].skills = ['reg']
    const scenario = loadScenario(input)
    const s = createScheduler(scenario, { now: '2026-06-01T07:00:00+02:00' })
    const [a, b] = s.search({ services: ['reg'], limit: 2 }).slots
    s.confirm(s.hold(a, { citizenId: 'c1' }).id)
    s.hold(b, { citizenId: 'c2' })
    const good = JSON.stringify(s.snapshot())
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cases: [string, (x: any) => void, string][] = [
      ['an unknown service', (x) => (x.appointments[0].services = ['nope']), '$.appointments[0].services'],
      ['a service the office does not offer (hold)', (x) => (x.holds[0].services = ['x']), '$.holds[0].services'],
      ['two appointments with one id', (x) => x.appointments.push({ ...x.appointments[0], start: '2026-06-01T09:00:00+02:00' }), '$.appointments[1].id'],
      ['no appointments array', (x) => delete x.appointments, '$.appointments'],
      ['a hold that expired before now', (x) => (x.holds[0].expiresAt = '2026-06-01T06:00:00+02:00'), '$.holds[0].expiresAt'],
    ]
    it.each(cases)('%s', (_, damage, path) => {
      const snap = JSON.parse(good)
      damage(snap)
      let thrown: unknown
      try {
        restoreScheduler(scenario, snap)
      } catch (e) {
        thrown = e
      }
      expect(thrown).toBeInstanceOf(TerminplanError)
      expect({ code: (thrown as TerminplanError).code, path: (thrown as TerminplanError).path }).toEqual({ code: 'STATE_INVALID', path })
    })
  })
})
