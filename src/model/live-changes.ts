/**
 * The change kinds that live operation needs beside the what-if ones (overlay.ts): a staff
 * member's absence (a sick call, whole days or from an instant), their shifts replaced from a
 * date (a new roster), and a service's duration (everywhere or at some offices — also the
 * self-service terminal what-if). They are overlay changes like any other, so a planner's
 * what-if and a running scheduler's change are one vocabulary.
 *
 * Rules where a change could mean several things:
 * - absence: appended to the staff member's absences (dates inclusive, instants end-exclusive).
 * - shifts: every shift of the staff member ends the day before `from` (a weekly shift gets
 *   `validTo`, a dated shift on or after `from` is dropped); the given shifts apply from `from`
 *   (their own `validFrom` when later). An empty list takes them off from `from`.
 * - serviceDuration: with `offices`, sets `officeDurations` there; without, the default
 *   `durationMinutes` (per-office durations stay). With `deltaMinutes` instead of `minutes`, the
 *   duration in force changes by that much: at the named offices, or without them the default and
 *   every per-office duration. Existing appointments keep their length.
 */
import { z } from 'zod'
import { absenceInterval } from './calendar.js'
import { jsonPath, type ValidationIssue } from './errors.js'
import { AbsenceSchema, IdSchema, LocalDateSchema, ShiftSchema, type Scenario, type Shift } from './schema.js'
import { addDays } from './tz.js'

export type Path = PropertyKey[]
export const issue = (path: Path, code: string, message: string): ValidationIssue => ({ path: jsonPath(path), code, message })

/** What a change handler sees: the scenario as the changes before it left it, where it is, and where problems go. */
export interface Ctx {
  s: Scenario
  name: string
  at: Path
  out: ValidationIssue[]
}

export const AbsenceChangeSchema = z
  .strictObject({
    kind: z.literal('absence'),
    staff: IdSchema,
    from: AbsenceSchema.shape.from,
    to: AbsenceSchema.shape.to,
    reason: z.string().max(500).optional(),
  })
  .meta({ description: 'A staff member is absent: whole local days (dates, inclusive) or from an instant to an instant (a sick call).' })

export const ShiftsChangeSchema = z
  .strictObject({
    kind: z.literal('shifts'),
    staff: IdSchema,
    from: LocalDateSchema.meta({ description: 'First date the new shifts apply; the old ones end the day before.' }),
    shifts: z.array(ShiftSchema).max(500),
  })
  .meta({ description: "Replaces a staff member's shifts from a date (a new roster)." })

export const ServiceDurationChangeSchema = z
  .strictObject({
    kind: z.literal('serviceDuration'),
    service: IdSchema,
    minutes: z.int().positive('must be a positive number of minutes').max(1440).optional().meta({ description: 'The new duration; or give deltaMinutes.' }),
    deltaMinutes: z
      .int()
      .min(-1440)
      .max(1440)
      .refine((x) => x !== 0, 'must not be 0')
      .optional()
      .meta({ description: 'Minutes added to the duration in force (negative: shorter), at each office; or give minutes.' }),
    offices: z.array(IdSchema).min(1).optional().meta({ description: 'Only at these offices; omitted = the default duration (with deltaMinutes: everywhere).' }),
  })
  .meta({ description: "Sets or changes a service's duration in minutes, by default or at some offices (e.g. self-service terminals shorten it)." })

export type AbsenceChange = z.output<typeof AbsenceChangeSchema>
export type ShiftsChange = z.output<typeof ShiftsChangeSchema>
export type ServiceDurationChange = z.output<typeof ServiceDurationChangeSchema>

type Apply = (() => void) | null

function findStaff(c: Ctx, id: string) {
  const p = c.s.staff.find((x) => x.id === id)
  if (!p) c.out.push(issue([...c.at, 'staff'], 'unknown_reference', `unknown staff member "${id}"`))
  return p
}

export function absence(c: Ctx, ch: AbsenceChange): Apply {
  const p = findStaff(c, ch.staff)
  const a = { from: ch.from, to: ch.to, ...(ch.reason !== undefined ? { reason: ch.reason } : {}) }
  const iv = absenceInterval(c.s.timezone, a)
  if (iv.end <= iv.start) c.out.push(issue([...c.at, 'to'], 'empty_range', `the absence ends (${ch.to}) before it starts (${ch.from})`))
  if (!p || iv.end <= iv.start) return null
  return () => {
    p.absences.push(a)
  }
}

