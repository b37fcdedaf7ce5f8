/**
 * Loading objects (src/ebpf/loader.ts): maps created from their definitions, globals filled and
 * .rodata frozen, lddw relocations rewritten as libbpf does, programs run on the interpreter against
 * the real maps; const volatile values set before load change what programs do; GPL-only helpers need
 * a GPL-compatible license; errors leave no map behind.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProgramLoadError } from '../src/ebpf/faults.js';
import { type HelperDef, HelperRegistry } from '../src/ebpf/helpers.js';
import { BpfObject, isGplCompatible, tailCallResolver } from '../src/ebpf/loader.js';
import { registerMapHelpers } from '../src/ebpf/map-helpers.js';
import type { ProgArrayMap } from '../src/ebpf/maps/prog-array.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
} from '../src/uapi/bpf.js';
import { repoRoot } from './helpers.js';

const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const bytes = (name: string): Uint8Array => readFileSync(join(FIXTURES, `${name}.o`));

/** A helper that records its calls and returns 0 (stands in for helpers of later issues). */
function stub(id: number, name: string, calls: string[], gplOnly = false): HelperDef {
  return {
    id,
    name,
    args: [],
    ret: 'RET_INTEGER',
    sleepableOnly: false,
    gplOnly,
    impl: () => {
      calls.push(name);
      return 0n;
    },
  };
}

/** The map helpers over `table` plus stubs for the other helpers the fixtures call. */
function registry(table: MapTable, calls: string[]): HelperRegistry {
  const r = new HelperRegistry();
  registerMapHelpers(r, table);
  for (const [id, name, gpl] of [
    [6, 'trace_printk', true],
    [7, 'get_prandom_u32', false],
    [12, 'tail_call', false],
    [5, 'ktime_get_ns', false],
    [148, 'copy_from_user', false],
    [165, 'iouring_emit_cqe', false],
    [167, 'copy_to_user', false],
  ] as const) {
    r.register(stub(id, name, calls, gpl));
  }
  return r;
}

function setup() {
  const mem = new AddressSpace({ size: 8 << 20 });
  const table = new MapTable(mem);
  const calls: string[] = [];
  const helpers = registry(table, calls);
  const ctx = mem.alloc(16);
  const run = (prog: { run: (o: never) => { r0: bigint } }) =>
    prog.run({ mem, r1: ctx, regions: [{ addr: ctx, size: 16, name: 'ctx' }] } as never);
  return { mem, table, calls, helpers, ctx, run };
}

