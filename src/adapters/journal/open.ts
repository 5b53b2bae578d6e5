/**
 * openScheduler: a scheduler whose accepted commands are journaled to a directory, so that a
 * crash loses nothing that was acknowledged.
 *
 * Every command that changes state (JOURNAL_COMMANDS) runs on a plain scheduler with a JSON copy
 * of its arguments; when it succeeds, its line is appended to the journal (and fsync'ed for
 * bookings) before the command returns, and only then are its events and notifications delivered.
 * A rejected command (TerminplanError) writes nothing. Because the clock is injected and the
 * engine is deterministic, replaying the lines onto the last snapshot rebuilds the state exactly;
 * the ids each command returned are recorded and checked on replay.
 */
import * as path from 'node:path'
import { TerminplanError, fail, type ValidationIssue } from '../../model/errors.js'
import type { AcceptOfferOptions, ConfirmOptions, HoldOptions, JoinWaitlistRequest, SearchRequest, Slot } from '../../model/requests.js'
import type { Scenario } from '../../model/schema.js'
import type { OverlayInput } from '../../model/overlay.js'
import type { DayOptions, DurationOverlayOptions, WalkInRequest } from '../../model/day-requests.js'
import type { Notification, NotificationSink } from '../../solver/ports.js'
import { Listeners, sendNotification } from '../../solver/listeners.js'
import {
  createScheduler,
  ENGINE,
  restoreScheduler,
  type Appointment,
  type CapacityStats,
  type Hold,
  type Offer,
  type Scheduler,
  type SchedulerEventName,
  type SchedulerEvents,
  type ChangeRecord,
  type ChangeOptions,
  type ChangeResult,
  type SchedulerOptions,
  type SchedulerSnapshot,
  type WaitlistView,
  type DayStats,
  type DurationStat,
  type NoShow,
  type Ticket,
} from '../../solver/scheduler/index.js'
import type { SearchResult } from '../../solver/search.js'
import { applyCommand, isBooking, normaliseArgs, replayCommand } from './commands.js'
import { FileJournalStore } from './file-store.js'
import { snapshotName, type JournalCommand } from './journal.js'
import { Outbox } from './outbox.js'

export type JournalFsync = 'bookings' | 'all' | 'none'

export interface OpenSchedulerOptions extends SchedulerOptions {
  scenario: Scenario
  /** The journal's directory; created with a first snapshot when it holds none. */
  journal: string
  /**
   * When lines reach the disk: `bookings` (default) — fsync before confirm and acceptOffer return
   * (which also makes every earlier line durable); `all` — before every command returns; `none` —
   * never (tests, throwaway runs). Lines are always written before the command returns.
   */
  fsync?: JournalFsync
}

export interface JournalRecovery {
  /** A new journal was started (there was no snapshot yet). */
  created: boolean
  /** The sequence number of the snapshot the state was rebuilt from. */
  snapshotSeq: number
  /** Journal lines replayed on top of it. */
  replayed: number
  /** The last command's sequence number. */
  seq: number
  /** An incomplete or damaged last line (a write the crash interrupted): skipped and cut off. */
  tornTail: { line: number; bytes: number } | null
  /** Files an interrupted checkpoint left behind, removed. */
  removed: string[]
}

export interface JournaledScheduler extends Scheduler {
  /** How the state was recovered when the journal was opened. */
  readonly recovery: JournalRecovery
  /** The journal's directory (absolute). */
  readonly journalDir: string
  /** The sequence number of the last journaled command. */
  seq(): number
  /**
   * Writes a snapshot of the current state (atomically) and starts a new journal segment; the
   * older snapshot and segment are deleted. Recovery then starts from here.
   */
  checkpoint(): { seq: number; file: string }
  /** Makes the journal durable, closes it and releases its lock. Commands are refused afterwards. */
  close(): void
}

/** The same error, its message prefixed with the file it came from. */
function withFile(e: unknown, file: string): unknown {
  if (!(e instanceof TerminplanError)) return e
  return new TerminplanError(e.code, `${file}: ${e.message}`, e.issues)
}

