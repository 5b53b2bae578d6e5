/** Slot engine on the Berlin example with most capacity booked: search latency and book/cancel throughput. */
import { countRange, createRng, createScheduler, enginePort, fillScheduler, weightedIndex, type Scenario } from '../src/index.js'
import { findSlots, resolveRequest } from '../src/solver/search.js'
import { readScenario } from '../src/cli/io.js'
import { compare, measure, type BenchContext } from './lib.js'
import { NaiveSlotTable } from './naive-slot-table.js'

/** A Berlin scheduler booked to `share` of its booking window in the given shape. */
function bookedBerlin(profile: 'front' | 'uniform', share: number) {
  const base = readScenario('berlin')
  const scenario: Scenario = { ...base, policy: { ...base.policy, cancelFreezeMinutes: 0, maxActiveAppointmentsPerCitizen: 100 } }
  const now = `${scenario.horizon.start}T07:00:00+01:00`
  const s = createScheduler(scenario, { now })
  const m = s.model
  const booked = fillScheduler(s, { share, seed: 7, profile })
  // Booked share of the working time inside the booking window (the part a search can see).
  const nowUnit = Math.ceil((Date.parse(now) - m.t0) / m.unitMs)
  const windowEnd = m.dayStart[Math.min(m.days, 61)]
  let work = 0, taken = 0
  for (let p = 0; p < m.staffIds.length; p++) {
    work += countRange(m.work[p], nowUnit, windowEnd)
    taken += countRange(s.busyUnits(p) as Uint32Array, nowUnit, windowEnd)
  }
  return { scenario, s, m, nowUnit, booked, bookedShare: taken / work }
}

/** Requests from the demand mix; a fifth of them ask for two services. */
function requestMix(scenario: Scenario, ids: string[], n: number) {
  const weights = new Map<string, number>()
  for (const d of scenario.demand) weights.set(d.service, (weights.get(d.service) ?? 0) + d.count)
  const offered = ids.filter((id) => (weights.get(id) ?? 0) > 0)
  const w = offered.map((id) => weights.get(id)!)
  const rng = createRng(11)
  return Array.from({ length: n }, (_, i) => {
    const a = offered[weightedIndex(rng, w)]
    const b = offered[weightedIndex(rng, w)]
    const services = rng.next() < 0.2 && a !== b ? [a, b] : [a]
    return { services, citizenId: `c${i}`, limit: 10 }
  })
}

export async function slotsSuite(ctx: BenchContext): Promise<void> {
  for (const profile of ['front', 'uniform'] as const) {
    const { scenario, s, m, nowUnit, booked, bookedShare } = bookedBerlin(profile, 0.8)
    const requests = requestMix(scenario, m.serviceIds, 2000)
    const shape = profile === 'front' ? 'first-come-first-served shape' : 'free time scattered'
    const size = `Berlin ${m.officeIds.length} offices, ${m.staffIds.length} staff, ${(bookedShare * 100).toFixed(0)} % booked, ${shape}`

    let i = 0
    const ours = await measure(ctx, 'slots', `search any office (${profile})`, size, () => s.search(requests[i++ % requests.length]))
    ours.extra = { booked, bookedShare: +bookedShare.toFixed(3) }
    const dense = requests.map((r) => r.services.map((id) => m.serviceIndex.get(id)!))
    // The same search without the public API's parsing and formatting, like the peers (dense in, dense out).
    const port = enginePort(s)
    const resolved = requests.map((r) => resolveRequest(port.ctx, r))
    let c = 0
    const core = await measure(ctx, 'slots', `search core, dense (${profile})`, size, () => findSlots(port.ctx, resolved[c++ % resolved.length]))
    for (const layout of ['perOffice', 'global'] as const) {
      const naive = new NaiveSlotTable(m, layout)
      for (const r of dense) naive.search(r, (p) => s.busyUnits(p), nowUnit, 1) // build the tables outside the timing
      let j = 0
      const name = layout === 'perOffice' ? 'naive per-office slot tables' : 'naive global slot table'
      const peer = await measure(ctx, 'slots', `${name} (${profile}, peer)`, size, () => naive.search(dense[j++ % dense.length], (p) => s.busyUnits(p), nowUnit, 10))
      // The ratio recorded on our row is against the per-office tables (today's systems);
      // the global table's ratio is kept on its own row for the record.
      if (layout === 'perOffice') compare(ours, peer)
      else {
        peer.extra = { oursFasterBy: +(peer.medianUs / ours.medianUs).toFixed(2) }
        compare(core, peer)
      }
    }

    if (profile === 'front') {
      // Book + cancel: hold, confirm and cancel a free slot (freeze 0 so the slot is reusable).
      const slots = requests.slice(0, 500).flatMap((r) => s.search(r).slots.slice(0, 1))
      let k = 0
      await measure(ctx, 'slots', 'hold + confirm + cancel', size, () => {
        const slot = slots[k % slots.length]
        const h = s.hold(slot, { citizenId: `b${k++}` })
        s.cancel(s.confirm(h.id).id)
      })
    }
  }
}
