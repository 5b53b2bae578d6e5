/** The CLI's edge: files and the built-in example. Nothing below cli/ reads files. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { TerminplanError } from '../model/errors.js'
import { parseScenarioJson } from '../model/load.js'
import type { Scenario } from '../model/schema.js'

export const BUILTIN_SCENARIOS = ['berlin'] as const

/** Finds the repository/package root from this module (src/cli or dist/cli). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    if (existsSync(resolve(dir, 'package.json'))) return dir
    dir = dirname(dir)
  }
  throw new TerminplanError('IO_FAILED', 'cannot find the terminplan package root')
}

export function builtinScenarioPath(name: string): string {
  return resolve(packageRoot(), 'examples', name, 'scenario.json')
}

/** Reads raw text of a scenario argument: a built-in name or a path (`.json` or `.json.gz`). */
export function readScenarioText(arg: string): string {
  const path = (BUILTIN_SCENARIOS as readonly string[]).includes(arg) ? builtinScenarioPath(arg) : resolve(arg)
  let buf: Buffer
  try {
    buf = readFileSync(path)
  } catch (e) {
    throw new TerminplanError('IO_FAILED', `cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, [
      { path: '$', code: 'io_failed', message: `cannot read ${arg}` },
    ])
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf)
  return buf.toString('utf8')
}

export function readScenario(arg: string): Scenario {
  return parseScenarioJson(readScenarioText(arg))
}
