import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { exportZmsFreeSlots, freeSlotRows, ZmsFreeSlotsSchema } from '../../src/adapters/zms/export.js'
import { importZms, type ZmsImportOptions } from '../../src/adapters/zms/import.js'
import { readScenario } from '../../src/cli/io.js'
import { compile } from '../../src/model/compile.js'
import { isTerminplanError, TerminplanError } from '../../src/model/errors.js'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler } from '../../src/solver/index.js'

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'zms')
const json = (rel: string): unknown => {
  const buf = readFileSync(join(DATA, rel))
  return JSON.parse((rel.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'))
}
const berlin = { locations: json('berlin-2018/locations_de.json.gz'), services: json('berlin-2018/services_de.json.gz') }
const munich = { locations: json('munich-2026/locations_de.json.gz'), services: json('munich-2026/services_de.json.gz') }
const heerstrasse = json('scope-141/availabilityList_141.json')
const HORIZON = { start: '2026-12-01', days: 28 }

function errorOf(f: () => unknown): TerminplanError {
  try {
    f()
  } catch (e) {
    if (isTerminplanError(e)) return e
    throw e
  }
  throw new Error('expected a TerminplanError')
}

describe('ZMS import: Berlin 2018', () => {
  const example = readScenario('berlin')
  const berlinOpts: ZmsImportOptions = {
    ...berlin,
    availability: [heerstrasse],
    scopes: { '141': '122217' },
    defaultScope: '141',
    horizon: HORIZON,
    offices: example.offices.map((o) => o.id),
  }
  const { scenario, report } = importZms(berlinOpts)

  it('imports the Berlin example\'s 46 offices into a valid scenario', () => {
    expect(report).toMatchObject({ locations: 537, offices: 46, skipped: [] })
    expect(loadScenario(scenario)).toEqual(scenario)
    expect(scenario.offices.map((o) => o.id)).toEqual(example.offices.map((o) => o.id))
    expect(scenario.unitMinutes).toBeUndefined()
    expect(compile(scenario).unitMinutes).toBe(10)
  })

  it('reads slots: 0 with allowed: true as the Berlin example does (same services, same durations at every office)', () => {
    let pairs = 0
    for (const o of example.offices)
      for (const sid of o.services) {
        const a = example.services.find((s) => s.id === sid)!
        const b = scenario.services.find((s) => s.id === sid)!
        expect(scenario.offices.find((x) => x.id === o.id)!.services, `${o.id} offers ${sid}`).toContain(sid)
        expect(b.officeDurations?.[o.id] ?? b.durationMinutes, `${o.id}/${sid}`).toBe(a.officeDurations?.[o.id] ?? a.durationMinutes)
        pairs++
      }
    expect(pairs).toBeGreaterThan(600)
    expect(report.assumptions.join('\n')).toMatch(/34 of 46 offices keep slots at 0/)
  })

  it('takes Heerstraße\'s opening hours, desks and booking window from its availability export', () => {
    const h = scenario.offices.find((o) => o.id === '122217')!
    expect(h.openingHours).toEqual([
      { weekdays: [1], from: '08:00', to: '15:50' },
      { weekdays: [2], from: '11:00', to: '17:50' },
      { weekdays: [3], from: '08:00', to: '12:50' },
      { weekdays: [4], from: '10:00', to: '17:50' },
      { weekdays: [5], from: '08:00', to: '13:50' },
    ])
    expect(h.desks).toBe(2)
    expect(h.bookingWindow).toEqual({ minDays: 0, maxDays: 60 })
    expect(report.assumptions.join('\n')).toMatch(/scope 141 ends 2020-12-31, before the horizon/)
    // The desk staff give exactly ZMS's capacity: 2 workstations × the weekly windows.
    const m = compile(scenario)
    const o = m.officeIndex.get('122217')!
    const units = m.segments.filter((g) => g.office === o).reduce((n, g) => n + g.end - g.start, 0)
    const weekly = (470 + 410 + 290 + 470 + 350) / 10 // units per desk and week (Mon…Fri windows)
    expect(units).toBe(2 * weekly * 4)
  })

  it('leaves out the anonymised coordinates and names the district by city', () => {
    expect(scenario.offices.every((o) => o.coordinates === undefined && o.district === 'Berlin')).toBe(true)
    const withDistricts = importZms({ ...berlinOpts, districts: Object.fromEntries(example.offices.map((o) => [o.id, o.district])) }).scenario
    expect(withDistricts.offices.map((o) => o.district)).toEqual(example.offices.map((o) => o.district))
  })

  it('selects by name and skips locations without a bookable service', () => {
    const r = importZms({ ...berlin, horizon: HORIZON, match: 'Bürgeramt', staff: 'none' })
    expect(r.scenario.offices.every((o) => /Bürgeramt/i.test(o.name))).toBe(true)
    const named = (berlin.locations as { data: { name: string }[] }).data.filter((l) => /Bürgeramt/i.test(l.name)).length
    expect(named).toBeGreaterThan(50)
    expect(r.report.offices + r.report.skipped.length).toBe(named)
    expect(r.report.skipped.every((x) => x.reason.length > 0)).toBe(true)
    expect(r.scenario.staff).toEqual([])
    expect(r.report.assumptions.join('\n')).toMatch(/no availability export: opening hours 1,2,3,4,5 08:00–16:00/)
  })
})

describe('ZMS import: Munich 2026', () => {
  const { scenario, report } = importZms({ ...munich, horizon: HORIZON, match: '^Bürgerbüro' })
  const raw = (munich.locations as { data: Array<{ id: string; slotTimeInMinutes: number; public: boolean; services: Array<{ service: string; duration: number; appointment: { slots: string; allowed: boolean } }> }> }).data
  const rawServices = (munich.services as { data: Array<{ id: number | string; maxQuantity: number; combinable?: Array<number | string> }> }).data

  it('imports the Bürgerbüros with durations = slots × slot time = the export\'s duration', () => {
    expect(report.offices).toBeGreaterThan(15)
    let checked = 0
    for (const o of scenario.offices) {
      const loc = raw.find((l) => l.id === o.id)!
      for (const sid of o.services) {
        const entry = loc.services.find((x) => x.service === sid && x.appointment.allowed)!
        const sv = scenario.services.find((s) => s.id === sid)!
        const minutes = sv.officeDurations?.[o.id] ?? sv.durationMinutes
        expect(minutes).toBe(entry.duration)
        expect(minutes).toBe(Number(entry.appointment.slots) * loc.slotTimeInMinutes)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(150)
  })

  it('keeps maxQuantity, combinable (within the imported services) and real coordinates', () => {
    const ids = new Set(scenario.services.map((s) => s.id))
    for (const s of scenario.services) {
      const r = rawServices.find((x) => String(x.id) === s.id)!
      expect(s.maxQuantity).toBe(r.maxQuantity)
      expect(s.combinable).toEqual([...new Set((r.combinable ?? []).map(String).filter((c) => ids.has(c)))])
    }
    expect(scenario.offices.every((o) => o.coordinates && o.coordinates.lat > 48 && o.coordinates.lat < 48.3)).toBe(true)
  })

  it('leaves out non-public locations, and a combination Munich forbids is refused by the engine', () => {
    const all = importZms({ ...munich, horizon: HORIZON, staff: 'none' })
    const hidden = raw.filter((l) => l.public === false).map((l) => l.id)
    expect(hidden.length).toBeGreaterThan(0)
    expect(all.scenario.offices.some((o) => hidden.includes(o.id))).toBe(false)
    const s = createScheduler(scenario, { now: '2026-12-01T07:00:00+01:00' })
    const a = scenario.services.find((x) => x.combinable && x.combinable.length < scenario.services.length - 1)!
    const b = scenario.services.find((x) => x.id !== a.id && !a.combinable!.includes(x.id))!
    expect(() => s.search({ services: [a.id, b.id] })).toThrow(/cannot be combined/)
  })
})

describe('ZMS import: availability rules and bad input', () => {
  const rule = (over: Record<string, unknown>) => ({
    type: 'appointment',
    weekday: { monday: '2', tuesday: '0', wednesday: '0', thursday: '0', friday: '0', saturday: '0', sunday: '0' },
    repeat: { afterWeeks: '1', weekOfMonth: '0' },
    bookable: { startInDays: '1', endInDays: '30' },
    workstationCount: { public: '1', intern: '2' },
    slotTimeInMinutes: '10',
    startDate: Date.UTC(2026, 10, 30, -1) / 1000, // 2026-11-30 00:00 Berlin
    endDate: Date.UTC(2027, 11, 31, -1) / 1000,
    startTime: '08:00:00',
    endTime: '12:00:00',
    scope: { id: '900', provider: { id: '122217' } },
    ...over,
  })

  it('follows afterWeeks, weekOfMonth, overlapping rules (more desks) and validity dates', () => {
    const availability = [
      {
        data: [
          rule({}),
          rule({ startTime: '10:00:00', endTime: '14:00:00', workstationCount: { intern: '1' } }),
          rule({ weekday: { tuesday: '4' }, repeat: { afterWeeks: '2' } }),
          rule({ weekday: { friday: '32' }, repeat: { weekOfMonth: '5' } }),
          rule({ weekday: { thursday: '16' }, startDate: Date.UTC(2026, 11, 10, -1) / 1000, endDate: Date.UTC(2026, 11, 17, -1) / 1000 }),
        ],
      },
    ]
    const { scenario } = importZms({ ...berlin, availability, horizon: HORIZON, offices: ['122217'] })
    const m = compile(scenario)
    const days = new Map<string, number[]>()
    for (const g of m.segments) days.set(m.dates[g.day], [...(days.get(m.dates[g.day]) ?? []), (g.end - g.start) / 6])
    // Mondays: two desks 08–12 and a third 10–14 → 3 segments (4 h each).
    expect(days.get('2026-12-07')!.sort()).toEqual([4, 4, 4])
    // Tuesdays every second week from the rule's first week (starting Mon 2026-11-30): 12-01, 12-15.
    expect(['2026-12-01', '2026-12-08', '2026-12-15', '2026-12-22'].map((d) => days.has(d))).toEqual([true, false, true, false])
    // Last Friday of the month only; Thursdays only 12-10 … 12-17.
    expect(['2026-12-04', '2026-12-25'].map((d) => days.has(d))).toEqual([false, true])
    expect(['2026-12-03', '2026-12-10', '2026-12-17', '2026-12-24'].map((d) => days.has(d))).toEqual([false, true, true, false])
    const o = scenario.offices[0]
    expect(o.desks).toBe(3)
    expect(o.bookingWindow).toEqual({ minDays: 1, maxDays: 30 })
    expect(o.openingHours).toContainEqual({ weekdays: [1], from: '08:00', to: '14:00' })
  })

  it('reports unreadable exports and unmapped scopes with paths', () => {
    const bad = errorOf(() => importZms({ locations: { data: [{ id: 1, name: 'x', services: [{ service: 's', appointment: { slots: 'many' } }] }] }, services: { data: [] }, horizon: HORIZON }))
    expect(bad.code).toBe('IO_FAILED')
    expect(bad.issues[0].path).toBe('$.locations.data[0].services[0].appointment.slots')
    const scope = errorOf(() => importZms({ ...berlin, availability: [heerstrasse], horizon: HORIZON, offices: ['122217'] }))
    expect(scope.code).toBe('COMMAND_INVALID')
    expect(scope.issues[0]).toMatchObject({ code: 'unmapped_scope' })
    expect(scope.issues[0].message).toMatch(/--scope 141=/)
    const unknown = errorOf(() => importZms({ ...berlin, horizon: HORIZON, offices: ['122217', 'nope'] }))
    expect(unknown.issues).toEqual([expect.objectContaining({ path: '$.offices[1]', code: 'unknown_location' })])
    expect(errorOf(() => importZms({ ...berlin, horizon: { start: '2026-02-30', days: 0 } })).issues.map((i) => i.path)).toEqual(['$.horizon.start', '$.horizon.days'])
  })
})

describe('ZMS free-slot export', () => {
  const { scenario } = importZms({ ...berlin, availability: [heerstrasse], scopes: { '141': '122217' }, defaultScope: '141', horizon: HORIZON, offices: ['122217', '122219', '122227'] })

  it('lists per office, day and time how many could still book, in ZMS calendar shape', () => {
    const s = createScheduler(scenario, { now: '2026-12-01T07:00:00+01:00' })
    const doc = exportZmsFreeSlots(s, { services: ['120703'], from: '2026-12-01', to: '2026-12-14' })
    expect(ZmsFreeSlotsSchema.parse(doc)).toEqual(doc)
    expect(doc.calendar.requests).toEqual([{ id: '120703', name: 'Personalausweis beantragen', source: 'dldb' }])
    expect(doc.calendar.firstDay).toEqual({ year: 2026, month: 12, day: 1 })
    const heer = doc.offices.find((o) => o.provider.id === '122217')!
    // Tuesday 2026-12-01, 11:00–17:50, 20-minute service, 2 desks: starts 11:00 … 17:30, 2 each.
    const tue = heer.slots.filter((x) => x.date === '2026-12-01')
    expect(tue[0]).toEqual({ date: '2026-12-01', time: '11:00', timestamp: Date.parse('2026-12-01T11:00:00+01:00') / 1000, public: 2, intern: 2, type: 'reduced', slotCount: 2 })
    expect(tue.map((x) => x.time).at(-1)).toBe('17:30')
    expect(tue.every((x) => x.public === 2)).toBe(true)
    expect(heer.days[0]).toMatchObject({ year: 2026, month: 12, day: 1, status: 'bookable', freeAppointments: { public: 40, intern: 40, callcenter: 0, type: 'sum' } })
    expect(heer.days.find((d) => d.day === 5)!.status).toBe('notBookable') // Saturday
    expect(doc.calendar.days[0].freeAppointments.public).toBe(3 * 40)
    expect(freeSlotRows(doc)[0]).toEqual({ office: '122217', date: '2026-12-01', time: '11:00', free: 2 })
  })

  it('agrees with the scheduler: a booking takes one from the times it overlaps and a booked-out day is full', () => {
    const s = createScheduler(scenario, { now: '2026-12-01T07:00:00+01:00' })
    const before = exportZmsFreeSlots(s, { services: ['120703'], offices: ['122217'], from: '2026-12-01', to: '2026-12-01' })
    const { slots } = s.search({ services: ['120703'], offices: ['122217'], from: '2026-12-01', to: '2026-12-01', limit: 1 })
    s.confirm(s.hold(slots[0], { citizenId: 'c-1' }).id) // 11:00–11:20 at one desk
    const after = exportZmsFreeSlots(s, { services: ['120703'], offices: ['122217'], from: '2026-12-01', to: '2026-12-01' })
    const free = (d: typeof before, t: string) => d.offices[0].slots.find((x) => x.time === t)!.public
    expect(free(before, '11:00')).toBe(2)
    expect([free(after, '11:00'), free(after, '11:10'), free(after, '11:20')]).toEqual([1, 1, 2])
    expect(after.offices[0].days[0].freeAppointments.public).toBe(before.offices[0].days[0].freeAppointments.public - 1)
    // Book the rest of the day: nothing left, status full, and the export changes nothing.
    for (let n = 2; ; n++) {
      const r = s.search({ services: ['120703'], offices: ['122217'], from: '2026-12-01', to: '2026-12-01', limit: 1 })
      if (!r.slots.length) break
      s.confirm(s.hold(r.slots[0], { citizenId: `c-${n}` }).id)
    }
    const snapshot = JSON.stringify(s.snapshot())
    const full = exportZmsFreeSlots(s, { services: ['120703'], offices: ['122217'], from: '2026-12-01', to: '2026-12-01' })
    expect(full.offices[0].days[0]).toMatchObject({ status: 'full', freeAppointments: { public: 0 } })
    expect(full.offices[0].slots).toEqual([])
    expect(JSON.stringify(s.snapshot())).toBe(snapshot)
  })

  it('marks holidays restricted and checks its request like a search', () => {
    const s = createScheduler(loadScenario({ ...scenario, offices: scenario.offices.map((o) => ({ ...o, holidays: ['2026-12-02'] })) }), { now: '2026-12-01T07:00:00+01:00' })
    const doc = exportZmsFreeSlots(s, { services: ['120703'], from: '2026-12-01', to: '2026-12-03' })
    expect(doc.offices[0].days.map((d) => d.status)).toEqual(['bookable', 'restricted', 'bookable'])
    expect(() => exportZmsFreeSlots(s, { services: ['nope'] })).toThrow(/unknown service/)
    expect(() => exportZmsFreeSlots(s, { services: ['120703'], offices: ['x'] })).toThrow(/unknown office/)
  })
})
