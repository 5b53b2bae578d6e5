/**
 * The call rule run forward over a day (src/solver/day/queue-run.ts), checked independently:
 * random staff, own bookings that never overlap, citizens on time or early, walk-ins, no-shows,
 * and service times exactly as expected. Then, as rule.ts promises: no appointment starts more
 * than the limit late, nobody with an appointment is left unserved, no staff member serves two
 * citizens at once or a service they lack, and every citizen ends served, no-show or left.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runQueue, type QueueCitizen, type QueueStaff } from '../../src/solver/day/queue-run.js'
import { envInt } from '../solver/harness.js'

const MIN = 60_000
const OPEN = 8 * 60 * MIN

// Dense days (two hours, many citizens) are where delays and their bound are decided.
const dayArb = fc.integer({ min: 1, max: 4 }).chain((hours) =>
  fc.record({
    hours: fc.constant(hours),
    limit: fc.constantFrom(0, 5, 10, 10, 20),
    staff: fc.array(fc.record({ skills: fc.subarray([0, 1], { minLength: 1 }), from: fc.constantFrom(0, 0, 30), to: fc.constant(hours * 60) }), { minLength: 1, maxLength: 4 }),
    bookings: fc.array(fc.record({ staff: fc.nat(3), slot: fc.nat(hours * 6 - 1), service: fc.nat(1), early: fc.constantFrom(0, 0, 5, 20), noShow: fc.boolean() }), { maxLength: hours * 12 }),
    walkIns: fc.array(fc.record({ at: fc.nat(hours * 60 - 10), service: fc.nat(1), patience: fc.constantFrom(30, 120, Infinity) }), { maxLength: hours * 10 }),
    noShowMin: fc.constantFrom(0, 10, 15),
  }),
)

type Day = typeof dayArb extends fc.Arbitrary<infer T> ? T : never
const LEN = [10, 20]

function build(d: Day): { staff: QueueStaff[]; citizens: QueueCitizen[]; skills: number[][] } {
  const staff = d.staff.map((p, i) => ({ staff: i, shifts: [[OPEN + p.from * MIN, OPEN + p.to * MIN]] as [number, number][], freeAt: OPEN + p.from * MIN }))
  const citizens: QueueCitizen[] = []
  const taken = new Set<string>()
  let seq = 0
  const base = { calledAt: NaN, servedBy: -1, outcome: 'pending' as const, patienceMs: Infinity }
  for (const b of d.bookings) {
    const p = b.staff % staff.length
    const service = d.staff[p].skills.includes(b.service) ? b.service : d.staff[p].skills[0]
    const units = LEN[service] / 10
    const start = OPEN + b.slot * 10 * MIN
    const [from, to] = staff[p].shifts[0]
    if (start < from || start + units * 10 * MIN > to) continue
    const keys = Array.from({ length: units }, (_, k) => `${p}:${b.slot + k}`)
    if (keys.some((k) => taken.has(k))) continue
    keys.forEach((k) => taken.add(k))
    const arrival = b.noShow ? Infinity : start - b.early * MIN
    citizens.push({ ...base, kind: 'appointment', start, booked: p, checkedInAt: arrival, arrival, expectedMs: LEN[service] * MIN, actualMs: LEN[service] * MIN, seq: seq++, services: [service] })
  }
  for (const w of d.walkIns) {
    const arrival = OPEN + w.at * MIN
    citizens.push({ ...base, kind: 'walkIn', booked: -1, checkedInAt: arrival, arrival, expectedMs: LEN[w.service] * MIN, actualMs: LEN[w.service] * MIN, patienceMs: w.patience * MIN, seq: seq++, services: [w.service] })
  }
  return { staff, citizens, skills: d.staff.map((p) => p.skills) }
}

describe('the call rule over a day', () => {
  it('with service times as expected and citizens on time, no appointment starts more than the limit late', () => {
    let delayed = 0, walkInsServed = 0, noShows = 0
    fc.assert(
      fc.property(dayArb, (d) => {
        const { staff, citizens, skills } = build(d)
        runQueue({ staff, citizens, noShowMs: d.noShowMin * MIN, maxDelayMs: d.limit * MIN, canServe: (p, c) => c.services.every((x) => skills[p].includes(x)) })
        const spans = new Map<number, [number, number][]>()
        for (const c of citizens) {
          expect(['served', 'noShow', 'left']).toContain(c.outcome)
          if (c.outcome === 'served') {
            expect(c.services.every((x) => skills[c.servedBy].includes(x)), 'skill').toBe(true)
            expect(c.calledAt).toBeGreaterThanOrEqual(c.arrival)
            ;(spans.get(c.servedBy) ?? spans.set(c.servedBy, []).get(c.servedBy)!).push([c.calledAt, c.calledAt + c.actualMs])
          }
          if (c.kind === 'appointment') {
            if (!Number.isFinite(c.arrival)) {
              expect(c.outcome).toBe('noShow')
              noShows++
              continue
            }
            expect(c.outcome, 'an appointment left unserved').toBe('served')
            expect(c.calledAt - c.start!, `appointment at ${(c.start! - OPEN) / MIN} called ${(c.calledAt - c.start!) / MIN} min late`).toBeLessThanOrEqual(d.limit * MIN)
            if (c.calledAt > c.start!) delayed++
          } else if (c.outcome === 'served') {
            walkInsServed++
            expect(c.calledAt - c.arrival).toBeLessThan(c.patienceMs)
          }
        }
        for (const xs of spans.values()) {
          xs.sort((a, b) => a[0] - b[0])
          for (let i = 1; i < xs.length; i++) expect(xs[i][0], 'two citizens at once').toBeGreaterThanOrEqual(xs[i - 1][1])
        }
      }),
      { numRuns: envInt('TERMINPLAN_QUEUE_RUNS', 400), seed: 15_0001 },
    )
    // The runs reached the cases the bound is about: walk-ins in the gaps, appointments delayed (within the limit), no-shows.
    expect(walkInsServed).toBeGreaterThan(100)
    expect(delayed).toBeGreaterThan(20)
    expect(noShows).toBeGreaterThan(50)
  })

  it("does not take another staff member's due citizen where that delays one's own beyond the limit", () => {
    // s0 serves a walk-in 08:35–08:55 (its own 08:50 appointment may wait 5 minutes). At 08:50 s1
    // is free, but s0's 20-minute citizen would push s1's own 09:00 appointment to 09:10.
    const m = (x: number) => OPEN + x * MIN
    const staff: QueueStaff[] = [0, 1].map((i) => ({ staff: i, shifts: [[m(0), m(120)]], freeAt: m(0) }))
    const base = { calledAt: NaN, servedBy: -1, outcome: 'pending' as const, patienceMs: Infinity, services: [0] }
    const walk: QueueCitizen = { ...base, kind: 'walkIn', booked: -1, checkedInAt: m(35), arrival: m(35), expectedMs: 20 * MIN, actualMs: 20 * MIN, seq: 0 }
    const c: QueueCitizen = { ...base, kind: 'appointment', start: m(50), booked: 0, checkedInAt: m(50), arrival: m(50), expectedMs: 20 * MIN, actualMs: 20 * MIN, seq: 1 }
    const a: QueueCitizen = { ...base, kind: 'appointment', start: m(60), booked: 1, checkedInAt: m(60), arrival: m(60), expectedMs: 10 * MIN, actualMs: 10 * MIN, seq: 2 }
    runQueue({ staff, citizens: [walk, c, a], noShowMs: 10 * MIN, maxDelayMs: 5 * MIN, canServe: () => true })
    expect([walk.servedBy, walk.calledAt]).toEqual([0, m(35)])
    expect([c.servedBy, c.calledAt]).toEqual([0, m(55)])
    expect([a.servedBy, a.calledAt]).toEqual([1, m(60)])
  })

  it('serves a no-show\'s time to who is waiting, once noShowMs have passed', () => {
    const staff: QueueStaff[] = [{ staff: 0, shifts: [[OPEN, OPEN + 60 * MIN]], freeAt: OPEN }]
    const base = { calledAt: NaN, servedBy: -1, outcome: 'pending' as const, patienceMs: Infinity, services: [0] }
    const appt: QueueCitizen = { ...base, kind: 'appointment', start: OPEN, booked: 0, checkedInAt: Infinity, arrival: Infinity, expectedMs: 30 * MIN, actualMs: 30 * MIN, seq: 0 }
    const walk: QueueCitizen = { ...base, kind: 'walkIn', booked: -1, checkedInAt: OPEN, arrival: OPEN, expectedMs: 20 * MIN, actualMs: 20 * MIN, seq: 1 }
    runQueue({ staff, citizens: [appt, walk], noShowMs: 10 * MIN, maxDelayMs: 5 * MIN, canServe: () => true })
    expect(appt.outcome).toBe('noShow')
    // Before 08:10 the appointment might still come and 20 minutes would delay it by more than 5.
    expect(walk.calledAt).toBe(OPEN + 10 * MIN)
  })
})
