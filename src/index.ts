/**
 * terminplan — public API. Everything a booking backend, a planner's script or an adapter needs
 * is exported from here; internal modules may change.
 */
export * from './model/index.js'
export * from './solver/index.js'
export * from './adapters/calendar-port.js'
export * from './adapters/ical/index.js'
export * from './adapters/caldav/index.js'
export * from './adapters/zms/index.js'
export * from './adapters/notify/index.js'
export * from './solver/matching/index.js'
export * from './solver/lp/index.js'
export * from './solver/assign/index.js'
export * from './solver/plan/index.js'
export { createLpBackend, LP_BACKENDS, JSLP_MAX_CELLS, type LpBackendName, type LpBackendOptions } from './adapters/lp/index.js'
export * from './adapters/journal/index.js'
export * from './adapters/report/index.js'
