/**
 * Live changes on hand-made scenarios: the same-slot matching against brute force, a sick call
 * moved to a colleague or offered elsewhere (one notice per citizen), scenario versions in
 * snapshots, reschedule, bad input, and a rolling horizon over a year in bounded state.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import type { ScenarioInput } from '../../src/model/schema.js'
import type { Notification } from '../../src/solver/ports.js'
import { reassignSameSlot, type AffectedSlot } from '../../src/solver/replan/same-slot.js'
import { createScheduler, restoreScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { SchedulerImpl } from '../../src/solver/scheduler/impl.js'
import { isTerminplanError } from '../../src/model/errors.js'
import { WEEK } from './fixtures.js'

const NOW = '2026-06-01T07:00:00+02:00'

/** One office, `n` clerks who all serve `reg` (10 min), 08:00–12:00 on weekdays; a second office in the same district. */
function office(n: number, days = 7): ScenarioInput {
  return {
    horizon: { start: '2026-06-01', days },
    services: [{ id: 'reg', name: 'Anmeldung', durationMinutes: 10 }],
    offices: [
      { id: 'east', name: 'East', district: 'E', desks: n, openingHours: [{ weekdays: WEEK, from: '08:00', to: '12:00' }], services: ['reg'] },
      { id: 'east2', name: 'East 2', district: 'E', desks: 1, openingHours: [{ weekdays: WEEK, from: '08:00', to: '12:00' }], services: ['reg'] },
    ],
    staff: [
      ...Array.from({ length: n }, (_, i) => ({ id: `p${i}`, office: 'east', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '12:00' }] })),
      { id: 'q', office: 'east2', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '12:00' }] },
    ],
  }
}

function collect(): { sink: { send(n: Notification): void }; notes: Notification[] } {
  const notes: Notification[] = []
  return { notes, sink: { send: (n) => void notes.push(structuredClone(n)) } }
}

/** Books `count` appointments at `staffId` on `date` from 08:00, 10 minutes apart. */
function bookAt(s: Scheduler, staffId: string, officeId: string, date: string, count: number, from = 0): string[] {
  const ids: string[] = []
  for (let k = from; k < from + count; k++) {
    const start = new Date(Date.parse(`${date}T08:00:00+02:00`) + k * 600_000)
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z')
    const slot = { officeId, staffId, start: iso(start), end: iso(new Date(start.getTime() + 600_000)), services: ['reg'] }
    const h = s.hold({ ...slot, start: new Date(slot.start).toISOString(), end: new Date(slot.end).toISOString() }, { citizenId: `c-${staffId}-${k}` })
    ids.push(s.confirm(h.id).id)
  }
  return ids
}

