export {
  importStaffAvailability,
  defaultClassify,
  parseCalendars,
  eventFingerprint,
  ianaZoneOf,
  StaffAvailabilitySchema,
  type EventKind,
  type IcsEventInfo,
  type IcsImportOptions,
  type StaffAvailability,
} from './import.js'
export {
  exportAppointmentsIcs,
  calendarAppointmentsToIcs,
  parseCalendarAppointments,
  exportRosterIcs,
  shiftOccurrenceKeys,
  type AppointmentExportOptions,
  type AppointmentIcsOptions,
  type RosterExportOptions,
} from './export.js'
export { IcsCalendarAdapter, type IcsAdapterOptions } from './adapter.js'
export { buildVtimezone, vtimezoneGenerator, offsetTransitions, type VtimezoneOptions } from './vtimezone.js'
