/**
 * `terminplan change`: a sick call applied to a journal from the command line. The journal is
 * written through openScheduler, the CLI runs in-process, and what it printed is checked against
 * the journal reopened afterwards (not against the engine's own result).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openScheduler, type JournaledScheduler } from '../../src/adapters/journal/index.js'
import { readScenario } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/program.js'
import type { Appointment } from '../../src/solver/scheduler/index.js'

async function run(args: string[]) {
  let out = '', err = ''
  const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
  return { code, out, err }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-change-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
function file(name: string, content: string): string {
  const p = path.join(dir, name)
  fs.writeFileSync(p, content)
  return p
}

const WEEK = [1, 2, 3, 4, 5]
const NOW = '2026-06-01T07:00:00+02:00'
/** One office, two clerks (ana, bo) 08:00–12:00 on weekdays, 30-minute appointments; one booking from an old system, without a citizen. */
const scenarioFile = file(
  'scenario.json',
  JSON.stringify({
    horizon: { start: '2026-06-01', days: 5 },
    services: [{ id: 'reg', name: 'Anmeldung', durationMinutes: 30 }],
    offices: [{ id: 'mitte', name: 'Mitte', district: 'D', desks: 2, openingHours: [{ weekdays: WEEK, from: '08:00', to: '12:00' }], services: ['reg'] }],
    staff: [
      { id: 'ana', office: 'mitte', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '12:00' }] },
      { id: 'bo', office: 'mitte', skills: ['reg'], shifts: [{ weekdays: WEEK, from: '08:00', to: '12:00' }] },
    ],
    appointments: [{ id: 'legacy-1', office: 'mitte', staff: 'ana', start: '2026-06-02T09:30:00+02:00', services: ['reg'] }],
  }),
)
const scenario = readScenario(scenarioFile)

/** ana is off sick on Tuesday 2 June from 07:00 to 12:00; she also has a booking on Wednesday. */
const ABSENCE = { from: '2026-06-02T07:00:00+02:00', to: '2026-06-02T12:00:00+02:00' }
const sickCall = file('sick.json', JSON.stringify({ name: 'sick call', changes: [{ kind: 'absence', staff: 'ana', ...ABSENCE }] }))

const BOOKINGS: [staff: string, date: string, time: string][] = [
  ['ana', '2026-06-02', '08:00'], // bo is free then: moved
  ['ana', '2026-06-02', '08:30'], // bo is busy: an alternative is offered
  ['ana', '2026-06-02', '09:00'], // bo is busy: an alternative is offered
  ['bo', '2026-06-02', '08:30'],
  ['bo', '2026-06-02', '09:00'],
  ['bo', '2026-06-02', '09:30'], // legacy-1 (ana 09:30, no citizen) cannot move and has no one to offer to
  ['ana', '2026-06-03', '08:00'], // outside the absence: stays
]

let journals = 0
/** A journal with the bookings above, closed; its directory and the appointments it holds. */
function bookedJournal(): { journal: string; before: Appointment[]; seq: number } {
  const journal = path.join(dir, `journal-${++journals}`)
  const s = openScheduler({ scenario, journal, now: NOW, fsync: 'none' })
  try {
    BOOKINGS.forEach(([staffId, date, time], i) => {
      const start = `${date}T${time}:00+02:00`
      const end = new Date(Date.parse(start) + 30 * 60_000).toISOString()
      const hold = s.hold({ officeId: 'mitte', staffId, start, end, services: ['reg'] }, { citizenId: `c-${i + 1}` })
      s.confirm(hold.id, { idempotencyKey: `req-${i + 1}` })
    })
    return { journal, before: s.appointments(), seq: s.seq() }
  } finally {
    s.close()
  }
}

function reopen(journal: string): JournaledScheduler {
  return openScheduler({ scenario, journal, now: NOW, fsync: 'none' })
}

