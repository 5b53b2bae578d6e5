/**
 * SVG building blocks for the report's charts: elements as strings, scales, "nice" ticks, axes,
 * legends and the colour palettes. Output is plain SVG 1.1 that is also well-formed XML (every
 * fragment carries its namespace, so it can be cut out of the page and opened on its own).
 */
import { esc, isNum, n } from './format.js'

/**
 * One colour per run: Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008),
 * reordered so the first runs get the colours with the most contrast on white (yellow last).
 */
export const RUN_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const

/** Run i's colour; after the eighth run colours repeat with a dash pattern to tell them apart. */
export function runColour(i: number): string {
  return RUN_COLOURS[i % RUN_COLOURS.length]
}

/** Run i's dash pattern ('' = solid): solid for the first eight runs. */
export function runDash(i: number): string {
  const cycle = Math.floor(i / RUN_COLOURS.length)
  return ['', '7 3', '2 3', '9 3 2 3'][cycle % 4]
}

/**
 * Nine steps of viridis (perceptually uniform, colour-blind-safe, readable in greyscale) for
 * utilisation, finer where offices actually are (70–100 %): the step of a value is the number of
 * `HEAT_THRESHOLDS` it reaches. The top step, ≥ 99 % (full), is the brightest.
 */
export const HEAT_COLOURS = ['#440154', '#472D7B', '#3B528B', '#2C728E', '#21918C', '#28AE80', '#5EC962', '#ADDC30', '#FDE725'] as const
export const HEAT_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99] as const

/** Fill of the reference band (a pale sand that stays visible under the runs' colours). */
export const BAND_COLOUR = '#F3EBD3'
/** Stroke of goal lines. */
export const GOAL_COLOUR = '#222222'

/** Grey for "no value" (an office not working that day). */
export const NO_VALUE_COLOUR = '#D9D9D9'

export type Attrs = Record<string, string | number | null | undefined | false>

/** ` a="1" b="x"`: skips null, undefined, false and ''; numbers go through `n` (one decimal). */
export function attrs(a: Attrs): string {
  let s = ''
  for (const [k, v] of Object.entries(a)) {
    if (v === null || v === undefined || v === false || v === '') continue
    s += ` ${k}="${typeof v === 'number' ? n(v) : esc(v)}"`
  }
  return s
}

/** An element; self-closing without children. `children` is trusted markup (escape text with `esc`). */
export function el(tag: string, a: Attrs, children?: string): string {
  return children === undefined || children === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${children}</${tag}>`
}

/** A `<title>` child: the browser shows it as a tooltip on hover, no script needed. */
export function tip(text: string): string {
  return `<title>${esc(text)}</title>`
}

/** Text element with escaped content. */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, esc(content))
}

/** The outer `<svg>`: fixed size in user units, scaled down by CSS on narrow screens and paper. */
export function svgDoc(o: { id: string; width: number; height: number; label: string; className?: string }, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({
      id: o.id,
      class: o.className ?? 'chart',
      width: o.width,
      height: o.height,
      viewBox: `0 0 ${n(o.width)} ${n(o.height)}`,
      role: 'img',
      'aria-label': o.label,
    })}>` + body + '</svg>'
  )
}

/** Linear map from [d0, d1] to [r0, r1]; a degenerate domain maps to the middle of the range. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (!isNum(d0) || !isNum(d1) || d0 === d1) return () => (r0 + r1) / 2
  const k = (r1 - r0) / (d1 - d0)
  return (v) => r0 + (v - d0) * k
}

/** A round step (1, 2, 2.5 or 5 × 10^k) that cuts [0, max] into about `count` intervals. */
export function niceStep(max: number, count: number): number {
  if (!isNum(max) || max <= 0) return 1
  const raw = max / Math.max(1, count)
  const mag = Math.pow(10, Math.floor(Math.log10(raw)))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag
  return 10 * mag
}

/** Ticks 0, step, …, ≥ max (the last tick is the axis end); integers only when `integer`. */
export function niceTicks(max: number, count: number, integer = false): number[] {
  let step = niceStep(max, count)
  if (integer) step = Math.max(1, Math.ceil(step))
  const top = isNum(max) && max > 0 ? Math.ceil(max / step - 1e-9) * step : step
  const ticks: number[] = []
  for (let i = 0; i * step <= top + step * 1e-9; i++) ticks.push(Math.round(i * step * 1e9) / 1e9)
  return ticks
}

/** A path through points; null points break the line (a gap, not a drop to zero). */
export function pathD(points: ([number, number] | null)[]): string {
  let d = ''
  let pen = false
  for (const p of points) {
    if (!p) {
      pen = false
      continue
    }
    d += `${pen ? 'L' : 'M'}${n(p[0])},${n(p[1])}`
    pen = true
  }
  return d
}

/**
 * Width of a label in user units, for layout only. Errs wide: the advance widths are DejaVu Sans's
 * (the widest of the usual sans-serif fonts, and what a bare Debian falls back to), so the label
 * fits whatever sans-serif the reader's browser picks.
 */
