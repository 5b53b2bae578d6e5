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
import * as fs from 'node:fs'
import * as path from 'node:path'
import { TerminplanError, fail, type ValidationIssue } from '../../model/errors.js'
import type { AcceptOfferOptions, ConfirmOptions, HoldOptions, JoinWaitlistRequest, SearchRequest, Slot } from '../../model/requests.js'
import type { Scenario } from '../../model/schema.js'
import type { Notification, NotificationSink } from '../../solver/ports.js'
import { Listeners, sendNotification } from '../../solver/listeners.js'
import {
  createScheduler,
  INTERNALS,
  restoreScheduler,
  type Appointment,
  type CapacityStats,
  type Hold,
  type Offer,
  type Scheduler,
  type SchedulerEventName,
  type SchedulerEvents,
  type SchedulerInternals,
  type SchedulerOptions,
  type SchedulerSnapshot,
  type WaitlistView,
} from '../../solver/scheduler.js'
import type { SearchResult } from '../../solver/search.js'
import {
  encodeEntry,
  frame,
  fsyncDir,
  io,
  journalName,
  listJournal,
  parseJournal,
  snapshotName,
  unframe,
  writeAll,
  writeFileAtomic,
  type JournalCommand,
} from './journal.js'
import { lockJournal } from './lock.js'

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

const BOOKINGS: ReadonlySet<JournalCommand> = new Set(['confirm', 'acceptOffer'])

type Outgoing = { event: SchedulerEventName; payload: unknown } | { note: Notification }

/**
 * Events and notifications of the command being run wait here until its line is written; during
 * recovery they are dropped (they were delivered before the crash, or belong to a command whose
 * result nobody saw).
 */
class Outbox {
  mode: 'drop' | 'queue' = 'drop'
  items: Outgoing[] = []
  head = 0
  push(x: Outgoing): void {
    if (this.mode === 'queue') this.items.push(x)
  }
}

/** Applies one journal command to a scheduler; the value and the id to record. */
function dispatch(s: Scheduler, cmd: JournalCommand, a: unknown[]): { value: unknown; ret?: string } {
  switch (cmd) {
    case 'hold': {
      const h = s.hold(a[0] as Slot, a[1] as HoldOptions)
      return { value: h, ret: h.id }
    }
    case 'confirm': {
      const x = s.confirm(a[0] as string, a[1] as ConfirmOptions | undefined)
      return { value: x, ret: x.id }
    }
    case 'acceptOffer': {
      const x = s.acceptOffer(a[0] as string, a[1] as AcceptOfferOptions | undefined)
      return { value: x, ret: x.id }
    }
    case 'joinWaitlist': {
      const x = s.joinWaitlist(a[0] as JoinWaitlistRequest)
      return { value: x, ret: x.id }
    }
    case 'offer': {
      const x = s.offer(a[0] as string, a[1] as Slot)
      return { value: x, ret: x.id }
    }
    case 'cancel':
      return { value: s.cancel(a[0] as string) }
    case 'setNow':
      return { value: s.setNow(a[0] as string | number) }
    case 'leaveWaitlist':
      return { value: s.leaveWaitlist(a[0] as string) }
    case 'declineOffer':
      return { value: s.declineOffer(a[0] as string) }
    case 'setAutoOffer':
      if (typeof a[0] !== 'boolean') fail('COMMAND_INVALID', '$.on', 'invalid_type', 'setAutoOffer takes true or false')
      return { value: s.setAutoOffer(a[0]) }
  }
}

/** What a snapshot file holds besides the scheduler's snapshot. */
interface SnapshotFile {
  seq: number
  autoOffer: boolean
  loadIssues: ValidationIssue[]
  snapshot: SchedulerSnapshot
}

