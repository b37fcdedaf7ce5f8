/**
 * ARRAY and PERCPU_ARRAY maps: max_entries values preallocated and zeroed, keyed by a u32 index.
 *
 * An ARRAY's values are contiguous (round_up(value_size, 8) bytes apart): valueAddr(index) is where
 * the value of `index` lives, directValueAddr(off) resolves a map-value lddw (pseudo source 2) as the
 * kernel does, and with BPF_F_MMAPABLE, mmap() is a live Uint8Array over the values (page-aligned,
 * rounded up to whole pages), shared with programs.
 */
import { BPF_F_MMAPABLE, ENOTSUPP, PAGE_SIZE } from '../../uapi/bpf.js';
import { EINVAL, EPERM } from '../../uapi/errno.js';
import { ArrayStore } from './array-store.js';
import { MapError } from './errors.js';
import { KeyValueMap, PerCpuMap } from './kv.js';
import type { MapInit } from './map.js';

export class ArrayMap extends KeyValueMap {
  constructor(init: MapInit) {
    const { maxEntries, valueSize, flags } = init.spec;
    const pageAlign = (flags & BPF_F_MMAPABLE) !== 0 ? PAGE_SIZE : 0;
    super(
      init,
      false,
      pageAlign,
      (base, elemSize, stride) =>
        new ArrayStore(init.ctx, base, maxEntries, valueSize, elemSize, stride, false),
    );
  }

  /** Address of the value of `index` (RangeError when it is not below max_entries). */
  valueAddr(index: number): number {
    this.checkOpen();
    if (!Number.isInteger(index) || index < 0 || index >= this.maxEntries) {
      throw new RangeError(
        `map ${this.describe()}: index must be an integer from 0 to ${this.maxEntries - 1}, got ${index}`,
      );
    }
    return this.store.valueBase + index * this.stride;
  }

  /**
   * The address a map-value lddw (BPF_PSEUDO_MAP_VALUE, offset `off`) loads, with the kernel's checks
   * (array_map_direct_value_addr): MapError ENOTSUPP unless max_entries is 1, EINVAL unless off <
   * value_size.
   */
  directValueAddr(off: number): number {
    this.checkOpen();
    if (this.maxEntries !== 1)
      throw new MapError(
        ENOTSUPP,
        this.describe(),
        `map value lddw: max_entries ${this.maxEntries}, expected 1`,
      );
    if (!Number.isInteger(off) || off < 0 || off >= this.valueSize) {
      throw new MapError(
        EINVAL,
        this.describe(),
        `map value lddw: offset ${off}, expected 0 to ${this.valueSize - 1}`,
      );
    }
    return this.store.valueBase + off;
  }

  /**
   * A live view of the values (BPF_F_MMAPABLE maps): element i at i * round_up(value_size, 8). Writes
   * through it are seen by programs at once; they bypass freeze(), which cannot revoke a view already
   * handed out. MapError EINVAL without BPF_F_MMAPABLE, EPERM once frozen.
   */
  mmap(): Uint8Array {
    this.checkOpen();
    if ((this.flags & BPF_F_MMAPABLE) === 0)
      throw new MapError(EINVAL, this.describe(), 'mmap: the map was not created BPF_F_MMAPABLE');
    if (this.frozen) throw new MapError(EPERM, this.describe(), 'mmap: the map is frozen');
    const bytes = Math.ceil((this.maxEntries * this.stride) / PAGE_SIZE) * PAGE_SIZE;
    return this.ctx.mem.view(this.store.valueBase, bytes);
  }
}

export class PerCpuArrayMap extends PerCpuMap {
  constructor(init: MapInit) {
    const { maxEntries, valueSize } = init.spec;
    super(
      init,
      true,
      0,
      (base, elemSize, stride) =>
        new ArrayStore(init.ctx, base, maxEntries, valueSize, elemSize, stride, true),
    );
  }
}
