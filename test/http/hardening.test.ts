/**
 * The bad-request corpus, over real sockets: each bad input gets a typed 4xx JSON answer and
 * changes nothing, and the service keeps answering afterwards.
 */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, start, type Running } from './harness.js'

let r: Running
let before: string
beforeAll(async () => {
  r = await start({ service: { limits: { bodyBytes: 4096, depth: 8, requestTimeoutMs: 3000, headersTimeoutMs: 1500, searchPerClient: null } } })
  before = JSON.stringify(r.s.snapshot())
})
afterAll(async () => {
  // Nothing any bad request sent changed the state.
  expect(JSON.stringify(r.s.snapshot())).toBe(before)
  await r.close()
})

/** Writes raw bytes (in pieces, with pauses) and returns what the server answered before closing. */
function raw(port: number, pieces: { data: string; waitMs?: number }[], maxMs = 8000): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const sock: Socket = connect(port, '127.0.0.1')
    let text = ''
    const timer = setTimeout(() => {
      sock.destroy()
      reject(new Error(`no answer within ${maxMs} ms: ${text}`))
    }, maxMs)
    sock.on('data', (d) => (text += d.toString()))
    sock.on('error', () => {})
    sock.on('close', () => {
      clearTimeout(timer)
      resolve({ text, ms: Date.now() - t0 })
    })
    sock.on('connect', async () => {
      for (const p of pieces) {
        if (p.waitMs) await new Promise((res) => setTimeout(res, p.waitMs))
        if (sock.destroyed) return
        sock.write(p.data)
      }
    })
  })
}

/** The first HTTP answer in `text` (a second one would be a bug: the test checks there is none). */
function parseHttp(text: string): { status: number; body: any; rest: string } {
  const end = text.indexOf('\r\n\r\n')
  const head = text.slice(0, end)
  const status = Number(head.split(' ')[1])
  const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? '0')
  const bodyText = text.slice(end + 4, end + 4 + length)
  return { status, body: bodyText ? JSON.parse(bodyText) : undefined, rest: text.slice(end + 4 + length) }
}

describe('bad requests', () => {
  it('a body over the size limit: 413 PAYLOAD_TOO_LARGE', async () => {
    const a = await call(r.base, 'POST', '/search', { services: ['reg'], citizenId: 'x'.repeat(5000) })
    expect(a.status).toBe(413)
    expect(a.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', issues: [{ path: '$', code: 'body_too_large' }] })
  })

  it('a lying Content-Length on a raw socket: 413 before the body is read', async () => {
    const { text } = await raw(r.port, [{ data: 'POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"services":' }])
    const { status, body } = parseHttp(text)
    expect(status).toBe(413)
    expect(body.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('nesting deeper than the limit: 400 with the path where it gets too deep', async () => {
    const deep = '{"services":["reg"],"windows":' + '['.repeat(20) + ']'.repeat(20) + '}'
    const a = await call(r.base, 'POST', '/search', deep)
    expect(a.status).toBe(400)
    expect(a.body.code).toBe('COMMAND_INVALID')
    expect(a.body.issues[0].path).toMatch(/^\$\.windows(\[0\])+$/)
    expect(a.body.issues[0]).toMatchObject({ code: 'limit_exceeded', message: expect.stringContaining('limits.depth') })
  })

  it('garbage, truncated and empty JSON: 400 BAD_JSON', async () => {
    for (const body of ['{"services": [', 'not json', '{"a":1}}', '\u0000\u0001']) {
      const a = await call(r.base, 'POST', '/search', body)
      expect(a.status, body).toBe(400)
      expect(a.body).toMatchObject({ code: 'BAD_JSON', issues: [{ path: '$', code: 'invalid_json' }] })
    }
    const empty = await call(r.base, 'POST', '/search', '', { 'content-type': 'application/json' })
    expect(empty.status).toBe(400)
    expect(empty.body.code).toBe('BAD_JSON')
  })

  it('prototype poisoning: refused', async () => {
    const a = await call(r.base, 'POST', '/search', '{"services":["reg"],"__proto__":{"x":1}}')
    expect(a.status).toBe(400)
    expect(a.body.code).toMatch(/BAD_JSON|COMMAND_INVALID/)
  })

  it('unknown fields and wrong types: 400 with each path', async () => {
    const a = await call(r.base, 'POST', '/waitlist', { citizenId: 'c', services: ['reg'], offices: 'north', extra: 1 })
    expect(a.status).toBe(400)
    const paths = a.body.issues.map((i: { path: string }) => i.path).sort()
    expect(paths).toEqual(['$.extra', '$.offices'])
    const b = await call(r.base, 'POST', '/search', { services: ['reg'], limit: 'ten' })
    expect(b.body.issues).toMatchObject([{ path: '$.limit', code: 'invalid_type' }])
    const c = await call(r.base, 'POST', '/search', [1, 2])
    expect(c.body.issues).toMatchObject([{ path: '$', code: 'invalid_type' }])
    const d = await call(r.base, 'POST', '/holds/h1/confirm', { idempotencyKey: 'k' })
    expect(d.body.issues).toMatchObject([{ path: '$.idempotencyKey', code: 'unknown_field' }])
  })

  it('slowloris: headers that never finish get 408 within the header time-out', async () => {
    const pieces = [{ data: 'GET /health HTTP/1.1\r\n' }, ...Array.from({ length: 12 }, (_, i) => ({ data: `X-Slow-${i}: a\r\n`, waitMs: 300 }))]
    const { text, ms } = await raw(r.port, pieces)
    const { status, body } = parseHttp(text)
    expect(status).toBe(408)
    expect(body).toMatchObject({ code: 'REQUEST_TIMEOUT', issues: [{ path: '$', code: 'request_timeout' }] })
    expect(ms).toBeLessThan(6000)
  })

  it('a body dripped byte by byte: 408 within the request time-out', async () => {
    const body = '{"services":["reg"]}'
    const pieces = [{ data: `POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` }, ...[...body].map((ch) => ({ data: ch, waitMs: 250 }))]
    const { text, ms } = await raw(r.port, pieces)
    const { status, body: answer, rest } = parseHttp(text)
    expect(status, text).toBe(408)
    expect(answer.code).toBe('REQUEST_TIMEOUT')
    expect(rest, 'one answer only').toBe('')
    expect(ms).toBeLessThan(6000)
  })

  it('malformed HTTP: 400 JSON, and the server still answers', async () => {
    const { text } = await raw(r.port, [{ data: 'HELLO\r\n\r\n' }])
    const { status, body } = parseHttp(text)
    expect(status).toBe(400)
    expect(body.code).toBe('BAD_REQUEST')
    expect((await call(r.base, 'GET', '/health')).body).toEqual({ status: 'ok' })
  })
})
