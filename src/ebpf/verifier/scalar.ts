/**
 * A scalar register's abstract value as the Linux verifier keeps it (struct bpf_reg_state for
 * SCALAR_VALUE): a tnum plus signed/unsigned bounds on the 64-bit value and on its low 32 bits,
 * kept consistent by the kernel's synchronisation (reg_bounds_sync: __update_reg_bounds,
 * __reg_deduce_bounds, __reg_bound_offset). All bounds are bigints: unsigned ones in
 * [0, 2^64) / [0, 2^32), signed ones in [-2^63, 2^63) / [-2^31, 2^31).
 */
import {
  TNUM_UNKNOWN,
  type Tnum,
  tnumClearSubreg,
  tnumConst,
  tnumContains,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumRange,
  tnumStr,
  tnumSubreg,
  U64_MAX,
} from './tnum.js';

export interface Scalar {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
}

export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -(1n << 31n);
export const S32_MAX = (1n << 31n) - 1n;
export const U32_MAX = (1n << 32n) - 1n;
export { U64_MAX };

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
export const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
export const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** A register about which nothing is known (__mark_reg_unknown's scalar part). */
export function scalarUnknown(): Scalar {
  return {
    varOff: TNUM_UNKNOWN,
    smin: S64_MIN,
    smax: S64_MAX,
    umin: 0n,
    umax: U64_MAX,
    s32min: S32_MIN,
    s32max: S32_MAX,
    u32min: 0n,
    u32max: U32_MAX,
  };
}

/** A register holding exactly v (taken modulo 2^64; __mark_reg_known). */
export function scalarConst(v: bigint): Scalar {
  const x = u64(v);
  return {
    varOff: tnumConst(x),
    smin: s64(x),
    smax: s64(x),
    umin: x,
    umax: x,
    s32min: s32(x),
    s32max: s32(x),
    u32min: u32(x),
    u32max: u32(x),
  };
}

export function scalarCopy(r: Scalar): Scalar {
  return { ...r };
}

/** True when the 64-bit value is known (tnum_is_const). */
export function isConst(r: Scalar): boolean {
  return tnumIsConst(r.varOff);
}

/** True when the low 32 bits are known (tnum_subreg_is_const). */
export function isConst32(r: Scalar): boolean {
  return tnumIsConst(tnumSubreg(r.varOff));
}

/** The known value (64 or low 32 bits); undefined when not known. */
export function constValue(r: Scalar, is32 = false): bigint | undefined {
  if (is32) return isConst32(r) ? u32(r.varOff.value) : undefined;
  return isConst(r) ? r.varOff.value : undefined;
}

/** True when the concrete 64-bit x is allowed by every part of r. */
export function scalarContains(r: Scalar, x: bigint): boolean {
  const v = u64(x);
  const sv = s64(v);
  const lo = u32(v);
  const slo = s32(v);
  return (
    tnumContains(r.varOff, v) &&
    v >= r.umin &&
    v <= r.umax &&
    sv >= r.smin &&
    sv <= r.smax &&
    lo >= r.u32min &&
    lo <= r.u32max &&
    slo >= r.s32min &&
    slo <= r.s32max
  );
}

/** True when the bounds are self-consistent (reg_bounds_sanity_check's range checks). */
export function scalarIsSane(r: Scalar): boolean {
  return r.umin <= r.umax && r.smin <= r.smax && r.u32min <= r.u32max && r.s32min <= r.s32max;
}

/** __mark_reg64_unbounded. */
export function markUnbounded64(r: Scalar): void {
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
}

/** __mark_reg32_unbounded. */
export function markUnbounded32(r: Scalar): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  r.u32min = 0n;
  r.u32max = U32_MAX;
}

/** __mark_reg_known in place. */
export function markKnown(r: Scalar, v: bigint): void {
  Object.assign(r, scalarConst(v));
}

/** __mark_reg32_known: the low 32 bits become v, the high bits keep their tnum. */
export function markKnown32(r: Scalar, v: bigint): void {
  const x = u32(v);
  r.varOff = tnumOr(tnumClearSubreg(r.varOff), tnumConst(x));
  r.s32min = s32(x);
  r.s32max = s32(x);
  r.u32min = x;
  r.u32max = x;
}

