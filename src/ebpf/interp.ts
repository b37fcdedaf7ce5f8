/**
 * The reference interpreter: load a program once (checks + pre-decoding), run it many times over an
 * address space.
 *
 *   const prog = loadProgram(insns, { helpers, budget: 1e6 });
 *   const { r0, executed } = prog.run({ mem, r1: ctxAddr, regions: [{ addr: ctxAddr, size: 16 }] });
 *
 * Run contract: r1-r5 are the given values (default 0), r0 and r6-r9 start at 0, r10 is the frame
 * pointer: the top of frame 0 of a stack of MAX_CALL_FRAMES frames of MAX_BPF_STACK (512) bytes,
 * allocated from the address space for the run (kernel-private memory, zeroed) and freed after it.
 * The program may access its stack frames, the `regions` of the run and the regions helpers grant
 * during the run; nothing else. `ctx` is handed to helpers (HelperEnv.ctx).
 *
 * Load options: `helpers` (the registry `call` resolves against; default empty), `budget` (maximum
 * instructions per run; default unlimited; a run option overrides it), `resolveLddw` (resolves lddw
 * with a pseudo source; without it such a program is rejected with 'E_LDDW_PSEUDO': the ELF loader
 * provides the resolver).
 *
 * Engine seam: BpfProgram is the interface a JIT will implement too; `engine` tells them apart.
 */
import { AddressSpace } from '../mem/address-space.js';
import { type Region, RegionAccess } from '../mem/regions.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES } from '../uapi/bpf.js';
import { type HelperEnv, HelperRegistry } from './helpers.js';
import type { Insn } from './insn.js';
import { type DecodedProgram, decodeProgram, type LddwResolver } from './interp-decode.js';
import { runLoop } from './interp-run.js';

export type { Region } from '../mem/regions.js';
export type { LddwResolver } from './interp-decode.js';

/** Execution engines; the JIT will add 'jit'. */
export type EngineKind = 'interp';

export interface LoadOptions {
  readonly helpers?: HelperRegistry;
  /** Maximum instructions executed per run (a positive integer); default unlimited. */
  readonly budget?: number;
  readonly resolveLddw?: LddwResolver;
}

/** A register value: a bigint (taken modulo 2^64) or a safe integer (negative = two's complement). */
export type RegValue = bigint | number;

export interface RunOptions {
  readonly mem: AddressSpace;
  readonly r1?: RegValue;
  readonly r2?: RegValue;
  readonly r3?: RegValue;
  readonly r4?: RegValue;
  readonly r5?: RegValue;
  /** Regions the program may access besides its stack (writable unless `writable: false`). */
  readonly regions?: readonly Region[];
  /** Handed to helpers as HelperEnv.ctx. */
  readonly ctx?: unknown;
  /** Overrides the program's budget for this run. */
  readonly budget?: number;
}

export interface RunResult {
  /** r0 at the outermost exit, as a u64. */
  readonly r0: bigint;
  /** Instructions executed (lddw counts one). */
  readonly executed: number;
}

/** A loaded program, whatever engine runs it. */
export interface BpfProgram {
  readonly engine: EngineKind;
  /** Slots (lddw counts two). */
  readonly length: number;
  /** Run to the outermost exit. Throws BpfFault on a fault. */
  run(opts: RunOptions): RunResult;
}

/** Bytes of the stack of one run: every frame. */
export const STACK_BYTES = MAX_CALL_FRAMES * MAX_BPF_STACK;

/** Check and pre-decode `insns` (throws InsnError or ProgramLoadError) for the interpreter. */
export function loadProgram(insns: readonly Insn[], opts: LoadOptions = {}): BpfProgram {
  if (!Array.isArray(insns)) throw new TypeError('loadProgram: insns must be an array of Insn');
  const helpers = opts.helpers ?? new HelperRegistry();
  if (!(helpers instanceof HelperRegistry))
    throw new TypeError('loadProgram: helpers must be a HelperRegistry');
  const budget = checkBudget(opts.budget, 'loadProgram');
  return new InterpProgram(decodeProgram(insns, helpers, opts.resolveLddw), budget);
}

function checkBudget(b: number | undefined, who: string): number {
  if (b === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(b) || b < 1)
    throw new RangeError(`${who}: budget must be a positive integer, got ${b}`);
  return b;
}

/** The two int32 halves of a register value. */
function setReg(L: Int32Array, H: Int32Array, r: number, v: RegValue | undefined): void {
  if (v === undefined) return;
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (Number.isSafeInteger(v)) b = BigInt(v);
  else throw new TypeError(`run: r${r} must be a bigint or a safe integer, got ${v}`);
  const u = BigInt.asUintN(64, b);
  L[r] = Number(u & 0xffff_ffffn);
  H[r] = Number(u >> 32n);
}

/** The environment helpers see; one per run. */
class RunEnv implements HelperEnv {
  readonly mem: AddressSpace;
  readonly ctx: unknown;
  readonly #acc: RegionAccess;
  constructor(mem: AddressSpace, acc: RegionAccess, ctx: unknown) {
    this.mem = mem;
    this.ctx = ctx;
    this.#acc = acc;
  }
  grant(addr: number, size: number, writable = true, name = 'helper'): void {
    this.#acc.grant(addr, size, writable, name);
  }
  readable(addr: number, len: number): boolean {
    return this.#acc.canRead(addr, len);
  }
  writable(addr: number, len: number): boolean {
    return this.#acc.canWrite(addr, len);
  }
}

/** One idle RegionAccess per address space, reused by the runs that do not nest. */
const idleAccess = new WeakMap<AddressSpace, RegionAccess>();

class InterpProgram implements BpfProgram {
  readonly engine = 'interp' as const;
  readonly #prog: DecodedProgram;
  readonly #budget: number;

  constructor(prog: DecodedProgram, budget: number) {
    this.#prog = prog;
    this.#budget = budget;
  }

  get length(): number {
    return this.#prog.length;
  }

  run(opts: RunOptions): RunResult {
    const mem = opts?.mem;
    if (!(mem instanceof AddressSpace)) throw new TypeError('run: mem must be an AddressSpace');
    const limit = opts.budget === undefined ? this.#budget : checkBudget(opts.budget, 'run');
    const L = new Int32Array(11);
    const H = new Int32Array(11);
    setReg(L, H, 1, opts.r1);
    setReg(L, H, 2, opts.r2);
    setReg(L, H, 3, opts.r3);
    setReg(L, H, 4, opts.r4);
    setReg(L, H, 5, opts.r5);
    // A nested run (a helper running a program) gets its own region table.
    const acc = idleAccess.get(mem) ?? new RegionAccess(mem);
    idleAccess.delete(mem);
    const stack = mem.alloc(STACK_BYTES, 8);
    try {
      acc.grant(stack, STACK_BYTES, true, 'stack');
      for (const r of opts.regions ?? []) acc.grant(r.addr, r.size, r.writable ?? true, r.name ?? 'region');
      const top = stack + STACK_BYTES;
      L[10] = top;
      H[10] = 0;
      const executed = runLoop(this.#prog, L, H, acc, new RunEnv(mem, acc, opts.ctx), top, limit);
      return { r0: (BigInt(H[0]! >>> 0) << 32n) | BigInt(L[0]! >>> 0), executed };
    } finally {
      acc.clear();
      idleAccess.set(mem, acc);
      mem.free(stack);
    }
  }
}
