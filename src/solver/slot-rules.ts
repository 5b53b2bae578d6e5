/**
 * Every rule that can exclude a slot, by name. The search's explanation and the hold check report
 * rejections with these codes, so "why no slot" and the code speak one language. Shift, opening
 * hours, breaks, absences and closures are applied once in compile() (they shape the working
 * segments); the rules here say which of them left an office-day without working time.
 */
export const SLOT_RULES = {
  office_not_requested: 'Office not among the requested offices',
  service_not_offered: 'Office does not offer this combination of services',
  no_skilled_staff: 'No staff member at the office has every required skill',
  outside_horizon: 'Date outside the planning horizon',
  outside_booking_window: "Outside the office's booking window",
  office_closed: 'Office closed (no opening hours, closure or holiday)',
  no_staff_on_duty: 'No skilled staff member on duty (shifts, breaks, absences)',
  windows_never_open: "The requested time windows don't meet working time",
  in_the_past: 'Working time already past',
  fully_booked: 'Fully booked',
  // Slot-level rules, used when a concrete slot is held.
  unknown_staff: 'Unknown staff member',
  unknown_office: 'Unknown office',
  staff_lacks_skill: 'Staff member lacks a required skill',
  wrong_duration: 'Slot length does not match the services at this office',
  off_grid: 'Slot does not start on the time grid',
  outside_working_time: 'Outside shift, opening hours, or inside a break, absence or closure',
  slot_taken: 'Slot already taken',
} as const

export type SlotRuleCode = keyof typeof SLOT_RULES

export interface Reason {
  code: SlotRuleCode
  name: string
  count: number
  /** What was counted: whole offices or single office-days. */
  per: 'office' | 'office-day'
}

export function reason(code: SlotRuleCode, count: number, per: Reason['per']): Reason {
  return { code, name: SLOT_RULES[code], count, per }
}
