/**
 * The tables of the PostgreSQL journal store. One database holds every city; a city is a
 * partition key, so cities are independent logs with independent leaders.
 *   terminplan_commands   the append-only command log, primary key (city, seq)
 *   terminplan_snapshots  a city's state after command seq, framed with a CRC-32 like the files
 *   terminplan_leases     per city the writer: owner, epoch (grows with every new leader), expiry
 * Expiry is compared with the server's clock (now()), so the instances' clocks do not matter.
 */
import type pg from 'pg'

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS terminplan_commands (
  city text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  epoch bigint NOT NULL,
  cmd text NOT NULL,
  args json NOT NULL,
  ret text,
  crc char(8) NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (city, seq)
);
CREATE TABLE IF NOT EXISTS terminplan_snapshots (
  city text NOT NULL,
  seq bigint NOT NULL CHECK (seq >= 0),
  epoch bigint NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (city, seq)
);
CREATE TABLE IF NOT EXISTS terminplan_leases (
  city text PRIMARY KEY,
  epoch bigint NOT NULL,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);
`

/** Creates the tables when missing (idempotent; concurrent callers are serialised by a lock). */
export async function ensureSchema(pool: pg.Pool): Promise<void> {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    await c.query('SELECT pg_advisory_xact_lock(1952804978)') // 'tplj': CREATE IF NOT EXISTS races otherwise
    await c.query(SCHEMA_SQL)
    await c.query('COMMIT')
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined)
    throw e
  } finally {
    c.release()
  }
}
