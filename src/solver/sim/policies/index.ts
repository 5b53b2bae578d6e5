/** The policies by name. */
import type { Scheduler } from '../../scheduler/index.js'
import { PlanQuotas } from '../quotas.js'
import type { PolicyName } from '../types.js'
import { fcfs14Policy, fcfsPolicy } from './fcfs.js'
import { optimizedPolicy, quotas14Policy } from './optimized.js'
import type { Policy } from './policy.js'
import { offers14Policy, waitlistPolicy } from './waitlist.js'

export type { Policy, PublicGate, SimRun } from './policy.js'

/** A fresh policy for one run over scheduler `s` (policies may hold per-run state, like quotas). */
export function createPolicy(name: PolicyName, s: Scheduler): Policy {
  switch (name) {
    case 'fcfs':
      return fcfsPolicy()
    case 'fcfs14':
      return fcfs14Policy()
    case 'waitlist':
      return waitlistPolicy()
    case 'offers14':
      return offers14Policy()
    case 'quotas14':
      return quotas14Policy(new PlanQuotas(s))
    case 'optimized':
      return optimizedPolicy(new PlanQuotas(s))
  }
}

/** Static facts of a policy (before a scheduler exists): its window, whether it needs an LP. */
export function policyTraits(name: PolicyName): Pick<Policy, 'windowDays' | 'needsLp' | 'autoOffer' | 'description' | 'overbook'> {
  const p = createPolicy(name, null as unknown as Scheduler)
  return { windowDays: p.windowDays, needsLp: p.needsLp, autoOffer: p.autoOffer, description: p.description, overbook: p.overbook }
}
