/**
 * The waitlist on the built-in Berlin example: a citizen who finds nothing in time joins the
 * waitlist with their offices and times; when someone cancels, the engine offers the freed slot to
 * the best-fitting waiting citizen, and tells the embedder through a NotificationSink.
 * Run: npx tsx examples/waitlist.ts
 */
import { createScheduler, fillScheduler, type Notification } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
const outbox: Notification[] = []
const s = createScheduler(
  { ...scenario, policy: { ...scenario.policy, cancelFreezeMinutes: 0 } },
  { now: '2026-12-01T07:00:00+01:00', notifications: { send: (n) => void outbox.push(n) } },
)
// The first weeks are booked out, as they are in Berlin today; at one office the last free ID-card
// slots before 5 December go too.
fillScheduler(s, { share: 0.9, seed: 1, profile: 'front' })
const office = scenario.offices.find((o) => o.name.includes('Spandau'))?.id ?? scenario.offices[0].id
const wanted = { services: ['120703'], offices: [office], to: '2026-12-04' }
for (let n = 0, r = s.search(wanted); r.slots.length > 0; r = s.search(wanted)) s.confirm(s.hold(r.slots[0], { citizenId: `early-${n++}` }).id)
console.log('nothing free at', office, 'before 5 December:', s.search(wanted).explanation?.reasons.map((r) => `${r.code} ${r.count}`).join(', '))

const entry = s.joinWaitlist({ citizenId: 'c-4711', services: ['120703'], offices: [office], latest: '2026-12-04' })
console.log('joined:', entry.id, 'due', entry.due, '- offers so far:', s.offers().length)

// Someone cancels an appointment there: the slot is offered at once.
const taken = s.appointments().find((a) => a.officeId === office && a.services.includes('120703') && a.start > '2026-12-01T12' && a.start < '2026-12-05')
if (taken) s.cancel(taken.id)
const [offer] = s.offers()
console.log('offer:', offer?.slot.start, 'until', offer?.expiresAt)
if (offer) console.log('booked:', s.acceptOffer(offer.id).start)
console.log('notifications:', outbox.filter((n) => n.citizenId === 'c-4711').map((n) => `${n.kind} (${n.idempotencyKey})`))
