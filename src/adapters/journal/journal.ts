/**
 * The journal's file format and the file operations it needs.
 *
 * A journal is a directory:
 *   snapshot-<N>.json   the scheduler's state after command N, one framed record (written atomically)
 *   journal-<N>.log     the commands N+1, N+2, … accepted since that snapshot, one framed record a line
 *   LOCK                the id of the process that has the journal open
 * N is zero-padded to 16 digits, so names sort by number. A checkpoint writes snapshot-<M> and
 * starts journal-<M>; older files are deleted after that (and at the next open, if a crash came first).
 *
 * A framed record is one line of JSON whose last member is a CRC-32 (IEEE, zlib's) of the bytes
 * before it: `{"seq":7,"cmd":"confirm","args":["h3",{}],"ret":"a2","crc":"1c291ca3"}`. The checksum
 * covers `{"seq":7,…,"ret":"a2"` exactly as written, so a torn or damaged line is recognised
 * without trusting any of its content.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { crc32 } from 'node:zlib'
import { TerminplanError } from '../../model/errors.js'
import { describeError, ioError } from '../common/errors.js'
import { COMMANDS, type CommandName } from './commands.js'

/** The commands that change a scheduler's state (the command table's names); each accepted one becomes a journal line. */
export const JOURNAL_COMMANDS = Object.keys(COMMANDS) as readonly CommandName[]
export type JournalCommand = CommandName

export interface JournalEntry {
  /** 1, 2, 3, … over the journal's whole life (a checkpoint does not restart it). */
  seq: number
  cmd: JournalCommand
  /** The command's arguments as JSON, exactly as the live command received them. */
  args: unknown[]
  /** The id the command returned (hold, appointment, waitlist entry, offer), checked on replay. */
  ret?: string
}

/** `,"crc":"xxxxxxxx"}` */
const CRC_SUFFIX = 18

export function crc32Hex(bytes: Uint8Array): string {
  return (crc32(bytes) >>> 0).toString(16).padStart(8, '0')
}

/**
 * Frames a JSON object given as text without its closing brace (`{"seq":1,…`): appends the
 * checksum member, the brace and a newline.
 */
export function frameHead(head: string): Buffer {
  const bytes = Buffer.from(head, 'utf8')
  return Buffer.concat([bytes, Buffer.from(`,"crc":"${crc32Hex(bytes)}"}\n`, 'latin1')])
}

/** Frames a plain object (at least one member). */
export function frame(body: Record<string, unknown>): Buffer {
  return frameHead(JSON.stringify(body).slice(0, -1))
}

/** The framed text of an entry without its checksum; `argsText` is the arguments' JSON as stored. */
export function entryHead(e: Omit<JournalEntry, 'args'>, argsText: string): string {
  return `{"seq":${e.seq},"cmd":${JSON.stringify(e.cmd)},"args":${argsText}${e.ret !== undefined ? `,"ret":${JSON.stringify(e.ret)}` : ''}`
}

export function encodeEntry(e: JournalEntry): Buffer {
  return frameHead(entryHead(e, JSON.stringify(e.args)))
}

/** One framed record (without its newline): the object, or why it is not one. */
export function unframe(line: Uint8Array): { ok: Record<string, unknown> } | { error: string } {
  if (line.length < CRC_SUFFIX + 2 || line[0] !== 0x7b) return { error: 'not a record' }
  const tail = Buffer.from(line.subarray(line.length - CRC_SUFFIX)).toString('latin1')
  const m = /^,"crc":"([0-9a-f]{8})"\}$/.exec(tail)
  if (!m) return { error: 'no checksum' }
  if (crc32Hex(line.subarray(0, line.length - CRC_SUFFIX)) !== m[1]) return { error: 'checksum mismatch' }
  let v: unknown
  try {
    v = JSON.parse(Buffer.from(line).toString('utf8'))
  } catch {
    return { error: 'not JSON' }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'not an object' }
  const o = v as Record<string, unknown>
  delete o.crc
  return { ok: o }
}

/** Checks a record's shape; the problem, or null. */
function entryProblem(o: Record<string, unknown>, seq: number): string | null {
  for (const k of Object.keys(o)) if (!['seq', 'cmd', 'args', 'ret'].includes(k)) return `unexpected member "${k}"`
  if (o.seq !== seq) return `sequence number ${String(o.seq)}, expected ${seq}`
  if (!(JOURNAL_COMMANDS as readonly unknown[]).includes(o.cmd)) return `unknown command ${JSON.stringify(o.cmd)}`
  if (!Array.isArray(o.args)) return 'args is not a list'
  if (o.ret !== undefined && typeof o.ret !== 'string') return 'ret is not a string'
  return null
}

