/**
 * CQ waiting of IORING_OP_BPF requests (spec §4.5), links (§4.7, DESIGN.md Q4), teardown (Q12) and
 * the live-lock guard (Q1).
 */
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { test } from 'node:test';
import { VerifierError } from '../src/ebpf/verifier/errors.js';
import { prepCancel, prepNop, prepTimeout } from '../src/liburing/prep.js';
import { IORING_OP_TIMEOUT, IOSQE_IO_HARDLINK, IOSQE_IO_LINK } from '../src/uapi/io_uring.js';
import {
  asmProg,
  type BpfEnv,
  bpfEnv,
  bpfSqe,
  countRun,
  EXIT,
  emit,
  mapValues,
  PROLOGUE,
  queueSqe,
  reap,
  registerOk,
  store,
  waitOn,
  ZERO_SQE,
} from './bpf-common.js';
import { drain, reap as reapCqes, sleep, tsMs } from './helpers.js';

/**
 * Run 1 queues a timeout (timespec at ctx->user_data, user_data 5, CQ 1) and waits for one CQE on
 * CQ 1; run 2 reaps it into map[1] (user_data) and map[2] (res) and completes.
 */
const TIMEOUT_THEN_REAP = `${PROLOGUE}
${countRun(0)}
jeq %r7, 1, first
${reap(1)}
ldxdw %r8, [%r10-32]
${store(1, '%r8')}
ldxw %r8, [%r10-24]
${store(2, '%r8')}
mov %r0, 0
exit
first:
${ZERO_SQE}
mov %r1, ${IORING_OP_TIMEOUT}
stxb [%r10-96], %r1
ldxdw %r1, [%r6+0]
stxdw [%r10-80], %r1
mov %r1, 1
stxw [%r10-72], %r1
mov %r1, 5
stxdw [%r10-64], %r1
mov %r1, 1
stxh [%r10-48], %r1
${queueSqe()}
${waitOn(1, 1)}
mov %r0, 0
exit`;

test('a request waiting on CQ 1 re-runs from scratch when its timeout CQE arrives, then completes', async () => {
  const env = bpfEnv();
  registerOk(env, [asmProg(env, TIMEOUT_THEN_REAP)]);
  const ts = tsMs(env.ring, 30);
  bpfSqe(env.ring, 0, ts);
  env.ring.submit();
  assert.deepEqual(drain(env.ring), [], 'waiting');
  assert.deepEqual(mapValues(env, 1), [1]);
  assert.deepEqual(await reapCqes(env.ring, 1), [`cqe ud=${ts} res=0 flags=0x0`]);
  assert.deepEqual(mapValues(env, 3), [2, 5, 0xffff_ffc2]);
  await env.ring.close();
});

/** Every run counts itself in map[0]; run 1 emits a CQE to CQ 1 and waits for `nr` CQEs there; later runs complete. */
function emitThenWait(env: BpfEnv, nr: number, waitIdx = 1): number {
  return asmProg(
    env,
    `${PROLOGUE}
${countRun(0)}
jne %r7, 1, done
${emit(1, 77, 0)}
${waitOn(waitIdx, nr)}
done:
mov %r0, 0
exit`,
  );
}

test('the wait condition is checked at registration: already true, the request re-runs at once', async () => {
  const env = bpfEnv();
  registerOk(env, [emitThenWait(env, 1)]);
  bpfSqe(env.ring, 0, 9);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=9 res=0 flags=0x0']);
  assert.deepEqual(mapValues(env, 1), [2]);
  await env.ring.close();
});

test('any posting re-checks the wait: a NOP to CQ 1 from userspace completes a wait for 2 CQEs', async () => {
  const env = bpfEnv();
  registerOk(env, [emitThenWait(env, 2)]);
  bpfSqe(env.ring, 0, 9);
  env.ring.submit();
  await sleep(5);
  assert.deepEqual(drain(env.ring), []);
  assert.deepEqual(mapValues(env, 1), [1]);
  prepNop(env.ring.getSqe()!).setUserData(10).setCqIdx(1);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=9 res=0 flags=0x0']);
  assert.deepEqual(mapValues(env, 1), [2]);
  assert.deepEqual(drain(env.ring, 1), ['cqe ud=77 res=0 flags=0x0', 'cqe ud=10 res=0 flags=0x0']);
  await env.ring.close();
});

test('wait_idx past the last CQ completes the request with -EINVAL', async () => {
  const env = bpfEnv();
  registerOk(env, [emitThenWait(env, 1, 2)]);
  bpfSqe(env.ring, 0, 9);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=9 res=-22 EINVAL flags=0x0']);
  await env.ring.close();
});

