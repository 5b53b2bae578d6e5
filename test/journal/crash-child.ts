/**
 * The child of the crash test (crash.test.ts): opens the scheduler on the journal directory given
 * as the first argument and books, cancels and moves the clock as fast as it can until it is
 * killed, writing a line to stdout only after the command returned:
 *   O                        about to open (recover) the journal
 *   R <replayed> <tornBytes> <snapshotSeq> <seq>   recovered
 *   B <appointmentId> <staffId> <start>            a confirmed booking (acknowledged)
 *   C <appointmentId>        an acknowledged cancellation
 *   K <seq>                  a checkpoint
 * Run: node --import tsx test/journal/crash-child.ts <dir> <seed> [<max ms>]
 * It imports only what it needs (not src/index.ts), so that it starts quickly.
 */
import * as fs from 'node:fs'
import { openScheduler } from '../../src/adapters/journal/open.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import { createRng } from '../../src/model/random.js'
import { CRASH_NOW, crashScenario } from './crash-fixture.js'

const [dir, seedArg, maxMsArg] = process.argv.slice(2)
const rng = createRng(Number(seedArg))
const say = (line: string) => fs.writeSync(1, `${line}\n`)
const scenario = loadScenario(crashScenario())
say('O')
const s = openScheduler({ scenario, journal: dir, now: CRASH_NOW })
const r = s.recovery
say(`R ${r.replayed} ${r.tornTail?.bytes ?? 0} ${r.snapshotSeq} ${r.seq}`)

const services = [['reg'], ['reg'], ['pass'], ['pass', 'id']]
const LAST_NOW = Date.parse('2026-06-03T12:00:00+02:00')
const stopAt = Date.now() + Number(maxMsArg ?? 5000)
let k = 0
while (Date.now() < stopAt) {
  const x = rng.next()
  const nowMs = Date.parse(s.now())
  const future = () => s.appointments().filter((a) => Date.parse(a.start) >= nowMs + 60_000)
  if (x < 0.01) {
    s.checkpoint()
    say(`K ${s.seq()}`)
  } else if (x < 0.05) {
    if (nowMs < LAST_NOW) s.setNow(nowMs + (1 + rng.int(3)) * 60_000)
  } else if (x < 0.25) {
    const live = future()
    if (live.length > 0) {
      const a = live[rng.int(live.length)]
      s.cancel(a.id)
      say(`C ${a.id}`)
    }
  } else {
    const citizenId = `c${seedArg}-${r.seq}-${k++}`
    const { slots } = s.search({ services: services[rng.int(services.length)], citizenId, limit: 6 })
    if (slots.length === 0) {
      // Booked out: make room.
      const live = future()
      if (live.length > 0) {
        const a = live[rng.int(live.length)]
        s.cancel(a.id)
        say(`C ${a.id}`)
      }
      continue
    }
    const slot = slots[rng.int(slots.length)]
    const h = s.hold(slot, { citizenId })
    if (rng.next() < 0.05) {
      // Rejected commands are not journaled: a second hold of the same slot, a confirm of nothing.
      for (const fn of [() => s.hold(slot, { citizenId: `${citizenId}-x` }), () => s.confirm('h-none')]) {
        try {
          fn()
          throw new Error('expected a rejection')
        } catch (e) {
          if (!(e instanceof TerminplanError)) throw e
        }
      }
    }
    const a = s.confirm(h.id, rng.next() < 0.5 ? { idempotencyKey: `key-${citizenId}` } : undefined)
    say(`B ${a.id} ${a.staffId} ${a.start}`)
  }
}
s.close()
say('D')
