/**
 * The generator's core (test/verifier-gen.ts has the overview): the seeded randomness, the harness
 * map sizes, the abstract state the generator keeps of registers and stack (conservative at joins),
 * the instruction builder with labels, and the fragments that need no map or helper: scalar ALU,
 * constants, ctx fields, stack stores and loads, spills, pointer arithmetic, index transforms and
 * bound checks.
 */
import type { Insn } from '../src/ebpf/insn.js';
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_B,
  BPF_CALL,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_H,
  BPF_IMM,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_PSEUDO_CALL,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XOR,
} from '../src/uapi/bpf.js';
import { xorshift32 } from './helpers.js';

/* ================================================================== randomness */

export class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = xorshift32(seed * 2654435761 + 12345);
  }
  u32(): number {
    return this.#next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    // n = 0 (an empty range, e.g. a value smaller than the access) gives 0, never NaN.
    return n > 0 ? this.#next() % n : 0;
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.#next() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** A u64 biased towards edges: small, near a sign or width boundary, 32-bit, uniform. */
  edge(): bigint {
    const k = BigInt(this.int(this.int(2) === 0 ? 17 : 80));
    const raw = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    switch (this.int(9)) {
      case 0:
      case 1:
        return k;
      case 2:
        return BigInt.asUintN(64, -k);
      case 3:
        return BigInt.asUintN(64, (1n << 63n) + k - 8n);
      case 4:
        return (1n << 32n) + k - 8n;
      case 5:
        return BigInt.asUintN(64, (1n << 31n) + k - 8n);
      case 6:
        return raw & 0xffn;
      case 7:
        return raw & 0xffff_ffffn;
      default:
        return raw;
    }
  }
  /** A 32-bit immediate biased towards edges (as a signed number). */
  imm(): number {
    switch (this.int(6)) {
      case 0:
        return this.range(-16, 16);
      case 1:
        return this.range(0, 80);
      case 2:
        return this.pick([0x7fffffff, -0x80000000, -1, 0xffff, 0x8000, 255, 256, 63, 64, 31, 32]);
      case 3:
        return (1 << this.int(31)) - this.int(2);
      default:
        return this.u32() | 0;
    }
  }
}

/* ================================================================== the harness maps */

/** The maps every generated program may name (ids filled in by the caller's MapTable). */
export interface GenMaps {
  /** ARRAY, key 4, value ARRAY_VALUE, ARRAY_ENTRIES entries. */
  readonly array: number;
  /** HASH, key 8, value HASH_VALUE. */
  readonly hash: number;
  /** RINGBUF. */
  readonly ringbuf: number;
  /** ARRAY of one element, value RODATA_VALUE, BPF_F_RDONLY_PROG (a .rodata). */
  readonly rodata: number;
  /** PROG_ARRAY, empty. */
  readonly progArray: number;
  /** ARRAY, key 4, value ODD_VALUE (not a multiple of 8: elements are 8-aligned), ODD_ENTRIES entries. */
  readonly odd: number;
}

export const ARRAY_VALUE = 64;
export const ARRAY_ENTRIES = 4;
export const HASH_KEY = 8;
export const HASH_VALUE = 16;
export const HASH_ENTRIES = 16;
export const RODATA_VALUE = 32;
export const RINGBUF_BYTES = 64 * 1024;
export const ODD_VALUE = 20;
export const ODD_ENTRIES = 3;

export interface MapSel {
  readonly id: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly readonly: boolean;
}

/* ================================================================== abstract state */

export type Kind = 'none' | 'scalar' | 'ctx' | 'fp' | 'mapval' | 'mapnull' | 'mapptr' | 'mem';

export interface Reg {
  readonly kind: Kind;
  /** Constant offset of a pointer. */
  readonly off: number;
  readonly map?: MapSel;
}

export const NONE: Reg = { kind: 'none', off: 0 };
export const SCALAR: Reg = { kind: 'scalar', off: 0 };
export const PTR_KINDS: readonly Kind[] = ['ctx', 'fp', 'mapval', 'mapptr', 'mem'];

