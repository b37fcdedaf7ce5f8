/** Shared helpers of the JIT tests (test/jit-*.test.ts): one program on every engine variant, compared. */
import assert from 'node:assert/strict';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { type LoadOptions, loadProgram } from '../src/ebpf/engine.js';
import { BpfFault } from '../src/ebpf/faults.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { BpfProgram, RunOptions } from '../src/ebpf/run-env.js';
import { AddressSpace } from '../src/mem/address-space.js';

export const mem = new AddressSpace({ size: 1 << 20 });

/** The engine variants: the interpreter first (the reference). */
export const ENGINE_VARIANTS: readonly { readonly name: string; readonly opts: LoadOptions }[] = [
  { name: 'interp', opts: { engine: 'interp' } },
  { name: 'jit', opts: { engine: 'jit' } },
  { name: 'jit count', opts: { engine: 'jit', count: true } },
];
export const NO_GUARDS = { name: 'jit no guards', opts: { engine: 'jit', guards: false } } as const;

/** What a run ended with: r0 or a fault (code, index), and the instructions executed. */
export interface Ending {
  readonly r0?: bigint;
  readonly fault?: string;
  readonly index?: number;
  readonly executed: number;
}

export const insnsOf = (prog: string | readonly Insn[]): readonly Insn[] =>
  typeof prog === 'string' ? assembleUbpf(prog) : prog;

export function ending(prog: BpfProgram, run: Omit<RunOptions, 'mem'> = {}): Ending {
  try {
    const r = prog.run({ mem, ...run });
    return { r0: r.r0, executed: r.executed };
  } catch (e) {
    if (!(e instanceof BpfFault)) throw e;
    return { fault: e.code, index: e.index, executed: e.executed };
  }
}

/** Run on `variants`; every ending by name. */
export function endings(
  prog: string | readonly Insn[],
  load: LoadOptions = {},
  run: Omit<RunOptions, 'mem'> = {},
  variants = ENGINE_VARIANTS,
): Map<string, Ending> {
  const insns = insnsOf(prog);
  const out = new Map<string, Ending>();
  for (const v of variants) out.set(v.name, ending(loadProgram(insns, { ...load, ...v.opts }), run));
  return out;
}

/**
 * Assert that every variant ends as the interpreter (executed compared where the JIT counts) and
 * return the interpreter's ending.
 */
export function agree(
  prog: string | readonly Insn[],
  load: LoadOptions = {},
  run: Omit<RunOptions, 'mem'> = {},
  variants = ENGINE_VARIANTS,
): Ending {
  const all = endings(prog, load, run, variants);
  const want = all.get('interp') as Ending;
  for (const [name, got] of all) {
    const g = { ...got, executed: got.executed === -1 ? want.executed : got.executed };
    assert.deepEqual(g, want, `${name} vs interp`);
  }
  return want;
}

export function helperDef(id: number, impl: (...r: bigint[]) => bigint, name = `h${id}`) {
  return {
    id,
    name,
    args: [],
    ret: 'RET_INTEGER' as const,
    sleepableOnly: false,
    gplOnly: false,
    impl: (_e: unknown, a: bigint, b: bigint, c: bigint, d: bigint, f: bigint) => impl(a, b, c, d, f),
  };
}
