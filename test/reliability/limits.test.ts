/**
 * Input limits (src/model/limits.ts): each one refuses an input just above it with
 * LIMIT_EXCEEDED at the path of the offending part and a message that names the limit and how to
 * raise it, accepts the input once raised, and is configurable through `loadScenario`,
 * `parseScenarioJson`, `createScheduler` and, on the command line, TERMINPLAN_LIMITS.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { TerminplanError } from '../../src/model/errors.js'
import { DEFAULT_LIMITS, parseLimitsSpec, resolveLimits, type InputLimits } from '../../src/model/limits.js'
import { loadScenario, parseScenarioJson } from '../../src/model/load.js'
import { createScheduler, restoreScheduler } from '../../src/solver/scheduler/index.js'
import { validScenario, type Loose } from '../model/fixtures.js'

function thrownBy(f: () => unknown): TerminplanError {
  try {
    f()
  } catch (e) {
    if (e instanceof TerminplanError) return e
    throw new Error(`expected a TerminplanError, got ${(e as Error)?.stack ?? String(e)}`)
  }
  throw new Error('expected a TerminplanError, nothing was thrown')
}

const pairs = (e: TerminplanError) => e.issues.map((i) => [i.code, i.path])

const dir = mkdtempSync(join(tmpdir(), 'terminplan-limits-'))
async function run(args: string[]) {
  let out = '', err = ''
  const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
  return { code, out, err }
}

afterEach(() => {
  delete process.env.TERMINPLAN_LIMITS
})

describe('defaults', () => {
  it('are far above a real city and documented in one place', () => {
    expect(DEFAULT_LIMITS).toEqual({
      offices: 5_000,
      staff: 50_000,
      horizonDays: 731,
      waitlistSize: 100_000,
      demandRows: 500_000,
      appointments: 2_000_000,
      stringLength: 1_000_000,
      depth: 64,
      fileBytes: 64 * 1024 * 1024,
    })
    expect(resolveLimits(undefined)).toEqual(DEFAULT_LIMITS)
    expect(resolveLimits({ offices: 7 })).toEqual({ ...DEFAULT_LIMITS, offices: 7 })
  })

  it('accept the Berlin example as it is', async () => {
    const r = await run(['validate', 'berlin'])
    expect(r.code).toBe(0)
  })
})

/** One scenario limit: the fixture changed so that it is `over` the limit `value`, at `path`. */
interface LimitCase {
  name: keyof InputLimits
  value: number
  input: () => Loose
  path: string
  /** The smallest value that accepts the input. */
  enough: number
}

const cases: LimitCase[] = [
  { name: 'offices', value: 1, input: () => validScenario(), path: '$.offices', enough: 2 },
  { name: 'staff', value: 1, input: () => validScenario(), path: '$.staff', enough: 2 },
  { name: 'horizonDays', value: 13, input: () => validScenario(), path: '$.horizon.days', enough: 14 },
  {
    name: 'waitlistSize',
    value: 1,
    input: () => {
      const s: Loose = validScenario()
      s.waitlist.push({ ...structuredClone(s.waitlist[0]), id: 'w2', citizenId: 'c3' })
      return s
    },
    path: '$.waitlist',
    enough: 2,
  },
  { name: 'demandRows', value: 1, input: () => validScenario(), path: '$.demand', enough: 2 },
  {
    name: 'appointments',
    value: 1,
    input: () => {
      const s: Loose = validScenario()
      s.appointments.push({ id: 'a2', office: 'spandau', start: '2026-03-03T10:00:00+01:00', services: ['registration'] })
      return s
    },
    path: '$.appointments',
    enough: 2,
  },
  {
    name: 'stringLength',
    value: 100,
    input: () => {
      const s: Loose = validScenario()
      s.meta = { source: 'x'.repeat(101) }
      return s
    },
    path: '$.meta.source',
    enough: 101,
  },
  // The fixture nests 7 deep: $.staff[0].shifts[0].breaks[0] is an object at depth 7 (ben's break, the other one, is dropped).
  {
    name: 'depth',
    value: 6,
    input: () => {
      const s: Loose = validScenario()
      s.staff[1].shifts[1].breaks = []
      return s
    },
    path: '$.staff[0].shifts[0].breaks[0]',
    enough: 7,
  },
]

