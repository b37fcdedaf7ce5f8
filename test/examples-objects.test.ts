/**
 * examples/copy/ and examples/pipeline/: the committed objects parse to one sleepable program each in
 * its iouring.s/ section, with the maps and globals their READMEs document; the programs call only
 * helpers 1, 2, 148, 164, 165, 166, 167 (or local functions); rebuilding them with their build.sh
 * (when clang-19 is installed) gives the same code; copy.h and pipeline.h lay out what the drivers
 * mirror (when gcc is installed); and, run in the interpreter against a small model of an RFC v2
 * ring (CQs, the BPF request's run/wait cycle, NOP/OPENAT/READ/WRITE/CLOSE on in-memory files),
 * each program produces the CQE and map traces its README gives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import { encodeInsns } from '../src/ebpf/insn.js';
import { BpfObject, type LoadedObject } from '../src/ebpf/loader.js';
import { registerMapHelpers } from '../src/ebpf/map-helpers.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import type { ObjectFile } from '../src/ebpf/object/types.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_CALL,
  BPF_F_MMAPABLE,
  BPF_F_RDONLY_PROG,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_copy_to_user,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_reap_cqe,
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_JMP,
  BPF_MAP_TYPE_ARRAY,
  BPF_PROG_TYPE_IOURING,
  BPF_PSEUDO_CALL,
} from '../src/uapi/bpf.js';
import { EBADF, EINVAL, EIO, ENOENT } from '../src/uapi/errno.js';
import {
  IORING_OP_CLOSE,
  IORING_OP_NOP,
  IORING_OP_OPENAT,
  IORING_OP_READ,
  IORING_OP_WRITE,
} from '../src/uapi/io_uring.js';
import { modelHelpers } from './bpf-model.js';
import { engineSuites } from './engines.js';
import { hasTool, repoRoot, runTool } from './helpers.js';

const ROOT = repoRoot();
const CALL = BPF_JMP | BPF_CALL;
const ALLOWED_HELPERS = new Set([
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_reap_cqe,
  BPF_FUNC_copy_to_user,
]);

interface Example {
  readonly dir: string;
  readonly object: string;
  readonly program: string;
  /** The helpers the program calls, sorted. */
  readonly helpers: readonly number[];
}

const EXAMPLES: readonly Example[] = [
  { dir: 'copy', object: 'copy.bpf.o', program: 'copy', helpers: [1, 148, 164, 166] },
  { dir: 'pipeline', object: 'pipeline.bpf.o', program: 'pipeline', helpers: [1, 164, 166] },
];

const has = (cmd: string): boolean => hasTool(cmd);
const HAVE_CLANG = has('clang-19');
const HAVE_GCC = has('gcc');