class JournaledSchedulerImpl implements JournaledScheduler {
  recovery!: JournalRecovery
  readonly journalDir: string
  private inner!: Scheduler
  private readonly outbox = new Outbox()
  private readonly sink?: NotificationSink
  private readonly fsyncMode: JournalFsync
  private readonly listeners = new Listeners<SchedulerEvents>()
  private readonly forwarded = new Set<SchedulerEventName>()
  private readonly store: FileJournalStore
  private n = 0
  private autoOffer = true
  private horizon: OpenSchedulerOptions['horizon']
  private issues: ValidationIssue[] = []
  private draining = false
  /** Why commands are refused: closed, or a failure left memory ahead of the journal. */
  private broken: string | null = null

  constructor(options: OpenSchedulerOptions) {
    if (typeof options.journal !== 'string' || options.journal === '') fail('COMMAND_INVALID', '$.journal', 'invalid_type', 'journal must be a directory path')
    const mode = options.fsync ?? 'bookings'
    if (!['bookings', 'all', 'none'].includes(mode)) fail('COMMAND_INVALID', '$.fsync', 'invalid_value', 'fsync must be bookings, all or none')
    this.fsyncMode = mode
    this.sink = options.notifications
    this.horizon = options.horizon
    this.journalDir = path.resolve(options.journal)
    this.store = new FileJournalStore(this.journalDir)
    this.store.acquireLease(`pid ${process.pid}`)
    try {
      this.recovery = this.recover(options)
    } catch (e) {
      this.store.abandon()
      throw e
    }
    this.drain()
  }

  private innerOptions() {
    const outbox = this.outbox
    const gate: NotificationSink | undefined = this.sink && { send: (n: Notification) => outbox.push({ note: structuredClone(n) }) }
    return { notifications: gate, waitlist: { autoOffer: this.autoOffer }, horizon: this.horizon }
  }

  private recover(options: OpenSchedulerOptions): JournalRecovery {
    const store = this.store
    const snap = store.latestSnapshot()
    if (snap === null) {
      // A new journal: the first snapshot, then an empty segment. Notifications of the scenario's
      // waitlist wait until both are on disk.
      const removed = store.removeAll()
      this.autoOffer = options.waitlist?.autoOffer ?? true
      this.outbox.mode = 'queue'
      this.inner = createScheduler(options.scenario, { ...options, ...this.innerOptions() })
      this.issues = this.inner.loadIssues()
      store.writeSnapshot({ seq: 0, autoOffer: this.autoOffer, loadIssues: this.issues, snapshot: this.inner.snapshot() })
      return { created: true, snapshotSeq: 0, replayed: 0, seq: 0, tornTail: null, removed }
    }
    // Recovery. Everything is read and replayed in memory first; files change only when all of it worked.
    const base = snap.seq
    this.autoOffer = snap.autoOffer
    this.issues = snap.loadIssues
    this.outbox.mode = 'drop'
    try {
      this.inner = restoreScheduler(options.scenario, snap.snapshot, this.innerOptions())
    } catch (e) {
      throw withFile(e, snapshotName(base))
    }
    const read = store.read(base + 1)
    read.entries.forEach((e, i) => {
      replayCommand(this.inner, e, read.at(i))
      if (e.cmd === 'setAutoOffer') this.autoOffer = e.args[0] as boolean
    })
    const replayed = read.entries.length
    this.n = base + replayed
    // Cut off a torn tail, so that new lines follow the last good one.
    const removed = store.resume(base, read)
    this.outbox.mode = 'queue'
    const torn = read.tornTail
    return { created: false, snapshotSeq: base, replayed, seq: this.n, tornTail: torn ? { line: torn.line, bytes: torn.bytes } : null, removed }
  }

  // ---- journaled commands ---------------------------------------------------------------------------

  private usable(): void {
    if (this.broken !== null) fail('STATE_INVALID', '$.journal', 'journal_unusable', this.broken)
  }

  /** The state in memory may be ahead of the journal: refuse every further command. */
  private breakDown(why: string): void {
    this.broken = `${why}; open the journal again to recover`
    this.store.abandon()
  }