describe('same-slot re-plan', () => {
  /** The most appointments that can get a free qualified staff member at their time, by brute force. */
  function bruteMax(items: AffectedSlot[], free: boolean[][]): number {
    let best = 0
    const used: [number, number, number][] = []
    const go = (i: number, n: number) => {
      if (n + (items.length - i) <= best) return
      if (i === items.length) {
        best = Math.max(best, n)
        return
      }
      go(i + 1, n)
      free[i].forEach((ok, p) => {
        if (!ok || used.some(([q, a, b]) => q === p && a < items[i].end && items[i].start < b)) return
        used.push([p, items[i].start, items[i].end])
        go(i + 1, n + 1)
        used.pop()
      })
    }
    go(0, 0)
    return best
  }

  it('moves as many as brute force finds, exactly when the overlap components are cliques', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 10 }), len: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 0, max: 23 })), { maxLength: 8 }),
        (n, appts, busy) => {
          // Clerk p0 is absent; the others are busy at some 10-minute slots.
          const s = createScheduler(loadScenario(office(n + 1)), { now: NOW })
          const seen = new Set<string>()
          for (const [p, k] of busy) {
            const who = `p${1 + (p % n)}`
            if (seen.has(`${who}@${k}`)) continue
            seen.add(`${who}@${k}`)
            bookAt(s, who, 'east', '2026-06-01', 1, k)
          }
          const st = (s as SchedulerImpl).st
          const u0 = st.model.dayStart[0] + 8 * 6 // 08:00 in 10-minute units
          // Appointments of 10–40 minutes (a length other than the service's: records made before a duration change).
          const items: AffectedSlot[] = appts.map((x) => ({ office: 0, staff: 0, start: u0 + x.at, end: u0 + x.at + x.len, services: ['reg'] }))
          const free = items.map((it) => st.model.staffIds.map((_, p) => p !== 0 && st.placementProblem(0, p, it.start, it.end, ['reg'], false, true) === null))
          const r = reassignSameSlot(st, items)
          const moved = [...r.staff].filter((p) => p >= 0).length
          // Valid: free, qualified, no two overlapping at one staff member.
          items.forEach((it, i) => {
            const p = r.staff[i]
            if (p < 0) return
            expect(free[i][p]).toBe(true)
            items.forEach((jt, j) => {
              if (j !== i && r.staff[j] === p) expect(jt.start < it.end && it.start < jt.end).toBe(false)
            })
          })
          const max = bruteMax(items, free)
          expect(moved).toBeLessThanOrEqual(max)
          if (r.exactComponents === r.components) expect(moved).toBe(max)
        },
      ),
      { numRuns: 150, seed: 14 },
    )
  })
})

describe('a sick call', () => {
  it('moves appointments to a free colleague at the same time, one notice each, and offers the rest nearby', () => {
    const { sink, notes } = collect()
    const s = createScheduler(loadScenario(office(2)), { now: NOW, notifications: sink })
    const mine = bookAt(s, 'p0', 'east', '2026-06-02', 6) // 08:00–09:00
    bookAt(s, 'p1', 'east', '2026-06-02', 3) // p1 busy 08:00–08:30
    notes.length = 0
    const before = new Map(s.appointments().map((a) => [a.id, a]))
    const r = s.applyChange({ name: 'sick', changes: [{ kind: 'absence', staff: 'p0', from: '2026-06-02', to: '2026-06-02' }] })
    expect(r.affected).toBe(6)
    // p1 is free from 08:30: three move there, three need an alternative (q at East 2 is free).
    expect(r.moved).toBe(3)
    expect(r.offered).toBe(3)
    expect(r.unplaceable).toBe(0)
    const after = new Map(s.appointments().map((a) => [a.id, a]))
    for (const o of r.outcomes) {
      const a = before.get(o.appointmentId)!
      if (o.outcome === 'moved') {
        const b = after.get(a.id)!
        expect([b.staffId, b.start, b.end, b.officeId]).toEqual(['p1', a.start, a.end, 'east'])
      } else {
        expect(after.has(a.id)).toBe(false)
        const offer = s.offers().find((x) => x.id === o.offerId)!
        expect(offer.citizenId).toBe(a.citizenId)
        expect(s.waitlist().find((w) => w.id === o.entryId)!.priority).toBe('urgent')
      }
    }
    for (const id of mine) {
      const told = notes.filter((n) => n.appointmentId === id)
      expect(told.length).toBe(1)
      expect(told[0].previous?.staffId).toBe('p0')
    }
    // The alternatives were told inside appointment_disrupted, not as separate offers.
    expect(notes.filter((n) => n.kind === 'offer')).toEqual([])
    expect(notes.filter((n) => n.kind === 'appointment_disrupted').every((n) => n.alternative && n.offerId)).toBe(true)
    // Nothing at p0 that day any more.
    expect(s.appointments().filter((a) => a.staffId === 'p0' && a.start.startsWith('2026-06-02'))).toEqual([])
    expect(s.search({ services: ['reg'], from: '2026-06-02', to: '2026-06-02', limit: 100 }).slots.some((x) => x.staffId === 'p0')).toBe(false)
  })

  it('rejects a bad change with paths into it and changes nothing', () => {
    const s = createScheduler(loadScenario(office(2)), { now: NOW })
    bookAt(s, 'p0', 'east', '2026-06-02', 2)
    const snap = JSON.stringify(s.snapshot())
    for (const [change, path] of [
      [{ kind: 'absence', staff: 'nobody', from: '2026-06-02', to: '2026-06-02' }, '$.changes[0].staff'],
      [{ kind: 'absence', staff: 'p0', from: '2026-06-03', to: '2026-06-02' }, '$.changes[0].to'],
      [{ kind: 'close', office: 'east', from: '2027-01-01', to: '2027-01-02' }, '$.changes[0].from'],
      [{ kind: 'serviceDuration', service: 'reg', minutes: 0 }, '$.changes[0].minutes'],
    ] as const) {
      let err: unknown
      try {
        s.applyChange({ name: 'bad', changes: [change as never] })
      } catch (e) {
        err = e
      }
      expect(isTerminplanError(err) && err.code).toBe('COMMAND_INVALID')
      expect(isTerminplanError(err) && err.issues[0].path).toBe(path)
    }
    expect(JSON.stringify(s.snapshot())).toBe(snap)
    expect(s.changes()).toEqual([])
  })
})

