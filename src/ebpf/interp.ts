/**
 * The reference interpreter: load a program once (checks + pre-decoding), run it many times over an
 * address space.
 *
 *   const prog = loadProgram(insns, { helpers, budget: 1e6 });
 *   const { r0, executed } = prog.run({ mem, r1: ctxAddr, regions: [{ addr: ctxAddr, size: 16 }] });
 *
 * Run contract: r1-r5 are the given values (default 0), r0 and r6-r9 start at 0, r10 is the frame
 * pointer: the top of frame 0 of a stack of MAX_CALL_FRAMES frames of MAX_BPF_STACK (512) bytes in
 * the address space (kernel-private memory, allocated at the first run in that address space and
 * kept for the next ones until releaseInterpreter(mem)); each frame is zeroed when it is entered.
 * The program may access its stack frames, the `regions` of the run and the regions helpers grant
 * during the run; nothing else. `ctx` is handed to helpers (HelperEnv.ctx).
 *
 * Load options: `helpers` (the registry `call` resolves against; default empty), `budget` (maximum
 * instructions per run; default unlimited; a run option overrides it), `resolveLddw` (resolves lddw
 * with a pseudo source; without it such a program is rejected with 'E_LDDW_PSEUDO': the ELF loader
 * provides the resolver).
 *
 * Tail calls: a helper (bpf_tail_call, base-helpers.ts) calls tailCall(env, lookup) to replace the
 * running program with another program loaded here, in the same run (interp-tail.ts has the
 * semantics); at most MAX_TAIL_CALL_CNT (33) per run, after which tail calls fail.
 *
 * Engine seam: BpfProgram is the interface a JIT will implement too; `engine` tells them apart.
 */
import { AddressSpace } from '../mem/address-space.js';
import { type Region, RegionAccess } from '../mem/regions.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT } from '../uapi/bpf.js';
import { ELOOP, ENOENT } from '../uapi/errno.js';
import { type HelperEnv, HelperRegistry } from './helpers.js';
import type { Insn } from './insn.js';
import { type DecodedProgram, decodeProgram, type LddwResolver } from './interp-decode.js';
import { type LoopState, Machine, runLoop, type TailTarget } from './interp-run.js';
import { runTailChain } from './interp-tail.js';

export type { Region } from '../mem/regions.js';
export type { LddwResolver } from './interp-decode.js';

/** Execution engines; the JIT will add 'jit'. */
export type EngineKind = 'interp';

export interface LoadOptions {
  readonly helpers?: HelperRegistry;
  /** Maximum instructions executed per run (a positive integer); default unlimited. */
  readonly budget?: number;
  /**
   * may_goto takes its jump (ends its loop) once fewer than this many instructions are left in the
   * budget, as may_goto may (default 0: only after BPF_MAX_LOOPS iterations). The loader sets it to
   * a verified program's processed-instruction count, which bounds the rest of any run.
   */
  readonly mayGotoReserve?: number;
  readonly resolveLddw?: LddwResolver;
  /**
   * Regions the program may access in every run besides its stack and the run's own regions (e.g. the
   * global data its lddw instructions address); also granted when a tail call enters the program.
   */
  readonly regions?: readonly Region[];
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
  const regions = [...(opts.regions ?? [])];
  const reserve = opts.mayGotoReserve ?? 0;
  if (!Number.isSafeInteger(reserve) || reserve < 0) {
    throw new RangeError(`loadProgram: mayGotoReserve must be a non-negative integer, got ${reserve}`);
  }
  return new InterpProgram(decodeProgram(insns, helpers, opts.resolveLddw, reserve), budget, regions);
}

function checkBudget(b: number | undefined, who: string): number {
  if (b === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(b) || b < 1)
    throw new RangeError(`${who}: budget must be a positive integer, got ${b}`);
  return b;
}

const TWO32 = 4294967296;

