/**
 * Bad input, from the library and from the command line: every case of the corpora (see
 * scenario-corpus.ts and command-corpus.ts) ends in a TerminplanError with its exact code and
 * (issue code, path) list — never another exception, a hang, a polluted prototype or, for a
 * command, any change of the scheduler (snapshot, stats, events, notifications). The command line
 * prints one `path: message` line per issue and exits 1, without a stack trace unless --debug, and
 * exits 2 on usage errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { TerminplanError } from '../../src/model/errors.js'
import { loadScenario, parseScenarioJson } from '../../src/model/load.js'
import type { SchedulerEventName } from '../../src/solver/scheduler/index.js'
import { validScenario } from '../model/fixtures.js'
import { commandContext, commandCorpus } from './command-corpus.js'
import { scenarioCorpus, type ScenarioCase } from './scenario-corpus.js'

/** Generous: a case must finish, not be fast (the largest reads and parses 10 MB). */
const CASE_TIMEOUT_MS = 30_000

function thrownBy(f: () => unknown): TerminplanError {
  let thrown: unknown
  try {
    f()
  } catch (e) {
    thrown = e
  }
  if (thrown === undefined) throw new Error('expected a TerminplanError, nothing was thrown')
  if (!(thrown instanceof TerminplanError)) throw new Error(`expected a TerminplanError, got ${(thrown as Error)?.stack ?? String(thrown)}`)
  return thrown
}

const pairs = (e: TerminplanError) => e.issues.map((i) => [i.code, i.path])

function expectWellFormed(e: TerminplanError): void {
  expect(e.issues.length).toBeGreaterThan(0)
  for (const i of e.issues) {
    expect(i.message.length).toBeGreaterThan(0)
    // Nothing of a 10 MB input is echoed back.
    expect(i.message.length).toBeLessThan(1000)
    expect(i.path.length).toBeLessThan(1000)
    expect(i.path.startsWith('$')).toBe(true)
  }
  expect(e.message.length).toBeLessThan(2000)
}

function expectNoPollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false)
  expect(Object.getPrototypeOf({})).toBe(Object.prototype)
}

const loadCase = (c: ScenarioCase) => (c.text ? parseScenarioJson(c.text()) : loadScenario(c.value!()))

describe('the corpora', () => {
  it('hold at least 50 scenarios and 50 commands, each named once', () => {
    expect(scenarioCorpus.length).toBeGreaterThanOrEqual(50)
    expect(commandCorpus.length).toBeGreaterThanOrEqual(50)
    expect(new Set(scenarioCorpus.map((c) => c.name)).size).toBe(scenarioCorpus.length)
    expect(new Set(commandCorpus.map((c) => c.name)).size).toBe(commandCorpus.length)
  })

  it('start from a valid scenario, and a byte-order mark before it is accepted', () => {
    expect(() => loadScenario(validScenario())).not.toThrow()
    expect(parseScenarioJson(`\ufeff${JSON.stringify(validScenario())}`)).toEqual(loadScenario(validScenario()))
  })
})

describe('scenario corpus: loadScenario / parseScenarioJson', () => {
  it.each(scenarioCorpus.map((c) => [c.name, c] as const))(
    '%s',
    (_, c) => {
      const e = thrownBy(() => loadCase(c))
      expect(e.code).toBe(c.code)
      expect(pairs(e)).toEqual(c.issues)
      expectWellFormed(e)
      expectNoPollution()
    },
    CASE_TIMEOUT_MS,
  )
})

