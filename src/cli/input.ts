/** Reading and writing the adapter commands' files (`.gz` inputs are unpacked); I/O errors are typed. */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { TerminplanError } from '../model/errors.js'
import { cliLimits, readLimitedText } from './io.js'

/** Reads an adapter command's input file, held to the same size limit as scenario files. */
export function readTextInput(path: string, what: string): string {
  return readLimitedText(resolve(path), path, cliLimits(), `$.${what}`)
}

export function readJsonInput(path: string, what: string): unknown {
  const text = readTextInput(path, what)
  try {
    // A UTF-8 byte-order mark is not JSON, but editors write one: skip it, as the scenario reader does.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (e) {
    throw new TerminplanError('IO_FAILED', `${path} is not JSON`, [{ path: `$.${what}`, code: 'invalid_json', message: `${path}: not valid JSON (${(e as Error).message})` }])
  }
}

/** Writes to `file`, or to stdout when there is none. */
export function writeOutput(file: string | undefined, text: string, stdout: (s: string) => void): void {
  if (!file) {
    stdout(text.endsWith('\n') ? text : `${text}\n`)
    return
  }
  try {
    writeFileSync(resolve(file), text)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new TerminplanError('IO_FAILED', `cannot write ${file}: ${code}`, [{ path: '$.output', code: 'io_failed', message: `cannot write ${file} (${code})` }])
  }
}

export function usage(option: string, message: string): never {
  throw new TerminplanError('USAGE', `${option}: ${message}`, [{ path: `$.${option.replace(/^-+/, '')}`, code: 'invalid_option', message: `${option}: ${message}` }])
}
