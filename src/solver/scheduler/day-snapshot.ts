/** The day of service in a snapshot: written only once it has been used, so older snapshots are unchanged. */
import { TerminplanError } from '../../model/errors.js'
import { parseInstant } from '../../model/tz.js'
import { DayState, newActiveDay, OPEN_STATES, type DaySnapshot, type TicketRec } from '../day/state.js'
import { fillBook } from './day-sweep.js'
import type { SchedulerImpl } from './impl.js'

export function writeDay(s: SchedulerImpl): DaySnapshot | undefined {
  const d = s.day
  if (d.seq === 0 && d.active.size === 0 && d.samples.size === 0 && d.noShows.size === 0) return undefined
  const iso = (ms: number) => s.st.isoMs(ms)
  return {
    seq: d.seq,
    // Keys in the schema's order, so a restored day writes the same bytes.
    tickets: [...d.tickets.values()].map((t) => {
      const o = { id: t.id, seq: t.seq, code: t.code, officeId: t.officeId, date: t.date, kind: t.kind } as DaySnapshot['tickets'][number]
      if (t.appointmentId !== undefined) o.appointmentId = t.appointmentId
      o.services = [...t.services]
      o.checkedInAt = iso(t.checkedInAt)
      if (t.punctuality !== undefined) o.punctuality = t.punctuality
      o.state = t.state
      if (t.staffId !== undefined) o.staffId = t.staffId
      if (t.reservedStaffId !== undefined) o.reservedStaffId = t.reservedStaffId
      if (t.calledAt !== undefined) o.calledAt = iso(t.calledAt)
      if (t.startedAt !== undefined) o.startedAt = iso(t.startedAt)
      if (t.finishedAt !== undefined) o.finishedAt = iso(t.finishedAt)
      return o
    }),
    codes: [...d.codes],
    noShows: [...d.noShows.values()].map((n) => ({ ...n, services: [...n.services], start: iso(n.start), end: iso(n.end), at: iso(n.at) })),
    active: [...d.active.values()].map((a) => [a.officeId, a.date] as [string, string]),
    samples: [...d.samples].map(([k, xs]) => [k, [...xs]] as [string, number[]]),
    totals: { ...s.dayTotals, waits: [...s.dayTotals.waits] },
  }
}

/** Rebuilds the day from a validated snapshot; the ledger is already restored. */
export function restoreDay(s: SchedulerImpl, snap: DaySnapshot | undefined): void {
  s.day = new DayState()
  s.dayOpen.clear()
  s.day.busy.clear()
  if (!snap) return
  const ms = (x: string) => parseInstant(x)!
  const d = s.day
  d.seq = snap.seq
  for (const t of snap.tickets) {
    if (d.tickets.has(t.id)) bad(`$.day.tickets`, `ticket "${t.id}" appears twice`)
    const rec: TicketRec = { id: t.id, seq: t.seq, code: t.code, officeId: t.officeId, date: t.date, kind: t.kind, services: [...t.services], checkedInAt: ms(t.checkedInAt), state: t.state }
    if (t.appointmentId !== undefined) rec.appointmentId = t.appointmentId
    if (t.punctuality !== undefined) rec.punctuality = t.punctuality
    if (t.staffId !== undefined) rec.staffId = t.staffId
    if (t.reservedStaffId !== undefined) rec.reservedStaffId = t.reservedStaffId
    if (t.calledAt !== undefined) rec.calledAt = ms(t.calledAt)
    if (t.startedAt !== undefined) rec.startedAt = ms(t.startedAt)
    if (t.finishedAt !== undefined) rec.finishedAt = ms(t.finishedAt)
    d.tickets.set(t.id, rec)
    if (rec.appointmentId !== undefined) d.byAppointment.set(rec.appointmentId, rec.id)
    if (OPEN_STATES.has(rec.state)) {
      let set = s.dayOpen.get(rec.officeId)
      if (!set) s.dayOpen.set(rec.officeId, (set = new Set()))
      set.add(rec.id)
      if (rec.state !== 'waiting' && rec.staffId !== undefined) d.busy.set(rec.staffId, rec.id)
    }
  }
  for (const [k, n] of snap.codes) d.codes.set(k, n)
  for (const n of snap.noShows) d.noShows.set(n.appointmentId, { ...n, services: [...n.services], start: ms(n.start), end: ms(n.end), at: ms(n.at) })
  for (const [k, xs] of snap.samples) for (const x of xs) d.add(k, x)
  for (const [officeId, date] of snap.active) {
    const day = newActiveDay(officeId, date)
    d.active.set(`${officeId}|${date}`, day)
    fillBook(s, day)
  }
  s.dayTotals = { ...snap.totals, waits: [...snap.totals.waits] }
}

function bad(path: string, message: string): never {
  throw new TerminplanError('STATE_INVALID', `invalid snapshot: ${path}: ${message}`, [{ path, code: 'invalid_snapshot', message }])
}
