/**
 * A seeded generator of random eBPF programs that terminate, for differential testing of the JIT
 * against the interpreter (test/jit-diff.test.ts, scripts/jit-diff.mjs).
 *
 * Shape of a program: main (slot 0) then up to 3 subprograms; function k calls only functions > k,
 * so calls cannot recurse. Each function copies r1 (the run region's address) to r9, zeroes its 64
 * stack bytes (the JIT without guards does not zero frames), and runs a list of items:
 * - ALU/ALU32 of every op (div/mod by zero, sdiv/smod, movsx, bswap/be/le, shifts by big amounts);
 * - forward branches (JMP and JMP32, every condition, ja and gotol) over nested items;
 * - loops counted by r8 (outer) or r7 (inner), registers the body never writes, with a back edge
 *   conditional on the counter (a may_goto in the head now and then);
 * - loads (also sign-extending), stores and atomics of every size on the stack [r10-64, r10) and the
 *   run region [r9, r9+REGION), aligned atomics;
 * - calls of the helpers of genHelpers() (pure functions of r1-r5, one that writes memory through
 *   env.mem after env.writable) and bpf2bpf calls (r1 = r9 before the call);
 * - tail calls (helper 12, r1 = r9) into the program's targets (generated the same way: slots of
 *   a PROG_ARRAY stub; a slot past them fails with -ENOENT and the program goes on);
 * - rarely, a deliberate fault: an access in the NULL page or past the address space, an unaligned
 *   atomic in the region, or a helper that throws (`faulty` is then true).
 * Programs never touch memory the JIT checks differently from the interpreter (no region-only
 * violations) and never run into a budget.
 */

import { registerBaseHelpers } from '../src/ebpf/base-helpers.js';
import { loadProgram } from '../src/ebpf/engine.js';
import { BpfFault } from '../src/ebpf/faults.js';
import { type HelperDef, HelperRegistry } from '../src/ebpf/helpers.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { BpfProgram } from '../src/ebpf/run-env.js';
import type { AddressSpace } from '../src/mem/address-space.js';

/** Bytes of the run region (r1). */
export const REGION = 64;
/** Stack bytes each function uses: [r10 - STACK_USE, r10). */
const STACK_USE = 64;

export interface GenProgram {
  readonly seed: number;
  readonly insns: Insn[];
  /** The region's initial bytes. */
  readonly region: Uint8Array;
  /** Whether the program holds a deliberate fault (then it does not run without guards). */
  readonly faulty: boolean;
  /** Tail-call targets: slot k of the PROG_ARRAY (MAP_HANDLE). */
  readonly targets: Insn[][];
  /** Whether the program or a target holds a tail call. */
  readonly tails: boolean;
}

/** The PROG_ARRAY handle tail calls name (any u64: the stub resolver knows it). */
export const MAP_HANDLE = 0x7ab1_0000_0001n;

/** The helper ids genHelpers() registers. */
export const H_MIX = 100;
export const H_POLY = 101;
export const H_STORE = 102;
export const H_THROW = 103;

const M64 = (1n << 64n) - 1n;

function def(id: number, name: string, impl: HelperDef['impl']): HelperDef {
  return { id, name, args: [], ret: 'RET_INTEGER', sleepableOnly: false, gplOnly: false, impl };
}

/** The helpers generated programs call; tail calls resolve slot k to slots()[k]. */
export function genHelpers(slots: () => readonly BpfProgram[] = () => []): HelperRegistry {
  const reg = new HelperRegistry();
  registerBaseHelpers(reg, {
    resolveTailCall: (map, k) => (map === MAP_HANDLE ? (slots()[k] ?? null) : null),
  });
  reg.register(
    def(H_MIX, 'mix', (_e, a, b, c, d, e) => {
      let h = 0xcbf29ce484222325n;
      for (const v of [a, b, c, d, e]) h = ((h ^ v) * 0x100000001b3n) & M64;
      return h ^ (h >> 29n);
    }),
  );
  reg.register(def(H_POLY, 'poly', (_e, a, b, c) => (a * b + c * 3n + 7n) & M64));
  reg.register(
    def(H_STORE, 'store', (env, a, b) => {
      if (a > 0xffff_ffffn || !env.writable(Number(a), 8)) return M64; // -1
      env.mem.writeU64(Number(a), b);
      return 0n;
    }),
  );
  reg.register(
    def(H_THROW, 'fail', (_e, a) => {
      if ((a & 0xffn) === 0x5an) throw new Error('fail: r1 ends in 0x5a');
      return a >> 1n;
    }),
  );
  return reg;
}

