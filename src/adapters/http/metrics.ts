/**
 * Prometheus metrics of one service, in a Registry of its own (never prom-client's global one, so
 * two services in one process, or a test, do not mix). Labels are commands, outcomes, offices and
 * dates only: a citizen id never becomes a label or a value.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { countRange, type Model } from '../../model/index.js'
import type { Scheduler } from '../../solver/index.js'
import { replication, type ServedScheduler } from './context.js'

export type CommandKind = 'search' | 'hold' | 'confirm' | 'cancel' | 'join_waitlist' | 'leave_waitlist' | 'accept_offer' | 'decline_offer' | 'reschedule' | 'apply_change'
  | 'check_in' | 'walk_in' | 'call_next' | 'start_service' | 'finish_service' | 'miss_call' | 'leave_queue'

const DAY_MS = 86_400_000
const GOAL_MS = 14 * DAY_MS

export interface MetricsOptions {
  /** Days ahead for which free capacity is reported per office and day (default 14; 0 = per office only). */
  freeDays?: number
}

export class ServiceMetrics {
  readonly registry = new Registry()
  private readonly commands: Counter<'command' | 'outcome'>
  private readonly latency: Histogram<'command'>
  private readonly httpRequests: Counter<'route' | 'status'>
  private readonly offers: Counter<'event'>
  private readonly bookings: Counter<'channel'>
  private readonly bookingsWithin14: Counter<'channel'>
  private readonly shed: Counter<'reason'>
  private readonly disrupted: Counter<'outcome'>
  private readonly moved: Counter<'reason'>
  private readonly tickets: Counter<'kind' | 'change'>
  private readonly noShows: Counter
  private readonly within14 = { all: 0, within: 0 }
  /** When each live hold was made and each waiting citizen joined: the booking request's time. */
  private readonly holdAt = new Map<string, number>()
  private readonly joinedAt = new Map<string, number>()
  private readonly unsubscribe: (() => void)[] = []

