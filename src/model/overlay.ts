/**
 * What-if overlays (issue #6): a JSON document of changes to a scenario — add or remove staff,
 * new opening hours, closures, scaled demand, and the live kinds of live-changes.ts (absences,
 * shifts from a date, service durations). A running scheduler applies the same documents
 * (Scheduler.applyChange). `applyOverlay` is pure: it validates the overlay
 * against the scenario (paths into the overlay, `$.changes[1].office`), applies the changes to a
 * copy in order, and validates the result with `loadScenario`, so what it returns is a complete,
 * valid scenario or it throws a TerminplanError and nothing changed.
 *
 * Rules where a change could mean several things (the README's "What-if overlays" says the same):
 * - Weekdays default to the days the office is open (its opening hours), for every kind.
 * - addStaff: one new staff member per count, ids `<office>-ovl-<n>` (n from 1, skipping used
 *   ids); shifts = the office's opening hours on those weekdays (or the given from/to), no breaks,
 *   no absences; skills = all services the office offers, or `skills`, or those of `like`.
 * - removeStaff with `count`: on each weekday, the `count` staff with the highest ids (shorter id
 *   first, then by code unit, as everywhere in the engine) among those with a shift at the office
 *   that weekday lose their shifts there that weekday; with `staff`, the named ones do. Staff
 *   records stay (with fewer or no shifts), so appointments that name them remain valid.
 * - openingHours: replaces the weekly hours for the whole horizon. With `shifts: 'adjust'`
 *   (default), on each weekday whose span (first opening to last closing) changes, staff shifts
 *   at the office are moved with it: a shift that started at or before the old opening starts at
 *   the new opening, one that ended at or after the old closing ends at the new closing, all
 *   others are clipped to the new span; a shift left empty, or on a weekday the office no longer
 *   opens, is dropped for that weekday. Breaks are clipped to the new shift. Night shifts and
 *   weekdays the office did not open before are left alone: new opening days get no staff.
 * - close: adds a closure (reason defaults to the overlay's name).
 * - scaleDemand: multiplies `count` of the matching demand entries (no rounding); a district
 *   filter matches only entries that name a district.
 * - overbook: adds overbooking staff per office (ids `<office>-overbook-<n>`); see overbooking.ts.
 */
import { z } from 'zod'
import { overbook, OverbookChangeSchema } from './overbooking.js'
import { expandShifts, horizonDates, breakMinutes, shiftEndMinutes } from './calendar.js'
import { TerminplanError, type ValidationIssue } from './errors.js'
import { MAX_REPORTED_ISSUES, loadScenario, zodIssues } from './load.js'
import {
  IdSchema,
  LocalDateSchema,
  OpeningHoursSchema,
  TimeOfDaySchema,
  WeekdaySchema,
  type Office,
  type OpeningHours,
  type Scenario,
  type Shift,
  type Staff,
} from './schema.js'
import { addDays, fmtHm, isoWeekday, parseTimeOfDay } from './tz.js'
import { AbsenceChangeSchema, ServiceDurationChangeSchema, ShiftsChangeSchema, absence, issue, serviceDuration, shifts, type Ctx, type Path } from './live-changes.js'

// ---- schema ----------------------------------------------------------------------------------

const WeekdaysSchema = z
  .array(WeekdaySchema)
  .min(1)
  .max(7)
  .meta({ description: 'ISO weekdays, 1 = Monday … 7 = Sunday; omitted = the days the office is open.' })

const validFrom = LocalDateSchema.optional().meta({ description: 'First date the change applies (inclusive); omitted = from the start.' })
const validTo = LocalDateSchema.optional().meta({ description: 'Last date the change applies (inclusive); omitted = to the end.' })

export const AddStaffChangeSchema = z
  .strictObject({
    kind: z.literal('addStaff'),
    office: IdSchema,
    count: z.int().min(1).max(1000),
    weekdays: WeekdaysSchema.optional(),
    validFrom,
    validTo,
    from: TimeOfDaySchema.optional().meta({ description: 'Shift start; with `to`, instead of the opening hours.' }),
    to: TimeOfDaySchema.optional().meta({ description: 'Shift end, after `from`.' }),
    skills: z.array(IdSchema).min(1).optional().meta({ description: 'Service ids; omitted = every service the office offers.' }),
    like: IdSchema.optional().meta({ description: 'Copy the skills of this staff member.' }),
  })
  .meta({ description: 'New staff at an office: the opening hours (or from/to) on these weekdays.' })

