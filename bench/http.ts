/**
 * The HTTP service under load (autocannon on 127.0.0.1, bounded in time and count), beside the
 * embedded engine doing the same operation in the same run, so the HTTP overhead is visible:
 * - search: POST /search at Berlin scale, 76 % booked;
 * - booking: search → hold → confirm per citizen, three requests per booking;
 * - overload: far more connections and pipelining than the service admits; it sheds with 429/503
 *   and every confirm it acknowledged (201) is an appointment in the scheduler, none lost.
 * The server runs in a child process (bench/http-server.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { readScenario } from '../src/cli/io.js'
import { createScheduler, fillScheduler, type Scenario } from '../src/index.js'
import { measure, type BenchContext, type Row } from './lib.js'

const SERVER = new URL('./http-server.ts', import.meta.url).pathname
const OPEN = { searchPerCitizen: null, searchPerClient: null, holdPerCitizen: null, holdPerClient: null, holdsPerCitizen: 1 }

interface Server {
  port: number
  ask(line: string, prefix: string): Promise<string>
  stop(): Promise<void>
}

async function startServer(limits: object): Promise<Server> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', SERVER, JSON.stringify(limits)], { stdio: ['pipe', 'pipe', 'pipe'] })
  const lines = createInterface({ input: child.stdout })
  const waiting: { prefix: string; resolve: (s: string) => void }[] = []
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  lines.on('line', (l) => {
    const i = waiting.findIndex((w) => l.startsWith(w.prefix))
    if (i >= 0) waiting.splice(i, 1)[0].resolve(l)
  })
  const next = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ prefix, resolve })
      child.once('exit', () => reject(new Error(`bench server exited: ${stderr}`)))
    })
  const first = await next('port ')
  return {
    port: Number(first.split(' ')[1]),
    ask: (line, prefix) => {
      const p = next(prefix)
      child.stdin.write(line + '\n')
      return p
    },
    stop: async () => {
      child.stdin.write('exit\n')
      await new Promise((res) => child.once('exit', res))
    },
  }
}

function row(suite: string, operation: string, size: string, r: autocannon.Result, extra: Record<string, number | string> = {}): Row {
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [`status${k}`, v.count ?? 0]))
  return { suite, operation, size, medianUs: r.latency.p50 * 1000, p99Us: r.latency.p99 * 1000, opsPerSec: r.requests.average, extra: { requests: r.requests.total, errors: r.errors, timeouts: r.timeouts, ...statuses, ...extra } }
}

interface Counter {
  n: number
  /** Appointment ids of the confirms answered 201. */
  acknowledged: string[]
}

/** Acknowledged confirms missing from the scheduler (must be none); booked ones the client never heard of may exist (it gave up, or the run ended). */
async function lostOf(server: Server, counter: Counter): Promise<{ booked: number; lost: number }> {
  const booked = new Set<string>(JSON.parse((await server.ask('count', 'load ')).slice(5)))
  const lost = counter.acknowledged.filter((id) => !booked.has(id)).length
  if (lost > 0) throw new Error(`bench http: ${lost} acknowledged confirms are not in the scheduler`)
  return { booked: booked.size, lost }
}

/** A booking per connection cycle: search (as a new citizen), hold the first slot, confirm it. */
function bookingRequests(counter: Counter, services: string[]): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: '/search',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req, ctx: any) => {
        ctx.citizen = `load-${counter.n++}`
        return { ...req, body: JSON.stringify({ services, citizenId: ctx.citizen, limit: 5 }) }
      },
      // Citizens pick one of the first five (as people do), so connections rarely race for one slot.
      onResponse: (status, body, ctx: any) => {
        const slots = status === 200 ? JSON.parse(body).slots : []
        ctx.slot = slots.length ? slots[counter.n % slots.length] : undefined
      },
    },
    {
      method: 'POST',
      path: '/holds',
      headers: { 'content-type': 'application/json' },
      // No slot (the search was refused): start over with the next citizen (a falsy request resets the sequence).
      setupRequest: (req, ctx: any) => (ctx.slot ? { ...req, body: JSON.stringify({ ...ctx.slot, citizenId: ctx.citizen }) } : (null as unknown as autocannon.Request)),
      onResponse: (status, body, ctx: any) => {
        ctx.hold = status === 201 ? JSON.parse(body).id : undefined
      },
    },
    {
      method: 'POST',
      setupRequest: (req, ctx: any) => (ctx.hold ? { ...req, path: `/holds/${ctx.hold}/confirm`, headers: { 'idempotency-key': `k-${ctx.citizen}` } } : (null as unknown as autocannon.Request)),
      onResponse: (status, body) => {
        if (status === 201) counter.acknowledged.push(JSON.parse(body).id)
      },
    },
  ]
}