export interface State {
  regs: Reg[];
  /** Stack bytes written on every path so far, index 512 + off. */
  init: Uint8Array;
  /** Spilled pointers by slot offset (8-aligned, negative). */
  spills: Map<number, Reg>;
}

export function cloneState(s: State): State {
  return { regs: [...s.regs], init: s.init.slice(), spills: new Map(s.spills) };
}

export const sameReg = (a: Reg, b: Reg): boolean => a.kind === b.kind && a.off === b.off && a.map === b.map;

/** What holds on both paths. */
export function meet(a: State, b: State): State {
  const regs = a.regs.map((r, i) => (sameReg(r, b.regs[i]!) ? r : NONE));
  const init = a.init.map((x, i) => x & b.init[i]!);
  const spills = new Map<number, Reg>();
  for (const [k, r] of a.spills) {
    const o = b.spills.get(k);
    if (o !== undefined && sameReg(o, r)) spills.set(k, r);
  }
  return { regs, init, spills };
}

/* ================================================================== the builder */

export type Label = number;

/** Instructions with forward and backward label references, resolved by finish(). */
export class Builder {
  readonly insns: Insn[] = [];
  readonly #labels: number[] = [];
  readonly #fixups: { at: number; label: Label; field: 'off' | 'imm' }[] = [];
  readonly #used = new Set<Label>();

  label(): Label {
    this.#labels.push(-1);
    return this.#labels.length - 1;
  }
  place(l: Label): void {
    this.#labels[l] = this.insns.length;
  }
  used(l: Label): boolean {
    return this.#used.has(l);
  }
  emit(code: number, dst = 0, src = 0, off = 0, imm = 0): void {
    this.insns.push({ code, dst, src, off, imm });
  }
  jump(code: number, dst: number, src: number, imm: number, to: Label): void {
    this.#fixups.push({ at: this.insns.length, label: to, field: 'off' });
    this.#used.add(to);
    this.emit(code, dst, src, 0, imm);
  }
  call(to: Label): void {
    this.#fixups.push({ at: this.insns.length, label: to, field: 'imm' });
    this.#used.add(to);
    this.emit(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
  }
  lddw(dst: number, src: number, lo: number, hi: number): void {
    this.emit(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, lo);
    this.emit(0, 0, 0, 0, hi);
  }
  finish(): Insn[] {
    for (const f of this.#fixups) {
      const target = this.#labels[f.label]!;
      if (target < 0) throw new Error(`verifier-gen: label ${f.label} never placed`);
      const old = this.insns[f.at]!;
      this.insns[f.at] = { ...old, [f.field]: target - f.at - 1 };
    }
    return this.insns;
  }
}

/* ================================================================== opcodes */

export const SIZES: readonly (readonly [number, number])[] = [
  [BPF_B, 1],
  [BPF_H, 2],
  [BPF_W, 4],
  [BPF_DW, 8],
];
export const ALU_OPS = [
  BPF_ADD,
  BPF_SUB,
  BPF_MUL,
  BPF_DIV,
  BPF_OR,
  BPF_AND,
  BPF_LSH,
  BPF_RSH,
  BPF_MOD,
  BPF_XOR,
  BPF_ARSH,
];
export const JMP_OPS = [
  BPF_JEQ,
  BPF_JGT,
  BPF_JGE,
  BPF_JSET,
  BPF_JNE,
  BPF_JSGT,
  BPF_JSGE,
  BPF_JLT,
  BPF_JLE,
  BPF_JSLT,
  BPF_JSLE,
];
export const sizeCode = (n: number): number => SIZES.find(([, b]) => b === n)![0];

/** Registers, stack and the fragments that touch neither maps nor helpers. */
export abstract class GenCore {
  readonly r: Rng;
  readonly b = new Builder();
  readonly maps: readonly MapSel[];
  readonly m: { array: MapSel; hash: MapSel; rb: MapSel; ro: MapSel; progs: MapSel; odd: MapSel };
  readonly faultRate: number;
  s: State;
  /** Where failed bound checks jump (the early exit, or the release of a reservation). */
  exitTo: Label;
  /** The common early exit (`r0 = 0; exit`). */
  readonly out: Label;
  /** Subprograms to emit after the main program. */
  readonly subs: { label: Label; body: () => void }[] = [];
  depth = 0;
  /**
   * More forward branches, and indexes taken from scalars already compared rather than fresh loads:
   * states that differ only in ranges meet often, which stresses pruning and precision tracking.
   */
  branchy = false;
  inLoop = false;
  /** Stack bytes the main program uses (less when it makes bpf2bpf calls). */
  readonly limit: number;
  readonly calls: boolean;

