/**
 * One writer per journal: a LOCK file with the owner's process id, created exclusively. A lock
 * whose process is gone (a crash, a kill) is taken over; so is one with this process's own id
 * that this process does not hold (a restarted container reuses its pid).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fail } from '../../model/errors.js'
import { io, LOCK_NAME } from './journal.js'

const held = new Set<string>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Locks the journal directory `dir` (absolute); returns the release function. */
export function lockJournal(dir: string): () => void {
  if (held.has(dir)) fail('CONFLICT', '$.journal', 'journal_locked', `the journal ${dir} is open already in this process`)
  const file = path.join(dir, LOCK_NAME)
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx')
      try {
        fs.writeSync(fd, `${process.pid}\n`)
      } finally {
        fs.closeSync(fd)
      }
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) io(file, () => { throw e })
      const pid = Number(io(file, () => fs.readFileSync(file, 'utf8')).trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        fail('CONFLICT', '$.journal', 'journal_locked', `the journal ${dir} is open in process ${pid} (delete ${file} if no such process uses it)`)
      io(file, () => fs.rmSync(file, { force: true }))
    }
  }
  held.add(dir)
  let released = false
  return () => {
    if (released) return
    released = true
    held.delete(dir)
    try {
      fs.rmSync(file, { force: true })
    } catch {
      // A lock left behind is taken over by the next open: its process is gone.
    }
  }
}
