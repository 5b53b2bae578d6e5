/**
 * openCityScheduler: one city's scheduler on a shared PostgreSQL log, run by several instances.
 * One instance leads the city (it holds the lease, pg/store.ts); the others follow: they tail the
 * log (LISTEN/NOTIFY plus catch-up reads and a poll), replay it into their own in-memory
 * scheduler, serve searches from it with a reported staleness, and refuse commands with a typed
 * NOT_LEADER naming the leader. When the leader dies a follower takes the lease over, reads the
 * log to its end and leads.
 *
 * Why an async face: a command is acknowledged only after its commit, a network round trip, and
 * the Scheduler interface is synchronous. So commands return Promises; reads stay synchronous on
 * the in-memory engine (microseconds), which is why the engine stays in memory at all.
 *
 * Group commit: a command is validated and applied in memory at once (so the next command sees
 * it), then waits in a queue; while one transaction is in flight the queue grows, and the next
 * transaction takes all of it. Every command resolves only after the transaction holding it has
 * committed; events and notifications are delivered then. If a transaction fails, it and every
 * command queued behind it (they were applied on top of it) are rejected, and the state is
 * rebuilt from the log: the failed transaction may have committed (IO_FAILED: the outcome is
 * unknown; a retried confirm with the same idempotency key returns the booking if it did), and
 * the rebuilt state says which. Searches may see a queued command a few milliseconds before its
 * commit; a crash then forgets it, as it was never acknowledged.
 */
import { TerminplanError, fail, type ValidationIssue } from '../../model/errors.js'
import type { AcceptOfferOptions, ConfirmOptions, HoldOptions, JoinWaitlistRequest, SearchRequest, Slot } from '../../model/requests.js'
import type { Scenario } from '../../model/schema.js'
import type { OverlayInput } from '../../model/overlay.js'
import type { DayOptions, DurationOverlayOptions, WalkInRequest } from '../../model/day-requests.js'
import { Listeners, sendNotification } from '../../solver/listeners.js'
import type { Notification, NotificationSink } from '../../solver/ports.js'
import {
  ENGINE,
  type ChangeRecord,
  type ChangeOptions,
  type ChangeResult,
  createScheduler,
  restoreScheduler,
  type Appointment,
  type CapacityStats,
  type Hold,
  type Offer,
  type Scheduler,
  type SchedulerEventName,
  type SchedulerEvents,
  type SchedulerOptions,
  type SchedulerSnapshot,
  type WaitlistView,
  type DayStats,
  type DurationStat,
  type NoShow,
  type Ticket,
} from '../../solver/scheduler/index.js'
import type { SearchResult } from '../../solver/search.js'
import { applyCommand, normaliseArgs, replayCommand, type CommandName } from './commands.js'
import type { JournalEntry } from './journal.js'
import { Outbox, type Outgoing } from './outbox.js'
import { NotLeaderError, storeError, type PgJournalStore } from './pg/store.js'

export type CityRole = 'starting' | 'leader' | 'follower' | 'closed'

export interface CitySchedulerOptions extends SchedulerOptions {
  scenario: Scenario
  /** The city's log (pgStore({ pool | connection, city, leaseMs })). */
  store: PgJournalStore
  /** This instance as the others should name it to clients (a URL, a host name); in NOT_LEADER errors. */
  instance: string
  /** `auto` (default): lead when the lease is free; `follower`: never lead (a read replica). */
  role?: 'auto' | 'follower'
  /** How often a follower reads the log and tries the lease (ms; default a fifth of the lease). */
  pollMs?: number
  /** A snapshot every this many commands (default 1000; 0: only on checkpoint()). */
  snapshotEvery?: number
  /** At most this many commands in one transaction (default 500). */
  maxBatch?: number
  /** Wall clock for staleness and lease timing (ms); injected in tests. Default Date.now. */
  clock?: () => number
}

export interface Staleness {
  role: CityRole
  /** The last command in this instance's state. */
  seq: number
  /** The last command known to be in the log (from notifications and reads). */
  leaderSeq: number
  /** leaderSeq − seq. */
  behind: number
  /** Milliseconds since this instance last knew it was up to date (0 for the leader). */
  ms: number
}

