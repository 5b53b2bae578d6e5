/**
 * A booking backend's day, on the built-in Berlin example:
 * search the earliest slots across all offices, hold one, confirm it, and cancel it.
 * Run: npx tsx examples/search-and-book.ts
 */
import { createScheduler, isTerminplanError } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
const s = createScheduler(scenario, { now: '2026-12-01T08:00:00+01:00' })
s.on('confirmed', (e) => console.log(`confirmed ${e.appointment.id} at ${e.appointment.officeId} ${e.appointment.start}`))

// Personalausweis (120703) and Anmeldung (120686) in one appointment, any office, mornings.
const { slots } = s.search({ services: ['120703', '120686'], windows: [{ from: '08:00', to: '12:00' }], citizenId: 'c-4711', limit: 3 })
for (const slot of slots) console.log(`${slot.start}  ${slot.officeId}  (${slot.staffId})`)

const hold = s.hold(slots[0], { citizenId: 'c-4711' })
const appointment = s.confirm(hold.id, { idempotencyKey: 'req-1' })
console.log('same key, same appointment:', s.confirm(hold.id, { idempotencyKey: 'req-1' }).id === appointment.id)

try {
  s.hold(slots[0], { citizenId: 'c-0815' })
} catch (e) {
  if (isTerminplanError(e)) console.log(`rejected: ${e.code} ${e.issues[0].path}: ${e.issues[0].message}`)
}

// Nothing at an office that does not offer it: the explanation says why, by rule.
const none = s.search({ services: ['120703'], offices: [scenario.offices[0].id], from: '2026-12-25', to: '2026-12-26' })
console.log(none.explanation?.reasons.map((r) => `${r.code}: ${r.count} ${r.per}`))

s.cancel(appointment.id)
console.log(s.stats())
