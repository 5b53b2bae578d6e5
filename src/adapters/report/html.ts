/**
 * The planner's report: one self-contained HTML file for a comparison of simulation runs — a KPI
 * table and five charts as inline SVG. No scripts, fonts, images or external CSS, so it opens
 * offline, prints, and can be mailed as is; tooltips are SVG `<title>`s. The output depends on the
 * comparison and the options only (no clock, no locale), so the same input gives the same bytes.
 */
import { OUTCOMES, type Comparison, type Outcome, type SimulationResult } from '../../solver/sim/types.js'
import type { SeedComparison, SeedKpi, Spread } from '../../solver/sim/seeds.js'
import type { PairedDifference } from '../../solver/sim/paired.js'
import { districtChart, heatmapChart, leadChart, shareOf, waitlistChart, weeklyChart, type ReferenceBand, type RunView } from './charts.js'
import { esc, fmtFixed, fmtInt, fmtPct, fmtPp, isNum, longDate, MISSING, signed } from './format.js'
import { HEAT_COLOURS, NO_VALUE_COLOUR, runColour, runDash } from './svg.js'

export interface ReportOptions {
  /** Page title and heading; default "What-if report: <scenario>". */
  title?: string
  /** Shown as given in the header and footer (pass a timestamp for a dated report; nothing is read from the clock). */
  generatedAt?: string
  /** Assumptions and caveats, one paragraph each, listed in the footer. */
  notes?: string[]
  /**
   * Shaded context band on the within-14-days charts; default the city's reported 56–81 %.
   * `null` leaves it out.
   */
  referenceBand?: { from: number; to: number; label?: string } | null
}

/** The within-14-days range Berlin's service offices reported; drawn for context by default. */
export const DEFAULT_REFERENCE_BAND = { from: 0.56, to: 0.81, label: "city's reported range" } as const

const OUTCOME_LABELS: Record<Outcome, string> = {
  booked: 'booked directly',
  waitlist_booked: 'booked from the waitlist',
  unserved: 'unserved',
  cancelled: 'cancelled',
  no_show: 'no-show',
}

interface KpiRow {
  label: string
  help: string
  value: (r: SimulationResult) => string
  /** Difference to the first run, shown under the value of every later run (`paired`: the same with its interval from the paired requests, where the runs saw the same ones). */
  delta?: (r: SimulationResult, base: SimulationResult, paired?: PairedDifference) => string
}

const num = (x: unknown): number | null => (isNum(x) ? x : null)
const diff = (a: unknown, b: unknown): number | null => (isNum(a) && isNum(b) ? a - b : null)
const days = (x: unknown) => (isNum(x) ? `${fmtFixed(x, 1)} d` : MISSING)
const minutes = (x: unknown) => (isNum(x) ? `${fmtFixed(x, 0)} min` : MISSING)
const within = (r: SimulationResult) => shareOf(r.kpis)

function outcomeRow(o: Outcome): KpiRow {
  return {
    label: OUTCOME_LABELS[o],
    help: `Measured requests that ended as “${OUTCOME_LABELS[o]}”, and their share of all measured requests.`,
    value: (r) => {
      const c = num(r.kpis.outcomes?.[o])
      const total = num(r.kpis.requests)
      if (c === null) return MISSING
      return `${fmtInt(c)}${total ? ` <span class="share">(${fmtPct(c / total)})</span>` : ''}`
    },
  }
}

