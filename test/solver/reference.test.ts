/**
 * The oracle itself, on hand-computed answers: if the reference were wrong the model-based tests
 * would compare the engine with a wrong model. Numbers are worked out in the comments.
 */
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import { NOW, base, night } from './fixtures.js'
import { MIN, Reference } from './reference.js'

const ref = (input = base(), now = NOW) => new Reference(loadScenario(input), Date.parse(now))

describe('reference model', () => {
  it('capacity of the base fixture', () => {
    // ana: Mon–Thu (Fri closed) 08–12 less a 20-minute break = 22 units, × 4 = 88;
    // bo: Mon–Fri 24 units less Wednesday (absent) = 96; cy: Mon and Wed 09–11 = 12 × 2 = 24.
    expect(ref().capacityUnits()).toBe(88 + 96 + 24)
    expect(ref().capacityMinutes()).toBe((88 + 96 + 24) * 10)
  })

  it('capacity on DST days: 00:00–06:00 is 5 real hours on 03-29, 7 on 10-25', () => {
    expect(ref(night('2026-03-28'), '2026-03-28T00:00:00+01:00').capacityUnits()).toBe(36 + 30 + 36)
    expect(ref(night('2026-10-24'), '2026-10-24T00:00:00+02:00').capacityUnits()).toBe(36 + 42 + 36)
  })

  it('earliest feasible start: booking windows, skills, per-office durations', () => {
    const r = ref()
    const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
    expect(at(r.earliest({ services: ['reg'] }))).toBe('2026-06-01T06:00:00.000Z')
    expect(at(r.earliest({ services: ['reg'], offices: ['south'] }))).toBe('2026-06-02T06:00:00.000Z') // minDays 1
    expect(at(r.earliest({ services: ['pass'], offices: ['south'] }))).toBe('2026-06-03T07:00:00.000Z') // cy, Wed 09:00
    expect(at(r.earliest({ services: ['reg'], offices: ['west'] }))).toBeNull()
    expect(at(r.earliest({ services: ['reg'], staff: ['cy'] }))).toBe('2026-06-03T07:00:00.000Z')
    const c = r.candidates({ services: ['pass'], offices: ['north'] })[0]
    expect(c.end - c.start).toBe(30 * MIN)
  })

  it('slot violations list every broken rule', () => {
    const r = ref()
    const t = (iso: string) => Date.parse(iso)
    expect(r.slotViolations({ officeId: 'north', staffId: 'ana', start: t('2026-06-02T08:00:00+02:00'), end: t('2026-06-02T08:10:00+02:00'), services: ['reg'] })).toEqual([])
    expect(r.slotViolations({ officeId: 'north', staffId: 'ana', start: t('2026-06-02T10:00:00+02:00'), end: t('2026-06-02T10:10:00+02:00'), services: ['reg'] })).toEqual(['outside_working_time'])
    expect(r.slotViolations({ officeId: 'south', staffId: 'bo', start: t('2026-06-01T08:05:00+02:00'), end: t('2026-06-01T08:25:00+02:00'), services: ['pass'] })).toEqual(
      ['off_grid', 'staff_lacks_skill', 'outside_booking_window'], // bo does work 08:05–08:25
    )
    r.addHold({ id: 'h', officeId: 'north', staffId: 'ana', start: t('2026-06-02T08:00:00+02:00'), end: t('2026-06-02T08:10:00+02:00'), services: ['reg'], citizenId: 'c', createdAt: r.now, expiresAt: r.now + 10 * MIN })
    expect(r.slotViolations({ officeId: 'north', staffId: 'ana', start: t('2026-06-02T08:00:00+02:00'), end: t('2026-06-02T08:30:00+02:00'), services: ['pass'] })).toEqual(['slot_taken'])
    expect(r.advance(r.now + 10 * MIN).map((e) => e.type)).toEqual(['expired', 'freed'])
  })

  it('service lists: quantity, combinable, count', () => {
    const r = ref()
    expect(r.serviceListProblems(['pass', 'pass'])).toEqual([])
    expect(r.serviceListProblems(['reg', 'reg'])).toEqual(['max_quantity'])
    expect(r.serviceListProblems(['id', 'reg'])).toEqual(['not_combinable'])
    expect(r.serviceListProblems(['reg', 'pass', 'id', 'pass'])).toEqual(['too_many_services', 'not_combinable'])
  })
})
