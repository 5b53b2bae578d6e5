/**
 * The ranking of a search where many offices tie: twelve offices with the same hours and staff, so
 * the earliest start is free at most of them at once and the fair tie-break (a hash of office,
 * time and citizen) decides which offices a short list shows. Checked against brute force: every
 * free (office, start) enumerated from the occupancy bits, ranked by start and then by the hash.
 * The search prunes offices and staff it can prove cannot enter the list; this is what keeps that
 * pruning honest.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import { formatInstant } from '../../src/model/tz.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import { createScheduler } from '../../src/solver/scheduler/index.js'
import { fnv1a, mix3 } from '../../src/solver/search.js'

const OFFICES = 12
const NOW = '2026-06-01T07:00:00+02:00'

function city(): ScenarioInput {
  const hours = [{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '10:00' }]
  const offices = Array.from({ length: OFFICES }, (_, i) => ({ id: `o${i}`, name: `O${i}`, district: `D${i % 3}`, desks: 2, openingHours: hours, bookingWindow: { minDays: 0, maxDays: 14 }, services: ['reg', 'pass'] }))
  const staff = offices.flatMap((o, i) => [
    { id: `${o.id}-a`, office: o.id, skills: ['reg', 'pass'], shifts: hours },
    { id: `${o.id}-b`, office: o.id, skills: i % 2 ? ['reg'] : ['reg', 'pass'], shifts: hours },
  ])
  return {
    horizon: { start: '2026-06-01', days: 3 },
    services: [
      { id: 'reg', name: 'Anmeldung', durationMinutes: 20 },
      { id: 'pass', name: 'Reisepass', durationMinutes: 30 },
    ],
    offices,
    staff,
    policy: { cancelFreezeMinutes: 0, maxActiveAppointmentsPerCitizen: 100 },
  }
}

describe('search ranking where offices tie', () => {
  it('the list is the brute-force top by start, then by the fair hash of office, time and citizen', () => {
    const scenario = loadScenario(city())
    fc.assert(
      fc.property(
        // Per office, how many 20-minute slots of the first morning are booked at both staff (so offices tie in groups), then scattered extra bookings.
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: OFFICES, maxLength: OFFICES }),
        fc.array(fc.record({ office: fc.integer({ min: 0, max: OFFICES - 1 }), staff: fc.boolean(), slot: fc.integer({ min: 0, max: 4 }), day: fc.constantFrom(0, 0, 1, 2) }), { maxLength: 30 }),
        fc.constantFrom(['reg'], ['pass'], ['reg', 'pass']),
        fc.integer({ min: 1, max: 15 }),
        fc.option(fc.string({ minLength: 1, maxLength: 6 }), { nil: undefined }),
        (prefix, extra, services, limit, citizenId) => {
          const s = createScheduler(scenario, { now: NOW })
          const m = s.model
          const book = (office: number, staff: 'a' | 'b', day: number, k: number) => {
            const start = Date.parse(`2026-06-0${day + 1}T08:00:00+02:00`) + k * 20 * 60_000
            const slot = { officeId: `o${office}`, staffId: `o${office}-${staff}`, start: formatInstant(m.zone, start), end: formatInstant(m.zone, start + 20 * 60_000), services: ['reg'] }
            try {
              s.confirm(s.hold(slot, { citizenId: `z${office}` }).id)
              return 1
            } catch {
              return 0 // taken already
            }
          }
          let booked = 0
          prefix.forEach((n, o) => {
            for (let k = 0; k < n; k++) booked += book(o, 'a', 0, k) + book(o, 'b', 0, k)
          })
          for (const b of extra) booked += book(b.office, b.staff ? 'a' : 'b', b.day, b.slot)
          expect(booked).toBeGreaterThanOrEqual(prefix.reduce((a, n) => a + 2 * n, 0))
          const req = { services: [...services], limit, ...(citizenId !== undefined ? { citizenId } : {}) }
          const got = s.search(req).slots.map((x) => `${x.officeId}@${x.start}`)

          // Brute force over the occupancy: every (office, start) where a skilled staff member has the whole length free.
          const durOf = (o: number) => services.reduce((a, id) => a + m.durationUnits[o * m.serviceIds.length + m.serviceIndex.get(id)!], 0)
          const nowUnit = Math.ceil((Date.parse(NOW) - m.t0) / m.unitMs)
          const cands = new Map<string, { o: number; t: number }>()
          for (const seg of m.segments) {
            if (!services.every((id) => m.skill[seg.staff * m.serviceIds.length + m.serviceIndex.get(id)!] === 1)) continue
            const du = durOf(seg.office)
            const busy = s.busyUnits(seg.staff)
            for (let t = Math.max(seg.start, nowUnit); t + du <= seg.end; t++) {
              let free = true
              for (let u = t; u < t + du && free; u++) free = (busy[u >>> 5] & (1 << (u & 31))) === 0
              if (free) cands.set(`${seg.office}@${t}`, { o: seg.office, t })
            }
          }
          const salt = citizenId !== undefined ? fnv1a(citizenId) : 0
          const ranked = [...cands.values()].sort((a, b) => a.t - b.t || mix3(a.o, a.t, salt) - mix3(b.o, b.t, salt))
          const want = ranked.slice(0, limit).map((c) => `${m.officeIds[c.o]}@${formatInstant(m.zone, m.t0 + c.t * m.unitMs)}`)
          expect(got).toEqual(want)
        },
      ),
      { numRuns: 300 },
    )
  })
})

