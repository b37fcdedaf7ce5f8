/**
 * IORING_REGISTER_BPF / IORING_UNREGISTER_BPF (spec §4.3, DESIGN.md Q8), IORING_OP_BPF prep errors
 * (§4.4, Q9) and the sleepable-only rule at load (§3.8).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/index.js';
import { prepTimeout } from '../src/liburing/prep.js';
import { BPF_PROG_TYPE_IOURING, BPF_PROG_TYPE_SOCKET_FILTER } from '../src/uapi/bpf.js';
import {
  IORING_REGISTER_BPF,
  IORING_UNREGISTER_BPF,
  IOSQE_BUFFER_SELECT,
  IOSQE_FIXED_FILE,
} from '../src/uapi/io_uring.js';
import { BpfLoadError } from '../src/uring/bpf/load.js';
import { asmProg, bpfEnv, bpfSqe, EXIT, PROLOGUE, queueSqe, registerOk, ZERO_SQE } from './bpf-common.js';
import { drain, reap, tsMs } from './helpers.js';

const NOOP = `${PROLOGUE}\n${EXIT}`;

test('IORING_REGISTER_BPF errors: nr, busy table, unreadable array, bad fds; any failure registers nothing', async () => {
  const env = bpfEnv();
  const { ring, rt } = env;
  const fd = asmProg(env, NOOP);
  const filter = rt.bpfProgLoad({
    insns: assembleUbpf(EXIT),
    type: BPF_PROG_TYPE_SOCKET_FILTER,
    verify: false,
  });
  const arr = ring.mem.alloc(4 * 101);
  const cases: Array<[string, () => number | Promise<number>, number]> = [
    ['nr 0', () => ring.register(IORING_REGISTER_BPF, arr, 0), -22],
    ['nr 101', () => ring.register(IORING_REGISTER_BPF, arr, 101), -22],
    ['NULL array', () => ring.register(IORING_REGISTER_BPF, 0, 1), -14],
    ['array past the end', () => ring.register(IORING_REGISTER_BPF, ring.mem.size - 4, 2), -14],
    ['not a program fd', () => ring.registerBpf([fd, 999]), -9],
    ['a closed program fd', () => ring.registerBpf([fd + 1000]), -9],
    ['not an io_uring program', () => ring.registerBpf([filter]), -22],
  ];
  for (const [name, call, want] of cases) {
    assert.equal(call(), want, name);
    // Nothing stays registered after a failure.
    assert.equal(ring.unregisterBpf(), -6, `${name}: unregister after the failure`);
  }
  assert.equal(ring.registerBpf([fd]), 0);
  assert.equal(ring.registerBpf([fd]), -16, 'a table is already registered: EBUSY');
  assert.equal(ring.register(IORING_UNREGISTER_BPF, arr, 0), -22, 'unregister with an arg');
  assert.equal(ring.register(IORING_UNREGISTER_BPF, 0, 1), -22, 'unregister with nr');
  assert.equal(ring.unregisterBpf(), 0);
  assert.equal(ring.unregisterBpf(), -6, 'no table: ENXIO');
  assert.equal(ring.registerBpf(Array(100).fill(fd)), 0, '100 slots');
  await ring.close();
});

test('an fd of -1 leaves its slot empty (-EFAULT at prep); a closed fd stays usable in a registered table', async () => {
  const env = bpfEnv();
  const fd = asmProg(env, NOOP);
  registerOk(env, [-1, fd]);
  assert.equal(env.rt.bpfClose(fd), 0);
  assert.equal(env.rt.bpfClose(fd), -9);
  // A failed prep stops the submission (T03): one SQE per submit.
  for (const slot of [0, 1, 2]) {
    bpfSqe(env.ring, slot, slot + 1);
    assert.equal(env.ring.submit(), 1);
  }
  assert.deepEqual(await reap(env.ring, 3), [
    'cqe ud=1 res=-14 EFAULT flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=-14 EFAULT flags=0x0',
  ]);
  await env.ring.close();
});

test('IORING_OP_BPF prep errors: flags, ioprio, len, op flags, addr -EINVAL; slot from the low 32 bits of off', async () => {
  const env = bpfEnv();
  registerOk(env, [asmProg(env, NOOP)]);
  const cases: Array<[string, (ud: number) => void, number]> = [
    ['FIXED_FILE', (ud) => bpfSqe(env.ring, 0, ud).setFlags(IOSQE_FIXED_FILE), -22],
    ['BUFFER_SELECT', (ud) => bpfSqe(env.ring, 0, ud).setFlags(IOSQE_BUFFER_SELECT), -22],
    ['ioprio', (ud) => bpfSqe(env.ring, 0, ud).set('ioprio', 1), -22],
    ['len', (ud) => bpfSqe(env.ring, 0, ud).set('len', 1), -22],
    ['op flags', (ud) => bpfSqe(env.ring, 0, ud).set('op_flags', 1), -22],
    ['addr', (ud) => bpfSqe(env.ring, 0, ud).set('addr', 1n << 40n), -22],
    ['slot 1 of 1', (ud) => bpfSqe(env.ring, 1, ud), -14],
    ['off 2^32 + 1 (slot 1)', (ud) => bpfSqe(env.ring, 0, ud).set('off', (1n << 32n) + 1n), -14],
    ['off 2^32 (slot 0)', (ud) => bpfSqe(env.ring, 0, ud).set('off', 1n << 32n), 0],
    ['fd is ignored', (ud) => bpfSqe(env.ring, 0, ud).set('fd', 1234), 0],
  ];
  let ud = 1;
  for (const [name, prep, want] of cases) {
    prep(ud);
    assert.equal(env.ring.submit(), 1, name);
    assert.deepEqual(
      (await reap(env.ring, 1)).map((l) => l.split(' ')[2]),
      [`res=${want}`],
      name,
    );
    ud++;
  }
  await env.ring.close();
});

test('register quiesces: with a request in flight it returns a Promise that settles once the ring is idle', async () => {
  const env = bpfEnv();
  const fd = asmProg(env, NOOP);
  prepTimeout(env.ring.getSqe()!, tsMs(env.ring, 20)).setUserData(1);
  env.ring.submit();
  const r = env.ring.registerBpf([fd]);
  assert.ok(r instanceof Promise, 'a Promise while the timeout is in flight');
  assert.deepEqual(drain(env.ring), [], 'the timeout has not fired yet');
  assert.equal(await r, 0);
  assert.deepEqual(drain(env.ring), ['cqe ud=1 res=-62 ETIME flags=0x0']);
  assert.equal(env.ring.unregisterBpf(), 0);
  await env.ring.close();
});

test('a non-sleepable program calling a sleepable-only helper is refused at load (program, insn, helper named)', async () => {
  const env = bpfEnv();
  const cases: Array<[string, string, number]> = [
    ['iouring_queue_sqe', `${PROLOGUE}\n${ZERO_SQE}\n${queueSqe()}\n${EXIT}`, 164],
    ['copy_to_user', 'mov %r1, 0\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 0\ncall 167\nmov %r0, 0\nexit', 167],
    ['copy_from_user', 'mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nmov %r3, 0\ncall 148\nmov %r0, 0\nexit', 148],
  ];
  for (const [helper, asm, id] of cases) {
    assert.throws(
      () => asmProg(env, asm, false),
      (e: unknown) =>
        e instanceof BpfLoadError &&
        e.code === 'E_SLEEPABLE' &&
        e.message.includes(`helper ${id} (${helper})`) &&
        /insn \d+/.test(e.message),
      helper,
    );
    assert.ok(asmProg(env, asm, true) >= 3, `${helper}: a sleepable program loads`);
  }
  // emit and reap are for every program.
  const fd = env.rt.bpfProgLoad({
    insns: assembleUbpf('mov %r2, 0\nmov %r3, 1\nmov %r4, 0\nmov %r5, 0\ncall 165\nmov %r0, 0\nexit'),
    type: BPF_PROG_TYPE_IOURING,
  });
  assert.equal(env.rt.bpfProg(fd)?.sleepable, false);
  await env.ring.close();
});
