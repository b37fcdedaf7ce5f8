/**
 * ALU transfer functions on scalars, after the kernel's adjust_scalar_min_max_vals and its
 * scalar(32)_min_max_* helpers: given the abstract destination and source, the abstract result
 * of `dst = dst op src` for class ALU (32-bit, zero-extended) or ALU64.
 */
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_LSH,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
} from '../../uapi/bpf.js';
import {
  boundsSync,
  constValue,
  isConst,
  isConst32,
  markKnown,
  markKnown32,
  markUnbounded32,
  markUnbounded64,
  max,
  min,
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  type Scalar,
  s32,
  s64,
  scalarConst,
  scalarCopy,
  scalarIsSane,
  scalarUnknown,
  U32_MAX,
  U64_MAX,
  u32,
  u64,
  updateBounds,
  updateBounds32,
  zext32To64,
} from './scalar.js';
import {
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumCast,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRange,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumXor,
} from './tnum.js';

/** Bounds of one width: unsigned/signed limits and wrapping. */
interface Width {
  readonly bits: bigint;
  readonly umaxAll: bigint;
  readonly sminAll: bigint;
  readonly smaxAll: bigint;
  readonly s: (x: bigint) => bigint;
}
const W64: Width = { bits: 64n, umaxAll: U64_MAX, sminAll: S64_MIN, smaxAll: S64_MAX, s: s64 };
const W32: Width = { bits: 32n, umaxAll: U32_MAX, sminAll: S32_MIN, smaxAll: S32_MAX, s: s32 };

/** The four bounds of one width, read and written together. */
interface Bounds {
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
}
function get(r: Scalar, w: Width): Bounds {
  return w === W64
    ? { smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax }
    : { smin: r.s32min, smax: r.s32max, umin: r.u32min, umax: r.u32max };
}
function set(r: Scalar, w: Width, b: Bounds): void {
  if (w === W64) {
    r.smin = b.smin;
    r.smax = b.smax;
    r.umin = b.umin;
    r.umax = b.umax;
  } else {
    r.s32min = b.smin;
    r.s32max = b.smax;
    r.u32min = b.umin;
    r.u32max = b.umax;
  }
}
const fitsS = (w: Width, x: bigint): boolean => x >= w.sminAll && x <= w.smaxAll;

/**
 * scalar(32)_min_max_add: a signed overflow at either end loses the signed range; the unsigned
 * range survives when neither or both ends wrap (then every sum wraps exactly once).
 */
function boundsAdd(d: Bounds, s: Bounds, w: Width): Bounds {
  const smin = d.smin + s.smin;
  const smax = d.smax + s.smax;
  const sOk = fitsS(w, smin) && fitsS(w, smax);
  const top = w.umaxAll + 1n;
  const umin = d.umin + s.umin;
  const umax = d.umax + s.umax;
  const uOk = umin >= top || umax < top;
  return {
    smin: sOk ? smin : w.sminAll,
    smax: sOk ? smax : w.smaxAll,
    umin: uOk ? umin % top : 0n,
    umax: uOk ? umax % top : w.umaxAll,
  };
}

/** scalar(32)_min_max_sub: likewise, the unsigned range survives when neither or both ends borrow. */
function boundsSub(d: Bounds, s: Bounds, w: Width): Bounds {
  const smin = d.smin - s.smax;
  const smax = d.smax - s.smin;
  const sOk = fitsS(w, smin) && fitsS(w, smax);
  const top = w.umaxAll + 1n;
  const umin = d.umin - s.umax;
  const umax = d.umax - s.umin;
  const uOk = umin >= 0n || umax < 0n;
  return {
    smin: sOk ? smin : w.sminAll,
    smax: sOk ? smax : w.smaxAll,
    umin: uOk ? (umin + top) % top : 0n,
    umax: uOk ? (umax + top) % top : w.umaxAll,
  };
}

/** scalar(32)_min_max_mul (the check_mul_overflow form): any overflowing product loses that domain. */
function boundsMul(d: Bounds, s: Bounds, w: Width): Bounds {
  const umin = d.umin * s.umin;
  const umax = d.umax * s.umax;
  const uOk = umax <= w.umaxAll;
  const p = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax];
  const sOk = p.every((x) => fitsS(w, x));
  return {
    smin: sOk ? p.reduce(min) : w.sminAll,
    smax: sOk ? p.reduce(max) : w.smaxAll,
    umin: uOk ? umin : 0n,
    umax: uOk ? umax : w.umaxAll,
  };
}

/** Signed bounds copied from unsigned ones when they do not cross the sign boundary. */
function signedFromUnsigned(b: Bounds, w: Width): void {
  if (w.s(b.umin) <= w.s(b.umax)) {
    b.smin = w.s(b.umin);
    b.smax = w.s(b.umax);
  } else {
    b.smin = w.sminAll;
    b.smax = w.smaxAll;
  }
}

