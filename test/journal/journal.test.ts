/**
 * The journal (src/adapters/journal): what is written, what recovery rebuilds and reports, and
 * what it refuses. The crash test (crash.test.ts) kills a real process; the model-based runs
 * (model-based.test.ts, test/long/journal.long.test.ts) compare with an uninterrupted twin at scale.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openScheduler, parseJournal, type JournaledScheduler } from '../../src/adapters/journal/index.js'
import { encodeEntry, frameHead } from '../../src/adapters/journal/journal.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { Notification } from '../../src/solver/ports.js'
import { createScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { matchWaitlist } from '../../src/solver/batch-match.js'
import { base, NOW } from '../solver/fixtures.js'
import { entry, town, NOW as TOWN_NOW, T } from '../waitlist/fixtures.js'

const dirs: string[] = []
const open: JournaledScheduler[] = []
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-journal-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const s of open.splice(0)) s.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const scenario = loadScenario(base())
function openAt(dir: string, extra: Partial<Parameters<typeof openScheduler>[0]> = {}): JournaledScheduler {
  const s = openScheduler({ scenario, journal: dir, now: NOW, fsync: 'none', ...extra })
  open.push(s)
  return s
}
function closeIt(s: JournaledScheduler): void {
  s.close()
  open.splice(open.indexOf(s), 1)
}
const segment = (dir: string) => path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('journal-'))!)
const filesOf = (dir: string) => fs.readdirSync(dir).filter((n) => n !== 'LOCK').sort()
const snapJson = (s: Scheduler) => JSON.stringify(s.snapshot())
function codeOf(fn: () => unknown): TerminplanError {
  try {
    fn()
  } catch (e) {
    if (e instanceof TerminplanError) return e
    throw e
  }
  throw new Error('expected a TerminplanError')
}

/** A few bookings, a cancel and clock moves, the same on any scheduler. */
function book(s: Scheduler, n: number, from = 0): string[] {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const slot = s.search({ services: [i % 3 === 0 ? 'pass' : 'reg'], citizenId: `c${from + i}`, limit: 1 }).slots[0]
    const h = s.hold(slot, { citizenId: `c${from + i}` })
    ids.push(s.confirm(h.id, i % 2 ? { idempotencyKey: `k${from + i}` } : undefined).id)
    if (i % 4 === 3) s.setNow(Date.parse(s.now()) + 60_000)
  }
  s.cancel(ids[0])
  return ids
}

