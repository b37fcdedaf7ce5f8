/** Shared test helpers: rings on small private runtimes, CQE formatting in the kernel probe's style. */

import { spawnSync } from 'node:child_process';
import fs, { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allocTimespec, prepRw } from '../src/liburing/prep.js';
import { IoUring, type QueueInitOptions } from '../src/liburing/ring.js';
import type { Sqe } from '../src/liburing/sqe.js';
import { errnoName } from '../src/uapi/errno.js';
import { Runtime } from '../src/uring/runtime.js';

/** A ring in its own 8 MiB process, so tests cannot disturb each other's memory. */
export function newRing(entries: number, options: Omit<QueueInitOptions, 'runtime'> = {}): IoUring {
  return IoUring.queueInit(entries, { ...options, runtime: new Runtime({ size: 8 * 1024 * 1024 }) });
}

/** One CQE as the kernel probe prints it: `cqe ud=1 res=-22 EINVAL flags=0x0`. */
export function fmtCqe(ud: bigint | number, res: number, flags: number): string {
  return `cqe ud=${ud} res=${res}${res < 0 ? ` ${errnoName(res)}` : ''} flags=0x${flags.toString(16)}`;
}

/** Consume every CQE ready on CQ `cqIdx` (flushing backlogs as liburing does) and format them. */
export function drain(ring: IoUring, cqIdx = 0): string[] {
  const out: string[] = [];
  for (let c = ring.peekCqe(cqIdx); c !== null; c = ring.peekCqe(cqIdx)) {
    out.push(fmtCqe(c.userData, c.res, c.flags));
    ring.cqeSeen(c);
  }
  return out;
}

/** Wait for `n` CQEs on CQ `cqIdx` (at most `ms` in all), consuming and formatting them in order. */
export async function reap(ring: IoUring, n: number, ms = 2000, cqIdx = 0): Promise<string[]> {
  const out: string[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const c = await ring.waitCqeTimeout(BigInt(left) * 1_000_000n, cqIdx);
      out.push(fmtCqe(c.userData, c.res, c.flags));
      ring.cqeSeen(c);
    } catch {
      break;
    }
  }
  out.push(...drain(ring, cqIdx));
  return out;
}

/** A __kernel_timespec of `ms` milliseconds in the ring's address space. */
export function tsMs(ring: IoUring, ms: number): number {
  return allocTimespec(ring.mem, BigInt(Math.round(ms * 1e6)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A seeded xorshift32 generator of u32 values, so that randomized tests reproduce. */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** A seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 0x1_0000_0000;
}

/** The repository root: the nearest directory above the compiled tests that holds package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The next SQE; a test bug (not a finding) when the SQ is full. */
export function sqe(ring: IoUring): Sqe {
  const s = ring.getSqe();
  if (s === null) throw new Error('SQ full: the test queued more SQEs than the ring holds');
  return s;
}

/** io_uring_prep_rw with user_data and sqe->flags. */
export function rw(
  ring: IoUring,
  op: number,
  fd: number,
  addr: number | bigint,
  len: number,
  off: number | bigint,
  ud: number,
  flags = 0,
): Sqe {
  return prepRw(op, sqe(ring), fd, addr, len, off).setUserData(ud).setFlags(flags);
}

/** Bytes in the ring's memory as a latin1 string. */
export function memStr(ring: IoUring, addr: number, len: number): string {
  return Buffer.from(ring.mem.readBytes(addr, len)).toString('latin1');
}

/** A temp directory for one test file: created before its tests, removed after them. */
export interface TempFiles {
  /** The directory (valid once the tests run). */
  readonly dir: string;
  /** A fresh path in it: `<stem><n>`. */
  path(stem?: string): string;
  /** A fresh file holding `content` (strings as latin1), opened with `flags` (default read-write). */
  open(content: Uint8Array | string, flags?: string | number): { fd: number; path: string };
}

export function tempFiles(prefix: string): TempFiles {
  let dir = '';
  let seq = 0;
  before(() => {
    dir = fs.mkdtempSync(join(os.tmpdir(), prefix));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const path = (stem = 'f'): string => join(dir, `${stem}${seq++}`);
  return {
    get dir(): string {
      return dir;
    },
    path,
    open(content, flags = 'r+') {
      const p = path();
      fs.writeFileSync(p, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
      return { fd: fs.openSync(p, flags), path: p };
    },
  };
}

/** Whether `cmd --version` runs: the tool is installed. */
export function hasTool(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Run a command (cwd: the repository root unless given); its stdout, or an Error with its stderr. */
export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string } = {},
): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? repoRoot(), input: opts.input });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
