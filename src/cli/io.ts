/**
 * The CLI's edge: files and the built-in example. Nothing below cli/ reads files. Inputs are held
 * to the limits (src/model/limits.ts), which the environment variable TERMINPLAN_LIMITS can change.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { TerminplanError } from '../model/errors.js'
import { parseScenarioJson } from '../model/load.js'
import { limitError, limitIssue, parseLimitsSpec, resolveLimits, type InputLimits } from '../model/limits.js'
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

/** The limits the command line works with: the defaults, changed by TERMINPLAN_LIMITS. */
export function cliLimits(env: NodeJS.ProcessEnv = process.env): InputLimits {
  return resolveLimits(parseLimitsSpec(env.TERMINPLAN_LIMITS))
}

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`

/**
 * Reads a file of at most `limits.fileBytes` bytes (after unpacking gzip, which is detected by its
 * magic bytes), as UTF-8. The size is checked before reading, and unpacking stops at the limit,
 * so neither a huge file nor a small gzip bomb is ever held in memory. UTF-16 text is refused
 * with a clear message; a UTF-8 byte-order mark is left for the JSON reader to skip.
 */
export function readLimitedText(path: string, display: string, limits: InputLimits, issuePath = '$'): string {
  const ioFail = (message: string, e?: unknown): never => {
    const code = (e as NodeJS.ErrnoException | undefined)?.code ?? (e as Error | undefined)?.message
    throw new TerminplanError('IO_FAILED', `${message}${code ? `: ${code}` : ''}`, [{ path: issuePath, code: 'io_failed', message: code ? `${message} (${code})` : message }])
  }
  let size: number
  try {
    const st = statSync(path)
    if (st.isDirectory()) ioFail(`cannot read ${display}: it is a directory`)
    size = st.size
  } catch (e) {
    if (e instanceof TerminplanError) throw e
    return ioFail(`cannot read ${display}`, e)
  }
  const tooLarge = (what: string) => limitError([limitIssue(issuePath, 'fileBytes', what, limits.fileBytes)])
  if (size > limits.fileBytes) throw tooLarge(`the file ${display} (${bytes(size)})`)
  let buf: Buffer
  try {
    buf = readFileSync(path)
  } catch (e) {
    return ioFail(`cannot read ${display}`, e)
  }
  if (buf.length > limits.fileBytes) throw tooLarge(`the file ${display} (${bytes(buf.length)})`)
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: Math.min(limits.fileBytes + 1, 2 ** 31 - 1) })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(`the file ${display} unpacked (more than ${bytes(limits.fileBytes)})`)
      return ioFail(`cannot unpack ${display}: not a valid gzip file`)
    }
    if (buf.length > limits.fileBytes) throw tooLarge(`the file ${display} unpacked (${bytes(buf.length)})`)
  }
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))
    throw new TerminplanError('IO_FAILED', `${display} is UTF-16 text`, [{ path: issuePath, code: 'invalid_encoding', message: `${display} is UTF-16 text; save it as UTF-8` }])
  return buf.toString('utf8')
}

/** Reads raw text of a scenario argument: a built-in name or a path (`.json` or `.json.gz`). */
export function readScenarioText(arg: string, limits: InputLimits = cliLimits()): string {
  const path = (BUILTIN_SCENARIOS as readonly string[]).includes(arg) ? builtinScenarioPath(arg) : resolve(arg)
  return readLimitedText(path, arg, limits)
}

export function readScenario(arg: string): Scenario {
  const limits = cliLimits()
  return parseScenarioJson(readScenarioText(arg, limits), { limits })
}
