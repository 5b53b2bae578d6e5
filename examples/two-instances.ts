/**
 * Two instances of one city against one PostgreSQL database: the first leads, the second follows
 * (searches from its replica, commands refused with NOT_LEADER naming the leader); the leader
 * stops, the follower takes over, and a retried confirmation with the same idempotency key
 * returns the booking made on the other instance.
 *
 * Run: DATABASE_URL=postgres://user@host/db npx tsx examples/two-instances.ts
 * Without DATABASE_URL it starts a throwaway server when the PostgreSQL binaries are installed
 * (Debian: apt-get install postgresql) and stops it at the end.
 * In production each instance is its own process (or machine) with the same DATABASE_URL, its own
 * `instance` id (the URL clients use to reach it) and the same scenario.
 */
import { openCityScheduler, pgStore, TerminplanError, type CityScheduler } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'
import { pgUnavailable, startPostgres, type PgServer } from '../test/pg/server.js'

const scenario = readScenario('berlin')
let server: PgServer | null = null
let connection = process.env.DATABASE_URL
if (!connection) {
  const why = pgUnavailable()
  if (why) {
    console.error(`Set DATABASE_URL to a PostgreSQL database (${why}).`)
    process.exit(1)
  }
  server = await startPostgres()
  connection = server.url
  console.log(`started a temporary PostgreSQL server at ${connection}`)
}

const open = (instance: string): Promise<CityScheduler> =>
  openCityScheduler({ scenario, store: pgStore({ connection: connection!, city: 'berlin', leaseMs: 3000 }), instance, now: '2026-12-01T08:00:00+01:00' })

try {
  const a = await open('http://10.0.0.1:8080')
  const b = await open('http://10.0.0.2:8080')
  console.log(`a: ${a.role()}, b: ${b.role()} (leader ${b.leader()})`)

  const { slots } = a.search({ services: ['120703'], citizenId: 'c-4711', limit: 1 })
  const hold = await a.hold(slots[0], { citizenId: 'c-4711' })
  const appt = await a.confirm(hold.id, { idempotencyKey: 'req-4711' }) // committed before it resolves
  console.log(`booked ${appt.id} at ${appt.officeId} ${appt.start} through a`)

  while (b.seq() < a.seq()) await new Promise((r) => setTimeout(r, 5))
  console.log('b after replay:', b.staleness(), `— has ${appt.id}:`, b.appointments().some((x) => x.id === appt.id))
  try {
    await b.cancel(appt.id)
  } catch (e) {
    if (!(e instanceof TerminplanError)) throw e
    console.log(`b refuses commands: ${e.code}: ${e.message}`)
  }

  await a.close() // a deploy: the lease is handed over at once (a crash: within a few hundred ms)
  while (b.role() !== 'leader') await new Promise((r) => setTimeout(r, 10))
  console.log(`b leads now (seq ${b.seq()})`)
  // The client did not hear back from a and retries on b: the same booking, not a second one.
  const again = await b.confirm(hold.id, { idempotencyKey: 'req-4711' })
  console.log(`retried confirm on b returns ${again.id} (${again.id === appt.id ? 'the same booking' : 'A SECOND BOOKING'})`)
  await b.close()
} finally {
  await server?.stop()
}