describe('scenario corpus: terminplan validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'terminplan-bad-'))
  const cliCases = scenarioCorpus.filter((c) => !c.apiOnly)

  async function run(args: string[]) {
    let out = '', err = ''
    const code = await runCli(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) })
    return { code, out, err }
  }

  it.each(cliCases.map((c, k) => [c.name, c, k] as const))(
    '%s',
    async (_, c, k) => {
      const text = c.text ? c.text() : JSON.stringify(c.value!())
      const file = join(dir, `case-${k}.json`)
      writeFileSync(file, text)
      // The library's error for the same text says what the command line must print.
      const expected = thrownBy(() => parseScenarioJson(text))
      expect(pairs(expected)).toEqual(c.issues)
      const r = await run(['validate', file])
      expect(r.code).toBe(1)
      expect(r.out).toBe('')
      expect(r.err).toBe(expected.issues.map((i) => `${i.path}: ${i.message}\n`).join(''))
      expect(r.err).not.toMatch(/^\s+at /m)
      if (c.code === 'LIMIT_EXCEEDED') expect(r.err).toMatch(/TERMINPLAN_LIMITS=/)
      const d = await run(['--debug', 'validate', file])
      expect(d.code).toBe(1)
      expect(d.err.startsWith(r.err)).toBe(true)
      expect(d.err).toMatch(/^\s+at /m)
      expectNoPollution()
    },
    CASE_TIMEOUT_MS,
  )

  it.each([
    ['an unknown option', ['validate', '--strict', 'x.json']],
    ['a missing argument', ['validate']],
    ['an unknown command', ['frobnicate', 'x.json']],
    ['an unknown global option', ['--verbose', 'validate', 'x.json']],
    ['too many arguments', ['validate', 'a.json', 'b.json']],
    ['a bad option value', ['plan', 'berlin', '--time-limit', 'soon']],
  ])('exits 2 on a usage error: %s', async (_, args) => {
    const r = await run(args)
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err.length).toBeGreaterThan(0)
    expect(r.err).not.toMatch(/^\s+at /m)
  })

  it('reports an output file it cannot write as an I/O problem at $.output (match --json, plan --json)', async () => {
    const file = join(dir, 'fixture.json')
    writeFileSync(file, JSON.stringify(validScenario()))
    for (const args of [['match', file, '--backend', 'none'], ['plan', file, '--days', '2']]) {
      const r = await run([...args, '--json', join(dir, 'no-such-dir', 'out.json')])
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/^\$\.output: cannot write .*out\.json \(ENOENT\)\n$/)
    }
  }, CASE_TIMEOUT_MS)

  it('reports a missing file, a directory, a broken gzip file and UTF-16 text as I/O problems at $', async () => {
    const gz = join(dir, 'broken.json.gz')
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]))
    const utf16 = join(dir, 'utf16.json')
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(validScenario()), 'utf16le')]))
    for (const [file, re] of [
      [join(dir, 'missing.json'), /^\$: cannot read .*missing\.json \(ENOENT\)\n$/],
      [dir, /^\$: cannot read .*: it is a directory\n$/],
      [gz, /^\$: cannot unpack .*broken\.json\.gz: not a valid gzip file\n$/],
      [utf16, /^\$: .*utf16\.json is UTF-16 text; save it as UTF-8\n$/],
    ] as const) {
      const r = await run(['validate', file])
      expect(r.code).toBe(1)
      expect(r.err).toMatch(re)
    }
  })
})

describe('command corpus: a rejected command changes nothing', () => {
  const EVENTS: SchedulerEventName[] = [
    'held', 'confirmed', 'cancelled', 'expired', 'freed', 'offer', 'offerAccepted', 'offerDeclined',
    'offerExpired', 'offerWithdrawn', 'waitlistJoined', 'waitlistLeft', 'notificationFailed',
  ]

  it('the context holds a hold, an appointment, an offer and a free slot', () => {
    const c = commandContext()
    expect(c.s.holds().map((h) => h.id)).toEqual([c.holdId])
    expect(c.s.appointments().map((a) => a.id)).toContain(c.appointmentId)
    expect(c.s.offers().map((o) => o.id)).toEqual([c.offerId])
    expect(c.s.waitlist().map((w) => [w.id, w.state])).toEqual([[c.entryId, 'offered']])
    expect(() => c.s.search({ services: ['registration'], offices: ['spandau'], limit: 1 })).not.toThrow()
  })

  it.each(commandCorpus.map((c) => [c.name, c] as const))(
    '%s',
    (_, c) => {
      const ctx = commandContext()
      const events: string[] = []
      for (const name of EVENTS) ctx.s.on(name, () => void events.push(name))
      const before = JSON.stringify(ctx.s.snapshot())
      const stats = JSON.stringify(ctx.s.stats())
      const views = JSON.stringify([ctx.s.holds(), ctx.s.appointments(), ctx.s.offers(), ctx.s.waitlist(), ctx.s.now()])
      const e = thrownBy(() => c.run(ctx))
      expect(e.code).toBe(c.code)
      expect(pairs(e)).toEqual(c.issues)
      expectWellFormed(e)
      expect(JSON.stringify(ctx.s.snapshot())).toBe(before)
      expect(JSON.stringify(ctx.s.stats())).toBe(stats)
      expect(JSON.stringify([ctx.s.holds(), ctx.s.appointments(), ctx.s.offers(), ctx.s.waitlist(), ctx.s.now()])).toBe(views)
      expect(events).toEqual([])
      expect(ctx.sent).toEqual([])
      expectNoPollution()
      // And the scheduler still works: the free slot can be held.
      expect(ctx.s.hold(ctx.freeSlot, { citizenId: 'c-after' }).slot).toEqual(ctx.freeSlot)
    },
    CASE_TIMEOUT_MS,
  )
})
