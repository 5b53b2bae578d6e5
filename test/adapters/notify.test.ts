import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConsoleNotificationSink, notificationFacts } from '../../src/adapters/notify/console.js'
import { signWebhook, WebhookNotificationSink, type AttemptInfo } from '../../src/adapters/notify/webhook.js'
import { isTerminplanError, TerminplanError } from '../../src/model/errors.js'
import type { Notification } from '../../src/solver/index.js'
import { freePort } from './radicale.js'

const offer: Notification = {
  kind: 'offer',
  idempotencyKey: 'offer-o17-c42',
  citizenId: 'c-42',
  at: '2026-12-01T08:00:00+01:00',
  officeId: '122217',
  start: '2026-12-03T09:00:00+01:00',
  end: '2026-12-03T09:20:00+01:00',
  services: ['120703'],
  offerId: 'o17',
  expiresAt: '2026-12-01T08:30:00+01:00',
}

describe('console sink', () => {
  it('writes one line of ids and appointment facts per notification', () => {
    const lines: string[] = []
    const sink = new ConsoleNotificationSink({ write: (l) => lines.push(l) })
    sink.send(offer)
    expect(lines).toEqual([
      '2026-12-01T08:00:00+01:00 offer idempotencyKey=offer-o17-c42 citizenId=c-42 officeId=122217 start=2026-12-03T09:00:00+01:00 end=2026-12-03T09:20:00+01:00 services=120703 offerId=o17 expiresAt=2026-12-01T08:30:00+01:00',
    ])
  })

  it('never prints a field outside its list, whatever a notification carries', () => {
    const lines: string[] = []
    const leaky = { ...offer, kind: 'confirmation', email: 'erika@example.org', phone: '+49 30 1234567', name: 'Erika Mustermann' } as unknown as Notification
    new ConsoleNotificationSink({ write: (l) => lines.push(l) }).send(leaky)
    new ConsoleNotificationSink({ write: (l) => lines.push(l), format: 'json' }).send(leaky)
    expect(lines.join('\n')).not.toMatch(/erika|Mustermann|1234567/i)
    expect(JSON.parse(lines[1])).toEqual({ ...notificationFacts(offer), kind: 'confirmation' })
  })
})

