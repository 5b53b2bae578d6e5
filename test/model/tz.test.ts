/**
 * The time module. Expected instants are written as Date.UTC(...) from the published DST rules:
 * - EU (Europe/Berlin): CET = UTC+1, CEST = UTC+2; clocks change at 01:00 UTC on the last Sunday of
 *   March (2026-03-29: 02:00 CET → 03:00 CEST) and of October (2026-10-25: 03:00 CEST → 02:00 CET).
 * - US (America/New_York): EST = UTC−5, EDT = UTC−4; at 02:00 local on the second Sunday of March
 *   (2026-03-08) and the first Sunday of November (2026-11-01).
 * - Asia/Kolkata: UTC+5:30 all year. America/St_Johns: NST = UTC−3:30 in winter.
 * - Australia/Lord_Howe: UTC+10:30 standard, +11 summer, a 30-minute change at 02:00 local on the
 *   first Sunday of October (2026-10-04, forward) and of April (2026-04-05, back).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DateTime } from 'luxon'
import {
  addDays,
  dateFromEpochDay,
  epochDay,
  fmtHm,
  formatInstant,
  isoWeekday,
  isValidLocalDate,
  isValidZone,
  localDateOf,
  localMinutesOf,
  offsetMinutes,
  parseInstant,
  parseLocalDate,
  parseTimeOfDay,
  startOfLocalDay,
  wallTimeKind,
  wallToInstant,
} from '../../src/model/tz.js'
import { HOUR, MINUTE } from './fixtures.js'

const BERLIN = 'Europe/Berlin'
const NY = 'America/New_York'
const KOLKATA = 'Asia/Kolkata'

/** Length of a local day in hours, from two local midnights. */
const dayHours = (zone: string, date: string) => (startOfLocalDay(zone, addDays(date, 1)) - startOfLocalDay(zone, date)) / HOUR

describe('day lengths (startOfLocalDay)', () => {
  it('Berlin: 2026-03-29 has 23 h, 2026-10-25 has 25 h, the days around them 24 h', () => {
    expect(dayHours(BERLIN, '2026-03-28')).toBe(24)
    expect(dayHours(BERLIN, '2026-03-29')).toBe(23)
    expect(dayHours(BERLIN, '2026-03-30')).toBe(24)
    expect(dayHours(BERLIN, '2026-10-24')).toBe(24)
    expect(dayHours(BERLIN, '2026-10-25')).toBe(25)
    expect(dayHours(BERLIN, '2026-10-26')).toBe(24)
  })

  it('Berlin: local midnights are at the hand-computed UTC instants', () => {
    // Midnight before the spring change is CET (UTC+1), the one after is CEST (UTC+2).
    expect(startOfLocalDay(BERLIN, '2026-03-29')).toBe(Date.UTC(2026, 2, 28, 23, 0))
    expect(startOfLocalDay(BERLIN, '2026-03-30')).toBe(Date.UTC(2026, 2, 29, 22, 0))
    expect(startOfLocalDay(BERLIN, '2026-10-25')).toBe(Date.UTC(2026, 9, 24, 22, 0))
    expect(startOfLocalDay(BERLIN, '2026-10-26')).toBe(Date.UTC(2026, 9, 25, 23, 0))
    // Midsummer and midwinter.
    expect(startOfLocalDay(BERLIN, '2026-07-01')).toBe(Date.UTC(2026, 5, 30, 22, 0))
    expect(startOfLocalDay(BERLIN, '2026-01-01')).toBe(Date.UTC(2025, 11, 31, 23, 0))
  })

  it('New York: 2026-03-08 has 23 h, 2026-11-01 has 25 h', () => {
    expect(dayHours(NY, '2026-03-07')).toBe(24)
    expect(dayHours(NY, '2026-03-08')).toBe(23)
    expect(dayHours(NY, '2026-11-01')).toBe(25)
    // Berlin's change days are ordinary days in New York, and the other way round.
    expect(dayHours(NY, '2026-03-29')).toBe(24)
    expect(dayHours(BERLIN, '2026-03-08')).toBe(24)
    expect(startOfLocalDay(NY, '2026-03-08')).toBe(Date.UTC(2026, 2, 8, 5, 0))
    expect(startOfLocalDay(NY, '2026-03-09')).toBe(Date.UTC(2026, 2, 9, 4, 0))
  })

  it('Kolkata: every day is 24 h and midnight is 18:30 UTC of the previous day', () => {
    for (const d of ['2026-03-29', '2026-10-25', '2026-03-08', '2026-11-01']) expect(dayHours(KOLKATA, d)).toBe(24)
    expect(startOfLocalDay(KOLKATA, '2026-06-01')).toBe(Date.UTC(2026, 4, 31, 18, 30))
  })

  it('Lord Howe: a 30-minute change gives 23.5 h and 24.5 h days', () => {
    expect(dayHours('Australia/Lord_Howe', '2026-10-04')).toBe(23.5)
    expect(dayHours('Australia/Lord_Howe', '2026-04-05')).toBe(24.5)
    expect(dayHours('Australia/Lord_Howe', '2026-10-05')).toBe(24)
  })
})

