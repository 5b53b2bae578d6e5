/**
 * The booking invariants, checked against the independent reference model of
 * test/solver/reference.ts (working time materialised from the scenario's rules): every
 * appointment, hold, offered slot and cancel freeze lies inside one working interval of its staff
 * member at its office, appointments, holds and offers at a staff member with every skill; no two
 * records overlap at one staff member; and the engine's busy units (busyUnits) are exactly the
 * union of those records.
 */
import type { Scenario } from '../../src/model/schema.js'
import type { Scheduler } from '../../src/solver/scheduler/index.js'
import { Reference } from '../solver/reference.js'

interface Rec {
  what: string
  staffId: string
  officeId: string
  start: number
  end: number
  services?: string[]
}

export class InvariantChecker {
  /** The reference model's working time (static: the clock does not matter for it). */
  readonly ref: Reference
  constructor(readonly scenario: Scenario) {
    this.ref = new Reference(scenario, 0)
  }

  /**
   * The problems found (empty: all invariants hold). Records that began before `since` (a live
   * change's time) are exempt from the working-time and skill checks: a sick call does not undo
   * an appointment in progress.
   */
  check(s: Scheduler, since = -Infinity): string[] {
    const problems: string[] = []
    const snap = s.snapshot()
    const recs: Rec[] = []
    for (const a of s.appointments()) recs.push({ what: `appointment ${a.id}`, staffId: a.staffId, officeId: a.officeId, start: Date.parse(a.start), end: Date.parse(a.end), services: a.services })
    for (const h of s.holds()) recs.push({ what: `hold ${h.id}`, staffId: h.slot.staffId, officeId: h.slot.officeId, start: Date.parse(h.slot.start), end: Date.parse(h.slot.end), services: h.slot.services })
    const groups = new Set<string>()
    for (const o of s.offers()) {
      const key = `${o.slot.staffId}@${o.slot.start}`
      if (groups.has(key)) continue // the offers of one broadcast share their slot
      groups.add(key)
      recs.push({ what: `offer ${o.id}`, staffId: o.slot.staffId, officeId: o.slot.officeId, start: Date.parse(o.slot.start), end: Date.parse(o.slot.end), services: o.slot.services })
    }
    for (const f of snap.freezes) recs.push({ what: `freeze ${f.id}`, staffId: f.staffId, officeId: f.officeId, start: Date.parse(f.start), end: Date.parse(f.end) })
    const ids = s.appointments().map((a) => a.id)
    if (new Set(ids).size !== ids.length) problems.push('an appointment id appears twice')
    for (const r of recs) {
      if (r.start < since) continue
      if (!this.ref.insideWorking(r.staffId, r.officeId, r.start, r.end)) problems.push(`${r.what} lies outside working time (${r.staffId} ${new Date(r.start).toISOString()})`)
      if (r.services && !this.ref.skilled(r.staffId, r.services)) problems.push(`${r.what}: ${r.staffId} lacks a skill`)
    }
    const m = s.model
    const byStaff = new Map<string, Rec[]>()
    for (const r of recs) byStaff.set(r.staffId, [...(byStaff.get(r.staffId) ?? []), r])
    m.staffIds.forEach((staffId, p) => {
      const mine = (byStaff.get(staffId) ?? []).sort((a, b) => a.start - b.start)
      for (let i = 1; i < mine.length; i++)
        if (mine[i].start < mine[i - 1].end) problems.push(`${mine[i - 1].what} and ${mine[i].what} overlap at ${staffId}`)
      const want = new Uint32Array(m.work[p].length)
      for (const r of mine)
        for (let u = (r.start - m.t0) / m.unitMs; u < (r.end - m.t0) / m.unitMs; u++) want[u >>> 5] |= 1 << (u & 31)
      const busy = s.busyUnits(p)
      if (want.length !== busy.length || want.some((w, i) => w !== busy[i])) problems.push(`busy units of ${staffId} differ from its records`)
    })
    return problems
  }
}
