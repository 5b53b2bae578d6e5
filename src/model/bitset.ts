/** Fixed-size bitsets over grid units, one bit per unit, in 32-bit words. */

export type Bitset = Uint32Array

export function createBitset(nBits: number): Bitset {
  return new Uint32Array((nBits + 31) >>> 5)
}

export function getBit(b: Bitset, i: number): boolean {
  return (b[i >>> 5] & (1 << (i & 31))) !== 0
}

export function setBit(b: Bitset, i: number): void {
  b[i >>> 5] |= 1 << (i & 31)
}

export function clearBit(b: Bitset, i: number): void {
  b[i >>> 5] &= ~(1 << (i & 31))
}

/** Sets bits [from, to). */
export function setRange(b: Bitset, from: number, to: number): void {
  for (let i = from; i < to; ) {
    if ((i & 31) === 0 && i + 32 <= to) {
      b[i >>> 5] = 0xffffffff
      i += 32
    } else {
      setBit(b, i)
      i++
    }
  }
}

/** Clears bits [from, to). */
export function clearRange(b: Bitset, from: number, to: number): void {
  for (let i = from; i < to; ) {
    if ((i & 31) === 0 && i + 32 <= to) {
      b[i >>> 5] = 0
      i += 32
    } else {
      clearBit(b, i)
      i++
    }
  }
}

/** Number of set bits in [from, to). */
export function countRange(b: Bitset, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) if (getBit(b, i)) n++
  return n
}

export function popcount(b: Bitset): number {
  let n = 0
  for (let w = 0; w < b.length; w++) {
    let x = b[w]
    x = x - ((x >>> 1) & 0x55555555)
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
  }
  return n
}

/** Whether all bits in [from, to) are set. */
export function allSet(b: Bitset, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!getBit(b, i)) return false
  return true
}
