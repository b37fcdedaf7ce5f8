/**
 * Loading a program for an engine: the JIT (default) or the reference interpreter.
 *
 *   const prog = loadProgram(insns, { helpers, engine: 'interp' });
 *
 * Both engines take the same options and run the same programs with the same results; the
 * differences (what the JIT checks at run time, when it counts instructions) are in jit/compile.ts
 * and jit/program.ts. `guards` and `count` concern the JIT only.
 */
import type { Insn } from './insn.js';
import { type LoadOptions as InterpLoadOptions, loadInterpProgram } from './interp.js';
import { loadJitProgram } from './jit/program.js';
import type { BpfProgram, EngineKind } from './run-env.js';

/** The engine programs load with when no `engine` is given. */
export const DEFAULT_ENGINE: EngineKind = 'jit';

export const ENGINES: readonly EngineKind[] = ['jit', 'interp'];

export interface LoadOptions extends InterpLoadOptions {
  /** 'jit' (default) or 'interp'. */
  readonly engine?: EngineKind;
  /** JIT: check every memory access at run time (default true; loaders pass false when verified). */
  readonly guards?: boolean;
  /** JIT: count executed instructions in every run, budget or not (default false). */
  readonly count?: boolean;
}

/** Check `engine` (a TypeError names the engines). */
export function checkEngine(engine: unknown, who = 'loadProgram'): EngineKind {
  if (engine === undefined) return DEFAULT_ENGINE;
  if (engine !== 'jit' && engine !== 'interp') {
    throw new TypeError(`${who}: engine must be 'jit' or 'interp', got ${String(engine)}`);
  }
  return engine;
}

/** Load `insns` for `opts.engine` (throws InsnError or ProgramLoadError). */
export function loadProgram(insns: readonly Insn[], opts: LoadOptions = {}): BpfProgram {
  const engine = checkEngine(opts.engine);
  if (engine === 'interp') return loadInterpProgram(insns, opts);
  return loadJitProgram(insns, opts);
}
