/**
 * The report's charts, each one inline `<svg>` string. Marks carry CSS classes the tests (and a
 * reader's own stylesheet) can select: `series` (a run's line), `marker`, `bar`, `h0`…`h8` (a heat
 * cell by step; `hn` = no value), `hover` (an invisible column whose `<title>` lists every run's value there).
 */
import type { SimulationResult } from '../../solver/sim/types.js'
import { dayDate, fmtFixed, fmtInt, fmtPct, isNum, longDate, shortDate, weekday } from './format.js'
import {
  BAND_COLOUR,
  GOAL_COLOUR,
  HEAT_COLOURS,
  HEAT_THRESHOLDS,
  NO_VALUE_COLOUR,
  el,
  emptyNote,
  fitText,
  legend,
  niceTicks,
  pathD,
  scale,
  svgDoc,
  text,
  textWidth,
  thin,
  tip,
  xAxis,
  yAxis,
  type LegendItem,
  type Plot,
} from './svg.js'

/** One run as the charts see it. */
export interface RunView {
  index: number
  label: string
  colour: string
  dash: string
  /**
   * Extra stroke width: with up to four runs the earlier ones are drawn wider, so runs with the
   * same values (common: fcfs and waitlist when capacity is ample) show as nested stripes
   * instead of the last one hiding the others.
   */
  layer: number
  result: SimulationResult
}

/** A shaded band of within-14-days shares for context (e.g. what the city reports). */
export interface ReferenceBand {
  from: number
  to: number
  label: string
}

/** Width of every chart in user units (the page scales it down on narrow screens and paper). */
export const CHART_WIDTH = 960
const LEFT = 64
const RIGHT = 24
/** Markers on line charts when there are at most this many points per run. */
const MARKER_LIMIT = 60

const clamp01 = (v: number) => Math.min(1, Math.max(0, v))
const pct0 = (v: number) => fmtPct(v, 0)

/** A share that exists: requests were measured and the number is finite. */
export function shareOf(k: { requests: number; within14Share: number } | undefined): number | null {
  return k && isNum(k.requests) && k.requests > 0 && isNum(k.within14Share) ? clamp01(k.within14Share) : null
}

function runLegend(runs: RunView[], notes?: (r: RunView) => string | undefined): LegendItem[] {
  return runs.map((r) => ({ label: r.label, colour: r.colour, dash: r.dash, note: notes?.(r) }))
}

function seriesPath(r: RunView, points: ([number, number] | null)[]): string {
  const d = pathD(points)
  if (!d) return ''
  return el('path', {
    d,
    class: 'series',
    'data-run': String(r.index),
    fill: 'none',
    stroke: r.colour,
    'stroke-width': 2 + 1.5 * r.layer,
    'stroke-dasharray': r.dash,
    'stroke-linejoin': 'round',
  })
}

function markers(r: RunView, points: ([number, number] | null)[], radius = 3): string {
  let s = ''
  for (const p of points) if (p) s += el('circle', { cx: p[0], cy: p[1], r: radius + 0.75 * r.layer, class: 'marker', fill: r.colour })
  return s
}

/** Positions of labels along a date axis: every date, or Mondays every `k` weeks when crowded. */
function dateTicks(dates: string[], spacing: number, labelWidth: number): number[] {
  const k = thin(dates.length, spacing, labelWidth)
  if (k <= 1) return dates.map((_, i) => i)
  if (k <= 3 || dates.length < 14) {
    const out: number[] = []
    for (let i = 0; i < dates.length; i += k) out.push(i)
    return out
  }
  const weeks = Math.ceil(k / 7)
  const out: number[] = []
  let mondays = 0
  for (let i = 0; i < dates.length; i++) {
    if (weekday(dates[i]) !== 1) continue
    if (mondays++ % weeks === 0) out.push(i)
  }
  return out.length ? out : [0]
}

