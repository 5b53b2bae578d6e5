/**
 * Builds the built-in Berlin example, `examples/berlin/scenario.json`, from the real ZMS data in
 * ../shared/data (see examples/berlin/README.md for every assumption and number).
 *
 *   npx tsx scripts/build-berlin.ts [sharedDataDir]
 *
 * Deterministic: all randomness comes from `createRng` with fixed seeds; no clock is read. The
 * result is validated with `loadScenario` and compiled with `compile` before it is written; any
 * problem aborts the script with a non-zero exit code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile, createRng, isTerminplanError, loadScenario, tz, weightedIndex, type Model, type Rng, type ScenarioInput } from '../src/model/index.js'

// ───────────────────────────── fixed parameters (all documented in the README) ─────────────────────────────

const SEED = 20261201
const HORIZON = { start: '2026-12-01', days: 120 }
const TIMEZONE = 'Europe/Berlin'
const TOTAL_STAFF = 550
const TARGET_CAPACITY_PER_WORKING_DAY = 8000 // ≈ 2.0 million a year / 250 working days
const TARGET_DEMAND_PER_WORKING_DAY = 9600 // ≈ 2.4 million a year / 250 working days
const WORKING_DAYS_PER_YEAR = 250
const SHARE_ANMELDUNG = 0.25 // taz, 2025: "rund ein Viertel aller Bürgeramtstermine"
const SHARE_ABMELDUNG = 0.02 // assumption, see README
const TRAINEE_SHARE = 0.15
const PART_TIME_SHARE = 0.15 // 3 days a week; the share of 4-day weeks is calibrated, the rest work 5 days
/** Weekday profile of request arrivals (mean 1), Mon…Fri. An assumption: the data has no arrival statistics. */
const WEEKDAY_PROFILE = [1.2, 1.0, 0.95, 0.95, 0.9]
/** The capacity sample window of daylist.csv that every provider covers: 8 full weeks. */
const CAPACITY_WINDOW = { from: '2016-04-01', to: '2016-05-26', weeks: 8 }

/** Berlin public holidays in the horizon (Feiertagsgesetz Berlin). */
const HOLIDAYS: Array<[string, string]> = [
  ['2026-12-25', '1. Weihnachtstag'],
  ['2026-12-26', '2. Weihnachtstag'],
  ['2027-01-01', 'Neujahr'],
  ['2027-03-08', 'Internationaler Frauentag (Berlin)'],
  ['2027-03-26', 'Karfreitag'],
  ['2027-03-29', 'Ostermontag'],
]
/** Days the Berlin administration customarily closes although they are not public holidays. */
const CITY_CLOSURES: Array<[string, string]> = [
  ['2026-12-24', 'Heiligabend: Bürgerämter closed'],
  ['2026-12-31', 'Silvester: Bürgerämter closed'],
]

/**
 * Population of the 12 Bezirke, Einwohnerregisterstatistik 31.12.2023, Amt für Statistik
 * Berlin-Brandenburg (total 3,876,938).
 */
/** Which Bezirke share a border (public map of Berlin); "home district and neighbours" uses it. */
const NEIGHBOURS: Record<string, string[]> = {
  'Mitte': [
    'Pankow',
    'Reinickendorf',
    'Charlottenburg-Wilmersdorf',
    'Tempelhof-Schöneberg',
    'Friedrichshain-Kreuzberg'
  ],
  'Friedrichshain-Kreuzberg': [
    'Mitte',
    'Pankow',
    'Lichtenberg',
    'Treptow-Köpenick',
    'Neukölln',
    'Tempelhof-Schöneberg'
  ],
  'Pankow': [
    'Reinickendorf',
    'Mitte',
    'Friedrichshain-Kreuzberg',
    'Lichtenberg'
  ],
  'Charlottenburg-Wilmersdorf': [
    'Spandau',
    'Reinickendorf',
    'Mitte',
    'Tempelhof-Schöneberg',
    'Steglitz-Zehlendorf'
  ],
  'Spandau': [
    'Reinickendorf',
    'Charlottenburg-Wilmersdorf',
    'Steglitz-Zehlendorf'
  ],
  'Steglitz-Zehlendorf': [
    'Spandau',
    'Charlottenburg-Wilmersdorf',
    'Tempelhof-Schöneberg'
  ],
  'Tempelhof-Schöneberg': [
    'Steglitz-Zehlendorf',
    'Charlottenburg-Wilmersdorf',
    'Mitte',
    'Friedrichshain-Kreuzberg',
    'Neukölln'
  ],
  'Neukölln': [
    'Tempelhof-Schöneberg',
    'Friedrichshain-Kreuzberg',
    'Treptow-Köpenick'
  ],
  'Treptow-Köpenick': [
    'Neukölln',
    'Friedrichshain-Kreuzberg',
    'Lichtenberg',
    'Marzahn-Hellersdorf'
  ],
  'Marzahn-Hellersdorf': [
    'Lichtenberg',
    'Treptow-Köpenick'
  ],
  'Lichtenberg': [
    'Pankow',
    'Friedrichshain-Kreuzberg',
    'Treptow-Köpenick',
    'Marzahn-Hellersdorf'
  ],
  'Reinickendorf': [
    'Spandau',
    'Charlottenburg-Wilmersdorf',
    'Mitte',
    'Pankow'
  ]
}

const POPULATION: Record<string, number> = {
  Mitte: 397_134,
  'Friedrichshain-Kreuzberg': 293_454,
  Pankow: 424_307,
  'Charlottenburg-Wilmersdorf': 343_081,
  Spandau: 257_091,
  'Steglitz-Zehlendorf': 310_446,
  'Tempelhof-Schöneberg': 354_706,
  Neukölln: 330_017,
  'Treptow-Köpenick': 294_081,
  'Marzahn-Hellersdorf': 291_948,
  Lichtenberg: 311_881,
  Reinickendorf: 268_792,
}

/**
 * The Bürgerämter taken from zms-berlin-2018/locations_de.json, with their Bezirk. The 2018 export
 * has no district field; the Bezirk follows from postcode and street (checked against the data
 * below, so a changed export fails loudly instead of silently mapping wrong).
 */
