/**
 * Moving a booking state's records onto a state of a changed scenario (a live change or a
 * horizon roll). Times go through instants, so a moved horizon start or another grid unit maps
 * exactly. What still fits is placed as it was; what the change took away comes back as a list:
 * appointments to re-plan, holds dropped, offers withdrawn. Records wholly before the new horizon
 * (a roll) leave memory. The old state is only read until everything is decided; on the same
 * grid and indices its appointments then move over (see below), so it must not be used after.
 */
import { WALK_IN_PREFIX } from '../day/state.js'
import type { AppointmentRec, HoldRec } from '../ledger.js'
import type { BookingState } from './state.js'
import type { Appointment, Hold, Offer } from './types.js'

export interface Disrupted {
  /** The record in the old state's units. */
  old: AppointmentRec
  view: Appointment
  /** Office, staff and times in the new state's units; start −1 when not on its grid. */
  office: number
  staff: number
  start: number
  end: number
}

export interface Transfer {
  disrupted: Disrupted[]
  droppedHolds: Hold[]
  withdrawnOffers: Offer[]
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

const byStartThenId = <T extends { start: number; id: string }>(a: T, b: T) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export function transferRecords(from: BookingState, to: BookingState): Transfer {
  const fm = from.model, tm = to.model
  const now = to.ctx.nowUnit
  /** A unit of the old grid on the new one: NaN off the grid. */
  const unit = (u: number) => {
    const x = (fm.t0 + u * fm.unitMs - tm.t0) / tm.unitMs
    return Number.isInteger(x) ? x : NaN
  }
  const endsBefore = (u: number) => fm.t0 + u * fm.unitMs <= tm.t0
  const staffOf = (p: number) => tm.staffIndex.get(fm.staffIds[p])!
  const officeOf = (o: number) => tm.officeIndex.get(fm.officeIds[o])!
  const L = to.ledger
  const out: Transfer = { disrupted: [], droppedHolds: [], withdrawnOffers: [] }

  // The same grid and the same people and offices in the same order (a live change that adds or
  // removes nobody): every record that stays is shared, and the old ledger's map and citizen index
  // move over at the end (adoptAppointments) less what left; records never overlap, so the order
  // they are checked in does not matter. Otherwise they are copied, in start order.
  const sameIndices = fm.t0 === tm.t0 && fm.unitMs === tm.unitMs && sameList(fm.staffIds, tm.staffIds) && sameList(fm.officeIds, tm.officeIds)
  const gone: AppointmentRec[] = []
  for (const a of sameIndices ? from.ledger.appointments.values() : [...from.ledger.appointments.values()].sort(byStartThenId)) {
    if (endsBefore(a.end)) {
      gone.push(a)
      continue // rolled out of the horizon: it is over
    }
    const office = officeOf(a.office), staff = staffOf(a.staff)
    const start = unit(a.start), end = unit(a.end)
    const begun = fm.t0 + a.start * fm.unitMs < to.ctx.now
    // On the same indices a record keeps its units and is shared; otherwise it is copied (and a begun one cut below).
    const rec: AppointmentRec = sameIndices ? a : { ...a, office, staff, start, end, services: [...a.services] }
    if (begun) {
      // Begun or over: what happened stays; it holds no future time a change could take. Off the
      // new grid (cannot happen when the unit divides an hour) both ends move down alike, which
      // keeps its length and keeps it apart from the others.
      if (!sameIndices) {
        const e = Math.floor((fm.t0 + a.end * fm.unitMs - tm.t0) / tm.unitMs)
        const s = Math.floor((fm.t0 + a.start * fm.unitMs - tm.t0) / tm.unitMs)
        rec.start = Math.max(0, s)
        rec.end = Math.max(rec.start, e)
      }
      if (rec.end > rec.start) to.occ.mark(staff, rec.start, rec.end)
    } else if (Number.isNaN(start) || Number.isNaN(end) || to.placementProblem(office, staff, start, end, a.services, false, true) !== null) {
      // A walk-in's reserved time (day of service) is the staff member's current work, no one's
      // booking: it simply ends; the ticket stays with whoever called it.
      gone.push(a)
      if (a.id.startsWith(WALK_IN_PREFIX)) continue
      out.disrupted.push({ old: a, view: from.apptView(a), office, staff, start: Number.isNaN(start) || Number.isNaN(end) ? -1 : start, end })
      continue
    } else to.occ.mark(staff, start, end)
    if (sameIndices) continue
    L.appointments.set(rec.id, rec)
    L.linkCitizen(rec.citizenId, rec.id)
  }
  if (sameIndices) {
    // The history moves over in one step; the old state is dropped once the change takes effect.
    L.adoptAppointments(from.ledger, gone)
    out.disrupted.sort((x, y) => byStartThenId(x.old, y.old))
  }

  for (const h of [...from.ledger.holds.values()].sort(byStartThenId)) {
    const office = officeOf(h.office), staff = staffOf(h.staff)
    const start = unit(h.start), end = unit(h.end)
    if (Number.isNaN(start) || Number.isNaN(end) || start < now || to.placementProblem(office, staff, start, end, h.services, false, true) !== null) {
      out.droppedHolds.push(from.holdView(h))
      continue
    }
    const rec: HoldRec = { ...h, office, staff, start, end, services: [...h.services] }
    to.occ.mark(staff, start, end)
    L.holds.set(rec.id, rec)
    L.linkCitizen(rec.citizenId, rec.id)
    L.addTimer(rec.expiresAt, 'hold', rec.id)
  }

  for (const f of [...from.ledger.freezes.values()].sort(byStartThenId)) {
    const staff = staffOf(f.staff), start = unit(f.start), end = unit(f.end)
    // A freeze whose time the change removed has nothing left to block.
    if (Number.isNaN(start) || Number.isNaN(end) || end <= now || !to.occ.isFree(staff, start, end)) continue
    const si = to.occ.segmentAt(staff, start)
    if (si < 0 || tm.segments[si].end < end || tm.segments[si].office !== officeOf(f.office)) continue
    to.occ.mark(staff, start, end)
    L.freezes.set(f.id, { ...f, staff, office: officeOf(f.office), start, end })
    L.addTimer(f.until, 'freeze', f.id)
  }

  // Waiting citizens keep their place (their sequence numbers order them; prepare assigns anew in this order).
  const live = [...from.engine.wl.entries.values()].filter((r) => r.state === 'waiting' || r.state === 'offered').sort((a, b) => a.seq - b.seq)
  // Entries are stored in canonical form when they join and never change: on the same calendar,
  // services and districts what was derived from them carries over, and declined slots keep their keys.
  const sameCalendar = sameIndices && fm.days === tm.days && fm.zone === tm.zone && sameList(fm.serviceIds, tm.serviceIds) && sameList(fm.districtIds, tm.districtIds) && fm.officeDistrict.every((k, o) => tm.officeDistrict[o] === k)
  for (const r of live) {
    const rec = sameCalendar ? to.engine.wl.carry(r) : to.engine.wl.prepare(structuredClone(r.entry))
    if (sameIndices) rec.declined = new Set(r.declined)
    else
      for (const k of r.declined) {
        const [p, u] = k.split(':').map(Number)
        const nu = unit(u)
        if (!Number.isNaN(nu) && nu >= 0) rec.declined.add(`${staffOf(p)}:${nu}`)
      }
    to.engine.wl.add(rec)
  }

  for (const g of [...from.ledger.groups.values()].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1))) {
    const office = officeOf(g.office), staff = staffOf(g.staff)
    const start = unit(g.start), end = unit(g.end)
    const si = Number.isNaN(start) ? -1 : to.occ.segmentAt(staff, start)
    // An offer is for the services' duration now; after a duration change it is made anew.
    const sized = g.offerIds.every((id) => to.durationAt(office, from.ledger.offers.get(id)!.services) === end - start)
    const fits = !Number.isNaN(end) && start >= now && sized && si >= 0 && tm.segments[si].end >= end && tm.segments[si].office === office && to.occ.isFree(staff, start, end)
    if (!fits) {
      for (const id of g.offerIds) out.withdrawnOffers.push(from.offerView(from.ledger.offers.get(id)!, g))
      continue
    }
    to.occ.mark(staff, start, end)
    L.groups.set(g.id, { ...g, office, staff, start, end, offerIds: [...g.offerIds] })
    for (const id of g.offerIds) {
      const o = from.ledger.offers.get(id)!
      L.offers.set(id, { ...o, services: [...o.services] })
      to.engine.wl.markOffered(to.engine.wl.entries.get(o.entryId)!, id)
    }
    L.addTimer(g.expiresAt, 'offer', g.id)
  }

  // Keys of appointments that left memory go with them; a disrupted one may be moved and keep its id.
  const disruptedIds = new Set(out.disrupted.map((d) => d.old.id))
  for (const [k, v] of from.ledger.idempotency) if (L.appointments.has(v.appointmentId) || disruptedIds.has(v.appointmentId)) L.idempotency.set(k, { ...v })
  for (const id of from.ledger.foreignIds) L.foreignIds.add(id)
  // The bits were set in one batch (mark); the indexes once, now.
  to.occ.reindex()
  Object.assign(L.seq, { ...from.ledger.seq, timer: L.seq.timer })
  return out
}