/** Legend entries for the goal line and the reference band (after the runs). */
function refLegend(band: ReferenceBand | null): LegendItem[] {
  const items: LegendItem[] = [{ label: 'goal: 100% within 14 days', colour: GOAL_COLOUR, kind: 'goal', className: 'legend-ref' }]
  if (band) items.push({ label: band.label, colour: BAND_COLOUR, kind: 'box', className: 'legend-ref' })
  return items
}

/** The shaded reference band across (`vertical`: along) the plot. */
function bandRect(p: Plot, f: (v: number) => number, band: ReferenceBand | null, vertical: boolean): string {
  if (!band || !isNum(band.from) || !isNum(band.to) || band.to <= band.from) return ''
  const a = f(clamp01(band.from)), b = f(clamp01(band.to))
  return vertical
    ? el('rect', { x: Math.min(a, b), y: p.y, width: Math.abs(a - b), height: p.h, class: 'band', fill: BAND_COLOUR }, tip(band.label))
    : el('rect', { x: p.x, y: Math.min(a, b), width: p.w, height: Math.abs(a - b), class: 'band', fill: BAND_COLOUR }, tip(band.label))
}

/** The dashed goal line at 100 % (drawn over the grid). */
function goalLine(p: Plot, f: (v: number) => number, vertical: boolean): string {
  const g = f(1)
  return vertical
    ? el('line', { x1: g, y1: p.y, x2: g, y2: p.y + p.h, class: 'goal', stroke: GOAL_COLOUR })
    : el('line', { x1: p.x, y1: g, x2: p.x + p.w, y2: g, class: 'goal', stroke: GOAL_COLOUR })
}

/** Invisible full-height columns whose tooltips list all runs' values at one x. */
function hoverColumns(p: Plot, count: number, tips: (i: number) => string): string {
  if (count === 0) return ''
  const step = p.w / count
  let s = ''
  for (let i = 0; i < count; i++) s += el('rect', { x: p.x + i * step, y: p.y, width: step, height: p.h, class: 'hover', fill: '#000', 'fill-opacity': 0 }, tip(tips(i)))
  return el('g', { class: 'hovers' }, s)
}

