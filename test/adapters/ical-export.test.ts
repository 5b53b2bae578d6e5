import ICAL from 'ical.js'
import { describe, expect, it } from 'vitest'
import { sameAppointment, toCalendarAppointment } from '../../src/adapters/calendar-port.js'
import { exportAppointmentsIcs, exportRosterIcs, parseCalendarAppointments, shiftOccurrenceKeys } from '../../src/adapters/ical/export.js'
import { importStaffAvailability } from '../../src/adapters/ical/import.js'
import { buildVtimezone } from '../../src/adapters/ical/vtimezone.js'
import { readScenario } from '../../src/cli/io.js'
import { compile } from '../../src/model/compile.js'
import { loadScenario } from '../../src/model/load.js'
import type { Scenario } from '../../src/model/schema.js'
import { addDays, wallTimeKind, wallToInstant } from '../../src/model/tz.js'
import { createScheduler } from '../../src/solver/index.js'

const STAMP = '2027-03-01T00:00:00Z'

function scenario(over: Partial<Scenario> = {}): Scenario {
  return loadScenario({
    horizon: { start: '2027-03-15', days: 28 },
    services: [
      { id: 's1', name: 'Personalausweis beantragen', durationMinutes: 20 },
      { id: 's2', name: 'Anmeldung einer Wohnung', durationMinutes: 10 },
    ],
    offices: [
      { id: 'o1', name: 'Bürgeramt Mitte', district: 'Mitte', openingHours: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }], services: ['s1', 's2'], desks: 3 },
      { id: 'o2', name: 'Bürgeramt Pankow', district: 'Pankow', openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }], services: ['s1'], desks: 1 },
    ],
    staff: [
      {
        id: 'p1',
        office: 'o1',
        skills: ['s1', 's2'],
        shifts: [
          { weekdays: [1, 3], from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] },
          { weekdays: [6], validFrom: '2027-03-16', validTo: '2027-04-05', from: '22:00', to: '06:00' },
          { weekdays: [7], from: '10:00', to: '12:00' },
          { date: '2027-03-26', from: '09:00', to: '13:00', office: 'o2' },
        ],
        absences: [
          { from: '2027-03-31', to: '2027-04-01', reason: 'Urlaub' },
          { from: '2027-03-24T10:00:00+01:00', to: '2027-03-24T11:00:00+01:00' },
        ],
      },
      { id: 'p2', office: 'o2', skills: ['s1'], shifts: [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }] },
    ],
    ...over,
  } as never)
}