export const RemoveStaffChangeSchema = z
  .strictObject({
    kind: z.literal('removeStaff'),
    office: IdSchema,
    count: z.int().min(1).max(1000).optional().meta({ description: 'Fewer staff on each weekday: those with the highest ids.' }),
    staff: z.array(IdSchema).min(1).optional().meta({ description: 'These staff members instead of a count.' }),
    weekdays: WeekdaysSchema.optional(),
    validFrom,
    validTo,
  })
  .meta({ description: 'Takes staff off their shifts at an office on these weekdays; `count` or `staff`.' })

export const OpeningHoursChangeSchema = z
  .strictObject({
    kind: z.literal('openingHours'),
    office: IdSchema,
    openingHours: z.array(OpeningHoursSchema).min(1, 'an office needs opening hours'),
    shifts: z
      .enum(['adjust', 'keep'])
      .default('adjust')
      .meta({ description: '`adjust`: staff shifts follow the new opening and closing times; `keep`: shifts stay as they are.' }),
  })
  .meta({ description: "Replaces an office's weekly opening hours." })

export const CloseChangeSchema = z
  .strictObject({
    kind: z.literal('close'),
    office: IdSchema,
    from: LocalDateSchema,
    to: LocalDateSchema,
    reason: z.string().max(500).optional(),
  })
  .meta({ description: 'Closes an office from `from` to `to` (inclusive).' })

export const ScaleDemandChangeSchema = z
  .strictObject({
    kind: z.literal('scaleDemand'),
    factor: z.number().min(0).max(1000),
    services: z.array(IdSchema).min(1).optional().meta({ description: 'Only demand for these services.' }),
    districts: z.array(z.string().min(1).max(200)).min(1).optional().meta({ description: 'Only demand of these districts.' }),
  })
  .meta({ description: 'Multiplies forecast demand, all of it or by service and/or district.' })

export const OverlayChangeSchema = z.discriminatedUnion('kind', [
  AddStaffChangeSchema,
  RemoveStaffChangeSchema,
  OpeningHoursChangeSchema,
  CloseChangeSchema,
  ScaleDemandChangeSchema,
  AbsenceChangeSchema,
  ShiftsChangeSchema,
  ServiceDurationChangeSchema,
  OverbookChangeSchema,
])

export const OverlaySchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1, 'must not be empty').max(200),
    description: z.string().max(5000).optional(),
    changes: z.array(OverlayChangeSchema).min(1, 'at least one change').max(10_000),
  })
  .meta({ title: 'terminplan overlay', description: 'A what-if: changes applied to a scenario in order.' })

export type Overlay = z.output<typeof OverlaySchema>
export type OverlayInput = z.input<typeof OverlaySchema>
export type OverlayChange = z.output<typeof OverlayChangeSchema>
export type AddStaffChange = z.output<typeof AddStaffChangeSchema>
export type RemoveStaffChange = z.output<typeof RemoveStaffChangeSchema>
export type OpeningHoursChange = z.output<typeof OpeningHoursChangeSchema>
export type CloseChange = z.output<typeof CloseChangeSchema>
export type ScaleDemandChange = z.output<typeof ScaleDemandChangeSchema>

/** JSON Schema of overlay files, for editors (`schema/overlay.schema.json`). */
export function overlayJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(OverlaySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
}

// ---- helpers ---------------------------------------------------------------------------------

const DAY_NAMES = ['', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays']

/** The engine's id order: shorter first, then by code unit (`x-9` before `x-10`). */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

const minutes = (t: string) => parseTimeOfDay(t)!

/** Opening intervals of one weekday in minutes, sorted and merged where they touch or overlap. */
function openingOn(hours: OpeningHours[], weekday: number): [number, number][] {
  const iv = hours
    .filter((h) => h.weekdays.includes(weekday) && minutes(h.to) > minutes(h.from))
    .map((h): [number, number] => [minutes(h.from), minutes(h.to)])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const out: [number, number][] = []
  for (const [f, t] of iv) {
    const last = out[out.length - 1]
    if (last && f <= last[1]) last[1] = Math.max(last[1], t)
    else out.push([f, t])
  }
  return out
}

/** First opening to last closing on a weekday, or null when closed. */
function spanOn(hours: OpeningHours[], weekday: number): [number, number] | null {
  const iv = openingOn(hours, weekday)
  return iv.length ? [iv[0][0], iv[iv.length - 1][1]] : null
}

function openWeekdays(office: Office): number[] {
  return [1, 2, 3, 4, 5, 6, 7].filter((w) => openingOn(office.openingHours, w).length > 0)
}

const uniqueSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b)

