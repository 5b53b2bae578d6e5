/**
 * `terminplan import zms` — ZMS/DLDB exports (locations, services, availability) → a scenario;
 * `terminplan export zms` — a scenario's free slots in the shape of ZMS's calendar API.
 */
import type { Command } from 'commander'
import { importZms } from '../../adapters/zms/import.js'
import { exportZmsFreeSlots, freeSlotRows } from '../../adapters/zms/export.js'
import type { OpeningHours } from '../../model/schema.js'
import { isValidLocalDate, isValidZone, localDateOf, parseTimeOfDay, wallToInstant } from '../../model/tz.js'
import { createScheduler, restoreScheduler } from '../../solver/index.js'
import { readScenario } from '../io.js'
import { readJsonInput, usage, writeOutput } from '../input.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface ImportZmsOpts {
  locations: string
  services: string
  availability?: string[]
  scope?: string[]
  defaultScope?: string
  offices?: string
  match?: string
  start?: string
  days: string
  timezone: string
  slotMinutes?: string
  hours?: string
  desks?: string
  staff: string
  districts?: string
  output?: string
}

interface ExportZmsOpts {
  services: string
  offices?: string
  from?: string
  to?: string
  now?: string
  snapshot?: string
  format: string
  output?: string
}

function int(option: string, v: string, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) usage(option, `must be an integer ${min}–${max}, got ${v}`)
  return n
}

/** `1-5 08:00-16:00; 6 09:00-12:00` → opening hours. */
export function parseHours(spec: string): OpeningHours[] {
  return spec.split(';').map((part) => {
    const m = /^\s*([1-7](?:-[1-7])?(?:,[1-7](?:-[1-7])?)*)\s+(\d{2}:\d{2})-(\d{2}:\d{2})\s*$/.exec(part)
    if (!m) usage('--hours', `expected "1-5 08:00-16:00" (weekdays 1 = Monday … 7, ranges, ";" between rules), got "${part.trim()}"`)
    const weekdays = new Set<number>()
    for (const r of m[1].split(',')) {
      const [a, b] = r.split('-').map(Number)
      for (let d = a; d <= (b ?? a); d++) weekdays.add(d)
    }
    if (parseTimeOfDay(m[2]) === null || parseTimeOfDay(m[3]) === null || parseTimeOfDay(m[3])! <= parseTimeOfDay(m[2])!) usage('--hours', `invalid times in "${part.trim()}"`)
    return { weekdays: [...weekdays].sort(), from: m[2], to: m[3] }
  })
}

const collect = (v: string, prev: string[] = []) => [...prev, v]

