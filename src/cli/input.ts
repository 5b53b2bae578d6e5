/** Reading and writing the adapter commands' files (`.gz` inputs are unpacked); I/O errors are typed. */
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { TerminplanError } from '../model/errors.js'

export function readTextInput(path: string, what: string): string {
  let buf: Buffer
  try {
    buf = readFileSync(resolve(path))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new TerminplanError('IO_FAILED', `cannot read ${what} ${path}: ${code}`, [{ path: `$.${what}`, code: 'io_failed', message: `cannot read ${path} (${code})` }])
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf)
    } catch {
      throw new TerminplanError('IO_FAILED', `cannot unpack ${path}`, [{ path: `$.${what}`, code: 'io_failed', message: `${path} is not a valid gzip file` }])
    }
  }
  return buf.toString('utf8')
}

export function readJsonInput(path: string, what: string): unknown {
  const text = readTextInput(path, what)
  try {
    return JSON.parse(text)
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
