/**
 * Crash test of live changes (issue #14: "a SIGKILL during a change recovers to before or after
 * it, never between"). A child process (change-crash-child.ts) books, cancels, moves the clock
 * (rolling horizon), checkpoints and applies live changes — sick calls, closures, new shifts,
 * added staff, each with an idempotency key, some retried with the same key — on a journal, and
 * is killed with SIGKILL at seeded random moments: mostly right after it announced a change (so
 * that the kill lands while the change is computed or made durable) or as soon as the change's
 * line is in the journal (durable, not yet acknowledged); else right after a change was
 * acknowledged, after a burst of bookings following one, while it recovers, or anywhere. After
 * every kill the journal, as the crash left it, is recovered in a copy (so that the next child
 * meets the crash itself) and checked independently:
 * 1. the change log: every acknowledged change (A line) is at its index with its key, its hash
 *    and the very result the child was given (a checksum of it); the log is the one recovered
 *    before plus the acknowledged changes plus at most the one in flight at the kill, and that
 *    one, if there, is the last record — whole; each record is the overlay the child sent, with
 *    its key and its own result; folding the sent overlays onto the base scenario with
 *    applyOverlay, each on the horizon rolled to where the clock had it, gives every record's hash
 *    (scenarioHash) and, rolled to today's horizon, the scenario in force (JSON-equal); a retry of
 *    an acknowledged change with its key, after a crash, answers the same index, hash and result;
 *    a change whose line the parent saw in the journal file before the kill is recovered;
 * 2. the invariants (invariants.ts) against that fold: nothing that starts after the last change
 *    lies outside working time (absences, closures, shifts) or lacks a skill, no overlaps, busy
 *    units = records;
 * 3. every acknowledged booking not cancelled is at its staff member and time, or at the staff
 *    member a later change moved it to (same time), or a later change reported it (offered or
 *    unplaceable; then it is gone), or the rolling horizon passed it — nothing acknowledged
 *    silently vanishes;
 * 4. a torn tail is reported only for a torn write injected after the kill (a framed applyChange
 *    line cut short or with a bad checksum, what a power cut can leave), only as the last line,
 *    and the torn change is never in the log.
 * Then the next child continues on the same journal, first retrying the change it was given last.
 * If no kill recovered a change it had not acknowledged, up to 20 more children are killed as soon
 * as their change's line is in the journal, so that every run covers both sides.
 *
 * The child is bundled with esbuild as in crash.test.ts (TERMINPLAN_CRASH_TSX=1: tsx instead).
 * TERMINPLAN_CHANGE_CRASH_KILLS (default 30) and TERMINPLAN_CHANGE_CRASH_SEED change the run.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32 } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openScheduler, parseJournal } from '../../src/adapters/journal/index.js'
import { entryHead, frameHead } from '../../src/adapters/journal/journal.js'
import { loadScenario } from '../../src/model/load.js'
import { applyOverlay, parseOverlay, type OverlayInput } from '../../src/model/overlay.js'
import { createRng } from '../../src/model/random.js'
import type { Scenario } from '../../src/model/schema.js'
import { addDays, localDateOf, startOfLocalDay } from '../../src/model/tz.js'
import { rollScenario, scenarioHash } from '../../src/solver/scheduler/index.js'
import { envInt } from '../solver/harness.js'
import { CRASH_NOW, crashScenario } from './crash-fixture.js'
import { childCommand } from './child-command.js'
import { InvariantChecker } from './invariants.js'

const KILLS = envInt('TERMINPLAN_CHANGE_CRASH_KILLS', 30)
const SEED = envInt('TERMINPLAN_CHANGE_CRASH_SEED', 20260614)
const here = path.dirname(fileURLToPath(import.meta.url))
const CHILD = path.join(here, 'change-crash-child.ts')

let work = ''
let command: string[] = []

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-change-crash-'))
  command = await childCommand(CHILD, work)
}, 60_000)
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

type Mode = 'recovery' | 'change' | 'written' | 'ack' | 'burst' | 'anywhere'

interface Run {
  mode: Mode
  signal: NodeJS.Signals | null
  code: number | null
  stderr: string
  recovered: boolean
  /** The key of a change announced (S) and not answered when the child died. */
  inFlight: string | null
  /** The key of a change whose journal line the parent saw in the file before it killed the child. */
  lineSeen: string | null
}

