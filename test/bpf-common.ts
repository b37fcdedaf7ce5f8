/**
 * Shared pieces of the IORING_OP_BPF tests: a ring on its own runtime with an 16-entry u64 array map,
 * programs written in the uBPF assembly dialect (src/ebpf/asm/) and small asm snippets for the
 * helpers. `lddw %rN, MAP` in a program loads the map (patched to a BPF_PSEUDO_MAP_FD lddw).
 */
import { assembleUbpf } from '../src/ebpf/asm/index.js';
import type { ArrayMap } from '../src/ebpf/maps/arrays.js';
import { prepBpf } from '../src/liburing/prep.js';
import { IoUring, type QueueInitOptions } from '../src/liburing/ring.js';
import type { Sqe } from '../src/liburing/sqe.js';
import { BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_IOURING, BPF_PSEUDO_MAP_FD } from '../src/uapi/bpf.js';
import { Runtime } from '../src/uring/runtime.js';

const MAP_MARK = 0x4d4150;

export interface BpfEnv {
  readonly rt: Runtime;
  readonly ring: IoUring;
  /** 16 u64 values, zeroed. */
  readonly map: ArrayMap;
}

/** A ring of 8 SQEs with CQ 0 (16 entries) and the extra CQs of `cqSizes` (default [128]). */
export function bpfEnv(options: Omit<QueueInitOptions, 'runtime'> = {}): BpfEnv {
  const rt = new Runtime({ size: 8 * 1024 * 1024 });
  const ring = IoUring.queueInit(8, { cqSizes: [128], ...options, runtime: rt });
  const map = rt.bpfMaps.create({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: 8,
    maxEntries: 16,
    name: 'arr',
  });
  return { rt, ring, map };
}

/**
 * Assemble `asm` (uBPF dialect; `MAP` stands for the env's map) and load it: the program fd.
 * verify false loads it unverified (for tests of what the run does with a faulty program).
 */
export function asmProg(
  env: BpfEnv,
  asm: string,
  sleepable = true,
  verify = true,
  engine: 'jit' | 'interp' = 'jit',
): number {
  const insns = assembleUbpf(asm.replaceAll('MAP', `0x${MAP_MARK.toString(16)}`));
  for (let i = 0; i + 1 < insns.length; i++) {
    const a = insns[i]!;
    if (a.code === 0x18 && a.imm === MAP_MARK && insns[i + 1]!.imm === 0) {
      insns[i] = { ...a, src: BPF_PSEUDO_MAP_FD, imm: env.map.id };
    }
  }
  return env.rt.bpfProgLoad({ insns, type: BPF_PROG_TYPE_IOURING, sleepable, verify, engine });
}

/** Register `fds` and expect success (a number, no quiesce needed). */
export function registerOk(env: BpfEnv, fds: readonly number[]): void {
  const r = env.ring.registerBpf(fds);
  if (r !== 0) throw new Error(`registerBpf: expected 0, got ${String(r)}`);
}

/** Prepare an IORING_OP_BPF SQE for `slot` with `ud`. */
export function bpfSqe(ring: IoUring, slot: number, ud: number | bigint): Sqe {
  const s = ring.getSqe();
  if (s === null) throw new Error('SQ full');
  return prepBpf(s, slot).setUserData(ud);
}

/** Map values 0..n-1 as numbers. */
export function mapValues(env: BpfEnv, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(Number(BigInt.asIntN(64, env.map.u64.get(k) ?? -1n)));
  return out;
}

/* ------------------------------------------------------------------ asm snippets (r6 = ctx) */

/** Prologue: keep ctx in r6. */
export const PROLOGUE = 'mov %r6, %r1';

/** map[key] = register `reg` (clobbers r0-r5). */
export function store(key: number, reg: string): string {
  return `stxdw [%r10-8], ${reg}
mov %r1, ${key}
stxw [%r10-12], %r1
lddw %r1, MAP
mov %r2, %r10
add %r2, -12
mov %r3, %r10
add %r3, -8
mov %r4, 0
call 2`;
}

/** r7 = map[key] + 1, stored back (a run counter; clobbers r0-r5, uses r7). */
export function countRun(key: number): string {
  return `mov %r7, 0
mov %r1, ${key}
stxw [%r10-12], %r1
lddw %r1, MAP
mov %r2, %r10
add %r2, -12
call 1
jeq %r0, 0, +3
ldxdw %r7, [%r0]
add %r7, 1
stxdw [%r0], %r7`;
}

/** iouring_emit_cqe(ctx, cq, ud, res, flags) → r0. */
export function emit(cq: number, ud: number, res: number, flags = 0): string {
  return `mov %r1, %r6
mov %r2, ${cq}
mov %r3, ${ud}
mov %r4, ${res}
mov %r5, ${flags}
call 165`;
}

/** iouring_reap_cqe(ctx, cq, r10-32, len) → r0; the CQE is at [r10-32, r10-16). */
export function reap(cq: number, len = 16): string {
  return `mov %r1, %r6
mov %r2, ${cq}
mov %r3, %r10
add %r3, -32
mov %r4, ${len}
call 166`;
}

/** A zeroed SQE at [r10-96, r10-32) (clobbers r1). */
export const ZERO_SQE = Array.from({ length: 8 }, (_, i) => `stxdw [%r10-${96 - 8 * i}], %r1`)
  .join('\n')
  .replace(/^/, 'mov %r1, 0\n');

/** iouring_queue_sqe(ctx, r10-96, len) → r0. */
export function queueSqe(len = 64): string {
  return `mov %r1, %r6
mov %r2, %r10
add %r2, -96
mov %r3, ${len}
call 164`;
}

/** Set ctx->wait_nr and ctx->wait_idx. */
export function waitOn(idx: number, nr: number): string {
  return `mov %r1, ${nr}
stxw [%r6+8], %r1
mov %r1, ${idx}
stxw [%r6+12], %r1`;
}

export const EXIT = 'mov %r0, 0\nexit';
