/**
 * The journal store port: where a scheduler's command log and snapshots live. Two
 * implementations: files in a directory (file-store.ts, the embedded default, synchronous) and
 * PostgreSQL (pg/store.ts, several instances on one database, one leader per city, asynchronous).
 *
 * The contract, for both:
 * - `append` writes commands with consecutive sequence numbers after the last one; when it
 *   returns (resolves) they are in the log, and with `durable` they survive a power cut (fsync, a
 *   commit). It is fenced: only the holder of the lease appends, and a seq that is not last+1 is
 *   refused, so two writers can never interleave.
 * - `read(from)` gives the commands from `from` on, in order, each with a place for messages.
 * - snapshots: `writeSnapshot` stores the state after command `seq`; `latestSnapshot` is the newest.
 * - the lease names the one writer: `acquireLease` takes it (or says who has it).
 */
import type { ValidationIssue } from '../../model/errors.js'
import type { SchedulerSnapshot } from '../../solver/scheduler/index.js'
import type { JournalEntry } from './journal.js'

export type Awaitable<T> = T | Promise<T>

/** The state after command `seq`, with what a scheduler's snapshot does not hold. */
export interface StoredSnapshot {
  seq: number
  autoOffer: boolean
  loadIssues: ValidationIssue[]
  snapshot: SchedulerSnapshot
}

export interface StoreRead {
  entries: JournalEntry[]
  /** Where entry `i` is, for messages (`journal-….log:17`, `berlin#17`). */
  at(i: number): string
}

/** The lease of one writer: an epoch that grows with every new holder. */
export interface Lease {
  epoch: number
  owner: string
}

export type LeaseResult = { ok: Lease } | { heldBy: Lease }

export interface JournalStore {
  readonly kind: 'files' | 'postgres'
  /** The log's name in messages (a directory, `postgres:berlin`). */
  readonly where: string
  latestSnapshot(): Awaitable<StoredSnapshot | null>
  read(fromSeq: number): Awaitable<StoreRead>
  append(entries: readonly JournalEntry[], durable: boolean): Awaitable<void>
  writeSnapshot(s: StoredSnapshot): Awaitable<unknown>
  acquireLease(owner: string): Awaitable<LeaseResult>
  /** Gives the lease up (a clean stop); the store may be closed with it. */
  close(): Awaitable<void>
}
