/**
 * The ZMS / DLDB export formats (Berlin's and Munich's open-source appointment system,
 * it-at-m/eappointment), as far as the import reads them. Loose objects: exports carry many more
 * fields, and Berlin 2018 and Munich 2026 differ (numbers as strings, `duration` only in Munich).
 */
import { z } from 'zod'
import { TerminplanError, type ValidationIssue } from '../../model/errors.js'
import { zodIssues } from '../../model/load.js'

/** "12" or 12 → 12. */
const Num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'not a number')]).transform(Number)
const Id = z.union([z.string().min(1), z.number()]).transform(String)

export const ZmsLocationServiceSchema = z.looseObject({
  service: Id,
  appointment: z.looseObject({ slots: Num.optional(), allowed: z.boolean().optional() }).optional(),
  /** Minutes (Munich exports); Berlin 2018 has only `slots`. */
  duration: Num.optional(),
})

export const ZmsLocationSchema = z.looseObject({
  id: Id,
  name: z.string(),
  public: z.boolean().optional(),
  address: z.looseObject({ city: z.string().optional(), postal_code: z.union([z.string(), z.number()]).optional(), street: z.string().optional() }).optional(),
  geo: z.looseObject({ lat: Num.optional(), lon: Num.optional() }).optional(),
  slotTimeInMinutes: Num.optional(),
  services: z.array(ZmsLocationServiceSchema).default([]),
})
export type ZmsLocation = z.output<typeof ZmsLocationSchema>

export const ZmsServiceSchema = z.looseObject({
  id: Id,
  name: z.string(),
  maxQuantity: Num.optional(),
  duration: Num.optional(),
  combinable: z.array(Id).optional(),
})
export type ZmsService = z.output<typeof ZmsServiceSchema>

export const ZmsLocationsFileSchema = z.looseObject({ data: z.array(ZmsLocationSchema) })
export const ZmsServicesFileSchema = z.looseObject({ data: z.array(ZmsServiceSchema) })

export const ZmsAvailabilitySchema = z.looseObject({
  id: Id.optional(),
  type: z.string(),
  /** monday…sunday → "0" (not on that day) or the day's bit value. */
  weekday: z.record(z.string(), Num),
  repeat: z.looseObject({ afterWeeks: Num.optional(), weekOfMonth: Num.optional() }).optional(),
  bookable: z.looseObject({ startInDays: Num.optional(), endInDays: Num.optional() }).optional(),
  workstationCount: z.looseObject({ public: Num.optional(), intern: Num.optional(), callcenter: Num.optional() }),
  slotTimeInMinutes: Num.optional(),
  /** Unix seconds of the first and the last day (local midnight). */
  startDate: Num,
  endDate: Num,
  startTime: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'not a time HH:mm[:ss]'),
  endTime: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'not a time HH:mm[:ss]'),
  scope: z.looseObject({ id: Id, provider: z.looseObject({ id: Id }).optional() }),
})
export type ZmsAvailability = z.output<typeof ZmsAvailabilitySchema>

export const ZmsAvailabilityFileSchema = z.looseObject({
  data: z.union([z.array(ZmsAvailabilitySchema), z.record(z.string(), ZmsAvailabilitySchema)]),
})

/** Parses one export file; problems are IO_FAILED issues with paths into that file (`$.locations.data[3]…`). */
export function parseZmsFile<T extends z.ZodType>(schema: T, value: unknown, name: string): z.output<T> {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issues: ValidationIssue[] = zodIssues(r.error).map((i) => ({ ...i, path: `$.${name}${i.path === '$' ? '' : i.path.slice(1)}` }))
  throw new TerminplanError('IO_FAILED', `not a ZMS ${name} export: ${issues[0].path}: ${issues[0].message}`, issues.slice(0, 50))
}