const OFFICES: Array<{ id: string; district: string; postcode: string }> = [
  { id: '122280', district: 'Mitte', postcode: '10178' }, // Karl-Marx-Allee
  { id: '122282', district: 'Mitte', postcode: '10551' }, // Mathilde-Jacob-Platz, Moabit
  { id: '122284', district: 'Mitte', postcode: '13359' }, // Osloer Str., Gesundbrunnen
  { id: '122231', district: 'Friedrichshain-Kreuzberg', postcode: '10965' }, // Yorckstraße
  { id: '122238', district: 'Friedrichshain-Kreuzberg', postcode: '10997' }, // Schlesische Straße
  { id: '122243', district: 'Friedrichshain-Kreuzberg', postcode: '10247' }, // Frankfurter Allee
  { id: '122294', district: 'Pankow', postcode: '13088' }, // Berliner Allee, Weißensee
  { id: '122297', district: 'Pankow', postcode: '10405' }, // Fröbelstr., Prenzlauer Berg
  { id: '122301', district: 'Pankow', postcode: '13187' }, // Breite Str., Pankow
  { id: '150230', district: 'Pankow', postcode: '13125' }, // Franz-Schmidt-Str., Karow/Buch
  { id: '122210', district: 'Charlottenburg-Wilmersdorf', postcode: '13627' }, // Halemweg, Charlottenburg-Nord
  { id: '122217', district: 'Charlottenburg-Wilmersdorf', postcode: '14052' }, // Heerstr., Westend
  { id: '122219', district: 'Charlottenburg-Wilmersdorf', postcode: '10713' }, // Hohenzollerndamm
  { id: '122227', district: 'Charlottenburg-Wilmersdorf', postcode: '10627' }, // Wilmersdorfer Straße
  { id: '122279', district: 'Spandau', postcode: '13587' }, // Hugo-Cassirer-Str., Wasserstadt
  { id: '122281', district: 'Spandau', postcode: '13597' }, // Carl-Schurz-Str., Rathaus Spandau
  { id: '122283', district: 'Spandau', postcode: '14089' }, // Parnemannweg, Kladow
  { id: '324414', district: 'Spandau', postcode: '13589' }, // Westerwaldstr., Falkenhagener Feld
  { id: '122267', district: 'Steglitz-Zehlendorf', postcode: '14163' }, // Kirchstr., Zehlendorf
  { id: '122274', district: 'Steglitz-Zehlendorf', postcode: '12163' }, // Schloßstraße, Steglitz
  { id: '122276', district: 'Steglitz-Zehlendorf', postcode: '12249' }, // Gallwitzallee, Lankwitz
  { id: '122246', district: 'Tempelhof-Schöneberg', postcode: '12307' }, // Briesingstr., Lichtenrade
  { id: '122251', district: 'Tempelhof-Schöneberg', postcode: '10825' }, // John-F.-Kennedy-Platz
  { id: '122257', district: 'Tempelhof-Schöneberg', postcode: '12099' }, // Tempelhofer Damm
  { id: '122285', district: 'Neukölln', postcode: '12043' }, // Donaustr.
  { id: '122286', district: 'Neukölln', postcode: '12045' }, // Sonnenallee
  { id: '122291', district: 'Neukölln', postcode: '12359' }, // Blaschkoallee, Britz
  { id: '122296', district: 'Neukölln', postcode: '12353' }, // Zwickauer Damm, Gropiusstadt
  { id: '122208', district: 'Treptow-Köpenick', postcode: '12555' }, // Alt-Köpenick
  { id: '122226', district: 'Treptow-Köpenick', postcode: '12439' }, // Michael-Brückner-Str., Schöneweide
  { id: '122271', district: 'Marzahn-Hellersdorf', postcode: '12683' }, // Elsterwerdaer Platz, Biesdorf
  { id: '122273', district: 'Marzahn-Hellersdorf', postcode: '12627' }, // Alice-Salomon-Platz, Hellersdorf
  { id: '122277', district: 'Marzahn-Hellersdorf', postcode: '12679' }, // Marzahner Promenade
  { id: '122252', district: 'Lichtenberg', postcode: '13059' }, // Egon-Erwin-Kisch-Str., Neu-Hohenschönhausen
  { id: '122254', district: 'Lichtenberg', postcode: '13055' }, // Große-Leege-Str., Alt-Hohenschönhausen
  { id: '122260', district: 'Lichtenberg', postcode: '10367' }, // Normannenstr.
  { id: '122262', district: 'Lichtenberg', postcode: '10319' }, // Otto-Schmirgal-Str., Friedrichsfelde
  { id: '122304', district: 'Reinickendorf', postcode: '13437' }, // Eichborndamm, Rathaus Reinickendorf
  { id: '122309', district: 'Reinickendorf', postcode: '13507' }, // Berliner Str., Tegel
  { id: '122311', district: 'Reinickendorf', postcode: '13407' }, // Teichstr., Reinickendorf-Ost
  { id: '122312', district: 'Reinickendorf', postcode: '13503' }, // Ruppiner Chaussee, Heiligensee
  { id: '122314', district: 'Reinickendorf', postcode: '13435' }, // Wilhelmsruher Damm, Märkisches Viertel
  { id: '317869', district: 'Reinickendorf', postcode: '13467' }, // Mobiles Bürgeramt Hermsdorf, Kurhausstraße
  { id: '324433', district: 'Reinickendorf', postcode: '13435' }, // Mobiles Bürgeramt MV, Senftenberger Ring
  { id: '324434', district: 'Reinickendorf', postcode: '13405' }, // Mobiles Bürgeramt Reinickendorf Ost, Stargardtstr.
  { id: '325341', district: 'Reinickendorf', postcode: '13405' }, // Mobiles Bürgeramt Reinickendorf, Auguste-Viktoria-Allee
]

/**
 * Services: every named service in the real request statistics of Bürgeramt Heerstraße
 * (requestscope_141_042016.json, 2016-04-01), except the Kinderreisepass (abolished on
 * 2024-01-01; its requests count as Reisepass), plus Anmeldung and Abmeldung.
 * `sample` = requests on that day; `maxQuantity` from the comparable Munich 2026 service.
 */
interface ServiceSpec {
  id: string
  sample: number
  maxQuantity: number
  munich: string
}
const SERVICES: ServiceSpec[] = [
  { id: '120703', sample: 14, maxQuantity: 2, munich: '1063441 Personalausweis' },
  { id: '121151', sample: 23 + 7, maxQuantity: 2, munich: '1063453 Reisepass' },
  { id: '120686', sample: 0, maxQuantity: 3, munich: '1063475 Wohnsitzanmeldung' },
  { id: '120335', sample: 0, maxQuantity: 1, munich: '1063486 Wohnsitz abmelden' },
  { id: '120702', sample: 6, maxQuantity: 5, munich: '1063576 Meldebescheinigung' },
  { id: '120926', sample: 4, maxQuantity: 5, munich: '1063565 Führungszeugnis' },
  { id: '121591', sample: 5, maxQuantity: 2, munich: '1071854 Internationaler Führerschein' },
  { id: '121721', sample: 3, maxQuantity: 1, munich: '1072043 Bewohnerparkausweis' },
  { id: '120658', sample: 2, maxQuantity: 2, munich: '1064121 Änderung der Adresse in Fahrzeugpapieren' },
  { id: '120682', sample: 1, maxQuantity: 2, munich: '(none; as 1063441 Personalausweis)' },
  { id: '121153', sample: 1, maxQuantity: 2, munich: '1080582 Vorläufiger Reisepass' },
  { id: '121874', sample: 1, maxQuantity: 4, munich: '1080716 Übertrag des Aufenthaltstitels in den neuen Pass' },
  { id: '121598', sample: 1, maxQuantity: 1, munich: '1071944 Umschreibung EU/EWR-Führerschein' },
  { id: '121616', sample: 1, maxQuantity: 1, munich: '(none; driving licences are personal: 1)' },
  { id: '121627', sample: 1, maxQuantity: 1, munich: '(none; driving licences are personal: 1)' },
  { id: '121629', sample: 1, maxQuantity: 1, munich: '(none; driving licences are personal: 1)' },
]
/** Passport and ID-card services that trainees do not handle yet. */
const ID_DOCUMENT_SERVICES = new Set(['120703', '121151', '120682', '121153'])