/** __update_reg32_bounds: bounds from the tnum's low 32 bits. */
export function updateBounds32(r: Scalar): void {
  const t = tnumSubreg(r.varOff);
  r.s32min = max(r.s32min, s32(t.value | (t.mask & u32(S32_MIN))));
  r.s32max = min(r.s32max, s32(t.value | (t.mask & S32_MAX)));
  r.u32min = max(r.u32min, t.value);
  r.u32max = min(r.u32max, t.value | t.mask);
}

/** __update_reg64_bounds: bounds from the tnum. */
export function updateBounds64(r: Scalar): void {
  const t = r.varOff;
  r.smin = max(r.smin, s64(t.value | (t.mask & u64(S64_MIN))));
  r.smax = min(r.smax, s64(t.value | (t.mask & S64_MAX)));
  r.umin = max(r.umin, t.value);
  r.umax = min(r.umax, t.value | t.mask);
}

/** __update_reg_bounds. */
export function updateBounds(r: Scalar): void {
  updateBounds32(r);
  updateBounds64(r);
}

/** __reg32_deduce_bounds: 32-bit bounds from the 64-bit ones, then signed <-> unsigned. */
function deduceBounds32(r: Scalar): void {
  // The 64-bit range stays within one 2^32 block: its low words form a range too.
  if (r.umin >> 32n === r.umax >> 32n) {
    r.u32min = max(r.u32min, u32(r.umin));
    r.u32max = min(r.u32max, u32(r.umax));
    if (s32(r.umin) <= s32(r.umax)) {
      r.s32min = max(r.s32min, s32(r.umin));
      r.s32max = min(r.s32max, s32(r.umax));
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    if (u32(r.smin) <= u32(r.smax)) {
      r.u32min = max(r.u32min, u32(r.smin));
      r.u32max = min(r.u32max, u32(r.smax));
    }
    if (s32(r.smin) <= s32(r.smax)) {
      r.s32min = max(r.s32min, s32(r.smin));
      r.s32max = min(r.s32max, s32(r.smax));
    }
  }
  // Two adjacent blocks whose low words cross from negative to non-negative (s32 view).
  if (u32((r.umin >> 32n) + 1n) === u32(r.umax >> 32n) && s32(r.umin) < 0n && s32(r.umax) >= 0n) {
    r.s32min = max(r.s32min, s32(r.umin));
    r.s32max = min(r.s32max, s32(r.umax));
  }
  if (u32((r.smin >> 32n) + 1n) === u32(r.smax >> 32n) && s32(r.smin) < 0n && s32(r.smax) >= 0n) {
    r.s32min = max(r.s32min, s32(r.smin));
    r.s32max = min(r.s32max, s32(r.smax));
  }
  if (s32(r.u32min) <= s32(r.u32max)) {
    r.s32min = max(r.s32min, s32(r.u32min));
    r.s32max = min(r.s32max, s32(r.u32max));
  }
  if (u32(r.s32min) <= u32(r.s32max)) {
    r.u32min = max(r.u32min, u32(r.s32min));
    r.u32max = min(r.u32max, u32(r.s32max));
  } else if (r.u32max < u32(r.s32min)) {
    // The s32 range wraps; the u32 range only meets its non-negative half.
    r.s32min = s32(r.u32min);
    r.u32max = min(r.u32max, u32(r.s32max));
  } else if (u32(r.s32max) < r.u32min) {
    // ... or only its negative half.
    r.s32max = s32(r.u32max);
    r.u32min = max(r.u32min, u32(r.s32min));
  }
}

/** __reg64_deduce_bounds: signed <-> unsigned 64-bit. */
function deduceBounds64(r: Scalar): void {
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = max(r.smin, s64(r.umin));
    r.smax = min(r.smax, s64(r.umax));
  }
  if (u64(r.smin) <= u64(r.smax)) {
    r.umin = max(r.umin, u64(r.smin));
    r.umax = min(r.umax, u64(r.smax));
  } else if (r.umax < u64(r.smin)) {
    // The signed range wraps; the unsigned range only meets its non-negative half.
    r.smin = s64(r.umin);
    r.umax = min(r.umax, u64(r.smax));
  } else if (u64(r.smax) < r.umin) {
    // ... or only its negative half.
    r.smax = s64(r.umax);
    r.umin = max(r.umin, u64(r.smin));
  }
}

