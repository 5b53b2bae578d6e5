/** Read-only views: appointments, holds, waitlist, offers, capacity, the service's clock. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ServiceContext } from '../context.js'
import { AppointmentSchema, AppointmentsQuery, CitizenQuery, errorResponses, HoldSchema, NowSchema, OfferSchema, StatsSchema, WaitlistViewSchema } from '../schemas.js'

export function viewRoutes(c: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    // Views are rate-limited per client (each copies a whole list) and move the clock, so an
    // expired hold or offer is never shown as open.
    app.addHook('preHandler', async (req) => {
      c.guards.view(req)
      await c.syncClock()
    })

    app.get('/appointments', {
      schema: { tags: ['views'], summary: 'Appointments, by start; filter by office, citizen and first local date', querystring: AppointmentsQuery, response: { 200: z.array(AppointmentSchema), ...errorResponses } },
      handler: async (req) => {
        const { officeId, citizenId, from, limit } = req.query
        const out = []
        for (const a of c.s.appointments()) {
          if (officeId !== undefined && a.officeId !== officeId) continue
          if (citizenId !== undefined && a.citizenId !== citizenId) continue
          // ISO starts carry the office's local offset, so their first ten characters are the local date.
          if (from !== undefined && a.start.slice(0, 10) < from) continue
          out.push(a)
          if (out.length >= limit) break
        }
        return out
      },
    })

    app.get('/holds', {
      schema: { tags: ['views'], summary: 'Open holds', querystring: CitizenQuery, response: { 200: z.array(HoldSchema), ...errorResponses } },
      handler: async (req) => filterCitizen(c.s.holds(), req.query),
    })

    app.get('/waitlist', {
      schema: { tags: ['views'], summary: 'Waiting citizens, best first', querystring: CitizenQuery, response: { 200: z.array(WaitlistViewSchema), ...errorResponses } },
      handler: async (req) => filterCitizen(c.s.waitlist(), req.query),
    })

    app.get('/offers', {
      schema: { tags: ['views'], summary: 'Open offers', querystring: CitizenQuery, response: { 200: z.array(OfferSchema), ...errorResponses } },
      handler: async (req) => filterCitizen(c.s.offers(), req.query),
    })

    app.get('/stats', {
      schema: { tags: ['views'], summary: 'Capacity of the horizon in grid units: free, held, booked, frozen, offered', response: { 200: StatsSchema, ...errorResponses } },
      handler: async () => c.s.stats(),
    })

    app.get('/now', {
      schema: { tags: ['views'], summary: "The scheduler's clock", response: { 200: NowSchema, ...errorResponses } },
      handler: async () => ({ now: c.s.now() }),
    })
  }
}

function filterCitizen<T extends { citizenId: string }>(rows: T[], q: { citizenId?: string; limit: number }): T[] {
  const out: T[] = []
  for (const r of rows) {
    if (q.citizenId !== undefined && r.citizenId !== q.citizenId) continue
    out.push(r)
    if (out.length >= q.limit) break
  }
  return out
}