/** Drops keys whose value is undefined, so results read like hand-written JSON. */
function clean<T extends object>(x: T): T {
  for (const k of Object.keys(x) as (keyof T)[]) if (x[k] === undefined) delete x[k]
  return x
}

const lastDay = (s: Scenario) => addDays(s.horizon.start, s.horizon.days - 1)

/** Whether [from, to] (either end open) misses the horizon entirely. */
function outsideHorizon(s: Scenario, from: string | undefined, to: string | undefined): boolean {
  return (from !== undefined && from > lastDay(s)) || (to !== undefined && to < s.horizon.start)
}

const shiftOffice = (p: Staff, sh: Shift) => sh.office ?? p.office

/**
 * A shift without weekday `days` on the dates [a, b] (open ends allowed): a weekly shift splits
 * into up to three pieces (before, during without those days, after); a dated shift goes if its
 * date is one of them.
 */
function withoutDays(sh: Shift, days: ReadonlySet<number>, a: string | undefined, b: string | undefined): Shift[] {
  const inRange = (d: string) => (a === undefined || d >= a) && (b === undefined || d <= b)
  if (sh.date !== undefined) return inRange(sh.date) && days.has(isoWeekday(sh.date)) ? [] : [sh]
  const weekdays = sh.weekdays ?? []
  const keep = weekdays.filter((w) => !days.has(w))
  if (keep.length === weekdays.length) return [sh]
  const lo = a === undefined ? sh.validFrom : sh.validFrom === undefined || sh.validFrom < a ? a : sh.validFrom
  const hi = b === undefined ? sh.validTo : sh.validTo === undefined || sh.validTo > b ? b : sh.validTo
  if (lo !== undefined && hi !== undefined && lo > hi) return [sh] // the shift's own dates miss [a, b]
  const out: Shift[] = []
  if (a !== undefined && (sh.validFrom === undefined || sh.validFrom < a))
    out.push(clean({ ...sh, validTo: addDays(a, -1) }))
  if (keep.length) out.push(clean({ ...sh, weekdays: keep, validFrom: lo, validTo: hi }))
  if (b !== undefined && (sh.validTo === undefined || sh.validTo > b))
    out.push(clean({ ...sh, validFrom: addDays(b, 1) }))
  return out
}

type Adjusted = 'same' | 'drop' | { from: string; to: string; breaks: Shift['breaks'] }

/** A shift's times on one weekday when the office's span there goes from `old` to `neu`. */
function adjustTimes(sh: Shift, old: [number, number] | null, neu: [number, number] | null): Adjusted {
  const f = minutes(sh.from)
  const t = shiftEndMinutes(f, minutes(sh.to))
  if (t > 1440 || old === null) return 'same' // night shifts and newly opened days are left alone
  if (neu !== null && neu[0] === old[0] && neu[1] === old[1]) return 'same'
  if (neu === null) return 'drop'
  const f2 = f <= old[0] ? neu[0] : Math.max(f, neu[0])
  const t2 = t >= old[1] ? neu[1] : Math.min(t, neu[1])
  if (f2 >= t2) return 'drop'
  if (f2 === f && t2 === t) return 'same'
  const breaks = sh.breaks.flatMap((br) => {
    const [bf, bt] = breakMinutes(f, minutes(br.from), minutes(br.to))
    const cf = Math.max(bf, f2), ct = Math.min(bt, t2)
    return cf < ct ? [{ from: fmtHm(cf), to: fmtHm(ct) }] : []
  })
  return { from: fmtHm(f2), to: fmtHm(t2), breaks }
}

