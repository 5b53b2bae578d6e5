/**
 * How the crash tests start their child: bundled with esbuild (vitest's own) into one file, so
 * that it starts in a fraction of tsx's time; TERMINPLAN_CRASH_TSX=1, or no esbuild, runs it with
 * `node --import tsx` instead.
 */
import * as path from 'node:path'

export async function childCommand(entry: string, workDir: string): Promise<string[]> {
  const tsx = [process.execPath, '--import', 'tsx', entry]
  if (process.env.TERMINPLAN_CRASH_TSX === '1') return tsx
  try {
    const name = 'esbuild'
    const esbuild = (await import(name)) as { build(o: Record<string, unknown>): Promise<unknown> }
    const out = path.join(workDir, `${path.basename(entry, '.ts')}.mjs`)
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' })
    return [process.execPath, out]
  } catch {
    return tsx // no esbuild: tsx it is
  }
}
