/**
 * Crash test: a child process (crash-child.ts) books, cancels, moves the clock and checkpoints on
 * a journal as fast as it can and is killed with SIGKILL at random moments (seeded): sometimes
 * while it recovers, mostly while it works. After every kill the journal, as the crash left it, is
 * recovered (in a copy, so that the next child meets the torn tail itself) and checked: every
 * booking the child acknowledged (printed after confirm returned) exists exactly once, at the same
 * staff member and time; no booking whose cancellation was acknowledged is back; the invariants
 * hold (invariants.ts: inside working time, no overlaps, busy units = records). Then the next child
 * continues on the same journal.
 *
 * The child is bundled with esbuild (vitest's own) into one file, so that it starts in a fraction
 * of tsx's time; TERMINPLAN_CRASH_TSX=1 runs it with `node --import tsx` instead.
 * TERMINPLAN_CRASH_KILLS (default 50) and TERMINPLAN_CRASH_SEED change the run.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openScheduler, parseJournal } from '../../src/adapters/journal/index.js'
import { loadScenario } from '../../src/model/load.js'
import { createRng } from '../../src/model/random.js'
import { envInt } from '../solver/harness.js'
import { CRASH_NOW, crashScenario } from './crash-fixture.js'
import { childCommand } from './child-command.js'
import { InvariantChecker } from './invariants.js'

const KILLS = envInt('TERMINPLAN_CRASH_KILLS', 50)
const SEED = envInt('TERMINPLAN_CRASH_SEED', 20260601)
const here = path.dirname(fileURLToPath(import.meta.url))
const CHILD = path.join(here, 'crash-child.ts')

let work = ''
let command: string[] = []

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-crash-'))
  command = await childCommand(CHILD, work)
}, 60_000)
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

interface Run {
  signal: NodeJS.Signals | null
  code: number | null
  stderr: string
  recovered: boolean
  tornBytes: number
  killedAt: 'recovery' | 'work' | 'none'
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

describe('crash test', () => {
  it(`SIGKILL at random moments (${KILLS} times): nothing acknowledged is lost, nothing cancelled comes back`, async () => {
    const started = Date.now()
    const rng = createRng(SEED)
    const scenario = loadScenario(crashScenario())
    const checker = new InvariantChecker(scenario)
    const dir = path.join(work, 'journal')
    /** Acknowledged bookings not cancelled since: id → staff and start. */
    const acked = new Map<string, string>()
    const everAcked = new Set<string>()
    const cancelled = new Set<string>()
    let kills = 0, runs = 0, childRecoveries = 0, childTorn = 0, checkpoints = 0, bookings = 0, cancels = 0
    let cancelledUnacked = 0
    let injected = 0, recoveries = 0, tornTails = 0, checkedBookings = 0, lastSeq = 0, killedInRecovery = 0

    const verify = (where: string, journalDir: string) => {
      const s = openScheduler({ scenario, journal: journalDir, now: CRASH_NOW, fsync: 'none' })
      try {
        recoveries++
        if (s.recovery.tornTail) tornTails++
        expect(s.recovery.seq, `${where}: sequence went back`).toBeGreaterThanOrEqual(lastSeq)
        lastSeq = s.recovery.seq
        const byId = new Map(s.appointments().map((a) => [a.id, `${a.staffId} ${a.start}`]))
        for (const [id, slot] of acked) {
          if (!byId.has(id) && cancelIsJournaled(journalDir, id)) {
            // The kill came between the cancellation's line and its acknowledgement: cancelled, not lost.
            acked.delete(id)
            cancelledUnacked++
            continue
          }
          if (byId.get(id) !== slot) throw new Error(`${where}: acknowledged booking ${id} (${slot}) is ${byId.has(id) ? `at ${byId.get(id)}` : 'lost'}`)
          checkedBookings++
        }
        for (const id of cancelled) if (byId.has(id)) throw new Error(`${where}: booking ${id} was cancelled (acknowledged) but is back`)
        const problems = checker.check(s)
        if (problems.length) throw new Error(`${where}: ${problems.slice(0, 5).join('; ')}`)
      } finally {
        s.close()
      }
    }

    const runChild = (seed: number): Promise<Run> =>
      new Promise((resolve, reject) => {
        const mode = rng.next() < 0.2 ? 'recovery' : 'work'
        const delay = mode === 'recovery' ? rng.int(30) : 20 + rng.int(300)
        const child = spawn(command[0], [...command.slice(1), dir, String(seed), '5000'], { stdio: ['ignore', 'pipe', 'pipe'] })
        const run: Run = { signal: null, code: null, stderr: '', recovered: false, tornBytes: 0, killedAt: 'none' }
        let buf = ''
        const kill = (at: Run['killedAt']) =>
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
              run.killedAt = at
              child.kill('SIGKILL')
            }
          }, delay)
        const line = (l: string) => {
          const [tag, a, b, c] = l.split(' ')
          switch (tag) {
            case 'O':
              if (mode === 'recovery') kill('recovery')
              break
            case 'R':
              run.recovered = true
              run.tornBytes = Number(b)
              if (run.killedAt === 'recovery') run.killedAt = 'work' // it got through
              if (mode === 'work') kill('work')
              break
            case 'B':
              if (everAcked.has(a)) throw new Error(`appointment id ${a} acknowledged twice`)
              everAcked.add(a)
              acked.set(a, `${b} ${c}`)
              bookings++
              break
            case 'C':
              // (It may be a booking confirmed but not acknowledged before an earlier kill.)
              acked.delete(a)
              cancelled.add(a)
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
          resolve(run)
        })
      })

    while (kills < KILLS) {
      runs++
      const run = await runChild(SEED + runs)
      if (run.signal !== 'SIGKILL' && run.code !== 0) throw new Error(`child ${runs} failed (${run.code ?? run.signal}):\n${run.stderr}`)
      if (run.recovered) childRecoveries++
      if (run.tornBytes > 0) childTorn++
      if (run.signal === 'SIGKILL') {
        kills++
        if (!run.recovered) killedInRecovery++
      }
      // The first time and every fifth time, the crash also tore the write of a line that was never acknowledged (what a
      // power cut can leave; a SIGKILL never interrupts a write() half way).
      const segs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith('journal-')).sort() : []
      if (segs.length > 0 && (injected === 0 || runs % 5 === 2)) {
        const partial = Buffer.from('{"seq":999999,"cmd":"confirm","args":["h12345",{"idempotencyKey":"k"}],"ret":"a1"').subarray(0, 1 + rng.int(70))
        fs.appendFileSync(path.join(dir, segs[segs.length - 1]), rng.next() < 0.5 ? partial : Buffer.alloc(partial.length))
        injected++
      }
      // Recover a copy of the journal as the crash left it; the next child gets the original.
      const copy = path.join(work, `copy-${runs}`)
      fs.mkdirSync(copy)
      if (fs.existsSync(dir)) for (const n of fs.readdirSync(dir)) if (n !== 'LOCK') fs.copyFileSync(path.join(dir, n), path.join(copy, n))
      verify(`after child ${runs} (${run.signal ?? 'exit'}, ${run.killedAt})`, copy)
      fs.rmSync(copy, { recursive: true, force: true })
    }
    verify('at the end, on the journal itself', dir)
    const secs = (Date.now() - started) / 1000
    console.log(
      `crash test: ${runs} children, ${kills} SIGKILLs (${killedInRecovery} before recovery finished), ${childRecoveries} recoveries by children (${childTorn} with a torn tail) + ${recoveries} checked recoveries (${tornTails} with a torn tail, ${injected} torn writes injected); ` +
        `${bookings} bookings and ${cancels} cancellations acknowledged (${cancelledUnacked} more journaled, their acknowledgement cut off by the kill), ${checkedBookings} booking checks, ${checkpoints} checkpoints; ${secs.toFixed(1)} s, child: ${command.length === 2 ? 'bundled' : 'tsx'}`,
    )
    expect(kills).toBeGreaterThanOrEqual(KILLS)
    expect(bookings).toBeGreaterThan(KILLS)
    expect(cancels).toBeGreaterThan(0)
    expect(checkpoints).toBeGreaterThan(0)
    expect(tornTails).toBeGreaterThan(0)
  }, 180_000)
})