describe('scenario versions', () => {
  it('a snapshot carries the change log; restore replays it and names the first change that differs', () => {
    const scenario = loadScenario(office(2))
    const s = createScheduler(scenario, { now: NOW })
    bookAt(s, 'p0', 'east', '2026-06-02', 4)
    const sick = { name: 'sick', changes: [{ kind: 'absence' as const, staff: 'p0', from: '2026-06-02', to: '2026-06-02' }] }
    const more = { name: 'more staff', changes: [{ kind: 'addStaff' as const, office: 'east', count: 1 }] }
    s.applyChange(sick)
    s.applyChange(more)
    const snap = s.snapshot()
    expect(snap.changes.map((c) => c.overlay.name)).toEqual(['sick', 'more staff'])
    const r = restoreScheduler(scenario, snap)
    expect(JSON.stringify(r.snapshot())).toBe(JSON.stringify(snap))
    expect(r.model.staffIds).toContain('east-ovl-1')
    // The embedder's own log must agree.
    expect(() => restoreScheduler(scenario, snap, { changes: [sick, more] })).not.toThrow()
    for (const [log, at] of [[[sick], 1], [[more, sick], 0], [[], 0]] as const) {
      try {
        restoreScheduler(scenario, snap, { changes: log as never })
        expect.unreachable()
      } catch (e) {
        expect(isTerminplanError(e) && [e.code, e.issues[0].path]).toEqual(['STATE_INVALID', `$.changes[${at}]`])
      }
    }
    // A log that does not apply to the scenario given: the base hash differs first.
    const other = loadScenario({ ...office(2), horizon: { start: '2026-06-01', days: 8 } })
    expect(() => restoreScheduler(other, snap)).toThrow(/different scenario|change 0/)
  })
})

describe('reschedule', () => {
  it('moves atomically: a taken target keeps the old slot; a key makes it idempotent', () => {
    const { sink, notes } = collect()
    const s = createScheduler(loadScenario(office(2)), { now: NOW, notifications: sink })
    const [a, b] = bookAt(s, 'p0', 'east', '2026-06-02', 2)
    const slotOf = (id: string) => {
      const x = s.appointments().find((y) => y.id === id)!
      return { officeId: x.officeId, staffId: x.staffId, start: x.start, end: x.end, services: x.services }
    }
    const before = JSON.stringify(s.snapshot())
    expect(() => s.reschedule(a, slotOf(b))).toThrow(/taken/)
    expect(JSON.stringify(s.snapshot())).toBe(before)
    const target = s.search({ services: ['reg'], from: '2026-06-03', limit: 1 }).slots[0]
    notes.length = 0
    const moved = s.reschedule(a, target, { idempotencyKey: 'k' })
    expect([moved.id, moved.start, moved.staffId]).toEqual([a, target.start, target.staffId])
    expect(s.reschedule(a, target, { idempotencyKey: 'k' })).toEqual(moved)
    expect(notes.map((n) => n.kind)).toEqual(['appointment_moved'])
    // The old time is bookable again.
    expect(s.search({ services: ['reg'], from: '2026-06-02', to: '2026-06-02', limit: 1 }).slots[0].start).toBe('2026-06-02T08:00:00+02:00')
  })
})

