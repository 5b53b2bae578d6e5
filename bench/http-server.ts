/**
 * The server side of the HTTP bench, in its own process so that the load generator does not share
 * its event loop: Berlin booked to 76 % (the slot suite's front shape), served on 127.0.0.1:0.
 * Limits come as JSON in argv[2]. Prints `port <n> appointments <n>`; on the line `count` on stdin
 * prints the ids of the appointments booked by the load (citizen ids `load-…`) as JSON, then on `exit` stops.
 */
import { createInterface } from 'node:readline'
import { createHttpService } from '../src/adapters/http/index.js'
import { readScenario } from '../src/cli/io.js'
import { createScheduler, fillScheduler, type Scenario } from '../src/index.js'

const limits = JSON.parse(process.argv[2] ?? '{}')
const base = readScenario('berlin')
const scenario: Scenario = { ...base, policy: { ...base.policy, cancelFreezeMinutes: 0, maxActiveAppointmentsPerCitizen: 100 } }
const now = Date.parse(`${scenario.horizon.start}T07:00:00+01:00`)
const s = createScheduler(scenario, { now })
fillScheduler(s, { share: 0.76, seed: 7, profile: 'front' })
// The clock stands still: the bench measures the service, not expiring holds.
const app = await createHttpService({ scheduler: s, clock: () => now, tickMs: 0, docs: false, limits })
await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`port ${(app.server.address() as { port: number }).port} appointments ${s.appointments().length}`)
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') console.log(`load ${JSON.stringify(s.appointments().filter((a) => a.citizenId?.startsWith('load-')).map((a) => a.id))}`)
  if (line === 'exit') break
}
await app.close()
process.exit(0)
