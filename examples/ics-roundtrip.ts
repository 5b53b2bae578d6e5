/**
 * Calendars in and out, on the built-in Berlin example:
 * book a few appointments, export one office's appointments as .ics (with VTIMEZONE) and read
 * them back with ical.js; export a staff member's roster as .ics (RRULE, breaks, absences) and
 * import it again — the same working time, unit for unit; list the office's free slots in ZMS shape.
 * Run: npx tsx examples/ics-roundtrip.ts [out-dir]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ICAL from 'ical.js'
import {
  compile,
  createScheduler,
  exportAppointmentsIcs,
  exportRosterIcs,
  exportZmsFreeSlots,
  freeSlotRows,
  importStaffAvailability,
  loadScenario,
  tz,
} from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const outDir = process.argv[2] ?? join('out', 'ics-roundtrip')
mkdirSync(outDir, { recursive: true })

const scenario = readScenario('berlin')
const s = createScheduler(scenario, { now: '2026-12-01T07:00:00+01:00' })
const office = '122217' // Bürgeramt Heerstraße

// A few bookings: ID card, ID card + registration, passport.
for (const [services, citizenId] of [[['120703'], 'c-1'], [['120703', '120686'], 'c-2'], [['121151'], 'c-3']] as const) {
  const { slots } = s.search({ services: [...services], offices: [office], limit: 1 })
  const a = s.confirm(s.hold(slots[0], { citizenId }).id)
  console.log(`booked ${a.id} ${a.start}–${a.end.slice(11, 16)} ${a.services.join('+')}`)
}

// 1. Appointments of the office → .ics; no staff or citizen ids unless opted in.
const ics = exportAppointmentsIcs(s.appointments(), scenario, { office, stamp: s.now() })
writeFileSync(join(outDir, `appointments-${office}.ics`), ics)
const events = new ICAL.Component(ICAL.parse(ics) as never).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v))
const exact = s.appointments().every((a) => events.some((e) => e.uid === `${a.id}@terminplan` && e.startDate.toUnixTime() * 1000 === Date.parse(a.start)))
console.log(`${events.length} events written with ${ics.match(/BEGIN:VTIMEZONE/g)?.length} VTIMEZONE; ical.js reads the same instants: ${exact}`)

// 2. A roster → .ics → back.
const person = scenario.staff.find((p) => p.office === office && p.absences.length > 0)!
const roster = exportRosterIcs(person, scenario, { stamp: s.now() })
writeFileSync(join(outDir, `roster-${person.id}.ics`), roster)
const last = tz.addDays(scenario.horizon.start, scenario.horizon.days - 1)
const back = importStaffAvailability(roster, { staffId: person.id, range: { from: scenario.horizon.start, to: last }, timezone: scenario.timezone })
console.log(`roster of ${person.id}: ${person.shifts.length} shift rules, ${person.absences.length} absences → ${roster.match(/BEGIN:VEVENT/g)?.length} events → ${back.shifts.length} shift rules, ${back.absences.length} absences`)
const only = (staff: typeof person) => loadScenario({ ...scenario, staff: [staff], demand: [] })
const before = compile(only(person)).work[0], after = compile(only({ ...person, shifts: back.shifts, absences: back.absences })).work[0]
console.log(`same working time, unit for unit (${before.length * 32} grid units): ${before.every((w, i) => w === after[i])}`)

// 3. Free slots in the ZMS calendar shape (office, date, time, free count).
const free = exportZmsFreeSlots(s, { services: ['120703'], offices: [office], from: '2026-12-01', to: '2026-12-02' })
writeFileSync(join(outDir, `free-slots-${office}.json`), JSON.stringify(free, null, 1))
const rows = freeSlotRows(free)
console.log(`free ID-card slots at ${office} on 2026-12-01/02: ${rows.length} times, first ${rows.slice(0, 3).map((r) => `${r.date} ${r.time} ×${r.free}`).join(', ')}`)
console.log(`day status: ${free.offices[0].days.map((d) => `${d.day}.${d.month}. ${d.status} (${d.freeAppointments.public} free)`).join(', ')}`)
console.log(`files in ${outDir}`)