interface Booking {
  staff: string
  start: string
  /** Changes in the log when it was acknowledged: only later ones can have moved or reported it. */
  base: number
}

/** Whether the journal in `dir` (as recovered) holds a cancellation of appointment `id`. */
function cancelIsJournaled(dir: string, id: string): boolean {
  for (const name of fs.readdirSync(dir).filter((n) => n.startsWith('journal-'))) {
    const base = Number(name.slice(8, 24))
    const { entries } = parseJournal(fs.readFileSync(path.join(dir, name)), base + 1, name)
    if (entries.some((e) => e.cmd === 'cancel' && e.args[0] === id)) return true
  }
  return false
}

/** crc32 of a change result's JSON (what the child prints last on an A line). */
const resultSum = (r: unknown) => (crc32(JSON.stringify(r)) >>> 0).toString(16).padStart(8, '0')

function quantile(xs: number[], q: number): string {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1) : '-'
}

/** Waits (busily, at most 100 ms) until a journal line with idempotency key `key` is in the last segment of the test's journal. */
let journalDir = ''
function waitForLine(key: string): boolean {
  const seg = lastSegment(journalDir)
  if (!seg) return false
  const needle = Buffer.from(`"idempotencyKey":${JSON.stringify(key)}`)
  const buf = Buffer.alloc(8192)
  let fd: number
  try {
    fd = fs.openSync(path.join(journalDir, seg.name), 'r')
  } catch {
    return false
  }
  try {
    for (const until = performance.now() + 100; performance.now() < until; ) {
      const size = fs.fstatSync(fd).size
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size), Math.max(0, size - buf.length))
      if (buf.subarray(0, n).includes(needle)) return true
    }
    return false
  } finally {
    fs.closeSync(fd)
  }
}

/** The segment recovery reads: that of the latest snapshot. */
function lastSegment(dir: string): { name: string; base: number } | null {
  const snaps = fs.readdirSync(dir).filter((n) => n.startsWith('snapshot-')).sort()
  if (snaps.length === 0) return null
  const base = Number(snaps[snaps.length - 1].slice(9, 25))
  return { name: `journal-${String(base).padStart(16, '0')}.log`, base }
}

