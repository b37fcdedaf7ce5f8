/**
 * Golden files: goldenChecker(dir) returns check(name, text), which compares `text` with
 * test/golden/<dir>/<name>, or rewrites that file when the run has UPDATE_GOLDEN=1 (then review the
 * diff before committing).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function goldenChecker(dir: string): (name: string, text: string) => void {
  const root = join(repoRoot(), 'test/golden', dir);
  return (name, text) => {
    const file = join(root, name);
    if (UPDATE_GOLDEN) {
      mkdirSync(root, { recursive: true });
      writeFileSync(file, text);
      return;
    }
    assert.ok(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`);
    assert.equal(text, readFileSync(file, 'utf8'), `${name}: regenerate with UPDATE_GOLDEN=1 if intended`);
  };
}
