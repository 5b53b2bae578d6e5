/**
 * The journal's command table: for every command that changes a scheduler's state, how to apply
 * it (on a JSON copy of its arguments), which id it returns (recorded and checked on replay) and
 * whether it is a booking (made durable before it is acknowledged). Live dispatch and replay, over
 * the file journal and over PostgreSQL, all go through `applyCommand`, so a command is described
 * once.
 */
import { fail, TerminplanError } from '../../model/errors.js'
import type { AcceptOfferOptions, ConfirmOptions, HoldOptions, JoinWaitlistRequest, Slot } from '../../model/requests.js'
import type { OverlayInput } from '../../model/overlay.js'
import type { DayOptions, WalkInRequest } from '../../model/day-requests.js'
import type { ChangeOptions, Scheduler } from '../../solver/scheduler/index.js'

export interface CommandSpec {
  /** Runs the command; its result. */
  apply(s: Scheduler, args: unknown[]): unknown
  /** The id of the result to record (hold, appointment, waitlist entry, offer). */
  ret?(value: unknown): string
  /** A booking: acknowledged only once it is durable (fsync / commit). */
  booking: boolean
}

const id = (v: unknown) => (v as { id: string }).id

export const COMMANDS = {
  hold: { apply: (s, a) => s.hold(a[0] as Slot, a[1] as HoldOptions), ret: id, booking: false },
  confirm: { apply: (s, a) => s.confirm(a[0] as string, a[1] as ConfirmOptions | undefined), ret: id, booking: true },
  cancel: { apply: (s, a) => s.cancel(a[0] as string), booking: false },
  setNow: { apply: (s, a) => s.setNow(a[0] as string | number), booking: false },
  joinWaitlist: { apply: (s, a) => s.joinWaitlist(a[0] as JoinWaitlistRequest), ret: id, booking: false },
  leaveWaitlist: { apply: (s, a) => s.leaveWaitlist(a[0] as string), booking: false },
  acceptOffer: { apply: (s, a) => s.acceptOffer(a[0] as string, a[1] as AcceptOfferOptions | undefined), ret: id, booking: true },
  declineOffer: { apply: (s, a) => s.declineOffer(a[0] as string), booking: false },
  offer: { apply: (s, a) => s.offer(a[0] as string, a[1] as Slot), ret: id, booking: false },
  reschedule: { apply: (s, a) => s.reschedule(a[0] as string, a[1] as Slot, a[2] as ConfirmOptions | undefined), ret: id, booking: true },
  /** A live change; durable before it is acknowledged, like a booking (it moves bookings). */
  applyChange: { apply: (s, a) => s.applyChange(a[0] as OverlayInput, a[1] as ChangeOptions | undefined), ret: (v) => (v as { scenarioHash: string }).scenarioHash, booking: true },
  checkIn: { apply: (s, a) => s.checkIn(a[0] as string, a[1] as DayOptions | undefined), ret: id, booking: false },
  checkInWalkIn: { apply: (s, a) => s.checkInWalkIn(a[0] as WalkInRequest), ret: id, booking: false },
  /** Returns the ticket called, or nothing when nobody fits: both are recorded and checked on replay. */
  callNext: { apply: (s, a) => s.callNext(a[0] as string, a[1] as string, a[2] as DayOptions | undefined), ret: (v) => (v === null ? '' : id(v)), booking: false },
  startService: { apply: (s, a) => s.startService(a[0] as string, a[1] as DayOptions | undefined), booking: false },
  finishService: { apply: (s, a) => s.finishService(a[0] as string, a[1] as DayOptions | undefined), booking: false },
  missCall: { apply: (s, a) => s.missCall(a[0] as string, a[1] as DayOptions | undefined), booking: false },
  leaveQueue: { apply: (s, a) => s.leaveQueue(a[0] as string, a[1] as DayOptions | undefined), booking: false },
  setAutoOffer: {
    apply: (s, a) => {
      if (typeof a[0] !== 'boolean') fail('COMMAND_INVALID', '$.on', 'invalid_type', 'setAutoOffer takes true or false')
      return s.setAutoOffer(a[0])
    },
    booking: false,
  },
} as const satisfies Record<string, CommandSpec>

export type CommandName = keyof typeof COMMANDS

export function isCommand(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, name)
}

export function isBooking(cmd: CommandName): boolean {
  return COMMANDS[cmd].booking
}

/** Applies one command to a scheduler; the value and the id to record. */
export function applyCommand(s: Scheduler, cmd: CommandName, args: unknown[]): { value: unknown; ret?: string } {
  const spec: CommandSpec = COMMANDS[cmd]
  const value = spec.apply(s, args)
  return spec.ret ? { value, ret: spec.ret(value) } : { value }
}

/**
 * The arguments as the command and every replay will see them: trailing undefined dropped, then
 * a JSON round trip. Not JSON (a cycle, a BigInt): COMMAND_INVALID.
 */
export function normaliseArgs(cmd: string, args: unknown[]): { copy: unknown[]; text: string } {
  const list = [...args]
  while (list.length && list[list.length - 1] === undefined) list.pop()
  let text: string
  try {
    text = JSON.stringify(list)
  } catch (e) {
    return fail('COMMAND_INVALID', '$', 'not_json', `the arguments of ${cmd} are not JSON: ${(e as Error).message}`)
  }
  return { copy: JSON.parse(text) as unknown[], text }
}

/**
 * Replays one recorded command; a rejection or another returned id is STATE_INVALID at `where`
 * (`journal-….log:17`, `city berlin seq 17`).
 */
export function replayCommand(s: Scheduler, e: { seq: number; cmd: CommandName; args: unknown[]; ret?: string }, where: string): void {
  let out: { ret?: string }
  try {
    out = applyCommand(s, e.cmd, e.args)
  } catch (err) {
    if (!(err instanceof TerminplanError)) throw err
    const msg = `replaying ${e.cmd} (command ${e.seq}) failed: ${err.code}: ${err.message}`
    throw new TerminplanError('STATE_INVALID', `${where}: ${msg}`, [{ path: where, code: 'replay_failed', message: msg }, ...err.issues])
  }
  if (out.ret !== e.ret) {
    const msg = `replaying ${e.cmd} (command ${e.seq}) returned ${JSON.stringify(out.ret)}, the journal says ${JSON.stringify(e.ret)}`
    fail('STATE_INVALID', where, 'replay_mismatch', `${where}: ${msg}`)
  }
}
