/**
 * Precision tracking, modelled on the kernel's mark_chain_precision: a scalar's exact range matters
 * only where a safety decision used it (a branch decided by it, pointer arithmetic, a helper's size
 * argument, the return value's range). There the register is marked precise, and the marks are
 * carried back along the path: the instructions since each stored state (its history) are walked
 * backwards to find which registers and spilled stack slots the value came from, and those are
 * marked precise in the stored states. Pruning then compares only precise scalars' ranges
 * (equiv.ts), so states that differ in values no decision used are recognised as equivalent.
 *
 * Where the walk would cross a bpf2bpf call or return, every scalar of the path is marked precise
 * instead (sound, as the kernel's fallback).
 */
import {
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_EXIT,
  BPF_FETCH,
  BPF_JMP,
  BPF_LD,
  BPF_LDX,
  BPF_MOV,
  BPF_PSEUDO_CALL,
  BPF_ST,
  BPF_STX,
  BPF_X,
} from '../../uapi/bpf.js';
import { aluOp, type Insn, insnClass, jmpOp, memMode, srcBit } from '../insn.js';
import type { Frame, Reg, VState } from './state.js';

/** A state stored at a prune point. */
export interface Checkpoint {
  readonly state: VState;
  /** Slot index of the instruction it was stored at. */
  readonly insn: number;
  /** History entries (histEntry) of the path from the parent checkpoint to this one. */
  readonly hist: readonly number[];
  /** Paths still being explored below it (0: fully explored, usable for pruning). */
  branches: number;
  readonly parent: Checkpoint | null;
  hits: number;
  /** The register that last told a visiting state apart from this one (checked first next time). */
  hint: number;
  /** fingerprint() of the state at its instruction. */
  readonly fp: number;
}

/** A history entry: the instruction and the stack slot (frame * 64 + slot) it spilled to or filled from. */
export const histEntry = (idx: number, stackRef: number): number => idx * 1024 + stackRef + 1;
const histIdx = (e: number): number => Math.floor(e / 1024);
const histRef = (e: number): number => (e % 1024) - 1;

interface Mask {
  regs: number;
  slots: Set<number>;
}

const bit = (r: number): number => 1 << r;

/**
 * Step back over one instruction: the mask of values needed after it becomes the mask of values
 * needed before it. False when the walk cannot go on (a call into or a return from a subprogram).
 */
function backtrackInsn(insn: Insn, ref: number, m: Mask): boolean {
  const cls = insnClass(insn.code);
  const dst = bit(insn.dst);
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      if (!(m.regs & dst)) return true;
      const x = srcBit(insn.code) === BPF_X;
      if (aluOp(insn.code) === BPF_MOV) {
        m.regs &= ~dst;
        if (x) m.regs |= bit(insn.src);
      } else if (x) m.regs |= bit(insn.src);
      return true;
    }
    case BPF_LDX:
      if (!(m.regs & dst)) return true;
      m.regs &= ~dst;
      if (ref >= 0) m.slots.add(ref);
      return true;
    case BPF_ST:
    case BPF_STX:
      if (memMode(insn.code) === BPF_ATOMIC) {
        if (insn.imm === BPF_CMPXCHG) m.regs &= ~bit(0);
        else if (insn.imm & BPF_FETCH) m.regs &= ~bit(insn.src);
        return true;
      }
      if (ref >= 0 && m.slots.has(ref)) {
        m.slots.delete(ref);
        if (cls === BPF_STX) m.regs |= bit(insn.src);
      }
      return true;
    case BPF_LD:
      m.regs &= ~dst;
      return true;
    case BPF_JMP: {
      const op = jmpOp(insn.code);
      if (op === BPF_EXIT) return false;
      if (op === BPF_CALL) {
        if (insn.src === BPF_PSEUDO_CALL) return false;
        m.regs &= ~0x3f; // r0 from the helper; r1-r5 clobbered
      }
      return true;
    }
    default:
      return true;
  }
}

const precise = (r: Reg): Reg => (r.type === 'scalar' && !r.precise ? { ...r, precise: true } : r);

/** Mark register r of `frame` precise; true if it was not. */
function markReg(frame: Frame, r: number): boolean {
  const reg = frame.regs[r]!;
  if (reg.type !== 'scalar' || reg.precise) return false;
  frame.regs[r] = precise(reg);
  return true;
}

