/**
 * Simulated citizens: requests drawn from the demand forecast (Poisson per row and day, spread
 * over the hours), each with services, acceptable offices, a time window and its behaviour
 * (tolerance, patience, cancellation, no-show). Drawn from the demand stream alone, so every
 * policy sees the same citizens.
 */
import type { Model } from '../../model/compile.js'
import { poisson, weightedIndex, type Rng } from '../../model/random.js'
import { serviceListIssues } from '../../model/rules.js'
import type { Scenario } from '../../model/schema.js'
import { isoWeekday } from '../../model/tz.js'
import { resolveRequest, type ResolvedRequest, type SearchContext } from '../search.js'
import { drawDays, drawFlexibility, drawServiceCount, drawWindow, WINDOWS, type Behaviour, type Flexibility } from './behaviour.js'
import { RequestLog } from './requests.js'

/** Per-request state the run needs (not reported). */
export interface Citizen {
  shape: number
  tolerance: number
  patience: number
  retries: number
  /** Fraction of the way from booking to appointment at which the citizen cancels; −1 = never. */
  cancelAt: number
  noShow: boolean
  appointmentId?: string
  entryId?: string
  /** Past the 14-day goal (offers14 and after: books only what is still free at short notice). */
  overdue?: boolean
}

/** What a request asks for; many requests share one. */
export interface Shape {
  services: string[]
  offices?: string[]
  windows?: { from: string; to: string }[]
  rr?: ResolvedRequest
}

export class Citizens {
  readonly log = new RequestLog()
  readonly pending: Citizen[] = []
  readonly shapes: Shape[] = []
  readonly districts: string[]
  private readonly shapeIndex = new Map<string, number>()
  private readonly districtIndex: Map<string, number>
  private readonly officesOfDistrict: string[][]
  private readonly officesNear: string[][]
  private readonly mixWeight: Float64Array
  private readonly validCombo = new Map<string, boolean>()

  constructor(
    private readonly sc: Scenario,
    private readonly m: Model,
    private readonly b: Behaviour,
    private readonly rng: Rng,
  ) {
    this.districts = [...new Set(sc.offices.map((o) => o.district))].sort()
    this.districtIndex = new Map(this.districts.map((d, i) => [d, i]))
    this.officesOfDistrict = this.districts.map((d) => sc.offices.filter((o) => o.district === d).map((o) => o.id))
    const neighbours = new Map(sc.districts.map((d) => [d.id, d.neighbours]))
    this.officesNear = this.districts.map((d) => [d, ...(neighbours.get(d) ?? [])].flatMap((x) => this.officesOfDistrict[this.districtIndex.get(x)!] ?? []))
    // The mix for second and third services.
    this.mixWeight = new Float64Array(m.serviceIds.length)
    for (const d of sc.demand) this.mixWeight[m.serviceIndex.get(d.service)!] += d.count
  }

  private shapeOf(services: string[], district: number, flex: Flexibility, win: 0 | 1 | 2, fixed?: string[]): number {
    const offices = fixed ?? (flex === 'home' ? this.officesOfDistrict[district] : flex === 'neighbours' ? this.officesNear[district] : undefined)
    const key = `${services.join('+')}|${offices ? (fixed ? fixed.join(',') : `${flex}:${district}`) : '*'}|${win}`
    let k = this.shapeIndex.get(key)
    if (k === undefined) {
      k = this.shapes.length
      const w = WINDOWS[win]
      this.shapes.push({ services, offices, windows: w ? [{ ...w }] : undefined })
      this.shapeIndex.set(key, k)
    }
    return k
  }

  /** The shape's search request in dense form (resolved once). */
  resolved(ctx: SearchContext, k: number): ResolvedRequest {
    const sh = this.shapes[k]
    if (!sh.rr) sh.rr = resolveRequest(ctx, { services: sh.services, offices: sh.offices, windows: sh.windows, limit: 1 })
    return sh.rr
  }

  private drawServices(first: string): string[] {
    const n = drawServiceCount(this.rng, this.b)
    if (n === 1) return [first]
    const list = [first]
    for (let i = 1; i < n; i++) list.push(this.m.serviceIds[weightedIndex(this.rng, this.mixWeight)])
    list.sort()
    const key = list.join('+')
    let ok = this.validCombo.get(key)
    if (ok === undefined) this.validCombo.set(key, (ok = serviceListIssues(this.sc, ['services'], list).length === 0))
    return ok ? list : [first]
  }

  /** The requests of local date `date` (midnight at `midnight`), appended in time order; returns their indices. */
  arrive(date: string, midnight: number): number[] {
    const wd = isoWeekday(date)
    const b = this.b, rng = this.rng
    const out: number[] = []
    for (const row of this.sc.demand) {
      if (row.date !== undefined ? row.date !== date : row.weekday !== wd) continue
      const n = poisson(rng, row.count)
      const home = row.district !== undefined ? this.districtIndex.get(row.district)! : rng.int(this.districts.length)
      for (let j = 0; j < n; j++) {
        const at = midnight + weightedIndex(rng, b.hourProfile) * 3_600_000 + rng.int(3600) * 1000
        const services = this.drawServices(row.service)
        const flex = drawFlexibility(rng, b)
        const win = drawWindow(rng, b)
        const tolerance = drawDays(rng, b.toleranceDays)
        const patience = Math.max(tolerance, drawDays(rng, b.patienceDays))
        const cancelAt = rng.next() < b.cancelShare ? rng.next() : -1
        const noShow = rng.next() < b.noShowShare
        const i = this.log.add(at, services.join('+'), home)
        this.pending.push({ shape: this.shapeOf(services, home, flex, win, row.offices), tolerance, patience, retries: b.retryDays, cancelAt, noShow })
        out.push(i)
      }
    }
    const at = this.log.requestedAt
    return out.sort((x, y) => at[x] - at[y] || x - y)
  }
}
