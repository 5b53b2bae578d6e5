/**
 * Live changes, for operators: POST /changes applies an overlay (a sick call, a new roster, a
 * closure) to the running scheduler and answers what it did to the bookings; GET /changes is the
 * change log. The service has no notion of users or roles: these routes belong behind the
 * operator network (a reverse proxy that only lets the back office reach `/changes`). They keep
 * the protection every write has (admission, body and depth limits, strict schemas) and a
 * per-client rate limit, since each change rebuilds the whole booking state.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ServiceContext } from '../context.js'
import { ChangeBodySchema, ChangeRecordSchema, ChangeResultSchema, errorResponses, IdempotencyHeadersSchema } from '../schemas.js'

export function changeRoutes(c: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/changes', {
      schema: {
        tags: ['changes'],
        summary: 'Apply a live change (operators): absences, shifts, closures, opening hours, service durations, staff',
        description:
          'The body is an overlay (schema/overlay.schema.json). It applies atomically or not at all (400 with paths into the overlay, e.g. $.changes[0].staff). Appointments that lose their time are moved to another staff member at the same office and time, else offered the nearest alternative (GET /offers, GET /events); the answer says which. With an Idempotency-Key header a retry returns the first answer and changes nothing (another change with the same key is 409).',
        headers: IdempotencyHeadersSchema,
        body: ChangeBodySchema,
        response: { 201: ChangeResultSchema, ...errorResponses },
      },
      preHandler: async (req) => c.guards.change(req),
      handler: async (req, reply) => {
        const key = req.headers['idempotency-key']
        return reply.code(201).send(await c.run('apply_change', () => c.s.applyChange(req.body, key === undefined ? {} : { idempotencyKey: key })))
      },
    })

    app.get('/changes', {
      schema: {
        tags: ['changes'],
        summary: 'The change log: every change applied since the scenario was loaded, in order (index = position)',
        response: { 200: z.array(ChangeRecordSchema), ...errorResponses },
      },
      preHandler: async (req) => {
        c.guards.view(req)
        await c.syncClock()
      },
      handler: async () => c.s.changes(),
    })
  }
}
