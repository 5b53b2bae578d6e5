/**
 * Shared bench plumbing: tinybench runs, a results table, results.json with the machine, and
 * ratio floors. Ratios compare against a peer measured in the same run, because absolute times
 * on shared machines are noisy.
 */
import { cpus, totalmem } from 'node:os'
import { Bench } from 'tinybench'

export interface Row {
  suite: string
  operation: string
  size: string
  medianUs: number
  p99Us: number
  opsPerSec: number
  /** Name of the peer row this one is compared to, and how many times faster we are. */
  peer?: string
  ratio?: number
  /** Anything else measured (gaps to optima, memory). */
  extra?: Record<string, number | string>
}

export interface BenchContext {
  ci: boolean
  /** Time budget per task in ms. */
  timeMs: number
  rows: Row[]
}

/**
 * Runs `fn` under tinybench and returns a row (latencies in µs). `beforeEach` runs before every
 * iteration, warm-up included, outside the timed part (e.g. to restore a state `fn` changes);
 * `warmupIterations` (default tinybench's 16) bounds the warm-up of slow operations.
 */
export async function measure(ctx: BenchContext, suite: string, operation: string, size: string, fn: () => unknown, opts: { timeMs?: number; iterations?: number; warmupIterations?: number; beforeEach?: () => void } = {}): Promise<Row> {
  const bench = new Bench({ time: opts.timeMs ?? ctx.timeMs, iterations: opts.iterations ?? 10, warmupTime: Math.min(200, (opts.timeMs ?? ctx.timeMs) / 4), ...(opts.warmupIterations !== undefined ? { warmupIterations: opts.warmupIterations } : {}) })
  bench.add(operation, fn, opts.beforeEach ? { beforeEach: opts.beforeEach } : {})
  await bench.run()
  const r = bench.tasks[0].result as unknown as { state: string; latency?: { p50: number; p99: number }; throughput?: { mean: number }; error?: Error }
  if (!r.latency || !r.throughput) throw new Error(`bench ${suite}/${operation} failed: ${r.error?.message ?? r.state}`)
  const row: Row = { suite, operation, size, medianUs: r.latency.p50 * 1000, p99Us: r.latency.p99 * 1000, opsPerSec: r.throughput.mean }
  ctx.rows.push(row)
  return row
}

/** Sets `row.ratio` = peer median / row median (how many times faster `row` is). */
export function compare(row: Row, peer: Row): void {
  row.peer = `${peer.suite}/${peer.operation}`
  row.ratio = peer.medianUs / row.medianUs
}

export function machine(): Record<string, unknown> {
  const c = cpus()
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` }
}

const fmt = (x: number) => (x >= 1000 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

export function table(rows: Row[]): string {
  const head = ['suite', 'operation', 'size', 'median µs', 'p99 µs', 'ops/s', 'ratio to peer']
  const body = rows.map((r) => [r.suite, r.operation, r.size, fmt(r.medianUs), fmt(r.p99Us), fmt(r.opsPerSec), r.ratio !== undefined ? `${r.ratio.toFixed(1)}× vs ${r.peer}` : ''])
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join('  ')
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n')
}
