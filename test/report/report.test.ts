import { describe, expect, it } from 'vitest'
import { renderReport, type ReportOptions } from '../../src/adapters/report/index.js'
import { esc, fmtFixed, fmtInt, fmtPct, fmtPp, n, signed } from '../../src/adapters/report/format.js'
import { heatStep } from '../../src/adapters/report/charts.js'
import { fitText, HEAT_COLOURS, niceTicks, RUN_COLOURS, textWidth } from '../../src/adapters/report/svg.js'
import type { Comparison } from '../../src/solver/sim/types.js'
import { buildFixtureComparison, emptyFixtureRun } from './fixture.js'
import { checkXml, svgFragments } from './xml.js'

const EVIL = '<script>alert(1)</script>'

function svg(html: string, id: string): string {
  const f = svgFragments(html).find((s) => s.id === id)
  if (!f) throw new Error(`no <svg id="${id}">`)
  return f.xml
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length
const legendLabels = (xml: string) =>
  [...xml.matchAll(/<g class="legend-item">[\s\S]*?<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])

/** Everything a report must satisfy whatever the input. */
function expectSound(html: string) {
  expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/)
  expect(html).not.toMatch(/NaN|undefined|Infinity|\[object Object\]/)
  // Self-contained: no scripts, no external resources.
  expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg")/i)
  for (const f of svgFragments(html)) {
    const { errors } = checkXml(f.xml)
    expect(errors, `SVG ${f.id} is not well-formed XML`).toEqual([])
  }
}

