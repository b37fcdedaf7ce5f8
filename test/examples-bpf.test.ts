/**
 * The BPF examples' drivers (src/cli/examples/copy.ts, pipeline.ts) on the real runtime: both
 * examples pass their own checks and print their key lines; the copy program (examples/copy/) on
 * more inputs (several files, a buffer of one byte, an exact multiple of the buffer, no files, a
 * missing file, a FIFO output, a read-only and a closed output fd, another
 * cq_base); the pipeline's three drivers for several depths; and pingpong.bpf.o (the bpf benchmark's
 * round trips) for several message counts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { exampleObject, examplesRoot } from '../src/cli/examples/common.js';
import { COPY_DONE, type CopyRun, copyExample, runCopy } from '../src/cli/examples/copy.js';
import {
  PL_COUNTERS,
  pipelineExample,
  runBpfPipeline,
  runLinkedChains,
  runTsPipeline,
} from '../src/cli/examples/pipeline.js';
import { prepBpf, prepNop } from '../src/liburing/prep.js';
import { IoUring } from '../src/liburing/ring.js';
import { EBADF, ENOENT } from '../src/uapi/errno.js';
import { Runtime } from '../src/uring/runtime.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-bpf-examples-bpf-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let nameSeq = 0;
/** A file of `n` bytes with a pattern that differs per file. */
function input(n: number): string {
  const p = path.join(dir, `in-${nameSeq++}`);
  fs.writeFileSync(p, Buffer.from(Array.from({ length: n }, (_, k) => (k * 13 + nameSeq * 29) & 0xff)));
  return p;
}

/** Copy `inputs` into a fresh output file; the run and the output's bytes. */
async function copyToFile(
  inputs: readonly string[],
  opts: { bufSize?: number; cqBase?: number } = {},
): Promise<{ r: CopyRun; out: Buffer }> {
  const out = path.join(dir, `out-${nameSeq++}`);
  const fd = fs.openSync(out, 'w');
  try {
    const r = await runCopy({ inputs, outFd: fd, ...opts });
    return { r, out: fs.readFileSync(out) };
  } finally {
    fs.closeSync(fd);
  }
}

const concat = (inputs: readonly string[]): Buffer => Buffer.concat(inputs.map((p) => fs.readFileSync(p)));

test('the copy example passes its checks and prints the per-stage CQE counts', async () => {
  const r = await copyExample.run();
  assert.equal(copyExample.name, 'copy');
  assert.ok(r.checks.length >= 6);
  for (const c of r.checks) assert.equal(c.actual, c.expected, c.what);
  assert.match(
    r.lines[0] ?? '',
    /^copied 10000 \+ 0 \+ 5000 bytes \(buffer 4096\) into 15000 bytes as one BPF request in \d+\.\d\d ms$/,
  );
  assert.equal(r.lines[2], 'CQEs per stage: OPEN (CQ 1) 3, READ (CQ 2) 8, WRITE (CQ 3) 5, CLOSE (CQ 4) 3');
  assert.ok(r.checks.some((c) => c.what.startsWith('missing input') && c.expected.includes('-2')));
  assert.match(r.lines[3] ?? '', /state\.error -2 \(ENOENT\) at stage OPEN of file 1/);
});

test('the pipeline example passes its checks and prints both rates', async () => {
  const r = await pipelineExample.run();
  assert.equal(pipelineExample.name, 'pipeline');
  for (const c of r.checks) assert.equal(c.actual, c.expected, c.what);
  assert.ok(r.checks.some((c) => c.expected === '10000 10000 626 0 0 16'));
  assert.match(
    r.lines[0] ?? '',
    /^BPF: one request, depth 16, target 10000: res 0, 626 runs, .* [\d.]+ [kM]\/s NOPs$/,
  );
  assert.match(
    r.lines[2] ?? '',
    /^TypeScript: 16 NOPs in flight, submit\/reap: 10000 NOPs in 625 submits, .* [\d.]+ [kM]\/s NOPs$/,
  );
});

/** Per file of `size` bytes with buffer `buf`: [reads, writes] (no short reads or writes on files). */
function stageCounts(sizes: readonly number[], buf: number): number[] {
  let reads = 0;
  let writes = 0;
  for (const s of sizes) {
    writes += Math.ceil(s / buf);
    reads += Math.ceil(s / buf) + 1;
  }
  return [sizes.length, reads, writes, sizes.length];
}

const COPY_CASES: readonly { name: string; sizes: number[]; bufSize: number; cqBase?: number }[] = [
  { name: 'five files, one a multiple of the buffer', sizes: [1, 4096, 8192, 0, 12345], bufSize: 4096 },
  { name: 'a one-byte buffer', sizes: [5, 0, 3], bufSize: 1 },
  { name: 'a buffer larger than every file', sizes: [100, 200], bufSize: 65536 },
  { name: 'one empty file', sizes: [0], bufSize: 4096 },
  { name: 'cq_base 2 (stages on CQs 2..5)', sizes: [3000, 7000], bufSize: 2048, cqBase: 2 },
];

