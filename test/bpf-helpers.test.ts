/**
 * io_uring helpers from BPF programs (spec §4.6): user-memory copies, emit_cqe on a full CQ
 * (DESIGN.md Q5), a program submitting IORING_OP_BPF (Q14), and hostile SQEs through queue_sqe.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepRw } from '../src/liburing/prep.js';
import {
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_BPF,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_NOP,
  IORING_OP_READ,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
} from '../src/uapi/io_uring.js';
import {
  asmProg,
  bpfEnv,
  bpfSqe,
  EXIT,
  emit,
  mapValues,
  PROLOGUE,
  queueSqe,
  registerOk,
  store,
  ZERO_SQE,
} from './bpf-common.js';
import { drain, reap, sleep, xorshift32 } from './helpers.js';

/** copy_from_user(r10-96, `size`, `src`) → r0 (`src` an asm operand). */
const fromUser = (src: string, size = 8): string => `mov %r1, %r10
add %r1, -96
mov %r2, ${size}
mov %r3, ${src}
call 148`;

test('copy_from_user / copy_to_user: plain copies of user memory; -EFAULT outside it, dst zero-filled', async () => {
  const env = bpfEnv();
  registerOk(env, [
    asmProg(
      env,
      `${PROLOGUE}
ldxdw %r9, [%r6+0]
${fromUser('%r9')}
mov %r8, %r0
${store(0, '%r8')}
ldxdw %r8, [%r10-96]
${store(1, '%r8')}
add %r8, 2
stxdw [%r10-104], %r8
mov %r1, %r9
add %r1, 8
mov %r2, %r10
add %r2, -104
mov %r3, 8
call 167
mov %r8, %r0
${store(2, '%r8')}
mov %r1, -1
stxdw [%r10-96], %r1
${fromUser('16')}
mov %r8, %r0
${store(3, '%r8')}
ldxdw %r8, [%r10-96]
${store(4, '%r8')}
mov %r1, 16
mov %r2, %r10
add %r2, -104
mov %r3, 8
call 167
mov %r8, %r0
${store(5, '%r8')}
${EXIT}`,
    ),
  ]);
  const user = env.ring.mem.alloc(16);
  env.ring.mem.writeU64(user, 29n);
  bpfSqe(env.ring, 0, user);
  env.ring.submit();
  assert.deepEqual(await reap(env.ring, 1), [`cqe ud=${user} res=0 flags=0x0`]);
  assert.deepEqual(mapValues(env, 6), [0, 29, 0, -14, 0, -14]);
  assert.equal(env.ring.mem.readU64(user + 8), 31n);
  await env.ring.close();
});

for (const strictRfc of [false, true]) {
  test(`emit_cqe on a full extra CQ: ${strictRfc ? 'strictRfc drops it (-ENOMEM)' : 'backlogged, never lost (Q5)'}`, async () => {
    const env = bpfEnv({ cqSizes: [2], strictRfc });
    registerOk(env, [
      asmProg(
        env,
        `${PROLOGUE}
${[1, 2, 3].map((ud, k) => `${emit(1, ud, 0)}\nmov %r8, %r0\n${store(k, '%r8')}`).join('\n')}
${EXIT}`,
      ),
    ]);
    bpfSqe(env.ring, 0, 9);
    env.ring.submit();
    assert.deepEqual(await reap(env.ring, 1), ['cqe ud=9 res=0 flags=0x0']);
    assert.deepEqual(mapValues(env, 3), strictRfc ? [0, 0, -12] : [0, 0, 0]);
    assert.deepEqual(env.ring.fd.stats().dropped, strictRfc ? [0, 1] : [0, 0]);
    const cq1 = drain(env.ring, 1);
    assert.deepEqual(
      cq1,
      (strictRfc ? [1, 2] : [1, 2, 3]).map((ud) => `cqe ud=${ud} res=0 flags=0x0`),
    );
    await env.ring.close();
  });
}

test('a program may submit IORING_OP_BPF (Q14): it runs later, from task work', async () => {
  const env = bpfEnv();
  registerOk(env, [
    asmProg(
      env,
      `${PROLOGUE}
ldxdw %r1, [%r6+0]
jne %r1, 1, second
${ZERO_SQE}
mov %r1, ${IORING_OP_BPF}
stxb [%r10-96], %r1
mov %r1, 2
stxdw [%r10-64], %r1
${queueSqe()}
mov %r8, %r0
${store(0, '%r8')}
${EXIT}
second:
${emit(0, 50, 0)}
${EXIT}`,
    ),
  ]);
  bpfSqe(env.ring, 0, 1);
  env.ring.submit();
  assert.deepEqual(await reap(env.ring, 3), [
    'cqe ud=1 res=0 flags=0x0',
    'cqe ud=50 res=0 flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
  ]);
  assert.deepEqual(mapValues(env, 1), [1]);
  await env.ring.close();
});

const OPS = [
  IORING_OP_NOP,
  IORING_OP_READ,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_ASYNC_CANCEL,
  38,
  244,
];