// The interpreter faults any access outside the run's regions; the JIT (unverified) any access
// outside the address space: the NULL page, or past its end.
for (const [name, asm, engines] of [
  ['a load outside its memory', `mov %r1, 0\nldxdw %r0, [%r1+4096]\n${EXIT}`, ['interp']],
  ['a load in the NULL page', `mov %r1, 0\nldxdw %r0, [%r1+8]\n${EXIT}`, ['jit', 'interp']],
  ['a store past the address space', `lddw %r1, 0xfffffff0\nstdw [%r1+0], 1\n${EXIT}`, ['jit', 'interp']],
  ['an endless loop (budget spent)', 'loop:\nja loop\nexit', ['jit', 'interp']],
  [
    'a helper misused (r1 not a map)',
    `mov %r1, 12345\nmov %r2, %r10\nadd %r2, -8\ncall 1\n${EXIT}`,
    ['jit', 'interp'],
  ],
] as const) {
  for (const engine of engines)
    test(`a program fault (${name}) completes the request with -EFAULT on the ${engine} (loaded unverified; the verifier refuses it)`, async () => {
      const env = bpfEnv();
      assert.throws(() => asmProg(env, asm), VerifierError);
      registerOk(env, [asmProg(env, asm, true, false, engine)]);
      bpfSqe(env.ring, 0, 9);
      env.ring.submit();
      assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=9 res=-14 EFAULT flags=0x0']);
      await env.ring.close();
    });
}

test('ASYNC_CANCEL cannot stop a waiting BPF request (-EALREADY); it completes normally later', async () => {
  const env = bpfEnv();
  registerOk(env, [emitThenWait(env, 2)]);
  bpfSqe(env.ring, 0, 9);
  env.ring.submit();
  prepCancel(env.ring.getSqe()!, 9).setUserData(10);
  env.ring.submit();
  assert.deepEqual(drain(env.ring), ['cqe ud=10 res=-114 EALREADY flags=0x0']);
  prepNop(env.ring.getSqe()!).setUserData(11).setCqIdx(1);
  env.ring.submit();
  assert.deepEqual(await reapCqes(env.ring, 1), ['cqe ud=9 res=0 flags=0x0']);
  await env.ring.close();
});

test('links: a waiting BPF request holds its successor until its final completion', async () => {
  const env = bpfEnv();
  registerOk(env, [asmProg(env, TIMEOUT_THEN_REAP)]);
  bpfSqe(env.ring, 0, tsMs(env.ring, 20)).setFlags(IOSQE_IO_LINK);
  prepNop(env.ring.getSqe()!).setUserData(2);
  env.ring.submit();
  await sleep(5);
  assert.deepEqual(drain(env.ring), [], 'the NOP waits for the BPF request');
  const out = await reapCqes(env.ring, 2);
  assert.equal(out.length, 2);
  assert.match(out[0]!, /res=0 /);
  assert.equal(out[1], 'cqe ud=2 res=0 flags=0x0');
  await env.ring.close();
});

for (const [name, strictRfc, flags, want] of [
  ['breaks the chain (Q4)', false, IOSQE_IO_LINK, 'cqe ud=2 res=-125 ECANCELED flags=0x0'],
  ['does not break a hard link', false, IOSQE_IO_HARDLINK, 'cqe ud=2 res=0 flags=0x0'],
  ['does not break the chain with strictRfc', true, IOSQE_IO_LINK, 'cqe ud=2 res=0 flags=0x0'],
] as const) {
  test(`links: a negative final result of a BPF request ${name}`, async () => {
    const env = bpfEnv({ strictRfc });
    registerOk(env, [emitThenWait(env, 1, 5)]);
    bpfSqe(env.ring, 0, 1).setFlags(flags);
    prepNop(env.ring.getSqe()!).setUserData(2);
    env.ring.submit();
    assert.deepEqual(await reapCqes(env.ring, 2), ['cqe ud=1 res=-22 EINVAL flags=0x0', want]);
    await env.ring.close();
  });
}

test('links built by queue_sqe within one run: a rejected SQE fails its chain, a chain left open is queued at the run end', async () => {
  const env = bpfEnv();
  const nop = (ud: number, flags: number): string => `${ZERO_SQE}
mov %r1, ${flags}
stxb [%r10-95], %r1
mov %r1, ${ud}
stxdw [%r10-64], %r1
${queueSqe()}`;
  // 1 (LINK) -> 244 invalid (LINK): fails the chain; then 3 (LINK) left open at the end of the run.
  registerOk(env, [
    asmProg(
      env,
      `${PROLOGUE}
${nop(1, IOSQE_IO_LINK)}
mov %r8, %r0
${store(0, '%r8')}
${ZERO_SQE}
mov %r1, 244
stxb [%r10-96], %r1
mov %r1, 2
stxdw [%r10-64], %r1
${queueSqe()}
mov %r8, %r0
${store(1, '%r8')}
${nop(3, IOSQE_IO_LINK)}
mov %r8, %r0
${store(2, '%r8')}
${EXIT}`,
    ),
  ]);
  bpfSqe(env.ring, 0, 100);
  env.ring.submit();
  // As for userspace submissions (T11): the failed chain's head completes at once, the rest from
  // task work, which here runs after the BPF run (a task work item itself) has completed.
  assert.deepEqual(await reapCqes(env.ring, 4), [
    'cqe ud=1 res=-125 ECANCELED flags=0x0',
    'cqe ud=3 res=0 flags=0x0',
    'cqe ud=100 res=0 flags=0x0',
    'cqe ud=2 res=-22 EINVAL flags=0x0',
  ]);
  assert.deepEqual(mapValues(env, 3), [1, 0, 1]);
  await env.ring.close();
});

