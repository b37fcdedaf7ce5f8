/**
 * The map and ring buffer helpers through the interpreter, with programs in LLVM syntax whose map
 * references (ld_pseudo rD, 1, <map id>) the table resolves: counters in a hash, an array filled by a
 * program and read from TypeScript, the errno programs see, ring buffer records in order, discards,
 * reserve when full; grants (once per run, read-only when frozen) and the faults that stand in for
 * verifier rejections.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assembleLlvm } from '../src/ebpf/asm/index.js';
import { BpfFault } from '../src/ebpf/faults.js';
import { type HelperDef, type HelperEnv, HelperRegistry } from '../src/ebpf/helpers.js';
import type { RunResult } from '../src/ebpf/interp.js';
import { mapHelpers, registerMapHelpers } from '../src/ebpf/map-helpers.js';
import { MapTable } from '../src/ebpf/maps/index.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_F_LOCK,
  BPF_FUNC_map_lookup_elem,
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_NOEXIST,
} from '../src/uapi/bpf.js';
import { E2BIG, EAGAIN, EEXIST, EINVAL, ENOENT, EPERM } from '../src/uapi/errno.js';
import { perEngine } from './engines.js';

const mem = new AddressSpace({ size: 8 * 1024 * 1024 });
const table = new MapTable(mem);
const helpers = registerMapHelpers(new HelperRegistry(), table);

function run(src: string, r1 = 0, budget?: number): RunResult {
  const prog = loadProgram(assembleLlvm(src), { helpers, resolveLddw: table.resolveLddw });
  return prog.run({ mem, r1, ...(budget === undefined ? {} : { budget }) });
}
const r0 = (src: string, r1 = 0): bigint => BigInt.asIntN(64, run(src, r1).r0);

function faults(src: string, code: string, re: RegExp): void {
  assert.throws(
    () => run(src),
    (e: unknown) => {
      assert.ok(e instanceof BpfFault, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    },
  );
}

/** map_update_elem(map, &key (u32), &value (u64), flags); exit with its r0. */
const update = (mapId: number, key: number, value: number, flags: number): string => `
  *(u32 *)(r10 - 4) = ${key}
  *(u64 *)(r10 - 16) = ${value}
  ld_pseudo r1, 1, ${mapId}
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = ${flags}
  call 2
  exit`;

/** map_delete_elem(map, &key (u32)); exit with its r0. */
const del = (mapId: number, key: number): string => `
  *(u32 *)(r10 - 4) = ${key}
  ld_pseudo r1, 1, ${mapId}
  r2 = r10
  r2 += -4
  call 3
  exit`;

const loadProgram = perEngine(suite);