function sortedUnion(lists: string[][]): string[] {
  const set = new Set<string>()
  for (const l of lists) for (const v of l) set.add(v)
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

// ---------------------------------------------------------------------------------------------
// 1. Within-14-days share per week

export function weeklyChart(runs: RunView[], band: ReferenceBand | null): string {
  const W = CHART_WIDTH
  const weeks = sortedUnion(runs.map((r) => r.result.weekly.map((w) => w.weekStart)))
  const leg = legend([...runLegend(runs), ...refLegend(band)], LEFT, 18, W - LEFT - RIGHT)
  const p: Plot = { x: LEFT, y: 18 + leg.height + 30, w: W - LEFT - RIGHT, h: 280 }
  const H = p.y + p.h + 46
  const y = scale(0, 1, p.y + p.h, p.y)
  const step = p.w / Math.max(1, weeks.length)
  const xi = (i: number) => p.x + (i + 0.5) * step
  const byRun = runs.map((r) => new Map(r.result.weekly.map((w) => [w.weekStart, w])))

  let body = bandRect(p, y, band, false)
  body += yAxis(p, [0, 0.2, 0.4, 0.6, 0.8, 1], y, pct0, 'requests with an appointment within 14 days')
  body += goalLine(p, y, false)
  const labelEvery = thin(weeks.length, step, textWidth('30 Dec', 12))
  body += xAxis(
    p,
    weeks.flatMap((w, i) => (i % labelEvery === 0 ? [{ x: xi(i), label: shortDate(w) }] : [])),
    'week of arrival (first day)',
  )
  if (weeks.length === 0) body += emptyNote(p, 'No measured requests')
  runs.forEach((r, ri) => {
    const pts = weeks.map((w, i): [number, number] | null => {
      const s = shareOf(byRun[ri].get(w))
      return s === null ? null : [xi(i), y(s)]
    })
    body += seriesPath(r, pts)
    if (weeks.length <= MARKER_LIMIT) body += markers(r, pts)
  })
  body += hoverColumns(p, weeks.length, (i) => {
    const lines = runs.map((r, ri) => {
      const w = byRun[ri].get(weeks[i])
      const s = shareOf(w)
      return `${r.label}: ${s === null ? 'no measured requests' : `${fmtPct(s)} of ${fmtInt(w!.requests)} requests`}`
    })
    return [`Week of ${longDate(weeks[i])}`, ...lines].join('\n')
  })
  body += leg.svg
  return svgDoc({ id: 'chart-weekly', width: W, height: H, label: 'Share of requests with an appointment within 14 days, per week and run' }, body)
}

// ---------------------------------------------------------------------------------------------
// 2. Lead-time distribution (cumulative share)

interface LeadCurve {
  binDays: number
  /** counts, non-negative and finite */
  counts: number[]
  total: number
  /** cumulative share at bin boundaries 0, 1, …, counts.length − 1 (× binDays) */
  cum: number[]
}

function leadCurve(r: RunView): LeadCurve {
  const h = r.result.leadHistogram
  const binDays = isNum(h?.binDays) && h.binDays > 0 ? h.binDays : 1
  const counts = (h?.counts ?? []).map((c) => (isNum(c) && c > 0 ? c : 0))
  const total = counts.reduce((a, b) => a + b, 0)
  const cum = [0]
  let acc = 0
  for (let i = 0; i + 1 < counts.length; i++) {
    acc += counts[i]
    cum.push(total > 0 ? acc / total : 0)
  }
  return { binDays, counts, total, cum }
}

/** Cumulative share below `days` on the curve (linear within a bin), or null beyond its end. */
function cumAt(c: LeadCurve, days: number): number | null {
  const pos = days / c.binDays
  const last = c.cum.length - 1
  if (c.total === 0 || pos > last) return null
  const i = Math.floor(pos)
  if (i >= last) return c.cum[last]
  return c.cum[i] + (c.cum[i + 1] - c.cum[i]) * (pos - i)
}

function lastIndex<T>(a: T[], f: (v: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i])) return i
  return -1
}

