/**
 * examples/rfc/: the RFC v2 example programs (spec §7). The committed uring.bpf.o parses to the four
 * sleepable programs in table order, the legacy map `arr` and a GPL license; its programs call only
 * the helpers the RFC examples use; rebuilding it with examples/rfc/build.sh (when clang-19 is
 * installed) gives the same code; uring.h lays its structs out as the drivers assume (when gcc is
 * installed); and, run in the interpreter against a small model of the RFC's CQs, each program
 * produces the CQE trace that examples/rfc/README.md documents.
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
import { modelHelpers } from './bpf-model.js';
import { engineSuites } from './engines.js';
import { hasTool, repoRoot, runTool } from './helpers.js';

const ROOT = repoRoot();
const RFC = join(ROOT, 'examples', 'rfc');
const OBJECT = join(RFC, 'uring.bpf.o');
/** The program table of spec §7: slot i runs TABLE[i]. */
const TABLE = ['test', 'counting', 'pingpong', 'write_file'] as const;
const SECTION = 'iouring.s/';
const ALLOWED_HELPERS = new Set([
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_reap_cqe,
  BPF_FUNC_copy_to_user,
]);
const CALL = BPF_JMP | BPF_CALL;

const has = (cmd: string): boolean => hasTool(cmd);
const HAVE_CLANG = has('clang-19');
const HAVE_GCC = has('gcc');

