/**
 * Model-based testing of the journal: the random scenarios and command sequences of the waitlist
 * runner (test/waitlist/runner.ts, which builds on test/solver/harness.ts) — search, hold,
 * confirm, cancel, clock moves, snapshot/restore, waitlist joins and leaves, offers accepted,
 * declined, expired and made by hand, automatic offers on and off — run on a journaled scheduler
 * (openScheduler) and on an uninterrupted plain twin (createScheduler) side by side, with journal
 * operations mixed in: close and reopen, a crash (the journal's files as they are now, copied,
 * sometimes with a torn last write, recovered elsewhere), checkpoints.
 *
 * Checked after every command: both give the same result or the same error (code and issues),
 * the same events in the same order and the same notifications; snapshot() is byte-identical;
 * the invariants hold on the journaled one (invariants.ts: inside working time per the reference
 * model, no overlaps, busy units = records). A rejected command leaves the journal's sequence
 * number and file as they were. After a reopen or a crash the recovered scheduler reports what it
 * replayed (and the torn tail, if any) and equals the twin byte for byte.
 */
import fc from 'fast-check'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { openScheduler, type JournaledScheduler, type JournalFsync } from '../../src/adapters/journal/index.js'
import { TerminplanError } from '../../src/model/errors.js'
import type { SearchRequest, Slot } from '../../src/model/requests.js'
import { formatInstant } from '../../src/model/tz.js'
import type { Notification, NotificationSink } from '../../src/solver/ports.js'
import { createScheduler, restoreScheduler, type Scheduler, type SchedulerEventName, type SchedulerOptions } from '../../src/solver/scheduler/index.js'
import { fmtTime } from '../solver/harness.js'
import { MIN, plusDays } from '../solver/reference.js'
import { buildWait, joinRequest, waitCommandsArb, waitSpecArb, type WaitCommand } from '../waitlist/runner.js'
import { InvariantChecker } from './invariants.js'

export type JournalOp = { t: 'reopen' } | { t: 'crash'; torn: number } | { t: 'checkpoint' }
export type Step = WaitCommand | JournalOp

const journalOpArb: fc.Arbitrary<JournalOp> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ t: 'reopen' as const }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('crash' as const), torn: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 120 }) }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'checkpoint' as const }) },
)

/** A waitlist runner sequence with journal operations at random places. */
export const stepsArb = (maxLength: number) =>
  fc.tuple(waitCommandsArb(maxLength), fc.array(fc.tuple(fc.nat(), journalOpArb), { maxLength: Math.max(2, Math.ceil(maxLength / 12)) })).map(([cmds, ops]) => {
    const out: Step[] = [...cmds]
    for (const [at, op] of ops) out.splice(at % (out.length + 1), 0, op)
    return out
  })

export const journalSpecArb = fc.record({ wait: waitSpecArb, fsync: fc.constantFrom<JournalFsync>('none', 'none', 'none', 'bookings', 'all') })
export type JournalSpec = typeof journalSpecArb extends fc.Arbitrary<infer T> ? T : never

const EVENTS: SchedulerEventName[] = [
  'held', 'confirmed', 'cancelled', 'expired', 'freed', 'offer', 'offerAccepted', 'offerDeclined', 'offerExpired', 'offerWithdrawn', 'waitlistJoined', 'waitlistLeft', 'notificationFailed',
]

type Outcome = { ok: unknown } | { err: TerminplanError }
function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: fn() }
  } catch (e) {
    if (e instanceof TerminplanError) return { err: e }
    throw e
  }
}
const show = (o: Outcome) => ('ok' in o ? JSON.stringify({ ok: o.ok ?? null }) : JSON.stringify({ err: o.err.code, issues: o.err.issues }))

export interface JournalRunResult {
  ops: number
  tally: Record<string, number>
}

/** A sink that records, and throws on every third notification when asked. */
function recordingSink(throwing: boolean): NotificationSink & { notes: Notification[] } {
  let n = 0
  const notes: Notification[] = []
  return {
    notes,
    send(x: Notification) {
      notes.push(structuredClone(x))
      if (throwing && ++n % 3 === 0) throw new Error('sink down')
    },
  }
}

