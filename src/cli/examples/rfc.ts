/**
 * The RFC v2 liburing `ebpf_v2` examples (spec §7) for `uring-bpf examples`: rfc-test1..rfc-test4
 * run the programs of examples/rfc/uring.bpf.o as the RFC's userspace does (each on its own ring
 * with a fresh load of the object, the table [test, counting, pingpong, write_file] in slots 0..3)
 * and print the RFC's lines; rfc-asm is examples/io_uring-bpf-asm.c (§7.6), a program given as raw
 * instructions. Every printed line is checked against §7's expected text, the real addresses put in.
 * What each program does, run by run: examples/rfc/README.md.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Insn } from '../../ebpf/insn.js';
import { allocBuffer } from '../../liburing/buffer.js';
import { prepBpf, prepNop } from '../../liburing/prep.js';
import { IoUring } from '../../liburing/ring.js';
import type { Sqe } from '../../liburing/sqe.js';
import {
  BPF_ADD,
  BPF_ALU64,
  BPF_ANY,
  BPF_B,
  BPF_CALL,
  BPF_DW,
  BPF_EXIT,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_map_update_elem,
  BPF_IMM,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_MAP_TYPE_ARRAY,
  BPF_MEM,
  BPF_MOV,
  BPF_PROG_TYPE_IOURING,
  BPF_PSEUDO_MAP_FD,
  BPF_ST,
  BPF_STX,
  BPF_W,
  BPF_X,
} from '../../uapi/bpf.js';
import { IORING_REGISTER_FILES } from '../../uapi/io_uring.js';
import { KERNEL_TIMESPEC } from '../../uapi/layout.js';
import type { BpfLoaded } from '../../uring/bpf/load.js';
import { Runtime } from '../../uring/runtime.js';
import { examplesRoot } from './common.js';
import type { Example, ExampleOptions, ExampleResult } from './example.js';

/** The package's examples/rfc/uring.bpf.o. */
export const RFC_OBJECT = path.join(examplesRoot(), 'rfc', 'uring.bpf.o');

/* uring.h */
const FILL_BLOCKS = 16;
const FILL_BLOCK_SIZE = 16384;
const FILL_FSIZE = FILL_BLOCKS * FILL_BLOCK_SIZE;

function newRuntime(): Runtime {
  return new Runtime({ size: 4 * 1024 * 1024 });
}

/** The printed lines, each checked against the text §7 expects; plus checks of other results. */
class Output {
  readonly lines: string[] = [];
  readonly checks: ExampleResult['checks'] = [];

  /** Print `actual`, checked against `expected`. */
  line(what: string, actual: string, expected: string): void {
    this.lines.push(actual);
    this.checks.push({ what, expected, actual });
  }

  check(what: string, actual: string, expected: string): void {
    this.checks.push({ what, expected, actual });
  }

  result(): ExampleResult {
    return { lines: this.lines, checks: this.checks };
  }
}

/**
 * ring_prep(): 8 entries, nr_cq 2 with cq_sizes {128, 128}; a fresh load of uring.bpf.o (so `arr`
 * starts zeroed); the table [test, counting, pingpong, write_file] registered as slots 0..3.
 */
async function ringPrep(rt: Runtime, opts: ExampleOptions = {}): Promise<{ ring: IoUring; obj: BpfLoaded }> {
  const ring = IoUring.queueInit(8, { cqSizes: [128, 128], runtime: rt });
  const obj = rt.bpfLoad(
    fs.readFileSync(RFC_OBJECT),
    opts.engine === undefined ? {} : { engine: opts.engine },
  );
  const r = await ring.registerBpf(['test', 'counting', 'pingpong', 'write_file'].map((n) => obj.progFd(n)));
  if (r !== 0) throw new Error(`IORING_REGISTER_BPF: expected 0, got ${r}`);
  return { ring, obj };
}

/** io_uring_prep_bpf(sqe, slot) with user_data. */
function bpfSqe(ring: IoUring, slot: number, userData: number | bigint): Sqe {
  const sqe = ring.getSqe();
  if (sqe === null) throw new Error('SQ full');
  return prepBpf(sqe, slot).setUserData(userData);
}

/** print_map(10): values 0..9 as `%lu ` (the RFC's trailing space trimmed). */
function mapLine(obj: BpfLoaded): string {
  const values = obj.arrayMap('arr').u64;
  return Array.from({ length: 10 }, (_, k) => BigInt.asUintN(64, values.get(k) ?? -1n).toString()).join(' ');
}

