/**
 * Peers for slot search: what today's appointment systems do. Every possible slot (staff, start)
 * for a request's length is materialised in a table sorted by start; a search scans it from now
 * and checks each row against the bookings.
 *
 * - `perOffice` (the way ZMS keeps slots, per office/scope): for a search over any office, each
 *   acceptable office's table is scanned until it yields `limit` free slots, and the results are
 *   merged. This is the reference the issue names.
 * - `global`: one table over all offices, scanned once — a stronger peer than today's systems.
 */
import { getBit, type Model } from '../src/index.js'

interface Table {
  start: Int32Array
  staff: Int32Array
  office: Int32Array
  n: number
}

export interface NaiveSlot {
  start: number
  office: number
  staff: number
}

export class NaiveSlotTable {
  private readonly tables = new Map<string, Table>()
  constructor(private readonly m: Model, private readonly layout: 'perOffice' | 'global') {}

  private table(services: number[], office: number): Table {
    const key = `${services.join(',')}@${office}`
    let t = this.tables.get(key)
    if (t) return t
    const m = this.m, nS = m.serviceIds.length
    const rows: [number, number, number][] = []
    for (const seg of m.segments) {
      if (office >= 0 && seg.office !== office) continue
      if (!services.every((s) => m.skill[seg.staff * nS + s] === 1)) continue
      let dur = 0
      for (const s of services) dur += m.durationUnits[seg.office * nS + s] || Number.NaN
      if (!(dur > 0)) continue
      for (let u = seg.start; u + dur <= seg.end; u++) rows.push([u, seg.staff, seg.office])
    }
    rows.sort((a, b) => a[0] - b[0] || a[2] - b[2] || a[1] - b[1])
    t = { start: Int32Array.from(rows, (r) => r[0]), staff: Int32Array.from(rows, (r) => r[1]), office: Int32Array.from(rows, (r) => r[2]), n: rows.length }
    this.tables.set(key, t)
    return t
  }

  private scan(t: Table, services: number[], busy: (p: number) => Readonly<Uint32Array>, nowUnit: number, limit: number, out: NaiveSlot[]): void {
    const m = this.m, nS = m.serviceIds.length
    let lo = 0, hi = t.n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (t.start[mid] < nowUnit) lo = mid + 1
      else hi = mid
    }
    let found = 0
    for (let i = lo; i < t.n && found < limit; i++) {
      const u = t.start[i], p = t.staff[i], o = t.office[i]
      let dur = 0
      for (const s of services) dur += m.durationUnits[o * nS + s]
      const b = busy(p)
      let free = true
      for (let k = u; k < u + dur; k++)
        if (getBit(b, k)) {
          free = false
          break
        }
      if (!free || out.some((x) => x.start === u && x.office === o)) continue
      out.push({ start: u, office: o, staff: p })
      found++
    }
  }

  search(services: number[], busy: (p: number) => Readonly<Uint32Array>, nowUnit: number, limit: number): NaiveSlot[] {
    const out: NaiveSlot[] = []
    if (this.layout === 'global') {
      this.scan(this.table(services, -1), services, busy, nowUnit, limit, out)
      return out
    }
    for (let o = 0; o < this.m.officeIds.length; o++) this.scan(this.table(services, o), services, busy, nowUnit, limit, out)
    return out.sort((a, b) => a.start - b.start || a.office - b.office).slice(0, limit)
  }
}
