/** Operations: liveness, readiness, Prometheus metrics, the OpenAPI document. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { replication, type ServiceContext } from '../context.js'
import { errorResponses, HealthSchema, ReadyQuery } from '../schemas.js'
import { z } from 'zod'
import { TerminplanError } from '../../../model/index.js'

export function opsRoutes(c: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/health', {
      schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: HealthSchema } },
      handler: async () => ({ status: c.closing ? ('closing' as const) : ('ok' as const) }),
    })

    app.get('/ready', {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the scheduler takes commands (503 while closing or when its journal failed)',
        description:
          'For an instance of a PostgreSQL city (serve --database), the answer says its role and how far it trails the log; a following instance is 421 NOT_LEADER for commands and ready with ?for=reads (a load balancer sends writes to the instance ready for commands, searches to any ready for reads).',
        querystring: ReadyQuery,
        response: { 200: HealthSchema, ...errorResponses },
      },
      handler: async (req, reply) => {
        const down = (code: string, message: string) => reply.code(503).send({ code: 'OVERLOADED', message, issues: [{ path: '$', code, message }] })
        if (c.closing) return down('closing', 'the service is shutting down')
        const r = replication(c.s)
        if (r) {
          const where = { role: r.role, leader: r.leader, behind: r.behind, staleMs: r.ms }
          if (r.role === 'starting' || r.role === 'closed') return down(r.role, `this instance is ${r.role === 'starting' ? 'still loading the city' : 'closed'}`)
          if (r.role === 'follower') {
            if (req.query.for === 'commands') {
              const message = `this instance follows city ${r.city}${r.leader ? `; the leader is ${r.leader}` : '; no leader is known yet'} (it is ready with ?for=reads)`
              throw new TerminplanError('NOT_LEADER', message, [{ path: '$', code: 'not_leader', message }])
            }
            return { status: 'ok' as const, ...where }
          }
          await c.syncClock()
          return { status: 'ok' as const, ...where }
        }
        // Moving the clock is a command: it fails when the scheduler refuses commands (journal closed or broken).
        await c.syncClock()
        return { status: 'ok' as const }
      },
    })

    app.get('/metrics', {
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text format 0.0.4)', response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } }, ...errorResponses } },
      handler: async (_req, reply) => {
        await c.syncClock()
        const text = await c.metrics.registry.metrics()
        return reply.type(c.metrics.registry.contentType).serializer((x: unknown) => x as string).send(text)
      },
    })
  }
}
