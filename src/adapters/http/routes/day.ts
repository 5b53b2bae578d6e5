/**
 * The day of service, for terminals, counters and the call display: check-in, walk-ins, the call
 * of the next citizen by the call rule, service times, and the day's reads. Like /changes these
 * belong behind the offices' network (a terminal or a clerk's desk); they keep the protection every
 * write has (admission, body limits, strict schemas). Every write is a scheduler command, journaled.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ServiceContext } from '../context.js'
import {
  CallBodySchema,
  CheckInBodySchema,
  DayBodySchema,
  DayStatsSchema,
  DurationOverlayQuery,
  DurationOverlaySchema,
  DurationStatSchema,
  errorResponses,
  NoShowSchema,
  OfficeIdParams,
  TicketIdParams,
  TicketSchema,
  TicketsQuery,
  WalkInBodySchema,
} from '../schemas.js'

const NoContent = z.null().describe('Nobody fits now')
const tags = ['day of service']

export function dayRoutes(c: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/checkins', {
      schema: {
        tags,
        summary: 'Check in a booked citizen (from policy.dayOfService.earlyCheckInMinutes before the start to noShowMinutes after it)',
        description: 'Answers the ticket with its display code (A-001…). `at` is when it happened (default now, never later): a terminal that was offline sends its times afterwards. Twice is 409; after the no-show 409 (take a walk-in ticket).',
        body: CheckInBodySchema,
        response: { 201: TicketSchema, ...errorResponses },
      },
      handler: async (req, reply) => {
        const { appointmentId, ...opts } = req.body
        return reply.code(201).send(await c.run('check_in', () => c.s.checkIn(appointmentId, opts)))
      },
    })

    app.post('/walkins', {
      schema: { tags, summary: 'A citizen without an appointment joins an office’s queue (a W-… ticket)', body: WalkInBodySchema, response: { 201: TicketSchema, ...errorResponses } },
      handler: async (req, reply) => reply.code(201).send(await c.run('walk_in', () => c.s.checkInWalkIn(req.body))),
    })

    app.post('/offices/:officeId/call', {
      schema: {
        tags,
        summary: 'The next citizen for this staff member, by the call rule (own due appointments first; others only where no appointment is delayed past walkInMaxDelayMinutes)',
        description: '200 with the ticket called, or 204 when nobody fits now. A staff member not on shift at the office is 400, one who has not finished the last citizen 409.',
        params: OfficeIdParams,
        body: CallBodySchema,
        response: { 200: TicketSchema, 204: NoContent, ...errorResponses },
      },
      handler: async (req, reply) => {
        const { staffId, ...opts } = req.body
        const t = await c.run('call_next', () => c.s.callNext(req.params.officeId, staffId, opts))
        return t ? t : reply.code(204).send(null)
      },
    })

    // The ticket's commands: the ticket in the path, `at` (or no body) in the body, the ticket answered.
    const ticketCommands: [string, 'start_service' | 'finish_service' | 'miss_call' | 'leave_queue', 'startService' | 'finishService' | 'missCall' | 'leaveQueue', string][] = [
      ['start', 'start_service', 'startService', 'The called citizen is at the desk: service starts'],
      ['finish', 'finish_service', 'finishService', 'Service finished: its time is recorded (durations)'],
      ['missed', 'miss_call', 'missCall', 'The called citizen did not come (an appointment’s remaining time is released as a no-show’s)'],
      ['left', 'leave_queue', 'leaveQueue', 'A waiting citizen left the queue'],
    ]
    for (const [action, kind, command, summary] of ticketCommands)
      app.post(`/tickets/:ticketId/${action}`, {
        schema: { tags, summary, params: TicketIdParams, body: DayBodySchema, response: { 200: TicketSchema, ...errorResponses } },
        handler: async (req) => c.run(kind, () => c.s[command](req.params.ticketId, req.body ?? {})),
      })

    // Reads are rate-limited per client and move the clock first, as every view is (views.ts).
    const preHandler = async (req: Parameters<ServiceContext['guards']['view']>[0]) => {
      c.guards.view(req)
      await c.syncClock()
    }
    app.get('/tickets', {
      preHandler,
      schema: { tags, summary: "Today's and yesterday's tickets, in check-in order; waiting ones with predictedWaitMinutes", querystring: TicketsQuery, response: { 200: z.array(TicketSchema), ...errorResponses } },
      handler: async (req) => c.s.tickets(req.query.officeId),
    })
    app.get('/no-shows', {
      preHandler,
      schema: { tags, summary: "Appointments nobody checked in for in time, and where their time went", response: { 200: z.array(NoShowSchema), ...errorResponses } },
      handler: async () => c.s.noShows(),
    })
    app.get('/day/stats', {
      preHandler,
      schema: { tags, summary: 'The day of service since the scheduler started: check-ins, walk-ins, served, no-shows, recovered minutes, waits', response: { 200: DayStatsSchema, ...errorResponses } },
      handler: async () => c.s.dayStats(),
    })
    app.get('/durations', {
      preHandler,
      schema: { tags, summary: 'Recorded service times per office and service list (count, mean, p90, planned)', response: { 200: z.array(DurationStatSchema), ...errorResponses } },
      handler: async () => c.s.durationStats(),
    })
    app.get('/durations/overlay', {
      preHandler,
      schema: {
        tags,
        summary: 'The recorded service times as an overlay (serviceDuration changes), for POST /changes or terminplan compare',
        description: '404 when no single service has minSamples recorded times that differ from its plan.',
        querystring: DurationOverlayQuery,
        response: { 200: DurationOverlaySchema, ...errorResponses },
      },
      handler: async (req) => c.s.durationOverlay(req.query) as z.output<typeof DurationOverlaySchema>,
    })
  }
}