/** A shift cut to end before `from`; null when nothing of it is left. */
function endBefore(sh: Shift, from: string): Shift | null {
  const last = addDays(from, -1)
  if (sh.date !== undefined) return sh.date < from ? sh : null
  if (sh.validFrom !== undefined && sh.validFrom > last) return null
  return sh.validTo !== undefined && sh.validTo <= last ? sh : { ...sh, validTo: last }
}

export function shifts(c: Ctx, ch: ShiftsChange): Apply {
  const n0 = c.out.length
  const p = findStaff(c, ch.staff)
  ch.shifts.forEach((sh, j) => {
    if (sh.office !== undefined && !c.s.offices.some((o) => o.id === sh.office))
      c.out.push(issue([...c.at, 'shifts', j, 'office'], 'unknown_reference', `unknown office "${sh.office}"`))
    if (sh.date !== undefined && sh.date < ch.from) c.out.push(issue([...c.at, 'shifts', j, 'date'], 'empty_range', `the shift's date is before from (${ch.from})`))
    if (sh.validTo !== undefined && sh.validTo < ch.from) c.out.push(issue([...c.at, 'shifts', j, 'validTo'], 'empty_range', `the shift ends before from (${ch.from})`))
  })
  if (!p || c.out.length > n0) return null
  return () => {
    const kept = p.shifts.map((sh) => endBefore(sh, ch.from)).filter((sh): sh is Shift => sh !== null)
    const added = ch.shifts.map((sh) =>
      sh.date !== undefined ? structuredClone(sh) : { ...structuredClone(sh), validFrom: sh.validFrom !== undefined && sh.validFrom > ch.from ? sh.validFrom : ch.from },
    )
    p.shifts = [...kept, ...added]
  }
}

export function serviceDuration(c: Ctx, ch: ServiceDurationChange): Apply {
  const n0 = c.out.length
  const sv = c.s.services.find((x) => x.id === ch.service)
  if (!sv) c.out.push(issue([...c.at, 'service'], 'unknown_reference', `unknown service "${ch.service}"`))
  ch.offices?.forEach((id, j) => {
    const o = c.s.offices.find((x) => x.id === id)
    if (!o) c.out.push(issue([...c.at, 'offices', j], 'unknown_reference', `unknown office "${id}"`))
    else if (!o.services.includes(ch.service)) c.out.push(issue([...c.at, 'offices', j], 'not_offered', `office "${id}" does not offer service "${ch.service}"`))
  })
  if ((ch.minutes === undefined) === (ch.deltaMinutes === undefined))
    c.out.push(issue(ch.minutes === undefined ? c.at : [...c.at, 'deltaMinutes'], ch.minutes === undefined ? 'missing_field' : 'exclusive_fields', 'give minutes or deltaMinutes, exactly one'))
  if (!sv || c.out.length > n0) return null
  if (ch.deltaMinutes !== undefined) return deltaDuration(c, ch, sv, ch.deltaMinutes)
  const minutes = ch.minutes!
  return () => {
    if (!ch.offices) sv.durationMinutes = minutes
    else sv.officeDurations = { ...sv.officeDurations, ...Object.fromEntries(ch.offices.map((id) => [id, minutes])) }
  }
}

/**
 * deltaMinutes: at each named office the duration in force there (its officeDurations entry, else
 * the default) changes by delta; without offices the default and every officeDurations entry do.
 */
function deltaDuration(c: Ctx, ch: ServiceDurationChange, sv: Scenario['services'][number], delta: number): Apply {
  const targets: { office: string | null; now: number }[] = ch.offices
    ? ch.offices.map((id) => ({ office: id, now: sv.officeDurations?.[id] ?? sv.durationMinutes }))
    : [{ office: null, now: sv.durationMinutes }, ...Object.entries(sv.officeDurations ?? {}).map(([id, m]) => ({ office: id, now: m }))]
  const n0 = c.out.length
  for (const t of targets)
    if (t.now + delta < 1 || t.now + delta > 1440)
      c.out.push(issue([...c.at, 'deltaMinutes'], 'out_of_range', `${t.office === null ? 'the default duration' : `the duration at office "${t.office}"`} of "${sv.id}" would be ${t.now + delta} minutes (now ${t.now}); it must stay within 1–1440`))
  if (c.out.length > n0) return null
  return () => {
    const next = { ...sv.officeDurations }
    for (const t of targets) {
      if (t.office === null) sv.durationMinutes = t.now + delta
      else next[t.office] = t.now + delta
    }
    if (Object.keys(next).length) sv.officeDurations = next
  }
}
