/**
 * A view of one CQE slot of a CQ ring: liburing's `struct io_uring_cqe *`. Like the C pointer, the
 * view reads the slot live, so read what you need before marking it seen (cqeSeen / cqAdvance).
 */
import type { AddressSpace } from '../mem/address-space.js';

export class Cqe {
  readonly addr: number;
  /** The CQ this CQE sits in (RFC v2). */
  readonly cqIdx: number;
  readonly #mem: AddressSpace;

  constructor(mem: AddressSpace, addr: number, cqIdx: number) {
    this.#mem = mem;
    this.addr = addr;
    this.cqIdx = cqIdx;
  }

  /** user_data as a bigint (allocates; use userDataLo/userDataHi on hot paths). */
  get userData(): bigint {
    return (BigInt(this.#mem.u32(this.addr + 4)) << 32n) | BigInt(this.#mem.u32(this.addr));
  }
  get userDataLo(): number {
    return this.#mem.u32(this.addr);
  }
  get userDataHi(): number {
    return this.#mem.u32(this.addr + 4);
  }
  get res(): number {
    return this.#mem.i32(this.addr + 8);
  }
  get flags(): number {
    return this.#mem.u32(this.addr + 12);
  }

  /** A plain copy that stays valid after the slot is reused. */
  snapshot(): CqeData {
    return { userData: this.userData, res: this.res, flags: this.flags, cqIdx: this.cqIdx };
  }
}

/** A CQE copied out of the ring. */
export interface CqeData {
  readonly userData: bigint;
  readonly res: number;
  readonly flags: number;
  readonly cqIdx: number;
}
