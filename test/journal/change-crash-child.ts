/**
 * The child of the live-change crash test (change-crash.test.ts): opens the scheduler (rolling
 * horizon) on the journal directory given as the first argument and, until it is killed, books,
 * cancels, moves the clock, checkpoints and applies live changes — sick calls (an absence of a
 * fixture staff member from now for 1–6 hours, some with a stand-in), a closure of an office for
 * a day, new shifts from a date, added staff, now and then an invalid one — always with an
 * idempotency key, some retried with it (and some another change under it: CONFLICT). It
 * writes a line to stdout only after the command returned (S is written before):
 *   O                                   about to open (recover) the journal
 *   R <replayed> <tornBytes> <snapshotSeq> <seq> <changes>   recovered (<changes> = changes().length)
 *   S <key> <overlay JSON>              about to apply this live change with this key (not an acknowledgement)
 *   A <index> <scenarioHash> <affected> <moved> <offered> <unplaceable> <crc32 of the result's JSON>   applyChange returned
 *   X <key> <code>                      the change was rejected
 *   I <index>                           a retry with the same key returned the same result (checked here)
 *   Q <key>                             another change with that key was CONFLICT and changed nothing (checked here)
 *   B <appointmentId> <staffId> <start> a confirmed booking
 *   C <appointmentId>                   an acknowledged cancellation
 *   K <seq>                             a checkpoint
 *   D                                   time is up
 * Before each change it writes the change and its key to `<dir>.pending.json`; the next child
 * first retries that change with the same key (what a client does whose answer a crash swallowed).
 * With <next day> = 1 it first moves the clock to 07:30 of the next weekday.
 * Run: node --import tsx test/journal/change-crash-child.ts <dir> <seed> [<max ms> [<next day>]]
 */
import * as fs from 'node:fs'
import { crc32 } from 'node:zlib'
import { openScheduler } from '../../src/adapters/journal/open.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { OverlayInput } from '../../src/model/overlay.js'
import { createRng } from '../../src/model/random.js'
import { addDays, formatInstant, isoWeekday, localDateOf, localMinutesOf, wallToInstant } from '../../src/model/tz.js'
import { scenarioHash } from '../../src/solver/scheduler/versions.js'
import type { ChangeResult } from '../../src/solver/scheduler/types.js'
import { CRASH_NOW, crashScenario } from './crash-fixture.js'

const [dir, seedArg, maxMsArg, nextDayArg] = process.argv.slice(2)
const rng = createRng(Number(seedArg))
const say = (line: string) => fs.writeSync(1, `${line}\n`)
const scenario = loadScenario(crashScenario())
const zone = scenario.timezone
const FIXTURE_STAFF = scenario.staff.map((p) => p.id)
const OFFICES = scenario.offices.map((o) => o.id)
const PENDING = `${dir}.pending.json`

say('O')
const s = openScheduler({ scenario, journal: dir, now: CRASH_NOW, horizon: 'rolling' })
const r = s.recovery
say(`R ${r.replayed} ${r.tornTail?.bytes ?? 0} ${r.snapshotSeq} ${r.seq} ${s.changes().length}`)

const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]
const today = () => localDateOf(zone, Date.parse(s.now()))

/**
 * The next change of the cycle: sick call, closure, sick call with a stand-in (an added staff
 * member like the sick one at their office, for today: what lets the re-plan move appointments),
 * shifts, sick call, addStaff.
 */