// ───────────────────────────── input ─────────────────────────────

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..')
const dataDir = resolve(process.argv[2] ?? join(repoRoot, '..', 'shared', 'data'))
const outDir = join(repoRoot, 'examples', 'berlin')

function fail(message: string): never {
  console.error(`build-berlin: ${message}`)
  process.exit(1)
}

function readJson(rel: string): any {
  const p = join(dataDir, rel)
  if (!existsSync(p)) fail(`missing input ${p} (pass the shared data directory as the first argument)`)
  return JSON.parse(readFileSync(p, 'utf8'))
}

interface RawLocation {
  id: string
  name: string
  address: { postal_code: string; street: string }
  geo: { lat: number; lon: number }
  services: Array<{ service: string; appointment: { slots: string; allowed: boolean } }>
}

const locations = new Map<string, RawLocation>((readJson('zms-berlin-2018/locations_de.json').data as RawLocation[]).map((l) => [l.id, l]))
const serviceNames = new Map<string, string>(
  (readJson('zms-berlin-2018/services_de.json').data as Array<{ id: string; name: string }>).map((s) => [s.id, s.name]),
)
const availability = Object.values(readJson('zms-scope141/availabilityList_141.json').data) as any[]
const munichServices = new Map<string, { name: string; maxQuantity: number }>(
  (readJson('zms-munich-2026/services_de.json').data as any[]).map((s) => [String(s.id), { name: s.name, maxQuantity: s.maxQuantity }]),
)
const daylistPath = join(dataDir, 'zms-berlin-2016-capacity/daylist.csv')
if (!existsSync(daylistPath)) fail(`missing input ${daylistPath}`)
const daylist = readFileSync(daylistPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [provider, date, status, pub, intern] = line.split(',')
    return { provider, date, status, pub: Number(pub), intern: Number(intern) }
  })

// Sanity checks of the inputs against what this script assumes.
for (const o of OFFICES) {
  const l = locations.get(o.id)
  if (!l) fail(`location ${o.id} not in locations_de.json`)
  if (l.address.postal_code.trim() !== o.postcode) fail(`location ${o.id} has postcode ${l.address.postal_code}, expected ${o.postcode}`)
  if (!/Bürgeramt/.test(l.name)) fail(`location ${o.id} (${l.name}) is not a Bürgeramt`)
}
for (const s of SERVICES) {
  if (!serviceNames.has(s.id)) fail(`service ${s.id} not in services_de.json`)
  const m = /^(\d+) /.exec(s.munich)
  if (m && munichServices.get(m[1])?.maxQuantity !== s.maxQuantity)
    fail(`Munich service ${m[1]} has maxQuantity ${munichServices.get(m[1])?.maxQuantity}, expected ${s.maxQuantity}`)
}
for (const d of Object.keys(POPULATION)) if (!OFFICES.some((o) => o.district === d)) fail(`no office in district ${d}`)
const coordinatesAnonymised = OFFICES.every((o) => {
  const g = locations.get(o.id)!.geo
  return Number(g.lat) === 53.45 && Number(g.lon) === 13.45
})
if (!coordinatesAnonymised) fail('coordinates are no longer all 53.45/13.45: decide whether to ship them')

// ───────────────────────────── opening hours: Bürgeramt Heerstraße (scope 141) ─────────────────────────────

const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
const hm = (s: string) => s.slice(0, 5)
const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))
const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

/** The availability rules valid in the data's latest period (…–2020-12-30) of the given type. */
function currentRules(type: string) {
  const rules = availability.filter((a) => a.type === type)
  const latestEnd = Math.max(...rules.map((a) => Number(a.endDate)))
  return rules.filter((a) => Number(a.endDate) === latestEnd)
}
/** Per ISO weekday 1…5: the bookable appointment window [from, to) in minutes, and the desks. */
const WINDOWS = new Map<number, { from: number; to: number; desks: number; doorsFrom: string; doorsTo: string }>()
{
  const appointment = currentRules('appointment')
  const doors = currentRules('openinghours')
  for (let wd = 1; wd <= 5; wd++) {
    const day = WEEKDAY_NAMES[wd - 1]
    const a = appointment.filter((r) => r.weekday[day] !== '0')
    const o = doors.filter((r) => r.weekday[day] !== '0')
    if (a.length !== 1 || o.length !== 1) fail(`availabilityList_141: expected one rule for ${day}`)
    WINDOWS.set(wd, {
      from: toMin(a[0].startTime),
      to: toMin(a[0].endTime),
      desks: Number(a[0].workstationCount.intern),
      doorsFrom: hm(o[0].startTime),
      doorsTo: hm(o[0].endTime),
    })
  }
  if (availability.some((a) => Number(a.slotTimeInMinutes) !== 10)) fail('availabilityList_141: slot time is not 10 minutes')
}
const bookable = currentRules('appointment')[0].bookable
const BOOKING_WINDOW = { minDays: Number(bookable.startInDays), maxDays: Number(bookable.endInDays) }

// ───────────────────────────── services and durations ─────────────────────────────

/** An office "differentiates" when most of its bookable services have slots and those slots differ. */
function differentiates(l: RawLocation): boolean {
  const allowed = l.services.filter((s) => s.appointment.allowed)
  const nonzero = allowed.map((s) => Number(s.appointment.slots)).filter((n) => n > 0)
  return nonzero.length * 2 >= allowed.length && new Set(nonzero).size >= 2
}

function mode(values: number[]): number {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0]
}

const selectedIds = new Set(SERVICES.map((s) => s.id))
/** office → service → minutes (null = default duration), only for offered services. */
const offered = new Map<string, Map<string, number | null>>()
for (const o of OFFICES) {
  const l = locations.get(o.id)!
  const diff = differentiates(l)
  const m = new Map<string, number | null>()
  for (const s of l.services) {
    if (!selectedIds.has(s.service) || !s.appointment.allowed) continue
    const slots = Number(s.appointment.slots)
    if (diff) {
      if (slots > 0) m.set(s.service, slots * 10)
    } else m.set(s.service, null)
  }
  if (m.size === 0) fail(`office ${o.id} offers none of the selected services`)
  offered.set(o.id, m)
}
const defaultDuration = new Map<string, number>()
for (const s of SERVICES) {
  const specific = OFFICES.map((o) => offered.get(o.id)!.get(s.id)).filter((v): v is number => typeof v === 'number')
  if (specific.length > 0) defaultDuration.set(s.id, mode(specific))
  else {
    // Not offered at any differentiating office: the most common non-zero slot value anywhere.
    const any = OFFICES.flatMap((o) => locations.get(o.id)!.services.filter((x) => x.service === s.id && Number(x.appointment.slots) > 0))
    if (any.length === 0) fail(`no duration for service ${s.id}`)
    defaultDuration.set(s.id, mode(any.map((x) => Number(x.appointment.slots) * 10)))
  }
}
const durationAt = (officeId: string, serviceId: string) => offered.get(officeId)!.get(serviceId) ?? defaultDuration.get(serviceId)!

