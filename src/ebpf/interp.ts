/**
 * The reference interpreter: load a program once (checks + pre-decoding), run it many times over an
 * address space.
 *
 *   const prog = loadInterpProgram(insns, { helpers, budget: 1e6 });
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
 * Engine seam: BpfProgram (run-env.ts) is what both engines implement; engine.ts's loadProgram picks one.
 */
import { AddressSpace } from '../mem/address-space.js';
import type { Region } from '../mem/regions.js';
import { MAX_BPF_STACK } from '../uapi/bpf.js';
import type { HelperRegistry } from './helpers.js';
import type { Insn } from './insn.js';
import { type DecodedProgram, decodeProgram, type LddwResolver } from './interp-decode.js';
import { Machine, runLoop, type TailTarget } from './interp-run.js';
import { runTailChain } from './interp-tail.js';
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
} from './run-env.js';

export type { Region } from '../mem/regions.js';
export type { LddwResolver } from './interp-decode.js';
export {
  type BpfProgram,
  type EngineKind,
  type RegValue,
  type RunOptions,
  type RunResult,
  releaseInterpreter,
  STACK_BYTES,
  tailCall,
} from './run-env.js';

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

/** Check and pre-decode `insns` (throws InsnError or ProgramLoadError) for the interpreter. */
export function loadInterpProgram(insns: readonly Insn[], opts: LoadOptions = {}): BpfProgram {
  const { helpers, budget, reserve } = checkLoadArgs(insns, opts);
  const regions = [...(opts.regions ?? [])];
  return new InterpProgram(decodeProgram(insns, helpers, opts.resolveLddw, reserve), budget, regions);
}

/** Set register r of the machine to a run argument (left alone when undefined). */
function setReg(m: Machine, r: number, v: RegValue | undefined): void {
  if (v !== undefined) regHalves(v, r, m.L, r, m.H, r);
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
    const { st, own } = acquireSpace(mem);
    const { acc, stack } = st;
    m.reset();
    const s = m.S;
    s.reset();
    const env = new RunEnv(mem, acc, opts.ctx, (prog) => {
      const t = InterpProgram.targetOf(prog);
      if (t === null) {
        throw new TypeError(
          `tail call: expected a program loaded by the interpreter's loadProgram(), found ${describeProgram(prog)}`,
        );
      }
      grantAll(acc, t.regions);
      s.tail = t;
    });
    m.busy = true;
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
      m.busy = false;
      releaseSpace(mem, st, own);
    }
  }
}
