/**
 * BPF maps with the kernel's semantics.
 *
 *   const table = new MapTable(mem);                       // one per address space; { cpus } option
 *   const hits = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 1024, name: 'hits' });
 *   hits.u64.set(7, 1n);                                   // u32 key -> u64 value view
 *   hits.u64.get(7);                                       // 1n (undefined when absent)
 *   hits.update(keyBytes, valueBytes, BPF_NOEXIST);        // bytes; MapError EEXIST, E2BIG...
 *   for (const [k, v] of hits.u64) ...                     // iteration
 *   const byPid = hits.typed(codecs.u64, codecs.u64);      // other layouts (key_size 8 here)
 *
 *   registerMapHelpers(registry, table);                   // helpers 1-3, 130-133 (../map-helpers.ts)
 *   loadProgram(insns, { helpers: registry, resolveLddw: table.resolveLddw });
 *
 * Types: HashMap (HASH, LRU_HASH), ArrayMap (ARRAY: valueAddr, directValueAddr, mmap with
 * BPF_F_MMAPABLE), PerCpuHashMap / PerCpuArrayMap (values are arrays, one per cpu), ProgArrayMap
 * (program ids for tail calls), RingBufMap (records: consume, drain, poll; producer: output).
 * Every map: id, handle, attributes, freeze(), the raw lookupAddr/updateAddr/deleteAddr of programs.
 */
export { ArrayMap, PerCpuArrayMap } from './arrays.js';
export { type Codec, codecs } from './codec.js';
export { MapError } from './errors.js';
export { HashMap, PerCpuHashMap } from './hashes.js';
export { KeyValueMap, KvMap, PerCpuMap, type TypedMap } from './kv.js';
export { BpfMap, HANDLE_BYTES } from './map.js';
export { ProgArrayMap } from './prog-array.js';
export { RingBufMap } from './ringbuf.js';
export { MAP_TYPE_NAMES, type MapSpec } from './spec.js';
export type { MapContext } from './store.js';
export { type MapOf, MapTable, type MapTableOptions } from './table.js';