function suite(eng: EngineKind): void {
  void eng;
  describe('map helpers in programs', () => {
    test('a counter per key in a hash map: insert with BPF_NOEXIST, then atomic adds through the value pointer', () => {
      const counts = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 16 });
      const prog = `
      *(u32 *)(r10 - 4) = r1
      ld_pseudo r1, 1, ${counts.id}
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto insert
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      r0 = 0
      exit
    insert:
      *(u64 *)(r10 - 16) = 1
      ld_pseudo r1, 1, ${counts.id}
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = ${BPF_NOEXIST}
      call 2
      exit`;
      const keys = [3, 1, 3, 3, 7, 1, 3];
      for (const k of keys) assert.equal(r0(prog, k), 0n);
      assert.deepEqual(
        new Map(counts.u64.entries()),
        new Map([
          [3, 4n],
          [1, 2n],
          [7, 1n],
        ]),
      );
    });

    test('an array filled by a program through lookup pointers, read from TypeScript after the run', () => {
      const squares = table.create({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 8 });
      const prog = `
      r6 = 0
    loop:
      *(u32 *)(r10 - 4) = r6
      ld_pseudo r1, 1, ${squares.id}
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto done
      r1 = r6
      r1 *= r6
      *(u64 *)(r0 + 0) = r1
      r6 += 1
      goto loop
    done:
      r0 = r6
      exit`;
      assert.equal(r0(prog), 8n, 'the lookup of index 8 is NULL');
      assert.deepEqual([...squares.u64.values()], [0n, 1n, 4n, 9n, 16n, 25n, 36n, 49n]);
    });

    test('the errno programs see', () => {
      const h = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 2 });
      const a = table.create({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
      /** [label, program, expected r0] in order */
      const steps: readonly (readonly [string, string, number])[] = [
        ['EXIST on a missing key', update(h.id, 5, 50, BPF_EXIST), -ENOENT],
        ['NOEXIST on a missing key', update(h.id, 5, 50, BPF_NOEXIST), 0],
        ['NOEXIST on a present key', update(h.id, 5, 51, BPF_NOEXIST), -EEXIST],
        ['EXIST on a present key', update(h.id, 5, 52, BPF_EXIST), 0],
        ['a second key', update(h.id, 6, 60, BPF_ANY), 0],
        ['a third key in a map of 2', update(h.id, 7, 70, BPF_ANY), -E2BIG],
        ['unknown flags', update(h.id, 5, 0, 8), -EINVAL],
        ['delete of a missing key', del(h.id, 7), -ENOENT],
        ['delete of a present key', del(h.id, 6), 0],
        ['array: NOEXIST', update(a.id, 0, 1, BPF_NOEXIST), -EEXIST],
        ['array: index out of range', update(a.id, 2, 1, BPF_ANY), -E2BIG],
        ['array: delete', del(a.id, 0), -EINVAL],
        ['array: BPF_F_LOCK', update(a.id, 0, 1, BPF_F_LOCK), -EINVAL],
        [
          'array: BPF_F_LOCK | BPF_NOEXIST (EEXIST is checked first)',
          update(a.id, 0, 1, BPF_F_LOCK | BPF_NOEXIST),
          -EEXIST,
        ],
        ['array: BPF_F_LOCK out of range (E2BIG is checked first)', update(a.id, 5, 1, BPF_F_LOCK), -E2BIG],
        ['hash: BPF_F_LOCK', update(h.id, 5, 1, BPF_F_LOCK), -EINVAL],
      ];
      for (const [label, prog, want] of steps) assert.equal(r0(prog), BigInt(want), label);
      assert.deepEqual([...h.u64.entries()], [[5, 52n]]);
      h.freeze();
      assert.equal(r0(update(h.id, 5, 1, BPF_ANY)), BigInt(-EPERM), 'update of a frozen map');
      assert.equal(r0(del(h.id, 5)), BigInt(-EPERM), 'delete from a frozen map');
      assert.equal(h.u64.get(5), 52n);
    });

    test(
      'a frozen map is granted read-only: a store through a value pointer faults',
      {
        skip: eng === 'jit' && 'the JIT does not check regions (only the address space)',
      },
      () => {
        const ro = table.create({
          type: BPF_MAP_TYPE_ARRAY,
          keySize: 4,
          valueSize: 8,
          maxEntries: 1,
          name: 'consts',
        });
        ro.u64.set(0, 5n);
        ro.freeze();
        const read = `
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${ro.id}
      r2 = r10
      r2 += -4
      call 1
      r0 = *(u64 *)(r0 + 0)
      exit`;
        assert.equal(r0(read), 5n);
        faults(
          read.replace('r0 = *(u64 *)(r0 + 0)', '*(u64 *)(r0 + 0) = 1'),
          'E_FAULT_MEM',
          /read-only region 'map 'consts''/,
        );
      },
    );

    test('map value lddw (pseudo source 2) points into a one-element array', () => {
      const data = table.create({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 });
      data.update(
        new Uint8Array(4),
        Uint8Array.from({ length: 16 }, (_, i) => i),
      );
      const prog = loadProgram(
        [
          { code: 0x18, dst: 1, src: 2, off: 0, imm: data.id },
          { code: 0, dst: 0, src: 0, off: 0, imm: 8 },
          { code: 0x71, dst: 0, src: 1, off: 0, imm: 0 },
          { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
        ],
        { helpers, resolveLddw: table.resolveLddw },
      );
      const v = data.valueRegion();
      assert.equal(prog.run({ mem, regions: [{ addr: v.addr, size: v.size }] }).r0, 8n);
    });
  });

  describe('ring buffer helpers in programs', () => {
    test('output, reserve + submit, reserve + discard: TypeScript reads the records in order, discards skipped', () => {
      const rb = table.create({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
      const prog = `
      *(u64 *)(r10 - 8) = 0x41414141
      ld_pseudo r1, 1, ${rb.id}
      r2 = r10
      r2 += -8
      r3 = 4
      r4 = 0
      call 130
      r6 = r0
      ld_pseudo r1, 1, ${rb.id}
      r2 = 3
      r3 = 0
      call 131
      if r0 == 0 goto fail
      *(u8 *)(r0 + 0) = 0x42
      *(u8 *)(r0 + 1) = 0x43
      *(u8 *)(r0 + 2) = 0x44
      r1 = r0
      r2 = 0
      call 132
      ld_pseudo r1, 1, ${rb.id}
      r2 = 5
      r3 = 0
      call 131
      if r0 == 0 goto fail
      r1 = r0
      r2 = 0
      call 133
      *(u64 *)(r10 - 8) = 0x45
      ld_pseudo r1, 1, ${rb.id}
      r2 = r10
      r2 += -8
      r3 = 1
      r4 = 0
      call 130
      r0 += r6
      exit
    fail:
      r0 = 99
      exit`;
      assert.equal(r0(prog), 0n);
      assert.deepEqual(
        rb.drain().map((r) => Buffer.from(r).toString('latin1')),
        ['AAAA', 'BCD', 'E'],
      );
    });

    test('reserve returns NULL when the ring is full (and with flags); output returns -EAGAIN', () => {
      const rb = table.create({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
      const fill = `
      r6 = 0
    loop:
      ld_pseudo r1, 1, ${rb.id}
      r2 = 1000
      r3 = 0
      call 131
      if r0 == 0 goto done
      *(u32 *)(r0 + 996) = r6
      r1 = r0
      r2 = 0
      call 132
      r6 += 1
      goto loop
    done:
      r0 = r6
      exit`;
      assert.equal(r0(fill), 4n, '4 records of 1008 bytes fit in 4095');
      const output = `
      ld_pseudo r1, 1, ${rb.id}
      r2 = r10
      r2 += -128
      r3 = 100
      r4 = 0
      call 130
      exit`;
      assert.equal(r0(output), BigInt(-EAGAIN), '112 more bytes do not fit');
      assert.equal(r0(output.replace('r4 = 0', 'r4 = 4')), BigInt(-EINVAL));
      assert.deepEqual(
        rb.drain().map((r) => new DataView(r.buffer).getUint32(996, true)),
        [0, 1, 2, 3],
      );
      assert.equal(r0(fill.replace('r3 = 0', 'r3 = 1')), 0n, 'reserve with flags is NULL');
    });

    test('a record reserved by a run that faulted is discarded, not left blocking the consumer', () => {
      const rb = table.create({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
      const spin = `
      ld_pseudo r1, 1, ${rb.id}
      r2 = 8
      r3 = 0
      call 131
    loop:
      goto loop`;
      assert.throws(
        () => run(spin, 0, 1000),
        (e: unknown) => e instanceof BpfFault && e.code === 'E_BUDGET',
      );
      assert.equal(rb.reservedCount, 1);
      rb.output(Uint8Array.of(1));
      assert.deepEqual(rb.drain(), [Uint8Array.of(1)]);
    });
  });

  describe('what the verifier would reject stops the run', () => {
    const h = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 2 });
    const rb = table.create({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    const pa = table.create({ type: BPF_MAP_TYPE_PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
    /** [label, program, fault code, message pattern] */
    const CASES: readonly (readonly [string, string, string, RegExp])[] = [
      [
        'r1 not a map',
        'r1 = 0x10\nr2 = r10\ncall 1\nexit',
        'E_HELPER',
        /map_lookup_elem\) failed: r1 0x10 is not a map/,
      ],
      [
        'NULL key',
        `ld_pseudo r1, 1, ${h.id}\nr2 = 0\ncall 1\nexit`,
        'E_FAULT_MEM',
        /helper 1 \(map_lookup_elem\): r2 0x0: the key \(4 bytes\)/,
      ],
      [
        'value outside the stack',
        `ld_pseudo r1, 1, ${h.id}\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -4\nr4 = 0\ncall 2\nexit`,
        'E_FAULT_MEM',
        /the value \(8 bytes\)/,
      ],
      [
        'lookup in a ring buffer',
        `ld_pseudo r1, 1, ${rb.id}\nr2 = r10\nr2 += -4\ncall 1\nexit`,
        'E_HELPER',
        /ring buffers have no elements/,
      ],
      [
        'lookup in a program array',
        `ld_pseudo r1, 1, ${pa.id}\nr2 = r10\nr2 += -4\ncall 1\nexit`,
        'E_HELPER',
        /bpf_tail_call only/,
      ],
      [
        'reserve on a hash',
        `ld_pseudo r1, 1, ${h.id}\nr2 = 8\nr3 = 0\ncall 131\nexit`,
        'E_HELPER',
        /is not a ring buffer/,
      ],
      [
        'submit of a stack pointer',
        'r1 = r10\nr1 += -8\nr2 = 0\ncall 132\nexit',
        'E_HELPER',
        /is not a ring buffer record/,
      ],
      [
        'output of unreadable data',
        `ld_pseudo r1, 1, ${rb.id}\nr2 = 0x2000\nr3 = 8\nr4 = 0\ncall 130\nexit`,
        'E_FAULT_MEM',
        /the data \(8 bytes\)/,
      ],
    ];
    for (const [label, src, code, re] of CASES) test(`${label}: ${code}`, () => faults(src, code, re));
  });

  describe('grants', () => {
    /** A stand-in environment that records grants. */
    function recordingEnv(): HelperEnv & { grants: [number, number, boolean][] } {
      const grants: [number, number, boolean][] = [];
      return {
        mem,
        ctx: undefined,
        grants,
        grant: (addr, size, writable = true) => {
          grants.push([addr, size, writable]);
        },
        readable: () => true,
        writable: () => true,
      };
    }
    const byId = new Map(mapHelpers(table).map((d): [number, HelperDef] => [d.id, d]));
    const lookup = byId.get(BPF_FUNC_map_lookup_elem)!;

    test('the whole value storage once per run, however many lookups; again for the next run', () => {
      const h = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
      h.u64.set(1, 1n);
      h.u64.set(2, 2n);
      const key = mem.alloc(8);
      const env = recordingEnv();
      for (const k of [1, 2, 1, 3]) {
        mem.writeU32(key, k);
        lookup.impl(env, BigInt(h.handle), BigInt(key), 0n, 0n, 0n);
      }
      const v = h.valueRegion();
      assert.deepEqual(env.grants, [[v.addr, v.size, true]]);
      const next = recordingEnv();
      mem.writeU32(key, 3);
      assert.equal(lookup.impl(next, BigInt(h.handle), BigInt(key), 0n, 0n, 0n), 0n);
      assert.deepEqual(next.grants, [], 'a lookup that finds nothing grants nothing');
      mem.writeU32(key, 1);
      lookup.impl(next, BigInt(h.handle), BigInt(key), 0n, 0n, 0n);
      assert.deepEqual(next.grants, [[v.addr, v.size, true]]);
      // An engine that reuses one environment for the next run: its regions are gone, grant again.
      let open = false;
      const reused = { ...recordingEnv(), readable: (addr: number) => addr === key || open };
      lookup.impl(reused, BigInt(h.handle), BigInt(key), 0n, 0n, 0n);
      open = true;
      lookup.impl(reused, BigInt(h.handle), BigInt(key), 0n, 0n, 0n);
      open = false;
      lookup.impl(reused, BigInt(h.handle), BigInt(key), 0n, 0n, 0n);
      assert.equal(reused.grants.length, 2);
      h.freeze();
      const third = recordingEnv();
      lookup.impl(third, BigInt(h.handle), BigInt(key), 0n, 0n, 0n);
      assert.deepEqual(third.grants, [[v.addr, v.size, false]]);
      mem.free(key);
    });

    test('1000 lookups in one run, each followed by a store through the value pointer', () => {
      const a = table.create({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
      const prog = `
      r6 = 0
    loop:
      r1 = r6
      r1 &= 3
      *(u32 *)(r10 - 4) = r1
      ld_pseudo r1, 1, ${a.id}
      r2 = r10
      r2 += -4
      call 1
      *(u64 *)(r0 + 0) = r6
      r6 += 1
      if r6 < 1000 goto loop
      r0 = 0
      exit`;
      assert.equal(r0(prog), 0n);
      assert.deepEqual([...a.u64.values()], [996n, 997n, 998n, 999n]);
    });
  });
}
