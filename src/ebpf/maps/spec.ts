/**
 * Map attributes (the fields of BPF_MAP_CREATE that matter here) and their validation as the kernel
 * does it at map creation: the generic checks of map_create() and each type's map_alloc_check, with
 * the kernel's errno (-EINVAL for bad sizes or flags, -E2BIG for sizes beyond the kernel's bounds,
 * -ENOTSUPP for an LRU hash without preallocation). Attributes that are not u32 integers at all are
 * API misuse (TypeError).
 */
import {
  BPF_F_ACCESS_MASK,
  BPF_F_INNER_MAP,
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
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_OBJ_NAME_LEN,
  ENOTSUPP,
  HTAB_ELEM_SIZE,
  KMALLOC_MAX_SIZE,
  PAGE_SIZE,
  PCPU_MIN_UNIT_SIZE,
} from '../../uapi/bpf.js';
import { E2BIG, EINVAL } from '../../uapi/errno.js';
import { MapError } from './errors.js';

/** What BPF_MAP_CREATE takes (sizes in bytes). */
export interface MapSpec {
  /** A BPF_MAP_TYPE_* value. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* creation flags; default 0. */
  readonly flags?: number;
  /** At most 15 characters of [A-Za-z0-9_.]; default ''. */
  readonly name?: string;
}

/** Kernel names of the map types this runtime implements, by type. */
export const MAP_TYPE_NAMES: Readonly<Record<number, string>> = {
  [BPF_MAP_TYPE_HASH]: 'HASH',
  [BPF_MAP_TYPE_ARRAY]: 'ARRAY',
  [BPF_MAP_TYPE_PROG_ARRAY]: 'PROG_ARRAY',
  [BPF_MAP_TYPE_PERCPU_HASH]: 'PERCPU_HASH',
  [BPF_MAP_TYPE_PERCPU_ARRAY]: 'PERCPU_ARRAY',
  [BPF_MAP_TYPE_LRU_HASH]: 'LRU_HASH',
  [BPF_MAP_TYPE_LRU_PERCPU_HASH]: 'LRU_PERCPU_HASH',
  [BPF_MAP_TYPE_RINGBUF]: 'RINGBUF',
};

export const typeName = (type: number): string => MAP_TYPE_NAMES[type] ?? `type ${type}`;

export const round8 = (n: number): number => Math.ceil(n / 8) * 8;

const ARRAY_CREATE_FLAG_MASK =
  BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_ACCESS_MASK | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;
const HTAB_CREATE_FLAG_MASK =
  BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F_ZERO_SEED;
const RINGBUF_CREATE_FLAG_MASK = BPF_F_NUMA_NODE;
const U32_MAX = 0xffff_ffff;
const INT_MAX = 0x7fff_ffff;

/** A spec with every field present and checked to be a u32 (name: a string). */
export interface CheckedSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
}

const isU32 = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;

/**
 * Check `spec` as bpf(BPF_MAP_CREATE) would, for a machine of `cpus` possible cpus. Returns the spec
 * the map gets (max_entries of an LRU hash with BPF_F_NO_COMMON_LRU is rounded to a multiple of the
 * cpus, as the kernel does). Throws TypeError when a field is not a u32, MapError with the kernel's
 * errno otherwise.
 */
