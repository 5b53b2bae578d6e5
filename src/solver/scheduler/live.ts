/**
 * Live changes on a running scheduler: a change (overlay) gives a new scenario, which is compiled
 * into a new booking state; the records move over (transfer.ts); what lost its time is re-planned
 * — first the same office and time at another staff member (replan/same-slot.ts), then the
 * nearest alternative held for the citizen as an urgent offer — and each affected citizen is told
 * once. Everything that can fail runs before the new state replaces the old one, so a rejected
 * change changes nothing. A horizon roll is the same rebuild without a change record.
 */
import { compile } from '../../model/compile.js'
import { TerminplanError, fail } from '../../model/errors.js'
import { ChangeOptionsSchema, parseCommand } from '../../model/requests.js'
import { parseOverlay } from '../../model/overlay.js'
import type { Scenario } from '../../model/schema.js'
import { WaitlistEntrySchema, type WaitlistEntry } from '../../model/schema.js'
import type { AppointmentRec } from '../ledger.js'
import { reassignSameSlot } from '../replan/same-slot.js'
import { fnv1a, findSlots, resolveRequest } from '../search.js'
import { comboKeyOf, type EntryRec } from '../waitlist.js'
import { refillBooks } from './day-sweep.js'
import type { SchedulerImpl } from './impl.js'
import type { ChangeRecord } from './snapshot-schema.js'
import type { BookingState } from './state.js'
import { transferRecords, type Disrupted } from './transfer.js'
import type { ChangeResult } from './types.js'

/** A scenario problem of a change is bad command input: COMMAND_INVALID, with the same paths into the overlay. */
function asCommand<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof TerminplanError && e.code === 'SCENARIO_INVALID') throw new TerminplanError('COMMAND_INVALID', e.message, e.issues)
    throw e
  }
}

export function applyLiveChange(s: SchedulerImpl, input: unknown, opts: unknown = {}): ChangeResult {
  const key = parseCommand(ChangeOptionsSchema, opts ?? {}, 'change options').idempotencyKey
  // The shape here; the references once, when the change is applied to the scenario in force (versions.next).
  const overlay = asCommand(() => parseOverlay(input))
  if (key !== undefined) {
    const prev = s.versions.changes.find((c) => c.idempotencyKey === key)
    if (prev) {
      if (JSON.stringify(prev.overlay) !== JSON.stringify(overlay)) fail('CONFLICT', '$.idempotencyKey', 'idempotency_key_reused', 'this idempotency key was used for another change')
      return structuredClone(prev.result!)
    }
  }
  const next: { scenario: Scenario; record: ChangeRecord } = asCommand(() => s.versions.next(overlay, s.now()))
  const result = rebuild(s, next.scenario, next.record, s.versions.changes.length)
  if (key !== undefined) Object.assign(next.record, { idempotencyKey: key, result: structuredClone(result) })
  return result
}

/** Staff members whose working time differs, with the days on which it does (new state's indices). */
function changedWork(from: BookingState, to: BookingState): Map<number, number[]> {
  const out = new Map<number, number[]>()
  const fm = from.model, tm = to.model
  if (fm.t0 !== tm.t0 || fm.unitMs !== tm.unitMs) return out
  tm.staffIds.forEach((id, p) => {
    const q = fm.staffIndex.get(id)
    const a = tm.work[p], b = q === undefined ? undefined : fm.work[q]
    if (a === b) return // lent unchanged by compile
    const days: number[] = []
    for (let d = 0; d < tm.days; d++) {
      const lo = tm.dayStart[d], hi = tm.dayStart[d + 1]
      for (let w = lo >>> 5; w <= (hi - 1) >>> 5; w++)
        if ((b ? b[w] : 0) !== a[w]) {
          days.push(d)
          break
        }
    }
    if (days.length) out.set(p, days)
  })
  return out
}

/**
 * Replaces the booking state with one over `scenario`; `record` is the change log entry (none for
 * a horizon roll). Returns what happened to the bookings.
 */