for (const seed of [5, 6, 7]) {
  test(`hostile SQEs from BPF (seed ${seed}): random 64-byte SQEs through queue_sqe never throw, one CQE each`, async () => {
    const next = xorshift32(seed);
    const env = bpfEnv({ cqSizes: [4, 64] });
    const { ring } = env;
    const m = ring.mem;
    // Copy the SQE at ctx->user_data to the stack and queue it; count the accepted ones in map[0].
    registerOk(env, [
      asmProg(
        env,
        `${PROLOGUE}
ldxdw %r9, [%r6+0]
${fromUser('%r9', 64)}
${queueSqe()}
mov %r9, %r0
mov %r1, 0
stxw [%r10-12], %r1
lddw %r1, MAP
mov %r2, %r10
add %r2, -12
call 1
jeq %r0, 0, +3
ldxdw %r7, [%r0]
add %r7, %r9
stxdw [%r0], %r7
${EXIT}`,
      ),
    ]);
    const specs: number[] = [0, m.size - 8];
    for (const ns of [1_000_000n, 0n, 30_000_000_000n, 2_000_000n]) {
      const a = m.alloc(16);
      m.writeI64(a, ns / 1_000_000_000n);
      m.writeI64(a + 8, ns % 1_000_000_000n);
      specs.push(a);
    }
    const counts = new Map<number, number>();
    const reapAll = (): void => {
      for (let cq = 0; cq < ring.cqCount; cq++) {
        for (let c = ring.peekCqe(cq); c !== null; c = ring.peekCqe(cq)) {
          const ud = c.userDataHi === 0 ? c.userDataLo : -1;
          counts.set(ud, (counts.get(ud) ?? 0) + 1);
          ring.cqeSeen(c);
        }
      }
    };
    const bufs: number[] = [];
    let ud = 1;
    for (let round = 0; round < 60; round++) {
      const n = 1 + (next() % 4);
      for (let i = 0; i < n; i++) {
        const b = m.alloc(64);
        for (let k = 0; k < 64; k += 4) m.writeU32(b + k, next());
        m.writeU8(b, OPS[next() % OPS.length]!);
        m.writeU8(b + 1, next() % 4 === 0 ? next() & 0xff : next() & 0x0c);
        m.writeU64(b + 32, BigInt(ud++));
        m.writeU16(b + 48, next() % 4);
        if (next() % 4 !== 0) {
          // Mostly plausible: no ioprio, op flags or personality (each alone fails every opcode here).
          m.writeU16(b + 2, 0);
          m.writeU32(b + 28, 0);
          m.writeU16(b + 42, 0);
        }
        if (next() % 2 === 0) m.writeU64(b + 16, BigInt(specs[next() % specs.length]!));
        bpfSqe(ring, 0, b);
        bufs.push(b);
      }
      assert.equal(ring.submit(), n);
      reapAll();
      if (round % 10 === 0) await sleep(2);
    }
    await sleep(5);
    reapAll();
    for (const c of await ring.close()) {
      const k = c.userData < 0x1_0000_0000n ? Number(c.userData) : -1;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (let u = 1; u < ud; u++) assert.equal(counts.get(u), 1, `SQE user_data ${u}: one CQE`);
    for (const b of bufs) assert.equal(counts.get(b), 1, `BPF request ${b}: one CQE`);
    const accepted = Number(env.map.u64.get(0));
    assert.ok(accepted > 0 && accepted < ud - 1, `some accepted, some rejected (${accepted} of ${ud - 1})`);
  });
}

test('user pointers cannot reach kernel-private memory: copy_from_user from it is -EFAULT (nothing copied), a READ into it -EFAULT', async () => {
  const env = bpfEnv();
  // map[0] holds the address to copy from; the program copies 8 bytes to the stack, then stores
  // what it got in map[1] and the helper's result in map[2].
  const fd = asmProg(
    env,
    `${PROLOGUE}
mov %r1, 0
stxw [%r10-4], %r1
lddw %r1, MAP
mov %r2, %r10
add %r2, -4
call 1
jne %r0, 0, +2
mov %r0, 0
exit
ldxdw %r3, [%r0]
mov %r1, %r10
add %r1, -32
mov %r2, 8
call 148
${store(2, '%r0')}
ldxdw %r7, [%r10-32]
${store(1, '%r7')}
${EXIT}`,
  );
  registerOk(env, [fd]);
  const map = env.map;
  const user = env.ring.mem.alloc(8);
  env.ring.mem.writeU64(user, 0x1122n);
  map.u64.set(0, BigInt(user));
  bpfSqe(env.ring, 0, 1);
  env.ring.submit();
  await reap(env.ring, 1);
  assert.deepEqual([map.u64.get(1), map.u64.get(2)], [0x1122n, 0n], 'user memory: copied');
  // The map's handle lives in kernel-private memory (allocKernel), as its storage does.
  const kernelAddr = map.handle;
  assert.ok(env.ring.mem.touchesKernel(kernelAddr, 8));
  map.u64.set(0, BigInt(kernelAddr));
  bpfSqe(env.ring, 0, 2);
  env.ring.submit();
  await reap(env.ring, 1);
  assert.deepEqual(
    [map.u64.get(1), BigInt.asIntN(64, map.u64.get(2)!)],
    [0n, -14n],
    'kernel memory: -EFAULT, dst zero-filled',
  );
  // A READ SQE from userspace into kernel memory: -EFAULT.
  prepRw(IORING_OP_READ, env.ring.getSqe()!, 0, kernelAddr, 8, 0).setUserData(3);
  env.ring.submit();
  assert.deepEqual(await reap(env.ring, 1), ['cqe ud=3 res=-14 EFAULT flags=0x0']);
  await env.ring.close();
});
