/**
 * `terminplan simulate` and `terminplan compare`: what-if runs for planners. The same demand and
 * seed under each policy (simulate) or under each overlay (compare); a KPI table on stdout, and on
 * request the runs as JSON, every request as CSV, and a self-contained HTML report.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import type { Command } from 'commander'
import { z } from 'zod'
import { SingleBar } from 'cli-progress'
import { applyOverlays, parseOverlayJson, type Overlay } from '../../model/overlay.js'
import type { Scenario } from '../../model/schema.js'
import { LP_BACKENDS, type LpBackendName } from '../../adapters/lp/index.js'
import { renderReport } from '../../adapters/report/index.js'
import { eventsHeader } from '../../solver/sim/events.js'
import { runPool, type PoolResult } from '../sim-pool.js'
import type { SimJob } from '../sim-worker.js'
import type { SimulationOptionsInput } from '../../solver/sim/simulate.js'
import { policyTraits } from '../../solver/sim/policies/index.js'
import { ABLATION_POLICIES, MAIN_POLICIES, POLICY_NAMES, type Comparison, type PolicyName } from '../../solver/sim/types.js'
import { compareSeeds, type SeedComparison, type SeedKpi } from '../../solver/sim/seeds.js'
import { pairedDifference, type PairedDifference } from '../../solver/sim/paired.js'
import { BehaviourSchema } from '../../solver/sim/behaviour.js'
import { parseCommand } from '../../model/requests.js'
import { readJsonInput, readTextInput, usage, writeOutput } from '../input.js'
import { readScenario } from '../io.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface SimCliOptions {
  days: string
  warmup: string
  fill: string
  seed: string
  seeds?: string
  policy: string
  with: string[]
  json?: string
  events?: string
  report?: string
  lp: string
  behaviour?: string
  sickCalls?: string
  progress: boolean
}

function int(v: string, name: string, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) usage(`--${name}`, `must be an integer ${min}–${max}, got ${v}`)
  return n
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const days = (x: number | null) => (x === null ? '–' : x.toFixed(1))
const count = (x: number) => Math.round(x).toLocaleString('en-US')
const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`
const mins = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(0))

/** The KPI table: one row per figure, one column per run. */
export function comparisonTable(c: Comparison): string {
  const runs = c.runs
  const rows: [string, ...string[]][] = [
    ['', ...runs.map((r) => r.label)],
    ['within 14 days', ...runs.map((r) => pct(r.result.kpis.within14Share))],
    ...pairedRow(c),
    ['served at all', ...runs.map((r) => pct(r.result.kpis.servedShare ?? 0))],
    ['lead time p50 (days)', ...runs.map((r) => days(r.result.kpis.leadDaysP50))],
    ['lead time p90 (days)', ...runs.map((r) => days(r.result.kpis.leadDaysP90))],
    ['lead time mean (days)', ...runs.map((r) => days(r.result.kpis.leadDaysMean))],
    ['requests measured', ...runs.map((r) => count(r.result.kpis.requests))],
    ['  booked', ...runs.map((r) => count(r.result.kpis.outcomes.booked))],
    ['  booked from the waitlist', ...runs.map((r) => count(r.result.kpis.outcomes.waitlist_booked))],
    ['  unserved', ...runs.map((r) => count(r.result.kpis.outcomes.unserved))],
    ['  cancelled', ...runs.map((r) => count(r.result.kpis.outcomes.cancelled))],
    ['  no-show', ...runs.map((r) => count(r.result.kpis.outcomes.no_show))],
    ['staff utilisation', ...runs.map((r) => pct(r.result.kpis.utilisation))],
    ['  used by citizens', ...runs.map((r) => pct(r.result.kpis.servedUtilisation))],
    ['freed slots re-filled', ...runs.map((r) => pct(r.result.kpis.refilledShare))],
    ['no-show staff hours', ...runs.map((r) => count(r.result.kpis.noShowHours))],
    ['waitlist mean / max', ...runs.map((r) => `${count(r.result.kpis.waitlistMean)} / ${count(r.result.kpis.waitlistMax)}`)],
    ['offers (accepted)', ...runs.map((r) => `${count(r.result.kpis.offers)} (${pct(r.result.kpis.offerAcceptShare)})`)],
    ['district spread (14 days)', ...runs.map((r) => `${pct(r.result.districtSpread.min)} – ${pct(r.result.districtSpread.max)}`)],
    ['day of service', ...runs.map(() => '')],
    ['  citizens served in the office', ...runs.map((r) => count(r.result.dayOfService?.citizensServed ?? 0))],
    ['  wait in office p50 / p90 (min)', ...runs.map((r) => `${mins(r.result.dayOfService?.appointmentWaitP50)} / ${mins(r.result.dayOfService?.appointmentWaitP90)}`)],
    ['  walk-ins served', ...runs.map((r) => `${count(r.result.dayOfService?.walkInsServed ?? 0)} of ${count(r.result.dayOfService?.walkIns ?? 0)}`)],
    ['  walk-in wait p50 / p90 (min)', ...runs.map((r) => `${mins(r.result.dayOfService?.walkInWaitP50)} / ${mins(r.result.dayOfService?.walkInWaitP90)}`)],
    ['  no-show hours recovered', ...runs.map((r) => `${count(r.result.dayOfService?.noShowHoursRecovered ?? 0)} of ${count(r.result.dayOfService?.noShowHours ?? 0)}`)],
    ['  appointments delayed > limit', ...runs.map((r) => count(r.result.dayOfService?.appointmentsDelayed ?? 0))],
  ]
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)))
  return rows.map((r) => r.map((v, j) => (j === 0 ? v.padEnd(widths[0]) : v.padStart(widths[j]))).join('  ').trimEnd()).join('\n') + '\n'
}

