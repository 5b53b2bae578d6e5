/**
 * ZMS / DLDB exports (locations, services, optional availability) → a valid Scenario.
 *
 * Offices: the selected locations (explicit ids, or every public location whose name matches,
 * default all) that have at least one bookable (`allowed`) service.
 *
 * Services and durations: a location's entry gives the minutes as `duration` (Munich) or as
 * `slots` × the slot time (the `slotTimeInMinutes` of the location's availability rules, else
 * the location's own, else `slotMinutes`, default 10). Berlin's 2018 export leaves `slots` at 0 ("not configured") at most
 * offices while `allowed` is true, so, as in the Berlin example (examples/berlin/README.md):
 * a location **differentiates** when at least half of its bookable services have non-zero slots and
 * those take at least two different values; there a service is offered when allowed and its slots
 * are non-zero, with its own duration; elsewhere every allowed service is offered with the default
 * duration. Entries with an explicit `duration` always count as configured. The default duration
 * of a service: the services file's `duration`, else the most common duration at differentiating
 * offices (ties: the shorter), else the most common non-zero `slots` × slot time anywhere in the
 * locations file, else one slot. `officeDurations` lists the offices that differ from the default.
 * `maxQuantity` and `combinable` come from the services file where it has them.
 *
 * Opening hours, desks, booking window (with availability exports): rules of type `appointment`
 * of the location's scope (`scope.provider.id`, or a `scopes` mapping; `defaultScope` lends one
 * scope's rules to locations without their own). Rules valid on a horizon date apply on it
 * (weekday, `repeat.afterWeeks` counted from the rule's first week, `repeat.weekOfMonth` 1–4 = that
 * week of the month, 5 = the last); if none of a scope's rules reaches the horizon, its latest
 * period is applied to the whole horizon (recorded in `meta.assumptions`). Opening hours are the
 * weekly union of the rules' windows, desks the largest number of workstations (`intern`: all
 * channels) at once, the booking window spans the rules' `bookable` days. Without availability:
 * `defaultHours` (Mon–Fri 08:00–16:00) and `defaultDesks` (1).
 *
 * Staff (`staff: 'desks'`, the default): ZMS has no staff, only workstations; each workstation
 * becomes one pseudo staff member (`<office>-desk-<n>`) with every service of the office and the
 * shifts of the rules it serves, so the scenario's capacity equals ZMS's. `staff: 'none'` leaves
 * staff empty. District: `districts[id]`, else the address's city. Coordinates are kept unless all
 * selected locations share one point (Berlin 2018 anonymised them).
 */
import { TerminplanError, type ValidationIssue } from '../../model/errors.js'
import { loadScenario } from '../../model/load.js'
import type { OpeningHours, Scenario, ScenarioInput } from '../../model/schema.js'
import { addDays, fmtHm, isoWeekday, isValidZone, localDateOf, parseLocalDate, parseTimeOfDay } from '../../model/tz.js'
import { compressShifts, type DatedShift } from '../common/shifts.js'
import {
  ZmsAvailabilityFileSchema,
  ZmsLocationsFileSchema,
  ZmsServicesFileSchema,
  parseZmsFile,
  type ZmsAvailability,
  type ZmsLocation,
  type ZmsService,
} from './formats.js'

export interface ZmsImportOptions {
  /** Parsed JSON of `locations_de.json`. */
  locations: unknown
  /** Parsed JSON of `services_de.json`. */
  services: unknown
  /** Parsed JSON of availability exports (`availabilityList_<scope>.json`), any number. */
  availability?: unknown[]
  horizon: { start: string; days: number }
  timezone?: string
  /** Location ids to import (in this order); default every public location with a bookable service. */
  offices?: string[]
  /** Only locations whose name matches (case-insensitive regular expression). */
  match?: string
  /** Scope id → location id, for availability exports whose scope names no provider. */
  scopes?: Record<string, string>
  /** Scope whose availability applies to locations without their own. */
  defaultScope?: string
  /** Slot time in minutes where the data has none (Berlin 2018). Default 10. */
  slotMinutes?: number
  defaultHours?: OpeningHours[]
  defaultDesks?: number
  staff?: 'desks' | 'none'
  /** Location id → district. */
  districts?: Record<string, string>
  name?: string
  /** File names for `meta.sources`. */
  sources?: string[]
}