describe('wallToInstant: nonexistent wall times (spring forward)', () => {
  const at0230 = 2 * 60 + 30

  it("Berlin 2026-03-29 02:30 maps forward to 03:30+02:00 under 'compatible' (the default)", () => {
    const expected = Date.UTC(2026, 2, 29, 1, 30) // 03:30 CEST
    expect(wallToInstant(BERLIN, '2026-03-29', at0230)).toBe(expected)
    expect(wallToInstant(BERLIN, '2026-03-29', at0230, 'compatible')).toBe(expected)
    expect(formatInstant(BERLIN, wallToInstant(BERLIN, '2026-03-29', at0230))).toBe('2026-03-29T03:30:00+02:00')
  })

  it("'later' also lands after the gap, 'earlier' before it (01:30+01:00)", () => {
    expect(wallToInstant(BERLIN, '2026-03-29', at0230, 'later')).toBe(Date.UTC(2026, 2, 29, 1, 30))
    const earlier = wallToInstant(BERLIN, '2026-03-29', at0230, 'earlier')
    expect(earlier).toBe(Date.UTC(2026, 2, 29, 0, 30))
    expect(formatInstant(BERLIN, earlier)).toBe('2026-03-29T01:30:00+01:00')
  })

  it("'reject' throws for a nonexistent wall time", () => {
    expect(() => wallToInstant(BERLIN, '2026-03-29', at0230, 'reject')).toThrow(/nonexistent/)
    expect(wallTimeKind(BERLIN, '2026-03-29', at0230)).toBe('gap')
  })

  it('the gap is exactly [02:00, 03:00): 01:59 and 03:00 exist, 02:00 and 02:59 do not', () => {
    expect(wallToInstant(BERLIN, '2026-03-29', 119, 'reject')).toBe(Date.UTC(2026, 2, 29, 0, 59))
    expect(wallToInstant(BERLIN, '2026-03-29', 180, 'reject')).toBe(Date.UTC(2026, 2, 29, 1, 0))
    expect(wallTimeKind(BERLIN, '2026-03-29', 120)).toBe('gap')
    expect(wallTimeKind(BERLIN, '2026-03-29', 179)).toBe('gap')
    expect(wallTimeKind(BERLIN, '2026-03-29', 119)).toBe('normal')
    expect(wallTimeKind(BERLIN, '2026-03-29', 180)).toBe('normal')
    // 02:00 moves forward by the gap's length to 03:00 CEST, the same instant as 03:00 itself.
    expect(wallToInstant(BERLIN, '2026-03-29', 120)).toBe(Date.UTC(2026, 2, 29, 1, 0))
  })

  it('New York 2026-03-08 02:30 maps to 03:30-04:00', () => {
    const t = wallToInstant(NY, '2026-03-08', at0230)
    expect(t).toBe(Date.UTC(2026, 2, 8, 7, 30))
    expect(formatInstant(NY, t)).toBe('2026-03-08T03:30:00-04:00')
    expect(() => wallToInstant(NY, '2026-03-08', at0230, 'reject')).toThrow(RangeError)
    // The same wall time in Berlin that day is ordinary CET.
    expect(wallToInstant(BERLIN, '2026-03-08', at0230, 'reject')).toBe(Date.UTC(2026, 2, 8, 1, 30))
  })

  it('a wall time past 24:00 counts into the next day, including into its gap', () => {
    // 2026-03-28 + 26:30 = 2026-03-29 02:30, nonexistent → 03:30 CEST.
    expect(wallToInstant(BERLIN, '2026-03-28', 26 * 60 + 30)).toBe(Date.UTC(2026, 2, 29, 1, 30))
    // 2026-10-24 + 30:00 = 2026-10-25 06:00 CET (after the fall change).
    expect(wallToInstant(BERLIN, '2026-10-24', 30 * 60)).toBe(Date.UTC(2026, 9, 25, 5, 0))
    // 24:00 of a day is the next day's midnight.
    expect(wallToInstant(BERLIN, '2026-03-29', 24 * 60)).toBe(startOfLocalDay(BERLIN, '2026-03-30'))
  })
})

