/**
 * Runtime.bpfLoad: program fds for the io_uring programs of a clang-built object, the helper set of
 * io_uring programs, and the SDK samples (test/fixtures/sdk, C) run end to end as IORING_OP_BPF
 * requests: emit, reap, queue_sqe (NOP, timeout), copy_from/to_user, waiting, two requests
 * exchanging CQEs, globals set at load.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepBpf, prepNop } from '../src/liburing/prep.js';
import { IoUring } from '../src/liburing/ring.js';
import { BpfLoadError } from '../src/uring/bpf/load.js';
import { Runtime } from '../src/uring/runtime.js';
import { drain, reap, repoRoot } from './helpers.js';

const fixture = (dir: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(repoRoot(), 'test', 'fixtures', dir, name)));

function setup(): { rt: Runtime; ring: IoUring } {
  const rt = new Runtime({ size: 8 * 1024 * 1024 });
  return { rt, ring: IoUring.queueInit(8, { runtime: rt, cqSizes: [128, 128] }) };
}

test('bpfLoad gives each io_uring program an fd; close() drops them; unknown names throw', async () => {
  const { rt, ring } = setup();
  const obj = rt.bpfLoad(fixture('sdk', 'tour.v3.o'));
  const tour = obj.progFd('tour');
  const ping = obj.progFd('pingpong');
  assert.ok(tour >= 3 && ping >= 3 && tour !== ping);
  assert.equal(rt.bpfProg(tour)?.sleepable, true);
  assert.equal(rt.bpfProg(ping)?.sleepable, false);
  assert.throws(() => obj.progFd('nope'), /no program fd for 'nope' \(programs: tour, pingpong\)/);
  assert.equal(ring.registerBpf([tour, ping]), 0);
  obj.close();
  assert.equal(rt.bpfProg(tour), undefined);
  assert.throws(() => obj.progFd('tour'), /closed/);
  // A second object reuses the freed fds.
  const again = rt.bpfLoad(fixture('sdk', 'tour.v3.o'));
  assert.deepEqual([again.progFd('tour'), again.progFd('pingpong')].sort(), [tour, ping].sort());
  await ring.close();
});

test('bpfLoad refuses a non-sleepable program calling iouring_queue_sqe, naming program, insn and helper', () => {
  const rt = new Runtime({ size: 8 * 1024 * 1024 });
  assert.throws(
    () => rt.bpfLoad(fixture('iouring', 'not_sleepable.o')),
    (e: unknown) =>
      e instanceof BpfLoadError &&
      e.code === 'E_SLEEPABLE' &&
      e.program === 'submits' &&
      e.message.startsWith(`submits: insn ${e.index}: calls helper 164 (iouring_queue_sqe)`),
  );
});

test('SDK tour (C): emits, reaps, queues a NOP and a timeout, rewrites user memory, waits, completes', async () => {
  const { rt, ring } = setup();
  const obj = rt.bpfLoad(fixture('sdk', 'tour.v3.o'));
  assert.equal(ring.registerBpf([obj.progFd('tour')]), 0);
  const args = ring.mem.alloc(24);
  ring.mem.writeI64(args, 0n);
  ring.mem.writeI64(args + 8, 20_000_000n);
  ring.mem.writeU64(args + 16, 29n);
  prepBpf(ring.getSqe()!, 0).setUserData(args);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 3), [
    'cqe ud=3 res=13 flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    `cqe ud=${args} res=0 flags=0x0`,
  ]);
  const results = [...obj.arrayMap('results').u64.values()].slice(0, 8).map((v) => BigInt.asIntN(64, v));
  assert.deepEqual(results, [1n, 4n, 5n, 6n, -62n, 1n, 1n, 29n]);
  assert.equal(ring.mem.readU64(args + 16), 31n);
  assert.equal(new DataView(obj.global('runs').slice().buffer).getBigUint64(0, true), 2n);
  assert.deepEqual(
    obj.trace.lines.map((l) => l.text.trim()),
    ['tour: run 1, waiting on CQ 1'],
  );
  await ring.close();
});

test('SDK pingpong (C, not sleepable): two requests exchange CQEs through CQ 1 and CQ 2 until 20', async () => {
  const { rt, ring } = setup();
  const obj = rt.bpfLoad(fixture('sdk', 'tour.v3.o'));
  assert.equal(ring.registerBpf([-1, obj.progFd('pingpong')]), 0);
  prepBpf(ring.getSqe()!, 1).setUserData(0);
  prepBpf(ring.getSqe()!, 1).setUserData(1);
  prepNop(ring.getSqe()!).setUserData(0).setCqIdx(1);
  assert.equal(ring.submit(), 3);
  assert.deepEqual((await reap(ring, 2)).sort(), ['cqe ud=0 res=0 flags=0x0', 'cqe ud=1 res=0 flags=0x0']);
  const r = obj.arrayMap('results').u64;
  assert.deepEqual([r.get(10), r.get(11)], [20n, 21n]);
  await ring.close();
});

test('SDK tick (C): max_ticks set at load, one timeout per run on CQ 1, completes after the last', async () => {
  const { rt, ring } = setup();
  const obj = rt.bpfLoad(fixture('sdk', 'tick.v3.o'), { globals: { max_ticks: 3 } });
  assert.equal(ring.registerBpf([obj.progFd('tick')]), 0);
  const ts = ring.mem.alloc(16);
  ring.mem.writeI64(ts + 8, 5_000_000n);
  prepBpf(ring.getSqe()!, 0).setUserData(ts);
  ring.submit();
  assert.deepEqual(await reap(ring, 1), [`cqe ud=${ts} res=0 flags=0x0`]);
  const t = obj.arrayMap('ticks').u64;
  assert.deepEqual([t.get(0), BigInt.asIntN(64, t.get(1)!)], [3n, -62n]);
  assert.deepEqual(drain(ring, 1), [], 'the program reaped every timeout CQE');
  await ring.close();
});
