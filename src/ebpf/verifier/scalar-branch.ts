/**
 * Conditional jumps on scalars, after the kernel's is_scalar_branch_taken (is the branch always,
 * never or maybe taken) and reg_set_min_max / regs_refine_cond_op (what each edge teaches about
 * both operands). `jmp32` compares the low 32 bits (class BPF_JMP32).
 */
import {
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
} from '../../uapi/bpf.js';
import {
  boundsSync,
  constValue,
  max,
  min,
  type Scalar,
  s32,
  scalarCopy,
  scalarIsSane,
  scalarUnknown,
} from './scalar.js';
import {
  tnumAnd,
  tnumConst,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumSubreg,
  tnumWithSubreg,
  U64_MAX,
} from './tnum.js';

/** The kernel's pseudo opcode for the false edge of JSET ("no bit in common"). */
const JSET_FALSE = -1;

const ORDERED = new Set([BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE]);

/** 1: always taken, 0: never taken, -1: depends on the values. */
export type BranchTaken = 1 | 0 | -1;

interface View {
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
}
const view = (r: Scalar, jmp32: boolean): View =>
  jmp32
    ? { umin: r.u32min, umax: r.u32max, smin: r.s32min, smax: r.s32max }
    : { umin: r.umin, umax: r.umax, smin: r.smin, smax: r.smax };

/** A register compared with itself (`if r1 > r1`): decided by the op alone, JSET by its value. */
function takenSelf(a: Scalar, op: number, jmp32: boolean): BranchTaken {
  switch (op) {
    case BPF_JEQ:
    case BPF_JGE:
    case BPF_JLE:
    case BPF_JSGE:
    case BPF_JSLE:
      return 1;
    case BPF_JSET: {
      const t = jmp32 ? tnumSubreg(a.varOff) : a.varOff;
      if (tnumIsConst(t)) return t.value !== 0n ? 1 : 0;
      const x = view(a, jmp32);
      return x.smin <= 0n && x.smax >= 0n ? -1 : 1;
    }
    default:
      return 0;
  }
}

function taken(a: Scalar, b: Scalar, op: number, jmp32: boolean): BranchTaken {
  if (a === b && op !== BPF_JSET && !ORDERED.has(op) && op !== BPF_JEQ && op !== BPF_JNE) {
    throw new RangeError(`scalar branch: expected a conditional jump op, found 0x${op.toString(16)}`);
  }
  if (a === b) return takenSelf(a, op, jmp32);
  const t1 = jmp32 ? tnumSubreg(a.varOff) : a.varOff;
  const t2 = jmp32 ? tnumSubreg(b.varOff) : b.varOff;
  const x = view(a, jmp32);
  const y = view(b, jmp32);
  switch (op) {
    case BPF_JEQ:
    case BPF_JNE: {
      const eq = op === BPF_JEQ ? 1 : 0;
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value === t2.value ? eq : ((1 - eq) as 0 | 1);
      const disjoint =
        x.umin > y.umax ||
        x.umax < y.umin ||
        x.smin > y.smax ||
        x.smax < y.smin ||
        (!jmp32 &&
          (a.u32min > b.u32max || a.u32max < b.u32min || a.s32min > b.s32max || a.s32max < b.s32min)) ||
        ((t1.value ^ t2.value) & ~(t1.mask | t2.mask) & U64_MAX) !== 0n;
      return disjoint ? ((1 - eq) as 0 | 1) : -1;
    }
    case BPF_JSET: {
      // Decided only against a constant (either side), as the kernel does.
      const [v, k] = tnumIsConst(t2) ? [t1, t2] : [t2, t1];
      if (!tnumIsConst(k)) return -1;
      if ((v.value & k.value) !== 0n) return 1;
      if (((v.value | v.mask) & k.value) === 0n) return 0;
      return -1;
    }
    case BPF_JGT:
      return x.umin > y.umax ? 1 : x.umax <= y.umin ? 0 : -1;
    case BPF_JGE:
      return x.umin >= y.umax ? 1 : x.umax < y.umin ? 0 : -1;
    case BPF_JLT:
      return x.umax < y.umin ? 1 : x.umin >= y.umax ? 0 : -1;
    case BPF_JLE:
      return x.umax <= y.umin ? 1 : x.umin > y.umax ? 0 : -1;
    case BPF_JSGT:
      return x.smin > y.smax ? 1 : x.smax <= y.smin ? 0 : -1;
    case BPF_JSGE:
      return x.smin >= y.smax ? 1 : x.smax < y.smin ? 0 : -1;
    case BPF_JSLT:
      return x.smax < y.smin ? 1 : x.smin >= y.smax ? 0 : -1;
    case BPF_JSLE:
      return x.smax <= y.smin ? 1 : x.smin > y.smax ? 0 : -1;
    default:
      throw new RangeError(`scalar branch: expected a conditional jump op, found 0x${op.toString(16)}`);
  }
}

/**
 * Whether `if (a op b)` is taken for every, no or some members of a and b (kernel's
 * is_scalar_branch_taken). Passing the same object as a and b means one register compared with
 * itself (the kernel's reg1 == reg2 case).
 */
export function branchTaken(a: Scalar, b: Scalar, op: number, jmp32: boolean): BranchTaken {
  return taken(a, b, op, jmp32);
}

