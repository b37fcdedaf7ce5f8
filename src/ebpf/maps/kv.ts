/**
 * Key/value maps (arrays and hashes, per-cpu or not) over a Store: the raw operations of programs
 * and the TypeScript API.
 *
 * TypeScript API: a TypedMap<K, V> view pairs a key codec with a value codec (codec.ts). The byte
 * API (lookup/update/delete/keys/entries with Uint8Array keys and values) is the view with byte
 * codecs; `map.u32` (u32 keys, u32 values) and `map.u64` (u32 keys, u64 values) are ready-made views
 * for the common 4-byte keys; `map.typed(k, v)` makes any other. A TypeScript operation writes the key
 * (and value) into the map's scratch area of the address space and runs the same Store code as the
 * helpers, with the syscall's semantics: lookups do not count as LRU uses, per-cpu values are read
 * and written for every cpu (arrays of `cpus` values), BPF_F_LOCK is refused before anything else
 * (as map_update_elem() does), errors throw MapError with the errno.
 */
import { BPF_ANY, BPF_F_LOCK } from '../../uapi/bpf.js';
import { E2BIG, EEXIST, EINVAL, ENOENT, EPERM } from '../../uapi/errno.js';
import { bytesCodec, type Codec, codecs } from './codec.js';
import { MapError } from './errors.js';
import { BpfMap, type MapInit } from './map.js';
import { round8 } from './spec.js';
import type { Store } from './store.js';

/** A typed view of a key/value map. Per-cpu maps have V = T[] (one value per cpu). */
export interface TypedMap<K, V> {
  readonly map: BpfMap;
  /** The value of `key`, or undefined. Not an LRU use. */
  get(key: K): V | undefined;
  /** Insert or replace (flags BPF_ANY, BPF_NOEXIST, BPF_EXIST). MapError EEXIST/ENOENT/E2BIG/EINVAL/EPERM. */
  set(key: K, value: V, flags?: number): void;
  /** Remove `key`: false when it is absent. MapError EINVAL on arrays, EPERM when read-only. */
  delete(key: K): boolean;
  has(key: K): boolean;
  /** Keys in storage order (arrays: every index). Elements deleted during the iteration are skipped. */
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  entries(): IterableIterator<[K, V]>;
  [Symbol.iterator](): IterableIterator<[K, V]>;
}

/** How a view reads an element's value and writes a value to the scratch area. */
interface ValueAccess<V> {
  read(elemAddr: number): V;
  write(v: V): void;
}

const hex = (v: number): string => `0x${v.toString(16)}`;

export abstract class KvMap extends BpfMap {
  /** round_up(value_size, 8): one cpu's value. */
  readonly elemSize: number;
  /** Bytes of an element: elemSize per cpu for a per-cpu map, elemSize otherwise. */
  readonly stride: number;
  readonly percpu: boolean;
  protected readonly store: Store;
  readonly #scratchKey: number;
  readonly #scratchVal: number;