const KINDS = ['absence', 'close', 'cover', 'shifts', 'absence', 'addStaff'] as const
let cycle = rng.int(KINDS.length)
function nextChange(n: number): OverlayInput {
  const kind = KINDS[cycle++ % KINDS.length]
  const nowMs = Date.parse(s.now())
  const day = today()
  switch (kind) {
    case 'absence': {
      const staff = pick(FIXTURE_STAFF)
      const hours = 1 + rng.int(6)
      return { name: `sick ${n}`, changes: [{ kind: 'absence', staff, from: s.now(), to: formatInstant(zone, nowMs + hours * 3_600_000) }] }
    }
    case 'cover': {
      const p = pick(scenario.staff)
      const sick = { kind: 'absence' as const, staff: p.id, from: s.now(), to: formatInstant(zone, nowMs + (1 + rng.int(6)) * 3_600_000) }
      return { name: `sick ${n}, stand-in`, changes: [{ kind: 'addStaff', office: p.office, count: 1, like: p.id, validFrom: day, validTo: day }, sick] }
    }
    case 'close': {
      const date = addDays(day, rng.int(5))
      return { name: `closed ${n}`, changes: [{ kind: 'close', office: pick(OFFICES), from: date, to: date }] }
    }
    case 'shifts': {
      const weekdays = pick([[1, 2, 3, 4, 5], [1, 3, 5], [2, 4]])
      const shift = { weekdays, from: pick(['08:00', '09:00']), to: pick(['11:00', '12:00']), ...(rng.next() < 0.5 ? { breaks: [{ from: '10:00', to: '10:20' }] } : {}) }
      return { name: `roster ${n}`, changes: [{ kind: 'shifts', staff: pick(FIXTURE_STAFF), from: addDays(day, rng.int(4)), shifts: [shift] }] }
    }
    case 'addStaff': {
      const validFrom = addDays(day, rng.int(2))
      return { name: `extra ${n}`, changes: [{ kind: 'addStaff', office: pick(OFFICES), count: 1, validFrom, validTo: addDays(validFrom, 2 + rng.int(5)) }] }
    }
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
/** A checksum of the whole result (outcomes, offers, entries), for the parent to compare with the recovered record. */
const resultSum = (r: ChangeResult) => (crc32(JSON.stringify(r)) >>> 0).toString(16).padStart(8, '0')

/** Applies a change with its key; prints S before and A (or X) after. */
function change(overlay: OverlayInput, key: string): ChangeResult | null {
  fs.writeFileSync(`${PENDING}.tmp`, JSON.stringify({ key, overlay }))
  fs.renameSync(`${PENDING}.tmp`, PENDING)
  say(`S ${key} ${JSON.stringify(overlay)}`)
  const before = s.changes().length
  let res: ChangeResult
  try {
    res = s.applyChange(overlay, { idempotencyKey: key })
  } catch (e) {
    if (!(e instanceof TerminplanError)) throw e
    say(`X ${key} ${e.code}`)
    return null
  }
  const log = s.changes()
  // New: the last record. Known key (a retry after a crash): the record it made, and nothing new.
  const fresh = log.length === before + 1
  if ((fresh ? res.index !== log.length - 1 : log.length !== before) || log[res.index]?.idempotencyKey !== key)
    throw new Error(`change ${key}: index ${res.index}, the log had ${before} changes and has ${log.length}`)
  // What a client checks before it takes the answer (and a kill here finds the change durable, unanswered).
  // A retry answers the first result, and the scenario in force may have moved on since: the horizon
  // may have rolled after the change and before the kill. So only a fresh change must match it.
  if (res.scenarioHash !== log[res.index].hash || (fresh && res.scenarioHash !== scenarioHash(s.model.scenario))) throw new Error(`change ${key}: hash ${res.scenarioHash}, the scenario in force ${scenarioHash(s.model.scenario)}, the log's record ${log[res.index].hash} (index ${res.index} of ${log.length}, ${fresh ? 'fresh' : 'a retry'}, now ${s.now()})`)
  if (res.outcomes.length !== res.affected || res.moved + res.offered + res.unplaceable !== res.affected) throw new Error(`change ${key}: counts ${JSON.stringify(res)}`)
  if (fresh) {
    const appts = new Map(s.appointments().map((a) => [a.id, a]))
    const offers = new Set(s.offers().map((o) => o.id))
    for (const o of res.outcomes) {
      const a = appts.get(o.appointmentId)
      if (o.outcome === 'moved' ? a?.staffId !== o.staffId : a !== undefined) throw new Error(`change ${key}: ${JSON.stringify(o)}, the appointment is ${JSON.stringify(a)}`)
      if (o.outcome === 'offered' && !offers.has(o.offerId!)) throw new Error(`change ${key}: ${JSON.stringify(o)}, no such offer`)
    }
  }
  say(`A ${res.index} ${res.scenarioHash} ${res.affected} ${res.moved} ${res.offered} ${res.unplaceable} ${resultSum(res)}`)
  return res
}

// A client whose last change went unanswered retries it with the same key.
if (fs.existsSync(PENDING)) {
  const p = JSON.parse(fs.readFileSync(PENDING, 'utf8')) as { key: string; overlay: OverlayInput }
  change(p.overlay, p.key)
}

/** 07:30 of the next weekday (the rolling horizon moves at midnight). */
function nextMorning(): number {
  let d = addDays(today(), 1)
  while (isoWeekday(d) > 5) d = addDays(d, 1)
  return wallToInstant(zone, d, 7 * 60 + 30)
}
if (nextDayArg === '1') s.setNow(nextMorning())

const services = [['reg'], ['reg'], ['pass'], ['pass', 'id']]
const stopAt = Date.now() + Number(maxMsArg ?? 5000)
let k = 0, n = 0
while (Date.now() < stopAt) {
  const x = rng.next()
  const nowMs = Date.parse(s.now())
  const future = () => s.appointments().filter((a) => Date.parse(a.start) >= nowMs + 60_000)
  if (x < 0.01) {
    s.checkpoint()
    say(`K ${s.seq()}`)
  } else if (x < 0.04) {
    // The clock: minutes during the morning, then on to 07:30 of the next weekday (the horizon rolls).
    s.setNow(localMinutesOf(zone, nowMs) < 12 * 60 ? nowMs + (5 + rng.int(26)) * 60_000 : nextMorning())
  } else if (x < 0.09) {
    const key = `chg-${seedArg}-${n}`
    // Now and then a change the engine must reject (an unknown staff member): not journaled, not in the log.
    const overlay: OverlayInput = rng.next() < 0.06 ? { name: `bad ${n++}`, changes: [{ kind: 'absence', staff: 'nobody', from: s.now(), to: formatInstant(zone, Date.parse(s.now()) + 3_600_000) }] } : nextChange(n++)
    const res = change(overlay, key)
    const y = rng.next()
    if (res && y < 0.3) {
      // The same change again with the same key: the same answer, nothing changes.
      const len = s.changes().length
      const again = s.applyChange(overlay, { idempotencyKey: key })
      if (!same(again, res)) throw new Error(`retry of ${key} answered ${JSON.stringify(again)}, first ${JSON.stringify(res)}`)
      if (s.changes().length !== len) throw new Error(`retry of ${key} added a change`)
      say(`I ${res.index}`)
    } else if (res && y < 0.4) {
      // Another change with the same key: CONFLICT, nothing changes.
      const len = s.changes().length
      try {
        s.applyChange({ ...overlay, name: `${overlay.name} (other)` }, { idempotencyKey: key })
        throw new Error(`another change with key ${key} was accepted`)
      } catch (e) {
        if (!(e instanceof TerminplanError) || e.code !== 'CONFLICT') throw e
      }
      if (s.changes().length !== len) throw new Error(`a conflicting change with key ${key} added a change`)
      say(`Q ${key}`)
    }
  } else if (x < 0.25) {
    const live = future()
    if (live.length > 0) {
      const a = pick(live)
      s.cancel(a.id)
      say(`C ${a.id}`)
    }
  } else {
    const citizenId = `c${seedArg}-${k++}`
    const { slots } = s.search({ services: pick(services), citizenId, limit: 6 })
    if (slots.length === 0) {
      const live = future()
      if (live.length > 0) {
        const a = pick(live)
        s.cancel(a.id)
        say(`C ${a.id}`)
      }
      continue
    }
    const h = s.hold(pick(slots), { citizenId })
    const a = s.confirm(h.id, rng.next() < 0.5 ? { idempotencyKey: `key-${citizenId}` } : undefined)
    say(`B ${a.id} ${a.staffId} ${a.start}`)
  }
}
s.close()
say('D')
