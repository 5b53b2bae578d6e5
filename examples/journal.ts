/**
 * Durable booking: a scheduler whose commands are journaled to a directory. Book, checkpoint,
 * book again, close; a write torn by a crash is skipped on recovery and reported; everything
 * acknowledged is back, with the same ids.
 * Run: npx tsx examples/journal.ts
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { openScheduler } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-journal-'))

let s = openScheduler({ scenario, journal: dir, now: '2026-12-01T08:00:00+01:00' })
console.log('opened:', s.recovery)

const holds: string[] = []
const book = (citizenId: string) => {
  const { slots } = s.search({ services: ['120703'], citizenId, limit: 1 })
  const hold = s.hold(slots[0], { citizenId })
  holds.push(hold.id)
  return s.confirm(hold.id, { idempotencyKey: `req-${citizenId}` }) // on disk (fsync) before it returns
}
const first = book('c-4711')
s.setNow('2026-12-01T08:05:00+01:00')
console.log('checkpoint:', path.basename(s.checkpoint().file)) // snapshot written atomically, new journal segment
const second = book('c-0815')
s.cancel(first.id)
console.log(`booked ${first.id} (cancelled) and ${second.id} at ${second.officeId} ${second.start}`)
s.close()

// A crash in the middle of a write leaves half a line behind.
const segment = fs.readdirSync(dir).find((n) => n.startsWith('journal-'))!
fs.appendFileSync(path.join(dir, segment), '{"seq":7,"cmd":"confirm","args":["h')
console.log('\nfiles:', fs.readdirSync(dir).join(', '))

s = openScheduler({ scenario, journal: dir, now: '2026-12-01T09:00:00+01:00' }) // `now` applies to a new journal only
console.log('recovered:', s.recovery)
console.log('appointments:', s.appointments().map((a) => `${a.id} ${a.officeId} ${a.start}`))
console.log('clock:', s.now(), '— the journal\'s; move it with setNow')
console.log('the same confirm again returns the same appointment:', s.confirm(holds[1], { idempotencyKey: 'req-c-0815' }).id === second.id)
s.close()
fs.rmSync(dir, { recursive: true, force: true })
