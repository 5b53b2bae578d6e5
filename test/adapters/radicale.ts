/**
 * A real CalDAV server for the tests: Radicale (Debian package `radicale`), started on 127.0.0.1
 * with a free port, a temporary storage folder, htpasswd authentication and no other config,
 * stopped (by its process id) afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function radicaleAvailable(): boolean {
  const r = spawnSync('radicale', ['--version'], { encoding: 'utf8' })
  return r.status === 0
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export interface Radicale {
  url: string
  port: number
  dir: string
  /** Everything the server wrote to stdout/stderr (for checks that it logged no secrets). */
  log(): string
  stop(): Promise<void>
}

export async function startRadicale(users: Record<string, string>): Promise<Radicale> {
  const dir = mkdtempSync(join(tmpdir(), 'terminplan-radicale-'))
  writeFileSync(join(dir, 'users'), Object.entries(users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n', { mode: 0o600 })
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    writeFileSync(
      join(dir, 'config'),
      [
        '[server]',
        `hosts = 127.0.0.1:${port}`,
        '[auth]',
        'type = htpasswd',
        `htpasswd_filename = ${join(dir, 'users')}`,
        'htpasswd_encryption = plain',
        'delay = 0',
        '[rights]',
        'type = owner_only',
        '[storage]',
        `filesystem_folder = ${join(dir, 'collections')}`,
        '[web]',
        'type = none',
        '[logging]',
        'level = info',
        'mask_passwords = True',
        '',
      ].join('\n'),
    )
    let output = ''
    const child: ChildProcess = spawn('radicale', ['-C', join(dir, 'config')], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const url = `http://127.0.0.1:${port}/`
    const deadline = Date.now() + 15_000
    let up = false
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        await fetch(url, { method: 'OPTIONS' })
        up = true
        break
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    if (up) {
      return {
        url,
        port,
        dir,
        log: () => output,
        stop: async () => {
          if (child.exitCode === null && child.pid !== undefined) {
            process.kill(child.pid, 'SIGTERM')
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
            if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL')
          }
          rmSync(dir, { recursive: true, force: true })
        },
      }
    }
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    lastError = new Error(`radicale did not start on port ${port}: ${output.slice(-2000)}`)
  }
  rmSync(dir, { recursive: true, force: true })
  throw lastError
}