function adjustShift(sh: Shift, oldHours: OpeningHours[], newHours: OpeningHours[]): Shift[] {
  if (sh.date !== undefined) {
    const w = isoWeekday(sh.date)
    const r = adjustTimes(sh, spanOn(oldHours, w), spanOn(newHours, w))
    return r === 'same' ? [sh] : r === 'drop' ? [] : [{ ...sh, ...r }]
  }
  // Weekly: weekdays with the same outcome stay together, unchanged ones in the original shift.
  const same: number[] = []
  const groups = new Map<string, { weekdays: number[]; r: Exclude<Adjusted, 'same' | 'drop'> }>()
  for (const w of sh.weekdays ?? []) {
    const r = adjustTimes(sh, spanOn(oldHours, w), spanOn(newHours, w))
    if (r === 'same') same.push(w)
    else if (r !== 'drop') {
      const key = JSON.stringify(r)
      const g = groups.get(key)
      if (g) g.weekdays.push(w)
      else groups.set(key, { weekdays: [w], r })
    }
  }
  if (same.length === (sh.weekdays ?? []).length) return [sh]
  const out: Shift[] = []
  if (same.length) out.push({ ...sh, weekdays: same })
  for (const g of groups.values()) out.push({ ...sh, weekdays: g.weekdays, ...g.r })
  return out
}

// ---- checks and application ----------------------------------------------------------------


/** Problems of one change that need no scenario: field combinations and ranges. */
function changeShapeIssues(ch: OverlayChange, at: Path): ValidationIssue[] {
  const out: ValidationIssue[] = []
  const range = (from: string | undefined, to: string | undefined, toKey: string) => {
    if (from !== undefined && to !== undefined && to < from) out.push(issue([...at, toKey], 'empty_range', `${toKey} (${to}) is before ${from}`))
  }
  switch (ch.kind) {
    case 'addStaff':
      if ((ch.from === undefined) !== (ch.to === undefined)) {
        const missing = ch.from === undefined ? 'from' : 'to'
        out.push(issue([...at, missing], 'missing_field', `give both from and to, or neither (then the opening hours are the shifts)`))
      } else if (ch.from !== undefined && minutes(ch.to!) <= minutes(ch.from))
        out.push(issue([...at, 'to'], 'empty_range', `the shift ends (${ch.to}) before it starts (${ch.from})`))
      range(ch.validFrom, ch.validTo, 'validTo')
      if (ch.skills !== undefined && ch.like !== undefined)
        out.push(issue([...at, 'like'], 'exclusive_fields', 'give skills or like, not both'))
      break
    case 'removeStaff':
      if ((ch.count === undefined) === (ch.staff === undefined))
        out.push(issue(ch.count === undefined ? at : [...at, 'staff'], ch.count === undefined ? 'missing_field' : 'exclusive_fields', 'give count or staff, exactly one'))
      range(ch.validFrom, ch.validTo, 'validTo')
      ch.staff?.forEach((id, j) => {
        const k = ch.staff!.indexOf(id)
        if (k < j) out.push(issue([...at, 'staff', j], 'duplicate_id', `"${id}" is already listed at staff[${k}]`))
      })
      break
    case 'openingHours':
      ch.openingHours.forEach((h, j) => {
        if (minutes(h.to) <= minutes(h.from))
          out.push(issue([...at, 'openingHours', j, 'to'], 'empty_range', `closes (${h.to}) before it opens (${h.from})`))
      })
      break
    case 'close':
      range(ch.from, ch.to, 'to')
      break
    case 'absence':
    case 'shifts':
    case 'serviceDuration':
    case 'scaleDemand':
      break
  }
  return out
}


function findOffice(c: Ctx, id: string): Office | undefined {
  const office = c.s.offices.find((o) => o.id === id)
  if (!office) c.out.push(issue([...c.at, 'office'], 'unknown_reference', `unknown office "${id}"`))
  return office
}

/** Weekdays of a change, checked against the office's opening days when given explicitly. */
function changeWeekdays(c: Ctx, office: Office, weekdays: number[] | undefined): number[] {
  const open = openWeekdays(office)
  if (weekdays === undefined) return open
  weekdays.forEach((w, j) => {
    if (!open.includes(w)) c.out.push(issue([...c.at, 'weekdays', j], 'office_closed', `office "${office.id}" is not open on ${DAY_NAMES[w]}`))
  })
  return uniqueSorted(weekdays)
}

