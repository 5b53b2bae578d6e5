/**
 * Online waitlist: a freed slot to its offer, with many citizens waiting. Ours: the indexed
 * priority queues (cancel → offer, measured together). Peer: a naive scan of all waiting citizens
 * in priority order for the first who fits the freed slot.
 */
import { createScheduler, fillScheduler, generateWaitlist, type Appointment, type Scenario } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'
import { enginePort } from '../src/solver/scheduler/index.js'
import { compareEntries } from '../src/solver/waitlist.js'
import { compare, measure, type BenchContext } from './lib.js'

export async function waitlistSuite(ctx: BenchContext): Promise<void> {
  const base = readScenario('berlin')
  const scenario: Scenario = { ...base, policy: { ...base.policy, cancelFreezeMinutes: 0 } }
  const now = `${scenario.horizon.start}T07:00:00+01:00`
  const s = createScheduler(scenario, { now, waitlist: { autoOffer: false } })
  fillScheduler(s, { share: 0.85, seed: 7, profile: 'front' })
  const waiting = ctx.ci ? 10_000 : 100_000
  for (const e of generateWaitlist(s.model, { count: waiting, seed: 9, now: Date.parse(now) })) s.joinWaitlist(e)
  s.setAutoOffer(true)
  const size = `Berlin, ${waiting.toLocaleString('en')} waiting, 85 % booked`

  // Appointments in the first two weeks, in a fixed shuffled order: each is cancelled once.
  const horizon = Date.parse(now) + 14 * 86_400_000
  const pool = s.appointments().filter((a) => Date.parse(a.start) < horizon)
  let k = 0
  const pick = (): Appointment => pool[(k = (k + 7919) % pool.length)]
  let offered = 0, freed = 0
  const row = await measure(ctx, 'waitlist', 'freed slot → offer (cancel, auto-offer)', size, () => {
    const a = pick()
    try {
      s.cancel(a.id)
      freed++
    } catch {
      // Already cancelled in an earlier round: nothing to free.
    }
  }, { timeMs: ctx.ci ? 500 : 2000 })
  for (const o of s.offers()) if (o) offered++
  row.extra = { freed, openOffersAfter: offered, waiting }

  // The naive peer on the same state and the same freed slots: scan all waiting entries, best
  // first, for the first that fits the freed time (office, skills, length, dates and windows).
  const port = enginePort(s)
  const { model: m, cal } = port
  const engine = port.offerEngine()
  const sorted = [...engine.wl.entries.values()].filter((r) => r.state === 'waiting').sort(compareEntries)
  const nS = m.serviceIds.length
  const freedRuns = pool.slice(0, 2000).map((a) => ({ staff: m.staffIndex.get(a.staffId)!, office: m.officeIndex.get(a.officeId)!, start: (Date.parse(a.start) - m.t0) / m.unitMs, end: (Date.parse(a.end) - m.t0) / m.unitMs }))
  let j = 0
  const peer = await measure(ctx, 'waitlist', 'naive scan of all waiting (peer)', size, () => {
    const g = freedRuns[(j = (j + 1) % freedRuns.length)]
    const d = cal.dayOfUnit(g.start)
    for (const r of sorted) {
      if (r.state !== 'waiting' || (r.offices && !r.offices.has(g.office))) continue
      let dur = 0
      for (const sv of r.services) dur += m.durationUnits[g.office * nS + sv] || 1e9
      if (dur > g.end - g.start || !r.services.every((sv) => m.skill[g.staff * nS + sv] === 1)) continue
      if (engine.wl.earliestStart(r, d, g.start, g.end, dur) >= 0) return r
    }
    return undefined
  }, { timeMs: ctx.ci ? 500 : 2000 })
  compare(row, peer)
}
