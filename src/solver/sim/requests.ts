/**
 * The simulated requests, one row each, in columns (hundreds of thousands of rows): what was
 * asked, how it ended. KPIs and events.csv are computed from these rows alone.
 */
import type { Outcome } from './types.js'
import { OUTCOMES } from './types.js'

export const OUTCOME_CODE: Record<Outcome, number> = { booked: 0, waitlist_booked: 1, unserved: 2, cancelled: 3, no_show: 4 }

export class RequestLog {
  /** Epoch ms of the request. */
  readonly requestedAt: number[] = []
  /** Index into `serviceKeys` (services joined by "+"). */
  readonly services: number[] = []
  readonly district: number[] = []
  readonly outcome: number[] = []
  /** Epoch ms of the appointment's start, NaN without one. */
  readonly start: number[] = []
  /** Office index of the appointment, -1 without one. */
  readonly office: number[] = []
  /** Appointment length in grid units (for no-show losses). */
  readonly units: number[] = []
  readonly serviceKeys: string[] = []
  private readonly serviceKeyIndex = new Map<string, number>()

  get length(): number {
    return this.requestedAt.length
  }

  add(at: number, servicesKey: string, district: number): number {
    let k = this.serviceKeyIndex.get(servicesKey)
    if (k === undefined) {
      k = this.serviceKeys.length
      this.serviceKeys.push(servicesKey)
      this.serviceKeyIndex.set(servicesKey, k)
    }
    this.requestedAt.push(at)
    this.services.push(k)
    this.district.push(district)
    this.outcome.push(OUTCOME_CODE.unserved)
    this.start.push(NaN)
    this.office.push(-1)
    this.units.push(0)
    return this.requestedAt.length - 1
  }

  setAppointment(i: number, outcome: 'booked' | 'waitlist_booked', start: number, office: number, units: number): void {
    this.outcome[i] = OUTCOME_CODE[outcome]
    this.start[i] = start
    this.office[i] = office
    this.units[i] = units
  }

  setOutcome(i: number, outcome: Outcome): void {
    this.outcome[i] = OUTCOME_CODE[outcome]
  }

  outcomeOf(i: number): Outcome {
    return OUTCOMES[this.outcome[i]]
  }

  /** Whether the request had an appointment that took place or was missed (not cancelled). */
  hadAppointment(i: number): boolean {
    const o = this.outcome[i]
    return o === OUTCOME_CODE.booked || o === OUTCOME_CODE.waitlist_booked || o === OUTCOME_CODE.no_show
  }
}
