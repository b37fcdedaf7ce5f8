/**
 * Built-in examples for `uring-bpf examples`: each sets up rings through the public API, shows what it
 * does, and checks its results against expected values. The RFC's examples (spec §7) are in
 * examples/rfc.ts.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocBuffer } from '../liburing/buffer.js';
import { allocTimespec, prepFsync, prepLinkTimeout, prepNop, prepRw, prepTimeout } from '../liburing/prep.js';
import { IoUring } from '../liburing/ring.js';
import { errnoName } from '../uapi/errno.js';
import { IOVEC } from '../uapi/fs.js';
import {
  IORING_NOP_INJECT_RESULT,
  IORING_OFF_CQ_RING_EXTRA,
  IORING_OP_READ_FIXED,
  IORING_OP_WRITE_FIXED,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_FILES,
  IORING_STRIDE_CQ_RING,
  IOSQE_FIXED_FILE,
  IOSQE_IO_LINK,
} from '../uapi/io_uring.js';
import { Runtime } from '../uring/runtime.js';
import { copyExample } from './examples/copy.js';
import type { Example, ExampleOptions, ExampleResult } from './examples/example.js';
import { pipelineExample } from './examples/pipeline.js';
import { RFC_EXAMPLES } from './examples/rfc.js';

export type { Example, ExampleOptions, ExampleResult };

function cqeLine(ud: bigint, res: number, flags: number): string {
  return `CQE user_data ${ud}, res ${res}${res < 0 ? ` (${errnoName(res)})` : ''} flags ${flags}`;
}

function newRuntime(): Runtime {
  return new Runtime({ size: 4 * 1024 * 1024 });
}

/** RFC liburing test/multi_cq.c, test_mcq_requests (spec §7.5). */
const multiCq: Example = {
  name: 'multi-cq',
  summary: 'two NOPs routed by sqe->cq_idx to CQ 0 and to extra CQ 1, which is read through its own mapping',
  async run() {
    const lines: string[] = [];
    const checks: ExampleResult['checks'] = [];
    const ring = IoUring.queueInit(8, { cqSizes: [128], runtime: newRuntime() });
    lines.push(
      `ring: ${ring.params.sqEntries} SQ entries, CQ 0 ${ring.params.cqEntries} entries, CQ 1 ${ring.cqEntries(1)} entries`,
    );
    prepNop(ring.getSqe()!).setUserData(1).setCqIdx(0);
    ring.submit();
    prepNop(ring.getSqe()!).setUserData(2).setCqIdx(1);
    ring.submit();
    const c0 = await ring.waitCqe(0);
    lines.push(`CQ 0: ${cqeLine(c0.userData, c0.res, c0.flags)}`);
    checks.push({ what: 'CQ 0 CQE', expected: 'ud 1 res 0', actual: `ud ${c0.userData} res ${c0.res}` });
    ring.cqeSeen(c0);
    checks.push({ what: 'CQ 0 empty after it', expected: '0', actual: String(ring.cqReady(0)) });
    // Read CQ 1 the way test_mcq_requests does: map it and read head/tail/CQE at the cq_off offsets.
    const off = ring.params.cqOff;
    const base = ring.mmap(IORING_OFF_CQ_RING_EXTRA + 1 * IORING_STRIDE_CQ_RING, Number(off.cqes) + 128 * 16);
    const head = ring.mem.readU32(base + Number(off.head));
    const tail = ring.mem.readU32(base + Number(off.tail));
    const cqe = base + Number(off.cqes) + 16 * (head & ring.mem.readU32(base + Number(off.ring_mask)));
    const ud = ring.mem.readU64(cqe);
    const res = ring.mem.readI32(cqe + 8);
    lines.push(
      `CQ 1 mapped at 0x${base.toString(16)}: head ${head} tail ${tail}; ${cqeLine(ud, res, ring.mem.readU32(cqe + 12))}`,
    );
    checks.push({ what: 'CQ 1 tail - head', expected: '1', actual: String(tail - head) });
    checks.push({ what: 'CQ 1 CQE', expected: 'ud 2 res 0', actual: `ud ${ud} res ${res}` });
    await ring.close();
    return { lines, checks };
  },
};