const tmp = mkdtempSync(join(tmpdir(), 'uring-bpf-rfc-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const run = (cmd: string, args: readonly string[]): string => runTool(cmd, args, { cwd: ROOT });

const committed = (): ObjectFile => parseObject(readFileSync(OBJECT));

test('uring.bpf.o holds the four programs in table order, sleepable, in section iouring.s/', () => {
  const o = committed();
  assert.deepEqual(
    o.programs.map((p) => p.name),
    [...TABLE],
  );
  for (const p of o.programs) {
    assert.equal(p.section, SECTION, p.name);
    assert.equal(p.sectionKind, 'iouring.s', p.name);
    assert.equal(p.type, BPF_PROG_TYPE_IOURING, p.name);
    assert.equal(p.sleepable, true, p.name);
    assert.equal(p.supported, true, p.name);
  }
});

test('uring.bpf.o defines only the legacy map arr (ARRAY, u32 key, 8-byte value, 256 entries) and license GPL', () => {
  const o = committed();
  assert.deepEqual(
    o.maps.map((m) => ({ ...m })),
    [
      {
        name: 'arr',
        type: BPF_MAP_TYPE_ARRAY,
        keySize: 4,
        valueSize: 8,
        maxEntries: 256,
        flags: 0,
        section: 'maps',
        origin: 'legacy',
      },
    ],
  );
  assert.equal(o.globals.length, 0, 'no global data');
  assert.equal(o.license, 'GPL');
  for (const p of o.programs) {
    assert.ok(p.relocs.length > 0, `${p.name} uses arr`);
    for (const r of p.relocs) assert.deepEqual([r.kind, r.map], ['map', 'arr'], p.name);
  }
});

test('every call in the programs targets helper 1, 2, 148, 164, 165, 166 or 167, or a local function', () => {
  const o = committed();
  const used = new Set<number>();
  for (const p of o.programs) {
    const starts = new Set(p.funcs.map((f) => f.insnIndex));
    p.insns.forEach((i, at) => {
      if (i.code !== CALL) return;
      if (i.src === BPF_PSEUDO_CALL) {
        assert.ok(starts.has(at + 1 + i.imm), `${p.name}[${at}]: call to a function start`);
        return;
      }
      assert.equal(i.src, 0, `${p.name}[${at}]: helper call`);
      assert.ok(ALLOWED_HELPERS.has(i.imm), `${p.name}[${at}]: expected an RFC helper, found call ${i.imm}`);
      used.add(i.imm);
    });
  }
  // The four programs together use every one of them (a check that the scan saw the calls).
  assert.deepEqual(
    [...used].sort((a, b) => a - b),
    [...ALLOWED_HELPERS].sort((a, b) => a - b),
  );
});

test('each program calls the helpers its behaviour in spec §7 needs', () => {
  const need: Record<(typeof TABLE)[number], number[]> = {
    test: [1, 2, 148, 164, 165, 166, 167],
    counting: [1, 2, 164, 166],
    pingpong: [1, 2, 148, 165, 166],
    write_file: [1, 2, 164, 166],
  };
  for (const p of committed().programs) {
    const calls = new Set(p.insns.filter((i) => i.code === CALL && i.src === 0).map((i) => i.imm));
    assert.deepEqual(
      [...calls].sort((a, b) => a - b),
      need[p.name as keyof typeof need],
      p.name,
    );
  }
});

test(
  'rebuilding with examples/rfc/build.sh gives the committed programs',
  { skip: HAVE_CLANG ? false : 'clang-19 not installed' },
  () => {
    const out = join(tmp, 'uring.bpf.o');
    run('sh', [join(RFC, 'build.sh'), out]);
    const bytes = readFileSync(out);
    const rebuilt = parseObject(bytes);
    const old = committed();
    assert.deepEqual(
      rebuilt.programs.map((p) => p.name),
      [...TABLE],
    );
    rebuilt.programs.forEach((p, k) => {
      const q = old.programs[k]!;
      assert.deepEqual(
        Buffer.from(encodeInsns(p.insns)).toString('hex'),
        Buffer.from(encodeInsns(q.insns)).toString('hex'),
        `${p.name}: instructions`,
      );
      assert.deepEqual(p.relocs, q.relocs, `${p.name}: map relocations`);
    });
    const section = (o: ObjectFile): string => {
      const s = o.elf.section(SECTION);
      assert.ok(s !== undefined, `section ${SECTION}`);
      return Buffer.from(o.elf.sectionData(s)).toString('hex');
    };
    assert.equal(section(rebuilt), section(old), `section ${SECTION} byte for byte`);
    assert.deepEqual(rebuilt.maps, old.maps);
  },
);

/** Prints what the drivers assume of uring.h, one `name value` per line. */
const LAYOUT_C = `#include <stddef.h>
#include <stdio.h>
#include "uring_bpf.h"
#include "uring.h"

int main(void)
{
	printf("sizeof(counting_ctx) %zu\\n", sizeof(struct counting_ctx));
	printf("counting_ctx.ts %zu\\n", offsetof(struct counting_ctx, ts));
	printf("counting_ctx.ts.tv_sec %zu\\n", offsetof(struct counting_ctx, ts.tv_sec));
	printf("counting_ctx.ts.tv_nsec %zu\\n", offsetof(struct counting_ctx, ts.tv_nsec));
	printf("sizeof(ping_ctx) %zu\\n", sizeof(struct ping_ctx));
	printf("ping_ctx.idx %zu\\n", offsetof(struct ping_ctx, idx));
	printf("sizeof(ping_ctx.idx) %zu\\n", sizeof(((struct ping_ctx *)0)->idx));
	printf("FILL_QD %d\\n", FILL_QD);
	printf("FILL_BLOCKS %d\\n", FILL_BLOCKS);
	printf("FILL_BLOCK_SIZE %d\\n", FILL_BLOCK_SIZE);
	printf("FILL_FSIZE %d\\n", FILL_FSIZE);
	return 0;
}
`;

test(
  'uring.h: counting_ctx is 16 bytes (ts at 0), ping_ctx 4 bytes (int idx at 0), FILL_* as in spec §7',
  { skip: HAVE_GCC ? false : 'gcc not installed' },
  () => {
    const src = join(tmp, 'rfc_layout.c');
    const exe = join(tmp, 'rfc_layout');
    writeFileSync(src, LAYOUT_C);
    run('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', 'include', '-I', RFC, '-o', exe, src]);
    const facts = Object.fromEntries(
      run(exe, [])
        .trim()
        .split('\n')
        .map((l) => {
          const at = l.lastIndexOf(' ');
          return [l.slice(0, at), Number(l.slice(at + 1))];
        }),
    );
    assert.deepEqual(facts, {
      'sizeof(counting_ctx)': 16,
      'counting_ctx.ts': 0,
      'counting_ctx.ts.tv_sec': 0,
      'counting_ctx.ts.tv_nsec': 8,
      'sizeof(ping_ctx)': 4,
      'ping_ctx.idx': 0,
      'sizeof(ping_ctx.idx)': 4,
      FILL_QD: 4,
      FILL_BLOCKS: 16,
      FILL_BLOCK_SIZE: 16384,
      FILL_FSIZE: 262144,
    });
  },
);

/* ------------------------------------------------------------------ the programs in a model of §4 */

/*
 * A small deterministic model of an RFC v2 ring (3 CQs, the BPF request lifecycle of §4.4-§4.6) that
 * runs the committed programs in the interpreter, to check the behaviour and the CQE traces that
 * examples/rfc/README.md gives the drivers. Not the runtime: time is simulated, task work is a FIFO,
 * NOP completions of a run are posted when it ends, writes complete in order after the run.
 */
const NR_CQ = 3;
const OP_NOP = 0;
const OP_TIMEOUT = 11;
const OP_WRITE = 23;
const SQE_FIXED_FILE = 1;

interface Req {
  readonly prog: string;
  readonly ud: bigint;
  runs: number;
  waitIdx: number;
  waitNr: number;
}

class Model {
  readonly mem = new AddressSpace({ size: 4 * 1024 * 1024 });
  readonly cqs: { ud: bigint; res: number }[][] = Array.from({ length: NR_CQ }, () => []);
  /** Every posting in order: `CQ<i> <ud> <res>`. */
  readonly log: string[] = [];
  readonly file = new Uint8Array(262144);
  readonly obj: LoadedObject;
  readonly #ctx: number;
  #clock = 0n;
  #runq: Req[] = [];
  #waiting: Req[] = [];
  #held: { cq: number; ud: bigint; res: number }[] = [];
  #events: { at: bigint; seq: number; cq: number; ud: bigint; res: number }[] = [];
  #seq = 0;

  constructor() {
    const table = new MapTable(this.mem);
    const helpers = registerMapHelpers(new HelperRegistry(), table);
    for (const def of modelHelpers(this)) helpers.register(def);
    this.#ctx = this.mem.alloc(16);
    this.obj = BpfObject.open(OBJECT).load({ mem: this.mem, helpers, maps: table, engine: modelEngine() });
  }

  arr(n = 10): bigint[] {
    const a = this.obj.arrayMap('arr');
    return Array.from({ length: n }, (_, k) => this.mem.readU64(a.valueAddr(k)));
  }

  post(cq: number, ud: bigint, res: number): void {
    this.cqs[cq]!.push({ ud, res });
    this.log.push(`CQ${cq} ${ud} ${res}`);
    const ready = this.#waiting.filter((r) => this.cqs[r.waitIdx]!.length >= r.waitNr);
    this.#waiting = this.#waiting.filter((r) => !ready.includes(r));
    this.#runq.push(...ready);
  }

  /** Userspace submits a BPF request: it goes to task work. */
  submitBpf(prog: string, ud: bigint): Req {
    const r: Req = { prog, ud, runs: 0, waitIdx: 0, waitNr: 0 };
    this.#runq.push(r);
    return r;
  }

  /** Run task work and advance time until nothing is left to do. */
  settle(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const r = this.#runq.shift();
      if (r !== undefined) {
        this.#run(r);
        continue;
      }
      this.#events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
      const e = this.#events.shift();
      if (e === undefined) return;
      this.#clock = e.at;
      this.post(e.cq, e.ud, e.res);
    }
    throw new Error('model: no quiescence after 10000 steps');
  }

  get clockNs(): bigint {
    return this.#clock;
  }

  #run(r: Req): void {
    r.runs++;
    this.mem.writeBytes(this.#ctx, new Uint8Array(16));
    this.mem.writeU64(this.#ctx, r.ud);
    const res = this.obj.program(r.prog).run({
      mem: this.mem,
      r1: BigInt(this.#ctx),
      regions: [{ addr: this.#ctx, size: 16, name: 'ctx' }],
    });
    assert.equal(res.r0, 0n, `${r.prog} returns 0`);
    for (const h of this.#held.splice(0)) this.post(h.cq, h.ud, h.res);
    r.waitNr = this.mem.readU32(this.#ctx + 8);
    r.waitIdx = this.mem.readU32(this.#ctx + 12);
    if (r.waitNr === 0) this.post(0, r.ud, 0);
    else if (r.waitIdx >= NR_CQ) this.post(0, r.ud, -22);
    else if (this.cqs[r.waitIdx]!.length >= r.waitNr) this.#runq.push(r);
    else this.#waiting.push(r);
  }

  #later(delay: bigint, cq: number, ud: bigint, res: number): void {
    this.#events.push({ at: this.#clock + delay, seq: this.#seq++, cq, ud, res });
  }

  /** iouring_queue_sqe of the model (bpf-model.ts): NOPs complete at the run's end, timers later. */
  queueSqe(s: number): bigint {
    const m = this.mem;
    const op = m.readBytes(s, 1)[0]!;
    const flags = m.readBytes(s + 1, 1)[0]!;
    const off = m.readU64(s + 8);
    const addr = Number(m.readU64(s + 16));
    const n = m.readU32(s + 24);
    const ud = m.readU64(s + 32);
    const cq = m.readU16(s + 48);
    if (op === OP_NOP) this.#held.push({ cq, ud, res: 0 });
    else if (op === OP_TIMEOUT)
      this.#later(m.readU64(addr) * 1_000_000_000n + m.readU64(addr + 8), cq, ud, -62);
    else if (op === OP_WRITE && flags === SQE_FIXED_FILE) {
      this.file.set(m.readBytes(addr, n), Number(off));
      this.#later(0n, cq, ud, n);
    } else throw new Error(`model: unexpected SQE opcode ${op} flags ${flags}`);
    return 1n;
  }
}

// The model runs the object on each engine.
const modelEngine = engineSuites(modelSuite);

function modelSuite(): void {
  test('model: test (slot 0) emits, reaps, queues a NOP, swaps the secret, runs twice', () => {
    const m = new Model();
    const secret = m.mem.alloc(8);
    m.mem.writeU64(secret, 29n);
    const s = BigInt(secret);
    const r = m.submitBpf('test', s);
    m.settle();
    assert.equal(r.runs, 2);
    assert.deepEqual(m.log, ['CQ0 3 13', 'CQ1 4 17', 'CQ1 5 19', 'CQ0 2 0', `CQ0 ${s} 0`]);
    assert.deepEqual(m.cqs[0], [
      { ud: 3n, res: 13 },
      { ud: 2n, res: 0 },
      { ud: s, res: 0 },
    ]);
    assert.deepEqual([m.cqs[1], m.cqs[2]], [[], []]);
    assert.deepEqual(m.arr(11), [11n, 4n, 5n, 21n, s, 29n, 0n, 0n, 0n, 0n, 1n]);
    assert.equal(m.mem.readU64(secret), 31n);
  });

  test('model: counting (slot 1) arms 11 timeouts of 200 ms on CQ 1, reaps 10, completes after 12 runs', () => {
    const m = new Model();
    const b = m.mem.alloc(16);
    m.mem.writeU64(b, 0n);
    m.mem.writeU64(b + 8, 200_000_000n);
    const r = m.submitBpf('counting', BigInt(b));
    m.settle();
    assert.equal(r.runs, 12);
    assert.equal(m.clockNs, 11n * 200_000_000n);
    assert.deepEqual(m.log, [...Array.from({ length: 11 }, () => 'CQ1 5 -62'), `CQ0 ${b} 0`]);
    assert.deepEqual(m.cqs[0], [{ ud: BigInt(b), res: 0 }]);
    assert.deepEqual(m.cqs[1], [{ ud: 5n, res: -62 }]);
    assert.deepEqual(m.arr(), [11n, 5n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
  });

  test('model: pingpong (slot 2 twice) bounces 0..22 between CQ 1 and CQ 2, instance 0 completes first', () => {
    const m = new Model();
    const u = m.mem.alloc(8);
    m.mem.writeU32(u, 0);
    m.mem.writeU32(u + 4, 1);
    const a = m.submitBpf('pingpong', BigInt(u));
    const b = m.submitBpf('pingpong', BigInt(u + 4));
    m.post(1, 0n, 0); // the kick-off NOP, completed inline at submit
    m.settle();
    assert.deepEqual([a.runs, b.runs], [12, 12]);
    const bounces = Array.from({ length: 22 }, (_, k) => `CQ${k % 2 === 0 ? 2 : 1} ${k + 1} 0`);
    assert.deepEqual(m.log, [
      'CQ1 0 0',
      ...bounces.slice(0, 21),
      `CQ0 ${u} 0`,
      bounces[21],
      `CQ0 ${u + 4} 0`,
    ]);
    assert.deepEqual(m.cqs[0], [
      { ud: BigInt(u), res: 0 },
      { ud: BigInt(u + 4), res: 0 },
    ]);
    assert.deepEqual(m.cqs[1], [{ ud: 22n, res: 0 }]);
    assert.deepEqual(m.cqs[2], []);
    assert.deepEqual(m.arr(), [1n, 1n, 0n, 0n, 0n, 20n, 21n, 0n, 0n, 0n]);
  });

  test('model: write_file (slot 3) writes 16 blocks of 16 KiB, 4 in flight, in 5 runs', () => {
    const m = new Model();
    const buf = m.mem.alloc(262144, 4096);
    m.mem.writeBytes(buf, new Uint8Array(262144).fill(0xae));
    const r = m.submitBpf('write_file', BigInt(buf));
    m.settle();
    assert.equal(r.runs, 5);
    assert.deepEqual(m.log, [...Array.from({ length: 16 }, (_, k) => `CQ1 ${k} 16384`), `CQ0 ${buf} 0`]);
    assert.deepEqual(m.cqs[0], [{ ud: BigInt(buf), res: 0 }]);
    assert.deepEqual([m.cqs[1], m.cqs[2]], [[], []]);
    assert.deepEqual(m.arr(), [0n, 16n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    assert.ok(
      m.file.every((x) => x === 0xae),
      'the file holds 256 KiB of 0xAE',
    );
  });
}