describe('wallToInstant: ambiguous wall times (fall back)', () => {
  const at0230 = 2 * 60 + 30

  it('Berlin 2026-10-25 02:30 means the earlier instant (+02:00) by default', () => {
    const t = wallToInstant(BERLIN, '2026-10-25', at0230)
    expect(t).toBe(Date.UTC(2026, 9, 25, 0, 30))
    expect(formatInstant(BERLIN, t)).toBe('2026-10-25T02:30:00+02:00')
    expect(wallToInstant(BERLIN, '2026-10-25', at0230, 'compatible')).toBe(t)
    expect(wallToInstant(BERLIN, '2026-10-25', at0230, 'earlier')).toBe(t)
  })

  it("'later' gives the second 02:30 (+01:00), one hour after the first", () => {
    const t = wallToInstant(BERLIN, '2026-10-25', at0230, 'later')
    expect(t).toBe(Date.UTC(2026, 9, 25, 1, 30))
    expect(formatInstant(BERLIN, t)).toBe('2026-10-25T02:30:00+01:00')
    expect(t - wallToInstant(BERLIN, '2026-10-25', at0230)).toBe(HOUR)
  })

  it("'reject' throws; the repeated hour is exactly [02:00, 03:00)", () => {
    expect(() => wallToInstant(BERLIN, '2026-10-25', at0230, 'reject')).toThrow(/ambiguous/)
    expect(wallTimeKind(BERLIN, '2026-10-25', at0230)).toBe('overlap')
    expect(wallTimeKind(BERLIN, '2026-10-25', 120)).toBe('overlap')
    expect(wallTimeKind(BERLIN, '2026-10-25', 179)).toBe('overlap')
    expect(wallTimeKind(BERLIN, '2026-10-25', 119)).toBe('normal')
    expect(wallTimeKind(BERLIN, '2026-10-25', 180)).toBe('normal')
    expect(wallToInstant(BERLIN, '2026-10-25', 180, 'reject')).toBe(Date.UTC(2026, 9, 25, 2, 0))
    expect(wallToInstant(BERLIN, '2026-10-25', 119, 'reject')).toBe(Date.UTC(2026, 9, 24, 23, 59))
  })

  it('New York 2026-11-01 01:30 is 05:30Z (EDT) by default and 06:30Z (EST) with later', () => {
    expect(wallToInstant(NY, '2026-11-01', 90)).toBe(Date.UTC(2026, 10, 1, 5, 30))
    expect(wallToInstant(NY, '2026-11-01', 90, 'later')).toBe(Date.UTC(2026, 10, 1, 6, 30))
    expect(formatInstant(NY, Date.UTC(2026, 10, 1, 5, 30))).toBe('2026-11-01T01:30:00-04:00')
    expect(formatInstant(NY, Date.UTC(2026, 10, 1, 6, 30))).toBe('2026-11-01T01:30:00-05:00')
  })
})

