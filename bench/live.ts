/**
 * Live changes (issue #14): what a change costs at Berlin scale, and a year on a rolling horizon.
 *
 * A change rebuilds the whole booking state (the changed scenario compiled, every record moved)
 * and then re-plans what lost its time, so its peers, measured in the same run on the same state,
 * are restoreScheduler from a snapshot of that state (a full rebuild: the floor a change by
 * rebuild costs) and compile of the scenario. The state: Berlin (46 offices, 550 staff, 120 days),
 * the next working days booked full and the days after partly (the front first-come-first-served
 * leaves), through the engine port's placeAppointment. Rows:
 * - a sick call from 07:00 to midnight of the next working day for the staff member with the most
 *   appointments that day;
 * - the largest office (most staff) closed on its next working day.
 * A change mutates the scheduler, so every iteration starts from the same state: tinybench's
 * beforeEach restores a fresh scheduler from the snapshot outside the timed part, and only
 * applyChange is timed (its result is checked to be the same every time).
 *
 * The year (bench/live-year.ts) runs in a Node process of its own with --expose-gc, and reports
 * memory every 30 days: not a time per operation, the point is that memory stays flat.
 */
import { spawn } from 'node:child_process'
import { createRng, createScheduler, restoreScheduler, type Scenario, type Scheduler } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'
import { compile } from '../src/model/compile.js'
import { getBit } from '../src/model/bitset.js'
import { addDays, formatInstant, wallToInstant } from '../src/model/tz.js'
import { enginePort, type ChangeResult } from '../src/solver/scheduler/index.js'
import { compare, measure, type BenchContext, type Row } from './lib.js'
import type { Sample, YearOptions, YearResult } from './live-year.js'

const YEAR = new URL('./live-year.ts', import.meta.url).pathname

/**
 * Books the next `full` working days at 97 % and the `tail` working days after them at 30 %,
 * each unit a random service the staff member can serve there; returns how many were placed.
 */
function bookFront(s: Scheduler, full: number, tail: number, seed: number): number {
  const port = enginePort(s)
  const m = port.model
  const nS = m.serviceIds.length
  const rng = createRng(seed)
  const working = [...new Set(m.segments.map((g) => g.day))].filter((d) => d > 0).sort((a, b) => a - b).slice(0, full + tail)
  const share = new Map(working.map((d, i) => [d, i < full ? 0.97 : 0.3]))
  let n = 0
  for (const seg of m.segments) {
    const p = share.get(seg.day)
    if (p === undefined) continue
    const choices: number[] = []
    for (let si = 0; si < nS; si++) if (m.durationUnits[seg.office * nS + si] > 0 && m.skill[seg.staff * nS + si] === 1) choices.push(si)
    if (choices.length === 0) continue
    // As fillScheduler: a unit is booked with probability `p`, else skipped by one service's length.
    for (let u = seg.start; u < seg.end; ) {
      const si = choices[rng.int(choices.length)]
      const dur = m.durationUnits[seg.office * nS + si]
      if (u + dur > seg.end) break
      if (!getBit(s.busyUnits(seg.staff), u) && rng.next() < p) port.placeAppointment(seg.office, seg.staff, u, u + dur, [m.serviceIds[si]], `live-${n++}`)
      u += dur
    }
  }
  return n
}

const counts = (r: ChangeResult) => ({ affected: r.affected, moved: r.moved, offered: r.offered, unplaceable: r.unplaceable, exact: String(r.exact) })

