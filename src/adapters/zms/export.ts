/**
 * Free slots → the shapes consumers of ZMS's calendar API know.
 *
 * `calendar` is a ZMS `calendar.json` entity (firstDay, lastDay, requests, providers, days with
 * `status` and `freeAppointments {public, intern, callcenter, type: "sum"}`), summed over the
 * offices like ZMS's /calendar/ answer. `offices[]` gives per provider the same day entities and
 * the free times: `{ date, time, timestamp, public, intern, type: "reduced", slotCount }` — a slot
 * entity of ZMS (`slot.json`; "reduced": the numbers already account for the requested services'
 * length) with its date.
 *
 * Numbers: `public`/`intern` of a time = how many staff members could start the requested
 * services then (parallel bookings possible at that time); a day's `freeAppointments` = how many
 * such appointments still fit that day without overlapping (per staff member, its free runs
 * divided by the length). terminplan keeps no separate online quota, so `public` = `intern` and
 * `callcenter` = 0. Day status: `bookable` (something free), `full` (open, all booked),
 * `restricted` (holiday or closure), `notBookable` (no working time, outside the booking window or
 * the horizon).
 *
 * Everything is read through the scheduler's public API: `search` decides which start times are
 * bookable (now, booking window, skills, opening hours, shifts, bookings, holds, freezes), the
 * compiled model and `busyUnits` give the counts. Nothing is changed.
 */
import { z } from 'zod'
import { TerminplanError } from '../../model/errors.js'
import { servicesDuration } from '../../model/compile.js'
import { addDays, formatInstant, localDateOf, localMinutesOf, parseInstant, fmtHm } from '../../model/tz.js'
import type { Scheduler } from '../../solver/index.js'

const Count = z.int()
const DaySchema = z.strictObject({
  year: z.int(),
  month: z.int(),
  day: z.int(),
  status: z.enum(['bookable', 'notBookable', 'restricted', 'full']),
  freeAppointments: z.strictObject({ public: Count, intern: Count, callcenter: Count, type: z.literal('sum') }),
})
const SlotSchema = z.strictObject({
  date: z.string(),
  time: z.string().regex(/^\d{2}:\d{2}$/),
  timestamp: z.int(),
  public: Count,
  intern: Count,
  type: z.literal('reduced'),
  slotCount: z.int().positive(),
})
const ProviderSchema = z.strictObject({ id: z.string(), name: z.string(), source: z.literal('dldb') })

export const ZmsFreeSlotsSchema = z.strictObject({
  meta: z.strictObject({
    generator: z.literal('terminplan'),
    generated: z.string(),
    timezone: z.string(),
    services: z.array(z.string()),
    slotMinutes: z.int(),
  }),
  calendar: z.strictObject({
    firstDay: z.strictObject({ year: z.int(), month: z.int(), day: z.int() }),
    lastDay: z.strictObject({ year: z.int(), month: z.int(), day: z.int() }),
    requests: z.array(z.strictObject({ id: z.string(), name: z.string(), source: z.literal('dldb') })),
    providers: z.array(ProviderSchema),
    days: z.array(DaySchema),
  }),
  offices: z.array(z.strictObject({ provider: ProviderSchema, days: z.array(DaySchema), slots: z.array(SlotSchema) })),
})
export type ZmsFreeSlots = z.output<typeof ZmsFreeSlotsSchema>
export type ZmsDay = z.output<typeof DaySchema>

export interface ZmsFreeSlotsOptions {
  /** The request: 1–3 services (a repeated id is a quantity). */
  services: string[]
  /** Offices to list; default every office offering the services. */
  offices?: string[]
  /** Dates (inclusive); default today … today + the longest booking window, within the horizon. */
  from?: string
  to?: string
}

const ymd = (date: string) => ({ year: +date.slice(0, 4), month: +date.slice(5, 7), day: +date.slice(8, 10) })

