/**
 * The map and ring buffer helpers, with the kernel's prototypes and return values:
 *
 *   1   void *bpf_map_lookup_elem(map, key)                 value pointer or NULL
 *   2   long bpf_map_update_elem(map, key, value, flags)    0 or -errno (-EEXIST, -ENOENT, -E2BIG, -EINVAL, -EPERM)
 *   3   long bpf_map_delete_elem(map, key)                  0 or -errno (-ENOENT, -EINVAL on arrays, -EPERM)
 *   130 long bpf_ringbuf_output(ringbuf, data, size, flags) 0, -EINVAL (flags) or -EAGAIN (no room)
 *   131 void *bpf_ringbuf_reserve(ringbuf, size, flags)     record pointer, or NULL (no room, flags != 0)
 *   132 void bpf_ringbuf_submit(record, flags)
 *   133 void bpf_ringbuf_discard(record, flags)
 *
 * `map` is a map handle (MapTable: what a map lddw loads). A lookup that finds its key grants the
 * run the map's whole value storage, once per run (BpfMap.grantValues), read-only when programs may
 * not write the map (frozen, BPF_F_RDONLY_PROG); ringbuf_reserve grants the record it returns.
 *
 * What the verifier would reject (no verifier runs yet) stops the run instead: a key, value or data
 * argument the program may not read is an E_FAULT_MEM fault, an r1 that is not a map handle, a map of
 * the wrong type for the helper, or a record that is not reserved is an E_HELPER fault.
 */
import {
  BPF_FUNC_map_delete_elem,
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_ringbuf_discard,
  BPF_FUNC_ringbuf_output,
  BPF_FUNC_ringbuf_reserve,
  BPF_FUNC_ringbuf_submit,
  BPF_MAP_TYPE_ARRAY,
  RINGBUF_MAX_RECORD_SZ,
} from '../uapi/bpf.js';
import { EINVAL } from '../uapi/errno.js';
import { BpfFault } from './faults.js';
import type { HelperDef, HelperEnv, HelperRegistry } from './helpers.js';
import { ArrayMap } from './maps/arrays.js';
import type { BpfMap } from './maps/map.js';
import { RingBufMap } from './maps/ringbuf.js';
import type { MapTable } from './maps/table.js';

const U32 = 0xffff_ffffn;
/** Flags beyond 32 bits: a value no flag check accepts. */
const BAD_FLAGS = 0x8000_0000;

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function mapArg(table: MapTable, r1: bigint): BpfMap {
  const map = r1 <= U32 ? table.byHandle(Number(r1)) : undefined;
  if (map === undefined)
    throw new TypeError(`r1 ${hex(r1)} is not a map: expected the handle of an open map`);
  return map;
}

function ringbufArg(table: MapTable, r1: bigint): RingBufMap {
  const map = mapArg(table, r1);
  if (!(map instanceof RingBufMap)) throw new TypeError(`r1: map ${map.describe()} is not a ring buffer`);
  return map;
}

/** The address in `r` of `len` bytes the program may read; an E_FAULT_MEM fault otherwise. */
function readable(env: HelperEnv, r: bigint, len: number, what: string, reg: number): number {
  const a = r <= U32 ? Number(r) : -1;
  if (a < 0 || !env.readable(a, len)) {
    throw new BpfFault(
      'E_FAULT_MEM',
      0,
      `r${reg} ${hex(r)}: the ${what} (${len} bytes) is not memory the program may read`,
    );
  }
  return a;
}

const flagsOf = (r: bigint): number => (r <= U32 ? Number(r) : BAD_FLAGS);

