/** Waitlist commands: join, leave, offers made by hand, accepted, declined and expired. Functions of the facade (impl.ts), which delegates to them. */
import { TerminplanError, fail } from '../../model/errors.js'
import { howToRaise } from '../../model/limits.js'
import { AcceptOfferOptionsSchema, JoinWaitlistSchema, canonicalEntry, parseCommand, plainJoinRequest, type AcceptOfferOptions, type JoinWaitlistRequest, type Slot } from '../../model/requests.js'
import type { WaitlistEntry } from '../../model/schema.js'
import type { AppointmentRec, OfferGroupRec, OfferRec } from '../ledger.js'
import { SLOT_RULES } from '../slot-rules.js'
import { comboKeyOf, type EntryRec } from '../waitlist.js'
import { checkIdArg } from './args.js'
import type { Appointment, Offer, WaitlistView } from './types.js'
import type { SchedulerImpl } from './impl.js'

export function joinWaitlist(s: SchedulerImpl, input: JoinWaitlistRequest): WaitlistView {
  const req = plainJoinRequest(input) ?? parseCommand(JoinWaitlistSchema, input, 'waitlist entry')
  const entry: WaitlistEntry = { ...req, id: req.id ?? '', createdAt: req.createdAt ?? s.now() }
  const issues = s.st.entryIssues(entry, [])
  if (issues.length) throw new TerminplanError('COMMAND_INVALID', `invalid waitlist entry: ${issues[0].path}: ${issues[0].message}`, issues)
  if (req.id !== undefined && s.engine.wl.entries.has(req.id)) fail('CONFLICT', '$.id', 'duplicate_id', `waitlist entry "${req.id}" exists already`)
  const comboKey = comboKeyOf(entry.services.map((id) => s.model.serviceIndex.get(id)!))
  const other = s.engine.wl.sameNeed(entry.citizenId, comboKey)
  if (other) fail('CONFLICT', '$.citizenId', 'already_waiting', `citizen is already waiting for these services (entry "${other.entry.id}")`)
  if (s.engine.wl.waiting >= s.waitlistLimit)
    fail('LIMIT_EXCEEDED', '$', 'limit_exceeded', `the waitlist is full: ${s.engine.wl.waiting} entries, the limit (limits.waitlistSize); ${howToRaise('waitlistSize')}`)
  if (entry.id === '') entry.id = s.freshEntryId()
  // Canonical form (schema key order), so snapshots of joined and restored entries are identical.
  const rec = s.engine.wl.prepare(canonicalEntry(entry))
  s.engine.wl.add(rec)
  s.beginTimersFor(rec.entry.citizenId)
  s.emit('waitlistJoined', { entry: s.st.entryView(rec) })
  s.offerToEntry(rec)
  return s.st.entryView(rec)
}

export function freshEntryId(s: SchedulerImpl): string {
  for (;;) {
    const id = s.ledger.nextId('entry')
    if (!s.engine.wl.entries.has(id)) return id
  }
}

/** Offers an entry that (again) waits the earliest free slot that suits it and that it has not declined. */
export function offerToEntry(s: SchedulerImpl, rec: EntryRec): void {
  if (!s.engine.auto || rec.state !== 'waiting') return
  if (!s.engine.core.mayOffer(rec)) return
  const found = s.engine.earliestFor(rec)
  if (found) s.engine.offerTo(rec, found.staff, found.office, found.start, found.dur)
}

export function leaveWaitlist(s: SchedulerImpl, entryId: string): void {
  checkIdArg(entryId, '$.entryId', 'entry id')
  const rec = s.engine.wl.entries.get(entryId)
  if (!rec || rec.state === 'served' || rec.state === 'left') fail('NOT_FOUND', '$.entryId', 'entry_not_found', `no waiting entry "${entryId}"`)
  const view = s.st.entryView(rec)
  const offerId = rec.offerId
  s.engine.wl.retire(rec, 'left')
  s.engine.wl.entries.delete(entryId)
  s.emit('waitlistLeft', { entry: view, reason: 'left' })
  if (offerId !== undefined) s.closeOffer(s.ledger.offers.get(offerId)!, 'offerWithdrawn', 'offer_withdrawn')
}