export function runJournalSequence(spec: JournalSpec, steps: Step[]): JournalRunResult {
  const b = buildWait(spec.wait)
  const { scenario } = b
  const tally: Record<string, number> = {}
  const count = (k: string, n = 1) => void (tally[k] = (tally[k] ?? 0) + n)
  let ops = 0
  const checker = new InvariantChecker(scenario)
  const ref = checker.ref
  const iso = (ms: number) => formatInstant(scenario.timezone, ms)
  const nS = scenario.services.length, nO = scenario.offices.length, nP = scenario.staff.length
  const svcIds = (xs: number[]) => xs.map((k) => scenario.services[k % nS].id)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-jmb-'))
  let dirs = 0
  let dir = path.join(root, `j${dirs++}`)

  const sinkJ = recordingSink(b.sink === 'throwing'), sinkT = recordingSink(b.sink === 'throwing')
  let mode: SchedulerOptions['existingAppointments'] = b.mode
  let twin: Scheduler
  try {
    twin = createScheduler(scenario, { now: b.now, existingAppointments: mode, notifications: sinkT, waitlist: { autoOffer: b.autoOffer } })
  } catch (e) {
    if (!(e instanceof TerminplanError) || e.code !== 'SCENARIO_INVALID') throw e
    mode = 'report'
    twin = createScheduler(scenario, { now: b.now, existingAppointments: mode, notifications: sinkT, waitlist: { autoOffer: b.autoOffer } })
  }
  let auto = b.autoOffer
  const open = () => openScheduler({ scenario, journal: dir, now: b.now, existingAppointments: mode, notifications: sinkJ, waitlist: { autoOffer: b.autoOffer }, fsync: spec.fsync })
  let j: JournaledScheduler = open()
  ops += 2
  let logJ: string[] = [], logT: string[] = []
  const listen = (s: Scheduler, log: () => string[]) => EVENTS.forEach((type) => s.on(type, (payload) => log().push(JSON.stringify({ type, payload }))))
  listen(j, () => logJ)
  listen(twin, () => logT)

  const fail = (where: string, msg: string): never => {
    throw new Error(`${where}: ${msg}`)
  }
  const same = (where: string, what: string, a: unknown, b: unknown) => {
    const x = JSON.stringify(a), y = JSON.stringify(b)
    if (x !== y) fail(where, `${what} differ:\n journaled ${x.slice(0, 2000)}\n twin      ${y.slice(0, 2000)}`)
  }
  const segmentSize = () => {
    const seg = fs.readdirSync(dir).filter((n) => n.startsWith('journal-')).sort().pop()!
    return fs.statSync(path.join(dir, seg)).size
  }
  const check = (where: string) => {
    same(where, 'snapshots', j.snapshot(), twin.snapshot())
    same(where, 'events', logJ, logT)
    same(where, 'notifications', sinkJ.notes, sinkT.notes)
    for (const e of logT) count(`event:${(JSON.parse(e) as { type: string }).type}`)
    count('notifications', sinkT.notes.length)
    logJ = []
    logT = []
    sinkJ.notes.length = 0
    sinkT.notes.length = 0
    const problems = checker.check(j)
    if (problems.length) fail(where, problems.slice(0, 5).join('; '))
  }
  check('after create')
  same('after create', 'load issues', j.loadIssues(), twin.loadIssues())

  /** The same command on both; results must agree; a rejection must leave the journal alone. */
  const both = (where: string, kind: string, fn: (s: Scheduler) => unknown): Outcome => {
    const seq = j.seq()
    const size = segmentSize()
    const t = attempt(() => fn(twin))
    const r = attempt(() => fn(j))
    ops++
    if (show(r) !== show(t)) fail(where, `outcomes differ:\n journaled ${show(r).slice(0, 2000)}\n twin      ${show(t).slice(0, 2000)}`)
    if ('err' in r) {
      if (j.seq() !== seq || segmentSize() !== size) fail(where, `a rejected ${kind} was journaled`)
      count(`${kind}:${r.err.code}`)
    } else {
      if (j.seq() !== seq + 1) fail(where, `${kind} was not journaled (seq ${seq} → ${j.seq()})`)
      count(`${kind}:ok`)
    }
    return t
  }

  /** What the twin's clock says, in ms. */
  const nowMs = () => Date.parse(twin.now())
  const holdIds: string[] = []
  const offerIds: string[] = []
  const apptIds: string[] = []
  let lastSlots: Slot[] = []
  let lastReq: SearchRequest = { services: [scenario.services[0].id] }
  let lastConfirm: { holdId: string; key?: string } | undefined
  const timers = () => [...twin.holds().map((h) => Date.parse(h.expiresAt)), ...twin.snapshot().freezes.map((f) => Date.parse(f.until))]

  const search = (where: string, req: SearchRequest) => {
    const t = attempt(() => twin.search(req))
    const r = attempt(() => j.search(req))
    ops++
    if (show(r) !== show(t)) fail(where, `search results differ`)
    lastReq = req
    lastSlots = 'ok' in t ? (t.ok as { slots: Slot[] }).slots : []
    count(lastSlots.length ? 'search:found' : 'search:none')
  }
  const setNow = (where: string, ms: number) => both(where, 'setNow', (s) => s.setNow(iso(ms)))
  const recordIds = (o: Outcome, kind: 'hold' | 'appt' | 'offer') => {
    if (!('ok' in o) || !o.ok) return
    const id = (o.ok as { id: string }).id
    ;(kind === 'hold' ? holdIds : kind === 'appt' ? apptIds : offerIds).push(id)
  }

  try {
    steps.forEach((c, i) => {
      const where = `#${i} ${JSON.stringify(c)}`
      switch (c.t) {
        // ---- journal operations ----
        case 'reopen': {
          const seq = j.seq()
          j.close()
          j = open()
          ops++
          listen(j, () => logJ)
          if (j.recovery.seq !== seq || j.recovery.tornTail !== null || j.recovery.replayed !== seq - j.recovery.snapshotSeq) fail(where, `recovery ${JSON.stringify(j.recovery)}, expected seq ${seq}`)
          count('journal:reopen')
          count('journal:replayed', j.recovery.replayed)
          break
        }
        case 'crash': {
          // The files as they are now (what a crash would leave), recovered in another directory.
          const seq = j.seq()
          const copy = path.join(root, `j${dirs++}`)
          fs.mkdirSync(copy)
          for (const n of fs.readdirSync(dir)) if (n !== 'LOCK') fs.copyFileSync(path.join(dir, n), path.join(copy, n))
          let tornBytes = 0
          if (c.torn > 0) {
            const seg = fs.readdirSync(copy).filter((n) => n.startsWith('journal-')).sort().pop()!
            const bytes = Buffer.from(`{"seq":${seq + 1},"cmd":"confirm","args":["h1",{"idempotencyKey":"k"}],"ret":"a1","crc":"00000000"}`).subarray(0, c.torn)
            fs.appendFileSync(path.join(copy, seg), bytes)
            tornBytes = bytes.length
          }
          j.close()
          dir = copy
          j = open()
          ops++
          listen(j, () => logJ)
          const torn = j.recovery.tornTail
          if (j.recovery.seq !== seq || (c.torn > 0) !== (torn !== null) || (torn && torn.bytes !== tornBytes)) fail(where, `recovery ${JSON.stringify(j.recovery)}, expected seq ${seq}, torn ${tornBytes}`)
          count(c.torn > 0 ? 'journal:crash/torn' : 'journal:crash')
          break
        }
        case 'checkpoint': {
          const seq = j.seq()
          if (j.checkpoint().seq !== seq) fail(where, 'checkpoint at another sequence number')
          ops++
          count('journal:checkpoint')
          break
        }
        // ---- the slot engine's commands ----
        case 'search': {
          const req: SearchRequest = { services: svcIds(c.svc), limit: c.limit, citizenId: `c${c.citizen}` }
          if (c.offices) req.offices = [...new Set(c.offices.map((k) => scenario.offices[k % nO].id))]
          if (c.from !== undefined) {
            req.from = plusDays(scenario.horizon.start, c.from)
            if (c.to) req.to = plusDays(req.from, c.span)
          }
          if (c.windows) req.windows = c.windows.map((w) => ({ ...(w.weekdays ? { weekdays: w.weekdays } : {}), from: fmtTime(w.from), to: fmtTime(Math.min(1440, w.from + w.len)) }))
          if (c.explain) req.explain = true
          search(where, req)
          break
        }
        case 'holdResult': {
          if (lastSlots.length === 0) search(`${where} (search first)`, { ...lastReq })
          if (lastSlots.length === 0) break
          const slot = lastSlots[c.idx % lastSlots.length]
          recordIds(both(where, 'hold', (s) => s.hold(slot, c.ttl === undefined ? { citizenId: `c${c.citizen}` } : { citizenId: `c${c.citizen}`, ttlMinutes: c.ttl })), 'hold')
          break
        }
        case 'holdRandom': {
          const officeId = c.office === 3 ? 'nowhere' : scenario.offices[c.office % nO].id
          const staffId = c.staff === 4 ? 'nobody' : scenario.staff[c.staff % nP].id
          const services = svcIds(c.svc)
          const dur = ref.durationMinutes(officeId, services) ?? scenario.services[c.svc[0] % nS].durationMinutes
          let start: number
          const mine = ref.workIntervals(staffId)
          if (c.mode !== 'any' && mine.length) {
            const w = mine[c.pick % mine.length]
            const first = ref.t0 + Math.ceil((w.start - ref.t0) / ref.unitMs) * ref.unitMs
            const n = Math.max(1, Math.floor((w.end - first) / ref.unitMs))
            start = first + (Math.floor(c.pick / mine.length) % n) * ref.unitMs
          } else start = ref.t0 + (c.pick % Math.floor((ref.gridEnd - ref.t0) / ref.unitMs + 2)) * ref.unitMs - ref.unitMs
          if (c.mode === 'offgrid') start += 5 * MIN
          const slot = { officeId, staffId, start: iso(start), end: iso(start + dur * MIN + c.endDelta * ref.unitMs), services }
          recordIds(both(where, 'hold', (s) => s.hold(slot, { citizenId: `c${c.citizen}` })), 'hold')
          break
        }
        case 'confirm': {
          const live = twin.holds().map((h) => h.id)
          const choices = c.live && live.length ? live : [...holdIds, 'h-unknown']
          const holdId = choices[c.pick % choices.length]
          const key = c.key === undefined ? undefined : `k${c.key}`
          lastConfirm = { holdId, key }
          recordIds(both(where, 'confirm', (s) => s.confirm(holdId, key === undefined ? undefined : { idempotencyKey: key })), 'appt')
          break
        }
        case 'reconfirm': {
          if (!lastConfirm) break
          const { holdId } = lastConfirm
          const key = c.otherKey ? `k-other-${holdId}` : lastConfirm.key
          both(where, 'confirm', (s) => s.confirm(holdId, key === undefined ? undefined : { idempotencyKey: key }))
          break
        }
        case 'cancelLive': {
          const live = twin.appointments().filter((a) => Date.parse(a.start) >= nowMs()).map((a) => a.id)
          if (live.length) both(where, 'cancel', (s) => s.cancel(live[c.pick % live.length]))
          break
        }
        case 'cancel': {
          const live = twin.appointments().map((a) => a.id)
          const choices = c.live && live.length ? live : [...apptIds, 'a-unknown']
          both(where, 'cancel', (s) => s.cancel(choices[c.pick % choices.length]))
          break
        }
        case 'advance':
          setNow(where, nowMs() + c.minutes * MIN + c.ms)
          break
        case 'toExpiry': {
          const ts = timers()
          const at = ts.length ? ts[c.pick % ts.length] : nowMs() + 1
          if (at - 1 >= nowMs()) {
            setNow(`${where} (1 ms before)`, at - 1)
            check(`${where} (1 ms before)`)
          }
          setNow(where, at)
          break
        }
        case 'offerExpiry': {
          const offers = twin.offers()
          const at = offers.length ? Date.parse(offers[c.pick % offers.length].expiresAt) : nowMs() + 1
          if (at - 1 >= nowMs()) setNow(`${where} (1 ms before)`, at - 1)
          setNow(where, at)
          break
        }
        case 'backwards':
          setNow(where, nowMs() - c.ms)
          break
        case 'restore': {
          // The twin goes through a snapshot and restore; the journaled one must not notice.
          const snap = JSON.parse(JSON.stringify(twin.snapshot()))
          twin = restoreScheduler(scenario, snap, { notifications: sinkT, waitlist: { autoOffer: auto } })
          listen(twin, () => logT)
          ops++
          count('restore:ok')
          break
        }
        // ---- the waitlist's commands ----
        case 'join': {
          const req = joinRequest(scenario, nowMs(), c)
          both(where, 'join', (s) => s.joinWaitlist(req as never))
          break
        }
        case 'leave': {
          const live = twin.waitlist().map((e) => e.id)
          const choices = c.live && live.length ? live : ['e0', 'w-unknown', ...live]
          both(where, 'leave', (s) => s.leaveWaitlist(choices[c.pick % choices.length]))
          break
        }
        case 'accept': {
          const live = twin.offers().map((o) => o.id)
          const choices = c.live && live.length ? live : [...offerIds, 'o-unknown']
          const id = choices[c.pick % choices.length]
          recordIds(both(where, 'accept', (s) => s.acceptOffer(id, c.key === undefined ? undefined : { idempotencyKey: `k${c.key}` })), 'appt')
          break
        }
        case 'decline': {
          const live = twin.offers().map((o) => o.id)
          const choices = c.live && live.length ? live : [...offerIds, 'o-unknown']
          both(where, 'decline', (s) => s.declineOffer(choices[c.pick % choices.length]))
          break
        }
        case 'manual': {
          const entries = twin.waitlist()
          const e = c.mode === 'unknown' || entries.length === 0 ? undefined : entries[c.entry % entries.length]
          const services = c.mode === 'wrong' ? [scenario.services[(c.pick + 1) % nS].id] : (e?.services ?? [scenario.services[0].id])
          let slot: Slot | undefined
          if (c.mode === 'taken') {
            const taken = [...twin.appointments().map((a) => ({ ...a })), ...twin.holds().map((h) => h.slot)]
            if (taken.length) {
              const x = taken[c.pick % taken.length]
              slot = { officeId: x.officeId, staffId: x.staffId, start: x.start, end: iso(Date.parse(x.start) + (ref.durationMinutes(x.officeId, services) ?? 10) * MIN), services }
            }
          }
          if (!slot && c.mode !== 'random') {
            const found = attempt(() => twin.search({ services, limit: 5, ...(e ? { citizenId: e.citizenId } : {}) }))
            const slots = 'ok' in found ? (found.ok as { slots: Slot[] }).slots : []
            if (slots.length) slot = slots[c.pick % slots.length]
          }
          if (!slot) {
            const w = ref.work.length ? ref.work[c.pick % ref.work.length] : undefined
            const start = w ? ref.t0 + Math.ceil((w.start - ref.t0) / ref.unitMs) * ref.unitMs : nowMs()
            slot = { officeId: w?.officeId ?? scenario.offices[0].id, staffId: w?.staffId ?? scenario.staff[0].id, start: iso(start), end: iso(start + scenario.services[0].durationMinutes * MIN), services }
          }
          const entryId = e?.id ?? 'w-unknown'
          const s0 = slot
          recordIds(both(where, 'offer', (s) => s.offer(entryId, s0)), 'offer')
          break
        }
        case 'auto':
          both(where, 'auto', (s) => s.setAutoOffer(c.on))
          auto = c.on
          break
      }
      // Offers made automatically are targets for accept and decline later.
      for (const o of twin.offers()) if (!offerIds.includes(o.id)) offerIds.push(o.id)
      check(where)
    })
    // In the end, once more from the disk.
    j.close()
    j = open()
    ops++
    check('reopened at the end')
  } finally {
    j.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
  return { ops, tally }
}
