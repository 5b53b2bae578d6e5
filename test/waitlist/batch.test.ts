/**
 * Batch matching (`matchWaitlist`) on hand-made states, checked against brute force over every
 * assignment of waiting citizens to the free slots that suit them.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createLpBackend } from '../../src/adapters/lp/index.js'
import { entryPriority, matchWaitlist, slotPreference, type MatchResult } from '../../src/solver/batch-match.js'
import { enginePort, type Scheduler } from '../../src/solver/scheduler/index.js'
import { apptId, entry, start, T, town } from './fixtures.js'

const lp = createLpBackend('highs')
afterAll(() => lp.close())

interface FreeSlot {
  staffId: string
  officeId: string
  start: number
  end: number
}

/** The best Σ weight over all ways to give each entry at most one slot, no two overlapping at one staff member. */
function bruteForce(s: Scheduler, slots: FreeSlot[], fits: (entryId: string, slot: FreeSlot) => boolean): number {
  const port = enginePort(s)
  const { ctx } = port
  const engine = port.offerEngine()
  const recs = [...engine.wl.entries.values()].filter((r) => r.state === 'waiting')
  const chosen: FreeSlot[] = []
  let best = 0
  const go = (i: number, acc: number) => {
    if (i === recs.length) {
      best = Math.max(best, acc)
      return
    }
    go(i + 1, acc)
    for (const sl of slots) {
      if (!fits(recs[i].entry.id, sl)) continue
      if (chosen.some((c) => c.staffId === sl.staffId && c.start < sl.end && sl.start < c.end)) continue
      chosen.push(sl)
      go(i + 1, acc + entryPriority(recs[i], ctx.now) * slotPreference(recs[i], sl.start, ctx.now))
      chosen.pop()
    }
  }
  go(0, 0)
  return best
}

function checkValid(r: MatchResult): void {
  const seen = new Set<string>()
  for (const a of r.assignments) {
    expect(seen.has(a.entryId), `entry ${a.entryId} assigned twice`).toBe(false)
    seen.add(a.entryId)
  }
  for (const a of r.assignments)
    for (const b of r.assignments)
      if (a !== b && a.slot.staffId === b.slot.staffId)
        expect(Date.parse(a.slot.start) < Date.parse(b.slot.end) && Date.parse(b.slot.start) < Date.parse(a.slot.end)).toBe(false)
  expect(r.objective).toBeCloseTo(r.assignments.reduce((x, a) => x + a.weight, 0), 9)
  expect(r.bound + 1e-9).toBeGreaterThanOrEqual(r.objective)
}

const at = (d: number, hm: string) => Date.parse(T(d, hm))