export function textWidth(s: string, fontSize: number): number {
  let w = 0
  for (const ch of s) {
    w += /[ijl.,:;'|!·]/.test(ch)
      ? 0.3
      : /[ftr()[\] -]/.test(ch)
        ? 0.42
        : /[mwMW%@]/.test(ch)
          ? 0.98
          : /[A-ZÄÖÜ]/.test(ch)
            ? 0.74
            : /[0-9csz]/.test(ch)
              ? 0.64
              : 0.63
  }
  return w * fontSize
}

/** The label, cut with an ellipsis until it is at most `maxWidth` wide. */
export function fitText(s: string, fontSize: number, maxWidth: number): string {
  if (textWidth(s, fontSize) <= maxWidth) return s
  const chars = Array.from(s)
  for (let k = chars.length - 1; k > 1; k--) {
    const t = chars.slice(0, k).join('').trimEnd() + '…'
    if (textWidth(t, fontSize) <= maxWidth) return t
  }
  return chars[0] + '…'
}

/** Indices of labels to show so that labels of width `labelWidth` at spacing `spacing` do not touch. */
export function thin(count: number, spacing: number, labelWidth: number): number {
  if (count <= 1 || spacing <= 0) return 1
  return Math.max(1, Math.ceil((labelWidth + 6) / spacing))
}

export interface LegendItem {
  label: string
  colour: string
  dash?: string
  /** 'line' (a short stroke, for line charts), 'box' (a filled square, for bars and bands) or 'goal' (a thin dashed line). */
  kind?: 'line' | 'box' | 'goal'
  note?: string
  /** Runs are 'legend-item' (the default); reference marks (goal, band) 'legend-ref'. */
  className?: string
}

/**
 * A legend laid out left to right from (x, y), wrapping at `maxWidth`. Each entry is a
 * `<g class="legend-item">` with a swatch and its label. Returns the markup and its height.
 */
export function legend(items: LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  const rowH = 18
  let cx = 0, row = 0
  let body = ''
  for (const it of items) {
    const label = it.note ? `${it.label} ${it.note}` : it.label
    const w = 22 + textWidth(label, 13) + 18
    if (cx > 0 && cx + w > maxWidth) {
      cx = 0
      row++
    }
    const ty = y + row * rowH
    // Swatches are rectangles on whole pixels, so their colour shows exactly (also in print).
    const swatch =
      it.kind === 'box'
        ? el('rect', { x: x + cx, y: ty - 6, width: 16, height: 12, fill: it.colour })
        : it.kind === 'goal'
          ? el('line', { x1: x + cx, y1: ty, x2: x + cx + 16, y2: ty, stroke: it.colour, 'stroke-width': 1.5, 'stroke-dasharray': '4 3' })
          : it.dash
          ? el('line', { x1: x + cx, y1: ty, x2: x + cx + 16, y2: ty, stroke: it.colour, 'stroke-width': 4, 'stroke-dasharray': it.dash })
          : el('rect', { x: x + cx, y: ty - 2, width: 16, height: 4, fill: it.colour })
    body += el('g', { class: it.className ?? 'legend-item' }, swatch + text(x + cx + 22, ty + 4, label, { class: 'legend-label' }) + tip(label))
    cx += w
  }
  return { svg: el('g', { class: 'legend' }, body), height: items.length ? (row + 1) * rowH : 0 }
}

export interface Plot {
  /** Left, top, width and height of the plotting area. */
  x: number
  y: number
  w: number
  h: number
}

/** Horizontal gridlines with labels on the left (y axis) and the axis title above them. */
export function yAxis(p: Plot, ticks: number[], y: (v: number) => number, label: (v: number) => string, title: string): string {
  let s = ''
  for (const t of ticks) {
    const ty = y(t)
    s += el('line', { x1: p.x, y1: ty, x2: p.x + p.w, y2: ty, class: t === 0 ? 'axis' : 'grid' })
    s += text(p.x - 6, ty + 4, label(t), { class: 'tick', 'text-anchor': 'end' })
  }
  if (title) s += text(p.x - 6, p.y - 12, title, { class: 'axis-title', 'text-anchor': 'start' })
  return el('g', { class: 'y-axis' }, s)
}

/** Tick marks and labels below the plot at the given x positions. */
export function xAxis(p: Plot, ticks: { x: number; label: string }[], title: string): string {
  let s = el('line', { x1: p.x, y1: p.y + p.h, x2: p.x + p.w, y2: p.y + p.h, class: 'axis' })
  for (const t of ticks) {
    s += el('line', { x1: t.x, y1: p.y + p.h, x2: t.x, y2: p.y + p.h + 4, class: 'axis' })
    s += text(t.x, p.y + p.h + 17, t.label, { class: 'tick', 'text-anchor': 'middle' })
  }
  if (title) s += text(p.x + p.w, p.y + p.h + 34, title, { class: 'axis-title', 'text-anchor': 'end' })
  return el('g', { class: 'x-axis' }, s)
}

/** A centred message in place of marks ("no data"), so a chart is never just empty axes. */
export function emptyNote(p: Plot, message: string): string {
  return text(p.x + p.w / 2, p.y + p.h / 2, message, { class: 'empty-note', 'text-anchor': 'middle' })
}
