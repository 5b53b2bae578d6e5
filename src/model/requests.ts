/** Schemas of the commands a booking backend sends; validated like scenarios, with paths. */
import { z } from 'zod'
import { TerminplanError } from './errors.js'
import { isValidLocalDate, parseInstant, parseTimeOfDay } from './tz.js'
import { zodIssues } from './load.js'
import { IdSchema, InstantSchema, LocalDateSchema, ServiceListSchema, TimeWindowSchema, WaitlistEntrySchema, type WaitlistEntry } from './schema.js'

export const SearchRequestSchema = z.strictObject({
  /** 1–3 services (policy max); a repeated id is a quantity. Durations add up. */
  services: ServiceListSchema,
  /** Acceptable offices; omitted = any office offering the services. */
  offices: z.array(IdSchema).min(1).optional(),
  /** First and last acceptable local date (inclusive). */
  from: LocalDateSchema.optional(),
  to: LocalDateSchema.optional(),
  /** The appointment must lie inside one of these local time windows. */
  windows: z.array(TimeWindowSchema).min(1).max(50).optional(),
  citizenId: IdSchema.optional(),
  limit: z.int().min(1).max(1000).default(10),
  /** Always attach an explanation, not only when nothing is found. */
  explain: z.boolean().default(false),
})
export type SearchRequest = z.input<typeof SearchRequestSchema>
export type ParsedSearchRequest = z.output<typeof SearchRequestSchema>

export const SlotSchema = z.strictObject({
  officeId: IdSchema,
  staffId: IdSchema,
  start: InstantSchema,
  end: InstantSchema,
  services: ServiceListSchema,
})
export type Slot = z.output<typeof SlotSchema>

export const ChangeOptionsSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(256).optional(),
})

export const HoldOptionsSchema = z.strictObject({
  citizenId: IdSchema,
  ttlMinutes: z.int().min(1).max(10080).optional(),
})
export type HoldOptions = z.input<typeof HoldOptionsSchema>

export const ConfirmOptionsSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(256).optional(),
})
export type ConfirmOptions = z.input<typeof ConfirmOptionsSchema>

/** Parses a command argument or throws COMMAND_INVALID with paths under `$`. */
export function parseCommand<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issues = zodIssues(r.error)
  throw new TerminplanError('COMMAND_INVALID', `invalid ${what}: ${issues[0].path}: ${issues[0].message}`, issues)
}

/** A join request: like a scenario waitlist entry, but the id and the time of joining may be left to the engine. */
export const JoinWaitlistSchema = WaitlistEntrySchema.extend({
  id: IdSchema.optional(),
  createdAt: InstantSchema.optional(),
})
export type JoinWaitlistRequest = z.input<typeof JoinWaitlistSchema>

export const AcceptOfferOptionsSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(256).optional(),
})
export type AcceptOfferOptions = z.input<typeof AcceptOfferOptionsSchema>

/**
 * Fast paths for the booking hot path: a structural check that accepts only inputs the schema
 * accepts too (a property test keeps them in step). Anything else goes through zod, which says
 * what is wrong and where.
 */
const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 128
const hasOnlyKeys = (o: object, allowed: readonly string[], required: readonly string[]): boolean => {
  const keys = Object.keys(o)
  if (keys.length > allowed.length) return false
  for (const k of keys) if (!allowed.includes(k)) return false
  for (const k of required) if (!(k in o)) return false
  return Object.getPrototypeOf(o) === Object.prototype || Object.getPrototypeOf(o) === null
}
const SLOT_KEYS = ['officeId', 'staffId', 'start', 'end', 'services'] as const