/** Times `s.applyChange(change)` on a scheduler restored from `snap` before every iteration. */
async function timeChange(ctx: BenchContext, operation: string, size: string, scenario: Scenario, snap: ReturnType<Scheduler['snapshot']>, change: Parameters<Scheduler['applyChange']>[0], iterations: number): Promise<Row> {
  let cur: Scheduler | undefined
  let first: string | undefined
  let result: ChangeResult | undefined
  // Outside the timed part: every run must have done the same.
  const check = () => {
    if (!result) return
    const c = JSON.stringify(counts(result))
    if (first !== undefined && c !== first) throw new Error(`${operation}: runs differ: ${first} vs ${c}`)
    first = c
  }
  const row = await measure(ctx, 'live', operation, size, () => {
    result = cur!.applyChange(change)
  }, {
    iterations,
    warmupIterations: 1,
    beforeEach: () => {
      check()
      cur = restoreScheduler(scenario, snap)
    },
  })
  check()
  row.extra = counts(result!)
  return row
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0, den = 0
  for (let i = 0; i < n; i++) (num += (xs[i] - mx) * (ys[i] - my)), (den += (xs[i] - mx) ** 2)
  return den === 0 ? 0 : num / den
}

function runYearProcess(opts: YearOptions): Promise<YearResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', YEAR, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as YearResult) : reject(new Error(`live-year exited with ${code}`))))
  })
}

