/**
 * The fast fill: the `fillDays` before the warm-up, with requests drawn from the same demand
 * stream, only book. Each request takes the earliest public slot the policy lets it take at its
 * arrival (placed as an appointment made then, without hold and confirm); under a policy with a
 * waitlist, whoever finds nothing waits, and at every midnight the waiting get what the new day
 * releases, earliest due date first (as the waitlist ranks them) — the job the online offers do in
 * the full simulation. Nothing else happens in the fill: no cancellations (those due after it are
 * simulated), no retries, no no-shows, no plans or matchings. What is left waiting when it ends
 * joins the scheduler's waitlist. So every policy starts its warm-up from a calendar and a
 * waitlist shaped by its own rules from the same requests, at a fraction of the cost of simulating
 * those days (about a third per request), and the warm-up lets the rest settle.
 */
import { GOAL_MS, DAY_MS } from './kpis.js'
import type { Sim } from './simulate.js'

export async function fillCalendars(sim: Sim, progress: (day: number) => void): Promise<void> {
  const { opt, policy, scheduler: s, log } = sim
  if (opt.fillDays === 0) return
  sim.fillEnd = sim.dayMs(opt.fillDays)
  let queue: { i: number; until: number }[] = (sim.fillQueue = [])
  const at = log.requestedAt
  const due = (x: { i: number; until: number }) => Math.min(x.until, at[x.i] + GOAL_MS)
  // Best first, as the waitlist ranks: earliest due date, then who asked first.
  const byRank = (x: { i: number; until: number }, y: { i: number; until: number }) => due(x) - due(y) || at[x.i] - at[y.i] || x.i - y.i
  for (let day = 0; day < opt.fillDays; day++) {
    const midnight = sim.dayMs(day)
    if (midnight > sim.port.ctx.now) s.setNow(midnight)
    sim.totals.waitlistLength.push({ date: sim.m.dates[sim.t0Day + day], waiting: queue.length })
    if (policy.fillWaits && queue.length > 0) {
      queue.sort(byRank)
      // A shape that found nothing up to some instant finds nothing up to an earlier one either (capacity only shrinks in this pass).
      const failedUntil = new Map<number, number>()
      const left: typeof queue = []
      for (const x of queue) {
        if (x.until <= midnight) {
          policy.gaveUp(sim, x.i)
          continue
        }
        const shape = sim.citizen(x.i).shape
        if ((failedUntil.get(shape) ?? -Infinity) >= x.until) {
          left.push(x)
          continue
        }
        if (sim.tryBook(x.i, (x.until - at[x.i]) / DAY_MS, 'waitlist_booked')) continue
        failedUntil.set(shape, x.until)
        left.push(x)
      }
      queue = sim.fillQueue = left
    }
    for (const i of sim.citizens.arrive(sim.m.dates[sim.t0Day + day], midnight)) {
      if (at[i] > sim.port.ctx.now) s.setNow(at[i])
      sim.arrival(i)
    }
    progress(day + 1)
  }
  sim.fillQueue = null
  const end = sim.fillEnd
  if (end > sim.port.ctx.now) s.setNow(end)
  // The still waiting join the waitlist, best first, with the time they asked.
  queue.sort(byRank)
  for (const x of queue) if (x.until > end) sim.joinUntil(x.i, x.until)
}