export interface ParsedJournal {
  entries: JournalEntry[]
  /** Line number (1-based) of each entry, for messages. */
  lines: number[]
  /** Bytes up to and including the last good line's newline. */
  goodBytes: number
  /** The last line, when it was incomplete or failed its checksum: it is not part of the journal. */
  tornTail: { line: number; bytes: number; reason: string } | null
}

/**
 * Reads a journal segment whose first command is `firstSeq`. An incomplete last line or one that
 * fails its checksum is a torn tail (a write the crash interrupted, never acknowledged) and is
 * reported, not returned; any other bad line is corruption: STATE_INVALID at `<file>:<line>`.
 */
export function parseJournal(buf: Uint8Array, firstSeq: number, file: string): ParsedJournal {
  const entries: JournalEntry[] = []
  const lines: number[] = []
  let pos = 0, line = 0, goodBytes = 0
  let tornTail: ParsedJournal['tornTail'] = null
  const corrupt = (n: number, why: string): never => {
    const msg = `journal ${file} is corrupt at line ${n}: ${why}`
    throw new TerminplanError('STATE_INVALID', msg, [{ path: `${file}:${n}`, code: 'journal_corrupt', message: msg }])
  }
  while (pos < buf.length) {
    line++
    const nl = buf.indexOf(0x0a, pos)
    if (nl < 0) {
      // No newline: the write of this line never completed.
      tornTail = { line, bytes: buf.length - pos, reason: 'incomplete line' }
      break
    }
    const r = unframe(buf.subarray(pos, nl))
    if ('error' in r) {
      if (nl + 1 === buf.length) {
        tornTail = { line, bytes: buf.length - pos, reason: r.error }
        break
      }
      corrupt(line, r.error)
    } else {
      const o = r.ok
      const problem = entryProblem(o, firstSeq + entries.length)
      if (problem) corrupt(line, problem)
      const e: JournalEntry = { seq: o.seq as number, cmd: o.cmd as JournalCommand, args: o.args as unknown[] }
      if (o.ret !== undefined) e.ret = o.ret as string
      entries.push(e)
      lines.push(line)
    }
    pos = nl + 1
    goodBytes = pos
  }
  return { entries, lines, goodBytes, tornTail }
}

// ---- file names -----------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(16, '0')
export const snapshotName = (seq: number) => `snapshot-${pad(seq)}.json`
export const journalName = (seq: number) => `journal-${pad(seq)}.log`
export const LOCK_NAME = 'LOCK'

export interface JournalFiles {
  /** Sequence numbers of the snapshot files, ascending. */
  snapshots: number[]
  /** Base sequence numbers of the journal segments, ascending. */
  journals: number[]
  /** Unfinished atomic writes (`*.tmp`). */
  temps: string[]
}

export function listJournal(dir: string): JournalFiles {
  const out: JournalFiles = { snapshots: [], journals: [], temps: [] }
  for (const name of io(dir, () => fs.readdirSync(dir))) {
    let m: RegExpExecArray | null
    if ((m = /^snapshot-(\d{16})\.json$/.exec(name))) out.snapshots.push(Number(m[1]))
    else if ((m = /^journal-(\d{16})\.log$/.exec(name))) out.journals.push(Number(m[1]))
    else if (name.endsWith('.tmp')) out.temps.push(name)
  }
  out.snapshots.sort((a, b) => a - b)
  out.journals.sort((a, b) => a - b)
  return out
}

// ---- file operations ------------------------------------------------------------------------------

/** Runs a file operation; a failure becomes IO_FAILED with the file as its path. */
export function io<T>(file: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof TerminplanError) throw e
    throw ioError(file, (e as NodeJS.ErrnoException).code ?? 'io_error', `${file}: ${describeError(e)}`)
  }
}

/** Writes all of `bytes` at the end of the file behind `fd` (opened with 'a'). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0
  while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off)
}

/** Makes the directory's entries (created, renamed, deleted files) durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch (e) {
    // Windows cannot open or sync a directory; its rename is durable on its own.
    if (process.platform !== 'win32') throw e
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** Writes a file atomically: a temporary file, fsync, rename over the target, fsync of the directory. */
export function writeFileAtomic(dir: string, name: string, bytes: Uint8Array): void {
  const target = path.join(dir, name)
  const tmp = `${target}.tmp`
  io(target, () => {
    const fd = fs.openSync(tmp, 'w')
    try {
      writeAll(fd, bytes)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, target)
    fsyncDir(dir)
  })
}