// Service mix (shares of all requests).
const sampleTotal = SERVICES.reduce((a, s) => a + s.sample, 0)
const mix = new Map<string, number>()
for (const s of SERVICES) {
  if (s.id === '120686') mix.set(s.id, SHARE_ANMELDUNG)
  else if (s.id === '120335') mix.set(s.id, SHARE_ABMELDUNG)
  else mix.set(s.id, ((1 - SHARE_ANMELDUNG - SHARE_ABMELDUNG) * s.sample) / sampleTotal)
}

// ───────────────────────────── office sizes from the 2016 capacity ─────────────────────────────

const inWindow = (date: string) => date >= CAPACITY_WINDOW.from && date <= CAPACITY_WINDOW.to
/** provider → ISO weekday → dates with bookable capacity. */
const capacityDates = new Map<string, Map<number, string[]>>()
/** provider → bookable slots per week (capacity_intern, i.e. all channels), Mon–Fri, in the window. */
const weeklyCapacity = new Map<string, number>()
for (const r of daylist) {
  if (r.provider === 'all' || !inWindow(r.date)) continue
  const wd = tz.isoWeekday(r.date)
  if (wd > 5 || Math.max(r.pub, r.intern) <= 0) continue
  let byWd = capacityDates.get(r.provider)
  if (!byWd) capacityDates.set(r.provider, (byWd = new Map()))
  byWd.set(wd, [...(byWd.get(wd) ?? []), r.date])
  weeklyCapacity.set(r.provider, (weeklyCapacity.get(r.provider) ?? 0) + r.intern / CAPACITY_WINDOW.weeks)
}

/**
 * Part-time sites: in the 2016 data they have capacity on fewer than five weekdays. Each open
 * weekday recurs every `period` days (7, 14 or 28) from the first date seen.
 */
interface SiteDay {
  weekday: number
  period: number
  anchor: string
}
const siteDays = new Map<string, SiteDay[]>()
for (const o of OFFICES) {
  const byWd = capacityDates.get(o.id)
  if (!byWd || byWd.size === 5) continue
  const days: SiteDay[] = []
  for (const [weekday, dates] of [...byWd].sort((a, b) => a[0] - b[0])) {
    const sorted = [...dates].sort()
    const epoch = sorted.map((d) => tz.epochDay(tz.parseLocalDate(d)!))
    let period = 28
    for (let i = 1; i < epoch.length; i++) period = Math.min(period, epoch[i] - epoch[i - 1])
    if (![7, 14, 28].includes(period)) fail(`office ${o.id}: unexpected recurrence ${period} days`)
    days.push({ weekday, period, anchor: sorted[0] })
  }
  siteDays.set(o.id, days)
}
const isPartTime = (id: string) => siteDays.has(id)
const mainOffices = OFFICES.filter((o) => !isPartTime(o.id))

/** Relative size of a main office within its district; offices without 2016 data get the district mean. */
const weight = new Map<string, number>()
for (const d of Object.keys(POPULATION)) {
  const main = mainOffices.filter((o) => o.district === d)
  const known = main.filter((o) => weeklyCapacity.has(o.id))
  const mean = known.length ? known.reduce((a, o) => a + weeklyCapacity.get(o.id)!, 0) / known.length : 1
  for (const o of main) weight.set(o.id, weeklyCapacity.get(o.id) ?? mean)
}

/** Parent office of a part-time site: the district's main office with the largest 2016 capacity (ties: lowest id). */
const parentOf = new Map<string, string>()
for (const o of OFFICES) {
  if (!isPartTime(o.id)) continue
  const candidates = mainOffices.filter((m) => m.district === o.district).sort((a, b) => weight.get(b.id)! - weight.get(a.id)! || a.id.localeCompare(b.id))
  parentOf.set(o.id, candidates[0].id)
}

/** Largest-remainder rounding of `total` in proportion to `weights`. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (total * w) / sum)
  const out = exact.map((x) => Math.floor(x))
  let left = total - out.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let k = 0; left > 0; k++, left--) out[order[k % order.length][1]]++
  return out
}

const districts = Object.keys(POPULATION)
const districtStaff = new Map(districts.map((d, i) => [d, apportion(TOTAL_STAFF, districts.map((x) => POPULATION[x]))[i]]))
const staffCount = new Map<string, number>()
for (const d of districts) {
  const main = mainOffices.filter((o) => o.district === d)
  const n = apportion(districtStaff.get(d)!, main.map((o) => weight.get(o.id)!))
  main.forEach((o, i) => {
    if (n[i] < 2) fail(`office ${o.id} would get only ${n[i]} staff`)
    staffCount.set(o.id, n[i])
  })
}

// ───────────────────────────── calendar ─────────────────────────────

const horizonDates = Array.from({ length: HORIZON.days }, (_, i) => tz.addDays(HORIZON.start, i))
const holidaySet = new Set(HOLIDAYS.map((h) => h[0]))
const closureSet = new Set(CITY_CLOSURES.map((c) => c[0]))
const workingDays = horizonDates.filter((d) => tz.isoWeekday(d) <= 5 && !holidaySet.has(d) && !closureSet.has(d))
const onSite = (sd: SiteDay, date: string) =>
  tz.isoWeekday(date) === sd.weekday && (((tz.epochDay(tz.parseLocalDate(date)!) - tz.epochDay(tz.parseLocalDate(sd.anchor)!)) % sd.period) + sd.period) % sd.period === 0

// ───────────────────────────── staff and shifts ─────────────────────────────

interface ShiftOut {
  weekdays?: number[]
  date?: string
  from: string
  to: string
  breaks?: Array<{ from: string; to: string }>
  office?: string
}
interface StaffOut {
  id: string
  office: string
  skills: string[]
  shifts: ShiftOut[]
  absences: Array<{ from: string; to: string; reason: string }>
}

/** Derived rng streams, so that a change in one kind of draw does not shift the others. */
const stream = (name: string): Rng => {
  let h = SEED
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
  return createRng(h)
}
function shuffle<T>(rng: Rng, xs: T[]): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

const BREAK = 30
/** A full window longer than 6 h gets a 30-minute break near its middle, staggered by `k` (ArbZG § 4). */
function fullShift(wd: number, k: number): { from: number; to: number; breaks: Array<[number, number]> } {
  const w = WINDOWS.get(wd)!
  const len = w.to - w.from
  if (len <= 360) return { from: w.from, to: w.to, breaks: [] }
  const start = w.from + Math.round((len - BREAK) / 20) * 10 + 30 * ((k % 3) - 1)
  return { from: w.from, to: w.to, breaks: [[start, start + BREAK]] }
}
interface Built {
  scenario: ScenarioInput
  fourDayShare: number
}

