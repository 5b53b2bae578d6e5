/**
 * A live change that keeps the calendar, people and offices carries the waiting entries over
 * (WaitlistIndex.carry) instead of preparing them again from their entries: what it carries must
 * be what `prepare` derives, and the declined slots must survive. Checked against a fresh
 * `prepare` of each entry on the new state, and against a scheduler restored from the snapshot.
 */
import { describe, expect, it } from 'vitest'
import { loadScenario } from '../../src/model/load.js'
import { restoreScheduler } from '../../src/solver/scheduler/index.js'
import type { SchedulerImpl } from '../../src/solver/scheduler/impl.js'
import type { EntryRec } from '../../src/solver/waitlist.js'
import { apptId, DATE, entry, start, town } from './fixtures.js'

const derived = (r: EntryRec) => ({
  services: r.services, comboKey: r.comboKey, urgent: r.urgent, due: r.due, createdAt: r.createdAt, offices: r.offices && [...r.offices],
  dayFrom: r.dayFrom, dayTo: r.dayTo, days: r.days && [...r.days], windows: r.windows, entry: r.entry,
})

describe('waiting entries across a live change', () => {
  it('carry gives what prepare derives, keeps declined slots, and behaves like a restore', () => {
    const input = town({ free: [apptId('ana', 2, '09:00'), apptId('sam', 3, '08:00')] })
    const d = start(input)
    d.s.joinWaitlist(entry('A', { offices: ['north', 'south'], latest: DATE(4) }))
    d.s.joinWaitlist(entry('B', { dates: [DATE(3), DATE(5)], windows: [{ from: '08:00', to: '09:00' }] }))
    d.s.joinWaitlist(entry('C', { district: 'N', priority: 'urgent', services: ['pass'] }))
    d.s.joinWaitlist(entry('D', { services: ['id'] }))
    // A declines its offer: that slot is never offered to A again, also after the change.
    const a = d.s.offers().find((o) => o.entryId === 'A')!
    d.s.declineOffer(a.id)
    const declinedBefore = [...(d.s as unknown as SchedulerImpl).engine.wl.entries.get('A')!.declined]
    expect(declinedBefore).toHaveLength(1)
    // Eve is sick on Thursday: same people, offices and grid.
    d.s.applyChange({ name: 'sick', changes: [{ kind: 'absence', staff: 'eve', from: DATE(4), to: DATE(4) }] })
    const impl = d.s as unknown as SchedulerImpl
    const wl = impl.engine.wl
    // The four joined, and the six whose Thursday appointment at eve the change displaced (offered alternatives).
    expect([...wl.entries.keys()].sort()).toEqual(['A', 'B', 'C', 'D', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6'])
    for (const r of wl.entries.values()) expect(derived(r), r.entry.id).toEqual(derived(wl.prepare(structuredClone(r.entry))))
    expect([...wl.entries.get('A')!.declined]).toEqual(declinedBefore)
    expect(d.s.offers().some((o) => o.entryId === 'A' && o.slot.staffId === a.slot.staffId && o.slot.start === a.slot.start)).toBe(false)
    // A restored scheduler (which prepares every entry) has the same waitlist and offers, and the same next step.
    const r = restoreScheduler(loadScenario(input), d.s.snapshot())
    expect(r.waitlist()).toEqual(d.s.waitlist())
    expect(r.offers()).toEqual(d.s.offers())
    for (const o of d.s.offers()) {
      d.s.declineOffer(o.id)
      r.declineOffer(o.id)
    }
    expect(r.offers()).toEqual(d.s.offers())
    expect(JSON.stringify(r.snapshot())).toBe(JSON.stringify(d.s.snapshot()))
  })
})