  constructor(seed: number, ids: GenMaps, faultRate: number) {
    this.r = new Rng(seed);
    this.faultRate = faultRate;
    this.m = {
      array: { id: ids.array, keySize: 4, valueSize: ARRAY_VALUE, readonly: false },
      hash: { id: ids.hash, keySize: HASH_KEY, valueSize: HASH_VALUE, readonly: false },
      rb: { id: ids.ringbuf, keySize: 0, valueSize: 0, readonly: false },
      ro: { id: ids.rodata, keySize: 4, valueSize: RODATA_VALUE, readonly: true },
      odd: { id: ids.odd, keySize: 4, valueSize: ODD_VALUE, readonly: false },
      progs: { id: ids.progArray, keySize: 4, valueSize: 4, readonly: false },
    };
    this.maps = [this.m.array, this.m.hash, this.m.ro, this.m.odd];
    const regs: Reg[] = Array.from({ length: 11 }, () => NONE);
    regs[1] = { kind: 'ctx', off: 0 };
    regs[10] = { kind: 'fp', off: 0 };
    this.s = { regs, init: new Uint8Array(512), spills: new Map() };
    this.out = this.b.label();
    this.exitTo = this.out;
    this.calls = this.r.chance(0.3);
    this.limit = this.calls ? 256 : 512;
  }

  bad(): boolean {
    return this.r.chance(this.faultRate);
  }

  /* ---------------------------------------------------------------- register choice */

