/**
 * terminplan — public API. Everything a booking backend, a planner's script or an adapter needs
 * is exported from here; internal modules may change.
 */
export * from './model/index.js'
export * from './solver/index.js'