/** The journal's files and their bytes (LOCK excluded). */
function contents(journal: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(journal).filter((n) => n !== 'LOCK').sort().map((n) => [n, fs.readFileSync(path.join(journal, n), 'base64')]))
}

const ms = (iso: string) => Date.parse(iso)
const duringAbsence = (a: Appointment) => ms(a.start) < ms(ABSENCE.to) && ms(a.end) > ms(ABSENCE.from)

interface Printed {
  affected: number
  moved: number
  offered: number
  unplaceable: number
  holdsDropped: number
  offersWithdrawn: number
  lines: { id: string; outcome: string; staff?: string; offer?: string }[]
}

function parseOutput(out: string): Printed {
  const [head, ...rest] = out.trimEnd().split('\n')
  const m = /^change 0: (\d+) affected: (\d+) moved to another staff member, (\d+) offered an alternative, (\d+) unplaceable; (\d+) holds dropped, (\d+) offers withdrawn$/.exec(head)
  expect(m, head).not.toBeNull()
  const [affected, moved, offered, unplaceable, holdsDropped, offersWithdrawn] = m!.slice(1).map(Number)
  const lines = rest.map((l) => {
    const f = l.trim().split(/\s+/)
    const at = (k: string) => (f.indexOf(k) > 0 ? f[f.indexOf(k) + 1] : undefined)
    return { id: f[0], outcome: f[1], staff: at('staff'), offer: at('offer') }
  })
  return { affected, moved, offered, unplaceable, holdsDropped, offersWithdrawn, lines }
}

