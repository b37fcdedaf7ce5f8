/**
 * State equivalence for pruning (the kernel's states_equal / regsafe / stacksafe): a state is safe
 * to prune when a state already explored to the end at the same instruction is at least as general
 * (every register and stack byte of the old state covers the new one's), ids mapped consistently.
 * Registers dead at the instruction (static liveness) are not compared. `exact` mode (used for
 * infinite-loop detection) asks for equality instead of coverage.
 */
import { type Scalar, scalarUnknown } from './scalar.js';
import {
  type Frame,
  type Reg,
  STACK_INVALID,
  STACK_MISC,
  STACK_POISON,
  STACK_SPILL,
  type VState,
} from './state.js';
import { tnumIn } from './tnum.js';

/** Consistent old→cur id mapping, both ways. */
export class IdMap {
  readonly #fwd = new Map<number, number>();
  readonly #back = new Map<number, number>();

  #tmp = 0x4000_0000;

  /** A fresh id standing for "no link" on the current side (the kernel's tmp_id_gen). */
  fresh(): number {
    return ++this.#tmp;
  }

  #used = false;

  reset(): void {
    if (!this.#used) return;
    this.#fwd.clear();
    this.#back.clear();
    this.#used = false;
  }

  check(a: number, b: number): boolean {
    if (a === 0 && b === 0) return true;
    if (a === 0 || b === 0) return false;
    const f = this.#fwd.get(a);
    const g = this.#back.get(b);
    if (f === undefined && g === undefined) {
      this.#used = true;
      this.#fwd.set(a, b);
      this.#back.set(b, a);
      return true;
    }
    return f === b && g === a;
  }
}

function scalarWithin(old: Scalar, cur: Scalar, exact: boolean): boolean {
  if (exact) {
    return (
      old.varOff.value === cur.varOff.value &&
      old.varOff.mask === cur.varOff.mask &&
      old.smin === cur.smin &&
      old.smax === cur.smax &&
      old.umin === cur.umin &&
      old.umax === cur.umax &&
      old.s32min === cur.s32min &&
      old.s32max === cur.s32max &&
      old.u32min === cur.u32min &&
      old.u32max === cur.u32max
    );
  }
  return (
    old.smin <= cur.smin &&
    old.smax >= cur.smax &&
    old.umin <= cur.umin &&
    old.umax >= cur.umax &&
    old.s32min <= cur.s32min &&
    old.s32max >= cur.s32max &&
    old.u32min <= cur.u32min &&
    old.u32max >= cur.u32max &&
    tnumIn(old.varOff, cur.varOff)
  );
}

/**
 * How scalars compare: 'precise' (pruning against explored states): an old scalar not marked
 * precise covers any scalar, as the kernel's precision tracking allows; 'all': every scalar by
 * range; 'exact': equality (infinite-loop detection).
 */
export type EquivMode = 'precise' | 'all' | 'exact';

export function regsafe(old: Reg, cur: Reg, ids: IdMap, mode: EquivMode): boolean {
  const exact = mode === 'exact';
  if (old.type === 'not_init') return exact ? cur.type === 'not_init' : true;
  if (old.type !== cur.type) return false;
  if (old.type === 'scalar') {
    // Links (ids) are compared even for imprecise scalars: a bound learnt through a link was relied on.
    if (!(mode === 'precise' && !old.precise) && !scalarWithin(old.s, cur.s, exact)) return false;
    // An old link must hold in cur too (a bound learnt through it was relied on); cur without a
    // link stands for a link of its own.
    if (old.id === 0) return !exact || cur.id === 0;
    return ids.check(old.id, cur.id === 0 ? ids.fresh() : cur.id);
  }
  return (
    old.nullable === cur.nullable &&
    old.off === cur.off &&
    old.map?.id === cur.map?.id &&
    old.size === cur.size &&
    old.frame === cur.frame &&
    old.rdonly === cur.rdonly &&
    scalarWithin(old.s, cur.s, exact) &&
    (!old.nullable || ids.check(old.id, cur.id)) &&
    ids.check(old.ref, cur.ref)
  );
}

function stacksafe(old: Frame, cur: Frame, ids: IdMap, mode: EquivMode): boolean {
  const exact = mode === 'exact';
  const from = Math.min(old.low, exact ? cur.low : old.low) & ~7;
  const o32 = old.stype32;
  const c32 = cur.stype32;
  // Byte types, four at a time; spilled registers after.
  for (let w = from >> 2; w < o32.length; w++) {
    if (o32[w] === c32[w]) continue;
    if (exact) return false;
    for (let b = w * 4; b < w * 4 + 4; b++) {
      const o = old.stype[b]!;
      const c = cur.stype[b]!;
      if (o === c || o === STACK_INVALID || o === STACK_POISON) continue;
      if (o === STACK_MISC) {
        if (c === STACK_INVALID || c === STACK_POISON) return false;
        if (c === STACK_SPILL && cur.spills[b >> 3]!.reg.type !== 'scalar') return false;
        continue;
      }
      return false; // old zero or spill bytes need the same in cur
    }
  }
  for (let slot = from >> 3; slot < old.spills.length; slot++) {
    const os = old.spills[slot];
    if (os === null || os === undefined) continue;
    const cs = cur.spills[slot];
    if (cs === null || cs === undefined || cs.size !== os.size || cs.at !== os.at) return false;
    if (!regsafe(os.reg, cs.reg, ids, mode)) return false;
  }
  return true;
}

/**
 * Whether `cur` is covered by `old` (or equal to it, mode 'exact'). live(frameIndex, r) says whether
 * register r of that frame may still be read.
 */
let mismatch = -1;

/** The top-frame register that made the last statesEqual false (-1: something else). */
export const lastMismatch = (): number => mismatch;

export function statesEqual(
  old: VState,
  cur: VState,
  live: (frame: number, r: number) => boolean,
  mode: EquivMode,
  ids: IdMap = new IdMap(),
  hint = -1,
): boolean {
  mismatch = -1;
  if (old.frames.length !== cur.frames.length) return false;
  if (old.refs.length !== cur.refs.length) return false;
  if (mode === 'exact' && old.mayGotoDepth !== cur.mayGotoDepth) return false;
  const top = old.frames.length - 1;
  // The register that told these two apart last time is the likeliest to again: try it first.
  if (hint >= 0 && live(top, hint)) {
    ids.reset();
    if (!regsafe(old.frames[top]!.regs[hint]!, cur.frames[top]!.regs[hint]!, ids, mode)) {
      mismatch = hint;
      return false;
    }
  }
  ids.reset();
  for (let k = 0; k < old.frames.length; k++) {
    const of = old.frames[k]!;
    const cf = cur.frames[k]!;
    if (of.callsite !== cf.callsite) return false;
    for (let r = 0; r < 10; r++) {
      if (!live(k, r)) continue;
      if (!regsafe(of.regs[r]!, cf.regs[r]!, ids, mode)) {
        if (k === top) mismatch = r;
        return false;
      }
    }
    if (!stacksafe(of, cf, ids, mode)) return false;
  }
  for (let k = 0; k < old.refs.length; k++) {
    if (!ids.check(old.refs[k]!.id, cur.refs[k]!.id)) return false;
  }
  return true;
}

const TYPE_CODE: Readonly<Record<string, number>> = {
  not_init: 0,
  scalar: 1,
  ctx: 2,
  map_ptr: 3,
  map_value: 4,
  stack: 5,
  mem: 6,
};

const lo32 = (x: bigint): number => Number(BigInt.asUintN(32, x));

/**
 * A hash of the live registers that states equal in `exact` mode share (a cheap filter before the
 * full comparison when looking for infinite loops).
 */
export function fingerprint(st: VState, live: (frame: number, r: number) => boolean): number {
  let h = Math.imul(st.frames.length ^ (st.mayGotoDepth << 8), 0x9e3779b1);
  for (let k = 0; k < st.frames.length; k++) {
    const regs = st.frames[k]!.regs;
    for (let r = 0; r < 10; r++) {
      if (!live(k, r)) continue;
      const reg = regs[r]!;
      h = Math.imul(h ^ TYPE_CODE[reg.type]!, 0x9e3779b1);
      if (reg.type === 'not_init') continue;
      h = Math.imul(h ^ reg.off, 0x85ebca6b);
      h = Math.imul(h ^ lo32(reg.s.varOff.value), 0xc2b2ae35);
      h = Math.imul(h ^ lo32(reg.s.varOff.mask), 0x27d4eb2f);
    }
    // Stack byte types, and spilled values.
    const f = st.frames[k]!;
    for (let w = (f.low & ~7) >> 2; w < f.stype32.length; w++) h = Math.imul(h ^ f.stype32[w]!, 0x9e3779b1);
    for (let slot = f.low >> 3; slot < f.spills.length; slot++) {
      const sp = f.spills[slot];
      if (sp === null || sp === undefined) continue;
      h = Math.imul(h ^ TYPE_CODE[sp.reg.type]! ^ (slot << 4), 0x85ebca6b);
      h = Math.imul(h ^ lo32(sp.reg.s.varOff.value), 0xc2b2ae35);
    }
  }
  return h | 0;
}

/**
 * may_goto widening: when the loop state `cur` has the shape of its ancestor `old` at the same
 * may_goto (same frames, register types, pointer targets, stack layout) but other values, forget
 * (make unknown) each live scalar and pointer offset that `old` does not cover, so that the next
 * iteration is covered by this one. Sound because may_goto bounds the iterations at run time; the
 * body is then checked once for every value. Returns false (and leaves cur alone) on another shape.
 */
export function widenLoopState(
  old: VState,
  cur: VState,
  live: (frame: number, r: number) => boolean,
): boolean {
  if (old.frames.length !== cur.frames.length || old.refs.length !== cur.refs.length) return false;
  for (let k = 0; k < old.frames.length; k++) {
    const of = old.frames[k]!;
    const cf = cur.frames[k]!;
    if (of.callsite !== cf.callsite) return false;
    for (let r = 0; r < 10; r++) {
      if (!live(k, r)) continue;
      const o = of.regs[r]!;
      const c = cf.regs[r]!;
      if (o.type !== c.type || o.nullable !== c.nullable || o.map?.id !== c.map?.id || o.frame !== c.frame)
        return false;
      if (o.type !== 'scalar' && o.type !== 'not_init' && o.off !== c.off) return false;
    }
    for (let b = 0; b < of.stype.length; b++) if (of.stype[b] !== cf.stype[b]) return false;
    for (let slot = 0; slot < of.spills.length; slot++) {
      const o = of.spills[slot];
      const c = cf.spills[slot];
      if ((o == null) !== (c == null)) return false;
      if (o && c && (o.size !== c.size || o.at !== c.at || o.reg.type !== c.reg.type)) return false;
    }
  }
  const ids = new IdMap();
  const widen = (o: Reg, c: Reg): Reg => {
    if (c.type === 'not_init' || scalarWithin(o.s, c.s, false)) return c;
    return { ...c, s: scalarUnknown(), id: c.type === 'scalar' ? 0 : c.id };
  };
  for (let k = 0; k < old.frames.length; k++) {
    const of = old.frames[k]!;
    const cf = cur.frames[k]!;
    for (let r = 0; r < 10; r++) if (live(k, r)) cf.regs[r] = widen(of.regs[r]!, cf.regs[r]!);
    for (let slot = 0; slot < cf.spills.length; slot++) {
      const o = of.spills[slot];
      const c = cf.spills[slot];
      if (o && c && !regsafe(o.reg, c.reg, ids, 'all')) cf.spills[slot] = { ...c, reg: widen(o.reg, c.reg) };
    }
  }
  return true;
}
