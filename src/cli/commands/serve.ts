/**
 * `terminplan serve <scenario|berlin>`: the HTTP booking service (src/adapters/http) over one
 * scheduler, kept in a journal with --journal, or as one instance of a city on PostgreSQL with
 * --database (several instances of one city: one leads and takes commands, the others follow and
 * serve searches; when the leader goes, one of them takes over). Prints the URL; SIGINT/SIGTERM
 * stop it cleanly (the server first, then the journal is made durable and closed, or the lease
 * given up).
 */
import type { Command } from 'commander'
import { createServer } from 'node:net'
import { basename } from 'node:path'
import { createHttpService } from '../../adapters/http/index.js'
import { openCityScheduler, openScheduler, pgStore } from '../../adapters/journal/index.js'
import type { ServedScheduler } from '../../adapters/http/context.js'
import { WebhookNotificationSink } from '../../adapters/notify/index.js'
import { TerminplanError } from '../../model/errors.js'
import { parseInstant } from '../../model/tz.js'
import { createScheduler } from '../../solver/index.js'
import { cliLimits, readScenario } from '../io.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface ServeOptions {
  journal?: string
  database?: string
  city?: string
  instance?: string
  follower?: boolean
  port: string
  host: string
  now?: string
  webhook?: string
  clientIdHeader?: string
}

const usage = (name: string, message: string): never => {
  throw new TerminplanError('USAGE', `--${name} ${message}`, [{ path: `$.${name}`, code: 'invalid_option', message }])
}

/** The city a scenario file stands for when --city is not given: its file name without .json. */
const cityName = (arg: string) => basename(arg).replace(/\.json$/i, '').slice(0, 64) || 'city'

/**
 * Takes the port before the scheduler opens (a city instance would otherwise take the lease, then
 * find its port busy) and learns which one `--port 0` got; released just before Fastify listens.
 */
async function listenFirst(host: string, port: number): Promise<{ port: number; release(): Promise<void> }> {
  const srv = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen({ port, host }, resolve)
    })
  } catch (e) {
    throw new TerminplanError('IO_FAILED', `cannot listen on ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  let open = true
  return {
    port: (srv.address() as { port: number }).port,
    release: () => (open ? ((open = false), new Promise<void>((r) => srv.close(() => r()))) : Promise.resolve()),
  }
}

export const registerServe: RegisterCommand = (program: Command, io: CliIo) => {
  program
    .command('serve')
    .description('run the HTTP booking service (OpenAPI at /openapi.json, docs at /docs, metrics at /metrics)')
    .argument('<scenario>', 'scenario JSON file, or the name of a built-in example (berlin)')
    .option('--journal <dir>', 'keep the bookings in this journal directory (created or recovered); without it they live in memory')
    .option('--database <url>', 'keep the bookings in PostgreSQL (postgres://user@host/db); several instances of one city share them')
    .option('--city <name>', 'with --database: the city this instance serves (default: the scenario file name, or the built-in example)')
    .option('--instance <name>', 'with --database: how clients reach this instance, named to them by followers (default: its URL)')
    .option('--follower', 'with --database: never lead, only follow and serve searches and views (a read replica)')
    .option('--port <n>', 'TCP port (0 = any free one)', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--now <iso>', 'start the clock at this time (it then runs in real time); default: now')
    .option('--webhook <url>', 'POST notifications (offers, confirmations, reminders) to this URL')
    .option('--client-id-header <name>', 'rate-limit clients by this request header (set by a trusted front end) instead of their IP')
    .action(async (arg: string, opts: ServeOptions) => {
      const port = Number(opts.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) usage('port', `must be a port number 0–65535, got ${opts.port}`)
      const startMs = opts.now === undefined ? Date.now() : (parseInstant(opts.now) ?? usage('now', `must be an ISO 8601 date-time with offset, got ${opts.now}`))
      const offset = startMs - Date.now()
      const clock = () => Date.now() + offset
      if (opts.journal && opts.database) usage('database', 'cannot be combined with --journal: the bookings live in one of them')
      for (const k of ['city', 'instance', 'follower'] as const) if (opts[k] !== undefined && !opts.database) usage(k, 'needs --database')
      const scenario = readScenario(arg)
      const notifications = opts.webhook ? new WebhookNotificationSink({ url: opts.webhook }) : undefined
      const base = { now: startMs, notifications, limits: { waitlistSize: cliLimits().waitlistSize } }
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
      // The instance's name is its URL by default, which needs the port before the city opens.
      const server = await listenFirst(opts.host, port)
      const url = `http://${host}:${server.port}`
      let s: ServedScheduler & { close?: () => void | Promise<void> }
      try {
        s = opts.database
          ? await openCityScheduler({
              ...base,
              scenario,
              store: pgStore({ connection: opts.database, city: opts.city ?? cityName(arg) }),
              instance: opts.instance ?? url,
              role: opts.follower ? 'follower' : 'auto',
            })
          : opts.journal
            ? openScheduler({ ...base, scenario, journal: opts.journal })
            : createScheduler(scenario, base)
      } catch (e) {
        await server.release()
        throw e
      }
      const app = await createHttpService({ scheduler: s, clock, limits: opts.clientIdHeader ? { clientIdHeader: opts.clientIdHeader } : {} })
      try {
        await server.release()
        await app.listen({ port: server.port, host: opts.host })
      } catch (e) {
        await s.close?.()
        throw new TerminplanError('IO_FAILED', `cannot listen on ${opts.host}:${server.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      const where = opts.journal ? `, journal ${opts.journal}` : opts.database ? `, city ${opts.city ?? cityName(arg)} on PostgreSQL (${s.role?.()})` : ''
      io.stdout(`terminplan serving ${scenario.offices.length} offices at ${url} (docs ${url}/docs, OpenAPI ${url}/openapi.json)${where}\n`)
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          resolve()
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
      await app.close()
      await s.close?.()
      io.stdout('stopped\n')
    })
}
