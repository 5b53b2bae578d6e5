/**
 * The journal store in PostgreSQL (tables in schema.ts): one city's command log, its snapshots and
 * its lease. Several instances open the same city; the lease names the one that may append.
 *
 * Leadership: the lease row holds an epoch that grows with every new leader. The leader of epoch E
 * holds the session advisory lock (city, E) on its own connection for as long as it leads. Another
 * instance takes the lease over (epoch E+1) when the lease has expired (a paused or cut-off leader)
 * or when it can take the lock (city, E) itself: the server releases a session's locks when the
 * session ends, so a killed leader is noticed at once, without waiting for the expiry.
 *
 * Fencing: an append is one statement that extends the lease only `WHERE epoch = ours`, locking
 * the lease row, and inserts only when that worked and the log ends at first-1. A deposed leader's
 * append therefore inserts nothing, whatever it believes; a takeover waits for the row lock, so an
 * append of the old epoch has committed before the new leader reads the log, or fails.
 */
import pg from 'pg'
import { TerminplanError, fail } from '../../../model/errors.js'
import type { ValidationIssue } from '../../../model/errors.js'
import type { SchedulerSnapshot } from '../../../solver/scheduler/index.js'
import { isCommand } from '../commands.js'
import { crc32Hex, entryHead, frame, unframe, type JournalEntry } from '../journal.js'
import type { JournalStore, Lease, LeaseResult, StoreRead, StoredSnapshot } from '../store.js'
import { ensureSchema } from './schema.js'

export const NOTIFY_CHANNEL = 'terminplan_journal'

export interface PgStoreOptions {
  /** The city (partition key); 1–64 characters. */
  city: string
  /** A pool to share between cities; or `connection`, and the store makes its own small pool. */
  pool?: pg.Pool
  /** A connection string or node-postgres client config (used for the pool and the lease session). */
  connection?: string | pg.ClientConfig
  /** How long a lease lasts without renewal (ms, default 10 000); the leader renews every third of it. */
  leaseMs?: number
}

/** A command refused because this instance does not lead the city: who does (instance id), if known. */
export class NotLeaderError extends TerminplanError {
  constructor(
    readonly city: string,
    readonly leader: string | null,
    why = '',
  ) {
    const msg = `this instance does not lead city ${city}${leader ? `; the leader is ${leader}` : '; no leader is known yet'}${why ? ` (${why})` : ''}`
    super('NOT_LEADER', msg, [{ path: '$', code: 'not_leader', message: msg }])
  }
}

/** A failure talking to the server: IO_FAILED with the SQLSTATE or socket error as its issue code. */
export function storeError(e: unknown, what: string): TerminplanError {
  if (e instanceof TerminplanError) return e
  const err = e as { code?: string; message?: string }
  const code = typeof err?.code === 'string' ? err.code : 'connection_lost'
  const msg = `${what} failed: ${err?.message ?? String(e)}`
  return new TerminplanError('IO_FAILED', msg, [{ path: '$.store', code, message: msg }])
}

/** The first int of the city's advisory locks (the second is the epoch). */
export function cityKey(city: string): number {
  return Number.parseInt(crc32Hex(Buffer.from(`terminplan:${city}`, 'utf8')), 16) | 0
}

const APPEND_SQL = `
WITH lease AS (
  UPDATE terminplan_leases SET expires_at = now() + $3::double precision * interval '1 millisecond'
  WHERE city = $1 AND epoch = $2
  RETURNING epoch
), last AS (
  SELECT coalesce(max(seq), 0) AS seq FROM terminplan_commands WHERE city = $1
), ins AS (
  INSERT INTO terminplan_commands (city, seq, epoch, cmd, args, ret, crc)
  SELECT $1, r.seq, $2, r.cmd, r.args::json, r.ret, r.crc
  FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[]) AS r(seq, cmd, args, ret, crc), lease, last
  WHERE last.seq = $9::bigint - 1
  RETURNING seq
)
SELECT (SELECT count(*) FROM ins)::int AS n, (SELECT epoch FROM lease) AS epoch, (SELECT seq FROM last) AS last,
       CASE WHEN (SELECT count(*) FROM ins) > 0 THEN pg_notify('${NOTIFY_CHANNEL}', $1 || ':' || $10) END AS notified`

