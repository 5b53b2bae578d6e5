/**
 * createScheduler: what a booking backend embeds. Search, hold, confirm, cancel, reschedule and
 * the waitlist over a compiled scenario with an injected clock; live changes while it runs.
 * The facade is impl.ts; its state, snapshots, versions and live changes have their own modules.
 */
import { compile, type Model } from '../../model/compile.js'
import { TerminplanError, fail } from '../../model/errors.js'
import { resolveLimits } from '../../model/limits.js'
import { zodIssues } from '../../model/load.js'
import type { HoldOptions } from '../../model/requests.js'
import type { Scenario } from '../../model/schema.js'
import { parseInstant } from '../../model/tz.js'
import type { GridCalendar } from '../grid-calendar.js'
import type { AppointmentRec } from '../ledger.js'
import type { OfferEngine } from '../offers.js'
import type { SearchContext } from '../search.js'
import { parseNow } from './args.js'
import { SchedulerImpl } from './impl.js'
import { SchedulerSnapshotSchema, type ChangeRecord, type SchedulerSnapshot } from './snapshot-schema.js'
import type { Scheduler, SchedulerOptions } from './types.js'
import { replayVersions, ScenarioVersions } from './versions.js'
import type { Overlay } from '../../model/overlay.js'

export * from './types.js'
export { SchedulerSnapshotSchema, ChangeRecordSchema, ChangeResultSchema, type SchedulerSnapshot, type ChangeRecord } from './snapshot-schema.js'
export { scenarioHash, rollScenario } from './versions.js'

/**
 * What solver modules that drive a scheduler from inside (simulation, batch matching) may use:
 * the compiled model, the clock's search context, and commands in grid units. Every command here
 * keeps every rule of its public counterpart; only the ISO round trip is skipped. `model`, `cal`
 * and `ctx` are those in force: a live change replaces them.
 */
export interface EnginePort {
  readonly model: Model
  readonly cal: GridCalendar
  readonly ctx: SearchContext
  /** Live waitlist entries (waiting or offered). */
  waiting(): number
  /** The waitlist's offer engine (batch matching reads the waiting entries and their fit). */
  offerEngine(): OfferEngine
  /** hold() in units; returns the hold's id. */
  holdAt(office: number, staff: number, start: number, end: number, services: string[], opts: HoldOptions): { id: string }
  /** confirm() of a hold made by holdAt; returns the appointment's id. */
  confirmHold(holdId: string): { id: string }
  /** An appointment made before the clock (warm-up): placed like a scenario appointment, no events. */
  placeAppointment(office: number, staff: number, start: number, end: number, services: string[], citizenId: string): { id: string }
  /** The appointment records in units (read only): the simulation of the day reads the final calendar. */
  appointmentRecords(): Iterable<Readonly<AppointmentRec>>
}

/** What a wrapper (the journal, a city scheduler) implements to lend the scheduler it wraps. */
export const ENGINE = Symbol.for('terminplan.engine')

function implOf(s: Scheduler): SchedulerImpl {
  if (s instanceof SchedulerImpl) return s
  const inner = (s as unknown as { [ENGINE]?: () => Scheduler })[ENGINE]
  if (typeof inner === 'function') return implOf(inner.call(s))
  return fail('COMMAND_INVALID', '$', 'no_engine', 'needs a scheduler made by createScheduler, restoreScheduler or openScheduler')
}

/** The engine port of a scheduler (or of the scheduler a journal wraps). */
export function enginePort(s: Scheduler): EnginePort {
  const impl = implOf(s)
  return {
    get model() {
      return impl.model
    },
    get cal() {
      return impl.cal
    },
    get ctx() {
      return impl.ctx
    },
    waiting: () => impl.engine.wl.waiting,
    offerEngine: () => impl.engine,
    holdAt: (o, p, a, b, services, opts) => impl.holdAt(o, p, a, b, services, opts),
    confirmHold: (id) => impl.confirmHold(id),
    placeAppointment: (o, p, a, b, services, c) => impl.placeAppointment(o, p, a, b, services, c),
    appointmentRecords: () => impl.ledger.appointments.values(),
  }
}

