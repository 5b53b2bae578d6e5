/**
 * Scenario rules beyond shape: cross references and consistency. One named function per rule,
 * all listed in `scenarioRules`; each returns the problems it finds with a JSON path.
 */
import type { ValidationIssue } from './errors.js'
import { jsonPath } from './errors.js'
import { absenceInterval, expandShifts, horizonDates, breakMinutes, shiftEndMinutes } from './calendar.js'
import type { Scenario } from './schema.js'
import { addDays, parseTimeOfDay } from './tz.js'

export type ScenarioRule = (s: Scenario) => ValidationIssue[]

const issue = (path: PropertyKey[], code: string, message: string): ValidationIssue => ({ path: jsonPath(path), code, message })

const lastDay = (s: Scenario) => addDays(s.horizon.start, s.horizon.days - 1)
const inHorizon = (s: Scenario, date: string) => date >= s.horizon.start && date <= lastDay(s)

function idSet<T extends { id: string }>(xs: T[]): Set<string> {
  return new Set(xs.map((x) => x.id))
}

export function uniqueIds(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  for (const key of ['services', 'offices', 'staff', 'appointments', 'waitlist'] as const) {
    const seen = new Map<string, number>()
    ;(s[key] as { id: string }[]).forEach((x, i) => {
      const prev = seen.get(x.id)
      if (prev !== undefined) out.push(issue([key, i, 'id'], 'duplicate_id', `id "${x.id}" is already used by ${key}[${prev}]`))
      else seen.set(x.id, i)
    })
  }
  return out
}

export function officeServicesExist(s: Scenario): ValidationIssue[] {
  const services = idSet(s.services)
  const out: ValidationIssue[] = []
  s.offices.forEach((o, i) =>
    o.services.forEach((id, j) => {
      if (!services.has(id)) out.push(issue(['offices', i, 'services', j], 'unknown_reference', `unknown service "${id}"`))
    }),
  )
  return out
}

export function serviceReferencesExist(s: Scenario): ValidationIssue[] {
  const services = idSet(s.services)
  const offices = new Map(s.offices.map((o) => [o.id, o]))
  const out: ValidationIssue[] = []
  s.services.forEach((sv, i) => {
    for (const officeId of Object.keys(sv.officeDurations ?? {})) {
      const o = offices.get(officeId)
      if (!o) out.push(issue(['services', i, 'officeDurations', officeId], 'unknown_reference', `unknown office "${officeId}"`))
      else if (!o.services.includes(sv.id))
        out.push(issue(['services', i, 'officeDurations', officeId], 'not_offered', `office "${officeId}" does not offer service "${sv.id}"`))
    }
    sv.combinable?.forEach((id, j) => {
      if (!services.has(id)) out.push(issue(['services', i, 'combinable', j], 'unknown_reference', `unknown service "${id}"`))
    })
  })
  return out
}

export function unitDividesDurations(s: Scenario): ValidationIssue[] {
  if (s.unitMinutes === undefined) return []
  const u = s.unitMinutes
  const out: ValidationIssue[] = []
  s.services.forEach((sv, i) => {
    if (sv.durationMinutes % u !== 0)
      out.push(issue(['services', i, 'durationMinutes'], 'unit_mismatch', `${sv.durationMinutes} min is not a multiple of unitMinutes ${u}`))
    for (const [officeId, d] of Object.entries(sv.officeDurations ?? {}))
      if (d % u !== 0)
        out.push(issue(['services', i, 'officeDurations', officeId], 'unit_mismatch', `${d} min is not a multiple of unitMinutes ${u}`))
  })
  return out
}

export function openingHoursOrdered(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  s.offices.forEach((o, i) =>
    o.openingHours.forEach((h, j) => {
      if (parseTimeOfDay(h.to)! <= parseTimeOfDay(h.from)!)
        out.push(issue(['offices', i, 'openingHours', j, 'to'], 'empty_range', `closes (${h.to}) before it opens (${h.from})`))
    }),
  )
  return out
}

export function officeDatesOrdered(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  s.offices.forEach((o, i) => {
    o.closures.forEach((c, j) => {
      if (c.to < c.from) out.push(issue(['offices', i, 'closures', j, 'to'], 'empty_range', `closure ends (${c.to}) before it starts (${c.from})`))
    })
    if (o.bookingWindow.maxDays < o.bookingWindow.minDays)
      out.push(issue(['offices', i, 'bookingWindow', 'maxDays'], 'empty_range', 'maxDays is smaller than minDays'))
  })
  return out
}