const KPI_GROUPS: { title: string; rows: KpiRow[] }[] = [
  {
    title: 'Access',
    rows: [
      {
        label: 'Requests measured',
        help: 'Requests that arrived after the warm-up and at least 14 days before the end of the run.',
        value: (r) => fmtInt(r.kpis.requests),
      },
      {
        label: 'Within 14 days',
        help: 'Share of measured requests whose appointment starts within 14 × 24 hours of the request; cancelled ones count as not served.',
        value: (r) => `<strong>${fmtPct(within(r))}</strong>`,
        delta: (r, b, p) => (p ? `${signed(p.mean * 100, 1)} ± ${fmtFixed(1.96 * p.se * 100, 1)} pp${p.real ? '' : ' (noise)'}` : fmtPp(diff(within(r), within(b)))),
      },
      {
        label: 'Lead time, median',
        help: 'Days from request to appointment start, over measured requests that got an appointment (50th percentile).',
        value: (r) => days(r.kpis.leadDaysP50),
        delta: (r, b) => signed(diff(r.kpis.leadDaysP50, b.kpis.leadDaysP50), 1, ' d'),
      },
      {
        label: 'Lead time, 90th percentile',
        help: 'Nine in ten appointments start within this many days of the request.',
        value: (r) => days(r.kpis.leadDaysP90),
        delta: (r, b) => signed(diff(r.kpis.leadDaysP90, b.kpis.leadDaysP90), 1, ' d'),
      },
      {
        label: 'Lead time, mean',
        help: 'Average days from request to appointment start.',
        value: (r) => days(r.kpis.leadDaysMean),
        delta: (r, b) => signed(diff(r.kpis.leadDaysMean, b.kpis.leadDaysMean), 1, ' d'),
      },
    ],
  },
  {
    title: 'Capacity',
    rows: [
      {
        label: 'Utilisation',
        help: 'Booked staff time (no-shows included) over working staff time, on the measured days.',
        value: (r) => fmtPct(r.kpis.utilisation),
        delta: (r, b) => fmtPp(diff(r.kpis.utilisation, b.kpis.utilisation)),
      },
      {
        label: 'Served utilisation',
        help: 'Staff time citizens actually used (no-shows excluded) over working staff time.',
        value: (r) => fmtPct(r.kpis.servedUtilisation),
        delta: (r, b) => fmtPp(diff(r.kpis.servedUtilisation, b.kpis.servedUtilisation)),
      },
      {
        label: 'Slots freed by cancellations',
        help: 'Appointments cancelled on the measured days, which freed their slots.',
        value: (r) => fmtInt(r.kpis.freedSlots),
      },
      {
        label: 'Freed time booked again',
        help: 'Share of the staff time freed by cancellations that was booked again.',
        value: (r) => (num(r.kpis.freedSlots) ? fmtPct(r.kpis.refilledShare) : MISSING),
        delta: (r, b) => (num(r.kpis.freedSlots) && num(b.kpis.freedSlots) ? fmtPp(diff(r.kpis.refilledShare, b.kpis.refilledShare)) : MISSING),
      },
      {
        label: 'No-shows',
        help: 'Appointments missed without cancelling.',
        value: (r) => fmtInt(r.kpis.noShows),
      },
      {
        label: 'Staff hours lost to no-shows',
        help: 'Staff time booked by appointments nobody came to.',
        value: (r) => `${fmtFixed(r.kpis.noShowHours, 1)}${isNum(r.kpis.noShowHours) ? ' h' : ''}`,
      },
    ],
  },
  {
    title: 'Day of service',
    rows: [
      {
        label: 'Wait in the office, median',
        help: 'Minutes from arrival (or the appointment time, if later) to the call, for citizens with an appointment; the call rule of callNext, simulated.',
        value: (r) => minutes(r.dayOfService?.appointmentWaitP50),
        delta: (r, b) => signed(diff(r.dayOfService?.appointmentWaitP50 ?? null, b.dayOfService?.appointmentWaitP50 ?? null), 0, ' min'),
      },
      {
        label: 'Wait in the office, 90th percentile',
        help: 'Nine in ten citizens with an appointment are called within this many minutes.',
        value: (r) => minutes(r.dayOfService?.appointmentWaitP90),
        delta: (r, b) => signed(diff(r.dayOfService?.appointmentWaitP90 ?? null, b.dayOfService?.appointmentWaitP90 ?? null), 0, ' min'),
      },
      {
        label: 'Citizens served in the office',
        help: 'Citizens with an appointment and walk-ins served on the measured days.',
        value: (r) => (r.dayOfService ? fmtInt(r.dayOfService.citizensServed) : MISSING),
        delta: (r, b) => signed(diff(r.dayOfService?.citizensServed ?? null, b.dayOfService?.citizensServed ?? null), 0, ''),
      },
      {
        label: 'Walk-ins served',
        help: 'Citizens without appointment served in the gaps (walk-ins never delay an appointment past the policy limit); the rest gave up or were still waiting at closing.',
        value: (r) => (r.dayOfService?.walkIns ? `${fmtInt(r.dayOfService.walkInsServed)} of ${fmtInt(r.dayOfService.walkIns)}` : MISSING),
      },
      {
        label: 'Walk-in wait, 90th percentile',
        help: 'Minutes from arrival to the call for walk-ins who were served.',
        value: (r) => minutes(r.dayOfService?.walkInWaitP90),
      },
      {
        label: 'No-show hours recovered',
        help: 'Of the staff hours booked by no-shows, those in which the staff member served someone else (walk-ins, early or delayed citizens).',
        value: (r) => (r.dayOfService?.noShowHours ? `${fmtInt(r.dayOfService.noShowHoursRecovered)} of ${fmtInt(r.dayOfService.noShowHours)} h` : MISSING),
      },
    ],
  },
  {
    title: 'Waitlist',
    rows: [
      {
        label: 'Waiting, mean',
        help: 'Citizens on the waitlist at the end of the day, averaged over the measured days (0 for first come, first served).',
        value: (r) => fmtFixed(r.kpis.waitlistMean, 1),
        delta: (r, b) => signed(diff(r.kpis.waitlistMean, b.kpis.waitlistMean), 1),
      },
      {
        label: 'Waiting, maximum',
        help: 'Most citizens on the waitlist at the end of a measured day.',
        value: (r) => fmtInt(r.kpis.waitlistMax),
      },
      {
        label: 'Offers made',
        help: 'Freed or released slots offered to waiting citizens.',
        value: (r) => fmtInt(r.kpis.offers),
      },
      {
        label: 'Offers accepted',
        help: 'Share of offers the citizen accepted.',
        value: (r) => (num(r.kpis.offers) ? fmtPct(r.kpis.offerAcceptShare) : MISSING),
      },
    ],
  },
  { title: 'Outcomes of measured requests', rows: OUTCOMES.map(outcomeRow) },
  {
    title: 'Districts',
    rows: [
      {
        label: 'Worst district',
        help: 'District with the lowest within-14-days share.',
        value: (r) => (r.districtSpread?.worst ? `${esc(r.districtSpread.worst)} <span class="share">(${fmtPct(r.districtSpread.min)})</span>` : MISSING),
      },
      {
        label: 'Best district',
        help: 'District with the highest within-14-days share.',
        value: (r) => (r.districtSpread?.best ? `${esc(r.districtSpread.best)} <span class="share">(${fmtPct(r.districtSpread.max)})</span>` : MISSING),
      },
      {
        label: 'Spread, best − worst',
        help: 'Difference between the best and the worst district’s within-14-days share, in percentage points.',
        value: (r) => (r.districtSpread?.worst && isNum(r.districtSpread.range) ? fmtPp(r.districtSpread.range).replace(/^[+±]/, '') : MISSING),
        delta: (r, b) => (r.districtSpread?.worst && b.districtSpread?.worst ? fmtPp(diff(r.districtSpread.range, b.districtSpread.range)) : MISSING),
      },
    ],
  },
]

