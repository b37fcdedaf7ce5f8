/** BPF maps with the kernel's semantics: the table, the map classes, codecs and errors. */
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