function readSnapshotFile(dir: string, seq: number): SnapshotFile {
  const name = snapshotName(seq)
  const file = path.join(dir, name)
  const buf = io(file, () => fs.readFileSync(file))
  const bad = (why: string): never => fail('STATE_INVALID', name, 'snapshot_corrupt', `snapshot ${file} is unusable: ${why}`)
  if (buf.length === 0 || buf[buf.length - 1] !== 0x0a) bad('incomplete')
  const r = unframe(buf.subarray(0, buf.length - 1))
  if ('error' in r) return bad(r.error)
  const o = r.ok
  if (o.format !== 'terminplan.snapshot' || o.version !== 1) bad('not a terminplan snapshot file')
  if (o.seq !== seq) bad(`it says it is of command ${String(o.seq)}`)
  if (typeof o.autoOffer !== 'boolean' || !Array.isArray(o.loadIssues) || typeof o.snapshot !== 'object' || o.snapshot === null) bad('members missing')
  return { seq, autoOffer: o.autoOffer as boolean, loadIssues: o.loadIssues as ValidationIssue[], snapshot: o.snapshot as SchedulerSnapshot }
}

function writeSnapshotFile(dir: string, f: SnapshotFile): string {
  const name = snapshotName(f.seq)
  writeFileAtomic(dir, name, frame({ format: 'terminplan.snapshot', version: 1, seq: f.seq, autoOffer: f.autoOffer, loadIssues: f.loadIssues, snapshot: f.snapshot }))
  return name
}

/** Opens (creating) a journal segment for appending; a new file's directory entry is made durable. */
function openSegment(dir: string, base: number): number {
  const file = path.join(dir, journalName(base))
  return io(file, () => {
    const existed = fs.existsSync(file)
    const fd = fs.openSync(file, 'a')
    if (!existed) fsyncDir(dir)
    return fd
  })
}

/** Removes snapshots and segments older than `base` and unfinished temporary files; their names. */
function removeLeftovers(dir: string, base: number): string[] {
  const files = listJournal(dir)
  const names = [
    ...files.snapshots.filter((n) => n < base).map(snapshotName),
    ...files.journals.filter((n) => n < base).map(journalName),
    ...files.temps,
  ]
  for (const name of names) io(path.join(dir, name), () => fs.rmSync(path.join(dir, name), { force: true }))
  if (names.length) io(dir, () => fsyncDir(dir))
  return names
}

/** The same error, its message prefixed with the file it came from. */
function withFile(e: unknown, file: string): unknown {
  if (!(e instanceof TerminplanError)) return e
  return new TerminplanError(e.code, `${file}: ${e.message}`, e.issues)
}

class JournaledSchedulerImpl implements JournaledScheduler {
  readonly model: Scheduler['model']
  recovery!: JournalRecovery
  readonly journalDir: string
  private inner!: Scheduler
  private readonly outbox = new Outbox()
  private readonly sink?: NotificationSink
  private readonly fsyncMode: JournalFsync
  private readonly listeners = new Listeners<SchedulerEvents>()
  private readonly forwarded = new Set<SchedulerEventName>()
  private fd = -1
  private base = 0
  private n = 0
  private autoOffer = true
  private issues: ValidationIssue[] = []
  private draining = false
  /** Why commands are refused: closed, or a failure left memory ahead of the journal. */
  private broken: string | null = null
  private release: () => void

  constructor(options: OpenSchedulerOptions) {
    if (typeof options.journal !== 'string' || options.journal === '') fail('COMMAND_INVALID', '$.journal', 'invalid_type', 'journal must be a directory path')
    const mode = options.fsync ?? 'bookings'
    if (!['bookings', 'all', 'none'].includes(mode)) fail('COMMAND_INVALID', '$.fsync', 'invalid_value', 'fsync must be bookings, all or none')
    this.fsyncMode = mode
    this.sink = options.notifications
    const dir = (this.journalDir = path.resolve(options.journal))
    io(dir, () => fs.mkdirSync(dir, { recursive: true }))
    this.release = lockJournal(dir)
    try {
      this.recovery = this.recover(options)
    } catch (e) {
      if (this.fd >= 0) fs.closeSync(this.fd)
      this.release()
      throw e
    }
    this.model = this.inner.model
    this.drain()
  }

