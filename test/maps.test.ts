/**
 * Maps from TypeScript: creation checks with the kernel's errno, the update/delete semantics of each
 * type as tables, per-cpu layout, typed views and codecs, access control (freeze, BPF_F_RDONLY...),
 * handles, ids, close, mmap and the lddw resolver.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codecs, MapError, type MapSpec, MapTable } from '../src/ebpf/maps/index.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_F_LOCK,
  BPF_F_MMAPABLE,
  BPF_F_NO_COMMON_LRU,
  BPF_F_NO_PREALLOC,
  BPF_F_NUMA_NODE,
  BPF_F_PRESERVE_ELEMS,
  BPF_F_RDONLY,
  BPF_F_RDONLY_PROG,
  BPF_F_WRONLY,
  BPF_F_WRONLY_PROG,
  BPF_F_ZERO_SEED,
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_PERF_EVENT_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_NOEXIST,
  BPF_PSEUDO_BTF_ID,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
} from '../src/uapi/bpf.js';
import { EPERM } from '../src/uapi/errno.js';

const mem = new AddressSpace({ size: 8 * 1024 * 1024 });

/** Assert that f throws MapError with `code`. */
function throwsMap(f: () => unknown, code: string, re?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof MapError, `expected MapError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (re !== undefined) assert.match(e.message, re);
    return true;
  });
}

const le32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);

/* ------------------------------------------------------------------ creation */

const H = BPF_MAP_TYPE_HASH;
const A = BPF_MAP_TYPE_ARRAY;
const PA = BPF_MAP_TYPE_PERCPU_ARRAY;
const PH = BPF_MAP_TYPE_PERCPU_HASH;
const L = BPF_MAP_TYPE_LRU_HASH;
const LP = BPF_MAP_TYPE_LRU_PERCPU_HASH;
const PR = BPF_MAP_TYPE_PROG_ARRAY;
const RB = BPF_MAP_TYPE_RINGBUF;

/** [label, type, key_size, value_size, max_entries, flags, expected errno name or 'ok', name?] */
const CREATE_CASES: readonly (readonly [string, number, number, number, number, number, string, string?])[] =
  [
    ['array', A, 4, 8, 4, 0, 'ok'],
    ['array key 8', A, 8, 8, 4, 0, 'EINVAL'],
    ['array value 0', A, 4, 0, 4, 0, 'EINVAL'],
    ['array max 0', A, 4, 8, 0, 0, 'EINVAL'],
    ['array NO_PREALLOC', A, 4, 8, 4, BPF_F_NO_PREALLOC, 'EINVAL'],
    ['array MMAPABLE', A, 4, 8, 4, BPF_F_MMAPABLE, 'ok'],
    ['array PRESERVE_ELEMS', A, 4, 8, 4, BPF_F_PRESERVE_ELEMS, 'EINVAL'],
    ['array RDONLY_PROG', A, 4, 8, 4, BPF_F_RDONLY_PROG, 'ok'],
    ['array RDONLY_PROG|WRONLY_PROG', A, 4, 8, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 'EINVAL'],
    ['array RDONLY|WRONLY', A, 4, 8, 4, BPF_F_RDONLY | BPF_F_WRONLY, 'EINVAL'],
    ['array NUMA', A, 4, 8, 4, BPF_F_NUMA_NODE, 'ok'],
    ['percpu array', PA, 4, 8, 4, 0, 'ok'],
    ['percpu array MMAPABLE', PA, 4, 8, 4, BPF_F_MMAPABLE, 'EINVAL'],
    ['percpu array NUMA', PA, 4, 8, 4, BPF_F_NUMA_NODE, 'EINVAL'],
    ['percpu array value 32768', PA, 4, 32768, 1, 0, 'ok'],
    ['percpu array value 32761 (rounds to 32768)', PA, 4, 32761, 1, 0, 'ok'],
    ['percpu array value 32769', PA, 4, 32769, 1, 0, 'E2BIG'],
    ['prog array', PR, 4, 4, 4, 0, 'ok'],
    ['prog array value 8', PR, 4, 8, 4, 0, 'EINVAL'],
    ['prog array RDONLY_PROG', PR, 4, 4, 4, BPF_F_RDONLY_PROG, 'EINVAL'],
    ['prog array MMAPABLE', PR, 4, 4, 4, BPF_F_MMAPABLE, 'EINVAL'],
    ['hash', H, 6, 3, 8, 0, 'ok'],
    ['hash key 0', H, 0, 8, 8, 0, 'EINVAL'],
    ['hash value 0', H, 4, 0, 8, 0, 'EINVAL'],
    ['hash max 0', H, 4, 8, 0, 0, 'EINVAL'],
    ['hash NO_COMMON_LRU', H, 4, 8, 8, BPF_F_NO_COMMON_LRU, 'EINVAL'],
    ['hash MMAPABLE', H, 4, 8, 8, BPF_F_MMAPABLE, 'EINVAL'],
    ['hash ZERO_SEED', H, 4, 8, 8, BPF_F_ZERO_SEED, 'ok'],
    ['hash NO_PREALLOC', H, 4, 8, 8, BPF_F_NO_PREALLOC, 'ok'],
    ['hash key+value = KMALLOC_MAX_SIZE - 48', H, 1, 4194255, 1, 0, 'E2BIG'],
    ['hash max 2^31+1', H, 4, 8, 2 ** 31 + 1, 0, 'E2BIG'],
    ['percpu hash value 32769', PH, 4, 32769, 1, 0, 'E2BIG'],
    ['percpu hash NUMA', PH, 4, 8, 8, BPF_F_NUMA_NODE, 'EINVAL'],
    ['lru hash', L, 4, 8, 8, 0, 'ok'],
    ['lru hash NO_PREALLOC', L, 4, 8, 8, BPF_F_NO_PREALLOC, 'ENOTSUPP'],
    ['lru hash NO_COMMON_LRU', L, 4, 8, 8, BPF_F_NO_COMMON_LRU, 'ok'],
    ['lru hash NO_COMMON_LRU|NUMA', L, 4, 8, 8, BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE, 'EINVAL'],
    ['lru percpu hash NUMA', LP, 4, 8, 8, BPF_F_NUMA_NODE, 'EINVAL'],
    ['ringbuf', RB, 0, 0, 4096, 0, 'ok'],
    ['ringbuf NUMA', RB, 0, 0, 8192, BPF_F_NUMA_NODE, 'ok'],
    ['ringbuf key 4', RB, 4, 0, 4096, 0, 'EINVAL'],
    ['ringbuf value 8', RB, 0, 8, 4096, 0, 'EINVAL'],
    ['ringbuf 3 pages', RB, 0, 0, 3 * 4096, 0, 'EINVAL'],
    ['ringbuf 2048', RB, 0, 0, 2048, 0, 'EINVAL'],
    ['ringbuf 0', RB, 0, 0, 0, 0, 'EINVAL'],
    ['ringbuf MMAPABLE', RB, 0, 0, 4096, BPF_F_MMAPABLE, 'EINVAL'],
    ['perf event array (not implemented)', BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, 'EINVAL'],
    ['type 99', 99, 4, 4, 4, 0, 'EINVAL'],
    ['name of 15 characters', A, 4, 4, 1, 0, 'ok', 'abcdefghijklm._'],
    ['name of 16 characters', A, 4, 4, 1, 0, 'EINVAL', 'abcdefghijklmnop'],
    ['name with a dash', A, 4, 4, 1, 0, 'EINVAL', 'a-b'],
  ];

describe('map creation', () => {
  const table = new MapTable(mem);
  for (const [label, type, keySize, valueSize, maxEntries, flags, want, name] of CREATE_CASES) {
    test(`${label}: ${want}`, () => {
      const spec: MapSpec = { type, keySize, valueSize, maxEntries, flags, ...(name ? { name } : {}) };
      if (want === 'ok') {
        const m = table.create(spec);
        assert.equal(m.type, type);
        assert.equal(m.maxEntries, maxEntries);
        table.close(m.id);
      } else {
        throwsMap(() => table.create(spec), want);
      }
    });
  }

  test('attributes that are not u32 are TypeErrors', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      assert.throws(() => table.create({ type: A, keySize: bad, valueSize: 4, maxEntries: 1 }), TypeError);
      assert.throws(
        () => table.create({ type: A, keySize: 4, valueSize: 4, maxEntries: 1, flags: bad }),
        TypeError,
      );
    }
  });

  test('storage beyond the address space is ENOMEM and leaks nothing', () => {
    const live = mem.liveAllocations;
    throwsMap(() => table.create({ type: A, keySize: 4, valueSize: 8, maxEntries: 1 << 21 }), 'ENOMEM');
    throwsMap(() => table.create({ type: H, keySize: 4, valueSize: 64, maxEntries: 1 << 18 }), 'ENOMEM');
    assert.equal(mem.liveAllocations, live);
  });

  test('MapError carries errno, code and the map; the message says what was expected', () => {
    try {
      table.create({ type: A, keySize: 8, valueSize: 4, maxEntries: 1, name: 'idx' });
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof MapError);
      assert.equal(e.errno, 22);
      assert.equal(e.code, 'EINVAL');
      assert.equal(e.map, "'idx' (ARRAY)");
      assert.match(e.message, /key_size 8: expected 4/);
    }
  });

  test('an LRU hash with BPF_F_NO_COMMON_LRU gets max_entries rounded up to a multiple of the cpus', () => {
    const t4 = new MapTable(mem, { cpus: 4 });
    const m = t4.create({ type: L, keySize: 4, valueSize: 4, maxEntries: 10, flags: BPF_F_NO_COMMON_LRU });
    assert.equal(m.maxEntries, 12);
    t4.closeAll();
  });
});

/* ------------------------------------------------------------------ ids, handles, close */

describe('the map table', () => {
  test('ids count from 1; handles hold type, id, key_size, value_size, max_entries, flags', () => {
    const table = new MapTable(mem);
    const a = table.create({ type: A, keySize: 4, valueSize: 12, maxEntries: 3, flags: BPF_F_RDONLY_PROG });
    const h = table.create({ type: H, keySize: 8, valueSize: 4, maxEntries: 5 });
    assert.deepEqual([a.id, h.id], [1, 2]);
    assert.deepEqual(
      [0, 4, 8, 12, 16, 20].map((o) => mem.readU32(a.handle + o)),
      [A, 1, 4, 12, 3, BPF_F_RDONLY_PROG],
    );
    assert.equal(table.byId(2), h);
    assert.equal(table.byName(''), a);
    assert.equal(table.byName('nope'), undefined);
    assert.equal(table.byHandle(h.handle), h);
    assert.equal(table.byHandle(h.handle + 4), undefined);
    assert.deepEqual(
      [...table].map((m) => m.id),
      [1, 2],
    );
    table.closeAll();
  });

  test('close frees storage and handle; the closed map throws TypeError; ids are not reused', () => {
    const table = new MapTable(mem);
    const live = mem.liveAllocations;
    const h = table.create({ type: H, keySize: 4, valueSize: 4, maxEntries: 64 });
    const rb = table.create({ type: RB, keySize: 0, valueSize: 0, maxEntries: 4096 });
    h.u32.set(1, 2);
    table.close(h.id);
    table.close(rb.id);
    assert.equal(mem.liveAllocations, live);
    assert.equal(table.byId(h.id), undefined);
    assert.equal(table.byHandle(h.handle), undefined);
    assert.equal(table.size, 0);
    assert.throws(() => h.u32.get(1), TypeError);
    assert.throws(() => rb.consume(), TypeError);
    assert.throws(() => table.close(h.id), RangeError);
    assert.equal(table.create({ type: A, keySize: 4, valueSize: 4, maxEntries: 1 }).id, 3);
    table.closeAll();
  });

  test('cpus and cpu are checked', () => {
    assert.throws(() => new MapTable(mem, { cpus: 0 }), RangeError);
    const t = new MapTable(mem, { cpus: 2 });
    t.cpu = 1;
    assert.equal(t.cpu, 1);
    assert.throws(() => {
      t.cpu = 2;
    }, RangeError);
  });
});

/* ------------------------------------------------------------------ arrays */

describe('ARRAY', () => {
  const table = new MapTable(mem);
  const arr = table.create({ type: A, keySize: 4, valueSize: 4, maxEntries: 4, name: 'arr' });

  test('values start zeroed; every index is a key', () => {
    assert.deepEqual(
      [...arr.u32.entries()],
      [
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 0],
      ],
    );
    assert.equal(arr.count, 4);
  });

  /** [label, index, flags, expected errno name or 'ok'] */
  const UPDATES: readonly (readonly [string, number, number, string])[] = [
    ['BPF_ANY', 1, BPF_ANY, 'ok'],
    ['BPF_EXIST', 1, BPF_EXIST, 'ok'],
    ['BPF_NOEXIST: every element exists', 1, BPF_NOEXIST, 'EEXIST'],
    ['index = max_entries', 4, BPF_ANY, 'E2BIG'],
    ['flags 3', 1, 3, 'EINVAL'],
    ['BPF_F_LOCK (no spin lock)', 1, BPF_F_LOCK, 'EINVAL'],
    ['BPF_F_LOCK | BPF_NOEXIST: the syscall refuses BPF_F_LOCK first', 1, BPF_F_LOCK | BPF_NOEXIST, 'EINVAL'],
    ['BPF_F_LOCK out of range: the syscall refuses BPF_F_LOCK first', 9, BPF_F_LOCK, 'EINVAL'],
  ];
  for (const [label, index, flags, want] of UPDATES) {
    test(`update ${label}: ${want}`, () => {
      if (want === 'ok') {
        arr.u32.set(index, 77, flags);
        assert.equal(arr.u32.get(index), 77);
      } else throwsMap(() => arr.u32.set(index, 1, flags), want);
    });
  }

  test('lookup out of range is undefined; delete is EINVAL', () => {
    assert.equal(arr.u32.get(4), undefined);
    assert.equal(arr.lookup(le32(100)), undefined);
    throwsMap(() => arr.u32.delete(1), 'EINVAL', /cannot be deleted/);
  });

  test('valueAddr(i) is where the value lives, round_up(value_size, 8) apart', () => {
    arr.u32.set(2, 0xabcd);
    assert.equal(mem.readU32(arr.valueAddr(2)), 0xabcd);
    assert.equal(arr.valueAddr(3) - arr.valueAddr(2), 8);
    assert.throws(() => arr.valueAddr(4), RangeError);
  });

  test('directValueAddr: one-element arrays only, offset below value_size', () => {
    const one = table.create({ type: A, keySize: 4, valueSize: 16, maxEntries: 1 });
    assert.equal(one.directValueAddr(12), one.valueAddr(0) + 12);
    throwsMap(() => one.directValueAddr(16), 'EINVAL');
    throwsMap(() => arr.directValueAddr(0), 'ENOTSUPP');
  });

  test('mmap: a live, page-aligned view of an MMAPABLE array', () => {
    const m = table.create({ type: A, keySize: 4, valueSize: 4, maxEntries: 3, flags: BPF_F_MMAPABLE });
    const view = m.mmap();
    assert.equal(view.byteOffset % 4096, 0);
    assert.equal(view.length, 4096);
    m.u32.set(1, 0x01020304);
    assert.deepEqual([...view.subarray(8, 12)], [4, 3, 2, 1]);
    view[16] = 9;
    assert.equal(m.u32.get(2), 9);
    throwsMap(() => arr.mmap(), 'EINVAL');
    m.freeze();
    throwsMap(() => m.mmap(), 'EPERM');
  });
});

/* ------------------------------------------------------------------ hashes */

describe('HASH and LRU_HASH', () => {
  const table = new MapTable(mem);

  test('update flags and errno: EEXIST, ENOENT, E2BIG, EINVAL', () => {
    const h = table.create({ type: H, keySize: 4, valueSize: 4, maxEntries: 2, name: 'h' });
    /** [action, expected errno name or 'ok'] in order */
    const steps: readonly (readonly [() => void, string])[] = [
      [() => h.u32.set(1, 10, BPF_EXIST), 'ENOENT'],
      [() => h.u32.set(1, 10, BPF_NOEXIST), 'ok'],
      [() => h.u32.set(1, 11, BPF_NOEXIST), 'EEXIST'],
      [() => h.u32.set(1, 12, BPF_EXIST), 'ok'],
      [() => h.u32.set(2, 20), 'ok'],
      [() => h.u32.set(3, 30), 'E2BIG'],
      [() => h.u32.set(2, 21), 'ok'],
      [() => h.u32.set(2, 22, 3), 'EINVAL'],
      [() => h.u32.set(2, 22, BPF_F_LOCK), 'EINVAL'],
    ];
    for (const [f, want] of steps) {
      if (want === 'ok') f();
      else throwsMap(f, want, new RegExp(`'h' \\(HASH, id ${h.id}\\)`));
    }
    assert.deepEqual(
      new Map(h.u32.entries()),
      new Map([
        [1, 12],
        [2, 21],
      ]),
    );
    assert.equal(h.u32.delete(3), false);
    assert.equal(h.u32.delete(1), true);
    assert.equal(h.count, 1);
    h.u32.set(3, 30);
    assert.equal(h.u32.get(3), 30);
    assert.equal(h.u32.has(1), false);
  });

  test('keys are compared as bytes, whatever their size', () => {
    const h = table.create({ type: H, keySize: 7, valueSize: 1, maxEntries: 16 });
    const k = (b: number): Uint8Array => Uint8Array.from([1, 2, 3, 4, 5, 6, b]);
    for (let b = 0; b < 10; b++) h.update(k(b), Uint8Array.of(b * 3));
    for (let b = 0; b < 10; b++) assert.deepEqual(h.lookup(k(b)), Uint8Array.of(b * 3));
    assert.equal(h.lookup(k(10)), undefined);
    assert.deepEqual(
      [...h.keys()].map((x) => x[6]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  test('a raw lookup finds keys at any alignment', () => {
    const h = table.create({ type: H, keySize: 8, valueSize: 8, maxEntries: 4 });
    h.update(Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]), new Uint8Array(8).fill(1));
    const buf = mem.alloc(16);
    for (let off = 0; off < 8; off++) {
      mem.writeBytes(buf + off, Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]));
      assert.notEqual(h.lookupAddr(buf + off), 0, `offset ${off}`);
    }
    mem.free(buf);
  });

  test('LRU: a new key in a full map evicts the least recently used; TS lookups do not count as uses', () => {
    const l = table.create({ type: L, keySize: 4, valueSize: 4, maxEntries: 3 });
    for (const k of [1, 2, 3]) l.u32.set(k, k * 10);
    const order = (): number[] => l.lruOrder().map((b) => new DataView(b.buffer).getUint32(0, true));
    assert.deepEqual(order(), [3, 2, 1]);
    assert.equal(l.u32.get(1), 10);
    assert.deepEqual(order(), [3, 2, 1]);
    const key = mem.alloc(4);
    mem.writeU32(key, 1);
    assert.notEqual(l.lookupAddr(key), 0);
    assert.deepEqual(order(), [1, 3, 2]);
    l.u32.set(3, 31);
    assert.deepEqual(order(), [3, 1, 2]);
    l.u32.set(4, 40);
    assert.deepEqual(order(), [4, 3, 1]);
    assert.equal(l.u32.get(2), undefined);
    throwsMap(() => l.u32.set(5, 1, BPF_EXIST), 'ENOENT');
    throwsMap(() => l.u32.set(4, 1, BPF_NOEXIST), 'EEXIST');
    assert.deepEqual(order(), [4, 3, 1]);
    mem.free(key);
  });
});

/* ------------------------------------------------------------------ per-cpu */

describe('per-cpu maps (2 cpus)', () => {
  const table = new MapTable(mem, { cpus: 2 });

  test('PERCPU_ARRAY: one value per cpu, round_up(value_size, 8) apart; programs see their cpu', () => {
    const pa = table.create({ type: PA, keySize: 4, valueSize: 4, maxEntries: 2 });
    assert.equal(pa.stride, 16);
    pa.u32.set(1, [5, 6]);
    assert.deepEqual(pa.u32.get(1), [5, 6]);
    const key = mem.alloc(8);
    mem.writeU32(key, 1);
    table.cpu = 1;
    const v = pa.lookupAddr(key);
    assert.equal(mem.readU32(v), 6);
    mem.writeU32(key + 4, 60);
    assert.equal(pa.updateAddr(key, key + 4, BPF_ANY), 0);
    assert.deepEqual(pa.u32.get(1), [5, 60]);
    table.cpu = 0;
    assert.throws(() => pa.u32.set(0, [1]), TypeError);
    // bpf_percpu_array_update checks flags first: BPF_F_LOCK is EINVAL even out of range.
    throwsMap(() => pa.u32.set(9, [1, 1], BPF_F_LOCK), 'EINVAL');
    throwsMap(() => pa.u32.set(0, [1, 1], BPF_NOEXIST), 'EEXIST');
    mem.free(key);
  });

  test('PERCPU_HASH: a program update writes its cpu; a new element starts zeroed on the others', () => {
    const ph = table.create({ type: PH, keySize: 4, valueSize: 8, maxEntries: 4 });
    const key = mem.alloc(16);
    mem.writeU32(key, 7);
    mem.writeU64(key + 8, 99n);
    table.cpu = 1;
    assert.equal(ph.updateAddr(key, key + 8, BPF_NOEXIST), 0);
    table.cpu = 0;
    assert.deepEqual(ph.u64.get(7), [0n, 99n]);
    ph.u64.set(7, [1n, 2n]);
    assert.deepEqual(ph.u64.get(7), [1n, 2n]);
    assert.equal(mem.readU64(ph.lookupAddr(key)), 1n);
    assert.deepEqual(
      [...ph.entries()].map(([k, vs]) => [k[0], vs.map((b) => b[0])]),
      [[7, [1, 2]]],
    );
    mem.free(key);
  });

  test('LRU_PERCPU_HASH evicts too', () => {
    const lp = table.create({ type: LP, keySize: 4, valueSize: 4, maxEntries: 2 });
    lp.u32.set(1, [1, 1]);
    lp.u32.set(2, [2, 2]);
    lp.u32.set(3, [3, 3]);
    assert.deepEqual([...lp.u32.keys()].sort(), [2, 3]);
  });
});

/* ------------------------------------------------------------------ typed views and codecs */

describe('typed views', () => {
  const table = new MapTable(mem);

  test('codec sizes must match key_size and value_size', () => {
    const h = table.create({ type: H, keySize: 8, valueSize: 8, maxEntries: 4 });
    assert.throws(() => h.u32, TypeError);
    assert.throws(() => h.typed(codecs.u64, codecs.u32), /value codec of 4 bytes, expected value_size 8/);
    const byPid = h.typed(codecs.u64, codecs.i64);
    byPid.set(1234n, -5n);
    assert.equal(byPid.get(1234n), -5n);
    assert.throws(() => byPid.set(-1n, 0n), TypeError);
    assert.throws(() => h.update(new Uint8Array(4), new Uint8Array(8)), /expected a Uint8Array of 8 bytes/);
  });

  test('integer codecs check their range', () => {
    const a = table.create({ type: A, keySize: 4, valueSize: 2, maxEntries: 2 });
    const v = a.typed(codecs.u32, codecs.i16);
    v.set(0, -2);
    assert.equal(v.get(0), -2);
    assert.deepEqual(a.lookup(le32(0)), Uint8Array.of(0xfe, 0xff));
    assert.throws(() => v.set(0, 40000), TypeError);
    assert.throws(() => v.set(-1, 0), TypeError);
  });

  test('struct codecs', () => {
    const pair = codecs.struct<{ a: number; b: number }>(
      6,
      (v, o) => {
        o.setUint32(0, v.a, true);
        o.setUint16(4, v.b, true);
      },
      (d) => ({ a: d.getUint32(0, true), b: d.getUint16(4, true) }),
    );
    const h = table.create({ type: H, keySize: 4, valueSize: 6, maxEntries: 4 });
    const t = h.typed(codecs.u32, pair);
    t.set(1, { a: 0xdeadbeef, b: 7 });
    assert.deepEqual(t.get(1), { a: 0xdeadbeef, b: 7 });
    assert.deepEqual([...t], [[1, { a: 0xdeadbeef, b: 7 }]]);
    assert.deepEqual([...t.values()], [{ a: 0xdeadbeef, b: 7 }]);
  });

  test('entries deleted during an iteration are skipped', () => {
    const h = table.create({ type: H, keySize: 4, valueSize: 4, maxEntries: 8 });
    for (let k = 0; k < 6; k++) h.u32.set(k, k);
    const seen: number[] = [];
    for (const k of h.u32.keys()) {
      seen.push(k);
      if (k === 1) h.u32.delete(4);
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 5]);
  });
});

/* ------------------------------------------------------------------ access control */

describe('access control', () => {
  const table = new MapTable(mem);

  test('freeze: TypeScript writes are EPERM, programs may not write, a second freeze is EBUSY', () => {
    const a = table.create({ type: A, keySize: 4, valueSize: 4, maxEntries: 2 });
    a.u32.set(0, 1);
    assert.equal(a.programWritable, true);
    a.freeze();
    assert.equal(a.frozen, true);
    assert.equal(a.programWritable, false);
    throwsMap(() => a.u32.set(0, 2), 'EPERM', /frozen/);
    assert.equal(a.u32.get(0), 1);
    const key = mem.alloc(8);
    assert.equal(a.updateAddr(key, key + 4, BPF_ANY), -EPERM);
    throwsMap(() => a.freeze(), 'EBUSY');
    mem.free(key);
  });

  test('BPF_F_RDONLY: TypeScript may read only, and not freeze; BPF_F_WRONLY: write only', () => {
    const ro = table.create({ type: H, keySize: 4, valueSize: 4, maxEntries: 2, flags: BPF_F_RDONLY });
    assert.equal(ro.u32.get(1), undefined);
    throwsMap(() => ro.u32.set(1, 1), 'EPERM');
    throwsMap(() => ro.u32.delete(1), 'EPERM');
    throwsMap(() => ro.freeze(), 'EPERM');
    const wo = table.create({ type: H, keySize: 4, valueSize: 4, maxEntries: 2, flags: BPF_F_WRONLY });
    wo.u32.set(1, 1);
    throwsMap(() => wo.u32.get(1), 'EPERM');
    throwsMap(() => [...wo.u32.keys()], 'EPERM');
  });

  test('BPF_F_RDONLY_PROG: programs may not write, TypeScript may', () => {
    const m = table.create({ type: H, keySize: 4, valueSize: 4, maxEntries: 2, flags: BPF_F_RDONLY_PROG });
    m.u32.set(1, 1);
    assert.equal(m.programWritable, false);
    const key = mem.alloc(8);
    mem.writeU32(key, 1);
    assert.equal(m.deleteAddr(key), -EPERM);
    assert.equal(m.u32.get(1), 1);
    mem.free(key);
  });

  test('BPF_F_WRONLY_PROG is accepted (not enforced: a region cannot be write-only)', () => {
    const m = table.create({ type: A, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_WRONLY_PROG });
    assert.equal(m.programWritable, true);
  });
});

/* ------------------------------------------------------------------ program arrays */

describe('PROG_ARRAY', () => {
  const table = new MapTable(mem);
  const pa = table.create({ type: PR, keySize: 4, valueSize: 4, maxEntries: 4 });

  test('set, get, delete, programId and their errno', () => {
    pa.set(1, 42);
    pa.set(3, 7);
    assert.equal(pa.get(1), 42);
    assert.equal(pa.get(0), undefined);
    assert.equal(pa.get(99), undefined);
    assert.equal(pa.programId(3), 7);
    assert.equal(pa.programId(0), 0);
    assert.equal(pa.programId(4), 0);
    assert.equal(pa.programId(-1), 0);
    assert.deepEqual(
      [...pa.entries()],
      [
        [1, 42],
        [3, 7],
      ],
    );
    assert.equal(pa.count, 2);
    throwsMap(() => pa.set(4, 1), 'E2BIG');
    throwsMap(() => pa.set(0, 1, BPF_NOEXIST), 'EINVAL');
    throwsMap(() => pa.delete(4), 'E2BIG');
    assert.throws(() => pa.set(0, 0), TypeError);
    assert.equal(pa.delete(1), true);
    assert.equal(pa.delete(1), false);
    pa.set(0, 7);
    assert.equal(pa.removeProgram(7), 2);
    assert.deepEqual([...pa.keys()], []);
  });

  test('the raw map operations are refused (programs use bpf_tail_call)', () => {
    assert.throws(() => pa.lookupAddr(0x2000), /bpf_tail_call only/);
    assert.throws(() => pa.updateAddr(0x2000, 0x2000, 0), TypeError);
    assert.throws(() => pa.deleteAddr(0x2000), TypeError);
  });
});

/* ------------------------------------------------------------------ lddw */

describe('resolveLddw', () => {
  const table = new MapTable(mem);
  const one = table.create({ type: A, keySize: 4, valueSize: 8, maxEntries: 1 });
  const h = table.create({ type: H, keySize: 4, valueSize: 8, maxEntries: 1 });

  test('pseudo source 1 is the handle, 2 the value address plus the offset', () => {
    assert.equal(table.resolveLddw(BPF_PSEUDO_MAP_FD, h.id, 0, 0), BigInt(h.handle));
    assert.equal(table.resolveLddw(BPF_PSEUDO_MAP_VALUE, one.id, 4, 0), BigInt(one.valueAddr(0) + 4));
  });

  test('unknown ids, other sources and value access to a hash are refused', () => {
    throwsMap(() => table.resolveLddw(BPF_PSEUDO_MAP_FD, 99, 0, 5), 'EBADF', /insn 5/);
    throwsMap(() => table.resolveLddw(BPF_PSEUDO_BTF_ID, h.id, 0, 0), 'EINVAL');
    throwsMap(() => table.resolveLddw(BPF_PSEUDO_MAP_VALUE, h.id, 0, 0), 'EINVAL');
    throwsMap(() => table.resolveLddw(BPF_PSEUDO_MAP_VALUE, one.id, 8, 0), 'EINVAL');
  });
});
