import { describe, expect, it } from 'vitest'
import { importStaffAvailability, type IcsImportOptions } from '../../src/adapters/ical/import.js'
import { isTerminplanError, TerminplanError } from '../../src/model/errors.js'

/** iCalendar text from VEVENT bodies (lines), with optional extra top-level components. */
function cal(events: string[][], extra: string[] = []): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//test//EN', ...extra]
  events.forEach((ev, i) => lines.push('BEGIN:VEVENT', `DTSTAMP:20260101T000000Z`, ...(ev.some((l) => l.startsWith('UID:')) ? [] : [`UID:ev-${i}`]), ...ev, 'END:VEVENT'))
  lines.push('END:VCALENDAR', '')
  return lines.join('\r\n')
}

const base = (over: Partial<IcsImportOptions> = {}): IcsImportOptions => ({ staffId: 'p1', range: { from: '2026-03-01', to: '2026-04-12' }, timezone: 'Europe/Berlin', ...over })

function errorOf(f: () => unknown): TerminplanError {
  try {
    f()
  } catch (e) {
    if (isTerminplanError(e)) return e
    throw e
  }
  throw new Error('expected a TerminplanError')
}

const weekly = (extra: string[] = []) => [
  'UID:shift',
  'DTSTART;TZID=Europe/Berlin:20260302T080000',
  'DTEND;TZID=Europe/Berlin:20260302T160000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO,WE',
  ...extra,
]

describe('iCalendar import: recurrence', () => {
  it('turns a weekly RRULE into one weekly shift spanning the range, wall times kept across the DST change', () => {
    const r = importStaffAvailability(cal([weekly()]), base())
    expect(r.shifts).toEqual([{ weekdays: [1, 3], validFrom: '2026-03-01', validTo: '2026-04-12', from: '08:00', to: '16:00', breaks: [] }])
    expect(r.absences).toEqual([])
    expect(r.warnings).toEqual([])
  })

  it('honours EXDATE, also one given in UTC for a TZID series', () => {
    const r = importStaffAvailability(cal([weekly(['EXDATE;TZID=Europe/Berlin:20260311T080000', 'EXDATE:20260401T060000Z'])]), base())
    // Wednesdays 03-04 alone, then 03-18 … 03-25, then 04-08 (04-01 excluded; it is CEST: 06:00Z = 08:00).
    const wed = r.shifts.filter((s) => s.weekdays?.includes(3) || (s.date && new Date(`${s.date}T00:00:00Z`).getUTCDay() === 3))
    expect(wed).toEqual([
      { weekdays: [3], validFrom: '2026-03-18', validTo: '2026-03-25', from: '08:00', to: '16:00', breaks: [] },
      { date: '2026-03-04', from: '08:00', to: '16:00', breaks: [] },
      { date: '2026-04-08', from: '08:00', to: '16:00', breaks: [] },
    ])
    expect(r.shifts.find((s) => s.weekdays?.includes(1))).toEqual({ weekdays: [1], validFrom: '2026-03-01', validTo: '2026-04-12', from: '08:00', to: '16:00', breaks: [] })
  })

  it('applies RECURRENCE-ID exceptions: moved, and cancelled', () => {
    const moved = ['UID:shift', 'RECURRENCE-ID;TZID=Europe/Berlin:20260316T080000', 'DTSTART;TZID=Europe/Berlin:20260316T100000', 'DTEND;TZID=Europe/Berlin:20260316T180000']
    const cancelled = ['UID:shift', 'RECURRENCE-ID;TZID=Europe/Berlin:20260325T080000', 'DTSTART;TZID=Europe/Berlin:20260325T080000', 'DTEND;TZID=Europe/Berlin:20260325T160000', 'STATUS:CANCELLED']
    const r = importStaffAvailability(cal([weekly(), moved, cancelled]), base())
    expect(r.shifts).toContainEqual({ date: '2026-03-16', from: '10:00', to: '18:00', breaks: [] })
    const dates = expand(r.shifts, '2026-03-01', '2026-04-12')
    expect(dates).not.toContain('2026-03-25 08:00-16:00')
    expect(dates).not.toContain('2026-03-16 08:00-16:00')
    expect(dates).toContain('2026-03-23 08:00-16:00')
    expect(dates.filter((d) => d.startsWith('2026-03-16'))).toEqual(['2026-03-16 10:00-18:00'])
  })

  it('supports COUNT, UNTIL, INTERVAL and RDATE', () => {
    const r = importStaffAvailability(
      cal([
        ['DTSTART;TZID=Europe/Berlin:20260303T090000', 'DTEND;TZID=Europe/Berlin:20260303T120000', 'RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3'],
        ['DTSTART;TZID=Europe/Berlin:20260306T130000', 'DTEND;TZID=Europe/Berlin:20260306T170000', 'RRULE:FREQ=DAILY;UNTIL=20260308T120000Z', 'RDATE;TZID=Europe/Berlin:20260410T130000'],
      ]),
      base(),
    )
    expect(expand(r.shifts, '2026-03-01', '2026-04-12')).toEqual([
      '2026-03-03 09:00-12:00',
      '2026-03-06 13:00-17:00',
      '2026-03-07 13:00-17:00',
      '2026-03-08 13:00-17:00',
      '2026-03-17 09:00-12:00',
      '2026-03-31 09:00-12:00',
      '2026-04-10 13:00-17:00',
    ])
  })

  it('reads only the range: shifts by start date, recurring series from before it', () => {
    const r = importStaffAvailability(
      cal([['DTSTART;TZID=Europe/Berlin:20200106T073000', 'DTEND;TZID=Europe/Berlin:20200106T153000', 'RRULE:FREQ=WEEKLY;BYDAY=MO']]),
      base({ range: { from: '2026-03-04', to: '2026-03-17' } }),
    )
    expect(r.shifts).toEqual([{ weekdays: [1], validFrom: '2026-03-04', validTo: '2026-03-17', from: '07:30', to: '15:30', breaks: [] }])
  })

  it('stops an unbounded fast recurrence at a safety limit with a typed error', () => {
    const e = errorOf(() =>
      importStaffAvailability(cal([['DTSTART:20200101T000000Z', 'DTEND:20200101T000100Z', 'RRULE:FREQ=MINUTELY']]), base({ maxOccurrences: 2_000 })),
    )
    expect(e.code).toBe('IO_FAILED')
    expect(e.issues[0]).toMatchObject({ path: '$.calendars[0].vevent[0]', code: 'too_many_occurrences' })
  })
})