/** Wait for one CQE on CQ 0 and print it as `ret %i, udata %lu`, checked against `expected`. */
async function retLine(out: Output, ring: IoUring, what: string, expected: string): Promise<void> {
  const c = await ring.waitCqe(0);
  out.line(what, `ret ${c.res}, udata ${c.userData}`, expected);
  ring.cqeSeen(c);
}

/** §7.1 test1: the feature tour (slot 0, `test`). */
const test1: Example = {
  name: 'rfc-test1',
  summary:
    'RFC test1: a BPF request (slot 0) emits CQEs to CQ 0 and 1, reaps CQ 1, queues a NOP, swaps a user secret 29 -> 31, waits for a CQE and runs again',
  async run(opts) {
    const out = new Output();
    const { ring, obj } = await ringPrep(newRuntime(), opts);
    try {
      const secret = ring.mem.alloc(8);
      ring.mem.writeU64(secret, 29n);
      bpfSqe(ring, 0, secret);
      out.check('io_uring_submit', String(ring.submit()), '1');
      await new Promise((r) => setTimeout(r, 1000)); // the RFC's sleep(1)
      await ring.waitCqe(0);
      const expected = [
        'CQE user_data 3, res 13 flags 0',
        'CQE user_data 2, res 0 flags 0',
        `CQE user_data ${secret}, res 0 flags 0`,
      ];
      let i = 0;
      for (let c = ring.peekCqe(0); c !== null; c = ring.peekCqe(0), i++) {
        const text = `CQE user_data ${c.userData}, res ${c.res} flags ${c.flags}`;
        out.line(`CQ 0 CQE ${i + 1}`, text, expected[i] ?? '(no more CQEs)');
        ring.cqeSeen(c);
      }
      for (; i < expected.length; i++) out.check(`CQ 0 CQE ${i + 1}`, '(missing)', expected[i]!);
      out.line('map', mapLine(obj), `11 4 5 21 ${secret} 29 0 0 0 0`);
      out.line('secret', `new secret ${ring.mem.readU64(secret)}`, 'new secret 31');
      ring.mem.free(secret);
    } finally {
      await ring.close();
      obj.close();
    }
    return out.result();
  },
};

/** §7.2 test2: counting (slot 1): 11 timeouts of 200 ms on CQ 1, one per run. */
const test2: Example = {
  name: 'rfc-test2',
  summary:
    'RFC test2: a BPF request (slot 1) ticks 11 times, each run arming a 200 ms TIMEOUT on CQ 1 and sleeping until its CQE (about 2.2 s)',
  async run(opts) {
    const out = new Output();
    const { ring, obj } = await ringPrep(newRuntime(), opts);
    try {
      const b = ring.mem.alloc(KERNEL_TIMESPEC.size);
      ring.mem.writeU64(b, 0n); // tv_sec
      ring.mem.writeU64(b + 8, 200_000_000n); // tv_nsec
      bpfSqe(ring, 1, b);
      const t0 = process.hrtime.bigint();
      out.check('io_uring_submit', String(ring.submit()), '1');
      await retLine(out, ring, 'request CQE', `ret 0, udata ${b}`);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      out.line('map', mapLine(obj), '11 5 0 0 0 0 0 0 0 0');
      out.check(
        'completes after 11 timeouts of 200 ms',
        ms >= 2000 ? 'after at least 2000 ms' : `after ${ms.toFixed(1)} ms`,
        'after at least 2000 ms',
      );
      ring.mem.free(b);
    } finally {
      await ring.close();
      obj.close();
    }
    return out.result();
  },
};