function checkDates(c: Ctx, from: string | undefined, to: string | undefined, fromKey: string): void {
  if (outsideHorizon(c.s, from, to))
    c.out.push(issue([...c.at, fromKey], 'outside_horizon', `the dates ${from ?? '…'}–${to ?? '…'} are outside the horizon ${c.s.horizon.start}–${lastDay(c.s)}`))
}

/** Each change returns a function that applies it (to `c.s`, in place), or null after reporting why not. */
function addStaff(c: Ctx, ch: AddStaffChange): (() => void) | null {
  const n0 = c.out.length
  const office = findOffice(c, ch.office)
  checkDates(c, ch.validFrom, ch.validTo, 'validFrom')
  let like: Staff | undefined
  if (ch.like !== undefined) {
    like = c.s.staff.find((p) => p.id === ch.like)
    if (!like) c.out.push(issue([...c.at, 'like'], 'unknown_reference', `unknown staff member "${ch.like}"`))
  }
  if (!office) return null
  const services = new Set(c.s.services.map((x) => x.id))
  ch.skills?.forEach((id, j) => {
    if (!services.has(id)) c.out.push(issue([...c.at, 'skills', j], 'unknown_reference', `unknown service "${id}"`))
    else if (!office.services.includes(id)) c.out.push(issue([...c.at, 'skills', j], 'not_offered', `office "${office.id}" does not offer service "${id}"`))
  })
  const weekdays = changeWeekdays(c, office, ch.weekdays)
  if (c.out.length > n0) return null
  const dates = clean({ validFrom: ch.validFrom, validTo: ch.validTo })
  const shifts: Shift[] = []
  if (ch.from !== undefined && ch.to !== undefined) shifts.push(clean({ weekdays, ...dates, from: ch.from, to: ch.to, breaks: [] }))
  else {
    // One shift per opening interval; weekdays with the same intervals share it.
    const byHours = new Map<string, { weekdays: number[]; iv: [number, number][] }>()
    for (const w of weekdays) {
      const iv = openingOn(office.openingHours, w)
      const key = JSON.stringify(iv)
      const g = byHours.get(key)
      if (g) g.weekdays.push(w)
      else byHours.set(key, { weekdays: [w], iv })
    }
    for (const g of byHours.values())
      for (const [f, t] of g.iv) shifts.push(clean({ weekdays: g.weekdays, ...dates, from: fmtHm(f), to: fmtHm(t), breaks: [] }))
  }
  const skills = ch.skills ?? like?.skills ?? office.services
  return () => {
    const used = new Set(c.s.staff.map((p) => p.id))
    let n = 0
    for (let k = 0; k < ch.count; k++) {
      let id: string
      do id = `${office.id}-ovl-${++n}`
      while (used.has(id))
      used.add(id)
      c.s.staff.push({ id, office: office.id, skills: [...skills], shifts: structuredClone(shifts), absences: [] })
    }
  }
}

function removeStaff(c: Ctx, ch: RemoveStaffChange): (() => void) | null {
  const n0 = c.out.length
  const office = findOffice(c, ch.office)
  checkDates(c, ch.validFrom, ch.validTo, 'validFrom')
  const named = (ch.staff ?? []).map((id, j) => {
    const p = c.s.staff.find((x) => x.id === id)
    if (!p) c.out.push(issue([...c.at, 'staff', j], 'unknown_reference', `unknown staff member "${id}"`))
    return p
  })
  if (!office || c.out.length > n0) return null
  const weekdays = changeWeekdays(c, office, ch.weekdays)
  if (c.out.length > n0) return null

  // Who works at the office on which weekday, on the horizon's dates in [validFrom, validTo].
  const dates = horizonDates(c.s).filter((d) => (ch.validFrom === undefined || d >= ch.validFrom) && (ch.validTo === undefined || d <= ch.validTo))
  const worksOn = new Map<Staff, Set<number>>()
  for (const p of c.s.staff) {
    if (!p.shifts.some((sh) => shiftOffice(p, sh) === office.id)) continue
    const days = new Set(expandShifts(c.s, p, dates).filter((o) => o.office === office.id).map((o) => isoWeekday(o.date)))
    if (days.size) worksOn.set(p, days)
  }
  const remove = new Map<Staff, Set<number>>()
  const take = (p: Staff, w: number) => {
    const set = remove.get(p) ?? new Set<number>()
    remove.set(p, set.add(w))
  }
  const when = ch.validFrom !== undefined || ch.validTo !== undefined ? ` between ${ch.validFrom ?? 'the start'} and ${ch.validTo ?? 'the end'}` : ''
  if (ch.count !== undefined) {
    for (const w of weekdays) {
      const working = [...worksOn].filter(([, days]) => days.has(w)).map(([p]) => p).sort((a, b) => compareIds(a.id, b.id))
      if (working.length < ch.count)
        c.out.push(issue([...c.at, 'count'], 'not_enough_staff', `only ${working.length} staff work at office "${office.id}" on ${DAY_NAMES[w]}${when}`))
      else for (const p of working.slice(working.length - ch.count)) take(p, w)
    }
  } else {
    named.forEach((p, j) => {
      const days = weekdays.filter((w) => worksOn.get(p!)?.has(w))
      if (!days.length) c.out.push(issue([...c.at, 'staff', j], 'not_working', `staff member "${p!.id}" has no shift at office "${office.id}" on these weekdays${when}`))
      for (const w of days) take(p!, w)
    })
  }
  if (c.out.length > n0) return null
  return () => {
    for (const [p, days] of remove)
      p.shifts = p.shifts.flatMap((sh) => (shiftOffice(p, sh) === office.id ? withoutDays(sh, days, ch.validFrom, ch.validTo) : [sh]))
  }
}