export class PgJournalStore implements JournalStore {
  readonly kind = 'postgres'
  readonly where: string
  readonly city: string
  readonly leaseMs: number
  readonly pool: pg.Pool
  private readonly ownPool: boolean
  private readonly clientConfig: string | pg.ClientConfig
  /** The lease session: advisory locks and LISTEN. */
  private session: pg.Client | null = null
  private readonly key: number
  /** The epoch this store leads in, or null. */
  epoch: number | null = null
  private watchers = new Set<(seq: number) => void>()
  /** Called when the lease session is lost (a leader must step down at once). */
  onSessionLost: ((e: unknown) => void) | null = null

  constructor(options: PgStoreOptions) {
    if (typeof options.city !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(options.city))
      fail('COMMAND_INVALID', '$.store.city', 'invalid_city', 'city must be 1–64 letters, digits, _ . or -')
    const leaseMs = options.leaseMs ?? 10_000
    if (!Number.isInteger(leaseMs) || leaseMs < 50 || leaseMs > 3_600_000) fail('COMMAND_INVALID', '$.store.leaseMs', 'invalid_value', 'leaseMs must be an integer 50–3600000')
    if (!options.pool && options.connection === undefined) fail('COMMAND_INVALID', '$.store', 'missing', 'give a pool or a connection')
    this.city = options.city
    this.where = `postgres:${options.city}`
    this.leaseMs = leaseMs
    this.key = cityKey(options.city)
    this.ownPool = !options.pool
    this.clientConfig = options.connection ?? (options.pool!.options as pg.ClientConfig)
    this.pool = options.pool ?? new pg.Pool({ ...(typeof this.clientConfig === 'string' ? { connectionString: this.clientConfig } : this.clientConfig), max: 4 })
    // An idle pooled connection that dies must not crash the process; the next query reports it.
    if (this.ownPool) this.pool.on('error', () => undefined)
  }