/** The waitlist's offer engine of a scheduler (batch matching reads the waiting entries and their fit). */
export function offerEngineOf(s: Scheduler): OfferEngine {
  return implOf(s).engine
}

function configure(s: SchedulerImpl, options: Pick<SchedulerOptions, 'waitlist' | 'limits' | 'horizon'>): void {
  s.waitlistLimit = resolveLimits(options.limits).waitlistSize
  s.setAutoOffer(options.waitlist?.autoOffer ?? true)
  if (options.horizon !== undefined && options.horizon !== 'fixed' && options.horizon !== 'rolling')
    fail('COMMAND_INVALID', '$.horizon', 'invalid_value', 'horizon must be fixed or rolling')
  s.rolling = options.horizon === 'rolling'
  // Units are counted from the horizon's first midnight; when one divides an hour, every day
  // (23, 24 or 25 hours) holds whole units and a moved horizon keeps every time on the grid.
  if (s.rolling && 60 % s.model.unitMinutes !== 0)
    fail('COMMAND_INVALID', '$.horizon', 'rolling_grid', `a rolling horizon needs a grid unit that divides 60 minutes (this scenario's is ${s.model.unitMinutes}); set scenario.unitMinutes`)
}

/** A scheduler over `scenario` (validated), with its existing appointments placed. */
export function createScheduler(scenario: Scenario, options: SchedulerOptions): Scheduler {
  const nowMs = parseNow(options.now)
  const s = new SchedulerImpl(compile(scenario), nowMs, options.notifications, new ScenarioVersions(scenario))
  configure(s, options)
  s.loadScenarioAppointments(options.existingAppointments ?? 'strict')
  s.scheduleAllReminders()
  s.loadScenarioWaitlist()
  // A rolling horizon starts today.
  if (s.rolling) s.setNow(nowMs)
  return s
}

export interface RestoreOptions extends Pick<SchedulerOptions, 'notifications' | 'waitlist' | 'limits' | 'horizon'> {
  /**
   * The change log the embedder kept (records or overlays); it must equal the snapshot's, or the
   * restore is STATE_INVALID naming the first change that differs. Omitted: the snapshot's own.
   */
  changes?: ReadonlyArray<ChangeRecord | Overlay>
}

/** A scheduler in exactly the state of `snapshot`, taken of `scenario` plus the changes it lists. */
export function restoreScheduler(scenario: Scenario, snapshot: SchedulerSnapshot, options: RestoreOptions = {}): Scheduler {
  const parsed = SchedulerSnapshotSchema.safeParse(snapshot)
  if (!parsed.success) {
    const issues = zodIssues(parsed.error)
    throw new TerminplanError('STATE_INVALID', `invalid snapshot: ${issues[0].path}: ${issues[0].message}`, issues)
  }
  const snap = parsed.data
  const versions = replayVersions(scenario, snap.changes, snap.horizonStart, options.changes)
  if (snap.scenarioHash !== versions.baseHash) fail('STATE_INVALID', '$.scenarioHash', 'invalid_snapshot', 'the snapshot was taken of a different scenario')
  const s = new SchedulerImpl(compile(versions.current, versions.unitMinutes), parseInstant(snap.now)!, options.notifications, versions)
  // Whether the horizon rolls is state: the snapshot says; an explicit option must agree.
  const mode = snap.rolling ? 'rolling' : 'fixed'
  if (options.horizon !== undefined && options.horizon !== mode) fail('STATE_INVALID', '$.rolling', 'horizon_mode', `the snapshot's horizon is ${mode}, the options say ${options.horizon}`)
  configure(s, { ...options, horizon: mode })
  s.restore(snap)
  return s
}
