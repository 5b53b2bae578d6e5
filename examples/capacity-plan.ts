/**
 * A planner's question on the built-in Berlin example: how many slots of which service should
 * each office release over the next two weeks, with 10 % of staff time kept back for the
 * waitlist — and then booking through exactly those released slots.
 * Run: npx tsx examples/capacity-plan.ts
 */
import { createLpBackend, createQuotaGate, createScheduler, planCapacity } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'

const scenario = readScenario('berlin')
const s = createScheduler(scenario, { now: '2026-12-01T07:00:00+01:00' })
const backend = createLpBackend('highs')
try {
  const plan = await planCapacity(s, { backend, days: 14, waitlistShare: 0.1 })
  const { lp, plan: p } = plan.kpis
  console.log(`LP bound ${plan.lpBound.toFixed(0)}, plan ${plan.objective.toFixed(0)}, gap ${(plan.gap * 100).toFixed(2)} %`)
  console.log(`served within 14 days: ${Math.round(p.servedOnTime)} (LP bound ${Math.round(lp.servedOnTime)}) of ${Math.round(p.demand)} requests`)
  const best = [...plan.officeDays].sort((a, b) => b.citizensPerStaffHour - a.citizensPerStaffHour)[0]
  console.log(`one more staff hour at ${best.officeId} on ${best.date} serves ≈ ${best.citizensPerStaffHour.toFixed(2)} more citizens within 14 days`)
  const passports = plan.quotas.filter((q) => q.serviceId === '121151' && q.date === '2026-12-02')
  console.log('Reisepass slots on 2026-12-02:', passports.slice(0, 5).map((q) => `${q.officeId}: ${q.slots}`).join(', '), '…')

  // Book through the plan: only released slots are offered.
  const gate = createQuotaGate(s, plan)
  const [slot] = gate.search({ services: ['121151'], limit: 1 })
  const hold = gate.hold(slot, { citizenId: 'c-4711' })
  console.log('booked', s.confirm(hold.id).start, 'at', slot.officeId)
} finally {
  await backend.close()
}
