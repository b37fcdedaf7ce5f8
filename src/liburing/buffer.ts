/** User buffers: memory in the address space that the ring reads and writes, viewed as Uint8Array. */
import type { AddressSpace } from '../mem/address-space.js';

export interface UserBuffer {
  /** Address in the address space (what SQEs carry). */
  readonly addr: number;
  readonly length: number;
  /** A live view: what the ring reads into it shows here, and what you write here the ring writes. */
  readonly bytes: Uint8Array;
  /** Give the memory back. The view must not be used afterwards. */
  free(): void;
}

/** Allocate `length` zeroed bytes aligned to `align` (default 4096, a page) in `mem`. */
export function allocBuffer(mem: AddressSpace, length: number, align = 4096): UserBuffer {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new RangeError(`buffer length must be a positive integer, got ${length}`);
  }
  const addr = mem.alloc(length, align);
  let freed = false;
  return {
    addr,
    length,
    bytes: mem.view(addr, length),
    free(): void {
      if (freed) throw new RangeError(`buffer at 0x${addr.toString(16)} freed twice`);
      freed = true;
      mem.free(addr);
    },
  };
}