const tmp = mkdtempSync(join(tmpdir(), 'uring-bpf-examples-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const run = (cmd: string, args: readonly string[]): string => runTool(cmd, args, { cwd: ROOT });

const objectPath = (e: Example): string => join(ROOT, 'examples', e.dir, e.object);
const committed = (e: Example): ObjectFile => parseObject(readFileSync(objectPath(e)));

for (const e of EXAMPLES) {
  test(`${e.object} holds one sleepable program ${e.program} in section iouring.s/${e.program}, license GPL`, () => {
    const o = committed(e);
    assert.deepEqual(
      o.programs.map((p) => [p.name, p.section, p.sectionKind, p.type, p.sleepable, p.supported]),
      [[e.program, `iouring.s/${e.program}`, 'iouring.s', BPF_PROG_TYPE_IOURING, true, true]],
    );
    assert.equal(o.license, 'GPL');
  });

  test(`${e.object}: every call targets helper 1, 2, 148, 164-167 or a local function; it uses ${e.helpers.join(', ')}`, () => {
    const used = new Set<number>();
    for (const p of committed(e).programs) {
      const starts = new Set(p.funcs.map((f) => f.insnIndex));
      p.insns.forEach((i, at) => {
        if (i.code !== CALL) return;
        if (i.src === BPF_PSEUDO_CALL) {
          assert.ok(starts.has(at + 1 + i.imm), `${p.name}[${at}]: call to a function start`);
          return;
        }
        assert.equal(i.src, 0, `${p.name}[${at}]: helper call`);
        assert.ok(
          ALLOWED_HELPERS.has(i.imm),
          `${p.name}[${at}]: expected an RFC helper, found call ${i.imm}`,
        );
        used.add(i.imm);
      });
    }
    assert.deepEqual(
      [...used].sort((a, b) => a - b),
      [...e.helpers],
    );
  });

  test(
    `rebuilding with examples/${e.dir}/build.sh gives the committed ${e.object}`,
    { skip: HAVE_CLANG ? false : 'clang-19 not installed' },
    () => {
      const out = join(tmp, e.object);
      run('sh', [join(ROOT, 'examples', e.dir, 'build.sh'), out]);
      const rebuilt = parseObject(readFileSync(out));
      const old = committed(e);
      assert.equal(rebuilt.programs.length, old.programs.length);
      rebuilt.programs.forEach((p, k) => {
        const q = old.programs[k]!;
        assert.equal(p.name, q.name);
        assert.equal(
          Buffer.from(encodeInsns(p.insns)).toString('hex'),
          Buffer.from(encodeInsns(q.insns)).toString('hex'),
          `${p.name}: instructions`,
        );
        assert.deepEqual(p.relocs, q.relocs, `${p.name}: relocations`);
      });
      assert.deepEqual(rebuilt.maps, old.maps);
      assert.deepEqual(rebuilt.globals, old.globals);
    },
  );
}

test('copy.bpf.o defines only the map state (ARRAY, u32 key, one 80-byte struct copy_state) and no globals', () => {
  const o = committed(EXAMPLES[0]!);
  assert.deepEqual(
    o.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.section, m.origin]),
    [['state', BPF_MAP_TYPE_ARRAY, 4, 80, 1, 0, '.maps', 'btf']],
  );
  assert.deepEqual(o.globals, []);
});

test('pipeline.bpf.o defines the map counters (ARRAY of 6 u64) and const volatile depth 16, target 1000, nop_cq 1 in .rodata', () => {
  const o = committed(EXAMPLES[1]!);
  assert.deepEqual(
    o.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.section, m.origin]),
    [
      ['counters', BPF_MAP_TYPE_ARRAY, 4, 8, 6, '.maps', 'btf'],
      ['.rodata', BPF_MAP_TYPE_ARRAY, 4, 20, 1, '.rodata', 'global'],
    ],
  );
  assert.equal(o.maps[1]!.flags, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
  assert.equal(o.globals.length, 1);
  const g = o.globals[0]!;
  assert.deepEqual([g.section, g.readonly, g.bss, g.size], ['.rodata', true, false, 20]);
  assert.deepEqual(
    g.variables.map((v) => [v.name, v.offset, v.size, v.constVolatile]),
    [
      ['depth', 0, 4, true],
      ['target', 8, 8, true],
      ['nop_cq', 16, 4, true],
    ],
  );
  const dv = new DataView(g.initial.buffer, g.initial.byteOffset, g.initial.byteLength);
  assert.deepEqual([dv.getUint32(0, true), dv.getBigUint64(8, true), dv.getUint32(16, true)], [16, 1000n, 1]);
});