  /**
   * Allocates one block: the values (max_entries * stride bytes, page-aligned when `pageAlign`),
   * then the scratch key and value. `makeStore` gets the address of the values and the layout.
   */
  constructor(
    init: MapInit,
    percpu: boolean,
    pageAlign: number,
    makeStore: (base: number, elemSize: number, stride: number) => Store,
  ) {
    super(init);
    this.percpu = percpu;
    this.elemSize = round8(this.valueSize);
    this.stride = this.elemSize * (percpu ? this.ctx.cpus : 1);
    let valueBytes = this.maxEntries * this.stride;
    if (pageAlign > 0) valueBytes = Math.ceil(valueBytes / pageAlign) * pageAlign;
    const base = this.own(valueBytes + round8(this.keySize) + this.stride, Math.max(8, pageAlign));
    this.#scratchKey = base + valueBytes;
    this.#scratchVal = this.#scratchKey + round8(this.keySize);
    try {
      this.store = makeStore(base, this.elemSize, this.stride);
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** Elements present (arrays: max_entries). */
  get count(): number {
    return this.store.count;
  }

  override valueRegion(): { readonly addr: number; readonly size: number } {
    return { addr: this.store.valueBase, size: this.store.valueBytes };
  }

  /* ------------------------------------------------------------------ raw operations (helpers) */

  lookupAddr(keyAddr: number): number {
    const e = this.store.elem(keyAddr, true);
    return e === 0 || !this.percpu ? e : e + this.ctx.cpu * this.elemSize;
  }

  updateAddr(keyAddr: number, valueAddr: number, flags: number): number {
    if (!this.programWritable) return -EPERM;
    return this.store.update(keyAddr, valueAddr, flags, false);
  }

  deleteAddr(keyAddr: number): number {
    if (!this.programWritable) return -EPERM;
    return this.store.delete(keyAddr);
  }

  /* ------------------------------------------------------------------ TypeScript views */

  /** The key bytes of the element at `cursor` (Store.next), for subclasses that report an order. */
  protected keyAt(cursor: number): Uint8Array {
    this.store.writeKey(cursor, this.#scratchKey);
    return this.ctx.mem.readBytes(this.#scratchKey, this.keySize);
  }

  /** A value access over one codec (per-cpu maps: one value per cpu). */
  protected access<T>(codec: Codec<T>): ValueAccess<T> | ValueAccess<T[]> {
    if (codec.size !== this.valueSize) {
      throw new TypeError(
        `map ${this.describe()}: value codec of ${codec.size} bytes, expected value_size ${this.valueSize}`,
      );
    }
    const mem = this.ctx.mem;
    const sv = this.#scratchVal;
    if (!this.percpu) return { read: (e) => codec.read(mem, e), write: (v: T) => codec.write(mem, sv, v) };
    const cpus = this.ctx.cpus;
    const es = this.elemSize;
    return {
      read: (e) => {
        const out: T[] = [];
        for (let c = 0; c < cpus; c++) out.push(codec.read(mem, e + c * es));
        return out;
      },
      write: (vs: T[]) => {
        if (!Array.isArray(vs) || vs.length !== cpus)
          throw new TypeError(`map ${this.describe()}: expected an array of ${cpus} per-cpu values`);
        for (let c = 0; c < cpus; c++) codec.write(mem, sv + c * es, vs[c]!);
      },
    };
  }

  /** The TypedMap of key codec `kc` and value access `va`. */
  protected view<K, V>(kc: Codec<K>, va: ValueAccess<V>): TypedMap<K, V> {
    if (kc.size !== this.keySize) {
      throw new TypeError(
        `map ${this.describe()}: key codec of ${kc.size} bytes, expected key_size ${this.keySize}`,
      );
    }
    const self = this;
    const mem = this.ctx.mem;
    const sk = this.#scratchKey;
    const sv = this.#scratchVal;
    const store = this.store;
    const get = (key: K): V | undefined => {
      self.checkSysRead('lookup');
      kc.write(mem, sk, key);
      const e = store.elem(sk, false);
      return e === 0 ? undefined : va.read(e);
    };
    function* cursors(): Generator<number> {
      self.checkSysRead('iteration');
      for (let c = store.next(0); c >= 0 && !self.closed; c = store.next(c + 1)) yield c;
    }
    const keyOf = (c: number): K => {
      store.writeKey(c, sk);
      return kc.read(mem, sk);
    };
    function* entries(): Generator<[K, V]> {
      for (const c of cursors()) yield [keyOf(c), va.read(store.elemAt(c))];
    }
    return {
      map: this,
      get,
      has: (key) => get(key) !== undefined,
      set: (key, value, flags = BPF_ANY) => {
        self.checkSysWrite('update');
        if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff_ffff)
          throw new TypeError(`update: flags must be a u32, got ${flags}`);
        // map_update_elem() of the syscall refuses BPF_F_LOCK first: no value holds a bpf_spin_lock.
        if ((flags & BPF_F_LOCK) !== 0)
          throw new MapError(
            EINVAL,
            self.describe(),
            'update: BPF_F_LOCK, but the value holds no bpf_spin_lock',
          );
        kc.write(mem, sk, key);
        va.write(value);
        const r = store.update(sk, sv, flags, true);
        if (r !== 0) throw self.#error('update', r, flags);
      },
      delete: (key) => {
        self.checkSysWrite('delete');
        kc.write(mem, sk, key);
        const r = store.delete(sk);
        if (r === -ENOENT) return false;
        if (r !== 0) throw self.#error('delete', r, 0);
        return true;
      },
      *keys() {
        for (const c of cursors()) yield keyOf(c);
      },
      *values() {
        for (const c of cursors()) yield va.read(store.elemAt(c));
      },
      entries,
      [Symbol.iterator]: entries,
    };
  }

  #error(op: string, err: number, flags: number): MapError {
    let why: string;
    switch (-err) {
      case EEXIST:
        why = 'the key exists (BPF_NOEXIST)';
        break;
      case ENOENT:
        why = 'no such key (BPF_EXIST)';
        break;
      case E2BIG:
        why = this.store.kind === 'hash' ? 'the map is full' : 'index out of range';
        why += ` (max_entries ${this.maxEntries})`;
        break;
      case EINVAL:
        why =
          op === 'delete'
            ? 'array elements cannot be deleted'
            : `flags ${hex(flags)}: expected BPF_ANY, BPF_NOEXIST or BPF_EXIST`;
        break;
      default:
        why = 'failed';
    }
    return new MapError(err, this.describe(), `${op}: ${why}`);
  }
}

/** A key/value map with one value per key: ARRAY, HASH, LRU_HASH. */
export abstract class KeyValueMap extends KvMap {
  #bytes: TypedMap<Uint8Array, Uint8Array> | undefined;
  #u32: TypedMap<number, number> | undefined;
  #u64: TypedMap<number, bigint> | undefined;

  /** The view of codecs `key` and `value`. TypeError when their sizes are not key_size and value_size. */
  typed<K, V>(key: Codec<K>, value: Codec<V>): TypedMap<K, V> {
    return this.view(key, this.access(value) as ValueAccess<V>);
  }

  /** u32 keys, u32 values (key_size 4, value_size 4). */
  get u32(): TypedMap<number, number> {
    this.#u32 ??= this.typed(codecs.u32, codecs.u32);
    return this.#u32;
  }

  /** u32 keys, u64 values (key_size 4, value_size 8). */
  get u64(): TypedMap<number, bigint> {
    this.#u64 ??= this.typed(codecs.u32, codecs.u64);
    return this.#u64;
  }

  /** The byte view: keys of key_size bytes, values of value_size bytes (copies). */
  get bytes(): TypedMap<Uint8Array, Uint8Array> {
    this.#bytes ??= this.typed(bytesCodec(this.keySize), bytesCodec(this.valueSize));
    return this.#bytes;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.bytes.get(key);
  }
  update(key: Uint8Array, value: Uint8Array, flags: number = BPF_ANY): void {
    this.bytes.set(key, value, flags);
  }
  delete(key: Uint8Array): boolean {
    return this.bytes.delete(key);
  }
  has(key: Uint8Array): boolean {
    return this.bytes.has(key);
  }
  keys(): IterableIterator<Uint8Array> {
    return this.bytes.keys();
  }
  values(): IterableIterator<Uint8Array> {
    return this.bytes.values();
  }
  entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.bytes.entries();
  }
  [Symbol.iterator](): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.bytes.entries();
  }
}

