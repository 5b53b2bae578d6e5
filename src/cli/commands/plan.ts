/**
 * `terminplan plan`: which office releases how many slots of which service per day, what it keeps
 * back for the waitlist and phone, the expected KPIs, the LP bound and the gap of the integer plan,
 * and where one more staff hour would serve the most citizens within the target.
 */
import type { Command } from 'commander'
import { createScheduler } from '../../solver/scheduler/index.js'
import { TerminplanError } from '../../model/errors.js'
import { formatInstant, isValidLocalDate, startOfLocalDay } from '../../model/tz.js'
import { createLpBackend, LP_BACKENDS, type LpBackendName } from '../../adapters/lp/index.js'
import { planCapacity, type CapacityPlan, type PlanKpis } from '../../solver/plan/plan.js'
import { readScenario } from '../io.js'
import { writeOutput } from '../input.js'
import type { CliIo, RegisterCommand } from '../program.js'

/** Four weeks by default: the LP grows with the window and its solve time faster; longer plans take --days. */
const DEFAULT_DAYS = 28

interface PlanCliOptions {
  json?: string
  patterns?: boolean
  backend: string
  timeLimit: string
  totalTimeLimit?: string
  from?: string
  days?: string
  targetDays: string
  waitlistShare?: string
  top: string
}

const usage = (name: string, message: string): never => {
  throw new TerminplanError('USAGE', `--${name} ${message}`, [{ path: `$.${name}`, code: 'invalid_option', message }])
}

function num(v: string, name: string, min: number, max: number, integer: boolean): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) usage(name, `must be ${integer ? 'an integer' : 'a number'} ${min}–${max}, got ${v}`)
  return n
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const int = (x: number) => Math.round(x).toLocaleString('en-US')