/** §7.3 test3: pingpong (slot 2 twice): two BPF requests bounce a counter through CQ 1 and CQ 2. */
const test3: Example = {
  name: 'rfc-test3',
  summary:
    'RFC test3: two BPF requests (slot 2 twice) bounce a counter 0..21 between CQ 1 and CQ 2 with emit/reap, kicked off by a NOP on CQ 1',
  async run(opts) {
    const out = new Output();
    const { ring, obj } = await ringPrep(newRuntime(), opts);
    try {
      const uctx = ring.mem.alloc(8, 4); // struct ping_ctx uctx[2] = {{0}, {1}}
      const u0 = uctx;
      const u1 = uctx + 4;
      ring.mem.writeI32(u0, 0);
      ring.mem.writeI32(u1, 1);
      bpfSqe(ring, 2, u0);
      bpfSqe(ring, 2, u1);
      const nop = ring.getSqe();
      if (nop === null) throw new Error('SQ full');
      prepNop(nop).setUserData(0).setCqIdx(1);
      out.check('io_uring_submit', String(ring.submit()), '3');
      await retLine(out, ring, 'first request CQE', `ret 0, udata ${u0}`);
      await retLine(out, ring, 'second request CQE', `ret 0, udata ${u1}`);
      out.line('map', mapLine(obj), '1 1 0 0 0 20 21 0 0 0');
      ring.mem.free(uctx);
    } finally {
      await ring.close();
      obj.close();
    }
    return out.result();
  },
};

/** §7.4 test4: write_file (slot 3): 16 writes of 16 KiB at queue depth 4, queued by BPF. */
const test4: Example = {
  name: 'rfc-test4',
  summary:
    'RFC test4: a BPF request (slot 3) writes 256 KiB of 0xAE to fixed file 0 in 16 WRITEs of 16 KiB, at most 4 in flight, reaping them from CQ 1',
  async run(opts) {
    const out = new Output();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-bpf-rfc-'));
    const file = path.join(dir, 'bpf_file');
    const fd = fs.openSync(file, 'w+');
    fs.rmSync(dir, { recursive: true, force: true }); // unlinked once open, as the RFC does
    try {
      const { ring, obj } = await ringPrep(newRuntime(), opts);
      try {
        const buf = allocBuffer(ring.mem, FILL_FSIZE, 4096);
        buf.bytes.fill(0xae);
        const fds = ring.mem.alloc(4);
        ring.mem.writeI32(fds, fd);
        out.check('IORING_REGISTER_FILES', String(await ring.register(IORING_REGISTER_FILES, fds, 1)), '0');
        ring.mem.free(fds);
        bpfSqe(ring, 3, buf.addr);
        out.check('io_uring_submit', String(ring.submit()), '1');
        await retLine(out, ring, 'request CQE', `ret 0, udata ${buf.addr}`);
        out.line('map', mapLine(obj), '0 16 0 0 0 0 0 0 0 0');
        buf.free();
      } finally {
        await ring.close();
        obj.close();
      }
      // Read the file back in FILL_BLOCKS blocks of FILL_BLOCK_SIZE: every byte 0xAE.
      const block = Buffer.alloc(FILL_BLOCK_SIZE);
      let good = 0;
      for (let i = 0; i < FILL_BLOCKS; i++) {
        const n = fs.readSync(fd, block, 0, FILL_BLOCK_SIZE, i * FILL_BLOCK_SIZE);
        if (n === FILL_BLOCK_SIZE && block.every((x) => x === 0xae)) good++;
      }
      const size = fs.fstatSync(fd).size;
      out.check(
        'file content',
        `${size} bytes, ${good} of ${FILL_BLOCKS} blocks all 0xae`,
        `${FILL_FSIZE} bytes, ${FILL_BLOCKS} of ${FILL_BLOCKS} blocks all 0xae`,
      );
    } finally {
      fs.closeSync(fd);
    }
    return out.result();
  },
};

/* ------------------------------------------------------------------ §7.6: raw instructions */

const R0 = 0;
const R1 = 1;
const R2 = 2;
const R3 = 3;
const R4 = 4;
const R6 = 6;
const R10 = 10;

/* The kernel's instruction macros (include/linux/filter.h), as Insn values. */
const movImm = (dst: number, imm: number): Insn => ({
  code: BPF_ALU64 | BPF_MOV | BPF_K,
  dst,
  src: 0,
  off: 0,
  imm,
});
const movReg = (dst: number, src: number): Insn => ({
  code: BPF_ALU64 | BPF_MOV | BPF_X,
  dst,
  src,
  off: 0,
  imm: 0,
});
const addImm = (dst: number, imm: number): Insn => ({
  code: BPF_ALU64 | BPF_ADD | BPF_K,
  dst,
  src: 0,
  off: 0,
  imm,
});
const stMem = (size: number, dst: number, off: number, imm: number): Insn => ({
  code: BPF_ST | size | BPF_MEM,
  dst,
  src: 0,
  off,
  imm,
});
const stxMem = (size: number, dst: number, src: number, off: number): Insn => ({
  code: BPF_STX | size | BPF_MEM,
  dst,
  src,
  off,
  imm: 0,
});
/** BPF_LD_MAP_FD: a two-slot lddw naming a map (here by its id in the runtime's map table). */
const ldMapFd = (dst: number, mapId: number): Insn[] => [
  { code: BPF_LD | BPF_DW | BPF_IMM, dst, src: BPF_PSEUDO_MAP_FD, off: 0, imm: mapId },
  { code: 0, dst: 0, src: 0, off: 0, imm: 0 },
];
const call = (helper: number): Insn => ({ code: BPF_JMP | BPF_CALL, dst: 0, src: 0, off: 0, imm: helper });
const exit = (): Insn => ({ code: BPF_JMP | BPF_EXIT, dst: 0, src: 0, off: 0, imm: 0 });

