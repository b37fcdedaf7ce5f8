/**
 * What the BPF examples (copy, pipeline) share: the committed objects of examples/, found from this
 * module's location (src/cli/examples/ or dist/src/cli/examples/) by walking up to the repository
 * root, and the example shape. The shape repeats src/cli/examples.ts's `Example` structurally (that
 * module lists these examples, so importing from it would be an import cycle).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above this module that holds package.json and examples/. */
export function examplesRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'examples'))) return join(d, 'examples');
    const up = dirname(d);
    if (up === d) throw new Error(`examples/ not found above ${fileURLToPath(import.meta.url)}`);
    d = up;
  }
}

/** The bytes of examples/<dir>/<file>. */
export function exampleObject(dir: string, file: string): Uint8Array {
  return readFileSync(join(examplesRoot(), dir, file));
}

export interface ExampleCheck {
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
}

/** Same shape as src/cli/examples.ts's ExampleResult. */
export interface ExampleResult {
  readonly lines: string[];
  readonly checks: ExampleCheck[];
}

/** Same shape as src/cli/examples.ts's Example. */
export interface Example {
  readonly name: string;
  readonly summary: string;
  run(): Promise<ExampleResult>;
}
