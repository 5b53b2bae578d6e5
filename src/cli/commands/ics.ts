/**
 * `terminplan ics import` — a staff member's shifts and absences from iCalendar files, as JSON (or
 * applied to a scenario); `terminplan ics export` — appointments of an office, a staff member or a
 * citizen (or a staff member's roster) as iCalendar.
 */
import type { Command } from 'commander'
import { readStaffAvailability } from '../../adapters/calendar-port.js'
import { IcsCalendarAdapter } from '../../adapters/ical/adapter.js'
import { exportAppointmentsIcs, exportRosterIcs } from '../../adapters/ical/export.js'
import { importStaffAvailability } from '../../adapters/ical/import.js'
import { TerminplanError } from '../../model/errors.js'
import { addDays, isValidLocalDate, wallToInstant } from '../../model/tz.js'
import { createScheduler, restoreScheduler, type Scheduler } from '../../solver/index.js'
import type { Scenario } from '../../model/schema.js'
import { readScenario } from '../io.js'
import { readJsonInput, readTextInput, usage, writeOutput } from '../input.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface ImportOpts {
  staff: string
  from?: string
  to?: string
  scenario?: string
  timezone?: string
  office?: string
  reasons?: boolean
  apply?: boolean
  output?: string
}

interface ExportOpts {
  office?: string
  staff?: string
  citizen?: string
  roster?: boolean
  withStaff?: boolean
  withCitizen?: boolean
  snapshot?: string
  now?: string
  output?: string
}

function date(option: string, v: string | undefined): string | undefined {
  if (v !== undefined && !isValidLocalDate(v)) usage(option, `not a date (YYYY-MM-DD): ${v}`)
  return v
}

/** The scheduler state to export: a snapshot, or the scenario's own appointments placed at `now`. */
function schedulerFor(scenario: Scenario, opts: ExportOpts): Scheduler {
  if (opts.snapshot) return restoreScheduler(scenario, readJsonInput(opts.snapshot, 'snapshot') as never)
  const now = opts.now ?? wallToInstant(scenario.timezone, scenario.horizon.start, 0)
  return createScheduler(scenario, { now })
}

export const registerIcs: RegisterCommand = (program: Command, io: CliIo) => {
  const ics = program.command('ics').description('iCalendar: import rosters, export appointments and rosters')

  ics
    .command('import')
    .description("read a staff member's shifts and absences from .ics files (RRULE, EXDATE, RECURRENCE-ID, TZID, all-day absences)")
    .argument('<file...>', 'iCalendar files (.ics or .ics.gz) of that staff member')
    .requiredOption('--staff <id>', 'the staff member the calendar belongs to')
    .option('--scenario <scenario>', 'scenario (file or "berlin"): its horizon is the range and its zone the time zone')
    .option('--from <date>', 'first date (default: the scenario horizon)')
    .option('--to <date>', 'last date, inclusive')
    .option('--timezone <zone>', 'zone of the wall times written (default: the scenario zone, else Europe/Berlin)')
    .option('--office <id>', 'put every shift at this office (default: X-TERMINPLAN-OFFICE of an event, else the home office)')
    .option('--reasons', 'copy event summaries into absence reasons (personal data; off by default)')
    .option('--apply', "write the scenario with this staff member's shifts and absences replaced (needs --scenario and -o)")
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(async (files: string[], opts: ImportOpts) => {
      const scenario = opts.scenario ? readScenario(opts.scenario) : undefined
      const from = date('--from', opts.from) ?? scenario?.horizon.start
      const to = date('--to', opts.to) ?? (scenario ? addDays(scenario.horizon.start, scenario.horizon.days - 1) : undefined)
      if (!from || !to) usage('--from', 'give --from and --to, or --scenario')
      if (opts.apply && (!scenario || !opts.output)) usage('--apply', 'needs --scenario and -o')
      const timezone = opts.timezone ?? scenario?.timezone ?? 'Europe/Berlin'
      const texts = files.map((f) => readTextInput(f, 'ics'))
      if (scenario && !scenario.staff.some((p) => p.id === opts.staff))
        throw new TerminplanError('COMMAND_INVALID', `unknown staff member "${opts.staff}"`, [{ path: '$.staff', code: 'unknown_staff', message: `the scenario has no staff member "${opts.staff}"` }])
      const result = importStaffAvailability(texts, { staffId: opts.staff, range: { from, to }, timezone, office: opts.office, reasons: opts.reasons })
      for (const w of result.warnings) io.stderr(`warning ${w.path}: ${w.message}\n`)
      if (opts.apply && scenario) {
        const adapter = new IcsCalendarAdapter({ rosters: { [opts.staff]: texts }, timezone, importOptions: { office: opts.office, reasons: opts.reasons } })
        const next = await readStaffAvailability(scenario, adapter, [opts.staff], { from, to })
        writeOutput(opts.output, JSON.stringify(next, null, 2) + '\n', io.stdout)
        io.stderr(`${opts.staff}: ${result.shifts.length} shifts, ${result.absences.length} absences applied\n`)
        return
      }
      writeOutput(opts.output, JSON.stringify(result, null, 2) + '\n', io.stdout)
    })

  ics
    .command('export')
    .description('write appointments (of an office, a staff member or a citizen) or a staff roster as iCalendar with VTIMEZONE')
    .argument('<scenario>', 'scenario JSON file, or "berlin"')
    .option('--office <id>', "the office's appointments")
    .option('--staff <id>', "the staff member's appointments (with --roster: their shifts and absences)")
    .option('--citizen <id>', "the citizen's appointments")
    .option('--roster', 'export the roster of --staff instead of appointments')
    .option('--with-staff', 'include staff ids in appointments (personal data; off by default)')
    .option('--with-citizen', 'include citizen ids in appointments (off by default)')
    .option('--snapshot <file>', 'scheduler snapshot to export (default: the scenario appointments)')
    .option('--now <iso>', 'current time / DTSTAMP (default: midnight of the first horizon day)')
    .option('-o, --output <file>', 'write here instead of stdout')
    .action((arg: string, opts: ExportOpts) => {
      const scenario = readScenario(arg)
      if (opts.roster) {
        if (!opts.staff) usage('--roster', 'needs --staff')
        const staff = scenario.staff.find((p) => p.id === opts.staff)
        if (!staff) throw new TerminplanError('COMMAND_INVALID', `unknown staff member "${opts.staff}"`, [{ path: '$.staff', code: 'unknown_staff', message: `the scenario has no staff member "${opts.staff}"` }])
        const stamp = opts.now ?? wallToInstant(scenario.timezone, scenario.horizon.start, 0)
        writeOutput(opts.output, exportRosterIcs(staff, scenario, { stamp }), io.stdout)
        return
      }
      if (opts.office === undefined && opts.staff === undefined && opts.citizen === undefined) usage('--office', 'choose whose appointments: --office, --staff or --citizen')
      if (opts.office !== undefined && !scenario.offices.some((o) => o.id === opts.office))
        throw new TerminplanError('COMMAND_INVALID', `unknown office "${opts.office}"`, [{ path: '$.office', code: 'unknown_office', message: `the scenario has no office "${opts.office}"` }])
      const s = schedulerFor(scenario, opts)
      const text = exportAppointmentsIcs(s.appointments(), scenario, {
        office: opts.office,
        staff: opts.staff,
        citizen: opts.citizen,
        include: { staff: opts.withStaff, citizen: opts.withCitizen },
        stamp: s.now(),
        name: opts.office ? `appointments ${opts.office}` : opts.staff ? `appointments ${opts.staff}` : 'appointments',
      })
      writeOutput(opts.output, text, io.stdout)
    })
}