interface Pending {
  entry: JournalEntry
  value: unknown
  items: Outgoing[]
  resolve(v: unknown): void
  reject(e: unknown): void
}

/** The in-memory engine's reads, synchronous as on any Scheduler. */
export type SchedulerReads = Pick<Scheduler, 'search' | 'now' | 'appointments' | 'holds' | 'stats' | 'busyUnits' | 'snapshot' | 'loadIssues' | 'waitlist' | 'offers' | 'on'>

export interface CityScheduler extends SchedulerReads {
  readonly city: string
  readonly instance: string
  readonly model: Scheduler['model']
  role(): CityRole
  /** The leading instance as last seen (this one when leading), or null. */
  leader(): string | null
  /** The last command in this instance's state (committed, for the leader once idle). */
  seq(): number
  staleness(): Staleness
  /** Calls `fn` on every change of role. */
  onRole(fn: (role: CityRole, leader: string | null) => void): () => void
  /** Calls `fn` with the last seq whenever commands reach the state for good (committed, or replayed by a follower). */
  onApplied(fn: (seq: number) => void): () => void
  /** Resolves when every queued command has been committed (or rejected). */
  idle(): Promise<void>
  /** Writes a snapshot of the committed state now (leader only). */
  checkpoint(): Promise<{ seq: number }>
  /** Gives the lease up (others take over at once) and disconnects. */
  close(): Promise<void>

  hold(slot: Slot, opts: HoldOptions): Promise<Hold>
  confirm(holdId: string, opts?: ConfirmOptions): Promise<Appointment>
  cancel(appointmentId: string): Promise<void>
  setNow(now: string | number): Promise<void>
  joinWaitlist(entry: JoinWaitlistRequest): Promise<WaitlistView>
  leaveWaitlist(entryId: string): Promise<void>
  acceptOffer(offerId: string, opts?: AcceptOfferOptions): Promise<Appointment>
  declineOffer(offerId: string): Promise<void>
  offer(entryId: string, slot: Slot): Promise<Offer>
  setAutoOffer(on: boolean): Promise<void>
  reschedule(appointmentId: string, slot: Slot, opts?: ConfirmOptions): Promise<Appointment>
  applyChange(change: OverlayInput, opts?: ChangeOptions): Promise<ChangeResult>
  checkIn(appointmentId: string, opts?: DayOptions): Promise<Ticket>
  checkInWalkIn(req: WalkInRequest): Promise<Ticket>
  callNext(officeId: string, staffId: string, opts?: DayOptions): Promise<Ticket | null>
  startService(ticketId: string, opts?: DayOptions): Promise<Ticket>
  finishService(ticketId: string, opts?: DayOptions): Promise<Ticket>
  missCall(ticketId: string, opts?: DayOptions): Promise<Ticket>
  leaveQueue(ticketId: string, opts?: DayOptions): Promise<Ticket>
  tickets(officeId?: string): Ticket[]
  noShows(): NoShow[]
  dayStats(): DayStats
  durationStats(): DurationStat[]
  durationOverlay(opts?: DurationOverlayOptions): OverlayInput
  /** The scenario's changes since load (Scheduler.changes). */
  changes(): ChangeRecord[]

}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

class CitySchedulerImpl implements CityScheduler {
  readonly city: string
  readonly instance: string
  private readonly store: PgJournalStore
  private readonly options: CitySchedulerOptions
  private readonly clock: () => number
  private readonly pollMs: number
  private readonly maxBatch: number
  private readonly snapshotEvery: number
  private inner: Scheduler | null = null
  private mode: CityRole = 'starting'
  private leaderId: string | null = null
  /** Commands in the state (leader: applied, maybe not yet committed). */
  private applied = 0
  private committed = 0
  private knownSeq = 0
  private upToDateAt = 0
  private lastSnapshot = 0
  private autoOffer = true
  private issues: ValidationIssue[] = []
  private readonly outbox = new Outbox()
  private readonly listeners = new Listeners<SchedulerEvents>()
  private readonly forwarded = new Set<SchedulerEventName>()
  private readonly roleListeners = new Set<(role: CityRole, leader: string | null) => void>()
  private readonly appliedListeners = new Set<(seq: number) => void>()
  private pending: Pending[] = []
  private inflight: Promise<void> | null = null
  /** Set while the state is rebuilt after a failure: commands are refused with it. */
  private recovering: TerminplanError | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private renewTimer: ReturnType<typeof setInterval> | null = null
  private busy = false
  private again = false
  private lastRenewed = 0
  private unwatch: (() => void) | null = null
  /** The last background failure (a lost connection, a refused lease), for diagnostics. */
  lastError: unknown = null

