/**
 * JIT-compiled programs: loadJitProgram() compiles a program to a WebAssembly module (compile.ts) and
 * returns a BpfProgram whose runs execute it over the address space's shared memory.
 *
 * Per address space, one instance per program and variant (plain, or counting instructions for
 * budgets), made at the program's first run there; the `n`, `limit` and `memEnd` globals are shared
 * by every instance in that address space, so a tail call carries the count over.
 *
 * A run: the shared stack of the address space (run-env.ts), the RunEnv helpers see (granted the
 * stack, the program's regions, the run's regions and the value storage of maps whose lookups were
 * inlined), then `run(r1..r5, fp)`. Faults come back as BpfFault: from the `fault` import (guards,
 * depth, budget, running off the end), from helpers (wrapped as the interpreter wraps them), or from
 * a wasm trap traced to its instruction through the module offset in the error's stack.
 *
 * `executed`: counted when the run has a budget (the program's or the run's) or the program was
 * loaded with `count: true`; otherwise -1 (and BpfFault.executed is -1).
 */
import { AddressSpace } from '../../mem/address-space.js';
import { checkRegion, type Region } from '../../mem/regions.js';
import { MAX_BPF_STACK } from '../../uapi/bpf.js';
import { BpfFault } from '../faults.js';
import type { HelperRegistry } from '../helpers.js';
import type { Insn } from '../insn.js';
import type { LddwResolver } from '../interp-decode.js';
import { helperValue } from '../interp-faults.js';
import {
  acquireSpace,
  type BpfProgram,
  checkBudget,
  checkLoadArgs,
  describeProgram,
  grantAll,
  type RegValue,
  RunEnv,
  type RunOptions,
  type RunResult,
  regHalves,
  releaseSpace,
  STACK_BYTES,
} from '../run-env.js';
import { type CompiledProgram, compileProgram } from './compile.js';
import { F_BUDGET, F_END, F_STACK, FAULT_CODES, NULL_PAGE, type Site } from './emit.js';
import { WasmGlobal, WasmRuntimeError } from './wasm/runtime.js';

export interface JitLoadOptions {
  readonly helpers?: HelperRegistry;
  readonly budget?: number;
  readonly mayGotoReserve?: number;
  readonly resolveLddw?: LddwResolver;
  readonly regions?: readonly Region[];
  /**
   * Compile with guards: every access checked against the address space, entered frames zeroed
   * (default true). The loaders pass false for programs the verifier accepted.
   */
  readonly guards?: boolean;
  /** Count executed instructions in every run, budget or not (default false). */
  readonly count?: boolean;
}

/** Globals shared by the instances in one address space. */
interface SpaceGlobals {
  readonly memEnd: WasmGlobal;
  readonly n: WasmGlobal;
  readonly limit: WasmGlobal;
}

const globalsBySpace = new WeakMap<AddressSpace, SpaceGlobals>();

function spaceGlobals(mem: AddressSpace): SpaceGlobals {
  let g = globalsBySpace.get(mem);
  if (g === undefined) {
    g = {
      memEnd: new WasmGlobal({ value: 'i64', mutable: false }, BigInt(mem.memory.buffer.byteLength)),
      n: new WasmGlobal({ value: 'i64', mutable: true }, 0n),
      limit: new WasmGlobal({ value: 'i64', mutable: true }, 0n),
    };
    globalsBySpace.set(mem, g);
  }
  return g;
}

/** The state of the run an instance's imports serve. */
interface Run {
  readonly env: RunEnv;
  readonly mem: AddressSpace;
  readonly counting: boolean;
  readonly g: SpaceGlobals;
  /** Set by the tail-call hook, taken by the `tail` import. */
  pending: JitProgram | null;
}

interface Instance {
  readonly run: (...args: number[]) => bigint;
  readonly enter: (...args: (bigint | number)[]) => bigint[];
  /** The run being served (a stack: nested runs save and restore it). */
  cur: Run | null;
}

const U64 = (v: bigint): bigint => (v < 0n ? v + 0x1_0000_0000_0000_0000n : v);