/** Set register r of the machine to a run argument (left alone when undefined). */
function setReg(m: Machine, r: number, v: RegValue | undefined): void {
  if (v === undefined) return;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      throw new TypeError(`run: r${r} must be a bigint or a safe integer, got ${v}`);
    // Exact for |v| < 2^53: the high half is floor(v / 2^32), the low half the remainder.
    const hi = Math.floor(v / TWO32);
    m.L[r] = v - hi * TWO32;
    m.H[r] = hi;
    return;
  }
  if (typeof v !== 'bigint')
    throw new TypeError(`run: r${r} must be a bigint or a safe integer, got ${typeof v}`);
  const u = BigInt.asUintN(64, v);
  m.L[r] = Number(u & 0xffff_ffffn);
  m.H[r] = Number(u >> 32n);
}

/** The environment helpers see; one per run, closed when the run ends. */
function grantAll(acc: RegionAccess, regions: readonly Region[]): void {
  for (const r of regions)
    acc.grant(r.addr, r.size, r.writable ?? true, r.name ?? 'region', r.fields ?? null);
}

class RunEnv implements HelperEnv {
  readonly mem: AddressSpace;
  readonly ctx: unknown;
  readonly #acc: RegionAccess;
  readonly #state: LoopState;
  #open = true;
  /** Tail calls attempted in this run (the kernel's tail_call_cnt). */
  #tailCalls = 0;
  constructor(mem: AddressSpace, acc: RegionAccess, ctx: unknown, state: LoopState) {
    this.mem = mem;
    this.ctx = ctx;
    this.#acc = acc;
    this.#state = state;
  }
  close(): void {
    this.#open = false;
  }
  tailCall(lookup: () => BpfProgram | null): bigint {
    if (!this.#open) throw new TypeError('tail call: the run this environment belongs to has ended');
    // The kernel's order: the count is checked and taken before the slot is read, so a lookup
    // that finds nothing counts too.
    if (this.#tailCalls >= MAX_TAIL_CALL_CNT) return BigInt(-ELOOP);
    this.#tailCalls++;
    const prog = lookup();
    if (prog === null) return BigInt(-ENOENT);
    const t = InterpProgram.targetOf(prog);
    if (t === null) {
      throw new TypeError(
        `tail call: expected a program loaded by the interpreter's loadProgram(), found ${describe(prog)}`,
      );
    }
    grantAll(this.#acc, t.regions);
    this.#state.tail = t;
    return 0n;
  }
  grant(addr: number, size: number, writable = true, name = 'helper'): void {
    if (!this.#open) throw new TypeError('HelperEnv.grant: the run this environment belongs to has ended');
    this.#acc.grant(addr, size, writable, name);
  }
  readable(addr: number, len: number): boolean {
    return this.#open && this.#acc.canRead(addr, len);
  }
  writable(addr: number, len: number): boolean {
    return this.#open && this.#acc.canWrite(addr, len);
  }
}

/**
 * What runs in one address space reuse: the region table and the stack (STACK_BYTES of
 * kernel-private memory, allocated at the first run and kept until releaseInterpreter()).
 */
interface SpaceState {
  readonly acc: RegionAccess;
  readonly stack: number;
  busy: boolean;
}

const spaces = new WeakMap<AddressSpace, SpaceState>();

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return String(v);
  const engine = (v as { engine?: unknown }).engine;
  return engine === undefined
    ? 'an object that is not a BpfProgram'
    : `a program of engine '${String(engine)}'`;
}

/**
 * Replace the running program by the one `lookup` returns, for the bpf_tail_call helper: call it
 * from a helper's implementation with the HelperEnv it received, and return its result as the
 * helper's. It checks the run's count first (MAX_TAIL_CALL_CNT, 33, tail calls per run: further ones
 * return -ELOOP without calling `lookup`), counts the attempt, then calls `lookup`: null (no program
 * at that index, or an index out of range) returns -ENOENT; a program makes the run continue at its
 * first instruction once the helper returns 0 (interp-tail.ts). On failure execution continues after
 * the call, with the negative value in r0 (the kernel's r0 is then undefined: RET_VOID).
 * One difference from the kernel: it checks the index against max_entries before counting, so an
 * index out of range does not count there; a lookup cannot tell the two cases apart, both count here.
 * TypeError when `env` is not an interpreter run's or the program was not loaded by loadProgram().
 */
export function tailCall(env: HelperEnv, lookup: () => BpfProgram | null): bigint {
  if (!(env instanceof RunEnv)) {
    throw new TypeError('tail call: expected the HelperEnv of an interpreter run (a helper of loadProgram)');
  }
  return env.tailCall(lookup);
}

function newSpaceState(mem: AddressSpace): SpaceState {
  return { acc: new RegionAccess(mem), stack: mem.allocKernel(STACK_BYTES, 8), busy: false };
}

/**
 * Free the stack the interpreter keeps in `mem` between runs (e.g. before a leak check or when the
 * address space is torn down). The next run allocates it again. No effect while a run is going on.
 */
export function releaseInterpreter(mem: AddressSpace): void {
  const st = spaces.get(mem);
  if (st === undefined || st.busy) return;
  spaces.delete(mem);
  mem.free(st.stack);
}

class InterpProgram implements BpfProgram {
  readonly engine = 'interp' as const;
  readonly #prog: DecodedProgram;
  readonly #budget: number;
  readonly #machine: Machine;
  readonly #target: TailTarget;

  constructor(prog: DecodedProgram, budget: number, regions: readonly Region[]) {
    this.#prog = prog;
    this.#budget = budget;
    this.#machine = new Machine(prog);
    this.#target = { prog, machine: this.#machine, regions };
  }

  /** What a tail call into `p` needs, or null when `p` is not an interpreter program. */
  static targetOf(p: unknown): TailTarget | null {
    return typeof p === 'object' && p !== null && #target in p ? (p as InterpProgram).#target : null;
  }

  get length(): number {
    return this.#prog.length;
  }

  run(opts: RunOptions): RunResult {
    const mem = opts?.mem;
    if (!(mem instanceof AddressSpace)) throw new TypeError('run: mem must be an AddressSpace');
    const limit = opts.budget === undefined ? this.#budget : checkBudget(opts.budget, 'run');
    // A nested run (a helper running a program) gets its own machine, region table and stack.
    const m = this.#machine.busy ? new Machine(this.#prog) : this.#machine;
    let st = spaces.get(mem);
    let own = false;
    if (st === undefined) {
      st = newSpaceState(mem);
      spaces.set(mem, st);
    } else if (st.busy) {
      st = newSpaceState(mem);
      own = true;
    }
    const { acc, stack } = st;
    m.reset();
    const s = m.S;
    s.reset();
    const env = new RunEnv(mem, acc, opts.ctx, s);
    m.busy = true;
    st.busy = true;
    try {
      setReg(m, 1, opts.r1);
      setReg(m, 2, opts.r2);
      setReg(m, 3, opts.r3);
      setReg(m, 4, opts.r4);
      setReg(m, 5, opts.r5);
      acc.grant(stack, STACK_BYTES, true, 'stack');
      grantAll(acc, this.#target.regions);
      if (opts.regions !== undefined) grantAll(acc, opts.regions);
      const top = stack + STACK_BYTES;
      m.L[10] = top;
      acc.zero(top - MAX_BPF_STACK, MAX_BPF_STACK);
      runLoop(this.#prog, m, s, acc, env, top, limit);
      // The loop returned before the outermost exit only for a tail call.
      const last =
        s.tail === null
          ? m
          : runTailChain(
              { prog: this.#prog, machine: m, regions: this.#target.regions },
              s,
              acc,
              env,
              top,
              limit,
            );
      const lo = last.L[0]! >>> 0;
      const hi = last.H[0]! >>> 0;
      return { r0: hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo), executed: s.n };
    } finally {
      s.tail = null;
      env.close();
      acc.clear();
      m.busy = false;
      st.busy = false;
      if (own) mem.free(stack);
    }
  }
}