export function isPlainSlot(v: unknown): v is Slot {
  if (typeof v !== 'object' || v === null || !hasOnlyKeys(v, SLOT_KEYS, SLOT_KEYS)) return false
  const s = v as Record<string, unknown>
  if (!isId(s.officeId) || !isId(s.staffId) || typeof s.start !== 'string' || typeof s.end !== 'string') return false
  if (s.start.length > 40 || s.end.length > 40 || parseInstant(s.start) === null || parseInstant(s.end) === null) return false
  const list = s.services
  if (!Array.isArray(list) || list.length < 1 || list.length > 10) return false
  for (const x of list) if (!isId(x)) return false
  return true
}

const SEARCH_KEYS = ['services', 'offices', 'from', 'to', 'windows', 'citizenId', 'limit', 'explain'] as const
const isIdList = (v: unknown, max: number): v is string[] => {
  if (!Array.isArray(v) || v.length < 1 || v.length > max) return false
  for (const x of v) if (!isId(x)) return false
  return true
}

/**
 * A search request parsed without zod: a copy in the schema's key order with its defaults, or
 * null for anything the checks here do not cover, which then goes through zod.
 */
export function plainSearchRequest(v: unknown): ParsedSearchRequest | null {
  if (typeof v !== 'object' || v === null || !hasOnlyKeys(v, SEARCH_KEYS, ['services'])) return null
  const o = v as Record<string, unknown>
  if (!isIdList(o.services, 10)) return null
  if (!optional(o, 'offices', (x) => isIdList(x, Number.MAX_SAFE_INTEGER))) return null
  if (!optional(o, 'from', isLocalDate) || !optional(o, 'to', isLocalDate)) return null
  if (!optional(o, 'citizenId', isId)) return null
  if (!optional(o, 'limit', (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 1000)) return null
  if (!optional(o, 'explain', (x) => typeof x === 'boolean')) return null
  let windows: ReturnType<typeof plainWindows> | undefined
  if (o.windows !== undefined) {
    if ((windows = plainWindows(o.windows)) === null) return null
  } else if ('windows' in o) return null
  // Keys in the schema's order, as zod would give them.
  const out = { services: [...o.services] } as ParsedSearchRequest
  if (o.offices !== undefined) out.offices = [...(o.offices as string[])]
  if (o.from !== undefined) out.from = o.from as string
  if (o.to !== undefined) out.to = o.to as string
  if (windows) out.windows = windows
  if (o.citizenId !== undefined) out.citizenId = o.citizenId as string
  out.limit = (o.limit as number | undefined) ?? 10
  out.explain = (o.explain as boolean | undefined) ?? false
  return out
}

export function isPlainHoldOptions(v: unknown): v is { citizenId: string; ttlMinutes?: number } {
  if (typeof v !== 'object' || v === null || !hasOnlyKeys(v, ['citizenId', 'ttlMinutes'], ['citizenId'])) return false
  const o = v as Record<string, unknown>
  if (!isId(o.citizenId)) return false
  return o.ttlMinutes === undefined ? !('ttlMinutes' in o) : Number.isInteger(o.ttlMinutes) && (o.ttlMinutes as number) >= 1 && (o.ttlMinutes as number) <= 10080
}

export function isPlainConfirmOptions(v: unknown): v is { idempotencyKey?: string } {
  if (typeof v !== 'object' || v === null || !hasOnlyKeys(v, ['idempotencyKey'], [])) return false
  const k = (v as Record<string, unknown>).idempotencyKey
  return k === undefined ? !('idempotencyKey' in v) : typeof k === 'string' && k.length >= 1 && k.length <= 256
}

const JOIN_KEYS = ['id', 'citizenId', 'services', 'offices', 'district', 'windows', 'dates', 'earliest', 'latest', 'createdAt', 'priority'] as const
const WINDOW_KEYS = ['weekdays', 'from', 'to'] as const
const isLocalDate = (v: unknown): boolean => typeof v === 'string' && v.length <= 10 && isValidLocalDate(v) && v >= '1900-01-01' && v <= '2999-12-31'
const isTimeOfDay = (v: unknown): v is string => typeof v === 'string' && v.length <= 5 && parseTimeOfDay(v) !== null
const optional = (o: Record<string, unknown>, k: string, ok: (v: unknown) => boolean): boolean => (o[k] !== undefined ? ok(o[k]) : !(k in o))

function plainWindows(v: unknown): { weekdays?: number[]; from: string; to: string }[] | null {
  if (!Array.isArray(v) || v.length < 1 || v.length > 50) return null
  const out: { weekdays?: number[]; from: string; to: string }[] = []
  for (const w of v) {
    if (typeof w !== 'object' || w === null || !hasOnlyKeys(w, WINDOW_KEYS, ['from', 'to'])) return null
    const x = w as Record<string, unknown>
    if (!isTimeOfDay(x.from) || !isTimeOfDay(x.to)) return null
    const days = x.weekdays
    if (days === undefined) {
      if ('weekdays' in x) return null
      out.push({ from: x.from, to: x.to })
      continue
    }
    if (!Array.isArray(days) || days.length < 1 || days.length > 7) return null
    for (const d of days) if (!Number.isInteger(d) || d < 1 || d > 7) return null
    out.push({ weekdays: [...days], from: x.from, to: x.to })
  }
  return out
}

/**
 * A join request parsed without zod (a waitlist keeps tens of thousands of them and a simulation
 * joins one per citizen who finds nothing): a copy in the schema's key order with its defaults,
 * or null for anything the checks here do not cover, which then goes through zod.
 */
export function plainJoinRequest(v: unknown): z.output<typeof JoinWaitlistSchema> | null {
  if (typeof v !== 'object' || v === null || !hasOnlyKeys(v, JOIN_KEYS, ['citizenId', 'services'])) return null
  const o = v as Record<string, unknown>
  if (!optional(o, 'id', isId) || !isId(o.citizenId) || !isIdList(o.services, 10)) return null
  if (!optional(o, 'offices', (x) => isIdList(x, Number.MAX_SAFE_INTEGER))) return null
  if (!optional(o, 'district', (x) => typeof x === 'string' && x.length >= 1 && x.length <= 200)) return null
  if (!optional(o, 'dates', (x) => Array.isArray(x) && x.every(isLocalDate))) return null
  if (!optional(o, 'earliest', isLocalDate) || !optional(o, 'latest', isLocalDate)) return null
  if (!optional(o, 'createdAt', (x) => typeof x === 'string' && x.length <= 40 && parseInstant(x) !== null)) return null
  if (!optional(o, 'priority', (x) => x === 'normal' || x === 'urgent')) return null
  let windows: ReturnType<typeof plainWindows> | undefined
  if (o.windows !== undefined) {
    if ((windows = plainWindows(o.windows)) === null) return null
  } else if ('windows' in o) return null
  const out: Record<string, unknown> = {}
  if (o.id !== undefined) out.id = o.id
  out.citizenId = o.citizenId
  out.services = [...(o.services as string[])]
  if (o.offices !== undefined) out.offices = [...(o.offices as string[])]
  if (o.district !== undefined) out.district = o.district
  if (windows) out.windows = windows
  if (o.dates !== undefined) out.dates = [...(o.dates as string[])]
  if (o.earliest !== undefined) out.earliest = o.earliest
  if (o.latest !== undefined) out.latest = o.latest
  if (o.createdAt !== undefined) out.createdAt = o.createdAt
  out.priority = o.priority ?? 'normal'
  return out as z.output<typeof JoinWaitlistSchema>
}

const ENTRY_KEYS = Object.keys(WaitlistEntrySchema.shape) as (keyof WaitlistEntry)[]

/** A valid entry with its keys in the schema's order (what `WaitlistEntrySchema.parse` gives, without parsing it again). */
export function canonicalEntry(e: WaitlistEntry): WaitlistEntry {
  const out: Record<string, unknown> = {}
  for (const k of ENTRY_KEYS) if (e[k] !== undefined) out[k] = e[k]
  return out as WaitlistEntry
}
