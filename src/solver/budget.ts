/**
 * Time budgets of solver calls. Every solver entry point takes a budget in milliseconds and either
 * returns a result or throws TerminplanError('TIMEOUT'); which of the two it does at the budget is
 * documented at each entry point. Synchronous work on the calling thread checks its deadline as
 * it goes, so the event loop is never blocked much past the budget; async entry points also let
 * the event loop run between steps (`pause`). The clock is injected (`() => ms`, default
 * performance.now), so tests can run a budget on a fake clock.
 */
import { TerminplanError } from '../model/errors.js'

export type Clock = () => number

export const defaultClock: Clock = () => performance.now()

function formatMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`
}

/** The error a solver throws when its budget runs out: names the call, the budget and the option that raises it. */
export function timeoutError(what: string, limitMs: number, option: string, hint = option): TerminplanError {
  const message = `${what} did not finish within ${formatMs(limitMs)}; allow more time with ${hint}`
  return new TerminplanError('TIMEOUT', message, [{ path: `$.${option}`, code: 'time_limit', message }])
}

/** A wall-clock deadline: `limitMs` from its creation, measured with `clock`. Infinity = none. */
export class Deadline {
  readonly start: number
  readonly at: number
  private lastPause: number

  constructor(
    readonly limitMs: number,
    /** What runs, for the message: "batch matching". */
    readonly what: string,
    /** The option that sets the budget, for the message and the issue path: "timeLimitMs". */
    readonly option: string,
    readonly clock: Clock = defaultClock,
    /** How to raise it, for the message (default: the option's name). */
    readonly hint: string = option,
  ) {
    if (!(limitMs > 0)) throw new TerminplanError('COMMAND_INVALID', `${option} must be a positive number of milliseconds`, [{ path: `$.${option}`, code: 'invalid_budget', message: `${option} must be > 0, got ${limitMs}` }])
    this.start = clock()
    this.at = this.start + limitMs
    this.lastPause = this.start
  }

  elapsed(): number {
    return this.clock() - this.start
  }

  /** Milliseconds left, at least 0. */
  remaining(): number {
    return Math.max(0, this.at - this.clock())
  }

  expired(): boolean {
    return this.clock() > this.at
  }

  error(): TerminplanError {
    return timeoutError(this.what, this.limitMs, this.option, this.hint)
  }

  /** Throws TIMEOUT once the deadline has passed. */
  check(): void {
    if (this.clock() > this.at) throw this.error()
  }

  /**
   * For async solvers between synchronous steps: when `sliceMs` have passed since the last pause,
   * lets the event loop run (through its timers phase: setImmediate alone could resume before
   * due timers fire); then checks the deadline.
   */
  async pause(sliceMs = 15): Promise<void> {
    const t = this.clock()
    if (t - this.lastPause >= sliceMs) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0))
      this.lastPause = this.clock()
    }
    this.check()
  }
}

/**
 * A cheap deadline check for hot loops: reads the clock only every `every` calls (or when called
 * with `true`, between phases). Returns a function that is true once the deadline has passed (and
 * stays true). Without a limit it is always false and never reads the clock.
 */
export function deadlinePoll(clock: Clock | undefined, limitMs: number | undefined, every = 64): (now?: boolean) => boolean {
  if (limitMs === undefined || limitMs === Infinity) return () => false
  const c = clock ?? defaultClock
  const at = c() + limitMs
  let n = 0, over = false
  return (now = false) => {
    if (over) return true
    if (!now && ++n % every !== 0) return false
    over = c() > at
    return over
  }
}
