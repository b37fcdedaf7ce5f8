/**
 * The SQE prep helpers of include/uring_bpf.h build the same 64 bytes as src/liburing/prep.ts.
 *
 * Two builds of the C helpers are checked against the TypeScript ones given the same calls:
 *  - the host build: tools/sdk/sdk_prep.c runs each line of CASES (helper, arguments, setters) on an
 *    SQE full of 0xa5 and prints the result; its output is committed as test/golden/sdk/prep.txt,
 *    regenerated and compared when a host compiler is present (UPDATE_GOLDEN=1 rewrites it);
 *  - the BPF build: test/fixtures/sdk/preps.v3.o / v4.o, run in the interpreter, queue one SQE per
 *    helper; PREPS_BPF lists the same calls.
 * The TypeScript side starts from a zeroed SQE: the C helpers must zero everything they do not set,
 * user_data and cq_idx included.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import { decodeInsns } from '../src/ebpf/insn.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import {
  prepBpf,
  prepCancel,
  prepClose,
  prepFsync,
  prepLinkTimeout,
  prepNop,
  prepOpenat,
  prepRead,
  prepReadv,
  prepRw,
  prepTimeout,
  prepTimeoutRemove,
  prepWrite,
  prepWritev,
} from '../src/liburing/prep.js';
import { Sqe } from '../src/liburing/sqe.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { BPF_FUNC_iouring_queue_sqe } from '../src/uapi/bpf.js';
import { AT_FDCWD, O_CREAT, O_TRUNC, O_WRONLY } from '../src/uapi/fs.js';
import {
  IORING_FSYNC_DATASYNC,
  IORING_OP_WRITE,
  IORING_TIMEOUT_ABS,
  IOSQE_FIXED_FILE,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
} from '../src/uapi/io_uring.js';
import { IO_URING_SQE } from '../src/uapi/layout.js';
import { perEngine } from './engines.js';
import {
  CPUS,
  fixtureObject,
  GOLDEN_DIR,
  HOST_CC,
  hex,
  readElf,
  runHostTool,
  UPDATE_GOLDEN,
} from './sdk-common.js';

/* ------------------------------------------------------------------ the TypeScript model */

const mem = new AddressSpace({ size: 1 << 20 });
const SQE = new Sqe(mem, mem.alloc(IO_URING_SQE.size, 64), 0);

/** A token of a case line: decimal or 0x hex, maybe negative (no leading zeros: C would read octal). */
function num(t: string): bigint {
  if (!/^-?(0|[1-9]\d*|0x[0-9a-f]+)$/i.test(t)) throw new Error(`bad number '${t}' in a case line`);
  return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
}
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
const i32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
/** An address for the prep functions that take a number. */
function addr(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new Error(`address ${v} is not a safe integer: use rw for 64-bit addresses`);
  return n;
}

type Prep = (s: Sqe, a: readonly bigint[]) => unknown;
const A = (a: readonly bigint[], k: number): bigint => a[k]!;

/** Each helper of the header and the TypeScript call it must match, with its number of arguments. */
const PREPS: Readonly<Record<string, readonly [number, Prep]>> = {
  rw: [5, (s, a) => prepRw(u32(A(a, 0)), s, i32(A(a, 1)), u64(A(a, 2)), u32(A(a, 3)), u64(A(a, 4)))],
  nop: [0, (s) => prepNop(s)],
  read: [4, (s, a) => prepRead(s, i32(A(a, 0)), addr(A(a, 1)), u32(A(a, 2)), u64(A(a, 3)))],
  write: [4, (s, a) => prepWrite(s, i32(A(a, 0)), addr(A(a, 1)), u32(A(a, 2)), u64(A(a, 3)))],
  readv: [4, (s, a) => prepReadv(s, i32(A(a, 0)), addr(A(a, 1)), u32(A(a, 2)), u64(A(a, 3)))],
  writev: [4, (s, a) => prepWritev(s, i32(A(a, 0)), addr(A(a, 1)), u32(A(a, 2)), u64(A(a, 3)))],
  timeout: [3, (s, a) => prepTimeout(s, addr(A(a, 0)), u32(A(a, 1)), u32(A(a, 2)))],
  timeout_remove: [2, (s, a) => prepTimeoutRemove(s, u64(A(a, 0)), u32(A(a, 1)))],
  link_timeout: [2, (s, a) => prepLinkTimeout(s, addr(A(a, 0)), u32(A(a, 1)))],
  cancel: [2, (s, a) => prepCancel(s, u64(A(a, 0)), i32(A(a, 1)))],
  cancel64: [2, (s, a) => prepCancel(s, u64(A(a, 0)), i32(A(a, 1)))],
  fsync: [2, (s, a) => prepFsync(s, i32(A(a, 0)), u32(A(a, 1)))],
  openat: [4, (s, a) => prepOpenat(s, i32(A(a, 0)), addr(A(a, 1)), i32(A(a, 2)), u32(A(a, 3)))],
  close: [1, (s, a) => prepClose(s, i32(A(a, 0)))],
  bpf: [1, (s, a) => prepBpf(s, u32(A(a, 0)))],
};