/** Write run argument `v` for register r as (lo, hi) into `out` at `at` (0, 0 when absent). */
function setArg(out: number[], at: number, v: RegValue | undefined, r: number): void {
  if (v === undefined) {
    out[at] = 0;
    out[at + 1] = 0;
  } else regHalves(v, r, out, at, out, at + 1);
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** Compile `insns` for the JIT (throws InsnError or ProgramLoadError as the interpreter's loader). */
export function loadJitProgram(insns: readonly Insn[], opts: JitLoadOptions = {}): BpfProgram {
  const { helpers, budget } = checkLoadArgs(insns, opts);
  return new JitProgram(insns, { ...opts, helpers }, budget);
}

export class JitProgram implements BpfProgram {
  readonly engine = 'jit' as const;
  readonly #insns: readonly Insn[];
  readonly #opts: JitLoadOptions;
  readonly #budget: number;
  readonly #regions: readonly Region[];
  readonly #alwaysCount: boolean;
  /** [plain, counting]; the first made at load (it checks the program), the other on demand. */
  readonly #compiled: (CompiledProgram | null)[] = [null, null];
  readonly #modules: (WebAssembly.Module | null)[] = [null, null];
  readonly #instances = new WeakMap<AddressSpace, (Instance | null)[]>();
  /** Scratch for the (lo, hi) halves of r1-r5 (read before any nested run can reuse it). */
  readonly #args: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

  constructor(insns: readonly Insn[], opts: JitLoadOptions, budget: number) {
    this.#insns = insns.map((i) => ({ ...i }));
    this.#opts = opts;
    this.#budget = budget;
    this.#regions = [...(opts.regions ?? [])];
    this.#alwaysCount = opts.count === true;
    // Compile now: load errors surface at load, as with the interpreter.
    void this.compiled;
  }

  get length(): number {
    return this.#insns.length;
  }

  /** The compiled module of a variant (0 plain, 1 counting), compiled on first use. */
  #variant(k: number): CompiledProgram {
    let c = this.#compiled[k];
    if (c === undefined || c === null) {
      const o = this.#opts;
      c = compileProgram(this.#insns, {
        ...(o.helpers !== undefined ? { helpers: o.helpers } : {}),
        ...(o.resolveLddw !== undefined ? { resolveLddw: o.resolveLddw } : {}),
        guards: o.guards ?? true,
        count: k === 1,
        mayGotoReserve: o.mayGotoReserve ?? 0,
      });
      this.#compiled[k] = c;
    }
    return c;
  }

  /** The compiled module of the plain or the counting variant (compiled on first use). */
  compiledFor(counting: boolean): CompiledProgram {
    return this.#variant(counting ? 1 : 0);
  }

  /** The compiled module (WAT, sites...) runs use by default: counting when the program has a budget. */
  get compiled(): CompiledProgram {
    return this.#variant(this.#alwaysCount || this.#budget !== Number.POSITIVE_INFINITY ? 1 : 0);
  }

  #instance(mem: AddressSpace, k: number): Instance {
    let list = this.#instances.get(mem);
    if (list === undefined) {
      list = [null, null];
      this.#instances.set(mem, list);
    }
    const known = list[k];
    if (known !== undefined && known !== null) return known;
    const c = this.#variant(k);
    let mod = this.#modules[k];
    if (mod === undefined || mod === null) {
      mod = new WebAssembly.Module(c.bytes);
      this.#modules[k] = mod;
    }
    const inst = this.#instantiate(mod, c, mem);
    list[k] = inst;
    return inst;
  }

  #instantiate(mod: WebAssembly.Module, c: CompiledProgram, mem: AddressSpace): Instance {
    const g = spaceGlobals(mem);
    const holder: { inst: Instance | null } = { inst: null };
    const cur = (): Run => {
      const r = holder.inst?.cur;
      if (r === undefined || r === null)
        throw new TypeError('jit: a program function was called outside a run');
      return r;
    };
    const env: Record<string, unknown> = {
      memory: mem.memory,
      fault: (code: number, pc: number, excess: number, addr: bigint): never => {
        throw this.#fault(cur(), code, pc, excess, addr);
      },
    };
    if (c.guards) env.memEnd = g.memEnd;
    if (c.count) {
      env.n = g.n;
      env.limit = g.limit;
    }
    for (const def of c.helperImports) {
      env[`h${def.id}`] = (pc: number, a: bigint, b: bigint, d: bigint, e: bigint, f: bigint): bigint => {
        const run = cur();
        return helperValue(def, run.env, pc, executedAt(run, 0), U64(a), U64(b), U64(d), U64(e), U64(f));
      };
    }
    if (c.hasTail) env.tail = (...args: (number | bigint)[]) => this.#tailImport(cur(), c, args);
    const instance = new WebAssembly.Instance(mod, { env });
    const ex = instance.exports as Record<string, unknown>;
    const inst: Instance = {
      run: ex.run as Instance['run'],
      enter: ex.enter as Instance['enter'],
      cur: null,
    };
    holder.inst = inst;
    return inst;
  }

  /** The `tail` import: callx or a tail-call helper; runs the tail call's target when one was asked. */
  #tailImport(run: Run, c: CompiledProgram, args: (number | bigint)[]): (number | bigint)[] {
    const pc = args[0] as number;
    const id = U64(args[1] as bigint);
    const regs = args.slice(2, 11) as bigint[]; // r1..r9
    const fp = args[11] as bigint;
    const depth = args[12] as number;
    if (id > 0x7fff_ffffn) {
      throw withExecuted(
        new BpfFault('E_FAULT_CALL', pc, `callx: expected a helper id (0 to 0x7fffffff), found ${hex(id)}`),
        executedAt(run, 0),
      );
    }
    const def = c.decoded.helperById.get(Number(id));
    if (def === undefined) {
      throw withExecuted(
        new BpfFault('E_HELPER_UNKNOWN', pc, `callx: no helper ${id} is registered`),
        executedAt(run, 0),
      );
    }
    const [a, b, d, e, f] = regs.map(U64) as [bigint, bigint, bigint, bigint, bigint];
    const r0 = helperValue(def, run.env, pc, executedAt(run, 0), a, b, d, e, f);
    const target = run.pending;
    if (target === null) return [0, r0, ...regs.slice(0, 5)];
    run.pending = null;
    // The target replaces the current function: same frame (zeroed), same depth, r0 = 0.
    return [1, ...target.#enterTail(run, regs, fp, depth)];
  }

  #enterTail(run: Run, regs: bigint[], fp: bigint, depth: number): bigint[] {
    const inst = this.#instance(run.mem, run.counting ? 1 : 0);
    const c = this.#variant(run.counting ? 1 : 0);
    if (c.guards) run.mem.zero(Number(fp) - MAX_BPF_STACK, MAX_BPF_STACK);
    for (const l of c.inlined) l.grantValues(run.env);
    const saved = inst.cur;
    inst.cur = run;
    try {
      return inst.enter(0n, ...regs, fp, depth);
    } catch (e) {
      throw this.#convert(e, run);
    } finally {
      inst.cur = saved;
    }
  }

  #fault(run: Run, code: number, pc: number, excess: number, addr: bigint): BpfFault {
    const name = FAULT_CODES[code] ?? 'E_FAULT_MEM';
    const executed = executedAt(run, excess);
    switch (code) {
      case F_END:
        return withExecuted(
          new BpfFault(
            'E_FAULT_END',
            pc,
            `execution ran past the last instruction (slot ${pc - 1}): expected an exit or a jump back`,
          ),
          executed,
        );
      case F_STACK:
        return withExecuted(
          new BpfFault('E_STACK_OVERFLOW', pc, `bpf2bpf call would enter too many frames: at most 8 frames`),
          executed,
        );
      case F_BUDGET: {
        const limit = run.g.limit.value as bigint;
        return withExecuted(
          new BpfFault(
            'E_BUDGET',
            pc,
            `instruction budget spent: ${limit} instructions allowed, the block at slot ${pc} would pass them; expected the program to exit within them`,
          ),
          executed,
        );
      }
      default:
        return withExecuted(new BpfFault(name, pc, this.#memDetail(code, pc, addr, run.mem)), executed);
    }
  }

  #memDetail(code: number, pc: number, addr: bigint, mem: AddressSpace): string {
    const a = U64(addr);
    const site = this.#siteAt(pc);
    const kind = site?.kind ?? 'access';
    if (FAULT_CODES[code] === 'E_FAULT_ALIGN') {
      return `${kind} at ${hex(a)}: expected an address aligned to its size`;
    }
    const end = mem.memory.buffer.byteLength;
    const why =
      a < BigInt(NULL_PAGE)
        ? 'in the NULL page'
        : a >= 0x1_0000_0000n
          ? 'beyond the 32-bit address space'
          : `past the end of the address space [${hex(NULL_PAGE)}, ${hex(end)})`;
    return `${kind} at ${hex(a)} is ${why}`;
  }

  #siteAt(pc: number): Site | undefined {
    for (const c of this.#compiled)
      if (c !== null && c !== undefined) return c.sites.find((s) => s.pc === pc);
    return undefined;
  }

  /** A wasm trap as a BpfFault at the instruction its module offset belongs to. */
  #convert(e: unknown, run: Run): unknown {
    if (!(e instanceof WasmRuntimeError)) return e;
    const c = this.#variant(run.counting ? 1 : 0);
    const m = /wasm-function\[\d+\]:0x([0-9a-f]+)/.exec(e.stack ?? '');
    const off = m === null ? -1 : Number.parseInt(m[1] as string, 16);
    const site = c.sites.find((s) => s.offset === off);
    const align = /unaligned/.test(e.message);
    if (site === undefined) {
      return new BpfFault(
        align ? 'E_FAULT_ALIGN' : 'E_FAULT_MEM',
        -1,
        `the compiled program trapped (${e.message}) at an instruction the JIT could not locate`,
        { cause: e },
      );
    }
    const f = new BpfFault(
      align ? 'E_FAULT_ALIGN' : 'E_FAULT_MEM',
      site.pc,
      align
        ? `${site.kind}: expected an address aligned to its size (${e.message})`
        : `${site.kind} outside the address space (${e.message})`,
      { cause: e },
    );
    // Counting keeps the count in a local between calls: a trap (only unguarded code traps) leaves
    // the global behind, so the count is not known there.
    return withExecuted(f, c.guards ? executedAt(run, site.excess) : -1);
  }

  run(opts: RunOptions): RunResult {
    const mem = opts?.mem;
    if (!(mem instanceof AddressSpace)) throw new TypeError('run: mem must be an AddressSpace');
    const limit = opts.budget === undefined ? this.#budget : checkBudget(opts.budget, 'run');
    const counting = this.#alwaysCount || limit !== Number.POSITIVE_INFINITY;
    const k = counting ? 1 : 0;
    const a = this.#args;
    setArg(a, 0, opts.r1, 1);
    setArg(a, 2, opts.r2, 2);
    setArg(a, 4, opts.r3, 3);
    setArg(a, 6, opts.r4, 4);
    setArg(a, 8, opts.r5, 5);
    const [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] = a as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    // Misused regions fail now, as the interpreter's eager grants fail, not at a helper's first look.
    if (opts.regions !== undefined) for (const r of opts.regions) checkRegion(mem, r.addr, r.size, r.name);
    const inst = this.#instance(mem, k);
    const c = this.#variant(k);
    const g = spaceGlobals(mem);
    const { st, own } = acquireSpace(mem);
    const { acc, stack } = st;
    const env = new RunEnv(
      mem,
      acc,
      opts.ctx,
      (prog) => {
        if (!(prog instanceof JitProgram)) {
          throw new TypeError(
            `tail call: expected a program loaded by the JIT (engine 'jit'), found ${describeProgram(prog)}`,
          );
        }
        grantAll(env.acc, prog.#regions);
        run.pending = prog;
      },
      (a) => {
        a.grant(stack, STACK_BYTES, true, 'stack');
        grantAll(a, this.#regions);
        if (opts.regions !== undefined) grantAll(a, opts.regions);
        for (const l of c.inlined) l.grantValues(env);
      },
    );
    const run: Run = { env, mem, counting, g, pending: null };
    const savedN = counting ? (g.n.value as bigint) : 0n;
    const savedLimit = counting ? (g.limit.value as bigint) : 0n;
    const saved = inst.cur;
    inst.cur = run;
    try {
      if (counting) {
        g.n.value = 0n;
        g.limit.value = limit === Number.POSITIVE_INFINITY ? 0x7fff_ffff_ffff_ffffn : BigInt(limit);
      }
      let r0: bigint;
      try {
        r0 = inst.run(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, stack + STACK_BYTES);
      } catch (e) {
        throw this.#convert(e, run);
      }
      const executed = counting ? Number(g.n.value as bigint) : -1;
      return { r0: U64(r0), executed };
    } finally {
      inst.cur = saved;
      if (counting) {
        g.n.value = savedN;
        g.limit.value = savedLimit;
      }
      env.close();
      releaseSpace(mem, st, own);
    }
  }
}

function executedAt(run: Run, excess: number): number {
  return run.counting ? Number(run.g.n.value as bigint) - excess : -1;
}

function withExecuted(f: BpfFault, executed: number): BpfFault {
  f.executed = executed;
  return f;
}
