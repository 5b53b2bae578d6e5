/**
 * The report in a real browser: Debian's headless Chromium parses it, lays it out and paints it.
 *
 * 1. `--dump-dom` of the report: the DOM Chromium built has every chart with its marks, the
 *    legends and the escaped office name as text (no script element appeared).
 * 2. `--dump-dom` of a check page that holds the SVG fragments of this report and of edge-case
 *    reports as strings: the page's script parses each with DOMParser as `image/svg+xml` (a real
 *    XML parser: well-formedness, namespace), then places it in the page with the report's CSS and
 *    measures the laid-out labels: no two tick labels, legend entries, office or district names
 *    overlap, and no text sticks out of its chart.
 * 3. `--screenshot` at 1280 × 4000: a PNG of that size, not blank (many colours, a good share of
 *    non-white pixels), with every run's colour and the heat colours painted.
 *
 * Chromium missing fails the test (it must run in CI: .ci/run installs it) unless
 * TERMINPLAN_SKIP_BROWSER=1. TERMINPLAN_REPORT_KEEP=1 keeps the files and prints where.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderReport } from '../../src/adapters/report/index.js'
import { BAND_COLOUR, HEAT_COLOURS, RUN_COLOURS } from '../../src/adapters/report/svg.js'
import type { Comparison } from '../../src/solver/sim/types.js'
import { buildFixtureComparison, emptyFixtureRun } from './fixture.js'
import { colourStats, decodePng, hasColour, pngSize } from './png.js'
import { svgFragments } from './xml.js'

const EVIL = '<script>alert(1)</script>'
/** Typical run: 5–9 s for all three Chromium runs together; the margin is for a loaded CI machine. */
const TIMEOUT_MS = 45_000

function findChromium(): string | null {
  const explicit = process.env.TERMINPLAN_CHROMIUM
  if (explicit) return existsSync(explicit) ? explicit : null
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const p = join(dir, name)
      try {
        accessSync(p, constants.X_OK)
        return p
      } catch {
        // not here
      }
    }
  }
  return null
}