  private innerOptions() {
    const outbox = this.outbox
    const gate: NotificationSink | undefined = this.sink && { send: (n: Notification) => outbox.push({ note: structuredClone(n) }) }
    return { notifications: gate, waitlist: { autoOffer: this.autoOffer } }
  }

  private recover(options: OpenSchedulerOptions): JournalRecovery {
    const dir = this.journalDir
    const files = listJournal(dir)
    if (files.snapshots.length === 0) {
      if (files.journals.length) fail('STATE_INVALID', journalName(files.journals[0]), 'snapshot_missing', `the journal ${dir} has segments but no snapshot`)
      // A new journal: the first snapshot, then an empty segment. Notifications of the scenario's
      // waitlist wait until both are on disk.
      const removed = removeLeftovers(dir, 0)
      this.autoOffer = options.waitlist?.autoOffer ?? true
      this.outbox.mode = 'queue'
      this.inner = createScheduler(options.scenario, { ...options, ...this.innerOptions() })
      this.issues = this.inner.loadIssues()
      writeSnapshotFile(dir, { seq: 0, autoOffer: this.autoOffer, loadIssues: this.issues, snapshot: this.inner.snapshot() })
      this.fd = openSegment(dir, 0)
      return { created: true, snapshotSeq: 0, replayed: 0, seq: 0, tornTail: null, removed }
    }
    // Recovery. Everything is read and replayed in memory first; files change only when all of it worked.
    const base = files.snapshots[files.snapshots.length - 1]
    const later = files.journals.find((j) => j > base)
    if (later !== undefined) fail('STATE_INVALID', journalName(later), 'snapshot_missing', `journal segment ${journalName(later)} has no snapshot ${snapshotName(later)}`)
    const snap = readSnapshotFile(dir, base)
    this.autoOffer = snap.autoOffer
    this.issues = snap.loadIssues
    this.outbox.mode = 'drop'
    try {
      this.inner = restoreScheduler(options.scenario, snap.snapshot, this.innerOptions())
    } catch (e) {
      throw withFile(e, snapshotName(base))
    }
    const name = journalName(base)
    const file = path.join(dir, name)
    const exists = files.journals.includes(base)
    const parsed = exists ? parseJournal(io(file, () => fs.readFileSync(file)), base + 1, name) : null
    parsed?.entries.forEach((e, i) => {
      const where = `${name}:${parsed.lines[i]}`
      let out: { ret?: string }
      try {
        out = dispatch(this.inner, e.cmd, e.args)
      } catch (err) {
        if (!(err instanceof TerminplanError)) throw err
        const msg = `replaying ${e.cmd} (command ${e.seq}) failed: ${err.code}: ${err.message}`
        throw new TerminplanError('STATE_INVALID', `${where}: ${msg}`, [{ path: where, code: 'replay_failed', message: msg }, ...err.issues])
      }
      if (out.ret !== e.ret) {
        const msg = `replaying ${e.cmd} (command ${e.seq}) returned ${JSON.stringify(out.ret)}, the journal says ${JSON.stringify(e.ret)}`
        fail('STATE_INVALID', where, 'replay_mismatch', `${where}: ${msg}`)
      }
      if (e.cmd === 'setAutoOffer') this.autoOffer = e.args[0] as boolean
    })
    const replayed = parsed?.entries.length ?? 0
    this.base = base
    this.n = base + replayed
    // Cut off a torn tail, so that new lines follow the last good one.
    if (parsed?.tornTail)
      io(file, () => {
        const fd = fs.openSync(file, 'r+')
        try {
          fs.ftruncateSync(fd, parsed.goodBytes)
          fs.fsyncSync(fd)
        } finally {
          fs.closeSync(fd)
        }
      })
    const removed = removeLeftovers(dir, base)
    this.fd = openSegment(dir, base)
    this.outbox.mode = 'queue'
    const torn = parsed?.tornTail
    return { created: false, snapshotSeq: base, replayed, seq: this.n, tornTail: torn ? { line: torn.line, bytes: torn.bytes } : null, removed }
  }