describe('journal', () => {
  it('writes one checksummed line per accepted command, with the id it returned', () => {
    const dir = tmpDir()
    const s = openAt(dir)
    expect(s.recovery).toEqual({ created: true, snapshotSeq: 0, replayed: 0, seq: 0, tornTail: null, removed: [] })
    expect(filesOf(dir)).toEqual(['journal-0000000000000000.log', 'snapshot-0000000000000000.json'])
    const slot = s.search({ services: ['reg'], limit: 1 }).slots[0]
    const h = s.hold(slot, { citizenId: 'c1' })
    const a = s.confirm(h.id, { idempotencyKey: 'k' })
    s.setNow('2026-06-01T07:30:00+02:00')
    const text = fs.readFileSync(segment(dir), 'utf8')
    const lines = text.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(JSON.parse(lines[0])).toMatchObject({ seq: 1, cmd: 'hold', args: [slot, { citizenId: 'c1' }], ret: h.id })
    expect(JSON.parse(lines[1])).toMatchObject({ seq: 2, cmd: 'confirm', args: [h.id, { idempotencyKey: 'k' }], ret: a.id })
    expect(JSON.parse(lines[2])).toMatchObject({ seq: 3, cmd: 'setNow', args: ['2026-06-01T07:30:00+02:00'] })
    expect(JSON.parse(lines[2]).ret).toBeUndefined()
    for (const l of lines) expect(l).toMatch(/,"crc":"[0-9a-f]{8}"\}$/)
    const parsed = parseJournal(fs.readFileSync(segment(dir)), 1, 'x')
    expect(parsed.entries.map((e) => e.cmd)).toEqual(['hold', 'confirm', 'setNow'])
    expect(parsed.tornTail).toBeNull()
    expect(s.seq()).toBe(3)
  })

  it('does not journal rejected commands', () => {
    const dir = tmpDir()
    const s = openAt(dir)
    const slot = s.search({ services: ['reg'], limit: 1 }).slots[0]
    s.hold(slot, { citizenId: 'c1' })
    const size = fs.statSync(segment(dir)).size
    const before = snapJson(s)
    expect(codeOf(() => s.hold(slot, { citizenId: 'c2' })).code).toBe('CONFLICT')
    expect(codeOf(() => s.confirm('h-none')).code).toBe('NOT_FOUND')
    expect(codeOf(() => s.cancel('a-none')).code).toBe('NOT_FOUND')
    expect(codeOf(() => s.setNow('2026-05-01T00:00:00+02:00')).code).toBe('COMMAND_INVALID')
    expect(codeOf(() => s.joinWaitlist({ citizenId: 'c3', services: ['nope'] })).code).toBe('COMMAND_INVALID')
    expect(codeOf(() => s.acceptOffer('o-none')).code).toBe('NOT_FOUND')
    expect(codeOf(() => s.setAutoOffer('yes' as unknown as boolean)).code).toBe('COMMAND_INVALID')
    expect(codeOf(() => s.confirm(10n as unknown as string)).code).toBe('COMMAND_INVALID') // not even JSON
    expect(fs.statSync(segment(dir)).size).toBe(size)
    expect(s.seq()).toBe(1)
    expect(snapJson(s)).toBe(before)
    closeIt(s)
    expect(openAt(dir).recovery.replayed).toBe(1)
  })

  it('recovers exactly the state of an uninterrupted run (byte-identical snapshot)', () => {
    const dir = tmpDir()
    const twin = createScheduler(scenario, { now: NOW })
    const s = openAt(dir, { fsync: 'bookings' })
    expect(book(s, 12)).toEqual(book(twin, 12))
    closeIt(s)
    const r = openAt(dir)
    expect(r.recovery).toMatchObject({ created: false, snapshotSeq: 0, replayed: 12 * 2 + 3 + 1, tornTail: null })
    expect(snapJson(r)).toBe(snapJson(twin))
    // Ids continue where they left off, on both.
    expect(book(r, 5, 100)).toEqual(book(twin, 5, 100))
    expect(snapJson(r)).toBe(snapJson(twin))
  })

  it('skips a torn last line, reports it and cuts it off', () => {
    const dir = tmpDir()
    const twin = createScheduler(scenario, { now: NOW })
    const s = openAt(dir)
    book(s, 6)
    book(twin, 6)
    closeIt(s)
    const file = segment(dir)
    const good = fs.readFileSync(file)
    const nLines = good.toString().trimEnd().split('\n').length
    // A write the crash interrupted: half a line, no newline.
    const torn = encodeEntry({ seq: nLines + 1, cmd: 'setNow', args: ['2026-06-01T09:00:00+02:00'] }).subarray(0, 30)
    fs.appendFileSync(file, torn)
    const r = openAt(dir)
    expect(r.recovery.tornTail).toEqual({ line: nLines + 1, bytes: 30 })
    expect(r.recovery.replayed).toBe(nLines)
    expect(snapJson(r)).toBe(snapJson(twin))
    expect(fs.readFileSync(file).equals(good)).toBe(true)
    // New lines follow the last good one, and the next recovery is clean.
    r.setNow('2026-06-01T07:40:00+02:00')
    twin.setNow('2026-06-01T07:40:00+02:00')
    closeIt(r)
    const again = openAt(dir)
    expect(again.recovery).toMatchObject({ tornTail: null, replayed: nLines + 1 })
    expect(snapJson(again)).toBe(snapJson(twin))
  })

  it('treats a complete last line with a bad checksum as torn, and zeros after the last line too', () => {
    for (const damage of ['checksum', 'zeros'] as const) {
      const dir = tmpDir()
      const s = openAt(dir)
      book(s, 3)
      const expected = snapJson(s)
      closeIt(s)
      const file = segment(dir)
      const n = fs.readFileSync(file).toString().trimEnd().split('\n').length
      const extra = damage === 'zeros' ? Buffer.alloc(4096) : Buffer.from(encodeEntry({ seq: n + 1, cmd: 'setNow', args: ['2026-06-01T09:00:00+02:00'] }).toString().replace('09:00', '09:30'))
      fs.appendFileSync(file, extra)
      const r = openAt(dir)
      expect(r.recovery.tornTail, damage).toEqual({ line: n + 1, bytes: extra.length })
      expect(snapJson(r)).toBe(expected)
      closeIt(r)
    }
  })

  it('rejects a checksum mismatch before the last line as corruption and changes nothing', () => {
    const dir = tmpDir()
    const s = openAt(dir)
    book(s, 4)
    closeIt(s)
    const file = segment(dir)
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    const original = lines[2]
    lines[2] = lines[2].replace('"citizenId"', '"citizenID"') // line 3 (a hold), checksum no longer fits
    expect(lines[2]).not.toBe(original)
    fs.writeFileSync(file, lines.join('\n'))
    const before = filesOf(dir).map((n) => [n, fs.readFileSync(path.join(dir, n)).toString('base64')])
    const e = codeOf(() => openAt(dir))
    expect(e.code).toBe('STATE_INVALID')
    expect(e.path).toBe('journal-0000000000000000.log:3')
    expect(e.issues[0].code).toBe('journal_corrupt')
    expect(e.message).toContain('line 3')
    expect(filesOf(dir).map((n) => [n, fs.readFileSync(path.join(dir, n)).toString('base64')])).toEqual(before)
    // The lock was released: a repaired journal opens.
    lines[2] = original
    fs.writeFileSync(file, lines.join('\n'))
    expect(openAt(dir).recovery.replayed).toBe(lines.length - 1)
  })

  it('rejects a line out of sequence and a replay that returns another id', () => {
    const dir = tmpDir()
    const s = openAt(dir)
    book(s, 2)
    closeIt(s)
    const file = segment(dir)
    const good = fs.readFileSync(file, 'utf8')
    const lines = good.trimEnd().split('\n')
    // A well-formed line that says the hold returned another id.
    const second = JSON.parse(lines[1])
    fs.writeFileSync(file, [lines[0], frameHead(JSON.stringify({ seq: 2, cmd: 'confirm', args: second.args, ret: 'a99' }).slice(0, -1)).toString().trimEnd(), ...lines.slice(2)].join('\n') + '\n')
    let e = codeOf(() => openAt(dir))
    expect([e.code, e.path, e.issues[0].code]).toEqual(['STATE_INVALID', 'journal-0000000000000000.log:2', 'replay_mismatch'])
    // Two lines swapped: out of sequence.
    fs.writeFileSync(file, [lines[1], lines[0], ...lines.slice(2)].join('\n') + '\n')
    e = codeOf(() => openAt(dir))
    expect([e.code, e.path]).toEqual(['STATE_INVALID', 'journal-0000000000000000.log:1'])
    fs.writeFileSync(file, good)
    expect(openAt(dir).recovery.replayed).toBe(lines.length)
  })

  it('refuses a journal of another scenario', () => {
    const dir = tmpDir()
    closeIt(openAt(dir))
    const other = base()
    other.services[0].durationMinutes = 20
    const e = codeOf(() => openScheduler({ scenario: loadScenario(other), journal: dir, now: NOW }))
    expect([e.code, e.path]).toEqual(['STATE_INVALID', '$.scenarioHash'])
    expect(e.message).toContain('snapshot-0000000000000000.json')
  })

  it('checkpoints: a new snapshot and segment, older files removed, recovery from there', () => {
    const dir = tmpDir()
    const twin = createScheduler(scenario, { now: NOW })
    const s = openAt(dir)
    book(s, 5)
    book(twin, 5)
    const seq = s.seq()
    expect(s.checkpoint()).toEqual({ seq, file: path.join(dir, `snapshot-${String(seq).padStart(16, '0')}.json`) })
    expect(filesOf(dir)).toEqual([`journal-${String(seq).padStart(16, '0')}.log`, `snapshot-${String(seq).padStart(16, '0')}.json`])
    expect(s.checkpoint().seq).toBe(seq) // nothing new: nothing written
    book(s, 4, 50)
    book(twin, 4, 50)
    closeIt(s)
    const r = openAt(dir)
    expect(r.recovery).toMatchObject({ snapshotSeq: seq, replayed: 4 * 2 + 1 + 1, seq: r.seq() })
    expect(snapJson(r)).toBe(snapJson(twin))
  })

  it('recovers from a crash inside a checkpoint, at every step', () => {
    // The files a crash leaves at each step of a checkpoint from seq a to seq b.
    const dir0 = tmpDir()
    const s = openAt(dir0)
    book(s, 3)
    const a = s.seq()
    s.checkpoint()
    book(s, 3, 10)
    const expected = snapJson(s)
    const b = s.seq()
    const stateA = Object.fromEntries(filesOf(dir0).map((n) => [n, fs.readFileSync(path.join(dir0, n))]))
    s.checkpoint()
    const stateB = Object.fromEntries(filesOf(dir0).map((n) => [n, fs.readFileSync(path.join(dir0, n))]))
    closeIt(s)
    const snapB = `snapshot-${String(b).padStart(16, '0')}.json`
    const steps: Record<string, Record<string, Buffer>> = {
      'temporary snapshot written': { ...stateA, [`${snapB}.tmp`]: stateB[snapB].subarray(0, 100) },
      'snapshot renamed': { ...stateA, [snapB]: stateB[snapB] },
      'segment started': { ...stateA, ...stateB },
      done: stateB,
    }
    for (const [step, files] of Object.entries(steps)) {
      const dir = tmpDir()
      for (const [n, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), bytes)
      const r = openAt(dir)
      expect(snapJson(r), step).toBe(expected)
      expect(r.recovery.snapshotSeq, step).toBe(step === 'temporary snapshot written' ? a : b)
      expect(filesOf(dir), step).toEqual(step === 'temporary snapshot written' ? Object.keys(stateA).sort() : Object.keys(stateB).sort())
      closeIt(r)
    }
  })

  it('keeps setAutoOffer across checkpoints and recovery', () => {
    const dir = tmpDir()
    const s = openAt(dir)
    s.setAutoOffer(false)
    s.checkpoint()
    closeIt(s)
    const r = openAt(dir, { waitlist: { autoOffer: true } })
    const slot = r.search({ services: ['reg'], limit: 1 }).slots[0]
    r.joinWaitlist({ citizenId: 'w1', services: ['reg'] })
    expect(r.offers()).toEqual([]) // still off
    r.setAutoOffer(true)
    closeIt(r)
    const again = openAt(dir)
    again.cancel(again.confirm(again.hold(slot, { citizenId: 'c9' }).id).id)
    again.setNow('2026-06-01T07:31:00+02:00') // the cancel freeze ends: freed, offered
    expect(again.offers().length).toBeGreaterThan(0)
  })

  it('waitlist, offers and notifications: recovery equals the uninterrupted run; events come after the line is written', () => {
    const input = town({ free: ['ana-1-0800', 'eve-2-0900'], policy: { cancelFreezeMinutes: 0 } })
    const sc = loadScenario(input)
    const dir = tmpDir()
    const notesJ: Notification[] = [], notesT: Notification[] = []
    const s = openScheduler({ scenario: sc, journal: dir, now: TOWN_NOW, notifications: { send: (n) => void notesJ.push(n) } })
    open.push(s)
    const twin = createScheduler(sc, { now: TOWN_NOW, notifications: { send: (n) => void notesT.push(n) } })
    const seen: string[] = []
    s.on('offer', ({ offer }) => {
      // The command that made the offer is on disk before anyone hears of it.
      const last = fs.readFileSync(segment(dir), 'utf8').trimEnd().split('\n').pop()!
      seen.push(`${offer.id}@${JSON.parse(last).seq}/${s.seq()}`)
    })
    const script = (x: Scheduler) => {
      const out: unknown[] = []
      out.push(x.joinWaitlist(entry('e1')))
      out.push(x.joinWaitlist(entry('e2', { offices: ['east'] })))
      const o1 = x.offers().find((o) => o.entryId === 'e1')!
      out.push(x.acceptOffer(o1.id, { idempotencyKey: 'acc-1' }))
      const o2 = x.offers().find((o) => o.entryId === 'e2')!
      x.declineOffer(o2.id)
      out.push(x.offers())
      x.cancel('sam-3-0820')
      out.push(x.joinWaitlist(entry('e3', { services: ['pass'], priority: 'urgent' })))
      x.setNow(T(1, '07:45'))
      x.leaveWaitlist('e2')
      out.push(x.waitlist(), x.offers())
      return out
    }
    expect(JSON.stringify(script(s))).toBe(JSON.stringify(script(twin)))
    expect(notesJ).toEqual(notesT)
    expect(seen.length).toBeGreaterThan(0)
    for (const x of seen) expect(x.split('@')[1].split('/')[0]).toBe(x.split('/')[1])
    closeIt(s)
    const replayedNotes: Notification[] = []
    const r = openScheduler({ scenario: sc, journal: dir, now: TOWN_NOW, notifications: { send: (n) => void replayedNotes.push(n) } })
    open.push(r)
    expect(replayedNotes).toEqual([]) // recovery does not send again
    expect(snapJson(r)).toBe(snapJson(twin))
    // The same future: reminders and offer expiries fire alike.
    r.setNow(T(2, '09:00'))
    twin.setNow(T(2, '09:00'))
    expect(snapJson(r)).toBe(snapJson(twin))
    expect(replayedNotes).toEqual(notesT.slice(notesJ.length))
  })

  it('a command run by a listener is journaled after the command that caused it', () => {
    const sc = loadScenario(town({ free: ['ana-1-0800'], policy: { cancelFreezeMinutes: 0 } }))
    const dir = tmpDir()
    const s = openScheduler({ scenario: sc, journal: dir, now: TOWN_NOW, fsync: 'none' })
    open.push(s)
    s.on('offer', ({ offer }) => s.acceptOffer(offer.id))
    s.joinWaitlist(entry('e1'))
    expect(s.appointments().some((a) => a.citizenId === 'c-e1')).toBe(true)
    const cmds = fs.readFileSync(segment(dir), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).cmd)
    expect(cmds).toEqual(['joinWaitlist', 'acceptOffer'])
    const expected = snapJson(s)
    closeIt(s)
    const r = openScheduler({ scenario: sc, journal: dir, now: TOWN_NOW })
    open.push(r)
    expect(snapJson(r)).toBe(expected)
  })

  it('batch matching offers through the journal', async () => {
    const sc = loadScenario(town({ free: ['ana-1-0800', 'sam-2-0900'] }))
    const dir = tmpDir()
    const s = openScheduler({ scenario: sc, journal: dir, now: TOWN_NOW, fsync: 'none', waitlist: { autoOffer: false } })
    open.push(s)
    s.joinWaitlist(entry('e1'))
    s.joinWaitlist(entry('e2'))
    const res = await matchWaitlist(s, {})
    expect(res.assignments.length).toBe(2)
    const expected = snapJson(s)
    closeIt(s)
    const r = openScheduler({ scenario: sc, journal: dir, now: TOWN_NOW })
    open.push(r)
    expect(r.offers().length).toBe(2)
    expect(snapJson(r)).toBe(expected)
  })

  it('one writer: a second open is a CONFLICT until the first closes; commands after close are refused', () => {
    const dir = tmpDir()
    const s = openAt(dir)
    expect(codeOf(() => openScheduler({ scenario, journal: dir, now: NOW })).code).toBe('CONFLICT')
    // A lock left by a process that is gone is taken over.
    closeIt(s)
    fs.writeFileSync(path.join(dir, 'LOCK'), '999999999\n')
    const r = openAt(dir)
    closeIt(r)
    expect(codeOf(() => r.setNow('2026-06-01T08:00:00+02:00')).code).toBe('STATE_INVALID')
  })

  it('refuses segments without a snapshot', () => {
    const dir = tmpDir()
    fs.writeFileSync(path.join(dir, 'journal-0000000000000000.log'), '')
    expect(codeOf(() => openAt(dir)).issues[0].code).toBe('snapshot_missing')
  })
})