  constructor(options: CitySchedulerOptions) {
    if (typeof options.instance !== 'string' || options.instance.length < 1 || options.instance.length > 256)
      fail('COMMAND_INVALID', '$.instance', 'invalid_type', 'instance must be a string of 1–256 characters (how clients reach this instance)')
    if (options.role !== undefined && options.role !== 'auto' && options.role !== 'follower') fail('COMMAND_INVALID', '$.role', 'invalid_value', 'role must be auto or follower')
    this.options = options
    this.store = options.store
    this.city = options.store.city
    this.instance = options.instance
    this.clock = options.clock ?? Date.now
    this.pollMs = options.pollMs ?? Math.max(10, Math.floor(options.store.leaseMs / 5))
    this.maxBatch = options.maxBatch ?? 500
    this.snapshotEvery = options.snapshotEvery ?? 1000
  }

  // ---- start, follow, lead ---------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.store.connect()
    this.store.onSessionLost = (e) => {
      this.lastError = e
      if (this.mode === 'leader') void this.stepDown('the lease session was lost')
    }
    this.unwatch = this.store.watch((seq) => {
      if (seq > this.knownSeq) this.knownSeq = seq
      if (this.mode === 'follower') void this.tick()
    })
    while (this.mode === 'starting') {
      this.lastError = null
      await this.tick()
      // A log that cannot be replayed (damaged, another scenario) will not get better: say so.
      // An unreachable server may: keep trying.
      if (this.lastError instanceof TerminplanError && this.lastError.code === 'STATE_INVALID') throw this.lastError
      if (this.mode === 'starting') await sleep(this.pollMs)
    }
    this.timer = setInterval(() => void this.tick(), this.pollMs)
  }

  private setRole(role: CityRole, leader: string | null): void {
    const changed = role !== this.mode || leader !== this.leaderId
    this.mode = role
    this.leaderId = leader
    if (changed) for (const fn of this.roleListeners) fn(role, leader)
  }

  /** One round of a follower (or a starting instance): reconnect, catch up, try the lease. */
  private async tick(): Promise<void> {
    if (this.busy) {
      this.again = true
      return
    }
    if (this.mode !== 'follower' && this.mode !== 'starting') return
    this.busy = true
    try {
      do {
        this.again = false
        if (!this.store.connected) await this.store.connect()
        // Without a snapshot yet (a new city) there is nothing to follow: the first leader creates it.
        if (this.inner) await this.catchUp()
        else await this.load()
        if (this.options.role !== 'follower') {
          const r = await this.store.acquireLease(this.instance)
          if ('ok' in r) {
            await this.promote()
            return
          }
          this.leaderId = r.heldBy.owner
        }
        if (this.inner) this.setRole('follower', this.leaderId)
      } while (this.again && this.mode === 'follower')
    } catch (e) {
      this.lastError = e
    } finally {
      this.busy = false
    }
  }

  private gate(): NotificationSink | undefined {
    const sink = this.options.notifications
    const box = this.outbox
    return sink && { send: (n: Notification) => box.push({ note: structuredClone(n) }) }
  }

  private adopt(s: Scheduler): void {
    this.inner = s
    for (const event of this.forwarded) s.on(event, (payload) => this.outbox.push({ event, payload }))
  }

  /** Rebuilds the state from the latest snapshot and the log after it; false when there is none yet. */
  private async load(): Promise<boolean> {
    const snap = await this.store.latestSnapshot()
    if (!snap) return false
    this.outbox.mode = 'drop'
    let s: Scheduler
    try {
      s = restoreScheduler(this.options.scenario, snap.snapshot, { notifications: this.gate(), waitlist: { autoOffer: snap.autoOffer }, limits: this.options.limits, horizon: this.options.horizon })
    } catch (e) {
      if (!(e instanceof TerminplanError)) throw e
      throw new TerminplanError(e.code, `${this.store.where}#snapshot-${snap.seq}: ${e.message}`, e.issues)
    }
    this.adopt(s)
    this.autoOffer = snap.autoOffer
    this.issues = snap.loadIssues
    this.applied = this.committed = this.lastSnapshot = snap.seq
    if (snap.seq > this.knownSeq) this.knownSeq = snap.seq
    await this.catchUp()
    return true
  }

  /** Replays the log after the state's last command, to its end. */
  private async catchUp(): Promise<void> {
    const inner = this.inner!
    for (;;) {
      const read = await this.store.read(this.applied + 1, 5000)
      this.outbox.mode = 'drop'
      read.entries.forEach((e, i) => {
        replayCommand(inner, e, read.at(i))
        if (e.cmd === 'setAutoOffer') this.autoOffer = e.args[0] as boolean
        this.applied = this.committed = e.seq
      })
      if (this.applied > this.knownSeq) this.knownSeq = this.applied
      if (read.entries.length) for (const fn of this.appliedListeners) fn(this.applied)
      if (read.entries.length < 5000) break
    }
    this.upToDateAt = this.clock()
  }

  /**
   * The lease is ours: everything of earlier epochs has committed (the takeover waited for the
   * lease row), so one more read brings the state to the log's end; then lead.
   */
  private async promote(): Promise<void> {
    try {
      if (!this.inner && !(await this.load())) {
        // A new city: the first snapshot; the scenario's notifications wait until it is stored.
        this.outbox.mode = 'queue'
        const autoOffer = this.options.waitlist?.autoOffer ?? true
        const s = createScheduler(this.options.scenario, { ...this.options, notifications: this.gate(), waitlist: { ...this.options.waitlist, autoOffer } })
        this.adopt(s)
        this.autoOffer = autoOffer
        this.issues = s.loadIssues()
        this.applied = this.committed = this.lastSnapshot = 0
        await this.store.writeSnapshot({ seq: 0, autoOffer, loadIssues: this.issues, snapshot: s.snapshot() })
        const items = this.outbox.items.splice(0)
        this.deliver(items)
      } else await this.catchUp()
    } catch (e) {
      this.lastError = e
      await this.store.forgetLease()
      if (this.inner && this.mode === 'starting') this.setRole('follower', null)
      return
    }
    this.outbox.mode = 'queue'
    this.lastRenewed = this.clock()
    this.setRole('leader', this.instance)
    const every = Math.max(10, Math.floor(this.store.leaseMs / 3))
    this.renewTimer = setInterval(() => void this.renew(), every)
  }

  private async renew(): Promise<void> {
    if (this.mode !== 'leader') return
    try {
      if (await this.store.renewLease()) this.lastRenewed = this.clock()
      else await this.stepDown('deposed: another instance holds the lease')
    } catch (e) {
      this.lastError = e
      // Unreachable for a whole lease: another instance may lead by now.
      if (this.clock() - this.lastRenewed > this.store.leaseMs) await this.stepDown('the lease could not be renewed')
    }
  }

  /** Stops leading: queued commands are refused, the state is rebuilt from the log, then follow. */
  private async stepDown(why: string): Promise<void> {
    if (this.mode !== 'leader') return
    this.setRole('follower', null)
    if (this.renewTimer) clearInterval(this.renewTimer)
    this.renewTimer = null
    const err = new NotLeaderError(this.city, null, why)
    for (const p of this.pending.splice(0)) p.reject(err)
    if (this.inflight) await this.inflight.catch(() => undefined)
    await this.store.forgetLease()
    await this.rebuild()
  }

  /** After a failure: the state from the log again (retrying while the server is unreachable). */
  private async rebuild(): Promise<void> {
    this.recovering ??= storeError(new Error('the state is being rebuilt from the log after a failure'), `recovering ${this.store.where}`)
    this.busy = true
    try {
      for (;;) {
        try {
          this.inner = null
          if (await this.load()) break
        } catch (e) {
          this.lastError = e
        }
        if (this.mode === 'closed') return
        await sleep(this.pollMs)
      }
    } finally {
      this.busy = false
      this.recovering = null
    }
  }

  // ---- commands ------------------------------------------------------------------------------------

  private command(cmd: CommandName, args: unknown[]): Promise<unknown> {
    try {
      if (this.mode !== 'leader') throw this.mode === 'closed' ? new TerminplanError('STATE_INVALID', `city ${this.city} is closed here`, [{ path: '$', code: 'closed', message: 'closed' }]) : new NotLeaderError(this.city, this.leaderId)
      if (this.recovering) throw this.recovering
      const { copy } = normaliseArgs(cmd, args)
      this.maybeSnapshot() // before the state moves on: now it may be exactly the committed one
      const mark = this.outbox.items.length
      let out: { value: unknown; ret?: string }
      try {
        out = applyCommand(this.inner!, cmd, copy)
      } catch (e) {
        this.outbox.items.length = mark
        if (!(e instanceof TerminplanError)) void this.failed(e)
        throw e
      }
      const items = this.outbox.items.splice(mark)
      const entry: JournalEntry = { seq: ++this.applied, cmd, args: copy, ...(out.ret !== undefined ? { ret: out.ret } : {}) }
      if (cmd === 'setAutoOffer') this.autoOffer = copy[0] as boolean
      return new Promise((resolve, reject) => {
        this.pending.push({ entry, value: out.value, items, resolve, reject })
        this.flush()
      })
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Sends the queue as one transaction unless one is in flight (group commit). */
  private flush(): void {
    if (this.inflight || this.pending.length === 0 || this.mode !== 'leader') return
    const batch = this.pending.splice(0, this.maxBatch)
    const entries = batch.map((p) => p.entry)
    this.inflight = Promise.resolve(this.store.append(entries, true)).then(
      () => {
        this.inflight = null
        this.committed = entries[entries.length - 1].seq
        if (this.committed > this.knownSeq) this.knownSeq = this.committed
        this.upToDateAt = this.clock()
        this.lastRenewed = this.clock() // the append extended the lease
        for (const p of batch) {
          p.resolve(p.value)
          this.deliver(p.items)
        }
        for (const fn of this.appliedListeners) fn(this.committed)
        this.flush()
        this.maybeSnapshot()
      },
      (e: unknown) => {
        this.inflight = null
        const err = storeError(e, `committing commands ${entries[0].seq}–${entries[entries.length - 1].seq}`)
        const rest = this.pending.splice(0)
        for (const p of [...batch, ...rest]) p.reject(err)
        void this.failed(err)
      },
    )
  }

  /** A failed commit (or an unexpected error): refuse commands, rebuild from the log, lead on if still ours. */
  private async failed(e: unknown): Promise<void> {
    if (e instanceof NotLeaderError) return this.stepDown(e.message)
    if (this.recovering || this.mode !== 'leader') return
    this.recovering = e instanceof TerminplanError ? e : storeError(e, 'a command')
    for (const p of this.pending.splice(0)) p.reject(this.recovering)
    if (this.inflight) await this.inflight.catch(() => undefined)
    await this.rebuild()
    this.outbox.mode = 'queue'
    if (this.mode !== 'leader') return
    let still = false
    try {
      still = await this.store.renewLease()
    } catch {
      still = false
    }
    if (!still) {
      this.setRole('follower', null)
      if (this.renewTimer) clearInterval(this.renewTimer)
      this.renewTimer = null
      await this.store.forgetLease()
    }
  }

  /**
   * A snapshot is taken only when the state is exactly the committed one (nothing queued or in
   * flight): after a commit that emptied the queue, or before a command when it is empty. Under
   * load that never lets the queue empty it waits for such a moment.
   */
  private maybeSnapshot(): void {
    if (this.snapshotEvery <= 0 || this.committed - this.lastSnapshot < this.snapshotEvery) return
    if (this.applied !== this.committed || this.mode !== 'leader' || this.recovering) return
    this.lastSnapshot = this.committed
    void Promise.resolve(this.store.writeSnapshot({ seq: this.committed, autoOffer: this.autoOffer, loadIssues: this.issues, snapshot: this.inner!.snapshot() })).catch((e) => (this.lastError = e))
  }

  private deliver(items: Outgoing[]): void {
    for (const x of items) {
      if ('note' in x) sendNotification(this.options.notifications!, x.note, (error) => this.listeners.emit('notificationFailed', { notification: x.note, error }))
      else this.listeners.emit(x.event, x.payload as SchedulerEvents[typeof x.event])
    }
  }

  hold(slot: Slot, opts: HoldOptions) {
    return this.command('hold', [slot, opts]) as Promise<Hold>
  }
  confirm(holdId: string, opts?: ConfirmOptions) {
    return this.command('confirm', [holdId, opts]) as Promise<Appointment>
  }
  cancel(appointmentId: string) {
    return this.command('cancel', [appointmentId]) as Promise<void>
  }
  setNow(now: string | number) {
    return this.command('setNow', [now]) as Promise<void>
  }
  joinWaitlist(entry: JoinWaitlistRequest) {
    return this.command('joinWaitlist', [entry]) as Promise<WaitlistView>
  }
  leaveWaitlist(entryId: string) {
    return this.command('leaveWaitlist', [entryId]) as Promise<void>
  }
  acceptOffer(offerId: string, opts?: AcceptOfferOptions) {
    return this.command('acceptOffer', [offerId, opts]) as Promise<Appointment>
  }
  declineOffer(offerId: string) {
    return this.command('declineOffer', [offerId]) as Promise<void>
  }
  offer(entryId: string, slot: Slot) {
    return this.command('offer', [entryId, slot]) as Promise<Offer>
  }
  setAutoOffer(on: boolean) {
    return this.command('setAutoOffer', [on]) as Promise<void>
  }
  reschedule(appointmentId: string, slot: Slot, opts?: ConfirmOptions) {
    return this.command('reschedule', [appointmentId, slot, opts]) as Promise<Appointment>
  }
  applyChange(change: OverlayInput, opts?: ChangeOptions) {
    return this.command('applyChange', [change, opts]) as Promise<ChangeResult>
  }
  checkIn(appointmentId: string, opts?: DayOptions) {
    return this.command('checkIn', [appointmentId, opts]) as Promise<Ticket>
  }
  checkInWalkIn(req: WalkInRequest) {
    return this.command('checkInWalkIn', [req]) as Promise<Ticket>
  }
  callNext(officeId: string, staffId: string, opts?: DayOptions) {
    return this.command('callNext', [officeId, staffId, opts]) as Promise<Ticket | null>
  }
  startService(ticketId: string, opts?: DayOptions) {
    return this.command('startService', [ticketId, opts]) as Promise<Ticket>
  }
  finishService(ticketId: string, opts?: DayOptions) {
    return this.command('finishService', [ticketId, opts]) as Promise<Ticket>
  }
  missCall(ticketId: string, opts?: DayOptions) {
    return this.command('missCall', [ticketId, opts]) as Promise<Ticket>
  }
  leaveQueue(ticketId: string, opts?: DayOptions) {
    return this.command('leaveQueue', [ticketId, opts]) as Promise<Ticket>
  }
  tickets(officeId?: string): Ticket[] {
    return this.s().tickets(officeId)
  }
  noShows(): NoShow[] {
    return this.s().noShows()
  }
  dayStats(): DayStats {
    return this.s().dayStats()
  }
  durationStats(): DurationStat[] {
    return this.s().durationStats()
  }
  durationOverlay(opts?: DurationOverlayOptions): OverlayInput {
    return this.s().durationOverlay(opts)
  }
  changes(): ChangeRecord[] {
    return this.s().changes()
  }
  /** The scheduler behind it, for enginePort (batch matching on the leader). */
  [ENGINE](): Scheduler {
    return this.s()
  }

  // ---- reads ---------------------------------------------------------------------------------------

  private s(): Scheduler {
    if (!this.inner) throw storeError(new Error('the state is being rebuilt'), `reading city ${this.city}`)
    return this.inner
  }
  /** The compiled scenario in force (a live change replaces it). */
  get model(): Scheduler['model'] {
    return this.s().model
  }
  search(req: SearchRequest): SearchResult {
    return this.s().search(req)
  }
  now(): string {
    return this.s().now()
  }
  appointments(): Appointment[] {
    return this.s().appointments()
  }
  holds(): Hold[] {
    return this.s().holds()
  }
  stats(): CapacityStats {
    return this.s().stats()
  }
  busyUnits(p: number): Readonly<Uint32Array> {
    return this.s().busyUnits(p)
  }
  snapshot(): SchedulerSnapshot {
    return this.s().snapshot()
  }
  loadIssues(): ValidationIssue[] {
    return this.issues.map((i) => ({ ...i }))
  }
  waitlist(): WaitlistView[] {
    return this.s().waitlist()
  }
  offers(): Offer[] {
    return this.s().offers()
  }

  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void {
    if (!this.forwarded.has(event) && event !== 'notificationFailed') {
      this.forwarded.add(event)
      this.inner?.on(event, (payload) => this.outbox.push({ event, payload }))
    }
    return this.listeners.on(event, handler)
  }

  // ---- the rest ------------------------------------------------------------------------------------

  role(): CityRole {
    return this.mode
  }
  leader(): string | null {
    return this.leaderId
  }
  seq(): number {
    return this.mode === 'leader' ? this.committed : this.applied
  }
  staleness(): Staleness {
    const seq = this.seq()
    const leaderSeq = Math.max(this.knownSeq, seq)
    const ms = this.mode === 'leader' ? 0 : Math.max(0, this.clock() - this.upToDateAt)
    return { role: this.mode, seq, leaderSeq, behind: leaderSeq - seq, ms }
  }
  onRole(fn: (role: CityRole, leader: string | null) => void): () => void {
    this.roleListeners.add(fn)
    return () => this.roleListeners.delete(fn)
  }
  onApplied(fn: (seq: number) => void): () => void {
    this.appliedListeners.add(fn)
    return () => this.appliedListeners.delete(fn)
  }
  async idle(): Promise<void> {
    while (this.inflight || this.pending.length) {
      if (this.inflight) await this.inflight.catch(() => undefined)
      else this.flush()
      await Promise.resolve()
    }
  }
  async checkpoint(): Promise<{ seq: number }> {
    if (this.mode !== 'leader') throw new NotLeaderError(this.city, this.leaderId)
    await this.idle()
    if (this.applied !== this.committed) fail('STATE_INVALID', '$', 'not_committed', 'the state is ahead of the log')
    const seq = this.committed
    await this.store.writeSnapshot({ seq, autoOffer: this.autoOffer, loadIssues: this.issues, snapshot: this.inner!.snapshot() })
    this.lastSnapshot = seq
    return { seq }
  }
  async close(): Promise<void> {
    if (this.mode === 'closed') return
    if (this.mode === 'leader') await this.idle()
    const wasLeader = this.mode === 'leader'
    this.setRole('closed', null)
    if (this.timer) clearInterval(this.timer)
    if (this.renewTimer) clearInterval(this.renewTimer)
    this.timer = this.renewTimer = null
    this.unwatch?.()
    for (const p of this.pending.splice(0)) p.reject(new NotLeaderError(this.city, null, 'closed'))
    if (!wasLeader) await this.store.forgetLease()
    await this.store.close()
  }
}

/**
 * One city's scheduler over a PostgreSQL log shared by several instances: resolves once this
 * instance leads the city or follows it with the log's state (a follower of a city that has no
 * snapshot yet waits for its first leader).
 */
export async function openCityScheduler(options: CitySchedulerOptions): Promise<CityScheduler> {
  const s = new CitySchedulerImpl(options)
  try {
    await s.start()
  } catch (e) {
    await s.close().catch(() => undefined)
    throw e
  }
  return s
}
