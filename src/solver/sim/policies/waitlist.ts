/**
 * `waitlist`: the offices' own window; a citizen takes a slot within their tolerance, otherwise
 * waits on the waitlist until the tolerance runs out, offered freed slots and newly released days
 * first (the engine's online offers), then falls back to today's way. `offers14` is the waitlist
 * step of the ablation: only the next 14 days public, and on arrival a citizen books only what
 * meets their 14×24 h; whoever finds nothing there waits on the waitlist while the 14 days last,
 * then looks again daily, for what is still free within a day.
 */
import { DAY_MS } from '../kpis.js'
import type { Policy, SimRun } from './policy.js'

export function waitlistPolicy(): Policy {
  return {
    name: 'waitlist',
    description: "the offices' own window; beyond the citizen's tolerance, the waitlist's offers first",
    autoOffer: true,
    needsLp: false,
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
    description: "14 days public; whoever finds nothing waits for offers while the 14 days last, then looks daily for what is left at a day's notice",
    windowDays: (opt) => opt.targetDays,
    autoOffer: true,
    needsLp: false,
    fillWaits: true,
    // Within 14×24 h of the request, not to the end of the window's 14th date: a slot late on that
    // date would miss the goal for a morning request and can still meet it for one made later.
    arrivalLeadDays: (c, opt) => Math.min(c.patience, opt.targetDays),
    // The waitlist promises the goal: a citizen waits on it while an offer can still meet the
    // 14 days. Waiting longer would put the overdue first (earliest due date) and make everyone late.
    notFound: (run, i) => run.joinWaitlist(i, Math.min(run.citizen(i).patience, run.opt.targetDays)),
    gaveUp: overdueLooksSoon,
    retry: retryOverdue,
  }
}

/** How far ahead (days) a citizen past the goal books: only what is still free that close. */
export const OVERDUE_LEAD_DAYS = 1

/**
 * Past the goal, a citizen looks again daily while retries and patience last, but books only what
 * is still free in the next `OVERDUE_LEAD_DAYS`: what nobody within their 14 days took. Booking
 * the whole public window instead (as today) takes a slot from someone it could still bring in
 * time; in overload, serving the overdue first is the "domino effect" of earliest-due-first that
 * makes everyone late.
 */
function overdueLooksSoon(run: SimRun, i: number): void {
  run.citizen(i).overdue = true
  if (!retryOverdue(run, i)) run.retryLater(i)
}

function retryOverdue(run: SimRun, i: number): boolean {
  const c = run.citizen(i)
  if (!c.overdue) return run.tryBook(i, c.patience)
  const lead = (run.now() + OVERDUE_LEAD_DAYS * DAY_MS - run.requestedAt(i)) / DAY_MS
  return run.tryBook(i, Math.min(c.patience, lead))
}
