/**
 * Region-checked guest data access, for code that runs untrusted programs over the address space (the
 * BPF interpreter): a table of permitted regions [addr, addr+size) of one AddressSpace, each readable
 * and optionally writable, and little-endian loads and stores of 1, 2 and 4 bytes at any alignment,
 * plus the read-modify-write operations of BPF atomics.
 *
 * Division of work: the caller asks `canRead`/`canWrite` for the exact bytes of an access, then does
 * the access with the unchecked accessors (`u8`, `i32`, `set16`, ...). The accessors trust that check
 * (the address lies inside a region, hence inside the address space); this module never throws a
 * domain error of the guest: the caller turns a failed check into its own fault.
 *
 * Regions are granted per run; a grant is checked against the address space (RangeError outside it or
 * in the NULL page). The last region that satisfied a read and the last that satisfied a write are
 * remembered, so the loop of a program that walks one buffer checks one range per access.
 */
import type { AddressSpace } from './address-space.js';
import { hex } from './errors.js';

/** A permitted region of the address space. */
export interface Region {
  readonly addr: number;
  readonly size: number;
  /** Default true. */
  readonly writable?: boolean;
  /** Shown in fault messages (e.g. 'stack', 'mem', 'ctx'). */
  readonly name?: string;
  /**
   * A structured region (a program context): every access must be exactly one of these fields,
   * [offset, size] from the region's start, aligned as they are (e.g. io_uring_bpf_ctx: [0, 8],
   * [8, 4], [12, 4]). Default: any access inside the region.
   */
  readonly fields?: readonly (readonly [offset: number, size: number])[];
}

/** Read-modify-write operations of `atomic32`/`atomic64` (not kernel constants: this module's own). */
export const RMW_ADD = 0;
export const RMW_OR = 1;
export const RMW_AND = 2;
export const RMW_XOR = 3;
export const RMW_XCHG = 4;
export const RMW_CMPXCHG = 5;

const ZEROS = new Uint8Array(4096);

/** RangeError unless [addr, addr+size) is a region inside `space` (what RegionAccess.grant checks). */
export function checkRegion(space: AddressSpace, addr: number, size: number, name = 'region'): void {
  if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`region must have integer addr and size >= 0, got addr ${addr} size ${size}`);
  }
  if (!space.isValid(addr, size)) {
    throw new RangeError(
      `region '${name}' [${hex(addr)}, ${hex(addr + size)}) is not inside the address space [0x1000, ${hex(space.size)})`,
    );
  }
}

export class RegionAccess {
  readonly space: AddressSpace;
  readonly #u8: Uint8Array;
  readonly #i32: Int32Array;
  readonly #i64: BigInt64Array;
  readonly #dv: DataView;
  #start = new Float64Array(8);
  #end = new Float64Array(8);
  #rw = new Uint8Array(8);
  #names: string[] = [];
  #fields: (readonly (readonly [number, number])[] | null | undefined)[] = [];
  #count = 0;
  /** Index of the last region that satisfied a read / a write (0 when there is none: its end is 0). */
  #lastR = 0;
  #lastW = 0;

  constructor(space: AddressSpace) {
    this.space = space;
    const buf = space.memory.buffer;
    this.#u8 = new Uint8Array(buf);
    this.#i32 = new Int32Array(buf);
    this.#i64 = new BigInt64Array(buf);
    this.#dv = new DataView(buf);
  }

  /* ------------------------------------------------------------------ the region table */