/** Free slots of a request per office and day; see the module comment for the numbers. */
export function exportZmsFreeSlots(s: Scheduler, opts: ZmsFreeSlotsOptions): ZmsFreeSlots {
  const m = s.model, sc = m.scenario, zone = m.zone
  const nS = m.serviceIds.length
  // Validates the request (unknown services, quantities, combinations) exactly like a search.
  s.search({ services: opts.services, limit: 1 })
  const svc = opts.services.map((id) => m.serviceIndex.get(id)!)
  const nowMs = parseInstant(s.now())!
  const today = localDateOf(zone, nowMs)
  const horizonEnd = m.dates[m.days - 1]
  const from = opts.from ?? (today > m.dates[0] ? today : m.dates[0])
  const maxWindow = Math.max(0, ...sc.offices.map((o) => o.bookingWindow.maxDays))
  let to = opts.to ?? addDays(today, maxWindow)
  if (opts.to === undefined && to > horizonEnd) to = horizonEnd
  if (to < from) throw new TerminplanError('COMMAND_INVALID', 'the date range is empty', [{ path: '$.to', code: 'empty_range', message: `to (${to}) is before from (${from})` }])

  const durationAt = (o: number) => servicesDuration(m, o, svc)
  let officeIdx: number[]
  if (opts.offices) {
    officeIdx = opts.offices.map((id, i) => {
      const o = m.officeIndex.get(id)
      if (o === undefined) throw new TerminplanError('COMMAND_INVALID', `unknown office "${id}"`, [{ path: `$.offices[${i}]`, code: 'unknown_reference', message: `unknown office "${id}"` }])
      return o
    })
  } else officeIdx = m.officeIds.map((_, o) => o).filter((o) => durationAt(o) > 0)
  const skilled = m.staffIds.map((_, p) => svc.every((si) => m.skill[p * nS + si] === 1))
  const nowUnit = Math.ceil((nowMs - m.t0) / m.unitMs)

  const dates: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d)
  const offices: ZmsFreeSlots['offices'] = []
  const totals = new Map<string, { free: number; statuses: Set<ZmsDay['status']> }>(dates.map((d) => [d, { free: 0, statuses: new Set() }]))

  for (const o of officeIdx) {
    const office = sc.offices[o]
    const du = durationAt(o)
    const provider = { id: office.id, name: office.name, source: 'dldb' as const }
    const days: ZmsDay[] = []
    const slots: ZmsFreeSlots['offices'][number]['slots'] = []
    // Working segments of skilled staff at this office, per day.
    const segsByDay = new Map<number, typeof m.segments>()
    if (du > 0)
      for (const g of m.segments)
        if (g.office === o && skilled[g.staff]) {
          const list = segsByDay.get(g.day)
          if (list) list.push(g)
          else segsByDay.set(g.day, [g])
        }
    const startsByDate = du > 0 ? officeStarts(s, opts.services, office.id, from, to) : new Map<string, string[]>()
    for (const date of dates) {
      let status: ZmsDay['status'] = 'notBookable'
      let free = 0
      const d = m.dates.indexOf(date)
      const starts = startsByDate.get(date) ?? []
      const closed = office.holidays.includes(date) || office.closures.some((c) => c.from <= date && date <= c.to)
      // Segments never span local midnight: a day's starts lie in that day's segments.
      const segs = d >= 0 ? (segsByDay.get(d) ?? []) : []
      if (starts.length > 0) {
        status = 'bookable'
        for (const iso of starts) {
          const ms = parseInstant(iso)!
          const t = (ms - m.t0) / m.unitMs
          let n = 0
          for (const g of segs) {
            if (g.start > t || t + du > g.end) continue
            const busy = s.busyUnits(g.staff)
            let ok = true
            for (let u = t; u < t + du && ok; u++) if ((busy[u >>> 5] & (1 << (u & 31))) !== 0) ok = false
            if (ok) n++
          }
          slots.push({ date, time: fmtHm(localMinutesOf(zone, ms)), timestamp: Math.floor(ms / 1000), public: n, intern: n, type: 'reduced', slotCount: du })
        }
        // Appointments that still fit the day without overlapping: per staff member, free runs ÷ length.
        for (const g of segs) {
          const busy = s.busyUnits(g.staff)
          let run = 0
          for (let u = Math.max(g.start, nowUnit); u < g.end; u++) {
            if ((busy[u >>> 5] & (1 << (u & 31))) !== 0) {
              free += Math.floor(run / du)
              run = 0
            } else run++
          }
          free += Math.floor(run / du)
        }
      } else if (du > 0 && closed) status = 'restricted'
      else if (du > 0 && d >= 0 && date >= today) {
        const rel = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000)
        const inWindow = rel >= office.bookingWindow.minDays && rel <= office.bookingWindow.maxDays
        // Open, in the window, with working time long enough that is not past: booked out.
        if (inWindow && segs.some((g) => g.end - Math.max(g.start, nowUnit) >= du)) status = 'full'
      }
      days.push({ ...ymd(date), status, freeAppointments: { public: free, intern: free, callcenter: 0, type: 'sum' } })
      const t = totals.get(date)!
      t.free += free
      t.statuses.add(status)
    }
    offices.push({ provider, days, slots })
  }
  const order: ZmsDay['status'][] = ['bookable', 'full', 'restricted', 'notBookable']
  const calendarDays: ZmsDay[] = dates.map((date) => {
    const t = totals.get(date)!
    const status = order.find((st) => t.statuses.has(st)) ?? 'notBookable'
    return { ...ymd(date), status, freeAppointments: { public: t.free, intern: t.free, callcenter: 0, type: 'sum' } }
  })
  const names = opts.services.map((id) => sc.services[m.serviceIndex.get(id)!].name)
  const requests = [...new Set(opts.services)].map((id) => ({ id, name: names[opts.services.indexOf(id)], source: 'dldb' as const }))
  return {
    meta: { generator: 'terminplan', generated: formatInstant(zone, nowMs), timezone: zone, services: [...opts.services], slotMinutes: m.unitMinutes },
    calendar: { firstDay: ymd(from), lastDay: ymd(to), requests, providers: offices.map((x) => x.provider), days: calendarDays },
    offices,
  }
}