/**
 * The roster for a given share of 4-day contracts. Every person covers the whole bookable window on
 * the days they work (with a break where it is longer than 6 h), so the desks an office needs are
 * the most people it has on one weekday; days off are spread so that this peak stays low.
 */
function build(fourDayShare: number): Built {
  const desks = new Map<string, number>()
  for (const o of OFFICES) if (isPartTime(o.id)) desks.set(o.id, 1)

  const rngKinds = stream('contracts')
  const rngTrainee = stream('trainees')
  const rngAbsence = stream('absences')
  const staff: StaffOut[] = []

  for (const o of mainOffices) {
    const n = staffCount.get(o.id)!
    const ids = Array.from({ length: n }, (_, i) => `${o.id}-${String(i + 1).padStart(2, '0')}`)
    // Part-time sites of this office: one staff member each (several duties per person if weekdays differ).
    const duties = [...parentOf].filter(([, p]) => p === o.id).flatMap(([site]) => siteDays.get(site)!.map((sd) => ({ site, sd })))
    const dutyOf = new Map<number, Array<{ site: string; sd: SiteDay }>>()
    for (const duty of duties) {
      let k = 0
      for (; ; k++) {
        if (k >= n) fail(`office ${o.id}: not enough staff for its part-time sites`)
        const mine = dutyOf.get(k) ?? []
        const clash = mine.some((x) => x.sd.weekday === duty.sd.weekday && horizonDates.some((d) => onSite(x.sd, d) && onSite(duty.sd, d)))
        const otherWeekdays = new Set(mine.filter((x) => x.sd.weekday !== duty.sd.weekday).map((x) => x.sd.weekday))
        if (!clash && otherWeekdays.size < 2) break
      }
      dutyOf.set(k, [...(dutyOf.get(k) ?? []), duty])
    }

    // Contracts: 3, 4 or 5 days a week (staff with site duties work 5 days).
    const order = shuffle(rngKinds, ids.map((_, i) => i).filter((i) => !dutyOf.has(i)))
    const nPart = Math.round(PART_TIME_SHARE * n), nFour = Math.round(fourDayShare * n)
    const daysPerWeek = ids.map(() => 5)
    order.forEach((i, r) => (daysPerWeek[i] = r < nPart ? 3 : r < nPart + nFour ? 4 : 5))
    const trainees = new Set(shuffle(rngTrainee, ids.map((_, i) => i).filter((i) => !dutyOf.has(i))).slice(0, Math.round(TRAINEE_SHARE * n)))

    // Weekdays at the home office: each person takes the least-staffed weekdays so far.
    const homeDays: number[][] = ids.map(() => [])
    const load = [0, 0, 0, 0, 0, 0]
    const byContract = ids.map((_, i) => i).sort((a, b) => daysPerWeek[b] - daysPerWeek[a] || a - b)
    for (const i of byContract) {
      const dutyWeekdays = new Set((dutyOf.get(i) ?? []).map((x) => x.sd.weekday))
      const want = daysPerWeek[i] - dutyWeekdays.size
      const chosen = [1, 2, 3, 4, 5]
        .filter((wd) => !dutyWeekdays.has(wd))
        .sort((a, b) => load[a] - load[b] || ((i + a) % 5) - ((i + b) % 5))
        .slice(0, want)
        .sort((a, b) => a - b)
      for (const wd of chosen) load[wd]++
      homeDays[i] = chosen
    }
    desks.set(o.id, Math.max(...load))

    ids.forEach((id, i) => {
      const shifts: ShiftOut[] = []
      // One weekly rule per distinct shift (windows differ by weekday; breaks are staggered by person).
      const groups = new Map<string, { weekdays: number[]; s: ReturnType<typeof fullShift> }>()
      for (const wd of homeDays[i]) {
        const s = fullShift(wd, i)
        const key = JSON.stringify(s)
        const g = groups.get(key)
        if (g) g.weekdays.push(wd)
        else groups.set(key, { weekdays: [wd], s })
      }
      for (const { weekdays, s } of groups.values()) shifts.push(shiftOut(s, { weekdays }))
      for (const { site, sd } of dutyOf.get(i) ?? []) {
        const s = fullShift(sd.weekday, i)
        if (sd.period === 7) shifts.push(shiftOut(s, { weekdays: [sd.weekday] }, site))
        else for (const date of horizonDates.filter((d) => onSite(sd, d))) shifts.push(shiftOut(s, { date }, site))
      }
      const workWeekdays = new Set([...homeDays[i], ...(dutyOf.get(i) ?? []).map((x) => x.sd.weekday)])
      const sites = new Set([o.id, ...(dutyOf.get(i) ?? []).map((x) => x.site)])
      const skills = SERVICES.map((s) => s.id).filter(
        (sid) => [...sites].some((site) => offered.get(site)!.has(sid)) && !(trainees.has(i) && ID_DOCUMENT_SERVICES.has(sid)),
      )
      staff.push({ id, office: o.id, skills, shifts, absences: drawAbsences(rngAbsence, workWeekdays) })
    })
  }

  const offices = OFFICES.map((o) => {
    const l = locations.get(o.id)!
    const days = siteDays.get(o.id)
    const weekdays = days ? days.map((d) => d.weekday) : [1, 2, 3, 4, 5]
    const closures = CITY_CLOSURES.map(([d, reason]) => ({ from: d, to: d, reason }))
    for (const sd of days ?? [])
      if (sd.period !== 7)
        for (const d of horizonDates)
          if (tz.isoWeekday(d) === sd.weekday && !onSite(sd, d) && !holidaySet.has(d)) closures.push({ from: d, to: d, reason: 'mobile service elsewhere this week' })
    closures.sort((a, b) => a.from.localeCompare(b.from))
    return {
      id: o.id,
      name: l.name.trim().replace(/\s+/g, ' '),
      district: o.district,
      openingHours: weekdays.map((wd) => ({ weekdays: [wd], from: fmt(WINDOWS.get(wd)!.from), to: fmt(WINDOWS.get(wd)!.to) })),
      closures,
      holidays: HOLIDAYS.map((h) => h[0]),
      bookingWindow: BOOKING_WINDOW,
      services: SERVICES.map((s) => s.id).filter((sid) => offered.get(o.id)!.has(sid)),
      desks: desks.get(o.id)!,
    }
  })

  const services = SERVICES.map((s) => {
    const dflt = defaultDuration.get(s.id)!
    const officeDurations: Record<string, number> = {}
    for (const o of OFFICES) {
      const v = offered.get(o.id)!.get(s.id)
      if (typeof v === 'number' && v !== dflt) officeDurations[o.id] = v
    }
    return {
      id: s.id,
      name: serviceNames.get(s.id)!,
      durationMinutes: dflt,
      ...(Object.keys(officeDurations).length ? { officeDurations } : {}),
      maxQuantity: s.maxQuantity,
    }
  })

  const populationTotal = Object.values(POPULATION).reduce((a, b) => a + b, 0)
  const demand: NonNullable<ScenarioInput['demand']> = []
  for (const s of SERVICES)
    for (let wd = 1; wd <= 5; wd++)
      for (const d of districts) {
        const count = (TARGET_DEMAND_PER_WORKING_DAY * WEEKDAY_PROFILE[wd - 1] * mix.get(s.id)! * POPULATION[d]) / populationTotal
        demand.push({ service: s.id, weekday: wd, district: d, count: Math.round(count * 100) / 100 })
      }

  const scenario: ScenarioInput = {
    name: 'Berlin Bürgerämter, winter 2026/27',
    meta: {
      description:
        "Berlin's Bürgerämter built from the open-source ZMS/eappointment data (locations and services of 2018, capacity of 2016, opening hours of Bürgeramt Heerstraße) and public figures; calibrated to about 2.0 million appointments a year against a demand of about 2.4 million. See examples/berlin/README.md.",
      source: 'ZMS/eappointment test data: https://github.com/it-at-m/eappointment (Berlin ZMS, Munich fork), via the data folder shared with the project (not shipped)',
      licence: 'EUPL-1.2 (see LICENSE-EUPL-1.2.txt next to this file)',
      attribution: 'Contains data from the ZMS/eappointment project (it-at-m/eappointment), licensed under the EUPL-1.2.',
      generator: 'scripts/build-berlin.ts',
      seed: SEED,
    },
    timezone: TIMEZONE,
    horizon: HORIZON,
    services,
    offices,
    districts: Object.entries(NEIGHBOURS).map(([id, neighbours]) => ({ id, neighbours })),
    staff,
    demand,
    appointments: [],
    waitlist: [],
    policy: { holdMinutes: 10, cancelFreezeMinutes: 30 },
  }
  return { scenario, fourDayShare }
}

