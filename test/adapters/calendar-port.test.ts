import { describe, expect, it } from 'vitest'
import { absencesOutside, outsideRange, readStaffAvailability, type CalendarAdapter } from '../../src/adapters/calendar-port.js'
import { IcsCalendarAdapter } from '../../src/adapters/ical/adapter.js'
import { exportRosterIcs, parseCalendarAppointments, shiftOccurrenceKeys } from '../../src/adapters/ical/export.js'
import { compile } from '../../src/model/compile.js'
import { isTerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import { contractScenario, syncContract, writeContract } from './contract.js'

const STAMP = '2027-03-01T00:00:00Z'

describe('CalendarAdapter contract: in-memory .ics adapter', () => {
  it('writes idempotently by UID, updates, lists and deletes', async () => {
    await writeContract(new IcsCalendarAdapter({ timezone: 'Europe/Berlin' }))
  })

  it('syncs a scheduler: second run writes nothing, cancellations are deleted, opted-in ids update', async () => {
    await syncContract(new IcsCalendarAdapter(), contractScenario())
  })

  it('writes its appointments as one .ics and reads them back', async () => {
    const a = new IcsCalendarAdapter({ stamp: () => STAMP })
    await syncContract(a, contractScenario())
    const text = a.toIcs()
    const again = new IcsCalendarAdapter({ appointments: text })
    expect(await again.listAppointments()).toEqual(await a.listAppointments())
    expect(parseCalendarAppointments(text)).toHaveLength(2)
  })

  it('reads availability from a roster and fails with NOT_FOUND for an unknown one', async () => {
    const s = contractScenario()
    const a = new IcsCalendarAdapter({ rosters: { p1: exportRosterIcs(s.staff[0], s, { stamp: STAMP }) } })
    const r = await a.readAvailability('p1', { from: '2027-03-22', to: '2027-04-04' })
    expect(r.shifts).toContainEqual({ date: '2027-03-26', from: '09:00', to: '13:00', breaks: [], office: 'o2' })
    expect(r.absences).toEqual([{ from: '2027-03-31', to: '2027-04-01' }])
    await expect(a.readAvailability('p9', { from: '2027-03-22', to: '2027-04-04' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(a.readAvailability('p1', { from: '2027-03-22', to: 'soon' })).rejects.toMatchObject({ code: 'COMMAND_INVALID' })
  })
})

describe('readStaffAvailability', () => {
  it('replaces the roster inside the range, keeps it outside, and validates the result', async () => {
    const s = contractScenario()
    // The calendar says: p1 works Tuesdays 10–14 in the second week only.
    const cal = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t//EN', 'BEGIN:VEVENT', 'UID:x', 'DTSTAMP:20270101T000000Z', 'DTSTART;TZID=Europe/Berlin:20270330T100000', 'DTEND;TZID=Europe/Berlin:20270330T140000', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n')
    const adapter = new IcsCalendarAdapter({ rosters: { p1: cal } })
    const next = await readStaffAvailability(s, adapter, ['p1'], { from: '2027-03-29', to: '2027-04-04' })
    const keys = (sc: typeof s) => shiftOccurrenceKeys(sc, sc.staff[0]).map((k) => k.split('|').slice(1, 3).map((t) => new Date(+t).toISOString().slice(0, 16)).join('/'))
    const got = keys(next)
    expect(got.filter((k) => k >= '2027-03-29')).toEqual(['2027-03-30T08:00/2027-03-30T12:00'])
    expect(got.filter((k) => k < '2027-03-29')).toEqual(keys(s).filter((k) => k < '2027-03-29'))
    // The absence in the range came from the scenario and is replaced by the calendar's (none).
    expect(next.staff[0].absences).toEqual([])
    expect(next.staff[1]).toEqual(s.staff[1])
    compile(next)
  })

  it('changes nothing when a read fails or the result is invalid', async () => {
    const s = contractScenario()
    const before = JSON.stringify(s)
    const failing: CalendarAdapter = {
      readAvailability: async () => {
        throw new Error('boom')
      },
      putAppointment: async () => 'unchanged',
      deleteAppointment: async () => false,
      listAppointments: async () => [],
    }
    await expect(readStaffAvailability(s, failing, ['p1'])).rejects.toThrow('boom')
    await expect(readStaffAvailability(s, new IcsCalendarAdapter(), ['nobody'])).rejects.toMatchObject({ code: 'COMMAND_INVALID' })
    // Two overlapping shifts from the calendar: the new scenario is rejected as a whole.
    const overlap = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t//EN',
      'BEGIN:VEVENT', 'UID:a', 'DTSTAMP:20270101T000000Z', 'DTSTART;TZID=Europe/Berlin:20270323T080000', 'DTEND;TZID=Europe/Berlin:20270323T120000', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:b', 'DTSTAMP:20270101T000000Z', 'DTSTART;TZID=Europe/Berlin:20270323T110000', 'DTEND;TZID=Europe/Berlin:20270323T150000', 'END:VEVENT',
      'END:VCALENDAR', ''].join('\r\n')
    try {
      await readStaffAvailability(s, new IcsCalendarAdapter({ rosters: { p1: overlap } }), ['p1'])
      expect.unreachable()
    } catch (e) {
      expect(isTerminplanError(e) && e.code).toBe('SCENARIO_INVALID')
      expect(isTerminplanError(e) && e.issues[0].code).toBe('shift_overlap')
    }
    expect(JSON.stringify(s)).toBe(before)
  })

  it('cuts weekly rules and absences around a range exactly', () => {
    const r = { from: '2027-03-24', to: '2027-03-30' }
    expect(outsideRange([{ weekdays: [1], from: '08:00', to: '12:00', breaks: [] }], r)).toEqual([
      { weekdays: [1], validTo: '2027-03-23', from: '08:00', to: '12:00', breaks: [] },
      { weekdays: [1], validFrom: '2027-03-31', from: '08:00', to: '12:00', breaks: [] },
    ])
    expect(outsideRange([{ weekdays: [1], validFrom: '2027-03-25', validTo: '2027-03-29', from: '08:00', to: '12:00', breaks: [] }], r)).toEqual([])
    expect(absencesOutside('Europe/Berlin', [{ from: '2027-03-20', to: '2027-04-02' }, { from: '2027-03-29T22:00:00+02:00', to: '2027-03-31T02:00:00+02:00' }], r)).toEqual([
      { from: '2027-03-20', to: '2027-03-23' },
      { from: '2027-03-31', to: '2027-04-02' },
      { from: '2027-03-31T00:00:00+02:00', to: '2027-03-31T02:00:00+02:00' },
    ])
    const s = contractScenario()
    expect(loadScenario({ ...s, staff: [{ ...s.staff[0], shifts: outsideRange(s.staff[0].shifts, r) }, s.staff[1]] })).toBeTruthy()
  })
})
