/** Options several commands share: `--engine jit|interp` (the engine programs are loaded for). */
import type { EngineKind } from '../ebpf/run-env.js';

/** What `--engine` takes, default first. */
export const ENGINE_NAMES: readonly EngineKind[] = ['jit', 'interp'];

/** The usage line of `--engine`, as each command's help prints it. */
export const ENGINE_HELP =
  '  --engine E        the engine programs run on: jit (default; eBPF compiled to WebAssembly) or interp';

/**
 * Take `--engine NAME` (or `--engine=NAME`) out of `args`: the engine, 'jit' when absent, or a
 * message saying what was wrong (a missing value, an unknown engine).
 */
export function takeEngine(args: string[]): EngineKind | { error: string } {
  let engine: EngineKind = 'jit';
  for (let i = 0; i < args.length; ) {
    const a = args[i]!;
    let v: string | undefined;
    if (a === '--engine') {
      v = args[i + 1];
      if (v === undefined || v.startsWith('-')) return { error: '--engine needs a value (jit or interp)' };
      args.splice(i, 2);
    } else if (a.startsWith('--engine=')) {
      v = a.slice('--engine='.length);
      args.splice(i, 1);
    } else {
      i++;
      continue;
    }
    if (v !== 'jit' && v !== 'interp')
      return { error: `unknown engine '${v}' (available: ${ENGINE_NAMES.join(', ')})` };
    engine = v;
  }
  return engine;
}