describe('formatInstant and offsets on both sides of each change', () => {
  it('Berlin spring: 00:59Z is 01:59+01:00, 01:00Z is 03:00+02:00', () => {
    expect(formatInstant(BERLIN, Date.UTC(2026, 2, 29, 0, 59))).toBe('2026-03-29T01:59:00+01:00')
    expect(formatInstant(BERLIN, Date.UTC(2026, 2, 29, 1, 0))).toBe('2026-03-29T03:00:00+02:00')
    expect(offsetMinutes(BERLIN, Date.UTC(2026, 2, 29, 0, 59))).toBe(60)
    expect(offsetMinutes(BERLIN, Date.UTC(2026, 2, 29, 1, 0))).toBe(120)
  })

  it('Berlin autumn: 00:59Z is 02:59+02:00, 01:00Z is 02:00+01:00', () => {
    expect(formatInstant(BERLIN, Date.UTC(2026, 9, 25, 0, 59))).toBe('2026-10-25T02:59:00+02:00')
    expect(formatInstant(BERLIN, Date.UTC(2026, 9, 25, 1, 0))).toBe('2026-10-25T02:00:00+01:00')
  })

  it('New York spring and autumn', () => {
    expect(formatInstant(NY, Date.UTC(2026, 2, 8, 6, 59))).toBe('2026-03-08T01:59:00-05:00')
    expect(formatInstant(NY, Date.UTC(2026, 2, 8, 7, 0))).toBe('2026-03-08T03:00:00-04:00')
    expect(formatInstant(NY, Date.UTC(2026, 10, 1, 5, 59))).toBe('2026-11-01T01:59:00-04:00')
    expect(formatInstant(NY, Date.UTC(2026, 10, 1, 6, 0))).toBe('2026-11-01T01:00:00-05:00')
  })

  it('half-hour offsets, positive and negative', () => {
    expect(formatInstant(KOLKATA, Date.UTC(2026, 5, 1, 3, 30))).toBe('2026-06-01T09:00:00+05:30')
    expect(offsetMinutes(KOLKATA, Date.UTC(2026, 5, 1))).toBe(330)
    expect(wallToInstant(KOLKATA, '2026-06-01', 9 * 60, 'reject')).toBe(Date.UTC(2026, 5, 1, 3, 30))
    // Newfoundland standard time, UTC−3:30: 15:30Z is 12:00 local.
    expect(formatInstant('America/St_Johns', Date.UTC(2026, 0, 15, 15, 30))).toBe('2026-01-15T12:00:00-03:30')
    expect(formatInstant('UTC', Date.UTC(2026, 0, 15, 15, 30))).toBe('2026-01-15T15:30:00+00:00')
  })

  it('localDateOf and localMinutesOf read the wall clock, across the date line of a zone', () => {
    // 23:30Z on 03-28 is 00:30 CET on 03-29 in Berlin, 05:00 on 03-29 in Kolkata, 19:30 EDT on 03-28 in New York.
    const t = Date.UTC(2026, 2, 28, 23, 30)
    expect(localDateOf(BERLIN, t)).toBe('2026-03-29')
    expect(localMinutesOf(BERLIN, t)).toBe(30)
    expect(localDateOf(KOLKATA, t)).toBe('2026-03-29')
    expect(localMinutesOf(KOLKATA, t)).toBe(5 * 60)
    expect(localDateOf(NY, t)).toBe('2026-03-28')
    expect(localMinutesOf(NY, t)).toBe(19 * 60 + 30)
  })
})

