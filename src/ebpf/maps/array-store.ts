/**
 * Array storage (ARRAY, PERCPU_ARRAY): max_entries elements preallocated and zeroed, the key is a u32
 * index. Every element always exists: lookups out of range find nothing, updates out of range are
 * -E2BIG, BPF_NOEXIST is -EEXIST, delete is -EINVAL (kernel/bpf/arraymap.c).
 */
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST } from '../../uapi/bpf.js';
import { E2BIG, EEXIST, EINVAL } from '../../uapi/errno.js';
import { copyBytes, loadU32, type MapContext, type Store } from './store.js';

export class ArrayStore implements Store {
  readonly kind = 'array' as const;
  readonly #ctx: MapContext;
  readonly valueBase: number;
  readonly valueBytes: number;
  readonly #max: number;
  readonly #valueSize: number;
  readonly #elemSize: number;
  readonly #stride: number;
  readonly #percpu: boolean;

  /** `base`: valueBytes = max * stride bytes of zeroed storage. */
  constructor(
    ctx: MapContext,
    base: number,
    max: number,
    valueSize: number,
    elemSize: number,
    stride: number,
    percpu: boolean,
  ) {
    this.#ctx = ctx;
    this.valueBase = base;
    this.valueBytes = max * stride;
    this.#max = max;
    this.#valueSize = valueSize;
    this.#elemSize = elemSize;
    this.#stride = stride;
    this.#percpu = percpu;
  }

  get count(): number {
    return this.#max;
  }

  elem(keyAddr: number, _touch: boolean): number {
    const i = loadU32(this.#ctx.mem, keyAddr);
    return i < this.#max ? this.valueBase + i * this.#stride : 0;
  }

  update(keyAddr: number, src: number, flags: number, sys: boolean): number {
    const mem = this.#ctx.mem;
    const i = loadU32(mem, keyAddr);
    if (this.#percpu && sys) {
      // bpf_percpu_array_update(): every cpu's value from the user buffer.
      if (flags > BPF_EXIST) return -EINVAL;
      if (i >= this.#max) return -E2BIG;
      if (flags === BPF_NOEXIST) return -EEXIST;
      copyBytes(mem, this.valueBase + i * this.#stride, src, this.#stride);
      return 0;
    }
    // array_map_update_elem(): no value of ours holds a bpf_spin_lock, so BPF_F_LOCK is -EINVAL, late.
    if ((flags & ~BPF_F_LOCK) >>> 0 > BPF_EXIST) return -EINVAL;
    if (i >= this.#max) return -E2BIG;
    if ((flags & BPF_NOEXIST) !== 0) return -EEXIST;
    if ((flags & BPF_F_LOCK) !== 0) return -EINVAL;
    const dst = this.valueBase + i * this.#stride + (this.#percpu ? this.#ctx.cpu * this.#elemSize : 0);
    copyBytes(mem, dst, src, this.#valueSize);
    return 0;
  }

  delete(_keyAddr: number): number {
    return -EINVAL;
  }

  next(cursor: number): number {
    return cursor < this.#max ? cursor : -1;
  }

  writeKey(cursor: number, addr: number): void {
    this.#ctx.mem.setU32(addr, cursor);
  }

  elemAt(cursor: number): number {
    return this.valueBase + cursor * this.#stride;
  }
}