function shiftOut(s: { from: number; to: number; breaks: Array<[number, number]> }, when: { weekdays?: number[]; date?: string }, office?: string): ShiftOut {
  return {
    ...when,
    from: fmt(s.from),
    to: fmt(s.to),
    ...(s.breaks.length ? { breaks: s.breaks.map(([f, t]) => ({ from: fmt(f), to: fmt(t) })) } : {}),
    ...(office ? { office } : {}),
  }
}

/** Vacation weeks (more likely around Christmas) and a few short sick spells, on days the person works. */
function drawAbsences(rng: Rng, workWeekdays: Set<number>): StaffOut['absences'] {
  const out: StaffOut['absences'] = []
  const mondays = horizonDates.filter((d) => tz.isoWeekday(d) === 1 && tz.addDays(d, 4) <= horizonDates[horizonDates.length - 1])
  const weights = mondays.map((m) => (m >= '2026-12-14' && m <= '2026-12-28' ? 3 : 1))
  const u = rng.next()
  const weeks = u < 0.25 ? 0 : u < 0.7 ? 1 : 2
  const taken = new Set<string>()
  for (let k = 0; k < weeks; k++) {
    taken.add(mondays[weightedIndex(rng, weights.map((x, i) => (taken.has(mondays[i]) ? 0 : x)))])
  }
  for (const m of [...taken].sort()) out.push({ from: m, to: tz.addDays(m, 4), reason: 'vacation' })
  // Sick spells: 0–3 (mean 1.3), 1–3 working days each, starting on a day the person works.
  const v = rng.next()
  const spells = v < 0.25 ? 0 : v < 0.65 ? 1 : v < 0.9 ? 2 : 3
  const workDates = workingDays.filter((d) => workWeekdays.has(tz.isoWeekday(d)))
  for (let k = 0; k < spells && workDates.length > 0; k++) {
    const start = workDates[rng.int(workDates.length)]
    const len = 1 + rng.int(3)
    let end = start
    for (let j = 1; j < len; j++) {
      let next = tz.addDays(end, 1)
      while (tz.isoWeekday(next) > 5) next = tz.addDays(next, 1)
      end = next
    }
    if (out.some((a) => a.from <= end && start <= a.to)) continue
    out.push({ from: start, to: end, reason: 'sick' })
  }
  return out.sort((a, b) => a.from.localeCompare(b.from))
}

// ───────────────────────────── measuring ─────────────────────────────

interface Summary {
  offices: number
  staff: number
  services: number
  desks: number
  workingDays: number
  staffedHoursPerWorkingDay: number
  averageDurationMinutes: number
  capacityPerWorkingDay: number
  demandPerWorkingDay: number
}

/** Average appointment length in minutes at an office: the demand mix over the services it offers. */
function averageMinutes(durations: Array<[string, number]>): number {
  let w = 0, d = 0
  for (const [sid, minutes] of durations) {
    const share = mix.get(sid)!
    w += share
    d += share * minutes
  }
  return d / w
}

function summarise(s: ScenarioInput, minutesByOffice: Map<string, number>, avgByOffice: Map<string, number>): Summary {
  let capacity = 0, minutes = 0, weighted = 0
  for (const [id, m] of minutesByOffice) {
    const avg = avgByOffice.get(id)!
    capacity += m / avg
    minutes += m
    weighted += m * avg
  }
  const n = workingDays.length
  return {
    offices: s.offices.length,
    staff: s.staff!.length,
    services: s.services.length,
    desks: s.offices.reduce((a, o) => a + o.desks, 0),
    workingDays: n,
    staffedHoursPerWorkingDay: minutes / 60 / n,
    averageDurationMinutes: weighted / minutes,
    capacityPerWorkingDay: capacity / n,
    demandPerWorkingDay: s.demand!.reduce((a, x) => a + x.count, 0) / 5,
  }
}

/**
 * The same numbers straight from the roster, without compiling (compile takes seconds at this
 * size): shift ∩ opening hours − breaks − absences − holidays/closures, in wall-clock minutes
 * (no window is near a DST switch). Also checks the desks: on no date and at no time are more
 * people on shift at an office than it has desks (absences ignored).
 */