/** The opcode the example's SQE carries: none (IORING_OP_LAST is far below it). */
const INVALID_OPCODE = 244;

/**
 * The program of io_uring-bpf-asm.c: a zeroed SQE at r10-64 with opcode 244 and user_data 60,
 * iouring_queue_sqe(ctx, sqe, 64), then arr[0] = its result; return 0.
 */
function asmProgram(mapId: number): Insn[] {
  const sqe = -64;
  return [
    movReg(R6, R1),
    ...Array.from({ length: 8 }, (_, i) => stMem(BPF_DW, R10, sqe + 8 * i, 0)),
    stMem(BPF_B, R10, sqe, INVALID_OPCODE), // sqe->opcode (byte 0)
    stMem(BPF_DW, R10, sqe + 32, 60), // sqe->user_data (byte 32)
    movReg(R1, R6),
    movReg(R2, R10),
    addImm(R2, sqe),
    movImm(R3, 64),
    call(BPF_FUNC_iouring_queue_sqe),
    stxMem(BPF_DW, R10, R0, -72), // value = r0
    stMem(BPF_W, R10, -76, 0), // key = 0
    ...ldMapFd(R1, mapId),
    movReg(R2, R10),
    addImm(R2, -76),
    movReg(R3, R10),
    addImm(R3, -72),
    movImm(R4, BPF_ANY),
    call(BPF_FUNC_map_update_elem),
    movImm(R0, 0),
    exit(),
  ];
}

/** §7.6 io_uring-bpf-asm.c: a sleepable program from raw instructions queues an invalid SQE. */
const asm: Example = {
  name: 'rfc-asm',
  summary:
    'RFC io_uring-bpf-asm: a program given as raw instructions (slot 1 of 3) queues an SQE with opcode 244; it fails {60, -22} on CQ 0 and the helper returns 0',
  async run(opts = {}) {
    const out = new Output();
    const rt = newRuntime();
    const ring = IoUring.queueInit(8, { cqSizes: [128], runtime: rt });
    const map = rt.bpfMaps.create({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 256 });
    try {
      const fd = rt.bpfProgLoad({
        insns: asmProgram(map.id),
        type: BPF_PROG_TYPE_IOURING,
        sleepable: true,
        name: 'asm',
        ...(opts.engine === undefined ? {} : { engine: opts.engine }),
      });
      out.check('IORING_REGISTER_BPF of 3 slots', String(await ring.registerBpf([fd, fd, fd])), '0');
      bpfSqe(ring, 1, 13);
      out.check('io_uring_submit', String(ring.submit()), '1');
      const c = await ring.waitCqe(0);
      out.line('first CQE', `compl ud ${c.userData} | res ${c.res}`, 'compl ud 60 | res -22');
      ring.cqeSeen(c);
      const values = Array.from({ length: 10 }, (_, k) =>
        BigInt.asUintN(64, map.u64.get(k) ?? -1n).toString(),
      );
      out.line('map', values.join(' '), '0 0 0 0 0 0 0 0 0 0');
      // Not printed by the RFC (it waits for one CQE only): the BPF request's own completion.
      const done = await ring.waitCqe(0);
      out.check('the BPF request completes', `{${done.userData}, ${done.res}}`, '{13, 0}');
      ring.cqeSeen(done);
    } finally {
      await ring.close();
      rt.bpfMaps.close(map.id);
    }
    return out.result();
  },
};

/** The RFC's examples, in the RFC's order. */
export const RFC_EXAMPLES: readonly Example[] = [test1, test2, test3, test4, asm];
