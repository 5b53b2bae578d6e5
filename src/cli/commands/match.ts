/** `terminplan match`: batch-assign waiting citizens to free capacity and report the bound and gap. */
import type { Command } from 'commander'
import { TerminplanError } from '../../model/errors.js'
import { wallToInstant } from '../../model/tz.js'
import { matchWaitlist } from '../../solver/batch-match.js'
import { fillScheduler, generateWaitlist } from '../../solver/fill.js'
import { createScheduler } from '../../solver/scheduler/index.js'
import { createLpBackend, LP_BACKENDS, type LpBackendName } from '../../adapters/lp/index.js'
import { cliLimits, readScenario } from '../io.js'
import { writeOutput } from '../input.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface MatchCliOptions {
  json?: string
  backend: string
  candidates: string
  now?: string
  waiting: string
  booked: string
  seed: string
}

function int(v: string, name: string, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new TerminplanError('USAGE', `--${name} must be an integer ${min}–${max}`, [{ path: `$.${name}`, code: 'invalid_option', message: `must be an integer ${min}–${max}, got ${v}` }])
  return n
}

export const registerMatch: RegisterCommand = (program: Command, io: CliIo) => {
  program
    .command('match')
    .description('assign waiting citizens to free slots at once (exact matching, or LP relaxation + rounding), with bound and gap')
    .argument('<scenario>', 'scenario JSON file (its appointments and waitlist), or "berlin" (booked and waiting state generated from --booked, --waiting, --seed)')
    .option('--json <file>', 'write the full result as JSON')
    .option('--backend <name>', `LP back end for overlapping slots: ${LP_BACKENDS.join(', ')} or none`, 'highs')
    .option('--candidates <n>', 'candidate slots per waiting citizen', '20')
    .option('--now <iso>', 'the current time (default: 07:00 on the first day of the horizon)')
    .option('--waiting <n>', 'berlin: waiting citizens to generate', '3000')
    .option('--booked <share>', 'berlin: booked share of the booking window, first-come-first-served shape', '0.85')
    .option('--seed <n>', 'berlin: seed of the generated state', '1')
    .action(async (arg: string, opts: MatchCliOptions) => {
      const scenario = readScenario(arg)
      const now = opts.now ?? wallToInstant(scenario.timezone, scenario.horizon.start, 7 * 60)
      const s = createScheduler(scenario, { now, waitlist: { autoOffer: false }, limits: { waitlistSize: cliLimits().waitlistSize } })
      if (arg === 'berlin') {
        const seed = int(opts.seed, 'seed', 0, 2 ** 31 - 1)
        const share = Number(opts.booked)
        if (!(share >= 0 && share <= 1)) throw new TerminplanError('USAGE', '--booked must be a share 0–1', [{ path: '$.booked', code: 'invalid_option', message: 'must be a share between 0 and 1' }])
        fillScheduler(s, { share, seed, profile: 'front' })
        for (const e of generateWaitlist(s.model, { count: int(opts.waiting, 'waiting', 0, 1_000_000), seed: seed + 1, now: Date.parse(s.now()) })) s.joinWaitlist(e)
      }
      const backendName = opts.backend
      if (backendName !== 'none' && !(LP_BACKENDS as readonly string[]).includes(backendName))
        throw new TerminplanError('USAGE', `unknown back end ${backendName}`, [{ path: '$.backend', code: 'invalid_option', message: `use ${LP_BACKENDS.join(', ')} or none` }])
      const lp = backendName === 'none' ? undefined : createLpBackend(backendName as LpBackendName)
      const t0 = performance.now()
      try {
        const r = await matchWaitlist(s, { lp, candidatesPerEntry: int(opts.candidates, 'candidates', 1, 200), apply: 'offer' })
        const ms = performance.now() - t0
        const st = s.stats()
        const rows: [string, string | number][] = [
          ['now', s.now()],
          ['waiting', r.waiting],
          ['with a fitting free slot', r.withCandidates],
          ['candidate slots / pairs', `${r.candidateSlots} / ${r.edges}`],
          ['method', r.method],
          ['assigned (offers made)', r.assignments.length],
          ['objective Σ priority × preference', r.objective.toFixed(2)],
          ['upper bound', r.bound.toFixed(2)],
          ['gap', `${(r.gap * 100).toFixed(2)} %`],
          ['booked / offered units', `${st.bookedUnits} / ${st.offeredUnits}`],
          ['time', `${(ms / 1000).toFixed(2)} s`],
        ]
        const w = Math.max(...rows.map((x) => x[0].length))
        io.stdout(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n')
        if (opts.json) writeOutput(opts.json, JSON.stringify({ ...r, timeMs: Math.round(ms) }, null, 2) + '\n', io.stdout)
      } finally {
        await lp?.close()
      }
    })
}