function estimate(s: ScenarioInput): { minutesByOffice: Map<string, number>; summary: Summary } {
  const offices = new Map(s.offices.map((o) => [o.id, o]))
  const minutesByOffice = new Map(s.offices.map((o) => [o.id, 0]))
  const onDuty = new Map<string, Int32Array>() // office|date → people per 10-minute slot
  const openOn = (o: (typeof s.offices)[number], date: string) => {
    if (o.holidays?.includes(date) || o.closures?.some((c) => c.from <= date && date <= c.to)) return null
    const h = o.openingHours.find((x) => x.weekdays.includes(tz.isoWeekday(date)))
    return h ? { from: toMin(h.from), to: toMin(h.to) } : null
  }
  for (const p of s.staff!) {
    for (const date of horizonDates) {
      const wd = tz.isoWeekday(date)
      const absent = p.absences?.some((a) => a.from <= date && date <= a.to) ?? false
      for (const sh of p.shifts) {
        if (sh.date !== undefined ? sh.date !== date : !sh.weekdays!.includes(wd)) continue
        const office = sh.office ?? p.office
        const open = openOn(offices.get(office)!, date)
        if (!open) continue
        const from = Math.max(toMin(sh.from), open.from), to = Math.min(toMin(sh.to), open.to)
        if (from >= to) continue
        const breaks = (sh.breaks ?? []).map((b) => [Math.max(from, toMin(b.from)), Math.min(to, toMin(b.to))] as const).filter(([f, t]) => f < t)
        const key = `${office}|${date}`
        let slots = onDuty.get(key)
        if (!slots) onDuty.set(key, (slots = new Int32Array(144)))
        for (let m = from; m < to; m += 10) if (!breaks.some(([f, t]) => f <= m && m < t)) slots[m / 10]++
        if (!absent) minutesByOffice.set(office, minutesByOffice.get(office)! + to - from - breaks.reduce((a, [f, t]) => a + t - f, 0))
      }
    }
  }
  for (const [key, slots] of onDuty) {
    const id = key.split('|')[0]
    const peak = slots.reduce((a, b) => Math.max(a, b), 0)
    if (peak > offices.get(id)!.desks) fail(`office ${id}: ${peak} people on shift at once on ${key.split('|')[1]}, but ${offices.get(id)!.desks} desks`)
  }
  const avg = new Map(s.offices.map((o) => [o.id, averageMinutes(o.services.map((sid) => [sid, durationAt(o.id, sid)]))]))
  return { minutesByOffice, summary: summarise(s, minutesByOffice, avg) }
}

/** The summary from a compiled model: work units per office ÷ the office's average appointment in units. */
function measure(m: Model): { minutesByOffice: Map<string, number>; summary: Summary } {
  const nS = m.serviceIds.length
  const minutesByOffice = new Map(m.officeIds.map((id) => [id, 0]))
  for (const seg of m.segments) minutesByOffice.set(m.officeIds[seg.office], minutesByOffice.get(m.officeIds[seg.office])! + (seg.end - seg.start) * m.unitMinutes)
  const avg = new Map(
    m.officeIds.map((id, oi) => {
      const d: Array<[string, number]> = []
      for (let si = 0; si < nS; si++) if (m.durationUnits[oi * nS + si] > 0) d.push([m.serviceIds[si], m.durationUnits[oi * nS + si] * m.unitMinutes])
      return [id, averageMinutes(d)]
    }),
  )
  return { minutesByOffice, summary: summarise(m.scenario, minutesByOffice, avg) }
}

/** Validates the text exactly as written (loadScenario) and compiles it; any problem is fatal. */
function loadAndCompile(text: string): Model {
  try {
    return compile(loadScenario(JSON.parse(text)))
  } catch (e) {
    if (isTerminplanError(e)) {
      console.error(e.message)
      for (const i of e.issues.slice(0, 20)) console.error(`  ${i.path} ${i.code}: ${i.message}`)
    }
    throw e
  }
}

// ───────────────────────────── output formatting ─────────────────────────────

/** Two-space JSON; each element of the big lists on one line, short values inline. Key order as built. */
function formatScenario(s: ScenarioInput): string {
  const lists = new Set(['services', 'offices', 'districts', 'staff', 'demand', 'appointments', 'waitlist'])
  const pretty = (v: unknown, ind: string): string => {
    const flat = JSON.stringify(v)
    if (v === null || typeof v !== 'object' || flat.length + ind.length <= 100) return flat
    if (Array.isArray(v)) return `[\n${v.map((x) => `${ind}  ${pretty(x, `${ind}  `)}`).join(',\n')}\n${ind}]`
    return `{\n${Object.entries(v).map(([k, x]) => `${ind}  ${JSON.stringify(k)}: ${pretty(x, `${ind}  `)}`).join(',\n')}\n${ind}}`
  }
  const lines = Object.entries(s).map(([k, v]) => {
    if (lists.has(k) && Array.isArray(v))
      return v.length === 0 ? `  ${JSON.stringify(k)}: []` : `  ${JSON.stringify(k)}: [\n${v.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`
    return `  ${JSON.stringify(k)}: ${pretty(v, '  ')}`
  })
  return `{\n${lines.join(',\n')}\n}\n`
}

// ───────────────────────────── calibration and output ─────────────────────────────

function main(): void {
  // Capacity falls as the share of 4-day contracts rises. Bisect that share (in steps of 0.5 %) on
  // the fast estimate, keep the closer neighbour, then validate and compile that one scenario.
  const cache = new Map<number, { built: Built; est: ReturnType<typeof estimate> }>()
  const evaluate = (permille: number) => {
    let r = cache.get(permille)
    if (!r) {
      const built = build(permille / 1000)
      r = { built, est: estimate(built.scenario) }
      cache.set(permille, r)
    }
    return r
  }
  const cap = (permille: number) => evaluate(permille).est.summary.capacityPerWorkingDay
  let lo = 0, hi = 1000 - PART_TIME_SHARE * 1000 // permille; capacity(lo) ≥ target > capacity(hi)
  if (cap(lo) < TARGET_CAPACITY_PER_WORKING_DAY) fail(`even with 5-day weeks only the capacity is ${cap(lo).toFixed(0)} a working day`)
  while (hi - lo > 5) {
    const mid = Math.round((lo + hi) / 10) * 5
    if (cap(mid) >= TARGET_CAPACITY_PER_WORKING_DAY) lo = mid
    else hi = mid
  }
  const bestKey = [lo, hi].sort((a, b) => Math.abs(cap(a) - TARGET_CAPACITY_PER_WORKING_DAY) - Math.abs(cap(b) - TARGET_CAPACITY_PER_WORKING_DAY))[0]
  const best = evaluate(bestKey)
  const estimated = best.est.summary
  if (Math.abs(estimated.capacityPerWorkingDay / TARGET_CAPACITY_PER_WORKING_DAY - 1) > 0.02)
    fail(`calibration missed: ${estimated.capacityPerWorkingDay.toFixed(0)} appointments a working day`)

  // Record the calibration in meta (the estimate equals the compiled model, checked below).
  best.built.scenario.meta!.calibration = {
    workingDays: estimated.workingDays,
    staffedHoursPerWorkingDay: Math.round(estimated.staffedHoursPerWorkingDay),
    averageAppointmentMinutes: Math.round(estimated.averageDurationMinutes * 100) / 100,
    capacityPerWorkingDay: Math.round(estimated.capacityPerWorkingDay),
    demandPerWorkingDay: Math.round(estimated.demandPerWorkingDay),
    workingDaysPerYear: WORKING_DAYS_PER_YEAR,
    fourDayContractShare: best.built.fourDayShare,
  }

  // Validate and compile; the compiled work units must equal the estimate office by office.
  const text = formatScenario(best.built.scenario)
  if (text.length > 2_000_000) fail(`scenario.json is ${text.length} bytes, more than 2 MB`)
  const model = loadAndCompile(text)
  const compiled = measure(model)
  for (const [id, minutes] of best.est.minutesByOffice)
    if (compiled.minutesByOffice.get(id) !== minutes) fail(`office ${id}: compiled ${compiled.minutesByOffice.get(id)} working minutes, estimated ${minutes}`)
  const summary = compiled.summary

  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'scenario.json'), text)
  // Copied by content, not with copyFileSync: the source is read-only and its mode must not carry over.
  writeFileSync(join(outDir, 'LICENSE-EUPL-1.2.txt'), readFileSync(join(dataDir, 'LICENSE-EUPL-1.2.txt')))

  const r = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
  console.log(`wrote ${join(outDir, 'scenario.json')} (${r(text.length / 1024, 0)} KiB); loadScenario + compile OK`)
  console.log(`offices ${summary.offices} (${mainOffices.length} full-week, ${OFFICES.length - mainOffices.length} part-time sites), staff ${summary.staff}, services ${summary.services}, desks ${summary.desks}`)
  console.log(`horizon ${HORIZON.start} + ${HORIZON.days} days, ${summary.workingDays} working days; compiled grid ${model.nUnits} units of ${model.unitMinutes} min`)
  console.log(`staffed hours per working day (compiled work units, net of breaks, absences, closures): ${r(summary.staffedHoursPerWorkingDay, 1)}`)
  console.log(`average appointment length (demand mix at each office, weighted by its hours): ${r(summary.averageDurationMinutes, 2)} min`)
  console.log(`bookable capacity per working day: ${r(summary.capacityPerWorkingDay)}  (× ${WORKING_DAYS_PER_YEAR} = ${r(summary.capacityPerWorkingDay * WORKING_DAYS_PER_YEAR)} a year)`)
  console.log(`demand per working day: ${r(summary.demandPerWorkingDay)}  (× ${WORKING_DAYS_PER_YEAR} = ${r(summary.demandPerWorkingDay * WORKING_DAYS_PER_YEAR)} a year)`)
  console.log(`calibrated share of 4-day contracts: ${(best.built.fourDayShare * 100).toFixed(1)} % (part-time 3-day ${PART_TIME_SHARE * 100} %, the rest 5-day); bracket ${lo / 10} % → ${r(cap(lo))}, ${hi / 10} % → ${r(cap(hi))} a working day`)
  if (process.env.BERLIN_VERBOSE) printDetails(model, best.built)
}

