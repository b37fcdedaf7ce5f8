/**
 * The verifier's abstract machine state, modelled on the kernel's struct bpf_verifier_state: a stack
 * of frames (one per bpf2bpf call), each with eleven registers and a 512-byte stack whose bytes are
 * typed (invalid, misc, zero, or part of a spilled register), plus the references (ring buffer
 * reservations) the path holds.
 *
 * Registers and scalars placed in a state are never mutated afterwards: instructions replace them.
 * That makes copying a state (at every branch) a copy of arrays, not of registers.
 */
import { MAX_BPF_STACK } from '../../uapi/bpf.js';
import type { MapInfo } from './api.js';
import { constValue, type Scalar, scalarConst, scalarStr, scalarUnknown } from './scalar.js';

export type RegType = 'not_init' | 'scalar' | 'ctx' | 'map_ptr' | 'map_value' | 'stack' | 'mem';

export interface Reg {
  readonly type: RegType;
  /** A pointer that may be NULL (map_value_or_null, mem_or_null) until a NULL check. */
  readonly nullable: boolean;
  /** A scalar's value, or the variable part of a pointer's offset (constant 0 when fixed). */
  readonly s: Scalar;
  /** A pointer's fixed offset. */
  readonly off: number;
  /** NULL-check id of a nullable pointer, or link id of scalars copied from one another (0: none). */
  readonly id: number;
  /** Reference id of memory that must be released (ring buffer reservation), else 0. */
  readonly ref: number;
  /** map_ptr, map_value: the map. */
  readonly map: MapInfo | null;
  /** mem: its size in bytes. */
  readonly size: number;
  /** stack: the frame whose stack it points into. */
  readonly frame: number;
  /** Memory programs may not write (map values of read-only maps). */
  readonly rdonly: boolean;
  /**
   * A scalar whose exact range some safety decision on this path relied on (the kernel's precision
   * marks, set by backtracking, precision.ts); pruning compares only precise scalars' ranges.
   */
  readonly precise: boolean;
}

const ZERO = scalarConst(0n);

const BASE: Reg = {
  type: 'not_init',
  nullable: false,
  s: ZERO,
  off: 0,
  id: 0,
  ref: 0,
  map: null,
  size: 0,
  frame: 0,
  rdonly: false,
  precise: false,
};

export const NOT_INIT: Reg = BASE;

export const scalarReg = (s: Scalar, id = 0): Reg => ({ ...BASE, type: 'scalar', s, id });
export const unknownReg = (): Reg => scalarReg(scalarUnknown());
export const constReg = (v: bigint): Reg => scalarReg(scalarConst(v));
export const ptrReg = (type: RegType, fields: Partial<Reg> = {}): Reg => ({ ...BASE, type, ...fields });

export const isPointer = (r: Reg): boolean => r.type !== 'scalar' && r.type !== 'not_init';

/* ---- stack bytes */
export const STACK_INVALID = 0;
export const STACK_MISC = 1;
export const STACK_ZERO = 2;
export const STACK_SPILL = 3;

/** A register saved on the stack: 8 bytes (any register) or 4 (a scalar), at `at` within its slot. */
export interface Spill {
  readonly reg: Reg;
  readonly size: 4 | 8;
  readonly at: 0 | 4;
}

export const SLOTS = MAX_BPF_STACK / 8;

export interface Frame {
  regs: Reg[];
  /** Byte types, index = 512 + offset from the frame pointer. */
  stype: Uint8Array;
  /** Spilled registers by slot (index = byte index >> 3). */
  spills: (Spill | null)[];
  /** Lowest stack byte index written or read on this path (512: none). */
  low: number;
  /** Slot index of the call into this frame (-1 for the main program). */
  readonly callsite: number;
  /** Subprogram index. */
  readonly subprog: number;
}

export interface RefState {
  readonly id: number;
  /** Slot index of the instruction that acquired it. */
  readonly at: number;
}

export interface VState {
  frames: Frame[];
  refs: RefState[];
  /**
   * may_goto iterations on this path (the kernel's may_goto_depth): states of different iterations
   * of a may_goto loop are never the same loop state, however equal their registers.
   */
  mayGotoDepth: number;
}

export function newFrame(callsite: number, subprog: number, frameNo: number): Frame {
  const regs = new Array<Reg>(11).fill(NOT_INIT);
  regs[10] = ptrReg('stack', { frame: frameNo });
  return {
    regs,
    stype: new Uint8Array(MAX_BPF_STACK),
    spills: new Array<Spill | null>(SLOTS).fill(null),
    low: MAX_BPF_STACK,
    callsite,
    subprog,
  };
}

export function copyFrame(f: Frame): Frame {
  return {
    regs: f.regs.slice(),
    stype: f.stype.slice(),
    spills: f.spills.slice(),
    low: f.low,
    callsite: f.callsite,
    subprog: f.subprog,
  };
}