export function checkMapSpec(spec: MapSpec, cpus: number): CheckedSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('map spec must be an object');
  const { type, keySize, valueSize, maxEntries } = spec;
  const flags = spec.flags ?? 0;
  const name = spec.name ?? '';
  for (const [field, v] of [
    ['type', type],
    ['keySize', keySize],
    ['valueSize', valueSize],
    ['maxEntries', maxEntries],
    ['flags', flags],
  ] as const) {
    if (!isU32(v))
      throw new TypeError(`map spec: ${field} must be an integer from 0 to 0xffffffff, got ${v}`);
  }
  if (typeof name !== 'string') throw new TypeError(`map spec: name must be a string, got ${typeof name}`);
  const where = `'${name}' (${typeName(type)})`;
  const fail = (err: number, detail: string): never => {
    throw new MapError(err, where, detail);
  };
  const hex = (v: number): string => `0x${v.toString(16)}`;

  // map_create(): the file access flags, then the type.
  if ((flags & BPF_F_RDONLY) !== 0 && (flags & BPF_F_WRONLY) !== 0)
    fail(EINVAL, 'flags BPF_F_RDONLY and BPF_F_WRONLY together: expected at most one');
  if (MAP_TYPE_NAMES[type] === undefined) {
    fail(
      EINVAL,
      `map type ${type} is not implemented: expected one of ${Object.entries(MAP_TYPE_NAMES)
        .map(([t, n]) => `${n} (${t})`)
        .join(', ')}`,
    );
  }
  // bpf_map_flags_access_ok()
  if ((flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) === (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
    fail(EINVAL, 'flags BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together: expected at most one');
  const numa = (flags & BPF_F_NUMA_NODE) !== 0;
  let entries = maxEntries;

  switch (type) {
    case BPF_MAP_TYPE_PROG_ARRAY:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_ARRAY: {
      const percpu = type === BPF_MAP_TYPE_PERCPU_ARRAY;
      if (type === BPF_MAP_TYPE_PROG_ARRAY) {
        // fd_array_map_alloc_check()
        if (valueSize !== 4) fail(EINVAL, `value_size ${valueSize}: expected 4 (a program)`);
        if ((flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !== 0)
          fail(EINVAL, 'flags BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG: not allowed on a program array');
      }
      if (maxEntries === 0) fail(EINVAL, 'max_entries 0: expected at least 1');
      if (keySize !== 4) fail(EINVAL, `key_size ${keySize}: expected 4 (a u32 index)`);
      if (valueSize === 0) fail(EINVAL, 'value_size 0: expected at least 1');
      if ((flags & ~ARRAY_CREATE_FLAG_MASK) !== 0)
        fail(EINVAL, `flags ${hex(flags)}: ${hex(flags & ~ARRAY_CREATE_FLAG_MASK)} not allowed on an array`);
      if (percpu && numa) fail(EINVAL, 'flag BPF_F_NUMA_NODE: not allowed on a per-cpu map');
      if (type !== BPF_MAP_TYPE_ARRAY && (flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)) !== 0)
        fail(EINVAL, 'flags BPF_F_MMAPABLE / BPF_F_INNER_MAP: allowed on ARRAY only');
      if ((flags & BPF_F_PRESERVE_ELEMS) !== 0)
        fail(EINVAL, 'flag BPF_F_PRESERVE_ELEMS: allowed on PERF_EVENT_ARRAY only');
      if (valueSize > INT_MAX) fail(E2BIG, `value_size ${valueSize}: expected at most ${INT_MAX}`);
      if (percpu && round8(valueSize) > PCPU_MIN_UNIT_SIZE)
        fail(E2BIG, `value_size ${valueSize}: a per-cpu value is at most ${PCPU_MIN_UNIT_SIZE} bytes`);
      break;
    }
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH: {
      // htab_map_alloc_check() (privileged: BPF_F_ZERO_SEED is allowed), then htab_map_alloc()
      const percpu = type === BPF_MAP_TYPE_PERCPU_HASH || type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
      const lru = type === BPF_MAP_TYPE_LRU_HASH || type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
      const percpuLru = (flags & BPF_F_NO_COMMON_LRU) !== 0;
      if ((flags & ~HTAB_CREATE_FLAG_MASK) !== 0)
        fail(EINVAL, `flags ${hex(flags)}: ${hex(flags & ~HTAB_CREATE_FLAG_MASK)} not allowed on a hash`);
      if (!lru && percpuLru) fail(EINVAL, 'flag BPF_F_NO_COMMON_LRU: allowed on LRU maps only');
      if (lru && (flags & BPF_F_NO_PREALLOC) !== 0)
        fail(ENOTSUPP, 'flag BPF_F_NO_PREALLOC: LRU maps are always preallocated');
      if (numa && (percpu || percpuLru))
        fail(EINVAL, 'flag BPF_F_NUMA_NODE: not allowed on a per-cpu map or a per-cpu LRU');
      if (maxEntries === 0) fail(EINVAL, 'max_entries 0: expected at least 1');
      if (keySize === 0) fail(EINVAL, 'key_size 0: expected at least 1');
      if (valueSize === 0) fail(EINVAL, 'value_size 0: expected at least 1');
      if (keySize + valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) {
        fail(
          E2BIG,
          `key_size + value_size ${keySize + valueSize}: expected less than ${KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE}`,
        );
      }
      if (percpu && round8(valueSize) > PCPU_MIN_UNIT_SIZE)
        fail(E2BIG, `value_size ${valueSize}: a per-cpu value is at most ${PCPU_MIN_UNIT_SIZE} bytes`);
      if (percpuLru) {
        // Each cpu's LRU list gets the same number of elements.
        entries = Math.ceil(maxEntries / cpus) * cpus;
        if (entries > U32_MAX) entries = Math.floor(maxEntries / cpus) * cpus;
      }
      if (entries > 2 ** 31) fail(E2BIG, `max_entries ${entries}: expected at most 2^31`);
      break;
    }
    default: {
      // BPF_MAP_TYPE_RINGBUF: ringbuf_map_alloc()
      if ((flags & ~RINGBUF_CREATE_FLAG_MASK) !== 0)
        fail(EINVAL, `flags ${hex(flags)}: only BPF_F_NUMA_NODE is allowed on a ring buffer`);
      if (keySize !== 0 || valueSize !== 0)
        fail(EINVAL, `key_size ${keySize}, value_size ${valueSize}: expected 0 and 0 on a ring buffer`);
      if (maxEntries === 0 || (maxEntries & (maxEntries - 1)) !== 0 || maxEntries % PAGE_SIZE !== 0) {
        fail(
          EINVAL,
          `max_entries ${maxEntries}: expected the data size, a power of 2 and a multiple of ${PAGE_SIZE}`,
        );
      }
    }
  }
  // bpf_obj_name_cpy()
  if (name.length >= BPF_OBJ_NAME_LEN || !/^[A-Za-z0-9_.]*$/.test(name)) {
    fail(EINVAL, `name '${name}': expected at most ${BPF_OBJ_NAME_LEN - 1} characters of [A-Za-z0-9_.]`);
  }
  return { type, keySize, valueSize, maxEntries: entries, flags, name };
}
