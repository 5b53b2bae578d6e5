/**
 * createHttpService: a Fastify instance that serves one scheduler over HTTP. The caller listens
 * and closes (`await app.listen({ port, host })`, `await app.close()`); closing ends the event
 * streams and timers but leaves the scheduler (and its journal) to the caller.
 *
 * It uses the scheduler's public interface only (`Scheduler`, so a `JournaledScheduler` too), or a
 * `CityScheduler`: then commands answer once committed to PostgreSQL, a follower instance answers
 * them with 421 NOT_LEADER naming the leader, and /ready and /metrics say where it stands.
 */
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'
import type { OpenAPIV3_1 } from 'openapi-types'
import type { z } from 'zod'
import { DEFAULT_LIMITS, TerminplanError } from '../../model/index.js'
import { structureIssues } from '../../model/limits.js'
import { zodIssues } from '../../model/load.js'
import { clockSync, createRunner, type ServedScheduler, type ServiceContext } from './context.js'
import { errorBody, handleError, httpError, STATUS_BY_CODE } from './errors.js'
import { DEFAULT_GUARD_LIMITS, Guards, type GuardLimits } from './guards.js'
import { ServiceMetrics, type MetricsOptions } from './metrics.js'
import { changeRoutes } from './routes/changes.js'
import { dayRoutes } from './routes/day.js'
import { commandRoutes } from './routes/commands.js'
import { eventRoutes, OfferStream } from './routes/events.js'
import { opsRoutes } from './routes/ops.js'
import { viewRoutes } from './routes/views.js'

export interface HttpLimits extends GuardLimits {
  /** Largest request body in bytes (default 64 KiB); larger is 413. */
  bodyBytes: number
  /** Deepest nesting of a JSON body (default 16; commands need 4). */
  depth: number
  /** Whole request (headers and body) within this many ms, else 408 (default 10,000). */
  requestTimeoutMs: number
  /** Headers within this many ms, else 408 (default 5,000; slowloris). */
  headersTimeoutMs: number
  /** A socket idle this long is closed (default 30,000). */
  connectionTimeoutMs: number
  /** An idle keep-alive connection is closed after this many ms (default 5,000). */
  keepAliveTimeoutMs: number
  /** Open event streams at most (default 1,000). */
  eventStreams: number
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  ...DEFAULT_GUARD_LIMITS,
  bodyBytes: 64 * 1024,
  depth: 16,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  connectionTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  eventStreams: 1_000,
}

export interface HttpServiceOptions {
  /** A scheduler of this process (journaled or not), or one instance of a PostgreSQL city (openCityScheduler). */
  scheduler: ServedScheduler
  /** Epoch ms (default Date.now): the scheduler's clock follows it, so holds and offers expire. */
  clock?: () => number
  /** The scheduler's clock is moved at most once per this many ms (default 1,000; each move is a command). */
  clockResolutionMs?: number
  /** Moves the clock this often even without requests, so offers expire and pass on (default 15,000; 0 = off). */
  tickMs?: number
  limits?: Partial<HttpLimits>
  metrics?: MetricsOptions
  /**
   * Fastify's logger options (default off). When on, requests are logged without query strings,
   * bodies or headers, and errors by type, code and stack frames only, so no citizen id reaches the log.
   */
  logger?: boolean | Exclude<FastifyServerOptions['logger'], boolean | undefined>
  /** Behind a reverse proxy: take the client IP from X-Forwarded-For (Fastify's trustProxy). */
  trustProxy?: FastifyServerOptions['trustProxy']
  /** Serve the docs page at /docs (default true). */
  docs?: boolean
}

export type HttpService = FastifyInstance

/**
 * Commands without a body (confirm, accept, decline) accept none or `{}`: say so in the document,
 * which would otherwise mark their body required with a schema of "object or null".
 */
function optionalBodies(doc: OpenAPIV3_1.Document): OpenAPIV3_1.Document {
  for (const ops of Object.values(doc.paths ?? {}))
    for (const op of Object.values(ops ?? {})) {
      const body = (op as OpenAPIV3_1.OperationObject | undefined)?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined
      const media = body?.content?.['application/json']
      const anyOf = (media?.schema as OpenAPIV3_1.SchemaObject | undefined)?.anyOf
      if (!body || !media || !anyOf?.some((s) => (s as OpenAPIV3_1.SchemaObject).type === 'null')) continue
      body.required = false
      media.schema = anyOf.find((s) => (s as OpenAPIV3_1.SchemaObject).type !== 'null')
    }
  return doc
}

/** Client errors Node reports before Fastify sees a request (time-outs, malformed HTTP), as JSON. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, issue, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'request_timeout', 'the request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'PAYLOAD_TOO_LARGE', 'headers_too_large', 'the request headers are too large']
        : [400, 'BAD_REQUEST', 'malformed_http', 'the request is not valid HTTP/1.1']
  const body = JSON.stringify({ code, message, issues: [{ path: '$', code: issue, message }] })
  // As Node's own handler: no second answer on a socket whose response has begun (e.g. an error already sent).
  const res = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && !res?.headersSent) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  socket.destroy()
}

/**
 * A logger that never writes personal data: requests are logged by method, route and status, the
 * path without its query (`?citizenId=` would name a citizen) and never a body or header.
 */
