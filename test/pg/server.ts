/**
 * A real PostgreSQL server for the tests (Debian `postgresql`): initdb in a temporary directory,
 * started with pg_ctl on 127.0.0.1 with a free port and its unix socket in that directory, trust
 * authentication for the user `terminplan`; stopped (and the directory removed) by stop(), and on
 * process exit as a safety net. PostgreSQL refuses to run as root, so as root the server runs as
 * the `postgres` user the package creates.
 * Binaries: TERMINPLAN_PG_BIN, else `pg_config --bindir`'s, else the newest /usr/lib/postgresql/<v>/bin.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { freePort } from '../adapters/radicale.js'

function binDir(): string | null {
  const has = (d: string) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl'))
  const env = process.env.TERMINPLAN_PG_BIN
  if (env) return has(env) ? env : null
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  if (cfg.status === 0 && has(cfg.stdout.trim())) return cfg.stdout.trim()
  const root = '/usr/lib/postgresql'
  if (!fs.existsSync(root)) return null
  const versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
  for (const v of versions) if (has(path.join(root, v, 'bin'))) return path.join(root, v, 'bin')
  return null
}

/** The user to run the server as when we are root (uid, gid), or null. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const u = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
  if (u.status !== 0 || g.status !== 0) return null
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) }
}

/** Why the server cannot be started here, or null when it can. */
export function pgUnavailable(): string | null {
  const bin = binDir()
  if (!bin) return 'PostgreSQL server binaries not found (apt-get install postgresql, or set TERMINPLAN_PG_BIN)'
  if (process.getuid?.() === 0 && !runAs()) return 'running as root without a postgres user to run the server as'
  return null
}

export interface PgServer {
  /** postgres://terminplan@127.0.0.1:<port>/terminplan */
  url: string
  port: number
  dir: string
  /** A connection config for node-postgres. */
  config: { host: string; port: number; user: string; database: string }
  log(): string
  stop(): Promise<void>
}

export interface PgServerOptions {
  /** fsync on (real durability, for benchmarks); default off (tests: the kill is of a client, not the server). */
  fsync?: boolean
}

const running = new Set<() => void>()
const stopAll = () => {
  for (const stop of running) stop()
  running.clear()
}
process.once('exit', stopAll)
// A run stopped by a signal (Ctrl-C, a timeout) must not leave a server behind either.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => {
    stopAll()
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1))
  })

export async function startPostgres(options: PgServerOptions = {}): Promise<PgServer> {
  const bin = binDir()
  if (!bin) throw new Error(pgUnavailable()!)
  const as = runAs()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terminplan-pg-'))
  const data = path.join(dir, 'data')
  const logFile = path.join(dir, 'server.log')
  if (as) fs.chownSync(dir, as.uid, as.gid)
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(path.join(bin, cmd), args, { encoding: 'utf8', cwd: dir, ...(as ?? {}), timeout: 120_000 })
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''}`)
    return r.stdout
  }
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    run('initdb', ['-D', data, '-U', 'terminplan', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
  } catch (e) {
    cleanup()
    throw e
  }
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const opts = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c fsync=${options.fsync ? 'on' : 'off'}`,
      `-c full_page_writes=${options.fsync ? 'on' : 'off'}`,
      '-c max_connections=200',
      '-c shared_buffers=32MB',
    ].join(' ')
    try {
      run('pg_ctl', ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start'])
    } catch (e) {
      lastError = e
      continue
    }
    const stopSync = () => {
      spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { cwd: dir, ...(as ?? {}), timeout: 30_000 })
      cleanup()
    }
    running.add(stopSync)
    // The database of the tests.
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'terminplan', 'terminplan'])
    return {
      url: `postgres://terminplan@127.0.0.1:${port}/terminplan`,
      port,
      dir,
      config: { host: '127.0.0.1', port, user: 'terminplan', database: 'terminplan' },
      log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
      stop: async () => {
        running.delete(stopSync)
        spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], { cwd: dir, ...(as ?? {}), timeout: 60_000 })
        cleanup()
      },
    }
  }
  cleanup()
  throw lastError
}
