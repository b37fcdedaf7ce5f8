/**
 * HASH, LRU_HASH, PERCPU_HASH and LRU_PERCPU_HASH maps (storage and semantics: hash-store.ts).
 * The hash seed is random unless the map is created BPF_F_ZERO_SEED (then 0, as in the kernel); it
 * changes nothing observable but the speed of colliding keys.
 */
import { BPF_F_ZERO_SEED, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH } from '../../uapi/bpf.js';
import { HashStore } from './hash-store.js';
import { KeyValueMap, type KvMap, PerCpuMap } from './kv.js';
import type { MapInit } from './map.js';

function hashStore(init: MapInit, percpu: boolean, lru: boolean) {
  const { keySize, valueSize, maxEntries, flags } = init.spec;
  const seed = (flags & BPF_F_ZERO_SEED) !== 0 ? 0 : (Math.random() * 0x1_0000_0000) | 0;
  return (base: number, elemSize: number, stride: number): HashStore =>
    new HashStore(init.ctx, base, { keySize, valueSize, elemSize, stride, maxEntries, percpu, lru, seed });
}

/** Keys from the most to the least recently used (LRU maps; [] otherwise). */
function lruOrder(map: KvMap, store: HashStore, keyAt: (cursor: number) => Uint8Array): Uint8Array[] {
  return map.closed ? [] : store.recency().map(keyAt);
}

export class HashMap extends KeyValueMap {
  constructor(init: MapInit) {
    super(init, false, 0, hashStore(init, false, init.spec.type === BPF_MAP_TYPE_LRU_HASH));
  }

  /** Keys from the most to the least recently used (LRU_HASH; [] for HASH). */
  lruOrder(): Uint8Array[] {
    return lruOrder(this, this.store as HashStore, (c) => this.keyAt(c));
  }
}

export class PerCpuHashMap extends PerCpuMap {
  constructor(init: MapInit) {
    super(init, true, 0, hashStore(init, true, init.spec.type === BPF_MAP_TYPE_LRU_PERCPU_HASH));
  }

  /** Keys from the most to the least recently used (LRU_PERCPU_HASH; [] for PERCPU_HASH). */
  lruOrder(): Uint8Array[] {
    return lruOrder(this, this.store as HashStore, (c) => this.keyAt(c));
  }
}