describe('rolling horizon', () => {
  it('a year: the next day opens every midnight, past days leave memory, state stays bounded', () => {
    const scenario = loadScenario(office(2, 21))
    const s = createScheduler(scenario, { now: NOW, horizon: 'rolling' })
    const sizes: number[] = []
    let t = Date.parse(NOW)
    for (let day = 0; day < 365; day++) {
      // Each morning: book the day three weeks out (the newest day), if it is a working day.
      const last = s.model.scenario.horizon.start
      const { slots } = s.search({ services: ['reg'], from: s.model.dates[s.model.days - 1], limit: 5 })
      for (const slot of slots) s.confirm(s.hold(slot, { citizenId: `c${day}-${slot.start}` }).id)
      t += 86_400_000
      s.setNow(t)
      expect(s.model.scenario.horizon.start > last || day === 0).toBe(true)
      if (day % 30 === 29) sizes.push(JSON.stringify(s.snapshot()).length)
    }
    const m = s.model
    expect(m.days).toBe(21)
    // Every appointment in memory ends after the horizon's first midnight.
    for (const a of s.appointments()) expect(Date.parse(a.end)).toBeGreaterThan(m.t0)
    // A year later, the newest day is bookable.
    expect(s.search({ services: ['reg'], from: m.dates[m.days - 1], limit: 1 }).slots.length + (WEEK.includes(new Date(`${m.dates[m.days - 1]}T12:00:00Z`).getUTCDay() || 7) ? 0 : 1)).toBeGreaterThan(0)
    // The snapshot does not grow with time (same bookings per day, older ones gone).
    expect(Math.max(...sizes.slice(2)) / Math.min(...sizes.slice(2))).toBeLessThan(1.3)
    expect(JSON.stringify(m.scenario).length).toBeLessThanOrEqual(JSON.stringify(scenario).length + 100)
  })
})

describe('compile with an earlier model', () => {
  it('gives the same working time as compiling from scratch', async () => {
    const { compile } = await import('../../src/model/compile.js')
    const { applyOverlay } = await import('../../src/model/overlay.js')
    let s = loadScenario(office(3))
    let prev = compile(s)
    const changes = [
      { kind: 'absence', staff: 'p1', from: '2026-06-02T09:00:00+02:00', to: '2026-06-03T00:00:00+02:00' },
      { kind: 'shifts', staff: 'p2', from: '2026-06-04', shifts: [{ weekdays: [1, 2, 3, 4, 5], from: '09:00', to: '11:00', breaks: [] }] },
      { kind: 'close', office: 'east2', from: '2026-06-03', to: '2026-06-03' },
      { kind: 'addStaff', office: 'east', count: 1 },
      { kind: 'openingHours', office: 'east', openingHours: [{ weekdays: [1, 2, 3, 4, 5], from: '08:30', to: '12:00' }] },
    ] as const
    for (const ch of changes) {
      s = applyOverlay(s, { name: ch.kind, changes: [ch as never] })
      const lent = compile(s, undefined, prev), fresh = compile(s)
      expect(JSON.stringify(lent.segments)).toBe(JSON.stringify(fresh.segments))
      expect(lent.work.map((w) => Array.from(w).join())).toEqual(fresh.work.map((w) => Array.from(w).join()))
      prev = lent
    }
  })
})
