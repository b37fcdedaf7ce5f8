/**
 * MapTable: the maps of one address space (one runtime). It creates maps (checking their attributes
 * as the kernel does), numbers them from 1 (the id is what lddw pseudo source 1 names, the "fd"),
 * gives each a handle (a small block of the address space holding { u32 type, id, key_size,
 * value_size, max_entries, map_flags }: the pointer programs pass in r1 to helpers), finds them by
 * id, handle or record address, and closes them (freeing their storage and handle).
 *
 *   const table = new MapTable(mem);
 *   const counts = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 1024 });
 *   counts.u64.set(7, 1n);
 *   const prog = loadProgram(insns, { helpers, resolveLddw: table.resolveLddw });
 *
 * Per-cpu maps hold `cpus` values per element (option, default 1: one cpu per thread that runs
 * programs); `cpu` is the one programs run on now.
 */
import type { AddressSpace } from '../../mem/address-space.js';
import { MemoryExhausted } from '../../mem/errors.js';
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
} from '../../uapi/bpf.js';
import { EBADF, EINVAL, ENOMEM } from '../../uapi/errno.js';
import type { LddwResolver } from '../interp-decode.js';
import { ArrayMap, PerCpuArrayMap } from './arrays.js';
import { MapError } from './errors.js';
import { HashMap, PerCpuHashMap } from './hashes.js';
import { type BpfMap, HANDLE_BYTES, type MapInit } from './map.js';
import { ProgArrayMap } from './prog-array.js';
import { RingBufMap } from './ringbuf.js';
import { checkMapSpec, type MapSpec, typeName } from './spec.js';
import type { MapContext } from './store.js';

/** The class of map `create()` returns for a map type. */
export type MapOf<T extends number> = T extends typeof BPF_MAP_TYPE_ARRAY
  ? ArrayMap
  : T extends typeof BPF_MAP_TYPE_HASH | typeof BPF_MAP_TYPE_LRU_HASH
    ? HashMap
    : T extends typeof BPF_MAP_TYPE_PERCPU_ARRAY
      ? PerCpuArrayMap
      : T extends typeof BPF_MAP_TYPE_PERCPU_HASH | typeof BPF_MAP_TYPE_LRU_PERCPU_HASH
        ? PerCpuHashMap
        : T extends typeof BPF_MAP_TYPE_PROG_ARRAY
          ? ProgArrayMap
          : T extends typeof BPF_MAP_TYPE_RINGBUF
            ? RingBufMap
            : BpfMap;

const CLASSES: Readonly<Record<number, new (init: MapInit) => BpfMap>> = {
  [BPF_MAP_TYPE_HASH]: HashMap,
  [BPF_MAP_TYPE_ARRAY]: ArrayMap,
  [BPF_MAP_TYPE_PROG_ARRAY]: ProgArrayMap,
  [BPF_MAP_TYPE_PERCPU_HASH]: PerCpuHashMap,
  [BPF_MAP_TYPE_PERCPU_ARRAY]: PerCpuArrayMap,
  [BPF_MAP_TYPE_LRU_HASH]: HashMap,
  [BPF_MAP_TYPE_LRU_PERCPU_HASH]: PerCpuHashMap,
  [BPF_MAP_TYPE_RINGBUF]: RingBufMap,
};

export interface MapTableOptions {
  /** Possible cpus (values per element of a per-cpu map): an integer from 1 to 1024; default 1. */
  readonly cpus?: number;
}

export class MapTable implements MapContext {
  readonly mem: AddressSpace;
  readonly cpus: number;
  #cpu = 0;
  readonly #byId = new Map<number, BpfMap>();
  readonly #byHandle = new Map<number, BpfMap>();
  readonly #ringbufs: RingBufMap[] = [];
  #nextId = 1;

