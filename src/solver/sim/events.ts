/**
 * events.csv: one row per simulated request, from which the KPIs can be recomputed (see kpis.ts
 * for the rule). Citizens appear only as request ids; nothing personal is written.
 */
import { formatInstant } from '../../model/tz.js'
import type { SimulationRun } from './simulate.js'

export const EVENTS_HEADER = ['request_id', 'services', 'district', 'requested_at', 'outcome', 'appointment_start', 'office_id'] as const

/** RFC 4180 quoting where needed. */
function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

/**
 * The CSV lines (with line ends) of one or more runs; with several, or when `policyColumn` is set,
 * a leading `policy` column tells them apart (the run's label).
 */
/** The header line (with its line end). */
export function eventsHeader(policyColumn: boolean): string {
  return `${[...(policyColumn ? ['policy'] : []), ...EVENTS_HEADER].join(',')}\n`
}

export function* eventsCsv(runs: { label: string; run: SimulationRun }[], policyColumn = runs.length > 1): Generator<string> {
  yield eventsHeader(policyColumn)
  for (const { label, run } of runs) {
    const { log, model, result } = run
    const zone = model.zone
    const districts = result.byDistrict.map((d) => d.district)
    const offices = result.byOffice.map((o) => o.officeId)
    const prefix = policyColumn ? `${cell(label)},` : ''
    for (let i = 0; i < log.length; i++) {
      const start = log.start[i]
      const hasStart = log.hadAppointment(i) || log.outcomeOf(i) === 'cancelled'
      const row = [
        `r${i + 1}`,
        cell(log.serviceKeys[log.services[i]]),
        cell(districts[log.district[i]]),
        formatInstant(zone, log.requestedAt[i]),
        log.outcomeOf(i),
        hasStart && Number.isFinite(start) ? formatInstant(zone, start) : '',
        hasStart && log.office[i] >= 0 ? cell(offices[log.office[i]]) : '',
      ]
      yield `${prefix}${row.join(',')}\n`
    }
  }
}