function kpiTable(runs: RunView[], paired: PairedDifference[] = []): string {
  const head =
    '<tr><th scope="col">Run</th>' +
    runs.map((r) => `<th scope="col">${swatch(r)}${esc(r.label)}</th>`).join('') +
    '</tr>'
  let body = ''
  for (const g of KPI_GROUPS) {
    body += `<tr class="group"><th scope="rowgroup" colspan="${runs.length + 1}">${esc(g.title)}</th></tr>`
    for (const row of g.rows) {
      body += `<tr><th scope="row" title="${esc(row.help)}">${esc(row.label)}</th>`
      for (const r of runs) {
        let cell = row.value(r.result)
        if (row.delta && r.index > 0) {
          const d = row.delta(r.result, runs[0].result, paired.find((x) => x.label === r.label))
          if (d !== MISSING) cell += `<span class="delta">${esc(d)}</span>`
        }
        body += `<td>${cell}</td>`
      }
      body += '</tr>'
    }
  }
  const caption =
    runs.length > 1
      ? `Headline figures per run. Small grey figures: difference to the first run (${esc(runs[0].label)}); pp = percentage points, d = days${paired.length ? '; under “Within 14 days” with its 95 % interval from the requests both runs saw (one seed: chance events that hit many requests at once, such as sick calls, are not in it; for those, several seeds)' : ''}. Hover over a row name for its definition.`
      : 'Headline figures. Hover over a row name for its definition.'
  return `<div class="table-wrap"><table class="kpi"><caption>${caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`
}

function swatch(r: RunView): string {
  return `<span class="swatch" style="background:${r.colour}" aria-hidden="true"></span>`
}

/** One value when all runs agree, else every run's value. */
function common(runs: RunView[], f: (r: SimulationResult) => string): string {
  const values = runs.map((r) => f(r.result))
  if (values.every((v) => v === values[0])) return esc(values[0])
  return runs.map((r, i) => `${esc(values[i])} <span class="muted">(${esc(r.label)})</span>`).join('; ')
}