describe('parseTimeOfDay', () => {
  it.each([
    ['00:00', 0],
    ['07:05', 425],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('accepts %s as %i minutes', (s, m) => {
    expect(parseTimeOfDay(s)).toBe(m)
  })

  it.each(['24:30', '25:00', '7:00', '7:5', '24:01', '12:60', '1200', ' 08:00', '08:00 ', '08:00:00', '', '-1:00', '08h00'])(
    'rejects %j',
    (s) => {
      expect(parseTimeOfDay(s)).toBeNull()
    },
  )

  it('fmtHm is its inverse on 00:00..24:00', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1440 }), (m) => {
        expect(parseTimeOfDay(fmtHm(m))).toBe(m)
      }),
    )
  })
})

describe('parseLocalDate and calendar arithmetic', () => {
  it('accepts existing dates, including 29 February of leap years', () => {
    expect(parseLocalDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 })
    expect(parseLocalDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 })
    expect(parseLocalDate('2026-12-31')).toEqual({ year: 2026, month: 12, day: 31 })
    expect(parseLocalDate('2026-04-30')).toEqual({ year: 2026, month: 4, day: 30 })
  })

  it.each(['2026-02-29', '1900-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-01-00', '2026-04-31', '2026-1-01', '26-01-01', '2026-01-01T00:00', ''])(
    'rejects %j',
    (s) => {
      expect(parseLocalDate(s)).toBeNull()
      expect(isValidLocalDate(s)).toBe(false)
    },
  )

  it('isoWeekday: 1 = Monday … 7 = Sunday', () => {
    expect(isoWeekday('2026-03-02')).toBe(1) // Monday
    expect(isoWeekday('2026-03-07')).toBe(6)
    expect(isoWeekday('2026-03-29')).toBe(7) // the last Sunday of March
    expect(isoWeekday('2026-10-25')).toBe(7)
    expect(isoWeekday('2028-02-29')).toBe(2)
  })

  it('addDays is calendar arithmetic, unaffected by DST, leap days and year ends', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29')
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01')
    expect(epochDay({ year: 1970, month: 1, day: 2 })).toBe(1)
    expect(dateFromEpochDay(epochDay({ year: 2026, month: 3, day: 29 }))).toBe('2026-03-29')
  })

  it('years before 100 are rejected or computed right, never silently moved to 19xx', () => {
    // Date.UTC maps years 0..99 to 1900..1999. Whether such dates are accepted at all is a policy
    // choice; what is accepted must be calendar-correct.
    for (const [date, next] of [['0099-12-31', '0100-01-01'], ['0050-06-01', '0050-06-02'], ['0026-03-02', '0026-03-03']]) {
      if (parseLocalDate(date) === null) expect(() => addDays(date, 1)).toThrow(RangeError)
      else expect(addDays(date, 1)).toBe(next)
    }
  })
})

describe('parseInstant and isValidZone', () => {
  it('needs an explicit offset and an existing date and time', () => {
    expect(parseInstant('2026-03-29T03:30:00+02:00')).toBe(Date.UTC(2026, 2, 29, 1, 30))
    expect(parseInstant('2026-03-29T01:30Z')).toBe(Date.UTC(2026, 2, 29, 1, 30))
    expect(parseInstant('2026-06-01T09:00:00.250+05:30')).toBe(Date.UTC(2026, 5, 1, 3, 30, 0, 250))
    expect(parseInstant('2026-03-29T03:30:00')).toBeNull()
    expect(parseInstant('2026-02-30T10:00:00Z')).toBeNull()
    expect(parseInstant('2026-03-01T24:00:00Z')).toBeNull()
    expect(parseInstant('2026-03-01T10:60:00Z')).toBeNull()
    expect(parseInstant('2026-03-01T10:00:60Z')).toBeNull()
    expect(parseInstant('2026-03-01')).toBeNull()
  })

  it('knows IANA zones and nothing else', () => {
    expect(isValidZone(BERLIN)).toBe(true)
    expect(isValidZone(KOLKATA)).toBe(true)
    expect(isValidZone('Europe/Berlinn')).toBe(false)
    expect(isValidZone('Mars/Olympus')).toBe(false)
    expect(isValidZone('')).toBe(false)
  })
})

