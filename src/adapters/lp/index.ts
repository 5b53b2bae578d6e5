export { createLpBackend, LP_BACKENDS, workerEntry, type LpBackendName, type LpBackendOptions } from './backend.js'
export { JSLP_MAX_CELLS, jslpCells } from './limits.js'
