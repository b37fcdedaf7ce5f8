/**
 * A handle on one SQE slot of the SQE array: liburing's `struct io_uring_sqe *`. The ring hands out
 * the same handle object for the same slot every time (no allocation per request), so a handle is
 * only meaningful until the SQE is submitted, exactly like the C pointer.
 */
import type { AddressSpace } from '../mem/address-space.js';
import { IO_URING_SQE } from '../uapi/layout.js';

const S = IO_URING_SQE.fields;

/** user_data given as a bigint (any u64) or a non-negative safe integer. */
export type UserData = bigint | number;

export class Sqe {
  readonly addr: number;
  readonly index: number;
  readonly #mem: AddressSpace;

  constructor(mem: AddressSpace, addr: number, index: number) {
    this.#mem = mem;
    this.addr = addr;
    this.index = index;
  }

  /** io_uring_sqe_set_data64(3): set user_data. */
  setUserData(ud: UserData): this {
    if (typeof ud === 'number') {
      if (!Number.isSafeInteger(ud) || ud < 0) throw new RangeError(`user_data must be a u64, got ${ud}`);
      this.#mem.setU32(this.addr + S.user_data.offset, ud >>> 0);
      this.#mem.setU32(this.addr + S.user_data.offset + 4, Math.floor(ud / 0x1_0000_0000));
    } else {
      const v = BigInt.asUintN(64, ud);
      if (v !== ud) throw new RangeError(`user_data must be a u64, got ${ud}`);
      this.#mem.setU32(this.addr + S.user_data.offset, Number(v & 0xffffffffn));
      this.#mem.setU32(this.addr + S.user_data.offset + 4, Number(v >> 32n));
    }
    return this;
  }

  /** Set user_data from two u32 halves (the fast path: no BigInt). */
  setUserData32(lo: number, hi = 0): this {
    this.#mem.setU32(this.addr + S.user_data.offset, lo >>> 0);
    this.#mem.setU32(this.addr + S.user_data.offset + 4, hi >>> 0);
    return this;
  }

  /** io_uring_sqe_set_flags(3): set sqe->flags (IOSQE_*). */
  setFlags(flags: number): this {
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xff)
      throw new RangeError(`SQE flags are a u8, got ${flags}`);
    this.#mem.setU8(this.addr + S.flags.offset, flags);
    return this;
  }

  /** RFC v2: the CQ (0 = main) that receives this request's CQE. */
  setCqIdx(cqIdx: number): this {
    if (!Number.isInteger(cqIdx) || cqIdx < 0 || cqIdx > 0xffff)
      throw new RangeError(`cq_idx is a u16, got ${cqIdx}`);
    this.#mem.setU16(this.addr + S.cq_idx.offset, cqIdx);
    return this;
  }

  /** Write any field of the SQE by its UAPI name (u64 fields take a bigint or a number). */
  set(field: keyof typeof S, value: number | bigint): this {
    const f = S[field];
    const a = this.addr + f.offset;
    const m = this.#mem;
    switch (f.type) {
      case 'u8':
        m.setU8(a, Number(value) & 0xff);
        break;
      case 'u16':
        m.setU16(a, Number(value) & 0xffff);
        break;
      case 'u32':
      case 's32':
        m.setU32(a, Number(value) >>> 0);
        break;
      case 'u64':
      case 's64': {
        const v = BigInt.asUintN(64, BigInt(value));
        m.setU32(a, Number(v & 0xffffffffn));
        m.setU32(a + 4, Number(v >> 32n));
        break;
      }
    }
    return this;
  }

  /** Read any field (u64 fields as bigint). */
  get(field: keyof typeof S): number | bigint {
    const f = S[field];
    const a = this.addr + f.offset;
    const m = this.#mem;
    switch (f.type) {
      case 'u8':
        return m.u8(a);
      case 'u16':
        return m.u16(a);
      case 'u32':
        return m.u32(a);
      case 's32':
        return m.i32(a);
      case 'u64':
      case 's64':
        return (BigInt(m.u32(a + 4)) << 32n) | BigInt(m.u32(a));
    }
  }

  /** Zero the whole 64-byte SQE. */
  clear(): this {
    this.#mem.zero(this.addr, IO_URING_SQE.size);
    return this;
  }

  /** Internal fast writes used by the prep helpers (addr is 64-byte aligned, so every field is aligned). */
  rw(
    op: number,
    fd: number,
    addrLo: number,
    addrHi: number,
    len: number,
    offLo: number,
    offHi: number,
  ): void {
    const m = this.#mem;
    const a = this.addr;
    m.setU32(a, op & 0xff); // opcode, flags = 0, ioprio = 0
    m.setI32(a + 4, fd);
    m.setU32(a + 8, offLo);
    m.setU32(a + 12, offHi);
    m.setU32(a + 16, addrLo);
    m.setU32(a + 20, addrHi);
    m.setU32(a + 24, len);
    m.setU32(a + 28, 0); // rw_flags
    m.setU32(a + 40, 0); // buf_index, personality
    m.setU32(a + 44, 0); // splice_fd_in
    m.setU32(a + 48, 0); // cq_idx and the rest of __pad2
    m.setU32(a + 52, 0);
    m.setU32(a + 56, 0);
    m.setU32(a + 60, 0);
  }
}
