/**
 * Where a worker thread's code is: the built `.js` next to the bundle, or — running from the
 * TypeScript sources (tsx, vitest) — the `.ts` file behind a two-line bootstrap that registers
 * tsx's loader in the worker first.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { TerminplanError } from '../../model/errors.js'

/** The ESM entry of tsx's loader API (dev-only: the sources run under tsx or vitest). */
function tsxEsmApi(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json')
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  return new URL(pkg.exports['./esm/api'].import.default, pathToFileURL(pkgPath)).href
}

/** `here`: the calling module's URL; `ts`: the worker's source relative to it; `built`: where the bundle may have put the built worker, relative to it. */
export function workerEntryFor(here: string, ts: string, built: string[]): { entry: URL | string; eval: boolean } {
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) {
    const api = tsxEsmApi(here)
    const worker = new URL(ts, here).href
    const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(worker)}) })`
    return { entry: code, eval: true }
  }
  for (const rel of built) {
    const url = new URL(rel, here)
    if (existsSync(fileURLToPath(url))) return { entry: url, eval: false }
  }
  throw new TerminplanError('IO_FAILED', `cannot find ${built[0]} next to ${fileURLToPath(here)}; was the package built?`)
}