export async function httpSuite(ctx: BenchContext): Promise<void> {
  const seconds = ctx.ci ? 1 : 3
  const amount = ctx.ci ? 2_000 : 50_000
  const services = ['120703']

  // The embedded engine, same scenario and fill, same operations.
  const base = readScenario('berlin')
  const scenario: Scenario = { ...base, policy: { ...base.policy, cancelFreezeMinutes: 0, maxActiveAppointmentsPerCitizen: 100 } }
  const s = createScheduler(scenario, { now: Date.parse(`${scenario.horizon.start}T07:00:00+01:00`) })
  fillScheduler(s, { share: 0.76, seed: 7, profile: 'front' })
  let i = 0
  const embSearch = await measure(ctx, 'http', 'embedded search', 'Berlin, 76 % booked', () => s.search({ services, citizenId: `e-${i++}`, limit: 1 }))
  const embBook = await measure(ctx, 'http', 'embedded search + hold + confirm', 'Berlin, 76 % booked', () => {
    const c = `e-${i++}`
    const [slot] = s.search({ services, citizenId: c, limit: 1 }).slots
    s.confirm(s.hold(slot, { citizenId: c }).id)
  })

  const server = await startServer(OPEN)
  try {
    const url = `http://127.0.0.1:${server.port}`
    let n = 0
    const search = await autocannon({
      url,
      connections: 10,
      duration: seconds,
      maxOverallRequests: amount,
      requests: [{ method: 'POST', path: '/search', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ services, citizenId: `s-${n++}`, limit: 1 }) }) }],
    })
    const sr = row('http', 'POST /search', 'Berlin, 76 % booked, 10 connections', search)
    ctx.rows.push(sr)
    // The embedded engine's row carries the ratio: how many times the throughput of the service it is.
    embSearch.peer = 'http/POST /search'
    embSearch.ratio = embSearch.opsPerSec / sr.opsPerSec

    const counter: Counter = { n: 0, acknowledged: [] }
    const booking = await autocannon({ url, connections: 10, duration: seconds, maxOverallRequests: amount, requests: bookingRequests(counter, services) })
    const bookingsPerSec = counter.acknowledged.length / booking.duration
    const br = row('http', 'search → hold → confirm (3 requests)', 'Berlin, 76 % booked, 10 connections', booking, { bookingsPerSec, embeddedBookingsPerSec: embBook.opsPerSec, acknowledged: counter.acknowledged.length, ...(await lostOf(server, counter)) })
    ctx.rows.push(br)
    embBook.peer = 'http/search → hold → confirm (3 requests), bookings/s'
    embBook.ratio = embBook.opsPerSec / bookingsPerSec
  } finally {
    await server.stop()
  }

  // Overload: 100 connections pipelining 4, against admission at 32 requests in flight and a per-client hold limit.
  const tight = await startServer({ ...OPEN, maxInFlight: 32, maxEventLoopLagMs: 200, clientIdHeader: 'x-client-id', holdPerClient: { perSecond: 300, burst: 300 } })
  try {
    const counter: Counter = { n: 0, acknowledged: [] }
    const over = await autocannon({ url: `http://127.0.0.1:${tight.port}`, connections: 100, pipelining: 4, duration: seconds, maxOverallRequests: amount, headers: { 'x-client-id': 'one-big-client' }, requests: bookingRequests(counter, services) })
    const r = row('http', 'overload: search → hold → confirm', '100 connections × 4 pipelined, admission 32 in flight', over, {
      acknowledged: counter.acknowledged.length,
      ...(await lostOf(tight, counter)),
    })
    ctx.rows.push(r)
  } finally {
    await tight.stop()
  }
}