/** Prints what the drivers mirror of copy.h and pipeline.h, one `name=value` per line. */
const LAYOUT_C = `#include <stddef.h>
#include <stdio.h>
#include "uring_bpf.h"
#include "copy/copy.h"
#include "pipeline/pipeline.h"

#define OFF(s, f) printf(#s "." #f "=%zu %zu\\n", offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define VAL(c) printf(#c "=%llu\\n", (unsigned long long)(c))

int main(void)
{
	VAL(sizeof(struct copy_job));
	OFF(copy_job, paths); OFF(copy_job, buf); OFF(copy_job, buf_size); OFF(copy_job, out_fd);
	OFF(copy_job, nr_files); OFF(copy_job, cq_base);
	VAL(sizeof(struct copy_state));
	OFF(copy_state, stage); OFF(copy_state, file); OFF(copy_state, fd); OFF(copy_state, error);
	OFF(copy_state, err_stage); OFF(copy_state, err_file); OFF(copy_state, chunk);
	OFF(copy_state, chunk_done); OFF(copy_state, in_off); OFF(copy_state, out_off);
	OFF(copy_state, runs); OFF(copy_state, sqes); OFF(copy_state, last_ud); OFF(copy_state, last_res);
	VAL(COPY_IDLE); VAL(COPY_OPEN); VAL(COPY_READ); VAL(COPY_WRITE); VAL(COPY_CLOSE); VAL(COPY_DONE);
	VAL(COPY_NR_CQ); VAL(COPY_UD(3, COPY_WRITE));
	VAL(PL_SUBMITTED); VAL(PL_COMPLETED); VAL(PL_RUNS); VAL(PL_ERRORS); VAL(PL_LAST_ERROR);
	VAL(PL_MAX_INFLIGHT); VAL(PL_NR_COUNTERS); VAL(PL_DEFAULT_DEPTH); VAL(PL_DEFAULT_TARGET);
	VAL(PL_DEFAULT_CQ); VAL(PL_MAX_DEPTH);
	return 0;
}
`;

test(
  'copy.h and pipeline.h: struct layouts, stages and counter slots as the READMEs give them',
  { skip: HAVE_GCC ? false : 'gcc not installed' },
  () => {
    const src = join(tmp, 'examples_layout.c');
    const exe = join(tmp, 'examples_layout');
    writeFileSync(src, LAYOUT_C);
    run('gcc', [
      '-std=gnu11',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      'include',
      '-I',
      'examples',
      '-o',
      exe,
      src,
    ]);
    const facts = Object.fromEntries(
      run(exe, [])
        .trim()
        .split('\n')
        .map((l) => {
          const at = l.indexOf('=');
          return [l.slice(0, at), l.slice(at + 1)];
        }),
    );
    assert.deepEqual(facts, {
      'sizeof(struct copy_job)': '32',
      'copy_job.paths': '0 8',
      'copy_job.buf': '8 8',
      'copy_job.buf_size': '16 4',
      'copy_job.out_fd': '20 4',
      'copy_job.nr_files': '24 4',
      'copy_job.cq_base': '28 4',
      'sizeof(struct copy_state)': '80',
      'copy_state.stage': '0 4',
      'copy_state.file': '4 4',
      'copy_state.fd': '8 4',
      'copy_state.error': '12 4',
      'copy_state.err_stage': '16 4',
      'copy_state.err_file': '20 4',
      'copy_state.chunk': '24 4',
      'copy_state.chunk_done': '28 4',
      'copy_state.in_off': '32 8',
      'copy_state.out_off': '40 8',
      'copy_state.runs': '48 8',
      'copy_state.sqes': '56 8',
      'copy_state.last_ud': '64 8',
      'copy_state.last_res': '72 8',
      COPY_IDLE: '0',
      COPY_OPEN: '1',
      COPY_READ: '2',
      COPY_WRITE: '3',
      COPY_CLOSE: '4',
      COPY_DONE: '5',
      COPY_NR_CQ: '4',
      'COPY_UD(3, COPY_WRITE)': '771',
      PL_SUBMITTED: '0',
      PL_COMPLETED: '1',
      PL_RUNS: '2',
      PL_ERRORS: '3',
      PL_LAST_ERROR: '4',
      PL_MAX_INFLIGHT: '5',
      PL_NR_COUNTERS: '6',
      PL_DEFAULT_DEPTH: '16',
      PL_DEFAULT_TARGET: '1000',
      PL_DEFAULT_CQ: '1',
      PL_MAX_DEPTH: '256',
    });
  },
);

/* ------------------------------------------------------------------ the programs in a model of §4 */

/*
 * A small deterministic model of an RFC v2 ring running one BPF request (§4.4-§4.6): task work is a
 * FIFO; the CQEs of the requests a run queues are posted, in order, when the run ends (every op here
 * completes at once); a run that sets wait_nr is re-run as soon as CQ wait_idx holds that many CQEs;
 * an SQE whose cq_idx the ring lacks is rejected (helper result 0) with {ud, -EINVAL} on CQ 0.
 * Files live in memory; reads and writes may be capped to make them short. Not the runtime.
 */