export const registerImport: RegisterCommand = (program: Command, io: CliIo) => {
  const imp = program.command('import').description('import data from other systems into a scenario')
  imp
    .command('zms')
    .description('ZMS/DLDB exports (eappointment) → a valid scenario: offices, services with per-office durations, hours and desks')
    .requiredOption('--locations <file>', 'locations export (locations_de.json, .gz allowed)')
    .requiredOption('--services <file>', 'services export (services_de.json)')
    .option('--availability <file>', 'availability export (availabilityList_<scope>.json); repeatable', collect)
    .option('--scope <scope=location>', 'map an availability scope to a location id; repeatable', collect)
    .option('--default-scope <scope>', "use this scope's availability for locations without their own")
    .option('--offices <ids>', 'comma-separated location ids to import (default: all public locations with a bookable service)')
    .option('--match <regex>', 'only locations whose name matches, e.g. "Bürgeramt"')
    .option('--start <date>', 'first day of the horizon (default: today)')
    .option('--days <n>', 'horizon length in days', '28')
    .option('--timezone <zone>', 'time zone', 'Europe/Berlin')
    .option('--slot-minutes <n>', 'slot time where the data has none (default 10)')
    .option('--hours <spec>', 'opening hours of offices without availability (default "1-5 08:00-16:00")')
    .option('--desks <n>', 'desks of offices without availability (default 1)')
    .option('--staff <mode>', 'desks: one pseudo staff member per workstation; none: no staff', 'desks')
    .option('--districts <file>', 'JSON object location id → district')
    .option('-o, --output <file>', 'write the scenario here instead of stdout')
    .action((opts: ImportZmsOpts) => {
      if (!isValidZone(opts.timezone)) usage('--timezone', `not an IANA time zone: ${opts.timezone}`)
      const start = opts.start ?? localDateOf(opts.timezone, Date.now())
      if (!isValidLocalDate(start)) usage('--start', `not a date (YYYY-MM-DD): ${start}`)
      if (opts.staff !== 'desks' && opts.staff !== 'none') usage('--staff', 'use desks or none')
      const scopes: Record<string, string> = {}
      for (const m of opts.scope ?? []) {
        const [scope, location] = m.split('=')
        if (!scope || !location) usage('--scope', `expected <scope>=<location id>, got "${m}"`)
        scopes[scope.trim()] = location.trim()
      }
      const files = [opts.locations, opts.services, ...(opts.availability ?? [])]
      const districts = opts.districts ? (readJsonInput(opts.districts, 'districts') as Record<string, string>) : undefined
      if (districts !== undefined && (typeof districts !== 'object' || districts === null || Object.values(districts).some((v) => typeof v !== 'string')))
        usage('--districts', 'expected a JSON object of location id → district name')
      const { scenario, report } = importZms({
        locations: readJsonInput(opts.locations, 'locations'),
        services: readJsonInput(opts.services, 'services'),
        availability: (opts.availability ?? []).map((f, i) => readJsonInput(f, `availability[${i}]`)),
        scopes,
        defaultScope: opts.defaultScope,
        offices: opts.offices ? opts.offices.split(',').map((x) => x.trim()).filter(Boolean) : undefined,
        match: opts.match,
        horizon: { start, days: int('--days', opts.days, 1, 731) },
        timezone: opts.timezone,
        slotMinutes: opts.slotMinutes ? int('--slot-minutes', opts.slotMinutes, 1, 1440) : undefined,
        defaultHours: opts.hours ? parseHours(opts.hours) : undefined,
        defaultDesks: opts.desks ? int('--desks', opts.desks, 1, 1000) : undefined,
        staff: opts.staff as 'desks' | 'none',
        districts,
        sources: files.map((f) => f.split('/').pop()!),
      })
      writeOutput(opts.output, JSON.stringify(scenario, null, 1) + '\n', io.stdout)
      io.stderr(`imported ${report.offices} offices, ${report.services} services, ${report.staff} desk staff from ${report.locations} locations${report.skipped.length ? ` (${report.skipped.length} skipped)` : ''}\n`)
      for (const a of report.assumptions) io.stderr(`assumption: ${a}\n`)
    })

  const exp = program.command('export').description('export engine state in the formats of other systems')
  exp
    .command('zms')
    .description('free slots of a request per office, day and time, in the shape of the ZMS calendar API')
    .argument('<scenario>', 'scenario JSON file, or "berlin"')
    .requiredOption('--services <ids>', 'comma-separated service ids of the request (1–3; a repeated id is a quantity)')
    .option('--offices <ids>', 'comma-separated office ids (default: every office offering the services)')
    .option('--from <date>', 'first date (default: today)')
    .option('--to <date>', 'last date (default: today + the longest booking window)')
    .option('--now <iso>', 'current time (default: 07:00 on the first horizon day)')
    .option('--snapshot <file>', 'scheduler snapshot with bookings (default: the scenario appointments)')
    .option('--format <f>', 'json (ZMS calendar shape) or csv (office,date,time,free)', 'json')
    .option('-o, --output <file>', 'write here instead of stdout')
    .action((arg: string, opts: ExportZmsOpts) => {
      const scenario = readScenario(arg)
      if (opts.format !== 'json' && opts.format !== 'csv') usage('--format', 'use json or csv')
      for (const [k, v] of [['--from', opts.from], ['--to', opts.to]] as const) if (v !== undefined && !isValidLocalDate(v)) usage(k, `not a date (YYYY-MM-DD): ${v}`)
      const s = opts.snapshot
        ? restoreScheduler(scenario, readJsonInput(opts.snapshot, 'snapshot') as never)
        : createScheduler(scenario, { now: opts.now ?? wallToInstant(scenario.timezone, scenario.horizon.start, 7 * 60) })
      const doc = exportZmsFreeSlots(s, {
        services: opts.services.split(',').map((x) => x.trim()).filter(Boolean),
        offices: opts.offices ? opts.offices.split(',').map((x) => x.trim()).filter(Boolean) : undefined,
        from: opts.from,
        to: opts.to,
      })
      if (opts.format === 'csv') {
        const rows = freeSlotRows(doc).map((r) => `${r.office},${r.date},${r.time},${r.free}`)
        writeOutput(opts.output, ['office,date,time,free', ...rows].join('\n') + '\n', io.stdout)
      } else writeOutput(opts.output, JSON.stringify(doc, null, 1) + '\n', io.stdout)
    })
}
