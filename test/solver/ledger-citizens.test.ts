/**
 * The ledger's citizen index (one id kept as itself, more as a set) against a plain map of sets:
 * the same ids in the same order, and the same count of what is active, after any links and unlinks;
 * and a ledger that adopts another's appointments (a live change on the same indices).
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

  it('adopting appointments moves them and their links, less the gone ones and the holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ citizen: fc.option(fc.constantFrom('c1', 'c2', 'c3'), { nil: undefined }), gone: fc.boolean() }), { maxLength: 12 }),
        fc.array(fc.constantFrom('c1', 'c2', 'c4'), { maxLength: 3 }),
        (appts, holders) => {
          const from = new Ledger()
          const recs = appts.map((x, k) => ({ id: `a${k + 1}`, staff: 0, office: 0, start: k, end: k + 1, services: ['x'], ...(x.citizen ? { citizenId: x.citizen } : {}) }))
          for (const r of recs) {
            from.appointments.set(r.id, r)
            from.linkCitizen(r.citizenId, r.id)
          }
          holders.forEach((c, k) => {
            from.holds.set(`h${k + 1}`, { id: `h${k + 1}`, staff: 0, office: 0, start: 0, end: 1, services: ['x'], citizenId: c, createdAt: 0, expiresAt: 0 })
            from.linkCitizen(c, `h${k + 1}`)
          })
          const to = new Ledger()
          const seen: string[] = []
          to.appointments.onSet = (r) => seen.push(r.id)
          const gone = recs.filter((_, k) => appts[k].gone)
          to.adoptAppointments(from, gone)
          const kept = recs.filter((_, k) => !appts[k].gone)
          // The kept records themselves, in the order they were made; the new ledger's hook stays.
          expect([...to.appointments.values()]).toEqual(kept)
          expect(to.appointments.get(kept[0]?.id ?? '')).toBe(kept[0])
          if (kept[0]) to.appointments.set(kept[0].id, kept[0])
          expect(seen).toEqual(kept[0] ? [kept[0].id] : [])
          // Each citizen's ids are exactly their kept appointments (no hold, nothing gone).
          for (const c of ['c1', 'c2', 'c3', 'c4']) expect([...to.idsOfCitizen(c)].sort()).toEqual(kept.filter((r) => r.citizenId === c).map((r) => r.id).sort())
          // The old ledger has nothing left to share.
          expect(from.appointments.size).toBe(0)
          expect([...from.idsOfCitizen('c1')]).toEqual([])
        },
      ),
      { numRuns: 300 },
    )
  })
})