function printDetails(m: Model, built: Built): void {
  const s = m.scenario
  const units = new Float64Array(m.officeIds.length)
  for (const seg of m.segments) units[seg.office] += seg.end - seg.start
  console.log('\n| id | name | address | Bezirk | 2016 slots/week | staff | desks | open | hours/working day |')
  console.log('|---|---|---|---|---:|---:|---:|---|---:|')
  s.offices.forEach((o, oi) => {
    const wk = weeklyCapacity.get(o.id)
    const open = siteDays.get(o.id)?.map((d) => `${['Mo', 'Di', 'Mi', 'Do', 'Fr'][d.weekday - 1]}${d.period === 7 ? '' : ` (every ${d.period / 7} wk)`}`).join(', ') ?? 'Mo–Fr'
    const staffN = staffCount.get(o.id) ?? 0
    const parent = parentOf.get(o.id)
    console.log(
      `| ${o.id} | ${o.name} | ${locations.get(o.id)!.address.postal_code.trim()} ${locations.get(o.id)!.address.street.trim()} | ${o.district} | ${wk === undefined ? '–' : wk.toFixed(0)} | ${parent ? `from ${parent}` : staffN} | ${o.desks} | ${open} | ${((units[oi] * m.unitMinutes) / 60 / workingDays.length).toFixed(1)} |`,
    )
  })
  console.log('\nservices:')
  for (const sv of s.services)
    console.log(`  ${sv.id} ${sv.name}: ${sv.durationMinutes} min, ${Object.keys(sv.officeDurations ?? {}).length} office overrides, maxQuantity ${sv.maxQuantity}, share ${(mix.get(sv.id)! * 100).toFixed(1)} %, offered at ${s.offices.filter((o) => o.services.includes(sv.id)).length}`)
  console.log('\nwindows:', [...WINDOWS].map(([wd, w]) => `${wd}: ${fmt(w.from)}–${fmt(w.to)} (doors ${w.doorsFrom}–${w.doorsTo}, ${w.desks} desks)`).join('; '))
  console.log('district staff:', [...districtStaff].map(([d, n]) => `${d} ${n}`).join(', '))
  console.log('parents:', [...parentOf].map(([a, b]) => `${a}→${b}`).join(', '))
  const trainees = s.staff.filter((p) => !p.skills.includes('120703')).length
  const days = s.staff.map((p) => new Set(p.shifts.flatMap((x) => x.weekdays ?? [tz.isoWeekday(x.date!)])).size)
  console.log(`trainees ${trainees}; days/week histogram`, [1, 2, 3, 4, 5].map((k) => `${k}: ${days.filter((d) => d === k).length}`).join(', '))
  const perWeekday = [1, 2, 3, 4, 5].map((wd) => {
    const dates = workingDays.filter((d) => tz.isoWeekday(d) === wd)
    const idx = new Set(dates.map((d) => m.dates.indexOf(d)))
    let units = 0
    for (const seg of m.segments) if (idx.has(seg.day)) units += seg.end - seg.start
    return `${['Mo', 'Di', 'Mi', 'Do', 'Fr'][wd - 1]} ${dates.length} days, ${((units * m.unitMinutes) / 60 / dates.length).toFixed(0)} h/day`
  })
  console.log('per weekday:', perWeekday.join('; '))
  const scheduled = s.staff.reduce((a, p) => a + workingDays.filter((d) => p.shifts.some((x) => (x.date ? x.date === d : x.weekdays!.includes(tz.isoWeekday(d))))).length, 0)
  console.log(`scheduled staff-days per working day ${(scheduled / workingDays.length).toFixed(1)}`)
  const byDistrict = new Map<string, number>()
  for (const seg of m.segments) {
    const d = s.offices[seg.office].district
    byDistrict.set(d, (byDistrict.get(d) ?? 0) + seg.end - seg.start)
  }
  const totalUnits = [...byDistrict.values()].reduce((a, b) => a + b, 0)
  const popTotal = Object.values(POPULATION).reduce((a, b) => a + b, 0)
  console.log('district: staffed-hours share vs population share')
  for (const d of districts) console.log(`  ${d}: ${((byDistrict.get(d)! / totalUnits) * 100).toFixed(1)} % vs ${((POPULATION[d] / popTotal) * 100).toFixed(1)} %`)
  const absDays = s.staff.reduce((a, p) => a + p.absences.reduce((b, x) => b + workingDays.filter((d) => d >= x.from && d <= x.to).length, 0), 0)
  console.log(`absence working days per person: ${(absDays / s.staff.length).toFixed(2)} of ${workingDays.length}`)
  void built
}

main()