function openingHours(c: Ctx, ch: OpeningHoursChange): (() => void) | null {
  const office = findOffice(c, ch.office)
  if (!office) return null
  return () => {
    const oldHours = office.openingHours
    const newHours = structuredClone(ch.openingHours)
    office.openingHours = newHours
    if (ch.shifts === 'keep') return
    for (const p of c.s.staff)
      if (p.shifts.some((sh) => shiftOffice(p, sh) === office.id))
        p.shifts = p.shifts.flatMap((sh) => (shiftOffice(p, sh) === office.id ? adjustShift(sh, oldHours, newHours) : [sh]))
  }
}

function close(c: Ctx, ch: CloseChange): (() => void) | null {
  const n0 = c.out.length
  const office = findOffice(c, ch.office)
  checkDates(c, ch.from, ch.to, 'from')
  if (!office || c.out.length > n0) return null
  return () => {
    office.closures.push({ from: ch.from, to: ch.to, reason: ch.reason ?? `overlay "${c.name}"` })
  }
}

function scaleDemand(c: Ctx, ch: ScaleDemandChange): (() => void) | null {
  const n0 = c.out.length
  const services = new Set(c.s.services.map((x) => x.id))
  const districts = new Set(c.s.offices.map((o) => o.district))
  ch.services?.forEach((id, j) => {
    if (!services.has(id)) c.out.push(issue([...c.at, 'services', j], 'unknown_reference', `unknown service "${id}"`))
  })
  ch.districts?.forEach((d, j) => {
    if (!districts.has(d)) c.out.push(issue([...c.at, 'districts', j], 'unknown_reference', `no office is in district "${d}"`))
  })
  if (c.out.length > n0) return null
  const matches = (d: Scenario['demand'][number]) =>
    (ch.services === undefined || ch.services.includes(d.service)) &&
    (ch.districts === undefined || (d.district !== undefined && ch.districts.includes(d.district)))
  if (!c.s.demand.some(matches)) {
    c.out.push(issue(c.at, 'no_match', 'no demand entry matches these services and districts'))
    return null
  }
  return () => {
    for (const d of c.s.demand) if (matches(d)) d.count *= ch.factor
  }
}

/**
 * Checks every change against the scenario as the changes before it left it, applying those that
 * pass to `s` (which it mutates; callers pass a copy). Returns all problems found.
 */
function run(s: Scenario, overlay: Overlay): ValidationIssue[] {
  const out: ValidationIssue[] = []
  overlay.changes.forEach((ch, i) => {
    const at: Path = ['changes', i]
    const shape = changeShapeIssues(ch, at)
    out.push(...shape)
    const c: Ctx = { s, name: overlay.name, at, out }
    const apply =
      ch.kind === 'addStaff' ? addStaff(c, ch)
      : ch.kind === 'removeStaff' ? removeStaff(c, ch)
      : ch.kind === 'openingHours' ? openingHours(c, ch)
      : ch.kind === 'close' ? close(c, ch)
      : ch.kind === 'absence' ? absence(c, ch)
      : ch.kind === 'shifts' ? shifts(c, ch)
      : ch.kind === 'serviceDuration' ? serviceDuration(c, ch)
      : ch.kind === 'overbook' ? overbook(c, ch)
      : scaleDemand(c, ch)
    if (apply && shape.length === 0) apply()
  })
  return out
}

