/**
 * The HTTP booking service on the built-in Berlin example, on a free port: book an appointment
 * over fetch (search → hold → confirm), move it (reschedule), see a rejection's shape, read a metric, stop.
 * Run: npx tsx examples/http-service.ts      (the command line: npx terminplan serve berlin)
 */
import { createScheduler } from '../src/index.js'
import { createHttpService } from '../src/adapters/http/index.js'
import { readScenario } from '../src/cli/io.js'

const scheduler = createScheduler(readScenario('berlin'), { now: '2026-12-01T08:00:00+01:00' })
// The clock would be real time; here it starts on the example's first morning and runs from there.
const offset = Date.parse('2026-12-01T08:00:00+01:00') - Date.now()
const app = await createHttpService({ scheduler, clock: () => Date.now() + offset })
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
console.log(`serving at ${base} (docs at ${base}/docs)`)

const post = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(base + path, { method: 'POST', headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as any }
}

// Personalausweis (120703), any office, mornings.
const { body: found } = await post('/search', { services: ['120703'], windows: [{ from: '08:00', to: '12:00' }], citizenId: 'c-4711', limit: 3 })
for (const slot of found.slots) console.log(`${slot.start}  ${slot.officeId}  (${slot.staffId})`)

const hold = await post('/holds', { ...found.slots[0], citizenId: 'c-4711' })
console.log(`hold ${hold.body.id} until ${hold.body.expiresAt}`)
const booked = await post(`/holds/${hold.body.id}/confirm`, undefined, { 'idempotency-key': 'req-1' })
console.log(`${booked.status}: appointment ${booked.body.id} at ${booked.body.officeId} ${booked.body.start}`)

// The citizen would rather come at the second time found: move the appointment there (same key on a retry).
const moved = await post(`/appointments/${booked.body.id}/reschedule`, found.slots[1], { 'idempotency-key': 'move-1' })
console.log(`${moved.status}: appointment ${moved.body.id} now at ${moved.body.officeId} ${moved.body.start}`)

// The new slot for someone else: 409 with the library's code and path.
const taken = await post('/holds', { ...found.slots[1], citizenId: 'c-0815' })
console.log(`${taken.status}: ${taken.body.code} ${taken.body.issues[0].path} ${taken.body.issues[0].code}`)

const metrics = await (await fetch(base + '/metrics')).text()
console.log(metrics.split('\n').filter((l) => l.startsWith('terminplan_bookings_total') || l.startsWith('terminplan_within_14_days_share')).join('\n'))

await app.close()