interface ModelOptions {
  readonly object: string;
  readonly program: string;
  readonly nrCq: number;
  readonly globals?: Readonly<Record<string, number | bigint>>;
  readonly files?: Readonly<Record<string, Uint8Array>>;
  /** Cap on the bytes one READ / WRITE transfers (short reads and writes). */
  readonly maxRead?: number;
  readonly maxWrite?: number;
  /** Files whose READs fail with -EIO. */
  readonly badReads?: readonly string[];
}

const OUT_FD = 100;

class Model {
  readonly mem = new AddressSpace({ size: 4 * 1024 * 1024 });
  readonly cqs: { ud: bigint; res: number }[][];
  /** Every posting in order: `CQ<i> <ud> <res>`. */
  readonly log: string[] = [];
  /** Every SQE queued, in order: `<op> ud <ud> cq <cq>`. */
  readonly sqes: string[] = [];
  readonly obj: LoadedObject;
  out = new Uint8Array(0);
  readonly fds = new Map<number, string>();
  runs = 0;
  readonly #o: ModelOptions;
  readonly #ctx: number;
  #held: { cq: number; ud: bigint; res: number }[] = [];
  #nextFd = 3;

  constructor(o: ModelOptions) {
    this.#o = o;
    this.cqs = Array.from({ length: o.nrCq }, () => []);
    const table = new MapTable(this.mem);
    const helpers = registerMapHelpers(new HelperRegistry(), table);
    for (const def of modelHelpers(this)) helpers.register(def);
    this.#ctx = this.mem.alloc(16);
    const opened = BpfObject.open(join(ROOT, 'examples', o.object));
    for (const [k, v] of Object.entries(o.globals ?? {})) opened.setGlobal(k, v);
    this.obj = opened.load({ mem: this.mem, helpers, maps: table, engine: modelEngine() });
  }

  /** u64 slots 0..n-1 of an array map. */
  u64s(map: string, n: number): bigint[] {
    const a = this.obj.arrayMap(map);
    return Array.from({ length: n }, (_, k) => this.mem.readU64(a.valueAddr(k)));
  }

