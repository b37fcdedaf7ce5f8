/**
 * The storage behind array and hash maps (ArrayStore, HashStore): elements found by a key that lies
 * in the address space, values in one block of the address space so that programs use them by
 * pointer. An element is `stride` bytes: one value of round_up(value_size, 8) bytes per cpu for the
 * per-cpu types, one value otherwise.
 *
 * Operations come from two sides with the kernel's two semantics:
 * - program side (`sys` false): a per-cpu update writes the current cpu's value only;
 * - syscall side (`sys` true, the TypeScript API): a per-cpu update writes every cpu's value from
 *   `stride` bytes at `src`, and a few flag checks come in another order (bpf_percpu_array_update).
 */
import type { AddressSpace } from '../../mem/address-space.js';

/** What a map knows of the machine it runs on (implemented by MapTable). */
export interface MapContext {
  readonly mem: AddressSpace;
  /** Possible cpus: per-cpu maps hold one value per cpu. */
  readonly cpus: number;
  /** The cpu programs run on now (0 to cpus - 1): per-cpu lookups from programs see its value. */
  readonly cpu: number;
}

export interface Store {
  readonly kind: 'array' | 'hash';
  /** First byte of the values (for grants) and their total size. */
  readonly valueBase: number;
  readonly valueBytes: number;
  /** Elements present. */
  readonly count: number;
  /** Address of the element of the key at `keyAddr` (every cpu's value), 0 when absent. `touch`: an LRU use. */
  elem(keyAddr: number, touch: boolean): number;
  /** Insert or replace; 0 or -errno. */
  update(keyAddr: number, src: number, flags: number, sys: boolean): number;
  /** 0 or -errno. */
  delete(keyAddr: number): number;
  /** Iteration: the first cursor >= `cursor` that holds an element, or -1. */
  next(cursor: number): number;
  /** Write the key of the element at `cursor` to `addr` (8-aligned, key_size bytes). */
  writeKey(cursor: number, addr: number): void;
  /** Address of the element at `cursor`. */
  elemAt(cursor: number): number;
}

/**
 * memcpy inside the address space. Small aligned copies (the common 4- and 8-byte values) go word by
 * word: copyWithin costs more than the copy itself at that size.
 */
export function copyBytes(mem: AddressSpace, dst: number, src: number, len: number): void {
  if (len <= 32 && ((dst | src | len) & 3) === 0) {
    for (let i = 0; i < len; i += 4) mem.setI32(dst + i, mem.i32(src + i));
    return;
  }
  mem.copy(dst, src, len);
}

/** The u32 at `addr`, any alignment (the caller checked that the bytes are readable). */
export function loadU32(mem: AddressSpace, addr: number): number {
  return (addr & 3) === 0 ? mem.u32(addr) : mem.readU32(addr);
}
