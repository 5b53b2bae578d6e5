/**
 * The per-day segment lists of the search (occupancy.ts segmentsByDay, packed keys sorted
 * natively) against a plain reference: each day's segments sorted by start, office and staff with
 * a comparator, and grouped by office by a stable sort — on random scenarios and on Berlin.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readScenario } from '../../src/cli/io.js'
import { compile, type Model } from '../../src/model/compile.js'
import { segmentsByDay } from '../../src/solver/occupancy.js'
import { buildScenario, scenarioSpecArb } from './harness.js'

function reference(m: Model) {
  return Array.from({ length: m.days }, (_, d) => {
    const l = m.segments.map((_, i) => i).filter((i) => m.segments[i].day === d)
    l.sort((a, b) => m.segments[a].start - m.segments[b].start || m.segments[a].office - m.segments[b].office || m.segments[a].staff - m.segments[b].staff)
    const seg = l.map((i) => m.segments[i])
    const byOffice = l.map((_, i) => i).sort((a, b) => seg[a].office - seg[b].office || a - b)
    const officeFirst = m.officeIds.map((_, o) => seg.filter((x) => x.office < o).length).concat(seg.length)
    return { start: seg.map((x) => x.start), end: seg.map((x) => x.end), office: seg.map((x) => x.office), staff: seg.map((x) => x.staff), seg: l, n: l.length, byOffice, officeFirst }
  })
}

const plain = (m: Model) => segmentsByDay(m).map((d) => ({ start: [...d.start], end: [...d.end], office: [...d.office], staff: [...d.staff], seg: [...d.seg], n: d.n, byOffice: [...d.byOffice], officeFirst: [...d.officeFirst] }))

describe('segmentsByDay', () => {
  it('orders and groups like the comparator reference on random scenarios', () => {
    fc.assert(
      fc.property(scenarioSpecArb, (spec) => {
        const m = compile(buildScenario(spec).scenario)
        expect(plain(m)).toEqual(reference(m))
      }),
      { numRuns: 150 },
    )
  })

  it('falls back to the comparator where the packed key would not fit a double', () => {
    fc.assert(
      fc.property(scenarioSpecArb, (spec) => {
        const m = compile(buildScenario(spec).scenario)
        const huge = { ...m, nUnits: 2 ** 52 }
        expect(plain(huge)).toEqual(reference(m))
      }),
      { numRuns: 50 },
    )
  })

  it('orders and groups like the reference on Berlin', () => {
    const m = compile(readScenario('berlin'))
    expect(m.segments.length).toBeGreaterThan(10_000)
    expect(plain(m)).toEqual(reference(m))
  })
})