  constructor(
    private readonly s: ServedScheduler,
    opts: MetricsOptions = {},
  ) {
    const r = this.registry
    const freeDays = opts.freeDays ?? 14
    this.commands = new Counter({ name: 'terminplan_commands_total', help: 'Scheduler commands by kind and outcome (ok or the error code)', labelNames: ['command', 'outcome'], registers: [r] })
    this.latency = new Histogram({
      name: 'terminplan_command_duration_seconds',
      help: 'Time spent in the scheduler per command (validation, state change, journal write)',
      labelNames: ['command'],
      // Up to 5 s: a live change rebuilds the booking state (about 0.7 s on Berlin).
      buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5],
      registers: [r],
    })
    this.httpRequests = new Counter({ name: 'terminplan_http_requests_total', help: 'HTTP answers by route pattern and status', labelNames: ['route', 'status'], registers: [r] })
    this.shed = new Counter({ name: 'terminplan_http_rejected_total', help: 'Requests refused before reaching the scheduler (rate limit, hold cap, overload)', labelNames: ['reason'], registers: [r] })
    this.offers = new Counter({ name: 'terminplan_offers_total', help: 'Waitlist offers by what happened (made, accepted, declined, expired, withdrawn)', labelNames: ['event'], registers: [r] })
    this.bookings = new Counter({ name: 'terminplan_bookings_total', help: 'Appointments booked while the service ran, by channel (hold = search/hold/confirm, offer = waitlist)', labelNames: ['channel'], registers: [r] })
    this.bookingsWithin14 = new Counter({ name: 'terminplan_bookings_within_14_days_total', help: 'Of those, appointments starting at most 14 days after the booking request (hold made or waitlist joined)', labelNames: ['channel'], registers: [r] })
    this.disrupted = new Counter({
      name: 'terminplan_disrupted_appointments_total',
      help: 'Appointments a live change (or a horizon roll) took time from, by what became of them (moved, offered, unplaceable)',
      labelNames: ['outcome'],
      registers: [r],
    })
    this.moved = new Counter({ name: 'terminplan_appointments_moved_total', help: 'Appointments moved, by reason (rescheduled; replanned: to another staff member by a live change)', labelNames: ['reason'], registers: [r] })
    this.tickets = new Counter({ name: 'terminplan_tickets_total', help: 'Day of service: tickets by kind (appointment, walkIn) and what happened (checkedIn, called, started, served, noShow, left)', labelNames: ['kind', 'change'], registers: [r] })
    this.noShows = new Counter({ name: 'terminplan_no_shows_total', help: 'Appointments nobody checked in for in time (their remaining time released)', registers: [r] })
    const self = this
    new Gauge({
      name: 'terminplan_within_14_days_share',
      help: 'Share of the bookings seen so far whose appointment starts at most 14 days after the request (NaN before the first)',
      registers: [r],
      collect() {
        this.set(self.within14.all === 0 ? Number.NaN : self.within14.within / self.within14.all)
      },
    })
    new Gauge({
      name: 'terminplan_waitlist_length',
      help: 'Citizens on the waitlist, by state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        let waiting = 0, offered = 0
        for (const e of s.waitlist()) e.state === 'waiting' ? waiting++ : offered++
        this.set({ state: 'waiting' }, waiting)
        this.set({ state: 'offered' }, offered)
      },
    })
    new Gauge({
      name: 'terminplan_capacity_units',
      help: 'Capacity of the whole horizon in grid units, by state (free, held, booked, frozen, offered)',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const st = s.stats()
        this.set({ state: 'free' }, st.freeUnits)
        this.set({ state: 'held' }, st.heldUnits)
        this.set({ state: 'booked' }, st.bookedUnits)
        this.set({ state: 'frozen' }, st.frozenUnits)
        this.set({ state: 'offered' }, st.offeredUnits)
      },
    })
    // Registered after the office gauge, whose collect fills it (prom-client reads metrics in order).
    const freeDay: Gauge<'office' | 'date'> = new Gauge({ name: 'terminplan_free_minutes_by_day', help: `Free bookable staff minutes per office and local date, for the next ${freeDays} days`, labelNames: ['office', 'date'], registers: [] })
    // One pass over the working segments fills both gauges, run once per scrape by the office gauge.
    new Gauge({
      name: 'terminplan_free_minutes',
      help: 'Free bookable staff minutes from now to the end of the horizon, per office',
      labelNames: ['office'],
      registers: [r],
      collect() {
        const { perOffice, perDay } = freeMinutes(s.model, s, Date.parse(s.now()), freeDays)
        this.reset()
        freeDay.reset()
        for (const [o, v] of perOffice) this.set({ office: o }, v)
        for (const [k, v] of perDay) freeDay.set({ office: k[0], date: k[1] }, v)
      },
    })
    r.registerMetric(freeDay)
    // An instance of a PostgreSQL city: which role it has and how far its state trails the log.
    if (replication(s)) {
      new Gauge({
        name: 'terminplan_city_leader',
        help: '1 while this instance leads its city (takes commands), 0 while it follows',
        registers: [r],
        collect() {
          this.set(replication(s)!.role === 'leader' ? 1 : 0)
        },
      })
      new Gauge({
        name: 'terminplan_replication_behind_commands',
        help: 'Commands in the city log not yet in this instance\'s state (0 on the leader)',
        registers: [r],
        collect() {
          this.set(replication(s)!.behind)
        },
      })
      new Gauge({
        name: 'terminplan_replication_staleness_seconds',
        help: 'Seconds since this instance last knew its state was up to date with the log (0 on the leader)',
        registers: [r],
        collect() {
          this.set(replication(s)!.ms / 1000)
        },
      })
    }

    // What the service sees happen, from the scheduler's public events.
    for (const e of s.waitlist()) this.joinedAt.set(e.id, Date.parse(e.createdAt))
    const on = this.unsubscribe
    on.push(s.on('held', ({ hold }) => this.holdAt.set(hold.id, Date.parse(s.now()))))
    on.push(s.on('expired', ({ hold }) => this.holdAt.delete(hold.id)))
    on.push(
      s.on('confirmed', ({ appointment, holdId }) => {
        const at = this.holdAt.get(holdId) ?? Date.parse(s.now())
        this.holdAt.delete(holdId)
        this.booked('hold', Date.parse(appointment.start) - at)
      }),
    )
    on.push(s.on('waitlistJoined', ({ entry }) => this.joinedAt.set(entry.id, Date.parse(entry.createdAt))))
    on.push(s.on('waitlistLeft', ({ entry, reason }) => reason === 'left' && this.joinedAt.delete(entry.id)))
    on.push(
      s.on('changed', ({ change }) => {
        if (change.moved) this.disrupted.inc({ outcome: 'moved' }, change.moved)
        if (change.offered) this.disrupted.inc({ outcome: 'offered' }, change.offered)
        if (change.unplaceable) this.disrupted.inc({ outcome: 'unplaceable' }, change.unplaceable)
      }),
    )
    on.push(s.on('appointmentMoved', ({ reason }) => this.moved.inc({ reason })))
    on.push(s.on('ticket', ({ ticket, change }) => this.tickets.inc({ kind: ticket.kind, change })))
    on.push(s.on('noShow', () => this.noShows.inc()))
    on.push(s.on('offer', () => this.offers.inc({ event: 'made' })))
    on.push(s.on('offerDeclined', () => this.offers.inc({ event: 'declined' })))
    on.push(s.on('offerExpired', () => this.offers.inc({ event: 'expired' })))
    on.push(s.on('offerWithdrawn', () => this.offers.inc({ event: 'withdrawn' })))
    on.push(
      s.on('offerAccepted', ({ offer, appointment }) => {
        this.offers.inc({ event: 'accepted' })
        const at = this.joinedAt.get(offer.entryId) ?? Date.parse(s.now())
        this.joinedAt.delete(offer.entryId)
        this.booked('offer', Date.parse(appointment.start) - at)
      }),
    )
  }

  private booked(channel: 'hold' | 'offer', leadMs: number): void {
    this.bookings.inc({ channel })
    this.within14.all++
    if (leadMs <= GOAL_MS) {
      this.within14.within++
      this.bookingsWithin14.inc({ channel })
    }
  }

  command(kind: CommandKind, outcome: string, seconds: number): void {
    this.commands.inc({ command: kind, outcome })
    this.latency.observe({ command: kind }, seconds)
  }

  answered(route: string, status: number): void {
    this.httpRequests.inc({ route, status: String(status) })
  }

  rejected(reason: 'rate_limit_citizen' | 'rate_limit_client' | 'rate_limit_appointment' | 'hold_cap' | 'overload'): void {
    this.shed.inc({ reason })
  }

  close(): void {
    for (const off of this.unsubscribe) off()
    this.unsubscribe.length = 0
  }
}