export function rebuild(s: SchedulerImpl, scenario: Scenario, record: ChangeRecord | undefined, index: number): ChangeResult {
  const old = s.st
  // Not indexed yet: transferRecords marks every record, then indexes once.
  const neu = s.newState(compile(scenario, s.versions.unitFor(scenario), old.model), old.ctx.now, false)
  neu.engine.auto = old.engine.auto
  const t = transferRecords(old, neu)
  // ---- nothing below rejects: the change takes effect ----
  s.st = neu
  refillBooks(s)
  s.versions.commit(scenario, record)
  s.beginSet.clear()
  s.scheduleAllReminders()
  const result: ChangeResult = {
    index: record ? index : -1,
    name: record?.overlay.name ?? `horizon from ${scenario.horizon.start}`,
    scenarioHash: s.versions.currentHash,
    affected: t.disrupted.length,
    moved: 0,
    offered: 0,
    unplaceable: 0,
    outcomes: [],
    holdsDropped: t.droppedHolds.length,
    offersWithdrawn: t.withdrawnOffers.length,
    exact: true,
  }
  for (const h of t.droppedHolds) s.emit('expired', { hold: h })
  for (const o of t.withdrawnOffers) {
    s.emit('offerWithdrawn', { offer: o })
    s.notify({ kind: 'offer_expired', idempotencyKey: `offer_expired:${o.id}`, citizenId: o.citizenId, at: s.now(), offerId: o.id })
  }
  replan(s, t.disrupted, result, index)
  // New working time (an added shift, a shorter absence) is offered to waiting citizens at once.
  if (record && s.engine.auto && s.engine.wl.waiting > 0) {
    const m = s.model
    for (const [p, days] of changedWork(old, neu))
      for (const d of days)
        for (let k = m.segFirst[p]; k < m.segFirst[p + 1]; k++) if (m.segments[k].day === d) s.engine.offerFreeRun(p, m.segments[k].start, m.segments[k].end)
  }
  // Entries whose offer was withdrawn wait again: offer them what suits them now.
  for (const o of t.withdrawnOffers) {
    const r = s.engine.wl.entries.get(o.entryId)
    if (r && r.state === 'waiting') s.offerToEntry(r)
  }
  s.emit('changed', { change: result })
  return result
}

function replan(s: SchedulerImpl, disrupted: Disrupted[], result: ChangeResult, index: number): void {
  const onGrid = disrupted.filter((d) => d.start >= 0)
  const same = reassignSameSlot(s.st, onGrid.map((d) => ({ office: d.office, staff: d.staff, start: d.start, end: d.end, services: d.old.services })))
  result.exact = same.exactComponents === same.components
  const newStaff = new Map(onGrid.map((d, i) => [d, same.staff[i]]))
  const later: Disrupted[] = []
  for (const d of disrupted) {
    const p = newStaff.get(d) ?? -1
    if (p < 0) {
      later.push(d)
      continue
    }
    const rec: AppointmentRec = { ...d.old, office: d.office, staff: p, start: d.start, end: d.end, services: [...d.old.services] }
    s.ledger.appointments.set(rec.id, rec)
    s.ledger.linkCitizen(rec.citizenId, rec.id)
    s.occ.occupy(p, rec.start, rec.end)
    s.scheduleReminder(rec)
    const view = s.st.apptView(rec)
    result.moved++
    result.outcomes.push({ appointmentId: rec.id, outcome: 'moved', staffId: view.staffId })
    s.emit('appointmentMoved', { appointment: view, previous: d.view, reason: 'replanned' })
    if (rec.citizenId !== undefined)
      s.notify({ ...movedNotice(s, 'appointment_moved', rec.citizenId, `appointment_moved:${rec.id}:${index}`, d), appointmentId: rec.id, officeId: view.officeId, start: view.start, end: view.end, services: [...rec.services] })
  }
  for (const d of later) offerAlternative(s, d, result, index)
  const pos = new Map(disrupted.map((d, i) => [d.old.id, i]))
  result.outcomes.sort((a, b) => pos.get(a.appointmentId)! - pos.get(b.appointmentId)!)
}

function movedNotice(s: SchedulerImpl, kind: 'appointment_moved' | 'appointment_disrupted', citizenId: string, key: string, d: Disrupted) {
  return { kind, idempotencyKey: key, citizenId, at: s.now(), previous: { officeId: d.view.officeId, staffId: d.view.staffId, start: d.view.start, end: d.view.end } }
}

