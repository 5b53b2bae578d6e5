/**
 * The bad-input corpus for scenarios: each case is a malformed scenario, given either as the text
 * a file would hold (`text`) or as a JavaScript value for the library API (`value`), with the
 * error code and the exact (issue code, JSON path) list it must produce. Most cases start from the
 * valid fixture of test/model (see its indices there) and break one thing.
 *
 * `apiOnly` marks values JSON cannot carry (NaN, ±Infinity, cycles); every other case also runs
 * through the command line (`terminplan validate <file>`).
 */
import type { ErrorCode } from '../../src/model/errors.js'
import { validScenario, type Loose } from '../model/fixtures.js'

export interface ScenarioCase {
  name: string
  /** File contents (built lazily: some are 10 MB). */
  text?: () => string
  /** A value for `loadScenario` (and, unless `apiOnly`, its JSON for the CLI). */
  value?: () => unknown
  apiOnly?: boolean
  code: ErrorCode
  /** Exactly these issues, in this order: [issue code, path]. */
  issues: [string, string][]
}

const MB10 = 10 * 1024 * 1024

/** The fixture with one change. */
const mut = (f: (s: Loose) => void) => () => {
  const s: Loose = validScenario()
  f(s)
  return s
}
/** The fixture as JSON text, changed by string replacement (for what JavaScript objects cannot hold). */
const jsonWith = (f: (text: string) => string) => () => {
  const text = JSON.stringify(validScenario())
  const out = f(text)
  if (out === text) throw new Error('corpus: replacement did not apply')
  return out
}
/** Inserts `member` (`"key": value`) as the first member of the object opened at `anchor`. */
const insertAfter = (anchor: string, member: string) => jsonWith((t) => t.replace(anchor, `${anchor}${member},`))
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n)
const nested = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
const pathOfDepth = (prefix: string, seg: string, n: number) => prefix + seg.repeat(n)