test('ring.close() completes a waiting BPF request with -EAGAIN (Q12)', async () => {
  const env = bpfEnv();
  registerOk(env, [emitThenWait(env, 100)]);
  bpfSqe(env.ring, 0, 9);
  env.ring.submit();
  await sleep(5);
  const left = await env.ring.close();
  assert.deepEqual(
    left.filter((c) => c.cqIdx === 0),
    [{ cqIdx: 0, userData: 9n, res: -11, flags: 0 }],
  );
  assert.deepEqual(mapValues(env, 1), [1], 'the program did not run again at teardown');
});

test('live-lock guard (Q1): a program waiting on a CQ it never drains does not stop timers, I/O or user code; close() still ends it', async () => {
  const env = bpfEnv();
  // Run 1 emits a CQE to CQ 1; every run waits for one CQE there and never consumes it.
  const spin = asmProg(
    env,
    `${PROLOGUE}
${countRun(0)}
jne %r7, 1, wait
${emit(1, 77, 0)}
wait:
${waitOn(1, 1)}
mov %r0, 0
exit`,
  );
  registerOk(env, [spin]);
  bpfSqe(env.ring, 0, 9);
  env.ring.submit();
  // The re-run of a wait that already holds is not task work of this enter(): one run so far.
  assert.deepEqual(mapValues(env, 1), [1]);
  const events: string[] = [];
  const timer = new Promise<void>((resolve) =>
    setTimeout(() => {
      events.push('timer');
      resolve();
    }, 15),
  );
  prepTimeout(env.ring.getSqe()!, tsMs(env.ring, 10)).setUserData(2);
  env.ring.submit();
  const io = fsp.readFile(new URL(import.meta.url)).then(() => events.push('io'));
  await Promise.all([timer, io]);
  events.push('user');
  assert.deepEqual([...events].sort(), ['io', 'timer', 'user']);
  assert.deepEqual(drain(env.ring), ['cqe ud=2 res=-62 ETIME flags=0x0'], 'the timeout request completed');
  const runs = mapValues(env, 1)[0]!;
  assert.ok(runs > 2, `the program kept re-running (${runs} runs)`);
  const left = await env.ring.close();
  assert.deepEqual(
    left.filter((c) => c.cqIdx === 0),
    [{ cqIdx: 0, userData: 9n, res: -11, flags: 0 }],
  );
});

test('a run that consumed CQEs and whose wait already holds re-runs at once (task work), not a turn later', async () => {
  // Each run counts itself, reaps one CQE from CQ 1 and waits for one more; with CQ 1 empty the reap
  // fails and the program completes. Five CQEs are waiting on CQ 1 before the request starts.
  const env = bpfEnv();
  const fd = asmProg(
    env,
    `${PROLOGUE}
${countRun(0)}
${reap(1)}
jne %r0, 0, done
${waitOn(1, 1)}
done:
${EXIT}`,
  );
  registerOk(env, [fd]);
  for (let i = 0; i < 5; i++)
    prepNop(env.ring.getSqe()!)
      .setUserData(100 + i)
      .setCqIdx(1);
  env.ring.submit();
  bpfSqe(env.ring, 0, 9);
  let turn = false;
  setImmediate(() => {
    turn = true;
  });
  env.ring.submit();
  // Run 1 reaps 1 of 5 (4 left: the wait holds) ... run 5 reaps the last (0 left: it waits for real).
  assert.equal(turn, false, 'no event-loop turn has passed');
  assert.deepEqual(mapValues(env, 1), [5], 'five runs within the submit');
  // CQ 1 is empty now: the request really waits; one more CQE gives exactly one more run.
  prepNop(env.ring.getSqe()!).setUserData(300).setCqIdx(1);
  env.ring.submit();
  await sleep(5);
  assert.deepEqual(mapValues(env, 1), [6]);
  const left = await env.ring.close();
  assert.deepEqual(
    left.map((c) => [c.userData, c.res]),
    [[9n, -11]],
    'close() ends the waiting request with -EAGAIN',
  );
});