export interface ZmsImportReport {
  locations: number
  offices: number
  services: number
  staff: number
  /** Selected locations left out (no bookable service), with the reason. */
  skipped: { id: string; name: string; reason: string }[]
  assumptions: string[]
}

const WEEKDAY_KEYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
export const DEFAULT_HOURS: OpeningHours[] = [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }]

function mode(values: number[]): number {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0]
}

const hm = (s: string) => s.slice(0, 5)

/** A bookable service of a location: slots and, in Munich's exports, minutes. */
export interface ZmsBookableEntry {
  service: string
  slots: number
  duration?: number
}

/** Bookable entries of a location, one per service (an allowed entry wins; then the larger slots). */
function bookable(l: ZmsLocation): ZmsBookableEntry[] {
  const by = new Map<string, ZmsBookableEntry>()
  for (const s of l.services) {
    if (s.appointment?.allowed !== true) continue
    const e: ZmsBookableEntry = { service: s.service, slots: s.appointment?.slots ?? 0 }
    if (s.duration !== undefined) e.duration = s.duration
    const prev = by.get(s.service)
    if (!prev || e.slots > prev.slots) by.set(s.service, e)
  }
  return [...by.values()]
}

/** The Berlin example's rule: most bookable services configured, with at least two different values. */
export function differentiates(entries: ZmsBookableEntry[]): boolean {
  if (entries.length === 0) return false
  if (entries.some((e) => e.duration !== undefined)) return true
  const nonzero = entries.map((e) => e.slots).filter((n) => n > 0)
  return nonzero.length * 2 >= entries.length && new Set(nonzero).size >= 2
}

interface RuleInstance {
  from: number
  to: number
  desks: number
}

/** Whether an availability rule applies on a date (validity unless projected, weekday, repeat). */
function ruleApplies(r: ZmsAvailability, date: string, zone: string, projected: boolean): boolean {
  const wd = isoWeekday(date)
  if (!r.weekday[WEEKDAY_KEYS[wd - 1]]) return false
  const first = localDateOf(zone, r.startDate * 1000)
  if (!projected) {
    const last = localDateOf(zone, r.endDate * 1000)
    if (date < first || date > last) return false
  }
  const after = r.repeat?.afterWeeks ?? 1
  if (after > 1) {
    const monday = (d: string) => Date.parse(`${addDays(d, 1 - isoWeekday(d))}T00:00:00Z`)
    const weeks = Math.round((monday(date) - monday(first)) / (7 * 86_400_000))
    if (((weeks % after) + after) % after !== 0) return false
  }
  const wom = r.repeat?.weekOfMonth ?? 0
  if (wom > 0) {
    const day = parseLocalDate(date)!.day
    const dim = new Date(Date.UTC(parseLocalDate(date)!.year, parseLocalDate(date)!.month, 0)).getUTCDate()
    if (wom >= 5 ? day + 7 <= dim : Math.ceil(day / 7) !== wom) return false
  }
  return true
}

/** Weekly opening hours from per-date windows: union per weekday, weekdays with equal windows grouped. */
function weeklyHours(windows: Map<number, [number, number][]>): OpeningHours[] {
  const merged = new Map<number, [number, number][]>()
  for (const [wd, list] of windows) {
    const sorted = [...list].sort((a, b) => a[0] - b[0])
    const out: [number, number][] = []
    for (const [a, b] of sorted) {
      const last = out[out.length - 1]
      if (last && a <= last[1]) last[1] = Math.max(last[1], b)
      else out.push([a, b])
    }
    merged.set(wd, out)
  }
  const groups = new Map<string, number[]>()
  for (const [wd, list] of [...merged].sort((a, b) => a[0] - b[0])) {
    const key = list.map(([a, b]) => `${a}-${b}`).join(',')
    groups.set(key, [...(groups.get(key) ?? []), wd])
  }
  const hours: OpeningHours[] = []
  for (const [key, weekdays] of groups)
    for (const span of key.split(',')) {
      const [a, b] = span.split('-').map(Number)
      hours.push({ weekdays, from: fmtHm(a), to: fmtHm(b) })
    }
  return hours
}

