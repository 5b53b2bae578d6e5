/**
 * `waitlist`: the offices' own window; a citizen takes a slot within their tolerance, otherwise
 * waits on the waitlist until the tolerance runs out, offered freed slots and newly released days
 * first (the engine's online offers), then falls back to today's way. `offers14` is the waitlist
 * step of the ablation: only the next 14 days public, and whoever finds nothing there waits on
 * the waitlist for as long as their patience lasts.
 */
import type { Policy } from './policy.js'

export function waitlistPolicy(): Policy {
  return {
    name: 'waitlist',
    description: "the offices' own window; beyond the citizen's tolerance, the waitlist's offers first",
    autoOffer: true,
    needsLp: false,
    searchLimit: 1,
    fillWaits: true,
    arrivalLeadDays: (c) => c.tolerance,
    notFound: (run, i) => run.joinWaitlist(i, run.citizen(i).tolerance),
    gaveUp: (run, i) => {
      if (!run.tryBook(i, run.citizen(i).patience)) run.retryLater(i)
    },
  }
}

export function offers14Policy(): Policy {
  return {
    name: 'offers14',
    description: '14 days public; whoever finds nothing waits for offers of freed and released slots',
    windowDays: (opt) => opt.targetDays,
    autoOffer: true,
    needsLp: false,
    searchLimit: 1,
    fillWaits: true,
    arrivalLeadDays: (c) => c.patience,
    notFound: (run, i) => run.joinWaitlist(i, run.citizen(i).patience),
    gaveUp: () => {},
  }
}