  /** Run the BPF request with this user_data to its completion; returns the number of runs. */
  runRequest(ud: bigint): number {
    let runs = 0;
    for (;;) {
      runs++;
      this.mem.writeBytes(this.#ctx, new Uint8Array(16));
      this.mem.writeU64(this.#ctx, ud);
      const res = this.obj.program(this.#o.program).run({
        mem: this.mem,
        r1: BigInt(this.#ctx),
        regions: [{ addr: this.#ctx, size: 16, name: 'ctx' }],
      });
      assert.equal(res.r0, 0n, 'the program returns 0');
      for (const h of this.#held.splice(0)) this.post(h.cq, h.ud, h.res);
      const waitNr = this.mem.readU32(this.#ctx + 8);
      const waitIdx = this.mem.readU32(this.#ctx + 12);
      if (waitNr === 0) {
        this.post(0, ud, 0);
        return runs;
      }
      if (waitIdx >= this.cqs.length) {
        this.post(0, ud, -EINVAL);
        return runs;
      }
      if (this.cqs[waitIdx]!.length < waitNr)
        throw new Error(`model: the request would sleep forever (run ${runs})`);
      if (runs > 100_000) throw new Error('model: no completion after 100000 runs');
    }
  }

  post(cq: number, ud: bigint, res: number): void {
    this.cqs[cq]!.push({ ud, res });
    this.log.push(`CQ${cq} ${ud} ${res}`);
  }

  #complete(op: string, cq: number, ud: bigint, res: number): void {
    this.sqes.push(`${op} ud ${ud} cq ${cq}`);
    this.#held.push({ cq, ud, res });
  }

  /** iouring_queue_sqe of the model (bpf-model.ts): every op completes at the end of the run. */
  queueSqe(s: number): bigint {
    const m = this.mem;
    const op = m.readBytes(s, 1)[0]!;
    const fd = m.readI32(s + 4);
    const off = m.readU64(s + 8);
    const addr = Number(m.readU64(s + 16));
    const len = m.readU32(s + 24);
    const ud = m.readU64(s + 32);
    const cq = m.readU16(s + 48);
    if (cq >= this.cqs.length) {
      this.post(0, ud, -EINVAL);
      return 0n;
    }
    const files = this.#o.files ?? {};
    switch (op) {
      case IORING_OP_NOP:
        this.#complete('NOP', cq, ud, 0);
        break;
      case IORING_OP_OPENAT: {
        const path = m.readCString(addr);
        if (files[path] === undefined) this.#complete(`OPENAT ${path}`, cq, ud, -ENOENT);
        else {
          const f = this.#nextFd++;
          this.fds.set(f, path);
          this.#complete(`OPENAT ${path}`, cq, ud, f);
        }
        break;
      }
      case IORING_OP_READ: {
        const name = this.fds.get(fd);
        const data = name === undefined ? undefined : files[name];
        if (data === undefined) this.#complete(`READ ${fd}`, cq, ud, -EBADF);
        else if (this.#o.badReads?.includes(name!)) this.#complete(`READ ${fd}`, cq, ud, -EIO);
        else {
          const at = Math.min(Number(off), data.length);
          const n = Math.min(len, this.#o.maxRead ?? len, data.length - at);
          m.writeBytes(addr, data.subarray(at, at + n));
          this.#complete(`READ ${fd} ${len}@${off}`, cq, ud, n);
        }
        break;
      }
      case IORING_OP_WRITE: {
        if (fd !== OUT_FD) {
          this.#complete(`WRITE ${fd}`, cq, ud, -EBADF);
          break;
        }
        const n = Math.min(len, this.#o.maxWrite ?? len);
        const end = Number(off) + n;
        if (end > this.out.length) {
          const grown = new Uint8Array(end);
          grown.set(this.out);
          this.out = grown;
        }
        this.out.set(m.readBytes(addr, n), Number(off));
        this.#complete(`WRITE ${len}@${off}`, cq, ud, n);
        break;
      }
      case IORING_OP_CLOSE:
        this.#complete(`CLOSE ${fd}`, cq, ud, this.fds.delete(fd) ? 0 : -EBADF);
        break;
      default:
        throw new Error(`model: unexpected opcode ${op}`);
    }
    return 1n;
  }
}

/* ---------------------------------------------------------------- copy */

interface CopyJob {
  readonly paths: readonly string[];
  readonly bufSize: number;
  readonly cqBase?: number;
}

/** Lay out a struct copy_job (copy.h) and its paths in the model's memory; returns its address. */
function copyJob(m: Model, j: CopyJob): bigint {
  const enc = new TextEncoder();
  const table = m.mem.alloc(8 * Math.max(1, j.paths.length));
  j.paths.forEach((p, k) => {
    const s = m.mem.alloc(p.length + 1);
    m.mem.writeBytes(s, enc.encode(`${p}\0`));
    m.mem.writeU64(table + 8 * k, BigInt(s));
  });
  const job = m.mem.alloc(32);
  m.mem.writeU64(job, BigInt(table));
  m.mem.writeU64(job + 8, BigInt(m.mem.alloc(j.bufSize)));
  m.mem.writeU32(job + 16, j.bufSize);
  m.mem.writeU32(job + 20, OUT_FD);
  m.mem.writeU32(job + 24, j.paths.length);
  m.mem.writeU32(job + 28, j.cqBase ?? 1);
  return BigInt(job);
}

/** struct copy_state (copy.h) as the driver will read it. */
function copyState(m: Model): Record<string, number | bigint> {
  const at = m.obj.arrayMap('state').valueAddr(0);
  const r = m.mem;
  return {
    stage: r.readU32(at),
    file: r.readU32(at + 4),
    fd: r.readI32(at + 8),
    error: r.readI32(at + 12),
    errStage: r.readU32(at + 16),
    errFile: r.readU32(at + 20),
    chunk: r.readU32(at + 24),
    chunkDone: r.readU32(at + 28),
    inOff: r.readU64(at + 32),
    outOff: r.readU64(at + 40),
    runs: r.readU64(at + 48),
    sqes: r.readU64(at + 56),
    lastUd: r.readU64(at + 64),
    lastRes: BigInt.asIntN(64, r.readU64(at + 72)),
  };
}

const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, k) => (k * 7 + seed) & 0xff);
const concat = (...a: Uint8Array[]): Uint8Array => Uint8Array.from(a.flatMap((x) => [...x]));
const ud = (file: number, stage: number): bigint => (BigInt(file) << 8n) | BigInt(stage);
const [OPEN, READ, WRITE, CLOSE, DONE] = [1, 2, 3, 4, 5];

// The model runs the object on each engine.
const modelEngine = engineSuites(modelSuite);

function modelSuite(): void {
  test('model: copy concatenates a (10000 bytes), b (empty), c (5000) with 4 KiB reads: 19 SQEs, 20 runs', () => {
    const a = bytes(10000, 1);
    const c = bytes(5000, 2);
    const m = new Model({
      object: 'copy/copy.bpf.o',
      program: 'copy',
      nrCq: 5,
      files: { a, b: new Uint8Array(0), c },
    });
    const job = copyJob(m, { paths: ['a', 'b', 'c'], bufSize: 4096 });
    assert.equal(m.runRequest(job), 20);
    assert.deepEqual(m.out, concat(a, c));
    assert.deepEqual(m.sqes, [
      `OPENAT a ud ${ud(0, OPEN)} cq 1`,
      `READ 3 4096@0 ud ${ud(0, READ)} cq 2`,
      `WRITE 4096@0 ud ${ud(0, WRITE)} cq 3`,
      `READ 3 4096@4096 ud ${ud(0, READ)} cq 2`,
      `WRITE 4096@4096 ud ${ud(0, WRITE)} cq 3`,
      `READ 3 4096@8192 ud ${ud(0, READ)} cq 2`,
      `WRITE 1808@8192 ud ${ud(0, WRITE)} cq 3`,
      `READ 3 4096@10000 ud ${ud(0, READ)} cq 2`,
      `CLOSE 3 ud ${ud(0, CLOSE)} cq 4`,
      `OPENAT b ud ${ud(1, OPEN)} cq 1`,
      `READ 4 4096@0 ud ${ud(1, READ)} cq 2`,
      `CLOSE 4 ud ${ud(1, CLOSE)} cq 4`,
      `OPENAT c ud ${ud(2, OPEN)} cq 1`,
      `READ 5 4096@0 ud ${ud(2, READ)} cq 2`,
      `WRITE 4096@10000 ud ${ud(2, WRITE)} cq 3`,
      `READ 5 4096@4096 ud ${ud(2, READ)} cq 2`,
      `WRITE 904@14096 ud ${ud(2, WRITE)} cq 3`,
      `READ 5 4096@5000 ud ${ud(2, READ)} cq 2`,
      `CLOSE 5 ud ${ud(2, CLOSE)} cq 4`,
    ]);
    // Every CQE, on the CQ of its stage; user_data = file << 8 | stage.
    assert.deepEqual(m.log, [
      ...['CQ1 1 3', 'CQ2 2 4096', 'CQ3 3 4096', 'CQ2 2 4096', 'CQ3 3 4096', 'CQ2 2 1808', 'CQ3 3 1808'],
      ...['CQ2 2 0', 'CQ4 4 0', 'CQ1 257 4', 'CQ2 258 0', 'CQ4 260 0', 'CQ1 513 5', 'CQ2 514 4096'],
      ...['CQ3 515 4096', 'CQ2 514 904', 'CQ3 515 904', 'CQ2 514 0', 'CQ4 516 0', `CQ0 ${job} 0`],
    ]);
    assert.deepEqual(
      m.cqs.map((q) => q.length),
      [1, 0, 0, 0, 0],
    );
    assert.equal(m.fds.size, 0, 'every input closed');
    assert.deepEqual(copyState(m), {
      stage: DONE,
      file: 3,
      fd: 5,
      error: 0,
      errStage: 0,
      errFile: 0,
      chunk: 904,
      chunkDone: 904,
      inOff: 5000n,
      outOff: 15000n,
      runs: 20n,
      sqes: 19n,
      lastUd: ud(2, CLOSE),
      lastRes: 0n,
    });
  });

  test('model: copy resumes short reads (1000 bytes) and short writes (700 bytes) until the file is copied', () => {
    const a = bytes(2500, 3);
    const m = new Model({
      object: 'copy/copy.bpf.o',
      program: 'copy',
      nrCq: 5,
      files: { a },
      maxRead: 1000,
      maxWrite: 700,
    });
    const job = copyJob(m, { paths: ['a'], bufSize: 4096 });
    const runs = m.runRequest(job);
    assert.deepEqual(m.out, a);
    // OPEN, 3 reads of 1000/1000/500 each written as 700+300 / 700+300 / 500, the read of 0, CLOSE.
    assert.deepEqual(
      m.sqes.map((s) => s.split(' ud ')[0]),
      [
        'OPENAT a',
        'READ 3 4096@0',
        'WRITE 1000@0',
        'WRITE 300@700',
        'READ 3 4096@1000',
        'WRITE 1000@1000',
        'WRITE 300@1700',
        'READ 3 4096@2000',
        'WRITE 500@2000',
        'READ 3 4096@2500',
        'CLOSE 3',
      ],
    );
    assert.equal(runs, 12);
    const s = copyState(m);
    assert.deepEqual([s.stage, s.error, s.outOff, s.sqes], [DONE, 0, 2500n, 11n]);
  });

  test('model: copy stops at a missing file: error -ENOENT in OPEN of file 1, the first file copied and closed', () => {
    const a = bytes(100, 4);
    const m = new Model({ object: 'copy/copy.bpf.o', program: 'copy', nrCq: 5, files: { a, c: a } });
    const job = copyJob(m, { paths: ['a', 'missing', 'c'], bufSize: 4096 });
    assert.equal(m.runRequest(job), 7);
    assert.deepEqual(m.out, a);
    assert.equal(m.fds.size, 0);
    assert.deepEqual(m.log.slice(-2), [`CQ1 ${ud(1, OPEN)} -${ENOENT}`, `CQ0 ${job} 0`]);
    const s = copyState(m);
    assert.deepEqual([s.stage, s.error, s.errStage, s.errFile, s.file], [DONE, -ENOENT, OPEN, 1, 1]);
  });

  test('model: copy stops at a failing read: error -EIO in READ, the input closed, then the request completes', () => {
    const m = new Model({
      object: 'copy/copy.bpf.o',
      program: 'copy',
      nrCq: 5,
      files: { a: bytes(10, 5) },
      badReads: ['a'],
    });
    const job = copyJob(m, { paths: ['a', 'a'], bufSize: 64 });
    assert.equal(m.runRequest(job), 4);
    assert.deepEqual(
      m.sqes.map((s) => s.split(' ud ')[0]),
      ['OPENAT a', 'READ 3', 'CLOSE 3'],
    );
    assert.equal(m.fds.size, 0);
    assert.equal(m.out.length, 0);
    const s = copyState(m);
    assert.deepEqual([s.stage, s.error, s.errStage, s.errFile], [DONE, -EIO, READ, 0]);
  });

  test('model: copy of no files completes in one run; with CQs cq_base 2..5 it uses those CQs', () => {
    const none = new Model({ object: 'copy/copy.bpf.o', program: 'copy', nrCq: 5 });
    assert.equal(none.runRequest(copyJob(none, { paths: [], bufSize: 16 })), 1);
    assert.deepEqual([copyState(none).stage, copyState(none).sqes], [DONE, 0n]);

    const m = new Model({ object: 'copy/copy.bpf.o', program: 'copy', nrCq: 6, files: { a: bytes(5, 6) } });
    const job = copyJob(m, { paths: ['a'], bufSize: 16, cqBase: 2 });
    assert.equal(m.runRequest(job), 6);
    assert.deepEqual(
      m.sqes.map((s) => s.split(' cq ')[1]),
      ['2', '3', '4', '3', '5'],
    );
    assert.deepEqual(m.out, bytes(5, 6));
  });

  test('model: copy with cq_base beyond the ring: the OPEN is rejected on CQ 0 and the wait fails -EINVAL', () => {
    const m = new Model({ object: 'copy/copy.bpf.o', program: 'copy', nrCq: 2, files: { a: bytes(5, 7) } });
    const job = copyJob(m, { paths: ['a'], bufSize: 16, cqBase: 4 });
    assert.equal(m.runRequest(job), 1);
    assert.deepEqual(m.log, [`CQ0 ${ud(0, OPEN)} -${EINVAL}`, `CQ0 ${job} -${EINVAL}`]);
    assert.deepEqual([copyState(m).stage, copyState(m).sqes], [OPEN, 1n]);
  });

  /* ---------------------------------------------------------------- pipeline */

  const pipelineModel = (globals: Record<string, number | bigint>, nrCq = 2): Model =>
    new Model({ object: 'pipeline/pipeline.bpf.o', program: 'pipeline', nrCq, globals });
  /** counters[0..5]: submitted, completed, runs, errors, last_error, max_inflight. */
  const counters = (m: Model): bigint[] => m.u64s('counters', 6);

  test('model: pipeline with depth 4, target 10 keeps 4 NOPs in flight on CQ 1: 4 runs, NOPs 0..9 in order', () => {
    const m = pipelineModel({ depth: 4, target: 10n });
    assert.equal(m.runRequest(77n), 4);
    assert.deepEqual(m.log, [...Array.from({ length: 10 }, (_, k) => `CQ1 ${k} 0`), 'CQ0 77 0']);
    assert.deepEqual(counters(m), [10n, 10n, 4n, 0n, 0n, 4n]);
  });

  const PIPELINE_CASES = [
    {
      globals: {},
      runs: 64,
      counters: [1000n, 1000n, 64n, 0n, 0n, 16n],
      what: 'defaults (depth 16, target 1000)',
    },
    { globals: { depth: 1, target: 5n }, runs: 6, counters: [5n, 5n, 6n, 0n, 0n, 1n], what: 'depth 1' },
    {
      globals: { depth: 16, target: 5n },
      runs: 2,
      counters: [5n, 5n, 2n, 0n, 0n, 5n],
      what: 'target < depth',
    },
    { globals: { depth: 0 }, runs: 1, counters: [0n, 0n, 1n, 0n, 0n, 0n], what: 'depth 0' },
    { globals: { target: 0n }, runs: 1, counters: [0n, 0n, 1n, 0n, 0n, 0n], what: 'target 0' },
    {
      globals: { depth: 1000, target: 600n },
      runs: 4,
      counters: [600n, 600n, 4n, 0n, 0n, 256n],
      what: 'depth > 256',
    },
  ] as const;

  for (const c of PIPELINE_CASES) {
    test(`model: pipeline, ${c.what}: ${c.runs} runs, counters ${c.counters.join(' ')}`, () => {
      const m = pipelineModel(c.globals);
      assert.equal(m.runRequest(1n), c.runs);
      assert.deepEqual(counters(m), [...c.counters]);
      assert.equal(m.log.at(-1), 'CQ0 1 0');
    });
  }

  test('model: pipeline with nop_cq beyond the ring: each NOP is rejected on CQ 0, then the wait fails -EINVAL', () => {
    const m = pipelineModel({ depth: 2, target: 4n, nop_cq: 5 });
    assert.equal(m.runRequest(9n), 1);
    assert.deepEqual(m.log, [`CQ0 0 -${EINVAL}`, `CQ0 1 -${EINVAL}`, `CQ0 9 -${EINVAL}`]);
    assert.deepEqual(counters(m), [2n, 0n, 1n, 0n, 0n, 2n]);
  });
}