function runsTable(runs: RunView[]): string {
  const rows = runs
    .map(
      (r) =>
        `<tr><th scope="row">${swatch(r)}${esc(r.label)}</th><td>${esc(r.result.policy)}</td><td>${
          r.result.overlays?.length ? r.result.overlays.map(esc).join(' + ') : '<span class="muted">none</span>'
        }</td><td>${esc(String(r.result.seed))}</td><td>${fmtInt(r.result.totalRequests)}</td></tr>`,
    )
    .join('')
  return (
    '<div class="table-wrap"><table class="runs"><thead><tr><th scope="col">Run</th><th scope="col">Policy</th><th scope="col">Overlays</th>' +
    '<th scope="col">Seed</th><th scope="col" title="Over the whole run, warm-up and the last 14 days included">Requests generated</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div>`
  )
}

function header(runs: RunView[], title: string, generatedAt: string | undefined): string {
  const meta: [string, string][] = runs.length
    ? [
        ['Scenario', common(runs, (r) => r.scenario)],
        ['Simulated', common(runs, (r) => `${longDate(r.from)} – ${longDate(r.to)} (${fmtInt(r.days)} days)`)],
        ['Warm-up', common(runs, (r) => `${fmtInt(r.warmupDays)} days; measured from ${longDate(r.measuredFrom)}`)],
        ['Seed', common(runs, (r) => String(r.seed))],
        ['Overlays', common(runs, (r) => (r.overlays?.length ? r.overlays.join(' + ') : 'none'))],
      ]
    : []
  if (generatedAt) meta.push(['Generated', esc(generatedAt)])
  const dl = meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')
  return `<header><h1>${esc(title)}</h1>${dl ? `<dl class="meta">${dl}</dl>` : ''}</header>`
}

const SEED_ROWS: { kpi: SeedKpi; label: string; pp: boolean }[] = [
  { kpi: 'within14Share', label: 'within 14 days', pp: true },
  { kpi: 'servedShare', label: 'served at all', pp: true },
  { kpi: 'leadDaysP50', label: 'lead time p50 (days)', pp: false },
  { kpi: 'leadDaysMean', label: 'lead time mean (days)', pp: false },
  { kpi: 'refilledShare', label: 'freed time re-filled', pp: true },
  { kpi: 'districtSpread', label: 'district spread (14 days)', pp: true },
  { kpi: 'walkInsServedShare', label: 'walk-ins served', pp: true },
  { kpi: 'noShowRecoveredShare', label: 'no-show time recovered', pp: true },
]

/** Mean ± sd per run over the seeds, and each run's difference to the first, marked when within the noise. */
function seedTable(c: SeedComparison): string {
  const fmt = (x: Spread, pp: boolean) => (pp ? `${fmtFixed(x.mean * 100, 1)} % ± ${fmtFixed(x.sd * 100, 1)}` : `${fmtFixed(x.mean, 1)} ± ${fmtFixed(x.sd, 1)}`)
  const head = `<tr><th>seeds ${esc(c.seeds.join(', '))}</th>${c.labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>`
  const rows = SEED_ROWS.map((row) => {
    const cells = c.labels.map((l, j) => {
      const v = fmt(c.kpis[l][row.kpi], row.pp)
      const d = j === 0 ? null : c.differences.find((x) => x.label === l && x.kpi === row.kpi)
      const dv = d ? `<br><span class="share">${d.spread.mean >= 0 ? '+' : '−'}${fmtFixed(Math.abs(d.spread.mean) * (row.pp ? 100 : 1), 1)}${row.pp ? ' pp' : ''} ± ${fmtFixed(d.spread.sd * (row.pp ? 100 : 1), 1)}${d.real ? '' : ' (within noise)'}</span>` : ''
      return `<td>${v}${dv}</td>`
    })
    return `<tr><th>${esc(row.label)}</th>${cells.join('')}</tr>`
  })
  return `<table class="kpis"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table><p class="muted">Mean ± standard deviation over the seeds; under each later run its difference to ${esc(c.labels[0])}, seed by seed. A difference is “within noise” unless every seed agrees on its sign and its mean exceeds twice its standard error.</p>`
}

interface Section {
  id: string
  title: string
  how: string
  figures: string[]
}

function section(s: Section): string {
  return (
    `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>` +
    `<p class="how"><strong>How to read this.</strong> ${s.how}</p>` +
    s.figures.map((f) => `<figure>${f}</figure>`).join('') +
    '</section>'
  )
}