/** Free minutes per office (now → horizon end) and per office and date (the next `days` days). */
export function freeMinutes(m: Model, s: Pick<Scheduler, 'busyUnits'>, nowMs: number, days: number): { perOffice: Map<string, number>; perDay: Map<[string, string], number> } {
  const nowUnit = Math.max(0, Math.ceil((nowMs - m.t0) / m.unitMs))
  const nowDay = m.dayStart.findIndex((u, d) => d < m.days && m.dayStart[d + 1] > nowUnit)
  const lastDay = nowDay < 0 ? -1 : Math.min(m.days - 1, nowDay + days - 1)
  const office = new Float64Array(m.officeIds.length)
  const byDay = new Map<number, Float64Array>()
  for (const seg of m.segments) {
    const from = Math.max(seg.start, nowUnit)
    if (from >= seg.end) continue
    const free = seg.end - from - countRange(s.busyUnits(seg.staff) as Uint32Array, from, seg.end)
    office[seg.office] += free
    if (days > 0 && seg.day <= lastDay) {
      let row = byDay.get(seg.day)
      if (!row) byDay.set(seg.day, (row = new Float64Array(m.officeIds.length)))
      row[seg.office] += free
    }
  }
  const perOffice = new Map<string, number>()
  office.forEach((u, o) => perOffice.set(m.officeIds[o], u * m.unitMinutes))
  const perDay = new Map<[string, string], number>()
  for (const [d, row] of [...byDay].sort((a, b) => a[0] - b[0])) row.forEach((u, o) => perDay.set([m.officeIds[o], m.dates[d]], u * m.unitMinutes))
  return { perOffice, perDay }
}