export function leadChart(runs: RunView[]): string {
  const W = CHART_WIDTH
  const curves = runs.map(leadCurve)
  const usable = curves.filter((c) => c.total > 0 && c.cum.length > 1)
  // The axis ends a little after the longest lead any run has below its last bin (at least 21
  // days, so the 14-day line shows): beyond that every curve is flat.
  const full = usable.length ? Math.max(...usable.map((c) => (c.cum.length - 1) * c.binDays)) : 0
  const longest = usable.length ? Math.max(...usable.map((c) => (lastIndex(c.counts.slice(0, -1), (v) => v > 0) + 1) * c.binDays)) : 0
  const xMax = Math.min(full, Math.max(21, Math.ceil(longest / 7) * 7))
  const leg = legend(
    runLegend(runs, (r) => {
      const c = curves[runs.indexOf(r)]
      if (c.total === 0) return '(no appointments)'
      const at14 = cumAt(c, 14)
      const parts = at14 === null ? [] : [`${fmtPct(at14)} under 14 days`]
      if (c.cum.length > 1) parts.push(`${fmtPct(c.counts[c.counts.length - 1] / c.total)} ${fmtFixed((c.cum.length - 1) * c.binDays, Number.isInteger(c.binDays) ? 0 : 1)}+ days`)
      return parts.length ? `(${parts.join(', ')})` : undefined
    }),
    LEFT,
    18,
    W - LEFT - RIGHT,
  )
  const p: Plot = { x: LEFT, y: 18 + leg.height + 30, w: W - LEFT - RIGHT, h: 280 }
  const H = p.y + p.h + 46
  const y = scale(0, 1, p.y + p.h, p.y)
  const x = scale(0, xMax > 0 ? xMax : 1, p.x, p.x + p.w)

  let body = yAxis(p, [0, 0.2, 0.4, 0.6, 0.8, 1], y, pct0, 'share of appointments made with a lead time below x')
  if (xMax > 0) {
    const stepDays = xMax <= 7 ? 1 : xMax <= 21 ? 2 : 7 * Math.max(1, Math.ceil(xMax / 7 / 14))
    const ticks: { x: number; label: string }[] = []
    for (let d = 0; d <= xMax + 1e-9; d += stepDays) ticks.push({ x: x(d), label: fmtFixed(d, Number.isInteger(d) ? 0 : 1) })
    body += xAxis(p, ticks, 'lead time (days from request to appointment)')
    if (14 <= xMax) {
      const x14 = x(14)
      body += el('line', { x1: x14, y1: p.y, x2: x14, y2: p.y + p.h, class: 'goal', stroke: GOAL_COLOUR })
      body += text(x14 + 5, p.y + 12, '14 days', { class: 'goal-label halo' })
    }
  } else {
    body += xAxis(p, [], 'lead time (days from request to appointment)')
    body += emptyNote(p, 'No appointments with a lead time to show')
  }
  runs.forEach((r, ri) => {
    const c = curves[ri]
    if (c.total === 0 || c.cum.length < 2) return
    const pts = c.cum.flatMap((v, i): [number, number][] => (i * c.binDays <= xMax + 1e-9 ? [[x(i * c.binDays), y(v)]] : []))
    body += seriesPath(r, pts)
    const at14 = cumAt(c, 14)
    if (at14 !== null) body += markers(r, [[x(14), y(at14)]], 4.5)
  })
  // One hover column per bin of the finest histogram: the bin's share and the cumulative share.
  const ref = usable.length ? usable.reduce((a, b) => (b.binDays < a.binDays ? b : a)) : null
  if (ref) {
    const bins = Math.round(xMax / ref.binDays)
    body += hoverColumns(p, bins, (i) => {
      const from = i * ref.binDays, to = (i + 1) * ref.binDays
      const dec = Number.isInteger(ref.binDays) ? 0 : 1
      const lines = runs.map((r, ri) => {
        const c = curves[ri]
        const a = cumAt(c, from), b = cumAt(c, to)
        if (c.total === 0) return `${r.label}: no appointments`
        if (a === null || b === null) return `${r.label}: beyond this run's histogram`
        return `${r.label}: ${fmtPct(b - a)} in this range, ${fmtPct(b)} below ${fmtFixed(to, dec)} days`
      })
      return [`Lead time ${fmtFixed(from, dec)}–${fmtFixed(to, dec)} days`, ...lines].join('\n')
    })
  }
  body += leg.svg
  return svgDoc(
    { id: 'chart-lead', width: W, height: H, label: 'Cumulative distribution of lead times per run' },
    body,
  )
}

// ---------------------------------------------------------------------------------------------
// 3. Utilisation heatmap, office × day, one per run

/** Heat step of a utilisation: how many of `HEAT_THRESHOLDS` it reaches (0 … 8). */
export function heatStep(v: number): number {
  let k = 0
  while (k < HEAT_THRESHOLDS.length && v >= HEAT_THRESHOLDS[k] - 1e-12) k++
  return k
}

/** "80–85%", "<50%", "≥99%". */
function heatStepLabel(k: number): string {
  const t = HEAT_THRESHOLDS.map((v) => fmtFixed(v * 100, 0))
  return k === 0 ? `<${t[0]}%` : k === t.length ? `≥${t[k - 1]}%` : `${t[k - 1]}–${t[k]}%`
}

