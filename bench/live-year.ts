/**
 * A year of simulated operation on a rolling horizon, for the `live` suite (bench/live.ts), which
 * runs it in a Node process of its own started with --expose-gc: `npm run bench` (tsx) does not
 * expose gc, and in the bench's own process the RSS would carry the heap of every row before it.
 * Prints one JSON line (YearResult) on stdout; progress goes to stderr.
 *
 * The day: at 07:00, `book` citizens each search one service (weighted by the area's demand) at
 * the area's offices for a week starting on a random day of the booking window, and hold and
 * confirm one of the slots found; one booking in ten of the future ones is cancelled; then the
 * clock moves to the next morning, which rolls the horizon (a rebuild: the scenario rolled, compiled,
 * every record moved, what lies before yesterday dropped). Memory is sampled every 30 days after
 * a full GC (when gc is exposed), the snapshot's size with them (its JSON, taken after the GC).
 *
 *   node --import tsx --expose-gc bench/live-year.ts '{"districts":["Mitte"],"days":365,"book":500}'
 */
import { createRng, createScheduler, loadScenario, weightedIndex, type Scenario } from '../src/index.js'
import { readScenario } from '../src/cli/io.js'
import { TerminplanError } from '../src/model/errors.js'
import { addDays, localDateOf, wallToInstant } from '../src/model/tz.js'

export interface YearOptions {
  districts: string[]
  days: number
  /** Citizens who book each day (each tries once). */
  book: number
  seed?: number
}

export interface Sample {
  day: number
  rssMB: number
  heapMB: number
  appointments: number
  /** JSON.stringify(s.snapshot()) in kB. */
  snapshotKB: number
}

export interface YearResult {
  gc: boolean
  offices: number
  staff: number
  horizonDays: number
  booked: number
  cancelled: number
  /** Searches that found nothing or whose hold failed. */
  missed: number
  samples: Sample[]
  /** Booked share of the working time in the horizon at the end. */
  bookedShareEnd: number
  wallSeconds: number
}

/** Berlin cut down to some districts (offices, their staff and durations, their demand, the districts). */
export function berlinDistricts(districts: string[]): Scenario {
  const base = readScenario('berlin')
  const offices = base.offices.filter((o) => districts.includes(o.district))
  const ids = new Set(offices.map((o) => o.id))
  const staff = base.staff.filter((p) => ids.has(p.office)).map((p) => ({ ...p, shifts: p.shifts.filter((sh) => sh.office === undefined || ids.has(sh.office)) }))
  return loadScenario({
    ...base,
    services: base.services.map((sv) => (sv.officeDurations ? { ...sv, officeDurations: Object.fromEntries(Object.entries(sv.officeDurations).filter(([o]) => ids.has(o))) } : sv)),
    offices,
    staff,
    districts: base.districts.filter((d) => districts.includes(d.id)).map((d) => ({ ...d, neighbours: d.neighbours.filter((n) => districts.includes(n)) })),
    demand: base.demand.filter((d) => d.district !== undefined && districts.includes(d.district)),
  })
}

const MB = 2 ** 20
const round1 = (x: number) => Math.round(x * 10) / 10

export function runYear(opts: YearOptions): YearResult {
  const t0 = performance.now()
  const gc = (globalThis as { gc?: () => void }).gc
  const scenario = berlinDistricts(opts.districts)
  const zone = scenario.timezone
  const morning = (date: string) => wallToInstant(zone, date, 7 * 60)
  const s = createScheduler(scenario, { now: morning(scenario.horizon.start), horizon: 'rolling' })
  const rng = createRng(opts.seed ?? 11)
  const offices = scenario.offices.map((o) => o.id)
  const weight = new Map<string, number>()
  for (const d of scenario.demand) weight.set(d.service, (weight.get(d.service) ?? 0) + d.count)
  const services = [...weight.keys()].sort()
  const weights = services.map((id) => weight.get(id)!)
  const maxDays = Math.max(...scenario.offices.map((o) => o.bookingWindow.maxDays))
  const minDays = Math.min(...scenario.offices.map((o) => o.bookingWindow.minDays))

  const samples: Sample[] = []
  const sample = (day: number) => {
    gc?.()
    const mu = process.memoryUsage()
    const snapshotKB = Math.round(Buffer.byteLength(JSON.stringify(s.snapshot())) / 1024)
    samples.push({ day, rssMB: round1(mu.rss / MB), heapMB: round1(mu.heapUsed / MB), appointments: s.appointments().length, snapshotKB })
  }
  let booked = 0, cancelled = 0, missed = 0
  sample(0)
  for (let day = 0; day < opts.days; day++) {
    const today = localDateOf(zone, Date.parse(s.now()))
    for (let i = 0; i < opts.book; i++) {
      const from = addDays(today, Math.max(1, minDays) + rng.int(maxDays - Math.max(1, minDays) + 1))
      const citizenId = `y${day}-${i}`
      const { slots } = s.search({ services: [services[weightedIndex(rng, weights)]], offices, from, to: addDays(from, 6), citizenId, limit: 5 })
      if (slots.length === 0) {
        missed++
        continue
      }
      try {
        s.confirm(s.hold(slots[rng.int(slots.length)], { citizenId }).id)
        booked++
      } catch (e) {
        if (!(e instanceof TerminplanError)) throw e
        missed++
      }
    }
    const nowMs = Date.parse(s.now())
    const future = s.appointments().filter((a) => Date.parse(a.start) > nowMs)
    for (let k = Math.round(opts.book / 10); k > 0 && future.length > 0; k--) {
      const j = rng.int(future.length)
      s.cancel(future[j].id)
      future[j] = future[future.length - 1]
      future.pop()
      cancelled++
    }
    s.setNow(morning(addDays(today, 1)))
    if ((day + 1) % 30 === 0 || day + 1 === opts.days) {
      sample(day + 1)
      const last = samples[samples.length - 1]
      console.error(`live bench: day ${day + 1}: ${last.appointments} appointments, snapshot ${last.snapshotKB} kB, RSS ${last.rssMB} MB, heap ${last.heapMB} MB (${Math.round(performance.now() - t0)} ms)`)
    }
  }
  const st = s.stats()
  return {
    gc: gc !== undefined,
    offices: offices.length,
    staff: scenario.staff.length,
    horizonDays: scenario.horizon.days,
    booked,
    cancelled,
    missed,
    samples,
    bookedShareEnd: Math.round((st.bookedUnits / st.capacityUnits) * 1000) / 1000,
    wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(runYear(JSON.parse(process.argv[2] ?? '{}') as YearOptions)) + '\n')
}