describe('terminplan change', () => {
  it('applies a sick call to a journal and prints what moved, as the reopened journal shows', async () => {
    const { journal, before, seq } = bookedJournal()
    const r = await run(['change', journal, sickCall, '--scenario', scenarioFile])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const p = parseOutput(r.out)

    // Independently of the engine's result: the bookings the absence hits.
    const hit = before.filter((a) => a.staffId === 'ana' && duringAbsence(a))
    expect(hit.map((a) => a.id).sort()).toEqual(['a1', 'a2', 'a3', 'legacy-1'])
    expect(p.affected).toBe(hit.length)
    expect(p.lines.map((l) => l.id).sort()).toEqual(hit.map((a) => a.id).sort())
    expect(p.moved + p.offered + p.unplaceable).toBe(p.affected)
    for (const [k, n] of [['moved', p.moved], ['offered', p.offered], ['unplaceable', p.unplaceable]] as const) expect(p.lines.filter((l) => l.outcome === k)).toHaveLength(n)
    // No personal data: citizen ids never appear.
    expect(r.out).not.toMatch(/c-\d/)

    const s = reopen(journal)
    try {
      expect(s.seq()).toBe(seq + 1)
      expect(s.changes().map((c) => c.overlay.name)).toEqual(['sick call'])
      const now = new Map(s.appointments().map((a) => [a.id, a]))
      // Nobody is booked with ana while she is away.
      expect(s.appointments().filter((a) => a.staffId === 'ana' && duringAbsence(a))).toEqual([])
      // Moved: the same appointment, office and time, now with the staff member printed.
      const moved = hit.filter((a) => now.has(a.id))
      expect(moved).toHaveLength(p.moved)
      for (const a of moved) {
        const line = p.lines.find((l) => l.id === a.id)!
        expect(line.outcome).toBe('moved')
        const b = now.get(a.id)!
        expect(b.staffId).toBe(line.staff)
        expect(b.staffId).not.toBe('ana')
        expect({ ...b, staffId: 'ana' }).toEqual(a)
      }
      // Offered: gone from the calendar, and the citizen holds an open offer, the one printed.
      const offers = new Map(s.offers().map((o) => [o.id, o]))
      const offered = hit.filter((a) => !now.has(a.id) && a.citizenId !== undefined && s.offers().some((o) => o.citizenId === a.citizenId))
      expect(offered).toHaveLength(p.offered)
      for (const a of offered) {
        const line = p.lines.find((l) => l.id === a.id)!
        expect(line.outcome).toBe('offered')
        expect(offers.get(line.offer!)?.citizenId).toBe(a.citizenId)
      }
      // Unplaceable: the rest; no offer for them.
      const rest = hit.filter((a) => !moved.includes(a) && !offered.includes(a))
      expect(rest).toHaveLength(p.unplaceable)
      for (const a of rest) {
        expect(p.lines.find((l) => l.id === a.id)!.outcome).toBe('unplaceable')
        expect(now.has(a.id)).toBe(false)
      }
      // This scenario exercises all three outcomes.
      expect([p.moved, p.offered, p.unplaceable].every((n) => n > 0)).toBe(true)
      // Everything the absence did not touch is as it was.
      for (const a of before.filter((x) => !hit.includes(x))) expect(now.get(a.id)).toEqual(a)
      expect(p.holdsDropped).toBe(0)
      expect(p.offersWithdrawn).toBe(0)
    } finally {
      s.close()
    }
  })

  it('moves the clock first with --now and prints the ChangeResult with --json (a byte-order mark is skipped)', async () => {
    const { journal, seq } = bookedJournal()
    const now = '2026-06-01T16:00:00+02:00'
    // Written by an editor that puts a byte-order mark first.
    const withBom = file('sick-bom.json', '\ufeff' + fs.readFileSync(sickCall, 'utf8'))
    const r = await run(['change', journal, withBom, '--scenario', scenarioFile, '--now', now, '--json'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const res = JSON.parse(r.out)
    expect(Object.keys(res).sort()).toEqual(['affected', 'exact', 'holdsDropped', 'index', 'moved', 'name', 'offered', 'offersWithdrawn', 'outcomes', 'scenarioHash', 'unplaceable'])
    expect(res).toMatchObject({ index: 0, name: 'sick call', affected: 4 })
    expect(res.outcomes).toHaveLength(4)
    const s = reopen(journal)
    try {
      expect(s.seq()).toBe(seq + 2) // setNow, applyChange
      expect(Date.parse(s.now())).toBe(Date.parse(now))
      const offers = s.offers()
      for (const o of res.outcomes.filter((x: { outcome: string }) => x.outcome === 'offered')) expect(offers.some((x) => x.id === o.offerId)).toBe(true)
      for (const o of res.outcomes.filter((x: { outcome: string }) => x.outcome === 'moved'))
        expect(s.appointments().find((a) => a.id === o.appointmentId)?.staffId).toBe(o.staffId)
    } finally {
      s.close()
    }
  })

  it('rejects a bad change file with paths into it, exit 1 and the journal unchanged', async () => {
    const { journal, seq } = bookedJournal()
    const files = contents(journal)
    const cases: [string, string, RegExp][] = [
      ['unknown-staff.json', JSON.stringify({ name: 'sick call', changes: [{ kind: 'absence', staff: 'nobody', ...ABSENCE }] }), /^\$\.changes\[0\]\.staff: unknown staff member "nobody"$/m],
      ['empty-range.json', JSON.stringify({ name: 'sick call', changes: [{ kind: 'absence', staff: 'ana', from: ABSENCE.to, to: ABSENCE.from }] }), /^\$\.changes\[0\]\.to: /m],
      ['bad-kind.json', JSON.stringify({ name: 'sick call', changes: [{ kind: 'absense', staff: 'ana', ...ABSENCE }] }), /^\$\.changes\[0\]\.kind: /m],
      ['no-changes.json', JSON.stringify({ name: 'sick call', changes: [] }), /^\$\.changes: /m],
      ['not-json.json', '{ "name": ', /^\$: not valid JSON/m],
      // Valid on its own, but the roster it gives overlaps itself: a path into that scenario, said so.
      [
        'overlapping-roster.json',
        JSON.stringify({ name: 'roster', changes: [{ kind: 'shifts', staff: 'ana', from: '2026-06-03', shifts: [{ weekdays: WEEK, from: '08:00', to: '11:00' }, { weekdays: WEEK, from: '10:00', to: '12:00' }] }] }),
        /^\$\.staff\[0\]\.shifts\[\d\]: in the scenario after this change: overlaps shift/m,
      ],
    ]
    for (const [name, text, expected] of cases) {
      // With --now too: the clock must not move for a change that is rejected.
      for (const extra of [[], ['--now', '2026-06-01T16:00:00+02:00']]) {
        const r = await run(['change', journal, file(name, text), '--scenario', scenarioFile, ...extra])
        expect(r.code, name).toBe(1)
        expect(r.out).toBe('')
        expect(r.err, name).toMatch(expected)
        expect(r.err.trim().split('\n').every((l) => /^\$[^ ]*: /.test(l)), r.err).toBe(true)
        expect(r.err).not.toMatch(/\n\s+at /)
      }
    }
    const missing = await run(['change', journal, path.join(dir, 'missing.json'), '--scenario', scenarioFile])
    expect(missing.code).toBe(1)
    expect(missing.err).toMatch(/^\$\.change: cannot read/)
    expect(contents(journal)).toEqual(files)
    const s = reopen(journal)
    try {
      expect(s.seq()).toBe(seq)
      expect(s.changes()).toEqual([])
    } finally {
      s.close()
    }
  })

  it('needs the scenario the journal was made of, and an existing journal', async () => {
    const { journal, seq } = bookedJournal()
    const files = contents(journal)
    const noScenario = await run(['change', journal, sickCall])
    expect(noScenario.code).toBe(2)
    expect(noScenario.err).toMatch(/--scenario/)
    const other = file('other.json', JSON.stringify({ ...JSON.parse(fs.readFileSync(scenarioFile, 'utf8')), horizon: { start: '2026-06-01', days: 4 } }))
    const wrong = await run(['change', journal, sickCall, '--scenario', other])
    expect(wrong.code).toBe(1)
    expect(wrong.err).toMatch(/^\$\.scenarioHash: the snapshot was taken of a different scenario$/m)
    const badNow = await run(['change', journal, sickCall, '--scenario', scenarioFile, '--now', 'tomorrow'])
    expect(badNow.code).toBe(2)
    expect(badNow.err).toMatch(/^\$\.now: /)
    const back = await run(['change', journal, sickCall, '--scenario', scenarioFile, '--now', '2026-05-31T12:00:00+02:00'])
    expect(back.code).toBe(1)
    expect(back.err).toMatch(/^\$\.now: the clock cannot go back/)
    expect(contents(journal)).toEqual(files)
    expect(fs.existsSync(path.join(journal, 'LOCK'))).toBe(false)

    const nowhere = path.join(dir, 'no-journal-here')
    const none = await run(['change', nowhere, sickCall, '--scenario', scenarioFile])
    expect(none.code).toBe(1)
    expect(none.err).toMatch(/^\$\.journal: /)
    expect(fs.existsSync(nowhere)).toBe(false) // not created
    fs.mkdirSync(nowhere)
    expect((await run(['change', nowhere, sickCall, '--scenario', scenarioFile])).err).toMatch(/^\$\.journal: .*not a journal/)
    expect(fs.readdirSync(nowhere)).toEqual([])

    // Open elsewhere (here: in this process): CONFLICT, nothing written.
    const s = reopen(journal)
    try {
      const busy = await run(['change', journal, sickCall, '--scenario', scenarioFile])
      expect(busy.code).toBe(1)
      expect(busy.err).toMatch(/^\$\.journal: the journal .* is open/)
      expect(s.seq()).toBe(seq)
    } finally {
      s.close()
    }
    expect(contents(journal)).toEqual(files)
  })
})
