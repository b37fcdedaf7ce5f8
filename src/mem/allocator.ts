/**
 * A first-fit allocator over an abstract range [start, end): it hands out aligned blocks and merges
 * neighbouring free blocks on free. It never touches memory; the address space zeroes blocks.
 */
import { hex, MemoryExhausted } from './errors.js';

interface Block {
  start: number;
  size: number;
}

export class RangeAllocator {
  readonly start: number;
  readonly end: number;
  /** Free blocks sorted by start, never adjacent (merged on free). */
  readonly #free: Block[];
  /** Live allocations: address -> [block start, block size] (the block may begin before the address). */
  readonly #live = new Map<number, Block>();
  #freeBytes: number;

  constructor(start: number, end: number) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
      throw new RangeError(`allocator range must be 0 <= start < end, got [${start}, ${end})`);
    }
    this.start = start;
    this.end = end;
    this.#free = [{ start, size: end - start }];
    this.#freeBytes = end - start;
  }

  /** Allocate `size` bytes aligned to `align` (a power of two). Throws MemoryExhausted when full. */
  alloc(size: number, align = 8): number {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new RangeError(`allocation size must be a positive integer, got ${size}`);
    }
    if (!Number.isSafeInteger(align) || align <= 0 || (align & (align - 1)) !== 0 || align > 2 ** 30) {
      throw new RangeError(`alignment must be a power of two up to 2^30, got ${align}`);
    }
    // Round sizes to 8 so every block stays 8-byte aligned.
    const want = Math.ceil(size / 8) * 8;
    const free = this.#free;
    for (let i = 0; i < free.length; i++) {
      const b = free[i]!;
      const addr = Math.ceil(b.start / align) * align;
      const pad = addr - b.start;
      if (pad + want > b.size) continue;
      // Split: [b.start, addr) stays free as padding, [addr, addr+want) is taken, the rest stays free.
      const rest = b.size - pad - want;
      const replacement: Block[] = [];
      if (pad > 0) replacement.push({ start: b.start, size: pad });
      if (rest > 0) replacement.push({ start: addr + want, size: rest });
      free.splice(i, 1, ...replacement);
      this.#live.set(addr, { start: addr, size: want });
      this.#freeBytes -= want;
      return addr;
    }
    throw new MemoryExhausted(size, align, this.#freeBytes, this.largestFree(), this.end - this.start);
  }

  /** Return a block to the free list. Throws RangeError on an address that is not a live allocation. */
  free(addr: number): void {
    const blk = this.#live.get(addr);
    if (blk === undefined) {
      throw new RangeError(`free(${hex(addr)}): not the start of a live allocation (double free?)`);
    }
    this.#live.delete(addr);
    this.#freeBytes += blk.size;
    const free = this.#free;
    // Binary search for the insertion point.
    let lo = 0;
    let hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (free[mid]!.start < blk.start) lo = mid + 1;
      else hi = mid;
    }
    const prev = free[lo - 1];
    const next = free[lo];
    if (prev !== undefined && prev.start + prev.size === blk.start) {
      prev.size += blk.size;
      if (next !== undefined && prev.start + prev.size === next.start) {
        prev.size += next.size;
        free.splice(lo, 1);
      }
    } else if (next !== undefined && blk.start + blk.size === next.start) {
      next.start = blk.start;
      next.size += blk.size;
    } else {
      free.splice(lo, 0, { start: blk.start, size: blk.size });
    }
  }

  /** Size of the live allocation at `addr` (rounded up to 8), or undefined. */
  sizeOf(addr: number): number | undefined {
    return this.#live.get(addr)?.size;
  }

  /** Whether [addr, addr+len) lies inside one live allocation. */
  contains(addr: number, len: number): boolean {
    // Live allocations are few per lookup in practice; the free list is the indexed structure.
    for (const b of this.#live.values()) {
      if (addr >= b.start && addr + len <= b.start + b.size) return true;
    }
    return false;
  }

  get freeBytes(): number {
    return this.#freeBytes;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  largestFree(): number {
    let m = 0;
    for (const b of this.#free) if (b.size > m) m = b.size;
    return m;
  }

  /** Free blocks, for tests and diagnostics. */
  freeBlocks(): ReadonlyArray<Readonly<Block>> {
    return this.#free.map((b) => ({ ...b }));
  }
}