function bandText(band: ReferenceBand | null): string {
  return band ? ` The shaded band is the ${esc(band.label)}.` : ''
}

const CSS = `
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;color:#1b1b1b;background:#fff;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",Arial,sans-serif}
header,main,footer,nav{max-width:1000px;margin:0 auto;padding:0 20px}
h1{font-size:26px;margin:28px 0 8px;line-height:1.2}
h2{font-size:19px;margin:36px 0 8px;padding-bottom:4px;border-bottom:1px solid #d4d4d4}
h3{font-size:15px;margin:20px 0 4px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0 0}
.meta dt{color:#555}.meta dd{margin:0}
nav{margin-top:12px;font-size:13px}nav a{margin-right:14px;color:#0b5394}
.muted,.share{color:#5f5f5f}
.share{font-size:12px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;margin:8px 0}
caption{caption-side:bottom;text-align:left;color:#5f5f5f;font-size:12px;padding-top:6px}
th,td{padding:4px 10px;border-bottom:1px solid #e6e6e6;text-align:right;vertical-align:top}
thead th{border-bottom:2px solid #bbb;white-space:nowrap}
th[scope=row]{text-align:left;font-weight:normal;white-space:nowrap}
.table-wrap{overflow-x:auto}
th[title]{cursor:help}
thead th:first-child{text-align:left}
table.runs td,table.runs th{text-align:left}
tr.group th{text-align:left;background:#f3f3f3;font-weight:600;padding-top:6px}
.delta{display:block;color:#666;font-size:11.5px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.how{color:#333;max-width:75ch}
figure{margin:10px 0 0}
figure+figure{margin-top:24px}
svg.chart{display:block;max-width:100%;height:auto;overflow:visible}
svg text{font-family:inherit;font-size:12px;fill:#333}
svg .tick{fill:#4a4a4a}
svg .axis{stroke:#8a8a8a;stroke-width:1}
svg .grid{stroke:#e4e4e4;stroke-width:1}
svg .axis-title{fill:#4a4a4a;font-size:12px}
svg .goal{stroke-width:1.25;stroke-dasharray:6 4}
svg .goal-label{fill:#222}
svg .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .warmup{fill:#f1f1f1}
svg .hover:hover{fill-opacity:.07}
svg .marker{stroke:#fff;stroke-width:1}
svg .legend-label{font-size:13px;fill:#1b1b1b}
svg .chart-title{font-size:15px;font-weight:600;fill:#1b1b1b}
svg .cat-label{font-size:13px;fill:#1b1b1b}
svg .bar-value{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .small-note{fill:#666}
svg .empty-note{font-size:14px;fill:#666;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg .hm-label{font-size:11px;fill:#1b1b1b}
svg .hm-row:hover .hm-label{font-weight:700}
svg .heat{shape-rendering:crispEdges}
svg .hn{fill:${NO_VALUE_COLOUR}}
${HEAT_COLOURS.map((c, i) => `svg .h${i}{fill:${c}}`).join('\n')}
footer{margin-top:40px;padding-bottom:40px;color:#333;font-size:13px}
footer ul{padding-left:20px}
.notice{padding:12px 16px;background:#fff4e5;border:1px solid #f0c987;border-radius:4px}
@media print{
body{font-size:10pt}
nav{display:none}
header,main,footer{max-width:none;padding:0}
h2{break-after:avoid}
figure,table.runs,.how{break-inside:avoid}
.table-wrap{overflow:visible}
table.kpi{font-size:9pt}
tr{break-inside:avoid}
}
@page{size:A4;margin:12mm}
`

/**
 * Renders a comparison of simulation runs as one self-contained HTML page (a string; write it to
 * a `.html` file). Deterministic: no clock, no locale, no randomness.
 */