describe.each(cases.map((c) => [c.name, c] as const))('limits.%s', (name, c) => {
  it('refuses an input just above it, at the path, naming the limit and how to raise it', () => {
    const e = thrownBy(() => loadScenario(c.input(), { limits: { [name]: c.value } }))
    expect(e.code).toBe('LIMIT_EXCEEDED')
    expect(pairs(e)).toEqual([['limit_exceeded', c.path]])
    expect(e.issues[0].message).toMatch(new RegExp(`exceeds the limit of ${c.value.toLocaleString('en-US')} \\(limits\\.${name}\\); raise it with the option limits\\.${name} \\(command line: TERMINPLAN_LIMITS=${name}=<n>\\)$`))
    expect(e.message).toBe(`input too large: ${c.path}: ${e.issues[0].message}`)
  })

  it('accepts it when raised, through loadScenario and parseScenarioJson', () => {
    expect(() => loadScenario(c.input(), { limits: { [name]: c.enough } })).not.toThrow()
    expect(() => parseScenarioJson(JSON.stringify(c.input()), { limits: { [name]: c.enough } })).not.toThrow()
    expect(() => parseScenarioJson(JSON.stringify(c.input()), { limits: { [name]: c.value } })).toThrow(TerminplanError)
  })

  it('is set on the command line by TERMINPLAN_LIMITS', async () => {
    const file = join(dir, `${name}.json`)
    writeFileSync(file, JSON.stringify(c.input()))
    process.env.TERMINPLAN_LIMITS = `${name}=${c.value}`
    const r = await run(['validate', file])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(new RegExp(`^${c.path.replace(/[$.[\]]/g, '\\$&')}: .*limits\\.${name}.*TERMINPLAN_LIMITS=${name}=<n>`))
    process.env.TERMINPLAN_LIMITS = `${name}=${c.enough}`
    expect((await run(['validate', file])).code).toBe(0)
  })
})

describe('limits across the board', () => {
  it('reports every list over its limit at once, before validating anything', () => {
    const s: Loose = validScenario()
    s.horizon.start = '2026-02-30' // would be a validation problem, but the sizes come first
    const e = thrownBy(() => loadScenario(s, { limits: { offices: 1, staff: 1, demandRows: 1, horizonDays: 2 } }))
    expect(e.code).toBe('LIMIT_EXCEEDED')
    expect(pairs(e)).toEqual([
      ['limit_exceeded', '$.offices'],
      ['limit_exceeded', '$.staff'],
      ['limit_exceeded', '$.demand'],
      ['limit_exceeded', '$.horizon.days'],
    ])
  })

  it('horizonDays can lower the schema bound of 731 days, not raise it', () => {
    const s: Loose = validScenario()
    s.horizon.days = 800
    expect(pairs(thrownBy(() => loadScenario(s, { limits: { horizonDays: 1000 } })))).toEqual([['too_big', '$.horizon.days']])
  })

  it('parseScenarioJson refuses text longer than limits.fileBytes unparsed', () => {
    const text = JSON.stringify(validScenario())
    const e = thrownBy(() => parseScenarioJson(text, { limits: { fileBytes: 100 } }))
    expect(e.code).toBe('LIMIT_EXCEEDED')
    expect(pairs(e)).toEqual([['limit_exceeded', '$']])
    expect(e.issues[0].message).toMatch(/^a text of [\d,]+ characters exceeds the limit of 100 \(limits\.fileBytes\)/)
    expect(() => parseScenarioJson(text, { limits: { fileBytes: text.length } })).not.toThrow()
  })

  it('Infinity switches a limit off; anything but a whole number ≥ 1 is refused with a path', () => {
    expect(() => loadScenario(validScenario(), { limits: { depth: Infinity } })).not.toThrow()
    for (const [limits, issue] of [
      [{ offices: 0 }, ['invalid_limit', '$.limits.offices']],
      [{ staff: 1.5 }, ['invalid_limit', '$.limits.staff']],
      [{ depth: NaN }, ['invalid_limit', '$.limits.depth']],
      [{ fileBytes: '64MB' }, ['invalid_limit', '$.limits.fileBytes']],
      [{ ofices: 3 }, ['unknown_field', '$.limits.ofices']],
    ] as const) {
      const e = thrownBy(() => loadScenario(validScenario(), { limits: limits as never }))
      expect(e.code).toBe('COMMAND_INVALID')
      expect(pairs(e)).toEqual([issue])
    }
  })

  it('TERMINPLAN_LIMITS reads name=value lists; a bad one is a usage error (exit 2)', async () => {
    expect(parseLimitsSpec('offices=20_000, staff = 3,depth=Infinity')).toEqual({ offices: 20_000, staff: 3, depth: Infinity })
    expect(parseLimitsSpec(undefined)).toEqual({})
    expect(parseLimitsSpec(' ')).toEqual({})
    for (const spec of ['offices', 'offices=0', 'officez=3', 'offices=3=4', 'offices=lots']) {
      process.env.TERMINPLAN_LIMITS = spec
      const r = await run(['validate', 'berlin'])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/^\$\.TERMINPLAN_LIMITS: cannot read "/)
    }
  })
})

