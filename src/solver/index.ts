export * from './scheduler.js'
export { SLOT_RULES, type SlotRuleCode, type Reason } from './slot-rules.js'
export type { Explanation, SearchResult } from './search.js'
export { fillScheduler, type FillOptions } from './fill.js'