for (const c of COPY_CASES) {
  test(`copy: ${c.name}: the output is the concatenation, every stage CQE reaped`, async () => {
    const inputs = c.sizes.map(input);
    const { r, out } = await copyToFile(inputs, {
      bufSize: c.bufSize,
      ...(c.cqBase === undefined ? {} : { cqBase: c.cqBase }),
    });
    const want = concat(inputs);
    assert.equal(r.res, 0);
    assert.ok(out.equals(want), `output ${out.length} bytes, expected ${want.length}`);
    const counts = stageCounts(c.sizes, c.bufSize);
    const cqes = counts.reduce((a, b) => a + b, 0);
    assert.deepEqual(r.stageCqes, counts);
    assert.equal(r.stageLeft, 0);
    assert.deepEqual(
      [
        r.state.stage,
        r.state.file,
        r.state.error,
        r.state.errStage,
        r.state.outOff,
        r.state.runs,
        r.state.sqes,
      ],
      [COPY_DONE, c.sizes.length, 0, 0, BigInt(want.length), BigInt(cqes + 1), BigInt(cqes)],
    );
  });
}

test('copy: no input files completes in one run without an SQE, writing nothing', async () => {
  const { r, out } = await copyToFile([]);
  assert.equal(r.res, 0);
  assert.equal(out.length, 0);
  assert.deepEqual([r.state.stage, r.state.runs, r.state.sqes, r.state.error], [COPY_DONE, 1n, 0n, 0]);
  assert.deepEqual(r.stageCqes, [0, 0, 0, 0]);
});

test('copy: a missing first file stops at its OPEN with -ENOENT; nothing is written', async () => {
  const later = input(100);
  const { r, out } = await copyToFile([path.join(dir, 'no-such-file'), later]);
  assert.equal(r.res, 0, 'the request itself completes with 0: the error is in the state');
  assert.equal(out.length, 0);
  assert.deepEqual(
    [r.state.stage, r.state.error, r.state.errStage, r.state.errFile, r.state.runs],
    [COPY_DONE, -ENOENT, 1, 0, 2n],
  );
  assert.deepEqual(r.stageCqes, [1, 0, 0, 0]);
});

test('copy: a missing middle file keeps what was copied before it and closes nothing twice', async () => {
  const a = input(5000);
  const { r, out } = await copyToFile([a, path.join(dir, 'missing-too'), input(10)]);
  assert.ok(out.equals(fs.readFileSync(a)));
  assert.deepEqual([r.state.error, r.state.errStage, r.state.errFile], [-ENOENT, 1, 1]);
  assert.deepEqual(r.stageCqes, [2, 3, 2, 1]);
});

// examples/copy/README.md says a pipe output fails with -ESPIPE; io_uring (the kernel, and this
// runtime: src/uring/ops/rw.ts) ignores the offset of a stream's READ/WRITE instead, so the copy
// succeeds and the bytes arrive in order. The failing non-writable outputs are below.
test('copy: a FIFO output (not seekable) receives the bytes in order: io_uring ignores a stream offset', async (t) => {
  const fifo = path.join(dir, 'fifo');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) {
    t.skip('mkfifo is not available');
    return;
  }
  // O_RDWR: opening a FIFO for writing only would block until a reader opens it.
  const fd = fs.openSync(fifo, fs.constants.O_RDWR);
  try {
    const inputs = [input(1000), input(1500)];
    const r = await runCopy({ inputs, outFd: fd, bufSize: 1024 });
    assert.deepEqual([r.res, r.state.stage, r.state.error, r.state.outOff], [0, COPY_DONE, 0, 2500n]);
    const got = Buffer.alloc(4096);
    const n = fs.readSync(fd, got, 0, got.length, null);
    assert.ok(got.subarray(0, n).equals(concat(inputs)), `read ${n} bytes back from the FIFO`);
  } finally {
    fs.closeSync(fd);
  }
});

test('copy: an output opened read-only records -EBADF at WRITE and closes the input', async () => {
  const out = path.join(dir, 'read-only-out');
  fs.writeFileSync(out, '');
  const fd = fs.openSync(out, 'r');
  try {
    const r = await runCopy({ inputs: [input(1000), input(10)], outFd: fd });
    assert.equal(r.res, 0);
    assert.deepEqual(
      [r.state.stage, r.state.error, r.state.errStage, r.state.errFile, r.state.outOff],
      [COPY_DONE, -EBADF, 3, 0, 0n],
    );
    assert.deepEqual(r.stageCqes, [1, 1, 1, 1], 'OPEN, READ, the failed WRITE, then CLOSE of the input');
    assert.equal(r.stageLeft, 0);
  } finally {
    fs.closeSync(fd);
  }
});

test('copy: a closed output fd records -EBADF at WRITE', async () => {
  const out = path.join(dir, 'closed-out');
  const fd = fs.openSync(out, 'w');
  fs.closeSync(fd);
  const r = await runCopy({ inputs: [input(10)], outFd: fd });
  assert.deepEqual([r.state.error, r.state.errStage, r.state.stage], [-EBADF, 3, COPY_DONE]);
});

