/**
 * `quotas14`: offers14 plus a capacity plan every Monday (`planCapacity`, `planDays` ahead, HiGHS)
 * whose quotas gate public bookings per office, day and service. `optimized`: quotas14 plus
 * overbooking for the no-shows (planned per office and weekday from the observed no-show share,
 * at most one citizen expected per office-day to find no booked time of their own; see
 * `Policy.overbook`) and, at every midnight, the waiting citizens matched to what is free as a
 * whole (`matchWaitlist`, exact min-cost flow where slots do not overlap) before the day's
 * requests; during the day freed slots are offered online.
 */
import { matchWaitlist } from '../../batch-match.js'
import { PlanQuotas } from '../quotas.js'
import type { Policy } from './policy.js'
import { offers14Policy } from './waitlist.js'

export function quotas14Policy(quotas: PlanQuotas): Policy {
  return {
    ...offers14Policy(),
    name: 'quotas14',
    description: '+ weekly capacity plans whose quotas gate public bookings',
    needsLp: true,
    gate: quotas,
    atMidnight: async (run, day, absDay) => {
      if (day % 7 === 0) await quotas.refresh(absDay, run.lp!, run.opt)
    },
  }
}

export function optimizedPolicy(quotas: PlanQuotas): Policy {
  const base = quotas14Policy(quotas)
  return {
    ...base,
    name: 'optimized',
    description: '+ overbooking for the no-shows and a nightly matching of the whole waitlist to what is free',
    // Measured in steady state (Berlin, sick calls, 3 seeds): overbooking is what this step adds
    // (+7.5 points within 14 days over quotas14, at the walk-ins' expense); the matching adds nothing.
    overbook: true,
    // Books like quotas14 (the earliest slot, if the plan lets it be booked publicly): this step
    // adds the overbooking and the matching and nothing else. (It once took the first of 8 the plan allowed, which
    // cost 2 points of district spread in steady state and hid that the matching adds nothing.)
    // The day the clock releases is offered online first (measured: giving it to the matching
    // instead cost 1.9 points within 14 days, short Berlin runs, seeds 1 and 2); the matching
    // takes what is left, which in the Berlin runs is nothing that suits a waiting citizen.
    atMidnight: async (run, day, absDay) => {
      const s = run.scheduler
      s.setAutoOffer(false)
      await base.atMidnight!(run, day, absDay)
      // The newly released day and what is still free go to the waiting citizens, matched as a whole.
      const r = await matchWaitlist(s, { apply: 'offer', timeLimitMs: run.opt.matchTimeLimitMs, onTimeout: 'best' })
      if (r.timeLimited) run.timeLimited()
      s.setAutoOffer(true)
    },
  }
}
