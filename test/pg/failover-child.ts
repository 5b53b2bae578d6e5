/**
 * An instance of the failover test (failover.test.ts): opens the city on the PostgreSQL server
 * given as JSON config and runs three clients against it until it is killed. While it leads, they
 * book, cancel and move the clock (commands overlap, so group commit batches them); while it
 * follows, they search and are refused with NOT_LEADER. Lines to stdout, written only after the
 * command was acknowledged:
 *   F <seq> <leader>                   following
 *   L <seq>                            leading
 *   B <appointmentId> <staffId> <start> an acknowledged booking
 *   C <appointmentId>                  an acknowledged cancellation
 *   N                                  a command refused with NOT_LEADER
 *   S <seq> <role>                     answer to `S <file>` on stdin: clients paused, queue committed, snapshot in <file>
 * stdin: `S <file>` snapshot, `P` pause the clients, `R` resume them.
 * Run: node --import tsx test/pg/failover-child.ts '<config json>' <city> <instance> <seed> <leaseMs>
 */
import * as fs from 'node:fs'
import { openCityScheduler, type CityScheduler } from '../../src/adapters/journal/city.js'
import { pgStore } from '../../src/adapters/journal/pg/store.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import { createRng } from '../../src/model/random.js'
import { CRASH_NOW, crashScenario } from '../journal/crash-fixture.js'

const [configArg, city, id, seedArg, leaseArg] = process.argv.slice(2)
const rng = createRng(Number(seedArg))
const say = (line: string) => fs.writeSync(1, `${line}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const services = [['reg'], ['reg'], ['pass'], ['pass', 'id']]
const LAST_NOW = Date.parse('2026-06-03T12:00:00+02:00')
let paused = false
let busyClients = 0

async function client(s: CityScheduler, n: number): Promise<never> {
  let k = 0
  for (;;) {
    if (paused) {
      await sleep(2)
      continue
    }
    busyClients++
    try {
      const nowMs = Date.parse(s.now())
      const future = () => s.appointments().filter((a) => Date.parse(a.start) >= nowMs + 60_000)
      // Cancels one appointment not yet begun, if any, and tells the parent.
      const cancelSome = async () => {
        const live = future()
        if (!live.length) return
        const a = live[rng.int(live.length)]
        await s.cancel(a.id)
        say(`C ${a.id}`)
      }
      const x = rng.next()
      if (s.role() !== 'leader') {
        // A follower serves searches; commands are refused, naming the leader.
        s.search({ services: ['reg'], citizenId: 'f', limit: 3 })
        const live = future()
        if (live.length) await s.cancel(live[rng.int(live.length)].id)
      } else if (x < 0.04) {
        if (nowMs < LAST_NOW) await s.setNow(nowMs + 60_000)
      } else if (x < 0.3) {
        await cancelSome()
      } else {
        const citizenId = `c${seedArg}-${n}-${k++}`
        const { slots } = s.search({ services: services[rng.int(services.length)], citizenId, limit: 4 })
        if (slots.length === 0) {
          await cancelSome()
        } else {
          const h = await s.hold(slots[rng.int(slots.length)], { citizenId })
          const a = await s.confirm(h.id, rng.next() < 0.5 ? { idempotencyKey: `key-${citizenId}` } : undefined)
          say(`B ${a.id} ${a.staffId} ${a.start}`)
        }
      }
    } catch (e) {
      if (!(e instanceof TerminplanError)) throw e
      if (e.code === 'NOT_LEADER') say('N')
      // NOT_FOUND, CONFLICT (another client was first): fine. IO_FAILED: the leader is recovering.
    } finally {
      busyClients--
    }
    await sleep(s.role() === 'leader' ? 1 : 20)
  }
}

async function main(): Promise<void> {
  const scenario = loadScenario(crashScenario())
  const store = pgStore({ connection: JSON.parse(configArg) as object, city, leaseMs: Number(leaseArg) })
  const s = await openCityScheduler({ scenario, store, instance: id, now: CRASH_NOW, pollMs: 15, snapshotEvery: 300 })
  const report = () => (s.role() === 'leader' ? say(`L ${s.seq()}`) : say(`F ${s.seq()} ${s.leader() ?? '-'}`))
  report()
  s.onRole((role) => {
    if (role === 'leader' || role === 'follower') report()
  })
  let input = ''
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (d: string) => {
    input += d
    for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n')) {
      const [cmd, arg] = input.slice(0, i).split(' ')
      input = input.slice(i + 1)
      if (cmd === 'P') paused = true
      else if (cmd === 'R') paused = false
      else if (cmd === 'S')
        void (async () => {
          paused = true
          while (busyClients > 0) await sleep(1)
          await s.idle()
          fs.writeFileSync(arg, JSON.stringify({ seq: s.seq(), role: s.role(), snapshot: s.snapshot() }))
          say(`S ${s.seq()} ${s.role()}`)
        })()
    }
  })
  await Promise.all([0, 1, 2].map((n) => client(s, n)))
}

main().catch((e) => {
  fs.writeSync(2, `${(e as Error).stack ?? String(e)}\n`)
  process.exit(1)
})