function table(rows: [string, string, string?][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length))
  const w1 = Math.max(...rows.map((r) => r[1].length))
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${c === undefined ? b : `${b.padStart(w1)}  ${c}`}`.trimEnd()).join('\n') + '\n'
}

function kpiRows(lp: PlanKpis, plan: PlanKpis, target: number): [string, string, string][] {
  return [
    ['', 'LP bound', 'integer plan'],
    [`served within ${target} days`, int(lp.servedOnTime), int(plan.servedOnTime)],
    [`  share of all ${int(plan.demand)} requests`, pct(lp.onTimeShare), pct(plan.onTimeShare)],
    [`  share of the ${int(plan.decidedDemand)} whose window ends in the plan`, pct(lp.decidedOnTimeShare), pct(plan.decidedOnTimeShare)],
    ['served later', int(lp.servedLate), int(plan.servedLate)],
    ['not served within the plan', int(lp.open), int(plan.open)],
    ['mean days to an on-time appointment', lp.meanWaitDaysOnTime.toFixed(2), plan.meanWaitDaysOnTime.toFixed(2)],
    ['served outside their district', pct(lp.otherDistrictShare), pct(plan.otherDistrictShare)],
    ['district on-time share, lowest – highest', `${pct(lp.minDistrictShare)} – ${pct(lp.maxDistrictShare)}`, `${pct(plan.minDistrictShare)} – ${pct(plan.maxDistrictShare)}`],
  ]
}

export function formatPlan(plan: CapacityPlan, top: number, officeName: (id: string) => string): string {
  const slots = plan.quotas.reduce((a, q) => a + q.slots, 0)
  const free = plan.officeDays.reduce((a, o) => a + o.freeMinutes, 0)
  const kept = plan.officeDays.reduce((a, o) => a + o.keptBackMinutes, 0)
  const head: [string, string][] = [
    ['plan', `${plan.from} … ${plan.to} (${plan.days} days), goal: within ${plan.targetDays} days`],
    ['LP', `${plan.model.columns.toLocaleString('en-US')} columns × ${plan.model.rows.toLocaleString('en-US')} rows, ${plan.backend}, ${plan.lpStatus}${plan.lpCertified ? ' (certified by its duals)' : ''}, ${(plan.timings.lpMs / 1000).toFixed(2)} s`],
    ['objective: LP bound / integer plan', `${plan.lpBound.toFixed(1)} / ${plan.objective.toFixed(1)}  (gap ${(plan.gap * 100).toFixed(3)} %, ${plan.method})`],
    ['slots released', `${int(slots)} in ${int(plan.officeDays.length)} office-days (${int(plan.extraSlots)} beyond the forecast, in idle time)`],
    ['staff time kept back', `${pct(kept / Math.max(1, free))} of ${int(free / 60)} free staff hours (waitlist and phone share ${pct(plan.waitlistShare)})`],
    ['time', `${(plan.timings.totalMs / 1000).toFixed(2)} s`],
  ]
  let out = table(head) + '\n' + table(kpiRows(plan.kpis.lp, plan.kpis.plan, plan.targetDays))
  const best = [...plan.officeDays].filter((o) => o.citizensPerStaffHour > 0).sort((a, b) => b.citizensPerStaffHour - a.citizensPerStaffHour || (a.date < b.date ? -1 : 1)).slice(0, top)
  if (best.length) {
    out += `\nwhere one more staff hour helps most (LP shadow prices):\n`
    for (const o of best)
      out += `  ${o.date}  ${officeName(o.officeId)}: one more staff hour serves ≈ ${o.citizensPerStaffHour.toFixed(2)} more citizens within ${plan.targetDays} days\n`
  }
  for (const w of plan.warnings) out += `warning: ${w}\n`
  return out
}

/** The plan as JSON: slot patterns (large) only on request, compactly as [staff, office, date, start, service]. */
export function planJson(plan: CapacityPlan, patterns: boolean, ids: { staff: string[]; office: string[]; service: string[]; dates: string[]; iso: (u: number) => string }): unknown {
  const { patterns: p, ...rest } = plan
  return {
    ...rest,
    ...(patterns ? { patterns: p.map((x) => [ids.staff[x.staff], ids.office[x.office], ids.dates[x.day], ids.iso(x.start), ids.service[x.service]]) } : {}),
  }
}

export const registerPlan: RegisterCommand = (program: Command, io: CliIo) => {
  program
    .command('plan')
    .description('capacity plan: slots per office, day and service, kept-back time, expected KPIs, LP bound and gap, shadow prices of staff time')
    .argument('<scenario>', 'scenario JSON file, or the name of a built-in example (berlin)')
    .option('--json <file>', 'write the plan as JSON to a file ("-" for standard output)')
    .option('--patterns', 'include every released slot in the JSON (large)')
    .option('--backend <name>', `LP back end: ${LP_BACKENDS.join(' or ')}`, 'highs')
    .option('--time-limit <s>', 'time limit per LP solve in seconds', '60')
    .option('--total-time-limit <s>', 'time limit of the whole plan in seconds; past it the best plan so far is kept (default: 10 × --time-limit)')
    .option('--from <date>', 'first planned date (default: the horizon start)')
    .option('--days <n>', `planned days (default: ${DEFAULT_DAYS}, or the rest of the horizon if shorter)`)
    .option('--target-days <n>', 'the goal: an appointment within this many days', '14')
    .option('--waitlist-share <x>', "share of staff time kept back for the waitlist and phone (default: the scenario's policy)")
    .option('--top <n>', 'office-days listed by the value of one more staff hour', '8')
    .action(async (arg: string, opts: PlanCliOptions) => {
      if (!(LP_BACKENDS as readonly string[]).includes(opts.backend)) usage('backend', `must be ${LP_BACKENDS.join(' or ')}, got ${opts.backend}`)
      if (opts.from !== undefined && !isValidLocalDate(opts.from)) usage('from', `must be a date YYYY-MM-DD, got ${opts.from}`)
      const timeLimitMs = num(opts.timeLimit, 'time-limit', 0.1, 86_400, false) * 1000
      const totalTimeLimitMs = opts.totalTimeLimit !== undefined ? num(opts.totalTimeLimit, 'total-time-limit', 0.1, 864_000, false) * 1000 : undefined
      const days = opts.days !== undefined ? num(opts.days, 'days', 1, 731, true) : undefined
      const targetDays = num(opts.targetDays, 'target-days', 0, 365, true)
      const waitlistShare = opts.waitlistShare !== undefined ? num(opts.waitlistShare, 'waitlist-share', 0, 0.99, false) : undefined
      const top = num(opts.top, 'top', 0, 1000, true)
      const scenario = readScenario(arg)
      // A scheduler places the scenario's existing appointments: the plan works with what is left.
      const s = createScheduler(scenario, { now: formatInstant(scenario.timezone, startOfLocalDay(scenario.timezone, scenario.horizon.start)) })
      const m = s.model
      const first = opts.from !== undefined ? Math.max(0, m.dates.indexOf(opts.from)) : 0
      const backend = createLpBackend(opts.backend as LpBackendName)
      try {
        const plan = await planCapacity(s, { backend, timeLimitMs, totalTimeLimitMs, from: opts.from, days: days ?? Math.min(DEFAULT_DAYS, m.days - first), targetDays, waitlistShare })
        const names = new Map(scenario.offices.map((o) => [o.id, o.name]))
        const text = formatPlan(plan, top, (id) => names.get(id) ?? id)
        if (opts.json) {
          const json = JSON.stringify(
            planJson(plan, opts.patterns === true, { staff: m.staffIds, office: m.officeIds, service: m.serviceIds, dates: m.dates, iso: (u) => formatInstant(m.zone, m.t0 + u * m.unitMs) }),
            (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
          )
          if (opts.json === '-') io.stdout(json + '\n')
          else {
            writeOutput(opts.json, json + '\n', io.stdout)
            io.stdout(text)
          }
        } else io.stdout(text)
      } finally {
        await backend.close()
      }
    })
}
