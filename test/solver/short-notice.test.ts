/**
 * Release at short notice (`bookingWindow.shortNotice`): the chosen share of an office's staff is
 * bookable only `days` ahead. Checked through the public commands: search, hold, the clock.
 */
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler } from '../../src/solver/scheduler/index.js'
import { TerminplanError } from '../../src/model/errors.js'
import { townInput } from '../sim/town.js'

function scenario(share: number, days: number) {
  const input = townInput()
  input.offices = input.offices!.map((o) => ({ ...o, bookingWindow: { minDays: 0, maxDays: 42, shortNotice: { share, days } } }))
  return loadScenario(input)
}

const NOW = '2027-01-04T07:00:00+01:00' // a Monday
const dayOf = (iso: string) => Math.round((Date.parse(iso.slice(0, 10) + 'T00:00:00Z') - Date.parse('2027-01-04T00:00:00Z')) / 86_400_000)

describe('short-notice release', () => {
  it('keeps the chosen staff (every second of two: the second) bookable only `days` ahead; the others over the whole window', () => {
    const s = createScheduler(scenario(0.5, 2), { now: NOW })
    // By hand: k = round(0.5 × 2) = 1; staff j is chosen when ⌊(j+1)k/n⌋ > ⌊jk/n⌋, so j = 1 (n1-2).
    const bookable = (staffId: string) =>
      ['2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08', '2027-01-11', '2027-01-12'].filter((date, i) => {
        try {
          s.hold({ officeId: 'n1', staffId, start: `${date}T09:00:00+01:00`, end: `${date}T09:20:00+01:00`, services: ['id'] }, { citizenId: `${staffId}-${i}` })
          return true
        } catch (e) {
          expect((e as TerminplanError).issues[0].code).toBe('outside_booking_window')
          return false
        }
      })
    expect(bookable('n1-2')).toEqual(['2027-01-04', '2027-01-05', '2027-01-06'])
    expect(bookable('n1-1')).toHaveLength(7)
    // A search never offers n1-2 beyond the two days.
    for (const x of s.search({ services: ['id'], limit: 200, offices: ['n1'] }).slots) if (x.staffId === 'n1-2') expect(dayOf(x.start)).toBeLessThanOrEqual(2)
    // The earliest slots are the same as without the rule: short notice hides nothing near.
    const plain = createScheduler(scenario(0, 2), { now: NOW }).search({ services: ['id'], limit: 5, offices: ['n1'] }).slots
    expect(s.search({ services: ['id'], limit: 5, offices: ['n1'] }).slots).toEqual(plain)
  })

  it('refuses a hold beyond the short-notice days with outside_booking_window, and takes it once the day is near', () => {
    const s = createScheduler(scenario(0.5, 2), { now: NOW })
    const slot = { officeId: 'n1', staffId: 'n1-2', start: '2027-01-08T09:00:00+01:00', end: '2027-01-08T09:20:00+01:00', services: ['id'] }
    let err: unknown
    try {
      s.hold(slot, { citizenId: 'c1' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TerminplanError)
    expect((err as TerminplanError).issues[0].code).toBe('outside_booking_window')
    expect(s.stats().heldUnits).toBe(0)
    // The same slot at the other staff member is bookable now.
    expect(s.hold({ ...slot, staffId: 'n1-1' }, { citizenId: 'c1' }).id).toBeTruthy()
    s.setNow('2027-01-06T07:00:00+01:00')
    expect(s.hold(slot, { citizenId: 'c2' }).slot.staffId).toBe('n1-2')
  })

  it('the whole office at short notice: nothing beyond the days is found, and the explanation says why', () => {
    const s = createScheduler(scenario(1, 1), { now: NOW })
    const r = s.search({ services: ['id'], offices: ['n1'], from: '2027-01-07', to: '2027-01-08' })
    expect(r.slots).toEqual([])
    expect(r.explanation!.reasons.map((x) => x.code)).toContain('outside_booking_window')
  })
})