describe('limits.fileBytes on the command line', () => {
  const text = JSON.stringify(validScenario())
  const plain = join(dir, 'plain.json')
  const packed = join(dir, 'packed.json.gz')
  const bomb = join(dir, 'bomb.json.gz')
  writeFileSync(plain, text)
  writeFileSync(packed, gzipSync(text))
  // 8 MB of spaces pack into a few kilobytes.
  writeFileSync(bomb, gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)))

  it('refuses a file larger than the limit before reading it', async () => {
    process.env.TERMINPLAN_LIMITS = 'fileBytes=100'
    const r = await run(['validate', plain])
    expect(r.code).toBe(1)
    expect(r.err).toBe(`$: the file ${plain} (${Buffer.byteLength(text).toLocaleString('en-US')} bytes) exceeds the limit of 100 (limits.fileBytes); raise it with the option limits.fileBytes (command line: TERMINPLAN_LIMITS=fileBytes=<n>)\n`)
  })

  it('stops unpacking a gzip file at the limit (a small file that unpacks to 8 MB)', async () => {
    process.env.TERMINPLAN_LIMITS = 'fileBytes=1000000'
    const r = await run(['validate', bomb])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^\$: the file .*bomb\.json\.gz unpacked \(more than 1,000,000 bytes\) exceeds the limit of 1,000,000 \(limits\.fileBytes\)/)
    const ok = await run(['validate', packed])
    expect(ok.code).toBe(0)
  })

  it('holds for the adapter commands’ input files too', async () => {
    const ics = join(dir, 'p1.ics')
    writeFileSync(ics, 'BEGIN:VCALENDAR\r\n' + 'X-PAD:0123456789\r\n'.repeat(20) + 'END:VCALENDAR\r\n')
    process.env.TERMINPLAN_LIMITS = 'fileBytes=100'
    const r = await run(['ics', 'import', ics, '--staff', 'p1', '--from', '2027-03-22', '--to', '2027-03-28'])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^\$\.ics: the file .*p1\.ics \([\d,]+ bytes\) exceeds the limit of 100 \(limits\.fileBytes\)/)
  })
})

describe('limits.waitlistSize in a scheduler', () => {
  const NOW = '2026-03-02T07:00:00+01:00'

  it('refuses a join beyond it with LIMIT_EXCEEDED at $, changing nothing; a leave makes room again', () => {
    const s = createScheduler(loadScenario(validScenario()), { now: NOW, limits: { waitlistSize: 2 } })
    s.joinWaitlist({ citizenId: 'c9', services: ['passport'] })
    expect(s.waitlist()).toHaveLength(2)
    const before = JSON.stringify(s.snapshot())
    const e = thrownBy(() => s.joinWaitlist({ citizenId: 'c10', services: ['passport'] }))
    expect(e.code).toBe('LIMIT_EXCEEDED')
    expect(pairs(e)).toEqual([['limit_exceeded', '$']])
    expect(e.issues[0].message).toBe('the waitlist is full: 2 entries, the limit (limits.waitlistSize); raise it with the option limits.waitlistSize (command line: TERMINPLAN_LIMITS=waitlistSize=<n>)')
    expect(JSON.stringify(s.snapshot())).toBe(before)
    s.leaveWaitlist(s.waitlist().find((w) => w.citizenId === 'c9')!.id)
    expect(() => s.joinWaitlist({ citizenId: 'c10', services: ['passport'] })).not.toThrow()
  })

  it('counts live entries only: served ones free their place', () => {
    const s = createScheduler(loadScenario(validScenario()), { now: NOW, limits: { waitlistSize: 1 } })
    expect(thrownBy(() => s.joinWaitlist({ citizenId: 'c9', services: ['passport'] })).code).toBe('LIMIT_EXCEEDED')
    s.acceptOffer(s.offers()[0].id)
    expect(s.waitlist()).toHaveLength(0)
    expect(() => s.joinWaitlist({ citizenId: 'c9', services: ['passport'] })).not.toThrow()
  })

  it('refuses a scenario whose waitlist is over it, and is kept by restoreScheduler', () => {
    const scenario = loadScenario(validScenario())
    expect(() => createScheduler(scenario, { now: NOW, limits: { waitlistSize: Infinity } })).not.toThrow()
    const scenario2: Loose = validScenario()
    scenario2.waitlist.push({ ...structuredClone(scenario2.waitlist[0]), id: 'w2', citizenId: 'c3' })
    const two = loadScenario(scenario2)
    const over = thrownBy(() => createScheduler(two, { now: NOW, limits: { waitlistSize: 1 } }))
    expect(over.code).toBe('LIMIT_EXCEEDED')
    expect(pairs(over)).toEqual([['limit_exceeded', '$.waitlist']])
    const snap = createScheduler(two, { now: NOW }).snapshot()
    const restored = restoreScheduler(two, snap, { limits: { waitlistSize: 2 } })
    expect(thrownBy(() => restored.joinWaitlist({ citizenId: 'c9', services: ['passport'] })).code).toBe('LIMIT_EXCEEDED')
    expect(thrownBy(() => createScheduler(scenario, { now: NOW, limits: { waitlistSize: 0 } })).code).toBe('COMMAND_INVALID')
  })

  it('defaults to DEFAULT_LIMITS.waitlistSize', () => {
    const s = createScheduler(loadScenario(validScenario()), { now: NOW })
    expect((s as unknown as { waitlistLimit: number }).waitlistLimit).toBe(DEFAULT_LIMITS.waitlistSize)
  })
})