  // ---- journaled commands ---------------------------------------------------------------------------

  private usable(): void {
    if (this.broken !== null) fail('STATE_INVALID', '$.journal', 'journal_unusable', this.broken)
  }

  /** The state in memory may be ahead of the journal: refuse every further command. */
  private breakDown(why: string): void {
    this.broken = `${why}; open the journal again to recover`
    try {
      fs.closeSync(this.fd)
    } catch {
      // already unusable
    }
    this.fd = -1
    this.release()
  }

  private run(cmd: JournalCommand, args: unknown[]): unknown {
    this.usable()
    while (args.length && args[args.length - 1] === undefined) args.pop()
    let text: string
    try {
      text = JSON.stringify(args)
    } catch (e) {
      return fail('COMMAND_INVALID', '$', 'not_json', `the arguments of ${cmd} are not JSON: ${(e as Error).message}`)
    }
    // The command sees exactly what a replay will see.
    const copy = JSON.parse(text) as unknown[]
    const mark = this.outbox.items.length
    let out: { value: unknown; ret?: string }
    try {
      out = dispatch(this.inner, cmd, copy)
    } catch (e) {
      this.outbox.items.length = mark
      if (!(e instanceof TerminplanError)) this.breakDown(`${cmd} failed unexpectedly (${(e as Error)?.message ?? String(e)})`)
      throw e
    }
    const entry = { seq: this.n + 1, cmd, args: copy, ...(out.ret !== undefined ? { ret: out.ret } : {}) }
    const file = path.join(this.journalDir, journalName(this.base))
    try {
      io(file, () => {
        writeAll(this.fd, encodeEntry(entry))
        if (this.fsyncMode === 'all' || (this.fsyncMode === 'bookings' && BOOKINGS.has(cmd))) fs.fsyncSync(this.fd)
      })
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

  // ---- reads ----------------------------------------------------------------------------------------

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
  /** For batch matching (matchWaitlist), which reads the engine's state and offers through `offer`. */
  [INTERNALS](): SchedulerInternals {
    return (this.inner as unknown as { [INTERNALS]: () => SchedulerInternals })[INTERNALS]()
  }

  // ---- journal --------------------------------------------------------------------------------------

  seq(): number {
    return this.n
  }

  checkpoint(): { seq: number; file: string } {
    this.usable()
    const dir = this.journalDir
    if (this.n === this.base) return { seq: this.n, file: path.join(dir, snapshotName(this.n)) }
    const seq = this.n
    let name: string
    try {
      name = writeSnapshotFile(dir, { seq, autoOffer: this.autoOffer, loadIssues: this.issues, snapshot: this.inner.snapshot() })
    } catch (e) {
      // Before the rename a failure leaves the old snapshot and segment in charge; after it, the
      // new snapshot is, and lines appended to the old segment would be skipped by recovery.
      if (fs.existsSync(path.join(dir, snapshotName(seq)))) this.breakDown(`checkpoint ${seq} failed after its snapshot was in place (${(e as Error).message})`)
      throw e
    }
    let fd: number
    try {
      fd = openSegment(dir, seq)
    } catch (e) {
      // The new snapshot is in charge, but new lines would go to the old segment, which recovery skips.
      this.breakDown(`starting journal segment ${journalName(seq)} failed (${(e as Error).message})`)
      throw e
    }
    const old = this.fd
    this.fd = fd
    this.base = seq
    fs.closeSync(old)
    try {
      removeLeftovers(dir, seq)
    } catch {
      // Removed at the next open.
    }
    return { seq, file: path.join(dir, name) }
  }

  close(): void {
    if (this.broken !== null) return
    try {
      if (this.fsyncMode !== 'none') io(path.join(this.journalDir, journalName(this.base)), () => fs.fsyncSync(this.fd))
    } finally {
      fs.closeSync(this.fd)
      this.fd = -1
      this.broken = `the journal ${this.journalDir} is closed`
      this.release()
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