/**
 * Under the 14-day share, each later run's difference to the first with its 95 % interval from the
 * paired requests (1.96 standard errors), marked when within the noise.
 */
function pairedRow(c: Comparison): [string, ...string[]][] {
  if (!c.paired?.length) return []
  const cells = c.runs.slice(1).map((r) => {
    const d = c.paired!.find((x) => x.label === r.label)
    return d ? `${pp(d.mean)} ± ${(1.96 * d.se * 100).toFixed(1)}${d.real ? '' : ' (noise)'}` : ''
  })
  return [[`  vs ${c.runs[0].label} (pp, 95 %)`, '', ...cells]]
}

/** Each later run against the first on the same requests; runs on other requests are left out. */
function pairedDifferences(results: PoolResult[]): PairedDifference[] {
  const out: PairedDifference[] = []
  for (const r of results.slice(1)) {
    const d = pairedDifference(results[0].goals, r.goals, r.label, results[0].label)
    if (d) out.push(d)
  }
  return out
}

function readOverlay(path: string, scenario: Scenario, index: number): Overlay {
  return parseOverlayJson(readTextInput(path, `with[${index}]`), path, scenario)
}

function readBehaviour(path: string): SimulationOptionsInput['behaviour'] {
  return parseCommand(BehaviourOption, { behaviour: readJsonInput(path, 'behaviour') }, `behaviour in ${path}`).behaviour
}

/** Behaviour files are checked as the `behaviour` field, so paths read `$.behaviour.…`. */
const BehaviourOption = z.strictObject({ behaviour: BehaviourSchema })

interface Job {
  label: string
  scenario: Scenario
  policy: PolicyName
  overlays: string[]
}

/**
 * Every job under every seed, side by side in worker threads (one per core); results in job
 * order, seed by seed. Only the first seed's events are written.
 */