test('copy: driver misuse throws RangeError', async () => {
  await assert.rejects(runCopy({ inputs: [], outFd: 1, bufSize: 0 }), RangeError);
  await assert.rejects(runCopy({ inputs: [], outFd: 1, cqBase: 0 }), RangeError);
});

const PIPELINE_CASES: readonly { depth: number; target: number }[] = [
  { depth: 1, target: 50 },
  { depth: 8, target: 1000 },
  { depth: 32, target: 1001 },
  { depth: 300, target: 600 },
];

for (const c of PIPELINE_CASES) {
  test(`pipeline depth ${c.depth} target ${c.target}: BPF, TypeScript loop and linked chains all complete every NOP`, async () => {
    const n = Math.min(c.depth, 256);
    const b = await runBpfPipeline(c);
    assert.equal(b.res, 0);
    assert.deepEqual(
      b.counters.map(Number),
      [c.target, c.target, Math.ceil(c.target / n) + 1, 0, 0, Math.min(n, c.target)],
      PL_COUNTERS.join(' '),
    );
    assert.equal(b.cq1Left, 0);
    const t = await runTsPipeline(c);
    assert.equal(t.completed, c.target);
    assert.equal(t.submits, Math.ceil(c.target / c.depth));
    const l = await runLinkedChains(c);
    assert.equal(l.completed, 2 * Math.ceil(c.target / 2));
  });
}

test('pipeline drivers refuse a depth the TypeScript loop cannot keep (0) and negative targets', async () => {
  await assert.rejects(runTsPipeline({ depth: 0, target: 10 }), RangeError);
  await assert.rejects(runLinkedChains({ depth: 0, target: 10 }), RangeError);
  await assert.rejects(runBpfPipeline({ depth: 4, target: -1 }), RangeError);
});

/** pingpong.bpf.o: two requests, `rounds` messages; [CQ 0 user_data in order, counters, CQ 1/2 left]. */
async function pingpong(rounds: number): Promise<{ done: bigint[]; counters: bigint[]; left: number[] }> {
  const rt = new Runtime({ size: 4 * 1024 * 1024 });
  const ring = IoUring.queueInit(8, { cqSizes: [8, 8], runtime: rt });
  const obj = rt.bpfLoad(exampleObject('pipeline', 'pingpong.bpf.o'), {
    globals: { rounds: BigInt(rounds) },
  });
  try {
    assert.equal(await ring.registerBpf([obj.progFd('pingpong')]), 0);
    prepBpf(ring.getSqe()!, 0).setUserData(0);
    prepBpf(ring.getSqe()!, 0).setUserData(1);
    prepNop(ring.getSqe()!).setUserData(0).setCqIdx(1);
    assert.equal(ring.submit(), 3);
    const done: bigint[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await ring.waitCqe(0);
      assert.equal(c.res, 0);
      done.push(c.userData);
      ring.cqeSeen(c);
    }
    const m = obj.arrayMap('counters');
    return {
      done,
      counters: [0, 1, 2, 3].map((k) => m.u64.get(k) ?? -1n),
      left: [ring.cqReady(1), ring.cqReady(2)],
    };
  } finally {
    obj.close();
    await ring.close();
  }
}

for (const rounds of [1, 2, 20, 1001]) {
  test(`pingpong.bpf.o with rounds ${rounds}: both requests complete, every message received once`, async () => {
    const r = await pingpong(rounds);
    assert.deepEqual([...r.done].sort(), [0n, 1n]);
    // Instance 0 receives the even messages 0..rounds, instance 1 the odd ones; each run reaps one.
    const even = Math.floor(rounds / 2) + 1;
    const odd = Math.ceil(rounds / 2);
    // One run per message: instance 0 runs first (the kick-off NOP is already on CQ 1) and sends 1
    // before instance 1's first run, so no run finds its inbox empty.
    assert.deepEqual(r.counters.slice(0, 2).map(Number), [even, odd], 'runs of instance 0, 1');
    const last = [rounds % 2 === 0 ? rounds : rounds - 1, rounds % 2 === 1 ? rounds : rounds - 1];
    assert.deepEqual(r.counters.slice(2).map(Number), last);
    assert.deepEqual(r.left, [0, 0]);
  });
}

test('pingpong.bpf.o rebuilds from pingpong.bpf.c to the same bytes (when clang-19 is installed)', (t) => {
  if (spawnSync('clang-19', ['--version'], { stdio: 'ignore' }).status !== 0) {
    t.skip('clang-19 is not installed');
    return;
  }
  const root = path.dirname(examplesRoot());
  const out = path.join(dir, 'pingpong.bpf.o');
  const flags = ['--target=bpf', '-O2', '-g', '-mcpu=v3', '-Wall', '-Wextra', '-Werror'];
  const r = spawnSync(
    'clang-19',
    [
      ...flags,
      '-fdebug-compilation-dir=.',
      '-I',
      'include',
      '-c',
      'examples/pipeline/pingpong.bpf.c',
      '-o',
      out,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.readFileSync(out).equals(Buffer.from(exampleObject('pipeline', 'pingpong.bpf.o'))));
});
