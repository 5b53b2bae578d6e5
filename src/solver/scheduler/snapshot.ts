/** Snapshot and restore of a booking state: every record in stable form (ids and ISO times). */
import { fail, TerminplanError } from '../../model/errors.js'
import { serviceListIssues } from '../../model/rules.js'
import { parseInstant } from '../../model/tz.js'
import { getBit } from '../../model/bitset.js'
import { compareIds, type AppointmentRec, type HoldRec, type OfferGroupRec } from '../ledger.js'
import { setContextNow } from '../search.js'
import type { ChangeRecord, SchedulerSnapshot } from './snapshot-schema.js'
import type { BookingState } from './state.js'

export function writeSnapshot(st: BookingState, scenarioHash: string, changes: ChangeRecord[], horizonStart: string | undefined, rolling: boolean): SchedulerSnapshot {
  const m = st.model, L = st.ledger
  const byStartThenId = <T extends { start: number; id: string }>(a: T, b: T) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  return {
    version: 1,
    scenarioHash,
    now: st.cal.formatMs(st.ctx.now),
    seq: { hold: L.seq.hold, appointment: L.seq.appointment, freeze: L.seq.freeze },
    appointments: [...L.appointments.values()].sort(byStartThenId).map((a) => {
      const o: SchedulerSnapshot['appointments'][number] = { id: a.id, officeId: m.officeIds[a.office], staffId: m.staffIds[a.staff], start: st.cal.unitIso(a.start), services: [...a.services] }
      if (a.end - a.start !== st.durationAt(a.office, a.services)) o.end = st.cal.unitIso(a.end)
      if (a.citizenId !== undefined) o.citizenId = a.citizenId
      return o
    }),
    holds: [...L.holds.values()].sort(byStartThenId).map((h) => ({
      id: h.id,
      officeId: m.officeIds[h.office],
      staffId: m.staffIds[h.staff],
      start: st.cal.unitIso(h.start),
      ...(h.end - h.start !== st.durationAt(h.office, h.services) ? { end: st.cal.unitIso(h.end) } : {}),
      services: [...h.services],
      citizenId: h.citizenId,
      createdAt: st.cal.formatMs(h.createdAt),
      expiresAt: st.cal.formatMs(h.expiresAt),
    })),
    freezes: [...L.freezes.values()].sort(byStartThenId).map((f) => ({
      id: f.id,
      officeId: m.officeIds[f.office],
      staffId: m.staffIds[f.staff],
      start: st.cal.unitIso(f.start),
      end: st.cal.unitIso(f.end),
      until: st.cal.formatMs(f.until),
    })),
    idempotency: [...L.idempotency.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => [k, { ...v }]),
    waitlist: [...st.engine.wl.entries.values()]
      .filter((r) => r.state === 'waiting' || r.state === 'offered')
      .sort((a, b) => a.seq - b.seq)
      .map((r) => ({ entry: structuredClone(r.entry), state: r.state as 'waiting' | 'offered', declined: [...r.declined].map((k) => slotKeyOut(st, k)).sort() })),
    offerGroups: [...L.groups.values()]
      .sort((a, b) => a.start - b.start || compareIds(a.id, b.id))
      .map((g) => ({
        id: g.id,
        officeId: m.officeIds[g.office],
        staffId: m.staffIds[g.staff],
        start: st.cal.unitIso(g.start),
        end: st.cal.unitIso(g.end),
        createdAt: st.cal.formatMs(g.createdAt),
        expiresAt: st.cal.formatMs(g.expiresAt),
        offers: g.offerIds.map((id) => {
          const o = L.offers.get(id)!
          return { id: o.id, entryId: o.entryId, citizenId: o.citizenId, services: [...o.services] }
        }),
      })),
    changes: structuredClone(changes),
    ...(horizonStart !== undefined ? { horizonStart } : {}),
    ...(rolling ? { rolling: true as const } : {}),
    seqWaitlist: { entry: L.seq.entry, offer: L.seq.offer, group: L.seq.group },
  }
}

/** A declined-slot key (`staff:unit`) in stable form (`staffId@ISO`) and back. */
function slotKeyOut(st: BookingState, k: string): string {
  const [p, u] = k.split(':').map(Number)
  return `${st.model.staffIds[p]}@${st.cal.unitIso(u)}`
}