describe('VTIMEZONE from tz data', () => {
  for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'Europe/London']) {
    it(`lets ical.js turn local times of ${zone} into the engine's instants`, () => {
      const from = Date.UTC(2026, 0, 1), to = Date.UTC(2027, 11, 31)
      const text = buildVtimezone(zone, { from, to })!
      const comp = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${text}\r\nEND:VCALENDAR`) as never).getFirstSubcomponent('vtimezone')!
      const tz = new ICAL.Timezone(comp)
      let checked = 0
      for (let day = 0; day < 730; day += 3)
        for (let minutes = 7; minutes < 1440; minutes += 113) {
          const date = addDays('2026-01-01', day)
          if (wallTimeKind(zone, date, minutes) !== 'normal') continue
          const t = new ICAL.Time({ year: +date.slice(0, 4), month: +date.slice(5, 7), day: +date.slice(8, 10), hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, isDate: false }, tz)
          expect(t.toUnixTime() * 1000, `${date} ${minutes}`).toBe(wallToInstant(zone, date, minutes))
          checked++
        }
      expect(checked).toBeGreaterThan(3_000)
    })
  }

  it('is null for UTC and unknown zones', () => {
    expect(buildVtimezone('UTC', { from: 0, to: 1 })).toBeNull()
    expect(buildVtimezone('Nowhere/City', { from: 0, to: 1 })).toBeNull()
  })
})

describe('appointment export', () => {
  const s = scenario()
  const sched = createScheduler(s, { now: '2027-03-15T00:00:00+01:00' })
  const book = (start: string, services: string[], citizenId: string, office = 'o1', staffId = 'p1') => {
    const end = new Date(Date.parse(start) + services.length * 10 * 60_000 * (services.includes('s1') ? 2 : 1)).toISOString()
    void end
    const { slots } = sched.search({ services, offices: [office], from: start.slice(0, 10), to: start.slice(0, 10), limit: 1000 })
    const slot = slots.find((x) => Date.parse(x.start) === Date.parse(start))
    if (!slot) throw new Error(`no slot at ${start}`)
    const h = sched.hold({ ...slot, staffId }, { citizenId })
    return sched.confirm(h.id)
  }
  book('2027-03-22T08:00:00+01:00', ['s1'], 'c-1')
  book('2027-03-27T23:00:00+01:00', ['s1', 's2'], 'c-2') // night shift, the night the clocks change
  book('2027-03-28T04:00:00+02:00', ['s2'], 'c-3') // after the change
  book('2027-03-26T09:00:00+01:00', ['s1'], 'c-4', 'o2')
  const appts = sched.appointments()

  it('round-trips every instant through ical.js, with one VTIMEZONE', () => {
    const text = exportAppointmentsIcs(appts, s, { office: 'o1', stamp: STAMP })
    expect(text.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1)
    const comp = new ICAL.Component(ICAL.parse(text) as never)
    const events = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v))
    const mine = appts.filter((a) => a.officeId === 'o1')
    expect(events).toHaveLength(mine.length)
    for (const a of mine) {
      const ev = events.find((e) => e.uid === `${a.id}@terminplan`)!
      expect(ev.startDate.toUnixTime() * 1000).toBe(Date.parse(a.start))
      expect(ev.endDate.toUnixTime() * 1000).toBe(Date.parse(a.end))
    }
    const back = parseCalendarAppointments(text, 'Europe/Berlin')
    const expected = mine.map((a) => toCalendarAppointment(a, s))
    expect(back.length).toBe(expected.length)
    for (const x of expected) expect(back.find((b) => b.uid === x.uid)).toEqual(x)
    for (const x of expected) expect(sameAppointment(back.find((b) => b.uid === x.uid)!, x)).toBe(true)
  })

  it('writes no staff or citizen ids unless asked, and filters by office, staff and citizen', () => {
    const plain = exportAppointmentsIcs(appts, s, { office: 'o1', stamp: STAMP })
    expect(plain).not.toMatch(/c-\d|X-TERMINPLAN-STAFF|X-TERMINPLAN-CITIZEN|p1/)
    const opted = exportAppointmentsIcs(appts, s, { office: 'o1', stamp: STAMP, include: { staff: true, citizen: true } })
    expect(opted).toMatch(/X-TERMINPLAN-CITIZEN:c-2/)
    expect(opted).toMatch(/X-TERMINPLAN-STAFF:p1/)
    const citizen = parseCalendarAppointments(exportAppointmentsIcs(appts, s, { citizen: 'c-4', stamp: STAMP }))
    expect(citizen.map((a) => a.officeId)).toEqual(['o2'])
    expect(parseCalendarAppointments(exportAppointmentsIcs(appts, s, { staff: 'p2', stamp: STAMP }))).toEqual([])
    expect(plain).toMatch(/SUMMARY:Personalausweis beantragen \+ Anmeldung einer Wohnung/)
    expect(plain).toMatch(/LOCATION:Bürgeramt Mitte/)
  })

  it('is deterministic: the same state and stamp give the same bytes', () => {
    expect(exportAppointmentsIcs(appts, s, { office: 'o1', stamp: STAMP })).toBe(exportAppointmentsIcs([...appts].reverse(), s, { office: 'o1', stamp: STAMP }))
  })

  it('writes an instant of the repeated hour (clocks going back) in UTC, so it reads back exactly', () => {
    const a = { id: 'x', officeId: 'o1', staffId: 'p1', start: '2027-10-31T02:30:00+01:00', end: '2027-10-31T02:50:00+01:00', services: ['s1'] }
    const text = exportAppointmentsIcs([a], s, { stamp: STAMP })
    expect(text).toMatch(/DTSTART:20271031T013000Z/)
    const back = parseCalendarAppointments(text, 'Europe/Berlin')[0]
    expect(Date.parse(back.start)).toBe(Date.parse(a.start))
    expect(back.start).toBe('2027-10-31T02:30:00+01:00')
  })
})

describe('roster export → import round trip', () => {
  it('gives back the same working time, breaks, night shifts across DST and absences', () => {
    const s = scenario()
    const p = s.staff[0]
    const text = exportRosterIcs(p, s, { stamp: STAMP })
    const last = addDays(s.horizon.start, s.horizon.days - 1)
    const r = importStaffAvailability(text, { staffId: p.id, range: { from: s.horizon.start, to: last } })
    const s2 = loadScenario({ ...s, staff: [{ ...p, shifts: r.shifts, absences: r.absences }, s.staff[1]] })
    expect(shiftOccurrenceKeys(s2, s2.staff[0])).toEqual(shiftOccurrenceKeys(s, p))
    const a = compile(s), b = compile(s2)
    expect(Array.from(b.work[0])).toEqual(Array.from(a.work[0]))
    // Reasons stay out unless asked for.
    expect(text).not.toMatch(/Urlaub/)
    expect(exportRosterIcs(p, s, { stamp: STAMP, reasons: true })).toMatch(/SUMMARY:Urlaub/)
  })

  it('keeps a night shift across the spring-forward night out of its series (RFC 5545 exact durations)', () => {
    const s = scenario()
    const text = exportRosterIcs(s.staff[0], s, { stamp: STAMP })
    expect(text).toMatch(/EXDATE;TZID=Europe\/Berlin:20270327T220000/)
    expect(text).toMatch(/UID:p1-shift-1-2027-03-27@terminplan/)
  })

  it('round-trips a sample of the Berlin roster exactly (weekly rules, breaks, dated shifts, vacations)', () => {
    const s = readScenario('berlin')
    const last = addDays(s.horizon.start, s.horizon.days - 1)
    const sample = s.staff.filter((_, i) => i % 37 === 0 || s.staff[i].shifts.some((sh) => sh.date !== undefined)).slice(0, 12)
    expect(sample.some((p) => p.shifts.some((sh) => sh.date !== undefined))).toBe(true)
    const replaced = new Map(
      sample.map((p) => {
        const r = importStaffAvailability(exportRosterIcs(p, s, { stamp: STAMP }), { staffId: p.id, range: { from: s.horizon.start, to: last } })
        return [p.id, { ...p, shifts: r.shifts, absences: r.absences }]
      }),
    )
    // Compile only the sampled people (compiling all 550 twice would dominate the suite).
    const small = loadScenario({ ...s, staff: sample, demand: [] })
    const small2 = loadScenario({ ...s, staff: sample.map((p) => replaced.get(p.id)!), demand: [] })
    const a = compile(small), b = compile(small2)
    sample.forEach((p, i) => expect(Array.from(b.work[i]), p.id).toEqual(Array.from(a.work[i])))
  })
})
