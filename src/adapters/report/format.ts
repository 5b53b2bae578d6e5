/**
 * Text and number formatting for the HTML report. Everything here is pure and locale-free, so the
 * same input always gives the same bytes: no Intl, no toLocaleString (their output depends on the
 * ICU data Node was built with), no clock.
 */

/** Characters XML 1.0 forbids (C0 controls except tab/LF/CR, U+FFFE/FFFF, lone surrogates). */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Escapes text for HTML text and attribute values, and for inline SVG (the result is also valid
 * XML: only XML's predefined entities are used and XML-forbidden characters become U+FFFD).
 */
export function esc(value: unknown): string {
  const s = String(value ?? '')
  if (!NEEDS_ESCAPE.test(s)) return s
  return s.replace(XML_INVALID, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c])
}

const NEEDS_ESCAPE = /[&<>"'\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/

/** True for a finite number (not null, NaN or ±Infinity). */
export function isNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x)
}

/** Shown where a figure does not exist (no requests, no appointments, not a number). */
export const MISSING = '–'

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Fixed decimals with thousands separators ("12,345.6"); never "-0.0"; `MISSING` for non-numbers. */
export function fmtFixed(x: number | null | undefined, decimals: number): string {
  if (!isNum(x)) return MISSING
  if (Math.abs(x) >= 1e21) return x > 0 ? '>1e21' : '<-1e21'
  let s = x.toFixed(decimals)
  if (/^-0(\.0*)?$/.test(s)) s = s.slice(1)
  const neg = s.startsWith('-')
  if (neg) s = s.slice(1)
  const [i, f] = s.split('.')
  return (neg ? '-' : '') + group(i) + (f !== undefined ? '.' + f : '')
}

/** Whole number with thousands separators. */
export function fmtInt(x: number | null | undefined): string {
  return fmtFixed(isNum(x) ? Math.round(x) : x, 0)
}

/** A 0..1 share as a percentage with fixed decimals ("72.3%"). */
export function fmtPct(share: number | null | undefined, decimals = 1): string {
  return isNum(share) ? fmtFixed(share * 100, decimals) + '%' : MISSING
}

/** A difference of two shares in percentage points, signed ("+5.2 pp", "−0.4 pp", "±0.0 pp"). */
export function fmtPp(delta: number | null | undefined, decimals = 1): string {
  return signed(isNum(delta) ? delta * 100 : delta, decimals, ' pp')
}

/** A signed difference with a unit suffix ("+1.5 d"). */
export function signed(delta: number | null | undefined, decimals: number, unit = ''): string {
  if (!isNum(delta)) return MISSING
  const s = fmtFixed(Math.abs(delta), decimals)
  if (/^[0.,]+$/.test(s)) return '±' + s + unit
  return (delta > 0 ? '+' : '−') + s + unit
}

/** An SVG coordinate: at most one decimal, no trailing ".0", 0 for non-numbers. */
export function n(x: number): string {
  if (!isNum(x)) return '0'
  const s = (Math.round(x * 10) / 10).toFixed(1)
  const t = s.endsWith('.0') ? s.slice(0, -2) : s
  return t === '-0' ? '0' : t
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

interface Ymd {
  y: number
  m: number
  d: number
}

function parseDate(date: string): Ymd | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date)
  if (!m) return null
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3])
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null
  return { y, m: mo, d }
}

/** Day of the week of a 'YYYY-MM-DD' date (0 = Sunday), or null when it is not one. */
export function weekday(date: string): number | null {
  const p = parseDate(date)
  return p ? new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() : null
}

/** "7 Dec" for '2026-12-07' (the string itself when it is not a date). */
export function shortDate(date: string): string {
  const p = parseDate(date)
  return p ? `${p.d} ${MONTHS[p.m - 1]}` : date
}

/** "Mon 7 Dec" for '2026-12-07'. */
export function dayDate(date: string): string {
  const p = parseDate(date)
  const w = weekday(date)
  return p && w !== null ? `${WEEKDAYS[w]} ${p.d} ${MONTHS[p.m - 1]}` : date
}

/** "Mon 7 Dec 2026" for '2026-12-07'. */
export function longDate(date: string): string {
  const p = parseDate(date)
  const w = weekday(date)
  return p && w !== null ? `${WEEKDAYS[w]} ${p.d} ${MONTHS[p.m - 1]} ${p.y}` : date
}
