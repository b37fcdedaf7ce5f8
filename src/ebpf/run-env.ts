/**
 * What every engine's run shares: the environment helpers see (RunEnv: the run's context, its region
 * table, the tail-call count) and the stack kept per address space between runs.
 *
 * Regions: a run grants its stack, the program's regions and the run's own; helpers grant more (map
 * values, ring buffer records) and ask `readable`/`writable` before touching program memory. The
 * interpreter also checks every load and store of the program against this table; the JIT bounds
 * them by the address space only (jit/program.ts), so there the table serves helpers alone.
 *
 * Tail calls: tailCall(env, lookup) counts the attempt (MAX_TAIL_CALL_CNT per run), asks `lookup`
 * for the target and hands it to the engine's `onTail`, which switches programs once the helper
 * returns (interp-tail.ts, jit/program.ts).
 */
import type { AddressSpace } from '../mem/address-space.js';
import { type Region, RegionAccess } from '../mem/regions.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT } from '../uapi/bpf.js';
import { ELOOP, ENOENT } from '../uapi/errno.js';
import { type HelperEnv, HelperRegistry } from './helpers.js';

/** Execution engines: the reference interpreter and the WebAssembly JIT. */
export type EngineKind = 'interp' | 'jit';

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
  /**
   * Instructions executed (lddw counts one), or -1 when the engine did not count them: the JIT counts
   * only when the run has a budget or the program was loaded with `count: true`.
   */
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

/**
 * The checks both loaders make on their arguments (TypeError/RangeError): `insns` an array, `helpers`
 * a HelperRegistry (default an empty one), `budget` (Infinity when absent) and `mayGotoReserve`.
 */
export function checkLoadArgs(
  insns: unknown,
  opts: { readonly helpers?: HelperRegistry; readonly budget?: number; readonly mayGotoReserve?: number },
): { helpers: HelperRegistry; budget: number; reserve: number } {
  if (!Array.isArray(insns)) throw new TypeError('loadProgram: insns must be an array of Insn');
  const helpers = opts.helpers ?? new HelperRegistry();
  if (!(helpers instanceof HelperRegistry))
    throw new TypeError('loadProgram: helpers must be a HelperRegistry');
  const budget = checkBudget(opts.budget, 'loadProgram');
  const reserve = opts.mayGotoReserve ?? 0;
  if (!Number.isSafeInteger(reserve) || reserve < 0) {
    throw new RangeError(`loadProgram: mayGotoReserve must be a non-negative integer, got ${reserve}`);
  }
  return { helpers, budget, reserve };
}

const TWO32 = 4294967296;

/**
 * Run argument `v` of register r as its low and high 32-bit halves, written to lo[loAt] and
 * hi[hiAt] (TypeError unless a bigint or a safe integer; a negative number is two's complement).
 */
export function regHalves(
  v: RegValue,
  r: number,
  lo: number[] | Int32Array,
  loAt: number,
  hi: number[] | Int32Array,
  hiAt: number,
): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      throw new TypeError(`run: r${r} must be a bigint or a safe integer, got ${v}`);
    // Exact for |v| < 2^53: the high half is floor(v / 2^32), the low half the remainder.
    const h = Math.floor(v / TWO32);
    lo[loAt] = (v - h * TWO32) | 0;
    hi[hiAt] = h | 0;
    return;
  }
  if (typeof v !== 'bigint')
    throw new TypeError(`run: r${r} must be a bigint or a safe integer, got ${typeof v}`);
  const u = BigInt.asUintN(64, v);
  lo[loAt] = Number(u & 0xffff_ffffn) | 0;
  hi[hiAt] = Number(u >> 32n) | 0;
}

export function checkBudget(b: number | undefined, who: string): number {
  if (b === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(b) || b < 1)
    throw new RangeError(`${who}: budget must be a positive integer, got ${b}`);
  return b;
}

export function grantAll(acc: RegionAccess, regions: readonly Region[]): void {
  for (const r of regions)
    acc.grant(r.addr, r.size, r.writable ?? true, r.name ?? 'region', r.fields ?? null);
}

export function describeProgram(v: unknown): string {
  if (v === null || typeof v !== 'object') return String(v);
  const engine = (v as { engine?: unknown }).engine;
  return engine === undefined
    ? 'an object that is not a BpfProgram'
    : `a program of engine '${String(engine)}'`;
}