  /** Creates the tables if needed and opens the lease session (LISTEN for appends). */
  async connect(): Promise<void> {
    try {
      await ensureSchema(this.pool)
      const c = new pg.Client(this.clientConfig)
      c.on('error', (e) => this.lost(c, e))
      c.on('end', () => this.lost(c, new Error('the lease session ended')))
      c.on('notification', (n) => {
        if (n.channel !== NOTIFY_CHANNEL || !n.payload) return
        const k = n.payload.lastIndexOf(':')
        if (n.payload.slice(0, k) !== this.city) return
        const seq = Number(n.payload.slice(k + 1))
        for (const w of this.watchers) w(seq)
      })
      await c.connect()
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`)
      this.session = c
    } catch (e) {
      throw storeError(e, `connecting to ${this.where}`)
    }
  }

  private lost(c: pg.Client, e: unknown): void {
    if (this.session !== c) return
    this.session = null
    this.epoch = null
    c.end().catch(() => undefined)
    this.onSessionLost?.(e)
  }

  get connected(): boolean {
    return this.session !== null
  }

  /** Calls `fn` with the last seq of every append to this city (LISTEN/NOTIFY); the unsubscribe. */
  watch(fn: (seq: number) => void): () => void {
    this.watchers.add(fn)
    return () => this.watchers.delete(fn)
  }

  private sess(): pg.Client {
    if (!this.session) throw storeError(new Error('no lease session (not connected)'), `using ${this.where}`)
    return this.session
  }

  private async tryLock(epoch: number): Promise<boolean> {
    const r = await this.sess().query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [this.key, epoch])
    return r.rows[0].ok
  }

  private async unlock(epoch: number): Promise<void> {
    await this.sess().query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.key, epoch])
  }

  /** The lease row as it is: epoch, owner, whether it has expired (server time). */
  async currentLease(): Promise<(Lease & { expired: boolean }) | null> {
    try {
      const r = await this.pool.query<{ epoch: string; owner: string; expired: boolean }>('SELECT epoch, owner, expires_at <= now() AS expired FROM terminplan_leases WHERE city = $1', [this.city])
      const row = r.rows[0]
      return row ? { epoch: Number(row.epoch), owner: row.owner, expired: row.expired } : null
    } catch (e) {
      throw storeError(e, `reading the lease of ${this.where}`)
    }
  }

  /**
   * Takes the lease when nobody has it, it has expired, or its holder's session is gone; else
   * says who holds it. On success this store leads with the new epoch and holds its lock.
   */
  async acquireLease(owner: string): Promise<LeaseResult> {
    try {
      const cur = await this.currentLease()
      if (cur && cur.owner === owner && this.epoch === cur.epoch) return { ok: { epoch: cur.epoch, owner } }
      const prev = cur?.epoch ?? 0
      let dead = cur === null || cur.expired
      if (!dead && (await this.tryLock(prev))) {
        await this.unlock(prev)
        dead = true
      }
      if (!dead) return { heldBy: { epoch: prev, owner: cur!.owner } }
      const next = prev + 1
      if (!(await this.tryLock(next))) return { heldBy: { epoch: prev, owner: cur?.owner ?? '?' } } // another candidate is at it
      const r =
        cur === null
          ? await this.pool.query(`INSERT INTO terminplan_leases (city, epoch, owner, expires_at) VALUES ($1, 1, $2, now() + $3::double precision * interval '1 millisecond') ON CONFLICT (city) DO NOTHING RETURNING epoch`, [this.city, owner, this.leaseMs])
          : // The holder's session is gone (we held its lock a moment ago), or the lease expired and was not renewed since.
            await this.pool.query(
              `UPDATE terminplan_leases SET epoch = $2 + 1, owner = $3, expires_at = now() + $4::double precision * interval '1 millisecond' WHERE city = $1 AND epoch = $2 AND ($5::boolean OR expires_at <= now()) RETURNING epoch`,
              [this.city, prev, owner, this.leaseMs, !cur.expired],
            )
      if (r.rowCount === 1) {
        this.epoch = next
        return { ok: { epoch: next, owner } }
      }
      await this.unlock(next)
      const now = await this.currentLease()
      return { heldBy: { epoch: now?.epoch ?? prev, owner: now?.owner ?? '?' } }
    } catch (e) {
      // A lock left behind by a failed attempt would stop the next leader of that epoch from taking it.
      if (this.epoch === null && this.session) await this.session.query('SELECT pg_advisory_unlock_all()').catch(() => undefined)
      throw storeError(e, `taking the lease of ${this.where}`)
    }
  }

  /** Extends the lease; false when it is no longer ours (deposed). */
  async renewLease(): Promise<boolean> {
    if (this.epoch === null) return false
    try {
      const r = await this.pool.query(`UPDATE terminplan_leases SET expires_at = now() + $3::double precision * interval '1 millisecond' WHERE city = $1 AND epoch = $2`, [this.city, this.epoch, this.leaseMs])
      return r.rowCount === 1
    } catch (e) {
      throw storeError(e, `renewing the lease of ${this.where}`)
    }
  }

  /** Gives the lease up: its expiry set to now (others take over at once) and the lock released. */
  async releaseLease(): Promise<void> {
    const epoch = this.epoch
    this.epoch = null
    if (epoch === null) return
    try {
      await this.pool.query(`UPDATE terminplan_leases SET expires_at = now() WHERE city = $1 AND epoch = $2`, [this.city, epoch])
    } finally {
      if (this.session) await this.session.query('SELECT pg_advisory_unlock_all()').catch(() => undefined)
    }
  }

  /** Stops leading without touching the lease (after being deposed): the locks are released. */
  async forgetLease(): Promise<void> {
    this.epoch = null
    if (this.session) await this.session.query('SELECT pg_advisory_unlock_all()').catch(() => undefined)
  }

  async latestSnapshot(): Promise<StoredSnapshot | null> {
    let body: string | undefined, seq: number
    try {
      const r = await this.pool.query<{ seq: string; body: string }>('SELECT seq, body FROM terminplan_snapshots WHERE city = $1 ORDER BY seq DESC LIMIT 1', [this.city])
      if (r.rows.length === 0) return null
      body = r.rows[0].body
      seq = Number(r.rows[0].seq)
    } catch (e) {
      throw storeError(e, `reading the snapshot of ${this.where}`)
    }
    const where = `${this.where}#snapshot-${seq}`
    const bad = (why: string): never => fail('STATE_INVALID', where, 'snapshot_corrupt', `snapshot ${where} is unusable: ${why}`)
    const u = unframe(Buffer.from(body, 'utf8'))
    if ('error' in u) return bad(u.error)
    const o = u.ok
    if (o.format !== 'terminplan.snapshot' || o.version !== 1 || o.seq !== seq) bad('not the snapshot of its row')
    if (typeof o.autoOffer !== 'boolean' || !Array.isArray(o.loadIssues) || typeof o.snapshot !== 'object' || o.snapshot === null) bad('members missing')
    return { seq, autoOffer: o.autoOffer as boolean, loadIssues: o.loadIssues as ValidationIssue[], snapshot: o.snapshot as SchedulerSnapshot }
  }

  /** The commands from `fromSeq` on (at most `limit`), their checksums and sequence checked. */
  async read(fromSeq: number, limit = 100_000): Promise<StoreRead> {
    let rows: { seq: string; cmd: string; args: string; ret: string | null; crc: string }[]
    try {
      const r = await this.pool.query('SELECT seq, cmd, args::text AS args, ret, crc FROM terminplan_commands WHERE city = $1 AND seq >= $2 ORDER BY seq LIMIT $3', [this.city, fromSeq, limit])
      rows = r.rows
    } catch (e) {
      throw storeError(e, `reading the log of ${this.where}`)
    }
    const at = (seq: number) => `${this.where}#${seq}`
    const entries: JournalEntry[] = rows.map((row, i) => {
      const seq = Number(row.seq)
      const corrupt = (why: string): never => fail('STATE_INVALID', at(seq), 'journal_corrupt', `the log ${this.where} is corrupt at command ${seq}: ${why}`)
      if (seq !== fromSeq + i) corrupt(`expected command ${fromSeq + i}`)
      if (!isCommand(row.cmd)) corrupt(`unknown command ${JSON.stringify(row.cmd)}`)
      const e: JournalEntry = { seq, cmd: row.cmd as JournalEntry['cmd'], args: [] }
      if (row.ret !== null) e.ret = row.ret
      if (crc32Hex(Buffer.from(entryHead(e, row.args), 'utf8')) !== row.crc) corrupt('checksum mismatch')
      const args = JSON.parse(row.args) as unknown
      if (!Array.isArray(args)) corrupt('args is not a list')
      e.args = args as unknown[]
      return e
    })
    return { entries, at: (i) => at(entries[i].seq) }
  }

  /** The last command's seq (0 for an empty log). */
  async lastSeq(): Promise<number> {
    try {
      const r = await this.pool.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM terminplan_commands WHERE city = $1', [this.city])
      return Number(r.rows[0].seq)
    } catch (e) {
      throw storeError(e, `reading the log of ${this.where}`)
    }
  }

  /**
   * Appends `entries` (consecutive, after the log's last) in one transaction, fenced by the lease:
   * NOT_LEADER when another instance has taken it, CONFLICT when the log does not end where the
   * entries begin, IO_FAILED when the server is not reached (then the outcome is unknown until
   * the log is read again). Every commit is durable (synchronous_commit as the server has it).
   */
  async append(entries: readonly JournalEntry[], _durable = true): Promise<void> {
    if (entries.length === 0) return
    const epoch = this.epoch
    if (epoch === null) throw new NotLeaderError(this.city, null, 'the lease is not held')
    const argsText = entries.map((e) => JSON.stringify(e.args))
    const crcs = entries.map((e, i) => crc32Hex(Buffer.from(entryHead(e, argsText[i]), 'utf8')))
    const first = entries[0].seq
    const lastSeq = entries[entries.length - 1].seq
    let row: { n: number; epoch: string | null; last: string }
    try {
      const r = await this.pool.query(APPEND_SQL, [
        this.city,
        epoch,
        this.leaseMs,
        entries.map((e) => e.seq),
        entries.map((e) => e.cmd),
        argsText,
        entries.map((e) => e.ret ?? null),
        crcs,
        first,
        String(lastSeq),
      ])
      row = r.rows[0]
    } catch (e) {
      // A duplicate seq: a statement of ours whose outcome we did not see committed meanwhile (the
      // primary key is the last guard; the sequence check saw the log before it waited for the lease row).
      if ((e as { code?: string }).code === '23505') fail('CONFLICT', this.where, 'seq_conflict', `commands ${first}–${lastSeq} are in the log of ${this.where} already`)
      throw storeError(e, `appending commands ${first}–${lastSeq} to ${this.where}`)
    }
    if (row.epoch === null) {
      this.epoch = null
      const cur = await this.currentLease().catch(() => null)
      throw new NotLeaderError(this.city, cur?.owner ?? null, `deposed: epoch ${epoch} is over`)
    }
    if (row.n !== entries.length) fail('CONFLICT', this.where, 'seq_conflict', `the log of ${this.where} ends at ${row.last}, not at ${first - 1}`)
  }

  /** Stores a snapshot, fenced like append (a deposed leader's snapshot is refused). */
  async writeSnapshot(s: StoredSnapshot): Promise<void> {
    const epoch = this.epoch
    if (epoch === null) throw new NotLeaderError(this.city, null, 'the lease is not held')
    const body = frame({ format: 'terminplan.snapshot', version: 1, seq: s.seq, autoOffer: s.autoOffer, loadIssues: s.loadIssues, snapshot: s.snapshot }).toString('utf8').trimEnd()
    let n: number
    try {
      const r = await this.pool.query(
        `INSERT INTO terminplan_snapshots (city, seq, epoch, body) SELECT $1, $3, $2, $4 FROM terminplan_leases WHERE city = $1 AND epoch = $2 ON CONFLICT (city, seq) DO NOTHING`,
        [this.city, epoch, s.seq, body],
      )
      n = r.rowCount ?? 0
    } catch (e) {
      throw storeError(e, `writing snapshot ${s.seq} of ${this.where}`)
    }
    if (n === 0) {
      const cur = await this.currentLease().catch(() => null)
      if (cur?.epoch !== epoch) throw new NotLeaderError(this.city, cur?.owner ?? null, `deposed: epoch ${epoch} is over`)
    }
  }

  /** Ends the lease session and the store's own pool (the lease, if held, is released first). */
  async close(): Promise<void> {
    await this.releaseLease().catch(() => undefined)
    const s = this.session
    this.session = null
    if (s) await s.end().catch(() => undefined)
    if (this.ownPool) await this.pool.end().catch(() => undefined)
  }
}

/** A PostgreSQL journal store for one city (connect it with openCityScheduler). */
export function pgStore(options: PgStoreOptions): PgJournalStore {
  return new PgJournalStore(options)
}