test('ring.o loads: every map created with its definition, globals filled, .rodata frozen', () => {
  const { mem, table, helpers } = setup();
  const obj = BpfObject.open(bytes('ring'));
  const loaded = obj.load({ mem, maps: table, helpers });
  assert.deepEqual(loaded.programNames.sort(), ['count', 'plain', 'record', 'sleepy']);
  const counters = loaded.map('counters');
  assert.deepEqual(
    [counters.type, counters.keySize, counters.valueSize, counters.maxEntries],
    [BPF_MAP_TYPE_ARRAY, 4, 8, 4],
  );
  assert.equal(loaded.map('events').type, BPF_MAP_TYPE_HASH);
  assert.deepEqual(loaded.global('total'), new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual([...new Uint32Array(loaded.global('limit').slice().buffer)], [6]);
  assert.deepEqual([...new BigUint64Array(loaded.global('hist').slice().buffer)], [1n, 2n, 3n, 4n]);
  assert.equal(loaded.map('.rodata').frozen, true);
  assert.equal(loaded.map('.rodata.table').frozen, true);
  assert.equal(loaded.map('.data').frozen, false);
  loaded.close();
  assert.equal(table.byId(counters.id), undefined, 'close() frees the maps');
});

test('relocations become BPF_PSEUDO_MAP_FD (map id) and BPF_PSEUDO_MAP_VALUE (map id, offset) lddw', () => {
  const { mem, table, helpers } = setup();
  const obj = BpfObject.open(bytes('ring'));
  const loaded = obj.load({ mem, maps: table, helpers });
  const { def, insns } = loaded.loaded('count');
  assert.ok(def.relocs.length > 0);
  for (const r of def.relocs) {
    const lo = insns[r.insnIndex]!;
    const hi = insns[r.insnIndex + 1]!;
    const map = loaded.map(r.map);
    assert.equal(lo.imm, map.id, `insn ${r.insnIndex}: imm is the map id`);
    if (r.kind === 'map') assert.equal(lo.src, BPF_PSEUDO_MAP_FD);
    else {
      assert.equal(lo.src, BPF_PSEUDO_MAP_VALUE);
      assert.equal(hi.imm, r.offset);
    }
  }
  // The parsed object is not changed by load (it can be inspected after).
  assert.ok(
    obj.programs.every((p) => p.insns.every((i) => i.src !== BPF_PSEUDO_MAP_VALUE || i.code !== 0x18)),
  );
});

test('count runs against the real maps and globals: counters, total, runs and hist as the C computes them', () => {
  const { mem, table, helpers, run, calls } = setup();
  const loaded = BpfObject.open(bytes('ring')).load({ mem, maps: table, helpers });
  assert.equal(run(loaded.program('count')).r0, 0n);
  // limit 6, scale 3, table {10, 20, 30, 40}: bump(i & 3, table[i & 3]) for i = 0..5.
  assert.deepEqual([...loaded.arrayMap('counters').u64.values()], [60n, 120n, 90n, 120n]);
  const u64 = (name: string) => new BigUint64Array(loaded.global(name).slice().buffer);
  assert.deepEqual([...u64('total')], [137n]);
  assert.deepEqual([...new Uint32Array(loaded.global('runs').slice().buffer)], [1]);
  assert.deepEqual([...u64('hist')], [2n, 2n, 3n, 4n], 'sum 480: hist[0]++');
  assert.deepEqual(calls, [], 'sum <= 1000: no trace_printk');
});

test('setGlobal before load changes const volatile knobs (.rodata) and initial .data values', () => {
  const { mem, table, helpers, run } = setup();
  const obj = BpfObject.open(bytes('ring'));
  obj.setGlobal('limit', 2);
  obj.setGlobal('total', 100n);
  const loaded = obj.load({ mem, maps: table, helpers });
  run(loaded.program('count'));
  assert.deepEqual([...loaded.arrayMap('counters').u64.values()], [30n, 60n, 0n, 0n]);
  assert.deepEqual([...new BigUint64Array(loaded.global('total').slice().buffer)], [130n]);
  assert.throws(() => obj.setGlobal('limit', 3), /the object is loaded/);
  assert.throws(() => obj.load({ mem }), /already loaded/);
});

test('setGlobal checks names, sizes and ranges', () => {
  const obj = BpfObject.open(bytes('ring'));
  assert.throws(() => obj.setGlobal('nope', 1), {
    name: 'TypeError',
    message: /no global variable 'nope' \(known: .*limit/,
  });
  assert.throws(() => obj.setGlobal('limit', 2 ** 32), {
    name: 'RangeError',
    message: /does not fit in 4 bytes/,
  });
  assert.throws(() => obj.setGlobal('limit', 1.5), TypeError);
  assert.throws(() => obj.setGlobal('limit', new Uint8Array(3)), /expected 4 bytes, found 3/);
  obj.setGlobal('limit', -1);
  assert.deepEqual([...new Uint8Array(obj.variable('limit').global.initial.slice(0, 4))].length, 4);
  obj.setGlobal('last', new Uint8Array(16).fill(9));
});

test('a non-GPL object may not call GPL-only helpers: E_GPL at load, with the insn and the license', () => {
  const { mem, table, calls } = setup();
  // nobtf.o is "BSD" and calls map_lookup_elem; make that helper GPL-only in this registry.
  const helpers = new HelperRegistry();
  helpers.register({ ...stub(1, 'map_lookup_elem', calls, true) });
  const before = table.size;
  assert.throws(
    () => BpfObject.open(bytes('nobtf')).load({ mem, maps: table, helpers }),
    (e: unknown) => {
      assert.ok(e instanceof ProgramLoadError);
      assert.equal(e.code, 'E_GPL');
      assert.match(e.message, /map_lookup_elem, which is GPL-only; the object's license is 'BSD'/);
      return true;
    },
  );
  assert.equal(table.size, before, 'the maps it created were closed');
  assert.equal(isGplCompatible('Dual MIT/GPL'), true);
  assert.equal(isGplCompatible('BSD'), false);
  assert.equal(isGplCompatible(null), false);
});

test('legacy maps (SEC("maps")) and an unsupported section: loaded maps, skipped program', () => {
  const { mem, table, helpers } = setup();
  const obj = BpfObject.open(bytes('legacy'));
  const loaded = obj.load({ mem, maps: table, helpers });
  assert.equal(loaded.map('stats').maxEntries, 8);
  assert.equal(loaded.map('seen').type, BPF_MAP_TYPE_HASH);
  const unsupported = obj.programs.filter((p) => !p.supported).map((p) => p.name);
  assert.ok(unsupported.length > 0);
  for (const n of unsupported) assert.throws(() => loaded.program(n), /no loaded program/);
});

test("the default helpers are the map helpers over the object's MapTable", () => {
  const mem = new AddressSpace({ size: 8 << 20 });
  const loaded = BpfObject.open(bytes('nobtf')).load({ mem });
  const ctx = mem.alloc(16);
  mem.writeU64(ctx, 5n);
  loaded.program('hitter').run({ mem, r1: ctx, regions: [{ addr: ctx, size: 16 }] });
  const seed = 0x1234n;
  const mix = (x: bigint) => BigInt.asUintN(64, (x ^ seed) * 31n);
  assert.deepEqual([...loaded.arrayMap('hits').u64.values()], [0n, mix(mix(5n))]);
});

test('default helpers: tail_call through a PROG_ARRAY of the object, trace_printk into the trace log, ktime', () => {
  const mem = new AddressSpace({ size: 8 << 20 });
  const loaded = BpfObject.open(bytes('tail')).load({ mem, base: { seed: 1 } });
  const ctx = mem.alloc(16);
  const hops = () => new BigUint64Array(loaded.global('hops').slice().buffer)[0];
  const runFirst = (slot: bigint) => {
    mem.writeU64(ctx, slot);
    return loaded.program('first').run({ mem, r1: ctx, regions: [{ addr: ctx, size: 16 }] });
  };
  // Empty slot: tail_call fails, first goes on (+100).
  runFirst(0n);
  assert.equal(hops(), 101n);
  const jumps = loaded.map('jumps') as ProgArrayMap;
  jumps.set(2, loaded.loaded('second').id);
  runFirst(2n);
  assert.equal(hops(), 112n, 'first (+1) then second (+10), never back to first');
  assert.deepEqual(
    loaded.trace?.drain().map((l) => l.text),
    ['second hop 112\n'],
  );
  const stamp = new BigUint64Array(loaded.global('stamp').slice().buffer)[0]!;
  assert.ok(stamp > 0n && stamp <= process.hrtime.bigint(), 'ktime_get_ns is CLOCK_MONOTONIC');
  loaded.close();
  assert.equal(tailCallResolver(loaded.table)(BigInt(jumps.handle), 2), null, 'closed: no program, no map');
});
