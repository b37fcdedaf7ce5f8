/**
 * The process address space of DESIGN.md: one shared WebAssembly.Memory. An address is a byte offset
 * into it; the first 4 KiB (the NULL page) are never allocated and every checked access to them faults.
 *
 * Two kinds of accessors:
 * - checked (`readU32`, `writeBytes`, ...): any alignment; NULL, unmapped or out-of-range addresses
 *   throw MemoryFault. Use them for addresses that come from users (SQE fields, pointers in structs).
 * - fast (`u32`, `setU32`, `loadU32`, ...): for memory the kernel side allocated itself (ring words,
 *   SQE and CQE slots). The caller guarantees the address is in range and naturally aligned.
 *
 * This module is the only one that holds typed-array views of the memory.
 */
import { RangeAllocator } from './allocator.js';
import { MemoryFault } from './errors.js';

export const NULL_PAGE_SIZE = 0x1000;
/** A block of zeroes to copy from (see zero()). */
const ZERO_BLOCK = new Uint8Array(0x10000);
const WASM_PAGE = 0x10000;
export const DEFAULT_ADDRESS_SPACE_SIZE = 64 * 1024 * 1024;
export const MAX_ADDRESS_SPACE_SIZE = 4 * 1024 * 1024 * 1024 - WASM_PAGE;

export interface AddressSpaceOptions {
  /** Size in bytes, rounded up to 64 KiB; default 64 MiB, at most 4 GiB - 64 KiB. */
  readonly size?: number;
}

export class AddressSpace {
  readonly memory: WebAssembly.Memory;
  readonly size: number;
  readonly #u8: Uint8Array;
  /** Kernel-private blocks: start -> end (allocKernel). */
  readonly #kernel = new Map<number, number>();
  /** Their starts, sorted (rebuilt after a change). */
  #kernelStarts: Float64Array | null = null;
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;
  readonly #dv: DataView;
  readonly #alloc: RangeAllocator;
  /**
   * Whether ring words are accessed with Atomics. Off while every user of the memory runs on one
   * thread (plain loads and stores are then exact and 5-10x cheaper); a component that shares the
   * memory with a worker thread turns it on with enableThreads() before the worker starts.
   */
  #atomic = false;

  constructor(options: AddressSpaceOptions = {}) {
    const requested = options.size ?? DEFAULT_ADDRESS_SPACE_SIZE;
    if (!Number.isSafeInteger(requested) || requested < 2 * WASM_PAGE || requested > MAX_ADDRESS_SPACE_SIZE) {
      throw new RangeError(
        `address space size must be an integer from 0x${(2 * WASM_PAGE).toString(16)} to 0x${MAX_ADDRESS_SPACE_SIZE.toString(16)} bytes, got ${requested}`,
      );
    }
    const pages = Math.ceil(requested / WASM_PAGE);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const buf = this.memory.buffer;
    this.size = pages * WASM_PAGE;
    this.#u8 = new Uint8Array(buf);
    this.#u16 = new Uint16Array(buf);
    this.#u32 = new Uint32Array(buf);
    this.#i32 = new Int32Array(buf);
    this.#dv = new DataView(buf);
    this.#alloc = new RangeAllocator(NULL_PAGE_SIZE, this.size);
  }

  /* ------------------------------------------------------------------ allocation */

  /** Allocate `size` zeroed bytes aligned to `align` (power of two). Throws MemoryExhausted when full. */
  alloc(size: number, align = 8): number {
    const addr = this.#alloc.alloc(size, align);
    this.zero(addr, size);
    return addr;
  }

  /**
   * Allocate kernel-private memory (BPF stacks and contexts, map storage and handles): like alloc(),
   * but user pointers may not reach it: touchesKernel() says so, and the ring's user-memory checks
   * (SQE buffers, paths, the BPF copy helpers) fault on it, as user pointers cannot reach kernel
   * memory in a process.
   */
  allocKernel(size: number, align = 8): number {
    const addr = this.alloc(size, align);
    this.#kernel.set(addr, addr + Math.max(size, 1));
    this.#kernelStarts = null;
    return addr;
  }

