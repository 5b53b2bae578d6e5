/** The planner's HTML report of a comparison of simulation runs (issue #6). */
export { renderReport, DEFAULT_REFERENCE_BAND, type ReportOptions } from './html.js'