describe('matchWaitlist', () => {
  it('one slot length: exact bipartite matching, optimal by brute force, gap 0', async () => {
    const free = [apptId('ana', 2, '08:00'), apptId('ana', 2, '09:00'), apptId('eve', 3, '08:20'), apptId('sam', 2, '08:00'), apptId('sam', 4, '09:40')]
    const d = start(town({ free }), { autoOffer: false })
    d.s.joinWaitlist(entry('A', { offices: ['north'], createdAt: '2026-05-20T10:00:00+02:00' }))
    d.s.joinWaitlist(entry('B', { offices: ['north', 'east'], priority: 'urgent' }))
    d.s.joinWaitlist(entry('C', { offices: ['south'], windows: [{ from: '09:00', to: '10:00' }] }))
    d.s.joinWaitlist(entry('D'))
    d.s.joinWaitlist(entry('E', { offices: ['east'], latest: '2026-06-02' }))
    d.s.joinWaitlist(entry('F', { district: 'S', createdAt: '2026-05-25T10:00:00+02:00' }))
    const r = await matchWaitlist(d.s, { apply: 'none', candidatesPerEntry: 100 })
    expect(r.method).toBe('exact-matching')
    expect(r.gap).toBe(0)
    checkValid(r)
    const slots: FreeSlot[] = [
      { staffId: 'ana', officeId: 'north', start: at(2, '08:00'), end: at(2, '08:20') },
      { staffId: 'ana', officeId: 'north', start: at(2, '09:00'), end: at(2, '09:20') },
      { staffId: 'eve', officeId: 'east', start: at(3, '08:20'), end: at(3, '08:40') },
      { staffId: 'sam', officeId: 'south', start: at(2, '08:00'), end: at(2, '08:20') },
      { staffId: 'sam', officeId: 'south', start: at(4, '09:40'), end: at(4, '10:00') },
    ]
    const ok: Record<string, (sl: FreeSlot) => boolean> = {
      A: (sl) => sl.officeId === 'north',
      B: (sl) => sl.officeId !== 'south',
      C: (sl) => sl.officeId === 'south' && new Date(sl.start).getUTCHours() >= 7, // 09:00 local = 07:00 UTC
      D: () => true,
      E: (sl) => sl.officeId === 'east' && sl.start < at(3, '00:00'),
      F: (sl) => sl.officeId === 'south',
    }
    const best = bruteForce(d.s, slots, (id, sl) => ok[id](sl))
    expect(r.objective).toBeCloseTo(best, 9)
    expect(r.bound).toBeCloseTo(best, 9)
  })

  it('slots of different lengths overlap: LP relaxation, rounding and repair; bound ≥ optimum ≥ result, small gap', async () => {
    // ana is free Tuesday 08:00–09:20: 40-minute passports and 20-minute registrations compete.
    const free = ['08:00', '08:20', '08:40', '09:00'].map((hm) => apptId('ana', 2, hm))
    const d = start(town({ free }), { autoOffer: false })
    d.s.joinWaitlist(entry('P1', { services: ['pass'], offices: ['north'], priority: 'urgent' }))
    d.s.joinWaitlist(entry('P2', { services: ['pass'], offices: ['north'], createdAt: '2026-05-22T10:00:00+02:00' }))
    d.s.joinWaitlist(entry('R1', { offices: ['north'], createdAt: '2026-05-18T10:00:00+02:00' }))
    d.s.joinWaitlist(entry('R2', { offices: ['north'] }))
    d.s.joinWaitlist(entry('R3', { offices: ['north'], windows: [{ from: '08:20', to: '08:40' }] }))
    const slots: FreeSlot[] = []
    for (const [len, hms] of [[20, ['08:00', '08:20', '08:40', '09:00']], [40, ['08:00', '08:20', '08:40']]] as const)
      for (const hm of hms) slots.push({ staffId: 'ana', officeId: 'north', start: at(2, hm), end: at(2, hm) + len * 60_000 })
    const len = (sl: FreeSlot) => (sl.end - sl.start) / 60_000
    const best = bruteForce(d.s, slots, (id, sl) => (id.startsWith('P') ? len(sl) === 40 : len(sl) === 20 && (id !== 'R3' || sl.start === at(2, '08:20'))))
    const r = await matchWaitlist(d.s, { apply: 'offer', candidatesPerEntry: 100, lp })
    expect(r.method).toBe('lp-rounding')
    checkValid(r)
    expect(r.objective).toBeLessThanOrEqual(best + 1e-9)
    expect(r.bound + 1e-9).toBeGreaterThanOrEqual(best)
    expect(r.gap).toBeLessThan(0.25)
    // Applied as offers: the units are held for the citizens, and the ledger adds up.
    expect(d.s.offers().map((o) => o.entryId).sort()).toEqual(r.assignments.map((a) => a.entryId).sort())
    const st = d.s.stats()
    expect(st.freeUnits + st.heldUnits + st.bookedUnits + st.frozenUnits + st.offeredUnits).toBe(st.capacityUnits)
  })

  it('without an LP back end the bipartite relaxation bounds the result', async () => {
    const free = ['08:00', '08:20', '08:40'].map((hm) => apptId('ana', 2, hm))
    const d = start(town({ free }), { autoOffer: false })
    d.s.joinWaitlist(entry('P1', { services: ['pass'], offices: ['north'] }))
    d.s.joinWaitlist(entry('R1', { offices: ['north'] }))
    const r = await matchWaitlist(d.s, { apply: 'none', candidatesPerEntry: 100 })
    expect(r.method).toBe('relaxation-rounding')
    checkValid(r)
    expect(r.assignments).toHaveLength(2)
  })
})