describe('renderReport: structure', () => {
  const c = buildFixtureComparison({ seed: 7 })
  const html = renderReport(c, { generatedAt: '2026-11-21T16:00:00+01:00', notes: ['Demand as forecast for 2027.'] })

  it('has one <svg> per chart, one heatmap per run', () => {
    const ids = svgFragments(html).map((f) => f.id)
    expect(ids).toEqual(['chart-weekly', 'chart-lead', 'chart-heatmap-0', 'chart-heatmap-1', 'chart-heatmap-2', 'chart-waitlist', 'chart-districts'])
    expectSound(html)
  })

  it('has a legend entry per run, in run order and colour', () => {
    const labels = c.runs.map((r) => r.label)
    for (const id of ['chart-weekly', 'chart-waitlist', 'chart-districts']) {
      expect(legendLabels(svg(html, id))).toEqual(id === 'chart-waitlist' ? labels.map((l, i) => `${l} (max ${fmtInt(Math.max(...c.runs[i].result.waitlistLength.map((w) => w.waiting)))})`) : labels)
    }
    expect(legendLabels(svg(html, 'chart-lead'))).toHaveLength(3)
    const weekly = svg(html, 'chart-weekly')
    c.runs.forEach((_, i) => expect(weekly).toContain(`stroke="${RUN_COLOURS[i]}"`))
    // Goal and band are legend entries of their own kind, not runs.
    expect(count(weekly, /class="legend-ref"/g)).toBe(2)
  })

  it('draws one line per run and one mark per data point', () => {
    const weekly = svg(html, 'chart-weekly')
    const points = c.runs.reduce((a, r) => a + r.result.weekly.filter((w) => w.requests > 0).length, 0)
    expect(count(weekly, /class="series"/g)).toBe(3)
    expect(count(weekly, /class="marker"/g)).toBe(points)
    expect(count(weekly, /class="hover"/g)).toBe(c.runs[0].result.weekly.length)

    const lead = svg(html, 'chart-lead')
    expect(count(lead, /class="series"/g)).toBe(3)
    expect(count(lead, /class="marker"/g)).toBe(3) // the dot at 14 days
    expect(lead).toContain('14 days')

    const wait = svg(html, 'chart-waitlist')
    expect(count(wait, /class="series"/g)).toBe(3)
    expect(count(wait, /class="hover"/g)).toBe(c.runs[0].result.waitlistLength.length)
    expect(count(wait, /class="warmup"/g)).toBe(1)

    const districts = svg(html, 'chart-districts')
    const bars = c.runs.reduce((a, r) => a + r.result.byDistrict.filter((d) => d.requests > 0).length, 0)
    expect(count(districts, /class="bar"/g)).toBe(bars)
    expect(count(districts, /class="band"/g)).toBe(1)
  })

  it('draws one heat cell per working office-day', () => {
    c.runs.forEach((r, i) => {
      const hm = svg(html, `chart-heatmap-${i}`)
      const cells = r.result.utilisationGrid.values.flat().filter((v) => v !== null).length
      expect(count(hm, /class="h\d"/g)).toBe(cells)
      expect(count(hm, /class="hm-row"/g)).toBe(46)
      expect(count(hm, /class="hn"/g)).toBeGreaterThan(46) // weekends
      expect(hm).toContain('Bürgeramt Rathaus Mitte')
    })
  })

  it('lists the KPI table with one column per run', () => {
    const table = /<table class="kpi">[\s\S]*?<\/table>/.exec(html)![0]
    expect(count(/<thead>[\s\S]*?<\/thead>/.exec(table)![0], /<th scope="col">/g)).toBe(4)
    for (const label of ['Within 14 days', 'Lead time, median', 'Lead time, 90th percentile', 'Lead time, mean', 'Utilisation', 'Served utilisation',
      'Freed time booked again', 'No-shows', 'Staff hours lost to no-shows', 'Waiting, mean', 'Waiting, maximum', 'Offers made', 'Offers accepted',
      'Requests measured', 'booked from the waitlist', 'unserved', 'no-show']) {
      expect(table).toContain(`>${label}</th>`)
    }
    const k = c.runs[1].result.kpis
    expect(table).toContain(fmtPct(k.within14Share))
    expect(table).toContain(`${fmtFixed(k.leadDaysP90, 1)} d`)
    expect(table).toContain(fmtPp(k.within14Share - c.runs[0].result.kpis.within14Share))
  })

  it('has a how-to-read paragraph per chart section and the notes in the footer', () => {
    expect(count(html, /<p class="how">/g)).toBe(5)
    expect(html).toMatch(/<footer id="assumptions">[\s\S]*<li>Demand as forecast for 2027\.<\/li>/)
    expect(html).toContain('2026-11-21T16:00:00+01:00')
  })

  it('is deterministic: the same comparison gives the same bytes, also from a JSON copy', () => {
    const again = renderReport(buildFixtureComparison({ seed: 7 }), { generatedAt: '2026-11-21T16:00:00+01:00', notes: ['Demand as forecast for 2027.'] })
    expect(again).toBe(html)
    expect(renderReport(JSON.parse(JSON.stringify(c)) as Comparison, { generatedAt: '2026-11-21T16:00:00+01:00', notes: ['Demand as forecast for 2027.'] })).toBe(html)
    expect(renderReport(buildFixtureComparison({ seed: 8 }))).not.toBe(renderReport(c))
  })
})