/** scalar(32)_min_max_and/or/xor, after the tnum of the result is in place. */
function bitwise(op: number, dst: Scalar, src: Scalar, w: Width): void {
  const t = w === W64 ? dst.varOff : tnumSubreg(dst.varOff);
  const known = w === W64 ? isConst(src) && isConst(dst) : isConst32(src) && isConst32(dst);
  if (known) {
    if (w === W64) markKnown(dst, t.value);
    else markKnown32(dst, t.value);
    return;
  }
  const d = get(dst, w);
  const s = get(src, w);
  if (op === BPF_AND) {
    d.umin = t.value;
    d.umax = min(d.umax, s.umax);
  } else if (op === BPF_OR) {
    d.umin = max(d.umin, s.umin);
    d.umax = t.value | t.mask;
  } else {
    d.umin = t.value;
    d.umax = t.value | t.mask;
  }
  signedFromUnsigned(d, w);
  set(dst, w, d);
  if (w === W64) updateBounds(dst);
  else updateBounds32(dst);
}

/** __scalar32_min_max_lsh. */
function lshBounds32(dst: Scalar, uminVal: bigint, umaxVal: bigint): void {
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  if (umaxVal > 31n || dst.u32max > 1n << (31n - umaxVal)) {
    dst.u32min = 0n;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min <<= uminVal;
    dst.u32max <<= umaxVal;
  }
}

/** __scalar64_min_max_lsh. */
function lshBounds64(dst: Scalar, uminVal: bigint, umaxVal: bigint): void {
  const by32 = uminVal === 32n && umaxVal === 32n;
  dst.smax = by32 && dst.s32max >= 0n ? dst.s32max << 32n : S64_MAX;
  dst.smin = by32 && dst.s32min >= 0n ? dst.s32min << 32n : S64_MIN;
  if (dst.umax > 1n << (63n - umaxVal)) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin <<= uminVal;
    dst.umax <<= umaxVal;
  }
}

function shift(op: number, dst: Scalar, src: Scalar, alu32: boolean): void {
  const uminVal = alu32 ? src.u32min : src.umin;
  const umaxVal = alu32 ? src.u32max : src.umax;
  const k = Number(uminVal);
  if (alu32) {
    const sub = tnumSubreg(dst.varOff);
    if (op === BPF_LSH) {
      lshBounds32(dst, uminVal, umaxVal);
      dst.varOff = tnumSubreg(tnumLshift(sub, k));
    } else if (op === BPF_RSH) {
      dst.s32min = S32_MIN;
      dst.s32max = S32_MAX;
      dst.varOff = tnumRshift(sub, k);
      dst.u32min >>= umaxVal;
      dst.u32max >>= uminVal;
    } else {
      dst.s32min >>= uminVal;
      dst.s32max >>= uminVal;
      dst.varOff = tnumArshift(sub, k, 32);
      dst.u32min = 0n;
      dst.u32max = U32_MAX;
    }
    markUnbounded64(dst);
    updateBounds32(dst);
    return;
  }
  if (op === BPF_LSH) {
    lshBounds64(dst, uminVal, umaxVal);
    lshBounds32(dst, uminVal, umaxVal);
    dst.varOff = tnumLshift(dst.varOff, k);
  } else if (op === BPF_RSH) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
    dst.varOff = tnumRshift(dst.varOff, k);
    dst.umin >>= umaxVal;
    dst.umax >>= uminVal;
    markUnbounded32(dst);
  } else {
    dst.smin >>= uminVal;
    dst.smax >>= uminVal;
    dst.varOff = tnumArshift(dst.varOff, k, 64);
    dst.umin = 0n;
    dst.umax = U64_MAX;
    markUnbounded32(dst);
  }
  updateBounds(dst);
}

/**
 * is_safe_to_compute_dst_reg_range: add/sub/mul/and/or/xor always; shifts only by a known
 * amount below the operand width; everything else (div, mod, signed div/mod) is not tracked.
 */
function trackable(op: number, src: Scalar, alu32: boolean): boolean {
  switch (op) {
    case BPF_ADD:
    case BPF_SUB:
    case BPF_MUL:
    case BPF_AND:
    case BPF_OR:
    case BPF_XOR:
      return true;
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH: {
      const v = constValue(src, alu32);
      return v !== undefined && v < (alu32 ? 32n : 64n);
    }
    default:
      return false;
  }
}