export function acceptOffer(s: SchedulerImpl, offerId: string, optsInput: AcceptOfferOptions = {}): Appointment {
  const opts = parseCommand(AcceptOfferOptionsSchema, optsInput, 'accept options')
  checkIdArg(offerId, '$.offerId', 'offer id')
  const key = opts.idempotencyKey
  const replay = s.replay(key, offerId)
  if (replay) return replay
  const o = s.ledger.offers.get(offerId)
  if (!o) fail('NOT_FOUND', '$.offerId', 'offer_not_found', `no open offer "${offerId}" (never made, declined, expired or taken)`)
  const g = s.ledger.groups.get(o.groupId)!
  if (g.expiresAt <= s.ctx.now) fail('EXPIRED', '$.offerId', 'offer_expired', `offer "${offerId}" expired at ${s.st.isoMs(g.expiresAt)}`)
  if (g.start < s.ctx.nowUnit) fail('CONFLICT', '$.offerId', 'already_started', 'the offered slot has already begun')
  const rec = s.engine.wl.entries.get(o.entryId)!
  const pol = s.model.scenario.policy
  if (s.ledger.activeCount(o.citizenId, s.ctx.nowUnit) >= pol.maxActiveAppointmentsPerCitizen)
    fail('LIMIT_EXCEEDED', '$.offerId', 'citizen_limit', `a citizen may hold at most ${pol.maxActiveAppointmentsPerCitizen} open holds and appointments`)
  // The group's units pass to the appointment; the other offers of a broadcast are withdrawn.
  const others = g.offerIds.filter((id) => id !== o.id).map((id) => s.ledger.offers.get(id)!)
  s.ledger.groups.delete(g.id)
  s.ledger.timerDied()
  for (const x of [o, ...others]) {
    s.ledger.offers.delete(x.id)
    const r = s.engine.wl.entries.get(x.entryId)
    if (r && r.offerId === x.id) s.engine.wl.markWaiting(r)
  }
  const a: AppointmentRec = { id: s.ledger.nextId('appointment'), staff: g.staff, office: g.office, start: g.start, end: g.end, services: [...o.services], citizenId: o.citizenId }
  s.ledger.appointments.set(a.id, a)
  s.ledger.linkCitizen(a.citizenId, a.id)
  if (key !== undefined) s.ledger.idempotency.set(key, { holdId: offerId, appointmentId: a.id })
  s.scheduleReminder(a)
  const entryView = s.st.entryView(rec)
  s.engine.wl.retire(rec, 'served')
  s.engine.wl.entries.delete(rec.entry.id)
  const view = s.st.apptView(a)
  s.emit('offerAccepted', { offer: s.st.offerView(o, g), appointment: view })
  s.emit('waitlistLeft', { entry: { ...entryView, state: 'waiting' }, reason: 'served' })
  s.notifyAppointment('confirmation', a)
  for (const x of others) s.emit('offerWithdrawn', { offer: s.st.offerView(x, g) })
  // Citizens who lost the race wait again: offer them what suits them now.
  for (const x of others) {
    const r = s.engine.wl.entries.get(x.entryId)
    if (r && r.state === 'waiting') s.offerToEntry(r)
  }
  return view
}

export function offer(s: SchedulerImpl, entryId: string, slotInput: Slot): Offer {
  checkIdArg(entryId, '$.entryId', 'entry id')
  const rec = s.engine.wl.entries.get(entryId)
  if (!rec || rec.state === 'served' || rec.state === 'left') fail('NOT_FOUND', '$.entryId', 'entry_not_found', `no waiting entry "${entryId}"`)
  if (rec.state === 'offered') fail('CONFLICT', '$.entryId', 'already_offered', `entry "${entryId}" holds an open offer already`)
  const { office, staff, start, end, services } = s.st.resolveSlot(slotInput)
  const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')
  if (!same(services, rec.entry.services)) fail('COMMAND_INVALID', '$.services', 'wrong_services', 'the slot is for other services than the entry')
  const problem = s.st.placementProblem(office, staff, start, end, services, true)
  if (problem) fail(problem === 'slot_taken' ? 'CONFLICT' : 'COMMAND_INVALID', '$.start', problem, SLOT_RULES[problem])
  if (rec.offices && !rec.offices.has(office)) fail('COMMAND_INVALID', '$.officeId', 'office_not_accepted', 'the citizen does not accept s office')
  if (!s.engine.wl.timeFits(rec, s.cal.dayOfUnit(start), start, end - start))
    fail('COMMAND_INVALID', '$.start', 'outside_citizen_times', "the slot lies outside the citizen's dates or time windows")
  s.engine.offerTo(rec, staff, office, start, end - start)
  const o = s.ledger.offers.get(rec.offerId!)!
  return s.st.offerView(o, s.ledger.groups.get(o.groupId)!)
}

export function declineOffer(s: SchedulerImpl, offerId: string): void {
  checkIdArg(offerId, '$.offerId', 'offer id')
  const o = s.ledger.offers.get(offerId)
  if (!o) fail('NOT_FOUND', '$.offerId', 'offer_not_found', `no open offer "${offerId}"`)
  s.closeOffer(o, 'offerDeclined', 'offer_declined')
}

/** Ends one offer; when its group has no open offer left, the slot is freed and offered on. */
export function closeOffer(s: SchedulerImpl, o: OfferRec, event: 'offerDeclined' | 'offerWithdrawn' | 'offerExpired', reason: 'offer_declined' | 'offer_withdrawn' | 'offer_expired'): void {
  const g = s.ledger.groups.get(o.groupId)!
  const view = s.st.offerView(o, g)
  s.ledger.offers.delete(o.id)
  g.offerIds = g.offerIds.filter((id) => id !== o.id)
  const rec = s.engine.wl.entries.get(o.entryId)
  if (rec && rec.offerId === o.id) {
    rec.declined.add(`${g.staff}:${g.start}`)
    s.engine.wl.markWaiting(rec)
  }
  s.emit(event, { offer: view })
  if (event === 'offerExpired') s.notify({ kind: 'offer_expired', idempotencyKey: `offer_expired:${o.id}`, citizenId: o.citizenId, at: s.now(), offerId: o.id })
  if (g.offerIds.length === 0) {
    s.ledger.groups.delete(g.id)
    s.ledger.timerDied()
    s.release(g.staff, g.office, g.start, g.end, reason)
  }
  // Back to waiting: free capacity that suits the citizen may have come up while they held the offer.
  if (rec && rec.state === 'waiting' && s.engine.wl.entries.has(rec.entry.id)) s.offerToEntry(rec)
}

export function expireGroup(s: SchedulerImpl, g: OfferGroupRec): void {
  for (const id of [...g.offerIds]) s.closeOffer(s.ledger.offers.get(id)!, 'offerExpired', 'offer_expired')
}