describe('renderReport: escaping', () => {
  it('escapes office, district, run, scenario and overlay names and notes everywhere', () => {
    const c = buildFixtureComparison({ seed: 3, offices: 12, runs: [{ policy: 'fcfs' }, { policy: 'optimized', overlays: [EVIL] }] })
    for (const r of c.runs) {
      r.result.byOffice[0].officeName = EVIL
      r.result.byDistrict[0].district = EVIL
      r.result.districtSpread.worst = EVIL
      r.result.scenario = `Berlin "${EVIL}" & Co`
    }
    c.runs[1].label = `optimized + ${EVIL}`
    const html = renderReport(c, { title: EVIL, notes: [EVIL], generatedAt: EVIL })
    expect(html).not.toContain('<script')
    expect(html).not.toContain('alert(1)</')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('Berlin &quot;&lt;script&gt;')
    expect(html).toContain('&amp; Co')
    expectSound(html)
  })

  it('keeps umlauts as they are and replaces characters XML forbids', () => {
    expect(esc('Bürgeramt Köpenick – Straße')).toBe('Bürgeramt Köpenick – Straße')
    expect(esc('a\u0000b\u001Fc\uFFFEd')).toBe('a\uFFFDb\uFFFDc\uFFFDd')
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})

describe('renderReport: edge cases', () => {
  it('zero requests: null lead times, NaN shares, empty histogram, grid and waitlist', () => {
    const html = renderReport({ runs: [emptyFixtureRun('fcfs'), emptyFixtureRun('optimized')] })
    expectSound(html)
    expect(svgFragments(html).map((f) => f.id)).toEqual(['chart-weekly', 'chart-lead', 'chart-heatmap-0', 'chart-heatmap-1', 'chart-waitlist', 'chart-districts'])
    expect(html).toContain('No measured requests')
    expect(html).toContain('No appointments with a lead time to show')
    expect(html).toContain('No utilisation data')
    expect(html).toContain('No waitlist data')
    expect(html).toContain('fcfs: no requests')
    expect(count(html, /class="series"/g)).toBe(0)
    expect(legendLabels(svg(html, 'chart-lead'))).toEqual(['fcfs (no appointments)', 'optimized (no appointments)'])
  })

  it('a single run', () => {
    const c = buildFixtureComparison({ seed: 5, runs: [{ policy: 'waitlist' }] })
    const html = renderReport(c)
    expectSound(html)
    expect(svgFragments(html)).toHaveLength(5)
    expect(legendLabels(svg(html, 'chart-weekly'))).toEqual(['waitlist'])
    expect(html).not.toContain('class="delta"')
  })

  it('one simulated day (no warm-up, nothing measured yet)', () => {
    const c = buildFixtureComparison({ seed: 5, days: 1, warmupDays: 0, offices: 3 })
    const html = renderReport(c)
    expectSound(html)
    expect(c.runs[0].result.utilisationGrid.dates).toHaveLength(1)
    expect(count(svg(html, 'chart-waitlist'), /class="marker"/g)).toBe(3) // one point per run (fcfs at zero)
    expect(count(svg(html, 'chart-waitlist'), /class="hover"/g)).toBe(1)
  })

  it('200 offices: every row drawn, labels thinned', () => {
    const c = buildFixtureComparison({ seed: 9, offices: 200, days: 30, runs: [{ policy: 'optimized' }] })
    const html = renderReport(c)
    expectSound(html)
    const hm = svg(html, 'chart-heatmap-0')
    expect(count(hm, /class="hm-row"/g)).toBe(200)
    const labels = count(hm, /class="hm-label"/g)
    expect(labels).toBeGreaterThan(30)
    expect(labels).toBeLessThan(200)
    const height = Number(/height="(\d+)"/.exec(hm)![1])
    expect(height).toBeLessThan(1600)
  })

  it('flat zero waitlist (fcfs) draws a line at zero with a 0–1 axis', () => {
    const c = buildFixtureComparison({ seed: 5, runs: [{ policy: 'fcfs' }] })
    const wait = svg(renderReport(c), 'chart-waitlist')
    expect(count(wait, /class="series"/g)).toBe(1)
    const d = /<path d="([^"]*)" class="series"/.exec(wait)![1]
    const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => m[1])
    expect(new Set(ys).size).toBe(1)
    expect(wait).toContain('(max 0)')
  })

  it('NaN, Infinity and nulls inside the data are never printed', () => {
    const c = buildFixtureComparison({ seed: 11, offices: 5, days: 35 })
    const r = c.runs[1].result
    r.weekly[0].within14Share = Number.NaN
    r.weekly[1].requests = 0
    r.utilisationGrid.values[0][0] = Number.POSITIVE_INFINITY
    r.utilisationGrid.values[1][1] = Number.NaN
    r.kpis.leadDaysP50 = Number.NaN
    r.kpis.utilisation = Number.NEGATIVE_INFINITY
    r.leadHistogram.counts[3] = Number.NaN
    r.waitlistLength[2].waiting = Number.NaN
    r.byDistrict[0].within14Share = Number.NaN
    r.districtSpread.range = Number.NaN
    const html = renderReport(c)
    expectSound(html)
  })

  it('an empty comparison says so', () => {
    const html = renderReport({ runs: [] })
    expectSound(html)
    expect(svgFragments(html)).toHaveLength(0)
    expect(html).toContain('This comparison has no runs')
  })

  it('more runs than colours: colours repeat with dashes', () => {
    const runs = Array.from({ length: 10 }, (_, i) => ({ policy: 'optimized' as const, label: `run ${i + 1}` }))
    const html = renderReport(buildFixtureComparison({ seed: 1, offices: 4, days: 21, runs }))
    expectSound(html)
    expect(count(svg(html, 'chart-weekly'), /class="series"[^>]*stroke-dasharray/g)).toBe(2)
    expect(legendLabels(svg(html, 'chart-weekly'))).toHaveLength(10)
  })
})