/** __reg_deduce_mixed_bounds: 64-bit bounds tightened with the low-word bounds. */
function deduceMixedBounds(r: Scalar): void {
  const hiMask = U64_MAX ^ U32_MAX;
  r.umin = max(r.umin, (r.umin & hiMask) | r.u32min);
  r.umax = min(r.umax, (r.umax & hiMask) | r.u32max);
  r.smin = max(r.smin, s64((u64(r.smin) & hiMask) | r.u32min));
  r.smax = min(r.smax, s64((u64(r.smax) & hiMask) | r.u32max));
  // A sign-extended 32-bit value whose low word is non-negative is that low word.
  if (r.s32min >= 0n && r.smin >= S32_MIN && r.smax <= S32_MAX) {
    r.smin = r.s32min;
    r.smax = r.s32max;
    r.umin = r.s32min;
    r.umax = r.s32max;
    r.varOff = tnumIntersect(r.varOff, tnumRange(r.smin, r.smax));
  }
}

/** __reg_deduce_bounds. */
export function deduceBounds(r: Scalar): void {
  deduceBounds32(r);
  deduceBounds64(r);
  deduceMixedBounds(r);
}

/** __reg_bound_offset: the tnum tightened with the unsigned ranges. */
export function boundOffset(r: Scalar): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(r.u32min, r.u32max));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

/** reg_bounds_sync: the fixpoint steps the kernel runs after every change. */
export function boundsSync(r: Scalar): void {
  // Fast path: nothing known, nothing to deduce.
  if (
    r.varOff.mask === U64_MAX &&
    r.umin === 0n &&
    r.umax === U64_MAX &&
    r.smin === S64_MIN &&
    r.smax === S64_MAX &&
    r.u32min === 0n &&
    r.u32max === U32_MAX &&
    r.s32min === S32_MIN &&
    r.s32max === S32_MAX
  ) {
    return;
  }
  // Fast path: a constant whose bounds all admit it is exactly that constant.
  if (r.varOff.mask === 0n) {
    const v = r.varOff.value;
    const sv = s64(v);
    const v32 = u32(v);
    const sv32 = s32(v);
    if (
      r.umin <= v &&
      v <= r.umax &&
      r.smin <= sv &&
      sv <= r.smax &&
      r.u32min <= v32 &&
      v32 <= r.u32max &&
      r.s32min <= sv32 &&
      sv32 <= r.s32max
    ) {
      r.umin = v;
      r.umax = v;
      r.smin = sv;
      r.smax = sv;
      r.u32min = v32;
      r.u32max = v32;
      r.s32min = sv32;
      r.s32max = sv32;
      return;
    }
  }
  updateBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  boundOffset(r);
  updateBounds(r);
}

/** A synchronised copy of r. */
export function scalarSynced(r: Scalar): Scalar {
  const c = scalarCopy(r);
  boundsSync(c);
  return c;
}

/** __reg_assign_32_into_64 + the tnum part of zext_32_to_64: the result of an ALU32 op. */
export function zext32To64(r: Scalar): void {
  r.varOff = tnumSubreg(r.varOff);
  r.umin = r.u32min;
  r.umax = r.u32max;
  if (r.s32min >= 0n && r.s32max >= 0n) {
    r.smin = r.s32min;
    r.smax = r.s32max;
  } else {
    r.smin = 0n;
    r.smax = U32_MAX;
  }
}

/** Verifier-log-like text: var_off and the bounds that say something. */
export function scalarStr(r: Scalar): string {
  const c = constValue(r);
  if (c !== undefined) return `${s64(c)}`;
  const parts: string[] = [];
  if (r.smin !== S64_MIN) parts.push(`smin=${r.smin}`);
  if (r.smax !== S64_MAX) parts.push(`smax=${r.smax}`);
  if (r.umin !== 0n) parts.push(`umin=${r.umin}`);
  if (r.umax !== U64_MAX) parts.push(`umax=${r.umax}`);
  if (r.s32min !== S32_MIN) parts.push(`smin32=${r.s32min}`);
  if (r.s32max !== S32_MAX) parts.push(`smax32=${r.s32max}`);
  if (r.u32min !== 0n) parts.push(`umin32=${r.u32min}`);
  if (r.u32max !== U32_MAX) parts.push(`umax32=${r.u32max}`);
  parts.push(`var_off=${tnumStr(r.varOff)}`);
  return `scalar(${parts.join(',')})`;
}
