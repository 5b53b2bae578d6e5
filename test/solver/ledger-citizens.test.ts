/**
 * The ledger's citizen index (one id kept as itself, more as a set) against a plain map of sets:
 * the same ids in the same order, and the same count of what is active, after any links and unlinks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/solver/ledger.js'

const op = fc.record({
  link: fc.boolean(),
  citizen: fc.constantFrom('c1', 'c2', 'c3'),
  id: fc.constantFrom('a1', 'a2', 'a3', 'h1', 'h2'),
})

describe('Ledger citizen index', () => {
  it('answers as a map of sets would', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 20 }), (ops, nowUnit) => {
        const L = new Ledger()
        // Appointments a1..a3 start at 5, 10, 15; holds h1, h2 exist.
        ;['a1', 'a2', 'a3'].forEach((id, k) => L.appointments.set(id, { id, staff: 0, office: 0, start: 5 * (k + 1), end: 5 * (k + 1) + 2, services: ['x'] }))
        for (const id of ['h1', 'h2']) L.holds.set(id, { id, staff: 0, office: 0, start: 0, end: 1, services: ['x'], expiresAt: 0 } as never)
        const ref = new Map<string, Set<string>>()
        for (const o of ops) {
          if (o.link) {
            L.linkCitizen(o.citizen, o.id)
            if (!ref.has(o.citizen)) ref.set(o.citizen, new Set())
            ref.get(o.citizen)!.add(o.id)
          } else {
            L.unlinkCitizen(o.citizen, o.id)
            const set = ref.get(o.citizen)
            set?.delete(o.id)
            if (set?.size === 0) ref.delete(o.citizen)
          }
        }
        for (const c of ['c1', 'c2', 'c3', 'nobody']) {
          const ids = [...(ref.get(c) ?? [])]
          expect([...L.idsOfCitizen(c)]).toEqual(ids)
          const active = ids.filter((id) => id.startsWith('h') || L.appointments.get(id)!.start >= nowUnit).length
          expect(L.activeCount(c, nowUnit)).toBe(active)
        }
      }),
      { numRuns: 500 },
    )
  })
})
