import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ICAL from 'ical.js'
import { describe, expect, it } from 'vitest'
import { parseHours } from '../../src/cli/commands/import.js'
import { runCli } from '../../src/cli/program.js'
import { loadScenario } from '../../src/model/load.js'
import { createScheduler } from '../../src/solver/index.js'
import { contractScenario } from './contract.js'

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'zms')
const dir = mkdtempSync(join(tmpdir(), 'terminplan-adapters-cli-'))
const file = (name: string, content: string) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

async function run(args: string[]) {
  let out = '', err = ''
  const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
  return { code, out, err }
}

describe('terminplan ics', () => {
  const s = contractScenario()
  const scenarioFile = file('scenario.json', JSON.stringify(s))

  it('exports a roster and imports it back onto the scenario (same shifts)', async () => {
    const ics = join(dir, 'p1.ics')
    const e = await run(['ics', 'export', scenarioFile, '--staff', 'p1', '--roster', '-o', ics])
    expect(e).toMatchObject({ code: 0, err: '' })
    expect(readFileSync(ics, 'utf8')).toMatch(/^BEGIN:VCALENDAR/)
    const i = await run(['ics', 'import', ics, '--staff', 'p1', '--scenario', scenarioFile])
    expect(i.code).toBe(0)
    const got = JSON.parse(i.out)
    expect(got).toMatchObject({ staffId: 'p1', range: { from: '2027-03-22', to: '2027-04-04' }, timezone: 'Europe/Berlin', warnings: [] })
    expect(got.absences).toEqual([{ from: '2027-03-31', to: '2027-04-01' }])
    const applied = join(dir, 'applied.json')
    const a = await run(['ics', 'import', ics, '--staff', 'p1', '--scenario', scenarioFile, '--apply', '-o', applied])
    expect(a.code).toBe(0)
    expect(a.err).toMatch(/p1: \d+ shifts, 1 absences applied/)
    const next = loadScenario(JSON.parse(readFileSync(applied, 'utf8')))
    expect(next.staff[0].shifts).toEqual(got.shifts)
  })

  it('exports an office\'s appointments from a snapshot, without personal ids unless asked', async () => {
    const sched = createScheduler(s, { now: '2027-03-22T07:00:00+01:00' })
    const { slots } = sched.search({ services: ['s1'], offices: ['o1'], limit: 1 })
    sched.confirm(sched.hold(slots[0], { citizenId: 'c-77' }).id)
    const snap = file('snap.json', JSON.stringify(sched.snapshot()))
    const r = await run(['ics', 'export', scenarioFile, '--office', 'o1', '--snapshot', snap])
    expect(r.code).toBe(0)
    const events = new ICAL.Component(ICAL.parse(r.out) as never).getAllSubcomponents('vevent')
    expect(events).toHaveLength(1)
    expect(new ICAL.Event(events[0]).startDate.toUnixTime() * 1000).toBe(Date.parse(slots[0].start))
    expect(r.out).not.toMatch(/c-77|p1/)
    const opted = await run(['ics', 'export', scenarioFile, '--citizen', 'c-77', '--with-citizen', '--snapshot', snap])
    expect(opted.out).toMatch(/X-TERMINPLAN-CITIZEN:c-77/)
  })

  it('reports usage and input problems with paths and exit codes', async () => {
    expect((await run(['ics', 'export', scenarioFile])).code).toBe(2)
    const bad = await run(['ics', 'import', file('bad.ics', 'BEGIN:VCALENDAR\r\nnonsense'), '--staff', 'p1', '--from', '2027-03-22', '--to', '2027-03-28'])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^\$\.calendars\[0\]: not valid iCalendar/)
    expect((await run(['ics', 'import', join(dir, 'missing.ics'), '--staff', 'p1', '--from', '2027-03-22', '--to', '2027-03-28'])).err).toMatch(/cannot read/)
    expect((await run(['ics', 'import', join(dir, 'p1.ics'), '--staff', 'p1'])).code).toBe(2)
    expect((await run(['ics', 'import', join(dir, 'p1.ics'), '--staff', 'nobody', '--scenario', scenarioFile])).err).toMatch(/no staff member "nobody"/)
  })
})

describe('terminplan import zms / export zms', () => {
  it('imports the Berlin 2018 exports with Heerstraße\'s availability into a valid scenario', async () => {
    const out = join(dir, 'berlin-zms.json')
    const r = await run([
      'import', 'zms',
      '--locations', join(DATA, 'berlin-2018/locations_de.json.gz'),
      '--services', join(DATA, 'berlin-2018/services_de.json.gz'),
      '--availability', join(DATA, 'scope-141/availabilityList_141.json'),
      '--scope', '141=122217', '--default-scope', '141',
      '--match', 'Bürgeramt', '--start', '2026-12-01', '--days', '14', '-o', out,
    ])
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/^imported \d+ offices, \d+ services, \d+ desk staff from 537 locations/)
    expect(r.err).toMatch(/assumption: availability of scope 141 ends 2020-12-31/)
    const v = await run(['validate', out])
    expect(v.code).toBe(0)
    const csv = await run(['export', 'zms', out, '--services', '120703', '--offices', '122217', '--from', '2026-12-01', '--to', '2026-12-01', '--format', 'csv'])
    expect(csv.code).toBe(0)
    expect(csv.out.split('\n').slice(0, 2)).toEqual(['office,date,time,free', '122217,2026-12-01,11:00,2'])
    const json = await run(['export', 'zms', out, '--services', '120703', '--offices', '122217', '--from', '2026-12-01', '--to', '2026-12-02'])
    expect(JSON.parse(json.out).calendar.days.map((d: { status: string }) => d.status)).toEqual(['bookable', 'bookable'])
  })

  it('imports Munich 2026 with default hours and writes the scenario to stdout', async () => {
    const r = await run([
      'import', 'zms',
      '--locations', join(DATA, 'munich-2026/locations_de.json.gz'),
      '--services', join(DATA, 'munich-2026/services_de.json.gz'),
      '--match', '^Bürgerbüro', '--start', '2026-12-01', '--days', '7', '--hours', '1-4 07:30-18:00; 5 07:30-12:00', '--desks', '2',
    ])
    expect(r.code).toBe(0)
    const s = loadScenario(JSON.parse(r.out))
    expect(s.offices[0].openingHours).toEqual([{ weekdays: [1, 2, 3, 4], from: '07:30', to: '18:00' }, { weekdays: [5], from: '07:30', to: '12:00' }])
    expect(s.offices.every((o) => o.desks === 2)).toBe(true)
    expect(s.staff.length).toBe(2 * s.offices.length)
  })

  it('rejects bad options and files', async () => {
    const base = ['import', 'zms', '--locations', join(DATA, 'berlin-2018/locations_de.json.gz'), '--services', join(DATA, 'berlin-2018/services_de.json.gz'), '--start', '2026-12-01']
    expect((await run([...base, '--hours', 'weekdays'])).code).toBe(2)
    expect((await run([...base, '--staff', 'robots'])).code).toBe(2)
    expect((await run([...base, '--scope', '141'])).code).toBe(2)
    const r = await run(['import', 'zms', '--locations', file('l.json', '{"data": 3}'), '--services', join(DATA, 'berlin-2018/services_de.json.gz'), '--start', '2026-12-01'])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^\$\.locations\.data: /)
    expect(parseHours('1-5 08:00-16:00')).toEqual([{ weekdays: [1, 2, 3, 4, 5], from: '08:00', to: '16:00' }])
  })
})
