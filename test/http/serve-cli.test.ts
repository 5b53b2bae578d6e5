/**
 * `terminplan serve berlin` as a process: starts, prints its URL, books over HTTP, stops cleanly on
 * SIGTERM (exit 0, journal closed), and the booking is in the journal when it is opened again.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openScheduler } from '../../src/adapters/journal/index.js'
import { readScenario } from '../../src/cli/io.js'
import { call } from './harness.js'

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname

describe('terminplan serve', () => {
  it('serves berlin, books, and stops on SIGTERM with the journal closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-serve-'))
    const journal = join(dir, 'j')
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', 'berlin', '--port', '0', '--journal', journal, '--now', '2026-12-01T08:00:00+01:00'], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stderr.on('data', (d) => (err += d))
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
      const t0 = Date.now()
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d
          const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
          if (m) resolve(m[1])
        })
        child.on('exit', () => reject(new Error(`exited: ${out} ${err}`)))
      })
      expect(Date.now() - t0).toBeLessThan(20_000)
      expect(out).toContain('46 offices')

      const now = await call(url, 'GET', '/now')
      expect(Date.parse(now.body.now) - Date.parse('2026-12-01T08:00:00+01:00')).toBeLessThan(60_000)
      const search = await call(url, 'POST', '/search', { services: ['120703'], citizenId: 'c-1', limit: 1 })
      expect(search.status).toBe(200)
      const hold = await call(url, 'POST', '/holds', { ...search.body.slots[0], citizenId: 'c-1' })
      const appt = await call(url, 'POST', `/holds/${hold.body.id}/confirm`, undefined, { 'idempotency-key': 'k-1' })
      expect(appt.status).toBe(201)

      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(out).toContain('stopped')
      expect(err).toBe('')
      expect(existsSync(join(journal, 'LOCK'))).toBe(false)
      const s = openScheduler({ scenario: readScenario('berlin'), journal, now: '2026-12-01T08:00:00+01:00' })
      try {
        expect(s.appointments()).toEqual([appt.body])
      } finally {
        s.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