export function renderReport(comparison: Comparison, options: ReportOptions = {}): string {
  const all = comparison?.runs ?? []
  const runs: RunView[] = all.map((r, index) => ({
    index,
    label: r.label || r.result.policy || `run ${index + 1}`,
    colour: runColour(index),
    dash: runDash(index),
    layer: all.length <= 4 ? all.length - 1 - index : 0,
    result: r.result,
  }))
  const b = options.referenceBand === undefined ? DEFAULT_REFERENCE_BAND : options.referenceBand
  const band: ReferenceBand | null = b
    ? { from: b.from, to: b.to, label: `${b.label ?? 'reference range'} (${fmtPct(b.from, 0)}–${fmtPct(b.to, 0)})` }
    : null
  const scenario = runs[0]?.result.scenario
  const title = options.title ?? (scenario ? `What-if report: ${scenario}` : 'What-if report')

  const sections: Section[] = [
    {
      id: 'within14',
      title: 'Within 14 days, week by week',
      how:
        'Each line is one run: of the requests that arrived in a week, the share that got an appointment starting within 14 days (cancelled requests count as not served). ' +
        'The dashed line at the top is the goal, everyone within 14 days.' +
        bandText(band) +
        ' Weeks start on the first measured day; a week without measured requests leaves a gap. Earlier runs are drawn wider, so where runs agree their lines show as nested stripes. Hover over a week for every run’s share and number of requests.',
      figures: [weeklyChart(runs, band)],
    },
    {
      id: 'lead',
      title: 'Lead time: how long citizens wait for their appointment',
      how:
        'Each curve rises from 0 to 100% of the appointments made: at x days it gives the share of appointments that start less than x days after the request. ' +
        'The higher and further left a curve, the sooner citizens are seen. Where it crosses the dashed 14-day line (the dot, and the figure in the legend) is the share within 14 days <em>among those who got an appointment</em>; the within-14-days share in the table also counts the unserved. ' +
        'The histogram’s longest bin holds all longer waits; it is not drawn, its share is given in the legend as “N+ days”.',
      figures: [leadChart(runs)],
    },
    {
      id: 'utilisation',
      title: 'Utilisation per office and day',
      how:
        'One row per office (in the scenario’s order), one column per measured day, one map per run. The colour is the share of the office’s working staff time that was booked, no-shows included: ' +
        'from dark purple (idle) through green to yellow (fully booked). Grey: the office did not work that day (weekends, holidays, closures). ' +
        'Offices that stay yellow in every run are the bottlenecks, where more staff or help from a neighbouring office would shorten waits. Hover over a cell for its date and value, over an office’s row for its average.',
      figures: runs.map(heatmapChart),
    },
    {
      id: 'waitlist',
      title: 'Waitlist length',
      how:
        'Citizens on the waitlist at the end of each simulated day; the shaded start is the warm-up, which the figures above leave out. ' +
        'First come, first served keeps no waitlist, so its line lies flat at zero. A line that keeps rising means citizens join the waitlist faster than slots free up for them.',
      figures: [waitlistChart(runs)],
    },
    {
      id: 'districts',
      title: 'Districts',
      how:
        'One group of bars per district, sorted worst first by the first run; each bar is one run’s share of requests with an appointment within 14 days. ' +
        'The dashed line is the goal.' +
        bandText(band) +
        ' Where the bars of a district differ a lot between runs, the policy or overlay matters most there. Hover over a bar for the number of requests and the median lead time.',
      figures: [districtChart(runs, band)],
    },
  ]

  const nav = runs.length
    ? `<nav aria-label="Contents"><a href="#kpis">Key figures</a>${sections.map((s) => `<a href="#${s.id}">${esc(s.title.split(':')[0])}</a>`).join('')}<a href="#assumptions">Assumptions</a></nav>`
    : ''
  const main = runs.length
    ? `<section id="runs"><h2>Runs</h2>${runsTable(runs)}</section>` +
      `<section id="kpis"><h2>Key figures</h2>${kpiTable(runs, comparison.paired)}</section>` +
      (comparison.seeds ? `<section id="seeds"><h2>Over ${comparison.seeds.seeds.length} seeds</h2>${seedTable(comparison.seeds)}</section>` : '') +
      sections.map(section).join('')
    : '<p class="notice">This comparison has no runs: there is nothing to report.</p>'

  const notes = options.notes?.filter((s) => typeof s === 'string' && s.trim()) ?? []
  const footer =
    '<footer id="assumptions"><h2>Assumptions</h2>' +
    (notes.length ? `<ul>${notes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : '<p class="muted">No assumptions were given for this report.</p>') +
    `<p class="muted">Made by terminplan${options.generatedAt ? ` on ${esc(options.generatedAt)}` : ''}. All figures come from the simulation runs listed above; they are model results, not measurements.</p>` +
    '</footer>'

  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<meta name="generator" content="terminplan">\n<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    header(runs, title, options.generatedAt) +
    '\n' +
    nav +
    '\n<main>\n' +
    main +
    '\n</main>\n' +
    footer +
    '\n</body>\n</html>\n'
  )
}