  /** Permit [addr, addr+size) until clear(). RangeError when it is not inside the address space. */
  grant(
    addr: number,
    size: number,
    writable = true,
    name = 'region',
    fields: readonly (readonly [number, number])[] | null = null,
  ): void {
    checkRegion(this.space, addr, size, name);
    if (this.#count === this.#start.length) this.#grow();
    const i = this.#count++;
    this.#start[i] = addr;
    this.#end[i] = addr + size;
    this.#rw[i] = writable ? 1 : 0;
    this.#names[i] = name;
    this.#fields[i] = fields;
  }

  /** Forget every region. */
  clear(): void {
    const n = this.#count;
    if (n === 0) return;
    this.#count = 0;
    // Only the granted entries hold anything (an empty table has slot 0 at [0, 0)).
    this.#start.fill(0, 0, n);
    this.#end.fill(0, 0, n);
    this.#names.length = 0;
    this.#fields.length = 0;
    this.#lastR = 0;
    this.#lastW = 0;
  }

  get count(): number {
    return this.#count;
  }

  /** The regions, in grant order. */
  list(): Region[] {
    const out: Region[] = [];
    for (let i = 0; i < this.#count; i++) {
      out.push({
        addr: this.#start[i]!,
        size: this.#end[i]! - this.#start[i]!,
        writable: this.#rw[i] === 1,
        name: this.#names[i]!,
      });
    }
    return out;
  }

  /** Whether every byte of [addr, addr+len) lies in one permitted region. */
  canRead(addr: number, len: number): boolean {
    const k = this.#lastR;
    if (addr >= this.#start[k]! && addr + len <= this.#end[k]!) return true;
    return this.#find(addr, len, false);
  }

  /** Whether every byte of [addr, addr+len) lies in one permitted writable region. */
  canWrite(addr: number, len: number): boolean {
    const k = this.#lastW;
    if (addr >= this.#start[k]! && addr + len <= this.#end[k]! && this.#rw[k] === 1) return true;
    return this.#find(addr, len, true);
  }

  #find(addr: number, len: number, write: boolean): boolean {
    for (let i = 0; i < this.#count; i++) {
      if (addr >= this.#start[i]! && addr + len <= this.#end[i]!) {
        const fields = this.#fields[i];
        if (fields != null) {
          // Structured: exactly one field, never remembered as the last hit (always checked here).
          const off = addr - this.#start[i]!;
          if (!fields.some(([o, n]) => o === off && n === len)) continue;
          if (!write || this.#rw[i] === 1) return true;
          continue;
        }
        if (!write) {
          this.#lastR = i;
          return true;
        }
        if (this.#rw[i] === 1) {
          this.#lastW = i;
          return true;
        }
      }
    }
    return false;
  }

  /** The region holding `addr`, for messages; null when none does. */
  regionAt(addr: number): Region | null {
    for (let i = 0; i < this.#count; i++) {
      if (addr >= this.#start[i]! && addr < this.#end[i]!) {
        return {
          addr: this.#start[i]!,
          size: this.#end[i]! - this.#start[i]!,
          writable: this.#rw[i] === 1,
          name: this.#names[i]!,
        };
      }
    }
    return null;
  }

  /** 'stack [0x1000, 0x2000) rw, mem [0x3000, 0x3008) r' for fault messages. */
  describe(): string {
    if (this.#count === 0) return 'no region is permitted';
    return this.list()
      .map((r) => `${r.name} [${hex(r.addr)}, ${hex(r.addr + r.size)}) ${r.writable ? 'rw' : 'r'}`)
      .join(', ');
  }

  #grow(): void {
    const n = this.#start.length * 2;
    const s = new Float64Array(n);
    const e = new Float64Array(n);
    const w = new Uint8Array(n);
    s.set(this.#start);
    e.set(this.#end);
    w.set(this.#rw);
    this.#start = s;
    this.#end = e;
    this.#rw = w;
  }

  /* ------------------------------------------------------------------ loads and stores (checked by the caller) */

  u8(addr: number): number {
    return this.#u8[addr]!;
  }
  i8(addr: number): number {
    return (this.#u8[addr]! << 24) >> 24;
  }
  u16(addr: number): number {
    return this.#dv.getUint16(addr, true);
  }
  i16(addr: number): number {
    return this.#dv.getInt16(addr, true);
  }
  /** The 32 bits at addr as a signed int32 (a register half). */
  i32(addr: number): number {
    return (addr & 3) === 0 ? this.#i32[addr >>> 2]! : this.#dv.getInt32(addr, true);
  }
  set8(addr: number, v: number): void {
    this.#u8[addr] = v;
  }
  set16(addr: number, v: number): void {
    this.#dv.setUint16(addr, v & 0xffff, true);
  }
  set32(addr: number, v: number): void {
    if ((addr & 3) === 0) this.#i32[addr >>> 2] = v;
    else this.#dv.setInt32(addr, v | 0, true);
  }
  /**
   * Zero [addr, addr+len) (memory the caller owns, e.g. a stack frame). A copy from a zero buffer:
   * fill() on a SharedArrayBuffer view goes element by element and is several times slower.
   */
  zero(addr: number, len: number): void {
    if (len <= ZEROS.length) this.#u8.set(ZEROS.subarray(0, len), addr);
    else this.#u8.fill(0, addr, addr + len);
  }

  /* ------------------------------------------------------------------ atomics (naturally aligned, checked by the caller) */

  /**
   * 32-bit read-modify-write at a 4-aligned address; returns the old value (int32). `cmp` is the
   * comparand of RMW_CMPXCHG. Uses Atomics when the address space is shared with threads.
   */
  atomic32(addr: number, op: number, v: number, cmp: number): number {
    const a = this.#i32;
    const i = addr >>> 2;
    if (this.space.threaded) {
      switch (op) {
        case RMW_ADD:
          return Atomics.add(a, i, v);
        case RMW_OR:
          return Atomics.or(a, i, v);
        case RMW_AND:
          return Atomics.and(a, i, v);
        case RMW_XOR:
          return Atomics.xor(a, i, v);
        case RMW_XCHG:
          return Atomics.exchange(a, i, v);
        default:
          return Atomics.compareExchange(a, i, cmp, v);
      }
    }
    const old = a[i]!;
    switch (op) {
      case RMW_ADD:
        a[i] = (old + v) | 0;
        break;
      case RMW_OR:
        a[i] = old | v;
        break;
      case RMW_AND:
        a[i] = old & v;
        break;
      case RMW_XOR:
        a[i] = old ^ v;
        break;
      case RMW_XCHG:
        a[i] = v;
        break;
      default:
        if (old === (cmp | 0)) a[i] = v;
    }
    return old;
  }

  /**
   * 64-bit read-modify-write at an 8-aligned address of the value (vlo, vhi) (int32 halves); the old
   * value's halves go to out[0] (low) and out[1] (high). The comparand of RMW_CMPXCHG is (clo, chi).
   */
  atomic64(
    addr: number,
    op: number,
    vlo: number,
    vhi: number,
    clo: number,
    chi: number,
    out: Int32Array,
  ): void {
    if (this.space.threaded) {
      const v = BigInt.asIntN(64, (BigInt(vhi) << 32n) | BigInt(vlo >>> 0));
      const a = this.#i64;
      const i = addr >>> 3;
      let old: bigint;
      switch (op) {
        case RMW_ADD:
          old = Atomics.add(a, i, v);
          break;
        case RMW_OR:
          old = Atomics.or(a, i, v);
          break;
        case RMW_AND:
          old = Atomics.and(a, i, v);
          break;
        case RMW_XOR:
          old = Atomics.xor(a, i, v);
          break;
        case RMW_XCHG:
          old = Atomics.exchange(a, i, v);
          break;
        default:
          old = Atomics.compareExchange(a, i, BigInt.asIntN(64, (BigInt(chi) << 32n) | BigInt(clo >>> 0)), v);
      }
      out[0] = Number(BigInt.asIntN(32, old));
      out[1] = Number(old >> 32n);
      return;
    }
    const a = this.#i32;
    const i = addr >>> 2;
    const olo = a[i]!;
    const ohi = a[i + 1]!;
    out[0] = olo;
    out[1] = ohi;
    switch (op) {
      case RMW_ADD: {
        const lo = (olo + vlo) | 0;
        a[i + 1] = (ohi + vhi + (lo >>> 0 < olo >>> 0 ? 1 : 0)) | 0;
        a[i] = lo;
        return;
      }
      case RMW_OR:
        a[i] = olo | vlo;
        a[i + 1] = ohi | vhi;
        return;
      case RMW_AND:
        a[i] = olo & vlo;
        a[i + 1] = ohi & vhi;
        return;
      case RMW_XOR:
        a[i] = olo ^ vlo;
        a[i + 1] = ohi ^ vhi;
        return;
      case RMW_XCHG:
        a[i] = vlo;
        a[i + 1] = vhi;
        return;
      default:
        if (olo === (clo | 0) && ohi === (chi | 0)) {
          a[i] = vlo;
          a[i + 1] = vhi;
        }
    }
  }
}