describe('properties', () => {
  const zones = [BERLIN, NY, KOLKATA, 'Australia/Lord_Howe', 'America/St_Johns', 'UTC']
  // Whole minutes from 2025-12-31 to 2027-01-02, so both 2026 changes of every zone are covered.
  const instant = fc.integer({ min: Date.UTC(2025, 11, 31) / MINUTE, max: Date.UTC(2027, 0, 2) / MINUTE }).map((m) => m * MINUTE)

  it('an instant read as wall time maps back to itself (with earlier or later in the repeated hour)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (zone, t) => {
        const date = localDateOf(zone, t)
        const minutes = localMinutesOf(zone, t)
        const earlier = wallToInstant(zone, date, minutes, 'earlier')
        const later = wallToInstant(zone, date, minutes, 'later')
        expect([earlier, later]).toContain(t)
        if (earlier !== later) {
          expect(wallTimeKind(zone, date, minutes)).toBe('overlap')
          expect(later - earlier).toBe(offsetMinutes(zone, earlier) * MINUTE - offsetMinutes(zone, later) * MINUTE)
        } else expect(wallToInstant(zone, date, minutes, 'reject')).toBe(t)
      }),
      { numRuns: 2000 },
    )
  })

  it('formatInstant keeps milliseconds when there are any, and they round-trip', () => {
    expect(formatInstant(BERLIN, Date.UTC(2026, 2, 29, 1, 30, 0, 250))).toBe('2026-03-29T03:30:00.250+02:00')
    expect(formatInstant(BERLIN, Date.UTC(2026, 2, 29, 1, 30, 0, 0))).toBe('2026-03-29T03:30:00+02:00')
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2025, 11, 31), max: Date.UTC(2027, 0, 2) }), (zone, t) => {
        expect(parseInstant(formatInstant(zone, t))).toBe(t)
      }),
      { numRuns: 1000 },
    )
  })

  it('formatInstant round-trips through parseInstant and shows the wall clock', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (zone, t) => {
        const s = formatInstant(zone, t)
        expect(parseInstant(s)).toBe(t)
        expect(s.slice(0, 10)).toBe(localDateOf(zone, t))
        expect(parseTimeOfDay(s.slice(11, 16))).toBe(localMinutesOf(zone, t))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('offsetMinutes cache', () => {
  it('agrees with luxon at every instant, also around transitions and in half-hour zones', () => {
    const zones = ['Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'America/Sao_Paulo']
    // Instants near the transitions of 2026 and random ones over a wide range.
    const near = (zone: string) => {
      const out: number[] = []
      const year = DateTime.fromObject({ year: 2026 }, { zone })
      for (let d = 0; d < 366; d++) {
        const day = year.plus({ days: d })
        if (day.offset === day.plus({ days: 1 }).offset) continue
        for (let h = 0; h < 25; h++) {
          const t = day.plus({ hours: h })
          if (t.offset !== t.plus({ hours: 1 }).offset) for (let k = -90; k <= 150; k += 7) out.push(t.toMillis() + k * 60_000 + 13)
        }
      }
      return out
    }
    let checked = 0
    for (const zone of zones) {
      const instants = near(zone)
      checked += instants.length
      fc.assert(fc.property(fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }), (ms) => offsetMinutes(zone, ms) === DateTime.fromMillis(ms, { zone }).offset), { seed: 7, numRuns: 300 })
      for (const ms of instants) expect(offsetMinutes(zone, ms), `${zone} ${ms}`).toBe(DateTime.fromMillis(ms, { zone }).offset)
    }
    expect(checked).toBeGreaterThan(100)
  })
})