/** The SQE src/liburing builds for one case line, as hex. */
function tsSqe(line: string): string {
  const [op, ...toks] = line.split(' ');
  const prep = PREPS[op!];
  if (prep === undefined) throw new Error(`unknown helper in '${line}'`);
  const args = toks.filter((t) => !t.includes('=')).map(num);
  if (args.length !== prep[0]) throw new Error(`'${line}': ${op} takes ${prep[0]} arguments`);
  SQE.clear();
  prep[1](SQE, args);
  for (const t of toks.filter((x) => x.includes('='))) {
    const [k, v] = t.split('=') as [string, string];
    if (k === 'ud' || k === 'data') SQE.setUserData(u64(num(v)));
    else if (k === 'flags') SQE.setFlags(Number(num(v)));
    else if (k === 'cq') SQE.setCqIdx(Number(num(v)));
    else throw new Error(`unknown setter in '${line}'`);
  }
  return hex(mem.readBytes(SQE.addr, IO_URING_SQE.size));
}

/* ------------------------------------------------------------------ the cases */

const x = (n: number | bigint): string => `0x${n.toString(16)}`;

/** The calls test/fixtures/sdk/preps.bpf.c makes, in its order, with ctx->user_data = base. */
function PREPS_BPF(base: number): string[] {
  const at = (off: number): string => x(base + off);
  return [
    'nop ud=1',
    `rw ${IORING_OP_WRITE} 5 ${at(0x100)} 512 0x123456789a ud=0x1122334455667788 flags=${IOSQE_IO_LINK}`,
    `read 3 ${at(0x200)} 4096 -1 cq=2`,
    `write 4 ${at(0x300)} 100 8192 flags=${IOSQE_FIXED_FILE}`,
    `readv 6 ${at(0x400)} 3 0`,
    `writev 7 ${at(0x500)} 2 4096 ud=9`,
    `timeout ${at(0x600)} 3 ${IORING_TIMEOUT_ABS} ud=10 cq=1`,
    'timeout_remove 10 0',
    `link_timeout ${at(0x600)} 0 flags=${IOSQE_IO_HARDLINK}`,
    'cancel64 0xdeadbeefcafef00d 0',
    `cancel ${at(0x700)} 0`,
    `fsync 8 ${IORING_FSYNC_DATASYNC}`,
    `openat ${AT_FDCWD} ${at(0x800)} ${O_WRONLY | O_CREAT | O_TRUNC} 420`,
    'close 9 cq=0xffff',
    `bpf 3 data=${at(0x900)} cq=2`,
  ];
}

const BPF_BASE = 0x7f12_3456_0000;

const CASES: readonly string[] = [
  'nop',
  'nop ud=0xffffffffffffffff flags=0xff cq=0xffff',
  'rw 23 5 0xfedcba9876543210 0xffffffff 0x8000000000000000',
  'rw 0 -100 0 0 0 data=0x1234',
  'read 3 0x10000 4096 -1 ud=5 cq=2',
  'read -1 0x1fffffffffffff 0 0',
  'write 4 0x20000 100 8192 flags=1',
  'readv 6 0x30000 3 0',
  'writev 7 0x30040 1024 0xffffffff00000000 ud=9',
  'timeout 0x40000 0 0',
  'timeout 0x40000 0xffffffff 2',
  'timeout_remove 0xffffffffffffffff 0',
  'link_timeout 0x40010 1',
  'cancel 0x8000000000000001 0',
  'cancel64 0x123 -1',
  'fsync 8 0',
  'openat 3 0x50000 0 0 cq=1',
  'close -1',
  'bpf 0',
  'bpf 0xffffffff ud=7 flags=4',
  ...PREPS_BPF(BPF_BASE),
];

const loadProgram = perEngine(suite);