/* ------------------------------------------------------------------ encoding */

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const lddw = (d: number, v: bigint): Insn[] => [
  I(0x18, d, 0, 0, Number(BigInt.asIntN(32, v))),
  I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
];
const ALU64 = 0x07;
const ALU32 = 0x04;
const JMP = 0x05;
const JMP32 = 0x06;
const SIZES = [0x00, 0x08, 0x10, 0x18] as const; // W H B DW
const SIZE_BYTES: Record<number, number> = { 0: 4, 8: 2, 16: 1, 24: 8 };

/** An item of a function body: instructions, or a forward branch over items, or a loop. */
type Item =
  | { k: 'insns'; insns: Insn[] }
  | { k: 'branch'; head: Insn; body: Item[] }
  | { k: 'loop'; counter: number; n: number; mayGoto: boolean; body: Item[]; mid: number }
  | { k: 'call'; before: Insn[]; target: number };

const IMMS = [
  0, 1, -1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 255, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
  -0x80000000, 12345, -9, -64,
];
const BIG: bigint[] = [
  0n,
  1n,
  M64,
  0x8000_0000_0000_0000n,
  0x7fff_ffff_ffff_ffffn,
  0xffff_ffffn,
  0x8000_0000n,
  0x1_0000_0000n,
  0xdead_beef_cafe_f00dn,
  0x0123_4567_89ab_cdefn,
];

