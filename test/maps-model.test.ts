/**
 * Randomized model test (seeded): HASH and LRU_HASH against a JavaScript Map that models them, over
 * long random sequences of updates (every flag), deletes, TypeScript lookups (no LRU use) and raw
 * program-side lookups (an LRU use) with keys at every alignment. Each step's result or errno is
 * checked, and periodically the whole content and the LRU order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HashMap, MapError, MapTable } from '../src/ebpf/maps/index.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_NOEXIST,
} from '../src/uapi/bpf.js';
import { xorshift32 } from './helpers.js';

const mem = new AddressSpace({ size: 8 * 1024 * 1024 });

interface Config {
  readonly type: number;
  readonly keySize: number;
  readonly maxEntries: number;
  /** Keys are drawn from 0..keySpace-1. */
  readonly keySpace: number;
  readonly seed: number;
  readonly steps: number;
}

/** Key k as keySize bytes: k little-endian, then bytes derived from k (so every byte matters). */
function keyBytes(k: number, keySize: number): Uint8Array {
  const b = new Uint8Array(keySize);
  for (let i = 0; i < keySize; i++) b[i] = i < 4 ? (k >>> (8 * i)) & 0xff : (k * 31 + i * 7) & 0xff;
  return b;
}

const valueBytes = (v: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, v, true);
  new DataView(b.buffer).setUint32(4, ~v >>> 0, true);
  return b;
};

/** The errno name a MapError-throwing call raised, or 'ok'. */
function outcome(f: () => void): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof MapError) return e.code;
    throw e;
  }
}

function runModel(c: Config): void {
  const table = new MapTable(mem);
  const map = table.create({
    type: c.type,
    keySize: c.keySize,
    valueSize: 8,
    maxEntries: c.maxEntries,
  }) as HashMap;
  const lru = c.type === BPF_MAP_TYPE_LRU_HASH;
  // Insertion order of the JS Map = recency order, least recent first.
  const model = new Map<number, number>();
  const use = (k: number): void => {
    const v = model.get(k)!;
    model.delete(k);
    model.set(k, v);
  };
  const rnd = xorshift32(c.seed);
  const buf = mem.alloc(c.keySize + 8);
  const keyOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  const checkAll = (step: number): void => {
    const got = new Map(
      [...map.entries()].map(([k, v]) => [keyOf(k), new DataView(v.buffer).getUint32(0, true)]),
    );
    assert.deepEqual(got, new Map([...model].sort((a, b) => a[0] - b[0])), `content at step ${step}`);
    assert.equal(map.count, model.size, `count at step ${step}`);
    if (lru)
      assert.deepEqual(map.lruOrder().map(keyOf), [...model.keys()].reverse(), `LRU order at step ${step}`);
  };
  for (let step = 0; step < c.steps; step++) {
    const k = rnd() % c.keySpace;
    const key = keyBytes(k, c.keySize);
    const op = rnd() % 10;
    const where = `step ${step}: key ${k}`;
    if (op < 4) {
      const flags = [BPF_ANY, BPF_NOEXIST, BPF_EXIST][rnd() % 3]!;
      const v = rnd();
      let want = 'ok';
      if (model.has(k) && flags === BPF_NOEXIST) want = 'EEXIST';
      else if (!model.has(k) && flags === BPF_EXIST) want = 'ENOENT';
      else if (!model.has(k) && model.size === c.maxEntries && !lru) want = 'E2BIG';
      assert.equal(
        outcome(() => map.update(key, valueBytes(v), flags)),
        want,
        `${where} update flags ${flags}`,
      );
      if (want === 'ok') {
        if (!model.has(k) && model.size === c.maxEntries) model.delete(model.keys().next().value!);
        model.set(k, v);
        use(k);
      }
    } else if (op < 6) {
      assert.equal(map.delete(key), model.delete(k), `${where} delete`);
    } else if (op < 8) {
      const got = map.lookup(key);
      const want = model.get(k);
      assert.deepEqual(got, want === undefined ? undefined : valueBytes(want), `${where} lookup`);
    } else {
      // A program's lookup: the key anywhere in memory, any alignment; counts as an LRU use.
      const at = buf + (rnd() % 8);
      mem.writeBytes(at, key);
      const addr = map.lookupAddr(at);
      assert.equal(addr !== 0, model.has(k), `${where} lookupAddr`);
      if (addr !== 0) {
        assert.equal(mem.readU32(addr), model.get(k), `${where} value at 0x${addr.toString(16)}`);
        use(k);
      }
    }
    if (step % 500 === 499) checkAll(step);
  }
  checkAll(c.steps);
  mem.free(buf);
  table.closeAll();
}

const CONFIGS: readonly Config[] = [
  { type: BPF_MAP_TYPE_HASH, keySize: 4, maxEntries: 64, keySpace: 100, seed: 1, steps: 20_000 },
  { type: BPF_MAP_TYPE_HASH, keySize: 6, maxEntries: 17, keySpace: 40, seed: 2, steps: 10_000 },
  { type: BPF_MAP_TYPE_HASH, keySize: 16, maxEntries: 200, keySpace: 1000, seed: 3, steps: 20_000 },
  { type: BPF_MAP_TYPE_LRU_HASH, keySize: 4, maxEntries: 32, keySpace: 80, seed: 4, steps: 20_000 },
  { type: BPF_MAP_TYPE_LRU_HASH, keySize: 9, maxEntries: 5, keySpace: 12, seed: 5, steps: 10_000 },
  { type: BPF_MAP_TYPE_LRU_HASH, keySize: 8, maxEntries: 1, keySpace: 3, seed: 6, steps: 2_000 },
];

for (const c of CONFIGS) {
  const name = c.type === BPF_MAP_TYPE_LRU_HASH ? 'LRU_HASH' : 'HASH';
  test(`${name} key_size ${c.keySize}, max_entries ${c.maxEntries}, ${c.keySpace} keys: ${c.steps} random steps match the model (seed ${c.seed})`, () => {
    runModel(c);
  });
}