/**
 * Every bookable start of a request at one office over dates (the search returns one slot per
 * start time), grouped by date. Pages through the search 1,000 starts at a time.
 */
function officeStarts(s: Scheduler, services: string[], officeId: string, from: string, to: string): Map<string, string[]> {
  const LIMIT = 1000
  const zone = s.model.zone
  const out = new Map<string, string[]>()
  const seen = new Set<string>()
  const add = (iso: string) => {
    if (seen.has(iso)) return
    seen.add(iso)
    const date = localDateOf(zone, parseInstant(iso)!)
    const list = out.get(date)
    if (list) list.push(iso)
    else out.set(date, [iso])
  }
  let cursor = from
  let windowFrom: string | undefined // within `cursor`, when one day alone fills a page
  while (cursor <= to) {
    const res = s.search({ services, offices: [officeId], from: cursor, to: windowFrom ? cursor : to, limit: LIMIT, ...(windowFrom ? { windows: [{ from: windowFrom, to: '24:00' }] } : {}) })
    for (const sl of res.slots) add(sl.start)
    if (res.slots.length < LIMIT) {
      if (!windowFrom) break
      windowFrom = undefined
      cursor = addDays(cursor, 1)
      continue
    }
    const last = parseInstant(res.slots[res.slots.length - 1].start)!
    const lastDate = localDateOf(zone, last)
    if (lastDate !== cursor) {
      cursor = lastDate // the next page starts on the last page's last day (duplicates are skipped)
      windowFrom = undefined
      continue
    }
    const next = localMinutesOf(zone, last) + 1
    if (next >= 1440) {
      cursor = addDays(cursor, 1)
      windowFrom = undefined
    } else windowFrom = fmtHm(next)
  }
  for (const list of out.values()) list.sort((a, b) => parseInstant(a)! - parseInstant(b)!)
  return out
}

/** Flat rows (office, date, time, free) for tables and CSV. */
export function freeSlotRows(doc: ZmsFreeSlots): { office: string; date: string; time: string; free: number }[] {
  return doc.offices.flatMap((o) => o.slots.map((sl) => ({ office: o.provider.id, date: sl.date, time: sl.time, free: sl.public })))
}
