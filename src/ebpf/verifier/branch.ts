/**
 * Conditional jumps as the verifier follows them (the kernel's check_cond_jmp_op): which edges can
 * be taken, the scalar bounds learnt on each (including on the registers linked to the compared
 * ones by copies), and NULL checks of map values and ring buffer reservations.
 */
import { BPF_JEQ, BPF_JMP32, BPF_JNE, BPF_X } from '../../uapi/bpf.js';
import { type Insn, insnClass, jmpOp, srcBit } from '../insn.js';
import { readReg } from './alu.js';
import { forEachReg } from './calls.js';
import type { Env } from './env.js';
import { constValue, type Scalar, scalarCopy } from './scalar.js';
import { branchRefine, branchTaken } from './scalar-branch.js';
import { constReg, copyState, curFrame, isPointer, type Reg, type VState } from './state.js';

/** The states on the fall-through and taken edges (null: the edge cannot be taken). */
export interface Edges {
  readonly fall: VState | null;
  readonly taken: VState | null;
}

/** Give every scalar linked to `id` the refined value `s`. */
function propagate(st: VState, id: number, s: Scalar): void {
  if (id === 0) return;
  forEachReg(st, (r) => (r.type === 'scalar' && r.id === id ? { ...r, s } : null));
}

/** After a NULL check of the pointers with NULL-check `id`: on the NULL edge they become 0. */
function markNull(st: VState, id: number, isNull: boolean): void {
  let ref = 0;
  forEachReg(st, (r) => {
    if (r.id !== id || !r.nullable) return null;
    if (isNull) {
      if (r.ref !== 0) ref = r.ref;
      return constReg(0n);
    }
    return { ...r, nullable: false, id: 0 };
  });
  if (ref !== 0) {
    // Nothing was reserved: the reference ends here.
    const gone = ref;
    st.refs = st.refs.filter((x) => x.id !== gone);
  }
}

const isZero = (r: Reg): boolean => r.type === 'scalar' && constValue(r.s) === 0n;

export function checkCondJmp(env: Env, insn: Insn): Edges {
  const jmp32 = insnClass(insn.code) === BPF_JMP32;
  const op = jmpOp(insn.code);
  const isX = srcBit(insn.code) === BPF_X;
  const dst = readReg(env, insn.dst);
  const src = isX ? readReg(env, insn.src) : constReg(BigInt(insn.imm));
  const cur = env.cur;

  if (isPointer(dst) || isPointer(src)) {
    const ptr = isPointer(dst) ? dst : src;
    const other = isPointer(dst) ? src : dst;
    if (!jmp32 && (op === BPF_JEQ || op === BPF_JNE) && isZero(other)) {
      // The scalar being 0 made this a NULL check.
      if (isX) env.markPrecise(1 << (isPointer(dst) ? insn.src : insn.dst));
      if (ptr.nullable) {
        const eq = copyState(cur);
        markNull(eq, ptr.id, true);
        markNull(cur, ptr.id, false);
        return op === BPF_JEQ ? { fall: cur, taken: eq } : { fall: eq, taken: cur };
      }
      // A pointer that is not nullable is never NULL.
      return op === BPF_JEQ ? { fall: cur, taken: null } : { fall: null, taken: cur };
    }
    return { fall: cur, taken: copyState(cur) };
  }

  // The scalar domain treats one object passed twice as one register compared with itself: only
  // do that for the same register or copies linked by id; otherwise pass distinct objects.
  const same = isX && (insn.dst === insn.src || (dst.id !== 0 && dst.id === src.id));
  const srcS = same ? dst.s : src.s === dst.s ? scalarCopy(src.s) : src.s;
  if (constValue(dst.s) !== undefined && constValue(src.s) !== undefined) {
    // Two constants: the edge is known and nothing is learnt; the values decided it.
    env.markPrecise((1 << insn.dst) | (isX ? 1 << insn.src : 0));
    return branchTaken(dst.s, srcS, op, jmp32) === 1
      ? { fall: null, taken: cur }
      : { fall: cur, taken: null };
  }
  const { taken, fallthrough } = branchRefine(dst.s, srcS, op, jmp32);
  const apply = (st: VState, a: Scalar, b: Scalar): VState => {
    const regs = curFrame(st).regs;
    regs[insn.dst] = { ...dst, s: a };
    propagate(st, dst.id, a);
    if (isX && insn.dst !== insn.src) {
      regs[insn.src] = { ...src, s: b };
      propagate(st, src.id, b);
    }
    return st;
  };
  if (taken === null && fallthrough === null) {
    env.markPrecise((1 << insn.dst) | (isX ? 1 << insn.src : 0));
    // Contradictory bounds: no value reaches here (only on paths already impossible).
    return { fall: null, taken: null };
  }
  if (taken === null || fallthrough === null) {
    // The outcome is decided by the operands' ranges: those ranges matter.
    env.markPrecise((1 << insn.dst) | (isX ? 1 << insn.src : 0));
  }
  if (taken === null) return { fall: apply(cur, fallthrough!.a, fallthrough!.b), taken: null };
  if (fallthrough === null) return { fall: null, taken: apply(cur, taken.a, taken.b) };
  const t = apply(copyState(cur), taken.a, taken.b);
  return { fall: apply(cur, fallthrough.a, fallthrough.b), taken: t };
}
