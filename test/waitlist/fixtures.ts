/**
 * Hand-made scenarios for the online-waitlist tests, and a small driver that records events and
 * notifications. Every function returns fresh objects.
 *
 * `town()`: Monday 2026-06-01 to Friday 2026-06-05 (Europe/Berlin, summer time, +02:00), three
 * offices open 08:00–10:00 on weekdays, one person each working 08:00–10:00:
 *   north (district N): ana — reg, pass, id;  booking window 0–14 days
 *   east  (district N): eve — reg
 *   south (district S): sam — reg, pass
 * Services: reg 20 min, pass 40 min, id 20 min; so a 20-minute grid, six units per person and day.
 * Every unit is booked up front (`reg`, citizen `z-<id>`), except those listed in `free`; the
 * appointment at person p, day d (1 = Monday), time hh:mm has the id `p-d-hhmm`. Policy: cancel
 * freeze 0 (a cancellation frees at once), offers 30 min, holds 10 min, reminders 60 min before.
 * Now: Monday 07:00.
 */
import { loadScenario } from '../../src/model/load.js'
import type { PolicySchema, ScenarioInput } from '../../src/model/schema.js'
import type { Notification, NotificationSink } from '../../src/solver/ports.js'
import { createScheduler, type Scheduler, type SchedulerEventName, type SchedulerEvents, type SchedulerOptions } from '../../src/solver/scheduler/index.js'
import type { z } from 'zod'

export const NOW = '2026-06-01T07:00:00+02:00'
export const WEEK = [1, 2, 3, 4, 5]
export const SLOTS = ['08:00', '08:20', '08:40', '09:00', '09:20', '09:40']
export const STAFF = [
  ['ana', 'north'],
  ['eve', 'east'],
  ['sam', 'south'],
] as const

/** Local time on day d (1 = Monday 2026-06-01), e.g. T(2, '08:20'). */
export const T = (d: number, hm: string) => `2026-06-0${d}T${hm}:00+02:00`
export const DATE = (d: number) => `2026-06-0${d}`
export const apptId = (staff: string, d: number, hm: string) => `${staff}-${d}-${hm.replace(':', '')}`
/** The end of a 20-minute unit starting at hm. */
export const plus20 = (hm: string) => {
  const m = Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3)) + 20
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

export interface TownOptions {
  policy?: z.input<typeof PolicySchema>
  /** Appointment ids left unbooked. */
  free?: string[]
  /** Days booked up front (default all five). */
  days?: number[]
  /** Appointments booked without a citizen. */
  noCitizen?: string[]
  bookingWindow?: { minDays: number; maxDays: number }
  waitlist?: ScenarioInput['waitlist']
}

export function town(opts: TownOptions = {}): ScenarioInput {
  const appointments: NonNullable<ScenarioInput['appointments']> = []
  for (const d of opts.days ?? WEEK)
    for (const [p, o] of STAFF)
      for (const hm of SLOTS) {
        const id = apptId(p, d, hm)
        if (opts.free?.includes(id)) continue
        appointments.push({ id, office: o, staff: p, start: T(d, hm), services: ['reg'], ...(opts.noCitizen?.includes(id) ? {} : { citizenId: `z-${id}` }) })
      }
  const hours = [{ weekdays: WEEK, from: '08:00', to: '10:00' }]
  const bw = opts.bookingWindow ?? { minDays: 0, maxDays: 14 }
  return {
    horizon: { start: '2026-06-01', days: 5 },
    services: [
      { id: 'reg', name: 'Anmeldung', durationMinutes: 20 },
      { id: 'pass', name: 'Reisepass', durationMinutes: 40 },
      { id: 'id', name: 'Personalausweis', durationMinutes: 20 },
    ],
    offices: [
      { id: 'north', name: 'North', district: 'N', desks: 1, openingHours: hours, bookingWindow: bw, services: ['reg', 'pass', 'id'] },
      { id: 'east', name: 'East', district: 'N', desks: 1, openingHours: hours, bookingWindow: bw, services: ['reg'] },
      { id: 'south', name: 'South', district: 'S', desks: 1, openingHours: hours, bookingWindow: bw, services: ['reg', 'pass'] },
    ],
    staff: [
      { id: 'ana', office: 'north', skills: ['reg', 'pass', 'id'], shifts: [{ weekdays: WEEK, from: '08:00', to: '10:00' }] },
      { id: 'eve', office: 'east', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '10:00' }] },
      { id: 'sam', office: 'south', skills: ['reg', 'pass'], shifts: [{ weekdays: WEEK, from: '08:00', to: '10:00' }] },
    ],
    appointments,
    ...(opts.waitlist ? { waitlist: opts.waitlist } : {}),
    policy: { cancelFreezeMinutes: 0, offerMinutes: 30, holdMinutes: 10, reminderMinutesBefore: 60, ...opts.policy },
  }
}

export const ALL_EVENTS: SchedulerEventName[] = [
  'held', 'confirmed', 'cancelled', 'expired', 'freed', 'offer', 'offerAccepted', 'offerDeclined', 'offerExpired', 'offerWithdrawn', 'waitlistJoined', 'waitlistLeft', 'notificationFailed',
]

export interface Logged {
  type: SchedulerEventName
  payload: SchedulerEvents[SchedulerEventName]
}

export interface Driven {
  s: Scheduler
  log: Logged[]
  notes: Notification[]
  /** The event types since the last call, and forget them. */
  take(): Logged[]
  types(): SchedulerEventName[]
}

/** Listens to every event of `s`. */
export function record(s: Scheduler, notes: Notification[] = []): Driven {
  const log: Logged[] = []
  for (const type of ALL_EVENTS) s.on(type, (payload) => log.push({ type, payload: structuredClone(payload) as never }))
  return {
    s,
    log,
    notes,
    take: () => log.splice(0),
    types: () => log.splice(0).map((e) => e.type),
  }
}

/** A scheduler over `input` with a recording notification sink (or the given one). */
export function start(input: ScenarioInput, opts: { now?: string; sink?: NotificationSink; autoOffer?: boolean; options?: Partial<SchedulerOptions> } = {}): Driven {
  const notes: Notification[] = []
  const sink = opts.sink ?? { send: (n: Notification) => void notes.push(structuredClone(n)) }
  const s = createScheduler(loadScenario(input), { now: opts.now ?? NOW, notifications: sink, waitlist: { autoOffer: opts.autoOffer ?? true }, ...opts.options })
  return record(s, notes)
}

/** A waiting citizen `c-<id>` for `reg` at any office, unless `extra` says otherwise. */
export function entry(id: string, extra: Record<string, unknown> = {}): Parameters<Scheduler['joinWaitlist']>[0] {
  return { id, citizenId: `c-${id}`, services: ['reg'], ...extra } as Parameters<Scheduler['joinWaitlist']>[0]
}
