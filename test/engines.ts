/**
 * Running a test file's tests on every engine: perEngine(suite) registers `suite` once per engine
 * (a describe block each, the interpreter's and the JIT's) and returns the loadProgram the tests call,
 * which loads for the engine whose tests are running.
 *
 *   const loadProgram = perEngine(suite);
 *   function suite(engine: EngineKind): void { test('...', () => { loadProgram(insns).run(...) }); }
 *
 * `jit` options are added to every JIT load (e.g. `count: true` where tests check `executed`).
 */
import { before, describe } from 'node:test';
import { ENGINES, type LoadOptions, loadProgram } from '../src/ebpf/engine.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { BpfProgram, EngineKind } from '../src/ebpf/run-env.js';

export type Loader = (insns: readonly Insn[], opts?: LoadOptions) => BpfProgram;

export function perEngine(suite: (engine: EngineKind) => void, jit: LoadOptions = {}): Loader {
  const current = engineSuites(suite);
  return (insns, opts = {}) => {
    const engine = current();
    return loadProgram(insns, { ...(engine === 'jit' ? jit : {}), ...opts, engine });
  };
}

/**
 * Register `suite` once per engine (a describe block each) and return a function that tells the
 * engine of the suite whose tests are running (for tests that load through BpfObject.load & co).
 */
export function engineSuites(suite: (engine: EngineKind) => void): () => EngineKind {
  let current: EngineKind = 'jit';
  for (const e of ENGINES) {
    describe(`engine ${e}`, () => {
      before(() => {
        current = e;
      });
      suite(e);
    });
  }
  return () => current;
}