function suite(eng: EngineKind): void {
  void eng;
  test('the cases use every helper of the header (and the setters)', () => {
    const used = new Set(CASES.map((l) => l.split(' ')[0]));
    assert.deepEqual([...used].sort(), Object.keys(PREPS).sort());
    for (const s of ['ud=', 'data=', 'flags=', 'cq='])
      assert.ok(
        CASES.some((l) => l.includes(` ${s}`)),
        s,
      );
  });

  /* ------------------------------------------------------------------ the host build */

  const GOLDEN = join(GOLDEN_DIR, 'prep.txt');
  const INPUT = `${CASES.join('\n')}\n`;
  if (UPDATE_GOLDEN) {
    if (HOST_CC === null)
      throw new Error('UPDATE_GOLDEN=1 needs gcc or clang-19 to build tools/sdk/sdk_prep.c');
    writeFileSync(GOLDEN, runHostTool('sdk_prep', INPUT));
  }
  const GOLDEN_TEXT = readFileSync(GOLDEN, 'utf8');

  /** Lines `case<TAB>hex` of the harness output. */
  function parseOutput(text: string): Array<readonly [string, string]> {
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [c, h] = l.split('\t');
        if (c === undefined || h === undefined || !/^[0-9a-f]{128}$/.test(h))
          throw new Error(`${GOLDEN}: cannot parse '${l}'`);
        return [c, h] as const;
      });
  }

  test(
    'the golden equals what tools/sdk/sdk_prep.c prints for the cases when built here',
    { skip: HOST_CC !== null ? false : 'needs gcc or clang-19' },
    () => {
      assert.equal(
        runHostTool('sdk_prep', INPUT),
        GOLDEN_TEXT,
        `${GOLDEN} is stale: regenerate with UPDATE_GOLDEN=1`,
      );
    },
  );

  test('the golden holds exactly the cases, in order', () => {
    assert.deepEqual(
      parseOutput(GOLDEN_TEXT).map(([c]) => c),
      CASES,
    );
  });

  test('every C prep helper (host build) writes the 64 bytes src/liburing/prep.ts writes', () => {
    const diffs = parseOutput(GOLDEN_TEXT)
      .map(([c, h]) => ({ c, h, ts: tsSqe(c) }))
      .filter((d) => d.h !== d.ts)
      .map((d) => `${d.c}\n  C  ${d.h}\n  TS ${d.ts}`);
    assert.deepEqual(diffs, []);
  });

  test('the comparison sees a single wrong byte (self-test)', () => {
    const [c, h] = parseOutput(GOLDEN_TEXT)[2]!;
    assert.equal(tsSqe(c), h);
    assert.notEqual(tsSqe(c.replace('0xffffffff ', '0xfffffffe ')), h);
    assert.notEqual(tsSqe(`${c} cq=1`), h);
  });

  /* ------------------------------------------------------------------ the BPF build */

  /** Run the program of preps.<cpu>.o with ctx->user_data = base; the SQEs it queues, as hex. */
  function runPrepsObject(path: string, base: number): string[] {
    const obj = readElf(new Uint8Array(readFileSync(path)), path);
    const sec = obj.sections.find((s) => s.name === 'iouring.s/preps');
    assert.ok(sec !== undefined, `${path} has no section iouring.s/preps`);
    const queued: string[] = [];
    const bpfMem = new AddressSpace({ size: 1 << 20 });
    const ctx = bpfMem.alloc(16);
    bpfMem.writeU64(ctx, BigInt(base));
    const helpers = new HelperRegistry().register({
      id: BPF_FUNC_iouring_queue_sqe,
      name: 'iouring_queue_sqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE'],
      ret: 'RET_INTEGER',
      sleepableOnly: true,
      gplOnly: false,
      impl: (env, r1, r2, r3) => {
        assert.equal(r1, BigInt(ctx));
        assert.equal(r3, BigInt(IO_URING_SQE.size));
        queued.push(hex(env.mem.readBytes(Number(r2), IO_URING_SQE.size)));
        return 1n;
      },
    });
    const { r0 } = loadProgram(decodeInsns(sec.data), { helpers, budget: 100_000 }).run({
      mem: bpfMem,
      r1: ctx,
      regions: [{ addr: ctx, size: 16, name: 'ctx' }],
    });
    assert.equal(r0, 0n);
    return queued;
  }

  for (const cpu of CPUS) {
    test(`every C prep helper compiled for BPF (preps.${cpu}.o, interpreted) queues the SQE src/liburing/prep.ts builds`, () => {
      const lines = PREPS_BPF(BPF_BASE);
      const got = runPrepsObject(fixtureObject('preps', cpu), BPF_BASE);
      assert.equal(got.length, lines.length, 'SQEs queued');
      const diffs = lines
        .map((c, i) => ({ c, bpf: got[i], ts: tsSqe(c) }))
        .filter((d) => d.bpf !== d.ts)
        .map((d) => `${d.c}\n  BPF ${d.bpf}\n  TS  ${d.ts}`);
      assert.deepEqual(diffs, []);
    });
  }
}
