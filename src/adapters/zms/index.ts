export { importZms, differentiates, DEFAULT_HOURS, type ZmsImportOptions, type ZmsImportReport, type ZmsBookableEntry } from './import.js'
export { exportZmsFreeSlots, freeSlotRows, ZmsFreeSlotsSchema, type ZmsFreeSlots, type ZmsFreeSlotsOptions, type ZmsDay } from './export.js'
export {
  ZmsLocationsFileSchema,
  ZmsServicesFileSchema,
  ZmsAvailabilityFileSchema,
  type ZmsLocation,
  type ZmsService,
  type ZmsAvailability,
} from './formats.js'