export function staffReferencesExist(s: Scenario): ValidationIssue[] {
  const services = idSet(s.services)
  const offices = idSet(s.offices)
  const out: ValidationIssue[] = []
  s.staff.forEach((p, i) => {
    if (!offices.has(p.office)) out.push(issue(['staff', i, 'office'], 'unknown_reference', `unknown office "${p.office}"`))
    p.skills.forEach((id, j) => {
      if (!services.has(id)) out.push(issue(['staff', i, 'skills', j], 'unknown_reference', `unknown service "${id}"`))
    })
    p.shifts.forEach((sh, j) => {
      if (sh.office !== undefined && !offices.has(sh.office))
        out.push(issue(['staff', i, 'shifts', j, 'office'], 'unknown_reference', `unknown office "${sh.office}"`))
    })
  })
  return out
}

export function shiftIsWeeklyOrDated(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  s.staff.forEach((p, i) =>
    p.shifts.forEach((sh, j) => {
      const weekly = sh.weekdays !== undefined, dated = sh.date !== undefined
      if (weekly === dated)
        out.push(issue(['staff', i, 'shifts', j], 'shift_kind', 'a shift has either `weekdays` (weekly) or `date` (one day), not both or neither'))
      else if (dated && (sh.validFrom !== undefined || sh.validTo !== undefined))
        out.push(issue(['staff', i, 'shifts', j, sh.validFrom !== undefined ? 'validFrom' : 'validTo'], 'shift_kind', 'validFrom/validTo belong to weekly shifts'))
      if (sh.validFrom !== undefined && sh.validTo !== undefined && sh.validTo < sh.validFrom)
        out.push(issue(['staff', i, 'shifts', j, 'validTo'], 'empty_range', `validTo (${sh.validTo}) is before validFrom (${sh.validFrom})`))
      if (sh.from === sh.to || (sh.from === '00:00' && sh.to === '24:00'))
        out.push(issue(['staff', i, 'shifts', j, 'to'], 'empty_range', 'a shift must not be empty or 24 hours long'))
    }),
  )
  return out
}

export function shiftsInsideHorizon(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  s.staff.forEach((p, i) =>
    p.shifts.forEach((sh, j) => {
      if (sh.date !== undefined && !inHorizon(s, sh.date))
        out.push(issue(['staff', i, 'shifts', j, 'date'], 'outside_horizon', `${sh.date} is outside the horizon ${s.horizon.start}–${lastDay(s)}`))
    }),
  )
  return out
}

export function breaksInsideShift(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  s.staff.forEach((p, i) =>
    p.shifts.forEach((sh, j) => {
      const from = parseTimeOfDay(sh.from)!
      const to = shiftEndMinutes(from, parseTimeOfDay(sh.to)!)
      const spans = sh.breaks.map((b) => breakMinutes(from, parseTimeOfDay(b.from)!, parseTimeOfDay(b.to)!))
      spans.forEach(([bf, bt], k) => {
        if (bf < from || bt > to || bt <= bf)
          out.push(issue(['staff', i, 'shifts', j, 'breaks', k], 'break_outside_shift', `break ${sh.breaks[k].from}–${sh.breaks[k].to} is not inside the shift ${sh.from}–${sh.to}`))
        for (let m = 0; m < k; m++)
          if (bf < spans[m][1] && spans[m][0] < bt)
            out.push(issue(['staff', i, 'shifts', j, 'breaks', k], 'break_overlap', `break overlaps break ${m}`))
      })
    }),
  )
  return out
}

/** One person's overlapping shift pairs (lower index, higher index, first date), each reported once. */
function shiftOverlaps(s: Scenario, p: Scenario['staff'][number], dates: string[]): { a: number; b: number; date: string }[] {
  const occ = expandShifts(s, p, dates).sort((a, b) => a.start - b.start || a.shiftIndex - b.shiftIndex)
  const out: { a: number; b: number; date: string }[] = []
  const reported = new Set<string>()
  let latest = occ[0]
  for (let k = 1; k < occ.length; k++) {
    const cur = occ[k]
    if (cur.start < latest.end) {
      const [a, b] = [Math.min(cur.shiftIndex, latest.shiftIndex), Math.max(cur.shiftIndex, latest.shiftIndex)]
      const key = `${a}/${b}`
      if (!reported.has(key)) {
        reported.add(key)
        out.push({ a, b, date: cur.date })
      }
    }
    if (cur.end > latest.end) latest = cur
  }
  return out
}

/**
 * Overlaps by a person's shifts, zone and horizon: a live change re-validates the whole scenario
 * (every morning's sick calls in a simulation), and expanding every shift over the horizon was
 * most of that; the shifts of almost everyone are unchanged. Bounded, and pure: the same key gives
 * the same answer.
 */
const overlapMemo = new Map<string, { a: number; b: number; date: string }[]>()

