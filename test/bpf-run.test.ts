/**
 * IORING_OP_BPF runs (spec §4.4-§4.6, DESIGN.md Q2): helpers from programs written as instructions,
 * the CQE order of an inline-completing batch, and the RFC's raw-instruction example (§7.6).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import { VerifierError } from '../src/ebpf/verifier/errors.js';
import { prepNop } from '../src/liburing/prep.js';
import { BPF_PROG_TYPE_IOURING } from '../src/uapi/bpf.js';
import { IORING_OP_NOP } from '../src/uapi/io_uring.js';
import {
  asmProg,
  bpfEnv,
  bpfSqe,
  EXIT,
  emit,
  mapValues,
  PROLOGUE,
  queueSqe,
  reap,
  registerOk,
  store,
  ZERO_SQE,
} from './bpf-common.js';
import { drain, reap as reapCqes } from './helpers.js';

test('§7.6 raw-instruction example: the invalid SQE is rejected first ({60, -22}, helper 0), then the request completes {13, 0}', async () => {
  const env = bpfEnv();
  const fd = asmProg(
    env,
    `${PROLOGUE}
${ZERO_SQE}
mov %r1, 244
stxb [%r10-96], %r1
mov %r1, 60
stxdw [%r10-64], %r1
${queueSqe()}
mov %r8, %r0
${store(0, '%r8')}
${EXIT}`,
  );
  env.map.u64.set(0, 99n);
  registerOk(env, [fd, fd, fd]);
  bpfSqe(env.ring, 1, 13);
  assert.equal(env.ring.submit(), 1);
  assert.deepEqual(await reapCqes(env.ring, 2), [
    'cqe ud=60 res=-22 EINVAL flags=0x0',
    'cqe ud=13 res=0 flags=0x0',
  ]);
  assert.deepEqual(mapValues(env, 1), [0]);
  await env.ring.close();
});

test('Q2 order: emitted CQEs appear at once, then the queued NOP, then the request (spec §7.1)', async () => {
  const env = bpfEnv();
  const fd = asmProg(
    env,
    `${PROLOGUE}
${emit(0, 3, 13)}
${ZERO_SQE}
mov %r1, ${IORING_OP_NOP}
stxb [%r10-96], %r1
mov %r1, 2
stxdw [%r10-64], %r1
${queueSqe()}
mov %r8, %r0
${store(3, '%r8')}
${emit(0, 4, 17)}
${reap(0)}
mov %r8, %r0
${store(0, '%r8')}
ldxdw %r8, [%r10-32]
${store(1, '%r8')}
${EXIT}`,
  );
  registerOk(env, [fd]);
  bpfSqe(env.ring, 0, 1000);
  env.ring.submit();
  // The program reaped {3, 13} from CQ 0 itself; the NOP's CQE could not be reaped (still held).
  assert.deepEqual(await reapCqes(env.ring, 3), [
    'cqe ud=4 res=17 flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=1000 res=0 flags=0x0',
  ]);
  assert.deepEqual(mapValues(env, 4), [0, 3, 0, 1]);
  await env.ring.close();
});

test('the request CQE goes to the SQE cq_idx, the program is never run inline', async () => {
  const env = bpfEnv();
  const fd = asmProg(env, `${PROLOGUE}\n${EXIT}`);
  registerOk(env, [fd]);
  bpfSqe(env.ring, 0, 7).setCqIdx(1);
  // enter() drains task work at its end: the CQE is there when submit returns, but posted after it.
  prepNop(env.ring.getSqe()!).setUserData(8).setCqIdx(1);
  assert.equal(env.ring.submit(), 2);
  assert.deepEqual(drain(env.ring, 1), ['cqe ud=8 res=0 flags=0x0', 'cqe ud=7 res=0 flags=0x0']);
  assert.deepEqual(drain(env.ring, 0), []);
  await env.ring.close();
});

test('helper errors: emit_cqe bad cq -EINVAL, reap_cqe -ENOENT / -EINVAL with out zero-filled, queue_sqe len != 64 -EINVAL', async () => {
  const env = bpfEnv();
  const fd = asmProg(
    env,
    `${PROLOGUE}
${emit(2, 1, 1)}
mov %r8, %r0
${store(0, '%r8')}
${reap(1)}
mov %r8, %r0
${store(1, '%r8')}
mov %r1, -1
stxdw [%r10-32], %r1
${reap(1, 8)}
mov %r8, %r0
${store(2, '%r8')}
ldxdw %r8, [%r10-32]
${store(3, '%r8')}
${reap(9)}
mov %r8, %r0
${store(4, '%r8')}
${ZERO_SQE}
${queueSqe(32)}
mov %r8, %r0
${store(5, '%r8')}
${emit(1, 5, -7, 3)}
${reap(1)}
mov %r8, %r0
${store(6, '%r8')}
ldxw %r8, [%r10-24]
${store(7, '%r8')}
ldxw %r8, [%r10-20]
${store(8, '%r8')}
${EXIT}`,
  );
  registerOk(env, [fd]);
  bpfSqe(env.ring, 0, 1);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=1 res=0 flags=0x0']);
  assert.deepEqual(mapValues(env, 9), [-22, -2, -22, 0, -22, -22, 0, 0xffff_fff9, 3]);
  await env.ring.close();
});

test('inline completions of a run are flushed 32 at a time: the 33rd NOP comes after a later emitted CQE', async () => {
  const env = bpfEnv();
  const fd = asmProg(
    env,
    `${PROLOGUE}
mov %r7, 1
loop:
${ZERO_SQE}
stxdw [%r10-64], %r7
mov %r1, 1
stxh [%r10-48], %r1
${queueSqe()}
add %r7, 1
jle %r7, 33, loop
${emit(1, 100, 0)}
${EXIT}`,
  );
  registerOk(env, [fd]);
  bpfSqe(env.ring, 0, 1000);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=1000 res=0 flags=0x0']);
  const uds = [...Array.from({ length: 32 }, (_, i) => i + 1), 100, 33];
  assert.deepEqual(
    drain(env.ring, 1),
    uds.map((ud) => `cqe ud=${ud} res=0 flags=0x0`),
  );
  await env.ring.close();
});

// Spec §3.7: ctx accesses must be exactly a field (aligned, the field's size), reads and writes; an
// 8-byte access at 8 covering wait_nr and wait_idx whole is allowed (clang merges the two stores).
// [access, allowed]; a refused access is a program fault: the request completes with -EFAULT.
for (const [access, ok] of [
  ['ldxdw %r1, [%r6+0]', true],
  ['ldxw %r1, [%r6+8]', true],
  ['ldxw %r1, [%r6+12]', true],
  ['stxw [%r6+8], %r7', true],
  ['stxdw [%r6+0], %r7', true],
  ['stxdw [%r6+8], %r7', true],
  ['ldxw %r1, [%r6+0]', false],
  ['ldxw %r1, [%r6+4]', false],
  ['ldxh %r1, [%r6+8]', false],
  ['ldxb %r1, [%r6+12]', false],
  ['ldxdw %r1, [%r6+4]', false],
  ['stxw [%r6+10], %r7', false],
  ['ldxdw %r1, [%r6+16]', false],
  ['ldxw %r1, [%r6-4]', false],
] as const) {
  test(`ctx access rules (§3.7): ${access} is ${ok ? 'allowed' : 'a fault (-EFAULT)'}`, async () => {
    const env = bpfEnv();
    const asm = `${PROLOGUE}\nmov %r7, 0\n${access}\n${EXIT}`;
    if (!ok) {
      // The verifier refuses it at load; loaded unverified on the interpreter, its run-time region
      // check (ctx fields) faults it. The JIT bounds unverified programs by the address space only.
      assert.throws(
        () => asmProg(env, asm),
        (e: unknown) => e instanceof VerifierError && e.index === 2,
      );
    }
    registerOk(env, [asmProg(env, asm, true, ok, 'interp')]);
    bpfSqe(env.ring, 0, 9);
    env.ring.submit();
    assert.deepEqual(await reapCqes(env.ring, 1), [`cqe ud=9 res=${ok ? '0' : '-14 EFAULT'} flags=0x0`]);
    await env.ring.close();
  });
}

test('a verified may_goto loop never runs out of budget: the loop ends early and the request completes with 0', async () => {
  // 8M may_goto iterations would pass the default budget (1M); the verifier's processed count
  // reserves room for the rest of the run, and may_goto ends the loop when the budget gets low.
  const env = bpfEnv();
  const insns = assembleLlvm(`r6 = 0
l:
may_goto +2
r6 += 1
goto l
r0 = 0
exit`);
  const fd = env.rt.bpfProgLoad({ insns, type: BPF_PROG_TYPE_IOURING });
  registerOk(env, [fd]);
  bpfSqe(env.ring, 0, 5);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=5 res=0 flags=0x0']);
  await env.ring.close();
});