  private run(cmd: JournalCommand, args: unknown[]): unknown {
    this.usable()
    // The command sees exactly what a replay will see.
    const { copy } = normaliseArgs(cmd, args)
    const mark = this.outbox.items.length
    let out: { value: unknown; ret?: string }
    try {
      out = applyCommand(this.inner, cmd, copy)
    } catch (e) {
      this.outbox.items.length = mark
      if (!(e instanceof TerminplanError)) this.breakDown(`${cmd} failed unexpectedly (${(e as Error)?.message ?? String(e)})`)
      throw e
    }
    const entry = { seq: this.n + 1, cmd, args: copy, ...(out.ret !== undefined ? { ret: out.ret } : {}) }
    try {
      this.store.append([entry], this.fsyncMode === 'all' || (this.fsyncMode === 'bookings' && isBooking(cmd)))
    } catch (e) {
      // Not acknowledged: the state in memory is ahead of the journal.
      this.outbox.items.length = mark
      this.breakDown(`writing the journal failed (${(e as Error).message})`)
      throw e
    }
    this.n++
    if (cmd === 'setAutoOffer') this.autoOffer = copy[0] as boolean
    this.drain()
    return out.value
  }

  /** Delivers what waits in the outbox, in order; a command run by a listener queues behind it. */
  private drain(): void {
    if (this.draining) return
    this.draining = true
    const box = this.outbox
    try {
      while (box.head < box.items.length) {
        const x = box.items[box.head++]
        if ('note' in x) this.send(x.note)
        else this.deliver(x.event, x.payload as SchedulerEvents[typeof x.event])
      }
    } finally {
      box.items.length = 0
      box.head = 0
      this.draining = false
    }
  }

  private send(n: Notification): void {
    sendNotification(this.sink!, n, (error) => this.deliver('notificationFailed', { notification: n, error }))
  }

