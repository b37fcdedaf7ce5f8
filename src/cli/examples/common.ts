/**
 * What the BPF examples (copy, pipeline) share: the committed objects of examples/, found from this
 * module's location (src/cli/examples/ or dist/src/cli/examples/) by walking up to the repository
 * root; the example types come from ./example.js.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExampleResult } from './example.js';

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

export type { Example, ExampleOptions, ExampleResult } from './example.js';

/** One check of an example's result. */
export type ExampleCheck = ExampleResult['checks'][number];