/**
 * The abstract result of the binary ALU op `op` (BPF_ADD ... BPF_ARSH, BPF_DIV/BPF_MOD of either
 * signedness) with dst and src as operands; alu32 for class BPF_ALU (the result is the low 32
 * bits zero-extended). Untracked ops and shifts by unknown or oversized amounts give unknown.
 */
export function scalarAlu(op: number, dst: Scalar, src: Scalar, alu32: boolean): Scalar {
  if (!scalarIsSane(src) || !trackable(op, src, alu32)) return scalarUnknown();
  const r = scalarCopy(dst);
  switch (op) {
    case BPF_ADD:
    case BPF_SUB:
    case BPF_MUL: {
      const f = op === BPF_ADD ? boundsAdd : op === BPF_SUB ? boundsSub : boundsMul;
      set(r, W32, f(get(dst, W32), get(src, W32), W32));
      set(r, W64, f(get(dst, W64), get(src, W64), W64));
      const t = op === BPF_ADD ? tnumAdd : op === BPF_SUB ? tnumSub : tnumMul;
      r.varOff = t(dst.varOff, src.varOff);
      break;
    }
    case BPF_AND:
    case BPF_OR:
    case BPF_XOR: {
      const t = op === BPF_AND ? tnumAnd : op === BPF_OR ? tnumOr : tnumXor;
      r.varOff = t(dst.varOff, src.varOff);
      bitwise(op, r, src, W32);
      bitwise(op, r, src, W64);
      break;
    }
    default:
      shift(op, r, src, alu32);
  }
  if (alu32) zext32To64(r);
  boundsSync(r);
  return r;
}

/** BPF_NEG as the kernel tracks it: 0 - dst (bounds of the subtraction, tnum_neg). */
export function scalarNeg(dst: Scalar, alu32: boolean): Scalar {
  const zero = scalarConst(0n);
  const r = scalarCopy(zero);
  set(r, W32, boundsSub(get(zero, W32), get(dst, W32), W32));
  set(r, W64, boundsSub(get(zero, W64), get(dst, W64), W64));
  r.varOff = tnumNeg(dst.varOff);
  if (alu32) zext32To64(r);
  boundsSync(r);
  return r;
}

/** `mov dst, src` (64: a copy; 32: the low word zero-extended). */
export function scalarMov(src: Scalar, alu32: boolean): Scalar {
  const r = scalarCopy(src);
  if (alu32) zext32To64(r);
  boundsSync(r);
  return r;
}

/** `mov dst, imm`: the immediate sign-extended to 64 bits, or its low word for ALU32. */
export function scalarMovImm(imm: number, alu32: boolean): Scalar {
  return scalarConst(alu32 ? u32(BigInt(imm)) : BigInt(imm));
}

/**
 * `movsx dst, src` (off 8/16/32): the low `bits` of src sign-extended to 64 bits, or (ALU32,
 * 8/16) to 32 bits then zero-extended. Follows coerce_reg_to_size_sx for 64-bit results: exact
 * for constants, the signed range when it sign-extends monotonically, else the full range of
 * the source width.
 */
export function scalarMovsx(src: Scalar, bits: 8 | 16 | 32, alu32: boolean): Scalar {
  const n = BigInt(bits);
  const sx = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const c = constValue(src);
  if (c !== undefined) return scalarConst(alu32 ? u32(sx(c)) : sx(c));
  const lo = -(1n << (n - 1n));
  const hi = (1n << (n - 1n)) - 1n;
  let smin = lo;
  let smax = hi;
  if (src.smin >> n === src.smax >> n) {
    const a = sx(src.smin);
    const b = sx(src.smax);
    if (a >= 0n === b >= 0n) {
      smin = min(a, b);
      smax = max(a, b);
    }
  }
  const r = scalarUnknown();
  if (alu32) {
    r.s32min = smin;
    r.s32max = smax;
    zext32To64(r);
  } else {
    r.smin = smin;
    r.smax = smax;
    if (smin >= 0n === smax >= 0n) {
      r.umin = u64(smin);
      r.umax = u64(smax);
      r.varOff = tnumRange(u64(smin), u64(smax));
    }
  }
  boundsSync(r);
  return r;
}

/**
 * BPF_END: `le` (16/32/64) truncates (the BPF byte order is the host's little-endian one);
 * `be` and ALU64 `bswap` reverse the low `bits` bits' bytes. Exact on the tnum (bits only
 * move); the bounds follow from it. (The kernel of this model's era marks the result unknown;
 * this is sound and at least as precise.)
 */
export function scalarEnd(dst: Scalar, bits: 16 | 32 | 64, swap: boolean): Scalar {
  const r = scalarUnknown();
  r.varOff = swap ? tnumBswap(dst.varOff, bits / 8) : tnumCast(dst.varOff, bits / 8);
  boundsSync(r);
  return r;
}
