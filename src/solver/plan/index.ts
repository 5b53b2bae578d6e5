export { planCapacity, EXACT_MAX_INTEGERS, SMALL_MODEL_COLUMNS, type CapacityPlan, type OfficeDayPlan, type PlanKpis, type PlanOptions, type Quota } from './plan.js'
export { DEFAULT_PLAN_WEIGHTS, type PlanWeights } from './lp.js'
export type { PatternSlot } from './realise.js'
export { createQuotaGate, keptBackRanges, planSlots, type KeptBackRange, type QuotaGate } from './apply.js'
