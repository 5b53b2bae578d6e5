/**
 * The journal store in a directory (the embedded default; format in journal.ts): snapshot files
 * written atomically, one segment of command lines per snapshot, a LOCK file as the lease.
 * Synchronous, so that openScheduler stays a plain Scheduler.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fail } from '../../model/errors.js'
import type { SchedulerSnapshot } from '../../solver/scheduler/index.js'
import type { ValidationIssue } from '../../model/errors.js'
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
  type JournalEntry,
  type ParsedJournal,
} from './journal.js'
import { lockJournal } from './lock.js'
import type { JournalStore, LeaseResult, StoreRead, StoredSnapshot } from './store.js'

export interface FileRead extends StoreRead {
  /** The segment's name. */
  file: string
  tornTail: ParsedJournal['tornTail']
  goodBytes: number
}

function readSnapshotFile(dir: string, seq: number): StoredSnapshot {
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
  const names = [...files.snapshots.filter((n) => n < base).map(snapshotName), ...files.journals.filter((n) => n < base).map(journalName), ...files.temps]
  for (const name of names) io(path.join(dir, name), () => fs.rmSync(path.join(dir, name), { force: true }))
  if (names.length) io(dir, () => fsyncDir(dir))
  return names
}

export class FileJournalStore implements JournalStore {
  readonly kind = 'files'
  readonly where: string
  /** Set when a failure left the files in a state this store must not append to. */
  broken: string | null = null
  private fd = -1
  private base = 0
  private release: (() => void) | null = null

  constructor(readonly dir: string) {
    this.where = dir
    io(dir, () => fs.mkdirSync(dir, { recursive: true }))
  }

  /** The LOCK file; a second holder is a CONFLICT (thrown): a file journal has no followers. */
  acquireLease(owner: string): LeaseResult {
    this.release = lockJournal(this.dir)
    return { ok: { epoch: 1, owner } }
  }

  /** The newest snapshot; null for a new journal. Segments without their snapshot are STATE_INVALID. */
  latestSnapshot(): StoredSnapshot | null {
    const files = listJournal(this.dir)
    if (files.snapshots.length === 0) {
      if (files.journals.length) fail('STATE_INVALID', journalName(files.journals[0]), 'snapshot_missing', `the journal ${this.dir} has segments but no snapshot`)
      return null
    }
    const base = files.snapshots[files.snapshots.length - 1]
    const later = files.journals.find((j) => j > base)
    if (later !== undefined) fail('STATE_INVALID', journalName(later), 'snapshot_missing', `journal segment ${journalName(later)} has no snapshot ${snapshotName(later)}`)
    return readSnapshotFile(this.dir, base)
  }

  /** The segment of the snapshot `fromSeq - 1` (commands cannot be read across segments). */
  read(fromSeq: number): FileRead {
    const base = fromSeq - 1
    const name = journalName(base)
    const file = path.join(this.dir, name)
    const parsed = fs.existsSync(file) ? parseJournal(io(file, () => fs.readFileSync(file)), fromSeq, name) : null
    if (!parsed) return { entries: [], at: () => name, file: name, tornTail: null, goodBytes: 0 }
    return { entries: parsed.entries, at: (i) => `${name}:${parsed.lines[i]}`, file: name, tornTail: parsed.tornTail, goodBytes: parsed.goodBytes }
  }

  /**
   * After a successful replay of `read` (whose snapshot is `base`): cuts off its torn tail, removes
   * leftovers and opens the segment for appending. The names removed.
   */
  resume(base: number, read: FileRead): string[] {
    const file = path.join(this.dir, journalName(base))
    if (read.tornTail)
      io(file, () => {
        const fd = fs.openSync(file, 'r+')
        try {
          fs.ftruncateSync(fd, read.goodBytes)
          fs.fsyncSync(fd)
        } finally {
          fs.closeSync(fd)
        }
      })
    const removed = removeLeftovers(this.dir, base)
    this.fd = openSegment(this.dir, base)
    this.base = base
    return removed
  }

  append(entries: readonly JournalEntry[], durable: boolean): void {
    if (this.fd < 0) fail('STATE_INVALID', '$.journal', 'journal_unusable', this.broken ?? `the journal ${this.dir} is not open for appending`)
    io(path.join(this.dir, journalName(this.base)), () => {
      for (const e of entries) writeAll(this.fd, encodeEntry(e))
      if (durable) fs.fsyncSync(this.fd)
    })
  }

  /**
   * Writes snapshot-<seq> atomically and starts journal-<seq>; older files are removed (their
   * names returned). A failure after the snapshot is in place marks the store broken: lines
   * appended to the old segment would be skipped by recovery.
   */
  writeSnapshot(s: StoredSnapshot): string[] {
    const dir = this.dir
    const name = snapshotName(s.seq)
    try {
      writeFileAtomic(dir, name, frame({ format: 'terminplan.snapshot', version: 1, seq: s.seq, autoOffer: s.autoOffer, loadIssues: s.loadIssues, snapshot: s.snapshot }))
    } catch (e) {
      if (fs.existsSync(path.join(dir, name))) this.broken = `checkpoint ${s.seq} failed after its snapshot was in place (${(e as Error).message})`
      throw e
    }
    let fd: number
    try {
      fd = openSegment(dir, s.seq)
    } catch (e) {
      this.broken = `starting journal segment ${journalName(s.seq)} failed (${(e as Error).message})`
      throw e
    }
    const old = this.fd
    this.fd = fd
    this.base = s.seq
    if (old >= 0) fs.closeSync(old)
    try {
      return removeLeftovers(dir, s.seq)
    } catch {
      return [] // removed at the next open
    }
  }

  /** Removes leftovers of a directory that has no snapshot yet (before the first one is written). */
  removeAll(): string[] {
    return removeLeftovers(this.dir, 0)
  }

  /** The current segment's name and base. */
  segment(): { name: string; base: number } {
    return { name: journalName(this.base), base: this.base }
  }

  /** Makes the segment durable (unless `sync` is false), closes it and releases the lock. */
  close(sync = true): void {
    try {
      if (sync && this.fd >= 0) io(path.join(this.dir, journalName(this.base)), () => fs.fsyncSync(this.fd))
    } finally {
      this.abandon()
    }
  }

  /** Closes without syncing (after a failure) and releases the lock. */
  abandon(): void {
    if (this.fd >= 0)
      try {
        fs.closeSync(this.fd)
      } catch {
        // already unusable
      }
    this.fd = -1
    this.release?.()
    this.release = null
  }
}
