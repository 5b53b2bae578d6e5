import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalEntry, ConfirmOptionsSchema, HoldOptionsSchema, isPlainConfirmOptions, isPlainHoldOptions, isPlainSlot, JoinWaitlistSchema, plainJoinRequest, plainSearchRequest, SearchRequestSchema, SlotSchema } from '../../src/model/requests.js'
import { WaitlistEntrySchema } from '../../src/model/schema.js'

// Values near the valid ones, so both sides of every check get exercised.
const idLike = fc.oneof(fc.constantFrom('', 'o1', 'x'.repeat(128), 'x'.repeat(129)), fc.string({ maxLength: 6 }), fc.integer(), fc.constant(undefined), fc.constant(null))
const instantLike = fc.oneof(
  fc.constantFrom('2026-12-01T08:00:00+01:00', '2026-12-01T08:00:00Z', '2026-12-01T08:00:00', '2026-02-30T08:00:00+01:00', '2026-12-01T24:00:00+01:00', 'x'.repeat(41)),
  fc.string({ maxLength: 8 }),
  fc.integer(),
)
const servicesLike = fc.oneof(fc.array(idLike, { maxLength: 12 }), fc.constant('s'), fc.constant(undefined))
const extra = fc.option(fc.constantFrom('colour', 'ttl'), { nil: undefined })
  // Mostly valid fields, each sometimes near-valid, so that both paths are taken often.
  const mostly = <T, U>(ok: fc.Arbitrary<T>, near: fc.Arbitrary<U>) => fc.oneof({ arbitrary: ok, weight: 6 }, { arbitrary: near, weight: 1 })
  const dateLike = mostly(fc.constantFrom('2026-12-01', '2027-02-28'), fc.oneof(fc.constantFrom('2026-02-30', '1899-12-31', '3000-01-01', '2026-12-1', '2026-12-01T08:00'), fc.string({ maxLength: 4 }), fc.integer()))
  const timeLike = mostly(fc.constantFrom('08:00', '24:00', '23:59'), fc.oneof(fc.constantFrom('24:30', '7:30', '08:00:00'), fc.string({ maxLength: 3 }), fc.integer()))
  const id = mostly(fc.constantFrom('c1', 'x'.repeat(128)), idLike)
  const windowLike = fc.record(
    {
      weekdays: mostly(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), fc.oneof(fc.array(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.double(), fc.constant('1')), { maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 2 }), fc.constant(undefined))),
      from: timeLike,
      to: timeLike,
      colour: fc.constant(1),
    },
    { requiredKeys: [] },
  ).map((w) => {
    if ('colour' in w && (w.from as unknown as string)?.length === 5) delete w.colour // mostly no stray key
    return w
  })

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
    const windowsLike = mostly(fc.array(windowLike, { minLength: 1, maxLength: 3 }), fc.constantFrom([], {}, 'w'))
    let taken = 0
    fc.assert(
      fc.property(
        mostly(fc.array(id, { minLength: 1, maxLength: 3 }), servicesLike),
        fc.option(mostly(fc.array(id, { minLength: 1, maxLength: 3 }), fc.array(idLike, { maxLength: 2 })), { nil: undefined }),
        fc.option(id, { nil: undefined }),
        mostly(fc.integer({ min: 1, max: 1000 }), limitLike),
        fc.oneof(fc.boolean(), fc.constant(undefined), fc.constant(1)),
        fc.record({ from: dateLike, to: dateLike, windows: windowsLike }, { requiredKeys: [] }),
        fc.option(fc.constantFrom('colour', 'undefined'), { nil: undefined }),
        (services, offices, citizenId, limit, explain, dates, more) => {
          const v: Record<string, unknown> = { services }
          if (offices !== undefined) v.offices = offices
          if (citizenId !== undefined || more === 'colour') v.citizenId = citizenId
          if (limit !== undefined) v.limit = limit
          if (explain !== undefined) v.explain = explain
          Object.assign(v, dates)
          if (more === 'undefined') v.from = undefined
          const fast = plainSearchRequest(v)
          // Key order too: a parsed request may end up in JSON.
          if (fast !== null) expect(JSON.stringify(fast)).toBe(JSON.stringify(SearchRequestSchema.parse(v)))
          if (fast !== null && (v.windows !== undefined || v.from !== undefined)) taken++
        },
      ),
      { numRuns: 5000 },
    )
    expect(taken).toBeGreaterThan(50) // requests with dates and windows took the fast path too
    expect(plainSearchRequest({ services: ['s'], citizenId: 'c', limit: 3 })).toStrictEqual({ services: ['s'], citizenId: 'c', limit: 3, explain: false })
    expect(plainSearchRequest({ services: ['s'], from: '2026-12-01', windows: [{ from: '08:00', to: '10:00' }] })).toStrictEqual({ services: ['s'], from: '2026-12-01', windows: [{ from: '08:00', to: '10:00' }], limit: 10, explain: false })
    expect(plainSearchRequest({ services: ['s'], colour: 1 })).toBeNull()
  })

  it('plainJoinRequest(v) is what JoinWaitlistSchema parses v to, whenever it is not null', () => {
    const flags = fc.record({ colour: fc.boolean(), undefinedKey: fc.boolean() })
    let taken = 0
    fc.assert(
      fc.property(
        fc.record(
          {
            id, citizenId: id, services: mostly(fc.array(id, { minLength: 1, maxLength: 3 }), servicesLike), offices: mostly(fc.array(id, { minLength: 1, maxLength: 3 }), fc.array(idLike, { maxLength: 2 })),
            district: mostly(fc.constantFrom('Mitte', 'x'.repeat(200)), fc.constantFrom('', '', 'x'.repeat(201), 3)), windows: mostly(fc.array(windowLike, { minLength: 1, maxLength: 3 }), fc.constantFrom([], {}, 'w')),
            dates: mostly(fc.array(dateLike, { maxLength: 3 }), fc.constant('2026-12-01')), earliest: dateLike, latest: dateLike,
            createdAt: mostly(fc.constantFrom('2026-12-01T08:00:00+01:00', '2026-12-01T08:00:00Z'), instantLike), priority: fc.constantFrom('normal', 'urgent', 'high'),
          },
          { requiredKeys: ['citizenId', 'services'] },
        ),
        flags,
        (v: Record<string, unknown>, f) => {
          if (f.colour && f.undefinedKey) v.colour = 1
          else if (f.colour) v.priority = undefined
          const fast = plainJoinRequest(v)
          // Key order too: an entry ends up in snapshots, which must be byte-identical.
          if (fast !== null) expect(JSON.stringify(fast)).toBe(JSON.stringify(JoinWaitlistSchema.parse(v)))
          if (fast !== null) taken++
        },
      ),
      { numRuns: 5000 },
    )
    expect(taken).toBeGreaterThan(50) // the fast side was exercised, not only the fallback
    const plain = { citizenId: 'c', services: ['s'], offices: ['o'], windows: [{ weekdays: [1, 2], from: '08:00', to: '10:00' }], latest: '2026-12-20', createdAt: '2026-12-01T08:00:00+01:00' }
    expect(plainJoinRequest(plain)).toStrictEqual(JoinWaitlistSchema.parse(plain))
    expect(plainJoinRequest({ ...plain, colour: 1 })).toBeNull()
  })

  it('canonicalEntry orders an entry as WaitlistEntrySchema does', () => {
    const e = { priority: 'urgent' as const, createdAt: '2026-12-01T08:00:00+01:00', services: ['s'], latest: '2026-12-20', citizenId: 'c', id: 'e1' }
    expect(JSON.stringify(canonicalEntry(e))).toBe(JSON.stringify(WaitlistEntrySchema.parse(e)))
  })

  it('the ordinary valid inputs take the fast path', () => {
    expect(isPlainSlot({ officeId: 'o', staffId: 'p', start: '2026-12-01T08:00:00+01:00', end: '2026-12-01T08:20:00+01:00', services: ['s'] })).toBe(true)
    expect(isPlainHoldOptions({ citizenId: 'c', ttlMinutes: 5 })).toBe(true)
    expect(isPlainConfirmOptions({})).toBe(true)
    expect(isPlainConfirmOptions({ idempotencyKey: 'k' })).toBe(true)
  })
})