  constructor(mem: AddressSpace, options: MapTableOptions = {}) {
    this.mem = mem;
    const cpus = options.cpus ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 1024)
      throw new RangeError(`MapTable: cpus must be an integer from 1 to 1024, got ${cpus}`);
    this.cpus = cpus;
  }

  /** The cpu programs run on now (0 to cpus - 1). */
  get cpu(): number {
    return this.#cpu;
  }
  set cpu(c: number) {
    if (!Number.isInteger(c) || c < 0 || c >= this.cpus)
      throw new RangeError(`MapTable: cpu must be an integer from 0 to ${this.cpus - 1}, got ${c}`);
    this.#cpu = c;
  }

  /**
   * Create a map. TypeError when a field is not a u32; MapError with the kernel's errno when the
   * kernel would refuse the attributes, ENOMEM when the address space has no room for its storage.
   */
  create<T extends number>(spec: MapSpec & { readonly type: T }): MapOf<T> {
    const checked = checkMapSpec(spec, this.cpus);
    const Cls = CLASSES[checked.type]!;
    let handle = 0;
    let map: BpfMap;
    try {
      handle = this.mem.allocKernel(HANDLE_BYTES);
      map = new Cls({ ctx: this, spec: checked, id: this.#nextId, handle });
    } catch (e) {
      if (handle !== 0) this.mem.free(handle);
      if (e instanceof MemoryExhausted) {
        throw new MapError(
          ENOMEM,
          `'${checked.name}' (${typeName(checked.type)})`,
          `no room for the map: ${e.message}`,
        );
      }
      throw e;
    }
    this.#nextId++;
    const words = [map.type, map.id, map.keySize, map.valueSize, map.maxEntries, map.flags];
    words.forEach((w, i) => {
      this.mem.setU32(handle + 4 * i, w >>> 0);
    });
    this.#byId.set(map.id, map);
    this.#byHandle.set(handle, map);
    if (map instanceof RingBufMap) this.#ringbufs.push(map);
    return map as MapOf<T>;
  }

  byId(id: number): BpfMap | undefined {
    return this.#byId.get(id);
  }

  /** The map whose handle is `addr` (a helper's r1), or undefined. */
  byHandle(addr: number): BpfMap | undefined {
    return this.#byHandle.get(addr);
  }

  /** The first open map named `name` (names need not be unique), or undefined. */
  byName(name: string): BpfMap | undefined {
    for (const m of this.#byId.values()) if (m.name === name) return m;
    return undefined;
  }

  /** The ring buffer whose data area holds the record at `sampleAddr`, or undefined. */
  ringbufOf(sampleAddr: number): RingBufMap | undefined {
    for (const rb of this.#ringbufs) if (rb.holds(sampleAddr)) return rb;
    return undefined;
  }

  /** Close map `id`: its storage and handle are freed, the map object throws from now on. RangeError when there is no such map. */
  close(id: number): void {
    const map = this.#byId.get(id);
    if (map === undefined) throw new RangeError(`MapTable.close: no map with id ${id}`);
    this.#byId.delete(id);
    this.#byHandle.delete(map.handle);
    const i = this.#ringbufs.indexOf(map as RingBufMap);
    if (i >= 0) this.#ringbufs.splice(i, 1);
    map.release();
    this.mem.free(map.handle);
  }

  /** Close every map. */
  closeAll(): void {
    for (const id of [...this.#byId.keys()]) this.close(id);
  }

  /** Maps open now. */
  get size(): number {
    return this.#byId.size;
  }

  /** The open maps, by id. */
  [Symbol.iterator](): IterableIterator<BpfMap> {
    return this.#byId.values();
  }

  /**
   * An lddw resolver (LoadOptions.resolveLddw) for programs that name maps by id: pseudo source 1
   * (BPF_PSEUDO_MAP_FD, imm = id) loads the map's handle, source 2 (BPF_PSEUDO_MAP_VALUE, imm = id,
   * next imm = offset) the address of the ARRAY's value plus the offset (ArrayMap.directValueAddr:
   * arrays of one element). MapError EBADF for an unknown id, EINVAL for another source or map type.
   */
  readonly resolveLddw: LddwResolver = (src, imm, nextImm, index) => {
    const map = this.#byId.get(imm);
    if (map === undefined)
      throw new MapError(EBADF, `id ${imm}`, `lddw at insn ${index}: no map with id ${imm}`);
    if (src === BPF_PSEUDO_MAP_FD) return BigInt(map.handle);
    if (src === BPF_PSEUDO_MAP_VALUE) {
      if (!(map instanceof ArrayMap)) {
        throw new MapError(
          EINVAL,
          map.describe(),
          `lddw at insn ${index}: map value access needs an ARRAY map`,
        );
      }
      return BigInt(map.directValueAddr(nextImm >>> 0));
    }
    throw new MapError(
      EINVAL,
      map.describe(),
      `lddw at insn ${index}: pseudo source ${src}, expected ${BPF_PSEUDO_MAP_FD} (map) or ${BPF_PSEUDO_MAP_VALUE} (map value)`,
    );
  };
}
