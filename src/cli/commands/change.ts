/**
 * `terminplan change <journal-dir> <change.json>`: a live change (a sick call, a new roster, a
 * closure, … — the overlay change kinds) applied to a journaled scheduler. Opens the journal
 * (recovering it) on the scenario it was created from, optionally moves the clock (--now), applies
 * the change, closes the journal, and prints what happened to the bookings: ids only.
 *
 * A change that the engine would reject is rejected before anything is journaled, so a bad file
 * leaves the journal as it was — also with --now: the change is checked against the scenario in
 * force before the clock moves.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { openScheduler, type JournaledScheduler } from '../../adapters/journal/index.js'
import { listJournal } from '../../adapters/journal/journal.js'
import { TerminplanError } from '../../model/errors.js'
import { applyOverlay, parseOverlay, parseOverlayJson, type Overlay, type OverlayInput } from '../../model/overlay.js'
import type { Scenario } from '../../model/schema.js'
import { parseInstant } from '../../model/tz.js'
import type { ChangeResult } from '../../solver/scheduler/index.js'
import { readScenario } from '../io.js'
import { readTextInput, usage } from '../input.js'
import type { CliIo, RegisterCommand } from '../program.js'

interface ChangeCliOptions {
  scenario: string
  now?: string
  json?: boolean
}

/** The journal must exist: `change` never starts a new one (openScheduler would). */
function checkJournal(dir: string): void {
  const abs = resolve(dir)
  const missing = (why: string): never => {
    throw new TerminplanError('NOT_FOUND', `${dir}: ${why}`, [{ path: '$.journal', code: 'no_journal', message: `${dir}: ${why}` }])
  }
  if (!existsSync(abs)) missing('no such directory')
  if (!statSync(abs).isDirectory()) missing('not a directory')
  const files = listJournal(abs)
  if (files.snapshots.length === 0 && files.journals.length === 0) missing('not a journal (no snapshot-*.json); create it with openScheduler or `terminplan serve --journal`')
}

/**
 * The scenario the change gives must be valid too (e.g. a new roster must not overlap itself);
 * those problems have paths into that scenario, not into the change file, and say so.
 */
function checkResult(current: Scenario, overlay: Overlay): void {
  try {
    applyOverlay(current, overlay)
  } catch (e) {
    if (!(e instanceof TerminplanError) || e.issues.every((i) => i.path.startsWith('$.changes'))) throw e
    throw new TerminplanError(e.code, e.message, e.issues.map((i) => (i.path.startsWith('$.changes') ? i : { ...i, message: `in the scenario after this change: ${i.message}` })))
  }
}

/** One summary line, then one line per affected appointment. */
export function formatChangeResult(r: ChangeResult): string {
  const lines = [
    `change ${r.index}: ${r.affected} affected: ${r.moved} moved to another staff member, ${r.offered} offered an alternative, ${r.unplaceable} unplaceable; ` +
      `${r.holdsDropped} holds dropped, ${r.offersWithdrawn} offers withdrawn${r.exact ? '' : ' (same-slot matching not exact)'}`,
  ]
  const w = Math.max(0, ...r.outcomes.map((o) => o.appointmentId.length))
  for (const o of r.outcomes) {
    const to = o.outcome === 'moved' ? `staff ${o.staffId}` : o.outcome === 'offered' ? `offer ${o.offerId}` : ''
    const entry = o.entryId !== undefined ? `${to ? '  ' : ''}waitlist ${o.entryId}` : ''
    lines.push(`${o.appointmentId.padEnd(w)}  ${o.outcome.padEnd(11)}  ${to}${entry}`.trimEnd())
  }
  return lines.join('\n') + '\n'
}

export const registerChange: RegisterCommand = (program: Command, io: CliIo) => {
  program
    .command('change')
    .description('apply a live change (sick call, roster, closure, …) to a journaled scheduler and print what moved')
    .argument('<journal-dir>', 'journal directory (as written by openScheduler or `terminplan serve --journal`)')
    .argument('<change>', 'change JSON file: { "name": …, "changes": [{ "kind": "absence", "staff": …, "from": …, "to": … }, …] }')
    .requiredOption('--scenario <scenario>', 'the scenario the journal was created from (file or "berlin")')
    .option('--now <iso>', "move the journal's clock to this time first (ISO 8601 with offset)")
    .option('--json', 'print the change result as JSON instead of the summary')
    .action((dir: string, file: string, opts: ChangeCliOptions) => {
      if (opts.now !== undefined && parseInstant(opts.now) === null) usage('--now', `must be an ISO 8601 date-time with offset, got ${opts.now}`)
      const scenario = readScenario(opts.scenario)
      const text = readTextInput(file, 'change')
      // A byte-order mark is not JSON, but editors write one (as readJsonInput skips it).
      const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
      parseOverlayJson(body, file) // the shape, before the journal is opened
      const input = JSON.parse(body) as OverlayInput
      checkJournal(dir)
      let s: JournaledScheduler | undefined
      let result: ChangeResult
      try {
        // `now` applies to a new journal only, and checkJournal made sure there is one already.
        s = openScheduler({ scenario, journal: dir, now: opts.now ?? Date.now() })
        // Every reference and the resulting scenario are checked against the scenario in force
        // (after the journal's earlier changes) before the clock moves and anything is written.
        checkResult(s.model.scenario, parseOverlay(input, file, s.model.scenario))
        if (opts.now !== undefined) s.setNow(opts.now)
        result = s.applyChange(input)
      } finally {
        s?.close()
      }
      io.stdout(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatChangeResult(result))
    })
}