/** A link chain with a failing member, and a link timeout that fires. */
const links: Example = {
  name: 'links',
  summary: 'a failing link member cancels the rest of its chain; a link timeout cancels a slow request',
  async run() {
    const lines: string[] = [];
    const checks: ExampleResult['checks'] = [];
    const ring = IoUring.queueInit(8, { runtime: newRuntime() });
    prepNop(ring.getSqe()!).setUserData(1).setFlags(IOSQE_IO_LINK);
    const bad = prepNop(ring.getSqe()!).setUserData(2).setFlags(IOSQE_IO_LINK);
    bad.set('rw_flags', IORING_NOP_INJECT_RESULT).set('len', -5 >>> 0);
    prepNop(ring.getSqe()!).setUserData(3);
    const long = allocTimespec(ring.mem, 10_000_000_000n);
    const short = allocTimespec(ring.mem, 20_000_000n);
    prepTimeout(ring.getSqe()!, long).setUserData(4).setFlags(IOSQE_IO_LINK);
    prepLinkTimeout(ring.getSqe()!, short).setUserData(5);
    const t0 = process.hrtime.bigint();
    lines.push(
      `submitted ${ring.submit()} SQEs: NOP(1) -> NOP failing with -EIO(2) -> NOP(3); TIMEOUT 10 s(4) -> LINK_TIMEOUT 20 ms(5)`,
    );
    const got: string[] = [];
    while (got.length < 5) {
      const c = await ring.waitCqe();
      lines.push(cqeLine(c.userData, c.res, c.flags));
      got.push(`${c.userData}:${c.res}`);
      ring.cqeSeen(c);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    lines.push(`all 5 CQEs after ${ms.toFixed(1)} ms`);
    checks.push({
      what: 'CQEs (ud:res) in order',
      expected: '1:0 2:-5 3:-125 5:-62 4:-125',
      actual: got.join(' '),
    });
    checks.push({
      what: 'link timeout fired in time',
      expected: 'under 1000 ms',
      actual: ms < 1000 ? 'under 1000 ms' : `${ms} ms`,
    });
    ring.mem.free(long);
    ring.mem.free(short);
    await ring.close();
    return { lines, checks };
  },
};

/** More CQEs than the CQs hold: the backlog keeps them all, in order. */
const overflow: Example = {
  name: 'overflow',
  summary: 'posting 4x more CQEs than CQ 1 holds loses none: they wait in its backlog, in order',
  async run() {
    const lines: string[] = [];
    const checks: ExampleResult['checks'] = [];
    const ring = IoUring.queueInit(4, { cqSizes: [4], runtime: newRuntime() });
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++)
        prepNop(ring.getSqe()!)
          .setUserData(round * 4 + i + 1)
          .setCqIdx(1);
      ring.submit();
    }
    lines.push(
      `16 NOPs to CQ 1 (4 entries): ${ring.cqReady(1)} in the ring, overflow flag ${ring.cqHasOverflow()}`,
    );
    const seen: number[] = [];
    for (let c = ring.peekCqe(1); c !== null; c = ring.peekCqe(1)) {
      seen.push(Number(c.userData));
      ring.cqeSeen(c);
    }
    lines.push(`reaped in order: ${seen.join(' ')}`);
    checks.push({
      what: 'user_data order',
      expected: Array.from({ length: 16 }, (_, i) => i + 1).join(' '),
      actual: seen.join(' '),
    });
    checks.push({
      what: 'overflow flag after reaping',
      expected: 'false',
      actual: String(ring.cqHasOverflow()),
    });
    await ring.close();
    return { lines, checks };
  },
};

/** Real file I/O: a linked WRITE_FIXED -> FSYNC -> READ_FIXED through a registered file and buffer. */
const fileIo: Example = {
  name: 'file-io',
  summary:
    'a linked WRITE_FIXED -> FSYNC -> READ_FIXED chain on a real file, through a registered file and buffer',
  async run() {
    const lines: string[] = [];
    const checks: ExampleResult['checks'] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-bpf-example-'));
    const file = path.join(dir, 'data');
    const fd = fs.openSync(file, 'w+');
    const ring = IoUring.queueInit(8, { runtime: newRuntime() });
    try {
      const m = ring.mem;
      const buf = allocBuffer(m, 8192);
      buf.bytes.subarray(0, 4096).fill(0xae);
      const fds = m.alloc(4);
      m.writeI32(fds, fd);
      const iov = m.alloc(IOVEC.size);
      m.writeU64(iov, BigInt(buf.addr));
      m.writeU64(iov + 8, 8192n);
      checks.push({
        what: 'IORING_REGISTER_FILES',
        expected: '0',
        actual: String(await ring.register(IORING_REGISTER_FILES, fds, 1)),
      });
      checks.push({
        what: 'IORING_REGISTER_BUFFERS',
        expected: '0',
        actual: String(await ring.register(IORING_REGISTER_BUFFERS, iov, 1)),
      });
      // Slot 0 of the file table, registered buffer 0: write its first 4 KiB, sync, read them back into its second half.
      prepRw(IORING_OP_WRITE_FIXED, ring.getSqe()!, 0, buf.addr, 4096, 0)
        .setUserData(1)
        .setFlags(IOSQE_FIXED_FILE | IOSQE_IO_LINK);
      prepFsync(ring.getSqe()!, 0)
        .setUserData(2)
        .setFlags(IOSQE_FIXED_FILE | IOSQE_IO_LINK);
      prepRw(IORING_OP_READ_FIXED, ring.getSqe()!, 0, buf.addr + 4096, 4096, 0)
        .setUserData(3)
        .setFlags(IOSQE_FIXED_FILE);
      lines.push(`submitted ${ring.submit()} linked SQEs: WRITE_FIXED(1) -> FSYNC(2) -> READ_FIXED(3)`);
      const got: string[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await ring.waitCqe();
        lines.push(cqeLine(c.userData, c.res, c.flags));
        got.push(`${c.userData}:${c.res}`);
        ring.cqeSeen(c);
      }
      checks.push({
        what: 'CQEs (ud:res) in chain order',
        expected: '1:4096 2:0 3:4096',
        actual: got.join(' '),
      });
      const same = buf.bytes.subarray(4096).every((b) => b === 0xae);
      checks.push({
        what: 'bytes read back',
        expected: '4096 x 0xae',
        actual: same ? '4096 x 0xae' : 'different',
      });
      const onDisk = fs.readFileSync(file);
      checks.push({
        what: 'file on disk',
        expected: '4096 x 0xae',
        actual:
          onDisk.length === 4096 && onDisk.every((b) => b === 0xae)
            ? '4096 x 0xae'
            : `${onDisk.length} bytes, different`,
      });
    } finally {
      await ring.close();
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return { lines, checks };
  },
};

export const EXAMPLES: readonly Example[] = [
  multiCq,
  links,
  overflow,
  fileIo,
  ...RFC_EXAMPLES,
  copyExample,
  pipelineExample,
];