export async function liveSuite(ctx: BenchContext): Promise<void> {
  const scenario = readScenario('berlin')
  const zone = scenario.timezone
  const now = wallToInstant(zone, scenario.horizon.start, 7 * 60)
  const s = createScheduler(scenario, { now })
  const m = s.model
  const [full, tail] = ctx.ci ? [1, 2] : [3, 5]
  const booked = bookFront(s, full, tail, 7)
  const snap = s.snapshot()
  const size = `Berlin, ${booked.toLocaleString('en')} appointments (${full} working day${full > 1 ? 's' : ''} full)`
  const iterations = ctx.ci ? 3 : 5

  // The sick call: the staff member with the most appointments on the next working day.
  const day = Math.min(...m.segments.map((g) => g.day).filter((d) => d > 0))
  const date = m.dates[day]
  const perStaff = new Map<string, number>()
  for (const a of s.appointments()) if (a.start.startsWith(date)) perStaff.set(a.staffId, (perStaff.get(a.staffId) ?? 0) + 1)
  const [staff, theirs] = [...perStaff].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]
  const sick = { name: 'sick call', changes: [{ kind: 'absence' as const, staff, from: formatInstant(zone, wallToInstant(zone, date, 7 * 60)), to: formatInstant(zone, wallToInstant(zone, addDays(date, 1), 0)) }] }
  const sickRow = await timeChange(ctx, "applyChange: sick call, one staff member's office-day", size, scenario, snap, sick, iterations)
  Object.assign(sickRow.extra!, { staff, date, appointmentsThatDay: theirs })

  // The largest office (most staff; ties by id) closed on its next working day.
  const staffAt = new Map<string, number>()
  for (const p of scenario.staff) staffAt.set(p.office, (staffAt.get(p.office) ?? 0) + 1)
  const [office, officeStaff] = [...staffAt].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]
  const o = m.officeIndex.get(office)!
  const closedOn = m.dates[Math.min(...m.segments.filter((g) => g.office === o && g.day > 0).map((g) => g.day))]
  const close = { name: 'office closed', changes: [{ kind: 'close' as const, office, from: closedOn, to: closedOn }] }
  const closeRow = await timeChange(ctx, 'applyChange: office closed for a day', size, scenario, snap, close, iterations)
  Object.assign(closeRow.extra!, { office, staff: officeStaff, date: closedOn })

  // Peers on the same state: a full rebuild from the snapshot, and the compile inside it.
  const restoreRow = await measure(ctx, 'live', 'restoreScheduler from a snapshot (peer)', size, () => restoreScheduler(scenario, snap), { iterations, warmupIterations: 1 })
  restoreRow.extra = { snapshotBytes: Buffer.byteLength(JSON.stringify(snap)) }
  const compileRow = await measure(ctx, 'live', 'compile(scenario) (peer)', 'Berlin, 46 offices, 550 staff, 120 days', () => compile(scenario), { iterations: ctx.ci ? 3 : 10, warmupIterations: 1 })
  for (const r of [sickRow, closeRow]) {
    compare(r, restoreRow)
    r.extra!.applyChangeOverRestore = Math.round((r.medianUs / restoreRow.medianUs) * 100) / 100
    r.extra!.applyChangeOverCompile = Math.round((r.medianUs / compileRow.medianUs) * 100) / 100
    console.error(`live bench: ${r.operation}: ${Math.round(r.medianUs / 1000)} ms, applyChange / restore = ${r.extra!.applyChangeOverRestore} (restore ${Math.round(restoreRow.medianUs / 1000)} ms, compile ${Math.round(compileRow.medianUs / 1000)} ms); affected ${r.extra!.affected}, moved ${r.extra!.moved}, offered ${r.extra!.offered}, unplaceable ${r.extra!.unplaceable}`)
  }

  // A year (60 days in CI) on a rolling horizon, memory every 30 days.
  const opts: YearOptions = { districts: ['Mitte'], days: ctx.ci ? 60 : 365, book: ctx.ci ? 100 : 500 }
  const y = await runYearProcess(opts)
  const later = y.samples.filter((x) => x.day >= opts.days / 2)
  const at30 = y.samples.find((x) => x.day === 30)!
  const last = y.samples[y.samples.length - 1]
  const series = (f: (x: Sample) => number) => y.samples.filter((x) => x.day > 0).map(f).join(' ')
  const perDayUs = (y.wallSeconds * 1e6) / opts.days
  const yearRow: Row = {
    suite: 'live',
    operation: `rolling horizon: ${opts.days === 365 ? 'a year' : `${opts.days} days`}`,
    size: `Berlin ${opts.districts.join('+')} (${y.offices} offices, ${y.staff} staff), ${y.horizonDays}-day rolling horizon, ${opts.days} days, ${opts.book} bookings a day`,
    medianUs: perDayUs,
    p99Us: perDayUs,
    opsPerSec: 1e6 / perDayUs,
    extra: {
      gc: y.gc ? 'exposed (own process)' : 'not exposed: heap without GC',
      rssMBFirst: at30.rssMB,
      rssMBLast: last.rssMB,
      rssMBMax: Math.max(...y.samples.map((x) => x.rssMB)),
      rssMBPer100DaysSecondHalf: Math.round(slope(later.map((x) => x.day), later.map((x) => x.rssMB)) * 1000) / 10,
      heapMBFirst: at30.heapMB,
      heapMBLast: last.heapMB,
      heapMBMax: Math.max(...y.samples.map((x) => x.heapMB)),
      heapMBPer100DaysSecondHalf: Math.round(slope(later.map((x) => x.day), later.map((x) => x.heapMB)) * 1000) / 10,
      appointmentsDay30: at30.appointments,
      appointmentsEnd: last.appointments,
      snapshotKBDay30: at30.snapshotKB,
      snapshotKBEnd: last.snapshotKB,
      rssMBEvery30Days: series((x) => x.rssMB),
      heapMBEvery30Days: series((x) => x.heapMB),
      appointmentsEvery30Days: series((x) => x.appointments),
      snapshotKBEvery30Days: series((x) => x.snapshotKB),
      booked: y.booked,
      cancelled: y.cancelled,
      missed: y.missed,
      bookedShareEnd: y.bookedShareEnd,
      wallSeconds: y.wallSeconds,
    },
  }
  ctx.rows.push(yearRow)
  console.error(`live bench: ${yearRow.operation}: RSS ${at30.rssMB} → ${last.rssMB} MB (max ${yearRow.extra!.rssMBMax}), heap ${at30.heapMB} → ${last.heapMB} MB, ${at30.appointments} → ${last.appointments} appointments, snapshot ${at30.snapshotKB} → ${last.snapshotKB} kB, ${y.wallSeconds} s`)
}
