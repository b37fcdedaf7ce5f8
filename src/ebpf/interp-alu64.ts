/**
 * 64-bit integer arithmetic on two 32-bit halves, as the interpreter keeps its registers: a value is
 * (lo, hi), both int32, meaning hi * 2^32 + (lo >>> 0) modulo 2^64. Results go to out[0] (lo) and
 * out[1] (hi) so that nothing is allocated.
 *
 * Multiplication uses Math.imul for the low products and 16-bit limbs for the high half of lo * lo.
 * Division and modulo are exact doubles when both operands fit in 53 bits (JS % on doubles is exact,
 * and (a - a % b) / b is then an exact quotient), BigInt otherwise. They carry the BPF semantics:
 * x / 0 = 0, x % 0 = x, INT64_MIN s/ -1 = INT64_MIN, INT64_MIN s% -1 = 0.
 */

const TWO32 = 4294967296;
/** 2^21: a high half below it (unsigned), or in [-2^21, 2^21) (signed), keeps the value within 53 bits. */
const HI53 = 0x200000;

/** Split a double that is an integer of magnitude < 2^53 into halves. */
function splitDouble(v: number, out: Int32Array): void {
  const hi = Math.floor(v / TWO32);
  out[0] = (v - hi * TWO32) | 0;
  out[1] = hi | 0;
}

function toBigU(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function toBigS(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint, out: Int32Array): void {
  out[0] = Number(BigInt.asIntN(32, v));
  out[1] = Number(BigInt.asIntN(32, v >> 32n));
}

export function add64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  const lo = (al + bl) | 0;
  out[0] = lo;
  out[1] = (ah + bh + (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
}

export function sub64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  out[0] = (al - bl) | 0;
  out[1] = (ah - bh - (al >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
}

export function neg64(al: number, ah: number, out: Int32Array): void {
  out[0] = -al | 0;
  out[1] = (~ah + (al === 0 ? 1 : 0)) | 0;
}

/** High 32 bits of the unsigned 64-bit product of two u32 (as int32). */
export function mulhiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const m1 = a1 * b0 + ((a0 * b0) >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) | 0;
}

export function mul64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  out[0] = Math.imul(al, bl);
  out[1] = (mulhiU32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/** Unsigned a / b; 0 when b is 0. */
export function udiv64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  if (bl === 0 && bh === 0) {
    out[0] = 0;
    out[1] = 0;
  } else if (ah === 0 && bh === 0) {
    out[0] = (al >>> 0) / (bl >>> 0);
    out[1] = 0;
  } else if (ah >>> 0 < HI53 && bh >>> 0 < HI53) {
    const a = ah * TWO32 + (al >>> 0);
    const b = bh * TWO32 + (bl >>> 0);
    splitDouble((a - (a % b)) / b, out);
  } else {
    fromBig(toBigU(al, ah) / toBigU(bl, bh), out);
  }
}

/** Unsigned a % b; a when b is 0. */
export function umod64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  if (bl === 0 && bh === 0) {
    out[0] = al;
    out[1] = ah;
  } else if (ah === 0 && bh === 0) {
    out[0] = (al >>> 0) % (bl >>> 0);
    out[1] = 0;
  } else if (ah >>> 0 < HI53 && bh >>> 0 < HI53) {
    splitDouble((ah * TWO32 + (al >>> 0)) % (bh * TWO32 + (bl >>> 0)), out);
  } else {
    fromBig(toBigU(al, ah) % toBigU(bl, bh), out);
  }
}

const fits53s = (hi: number): boolean => (hi + HI53) >>> 0 < 2 * HI53;

/** Signed a / b truncated toward zero; 0 when b is 0; INT64_MIN / -1 = INT64_MIN. */
export function sdiv64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  if (bl === 0 && bh === 0) {
    out[0] = 0;
    out[1] = 0;
  } else if (fits53s(ah) && fits53s(bh)) {
    const a = ah * TWO32 + (al >>> 0);
    const b = bh * TWO32 + (bl >>> 0);
    splitDouble((a - (a % b)) / b, out);
  } else {
    // BigInt division truncates toward zero; INT64_MIN / -1 = 2^63 wraps to INT64_MIN.
    fromBig(toBigS(al, ah) / toBigS(bl, bh), out);
  }
}

/** Signed a % b with the sign of a; a when b is 0; INT64_MIN % -1 = 0. */
export function smod64(al: number, ah: number, bl: number, bh: number, out: Int32Array): void {
  if (bl === 0 && bh === 0) {
    out[0] = al;
    out[1] = ah;
  } else if (fits53s(ah) && fits53s(bh)) {
    splitDouble((ah * TWO32 + (al >>> 0)) % (bh * TWO32 + (bl >>> 0)), out);
  } else {
    fromBig(toBigS(al, ah) % toBigS(bl, bh), out);
  }
}

/** a << n, n in 0..63. */
export function lsh64(al: number, ah: number, n: number, out: Int32Array): void {
  if (n === 0) {
    out[0] = al;
    out[1] = ah;
  } else if (n < 32) {
    out[0] = al << n;
    out[1] = (ah << n) | (al >>> (32 - n));
  } else {
    out[0] = 0;
    out[1] = al << (n - 32);
  }
}

/** a >>> n (logical), n in 0..63. */
export function rsh64(al: number, ah: number, n: number, out: Int32Array): void {
  if (n === 0) {
    out[0] = al;
    out[1] = ah;
  } else if (n < 32) {
    out[0] = (al >>> n) | (ah << (32 - n));
    out[1] = ah >>> n;
  } else {
    out[0] = ah >>> (n - 32);
    out[1] = 0;
  }
}

/** a >> n (arithmetic), n in 0..63. */
export function arsh64(al: number, ah: number, n: number, out: Int32Array): void {
  if (n === 0) {
    out[0] = al;
    out[1] = ah;
  } else if (n < 32) {
    out[0] = (al >>> n) | (ah << (32 - n));
    out[1] = ah >> n;
  } else {
    out[0] = ah >> (n - 32);
    out[1] = ah >> 31;
  }
}

/** Unsigned a < b. */
export function ult64(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === bh ? al >>> 0 < bl >>> 0 : ah >>> 0 < bh >>> 0;
}

/** Signed a < b. */
export function slt64(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === bh ? al >>> 0 < bl >>> 0 : ah < bh;
}

/** Byte swap of a 32-bit value (int32 result). */
export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Byte swap of the low 16 bits (zero-extended). */
export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}