  regsOf(kinds: readonly Kind[], from: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]): number[] {
    return from.filter((i) => kinds.includes(this.s.regs[i]!.kind) && !(this.inLoop && i === 9));
  }
  /** Registers the fragments being generated still need (dstReg never picks them). */
  busy: number[] = [];
  hold(...regs: number[]): void {
    this.busy.push(...regs);
  }
  /** A register to write: one not held, not the loop counter, not holding a pointer still needed. */
  dstReg(): number {
    const ctxCopies = this.regsOf(['ctx']).length;
    const free = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((i) => {
      if (this.busy.includes(i) || (this.inLoop && i >= 6)) return false;
      const k = this.s.regs[i]!.kind;
      return k === 'none' || k === 'scalar' || (k === 'ctx' && ctxCopies > 1);
    });
    if (free.length > 0) return this.r.pick(free);
    const any = [0, 1, 2, 3, 4, 5].filter((i) => !this.busy.includes(i));
    return any.length === 0 ? 0 : this.r.pick(any);
  }
  /** A register holding a scalar (not held), made one with a constant when there is none. */
  scalarReg(): number {
    const xs = this.regsOf(['scalar']).filter((i) => !this.busy.includes(i));
    if (xs.length > 0 && this.r.chance(0.85)) return this.r.pick(xs);
    const d = this.dstReg();
    this.movImm(d, this.r.imm());
    return d;
  }
  set(reg: number, v: Reg): void {
    this.s.regs[reg] = v;
  }
  movImm(d: number, imm: number): void {
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, imm);
    this.set(d, SCALAR);
  }
  /** After a helper or bpf2bpf call: r0 as `r0`, r1-r5 unreadable. */
  clobber(r0: Reg): void {
    for (let i = 1; i <= 5; i++) this.set(i, NONE);
    this.set(0, r0);
  }
  ctxReg(): number | null {
    const xs = this.regsOf(['ctx']).filter((i) => this.s.regs[i]!.off === 0);
    return xs.length === 0 ? null : this.r.pick(xs);
  }

  /* ---------------------------------------------------------------- stack */

  markInit(off: number, n: number): void {
    for (let k = 0; k < n; k++) this.s.init[512 + off + k] = 1;
    for (const slot of [...this.s.spills.keys()])
      if (slot < off + n && off < slot + 8) this.s.spills.delete(slot);
  }
  isInit(off: number, n: number): boolean {
    if (off < -512 || off + n > 0) return false;
    for (let k = 0; k < n; k++) if (this.s.init[512 + off + k] === 0) return false;
    return true;
  }
  /** The stack area of the code being generated: loop bodies own the lowest 128 bytes. */
  area(): [number, number] {
    return this.inLoop ? [-this.limit, -this.limit + 128] : [-this.limit + 128, 0];
  }
  /** A random offset, aligned to `align`, with room for `n` bytes in the current area. */
  stackRange(n: number, align = 8): number {
    const [lo, hi] = this.area();
    return this.r.range(Math.ceil(lo / align), Math.floor((hi - n) / align)) * align;
  }
  /** A stack slot offset for an access of `size` bytes. */
  stackOff(size: number): number {
    return this.stackRange(size, size);
  }
  initStack(off: number, n: number): void {
    for (let k = 0; k < n; k += 8) {
      const m = Math.min(8, n - k);
      const size = m >= 8 ? 8 : m >= 4 ? 4 : m >= 2 ? 2 : 1;
      this.b.emit(BPF_ST | BPF_MEM | sizeCode(size), 10, 0, off + k, this.r.imm());
      this.markInit(off + k, size);
      if (size < m) k -= 8 - size;
    }
  }

  /* ---------------------------------------------------------------- fragments */

  aluFrag(): void {
    const d = this.scalarReg();
    this.hold(d);
    const is64 = this.r.chance(0.6);
    const cls = is64 ? BPF_ALU64 : BPF_ALU;
    const width = is64 ? 64 : 32;
    switch (this.r.int(6)) {
      case 0: {
        // movsx
        const off = is64 ? this.r.pick([8, 16, 32]) : this.r.pick([8, 16]);
        this.b.emit(cls | BPF_MOV | BPF_X, d, this.scalarReg(), off, 0);
        break;
      }
      case 1: {
        // endianness: le/be (ALU) or bswap (ALU64)
        const bits = this.r.pick([16, 32, 64]);
        const code = this.r.chance(0.5)
          ? BPF_ALU64 | BPF_END | BPF_TO_LE
          : BPF_ALU | BPF_END | this.r.pick([BPF_TO_LE, BPF_TO_BE]);
        this.b.emit(code, d, 0, 0, bits);
        break;
      }
      case 2:
        this.b.emit(cls | BPF_NEG, d, 0, 0, 0);
        break;
      case 3: {
        // mov from another scalar (links the two)
        this.b.emit(cls | BPF_MOV | BPF_X, d, this.scalarReg(), 0, 0);
        break;
      }
      default: {
        const op = this.r.pick(ALU_OPS);
        const signed = (op === BPF_DIV || op === BPF_MOD) && this.r.chance(0.3) ? 1 : 0;
        if (this.r.chance(0.5)) {
          let imm = this.r.imm();
          if (op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH)
            imm = this.bad() ? this.r.range(width, 70) : this.r.int(width);
          if ((op === BPF_DIV || op === BPF_MOD) && imm === 0) imm = this.bad() ? 0 : 7;
          this.b.emit(cls | op | BPF_K, d, 0, signed, imm);
        } else {
          this.b.emit(cls | op | BPF_X, d, this.scalarReg(), signed, 0);
        }
      }
    }
    this.set(d, SCALAR);
  }

  constFrag(): void {
    const d = this.dstReg();
    if (this.r.chance(0.3)) {
      const v = this.r.edge();
      this.b.lddw(d, 0, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
    } else {
      this.b.emit((this.r.chance(0.5) ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_K, d, 0, 0, this.r.imm());
    }
    this.set(d, SCALAR);
  }

  ctxFrag(): void {
    const c = this.ctxReg();
    if (c === null) {
      this.constFrag();
      return;
    }
    this.hold(c);
    const fields: [number, number][] = [
      [0, 8],
      [8, 4],
      [12, 4],
      [8, 8],
    ];
    let [off, size] = this.r.pick(fields);
    if (this.bad())
      [off, size] = this.r.pick<[number, number]>([
        [4, 4],
        [0, 4],
        [16, 8],
        [2, 2],
        [9, 4],
      ]);
    if (this.r.chance(0.7)) {
      const d = this.dstReg();
      this.b.emit(BPF_LDX | BPF_MEM | sizeCode(size), d, c, off, 0);
      this.set(d, SCALAR);
    } else if (this.r.chance(0.5)) {
      // stores keep wait_nr at 0 mostly, so runs end
      this.b.emit(BPF_ST | BPF_MEM | sizeCode(size), c, 0, off, off === 0 ? this.r.imm() : 0);
    } else {
      const src = this.bad() ? this.r.pick([10, c]) : this.scalarReg();
      this.b.emit(BPF_STX | BPF_MEM | sizeCode(size), c, src, off, 0);
    }
  }

  stackFrag(): void {
    const [, size] = this.r.pick(SIZES);
    let off = this.stackOff(size);
    if (this.bad()) off = this.r.pick([-520, 0, 8, off + 1, -513]);
    if (this.r.chance(0.5) || !this.isInit(off, size)) {
      if (this.r.chance(0.4)) this.b.emit(BPF_ST | BPF_MEM | sizeCode(size), 10, 0, off, this.r.imm());
      else this.b.emit(BPF_STX | BPF_MEM | sizeCode(size), 10, this.scalarReg(), off, 0);
      if (off >= -512 && off + size <= 0) this.markInit(off, size);
      if (!this.bad()) return;
    }
    const d = this.dstReg();
    const sx = size < 8 && this.r.chance(0.3);
    this.b.emit(BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | sizeCode(size), d, 10, off, 0);
    this.set(d, SCALAR);
  }

  spillFrag(): void {
    const ptrs = this.regsOf(PTR_KINDS.filter((k) => k !== 'mem'));
    const filled = [...this.s.spills.entries()];
    if (filled.length > 0 && (ptrs.length === 0 || this.r.chance(0.5))) {
      const [slot, v] = this.r.pick(filled);
      const d = this.dstReg();
      if (this.bad()) {
        this.b.emit(BPF_LDX | BPF_MEM | BPF_W, d, 10, slot, 0);
        this.set(d, SCALAR);
      } else {
        this.b.emit(BPF_LDX | BPF_MEM | BPF_DW, d, 10, slot, 0);
        this.set(d, v);
      }
      return;
    }
    if (ptrs.length === 0) {
      this.stackFrag();
      return;
    }
    const p = this.r.pick(ptrs);
    const slot = this.stackOff(8);
    this.b.emit(BPF_STX | BPF_MEM | BPF_DW, 10, p, slot, 0);
    this.markInit(slot, 8);
    this.s.spills.set(slot, this.s.regs[p]!);
  }

  mapValReg(): number | null {
    const xs = this.regsOf(['mapval']);
    return xs.length === 0 ? null : this.r.pick(xs);
  }

  /** An unknown scalar: a map value or ctx load, a random number, a loop counter. */
  unknownScalar(): number {
    if (this.branchy && this.r.chance(0.5)) {
      const xs = this.regsOf(['scalar']).filter((i) => !this.busy.includes(i));
      if (xs.length > 0) return this.r.pick(xs);
    }
    const p = this.mapValReg();
    const c = this.ctxReg();
    if (p !== null) this.hold(p);
    if (c !== null) this.hold(c);
    const d = this.dstReg();
    const k = this.r.int(4);
    if (k === 0 && p !== null) {
      const v = this.s.regs[p]!;
      const [, size] = this.r.pick(SIZES);
      const off = this.r.int(Math.floor(v.map!.valueSize / size)) * size - v.off;
      this.b.emit(BPF_LDX | BPF_MEM | sizeCode(size), d, p, off, 0);
    } else if (k === 1 && c !== null) {
      const [off, size] = this.r.pick<[number, number]>([
        [0, 8],
        [8, 4],
        [12, 4],
      ]);
      this.b.emit(BPF_LDX | BPF_MEM | sizeCode(size), d, c, off, 0);
    } else if (k === 2 && this.inLoop && this.r.chance(0.7)) {
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, d, 9, 0, 0);
    } else {
      return this.scalarReg();
    }
    this.set(d, SCALAR);
    return d;
  }

  /** Random transforms of an index (the soundness probe: ranges the verifier must follow). */
  transform(i: number): void {
    for (let n = this.r.int(4); n > 0; n--) {
      const is64 = this.r.chance(0.6);
      const cls = is64 ? BPF_ALU64 : BPF_ALU;
      const op = this.r.pick([
        BPF_AND,
        BPF_AND,
        BPF_RSH,
        BPF_LSH,
        BPF_MOD,
        BPF_ADD,
        BPF_SUB,
        BPF_MUL,
        BPF_OR,
        BPF_XOR,
        BPF_ARSH,
        BPF_DIV,
        BPF_MOV,
        BPF_NEG,
      ]);
      if (op === BPF_NEG) this.b.emit(cls | BPF_NEG, i, 0, 0, 0);
      else if (op === BPF_MOV)
        this.b.emit(cls | BPF_MOV | BPF_X, i, i, this.r.pick([0, 0, 8, 16, ...(is64 ? [32] : [])]), 0);
      else {
        let imm = this.r.pick([
          1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 56, 63, 0x3f, 0xff, -1, -8, -64, 0x7fffffff, -0x80000000,
        ]);
        if (op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) imm = this.r.int(is64 ? 64 : 32);
        if ((op === BPF_DIV || op === BPF_MOD) && imm === 0) imm = 3;
        this.b.emit(
          cls | op | BPF_K,
          i,
          0,
          (op === BPF_DIV || op === BPF_MOD) && this.r.chance(0.3) ? 1 : 0,
          imm,
        );
      }
    }
  }

  /** `if i <op> k goto out` checks that may or may not bound i to [0, hi]. */
  boundChecks(i: number, hi: number): void {
    const n = this.r.range(1, 2);
    for (let k = 0; k < n; k++) {
      const j32 = this.r.chance(0.3);
      const cls = j32 ? BPF_JMP32 : BPF_JMP;
      const op = this.r.pick([
        BPF_JGT,
        BPF_JGT,
        BPF_JGE,
        BPF_JSGT,
        BPF_JSGE,
        BPF_JSLT,
        BPF_JLT,
        BPF_JLE,
        BPF_JSLE,
        BPF_JEQ,
        BPF_JNE,
        BPF_JSET,
      ]);
      const imm = this.r.pick([hi, hi + 1, hi - 1, 0, -1, hi * 2, 1, 0x7fffffff, -0x80000000]);
      if (this.r.chance(0.2)) {
        const o = this.scalarReg();
        this.b.jump(cls | op | BPF_X, i, o, 0, this.exitTo);
      } else {
        this.b.jump(cls | op | BPF_K, i, 0, imm, this.exitTo);
      }
    }
  }

  /** Templates that bound an index to [0, count) properly (scaled by `size` when scaled). */
  cleanBound(i: number, count: number, size: number): void {
    const sh = Math.log2(size);
    switch (this.r.int(4)) {
      case 0:
        this.b.jump(BPF_JMP | BPF_JGE | BPF_K, i, 0, count, this.exitTo);
        if (sh > 0) this.b.emit(BPF_ALU64 | BPF_LSH | BPF_K, i, 0, 0, sh);
        break;
      case 1: {
        // a power-of-two mask that keeps the scaled index in range
        let m = 1;
        while (m * 2 <= count) m *= 2;
        this.b.emit(BPF_ALU64 | BPF_AND | BPF_K, i, 0, 0, (m - 1) * size);
        break;
      }
      case 2:
        this.b.emit(BPF_ALU | BPF_MOV | BPF_X, i, i, 0, 0);
        this.b.jump(BPF_JMP32 | BPF_JGT | BPF_K, i, 0, count - 1, this.exitTo);
        this.b.emit(BPF_ALU64 | BPF_MUL | BPF_K, i, 0, 0, size);
        break;
      default:
        this.b.jump(BPF_JMP | BPF_JSGT | BPF_K, i, 0, count - 1, this.exitTo);
        this.b.jump(BPF_JMP | BPF_JSLT | BPF_K, i, 0, 0, this.exitTo);
        if (sh > 0) this.b.emit(BPF_ALU64 | BPF_LSH | BPF_K, i, 0, 0, sh);
    }
  }

  ptrArithFrag(): void {
    const ptrs = this.regsOf(['fp', 'mapval', 'ctx', 'mapptr', 'mapnull']);
    if (ptrs.length === 0) {
      this.aluFrag();
      return;
    }
    const p = this.r.pick(ptrs);
    this.hold(p);
    const v = this.s.regs[p]!;
    const d = this.dstReg();
    const k = this.r.int(5);
    if (this.bad() || v.kind === 'mapptr' || v.kind === 'mapnull' || (v.kind === 'ctx' && k < 2)) {
      // forms the rules refuse (or ctx moved, refused when dereferenced)
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, d, p, 0, 0);
      const op = this.r.pick([
        BPF_ALU64 | BPF_MUL | BPF_K,
        BPF_ALU | BPF_ADD | BPF_K,
        BPF_ALU64 | BPF_AND | BPF_K,
        BPF_ALU64 | BPF_ADD | BPF_K,
        BPF_ALU64 | BPF_LSH | BPF_K,
      ]);
      this.b.emit(op, d, 0, 0, 8);
      this.set(d, v.kind === 'ctx' && op === (BPF_ALU64 | BPF_ADD | BPF_K) ? { kind: 'ctx', off: 8 } : NONE);
      if (this.s.regs[d]!.kind === 'ctx') {
        this.b.emit(BPF_LDX | BPF_MEM | BPF_W, 0, d, 0, 0);
        this.set(0, SCALAR);
      }
      return;
    }
    if (k === 0 && v.kind !== 'ctx') {
      // ptr - ptr of the same kind gives a scalar
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, d, p, 0, 0);
      this.b.emit(BPF_ALU64 | BPF_SUB | BPF_X, d, p, 0, 0);
      this.set(d, SCALAR);
      return;
    }
    if (v.kind === 'ctx') {
      this.ctxFrag();
      return;
    }
    const step = v.kind === 'fp' ? -8 * this.r.range(1, 8) : 8 * this.r.range(0, 2);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, d, p, 0, 0);
    this.b.emit(BPF_ALU64 | (this.r.chance(0.5) ? BPF_ADD : BPF_SUB) | BPF_K, d, 0, 0, 0);
    const last = this.b.insns[this.b.insns.length - 1]!;
    const sub = (last.code & 0xf0) === BPF_SUB;
    this.b.insns[this.b.insns.length - 1] = { ...last, imm: sub ? -step : step };
    this.set(d, { ...v, off: v.off + step });
  }
}