  /** Free a block returned by alloc() or allocKernel(). Throws RangeError on an address that is not a live block. */
  free(addr: number): void {
    this.#alloc.free(addr);
    if (this.#kernel.delete(addr)) this.#kernelStarts = null;
  }

  /** Whether [addr, addr+len) may be reached by a user pointer: addressable and not kernel-private. */
  isUser(addr: number, len: number): boolean {
    return this.isValid(addr, len) && !this.touchesKernel(addr, len);
  }

  /** Whether any byte of [addr, addr+len) (len > 0) lies in kernel-private memory (allocKernel). */
  touchesKernel(addr: number, len: number): boolean {
    if (this.#kernel.size === 0 || len <= 0) return false;
    let starts = this.#kernelStarts;
    if (starts === null) {
      starts = Float64Array.from(this.#kernel.keys()).sort();
      this.#kernelStarts = starts;
    }
    // Blocks are disjoint: only the one with the greatest start below addr + len can overlap.
    const end = addr + len;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < end) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return false;
    const start = starts[lo - 1]!;
    return this.#kernel.get(start)! > addr;
  }

  /** Bytes still free, and the largest block that one alloc() could get. */
  get freeBytes(): number {
    return this.#alloc.freeBytes;
  }
  get largestFree(): number {
    return this.#alloc.largestFree();
  }
  /** Number of live allocations (for leak checks in tests). */
  get liveAllocations(): number {
    return this.#alloc.liveCount;
  }
  /** Size of the live block at `addr`, or undefined. */
  allocationSize(addr: number): number | undefined {
    return this.#alloc.sizeOf(addr);
  }

  /* ------------------------------------------------------------------ checks */

  /** Whether [addr, addr+len) is addressable: above the NULL page and inside the space. */
  isValid(addr: number, len: number): boolean {
    return addr >= NULL_PAGE_SIZE && len >= 0 && addr + len <= this.size && Number.isInteger(addr);
  }

  /** Throw MemoryFault unless [addr, addr+len) is addressable. */
  check(addr: number, len: number): void {
    if (!this.isValid(addr, len)) throw new MemoryFault(addr, len, this.size);
  }

  /**
   * A user pointer given as two u32 halves (as stored in SQEs): the address, or -1 when the high half
   * is non-zero (no address of this space is that large).
   */
  static pointer(lo: number, hi: number): number {
    return hi === 0 ? lo >>> 0 : -1;
  }

  /** A user pointer given as a bigint: the address, or -1 when it cannot be an address of this space. */
  static pointerFromBigInt(p: bigint): number {
    return p >= 0n && p < 0x1_0000_0000n ? Number(p) : -1;
  }

  /* ------------------------------------------------------------------ checked access */

  readU8(addr: number): number {
    this.check(addr, 1);
    return this.#u8[addr]!;
  }
  readU16(addr: number): number {
    this.check(addr, 2);
    return this.#dv.getUint16(addr, true);
  }
  readU32(addr: number): number {
    this.check(addr, 4);
    return this.#dv.getUint32(addr, true);
  }
  readI32(addr: number): number {
    this.check(addr, 4);
    return this.#dv.getInt32(addr, true);
  }
  readU64(addr: number): bigint {
    this.check(addr, 8);
    return this.#dv.getBigUint64(addr, true);
  }
  readI64(addr: number): bigint {
    this.check(addr, 8);
    return this.#dv.getBigInt64(addr, true);
  }
  writeU8(addr: number, v: number): void {
    this.check(addr, 1);
    this.#u8[addr] = v;
  }
  writeU16(addr: number, v: number): void {
    this.check(addr, 2);
    this.#dv.setUint16(addr, v, true);
  }
  writeU32(addr: number, v: number): void {
    this.check(addr, 4);
    this.#dv.setUint32(addr, v >>> 0, true);
  }
  writeI32(addr: number, v: number): void {
    this.check(addr, 4);
    this.#dv.setInt32(addr, v | 0, true);
  }
  writeU64(addr: number, v: bigint): void {
    this.check(addr, 8);
    this.#dv.setBigUint64(addr, BigInt.asUintN(64, v), true);
  }
  writeI64(addr: number, v: bigint): void {
    this.check(addr, 8);
    this.#dv.setBigInt64(addr, BigInt.asIntN(64, v), true);
  }

  /** A copy of [addr, addr+len). */
  readBytes(addr: number, len: number): Uint8Array {
    this.check(addr, len);
    return this.#u8.slice(addr, addr + len);
  }
  /** Copy `src` to addr. */
  writeBytes(addr: number, src: Uint8Array): void {
    this.check(addr, src.length);
    this.#u8.set(src, addr);
  }
  /** Fill [addr, addr+len) with `byte`. */
  fill(addr: number, byte: number, len: number): void {
    this.check(addr, len);
    this.#u8.fill(byte, addr, addr + len);
  }
  /** memmove(dst, src, len) inside the address space. */
  copy(dst: number, src: number, len: number): void {
    this.check(dst, len);
    this.check(src, len);
    this.#u8.copyWithin(dst, src, src + len);
  }
  /** A live Uint8Array view of [addr, addr+len) (writes through to the address space). */
  view(addr: number, len: number): Uint8Array {
    this.check(addr, len);
    // subarray of the cached view: no call into the WebAssembly.Memory buffer getter per view.
    return this.#u8.subarray(addr, addr + len);
  }
  /** Read a NUL-terminated string of at most `max` bytes (UTF-8); throws MemoryFault past the end. */
  readCString(addr: number, max = 4096): string {
    this.check(addr, 1);
    let end = addr;
    const limit = Math.min(this.size, addr + max);
    while (end < limit && this.#u8[end] !== 0) end++;
    if (end === limit && end - addr >= max)
      throw new RangeError(`string at 0x${addr.toString(16)} is longer than ${max} bytes`);
    if (end === this.size) throw new MemoryFault(end, 1, this.size);
    return Buffer.from(this.#u8.buffer, addr, end - addr).toString('utf8');
  }

  /* ------------------------------------------------------------------ fast access (kernel-owned memory) */

  u8(addr: number): number {
    return this.#u8[addr]!;
  }
  u16(addr: number): number {
    return this.#u16[addr >>> 1]!;
  }
  u32(addr: number): number {
    return this.#u32[addr >>> 2]!;
  }
  i32(addr: number): number {
    return this.#i32[addr >>> 2]!;
  }
  setU8(addr: number, v: number): void {
    this.#u8[addr] = v;
  }
  setU16(addr: number, v: number): void {
    this.#u16[addr >>> 1] = v;
  }
  setU32(addr: number, v: number): void {
    this.#u32[addr >>> 2] = v;
  }
  setI32(addr: number, v: number): void {
    this.#i32[addr >>> 2] = v;
  }
  /**
   * Zero [addr, addr+len) (kernel-owned memory). fill() on a SharedArrayBuffer view goes byte by byte
   * (~1 us per 4 KiB); copying from a zero block is ~5x faster beyond a few dozen bytes.
   */
  zero(addr: number, len: number): void {
    if (len <= 128) {
      this.#u8.fill(0, addr, addr + len);
      return;
    }
    for (let p = addr, end = addr + len; p < end; p += ZERO_BLOCK.length) {
      const n = Math.min(ZERO_BLOCK.length, end - p);
      this.#u8.set(n === ZERO_BLOCK.length ? ZERO_BLOCK : ZERO_BLOCK.subarray(0, n), p);
    }
  }
  /** From now on, ring-word accessors use Atomics (the memory is about to be shared with a worker). */
  enableThreads(): void {
    this.#atomic = true;
  }
  get threaded(): boolean {
    return this.#atomic;
  }
  /** Acquire load of a u32 ring word (head/tail shared between producer and consumer). */
  loadU32(addr: number): number {
    return this.#atomic ? Atomics.load(this.#u32, addr >>> 2) : this.#u32[addr >>> 2]!;
  }
  /** Release store of a u32 ring word. */
  storeU32(addr: number, v: number): void {
    if (this.#atomic) Atomics.store(this.#u32, addr >>> 2, v);
    else this.#u32[addr >>> 2] = v;
  }
  /** OR bits into a u32 word (ring flags), atomically when threads share the memory. */
  orU32(addr: number, bits: number): void {
    if (this.#atomic) Atomics.or(this.#u32, addr >>> 2, bits);
    else this.#u32[addr >>> 2]! |= bits;
  }
  /** Clear bits of a u32 word (ring flags), atomically when threads share the memory. */
  andNotU32(addr: number, bits: number): void {
    if (this.#atomic) Atomics.and(this.#u32, addr >>> 2, ~bits);
    else this.#u32[addr >>> 2]! &= ~bits;
  }
}
