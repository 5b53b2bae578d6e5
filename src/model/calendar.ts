/**
 * Turns the scenario's wall-clock rules (weekly opening hours, shifts, breaks, closures, absences)
 * into absolute intervals [start, end) in epoch ms. Used by validation and by compile().
 */
import type { Absence, Office, Scenario, Shift, Staff } from './schema.js'
import { addDays, isValidLocalDate, isoWeekday, parseInstant, parseTimeOfDay, wallToInstant } from './tz.js'

export interface Interval {
  start: number
  end: number
}

export interface ShiftOccurrence extends Interval {
  shiftIndex: number
  date: string
  office: string
  breaks: (Interval & { breakIndex: number })[]
}

export function horizonDates(s: Pick<Scenario, 'horizon'>): string[] {
  const out: string[] = []
  for (let i = 0; i < s.horizon.days; i++) out.push(addDays(s.horizon.start, i))
  return out
}

/** Minutes of a shift's end after the shift date's midnight; `to` ≤ `from` means the next day. */
export function shiftEndMinutes(from: number, to: number): number {
  return to <= from ? to + 1440 : to
}

/** A break's wall times relative to its shift's date: times before the shift start are next-day. */
export function breakMinutes(shiftFrom: number, from: number, to: number): [number, number] {
  const f = from < shiftFrom ? from + 1440 : from
  let t = f >= 1440 ? to + 1440 : to
  if (t <= f) t += 1440
  return [f, t]
}

export function shiftAppliesOn(shift: Shift, date: string): boolean {
  if (shift.date !== undefined) return shift.date === date
  if (!shift.weekdays || !shift.weekdays.includes(isoWeekday(date))) return false
  if (shift.validFrom !== undefined && date < shift.validFrom) return false
  if (shift.validTo !== undefined && date > shift.validTo) return false
  return true
}

/** Every occurrence of every shift of `staff` on the horizon's dates, in shift order then date. */
export function expandShifts(s: Scenario, staff: Staff, dates: string[] = horizonDates(s)): ShiftOccurrence[] {
  const out: ShiftOccurrence[] = []
  staff.shifts.forEach((shift, shiftIndex) => {
    const from = parseTimeOfDay(shift.from)!
    const to = shiftEndMinutes(from, parseTimeOfDay(shift.to)!)
    for (const date of dates) {
      if (!shiftAppliesOn(shift, date)) continue
      const start = wallToInstant(s.timezone, date, from)
      const end = wallToInstant(s.timezone, date, to)
      const breaks = shift.breaks.map((b, breakIndex) => {
        const [bf, bt] = breakMinutes(from, parseTimeOfDay(b.from)!, parseTimeOfDay(b.to)!)
        return { start: wallToInstant(s.timezone, date, bf), end: wallToInstant(s.timezone, date, bt), breakIndex }
      })
      out.push({ shiftIndex, date, office: shift.office ?? staff.office, start, end, breaks })
    }
  })
  return out
}

/** Whether the office is closed all day (closure range or holiday). */
export function officeClosedOn(office: Office, date: string): boolean {
  if (office.holidays.includes(date)) return true
  return office.closures.some((c) => c.from <= date && date <= c.to)
}

/** Opening intervals of `office` on `date`, in the zone; empty on closures and holidays. */
export function openingIntervals(zone: string, office: Office, date: string): Interval[] {
  if (officeClosedOn(office, date)) return []
  const wd = isoWeekday(date)
  const out: Interval[] = []
  for (const h of office.openingHours) {
    if (!h.weekdays.includes(wd)) continue
    const f = parseTimeOfDay(h.from)!, t = parseTimeOfDay(h.to)!
    if (t <= f) continue
    out.push({ start: wallToInstant(zone, date, f), end: wallToInstant(zone, date, t) })
  }
  return out
}

/** An absence as an instant interval: dates are whole local days, inclusive. */
export function absenceInterval(zone: string, a: Absence): Interval {
  const start = isValidLocalDate(a.from) ? wallToInstant(zone, a.from, 0) : parseInstant(a.from)!
  // 24:00 of the last day rather than midnight of the next: same instant, no date past the last one.
  const end = isValidLocalDate(a.to) ? wallToInstant(zone, a.to, 1440) : parseInstant(a.to)!
  return { start, end }
}
