/**
 * What a built-in example of `uring-bpf examples` is (src/cli/examples.ts lists them). Example
 * modules under src/cli/examples/ import these types from here, not from examples.ts (which imports
 * them: that would be an import cycle).
 */
import type { EngineKind } from '../../ebpf/run-env.js';

export interface ExampleResult {
  /** Lines of output, in order. */
  readonly lines: string[];
  /** Each check: what was expected, what was seen. */
  readonly checks: { readonly what: string; readonly expected: string; readonly actual: string }[];
}

/** How `uring-bpf examples` runs an example. */
export interface ExampleOptions {
  /** The engine BPF programs are loaded for (default 'jit'); examples without BPF ignore it. */
  readonly engine?: EngineKind;
}

export interface Example {
  readonly name: string;
  readonly summary: string;
  run(options?: ExampleOptions): Promise<ExampleResult>;
}
