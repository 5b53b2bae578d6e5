/**
 * Token buckets per key (a citizen, a client): `burst` requests at once, refilled at `perSecond`.
 * The clock is injected, so tests step time instead of waiting. Memory is bounded: past `maxKeys`
 * keys, buckets that have refilled completely are dropped (they carry no information), then the
 * oldest ones.
 */
export interface BucketOptions {
  /** Tokens added per second. */
  perSecond: number
  /** Bucket size: requests allowed at once. */
  burst: number
  /** Keys kept at most (default 100,000). */
  maxKeys?: number
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number }

interface Bucket {
  tokens: number
  at: number
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()
  private readonly maxKeys: number

  constructor(
    private readonly opts: BucketOptions,
    private readonly clock: () => number,
  ) {
    if (!(opts.perSecond > 0) || !(opts.burst >= 1)) throw new RangeError('a token bucket needs perSecond > 0 and burst ≥ 1')
    this.maxKeys = opts.maxKeys ?? 100_000
  }

  private level(b: Bucket, now: number): number {
    return Math.min(this.opts.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.opts.perSecond)
  }

  /** Takes one token for `key`, or says how long until one is there. */
  take(key: string): TakeResult {
    const now = this.clock()
    let b = this.buckets.get(key)
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evict(now)
      b = { tokens: this.opts.burst, at: now }
      this.buckets.set(key, b)
    }
    const tokens = this.level(b, now)
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) / this.opts.perSecond) * 1000) }
    b.tokens = tokens - 1
    b.at = now
    return { ok: true }
  }

  get size(): number {
    return this.buckets.size
  }

  private evict(now: number): void {
    for (const [k, b] of this.buckets) if (this.level(b, now) >= this.opts.burst) this.buckets.delete(k)
    // Still full of active keys: drop the oldest tenth (Map keeps insertion order).
    if (this.buckets.size >= this.maxKeys) {
      let n = Math.ceil(this.maxKeys / 10)
      for (const k of this.buckets.keys()) {
        if (n-- <= 0) break
        this.buckets.delete(k)
      }
    }
  }
}