describe('iCalendar import: time zones and DST', () => {
  it('works without a VTIMEZONE for an IANA TZID, and with the file\'s VTIMEZONE for a custom one', () => {
    const vt = [
      'BEGIN:VTIMEZONE',
      'TZID:W. Europe Standard Time',
      'BEGIN:STANDARD',
      'DTSTART:16010101T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ]
    const r = importStaffAvailability(
      cal([['DTSTART;TZID=W. Europe Standard Time:20260330T090000', 'DTEND;TZID=W. Europe Standard Time:20260330T170000', 'RRULE:FREQ=DAILY;COUNT=1']], vt),
      base(),
    )
    expect(r.shifts).toEqual([{ date: '2026-03-30', from: '09:00', to: '17:00', breaks: [] }])
  })

  it('converts UTC and other zones to the scenario zone: a UTC series moves by an hour at the DST change', () => {
    const r = importStaffAvailability(
      cal([
        ['DTSTART:20260323T070000Z', 'DTEND:20260323T150000Z', 'RRULE:FREQ=WEEKLY;COUNT=2'],
        ['DTSTART;TZID=America/New_York:20260310T030000', 'DTEND;TZID=America/New_York:20260310T070000'],
      ]),
      base(),
    )
    expect(expand(r.shifts, '2026-03-01', '2026-04-12')).toEqual(['2026-03-10 08:00-12:00', '2026-03-23 08:00-16:00', '2026-03-30 09:00-17:00'])
  })

  it('reads floating times as the scenario zone', () => {
    const r = importStaffAvailability(cal([['DTSTART:20260305T080000', 'DTEND:20260305T120000']]), base())
    expect(r.shifts).toEqual([{ date: '2026-03-05', from: '08:00', to: '12:00', breaks: [] }])
  })

  it('gives every instance of a series the exact duration of the first (RFC 5545), also across DST', () => {
    // 22:00–06:00 over the spring-forward night lasts 7 hours, so every instance does.
    const r = importStaffAvailability(
      cal([['DTSTART;TZID=Europe/Berlin:20260328T220000', 'DTEND;TZID=Europe/Berlin:20260329T060000', 'RRULE:FREQ=DAILY;COUNT=3']]),
      base(),
    )
    expect(expand(r.shifts, '2026-03-01', '2026-04-12')).toEqual(['2026-03-28 22:00-06:00', '2026-03-29 22:00-05:00', '2026-03-30 22:00-05:00'])
    // An 8-hour night shift keeps 8 real hours on the night the clocks go forward: 22:00–07:00.
    const n = importStaffAvailability(
      cal([['DTSTART;TZID=Europe/Berlin:20260327T220000', 'DTEND;TZID=Europe/Berlin:20260328T060000', 'RRULE:FREQ=DAILY;COUNT=3']]),
      base(),
    )
    expect(expand(n.shifts, '2026-03-01', '2026-04-12')).toEqual(['2026-03-27 22:00-06:00', '2026-03-28 22:00-07:00', '2026-03-29 22:00-06:00'])
    // DURATION: days are nominal, hours exact.
    const d = importStaffAvailability(
      cal([['DTSTART;TZID=Europe/Berlin:20260328T220000', 'DURATION:PT8H', 'RRULE:FREQ=DAILY;COUNT=2']]),
      base(),
    )
    expect(expand(d.shifts, '2026-03-01', '2026-04-12')).toEqual(['2026-03-28 22:00-07:00', '2026-03-29 22:00-06:00'])
  })

  it('moves a wall time inside the spring-forward gap forward, as the engine does', () => {
    const r = importStaffAvailability(cal([['DTSTART;TZID=Europe/Berlin:20260329T023000', 'DTEND;TZID=Europe/Berlin:20260329T060000']]), base())
    expect(r.shifts).toEqual([{ date: '2026-03-29', from: '03:30', to: '06:00', breaks: [] }])
  })

  it('rejects an unknown TZID without VTIMEZONE, naming the calendar', () => {
    const e = errorOf(() => importStaffAvailability(cal([['DTSTART;TZID=Mars/Olympus:20260305T080000', 'DTEND;TZID=Mars/Olympus:20260305T120000']]), base()))
    expect(e.code).toBe('IO_FAILED')
    expect(e.issues[0]).toMatchObject({ path: '$.calendars[0]', code: 'unknown_timezone' })
  })
})

describe('iCalendar import: absences, breaks, classification', () => {
  it('reads all-day events as whole-day absences (DTEND exclusive), clipped to the range and merged', () => {
    const r = importStaffAvailability(
      cal([
        ['DTSTART;VALUE=DATE:20260323', 'DTEND;VALUE=DATE:20260328', 'SUMMARY:Urlaub'],
        ['DTSTART;VALUE=DATE:20260328', 'SUMMARY:Urlaub'],
        ['DTSTART;VALUE=DATE:20260225', 'DTEND;VALUE=DATE:20260303'],
        ['DTSTART;VALUE=DATE:20260410', 'DTEND;VALUE=DATE:20260420'],
      ]),
      base(),
    )
    expect(r.absences).toEqual([
      { from: '2026-03-01', to: '2026-03-02' },
      { from: '2026-03-23', to: '2026-03-28' },
      { from: '2026-04-10', to: '2026-04-12' },
    ])
  })

  it('copies absence reasons only when asked (they may be health data)', () => {
    const ics = cal([['DTSTART;VALUE=DATE:20260323', 'SUMMARY:Krank'], ['DTSTART;TZID=Europe/Berlin:20260305T100000', 'DTEND;TZID=Europe/Berlin:20260305T120000', 'CATEGORIES:Abwesenheit', 'SUMMARY:Arzt']])
    expect(JSON.stringify(importStaffAvailability(ics, base()))).not.toMatch(/Krank|Arzt/)
    const r = importStaffAvailability(ics, base({ reasons: true }))
    expect(r.absences).toEqual([
      { from: '2026-03-05T10:00:00+01:00', to: '2026-03-05T12:00:00+01:00', reason: 'Arzt' },
      { from: '2026-03-23', to: '2026-03-23', reason: 'Krank' },
    ])
  })

  it('attaches breaks to the shift around them and warns about stray ones', () => {
    const r = importStaffAvailability(
      cal([
        weekly(),
        ['DTSTART;TZID=Europe/Berlin:20260302T120000', 'DTEND;TZID=Europe/Berlin:20260302T123000', 'RRULE:FREQ=WEEKLY;BYDAY=MO', 'CATEGORIES:Pause'],
        ['DTSTART;TZID=Europe/Berlin:20260303T120000', 'DTEND;TZID=Europe/Berlin:20260303T123000', 'X-TERMINPLAN-KIND:break'],
      ]),
      base(),
    )
    expect(r.shifts).toEqual([
      { weekdays: [1], validFrom: '2026-03-01', validTo: '2026-04-12', from: '08:00', to: '16:00', breaks: [{ from: '12:00', to: '12:30' }] },
      { weekdays: [3], validFrom: '2026-03-01', validTo: '2026-04-12', from: '08:00', to: '16:00', breaks: [] },
    ])
    expect(r.warnings).toEqual([expect.objectContaining({ path: '$.calendars[0].vevent[2]', code: 'break_outside_shift' })])
  })

  it('classifies by X-TERMINPLAN-KIND, CATEGORIES, TRANSP and STATUS, or by a custom rule', () => {
    const ics = cal([
      ['DTSTART;TZID=Europe/Berlin:20260302T080000', 'DTEND;TZID=Europe/Berlin:20260302T120000', 'X-TERMINPLAN-KIND:absence'],
      ['DTSTART;TZID=Europe/Berlin:20260303T080000', 'DTEND;TZID=Europe/Berlin:20260303T120000', 'CATEGORIES:Team,Fortbildung'],
      ['DTSTART;TZID=Europe/Berlin:20260304T080000', 'DTEND;TZID=Europe/Berlin:20260304T120000', 'TRANSP:TRANSPARENT'],
      ['DTSTART;TZID=Europe/Berlin:20260305T080000', 'DTEND;TZID=Europe/Berlin:20260305T120000', 'STATUS:CANCELLED'],
      ['DTSTART;TZID=Europe/Berlin:20260306T080000', 'DTEND;TZID=Europe/Berlin:20260306T120000', 'SUMMARY:Dienst'],
      ['DTSTART;VALUE=DATE:20260309', 'CATEGORIES:Schicht'],
    ])
    const e = errorOf(() => importStaffAvailability(ics, base()))
    expect(e.issues).toEqual([expect.objectContaining({ path: '$.calendars[0].vevent[5]', code: 'shift_without_times' })])
    const r = importStaffAvailability(ics, base({ classify: (i) => (i.allDay ? 'ignore' : undefined) }))
    expect(r.shifts).toEqual([{ date: '2026-03-06', from: '08:00', to: '12:00', breaks: [] }])
    expect(r.absences).toEqual([
      { from: '2026-03-02T08:00:00+01:00', to: '2026-03-02T12:00:00+01:00' },
      { from: '2026-03-03T08:00:00+01:00', to: '2026-03-03T12:00:00+01:00' },
    ])
  })

  it('rejects shifts of 24 hours or more, listing every problem at once', () => {
    const e = errorOf(() =>
      importStaffAvailability(
        cal([
          ['DTSTART;TZID=Europe/Berlin:20260302T080000', 'DTEND;TZID=Europe/Berlin:20260303T090000'],
          ['DTSTART;TZID=Europe/Berlin:20260304T080000', 'DTEND;TZID=Europe/Berlin:20260304T080000'],
        ]),
        base(),
      ),
    )
    expect(e.issues.map((i) => [i.path, i.code])).toEqual([
      ['$.calendars[0].vevent[0]', 'shift_too_long'],
      ['$.calendars[0].vevent[1]', 'empty_event'],
    ])
  })

  it('rejects text that is not iCalendar, and bad options, with paths', () => {
    expect(errorOf(() => importStaffAvailability('hello', base())).issues[0]).toMatchObject({ path: '$.calendars[0]', code: 'invalid_ics' })
    expect(errorOf(() => importStaffAvailability(['BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n', cal([])], base())).issues[0]).toMatchObject({ path: '$.calendars[0]', code: 'invalid_ics' })
    const opt = errorOf(() => importStaffAvailability(cal([]), base({ range: { from: '2026-03-10', to: '2026-03-01' }, timezone: 'Nowhere/City' })))
    expect(opt.code).toBe('COMMAND_INVALID')
    expect(opt.issues.map((i) => i.path)).toEqual(['$.timezone', '$.range.to'])
  })

  it('reads several calendars at once and stamps an office when asked', () => {
    const r = importStaffAvailability([cal([weekly()]), cal([['DTSTART;VALUE=DATE:20260401']])], base({ office: 'o2' }))
    expect(r.shifts[0].office).toBe('o2')
    expect(r.absences).toEqual([{ from: '2026-04-01', to: '2026-04-01' }])
  })
})

/** Shift occurrences as `date from-to`, by the model's own rules. */
function expand(shifts: ReturnType<typeof importStaffAvailability>['shifts'], from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = next(d)) {
    const wd = ((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7) + 1
    for (const s of shifts) {
      const on = s.date !== undefined ? s.date === d : s.weekdays!.includes(wd) && (s.validFrom ?? '') <= d && d <= (s.validTo ?? '9999')
      if (on) out.push(`${d} ${s.from}-${s.to}`)
    }
  }
  return out.sort()
}
function next(d: string): string {
  const t = new Date(`${d}T00:00:00Z`)
  t.setUTCDate(t.getUTCDate() + 1)
  return t.toISOString().slice(0, 10)
}