/** A per-cpu map: PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH. Values are arrays of `cpus` values. */
export abstract class PerCpuMap extends KvMap {
  #bytes: TypedMap<Uint8Array, Uint8Array[]> | undefined;
  #u32: TypedMap<number, number[]> | undefined;
  #u64: TypedMap<number, bigint[]> | undefined;

  /** The view of codecs `key` and `value`, one value per cpu. */
  typed<K, V>(key: Codec<K>, value: Codec<V>): TypedMap<K, V[]> {
    return this.view(key, this.access(value) as ValueAccess<V[]>);
  }

  get u32(): TypedMap<number, number[]> {
    this.#u32 ??= this.typed(codecs.u32, codecs.u32);
    return this.#u32;
  }

  get u64(): TypedMap<number, bigint[]> {
    this.#u64 ??= this.typed(codecs.u32, codecs.u64);
    return this.#u64;
  }

  get bytes(): TypedMap<Uint8Array, Uint8Array[]> {
    this.#bytes ??= this.typed(bytesCodec(this.keySize), bytesCodec(this.valueSize));
    return this.#bytes;
  }

  lookup(key: Uint8Array): Uint8Array[] | undefined {
    return this.bytes.get(key);
  }
  update(key: Uint8Array, values: Uint8Array[], flags: number = BPF_ANY): void {
    this.bytes.set(key, values, flags);
  }
  delete(key: Uint8Array): boolean {
    return this.bytes.delete(key);
  }
  has(key: Uint8Array): boolean {
    return this.bytes.has(key);
  }
  keys(): IterableIterator<Uint8Array> {
    return this.bytes.keys();
  }
  values(): IterableIterator<Uint8Array[]> {
    return this.bytes.values();
  }
  entries(): IterableIterator<[Uint8Array, Uint8Array[]]> {
    return this.bytes.entries();
  }
  [Symbol.iterator](): IterableIterator<[Uint8Array, Uint8Array[]]> {
    return this.bytes.entries();
  }
}
