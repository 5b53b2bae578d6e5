/**
 * A NotificationSink that POSTs each notification as JSON to the embedder's webhook, which sends
 * the e-mail or SMS. Delivery is at-least-once: failed attempts (network errors, time-outs, 408,
 * 425, 429, 5xx) are retried with exponential backoff and jitter (honouring Retry-After), and every
 * attempt carries the same `Idempotency-Key` header (the notification's key), so the receiver can
 * drop duplicates. Other answers (4xx, redirects) are final. With a `secret`, the body is signed:
 * `X-Terminplan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 *
 * Failures reject with a TerminplanError (IO_FAILED, issue codes `webhook_rejected`,
 * `webhook_failed`) whose messages show the URL without user info or query and never a secret or
 * header value. Clock, sleep and randomness are injectable, so tests run without waiting.
 */
import { createHmac } from 'node:crypto'
import { TerminplanError } from '../../model/errors.js'
import type { Notification, NotificationSink } from '../../solver/index.js'
import { describeError, ioError, redactSecrets, redactUrl } from '../common/errors.js'

export interface BackoffOptions {
  /** First delay in ms (default 500). */
  baseMs?: number
  /** Growth per attempt (default 2). */
  factor?: number
  /** Largest delay in ms, also for Retry-After (default 30,000). */
  maxMs?: number
  /** ± share of random spread (default 0.2). */
  jitter?: number
}

export interface AttemptInfo {
  attempt: number
  /** HTTP status, when there was an answer. */
  status?: number
  /** Redacted error text, when there was none. */
  error?: string
  /** Wait before the next attempt, when there will be one. */
  delayMs?: number
}

export interface WebhookSinkOptions {
  url: string
  /** HMAC key for `X-Terminplan-Signature`. */
  secret?: string
  /** Extra headers (e.g. Authorization); their values are treated as secrets. */
  headers?: Record<string, string>
  /** Attempts in all, the first included (default 5). */
  maxAttempts?: number
  backoff?: BackoffOptions
  /** Time limit per attempt in ms (default 10,000). */
  timeoutMs?: number
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  /** Uniform in [0, 1), for jitter (default Math.random). */
  random?: () => number
  /** Epoch ms, for the signature's timestamp (default Date.now). */
  now?: () => number
  /** Called after every attempt (for metrics); gets no secrets. */
  onAttempt?: (info: AttemptInfo) => void
}

const RETRYABLE = new Set([408, 425, 429])

/** Seconds or an HTTP date → ms from now; undefined when absent or unreadable. */
function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const t = Date.parse(value)
  return Number.isFinite(t) ? Math.max(0, t - nowMs) : undefined
}

/** HMAC-SHA256 signature header value for a body (what a receiver recomputes to verify). */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')
  return `t=${unixSeconds},v1=${mac}`
}

export class WebhookNotificationSink implements NotificationSink {
  private readonly opts: WebhookSinkOptions
  private readonly secrets: string[]
  private readonly where: string

  constructor(opts: WebhookSinkOptions) {
    let u: URL
    try {
      u = new URL(opts.url)
    } catch {
      throw new TerminplanError('COMMAND_INVALID', 'invalid webhook URL', [{ path: '$.url', code: 'invalid_url', message: 'not a URL' }])
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new TerminplanError('COMMAND_INVALID', 'webhooks need an http(s) URL', [{ path: '$.url', code: 'invalid_url', message: 'not an http(s) URL' }])
    this.opts = opts
    this.where = redactUrl(u)
    this.secrets = [opts.secret, ...Object.values(opts.headers ?? {}), u.password, u.username, ...[...u.searchParams.values()]].filter((x): x is string => !!x)
  }

  /** Never shows secrets, also not through util.inspect or JSON.stringify. */
  toJSON(): Record<string, unknown> {
    return { url: this.where, maxAttempts: this.opts.maxAttempts ?? 5 }
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `WebhookNotificationSink ${JSON.stringify(this.toJSON())}`
  }

  /** Delay before attempt `attempt + 1`, in ms. */
  delayAfter(attempt: number): number {
    const b = this.opts.backoff ?? {}
    const base = b.baseMs ?? 500, factor = b.factor ?? 2, max = b.maxMs ?? 30_000, jitter = b.jitter ?? 0.2
    const raw = Math.min(max, base * factor ** (attempt - 1))
    const r = (this.opts.random ?? Math.random)()
    return Math.max(0, Math.round(raw * (1 - jitter + 2 * jitter * r)))
  }

  async send(n: Notification): Promise<void> {
    const body = JSON.stringify(n)
    const fetchFn = this.opts.fetch ?? fetch
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
    const now = this.opts.now ?? Date.now
    const max = Math.max(1, this.opts.maxAttempts ?? 5)
    const path = `$.notifications[${JSON.stringify(n.idempotencyKey)}]`
    let last = ''
    for (let attempt = 1; attempt <= max; attempt++) {
      const headers: Record<string, string> = {
        ...this.opts.headers,
        'Content-Type': 'application/json',
        'Idempotency-Key': n.idempotencyKey,
        'User-Agent': 'terminplan-webhook',
      }
      if (this.opts.secret) headers['X-Terminplan-Signature'] = signWebhook(this.opts.secret, body, Math.floor(now() / 1000))
      let status: number | undefined
      let retryAfter: number | undefined
      try {
        const res = await fetchFn(this.opts.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) })
        status = res.status
        retryAfter = retryAfterMs(res.headers.get('retry-after'), now())
        await res.arrayBuffer().catch(() => undefined) // drain, so the connection can be reused
        if (res.status >= 200 && res.status < 300) {
          this.opts.onAttempt?.({ attempt, status })
          return
        }
        last = `HTTP ${res.status}`
        if (!(RETRYABLE.has(res.status) || res.status >= 500)) {
          this.opts.onAttempt?.({ attempt, status })
          throw ioError(path, 'webhook_rejected', `POST ${this.where}: ${last}; not retried`)
        }
      } catch (e) {
        if (e instanceof TerminplanError) throw e
        const name = (e as Error)?.name
        last = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.opts.timeoutMs ?? 10_000} ms` : redactSecrets(describeError(e), this.secrets)
      }
      if (attempt === max) {
        this.opts.onAttempt?.({ attempt, ...(status !== undefined ? { status } : { error: last }) })
        break
      }
      const maxMs = this.opts.backoff?.maxMs ?? 30_000
      const delayMs = retryAfter !== undefined ? Math.min(maxMs, retryAfter) : this.delayAfter(attempt)
      this.opts.onAttempt?.({ attempt, ...(status !== undefined ? { status } : { error: last }), delayMs })
      await sleep(delayMs)
    }
    throw ioError(path, 'webhook_failed', redactSecrets(`POST ${this.where}: gave up after ${max} attempt${max === 1 ? '' : 's'}, last: ${last}`, this.secrets))
  }
}
