import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfirmOptionsSchema, HoldOptionsSchema, isPlainConfirmOptions, isPlainHoldOptions, isPlainSlot, plainSearchRequest, SearchRequestSchema, SlotSchema } from '../../src/model/requests.js'

// Values near the valid ones, so both sides of every check get exercised.
const idLike = fc.oneof(fc.constantFrom('', 'o1', 'x'.repeat(128), 'x'.repeat(129)), fc.string({ maxLength: 6 }), fc.integer(), fc.constant(undefined), fc.constant(null))
const instantLike = fc.oneof(
  fc.constantFrom('2026-12-01T08:00:00+01:00', '2026-12-01T08:00:00Z', '2026-12-01T08:00:00', '2026-02-30T08:00:00+01:00', '2026-12-01T24:00:00+01:00', 'x'.repeat(41)),
  fc.string({ maxLength: 8 }),
  fc.integer(),
)
const servicesLike = fc.oneof(fc.array(idLike, { maxLength: 12 }), fc.constant('s'), fc.constant(undefined))
const extra = fc.option(fc.constantFrom('colour', 'ttl'), { nil: undefined })

describe('booking fast paths accept only what the schemas accept', () => {
  it('isPlainSlot ⇒ SlotSchema', () => {
    fc.assert(
      fc.property(idLike, idLike, instantLike, instantLike, servicesLike, extra, (officeId, staffId, start, end, services, more) => {
        const v: Record<string, unknown> = { officeId, staffId, start, end, services }
        if (more) v[more] = 1
        if (isPlainSlot(v)) expect(SlotSchema.safeParse(v).success).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  it('isPlainHoldOptions ⇒ HoldOptionsSchema, isPlainConfirmOptions ⇒ ConfirmOptionsSchema', () => {
    fc.assert(
      fc.property(idLike, fc.oneof(fc.integer({ min: -2, max: 20000 }), fc.double(), fc.constant(undefined), fc.string()), extra, (citizenId, ttl, more) => {
        const h: Record<string, unknown> = { citizenId }
        if (ttl !== undefined || more === 'ttl') h.ttlMinutes = ttl
        if (more === 'colour') h.colour = 1
        if (isPlainHoldOptions(h)) expect(HoldOptionsSchema.safeParse(h).success).toBe(true)
        const c: Record<string, unknown> = more === 'ttl' ? {} : { idempotencyKey: citizenId }
        if (more === 'colour') c.colour = 1
        if (isPlainConfirmOptions(c)) expect(ConfirmOptionsSchema.safeParse(c).success).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  it('plainSearchRequest(v) is what SearchRequestSchema parses v to, whenever it is not null', () => {
    const limitLike = fc.oneof(fc.integer({ min: -1, max: 1002 }), fc.double(), fc.constant(undefined), fc.string({ maxLength: 2 }))
    fc.assert(
      fc.property(servicesLike, fc.option(fc.array(idLike, { maxLength: 3 }), { nil: undefined }), idLike, limitLike, fc.oneof(fc.boolean(), fc.constant(undefined), fc.constant(1)), fc.option(fc.constantFrom('from', 'windows', 'colour'), { nil: undefined }), (services, offices, citizenId, limit, explain, more) => {
        const v: Record<string, unknown> = { services }
        if (offices !== undefined) v.offices = offices
        if (citizenId !== undefined || more === 'colour') v.citizenId = citizenId
        if (limit !== undefined) v.limit = limit
        if (explain !== undefined) v.explain = explain
        if (more === 'from') v.from = '2026-12-01'
        if (more === 'windows') v.windows = [{ from: '08:00', to: '10:00' }]
        const fast = plainSearchRequest(v)
        // Key order too: a parsed request may end up in JSON.
        if (fast !== null) expect(JSON.stringify(fast)).toBe(JSON.stringify(SearchRequestSchema.parse(v)))
      }),
      { numRuns: 3000 },
    )
    expect(plainSearchRequest({ services: ['s'], citizenId: 'c', limit: 3 })).toStrictEqual({ services: ['s'], citizenId: 'c', limit: 3, explain: false })
    expect(plainSearchRequest({ services: ['s'], from: '2026-12-01' })).toBeNull()
  })

  it('the ordinary valid inputs take the fast path', () => {
    expect(isPlainSlot({ officeId: 'o', staffId: 'p', start: '2026-12-01T08:00:00+01:00', end: '2026-12-01T08:20:00+01:00', services: ['s'] })).toBe(true)
    expect(isPlainHoldOptions({ citizenId: 'c', ttlMinutes: 5 })).toBe(true)
    expect(isPlainConfirmOptions({})).toBe(true)
    expect(isPlainConfirmOptions({ idempotencyKey: 'k' })).toBe(true)
  })
})
