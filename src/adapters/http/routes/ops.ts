/** Operations: liveness, readiness, Prometheus metrics, the OpenAPI document. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { ServiceContext } from '../context.js'
import { errorResponses, HealthSchema } from '../schemas.js'
import { z } from 'zod'

export function opsRoutes(c: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/health', {
      schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: HealthSchema } },
      handler: async () => ({ status: c.closing ? ('closing' as const) : ('ok' as const) }),
    })

    app.get('/ready', {
      schema: { tags: ['operations'], summary: 'Readiness: the scheduler takes commands (503 while closing or when its journal failed)', response: { 200: HealthSchema, ...errorResponses } },
      handler: async (_req, reply) => {
        if (c.closing) return reply.code(503).send({ code: 'OVERLOADED', message: 'the service is shutting down', issues: [{ path: '$', code: 'closing', message: 'the service is shutting down' }] })
        // Moving the clock is a command: it fails when the scheduler refuses commands (journal closed or broken).
        c.syncClock()
        return { status: 'ok' as const }
      },
    })

    app.get('/metrics', {
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)', response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } }, ...errorResponses } },
      handler: async (_req, reply) => {
        c.syncClock()
        const text = await c.metrics.registry.metrics()
        return reply.type(c.metrics.registry.contentType).serializer((x: unknown) => x as string).send(text)
      },
    })
  }
}
