/**
 * Starts the HTTP service over a small town (test/waitlist/fixtures.ts) on 127.0.0.1, port 0,
 * with a clock the test moves. Everything goes over a real socket (fetch or node:net).
 */
import { loadScenario } from '../../src/model/load.js'
import { createScheduler, type Scheduler } from '../../src/solver/scheduler/index.js'
import { createHttpService, type HttpService, type HttpServiceOptions } from '../../src/adapters/http/index.js'
import { NOW, town, type TownOptions } from '../waitlist/fixtures.js'

export interface Running {
  app: HttpService
  s: Scheduler
  base: string
  port: number
  /** Moves the service's clock by minutes. */
  advance(minutes: number): void
  close(): Promise<void>
}

export async function start(opts: { town?: TownOptions; service?: Partial<HttpServiceOptions>; scheduler?: Scheduler } = {}): Promise<Running> {
  const s = opts.scheduler ?? createScheduler(loadScenario(town({ days: [1], ...opts.town })), { now: NOW })
  let t = Date.parse(NOW)
  // A short header time-out: the server's close waits for connections that never sent a request (fetch opens spares).
  // No shedding by event-loop lag: a loaded test machine would turn answers into 503s (the overload test sets maxInFlight).
  const app = await createHttpService({ scheduler: s, clock: () => t, clockResolutionMs: 0, tickMs: 0, ...opts.service, limits: { headersTimeoutMs: 1000, maxEventLoopLagMs: 0, ...opts.service?.limits } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  return {
    app,
    s,
    port,
    base: `http://127.0.0.1:${port}`,
    advance: (m) => void (t += m * 60_000),
    close: () => app.close(),
  }
}

export interface Answer<T = any> {
  status: number
  body: T
  headers: Headers
}

/** A JSON request; the body is parsed when there is one. */
export async function call<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const init: RequestInit = { method, headers: { ...headers } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    ;(init.headers as Record<string, string>)['content-type'] ??= 'application/json'
  }
  const res = await fetch(base + path, init)
  const text = await res.text()
  const type = res.headers.get('content-type') ?? ''
  return { status: res.status, body: text && type.includes('json') ? JSON.parse(text) : text, headers: res.headers }
}