/** Mark the scalar spilled in slot (frame * 64 + spi) precise; true if it was not. */
function markSlot(st: VState, ref: number): boolean {
  const frame = st.frames[ref >> 6];
  const sp = frame?.spills[ref & 63];
  if (frame === undefined || sp === null || sp === undefined || sp.reg.type !== 'scalar' || sp.reg.precise) {
    return false;
  }
  frame.spills[ref & 63] = { ...sp, reg: precise(sp.reg) };
  return true;
}

/** Every scalar of `st`, in registers and spilled, becomes precise. */
function markAll(st: VState): void {
  for (const f of st.frames) {
    for (let r = 0; r < 11; r++) markReg(f, r);
    for (let s = 0; s < f.spills.length; s++) {
      const sp = f.spills[s];
      if (sp && sp.reg.type === 'scalar' && !sp.reg.precise) f.spills[s] = { ...sp, reg: precise(sp.reg) };
    }
  }
}

/**
 * Mark precise, at the current instruction of the path, the registers `regs` (a bitmask) of its
 * top frame and the spilled slots `slots`, and carry the marks back through the stored states of
 * the path (`parent` and up), whose history leads to the current state (`hist`).
 */
export function markPrecise(
  insns: readonly Insn[],
  cur: VState,
  hist: readonly number[],
  parent: Checkpoint | null,
  regs: number,
  slots: Iterable<number> = [],
): void {
  const top = cur.frames.length - 1;
  const m: Mask = { regs, slots: new Set(slots) };
  for (let r = 0; r < 11; r++) if (regs & bit(r)) markReg(cur.frames[top]!, r);
  for (const s of m.slots) markSlot(cur, s);
  let h = hist;
  let cp = parent;
  for (;;) {
    for (let k = h.length - 1; k >= 0; k--) {
      if (m.regs === 0 && m.slots.size === 0) return;
      const e = h[k]!;
      if (!backtrackInsn(insns[histIdx(e)]!, histRef(e), m)) {
        markAllPath(cur, parent);
        return;
      }
    }
    if (cp === null || (m.regs === 0 && m.slots.size === 0)) return;
    if (cp.state.frames.length !== top + 1) {
      markAllPath(cur, parent);
      return;
    }
    let fresh = false;
    const f = cp.state.frames[top]!;
    for (let r = 0; r < 11; r++) {
      if (!(m.regs & bit(r))) continue;
      if (f.regs[r]!.type !== 'scalar') m.regs &= ~bit(r);
      else if (markReg(f, r)) fresh = true;
    }
    for (const s of [...m.slots]) {
      const sp = cp.state.frames[s >> 6]?.spills[s & 63];
      if (!sp || sp.reg.type !== 'scalar') m.slots.delete(s);
      else if (markSlot(cp.state, s)) fresh = true;
    }
    if (!fresh) return; // already carried back from here on
    h = cp.hist;
    cp = cp.parent;
  }
}

function markAllPath(cur: VState, parent: Checkpoint | null): void {
  markAll(cur);
  for (let c = parent; c !== null; c = c.parent) markAll(c.state);
}

/**
 * After `cur` was pruned against the explored `old`: the values old's continuation relied on are
 * the ones cur's relies on; carry them back along cur's path (the kernel's propagate_precision).
 */
export function propagatePrecision(
  insns: readonly Insn[],
  old: VState,
  cur: VState,
  hist: readonly number[],
  parent: Checkpoint | null,
): void {
  const top = old.frames.length - 1;
  let regs = 0;
  const slots: number[] = [];
  for (let k = 0; k <= top; k++) {
    const f = old.frames[k]!;
    for (let r = 0; r < 11; r++) {
      const reg = f.regs[r]!;
      if (reg.type !== 'scalar' || !reg.precise) continue;
      if (k !== top) {
        markAllPath(cur, parent);
        return;
      }
      regs |= bit(r);
    }
    f.spills.forEach((sp, s) => {
      if (sp && sp.reg.type === 'scalar' && sp.reg.precise) slots.push(k * 64 + s);
    });
  }
  if (regs !== 0 || slots.length > 0) markPrecise(insns, cur, hist, parent, regs, slots);
}
