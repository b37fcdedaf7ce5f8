/** Shared by the verifier value-domain tests: a seeded generator of interesting 64-bit values and abstract states holding them, and the concrete BPF ALU. */

import {
  boundsSync,
  type Scalar,
  s32,
  s64,
  scalarConst,
  scalarUnknown,
  u32,
  u64,
} from '../src/ebpf/verifier/scalar.js';
import { type Tnum, tnum } from '../src/ebpf/verifier/tnum.js';
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_LSH,
  BPF_MOD,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
} from '../src/uapi/bpf.js';

/** A seeded generator (splitmix64) of values biased towards edges. */
export class Gen {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed);
  }
  /** Uniform 64-bit. */
  raw(): bigint {
    this.s = u64(this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = u64((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = u64((z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Number(this.raw() % BigInt(n));
  }
  /** A 64-bit value: small, near a sign or width edge, 32-bit, sign-extended 32-bit or uniform. */
  u64(): bigint {
    const k = BigInt(this.int(17));
    switch (this.int(8)) {
      case 0:
        return k;
      case 1:
        return u64(-k);
      case 2:
        return u64((1n << 63n) + k - 8n);
      case 3:
        return u64((1n << 32n) + k - 8n);
      case 4:
        return u64((1n << 31n) + k - 8n);
      case 5:
        return this.raw() & 0xffffffffn;
      case 6:
        return u64(s32(this.raw()));
      default:
        return this.raw();
    }
  }
  /** A mask with few, many or random unknown bits. */
  mask(): bigint {
    switch (this.int(5)) {
      case 0:
        return 0n;
      case 1:
        return this.raw() & this.raw() & this.raw();
      case 2:
        return (1n << BigInt(this.int(65))) - 1n;
      case 3:
        return u64(~0n);
      default:
        return this.raw();
    }
  }
  /** A tnum holding x. */
  tnumOf(x: bigint): Tnum {
    return tnum(x, this.mask());
  }
  /** A delta below `room`, usually small. */
  private slack(room: bigint): bigint {
    if (room <= 0n) return 0n;
    const d = this.int(3) === 0 ? this.raw() : BigInt(this.int(300));
    return d % (room + 1n);
  }
  /** A synchronised scalar state holding x (each bound tight, loose or absent). */
  scalarOf(x: bigint, sync = true): Scalar {
    const v = u64(x);
    if (this.int(6) === 0) return scalarConst(v);
    const r = scalarUnknown();
    r.varOff = this.tnumOf(v);
    const sv = s64(v);
    const lo = u32(v);
    const slo = s32(v);
    if (this.int(2)) r.umin = v - this.slack(v);
    if (this.int(2)) r.umax = v + this.slack(u64(~0n) - v);
    if (this.int(2)) r.smin = sv - this.slack(sv + (1n << 63n));
    if (this.int(2)) r.smax = sv + this.slack((1n << 63n) - 1n - sv);
    if (this.int(3) === 0) r.u32min = lo - this.slack(lo);
    if (this.int(3) === 0) r.u32max = lo + this.slack(0xffffffffn - lo);
    if (this.int(3) === 0) r.s32min = slo - this.slack(slo + (1n << 31n));
    if (this.int(3) === 0) r.s32max = slo + this.slack((1n << 31n) - 1n - slo);
    if (sync) boundsSync(r);
    return r;
  }
}

/**
 * The concrete result of `dst op src` as the BPF ISA defines it: wraparound, ALU32 results
 * zero-extended, x/0 = 0 and x%0 = x (truncated to the width), signed forms truncate towards zero.
 */
export function concreteAlu(op: number, x: bigint, y: bigint, alu32: boolean, signed = false): bigint {
  const bits = alu32 ? 32 : 64;
  const u = (v: bigint): bigint => BigInt.asUintN(bits, v);
  const s = (v: bigint): bigint => BigInt.asIntN(bits, v);
  const a = u(x);
  const b = u(y);
  const sh = BigInt(Number(b) & (bits - 1));
  switch (op) {
    case BPF_ADD:
      return u(a + b);
    case BPF_SUB:
      return u(a - b);
    case BPF_MUL:
      return u(a * b);
    case BPF_DIV:
      if (b === 0n) return 0n;
      return signed ? u(s(a) / s(b)) : a / b;
    case BPF_MOD:
      if (b === 0n) return a;
      return signed ? u(s(a) % s(b)) : a % b;
    case BPF_OR:
      return a | b;
    case BPF_AND:
      return a & b;
    case BPF_XOR:
      return a ^ b;
    case BPF_LSH:
      return u(a << sh);
    case BPF_RSH:
      return a >> sh;
    case BPF_ARSH:
      return u(s(a) >> sh);
    default:
      throw new RangeError(`concreteAlu: op 0x${op.toString(16)}`);
  }
}

export const BINARY_OPS: readonly (readonly [string, number])[] = [
  ['add', BPF_ADD],
  ['sub', BPF_SUB],
  ['mul', BPF_MUL],
  ['div', BPF_DIV],
  ['mod', BPF_MOD],
  ['or', BPF_OR],
  ['and', BPF_AND],
  ['xor', BPF_XOR],
  ['lsh', BPF_LSH],
  ['rsh', BPF_RSH],
  ['arsh', BPF_ARSH],
];