export function heatmapChart(r: RunView): string {
  const W = CHART_WIDTH
  const g = r.result.utilisationGrid
  const ids = g?.officeIds ?? []
  const dates = g?.dates ?? []
  const offices = new Map(r.result.byOffice.map((o) => [o.officeId, o]))
  const names = ids.map((id) => offices.get(id)?.officeName ?? id)
  // Every office gets a row; names at least 14 units apart (the 11-unit font's box is ≈ 13 high).
  const rowH = ids.length <= 60 ? 14 : ids.length <= 120 ? 9 : Math.max(3, Math.min(7, Math.floor(1400 / ids.length)))
  const labelEvery = Math.ceil(14 / rowH)
  const labels = names.map((s) => fitText(s, 11, 270))
  const labelW = Math.max(60, ...labels.map((s) => textWidth(s, 11))) + 10
  const x0 = labelW + 8
  const avail = W - x0 - RIGHT
  const cellW = dates.length ? Math.min(28, avail / dates.length) : 0
  const y0 = 62
  const gridH = ids.length * rowH
  const gap = rowH >= 8 ? 1 : 0

  let body = el('rect', { x: 0, y: 6, width: 14, height: 14, fill: r.colour })
  body += text(22, 18, r.label, { class: 'chart-title' })

  // Date labels along the top.
  const ticks = dateTicks(dates, cellW, textWidth('30 Dec', 12))
  let top = ''
  // Short unlabelled ticks on the other Mondays, so weeks can be counted.
  if (cellW >= 2)
    dates.forEach((d, i) => {
      if (weekday(d) === 1 && !ticks.includes(i)) top += el('line', { x1: x0 + (i + 0.5) * cellW, y1: y0 - 3, x2: x0 + (i + 0.5) * cellW, y2: y0 - 1, class: 'axis' })
    })
  for (const i of ticks) {
    const cx = x0 + (i + 0.5) * cellW
    top += el('line', { x1: cx, y1: y0 - 5, x2: cx, y2: y0 - 1, class: 'axis' })
    top += text(cx, y0 - 9, shortDate(dates[i]), { class: 'tick', 'text-anchor': 'middle' })
  }
  body += el('g', { class: 'x-axis' }, top)

  if (!ids.length || !dates.length) body += text(x0, y0 + 20, 'No utilisation data', { class: 'empty-note' })

  let rows = ''
  ids.forEach((id, ri) => {
    const o = offices.get(id)
    const values = g.values[ri] ?? []
    let cells = ''
    let nullFrom = -1
    const closeNulls = (end: number) => {
      if (nullFrom < 0) return
      const span = nullFrom === end - 1 ? dayDate(dates[nullFrom]) : `${dayDate(dates[nullFrom])} – ${dayDate(dates[end - 1])}`
      cells += el('rect', { x: x0 + nullFrom * cellW, width: (end - nullFrom) * cellW, height: rowH - gap, class: 'hn' }, tip(`${span}: not working`))
      nullFrom = -1
    }
    for (let di = 0; di < dates.length; di++) {
      const v = values[di]
      if (v === null || v === undefined || !isNum(v)) {
        if (nullFrom < 0) nullFrom = di
        continue
      }
      closeNulls(di)
      cells += el('rect', { x: x0 + di * cellW, width: cellW, height: rowH - gap, class: `h${heatStep(v)}` }, tip(`${dayDate(dates[di])}: ${fmtPct(v, 0)}`))
    }
    closeNulls(dates.length)
    const name = names[ri]
    const rowTip = `${name}${o?.district ? ` (${o.district})` : ''}: ${fmtPct(o?.utilisation)} of working staff time booked over the measured days`
    const label = ri % labelEvery === 0 ? text(x0 - 6, (rowH - gap) / 2 + 4, labels[ri], { class: 'hm-label', 'text-anchor': 'end' }) : ''
    rows += el('g', { class: 'hm-row', transform: `translate(0,${y0 + ri * rowH})` }, tip(rowTip) + label + cells)
  })
  body += el('g', { class: 'heat' }, rows)

  // Colour scale: one box per step, the thresholds between them.
  const ly = y0 + gridH + 22
  const scaleLabel = 'booked share of working staff time:'
  const sx = Math.max(x0, textWidth(scaleLabel, 12) + 14)
  let scaleSvg = text(sx - 8, ly + 10, scaleLabel, { class: 'tick', 'text-anchor': 'end' })
  const sw = 36
  HEAT_COLOURS.forEach((c, i) => {
    scaleSvg += el('rect', { x: sx + i * sw, y: ly, width: sw, height: 12, fill: c }, tip(heatStepLabel(i)))
    if (i > 0) scaleSvg += text(sx + i * sw, ly + 26, fmtFixed(HEAT_THRESHOLDS[i - 1] * 100, 0), { class: 'tick', 'text-anchor': 'middle' })
  })
  scaleSvg += text(sx, ly + 26, '0', { class: 'tick', 'text-anchor': 'middle' })
  scaleSvg += text(sx + HEAT_COLOURS.length * sw, ly + 26, '100%', { class: 'tick', 'text-anchor': 'middle' })
  const nx = sx + HEAT_COLOURS.length * sw + 40
  scaleSvg += el('rect', { x: nx, y: ly, width: sw, height: 12, fill: NO_VALUE_COLOUR })
  scaleSvg += text(nx + sw + 6, ly + 10, 'office not working', { class: 'tick' })
  body += el('g', { class: 'heat-scale' }, scaleSvg)

  const H = ly + 34
  return svgDoc(
    { id: `chart-heatmap-${r.index}`, width: W, height: H, label: `Utilisation per office and day, ${r.label}`, className: 'chart heatmap' },
    body,
  )
}

