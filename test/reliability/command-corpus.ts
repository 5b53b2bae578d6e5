/**
 * The bad-input corpus for commands: malformed or impossible arguments to search, hold, confirm,
 * cancel, joinWaitlist, acceptOffer, declineOffer, leaveWaitlist and setNow, each with the error
 * code and the exact (issue code, JSON path) list it must produce. Every case runs against a
 * scheduler holding a little of everything (`commandContext`), which it must leave unchanged.
 */
import type { ErrorCode } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import type { Slot } from '../../src/model/requests.js'
import type { Notification } from '../../src/solver/ports.js'
import { createScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { validScenario } from '../model/fixtures.js'

export interface CommandContext {
  s: Scheduler
  /** An open hold (passport at mitte, Mon 08:00–08:30, citizen c7) and its slot. */
  holdId: string
  heldSlot: Slot
  /** A confirmed appointment (passport at mitte, Mon 08:30–09:00, citizen c8). */
  appointmentId: string
  /** The open offer to waitlist entry w1 (citizen c2). */
  offerId: string
  entryId: string
  /** A free slot (registration at spandau, Mon 07:30–07:40). */
  freeSlot: Slot
  /** Notifications sent since the context was set up. */
  sent: Notification[]
}

export const NOW = '2026-03-02T07:00:00+01:00'

export function commandContext(): CommandContext {
  const sent: Notification[] = []
  const s = createScheduler(loadScenario(validScenario()), { now: NOW, notifications: { send: (n) => void sent.push(n) } })
  const first = () => s.search({ services: ['passport'], offices: ['mitte'], limit: 1 }).slots[0]
  const hold = s.hold(first(), { citizenId: 'c7' })
  const appointment = s.confirm(s.hold(first(), { citizenId: 'c8' }).id, { idempotencyKey: 'k-c8' })
  const [offer] = s.offers()
  const freeSlot = s.search({ services: ['registration'], offices: ['spandau'], limit: 1 }).slots[0]
  sent.length = 0
  return { s, holdId: hold.id, heldSlot: hold.slot, appointmentId: appointment.id, offerId: offer.id, entryId: offer.entryId, freeSlot, sent }
}

export interface CommandCase {
  name: string
  run: (c: CommandContext) => unknown
  code: ErrorCode
  issues: [string, string][]
}

const MB10 = 10 * 1024 * 1024
/** A value with an own `__proto__` key, as JSON.parse makes it. */
const withProto = (o: object) => JSON.parse(JSON.stringify(o).replace(/^\{/, '{"__proto__":{"polluted":true},'))
const slotWith = (c: CommandContext, patch: Record<string, unknown>) => ({ ...c.freeSlot, ...patch })
const call = <A extends unknown[]>(f: (...a: A) => unknown, ...a: unknown[]) => f(...(a as A))

export const commandCorpus: CommandCase[] = [
  // ---- search ------------------------------------------------------------------------------------
  { name: 'search(null)', run: (c) => call(c.s.search.bind(c.s), null), code: 'COMMAND_INVALID', issues: [['invalid_type', '$']] },
  { name: 'search({})', run: (c) => c.s.search({} as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.services']] },
  { name: 'search: services as a string', run: (c) => c.s.search({ services: 'passport' } as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.services']] },
  { name: 'search: no services', run: (c) => c.s.search({ services: [] }), code: 'COMMAND_INVALID', issues: [['too_small', '$.services']] },
  { name: 'search: an unknown service', run: (c) => c.s.search({ services: ['ghost'] }), code: 'COMMAND_INVALID', issues: [['unknown_reference', '$.services[0]']] },
  { name: 'search: limit NaN', run: (c) => c.s.search({ services: ['passport'], limit: NaN }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.limit']] },
  { name: 'search: limit Infinity', run: (c) => c.s.search({ services: ['passport'], limit: Infinity }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.limit']] },
  { name: 'search: limit 0', run: (c) => c.s.search({ services: ['passport'], limit: 0 }), code: 'COMMAND_INVALID', issues: [['too_small', '$.limit']] },
  { name: 'search: from 2026-02-30', run: (c) => c.s.search({ services: ['passport'], from: '2026-02-30' }), code: 'COMMAND_INVALID', issues: [['invalid_date', '$.from']] },
  { name: 'search: to 2026-13-01', run: (c) => c.s.search({ services: ['passport'], to: '2026-13-01' }), code: 'COMMAND_INVALID', issues: [['invalid_date', '$.to']] },
  { name: 'search: to before from', run: (c) => c.s.search({ services: ['passport'], from: '2026-03-05', to: '2026-03-04' }), code: 'COMMAND_INVALID', issues: [['empty_range', '$.to']] },
  {
    name: 'search: a window from 24:30 to 25:00',
    run: (c) => c.s.search({ services: ['passport'], windows: [{ from: '24:30', to: '25:00' }] }),
    code: 'COMMAND_INVALID',
    issues: [['invalid_time', '$.windows[0].from'], ['invalid_time', '$.windows[0].to']],
  },
  { name: 'search: a window ending before it starts', run: (c) => c.s.search({ services: ['passport'], windows: [{ from: '12:00', to: '08:00' }] }), code: 'COMMAND_INVALID', issues: [['empty_range', '$.windows[0].to']] },
  { name: 'search: an unknown office', run: (c) => c.s.search({ services: ['passport'], offices: ['mitte', 'ghost'] }), code: 'COMMAND_INVALID', issues: [['unknown_reference', '$.offices[1]']] },
  { name: 'search: a __proto__ key', run: (c) => c.s.search(withProto({ services: ['passport'] })), code: 'COMMAND_INVALID', issues: [['unknown_field', '$.__proto__']] },
  { name: 'search: a 10 MB service id', run: (c) => c.s.search({ services: ['p'.repeat(MB10)] }), code: 'COMMAND_INVALID', issues: [['too_big', '$.services[0]']] },
  { name: 'search: eleven services', run: (c) => c.s.search({ services: Array(11).fill('registration') }), code: 'COMMAND_INVALID', issues: [['too_big', '$.services']] },
  { name: 'search: four services (policy allows three)', run: (c) => c.s.search({ services: ['passport', 'passport', 'idcard', 'registration'] }), code: 'COMMAND_INVALID', issues: [['too_many_services', '$.services']] },
  { name: 'search: an empty citizen id', run: (c) => c.s.search({ services: ['passport'], citizenId: '' }), code: 'COMMAND_INVALID', issues: [['too_small', '$.citizenId']] },

  // ---- hold --------------------------------------------------------------------------------------
  { name: 'hold(undefined)', run: (c) => call(c.s.hold.bind(c.s), undefined, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$']] },
  { name: 'hold: an unknown office', run: (c) => c.s.hold(slotWith(c, { officeId: 'ghost' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['unknown_office', '$.officeId']] },
  { name: 'hold: an unknown staff member', run: (c) => c.s.hold(slotWith(c, { staffId: 'ghost' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['unknown_staff', '$.staffId']] },
  { name: 'hold: starting on 2026-02-30', run: (c) => c.s.hold(slotWith(c, { start: '2026-02-30T07:30:00+01:00' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.start']] },
  { name: 'hold: start NaN', run: (c) => c.s.hold(slotWith(c, { start: NaN }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.start']] },
  { name: 'hold: off the time grid', run: (c) => c.s.hold(slotWith(c, { start: '2026-03-02T07:33:00+01:00', end: '2026-03-02T07:43:00+01:00' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['off_grid', '$.start']] },
  { name: 'hold: an unknown service', run: (c) => c.s.hold(slotWith(c, { services: ['ghost'] }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['unknown_reference', '$.services[0]']] },
  { name: 'hold: an extra field', run: (c) => c.s.hold(slotWith(c, { price: 0 }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['unknown_field', '$.price']] },
  { name: 'hold: a __proto__ key in the slot', run: (c) => c.s.hold(withProto(c.freeSlot), { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['unknown_field', '$.__proto__']] },
  { name: 'hold: options null', run: (c) => c.s.hold(c.freeSlot, null as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$']] },
  { name: 'hold: an empty citizen id', run: (c) => c.s.hold(c.freeSlot, { citizenId: '' }), code: 'COMMAND_INVALID', issues: [['too_small', '$.citizenId']] },
  { name: 'hold: ttl NaN', run: (c) => c.s.hold(c.freeSlot, { citizenId: 'c9', ttlMinutes: NaN }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.ttlMinutes']] },
  { name: 'hold: ttl Infinity', run: (c) => c.s.hold(c.freeSlot, { citizenId: 'c9', ttlMinutes: Infinity }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.ttlMinutes']] },
  { name: 'hold: negative ttl', run: (c) => c.s.hold(c.freeSlot, { citizenId: 'c9', ttlMinutes: -5 }), code: 'COMMAND_INVALID', issues: [['too_small', '$.ttlMinutes']] },
  { name: 'hold: a slot someone holds', run: (c) => c.s.hold(c.heldSlot, { citizenId: 'c9' }), code: 'CONFLICT', issues: [['slot_taken', '$.start']] },
  { name: 'hold: the wrong length', run: (c) => c.s.hold(slotWith(c, { end: '2026-03-02T07:50:00+01:00' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['wrong_duration', '$']] },
  { name: 'hold: a slot in the past', run: (c) => c.s.hold(slotWith(c, { start: '2026-03-02T06:30:00+01:00', end: '2026-03-02T06:40:00+01:00' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['in_the_past', '$']] },
  { name: 'hold: a negative length (end before start)', run: (c) => c.s.hold(slotWith(c, { end: '2026-03-02T07:20:00+01:00' }) as Slot, { citizenId: 'c9' }), code: 'COMMAND_INVALID', issues: [['wrong_duration', '$']] },

  // ---- confirm -----------------------------------------------------------------------------------
  { name: 'confirm(42)', run: (c) => c.s.confirm(42 as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.holdId']] },
  { name: 'confirm(NaN)', run: (c) => c.s.confirm(NaN as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.holdId']] },
  { name: 'confirm an unknown hold', run: (c) => c.s.confirm('ghost'), code: 'NOT_FOUND', issues: [['hold_not_found', '$.holdId']] },
  { name: 'confirm a 10 MB hold id', run: (c) => c.s.confirm('h'.repeat(MB10)), code: 'COMMAND_INVALID', issues: [['too_big', '$.holdId']] },
  { name: 'confirm: an empty idempotency key', run: (c) => c.s.confirm(c.holdId, { idempotencyKey: '' }), code: 'COMMAND_INVALID', issues: [['too_small', '$.idempotencyKey']] },
  { name: 'confirm: a 257-character idempotency key', run: (c) => c.s.confirm(c.holdId, { idempotencyKey: 'k'.repeat(257) }), code: 'COMMAND_INVALID', issues: [['too_big', '$.idempotencyKey']] },
  { name: 'confirm: an extra option', run: (c) => c.s.confirm(c.holdId, { force: true } as never), code: 'COMMAND_INVALID', issues: [['unknown_field', '$.force']] },
  { name: 'confirm: options null', run: (c) => c.s.confirm(c.holdId, null as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$']] },
  { name: 'confirm: a key already used for another hold', run: (c) => c.s.confirm(c.holdId, { idempotencyKey: 'k-c8' }), code: 'CONFLICT', issues: [['idempotency_key_reused', '$.idempotencyKey']] },

  // ---- cancel ------------------------------------------------------------------------------------
  { name: 'cancel(undefined)', run: (c) => call(c.s.cancel.bind(c.s), undefined), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.appointmentId']] },
  { name: 'cancel({})', run: (c) => c.s.cancel({} as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.appointmentId']] },
  { name: 'cancel an unknown appointment', run: (c) => c.s.cancel('ghost'), code: 'NOT_FOUND', issues: [['appointment_not_found', '$.appointmentId']] },
  { name: 'cancel a 10 MB appointment id', run: (c) => c.s.cancel('a'.repeat(MB10)), code: 'COMMAND_INVALID', issues: [['too_big', '$.appointmentId']] },
  { name: 'cancel a hold (not an appointment)', run: (c) => c.s.cancel(c.holdId), code: 'NOT_FOUND', issues: [['appointment_not_found', '$.appointmentId']] },

  // ---- joinWaitlist ------------------------------------------------------------------------------
  { name: 'joinWaitlist(null)', run: (c) => c.s.joinWaitlist(null as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$']] },
  { name: 'joinWaitlist({})', run: (c) => c.s.joinWaitlist({} as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.citizenId'], ['invalid_type', '$.services']] },
  { name: 'join for an unknown service', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['ghost'] }), code: 'COMMAND_INVALID', issues: [['unknown_reference', '$.services[0]']] },
  { name: 'join at an unknown office', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], offices: ['ghost'] }), code: 'COMMAND_INVALID', issues: [['unknown_reference', '$.offices[0]']] },
  { name: 'join in an unknown district', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], district: 'Atlantis' }), code: 'COMMAND_INVALID', issues: [['unknown_reference', '$.district']] },
  { name: 'join with a window at 24:30', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], windows: [{ from: '08:00', to: '24:30' }] }), code: 'COMMAND_INVALID', issues: [['invalid_time', '$.windows[0].to']] },
  { name: 'join on 2026-02-30', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], dates: ['2026-03-03', '2026-02-30'] }), code: 'COMMAND_INVALID', issues: [['invalid_date', '$.dates[1]']] },
  { name: 'join from 2026-13-01', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], earliest: '2026-13-01' }), code: 'COMMAND_INVALID', issues: [['invalid_date', '$.earliest']] },
  { name: 'join with latest before earliest', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], earliest: '2026-03-10', latest: '2026-03-09' }), code: 'COMMAND_INVALID', issues: [['empty_range', '$.latest']] },
  { name: 'join as a VIP', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], priority: 'vip' as never }), code: 'COMMAND_INVALID', issues: [['invalid_value', '$.priority']] },
  { name: 'join "yesterday"', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], createdAt: 'yesterday' }), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.createdAt']] },
  { name: 'join with an id already waiting', run: (c) => c.s.joinWaitlist({ id: c.entryId, citizenId: 'c9', services: ['passport'] }), code: 'CONFLICT', issues: [['duplicate_id', '$.id']] },
  { name: 'join twice for the same need', run: (c) => c.s.joinWaitlist({ citizenId: 'c2', services: ['registration'] }), code: 'CONFLICT', issues: [['already_waiting', '$.citizenId']] },
  { name: 'join with a 10 MB citizen id', run: (c) => c.s.joinWaitlist({ citizenId: 'c'.repeat(MB10), services: ['passport'] }), code: 'COMMAND_INVALID', issues: [['too_big', '$.citizenId']] },
  { name: 'join with a __proto__ key', run: (c) => c.s.joinWaitlist(withProto({ citizenId: 'c9', services: ['passport'] })), code: 'COMMAND_INVALID', issues: [['unknown_field', '$.__proto__']] },
  { name: 'join with 51 windows', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], windows: Array(51).fill({ from: '08:00', to: '09:00' }) }), code: 'COMMAND_INVALID', issues: [['too_big', '$.windows']] },
  { name: 'join at offices outside the district', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], offices: ['mitte'], district: 'Spandau' }), code: 'COMMAND_INVALID', issues: [['empty_range', '$.offices']] },
  { name: 'join with createdAt NaN', run: (c) => c.s.joinWaitlist({ citizenId: 'c9', services: ['passport'], createdAt: NaN as never }), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.createdAt']] },

  // ---- offers and the waitlist ---------------------------------------------------------------------
  { name: 'acceptOffer(7)', run: (c) => c.s.acceptOffer(7 as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.offerId']] },
  { name: 'accept an unknown offer', run: (c) => c.s.acceptOffer('ghost'), code: 'NOT_FOUND', issues: [['offer_not_found', '$.offerId']] },
  { name: 'accept with a numeric idempotency key', run: (c) => c.s.acceptOffer(c.offerId, { idempotencyKey: 5 } as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.idempotencyKey']] },
  { name: 'accept with options "yes"', run: (c) => c.s.acceptOffer(c.offerId, 'yes' as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$']] },
  { name: 'accept a 10 MB offer id', run: (c) => c.s.acceptOffer('o'.repeat(MB10)), code: 'COMMAND_INVALID', issues: [['too_big', '$.offerId']] },
  { name: 'accept a hold id as an offer', run: (c) => c.s.acceptOffer(c.holdId), code: 'NOT_FOUND', issues: [['offer_not_found', '$.offerId']] },
  { name: 'decline an unknown offer', run: (c) => c.s.declineOffer('ghost'), code: 'NOT_FOUND', issues: [['offer_not_found', '$.offerId']] },
  { name: 'declineOffer(null)', run: (c) => c.s.declineOffer(null as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.offerId']] },
  { name: 'leave with an unknown entry', run: (c) => c.s.leaveWaitlist('ghost'), code: 'NOT_FOUND', issues: [['entry_not_found', '$.entryId']] },
  { name: 'leaveWaitlist([])', run: (c) => c.s.leaveWaitlist([] as never), code: 'COMMAND_INVALID', issues: [['invalid_type', '$.entryId']] },

  // ---- setNow ------------------------------------------------------------------------------------
  { name: 'setNow(NaN)', run: (c) => c.s.setNow(NaN), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow(Infinity)', run: (c) => c.s.setNow(Infinity), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow(-Infinity)', run: (c) => c.s.setNow(-Infinity), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow(1e400)', run: (c) => c.s.setNow(JSON.parse('1e400')), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow on 2026-02-30', run: (c) => c.s.setNow('2026-02-30T08:00:00+01:00'), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow at 24:30', run: (c) => c.s.setNow('2026-03-02T24:30:00+01:00'), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow without an offset', run: (c) => c.s.setNow('2026-03-02T08:00:00'), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow back in time', run: (c) => c.s.setNow('2026-03-02T06:59:00+01:00'), code: 'COMMAND_INVALID', issues: [['clock_backwards', '$.now']] },
  { name: 'setNow(null)', run: (c) => c.s.setNow(null as never), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow({})', run: (c) => c.s.setNow({} as never), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow of 10 MB', run: (c) => c.s.setNow('2'.repeat(MB10)), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
  { name: 'setNow in Europe/Berlin words', run: (c) => c.s.setNow('tomorrow 8am'), code: 'COMMAND_INVALID', issues: [['invalid_instant', '$.now']] },
]
