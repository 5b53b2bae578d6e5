/**
 * `fcfs`, today's practice: a citizen takes the earliest public slot within their patience; with
 * none, they look again once a day for `behaviour.retryDays` days, then give up. Freed slots go
 * back to the public pool for whoever searches next. `fcfs14` is the same with only the next 14
 * days public (the first step of the ablation).
 */
import type { Policy } from './policy.js'

export function fcfsPolicy(): Policy {
  return {
    name: 'fcfs',
    description: "today: the offices' own booking window, first come first served, daily retries",
    autoOffer: false,
    needsLp: false,
    fillWaits: false,
    arrivalLeadDays: (c) => c.patience,
    notFound: (run, i) => run.retryLater(i),
    gaveUp: () => {},
  }
}

export function fcfs14Policy(): Policy {
  return {
    ...fcfsPolicy(),
    name: 'fcfs14',
    description: 'fcfs with only the next 14 days public',
    windowDays: (opt) => opt.targetDays,
  }
}