// ---------------------------------------------------------------------------------------------
// 4. Waitlist length over time

export function waitlistChart(runs: RunView[]): string {
  const W = CHART_WIDTH
  const dates = sortedUnion(runs.map((r) => r.result.waitlistLength.map((w) => w.date)))
  const byRun = runs.map((r) => new Map(r.result.waitlistLength.map((w) => [w.date, w.waiting])))
  let max = 0
  for (const m of byRun) for (const v of m.values()) if (isNum(v) && v > max) max = v
  const leg = legend(
    runLegend(runs, (r) => {
      const vals = [...byRun[runs.indexOf(r)].values()].filter(isNum)
      return vals.length ? `(max ${fmtInt(Math.max(...vals))})` : '(no data)'
    }),
    LEFT,
    18,
    W - LEFT - RIGHT,
  )
  const p: Plot = { x: LEFT, y: 18 + leg.height + 30, w: W - LEFT - RIGHT, h: 240 }
  const H = p.y + p.h + 46
  const ticks = niceTicks(max, 5, true)
  const y = scale(0, ticks[ticks.length - 1], p.y + p.h, p.y)
  const step = p.w / Math.max(1, dates.length)
  const xi = (i: number) => p.x + (i + 0.5) * step

  let body = ''
  const measuredFrom = runs[0]?.result.measuredFrom
  const firstMeasured = measuredFrom ? dates.findIndex((d) => d >= measuredFrom) : -1
  if (firstMeasured > 0) {
    const wx = p.x + firstMeasured * step
    body += el('rect', { x: p.x, y: p.y, width: wx - p.x, height: p.h, class: 'warmup' }, tip('Warm-up: not measured'))
    body += text(p.x + 6, p.y + 14, 'warm-up', { class: 'small-note' })
  }
  body += yAxis(p, ticks, y, (v) => fmtInt(v), 'citizens waiting at the end of the day')
  body += xAxis(
    p,
    dateTicks(dates, step, textWidth('30 Dec', 12)).map((i) => ({ x: xi(i), label: shortDate(dates[i]) })),
    'date',
  )
  if (dates.length === 0) body += emptyNote(p, 'No waitlist data')
  runs.forEach((r, ri) => {
    const pts = dates.map((d, i): [number, number] | null => {
      const v = byRun[ri].get(d)
      return v === undefined || !isNum(v) ? null : [xi(i), y(Math.max(0, v))]
    })
    body += seriesPath(r, pts)
    if (dates.length <= 31) body += markers(r, pts)
  })
  body += hoverColumns(p, dates.length, (i) =>
    [
      longDate(dates[i]) + (firstMeasured > 0 && i < firstMeasured ? ' (warm-up)' : ''),
      ...runs.map((r, ri) => {
        const v = byRun[ri].get(dates[i])
        return `${r.label}: ${v === undefined || !isNum(v) ? 'no data' : `${fmtInt(v)} waiting`}`
      }),
    ].join('\n'),
  )
  body += leg.svg
  return svgDoc({ id: 'chart-waitlist', width: W, height: H, label: 'Waitlist length per day and run' }, body)
}

