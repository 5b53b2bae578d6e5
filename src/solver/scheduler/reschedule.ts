/** reschedule: an appointment moved to another slot atomically, with the rules of a booking. */
import { fail } from '../../model/errors.js'
import { ConfirmOptionsSchema, isPlainConfirmOptions, parseCommand, type ConfirmOptions, type Slot } from '../../model/requests.js'
import { fnv1a } from '../search.js'
import { checkIdArg } from './args.js'
import type { Appointment } from './types.js'
import type { SchedulerImpl } from './impl.js'

export function reschedule(s: SchedulerImpl, appointmentId: string, slotInput: Slot, optsInput: ConfirmOptions = {}): Appointment {
  const opts = isPlainConfirmOptions(optsInput) ? optsInput : parseCommand(ConfirmOptionsSchema, optsInput, 'reschedule options')
  checkIdArg(appointmentId, '$.appointmentId', 'appointment id')
  const { office, staff, start, end, services } = s.st.resolveSlot(slotInput)
  const key = opts.idempotencyKey
  // The same key for the same move returns the appointment as it is now (the source is bounded, like an id).
  const source = `reschedule#${fnv1a(`${appointmentId}@${s.model.staffIds[staff]}@${s.cal.unitIso(start)}`).toString(16)}`
  const replay = s.replay(key, source)
  if (replay) return replay
  const a = s.ledger.appointments.get(appointmentId)
  if (!a) fail('NOT_FOUND', '$.appointmentId', 'appointment_not_found', `no appointment "${appointmentId}"`)
  if (a.start < s.ctx.nowUnit) fail('CONFLICT', '$.appointmentId', 'already_started', `appointment "${appointmentId}" has already begun`)
  const sameServices = a.services.length === services.length && [...a.services].sort().join('\u0000') === [...services].sort().join('\u0000')
  if (!sameServices) fail('COMMAND_INVALID', '$.services', 'wrong_services', 'a rescheduled appointment keeps its services (book anew for others)')
  // The appointment's own time counts as free for its new slot; it is taken back if the move fails.
  s.occ.release(a.staff, a.start, a.end)
  const problem = s.st.placementProblem(office, staff, start, end, services, true)
  if (problem) {
    s.occ.occupy(a.staff, a.start, a.end)
    s.st.failPlacement(problem)
  }
  const previous = s.st.apptView(a)
  if (a.staff === staff && a.start === start && a.office === office) {
    // Already there: nothing moves and nobody is told.
    s.occ.occupy(a.staff, a.start, a.end)
    if (key !== undefined) s.ledger.idempotency.set(key, { holdId: source, appointmentId: a.id })
    return previous
  }
  const old = { staff: a.staff, office: a.office, start: a.start, end: a.end }
  s.occ.occupy(staff, start, end)
  Object.assign(a, { staff, office, start, end })
  if (key !== undefined) s.ledger.idempotency.set(key, { holdId: source, appointmentId: a.id })
  s.beginSet.delete(a.id)
  s.scheduleReminder(a)
  const view = s.st.apptView(a)
  s.emit('appointmentMoved', { appointment: view, previous, reason: 'rescheduled' })
  if (a.citizenId !== undefined)
    s.notify({
      kind: 'appointment_moved',
      idempotencyKey: `appointment_moved:${a.id}:${s.now()}:${view.start}`,
      citizenId: a.citizenId,
      at: s.now(),
      appointmentId: a.id,
      officeId: view.officeId,
      start: view.start,
      end: view.end,
      services: [...a.services],
      previous: { officeId: previous.officeId, staffId: previous.staffId, start: previous.start, end: previous.end },
    })
  // The old time is free now: whatever of it the new slot does not cover goes to the waitlist.
  const freed = old.staff === staff ? [[old.start, Math.min(old.end, start)], [Math.max(old.start, end), old.end]] : [[old.start, old.end]]
  for (const [x, y] of freed) if (x < y && s.occ.isFree(old.staff, x, y)) {
    s.emit('freed', { officeId: s.model.officeIds[old.office], staffId: s.model.staffIds[old.staff], start: s.cal.unitIso(x), end: s.cal.unitIso(y), reason: 'rescheduled' })
    s.engine.offerFreeRun(old.staff, x, y)
  }
  return view
}