/** One person cannot work two shifts at once, at one office or at two. */
export function shiftsDoNotOverlap(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  let dates: string[] | undefined
  s.staff.forEach((p, i) => {
    if (p.shifts.length < 2) return
    const key = `${s.timezone}|${s.horizon.start}|${s.horizon.days}|${p.office}|${JSON.stringify(p.shifts)}`
    let found = overlapMemo.get(key)
    if (!found) {
      found = shiftOverlaps(s, p, (dates ??= horizonDates(s)))
      if (overlapMemo.size >= 50_000) overlapMemo.clear()
      overlapMemo.set(key, found)
    }
    for (const x of found) out.push(issue(['staff', i, 'shifts', x.b], 'shift_overlap', `overlaps shift ${x.a} of the same person on ${x.date}`))
  })
  return out
}

export function absencesOrdered(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  s.staff.forEach((p, i) =>
    p.absences.forEach((a, j) => {
      const iv = absenceInterval(s.timezone, a)
      if (iv.end <= iv.start) out.push(issue(['staff', i, 'absences', j, 'to'], 'empty_range', `absence ends (${a.to}) before it starts (${a.from})`))
    }),
  )
  return out
}

export function demandReferencesExist(s: Scenario): ValidationIssue[] {
  const services = idSet(s.services)
  const offices = new Map(s.offices.map((o) => [o.id, o]))
  const districts = new Set(s.offices.map((o) => o.district))
  const out: ValidationIssue[] = []
  s.demand.forEach((d, i) => {
    if (!services.has(d.service)) out.push(issue(['demand', i, 'service'], 'unknown_reference', `unknown service "${d.service}"`))
    if ((d.date === undefined) === (d.weekday === undefined))
      out.push(issue(['demand', i], 'demand_kind', 'demand has either `date` or `weekday`, not both or neither'))
    if (d.date !== undefined && !inHorizon(s, d.date))
      out.push(issue(['demand', i, 'date'], 'outside_horizon', `${d.date} is outside the horizon ${s.horizon.start}–${lastDay(s)}`))
    if (d.district !== undefined && !districts.has(d.district))
      out.push(issue(['demand', i, 'district'], 'unknown_reference', `no office is in district "${d.district}"`))
    d.offices?.forEach((id, j) => {
      const o = offices.get(id)
      if (!o) out.push(issue(['demand', i, 'offices', j], 'unknown_reference', `unknown office "${id}"`))
      else if (!o.services.includes(d.service))
        out.push(issue(['demand', i, 'offices', j], 'not_offered', `office "${id}" does not offer service "${d.service}"`))
    })
  })
  return out
}

/** Problems of a service list (unknown ids, too many, max quantity, not combinable); used for commands too. */
const serviceMaps = new WeakMap<Scenario, Map<string, Scenario['services'][number]>>()
function servicesById(s: Scenario): Map<string, Scenario['services'][number]> {
  let map = serviceMaps.get(s)
  if (!map) serviceMaps.set(s, (map = new Map(s.services.map((x) => [x.id, x]))))
  return map
}

export function serviceListIssues(s: Scenario, path: PropertyKey[], list: string[]): ValidationIssue[] {
  const services = servicesById(s)
  // The common case, one known service, without building anything (booking hot path).
  if (list.length === 1 && services.has(list[0]) && s.policy.maxServicesPerAppointment >= 1) return []
  const out: ValidationIssue[] = []
  const counts = new Map<string, number>()
  list.forEach((id, j) => {
    if (!services.has(id)) out.push(issue([...path, j], 'unknown_reference', `unknown service "${id}"`))
    counts.set(id, (counts.get(id) ?? 0) + 1)
  })
  if (list.length > s.policy.maxServicesPerAppointment)
    out.push(issue(path, 'too_many_services', `at most ${s.policy.maxServicesPerAppointment} services per appointment`))
  for (const [id, n] of counts) {
    const sv = services.get(id)
    if (sv && n > sv.maxQuantity) out.push(issue(path, 'max_quantity', `service "${id}" at most ${sv.maxQuantity} times per appointment, got ${n}`))
  }
  // A pair combines only if neither side restricts itself against the other.
  const allows = (x: string, y: string) => services.get(x)?.combinable?.includes(y) ?? true
  const distinct = [...counts.keys()].sort()
  for (let i = 0; i < distinct.length; i++)
    for (let j = i + 1; j < distinct.length; j++) {
      const a = distinct[i], b = distinct[j]
      if (!allows(a, b) || !allows(b, a))
        out.push(issue(path, 'not_combinable', `services "${a}" and "${b}" cannot be combined in one appointment`))
    }
  return out
}