function runChromium(bin: string, profile: string, args: string[]): Promise<string> {
  const common = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-extensions',
    '--hide-scrollbars',
    '--mute-audio',
    `--user-data-dir=${profile}`,
  ]
  return new Promise((resolve, reject) => {
    execFile(bin, [...common, ...args], { timeout: TIMEOUT_MS - 15_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-2000)}`))
      else resolve(stdout)
    })
  })
}

const unescapeText = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&')

/** The check page: parses every fragment as XML, then lays it out and measures its labels. */
function checkPage(css: string, fragments: { id: string; xml: string }[]): string {
  const data = JSON.stringify(fragments).replace(/</g, '\\u003c')
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>${css}</style></head><body><main><figure id="stage"></figure></main>
<script type="application/json" id="data">${data}</script>
<pre id="out"></pre>
<script>
const frags = JSON.parse(document.getElementById('data').textContent)
const SVG = 'http://www.w3.org/2000/svg'
const overlaps = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5
const results = frags.map((f) => {
  const doc = new DOMParser().parseFromString(f.xml, 'image/svg+xml')
  const err = doc.getElementsByTagName('parsererror')
  const root = doc.documentElement
  const r = { id: f.id, wellFormed: err.length === 0 && root.localName === 'svg' && root.namespaceURI === SVG, error: err.length ? err[0].textContent.slice(0, 300) : '' }
  if (!r.wellFormed) return r
  const q = (sel) => root.querySelectorAll(sel).length
  r.counts = { path: q('path'), rect: q('rect'), circle: q('circle'), text: q('text'), title: q('title'), series: q('.series'), marker: q('.marker'), bar: q('.bar'),
    hover: q('.hover'), cells: q(${JSON.stringify(HEAT_COLOURS.map((_, i) => `rect.h${i}`).join(','))}), rows: q('.hm-row') }
  r.legend = [...root.querySelectorAll('.legend-item text')].map((t) => t.textContent)
  // Lay it out with the report's CSS and measure.
  const stage = document.getElementById('stage')
  stage.replaceChildren(document.importNode(root, true))
  const svg = stage.firstElementChild
  const box = svg.getBoundingClientRect()
  r.size = [Math.round(box.width), Math.round(box.height)]
  r.overlaps = []
  r.outside = []
  for (const sel of ['.x-axis .tick', '.y-axis .tick', '.legend > g', '.hm-label', '.cat-label']) {
    const boxes = [...svg.querySelectorAll(sel)].map((e) => [e.textContent, e.getBoundingClientRect()])
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        if (overlaps(boxes[i][1], boxes[j][1])) r.overlaps.push(sel + ': "' + boxes[i][0] + '" / "' + boxes[j][0] + '"')
  }
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBoundingClientRect()
    if (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1) r.outside.push(t.textContent)
  }
  return r
})
document.getElementById('out').textContent = JSON.stringify(results)
</script></body></html>`
}

interface FragmentResult {
  id: string
  wellFormed: boolean
  error: string
  counts: Record<string, number>
  legend: string[]
  size: [number, number]
  overlaps: string[]
  outside: string[]
}

// A machine without Chromium skips with one line; in CI (CI=true, where .ci/run installs it) a missing browser fails.
const CHROMIUM = findChromium()
const SKIP = process.env.TERMINPLAN_SKIP_BROWSER === '1' || (!CHROMIUM && process.env.CI !== 'true')
if (SKIP && process.env.TERMINPLAN_SKIP_BROWSER !== '1') console.warn('chromium not installed: skipping the report browser test (apt-get install chromium; .ci/run installs it)')

describe.skipIf(SKIP)('report in headless Chromium', () => {
  let dir = ''
  let comparison: Comparison
  let html = ''
  let dom = ''
  let checks: FragmentResult[] = []
  let png: Buffer

  beforeAll(async () => {
    const bin = CHROMIUM
    if (!bin) {
      throw new Error(
        'Chromium not found (looked for chromium, chromium-browser, google-chrome on PATH, or $TERMINPLAN_CHROMIUM). ' +
          'Install it (Debian: apt-get install -y chromium; .ci/run does this) or set TERMINPLAN_SKIP_BROWSER=1 to skip the browser test.',
      )
    }
    comparison = buildFixtureComparison({
      seed: 2027,
      runs: [{ policy: 'fcfs' }, { policy: 'waitlist' }, { policy: 'optimized', overlays: ['+2 staff Mitte'] }],
    })
    for (const r of comparison.runs) r.result.byOffice[1].officeName = EVIL
    html = renderReport(comparison, { generatedAt: '2026-11-21', notes: ['Fixture data, not a simulation.'] })
    dir = mkdtempSync(join(tmpdir(), 'terminplan-report-'))
    const report = join(dir, 'report.html')
    const check = join(dir, 'check.html')
    writeFileSync(report, html)
    // The check page also lays out the edge cases' charts: many offices, many runs, one day, nothing measured.
    const edges: [string, Comparison][] = [
      ['offices-200', buildFixtureComparison({ seed: 5, offices: 200, days: 30, runs: [{ policy: 'optimized' }] })],
      ['runs-10', buildFixtureComparison({ seed: 6, offices: 8, days: 35, runs: Array.from({ length: 10 }, (_, i) => ({ policy: 'waitlist' as const, overlays: [`+${i} staff`] })) })],
      ['day-1', buildFixtureComparison({ seed: 7, offices: 3, days: 1, warmupDays: 0 })],
      ['empty', { runs: [emptyFixtureRun()] }],
    ]
    const fragments = [
      ...svgFragments(html),
      ...edges.flatMap(([name, c]) => svgFragments(renderReport(c)).map((f) => ({ id: `${name}/${f.id}`, xml: f.xml }))),
    ]
    writeFileSync(check, checkPage(/<style>([\s\S]*?)<\/style>/.exec(html)![1], fragments))
    const shot = join(dir, 'report.png')
    const [d, c] = await Promise.all([
      runChromium(bin, join(dir, 'profile-1'), ['--dump-dom', pathToFileURL(report).href]),
      runChromium(bin, join(dir, 'profile-2'), ['--window-size=1280,1000', '--dump-dom', pathToFileURL(check).href]),
      runChromium(bin, join(dir, 'profile-3'), [`--screenshot=${shot}`, '--window-size=1280,4000', pathToFileURL(report).href]),
    ])
    dom = d
    const out = /<pre id="out">([\s\S]*?)<\/pre>/.exec(c)
    if (!out || !out[1]) throw new Error(`the check page produced no result:\n${c.slice(0, 2000)}`)
    checks = JSON.parse(unescapeText(out[1])) as FragmentResult[]
    png = readFileSync(shot)
  }, TIMEOUT_MS)

  afterAll(() => {
    if (!dir) return
    if (process.env.TERMINPLAN_REPORT_KEEP === '1') console.log(`report, check page and screenshot kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  })

  it('builds a DOM with every chart and its marks', () => {
    expect(dom).toContain('<html lang="en">')
    const ids = [...dom.matchAll(/<svg [^>]*id="([^"]+)"/g)].map((m) => m[1])
    expect(ids).toEqual(['chart-weekly', 'chart-lead', 'chart-heatmap-0', 'chart-heatmap-1', 'chart-heatmap-2', 'chart-waitlist', 'chart-districts'])
    const frag = (id: string) => new RegExp(`<svg [^>]*id="${id}"[\\s\\S]*?</svg>`).exec(dom)![0]
    const count = (s: string, re: RegExp) => (s.match(re) ?? []).length
    const labels = comparison.runs.map((r) => r.label)
    expect(labels).toEqual(['fcfs', 'waitlist', 'optimized + +2 staff Mitte'])
    for (const id of ['chart-weekly', 'chart-districts']) {
      const legend = [...frag(id).matchAll(/<g class="legend-item">[\s\S]*?<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
      expect(legend).toEqual(labels)
    }
    expect(count(frag('chart-weekly'), /<path [^>]*class="series"/g)).toBe(3)
    comparison.runs.forEach((r, i) => {
      const cells = r.result.utilisationGrid.values.flat().filter((v) => v !== null).length
      expect(count(frag(`chart-heatmap-${i}`), /<rect [^>]*class="h\d"/g)).toBe(cells)
    })
    const bars = comparison.runs.reduce((a, r) => a + r.result.byDistrict.length, 0)
    expect(count(frag('chart-districts'), /<rect [^>]*class="bar"/g)).toBe(bars)
  })

  it('keeps a malicious office name as text', () => {
    expect(dom).not.toMatch(/<script/i)
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('parses every SVG fragment as XML with the expected marks', () => {
    expect(checks.filter((c) => !c.id.includes('/')).map((c) => c.id)).toEqual(svgFragments(html).map((f) => f.id))
    expect(checks.length).toBeGreaterThan(20)
    for (const c of checks) expect(c.wellFormed, `${c.id}: ${c.error}`).toBe(true)
    const byId = new Map(checks.map((c) => [c.id, c]))
    const weekly = byId.get('chart-weekly')!
    const weeks = comparison.runs[0].result.weekly.length
    expect(weekly.counts).toMatchObject({ series: 3, marker: 3 * weeks, hover: weeks })
    expect(weekly.legend).toEqual(comparison.runs.map((r) => r.label))
    expect(byId.get('chart-lead')!.counts).toMatchObject({ series: 3, marker: 3 })
    expect(byId.get('chart-waitlist')!.counts).toMatchObject({ series: 3, hover: comparison.runs[0].result.waitlistLength.length })
    comparison.runs.forEach((r, i) => {
      const hm = byId.get(`chart-heatmap-${i}`)!
      expect(hm.counts.rows).toBe(46)
      expect(hm.counts.cells).toBe(r.result.utilisationGrid.values.flat().filter((v) => v !== null).length)
    })
  })

  it('lays labels out without overlaps and inside their charts (also 200 offices, 10 runs, 1 day, nothing measured)', () => {
    for (const c of checks) {
      expect(c.overlaps, `${c.id}: overlapping labels`).toEqual([])
      expect(c.outside, `${c.id}: text outside the chart`).toEqual([])
      expect(c.size[0]).toBeGreaterThan(900)
    }
  })

  it('paints a screenshot that is not blank', () => {
    expect(pngSize(png)).toEqual({ width: 1280, height: 4000 })
    expect(png.length).toBeGreaterThan(50_000)
    const img = decodePng(png)
    const stats = colourStats(img)
    expect(stats.distinct).toBeGreaterThan(200)
    expect(stats.nonWhite / (img.width * img.height)).toBeGreaterThan(0.05)
    for (const c of RUN_COLOURS.slice(0, 3)) expect(hasColour(stats, c), `run colour ${c} painted`).toBe(true)
    expect(hasColour(stats, BAND_COLOUR)).toBe(true)
    expect(HEAT_COLOURS.filter((c) => hasColour(stats, c)).length).toBeGreaterThanOrEqual(6)
  })
})
