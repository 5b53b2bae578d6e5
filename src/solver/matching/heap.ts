/**
 * Indexed binary min-heap over the integers 0..capacity−1, keyed by an external Float64Array,
 * with decrease-key. Typed arrays only; push, pop and decrease allocate nothing. Ties are broken
 * by the smaller id, so the order of pops is a function of the keys alone (deterministic).
 */
export class IndexedMinHeap {
  private readonly heap: Int32Array
  /** Position of each id in `heap`, −1 when absent. */
  private readonly pos: Int32Array
  private n = 0

  constructor(capacity: number, private readonly key: Float64Array) {
    this.heap = new Int32Array(capacity)
    this.pos = new Int32Array(capacity).fill(-1)
  }

  get size(): number {
    return this.n
  }

  has(id: number): boolean {
    return this.pos[id] >= 0
  }

  /** Key of the smallest id (Infinity when empty). */
  peekKey(): number {
    return this.n > 0 ? this.key[this.heap[0]] : Infinity
  }

  /** Inserts `id`, or restores heap order after its key decreased. */
  pushOrDecrease(id: number): void {
    let p = this.pos[id]
    if (p < 0) {
      p = this.n++
      this.heap[p] = id
      this.pos[id] = p
    }
    this.up(p)
  }

  pop(): number {
    const heap = this.heap, pos = this.pos
    const top = heap[0]
    pos[top] = -1
    const last = heap[--this.n]
    if (this.n > 0) {
      heap[0] = last
      pos[last] = 0
      this.down(0)
    }
    return top
  }

  /** Empties the heap (O(size)). */
  clear(): void {
    for (let k = 0; k < this.n; k++) this.pos[this.heap[k]] = -1
    this.n = 0
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a], kb = this.key[b]
    return ka < kb || (ka === kb && a < b)
  }

  private up(p: number): void {
    const heap = this.heap, pos = this.pos
    const id = heap[p]
    while (p > 0) {
      const parent = (p - 1) >> 1
      const q = heap[parent]
      if (!this.less(id, q)) break
      heap[p] = q
      pos[q] = p
      p = parent
    }
    heap[p] = id
    pos[id] = p
  }

  private down(p: number): void {
    const heap = this.heap, pos = this.pos, n = this.n
    const id = heap[p]
    for (;;) {
      let c = 2 * p + 1
      if (c >= n) break
      if (c + 1 < n && this.less(heap[c + 1], heap[c])) c++
      const q = heap[c]
      if (!this.less(q, id)) break
      heap[p] = q
      pos[q] = p
      p = c
    }
    heap[p] = id
    pos[id] = p
  }
}
