/** Shared by test/file-ops*.test.ts: a temp dir per test file, C strings, one-SQE runs. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { IoUring } from '../src/liburing/ring.js';
import type { Sqe } from '../src/liburing/sqe.js';
import { reap } from './helpers.js';

export type Field = Parameters<Sqe['set']>[0];
export type Tweak = Partial<Record<Field, number | bigint>>;

/** A temp dir removed when the test file ends, and a maker of fresh paths in it. */
export function tempDir(): { dir: string; tmp: (content?: string) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-file-ops-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let seq = 0;
  return {
    dir,
    /** A fresh path in the temp dir, created with `content` when given. */
    tmp(content?: string): string {
      const p = path.join(dir, `f${seq++}`);
      if (content !== undefined) fs.writeFileSync(p, content);
      return p;
    },
  };
}

/** A NUL-terminated string in the ring's memory. */
export function cstr(ring: IoUring, s: string): number {
  const b = Buffer.from(`${s}\0`);
  const a = ring.mem.alloc(b.length);
  ring.mem.writeBytes(a, b);
  return a;
}

/** Submit one SQE built by `prep` (then `tweak`ed fields and sqe flags) and return its CQE's res. */
export async function run(
  ring: IoUring,
  prep: (s: Sqe) => Sqe,
  tweak: Tweak = {},
  sqeFlags = 0,
): Promise<number> {
  const sqe = prep(ring.getSqe()!);
  for (const [k, v] of Object.entries(tweak)) sqe.set(k as Field, v);
  sqe.setFlags(sqeFlags).setUserData(7);
  ring.submit();
  const out = await reap(ring, 1);
  assert.equal(out.length, 1, `one CQE expected, got ${JSON.stringify(out)}`);
  return Number(/res=(-?\d+)/.exec(out[0]!)![1]);
}