/** Converts the exports; throws IO_FAILED (bad files) or COMMAND_INVALID (bad options) listing every problem. */
export function importZms(opts: ZmsImportOptions): { scenario: Scenario; report: ZmsImportReport } {
  const zone = opts.timezone ?? 'Europe/Berlin'
  const optIssues: ValidationIssue[] = []
  if (!isValidZone(zone)) optIssues.push({ path: '$.timezone', code: 'invalid_zone', message: `not an IANA time zone: ${zone}` })
  if (!parseLocalDate(opts.horizon.start)) optIssues.push({ path: '$.horizon.start', code: 'invalid_date', message: `not a date: ${opts.horizon.start}` })
  if (!Number.isInteger(opts.horizon.days) || opts.horizon.days < 1 || opts.horizon.days > 731)
    optIssues.push({ path: '$.horizon.days', code: 'invalid_days', message: 'days must be an integer 1–731' })
  const slotDefault = opts.slotMinutes ?? 10
  if (!Number.isInteger(slotDefault) || slotDefault < 1 || slotDefault > 1440) optIssues.push({ path: '$.slotMinutes', code: 'invalid_slot', message: 'slot minutes must be 1–1440' })
  let match: RegExp | undefined
  if (opts.match !== undefined) {
    try {
      match = new RegExp(opts.match, 'i')
    } catch {
      optIssues.push({ path: '$.match', code: 'invalid_pattern', message: `not a regular expression: ${opts.match}` })
    }
  }
  if (optIssues.length) throw new TerminplanError('COMMAND_INVALID', `invalid import options: ${optIssues[0].path}: ${optIssues[0].message}`, optIssues)

  const locations = parseZmsFile(ZmsLocationsFileSchema, opts.locations, 'locations').data
  const servicesFile = parseZmsFile(ZmsServicesFileSchema, opts.services, 'services').data
  const availability: ZmsAvailability[] = []
  ;(opts.availability ?? []).forEach((a, i) => {
    const d = parseZmsFile(ZmsAvailabilityFileSchema, a, `availability[${i}]`).data
    availability.push(...(Array.isArray(d) ? d : Object.values(d)))
  })
  const assumptions: string[] = []
  const dates = Array.from({ length: opts.horizon.days }, (_, i) => addDays(opts.horizon.start, i))
  const horizonEnd = dates[dates.length - 1]

  // ── selection ──
  const byId = new Map(locations.map((l) => [l.id, l]))
  const issues: ValidationIssue[] = []
  let selected: ZmsLocation[]
  if (opts.offices) {
    selected = []
    opts.offices.forEach((id, i) => {
      const l = byId.get(id)
      if (!l) issues.push({ path: `$.offices[${i}]`, code: 'unknown_location', message: `location ${id} is not in the locations export` })
      else selected.push(l)
    })
  } else selected = locations.filter((l) => l.public !== false && (!match || match.test(l.name)))
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `cannot import: ${issues[0].message}`, issues)
  const skipped: ZmsImportReport['skipped'] = []
  const chosen = selected.filter((l) => {
    if (bookable(l).length > 0) return true
    skipped.push({ id: l.id, name: l.name.trim(), reason: 'no bookable (allowed) service' })
    return false
  })
  if (chosen.length === 0)
    throw new TerminplanError('COMMAND_INVALID', 'no location with a bookable service was selected', [{ path: '$.offices', code: 'empty_selection', message: 'no location with a bookable service matches the selection' }])

  // ── availability per location ──
  const scopeToLocation = (r: ZmsAvailability): string | undefined => r.scope.provider?.id ?? opts.scopes?.[r.scope.id]
  const rulesOf = new Map<string, ZmsAvailability[]>()
  const defaultRules = opts.defaultScope !== undefined ? availability.filter((r) => r.scope.id === opts.defaultScope && r.type === 'appointment') : []
  if (opts.defaultScope !== undefined && defaultRules.length === 0)
    throw new TerminplanError('COMMAND_INVALID', `no appointment rules for default scope ${opts.defaultScope}`, [{ path: '$.defaultScope', code: 'unknown_scope', message: `the availability exports have no appointment rules of scope ${opts.defaultScope}` }])
  availability.forEach((r, i) => {
    if (r.type !== 'appointment') return
    const loc = scopeToLocation(r)
    if (loc === undefined) {
      if (r.scope.id !== opts.defaultScope)
        issues.push({ path: `$.availability.rules[${i}].scope`, code: 'unmapped_scope', message: `scope ${r.scope.id} names no location; map it with scopes (--scope ${r.scope.id}=<location id>)` })
      return
    }
    rulesOf.set(loc, [...(rulesOf.get(loc) ?? []), r])
  })
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `cannot import: ${issues[0].message}`, issues)

  interface Availability {
    hours: OpeningHours[]
    desks: number
    bookingWindow: { minDays: number; maxDays: number }
    /** Per desk: dated shifts. */
    deskShifts: DatedShift[][]
    closedAll: boolean
    slotTime?: number
  }
  const projectedNoted = new Set<string>()
  const availabilityOf = (l: ZmsLocation): Availability | null => {
    const own = rulesOf.get(l.id)
    const rules = own ?? (defaultRules.length ? defaultRules : null)
    if (!rules) return null
    const scopeIds = [...new Set(rules.map((r) => r.scope.id))].join(',')
    const reaches = (r: ZmsAvailability) => localDateOf(zone, r.startDate * 1000) <= horizonEnd && localDateOf(zone, r.endDate * 1000) >= opts.horizon.start
    let active = rules.filter(reaches)
    let projected = false
    if (active.length === 0) {
      const latest = Math.max(...rules.map((r) => r.endDate))
      active = rules.filter((r) => r.endDate === latest)
      projected = true
      if (!projectedNoted.has(scopeIds)) {
        projectedNoted.add(scopeIds)
        assumptions.push(
          `availability of scope ${scopeIds} ends ${localDateOf(zone, latest * 1000)}, before the horizon: its last weekly pattern (${active.length} rules) is applied to the whole horizon`,
        )
      }
    }
    const windows = new Map<number, [number, number][]>()
    const deskShifts: DatedShift[][] = []
    let desks = 0
    for (const date of dates) {
      const inst: RuleInstance[] = active
        .filter((r) => ruleApplies(r, date, zone, projected))
        .map((r) => ({ from: parseTimeOfDay(hm(r.startTime)) ?? 0, to: parseTimeOfDay(hm(r.endTime)) ?? 0, desks: Math.max(0, r.workstationCount.intern ?? r.workstationCount.public ?? 0) }))
        .filter((x) => x.to > x.from && x.desks > 0)
        .sort((a, b) => a.from - b.from || a.to - b.to)
      if (inst.length === 0) continue
      const wd = isoWeekday(date)
      windows.set(wd, [...(windows.get(wd) ?? []), ...inst.map((x) => [x.from, x.to] as [number, number])])
      // Interval partitioning: each workstation of each rule gets the lowest desk free at its start.
      const busyUntil: number[] = []
      for (const x of inst)
        for (let k = 0; k < x.desks; k++) {
          let d = busyUntil.findIndex((t) => t <= x.from)
          if (d < 0) d = busyUntil.length
          busyUntil[d] = x.to
          ;(deskShifts[d] ??= []).push({ date, from: fmtHm(x.from), to: fmtHm(x.to), breaks: [] })
        }
      desks = Math.max(desks, busyUntil.length)
    }
    const starts = active.map((r) => r.bookable?.startInDays).filter((x): x is number => x !== undefined)
    const ends = active.map((r) => r.bookable?.endInDays).filter((x): x is number => x !== undefined)
    const slotTimes = active.map((r) => r.slotTimeInMinutes).filter((x): x is number => x !== undefined && x > 0)
    return {
      hours: windows.size ? weeklyHours(windows) : [],
      desks: Math.max(1, desks),
      bookingWindow: { minDays: starts.length ? Math.max(0, Math.min(...starts)) : 0, maxDays: ends.length ? Math.min(3650, Math.max(...ends)) : 60 },
      deskShifts,
      closedAll: windows.size === 0,
      slotTime: slotTimes.length ? mode(slotTimes) : undefined,
    }
  }

  // ── services and durations ──
  const serviceInfo = new Map<string, ZmsService>(servicesFile.map((s) => [s.id, s]))
  const avail = new Map(chosen.map((l) => [l.id, availabilityOf(l)]))
  // The scope's availability rules define the booking grid; the location export's value comes second.
  const slotTimeOf = (l: ZmsLocation) => avail.get(l.id)?.slotTime ?? l.slotTimeInMinutes ?? slotDefault
  const minutesOf = (l: ZmsLocation, e: ZmsBookableEntry) => (e.duration !== undefined && e.duration > 0 ? e.duration : e.slots * slotTimeOf(l))
  /** office → service → minutes, or null for "default duration". */
  const offered = new Map<string, Map<string, number | null>>()
  for (const l of chosen) {
    const entries = bookable(l)
    const diff = differentiates(entries)
    const m = new Map<string, number | null>()
    for (const e of entries) {
      if (diff) {
        const min = minutesOf(l, e)
        if (min > 0) m.set(e.service, min)
      } else m.set(e.service, null)
    }
    if (m.size === 0) skipped.push({ id: l.id, name: l.name.trim(), reason: 'every bookable service has 0 slots at a configured office' })
    else offered.set(l.id, m)
  }
  const offices = chosen.filter((l) => offered.has(l.id))
  if (offices.length === 0) throw new TerminplanError('COMMAND_INVALID', 'no location offers a bookable service with a duration', [{ path: '$.offices', code: 'empty_selection', message: 'no location offers a bookable service with a duration' }])
  const serviceIds = [...new Set(offices.flatMap((l) => [...offered.get(l.id)!.keys()]))].sort((a, b) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0))
  const defaultMinutes = new Map<string, number>()
  const fallbackOneSlot: string[] = []
  for (const id of serviceIds) {
    const fromFile = serviceInfo.get(id)?.duration
    if (fromFile !== undefined && fromFile > 0) {
      defaultMinutes.set(id, fromFile)
      continue
    }
    const specific = offices.map((l) => offered.get(l.id)!.get(id)).filter((v): v is number => typeof v === 'number')
    if (specific.length) {
      defaultMinutes.set(id, mode(specific))
      continue
    }
    const anywhere = locations.flatMap((l) => l.services.filter((s) => s.service === id && (s.appointment?.slots ?? 0) > 0).map((s) => (s.appointment!.slots ?? 0) * slotTimeOf(l)))
    if (anywhere.length) defaultMinutes.set(id, mode(anywhere))
    else {
      defaultMinutes.set(id, slotDefault)
      fallbackOneSlot.push(id)
    }
  }
  if (fallbackOneSlot.length) assumptions.push(`no duration anywhere in the data for ${fallbackOneSlot.length} service(s) (${fallbackOneSlot.slice(0, 10).join(', ')}${fallbackOneSlot.length > 10 ? ', …' : ''}): one slot of ${slotDefault} min`)
  const nonDiff = offices.filter((l) => [...offered.get(l.id)!.values()].every((v) => v === null)).length
  if (nonDiff) assumptions.push(`${nonDiff} of ${offices.length} offices keep slots at 0 or uniform ("not configured"): their services take the default durations`)
  const missingNames = serviceIds.filter((id) => !serviceInfo.has(id))
  if (missingNames.length) assumptions.push(`${missingNames.length} service(s) are not in the services export and are named by id`)

  const included = new Set(serviceIds)
  const services = serviceIds.map((id) => {
    const info = serviceInfo.get(id)
    const officeDurations: Record<string, number> = {}
    for (const l of offices) {
      const v = offered.get(l.id)!.get(id)
      if (typeof v === 'number' && v !== defaultMinutes.get(id)) officeDurations[l.id] = v
    }
    const s: NonNullable<ScenarioInput['services']>[number] = { id, name: (info?.name ?? id).trim().slice(0, 500), durationMinutes: Math.min(1440, defaultMinutes.get(id)!) }
    if (Object.keys(officeDurations).length) s.officeDurations = officeDurations
    if (info?.maxQuantity !== undefined) s.maxQuantity = Math.min(20, Math.max(1, Math.round(info.maxQuantity)))
    if (info?.combinable !== undefined) s.combinable = [...new Set(info.combinable.filter((c) => included.has(c)))]
    return s
  })

  // ── offices and staff ──
  const coords = offices.map((l) => [l.geo?.lat, l.geo?.lon] as const)
  const anonymised = offices.length > 1 && coords.every((c) => c[0] === coords[0][0] && c[1] === coords[0][1])
  if (anonymised) assumptions.push('all selected locations share one coordinate (anonymised export): coordinates omitted')
  let defaulted = 0
  const staff: NonNullable<ScenarioInput['staff']> = []
  const officeList = offices.map((l) => {
    const a = avail.get(l.id)
    const svc = [...offered.get(l.id)!.keys()].sort((x, y) => serviceIds.indexOf(x) - serviceIds.indexOf(y))
    const o: NonNullable<ScenarioInput['offices']>[number] = {
      id: l.id,
      name: l.name.trim().slice(0, 500),
      district: (opts.districts?.[l.id] ?? (typeof l.district === 'string' ? l.district : undefined) ?? l.address?.city ?? 'unknown').trim() || 'unknown',
      openingHours: a && !a.closedAll ? a.hours : (opts.defaultHours ?? DEFAULT_HOURS),
      services: svc,
      desks: a ? a.desks : (opts.defaultDesks ?? 1),
    }
    const [lat, lon] = [l.geo?.lat, l.geo?.lon]
    if (!anonymised && lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0)) o.coordinates = { lat, lon }
    if (a) o.bookingWindow = a.bookingWindow
    if (a?.closedAll) o.closures = [{ from: opts.horizon.start, to: horizonEnd, reason: 'no availability in the export for these dates' }]
    if (!a) defaulted++
    if ((opts.staff ?? 'desks') === 'desks') {
      const range = { from: opts.horizon.start, to: horizonEnd }
      const perDesk: DatedShift[][] = a
        ? a.deskShifts
        : Array.from({ length: o.desks }, () =>
            dates.flatMap((date) => (opts.defaultHours ?? DEFAULT_HOURS).filter((h) => h.weekdays.includes(isoWeekday(date))).map((h) => ({ date, from: h.from, to: h.to, breaks: [] }))),
          )
      perDesk.forEach((list, k) => {
        if (!list || list.length === 0) return
        staff.push({ id: `${l.id}-desk-${k + 1}`, office: l.id, skills: svc, shifts: compressShifts(list, range), absences: [] })
      })
    }
    return o
  })
  if (defaulted) {
    const h = (opts.defaultHours ?? DEFAULT_HOURS).map((x) => `${x.weekdays.join(',')} ${x.from}–${x.to}`).join('; ')
    assumptions.push(`${defaulted} of ${offices.length} offices have no availability export: opening hours ${h}, ${opts.defaultDesks ?? 1} desk(s), booking window 0–60 days`)
  }

  const scenarioInput: ScenarioInput = {
    name: opts.name ?? `ZMS import (${offices.length} offices)`,
    meta: {
      generator: 'terminplan import zms',
      source: 'ZMS/DLDB exports of the open-source appointment system eappointment (it-at-m/eappointment)',
      licence: 'EUPL-1.2 (data)',
      ...(opts.sources ? { sources: opts.sources } : {}),
      assumptions,
    },
    timezone: zone,
    horizon: { start: opts.horizon.start, days: opts.horizon.days },
    services,
    offices: officeList,
    staff,
  }
  const scenario = loadScenario(scenarioInput)
  return {
    scenario,
    report: { locations: locations.length, offices: officeList.length, services: services.length, staff: staff.length, skipped, assumptions },
  }
}