/** The nearest free slot for the services in the office's district: on or after the original day, else from today. */
function nearestSlot(s: SchedulerImpl, d: Disrupted, rec: EntryRec): { staff: number; office: number; start: number; dur: number } | undefined {
  const { model: m, ctx } = s
  const district = m.officeDistrict[d.office]
  const offices = m.officeIds.filter((_, o) => m.officeDistrict[o] === district)
  let rr
  try {
    rr = resolveRequest(ctx, { services: d.old.services, offices, limit: 1 })
  } catch {
    return undefined // no office of the district offers them any more
  }
  const origDay = d.start >= 0 ? s.cal.dayOfUnit(d.start) : ctx.nowDay
  for (const [from, to] of [[Math.max(ctx.nowDay, origDay), m.days - 1], [ctx.nowDay, Math.max(ctx.nowDay, origDay) - 1]]) {
    if (to < from) continue
    const found = findSlots(ctx, { ...rr, dayFrom: from, dayTo: to, salt: fnv1a(rec.entry.citizenId) })
    if (found.n > 0) {
      const o = found.office[0]
      if (!rec.offices || rec.offices.has(o)) return { staff: found.staff[0], office: o, start: found.start[0], dur: rr.dur[o] }
    }
  }
  return undefined
}

/** The citizen's waiting entry for these services, or a new urgent one (undefined when the waitlist is full). */
function urgentEntry(s: SchedulerImpl, citizenId: string, services: string[], office: number): EntryRec | undefined {
  const m = s.model
  const wl = s.engine.wl
  const same = wl.sameNeed(citizenId, comboKeyOf(services.map((id) => m.serviceIndex.get(id)!)))
  if (same) return same
  if (wl.waiting >= s.waitlistLimit) return undefined
  const entry: WaitlistEntry = WaitlistEntrySchema.parse({
    id: s.freshEntryId(),
    citizenId,
    services: [...services],
    district: m.districtIds[m.officeDistrict[office]],
    createdAt: s.now(),
    priority: 'urgent',
  })
  const rec = wl.prepare(entry)
  wl.add(rec)
  s.beginTimersFor(citizenId)
  s.emit('waitlistJoined', { entry: s.st.entryView(rec) })
  return rec
}

function offerAlternative(s: SchedulerImpl, d: Disrupted, result: ChangeResult, index: number): void {
  const citizenId = d.old.citizenId
  const rec = citizenId === undefined ? undefined : urgentEntry(s, citizenId, d.old.services, d.office)
  const slot = rec && rec.state === 'waiting' ? nearestSlot(s, d, rec) : undefined
  let offerId: string | undefined
  if (rec && slot) {
    s.quietOffers = true
    try {
      s.engine.offerTo(rec, slot.staff, slot.office, slot.start, slot.dur)
    } finally {
      s.quietOffers = false
    }
    offerId = rec.offerId
  }
  const o = offerId !== undefined ? s.ledger.offers.get(offerId) : undefined
  const offer = o ? s.st.offerView(o, s.ledger.groups.get(o.groupId)!) : undefined
  if (offer) result.offered++
  else result.unplaceable++
  result.outcomes.push({ appointmentId: d.old.id, outcome: offer ? 'offered' : 'unplaceable', ...(offerId !== undefined ? { offerId } : {}), ...(rec ? { entryId: rec.entry.id } : {}) })
  s.emit('appointmentDisrupted', { appointment: d.view, ...(offer ? { offer } : {}), ...(rec ? { entry: s.st.entryView(rec) } : {}) })
  if (citizenId !== undefined)
    s.notify({
      ...movedNotice(s, 'appointment_disrupted', citizenId, `appointment_disrupted:${d.old.id}:${index}`, d),
      appointmentId: d.old.id,
      services: [...d.old.services],
      ...(offer ? { offerId: offer.id, expiresAt: offer.expiresAt, alternative: { officeId: offer.slot.officeId, start: offer.slot.start, end: offer.slot.end } } : {}),
    })
}
