/** The booking commands: search, hold, confirm, reschedule, cancel; waitlist join/leave; offers accept/decline. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { ServiceContext } from '../context.js'
import {
  AppointmentIdParams,
  AppointmentSchema,
  EmptyBodySchema,
  EntryIdParams,
  errorResponses,
  HoldBodySchema,
  HoldIdParams,
  HoldSchema,
  IdempotencyHeadersSchema,
  JoinWaitlistBodySchema,
  OfferIdParams,
  RescheduleBodySchema,
  SearchRequestSchema,
  SearchResultSchema,
  WaitlistViewSchema,
} from '../schemas.js'
import { z } from 'zod'

const NoContent = z.null().describe('No content')

export function commandRoutes(c: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/search', {
      schema: { tags: ['booking'], summary: 'Earliest free slots for a request across offices', body: SearchRequestSchema, response: { 200: SearchResultSchema, ...errorResponses } },
      preHandler: async (req) => c.guards.search(req, req.body.citizenId),
      handler: async (req) => c.run('search', () => c.s.search(req.body)),
    })

    app.post('/holds', {
      schema: {
        tags: ['booking'],
        summary: 'Hold a slot (from a search) for a citizen, for the policy hold time',
        description: 'The body is the slot and the hold options side by side. Rate-limited per citizen and client; one open hold per citizen.',
        body: HoldBodySchema,
        response: { 201: HoldSchema, ...errorResponses },
      },
      preHandler: async (req) => {
        await c.syncClock()
        c.guards.hold(req, req.body.citizenId, req.body.ttlMinutes)
      },
      handler: async (req, reply) => {
        const { citizenId, ttlMinutes, ...slot } = req.body
        const hold = await c.run('hold', () => c.s.hold(slot, ttlMinutes === undefined ? { citizenId } : { citizenId, ttlMinutes }))
        return reply.code(201).send(hold)
      },
    })

    app.post('/holds/:holdId/confirm', {
      schema: {
        tags: ['booking'],
        summary: 'Confirm a hold: the appointment is booked (durable before the answer when journaled)',
        params: HoldIdParams,
        headers: IdempotencyHeadersSchema,
        body: EmptyBodySchema,
        response: { 201: AppointmentSchema, ...errorResponses },
      },
      handler: async (req, reply) => {
        const key = req.headers['idempotency-key']
        const a = await c.run('confirm', () => c.s.confirm(req.params.holdId, key === undefined ? {} : { idempotencyKey: key }))
        return reply.code(201).send(a)
      },
    })

    app.post('/appointments/:appointmentId/reschedule', {
      schema: {
        tags: ['booking'],
        summary: 'Move an appointment to another slot (from a search), atomically: the old time is freed only once the new one is taken',
        description:
          'The body is the new slot; the services stay the same. Same rules as a booking (working time, skills, booking window). The freed time goes to waiting citizens first. Rate-limited per client and per appointment.',
        params: AppointmentIdParams,
        headers: IdempotencyHeadersSchema,
        body: RescheduleBodySchema,
        response: { 200: AppointmentSchema, ...errorResponses },
      },
      preHandler: async (req) => c.guards.reschedule(req, req.params.appointmentId),
      handler: async (req) => {
        const key = req.headers['idempotency-key']
        return c.run('reschedule', () => c.s.reschedule(req.params.appointmentId, req.body, key === undefined ? {} : { idempotencyKey: key }))
      },
    })

    app.delete('/appointments/:appointmentId', {
      schema: { tags: ['booking'], summary: 'Cancel an appointment (its time is frozen for policy.cancelFreezeMinutes, then freed)', params: AppointmentIdParams, response: { 204: NoContent, ...errorResponses } },
      handler: async (req, reply) => {
        await c.run('cancel', () => c.s.cancel(req.params.appointmentId))
        return reply.code(204).send(null)
      },
    })

    app.post('/waitlist', {
      schema: { tags: ['waitlist'], summary: 'Join the waitlist; a fitting free slot is offered at once or when one frees up', body: JoinWaitlistBodySchema, response: { 201: WaitlistViewSchema, ...errorResponses } },
      handler: async (req, reply) => reply.code(201).send(await c.run('join_waitlist', () => c.s.joinWaitlist(req.body))),
    })

    app.delete('/waitlist/:entryId', {
      schema: { tags: ['waitlist'], summary: 'Leave the waitlist (an open offer is withdrawn)', params: EntryIdParams, response: { 204: NoContent, ...errorResponses } },
      handler: async (req, reply) => {
        await c.run('leave_waitlist', () => c.s.leaveWaitlist(req.params.entryId))
        return reply.code(204).send(null)
      },
    })

    app.post('/offers/:offerId/accept', {
      schema: {
        tags: ['waitlist'],
        summary: 'Accept an offer: the slot is booked',
        params: OfferIdParams,
        headers: IdempotencyHeadersSchema,
        body: EmptyBodySchema,
        response: { 201: AppointmentSchema, ...errorResponses },
      },
      handler: async (req, reply) => {
        const key = req.headers['idempotency-key']
        const a = await c.run('accept_offer', () => c.s.acceptOffer(req.params.offerId, key === undefined ? {} : { idempotencyKey: key }))
        return reply.code(201).send(a)
      },
    })

    app.post('/offers/:offerId/decline', {
      schema: { tags: ['waitlist'], summary: 'Decline an offer: the slot goes to the next waiting citizen', params: OfferIdParams, body: EmptyBodySchema, response: { 204: NoContent, ...errorResponses } },
      handler: async (req, reply) => {
        await c.run('decline_offer', () => c.s.declineOffer(req.params.offerId))
        return reply.code(204).send(null)
      },
    })
  }
}