// ---- public API --------------------------------------------------------------------------------

function raise(what: string, issues: ValidationIssue[]): never {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES)
  if (issues.length > shown.length)
    shown.push({ path: '$', code: 'too_many_issues', message: `${issues.length - shown.length} more problems not shown` })
  const first = shown[0]
  const msg = `invalid ${what}: ${issues.length} problem${issues.length === 1 ? '' : 's'}, first ${first.path}: ${first.message}`
  throw new TerminplanError('SCENARIO_INVALID', msg, shown)
}

const label = (name: string | undefined, source: string | undefined) =>
  `overlay${name !== undefined ? ` "${name}"` : ''}${source !== undefined ? ` (${source})` : ''}`

/**
 * The problems of `overlay` against `scenario`, each with a path into the overlay; empty when
 * `applyOverlay` would accept it (the result is still checked by `loadScenario` there).
 */
export function overlayIssues(scenario: Scenario, overlay: Overlay): ValidationIssue[] {
  // Overlays built in code get the same shape check as files.
  const parsed = OverlaySchema.safeParse(overlay)
  if (!parsed.success) return zodIssues(parsed.error)
  return run(structuredClone(scenario), parsed.data)
}

/** Throws SCENARIO_INVALID listing every problem of `overlay` against `scenario`. */
export function validateOverlay(scenario: Scenario, overlay: Overlay, source?: string): void {
  const issues = overlayIssues(scenario, overlay)
  if (issues.length) raise(label(overlay.name, source), issues)
}

/**
 * Validates an overlay document (a parsed JSON value): its shape, the field combinations, and,
 * given a scenario, every reference. Throws SCENARIO_INVALID with paths into the overlay.
 */
export function parseOverlay(input: unknown, source?: string, scenario?: Scenario): Overlay {
  const parsed = OverlaySchema.safeParse(input)
  if (!parsed.success) {
    const name = typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' ? (input as { name: string }).name : undefined
    raise(label(name, source), zodIssues(parsed.error))
  }
  const overlay = parsed.data
  const issues = scenario
    ? overlayIssues(scenario, overlay)
    : overlay.changes.flatMap((ch, i) => changeShapeIssues(ch, ['changes', i]))
  if (issues.length) raise(label(overlay.name, source), issues)
  return overlay
}

/** Parses overlay JSON text; syntax errors are reported like any other problem. */
export function parseOverlayJson(text: string, source?: string, scenario?: Scenario): Overlay {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    raise(label(undefined, source), [{ path: '$', code: 'invalid_json', message: `not valid JSON: ${(e as Error).message}` }])
  }
  return parseOverlay(value, source, scenario)
}

/**
 * A new scenario: `scenario` with the overlay's changes applied in order, validated by
 * `loadScenario`; `meta.overlays` lists the names of the overlays applied. Never mutates its
 * arguments. Throws SCENARIO_INVALID naming the overlay: with paths into the overlay when a change
 * does not fit the scenario, with paths into the result when the result breaks a scenario rule
 * (e.g. a shift moved onto another shift of the same person).
 */
export function applyOverlay(scenario: Scenario, overlay: Overlay): Scenario {
  const o = parseOverlay(overlay)
  const s = structuredClone(scenario)
  const issues = run(s, o)
  if (issues.length) raise(label(o.name, undefined), issues)
  const prev = s.meta?.overlays
  s.meta = { ...s.meta, overlays: [...(Array.isArray(prev) ? prev : []), o.name] }
  try {
    return loadScenario(s)
  } catch (e) {
    if (e instanceof TerminplanError)
      throw new TerminplanError(e.code, `${label(o.name, undefined)} gives an ${e.message}`, e.issues)
    throw e
  }
}

/** Applies overlays one after the other; each is checked against the result of those before it. */
export function applyOverlays(scenario: Scenario, overlays: ReadonlyArray<Overlay>): Scenario {
  let s = scenario
  for (const o of overlays) s = applyOverlay(s, o)
  return s === scenario ? structuredClone(scenario) : s
}