async function runAll(jobs: Job[], seeds: number[], base: Omit<SimulationOptionsInput, 'policy' | 'overlays'>, o: SimCliOptions, io: CliIo, quiet: boolean): Promise<PoolResult[][]> {
  const backendName = o.lp as LpBackendName
  if (!LP_BACKENDS.includes(backendName)) usage('--lp', `must be one of ${LP_BACKENDS.join(', ')}`)
  const all: SimJob[] = seeds.flatMap((seed, si) =>
    jobs.map((job) => ({
      label: job.label,
      scenario: job.scenario,
      options: { ...base, seed, policy: job.policy, overlays: job.overlays },
      ...(policyTraits(job.policy).needsLp ? { lp: backendName } : {}),
      ...(o.events && si === 0 ? { events: { policyColumn: jobs.length > 1 } } : {}),
    })),
  )
  const bar = !quiet && o.progress && io.isTTY ? new SingleBar({ format: ' {label} |{bar}| {percentage}% | {duration_formatted}', hideCursor: true, stream: process.stderr }) : null
  const done = new Array<number>(all.length).fill(0), total = new Array<number>(all.length).fill(1)
  bar?.start(all.length, 0, { label: `${all.length} run${all.length > 1 ? 's' : ''}` })
  try {
    const out = await runPool(
      all,
      (k, d, n) => {
        done[k] = d
        total[k] = n
        bar?.update(done.reduce((a, x, j) => a + x / total[j], 0))
      },
      (job) => runCost(job.options.policy!),
    )
    return seeds.map((_, si) => out.slice(si * jobs.length, (si + 1) * jobs.length))
  } finally {
    bar?.stop()
  }
}

/**
 * Rough run time relative to fcfs, to start the longest runs first (measured on Berlin: the
 * online offers make a run about four times as long; the plans and the nightly matching add to it).
 */
function runCost(policy: PolicyName): number {
  const t = policyTraits(policy)
  return 1 + (t.autoOffer ? 4 : 0) + (t.needsLp ? 1 : 0)
}

/** The seeds to run: --seeds, else --seed. */
function seedsOf(o: SimCliOptions, base: { seed?: number }): number[] {
  if (o.seeds === undefined) return [base.seed ?? 1]
  const xs = o.seeds.split(',').map((x) => x.trim())
  const seeds = xs.map((x) => int(x, 'seeds', 0, 2 ** 32 - 1))
  if (seeds.length < 1 || seeds.length > 20 || new Set(seeds).size !== seeds.length) usage('--seeds', 'must list 1–20 different seeds, e.g. 1,2,3')
  return seeds
}

/** Runs every job under every seed; the first seed's runs are the comparison's, the others feed the spread. */
async function runSeeds(jobs: Job[], base: Omit<SimulationOptionsInput, 'policy' | 'overlays'>, o: SimCliOptions, io: CliIo, quiet: boolean): Promise<{ results: PoolResult[]; seeds?: SeedComparison }> {
  const seeds = seedsOf(o, base)
  const bySeed = await runAll(jobs, seeds, base, o, io, quiet)
  if (seeds.length === 1) return { results: bySeed[0] }
  return {
    results: bySeed[0],
    seeds: compareSeeds(seeds, jobs.map((j, k) => ({ label: j.label, results: bySeed.map((runs) => runs[k].result) }))),
  }
}

