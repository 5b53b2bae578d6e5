/**
 * Live changes on the built-in Berlin example: a clerk calls in sick. One office is booked out on
 * a morning; the sick call takes that clerk's appointments away; the engine moves each one to a
 * free colleague at the same time or, where none is free, holds the nearest alternative for the
 * citizen as an urgent offer, and tells every citizen once. Then a citizen reschedules, and a
 * snapshot carries the change log through a restore.
 * Run: npx tsx examples/live-changes.ts
 */
import { createScheduler, isTerminplanError, restoreScheduler, type Notification } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
const outbox: Notification[] = []
const s = createScheduler(scenario, { now: '2026-12-01T08:00:00+01:00', notifications: { send: (n) => void outbox.push(n) } })

// Tomorrow 08:00–10:00 at one office: every slot for an ID card (Personalausweis, 120703) is booked.
const office = scenario.offices[0].id
const morning = { services: ['120703'], offices: [office], from: '2026-12-02', to: '2026-12-02', windows: [{ from: '08:00', to: '10:00' }] }
let n = 0
for (let r = s.search({ ...morning, citizenId: `c-${n}` }); r.slots.length > 0; r = s.search({ ...morning, citizenId: `c-${n}` }))
  s.confirm(s.hold(r.slots[0], { citizenId: `c-${n}` }).id, { idempotencyKey: `req-${n++}` })
// … and some later that morning, so that some of the sick clerk's appointments can move.
for (let i = 0; i < 6; i++) {
  const r = s.search({ ...morning, windows: [{ from: '10:00', to: '12:00' }], citizenId: `c-${n}` })
  s.confirm(s.hold(r.slots[0], { citizenId: `c-${n}` }).id, { idempotencyKey: `req-${n++}` })
}
const booked = s.appointments()
const perStaff = new Map<string, number>()
for (const a of booked) perStaff.set(a.staffId, (perStaff.get(a.staffId) ?? 0) + 1)
const sick = [...perStaff].sort((a, b) => b[1] - a[1])[0][0]
console.log(`booked ${booked.length} appointments at ${office} on 2 December; ${sick} has ${perStaff.get(sick)} of them`)

// The sick call: absent from 07:30 tomorrow to the end of the day.
outbox.length = 0
const result = s.applyChange({
  name: 'sick call',
  changes: [{ kind: 'absence', staff: sick, from: '2026-12-02T07:30:00+01:00', to: '2026-12-03T00:00:00+01:00' }],
})
console.log(
  `\n${result.name}: ${result.affected} affected, ${result.moved} moved to another staff member, ${result.offered} offered an alternative, ` +
    `${result.unplaceable} unplaceable; ${result.holdsDropped} holds dropped, ${result.offersWithdrawn} offers withdrawn (exact: ${result.exact})`,
)
for (const o of result.outcomes) console.log(`  ${o.appointmentId}  ${o.outcome}${o.staffId ? ` → ${o.staffId}` : ''}${o.offerId ? ` → offer ${o.offerId}` : ''}`)

console.log('\nnotifications the citizens receive:')
for (const m of outbox) {
  const what =
    m.kind === 'appointment_moved' ? `same time ${m.start}, another clerk`
    : m.kind === 'appointment_disrupted' ? (m.alternative ? `alternative ${m.alternative.officeId} ${m.alternative.start}, offer ${m.offerId} until ${m.expiresAt}` : 'no alternative yet; on the waitlist')
    : `${m.offerId ?? m.appointmentId ?? ''}`
  console.log(`  ${m.citizenId}  ${m.kind}  ${m.appointmentId ?? ''}  ${what}`)
}

// A citizen takes the alternative held for them.
const firstOffer = result.outcomes.find((o) => o.outcome === 'offered')
if (firstOffer) console.log(`\naccepted ${firstOffer.offerId}:`, s.acceptOffer(firstOffer.offerId!).start)

// A citizen whose appointment was moved asks for another day instead.
const moved = s.appointments().find((a) => a.id === result.outcomes.find((o) => o.outcome === 'moved')?.appointmentId) ?? s.appointments()[0]
const [later] = s.search({ services: moved.services, offices: [moved.officeId], from: '2026-12-04', limit: 1 }).slots
const rescheduled = s.reschedule(moved.id, later, { idempotencyKey: `move-${moved.id}` })
console.log(`\nrescheduled ${moved.id}: ${moved.start} → ${rescheduled.start} (${rescheduled.staffId})`)
console.log('same key, same answer:', s.reschedule(moved.id, later, { idempotencyKey: `move-${moved.id}` }).start === rescheduled.start)

// A snapshot carries the change log; a restore replays it onto the scenario it is given.
const snapshot = JSON.parse(JSON.stringify(s.snapshot()))
const restored = restoreScheduler(scenario, snapshot)
console.log(`\nsnapshot: ${snapshot.changes.length} change(s) in its log; restored:`, restored.changes().map((c) => `${c.overlay.name} at ${c.at}`))
console.log('restored state is the same:', JSON.stringify(restored.snapshot()) === JSON.stringify(s.snapshot()))
console.log('restored with the embedder\'s own log:', restoreScheduler(scenario, snapshot, { changes: s.changes() }).changes().length, 'change(s)')
try {
  restoreScheduler(scenario, snapshot, { changes: [] }) // the embedder lost the change: refused
} catch (e) {
  if (isTerminplanError(e)) console.log(`restore with an empty log rejected: ${e.code} ${e.issues[0].path}: ${e.issues[0].message}`)
}
