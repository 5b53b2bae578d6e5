/**
 * `terminplan serve <scenario|berlin>`: the HTTP booking service (src/adapters/http) over one
 * scheduler, kept in a journal with --journal. Prints the URL; SIGINT/SIGTERM stop it cleanly
 * (the server first, then the journal is made durable and closed).
 */
import type { Command } from 'commander'
import { createHttpService } from '../../adapters/http/index.js'
import { openScheduler } from '../../adapters/journal/index.js'
import { WebhookNotificationSink } from '../../adapters/notify/index.js'
import { TerminplanError } from '../../model/errors.js'
import { parseInstant } from '../../model/tz.js'
import { createScheduler, type Scheduler } from '../../solver/index.js'
import { cliLimits, readScenario } from '../io.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface ServeOptions {
  journal?: string
  port: string
  host: string
  now?: string
  webhook?: string
  clientIdHeader?: string
}

const usage = (name: string, message: string): never => {
  throw new TerminplanError('USAGE', `--${name} ${message}`, [{ path: `$.${name}`, code: 'invalid_option', message }])
}

export const registerServe: RegisterCommand = (program: Command, io: CliIo) => {
  program
    .command('serve')
    .description('run the HTTP booking service (OpenAPI at /openapi.json, docs at /docs, metrics at /metrics)')
    .argument('<scenario>', 'scenario JSON file, or the name of a built-in example (berlin)')
    .option('--journal <dir>', 'keep the bookings in this journal directory (created or recovered); without it they live in memory')
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
      const scenario = readScenario(arg)
      const notifications = opts.webhook ? new WebhookNotificationSink({ url: opts.webhook }) : undefined
      const base = { now: startMs, notifications, limits: { waitlistSize: cliLimits().waitlistSize } }
      const s: Scheduler & { close?: () => void } = opts.journal ? openScheduler({ ...base, scenario, journal: opts.journal }) : createScheduler(scenario, base)
      const app = await createHttpService({ scheduler: s, clock, limits: opts.clientIdHeader ? { clientIdHeader: opts.clientIdHeader } : {} })
      try {
        await app.listen({ port, host: opts.host })
      } catch (e) {
        s.close?.()
        throw new TerminplanError('IO_FAILED', `cannot listen on ${opts.host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      const addr = app.server.address() as { port: number }
      const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${addr.port}`
      io.stdout(`terminplan serving ${scenario.offices.length} offices at ${url} (docs ${url}/docs, OpenAPI ${url}/openapi.json)${opts.journal ? `, journal ${opts.journal}` : ''}\n`)
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
      s.close?.()
      io.stdout('stopped\n')
    })
}