// ---------------------------------------------------------------------------------------------
// 5. Districts: within-14-days share, grouped bars

export function districtChart(runs: RunView[], band: ReferenceBand | null): string {
  const W = CHART_WIDTH
  const seen: string[] = []
  const byRun = runs.map((r) => new Map(r.result.byDistrict.map((d) => [d.district, d])))
  for (const r of runs) for (const d of r.result.byDistrict) if (!seen.includes(d.district)) seen.push(d.district)
  // Worst first by the first run that has a figure for the district; ties and missing by name.
  const key = (d: string) => {
    for (let ri = 0; ri < runs.length; ri++) {
      const s = shareOf(byRun[ri].get(d))
      if (s !== null) return s
    }
    return Infinity
  }
  const districts = [...seen].sort((a, b) => key(a) - key(b) || (a < b ? -1 : a > b ? 1 : 0))

  const leg = legend([...runLegend(runs), ...refLegend(band)], LEFT, 18, W - LEFT - RIGHT)
  const catLabels = districts.map((d) => fitText(d, 13, 230))
  const labelW = Math.max(80, ...catLabels.map((d) => textWidth(d, 13))) + 12
  const barH = runs.length <= 3 ? 13 : runs.length <= 6 ? 9 : 6
  const groupH = Math.max(1, runs.length) * barH + 12
  const p: Plot = { x: labelW, y: 18 + leg.height + 34, w: W - labelW - 70, h: Math.max(40, districts.length * groupH) }
  const H = p.y + p.h + 50
  const x = scale(0, 1, p.x, p.x + p.w)

  let body = bandRect(p, x, band, true)
  let grid = ''
  for (const t of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    grid += el('line', { x1: x(t), y1: p.y, x2: x(t), y2: p.y + p.h, class: t === 0 ? 'axis' : 'grid' })
    grid += text(x(t), p.y + p.h + 16, pct0(t), { class: 'tick', 'text-anchor': 'middle' })
  }
  grid += text(p.x, p.y + p.h + 44, 'requests with an appointment within 14 days', { class: 'axis-title' })
  body += el('g', { class: 'x-axis' }, grid)
  body += goalLine(p, x, true)
  if (districts.length === 0) body += emptyNote(p, 'No districts')

  let bars = ''
  districts.forEach((d, di) => {
    const gy = p.y + di * groupH + 6
    bars += text(p.x - 8, gy + (runs.length * barH) / 2 + 4, catLabels[di], { class: 'cat-label', 'text-anchor': 'end' })
    runs.forEach((r, ri) => {
      const k = byRun[ri].get(d)
      const s = shareOf(k)
      const by = gy + ri * barH
      if (s === null) {
        bars += text(p.x + 4, by + barH - 3, `${r.label}: no requests`, { class: 'small-note' })
        return
      }
      const lead = k && isNum(k.leadDaysP50) ? `; median lead ${fmtFixed(k.leadDaysP50, 1)} days` : ''
      bars += el(
        'rect',
        { x: p.x, y: by, width: Math.max(0.5, x(s) - p.x), height: barH - 1, class: 'bar', fill: r.colour, 'data-run': String(r.index) },
        tip(`${d}, ${r.label}: ${fmtPct(s)} of ${fmtInt(k!.requests)} requests within 14 days${lead}`),
      )
      if (barH >= 9) bars += text(x(s) + 4, by + barH - 3, fmtPct(s), { class: 'bar-value' })
    })
  })
  body += el('g', { class: 'bars' }, bars)
  body += leg.svg
  return svgDoc({ id: 'chart-districts', width: W, height: H, label: 'Within-14-days share per district and run' }, body)
}
