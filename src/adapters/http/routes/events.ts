/**
 * GET /events: a server-sent events stream of waitlist offers for a front end (all of them, or one
 * citizen's with `?citizenId=`). Each event carries opaque ids and the slot only. The stream ends
 * when the client goes or the service closes.
 */
import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Offer } from '../../../solver/index.js'
import type { ServedScheduler, ServiceContext } from '../context.js'
import { httpError } from '../errors.js'
import { errorResponses, EventsQuery } from '../schemas.js'

interface Client {
  res: ServerResponse
  citizenId?: string
}

export type OfferEventName = 'offer' | 'offer_accepted' | 'offer_declined' | 'offer_expired' | 'offer_withdrawn'

export class OfferStream {
  private readonly clients = new Set<Client>()
  private readonly off: (() => void)[] = []
  private heartbeat?: NodeJS.Timeout

  constructor(
    s: ServedScheduler,
    readonly maxClients: number,
    heartbeatMs: number,
  ) {
    const send = (event: OfferEventName) => ({ offer }: { offer: Offer }) => this.publish(event, offer)
    this.off.push(s.on('offer', send('offer')), s.on('offerAccepted', send('offer_accepted')), s.on('offerDeclined', send('offer_declined')), s.on('offerExpired', send('offer_expired')), s.on('offerWithdrawn', send('offer_withdrawn')))
    // A comment line now and then keeps proxies from closing an idle stream.
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        for (const c of this.clients) c.res.write(': keep-alive\n\n')
      }, heartbeatMs)
      this.heartbeat.unref()
    }
  }

  get size(): number {
    return this.clients.size
  }

  add(res: ServerResponse, citizenId: string | undefined): void {
    const client: Client = { res, citizenId }
    this.clients.add(client)
    // A client that hangs up may leave a half-open socket behind; a stream's connection serves nothing else.
    res.on('close', () => {
      this.clients.delete(client)
      res.socket?.destroy()
    })
  }

  private publish(event: OfferEventName, o: Offer): void {
    if (this.clients.size === 0) return
    const data = JSON.stringify({ offerId: o.id, entryId: o.entryId, citizenId: o.citizenId, slot: o.slot, expiresAt: o.expiresAt })
    const frame = `event: ${event}\nid: ${o.id}\ndata: ${data}\n\n`
    for (const c of this.clients) if (c.citizenId === undefined || c.citizenId === o.citizenId) c.res.write(frame)
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat)
    for (const off of this.off) off()
    // End each stream and its connection: the server's close only waits for idle ones, and these never were.
    for (const c of this.clients) {
      c.res.end()
      c.res.socket?.destroySoon()
    }
    this.clients.clear()
  }
}

export function eventRoutes(c: ServiceContext, stream: OfferStream): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/events', {
      schema: {
        tags: ['waitlist'],
        summary: 'Server-sent events of offers (event: offer, offer_accepted, offer_declined, offer_expired, offer_withdrawn)',
        querystring: EventsQuery,
        response: { 200: { description: 'An event stream; each data line is JSON { offerId, entryId, citizenId, slot, expiresAt }', content: { 'text/event-stream': { schema: z.string() } } }, ...errorResponses },
      },
      handler: async (req, reply) => {
        if (c.closing) throw httpError('OVERLOADED', '$', 'closing', 'the service is shutting down', { retryAfterSeconds: 1 })
        if (stream.size >= stream.maxClients) throw httpError('OVERLOADED', '$', 'too_many_streams', 'too many open event streams', { retryAfterSeconds: 5 })
        reply.hijack()
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'close' })
        reply.raw.write(': offers\n\n')
        // An open stream is not a request in flight: it must not count toward overload.
        c.guards.inFlight--
        reply.raw.once('close', () => c.guards.inFlight++)
        stream.add(reply.raw, req.query.citizenId)
      },
    })
  }
}
