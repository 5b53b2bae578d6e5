/**
 * The peer for slot search: what today's appointment systems do. Every possible slot (staff,
 * start) for a request's length is materialised in one table sorted by start; a search scans it
 * from now and checks each row against the bookings until it has enough distinct (office, start).
 */
import { getBit, type Model } from '../src/index.js'

interface Table {
  start: Int32Array
  staff: Int32Array
  office: Int32Array
  n: number
}

export class NaiveSlotTable {
  private readonly tables = new Map<string, Table>()
  constructor(private readonly m: Model) {}

  /** The materialised table for a request (services by index), built once per combination. */
  private table(services: number[]): Table {
    const key = services.join(',')
    let t = this.tables.get(key)
    if (t) return t
    const m = this.m, nS = m.serviceIds.length
    const rows: [number, number, number][] = []
    for (const seg of m.segments) {
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

  search(services: number[], busy: (p: number) => Readonly<Uint32Array>, nowUnit: number, limit: number): { start: number; office: number; staff: number }[] {
    const m = this.m, nS = m.serviceIds.length
    const t = this.table(services)
    const out: { start: number; office: number; staff: number }[] = []
    let lo = 0, hi = t.n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (t.start[mid] < nowUnit) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < t.n && out.length < limit; i++) {
      const u = t.start[i], p = t.staff[i], o = t.office[i]
      let dur = 0
      for (const s of services) dur += m.durationUnits[o * nS + s]
      const b = busy(p)
      let free = true
      for (let k = u; k < u + dur; k++) if (getBit(b, k)) { free = false; break }
      if (!free) continue
      if (out.some((x) => x.start === u && x.office === o)) continue
      out.push({ start: u, office: o, staff: p })
    }
    return out
  }
}