  private deliver<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    this.listeners.emit(event, payload)
  }

  on<E extends SchedulerEventName>(event: E, handler: (e: SchedulerEvents[E]) => void): () => void {
    if (!this.forwarded.has(event) && event !== 'notificationFailed') {
      this.forwarded.add(event)
      this.inner.on(event, (payload) => this.outbox.push({ event, payload }))
    }
    return this.listeners.on(event, handler)
  }

  hold(slot: Slot, opts: HoldOptions): Hold {
    return this.run('hold', [slot, opts]) as Hold
  }
  confirm(holdId: string, opts?: ConfirmOptions): Appointment {
    return this.run('confirm', [holdId, opts]) as Appointment
  }
  cancel(appointmentId: string): void {
    this.run('cancel', [appointmentId])
  }
  setNow(now: string | number): void {
    this.run('setNow', [now])
  }
  joinWaitlist(entry: JoinWaitlistRequest): WaitlistView {
    return this.run('joinWaitlist', [entry]) as WaitlistView
  }
  leaveWaitlist(entryId: string): void {
    this.run('leaveWaitlist', [entryId])
  }
  acceptOffer(offerId: string, opts?: AcceptOfferOptions): Appointment {
    return this.run('acceptOffer', [offerId, opts]) as Appointment
  }
  declineOffer(offerId: string): void {
    this.run('declineOffer', [offerId])
  }
  offer(entryId: string, slot: Slot): Offer {
    return this.run('offer', [entryId, slot]) as Offer
  }
  setAutoOffer(on: boolean): void {
    this.run('setAutoOffer', [on])
  }
  reschedule(appointmentId: string, slot: Slot, opts?: ConfirmOptions): Appointment {
    return this.run('reschedule', [appointmentId, slot, opts]) as Appointment
  }
  applyChange(change: OverlayInput, opts?: ChangeOptions): ChangeResult {
    return this.run('applyChange', [change, opts]) as ChangeResult
  }
  checkIn(appointmentId: string, opts?: DayOptions): Ticket {
    return this.run('checkIn', [appointmentId, opts]) as Ticket
  }
  checkInWalkIn(req: WalkInRequest): Ticket {
    return this.run('checkInWalkIn', [req]) as Ticket
  }
  callNext(officeId: string, staffId: string, opts?: DayOptions): Ticket | null {
    return this.run('callNext', [officeId, staffId, opts]) as Ticket | null
  }
  startService(ticketId: string, opts?: DayOptions): Ticket {
    return this.run('startService', [ticketId, opts]) as Ticket
  }
  finishService(ticketId: string, opts?: DayOptions): Ticket {
    return this.run('finishService', [ticketId, opts]) as Ticket
  }
  missCall(ticketId: string, opts?: DayOptions): Ticket {
    return this.run('missCall', [ticketId, opts]) as Ticket
  }
  leaveQueue(ticketId: string, opts?: DayOptions): Ticket {
    return this.run('leaveQueue', [ticketId, opts]) as Ticket
  }
  tickets(officeId?: string): Ticket[] {
    return this.inner.tickets(officeId)
  }
  noShows(): NoShow[] {
    return this.inner.noShows()
  }
  dayStats(): DayStats {
    return this.inner.dayStats()
  }
  durationStats(): DurationStat[] {
    return this.inner.durationStats()
  }
  durationOverlay(opts?: DurationOverlayOptions): OverlayInput {
    return this.inner.durationOverlay(opts)
  }

  // ---- reads ----------------------------------------------------------------------------------------

  /** The compiled scenario in force (a live change replaces it). */
  get model(): Scheduler['model'] {
    return this.inner.model
  }

  search(req: SearchRequest): SearchResult {
    return this.inner.search(req)
  }
  now(): string {
    return this.inner.now()
  }
  appointments(): Appointment[] {
    return this.inner.appointments()
  }
  holds(): Hold[] {
    return this.inner.holds()
  }
  stats(): CapacityStats {
    return this.inner.stats()
  }
  busyUnits(p: number): Readonly<Uint32Array> {
    return this.inner.busyUnits(p)
  }
  snapshot(): SchedulerSnapshot {
    return this.inner.snapshot()
  }
  loadIssues(): ValidationIssue[] {
    return this.issues.map((i) => ({ ...i }))
  }
  waitlist(): WaitlistView[] {
    return this.inner.waitlist()
  }
  offers(): Offer[] {
    return this.inner.offers()
  }
  changes(): ChangeRecord[] {
    return this.inner.changes()
  }
  /** The scheduler it journals, for batch matching (matchWaitlist), which offers through `offer`. */
  [ENGINE](): Scheduler {
    return this.inner
  }

  // ---- journal --------------------------------------------------------------------------------------

  seq(): number {
    return this.n
  }

  checkpoint(): { seq: number; file: string } {
    this.usable()
    const dir = this.journalDir
    const seq = this.n
    if (seq === this.store.segment().base) return { seq, file: path.join(dir, snapshotName(seq)) }
    try {
      this.store.writeSnapshot({ seq, autoOffer: this.autoOffer, loadIssues: this.issues, snapshot: this.inner.snapshot() })
    } catch (e) {
      // Before the rename a failure leaves the old snapshot and segment in charge; after it, the
      // new snapshot is, and lines appended to the old segment would be skipped by recovery.
      if (this.store.broken !== null) this.breakDown(this.store.broken)
      throw e
    }
    return { seq, file: path.join(dir, snapshotName(seq)) }
  }

  close(): void {
    if (this.broken !== null) return
    try {
      this.store.close(this.fsyncMode !== 'none')
    } finally {
      this.broken = `the journal ${this.journalDir} is closed`
    }
  }
}
/**
 * A scheduler over `scenario` whose state lives in the journal directory `journal`: recovered
 * from its last snapshot and the commands after it when there is one, else created from the
 * scenario with `options` (now, existing appointments, auto offers) and journaled from then on.
 * On recovery the journal's state wins: `now` and `waitlist.autoOffer` apply to a new journal only
 * (move the clock with setNow); `notifications` apply always.
 *
 * Throws STATE_INVALID (and changes nothing) when the journal is damaged anywhere but in its last
 * line, when it was written for another scenario, or when a replayed command does not return what
 * it returned the first time; CONFLICT when another process has the journal open.
 */
export function openScheduler(options: OpenSchedulerOptions): JournaledScheduler {
  return new JournaledSchedulerImpl(options)
}
