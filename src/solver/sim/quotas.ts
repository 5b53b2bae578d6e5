/**
 * Weekly capacity-plan quotas as counters: how many public bookings of each service each
 * office-day may still take, from `planCapacity` over the next `planDays`. (The quota gate of the
 * library checks concrete slot patterns; a simulation books hundreds of thousands of times, so
 * it counts instead.) Outside the plan's days everything is allowed.
 */
import type { LpBackend } from '../lp/port.js'
import { planCapacity } from '../plan/plan.js'
import type { Scheduler } from '../scheduler/index.js'
import type { SimulationOptions } from './options.js'
import type { PublicGate } from './policies/policy.js'

export class PlanQuotas implements PublicGate {
  private quota: Map<number, number> | null = null
  private first = 0
  private last = -1

  constructor(private readonly s: Scheduler) {}

  private key(d: number, o: number, sv: number): number {
    const m = this.s.model
    return (d * m.officeIds.length + o) * m.serviceIds.length + sv
  }

  /** A new plan from day `absDay` (index into the model's dates). */
  async refresh(absDay: number, lp: LpBackend, opt: SimulationOptions): Promise<void> {
    const m = this.s.model
    const plan = await planCapacity(this.s, { backend: lp, from: m.dates[absDay], days: Math.min(opt.planDays, m.days - absDay), targetDays: opt.targetDays, exact: 'never', improveRounds: 0, searchEvaluations: 0, seed: opt.seed })
    const q = new Map<number, number>()
    for (const x of plan.quotas) {
      const k = this.key(m.dates.indexOf(x.date), m.officeIndex.get(x.officeId)!, m.serviceIndex.get(x.serviceId)!)
      q.set(k, (q.get(k) ?? 0) + x.slots)
    }
    this.quota = q
    this.first = absDay
    this.last = absDay + plan.days - 1
  }

  allows(d: number, o: number, services: number[]): boolean {
    if (!this.quota || d < this.first || d > this.last) return true
    for (const sv of services) if ((this.quota.get(this.key(d, o, sv)) ?? 0) <= 0) return false
    return true
  }

  use(d: number, o: number, services: number[]): void {
    if (!this.quota || d < this.first || d > this.last) return
    for (const sv of services) {
      const k = this.key(d, o, sv)
      this.quota.set(k, (this.quota.get(k) ?? 0) - 1)
    }
  }
}
