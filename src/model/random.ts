/**
 * Seeded randomness. Nothing in the engine calls Math.random: every random choice draws from an
 * Rng made from a seed, so the same seed gives the same output.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [0, n). */
  int(n: number): number
}

/** mulberry32: tiny, fast, good enough for simulation (not for cryptography). */
export function createRng(seed: number): Rng {
  let a = (seed >>> 0) ^ 0x9e3779b9
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n) => Math.floor(next() * n) }
}

/** Poisson-distributed count with mean `lambda` (Knuth for small means, normal approximation above 50). */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0
  if (lambda > 50) {
    const u1 = Math.max(rng.next(), 1e-12), u2 = rng.next()
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)))
  }
  const l = Math.exp(-lambda)
  let k = 0, p = 1
  do {
    k++
    p *= rng.next()
  } while (p > l)
  return k - 1
}

/** Picks an index with probability proportional to `weights`. */
export function weightedIndex(rng: Rng, weights: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < weights.length; i++) total += weights[i]
  let r = rng.next() * total
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]
    if (r < 0) return i
  }
  return weights.length - 1
}