export const scenarioCorpus: ScenarioCase[] = [
  // ---- wrong types -----------------------------------------------------------------------------
  { name: 'horizon.days as a string', value: mut((s) => (s.horizon.days = '14')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.horizon.days']] },
  { name: 'horizon as an array', value: mut((s) => (s.horizon = ['2026-03-02', 14])), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.horizon']] },
  { name: 'durationMinutes as a boolean', value: mut((s) => (s.services[0].durationMinutes = true)), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.services[0].durationMinutes']] },
  { name: 'opening weekdays as a string', value: mut((s) => (s.offices[0].openingHours[0].weekdays = '1-5')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.offices[0].openingHours[0].weekdays']] },
  { name: 'skills as a string', value: mut((s) => (s.staff[0].skills = 'passport')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.staff[0].skills']] },
  { name: 'policy.holdMinutes null', value: mut((s) => (s.policy = { holdMinutes: null })), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.policy.holdMinutes']] },
  { name: 'timezone as a number', value: mut((s) => (s.timezone = 42)), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.timezone']] },
  { name: 'demand count as a string', value: mut((s) => (s.demand[0].count = '12')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.demand[0].count']] },
  { name: 'latitude as a string', value: mut((s) => (s.offices[0].coordinates = { lat: '52.5', lon: 13.4 })), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.offices[0].coordinates.lat']] },
  { name: 'priority in capitals', value: mut((s) => (s.waitlist[0].priority = 'URGENT')), code: 'SCENARIO_INVALID', issues: [['invalid_value', '$.waitlist[0].priority']] },
  { name: 'a staff member as a string', value: mut((s) => (s.staff[1] = 'ben')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.staff[1]']] },

  // ---- unknown references ----------------------------------------------------------------------
  { name: 'staff at an unknown office', value: mut((s) => (s.staff[0].office = 'nowhere')), code: 'SCENARIO_INVALID', issues: [['unknown_reference', '$.staff[0].office']] },
  { name: 'appointment with an unknown staff member', value: mut((s) => (s.appointments[0].staff = 'ghost')), code: 'SCENARIO_INVALID', issues: [['unknown_reference', '$.appointments[0].staff']] },
  { name: 'demand for an unknown service', value: mut((s) => (s.demand[1].service = 'ghost')), code: 'SCENARIO_INVALID', issues: [['unknown_reference', '$.demand[1].service']] },
  { name: 'waitlist entry at an unknown office', value: mut((s) => (s.waitlist[0].offices[0] = 'ghost')), code: 'SCENARIO_INVALID', issues: [['unknown_reference', '$.waitlist[0].offices[0]']] },
  { name: 'combinable with an unknown service', value: mut((s) => (s.services[2].combinable[0] = 'ghost')), code: 'SCENARIO_INVALID', issues: [['unknown_reference', '$.services[2].combinable[0]']] },

  // ---- NaN and infinities: the JavaScript API ---------------------------------------------------
  { name: 'NaN demand count', value: mut((s) => (s.demand[1].count = NaN)), apiOnly: true, code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.demand[1].count']] },
  { name: 'Infinity horizon days', value: mut((s) => (s.horizon.days = Infinity)), apiOnly: true, code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.horizon.days']] },
  { name: '-Infinity desks', value: mut((s) => (s.offices[0].desks = -Infinity)), apiOnly: true, code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.offices[0].desks']] },
  { name: 'NaN waitlist share', value: mut((s) => (s.policy = { waitlistShare: NaN })), apiOnly: true, code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.policy.waitlistShare']] },
  { name: 'NaN latitude', value: mut((s) => (s.offices[1].coordinates = { lat: NaN, lon: 13 })), apiOnly: true, code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.offices[1].coordinates.lat']] },
  {
    name: 'a cycle in meta (only objects can hold one)',
    value: mut((s) => {
      s.meta = { note: 'x' }
      s.meta.self = s.meta
    }),
    apiOnly: true,
    code: 'LIMIT_EXCEEDED',
    issues: [['limit_exceeded', pathOfDepth('$.meta', '.self', 63)]],
  },

  // ---- numbers JSON can hold but not as numbers: 1e400 is Infinity once parsed ---------------------
  { name: 'durationMinutes 1e400', text: jsonWith((t) => t.replace('"durationMinutes":20', '"durationMinutes":1e400')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.services[0].durationMinutes']] },
  // zod reports an unsafe integer beyond the bound twice: not a safe integer, and above the maximum.
  { name: 'desks 1e20', text: jsonWith((t) => t.replace('"desks":3', '"desks":1e20')), code: 'SCENARIO_INVALID', issues: [['too_big', '$.offices[0].desks'], ['too_big', '$.offices[0].desks']] },
  { name: 'demand count 1e400', text: jsonWith((t) => t.replace('"count":12', '"count":1e400')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.demand[0].count']] },
  { name: 'horizon days 2^53 + 1', text: jsonWith((t) => t.replace('"days":14', '"days":9007199254740993')), code: 'SCENARIO_INVALID', issues: [['too_big', '$.horizon.days'], ['too_big', '$.horizon.days']] },
  { name: 'a 400-digit unit', text: jsonWith((t) => t.replace('"name":"fixture"', `"name":"fixture","unitMinutes":${'9'.repeat(400)}`)), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.unitMinutes']] },
  { name: 'latitude -1e400', text: jsonWith((t) => t.replace('"district":"Mitte",', '"district":"Mitte","coordinates":{"lat":-1e400,"lon":13.4},')), code: 'SCENARIO_INVALID', issues: [['invalid_type', '$.offices[0].coordinates.lat']] },

  // ---- time zones ------------------------------------------------------------------------------
  { name: 'a zone on Mars', value: mut((s) => (s.timezone = 'Mars/Olympus_Mons')), code: 'SCENARIO_INVALID', issues: [['invalid_zone', '$.timezone']] },
  { name: 'an empty zone', value: mut((s) => (s.timezone = '')), code: 'SCENARIO_INVALID', issues: [['invalid_zone', '$.timezone']] },
  { name: 'an offset instead of a zone', value: mut((s) => (s.timezone = 'UTC+25')), code: 'SCENARIO_INVALID', issues: [['invalid_zone', '$.timezone']] },
  { name: 'a zone with a leading space', value: mut((s) => (s.timezone = ' Europe/Berlin')), code: 'SCENARIO_INVALID', issues: [['invalid_zone', '$.timezone']] },
  { name: 'a zone of 200 characters', value: mut((s) => (s.timezone = 'Europe/' + 'x'.repeat(193))), code: 'SCENARIO_INVALID', issues: [['too_big', '$.timezone'], ['invalid_zone', '$.timezone']] },

  // ---- times of day ----------------------------------------------------------------------------
  { name: 'closing at 24:30', value: mut((s) => (s.offices[0].openingHours[0].to = '24:30')), code: 'SCENARIO_INVALID', issues: [['invalid_time', '$.offices[0].openingHours[0].to']] },
  { name: 'shift from 7:00 (one digit)', value: mut((s) => (s.staff[0].shifts[0].from = '7:00')), code: 'SCENARIO_INVALID', issues: [['invalid_time', '$.staff[0].shifts[0].from']] },
  { name: 'break until 12:60', value: mut((s) => (s.staff[0].shifts[0].breaks[0].to = '12:60')), code: 'SCENARIO_INVALID', issues: [['invalid_time', '$.staff[0].shifts[0].breaks[0].to']] },
  { name: 'waitlist window from -01:00', value: mut((s) => (s.waitlist[0].windows[0].from = '-01:00')), code: 'SCENARIO_INVALID', issues: [['too_big', '$.waitlist[0].windows[0].from'], ['invalid_time', '$.waitlist[0].windows[0].from']] },
  { name: 'opening with seconds 08:00:00', value: mut((s) => (s.offices[1].openingHours[0].from = '08:00:00')), code: 'SCENARIO_INVALID', issues: [['too_big', '$.offices[1].openingHours[0].from'], ['invalid_time', '$.offices[1].openingHours[0].from']] },

  // ---- dates that do not exist -------------------------------------------------------------------
  { name: 'horizon on 2026-02-30', value: mut((s) => (s.horizon.start = '2026-02-30')), code: 'SCENARIO_INVALID', issues: [['invalid_date', '$.horizon.start']] },
  { name: 'horizon on 2026-13-01', value: mut((s) => (s.horizon.start = '2026-13-01')), code: 'SCENARIO_INVALID', issues: [['invalid_date', '$.horizon.start']] },
  { name: 'holiday on 2026-04-31', value: mut((s) => (s.offices[0].holidays = ['2026-04-31'])), code: 'SCENARIO_INVALID', issues: [['invalid_date', '$.offices[0].holidays[0]']] },
  { name: 'closure from 2026-00-10', value: mut((s) => (s.offices[0].closures[0].from = '2026-00-10')), code: 'SCENARIO_INVALID', issues: [['invalid_date', '$.offices[0].closures[0].from']] },
  { name: 'shift valid from 2026-02-29', value: mut((s) => (s.staff[0].shifts[0].validFrom = '2026-02-29')), code: 'SCENARIO_INVALID', issues: [['invalid_date', '$.staff[0].shifts[0].validFrom']] },
  { name: 'appointment on 2026-02-30 at nine', value: mut((s) => (s.appointments[0].start = '2026-02-30T09:00:00+01:00')), code: 'SCENARIO_INVALID', issues: [['invalid_instant', '$.appointments[0].start']] },
  { name: 'joined at 24:00', value: mut((s) => (s.waitlist[0].createdAt = '2026-03-01T24:00:00Z')), code: 'SCENARIO_INVALID', issues: [['invalid_instant', '$.waitlist[0].createdAt']] },

  // ---- overlapping shifts and negative durations ---------------------------------------------------
  {
    name: 'a dated shift overlapping the weekly one',
    value: mut((s) => s.staff[0].shifts.push({ date: '2026-03-03', from: '15:00', to: '19:00' })),
    code: 'SCENARIO_INVALID',
    issues: [['shift_overlap', '$.staff[0].shifts[1]']],
  },
  {
    name: 'a night shift running into the next morning',
    value: mut((s) => (s.staff[1].shifts = [{ weekdays: [3], from: '21:00', to: '07:00' }, { weekdays: [4], from: '06:00', to: '10:00' }])),
    code: 'SCENARIO_INVALID',
    issues: [['shift_overlap', '$.staff[1].shifts[1]']],
  },
  { name: 'negative duration', value: mut((s) => (s.services[1].durationMinutes = -20)), code: 'SCENARIO_INVALID', issues: [['too_small', '$.services[1].durationMinutes']] },
  { name: 'negative per-office duration', value: mut((s) => (s.services[0].officeDurations.mitte = -5)), code: 'SCENARIO_INVALID', issues: [['too_small', '$.services[0].officeDurations.mitte']] },
  { name: 'negative booking window', value: mut((s) => (s.offices[0].bookingWindow = { minDays: -1, maxDays: 30 })), code: 'SCENARIO_INVALID', issues: [['too_small', '$.offices[0].bookingWindow.minDays']] },
  { name: 'negative cancel freeze', value: mut((s) => (s.policy = { cancelFreezeMinutes: -30 })), code: 'SCENARIO_INVALID', issues: [['too_small', '$.policy.cancelFreezeMinutes']] },
  { name: 'an empty shift (to = from)', value: mut((s) => (s.staff[1].shifts[0].to = s.staff[1].shifts[0].from)), code: 'SCENARIO_INVALID', issues: [['empty_range', '$.staff[1].shifts[0].to']] },

  // ---- empty offices ---------------------------------------------------------------------------
  { name: 'an office without opening hours', value: mut((s) => (s.offices[1].openingHours = [])), code: 'SCENARIO_INVALID', issues: [['too_small', '$.offices[1].openingHours']] },
  { name: 'an office without services', value: mut((s) => (s.offices[1].services = [])), code: 'SCENARIO_INVALID', issues: [['too_small', '$.offices[1].services']] },
  {
    name: 'an office with neither',
    value: mut((s) => Object.assign(s.offices[1], { openingHours: [], services: [] })),
    code: 'SCENARIO_INVALID',
    issues: [['too_small', '$.offices[1].openingHours'], ['too_small', '$.offices[1].services']],
  },
  { name: 'no offices at all', value: mut((s) => (s.offices = [])), code: 'SCENARIO_INVALID', issues: [['too_small', '$.offices']] },
  {
    name: 'an empty office object',
    value: mut((s) => (s.offices[1] = {})),
    code: 'SCENARIO_INVALID',
    issues: [
      ['invalid_type', '$.offices[1].id'],
      ['invalid_type', '$.offices[1].name'],
      ['invalid_type', '$.offices[1].district'],
      ['invalid_type', '$.offices[1].openingHours'],
      ['invalid_type', '$.offices[1].services'],
      ['invalid_type', '$.offices[1].desks'],
    ],
  },

  // ---- 10 MB strings ---------------------------------------------------------------------------
  // Past limits.stringLength (1,000,000) any string is refused before validation; below it the schema's own bounds apply.
  { name: 'a 10 MB office id', value: mut((s) => (s.offices[0].id = 'm'.repeat(MB10))), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', '$.offices[0].id']] },
  { name: 'a 10 MB service name', value: mut((s) => (s.services[1].name = 'n'.repeat(MB10))), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', '$.services[1].name']] },
  { name: 'a 10 MB district', text: jsonWith((t) => t.replace('"district":"Spandau"', `"district":"${'d'.repeat(MB10)}"`)), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', '$.offices[1].district']] },
  { name: 'a 1,000,000-character office id (at the string limit: the schema bound of 128 applies)', value: mut((s) => (s.offices[0].id = 'm'.repeat(1_000_000))), code: 'SCENARIO_INVALID', issues: [['too_big', '$.offices[0].id']] },
  { name: 'a 10 MB note in meta', value: mut((s) => (s.meta = { notes: 'x'.repeat(MB10) })), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', '$.meta.notes']] },
  { name: 'a 10 MB $schema', value: mut((s) => (s.$schema = 's'.repeat(MB10))), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', '$.$schema']] },
  { name: 'a 10 MB key', text: jsonWith((t) => t.replace('{"name":"fixture"', `{"${'k'.repeat(MB10)}":1,"name":"fixture"`)), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', '$']] },

  // ---- deeply nested junk (must not overflow the stack) ----------------------------------------------
  { name: 'a 100,000-deep array as the document', text: () => deepArray(100_000), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', pathOfDepth('$', '[0]', 64)]] },
  { name: 'a 100,000-deep array in meta', text: jsonWith((t) => t.replace('{"name":"fixture"', `{"meta":{"x":${deepArray(100_000)}},"name":"fixture"`)), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', pathOfDepth('$.meta.x', '[0]', 62)]] },
  { name: 'a 100,000-deep array as the services', text: jsonWith((t) => t.replace(/"services":\[\{.*?\}\],"offices"/, `"services":${deepArray(100_000)},"offices"`)), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', pathOfDepth('$.services', '[0]', 63)]] },
  { name: '100,000 nested objects in meta', text: jsonWith((t) => t.replace('{"name":"fixture"', `{"meta":${nested(100_000)},"name":"fixture"`)), code: 'LIMIT_EXCEEDED', issues: [['limit_exceeded', pathOfDepth('$.meta', '.a', 63)]] },

  // ---- not JSON ----------------------------------------------------------------------------------
  { name: 'plain words', text: () => 'not json', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'cut off after a key', text: () => '{"horizon": ', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'single quotes', text: () => "{'horizon': {'start': '2026-03-02', 'days': 14}}", code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'NaN as JSON text', text: () => '{"horizon": {"start": "2026-03-02", "days": NaN}}', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'trailing text after the object', text: jsonWith((t) => `${t} and more`), code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'binary garbage', text: () => '\u0000\u0001\u0002\u00ff\ufffd', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: '10 MB of garbage', text: () => '#'.repeat(MB10), code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'YAML', text: () => 'horizon:\n  start: 2026-03-02\n  days: 14\n', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },

  // ---- empty files and byte-order marks ----------------------------------------------------------------
  { name: 'an empty file', text: () => '', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'only white space', text: () => ' \n\t\r\n ', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'only a byte-order mark', text: () => '\ufeff', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'a byte-order mark before broken JSON', text: () => '\ufeff{"horizon": {', code: 'SCENARIO_INVALID', issues: [['invalid_json', '$']] },
  { name: 'a byte-order mark before an array', text: () => '\ufeff[]', code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },
  {
    name: 'a byte-order mark before a scenario with a bad date (paths still right)',
    text: jsonWith((t) => `\ufeff${t.replace('"start":"2026-03-02"', '"start":"2026-02-30"')}`),
    code: 'SCENARIO_INVALID',
    issues: [['invalid_date', '$.horizon.start']],
  },

  // ---- JSON that is not an object ---------------------------------------------------------------------
  { name: 'an empty array', text: () => '[]', code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },
  { name: 'the scenario inside an array', text: () => `[${JSON.stringify(validScenario())}]`, code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },
  { name: 'null', text: () => 'null', code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },
  { name: 'a number', text: () => '42', code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },
  { name: 'a string', text: () => '"scenario"', code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },
  { name: 'true', text: () => 'true', code: 'SCENARIO_INVALID', issues: [['invalid_type', '$']] },

  // ---- prototype pollution keys ------------------------------------------------------------------------
  { name: '__proto__ at the top', text: insertAfter('{', '"__proto__":{"polluted":true}'), code: 'SCENARIO_INVALID', issues: [['forbidden_key', '$.__proto__']] },
  { name: 'constructor.prototype at the top', text: insertAfter('{', '"constructor":{"prototype":{"polluted":true}}'), code: 'SCENARIO_INVALID', issues: [['unknown_field', '$.constructor']] },
  { name: 'prototype at the top', text: insertAfter('{', '"prototype":{"polluted":true}'), code: 'SCENARIO_INVALID', issues: [['unknown_field', '$.prototype']] },
  {
    name: '__proto__ as an office in officeDurations (would be dropped silently)',
    text: jsonWith((t) => t.replace('"officeDurations":{"mitte":30}', '"officeDurations":{"mitte":30,"__proto__":15}')),
    code: 'SCENARIO_INVALID',
    issues: [['forbidden_key', '$.services[0].officeDurations.__proto__']],
  },
  { name: '__proto__ in meta', text: insertAfter('{', '"meta":{"__proto__":{"polluted":true}}'), code: 'SCENARIO_INVALID', issues: [['forbidden_key', '$.meta.__proto__']] },
  { name: '__proto__ in an office', text: jsonWith((t) => t.replace('{"id":"spandau"', '{"__proto__":{"desks":99},"id":"spandau"')), code: 'SCENARIO_INVALID', issues: [['forbidden_key', '$.offices[1].__proto__']] },
  { name: 'constructor as an officeDurations key (an unknown office)', text: jsonWith((t) => t.replace('"officeDurations":{"mitte":30}', '"officeDurations":{"mitte":30,"constructor":15}')), code: 'SCENARIO_INVALID', issues: [['unknown_reference', '$.services[0].officeDurations.constructor']] },
]