function slotKeyIn(st: BookingState, k: string, path: string): string {
  const at = k.lastIndexOf('@')
  const p = st.model.staffIndex.get(k.slice(0, at))
  const ms = parseInstant(k.slice(at + 1))
  if (at < 0 || p === undefined || ms === null) fail('STATE_INVALID', path, 'invalid_snapshot', `not a declined slot: ${k}`)
  return `${p}:${(ms - st.model.t0) / st.model.unitMs}`
}


/**
 * Rebuilds the records of a validated snapshot into a fresh state; every record is checked like a
 * command, all or nothing (a failure leaves a half-filled state the caller throws away).
 */
export function restoreRecords(st: BookingState, snap: SchedulerSnapshot): void {
  const m = st.model
  const bad = (path: string, message: string): never => fail('STATE_INVALID', path, 'invalid_snapshot', message)
  const now = parseInstant(snap.now)!
  const unitOf = (iso: string, path: string) => {
    const ms = parseInstant(iso)!
    if ((ms - m.t0) % m.unitMs !== 0) bad(path, `not on the time grid: ${iso}`)
    return (ms - m.t0) / m.unitMs
  }
  const idx = (map: Map<string, number>, id: string, path: string) => map.get(id) ?? bad(path, `unknown id "${id}"`)
  const seen = new Set<string>()
  const fresh = (id: string, path: string) => {
    if (seen.has(id)) bad(path, `id "${id}" appears twice`)
    seen.add(id)
  }
  const lengthOf = (office: number, services: string[], path: string) => {
    const sl = serviceListIssues(m.scenario, [], services)
    if (sl.length) bad(`${path}.services`, sl[0].message)
    const dur = st.durationAt(office, services)
    if (dur === 0) bad(`${path}.services`, 'services not offered at the office')
    return dur
  }
  const place = (p: number, a: number, b: number, path: string) => {
    if (!st.occ.isFree(p, a, b)) bad(path, 'overlaps another record or lies outside working time')
    st.occ.occupy(p, a, b)
  }
  // An appointment that had begun may lie where a later change took the working time away (transfer.ts keeps it).
  const placeBegun = (p: number, a: number, b: number, path: string) => {
    if (a < 0 || b > m.nUnits) bad(path, 'outside the horizon')
    for (let u = a; u < b; u++) if (getBit(st.occ.busy[p], u)) bad(path, 'overlaps another record')
    st.occ.occupy(p, a, b)
  }
  setContextNow(st.ctx, now)
  for (const a of m.scenario.appointments) st.ledger.foreignIds.add(a.id)
  snap.appointments.forEach((a, i) => {
    const path = `$.appointments[${i}]`
    fresh(a.id, `${path}.id`)
    const office = idx(m.officeIndex, a.officeId, `${path}.officeId`), staff = idx(m.staffIndex, a.staffId, `${path}.staffId`)
    const start = unitOf(a.start, `${path}.start`)
    const len = lengthOf(office, a.services, path)
    const end = a.end !== undefined ? unitOf(a.end, `${path}.end`) : start + len
    if (end <= start) bad(`${path}.end`, 'an appointment must not be empty')
    if (start < st.ctx.nowUnit) placeBegun(staff, start, end, path)
    else place(staff, start, end, path)
    const rec: AppointmentRec = { id: a.id, staff, office, start, end, services: [...a.services] }
    if (a.citizenId !== undefined) rec.citizenId = a.citizenId
    st.ledger.appointments.set(a.id, rec)
    st.ledger.linkCitizen(rec.citizenId, rec.id)
  })
  snap.holds.forEach((h, i) => {
    const path = `$.holds[${i}]`
    fresh(h.id, `${path}.id`)
    const office = idx(m.officeIndex, h.officeId, `${path}.officeId`), staff = idx(m.staffIndex, h.staffId, `${path}.staffId`)
    const start = unitOf(h.start, `${path}.start`)
    const len = lengthOf(office, h.services, path)
    const end = h.end !== undefined ? unitOf(h.end, `${path}.end`) : start + len
    if (end <= start) bad(`${path}.end`, 'a hold must not be empty')
    const expiresAt = parseInstant(h.expiresAt)!
    if (expiresAt <= now) bad(`${path}.expiresAt`, 'the hold had expired by the snapshot\'s time')
    place(staff, start, end, path)
    const rec: HoldRec = { id: h.id, staff, office, start, end, services: [...h.services], citizenId: h.citizenId, createdAt: parseInstant(h.createdAt)!, expiresAt }
    st.ledger.holds.set(h.id, rec)
    st.ledger.linkCitizen(rec.citizenId, rec.id)
    st.ledger.addTimer(rec.expiresAt, 'hold', rec.id)
  })
  snap.freezes.forEach((f, i) => {
    const path = `$.freezes[${i}]`
    fresh(f.id, `${path}.id`)
    const office = idx(m.officeIndex, f.officeId, `${path}.officeId`), staff = idx(m.staffIndex, f.staffId, `${path}.staffId`)
    const start = unitOf(f.start, `${path}.start`), end = unitOf(f.end, `${path}.end`)
    if (end <= start) bad(`${path}.end`, 'a freeze must not be empty')
    const until = parseInstant(f.until)!
    if (until <= now) bad(`${path}.until`, 'the freeze had ended by the snapshot\'s time')
    place(staff, start, end, path)
    st.ledger.freezes.set(f.id, { id: f.id, staff, office, start, end, until })
    st.ledger.addTimer(until, 'freeze', f.id)
  })
  for (const [k, v] of snap.idempotency) st.ledger.idempotency.set(k, { ...v })
  snap.waitlist.forEach((w, i) => {
    const path = `$.waitlist[${i}]`
    const issues = st.entryIssues(w.entry, ['waitlist', i, 'entry'])
    if (issues.length) throw new TerminplanError('STATE_INVALID', `invalid snapshot: ${issues[0].path}: ${issues[0].message}`, issues)
    fresh(`entry:${w.entry.id}`, `${path}.entry.id`)
    fresh(`need:${w.entry.citizenId}\u0000${[...w.entry.services].sort().join('\u0000')}`, `${path}.entry.citizenId`)
    const rec = st.engine.wl.prepare(structuredClone(w.entry))
    w.declined.forEach((k, j) => rec.declined.add(slotKeyIn(st, k, `${path}.declined[${j}]`)))
    st.engine.wl.add(rec)
  })
  snap.offerGroups.forEach((gs, i) => {
    const path = `$.offerGroups[${i}]`
    fresh(gs.id, `${path}.id`)
    const office = idx(m.officeIndex, gs.officeId, `${path}.officeId`), staff = idx(m.staffIndex, gs.staffId, `${path}.staffId`)
    const start = unitOf(gs.start, `${path}.start`), end = unitOf(gs.end, `${path}.end`)
    const expiresAt = parseInstant(gs.expiresAt)!
    if (expiresAt <= now) bad(`${path}.expiresAt`, "the offer had expired by the snapshot's time")
    place(staff, start, end, path)
    const g: OfferGroupRec = { id: gs.id, staff, office, start, end, createdAt: parseInstant(gs.createdAt)!, expiresAt, offerIds: [] }
    gs.offers.forEach((o, j) => {
      fresh(o.id, `${path}.offers[${j}].id`)
      const rec = st.engine.wl.entries.get(o.entryId)
      if (!rec || rec.state !== 'waiting' || rec.entry.citizenId !== o.citizenId) bad(`${path}.offers[${j}].entryId`, `no waiting entry "${o.entryId}" of that citizen`)
      if (start + lengthOf(office, o.services, `${path}.offers[${j}]`) !== end) bad(`${path}.offers[${j}].services`, 'services do not fill the offered slot')
      st.engine.wl.markOffered(rec!, o.id)
      st.ledger.offers.set(o.id, { id: o.id, groupId: g.id, entryId: o.entryId, citizenId: o.citizenId, services: [...o.services] })
      g.offerIds.push(o.id)
    })
    st.ledger.groups.set(g.id, g)
    st.ledger.addTimer(expiresAt, 'offer', g.id)
  })
  for (const w of snap.waitlist)
    if (w.state === 'offered' && st.engine.wl.entries.get(w.entry.id)!.state !== 'offered') bad('$.waitlist', `entry "${w.entry.id}" is marked offered but has no offer`)
  Object.assign(st.ledger.seq, { hold: snap.seq.hold, appointment: snap.seq.appointment, freeze: snap.seq.freeze, ...snap.seqWaitlist })
}