export function appointmentReferencesExist(s: Scenario): ValidationIssue[] {
  const offices = new Map(s.offices.map((o) => [o.id, o]))
  const staff = new Map(s.staff.map((p) => [p.id, p]))
  const out: ValidationIssue[] = []
  s.appointments.forEach((a, i) => {
    const o = offices.get(a.office)
    if (!o) out.push(issue(['appointments', i, 'office'], 'unknown_reference', `unknown office "${a.office}"`))
    if (a.staff !== undefined && !staff.has(a.staff))
      out.push(issue(['appointments', i, 'staff'], 'unknown_reference', `unknown staff member "${a.staff}"`))
    out.push(...serviceListIssues(s, ['appointments', i, 'services'], a.services))
    if (o)
      a.services.forEach((id, j) => {
        if (!o.services.includes(id)) out.push(issue(['appointments', i, 'services', j], 'not_offered', `office "${o.id}" does not offer service "${id}"`))
      })
  })
  return out
}

export function waitlistReferencesExist(s: Scenario): ValidationIssue[] {
  const offices = idSet(s.offices)
  const districts = new Set(s.offices.map((o) => o.district))
  const out: ValidationIssue[] = []
  s.waitlist.forEach((w, i) => {
    out.push(...serviceListIssues(s, ['waitlist', i, 'services'], w.services))
    w.offices?.forEach((id, j) => {
      if (!offices.has(id)) out.push(issue(['waitlist', i, 'offices', j], 'unknown_reference', `unknown office "${id}"`))
    })
    if (w.district !== undefined && !districts.has(w.district))
      out.push(issue(['waitlist', i, 'district'], 'unknown_reference', `no office is in district "${w.district}"`))
    if (w.earliest !== undefined && w.latest !== undefined && w.latest < w.earliest)
      out.push(issue(['waitlist', i, 'latest'], 'empty_range', `latest (${w.latest}) is before earliest (${w.earliest})`))
    w.windows?.forEach((win, j) => {
      if (parseTimeOfDay(win.to)! <= parseTimeOfDay(win.from)!)
        out.push(issue(['waitlist', i, 'windows', j, 'to'], 'empty_range', `window ends (${win.to}) before it starts (${win.from})`))
    })
  })
  return out
}

/** One citizen, one entry per need: a second entry for the same services would get a second offer. */
export function oneEntryPerNeed(s: Scenario): ValidationIssue[] {
  const out: ValidationIssue[] = []
  const seen = new Map<string, number>()
  s.waitlist.forEach((w, i) => {
    const key = `${w.citizenId}\u0000${[...w.services].sort().join('\u0000')}`
    const prev = seen.get(key)
    if (prev !== undefined) out.push(issue(['waitlist', i, 'citizenId'], 'already_waiting', `citizen already waits for these services in waitlist[${prev}]`))
    else seen.set(key, i)
  })
  return out
}

/** Districts are those of the offices, listed once, with known and symmetric neighbours. */
export function districtsConsistent(s: Scenario): ValidationIssue[] {
  const known = new Set(s.offices.map((o) => o.district))
  const out: ValidationIssue[] = []
  const byId = new Map<string, Set<string>>()
  s.districts.forEach((d, i) => {
    if (!known.has(d.id)) out.push(issue(['districts', i, 'id'], 'unknown_reference', `no office is in district "${d.id}"`))
    if (byId.has(d.id)) out.push(issue(['districts', i, 'id'], 'duplicate_id', `district "${d.id}" is listed twice`))
    byId.set(d.id, new Set(d.neighbours))
    d.neighbours.forEach((n, j) => {
      if (!known.has(n)) out.push(issue(['districts', i, 'neighbours', j], 'unknown_reference', `no office is in district "${n}"`))
      else if (n === d.id) out.push(issue(['districts', i, 'neighbours', j], 'self_neighbour', 'a district is not its own neighbour'))
    })
  })
  s.districts.forEach((d, i) =>
    d.neighbours.forEach((n, j) => {
      const back = byId.get(n)
      if (back && !back.has(d.id)) out.push(issue(['districts', i, 'neighbours', j], 'asymmetric_neighbours', `"${n}" does not list "${d.id}" as its neighbour`))
    }),
  )
  return out
}

/** All rules, in the order their problems are reported. */
export const scenarioRules: ReadonlyArray<ScenarioRule> = [
  uniqueIds,
  officeServicesExist,
  serviceReferencesExist,
  unitDividesDurations,
  openingHoursOrdered,
  officeDatesOrdered,
  staffReferencesExist,
  shiftIsWeeklyOrDated,
  shiftsInsideHorizon,
  breaksInsideShift,
  shiftsDoNotOverlap,
  absencesOrdered,
  demandReferencesExist,
  appointmentReferencesExist,
  waitlistReferencesExist,
  oneEntryPerNeed,
  districtsConsistent,
]