function privateLogger(logger: HttpServiceOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false
  const base = logger === true ? {} : logger
  return {
    ...base,
    serializers: {
      req: (req: { method: string; url: string; routeOptions?: { url?: string } }) => ({ method: req.method, url: req.url.split('?')[0].slice(0, 200), route: req.routeOptions?.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // An error's message may quote an input; its code and its frames (without the message line) may not.
      err: (err: { name?: string; code?: unknown; stack?: string }) => ({
        type: err.name ?? 'Error',
        message: typeof err.code === 'string' ? err.code : 'error',
        stack: (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n'),
      }),
    },
  }
}

export async function createHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const s = options.scheduler
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits }
  const clock = options.clock ?? Date.now
  const metrics = new ServiceMetrics(s, options.metrics)
  const guards = new Guards(limits, s, metrics, clock)
  const syncClock = clockSync(s, clock, options.clockResolutionMs ?? 1000)
  const c: ServiceContext = { s, metrics, guards, clock, syncClock, run: createRunner(metrics, syncClock), closing: false }
  const stream = new OfferStream(s, limits.eventStreams, 15_000)

  const app = Fastify({
    logger: privateLogger(options.logger),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: limits.bodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the request and header time-outs on this interval; its default (30 s) would let a slow client sit far longer.
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) },
    clientErrorHandler,
    return503OnClosing: true,
    // Ids of entries and hold are short; anything longer is not ours.
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>()

  // Validation by the model's zod schemas, with the model's paths (`$.services[0]`).
  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    const r = (schema as z.ZodType).safeParse(data)
    if (r.success) return { value: r.data }
    const issues = zodIssues(r.error)
    return { error: new TerminplanError('COMMAND_INVALID', `invalid request: ${issues[0].path}: ${issues[0].message}`, issues) }
  })
  app.setSerializerCompiler(serializerCompiler)

  // JSON bodies: Fastify's parser (prototype-poisoning safe), then the model's structure check for depth.
  const jsonParser = app.getDefaultJsonParser('error', 'error')
  const structureLimits = { ...DEFAULT_LIMITS, depth: limits.depth, stringLength: limits.bodyBytes }
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    jsonParser(req, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(httpError('BAD_JSON', '$', 'invalid_json', 'the body is not valid JSON'), undefined)
      const { issues } = structureIssues(value, structureLimits, 5)
      if (issues.length > 0) return done(new TerminplanError('COMMAND_INVALID', `invalid request: ${issues[0].path}: ${issues[0].message}`, issues), undefined)
      done(null, value)
    })
  })

  app.setErrorHandler(handleError)
  app.setNotFoundHandler((req, reply) => {
    const { body } = errorBody(httpError('ROUTE_NOT_FOUND', '$', 'route_not_found', `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}`))
    return reply.code(STATUS_BY_CODE.ROUTE_NOT_FOUND).send(body)
  })

  // Load shedding first, before any body is read.
  app.addHook('onRequest', async (req, reply) => {
    guards.admit()
    guards.inFlight++
    reply.raw.once('close', () => guards.inFlight--)
  })
  app.addHook('onResponse', async (req, reply) => metrics.answered(req.routeOptions.url ?? 'unmatched', reply.statusCode))

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'terminplan booking service',
        version: '0.1.0',
        description:
          'Search, hold, confirm, reschedule and cancel appointments at citizen service offices; waitlist and offers; live changes for operators; the day of service (check-in, walk-ins, the call queue). Errors are `{ code, message, issues: [{ path, code, message }] }`.',
      },
      tags: [
        { name: 'booking' },
        { name: 'waitlist' },
        { name: 'views' },
        { name: 'changes', description: 'Live changes (sick calls, rosters, closures), for operators: the service has no authentication, so expose these routes only to the operator network' },
        { name: 'day of service', description: 'Check-in, walk-ins, calls and service times, for terminals, counters and the call display: expose these routes only to the offices\' network' },
        { name: 'operations' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (d) => optionalBodies(('openapiObject' in d ? d.openapiObject : d.swaggerObject) as OpenAPIV3_1.Document),
  })
  if (options.docs !== false) await app.register(fastifySwaggerUi, { routePrefix: '/docs' })

  await app.register(commandRoutes(c))
  await app.register(viewRoutes(c))
  await app.register(eventRoutes(c, stream))
  await app.register(changeRoutes(c))
  await app.register(dayRoutes(c))
  await app.register(opsRoutes(c))
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  let ticker: NodeJS.Timeout | undefined
  if ((options.tickMs ?? 15_000) > 0) {
    ticker = setInterval(() => {
      // A broken journal shows in /ready and in every command's answer.
      syncClock().catch(() => {})
    }, options.tickMs ?? 15_000)
    ticker.unref()
  }
  guards.startLagMonitor()

  app.addHook('preClose', async () => {
    c.closing = true
    stream.close()
  })
  app.addHook('onClose', async () => {
    if (ticker) clearInterval(ticker)
    guards.stop()
    metrics.close()
  })
  await app.ready()
  return app
}