/** The environment helpers see; one per run, closed when the run ends. */
export class RunEnv implements HelperEnv {
  readonly mem: AddressSpace;
  readonly ctx: unknown;
  readonly #acc: RegionAccess;
  /** Takes the target of a tail call (throws TypeError when its engine cannot run it). */
  readonly #onTail: (prog: BpfProgram) => void;
  /** Grants the run's regions, at the first use of the table (null once done). */
  #prepare: ((acc: RegionAccess) => void) | null;
  #open = true;
  /** Tail calls attempted in this run (the kernel's tail_call_cnt). */
  #tailCalls = 0;
  /**
   * `prepare` grants the run's regions into `acc`; it is called when the table is first needed (a
   * helper's check or grant, a tail call, `acc`), so runs whose helpers never look cost nothing.
   */
  constructor(
    mem: AddressSpace,
    acc: RegionAccess,
    ctx: unknown,
    onTail: (prog: BpfProgram) => void,
    prepare: ((acc: RegionAccess) => void) | null = null,
  ) {
    this.mem = mem;
    this.ctx = ctx;
    this.#acc = acc;
    this.#onTail = onTail;
    this.#prepare = prepare;
  }
  /** The run's region table, its regions granted. */
  get acc(): RegionAccess {
    const p = this.#prepare;
    if (p !== null) {
      this.#prepare = null;
      p(this.#acc);
    }
    return this.#acc;
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
    void this.acc;
    const prog = lookup();
    if (prog === null) return BigInt(-ENOENT);
    this.#onTail(prog);
    return 0n;
  }
  grant(addr: number, size: number, writable = true, name = 'helper'): void {
    if (!this.#open) throw new TypeError('HelperEnv.grant: the run this environment belongs to has ended');
    this.acc.grant(addr, size, writable, name);
  }
  readable(addr: number, len: number): boolean {
    return this.#open && this.acc.canRead(addr, len);
  }
  writable(addr: number, len: number): boolean {
    return this.#open && this.acc.canWrite(addr, len);
  }
}

/**
 * Replace the running program by the one `lookup` returns, for the bpf_tail_call helper: call it
 * from a helper's implementation with the HelperEnv it received, and return its result as the
 * helper's. It checks the run's count first (MAX_TAIL_CALL_CNT, 33, tail calls per run: further ones
 * return -ELOOP without calling `lookup`), counts the attempt, then calls `lookup`: null (no program
 * at that index, or an index out of range) returns -ENOENT; a program makes the run continue at its
 * first instruction once the helper returns 0 (interp-tail.ts, jit/program.ts). On failure execution
 * continues after the call, with the negative value in r0 (the kernel's r0 is then undefined:
 * RET_VOID). One difference from the kernel: it checks the index against max_entries before
 * counting, so an index out of range does not count there; a lookup cannot tell the two cases apart,
 * both count here. TypeError when `env` is not a run's (of loadProgram) or the target was loaded
 * for another engine than the running program.
 */
export function tailCall(env: HelperEnv, lookup: () => BpfProgram | null): bigint {
  if (!(env instanceof RunEnv)) {
    throw new TypeError('tail call: expected the HelperEnv of a program run (a helper of loadProgram)');
  }
  return env.tailCall(lookup);
}

/**
 * What runs in one address space reuse: the region table and the stack (STACK_BYTES of
 * kernel-private memory, allocated at the first run and kept until releaseInterpreter()).
 */
export interface SpaceState {
  readonly acc: RegionAccess;
  readonly stack: number;
  busy: boolean;
}

const spaces = new WeakMap<AddressSpace, SpaceState>();

function newSpaceState(mem: AddressSpace): SpaceState {
  return { acc: new RegionAccess(mem), stack: mem.allocKernel(STACK_BYTES, 8), busy: false };
}

/**
 * The stack and region table of a run in `mem`: the kept ones, or (a nested run, while another run
 * uses them) new ones that `releaseSpace` frees. Marks them busy.
 */
export function acquireSpace(mem: AddressSpace): { st: SpaceState; own: boolean } {
  let st = spaces.get(mem);
  let own = false;
  if (st === undefined) {
    st = newSpaceState(mem);
    spaces.set(mem, st);
  } else if (st.busy) {
    st = newSpaceState(mem);
    own = true;
  }
  st.busy = true;
  return { st, own };
}

export function releaseSpace(mem: AddressSpace, st: SpaceState, own: boolean): void {
  st.acc.clear();
  st.busy = false;
  if (own) mem.free(st.stack);
}

/**
 * Free the stack the engines keep in `mem` between runs (e.g. before a leak check or when the
 * address space is torn down). The next run allocates it again. No effect while a run is going on.
 */
export function releaseInterpreter(mem: AddressSpace): void {
  const st = spaces.get(mem);
  if (st === undefined || st.busy) return;
  spaces.delete(mem);
  mem.free(st.stack);
}