describe('webhook sink', () => {
  let server: Server
  let url = ''
  const received: { headers: IncomingMessage['headers']; body: string }[] = []
  let plan: Array<(res: ServerResponse) => void> = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({ headers: req.headers, body })
        const next = plan.shift()
        if (next) next(res)
        else res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const a = server.address()
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hooks/terminplan?token=q-Secret-123`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
  const reset = (steps: Array<(res: ServerResponse) => void>) => {
    received.length = 0
    plan = steps
  }
  const status = (code: number, headers: Record<string, string> = {}) => (res: ServerResponse) => res.writeHead(code, headers).end('nope')
  /** A sink whose sleeps are recorded instead of waited for. */
  const make = (over: Partial<ConstructorParameters<typeof WebhookNotificationSink>[0]> = {}) => {
    const sleeps: number[] = []
    const attempts: AttemptInfo[] = []
    const sink = new WebhookNotificationSink({
      url,
      secret: 'hmac-Secret-456',
      headers: { Authorization: 'Bearer tok-Secret-789' },
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      now: () => Date.parse('2026-12-01T07:00:00Z'),
      onAttempt: (i) => attempts.push(i),
      ...over,
    })
    return { sink, sleeps, attempts }
  }
  const SECRETS = ['q-Secret-123', 'hmac-Secret-456', 'tok-Secret-789']
  const noSecrets = (e: TerminplanError) => {
    const text = `${e.message} ${JSON.stringify(e)} ${e.stack} ${inspect(e, { depth: 5 })}`
    for (const x of SECRETS) expect(text).not.toContain(x)
  }
  async function caught(p: Promise<unknown>): Promise<TerminplanError> {
    try {
      await p
    } catch (e) {
      if (isTerminplanError(e)) return e
      throw e
    }
    throw new Error('expected a TerminplanError')
  }

  it('retries failed attempts with exponential backoff, always with the same Idempotency-Key and a valid signature', async () => {
    reset([status(503), status(502), status(500)])
    const { sink, sleeps, attempts } = make()
    await sink.send(offer)
    expect(received).toHaveLength(4)
    expect(sleeps).toEqual([500, 1000, 2000]) // jitter at its middle (random 0.5)
    expect(attempts.map((a) => a.status)).toEqual([503, 502, 500, 204])
    for (const r of received) {
      expect(r.headers['idempotency-key']).toBe('offer-o17-c42')
      expect(r.headers['content-type']).toBe('application/json')
      expect(r.headers.authorization).toBe('Bearer tok-Secret-789')
      expect(JSON.parse(r.body)).toEqual(offer)
      const sig = String(r.headers['x-terminplan-signature'])
      const t = Number(/t=(\d+)/.exec(sig)![1])
      expect(t).toBe(Date.parse('2026-12-01T07:00:00Z') / 1000)
      expect(sig).toBe(`t=${t},v1=${createHmac('sha256', 'hmac-Secret-456').update(`${t}.${r.body}`).digest('hex')}`)
      expect(sig).toBe(signWebhook('hmac-Secret-456', r.body, t))
    }
  })

  it('honours Retry-After on 429 and 503, capped by the backoff maximum', async () => {
    reset([status(429, { 'Retry-After': '7' }), status(503, { 'Retry-After': '3600' })])
    const { sink, sleeps } = make({ backoff: { maxMs: 60_000 } })
    await sink.send(offer)
    expect(sleeps).toEqual([7000, 60_000])
  })

  it('does not retry a rejection (4xx) and says so, without secrets', async () => {
    reset([status(400)])
    const { sink, sleeps } = make()
    const e = await caught(sink.send(offer))
    expect(received).toHaveLength(1)
    expect(sleeps).toEqual([])
    expect(e.code).toBe('IO_FAILED')
    expect(e.issues[0]).toMatchObject({ path: '$.notifications["offer-o17-c42"]', code: 'webhook_rejected' })
    expect(e.message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/hooks\/terminplan: HTTP 400/)
    noSecrets(e)
  })

  it('gives up after maxAttempts with a typed error', async () => {
    reset([status(500), status(500), status(500)])
    const { sink, sleeps } = make({ maxAttempts: 3 })
    const e = await caught(sink.send(offer))
    expect(received).toHaveLength(3)
    expect(sleeps).toEqual([500, 1000])
    expect(e.issues[0].code).toBe('webhook_failed')
    expect(e.message).toMatch(/gave up after 3 attempts, last: HTTP 500/)
    noSecrets(e)
  })

  it('retries when the receiver cannot be reached or does not answer in time', async () => {
    const port = await freePort()
    const { sink, sleeps, attempts } = make({ url: `http://127.0.0.1:${port}/x?token=q-Secret-123`, maxAttempts: 2 })
    const e = await caught(sink.send(offer))
    expect(attempts.map((a) => a.error)).toEqual([expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/ECONNREFUSED/)])
    expect(sleeps).toEqual([500])
    noSecrets(e)
    reset([() => undefined]) // never answer the first attempt
    const slow = make({ timeoutMs: 200 })
    await slow.sink.send(offer)
    expect(slow.attempts[0].error).toMatch(/no answer within 200 ms/)
    expect(slow.attempts.at(-1)!.status).toBe(204)
  })

  it('spreads delays by jitter and shows no secrets when inspected', () => {
    const lo = make({ random: () => 0 }).sink, hi = make({ random: () => 0.999999 }).sink
    expect([lo.delayAfter(1), hi.delayAfter(1)]).toEqual([400, 600])
    expect(make().sink.delayAfter(20)).toBe(30_000)
    const text = `${inspect(make().sink)} ${JSON.stringify(make().sink)}`
    for (const x of SECRETS) expect(text).not.toContain(x)
    expect(() => new WebhookNotificationSink({ url: 'mailto:x@example.org' })).toThrow(/http/)
  })
})