/** The helper definitions over `table`. */
export function mapHelpers(table: MapTable): HelperDef[] {
  const base = { sleepableOnly: false, gplOnly: false } as const;
  return [
    {
      ...base,
      id: BPF_FUNC_map_lookup_elem,
      name: 'map_lookup_elem',
      args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'],
      ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL',
      impl: (env, r1, r2) => {
        const map = mapArg(table, r1);
        const v = map.lookupAddr(readable(env, r2, map.keySize, 'key', 2));
        if (v === 0) return 0n;
        map.grantValues(env);
        return BigInt(v);
      },
      inlineArrayLookup: (handle) => {
        const map = handle <= U32 ? table.byHandle(Number(handle)) : undefined;
        // Exactly ARRAY (not PERCPU_ARRAY, whose value depends on the cpu of the run).
        if (!(map instanceof ArrayMap) || map.type !== BPF_MAP_TYPE_ARRAY) return null;
        return {
          valueBase: map.valueRegion().addr,
          maxEntries: map.maxEntries,
          stride: map.stride,
          grantValues: (env) => map.grantValues(env),
        };
      },
    },
    {
      ...base,
      id: BPF_FUNC_map_update_elem,
      name: 'map_update_elem',
      args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'],
      ret: 'RET_INTEGER',
      impl: (env, r1, r2, r3, r4) => {
        const map = mapArg(table, r1);
        const key = readable(env, r2, map.keySize, 'key', 2);
        const value = readable(env, r3, map.valueSize, 'value', 3);
        return BigInt(map.updateAddr(key, value, flagsOf(r4)));
      },
    },
    {
      ...base,
      id: BPF_FUNC_map_delete_elem,
      name: 'map_delete_elem',
      args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'],
      ret: 'RET_INTEGER',
      impl: (env, r1, r2) => {
        const map = mapArg(table, r1);
        return BigInt(map.deleteAddr(readable(env, r2, map.keySize, 'key', 2)));
      },
    },
    {
      ...base,
      id: BPF_FUNC_ringbuf_output,
      name: 'ringbuf_output',
      args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
      ret: 'RET_INTEGER',
      impl: (env, r1, r2, r3, r4) => {
        const rb = ringbufArg(table, r1);
        if (r3 > U32)
          throw new BpfFault('E_FAULT_MEM', 0, `r3 ${hex(r3)}: data size beyond the address space`);
        const size = Number(r3);
        const data = size === 0 ? 0 : readable(env, r2, size, 'data', 2);
        if (r4 > U32) return BigInt(-EINVAL);
        return BigInt(rb.outputAddr(data, size, Number(r4)));
      },
    },
    {
      ...base,
      id: BPF_FUNC_ringbuf_reserve,
      name: 'ringbuf_reserve',
      args: ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING'],
      ret: 'RET_PTR_TO_ALLOC_MEM_OR_NULL',
      impl: (env, r1, r2, r3) => {
        const rb = ringbufArg(table, r1);
        if (r3 !== 0n || r2 > BigInt(RINGBUF_MAX_RECORD_SZ)) return 0n;
        const size = Number(r2);
        const rec = rb.reserveAddr(size, env);
        if (rec === 0) return 0n;
        env.grant(rec, size, true, `ringbuf '${rb.name}' record`);
        return BigInt(rec);
      },
    },
    commitHelper(table, BPF_FUNC_ringbuf_submit, 'ringbuf_submit', false),
    commitHelper(table, BPF_FUNC_ringbuf_discard, 'ringbuf_discard', true),
  ];
}

function commitHelper(table: MapTable, id: number, name: string, discard: boolean): HelperDef {
  return {
    id,
    name,
    args: ['ARG_PTR_TO_ALLOC_MEM', 'ARG_ANYTHING'],
    ret: 'RET_VOID',
    sleepableOnly: false,
    gplOnly: false,
    impl: (_env, r1, r2) => {
      const addr = r1 <= U32 ? Number(r1) : -1;
      const rb = addr < 0 ? undefined : table.ringbufOf(addr);
      if (rb === undefined)
        throw new TypeError(
          `r1 ${hex(r1)} is not a ring buffer record: expected a pointer from ringbuf_reserve`,
        );
      rb.commitAddr(addr, Number(r2 & U32), discard);
      return 0n;
    },
  };
}

/** Register helpers 1, 2, 3 and 130-133 over `table` in `registry`. */
export function registerMapHelpers(registry: HelperRegistry, table: MapTable): HelperRegistry {
  for (const def of mapHelpers(table)) registry.register(def);
  return registry;
}