describe('live-change crash test', () => {
  it(`SIGKILL during live changes (${KILLS} times): recovery is before or after a change, never between; nothing acknowledged is lost`, async () => {
    const started = Date.now()
    const rng = createRng(SEED)
    const scenario = loadScenario(crashScenario())
    const zone = scenario.timezone
    const dir = path.join(work, 'journal')
    journalDir = dir
    /** The horizon's first day at instant `ms` (rolling: yesterday, never before the scenario's). */
    const horizonAt = (ms: number) => {
      const y = addDays(localDateOf(zone, ms), -1)
      return y > scenario.horizon.start ? y : scenario.horizon.start
    }

    // What the children acknowledged and announced.
    const ackedChanges = new Map<number, { hash: string; key: string; sum: string }>()
    const ackedKeys = new Map<string, { index: number; hash: string; sum: string }>()
    const sent = new Map<string, OverlayInput>()
    /** Keys of changes in flight at some kill: the only ones that may be in the log unacknowledged. */
    const inFlightKeys = new Set<string>()
    const tornKeys = new Set<string>()
    const rejectedKeys = new Set<string>()
    const acked = new Map<string, Booking>()
    const everAcked = new Set<string>()
    let prevLog: string[] = []
    let prevKeys: string[] = []
    let lastNow = CRASH_NOW, lastHorizon = scenario.horizon.start
    /** A torn line injected and not yet cut off by a child's recovery: present, maybe (a child died recovering), none. */
    let torn: { state: 'none' | 'present' | 'maybe'; bytes: number } = { state: 'none', bytes: 0 }

    let kills = 0, runs = 0, killedInRecovery = 0, midChange = 0, midChangeAfter = 0, midChangeBefore = 0, midRetry = 0
    let changesAcked = 0, retriesSame = 0, conflicts = 0, pendingRetries = 0, pendingRetriesAcked = 0, rejected = 0
    let bookings = 0, cancels = 0, cancelledUnacked = 0, checkedBookings = 0, movedChecked = 0, reported = 0, rolledOut = 0
    let injected = 0, tornReported = 0, recoveries = 0, recoveredUnacked = 0, checkpoints = 0
    let affected = 0, moved = 0, offered = 0, unplaceable = 0
    /** Milliseconds from an S line to its A line, as the parent sees them. */
    const changeMs: number[] = []
    /** Kills aimed at a change's journal line ('written'): recovered after the change, before it. */
    const writtenKills = [0, 0]

    const verify = (where: string, journalDir: string) => {
      const fail: (msg: string) => never = (msg) => {
        throw new Error(`${where}: ${msg}`)
      }
      // Check 4 needs the segment as the crash left it (recovery cuts a torn tail off).
      const seg = lastSegment(journalDir)
      const segBytes = seg && fs.existsSync(path.join(journalDir, seg.name)) ? fs.readFileSync(path.join(journalDir, seg.name)) : Buffer.alloc(0)
      let lines = 0
      for (const b of segBytes) if (b === 0x0a) lines++
      if (segBytes.length > 0 && segBytes[segBytes.length - 1] !== 0x0a) lines++

      const s = openScheduler({ scenario, journal: journalDir, now: CRASH_NOW, fsync: 'none', horizon: 'rolling' })
      try {
        recoveries++
        // 4. A torn tail only where one was injected, as the last line.
        const t = s.recovery.tornTail
        if (t) {
          tornReported++
          if (torn.state === 'none') fail(`recovery reports a torn tail (line ${t.line}, ${t.bytes} bytes) where none was written`)
          if (t.line !== lines) fail(`torn tail at line ${t.line}, but the segment has ${lines} lines`)
          if (t.bytes !== torn.bytes) fail(`torn tail of ${t.bytes} bytes, ${torn.bytes} were written`)
        } else if (torn.state === 'present') fail('the injected torn line was not reported')

        // 1. The change log.
        const log = s.changes()
        prevLog.forEach((h, i) => {
          if (log[i]?.hash !== h) fail(`change ${i} was recovered before (${h}) and is now ${log[i]?.hash ?? 'gone'}`)
        })
        let maxAcked = -1
        for (const [i, a] of ackedChanges) {
          maxAcked = Math.max(maxAcked, i)
          const r = log[i]
          if (!r) fail(`acknowledged change ${i} (${a.key}) is lost (the log has ${log.length})`)
          if (r.hash !== a.hash || r.idempotencyKey !== a.key) fail(`acknowledged change ${i} (${a.key}, ${a.hash}) is recovered as ${r.idempotencyKey}, ${r.hash}`)
          if (resultSum(r.result) !== a.sum) fail(`acknowledged change ${i} (${a.key}): the recovered result ${JSON.stringify(r.result)} is not the one acknowledged`)
        }
        if (log.length > maxAcked + 2) fail(`the log has ${log.length} changes, ${maxAcked + 1} acknowledged: more than one in flight`)
        let cur: Scenario = scenario
        log.forEach((r, i) => {
          const key = r.idempotencyKey
          if (key === undefined || !sent.has(key)) fail(`change ${i} ("${r.overlay.name}") has a key the child never sent (${key})`)
          if (tornKeys.has(key)) fail(`change ${i} is the torn line ${key}`)
          if (rejectedKeys.has(key)) fail(`change ${i} (${key}) was rejected`)
          if (!ackedChanges.has(i)) {
            if (!inFlightKeys.has(key)) fail(`change ${i} (${key}) was never acknowledged nor in flight at a kill`)
            if (i <= maxAcked && prevLog.length <= i) fail(`unacknowledged change ${i} (${key}) appeared before acknowledged ones`)
          }
          const overlay = parseOverlay(sent.get(key))
          if (JSON.stringify(r.overlay) !== JSON.stringify(overlay)) fail(`change ${i} (${key}) is not the overlay sent`)
          if (r.horizonStart !== horizonAt(Date.parse(r.at))) fail(`change ${i} (${key}) at ${r.at} records horizon ${r.horizonStart}`)
          if (!r.result || r.result.index !== i || r.result.scenarioHash !== r.hash) fail(`change ${i} (${key}) has no result of its own: ${JSON.stringify(r.result)}`)
          cur = applyOverlay(rollScenario(cur, r.horizonStart), overlay)
          if (scenarioHash(cur) !== r.hash) fail(`change ${i} (${key}): the fold gives ${scenarioHash(cur)}, the record says ${r.hash}`)
        })
        for (let i = prevLog.length; i < log.length; i++) if (!ackedChanges.has(i)) recoveredUnacked++
        const nowMs = Date.parse(s.now())
        const inForce = rollScenario(cur, horizonAt(nowMs))
        if (JSON.stringify(s.model.scenario) !== JSON.stringify(inForce)) fail('the scenario in force is not the fold of the change log')

        // 2. Invariants against the fold.
        const checker = new InvariantChecker(inForce)
        const since = log.length ? Date.parse(log[log.length - 1].at) : -Infinity
        const problems = checker.check(s, since)
        if (problems.length) fail(problems.slice(0, 5).join('; '))

        // 3. Acknowledged bookings.
        const byId = new Map(s.appointments().map((a) => [a.id, a]))
        const outcomes = new Map<string, { index: number; outcome: string; staffId?: string }[]>()
        log.forEach((r, index) => {
          for (const o of r.result!.outcomes) outcomes.set(o.appointmentId, [...(outcomes.get(o.appointmentId) ?? []), { index, ...o }])
        })
        const t0 = startOfLocalDay(zone, inForce.horizon.start)
        for (const [id, b] of acked) {
          let staff = b.staff
          let gone: string | null = null
          for (const o of outcomes.get(id) ?? []) {
            if (o.index < b.base) fail(`booking ${id}, acknowledged after change ${b.base - 1}, is in the outcomes of change ${o.index}`)
            if (gone) fail(`booking ${id} is in the outcomes of change ${o.index} after change ${gone} reported it`)
            if (o.outcome === 'moved') {
              if (o.staffId === undefined || o.staffId === staff) fail(`change ${o.index} moved booking ${id} from ${staff} to ${o.staffId}`)
              staff = o.staffId
              movedChecked++
            } else gone = `${o.index} (${o.outcome})`
          }
          const a = byId.get(id)
          if (gone) {
            if (a) fail(`booking ${id} was reported by change ${gone} but is still at ${a.staffId} ${a.start}`)
            acked.delete(id)
            reported++
            continue
          }
          if (Date.parse(b.start) < t0) {
            // The horizon rolled past it: it is over and has left memory.
            acked.delete(id)
            rolledOut++
            continue
          }
          if (!a) {
            if (cancelIsJournaled(journalDir, id)) {
              // The kill came between the cancellation's line and its acknowledgement.
              acked.delete(id)
              cancelledUnacked++
              continue
            }
            fail(`acknowledged booking ${id} (${staff} ${b.start}) is lost`)
          }
          if (a.staffId !== staff || a.start !== b.start) fail(`acknowledged booking ${id} should be at ${staff} ${b.start}, is at ${a.staffId} ${a.start}`)
          checkedBookings++
        }
        lastNow = s.now()
        lastHorizon = inForce.horizon.start
        prevLog = log.map((r) => r.hash)
        prevKeys = log.map((r) => r.idempotencyKey!)
        return log
      } finally {
        s.close()
      }
    }

    const runChild = (seed: number, force?: Mode): Promise<Run> =>
      new Promise((resolve, reject) => {
        const draw = rng.next()
        const mode: Mode = force ?? (draw < 0.1 ? 'recovery' : draw < 0.45 ? 'change' : draw < 0.62 ? 'written' : draw < 0.74 ? 'ack' : draw < 0.87 ? 'burst' : 'anywhere')
        const nth = 1 + rng.int(3)
        const burst = 1 + rng.int(6)
        // 'change': after the S line, waited out busily (a timer's millisecond is a good part of a
        // change): half of the time 0–12 ms, so that the kill falls anywhere in the change's
        // computation, journal write and fsync; half of the time 70–110% of the recent median time
        // from S to A, aimed at its end (the write and the fsync, before the acknowledgement).
        const recent = changeMs.slice(-20).sort((x, y) => x - y)
        const aim = recent.length >= 5 ? recent[recent.length >> 1] : 6
        const delay = mode === 'recovery' ? rng.int(60) : mode === 'change' ? (rng.next() < 0.5 ? rng.next() * 12 : (0.7 + rng.next() * 0.4) * aim) : mode === 'anywhere' ? 20 + rng.int(300) : 0
        const child = spawn(command[0], [...command.slice(1), dir, String(seed), '4000', runs % 6 === 0 ? '1' : '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
        const run: Run = { mode, signal: null, code: null, stderr: '', recovered: false, inFlight: null, lineSeen: null }
        let buf = ''
        let known = 0, sLines = 0, aLines = 0, bAfter = -1
        let pendingKey: string | null = null, firstS = true, sAt = 0
        const kill = (after: number) => {
          const k = () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          }
          if (after < 15) {
            for (const until = performance.now() + after; performance.now() < until; );
            k()
          } else setTimeout(k, after)
        }
        const line = (l: string) => {
          const [tag, a, b, c] = l.split(' ')
          switch (tag) {
            case 'O':
              if (mode === 'recovery') kill(delay)
              break
            case 'R':
              run.recovered = true
              known = Number(l.split(' ')[5])
              if (mode === 'anywhere') kill(delay)
              break
            case 'S': {
              pendingKey = a
              sAt = performance.now()
              const overlay = JSON.parse(l.slice(l.indexOf(' ', 2) + 1)) as OverlayInput
              if (sent.has(a) && JSON.stringify(sent.get(a)) !== JSON.stringify(overlay)) throw new Error(`key ${a} sent with two changes`)
              sent.set(a, overlay)
              if (firstS && run.recovered && inFlightKeys.has(a)) pendingRetries++
              firstS = false
              if (mode === 'change' && ++sLines === nth) kill(delay)
              if (mode === 'written' && ++sLines === nth) {
                // Once the change's line is in the journal: durable, not yet answered (fsync, the child's checks).
                if (waitForLine(a)) run.lineSeen = a
                kill(0)
              }
              break
            }
            case 'A': {
              changeMs.push(performance.now() - sAt)
              const key = pendingKey!
              pendingKey = null
              const index = Number(a)
              const sum = l.split(' ')[7]
              const prev = ackedKeys.get(key)
              if (prev) {
                // A retry of an acknowledged change (the next child's first command): the same answer.
                if (prev.index !== index || prev.hash !== b || prev.sum !== sum) throw new Error(`change ${key} acknowledged as ${prev.index} ${prev.hash} ${prev.sum}, retried as ${index} ${b} ${sum}`)
                pendingRetriesAcked++
              } else {
                if (ackedChanges.has(index)) throw new Error(`change index ${index} acknowledged twice (${ackedChanges.get(index)!.key}, ${key})`)
                if (!inFlightKeys.has(key) && index !== known) throw new Error(`new change ${key} acknowledged at index ${index}, the log had ${known} changes`)
                ackedChanges.set(index, { hash: b, key, sum })
                ackedKeys.set(key, { index, hash: b, sum })
                changesAcked++
                const [, , , af, mv, of, un] = l.split(' ').map(Number)
                affected += af
                moved += mv
                offered += of
                unplaceable += un
              }
              known = Math.max(known, index + 1)
              if (mode === 'ack' && ++aLines === nth) kill(0)
              if (mode === 'burst' && ++aLines === nth) bAfter = 0
              break
            }
            case 'X':
              rejectedKeys.add(a)
              pendingKey = null
              rejected++
              break
            case 'I':
              retriesSame++
              break
            case 'Q':
              conflicts++
              break
            case 'B':
              if (everAcked.has(a)) throw new Error(`appointment id ${a} acknowledged twice`)
              everAcked.add(a)
              acked.set(a, { staff: b, start: c, base: known })
              bookings++
              if (bAfter >= 0 && ++bAfter === burst) kill(0)
              break
            case 'C':
              acked.delete(a)
              cancels++
              break
            case 'K':
              checkpoints++
              break
          }
        }
        child.stdout.setEncoding('utf8')
        child.stdout.on('data', (d: string) => {
          buf += d
          for (let k = buf.indexOf('\n'); k >= 0; k = buf.indexOf('\n')) {
            try {
              line(buf.slice(0, k))
            } catch (e) {
              child.kill('SIGKILL')
              reject(e)
            }
            buf = buf.slice(k + 1)
          }
        })
        child.stderr.setEncoding('utf8')
        child.stderr.on('data', (d: string) => (run.stderr += d))
        child.on('error', reject)
        child.on('close', (code, signal) => {
          run.code = code
          run.signal = signal
          run.inFlight = pendingKey
          resolve(run)
        })
      })

    // Kills aimed at the change's journal line can come too late (the child answered first); a few
    // more of them, when none landed, so that every run recovers a change it did not acknowledge.
    // How far a child gets before its kill depends on the machine's speed: more children, up to a
    // bound, until the run has covered what the checks at the end ask for (the bound keeps a
    // failure to cover them a failure).
    const covered = () => changesAcked > KILLS && bookings > KILLS && midChangeBefore > 0 && lastHorizon > scenario.horizon.start && tornReported > 0
    let extra = 0
    while (kills < KILLS || (!covered() && runs < 4 * KILLS) || (midChangeAfter === 0 && extra++ < 20)) {
      runs++
      const run = await runChild(SEED + runs, kills >= KILLS ? 'written' : undefined)
      if (run.signal !== 'SIGKILL' && run.code !== 0) throw new Error(`child ${runs} failed (${run.code ?? run.signal}):\n${run.stderr}`)
      if (run.recovered) {
        if (torn.state !== 'none') torn = { state: 'none', bytes: 0 } // the child cut it off
      } else if (torn.state === 'present') torn.state = 'maybe'
      if (run.signal === 'SIGKILL') {
        kills++
        if (!run.recovered) killedInRecovery++
        if (run.inFlight !== null) inFlightKeys.add(run.inFlight)
      }
      // The first time and every fifth time, the crash also tore the write of a change that was
      // never acknowledged (what a power cut can leave; a SIGKILL never interrupts a write() half way).
      const seg = fs.existsSync(dir) ? lastSegment(dir) : null
      // (No segment yet: the kill came inside a checkpoint, between the snapshot and its segment.)
      if (seg && fs.existsSync(path.join(dir, seg.name)) && torn.state === 'none' && (injected === 0 || runs % 5 === 2)) {
        const file = path.join(dir, seg.name)
        const { entries } = parseJournal(fs.readFileSync(file), seg.base + 1, seg.name)
        const key = `torn-${runs}`
        tornKeys.add(key)
        const overlay = { name: `torn ${runs}`, changes: [{ kind: 'close', office: 'north', from: '2026-06-02', to: '2026-06-30' }] }
        const line = frameHead(entryHead({ seq: (entries.at(-1)?.seq ?? seg.base) + 1, cmd: 'applyChange', ret: '00000000' }, JSON.stringify([overlay, { idempotencyKey: key }])))
        let bytes: Buffer
        if (rng.next() < 0.5) bytes = line.subarray(0, 1 + rng.int(line.length - 2)) // cut short
        else {
          bytes = Buffer.from(line) // whole, but its checksum does not match
          const at = line.length - 4
          bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30
        }
        fs.appendFileSync(file, bytes)
        torn = { state: 'present', bytes: bytes.length }
        injected++
      }
      // Recover a copy of the journal as the crash left it; the next child gets the original.
      const copy = path.join(work, `copy-${runs}`)
      fs.mkdirSync(copy)
      if (fs.existsSync(dir)) for (const n of fs.readdirSync(dir)) if (n !== 'LOCK') fs.copyFileSync(path.join(dir, n), path.join(copy, n))
      const keysBefore = new Set(prevKeys)
      const log = verify(`after child ${runs} (${run.signal ?? 'exit'}, ${run.mode})`, copy)
      fs.rmSync(copy, { recursive: true, force: true })
      if (run.signal === 'SIGKILL' && run.inFlight !== null) {
        if (keysBefore.has(run.inFlight)) midRetry++ // a retry of a change already in the log
        else {
          midChange++
          const at = log.findIndex((r) => r.idempotencyKey === run.inFlight)
          if (at >= 0 && at !== log.length - 1) throw new Error(`child ${runs}: the change in flight (${run.inFlight}) is recovered at ${at}, not last`)
          if (at < 0 && run.lineSeen === run.inFlight) throw new Error(`child ${runs}: the line of change ${run.inFlight} was in the journal, but recovery does not have it`)
          if (at >= 0) midChangeAfter++
          else midChangeBefore++
          if (run.mode === 'written') writtenKills[at >= 0 ? 0 : 1]++
        }
      }
    }
    const finalLog = verify('at the end, on the journal itself', dir)
    const secs = (Date.now() - started) / 1000
    console.log(
      `change crash test: ${runs} children, ${kills} SIGKILLs (${Math.max(0, kills - KILLS)} extra; ${killedInRecovery} before recovery finished; ${midChange} while a change was in flight: ${midChangeAfter} recovered after it, ${midChangeBefore} before it; ${midRetry} during a retry of a change in the log; aimed at the change's journal line: ${writtenKills[0]} after, ${writtenKills[1]} before); ` +
        `${changesAcked} changes acknowledged (affected ${affected}: moved ${moved}, offered ${offered}, unplaceable ${unplaceable}; ${rejected} rejected), ${finalLog.length} in the log at the end (${recoveredUnacked} recovered unacknowledged after a kill), ` +
        `${retriesSame} same-key retries, ${conflicts} key conflicts, ${pendingRetries} retries of an unanswered change by the next child + ${pendingRetriesAcked} of an answered one; ` +
        `${bookings} bookings, ${cancels} cancellations (${cancelledUnacked} more journaled, unacknowledged), ${checkedBookings} booking checks (${movedChecked} moved), ${reported} reported by a change, ${rolledOut} rolled out; ` +
        `S→A ${quantile(changeMs, 0.1)}/${quantile(changeMs, 0.5)}/${quantile(changeMs, 0.9)} ms (10/50/90%); ` +
        `clock at ${lastNow}, horizon from ${lastHorizon}; ${recoveries} checked recoveries, ${injected} torn writes injected, ${tornReported} reported; ${checkpoints} checkpoints; ${secs.toFixed(1)} s, child: ${command.length === 2 ? 'bundled' : 'tsx'}`,
    )
    expect(kills).toBeGreaterThanOrEqual(KILLS)
    expect(changesAcked).toBeGreaterThan(KILLS)
    expect(midChangeBefore, 'kills in a change recovered before it').toBeGreaterThan(0)
    expect(midChangeAfter, 'kills in a change recovered after it').toBeGreaterThan(0)
    expect(affected).toBeGreaterThan(0)
    expect(bookings).toBeGreaterThan(KILLS)
    expect(injected).toBeGreaterThan(0)
    expect(lastHorizon > scenario.horizon.start, 'the horizon rolled').toBe(true)
    expect(tornReported).toBeGreaterThan(0)
  }, 180_000)
})