/** Mean ± sd per run over the seeds, and the difference to the first run, marked when within the noise. */
export function seedTable(c: SeedComparison): string {
  const rows: [string, ...string[]][] = [[`over seeds ${c.seeds.join(',')}`, ...c.labels]]
  const shares: [SeedKpi, string][] = [['within14Share', 'within 14 days'], ['servedShare', 'served at all'], ['refilledShare', 'freed time re-filled'], ['districtSpread', 'district spread (14 days)'], ['walkInsServedShare', 'walk-ins served'], ['noShowRecoveredShare', 'no-show time recovered']]
  for (const [k, name] of shares) {
    rows.push([name, ...c.labels.map((l) => `${(c.kpis[l][k].mean * 100).toFixed(1)} % ± ${(c.kpis[l][k].sd * 100).toFixed(1)}`)])
    rows.push([`  vs ${c.labels[0]} (pp)`, '', ...c.labels.slice(1).map((l) => {
      const d = c.differences.find((x) => x.label === l && x.kpi === k)!
      return `${pp(d.spread.mean)} ± ${(d.spread.sd * 100).toFixed(1)}${d.real ? '' : ' (noise)'}`
    })])
  }
  rows.push(['lead time mean (days)', ...c.labels.map((l) => `${c.kpis[l].leadDaysMean.mean.toFixed(1)} ± ${c.kpis[l].leadDaysMean.sd.toFixed(1)}`)])
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)))
  return rows.map((r) => r.map((v, j) => (j === 0 ? v.padEnd(widths[0]) : (v ?? '').padStart(widths[j]))).join('  ').trimEnd()).join('\n') + '\n'
}

function writeOutputs(results: PoolResult[], o: SimCliOptions, io: CliIo, title: string, seeds?: SeedComparison): void {
  const paired = pairedDifferences(results)
  const comparison: Comparison = { runs: results.map((r) => ({ label: r.label, result: r.result })), ...(seeds ? { seeds } : {}), ...(paired.length ? { paired } : {}) }
  const json = JSON.stringify(comparison, null, 2) + '\n'
  if (o.json === '-') io.stdout(json)
  else {
    io.stdout(comparisonTable(comparison))
    if (seeds) io.stdout('\n' + seedTable(seeds))
    if (o.json) writeOutput(o.json, json, io.stdout)
  }
  if (o.events) {
    const fd = openSync(o.events, 'w')
    try {
      // Streamed: a 90-day Berlin run has about 700,000 rows.
      let buf = ''
      for (const line of [eventsHeader(results.length > 1), ...results.map((r) => r.csv ?? '')]) {
        buf += line
        if (buf.length > 1 << 20) {
          writeSync(fd, buf)
          buf = ''
        }
      }
      writeSync(fd, buf)
    } finally {
      closeSync(fd)
    }
  }
  if (o.report) {
    const r0 = results[0].result
    writeOutput(
      o.report,
      renderReport(comparison, {
        title,
        notes: [
          `Filled ${r0.fillDays} days fast, simulated ${r0.warmupDays} warm-up days and ${r0.days} measured days from ${r0.from}; seed ${r0.seed}${seeds ? ` (spread over seeds ${seeds.seeds.join(', ')})` : ''}.`,
          'Within 14 days: requests that arrived after the warm-up and at least 14 days before the end, whose appointment starts at most 14×24 h after the request (no-shows count as served; cancelled and unserved requests do not).',
          'Citizen behaviour, release practice and calibration: see README, "Simulation".',
        ],
      }),
      io.stdout,
    )
  }
  if (o.json !== '-' && (o.report || o.events || o.json)) io.stderr(`wrote ${[o.json, o.events, o.report].filter(Boolean).join(', ')}\n`)
}

function addCommon(cmd: Command): Command {
  return cmd
    .argument('<scenario>', 'scenario JSON file, or the name of a built-in example (berlin)')
    .option('--days <n>', 'measured days', '90')
    .option('--warmup <n>', 'warm-up days simulated in full before measuring', '14')
    .option('--fill <n>', 'days before the warm-up whose requests only book (fast fill to steady state)', '56')
    .option('--seed <n>', 'random seed', '1')
    .option('--seeds <list>', 'several seeds, e.g. 1,2,3: every KPI with its mean and spread, differences with theirs')
    .option('--with <overlay.json>', 'what-if overlay (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--json <file>', 'write the runs as JSON ("-" for stdout, which also silences the table)')
    .option('--events <file>', 'write every request as CSV')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--lp <backend>', `LP back end for the optimized policy (${LP_BACKENDS.join(', ')})`, 'highs')
    .option('--behaviour <file>', 'citizen behaviour overrides (JSON)')
    .option('--sick-calls <n>', 'staff sick calls per person and year (behaviour.sickCallsPerYear; default 4, 0 = none)')
    .option('--no-progress', 'no progress bar')
}

