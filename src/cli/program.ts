/**
 * The `terminplan` command. Built as a function of its streams so tests run it in-process.
 * Exit codes: 0 success, 1 invalid input or failed job, 2 usage error.
 */
import { Command, CommanderError } from 'commander'
import { compile } from '../model/compile.js'
import { isTerminplanError } from '../model/errors.js'
import { summarizeModel } from '../model/summary.js'
import { readScenario } from './io.js'
import { registerMatch } from './commands/match.js'
import { registerIcs } from './commands/ics.js'
import { registerImport } from './commands/import.js'
import { registerPlan } from './commands/plan.js'
import { registerSimulate } from './commands/simulate.js'
import { registerServe } from './commands/serve.js'
import { registerChange } from './commands/change.js'

export interface CliIo {
  stdout: (s: string) => void
  stderr: (s: string) => void
  /** Whether stderr is a terminal (progress bars only then). */
  isTTY?: boolean
}

/** Each command module adds its subcommands to the program (src/cli/commands/*.ts). */
export type RegisterCommand = (program: Command, io: CliIo) => void

const processIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: process.stderr.isTTY === true,
}

const commandModules: RegisterCommand[] = [registerMatch, registerIcs, registerImport, registerPlan, registerSimulate, registerServe, registerChange]

function formatSummary(sum: ReturnType<typeof summarizeModel>): string {
  const rows: [string, string | number][] = [
    ['scenario', sum.name ?? '(unnamed)'],
    ['horizon', `${sum.horizon.start} … ${sum.horizon.end} (${sum.horizon.days} days, ${sum.timezone})`],
    ['grid unit', `${sum.unitMinutes} min`],
    ['offices', `${sum.offices} in ${sum.districts} districts`],
    ['staff', sum.staff],
    ['services', sum.services],
    ['working days', sum.workingDays],
    ['staffed hours / working day', sum.staffedHoursPerWorkingDay],
    ['bookable units / working day', sum.bookableUnitsPerWorkingDay],
    ['mean appointment length', `${(sum.meanServiceUnits * sum.unitMinutes).toFixed(1)} min`],
    ['appointment capacity / working day', sum.appointmentCapacityPerWorkingDay],
    ['forecast demand / working day', sum.demandPerWorkingDay],
  ]
  const w = Math.max(...rows.map((r) => r[0].length))
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n'
}

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command()
  program
    .name('terminplan')
    .description('Scheduling engine for citizen service offices')
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()

  program
    .command('validate')
    .description('validate a scenario file (or "berlin"); prints one "path: message" line per problem')
    .argument('<scenario>', 'scenario JSON file, or the name of a built-in example (berlin)')
    .action((arg: string) => {
      const s = readScenario(arg)
      compile(s)
      io.stdout(`valid: ${s.offices.length} offices, ${s.staff.length} staff, ${s.services.length} services\n`)
    })

  program
    .command('summary')
    .description('validate and compile a scenario and print its size and capacity')
    .argument('<scenario>', 'scenario JSON file, or the name of a built-in example (berlin)')
    .option('--json', 'print JSON instead of a table')
    .action((arg: string, opts: { json?: boolean }) => {
      const sum = summarizeModel(compile(readScenario(arg)))
      io.stdout(opts.json ? JSON.stringify(sum, null, 2) + '\n' : formatSummary(sum))
    })

  for (const register of commandModules) register(program, io)
  return program
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io)
  const debug = argv.includes('--debug')
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are exits with code 0; everything else commander raises is usage.
      return e.exitCode === 0 ? 0 : 2
    }
    if (isTerminplanError(e)) {
      if (e.issues.length > 0) for (const i of e.issues) io.stderr(`${i.path}: ${i.message}\n`)
      else io.stderr(`${e.code}: ${e.message}\n`)
      if (debug && e.stack) io.stderr(e.stack + '\n')
      return e.code === 'USAGE' ? 2 : 1
    }
    io.stderr(`internal error: ${(e as Error)?.message ?? String(e)}\n`)
    if (debug && (e as Error)?.stack) io.stderr((e as Error).stack + '\n')
    return 1
  }
}
