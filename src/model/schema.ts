/**
 * The input model. Each zod schema here is both the TypeScript type (inferred) and the validation;
 * `schema/scenario.schema.json` is generated from `ScenarioSchema`. Checks that need more than one
 * field or cross references live in `rules.ts`, one named function each.
 */
import { z } from 'zod'
import { isValidLocalDate, isValidZone, parseInstant, parseTimeOfDay } from './tz.js'

/** Our own issue codes ride along in zod's `params` so error paths and codes stay ours. */
const withCode = (code: string, message: string) => ({ message, params: { code } })

export const IdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'at most 128 characters')
  .meta({ description: 'An opaque identifier.' })

export const LocalDateSchema = z
  .string()
  .max(10, 'not a calendar date (YYYY-MM-DD)')
  .refine(isValidLocalDate, withCode('invalid_date', 'not a calendar date (YYYY-MM-DD) that exists'))
  .refine((s) => !isValidLocalDate(s) || (s >= '1900-01-01' && s <= '2999-12-31'), withCode('invalid_date', 'year outside 1900–2999'))
  .meta({ description: 'A calendar date, YYYY-MM-DD.', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })

export const TimeOfDaySchema = z
  .string()
  .max(5, 'not a time of day (HH:mm)')
  .refine((s) => parseTimeOfDay(s) !== null, withCode('invalid_time', 'not a time of day (HH:mm between 00:00 and 24:00)'))
  .meta({ description: 'Local wall-clock time, HH:mm; 24:00 is the end of the day.', pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$' })

export const InstantSchema = z
  .string()
  .max(40, 'not an ISO date-time with offset')
  .refine((s) => parseInstant(s) !== null, withCode('invalid_instant', 'not an ISO 8601 date-time with offset, e.g. 2026-12-01T08:00:00+01:00'))
  .meta({ description: 'An instant: ISO 8601 date-time with an offset or Z.' })

export const DateOrInstantSchema = z
  .string()
  .max(40, 'not a date or date-time')
  .refine((s) => isValidLocalDate(s) || parseInstant(s) !== null, withCode('invalid_date', 'not a date (YYYY-MM-DD) or an ISO date-time with offset'))
  .meta({ description: 'A whole local day (YYYY-MM-DD) or an exact instant.' })

export const ZoneSchema = z
  .string()
  .max(64, 'not a time zone')
  .refine(isValidZone, withCode('invalid_zone', 'not an IANA time zone such as Europe/Berlin'))
  .meta({ description: 'IANA time zone.' })

export const WeekdaySchema = z.int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday')

export const TimeRangeSchema = z.strictObject({ from: TimeOfDaySchema, to: TimeOfDaySchema })

/** A recurring local time window, e.g. Mon–Fri 07:30–09:00. No weekdays means every day. */
export const TimeWindowSchema = z.strictObject({
  weekdays: z.array(WeekdaySchema).min(1).max(7).optional(),
  from: TimeOfDaySchema,
  to: TimeOfDaySchema,
})

export const ServiceSchema = z.strictObject({
  id: IdSchema,
  name: z.string().max(500),
  /** Minutes one unit of this service takes, unless an office says otherwise. */
  durationMinutes: z.int().positive('must be a positive number of minutes').max(1440),
  /** Per-office durations (office id → minutes), as offices time services differently. */
  officeDurations: z.record(IdSchema, z.int().positive('must be a positive number of minutes').max(1440)).optional(),
  /** How many of this service one appointment may hold (e.g. passports for a family). */
  maxQuantity: z.int().min(1).max(20).default(1),
  /** Services it may be combined with in one appointment; omitted = any. */
  combinable: z.array(IdSchema).optional(),
})

export const OpeningHoursSchema = z.strictObject({
  weekdays: z.array(WeekdaySchema).min(1).max(7),
  from: TimeOfDaySchema,
  to: TimeOfDaySchema,
})

export const ClosureSchema = z.strictObject({
  from: LocalDateSchema,
  to: LocalDateSchema,
  reason: z.string().max(500).optional(),
})

export const OfficeSchema = z.strictObject({
  id: IdSchema,
  name: z.string().max(500),
  district: z.string().min(1).max(200),
  coordinates: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  openingHours: z.array(OpeningHoursSchema).min(1, 'an office needs opening hours'),
  closures: z.array(ClosureSchema).default([]),
  holidays: z.array(LocalDateSchema).default([]),
  bookingWindow: z
    .strictObject({
      minDays: z.int().min(0).max(3650).default(0),
      maxDays: z.int().min(0).max(3650).default(60),
      /**
       * Release at short notice (Berlin's practice): the time of this share of the office's staff
       * (spread evenly over them in the order listed) is bookable only `days` ahead, the rest over
       * the whole window.
       */
      shortNotice: z.strictObject({ share: z.number().min(0).max(1), days: z.int().min(0).max(3650) }).optional(),
    })
    .default({ minDays: 0, maxDays: 60 }),
  services: z.array(IdSchema).min(1, 'an office must offer at least one service'),
  desks: z.int().min(1).max(1000),
})

/**
 * A shift: either weekly (`weekdays`, optionally bounded by `validFrom`/`validTo`) or on one
 * `date`. A `to` at or before `from` ends on the next day (night shift). Breaks are wall times
 * inside the shift. `office` defaults to the staff member's home office.
 */
export const ShiftSchema = z.strictObject({
  weekdays: z.array(WeekdaySchema).min(1).max(7).optional(),
  date: LocalDateSchema.optional(),
  validFrom: LocalDateSchema.optional(),
  validTo: LocalDateSchema.optional(),
  from: TimeOfDaySchema,
  to: TimeOfDaySchema,
  breaks: z.array(TimeRangeSchema).default([]),
  office: IdSchema.optional(),
})

/** Whole local days (dates, inclusive) or exact instants (end exclusive). */
export const AbsenceSchema = z.strictObject({
  from: DateOrInstantSchema,
  to: DateOrInstantSchema,
  reason: z.string().max(500).optional(),
})

export const StaffSchema = z.strictObject({
  id: IdSchema,
  /** Home office. */
  office: IdSchema,
  /** Service ids this person can serve. */
  skills: z.array(IdSchema).min(1, 'a staff member needs at least one skill'),
  shifts: z.array(ShiftSchema),
  absences: z.array(AbsenceSchema).default([]),
  /**
   * Not a person: bookable time beyond the staff's own, for the expected no-shows (the `overbook`
   * overlay makes these). On the day nobody has them; whoever is free serves their appointments.
   */
  overbooking: z.literal(true).optional(),
})

/** Forecast requests for a service, on a date or on every such weekday, optionally per district. */
export const DemandSchema = z.strictObject({
  service: IdSchema,
  date: LocalDateSchema.optional(),
  weekday: WeekdaySchema.optional(),
  district: z.string().min(1).max(200).optional(),
  /** Offices these citizens accept; omitted = any office offering the service. */
  offices: z.array(IdSchema).optional(),
  count: z.number().min(0).max(1e7).refine(Number.isFinite, 'must be a finite number'),
})

/** Service lists: a repeated id is a quantity (two passports = the id twice). */
export const ServiceListSchema = z.array(IdSchema).min(1, 'at least one service').max(10)

export const AppointmentSchema = z.strictObject({
  id: IdSchema,
  office: IdSchema,
  staff: IdSchema.optional(),
  start: InstantSchema,
  services: ServiceListSchema,
  citizenId: IdSchema.optional(),
})

export const PriorityClassSchema = z.enum(['normal', 'urgent'])

export const WaitlistEntrySchema = z.strictObject({
  id: IdSchema,
  citizenId: IdSchema,
  services: ServiceListSchema,
  /** Acceptable offices; with neither `offices` nor `district`, any office. */
  offices: z.array(IdSchema).min(1).optional(),
  district: z.string().min(1).max(200).optional(),
  windows: z.array(TimeWindowSchema).min(1).max(50).optional(),
  /** Explicit acceptable dates, instead of or on top of windows. */
  dates: z.array(LocalDateSchema).optional(),
  earliest: LocalDateSchema.optional(),
  latest: LocalDateSchema.optional(),
  createdAt: InstantSchema,
  priority: PriorityClassSchema.default('normal'),
})

/** The day of service (check-in, call queue, no-show release); see src/solver/day/. */
export const DayPolicySchema = z.strictObject({
  /** How early before its start an appointment may be checked in. */
  earlyCheckInMinutes: z.int().min(0).max(1440).default(120),
  /** An appointment not checked in this long after its start is a no-show and its remaining time is released. */
  noShowMinutes: z.int().min(0).max(240).default(10),
  /** A walk-in is called only if serving it delays no appointment of that staff member by more than this. */
  walkInMaxDelayMinutes: z.int().min(0).max(240).default(10),
  /** Recorded service times of an office and service list needed before they replace the planned duration in predictions. */
  minSamples: z.int().min(1).max(1000).default(5),
})
export type DayPolicy = z.output<typeof DayPolicySchema>

export const PolicySchema = z.strictObject({
  holdMinutes: z.int().min(1).max(1440).default(10),
  offerMinutes: z.int().min(1).max(10080).default(30),
  /** A cancelled slot stays blocked this long, so slots cannot be handed over by cancel-and-rebook. */
  cancelFreezeMinutes: z.int().min(0).max(10080).default(30),
  /** Share of capacity kept back for the waitlist and the phone channel. */
  waitlistShare: z.number().min(0).max(1).default(0),
  maxServicesPerAppointment: z.int().min(1).max(10).default(3),
  maxActiveAppointmentsPerCitizen: z.int().min(1).max(100).default(3),
  offerMode: z.enum(['sequential', 'broadcast']).default('sequential'),
  broadcastSize: z.int().min(1).max(100).default(3),
  reminderMinutesBefore: z.int().min(0).max(43200).default(1440),
  /** Omitted = the defaults of DayPolicySchema (optional so that scenarios without it keep their hash). */
  dayOfService: DayPolicySchema.optional(),
})

export const HorizonSchema = z.strictObject({
  start: LocalDateSchema,
  days: z.int().min(1, 'at least one day').max(731, 'at most 731 days'),
})

/** A district of the city and its neighbours: who accepts "home district and neighbours" goes where. */
export const DistrictSchema = z.strictObject({
  id: z.string().min(1).max(200),
  neighbours: z.array(z.string().min(1).max(200)).max(200).default([]),
})

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().max(500).optional(),
    /** Source, licence and other notes; not used by the engine. */
    meta: z.record(z.string(), z.unknown()).optional(),
    timezone: ZoneSchema.default('Europe/Berlin'),
    horizon: HorizonSchema,
    /** Grid unit in minutes; default the greatest common divisor of all service durations. */
    unitMinutes: z.int().min(1).max(60).optional(),
    services: z.array(ServiceSchema).min(1, 'at least one service'),
    offices: z.array(OfficeSchema).min(1, 'at least one office'),
    /** Districts and their neighbours (optional; offices name their district in any case). */
    districts: z.array(DistrictSchema).default([]),
    staff: z.array(StaffSchema).default([]),
    demand: z.array(DemandSchema).default([]),
    appointments: z.array(AppointmentSchema).default([]),
    waitlist: z.array(WaitlistEntrySchema).default([]),
    policy: PolicySchema.default(PolicySchema.parse({})),
  })
  .meta({ title: 'terminplan scenario', description: 'Offices, services, staff, demand and bookings of citizen service offices.' })

export type Scenario = z.output<typeof ScenarioSchema>
export type ScenarioInput = z.input<typeof ScenarioSchema>
export type Service = z.output<typeof ServiceSchema>
export type Office = z.output<typeof OfficeSchema>
export type District = z.output<typeof DistrictSchema>
export type OpeningHours = z.output<typeof OpeningHoursSchema>
export type Closure = z.output<typeof ClosureSchema>
export type Staff = z.output<typeof StaffSchema>
export type Shift = z.output<typeof ShiftSchema>
export type Absence = z.output<typeof AbsenceSchema>
export type Demand = z.output<typeof DemandSchema>
export type AppointmentInput = z.output<typeof AppointmentSchema>
export type WaitlistEntry = z.output<typeof WaitlistEntrySchema>
export type WaitlistEntryInput = z.input<typeof WaitlistEntrySchema>
export type Policy = z.output<typeof PolicySchema>
export type TimeWindow = z.output<typeof TimeWindowSchema>
export type PriorityClass = z.output<typeof PriorityClassSchema>