export class Gen {
  readonly #next: () => number;
  faulty = false;
  tails = false;
  /** Tail-call slots the program may name (targets), 0 for none. */
  nTargets = 0;
  #budget = 0;
  constructor(seed: number) {
    // Scrambled, and the first outputs dropped: xorshift's early outputs of small seeds are small.
    let s = Math.imul((seed ^ 0x5bd1e995) >>> 0, 0x9e3779b1) >>> 0 || 1;
    this.#next = () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s / 0x1_0000_0000;
    };
    for (let k = 0; k < 8; k++) this.#next();
  }
  rand = (): number => this.#next();
  int = (n: number): number => Math.floor(this.#next() * n);
  pick = <T>(xs: readonly T[]): T => xs[this.int(xs.length)] as T;
  chance = (p: number): boolean => this.#next() < p;

  big(): bigint {
    if (this.chance(0.5)) return this.pick(BIG);
    const hi = BigInt(this.int(0x1_0000_0000));
    const lo = BigInt(this.int(0x1_0000_0000));
    return this.chance(0.3) ? BigInt(this.int(100)) : (hi << 32n) | lo;
  }

  imm(): number {
    return this.chance(0.6) ? this.pick(IMMS) : (this.int(0x1_0000_0000) | 0) >> this.int(32);
  }

  /** A register the body may write: r0-r7 minus live counters. */
  dst(locked: readonly number[]): number {
    for (;;) {
      const r = this.int(8);
      if (!locked.includes(r)) return r;
    }
  }

  /** A register to read: any of r0-r9, rarely r10. */
  src(): number {
    return this.chance(0.03) ? 10 : this.int(10);
  }

  alu(locked: readonly number[]): Insn {
    const cls = this.chance(0.5) ? ALU64 : ALU32;
    const d = this.dst(locked);
    const x = this.chance(0.5);
    const s = this.src();
    const kind = this.int(20);
    if (kind === 0) return I(cls | 0x80, d); // neg
    if (kind === 1) {
      // bswap (ALU64) or le/be (ALU32, src bit = be)
      const w = this.pick([16, 32, 64]);
      return cls === ALU64 ? I(0xd7, d, 0, 0, w) : I(this.chance(0.5) ? 0xd4 : 0xdc, d, 0, 0, w);
    }
    if (kind === 2) return I(cls | 0xb8, d, s, this.pick(cls === ALU64 ? [8, 16, 32] : [8, 16])); // movsx
    if (kind === 3) {
      // shifts with big amounts
      const op = this.pick([0x60, 0x70, 0xc0]);
      return x
        ? I(cls | op | 8, d, s)
        : I(cls | op, d, 0, 0, this.pick([0, 1, 31, 32, 33, 63, 64, 65, 127, -1]));
    }
    const op = this.pick([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]);
    const off = (op === 0x30 || op === 0x90) && this.chance(0.5) ? 1 : 0;
    if (x) return I(cls | op | 8, d, s, off);
    const imm = (op === 0x30 || op === 0x90) && this.chance(0.15) ? 0 : this.imm();
    return I(cls | op, d, 0, off, imm);
  }

  /** A load, store or atomic on the stack or the region, in bounds. */
  mem(locked: readonly number[]): Insn {
    const stack = this.chance(0.5);
    const base = stack ? 10 : 9;
    const size = this.pick(SIZES);
    const n = SIZE_BYTES[size] as number;
    const kind = this.int(10);
    const atomic = kind >= 8 && (size === 0x00 || size === 0x18);
    const span = (stack ? STACK_USE : REGION) - n;
    let at = atomic ? n * this.int(span / n + 1) : this.int(span + 1);
    const off = stack ? at - STACK_USE : at;
    at = off;
    if (atomic) {
      const op = this.pick([0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]);
      const fetches = (op & 1) !== 0;
      // A fetching atomic writes its source (cmpxchg: r0, which is never locked).
      const s = fetches && op !== 0xf1 ? this.dst(locked) : this.src();
      return I(0xc3 | size, base, s, off, op);
    }
    if (kind < 4) {
      const sx = size !== 0x18 && this.chance(0.3);
      return I((sx ? 0x81 : 0x61) | size, this.dst(locked), base, off);
    }
    if (kind < 6) return I(0x63 | size, base, this.src(), off);
    return I(0x62 | size, base, 0, off, this.imm());
  }

  /** An access through a register derived from r9 or r10 (rX = base + k; [rX + off] in bounds). */
  derived(locked: readonly number[]): Insn[] {
    const r = this.dst(locked);
    const stack = this.chance(0.5);
    const size = this.pick(SIZES);
    const n = SIZE_BYTES[size] as number;
    const span = (stack ? STACK_USE : REGION) - n;
    const at = this.int(span + 1) - (stack ? STACK_USE : 0);
    const k = this.int(200) - 100;
    const atomic = this.chance(0.3) && n >= 4;
    const aligned = n * Math.floor(at / n);
    const insns = [I(0xbf, r, stack ? 10 : 9), I(0x07, r, 0, 0, k)];
    if (atomic) {
      const op = this.pick([0x00, 0x40, 0x50, 0xa0]);
      return [...insns, I(0xc3 | size, r, this.src(), aligned - k, op)];
    }
    if (this.chance(0.5)) return [...insns, I(0x61 | size, this.dst(locked), r, at - k)];
    return [...insns, I(0x63 | size, r, this.src(), at - k)];
  }

  cond(locked: readonly number[]): Insn {
    void locked;
    const cls = this.chance(0.5) ? JMP : JMP32;
    const op = this.pick([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]);
    const d = this.src();
    return this.chance(0.5) ? I(cls | op | 8, d, this.src()) : I(cls | op, d, 0, 0, this.imm());
  }

  /** A deliberate fault: NULL page or past the address space, an unaligned atomic, a failing helper. */
  fault(locked: readonly number[], memSize: number): Insn[] {
    this.faulty = true;
    const r = this.dst(locked);
    const k = this.int(4);
    if (k === 0)
      return [
        I(0xb7, r, 0, 0, this.int(4000)),
        I(0x61 | this.pick(SIZES), this.dst(locked), r, this.int(64)),
      ];
    if (k === 1)
      return [
        ...lddw(r, this.chance(0.7) ? BigInt(memSize + this.int(4096)) : this.pick([M64 - 7n, 1n << 32n])),
        I(0x62 | this.pick(SIZES), r, 0, this.int(16), 1),
      ];
    if (k === 2) {
      const size = this.pick([0x00, 0x18]);
      const n = size === 0 ? 4 : 8;
      const off = n * this.int(REGION / n - 1) + 1 + this.int(n - 1);
      return [I(0xc3 | size, 9, this.src(), off, this.pick([0x00, 0x01, 0xe1, 0xf1]))];
    }
    return [I(0xb7, 1, 0, 0, 0x15a), I(0x85, 0, 0, 0, H_THROW)];
  }

  helperCall(locked: readonly number[]): Insn[] {
    void locked;
    const id = this.pick([H_MIX, H_POLY, H_STORE, H_THROW]);
    if (id === H_STORE) {
      const stack = this.chance(0.5);
      const off = stack ? -8 * (1 + this.int(STACK_USE / 8)) : this.int(REGION - 7);
      return [I(0xbf, 1, stack ? 10 : 9), I(0x07, 1, 0, 0, off), I(0x85, 0, 0, 0, id)];
    }
    // H_THROW with r1 & 0xff === 0x5a would fault: keep r1 safe unless faulting on purpose.
    if (id === H_THROW) return [I(0xb7, 1, 0, 0, this.int(0x50)), I(0x85, 0, 0, 0, id)];
    return [I(0x85, 0, 0, 0, id)];
  }

  /** Items of a body at nesting `depth` in function `fn` of `nFns`. */
  items(n: number, depth: number, locked: number[], fn: number, nFns: number, memSize: number): Item[] {
    // Subprograms call no further function inside a loop: run time stays small.
    const mayCall = fn === 0 || locked.length === 0;
    const out: Item[] = [];
    for (let i = 0; i < n && this.#budget > 0; i++) {
      this.#budget--;
      const k = this.rand();
      if (k < 0.45) out.push({ k: 'insns', insns: [this.alu(locked)] });
      else if (k < 0.6) out.push({ k: 'insns', insns: [this.mem(locked)] });
      else if (k < 0.65) out.push({ k: 'insns', insns: this.derived(locked) });
      else if (k < 0.68) out.push({ k: 'insns', insns: lddw(this.dst(locked), this.big()) });
      else if (k < 0.8 && depth < 3) {
        const head = this.chance(0.1) ? (this.chance(0.5) ? I(JMP) : I(JMP32)) : this.cond(locked);
        out.push({
          k: 'branch',
          head,
          body: this.items(1 + this.int(5), depth + 1, locked, fn, nFns, memSize),
        });
      } else if (k < 0.86 && depth < 2 && !(locked.includes(8) && locked.includes(7))) {
        const counter = locked.includes(8) ? 7 : 8;
        const inner = [...locked, counter];
        const body = this.items(1 + this.int(6), depth + 1, inner, fn, nFns, memSize);
        out.push({
          k: 'loop',
          counter,
          n: 1 + this.int(counter === 8 ? 8 : 4),
          mayGoto: this.chance(0.2),
          body,
          // Sometimes entered in the middle (a jump past the head): an irreducible loop.
          mid: this.chance(0.2) ? this.int(body.length + 1) : -1,
        });
      } else if (k < 0.92) out.push({ k: 'insns', insns: this.helperCall(locked) });
      else if (k < 0.96 && fn + 1 < nFns && mayCall) {
        const target = fn + 1 + this.int(nFns - fn - 1);
        out.push({ k: 'call', before: [I(0xbf, 1, 9)], target });
      } else if (k >= 0.96 && k < 0.965) out.push({ k: 'insns', insns: this.fault(locked, memSize) });
      else if (k < 0.965) out.push({ k: 'insns', insns: [I(0xbf, 0, this.src())] });
      else if (k < 0.978 && this.nTargets > 0) {
        this.tails = true;
        const slot = this.int(this.nTargets + 1);
        out.push({
          k: 'insns',
          insns: [I(0xbf, 1, 9), ...lddw(2, MAP_HANDLE), I(0xb7, 3, 0, 0, slot), I(0x85, 0, 0, 0, 12)],
        });
      } else if (k < 0.985 && depth > 0) out.push({ k: 'insns', insns: [I(0xbf, 0, this.src()), I(0x95)] });
      else out.push({ k: 'insns', insns: [I(0xb7, 2, 0, 0, this.pick([H_MIX, H_POLY])), I(0x8d, 2)] });
    }
    return out;
  }

  /** A whole program. */
  program(seed: number, memSize: number, maxItems = 60): GenProgram {
    this.nTargets = this.chance(0.35) ? 1 + this.int(2) : 0;
    const insns = this.one(memSize, maxItems);
    const targets: Insn[][] = [];
    for (let t = 0; t < this.nTargets; t++) targets.push(this.one(memSize, Math.floor(maxItems / 2)));
    const region = new Uint8Array(REGION);
    for (let i = 0; i < REGION; i++) region[i] = this.int(256);
    return { seed, insns, region, faulty: this.faulty, targets, tails: this.tails };
  }

  /** One program (main and its subprograms). */
  one(memSize: number, maxItems: number): Insn[] {
    const nFns = 1 + (this.chance(0.5) ? this.int(4) : 0);
    const fns: Item[][] = [];
    for (let f = 0; f < nFns; f++) {
      this.#budget = f === 0 ? maxItems : Math.floor(maxItems / 2);
      fns.push(this.items(this.#budget, 0, [], f, nFns, memSize));
    }
    const inits: Insn[][] = [];
    for (let f = 0; f < nFns; f++) {
      const init: Insn[] = [I(0xbf, 9, 1)];
      for (let o = 8; o <= STACK_USE; o += 8) init.push(I(0x7a, 10, 0, -o, 0));
      if (f === 0) for (const r of [0, 2, 3, 4, 5, 6, 7]) init.push(...lddw(r, this.big()));
      inits.push(init);
    }
    return link(fns, inits);
  }
}

const itemsSize = (items: readonly Item[]): number => items.reduce((s, it) => s + itemSize(it), 0);
function itemSize(it: Item): number {
  switch (it.k) {
    case 'insns':
      return it.insns.length;
    case 'branch':
      return 1 + itemsSize(it.body);
    case 'loop':
      // mov counter; [may_goto]; body; sub counter; jne back
      return 1 + (it.mid >= 0 ? 1 : 0) + (it.mayGoto ? 1 : 0) + itemsSize(it.body) + 2;
    case 'call':
      return it.before.length + 1;
  }
}

/** Lay the functions out (each ends with exit) and resolve jumps and calls. */
function link(fns: readonly Item[][], inits: readonly Insn[][]): Insn[] {
  const starts: number[] = [];
  let at = 0;
  fns.forEach((items, f) => {
    starts.push(at);
    at += (inits[f] as Insn[]).length + itemsSize(items) + 1;
  });
  const out: Insn[] = [];
  const emit = (items: readonly Item[]): void => {
    for (const it of items) {
      switch (it.k) {
        case 'insns':
          out.push(...it.insns.map((i) => ({ ...i })));
          break;
        case 'branch': {
          const n = itemsSize(it.body);
          const h = it.head;
          out.push(h.code === JMP32 ? { ...h, imm: n } : { ...h, off: n });
          emit(it.body);
          break;
        }
        case 'loop': {
          out.push(I(0xb7, it.counter, 0, 0, it.n));
          if (it.mid >= 0) out.push(I(JMP, 0, 0, (it.mayGoto ? 1 : 0) + itemsSize(it.body.slice(0, it.mid))));
          const head = out.length;
          const n = itemsSize(it.body);
          if (it.mayGoto) out.push(I(0xe5, 0, 0, n + 2));
          emit(it.body);
          out.push(I(0x07, it.counter, 0, 0, -1));
          out.push(I(0x55, it.counter, 0, head - (out.length + 1), 0));
          break;
        }
        case 'call':
          out.push(...it.before);
          out.push(I(0x85, 0, 1, 0, (starts[it.target] as number) - (out.length + 1)));
          break;
      }
    }
  };
  fns.forEach((items, f) => {
    out.push(...(inits[f] as Insn[]));
    emit(items);
    out.push(I(0x95));
  });
  return out;
}

/** A program from `seed` (the same seed gives the same program). */
export function genProgram(seed: number, memSize: number, maxItems?: number): GenProgram {
  return new Gen(seed).program(seed, memSize, maxItems);
}

/* ------------------------------------------------------------------ running */

/** What one run produced. */
export interface Outcome {
  readonly r0: bigint | null;
  readonly fault: string | null;
  readonly index: number | null;
  /** Instructions executed (-1 when the engine did not count). */
  readonly executed: number;
  /** The region's bytes after the run, in hex. */
  readonly region: string;
}

const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Run `prog` with r1 = a region holding `gp.region` (written afresh). */
export function runOnce(prog: BpfProgram, gp: GenProgram, mem: AddressSpace, addr: number): Outcome {
  mem.writeBytes(addr, gp.region);
  try {
    const r = prog.run({ mem, r1: addr, regions: [{ addr, size: REGION, name: 'region' }] });
    return {
      r0: r.r0,
      fault: null,
      index: null,
      executed: r.executed,
      region: hexBytes(mem.readBytes(addr, REGION)),
    };
  } catch (e) {
    if (!(e instanceof BpfFault)) throw e;
    return {
      r0: null,
      fault: e.code,
      index: e.index,
      executed: e.executed,
      region: hexBytes(mem.readBytes(addr, REGION)),
    };
  }
}

/** The engine variants a program runs on. */
/**
 * The variants, in run order: the counting JIT runs right after the interpreter, with a safety
 * budget, so that a JIT bug that makes a loop endless is a mismatch and not a hang (the variants
 * after it, which have no budget, run only when it agreed).
 */
export const VARIANTS = [
  { name: 'interp', opts: { engine: 'interp' } },
  { name: 'jit count', opts: { engine: 'jit', count: true } },
  { name: 'jit', opts: { engine: 'jit' } },
  { name: 'jit no guards', opts: { engine: 'jit', guards: false } },
] as const;

/** Whether `got` (of variant `name`) matches the interpreter's `want`; a description when not. */
export function compareOutcome(name: string, want: Outcome, got: Outcome): string | null {
  const diffs: string[] = [];
  if (got.r0 !== want.r0) diffs.push(`r0 ${String(got.r0)} vs ${String(want.r0)}`);
  if (got.fault !== want.fault || got.index !== want.index)
    diffs.push(`fault ${got.fault}@${got.index} vs ${want.fault}@${want.index}`);
  if (got.region !== want.region) diffs.push(`region ${got.region} vs ${want.region}`);
  // Counted runs report exactly the interpreter's count, faults and tail calls included.
  if (got.executed !== -1 && got.executed !== want.executed)
    diffs.push(`executed ${got.executed} vs ${want.executed}`);
  return diffs.length === 0 ? null : `${name}: ${diffs.join('; ')}`;
}

/** One program on every variant: the interpreter's outcome, every outcome, the mismatches. */
export function runVariants(
  gp: GenProgram,
  mem: AddressSpace,
  addr: number,
  helpers: HelperRegistry,
  slots: BpfProgram[],
): { want: Outcome; outcomes: string[]; diffs: string[] } {
  let want: Outcome | null = null;
  const diffs: string[] = [];
  const outcomes: string[] = [];
  for (const v of VARIANTS) {
    if ('guards' in v.opts && gp.faulty) continue;
    slots.length = 0;
    const safety = v.name === 'jit count' && want !== null ? { budget: 2 * want.executed + 1000 } : {};
    for (const t of gp.targets) slots.push(loadProgram(t, { ...v.opts, ...safety, helpers }));
    const got = runOnce(loadProgram(gp.insns, { ...v.opts, ...safety, helpers }), gp, mem, addr);
    outcomes.push(
      `${v.name}: ${JSON.stringify(got, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}`,
    );
    if (want === null) want = got;
    else {
      const d = compareOutcome(v.name, want, got);
      if (d !== null) diffs.push(d);
    }
    if (diffs.length > 0) return { want: want, outcomes, diffs };
  }
  const w = want as Outcome;
  // Budgets: a run that exits after N instructions fits a budget of N on the JIT and needs it all.
  if (w.fault === null && !gp.tails && w.executed > 0) {
    for (const [budget, guards] of [
      [w.executed, true],
      [w.executed - 1, true],
      [w.executed, false],
    ] as const) {
      if (budget < 1 || (!guards && gp.faulty)) continue;
      slots.length = 0;
      const opts = { engine: 'jit' as const, helpers, budget, guards };
      for (const t of gp.targets) slots.push(loadProgram(t, opts));
      const got = runOnce(loadProgram(gp.insns, opts), gp, mem, addr);
      const name = `jit budget ${budget}${guards ? '' : ' no guards'}`;
      outcomes.push(
        `${name}: ${JSON.stringify(got, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}`,
      );
      if (budget === w.executed) {
        const d = compareOutcome(name, w, got);
        if (d !== null) diffs.push(d);
      } else if (got.fault !== 'E_BUDGET' || got.executed > budget)
        diffs.push(
          `${name}: expected E_BUDGET with executed <= ${budget}, got ${got.fault} (executed ${got.executed})`,
        );
    }
  }
  return { want: w, outcomes, diffs };
}
