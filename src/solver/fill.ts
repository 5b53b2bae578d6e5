/**
 * Books a scheduler up to a target share of its working time, through the ordinary hold and
 * confirm commands. Used to give examples and benchmarks a realistic, deterministic state.
 */
import { createRng, weightedIndex } from '../model/random.js'
import type { Model } from '../model/compile.js'
import type { WaitlistEntry } from '../model/schema.js'
import { getBit } from '../model/bitset.js'
import { localDateOf } from '../model/tz.js'
import type { Scheduler } from './scheduler/index.js'

export interface FillOptions {
  /** Target booked share of the working units inside each office's booking window, 0..1. */
  share: number
  seed: number
  /** Opaque citizen ids are `${citizenPrefix}${n}`. */
  citizenPrefix?: string
  /** Services to book, with weights (e.g. the demand mix); default all offered, equal weights. */
  weights?: Record<string, number>
  /**
   * `uniform`: every day booked to `share`, free time scattered. `front` (default): the shape
   * first-come-first-served leaves, the earliest days full but for rare freed holes and the newest
   * days partly booked, `share` on average.
   */
  profile?: 'uniform' | 'front'
}

/** Booking probability of a unit on a day at relative position x ∈ [0, 1] of the booking window. */
function bookingProbability(profile: 'uniform' | 'front', share: number, x: number): number {
  if (profile === 'uniform') return share
  const full = 0.99, tail = Math.min(share, 0.3)
  const cutoff = share <= tail ? 0 : (share - tail) / (full - tail)
  return x < cutoff ? full : tail
}

/** Returns the number of appointments booked. */
export function fillScheduler(s: Scheduler, opts: FillOptions): number {
  const m = s.model
  const rng = createRng(opts.seed)
  const prefix = opts.citizenPrefix ?? 'fill-'
  const nS = m.serviceIds.length
  const weight = m.serviceIds.map((id) => (opts.weights ? opts.weights[id] ?? 0 : 1))
  const nowMs = Date.parse(s.now())
  const nowUnit = Math.ceil((nowMs - m.t0) / m.unitMs)
  const nowDay = m.dates.indexOf(localDateOf(m.zone, nowMs))
  const busyOf = (p: number) => s.busyUnits(p)
  let booked = 0, citizen = 0
  for (const seg of m.segments) {
    if (seg.end <= nowUnit) continue
    const office = m.scenario.offices[seg.office]
    const rel = seg.day - nowDay
    if (nowDay < 0 || rel < office.bookingWindow.minDays || rel > office.bookingWindow.maxDays) continue
    const choices: number[] = []
    const w: number[] = []
    for (let si = 0; si < nS; si++)
      if (m.durationUnits[seg.office * nS + si] > 0 && m.skill[seg.staff * nS + si] === 1 && weight[si] > 0) {
        choices.push(si)
        w.push(weight[si])
      }
    if (choices.length === 0) continue
    const span = office.bookingWindow.maxDays - office.bookingWindow.minDays + 1
    const pBook = bookingProbability(opts.profile ?? 'front', opts.share, (rel - office.bookingWindow.minDays + 0.5) / span)
    const totalW = w.reduce((a, b) => a + b, 0)
    let u = Math.max(seg.start, nowUnit)
    while (u < seg.end) {
      let r = rng.next() * totalW, k = 0
      while (k < choices.length - 1 && (r -= w[k]) >= 0) k++
      const si = choices[k]
      const dur = m.durationUnits[seg.office * nS + si]
      if (u + dur > seg.end) break
      // Leave a gap with probability 1 - share, so free time is scattered as in real calendars.
      if (!getBit(busyOf(seg.staff), u) && rng.next() < pBook) {
        try {
          const start = new Date(m.t0 + u * m.unitMs).toISOString()
          const end = new Date(m.t0 + (u + dur) * m.unitMs).toISOString()
          const h = s.hold({ officeId: office.id, staffId: m.staffIds[seg.staff], start, end, services: [m.serviceIds[si]] }, { citizenId: `${prefix}${citizen++}` })
          s.confirm(h.id)
          booked++
          u += dur
          continue
        } catch {
          // Outside the booking window or already taken: leave the unit as it is.
        }
      }
      u += dur
    }
  }
  return booked
}

export interface WaitlistGenOptions {
  count: number
  seed: number
  /** Current time (epoch ms); entries joined up to `maxWaitedDays` before it. */
  now: number
  maxWaitedDays?: number
}

/**
 * Waiting citizens with varied needs, for examples and benchmarks: services from the demand mix,
 * a home district from the demand's districts, and acceptable offices that are the home district
 * (half), one to three named offices there (three in ten) or any office (the rest); two in five
 * give time windows; one in twenty is urgent (e.g. a travel document). Deterministic per seed.
 */
export function generateWaitlist(m: Model, opts: WaitlistGenOptions): WaitlistEntry[] {
  const rng = createRng(opts.seed)
  const s = m.scenario
  const weights = new Map<string, number>()
  const districtWeights = new Map<string, number>()
  for (const d of s.demand) {
    weights.set(d.service, (weights.get(d.service) ?? 0) + d.count)
    if (d.district) districtWeights.set(d.district, (districtWeights.get(d.district) ?? 0) + d.count)
  }
  const services = m.serviceIds.filter((id) => (weights.get(id) ?? 0) > 0)
  const sw = services.length ? services.map((id) => weights.get(id)!) : m.serviceIds.map(() => 1)
  const pool = services.length ? services : m.serviceIds
  const districts = districtWeights.size ? [...districtWeights.keys()].sort() : m.districtIds
  const dw = districts.map((d) => districtWeights.get(d) ?? 1)
  const maxWait = opts.maxWaitedDays ?? 10
  const windows = [
    [{ from: '07:00', to: '12:00' }],
    [{ from: '12:00', to: '18:00' }],
    [{ weekdays: [1, 3, 5], from: '08:00', to: '16:00' }],
    [{ weekdays: [2, 4], from: '14:00', to: '19:00' }],
  ]
  const out: WaitlistEntry[] = []
  for (let i = 0; i < opts.count; i++) {
    const a = pool[weightedIndex(rng, sw)]
    const b = pool[weightedIndex(rng, sw)]
    const svc = rng.next() < 0.15 && a !== b ? [a, b].sort() : [a]
    const district = districts[weightedIndex(rng, dw)]
    const inDistrict = s.offices.filter((o) => o.district === district && svc.every((x) => o.services.includes(x))).map((o) => o.id)
    const createdAt = opts.now - Math.floor(rng.next() * maxWait * 1440) * 60_000
    const e: WaitlistEntry = { id: `wl${i + 1}`, citizenId: `citizen-${opts.seed}-${i + 1}`, services: svc, createdAt: new Date(createdAt).toISOString(), priority: rng.next() < 0.05 ? 'urgent' : 'normal' }
    const r = rng.next()
    if (r < 0.5 && inDistrict.length) e.district = district
    else if (r < 0.8 && inDistrict.length) {
      const n = 1 + rng.int(Math.min(3, inDistrict.length))
      const start = rng.int(inDistrict.length)
      e.offices = Array.from({ length: n }, (_, k) => inDistrict[(start + k) % inDistrict.length])
    }
    if (rng.next() < 0.4) e.windows = windows[rng.int(windows.length)]
    const latestDays = 14 + rng.int(29)
    e.latest = localDateOf(m.zone, createdAt + latestDays * 86_400_000)
    out.push(e)
  }
  return out
}
