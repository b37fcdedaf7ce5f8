/**
 * Tristate numbers ("tnums") over 64 bits, with the semantics of the Linux verifier's
 * kernel/bpf/tnum.c: a tnum (value, mask) stands for every 64-bit x with
 * `(x & ~mask) === value`; a bit set in `mask` is unknown, other bits are known and equal to
 * the bit of `value` (which is zero where `mask` is set).
 *
 * Representation: unsigned bigints in [0, 2^64). The verifier analyses a program once per load
 * (never per executed instruction), so correctness and readability win over speed here; every
 * operation wraps its result to 64 bits.
 */

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** Builds a tnum; the value's unknown bits are cleared so the pair is canonical. */
export function tnum(value: bigint, mask: bigint): Tnum {
  const m = u64(mask);
  return { value: u64(value) & ~m & U64_MAX, mask: m };
}

/** Every 64-bit value. */
export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64_MAX };

export function tnumConst(value: bigint): Tnum {
  return { value: u64(value), mask: 0n };
}

/** Number of significant bits of x (the kernel's fls64): 0 for 0, 64 for 2^63. */
function fls64(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The smallest tnum holding [min, max] (unsigned) in the kernel's sense: the common high bits are known. */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const lo = u64(min);
  const chi = lo ^ u64(max);
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: lo & ~delta & U64_MAX, mask: delta };
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return { value: u64(a.value << s), mask: u64(a.mask << s) };
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return { value: a.value >> s, mask: a.mask >> s };
}

/**
 * Arithmetic right shift for an instruction of width `bits` (32: the operand's low word is
 * sign-extended from bit 31 and the result is 32 bits wide; 64: the whole value).
 */
export function tnumArshift(a: Tnum, shift: number, bits: 32 | 64): Tnum {
  const s = BigInt(shift);
  if (bits === 32) {
    return {
      value: BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      mask: BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    };
  }
  return { value: u64(BigInt.asIntN(64, a.value) >> s), mask: u64(BigInt.asIntN(64, a.mask) >> s) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  const sigma = sm + sv;
  const chi = u64(sigma ^ sv);
  const mu = chi | a.mask | b.mask;
  return { value: u64(sv) & ~mu & U64_MAX, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = a.value - b.value;
  const alpha = dv + a.mask;
  const beta = dv - b.mask;
  const chi = u64(alpha ^ beta);
  const mu = chi | a.mask | b.mask;
  return { value: u64(dv) & ~mu & U64_MAX, mask: mu };
}

/** Two's complement negation: 0 - a. */
export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(tnumConst(0n), a);
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64_MAX };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64_MAX };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/**
 * Multiplication as the kernel does it since 5.13: the known product of the values plus, for
 * each bit of a that may be set, the partial product's uncertainty accumulated with tnumAdd.
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  const accV = u64(a.value * b.value);
  let accM = tnumConst(0n);
  let x = a;
  let y = b;
  while (x.value !== 0n || x.mask !== 0n) {
    if ((x.value & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: y.mask });
    else if ((x.mask & 1n) !== 0n) accM = tnumAdd(accM, { value: 0n, mask: y.value | y.mask });
    x = tnumRshift(x, 1);
    y = tnumLshift(y, 1);
  }
  return tnumAdd(tnumConst(accV), accM);
}

/** The values that both a and b hold (a and b must overlap: otherwise the result is meaningless). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** The smallest tnum holding every value of a and of b (join of two paths). */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask | (a.value ^ b.value);
  return { value: a.value & b.value & ~mu & U64_MAX, mask: mu };
}

/** Truncation to `size` bytes (1, 2, 4 or 8). */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = size >= 8 ? U64_MAX : (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

/** True when every member is a multiple of `size` (a power of two; 0 counts as aligned). */
export function tnumIsAligned(a: Tnum, size: bigint): boolean {
  if (size === 0n) return true;
  return ((a.value | a.mask) & (size - 1n)) === 0n;
}

/** True when every member of b is a member of a (b ⊆ a). */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask) !== 0n) return false;
  return a.value === (b.value & ~a.mask);
}

/** True when the concrete 64-bit x is a member of a. */
export function tnumContains(a: Tnum, x: bigint): boolean {
  return (u64(x) & ~a.mask & U64_MAX) === a.value;
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === U64_MAX;
}

export function tnumEqualsConst(a: Tnum, v: bigint): boolean {
  return a.mask === 0n && a.value === u64(v);
}

/** The low 32 bits (the subregister). */
export function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}

/** a with its low 32 bits known zero. */
export function tnumClearSubreg(a: Tnum): Tnum {
  return tnumLshift(tnumRshift(a, 32), 32);
}

/** The high 32 bits of reg with the low 32 bits of subreg. */
export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
}

/** The high 32 bits of a with the known low 32 bits `value`. */
export function tnumConstSubreg(a: Tnum, value: bigint): Tnum {
  return tnumWithSubreg(a, tnumConst(value & U32_MAX));
}

export function tnumSubregIsConst(a: Tnum): boolean {
  return (a.mask & U32_MAX) === 0n;
}

/** Reverses the byte order of the low `size` bytes (2, 4 or 8): exact, bits only move. */
export function tnumBswap(a: Tnum, size: number): Tnum {
  const swap = (x: bigint): bigint => {
    let r = 0n;
    for (let i = 0; i < size; i++) r = (r << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
    return r;
  };
  return { value: swap(a.value), mask: swap(a.mask) };
}

/** The verifier log form "(0x..; 0x..)": value then mask, like tnum_strn. */
export function tnumStr(a: Tnum): string {
  return `(${hex(a.value)}; ${hex(a.mask)})`;
}

/** 64 characters, most significant bit first: '0', '1' or 'x' (unknown), like tnum_sbin. */
export function tnumSbin(a: Tnum): string {
  let s = '';
  for (let i = 63n; i >= 0n; i--) {
    s += ((a.mask >> i) & 1n) !== 0n ? 'x' : ((a.value >> i) & 1n) !== 0n ? '1' : '0';
  }
  return s;
}

function hex(x: bigint): string {
  return x === 0n ? '0' : `0x${x.toString(16)}`;
}