export function copyState(s: VState): VState {
  return { frames: s.frames.map(copyFrame), refs: s.refs.slice(), mayGotoDepth: s.mayGotoDepth };
}

export const curFrame = (s: VState): Frame => s.frames[s.frames.length - 1]!;

/* ---- text, kernel-log style */

function mapStr(m: MapInfo | null): string {
  return m === null ? '' : `map=${m.name},ks=${m.keySize},vs=${m.valueSize}`;
}

/** The kernel's name of a register type, e.g. map_value_or_null. */
export function typeName(r: Reg): string {
  const base = r.type === 'stack' ? 'fp' : r.type;
  return r.nullable ? `${base}_or_null` : base;
}

function offStr(r: Reg): string[] {
  const parts: string[] = [];
  if (r.off !== 0) parts.push(`off=${r.off}`);
  if (constValue(r.s) !== 0n) parts.push(`var_off=${scalarStr(r.s)}`);
  return parts;
}

export function regStr(r: Reg): string {
  switch (r.type) {
    case 'not_init':
      return '?';
    case 'scalar': {
      const s = scalarStr(r.s);
      return r.id !== 0 && s.startsWith('scalar(') ? `scalar(id=${r.id},${s.slice(7)}` : s;
    }
    case 'stack': {
      const c = constValue(r.s);
      const fp = r.frame === 0 ? 'fp' : `fp[${r.frame}]`;
      if (c === 0n) return `${fp}${r.off === 0 ? '0' : r.off}`;
      return `${fp}(${offStr(r).join(',')})`;
    }
    default: {
      const parts: string[] = [];
      if (r.id !== 0) parts.push(`id=${r.id}`);
      if (r.ref !== 0) parts.push(`ref_obj_id=${r.ref}`);
      if (r.map !== null) parts.push(mapStr(r.map));
      if (r.type === 'mem') parts.push(`sz=${r.size}`);
      if (r.rdonly) parts.push('rdonly');
      parts.push(...offStr(r));
      return `${typeName(r)}(${parts.join(',')})`;
    }
  }
}

const BYTE_CHAR = ['?', 'm', '0', 'r'];

/** Registers (written ones) and stack slots of a frame, as the kernel's log prints them. */
export function frameStr(f: Frame, frameNo: number): string {
  const parts: string[] = [];
  for (let r = 0; r < 11; r++) {
    const reg = f.regs[r]!;
    if (reg.type !== 'not_init') parts.push(`R${r}=${regStr(reg)}`);
  }
  for (let slot = SLOTS - 1; slot >= 0 && slot * 8 + 8 > f.low; slot--) {
    const b0 = slot * 8;
    const off = b0 - MAX_BPF_STACK;
    const sp = f.spills[slot];
    if (sp !== null && sp !== undefined && sp.size === 8) {
      parts.push(`fp${off}=${regStr(sp.reg)}`);
      continue;
    }
    let chars = '';
    for (let b = 7; b >= 0; b--) chars += BYTE_CHAR[f.stype[b0 + b]!];
    if (chars === '????????') continue;
    parts.push(`fp${off}=${chars}${sp ? `(${regStr(sp.reg)})` : ''}`);
  }
  const text = parts.join(' ');
  return frameNo === 0 ? text : `frame${frameNo}: ${text}`;
}

export function stateStr(s: VState): string {
  return s.frames.map((f, k) => frameStr(f, k)).join(' ');
}

/** Drop scalar link ids held by one register only (the kernel's clear_singular_ids). */
export function clearSingularIds(st: VState): void {
  let count: Map<number, number> | null = null;
  const visit = (r: Reg): void => {
    if (r.type !== 'scalar' || r.id === 0) return;
    count ??= new Map();
    count.set(r.id, (count.get(r.id) ?? 0) + 1);
  };
  for (const f of st.frames) {
    for (const r of f.regs) visit(r);
    for (const sp of f.spills) if (sp) visit(sp.reg);
  }
  const c = count as Map<number, number> | null;
  if (c === null) return;
  let single = false;
  for (const n of c.values()) if (n === 1) single = true;
  if (!single) return;
  const lone = (r: Reg): boolean => r.type === 'scalar' && r.id !== 0 && c.get(r.id) === 1;
  for (const f of st.frames) {
    for (let k = 0; k < 11; k++) {
      const r = f.regs[k]!;
      if (lone(r)) f.regs[k] = { ...r, id: 0 };
    }
    for (let k = 0; k < f.spills.length; k++) {
      const sp = f.spills[k];
      if (sp && lone(sp.reg)) f.spills[k] = { ...sp, reg: { ...sp.reg, id: 0 } };
    }
  }
}