describe('renderReport: options', () => {
  const c = buildFixtureComparison({ seed: 2, offices: 6, days: 28 })

  it('title, notes, band', () => {
    const opts: ReportOptions = { title: 'Staffing what-if, Q1 2027', referenceBand: null }
    const html = renderReport(c, opts)
    expect(html).toContain('<title>Staffing what-if, Q1 2027</title>')
    expect(html).toContain('No assumptions were given')
    expect(html).not.toContain('class="band"')
    expect(count(svg(html, 'chart-weekly'), /class="legend-ref"/g)).toBe(1)
    const banded = renderReport(c, { referenceBand: { from: 0.5, to: 0.9, label: 'target corridor' } })
    expect(banded).toContain('target corridor (50%–90%)')
  })

  it('a Berlin-sized comparison (46 offices × 90 days × 3 runs) stays around a megabyte', () => {
    const big = buildFixtureComparison({ seed: 42 })
    const html = renderReport(big)
    expect(Buffer.byteLength(html)).toBeLessThan(1.5 * 1024 * 1024)
  })
})

describe('formatting helpers', () => {
  it('numbers are fixed, grouped, never -0 or NaN', () => {
    expect(fmtFixed(1234567.891, 1)).toBe('1,234,567.9')
    expect(fmtFixed(-0.04, 1)).toBe('0.0')
    expect(fmtFixed(Number.NaN, 1)).toBe('–')
    expect(fmtInt(999.5)).toBe('1,000')
    expect(fmtPct(0.7234)).toBe('72.3%')
    expect(fmtPct(null)).toBe('–')
    expect(fmtPp(0.052)).toBe('+5.2 pp')
    expect(fmtPp(-0.004)).toBe('−0.4 pp')
    expect(fmtPp(0.0001)).toBe('±0.0 pp')
    expect(signed(-2.25, 1, ' d')).toBe('−2.3 d')
    expect(n(12.345)).toBe('12.3')
    expect(n(-0.01)).toBe('0')
    expect(n(Number.NaN)).toBe('0')
    expect(n(40)).toBe('40')
  })

  it('ticks and heat steps', () => {
    expect(niceTicks(0, 5, true)).toEqual([0, 1])
    expect(niceTicks(2229, 5, true)).toEqual([0, 500, 1000, 1500, 2000, 2500])
    expect(niceTicks(3, 5, true)).toEqual([0, 1, 2, 3])
    expect([0, 0.49, 0.5, 0.84, 0.85, 0.989, 0.99, 1, 1.2].map(heatStep)).toEqual([0, 0, 1, 4, 5, 7, 8, 8, 8])
    expect(HEAT_COLOURS).toHaveLength(9)
  })

  it('fits labels to a width with an ellipsis, by characters', () => {
    const long = 'Bürgeramt 1 (Neu- Hohenschönhausen) Egon-Erwin-Kisch-Straße'
    const fitted = fitText(long, 11, 150)
    expect(fitted.endsWith('…')).toBe(true)
    expect(textWidth(fitted, 11)).toBeLessThanOrEqual(150)
    expect(long.startsWith(fitted.slice(0, -1))).toBe(true)
    expect(fitText('Mitte', 11, 150)).toBe('Mitte')
  })
})