/** The op of the false edge (rev_opcode). */
function reverse(op: number): number {
  switch (op) {
    case BPF_JEQ:
      return BPF_JNE;
    case BPF_JNE:
      return BPF_JEQ;
    case BPF_JSET:
      return JSET_FALSE;
    case BPF_JGT:
      return BPF_JLE;
    case BPF_JGE:
      return BPF_JLT;
    case BPF_JLT:
      return BPF_JGE;
    case BPF_JLE:
      return BPF_JGT;
    case BPF_JSGT:
      return BPF_JSLE;
    case BPF_JSGE:
      return BPF_JSLT;
    case BPF_JSLT:
      return BPF_JSGE;
    default:
      return BPF_JSGT;
  }
}

/** Assumes `a op b` holds and narrows a and b in place (regs_refine_cond_op). */
function refine(a: Scalar, b: Scalar, op: number, jmp32: boolean): void {
  switch (op) {
    case BPF_JEQ:
      if (jmp32) {
        a.u32min = b.u32min = max(a.u32min, b.u32min);
        a.u32max = b.u32max = min(a.u32max, b.u32max);
        a.s32min = b.s32min = max(a.s32min, b.s32min);
        a.s32max = b.s32max = min(a.s32max, b.s32max);
        const t = tnumIntersect(tnumSubreg(a.varOff), tnumSubreg(b.varOff));
        a.varOff = tnumWithSubreg(a.varOff, t);
        b.varOff = tnumWithSubreg(b.varOff, t);
      } else {
        a.umin = b.umin = max(a.umin, b.umin);
        a.umax = b.umax = min(a.umax, b.umax);
        a.smin = b.smin = max(a.smin, b.smin);
        a.smax = b.smax = min(a.smax, b.smax);
        a.varOff = b.varOff = tnumIntersect(a.varOff, b.varOff);
      }
      return;
    case BPF_JNE:
    case BPF_JSET:
    case JSET_FALSE: {
      let r = a;
      let v = constValue(b, jmp32);
      if (v === undefined) {
        r = b;
        v = constValue(a, jmp32);
      }
      if (v === undefined) return;
      if (op === BPF_JNE) {
        // Only a constant at an edge of r's range can be cut off.
        if (jmp32) {
          if (r.u32min === v) r.u32min++;
          if (r.u32max === v) r.u32max--;
          if (r.s32min === s32(v)) r.s32min++;
          if (r.s32max === s32(v)) r.s32max--;
        } else {
          if (r.umin === v) r.umin++;
          if (r.umax === v) r.umax--;
          if (r.smin === BigInt.asIntN(64, v)) r.smin++;
          if (r.smax === BigInt.asIntN(64, v)) r.smax--;
        }
        return;
      }
      if (op === BPF_JSET && (v === 0n || (v & (v - 1n)) !== 0n)) return; // one bit only
      // The false edge forgets r's ranges first (the kernel's guard against dead branches).
      if (op === JSET_FALSE) Object.assign(r, { ...scalarUnknown(), varOff: r.varOff });
      const t = op === BPF_JSET ? tnumOr : tnumAnd;
      const k = tnumConst(op === BPF_JSET ? v : ~v);
      r.varOff = jmp32 ? tnumWithSubreg(r.varOff, t(tnumSubreg(r.varOff), k)) : t(r.varOff, k);
      return;
    }
    case BPF_JLE:
    case BPF_JLT: {
      const d = op === BPF_JLT ? 1n : 0n;
      if (jmp32) {
        a.u32max = min(a.u32max, b.u32max - d);
        b.u32min = max(a.u32min + d, b.u32min);
      } else {
        a.umax = min(a.umax, b.umax - d);
        b.umin = max(a.umin + d, b.umin);
      }
      return;
    }
    case BPF_JSLE:
    case BPF_JSLT: {
      const d = op === BPF_JSLT ? 1n : 0n;
      if (jmp32) {
        a.s32max = min(a.s32max, b.s32max - d);
        b.s32min = max(a.s32min + d, b.s32min);
      } else {
        a.smax = min(a.smax, b.smax - d);
        b.smin = max(a.smin + d, b.smin);
      }
      return;
    }
    case BPF_JGE:
      refine(b, a, BPF_JLE, jmp32);
      return;
    case BPF_JGT:
      refine(b, a, BPF_JLT, jmp32);
      return;
    case BPF_JSGE:
      refine(b, a, BPF_JSLE, jmp32);
      return;
    case BPF_JSGT:
      refine(b, a, BPF_JSLT, jmp32);
      return;
  }
}

/** The operands' states on one edge of a conditional jump; null when the edge cannot be taken. */
export type Edge = { readonly a: Scalar; readonly b: Scalar } | null;

/**
 * `if (a op b) goto taken; else fallthrough;`: the refined states of a and b on both edges
 * (reg_set_min_max). An edge that is_branch_taken rules out, or whose refinement leaves
 * inconsistent bounds, is null. A register compared with itself (a === b) is not refined.
 */
export function branchRefine(
  a: Scalar,
  b: Scalar,
  op: number,
  jmp32: boolean,
): { readonly taken: Edge; readonly fallthrough: Edge } {
  const t = taken(a, b, op, jmp32);
  const edge = (o: number): Edge => {
    if (a === b) {
      const same = scalarCopy(a);
      return { a: same, b: same };
    }
    const x = scalarCopy(a);
    const y = scalarCopy(b);
    refine(x, y, o, jmp32);
    boundsSync(x);
    boundsSync(y);
    return scalarIsSane(x) && scalarIsSane(y) ? { a: x, b: y } : null;
  };
  return {
    taken: t === 0 ? null : edge(op),
    fallthrough: t === 1 ? null : edge(reverse(op)),
  };
}