function baseOptions(o: SimCliOptions): Omit<SimulationOptionsInput, 'policy' | 'overlays'> {
  return {
    days: int(o.days, 'days', 15, 366),
    warmupDays: int(o.warmup, 'warmup', 0, 180),
    fillDays: int(o.fill, 'fill', 0, 180),
    seed: int(o.seed, 'seed', 0, 2 ** 32 - 1),
    ...(o.behaviour || o.sickCalls !== undefined
      ? { behaviour: { ...(o.behaviour ? readBehaviour(o.behaviour) : {}), ...(o.sickCalls !== undefined ? { sickCallsPerYear: int(o.sickCalls, 'sick-calls', 0, 250) } : {}) } }
      : {}),
  }
}

export const registerSimulate: RegisterCommand = (program, io) => {
  addCommon(
    program
      .command('simulate')
      .description('simulate weeks of requests, bookings, cancellations and waitlist offers under one or all policies, and compare them on the 14-day goal'),
  )
    .option('--policy <names>', `all (${MAIN_POLICIES.join(', ')}), ablation (${ABLATION_POLICIES.join(', ')}), or a comma list of ${POLICY_NAMES.join(', ')}`, 'all')
    .action(async (arg: string, o: SimCliOptions) => {
      const base = baseOptions(o)
      const policies = o.policy === 'all' ? [...MAIN_POLICIES] : o.policy === 'ablation' ? [...ABLATION_POLICIES] : o.policy.split(',').map((x) => x.trim() as PolicyName)
      for (const p of policies) if (!POLICY_NAMES.includes(p)) usage('--policy', `must be all, ablation or a comma list of ${POLICY_NAMES.join(', ')}`)
      if (new Set(policies).size !== policies.length) usage('--policy', 'names a policy twice')
      const scenario0 = readScenario(arg)
      const overlays = o.with.map((p, i) => readOverlay(p, scenario0, i))
      const scenario = overlays.length ? applyOverlays(scenario0, overlays) : scenario0
      const names = overlays.map((x) => x.name)
      const jobs = policies.map((policy) => ({ label: policy, scenario, policy, overlays: names }))
      const { results, seeds } = await runSeeds(jobs, base, o, io, o.json === '-')
      writeOutputs(results, o, io, `${scenario.name ?? arg}: policies compared`, seeds)
    })

  addCommon(
    program
      .command('compare')
      .description('run the scenario as it is and with each overlay (--with, each on its own), side by side'),
  )
    .option('--policy <name>', POLICY_NAMES.join(', '), 'fcfs')
    .action(async (arg: string, o: SimCliOptions) => {
      const base = baseOptions(o)
      if (!POLICY_NAMES.includes(o.policy as PolicyName)) usage('--policy', `must be one of ${POLICY_NAMES.join(', ')}`)
      if (o.with.length === 0) usage('--with', 'compare needs at least one overlay')
      const policy = o.policy as PolicyName
      const scenario = readScenario(arg)
      const overlays = o.with.map((p, i) => readOverlay(p, scenario, i))
      const jobs: Job[] = [
        { label: `${policy} (as is)`, scenario, policy, overlays: [] },
        ...overlays.map((ov) => ({ label: `${policy} + ${ov.name}`, scenario: applyOverlays(scenario, [ov]), policy, overlays: [ov.name] })),
      ]
      const { results, seeds } = await runSeeds(jobs, base, o, io, o.json === '-')
      writeOutputs(results, o, io, `${scenario.name ?? arg}: what-ifs compared`, seeds)
    })
}
