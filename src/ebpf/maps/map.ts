/**
 * BpfMap: what every map has. Its attributes, its id (the "fd" of lddw pseudo source 1) and handle
 * (the address of a small block of the address space that stands for the map: what r1 holds in a
 * helper call), the raw address-level operations the helpers use, access control (BPF_F_RDONLY /
 * BPF_F_WRONLY from TypeScript, BPF_F_RDONLY_PROG and freeze() for programs) and the once-per-run
 * grant of the value storage to a program.
 *
 * Maps are made by MapTable.create() and freed by MapTable.close(); a closed map throws TypeError on
 * every operation.
 */
import {
  BPF_F_MMAPABLE,
  BPF_F_RDONLY,
  BPF_F_RDONLY_PROG,
  BPF_F_WRONLY,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH,
} from '../../uapi/bpf.js';
import { EBUSY, EPERM } from '../../uapi/errno.js';
import type { HelperEnv } from '../helpers.js';
import { MapError } from './errors.js';
import type { CheckedSpec } from './spec.js';
import { typeName } from './spec.js';
import type { MapContext } from './store.js';

/** What MapTable hands a map it creates. */
export interface MapInit {
  readonly ctx: MapContext;
  readonly spec: CheckedSpec;
  readonly id: number;
  readonly handle: number;
}

/** Bytes of a map handle: struct { u32 type, id, key_size, value_size, max_entries, map_flags } (bpf_map_info order). */
export const HANDLE_BYTES = 24;

export abstract class BpfMap {
  readonly id: number;
  /** Address that identifies the map in helper calls (r1). */
  readonly handle: number;
  /** A BPF_MAP_TYPE_* value. */
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  protected readonly ctx: MapContext;
  /** Blocks of the address space this map owns (freed by MapTable.close). */
  readonly #blocks: number[] = [];
  #frozen = false;
  #closed = false;
  /** The run environment that already has the value storage granted. */
  #grantedTo: HelperEnv | null = null;

  constructor(init: MapInit) {
    const s = init.spec;
    this.ctx = init.ctx;
    this.id = init.id;
    this.handle = init.handle;
    this.type = s.type;
    this.name = s.name;
    this.keySize = s.keySize;
    this.valueSize = s.valueSize;
    this.maxEntries = s.maxEntries;
    this.flags = s.flags;
  }

  /** `'name' (HASH, id 3)` for messages. */
  describe(): string {
    return `'${this.name}' (${typeName(this.type)}, id ${this.id})`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  get isLru(): boolean {
    return this.type === BPF_MAP_TYPE_LRU_HASH || this.type === BPF_MAP_TYPE_LRU_PERCPU_HASH;
  }

  /** Whether programs may write the map (update/delete helpers, stores into values). */
  get programWritable(): boolean {
    return !this.#frozen && (this.flags & BPF_F_RDONLY_PROG) === 0;
  }

  /**
   * Make the map read-only for programs and for TypeScript from now on (BPF_MAP_FREEZE, and
   * BPF_F_RDONLY_PROG-like for programs: update/delete helpers return -EPERM, values are granted
   * read-only). MapError EBUSY when already frozen, EPERM when the map is BPF_F_RDONLY.
   */
  freeze(): void {
    this.checkOpen();
    if ((this.flags & BPF_F_RDONLY) !== 0)
      throw new MapError(EPERM, this.describe(), 'freeze: the map was created BPF_F_RDONLY');
    if (this.#frozen) throw new MapError(EBUSY, this.describe(), 'freeze: the map is already frozen');
    this.#frozen = true;
  }

  /** The value storage a lookup exposes to programs ([addr, addr+size)), or null. */
  valueRegion(): { readonly addr: number; readonly size: number } | null {
    return null;
  }

  /**
   * Grant `env` (a program's run) access to the whole value storage, once per run: read-only unless
   * the map is programWritable. Remembers the last run it granted (and checks that the run can still
   * read the storage, in case an engine reuses one HelperEnv for several runs), so the region table
   * of a run gets one entry per map however many lookups it does.
   */
  grantValues(env: HelperEnv): void {
    const r = this.valueRegion();
    if (this.#grantedTo === env && r !== null && env.readable(r.addr, r.size)) return;
    if (r === null || r.size === 0) return;
    env.grant(r.addr, r.size, this.programWritable, `map '${this.name}'`);
    this.#grantedTo = env;
  }

  /* ------------------------------------------------------------------ raw operations (helpers) */

  /**
   * bpf_map_lookup_elem from a program: the address of the value of the key_size bytes at keyAddr
   * (this cpu's for a per-cpu map), or 0. The caller checked that the key is readable.
   */
  abstract lookupAddr(keyAddr: number): number;
  /** bpf_map_update_elem from a program: 0 or -errno. The caller checked key and value are readable. */
  abstract updateAddr(keyAddr: number, valueAddr: number, flags: number): number;
  /** bpf_map_delete_elem from a program: 0 or -errno. */
  abstract deleteAddr(keyAddr: number): number;

  /* ------------------------------------------------------------------ for subclasses */

  /**
   * Allocate zeroed storage owned by the map (freed when the table closes it): kernel-private, except
   * for BPF_F_MMAPABLE maps, whose values user space maps and may pass as buffers.
   */
  protected own(size: number, align = 8): number {
    const mem = this.ctx.mem;
    const a = (this.flags & BPF_F_MMAPABLE) !== 0 ? mem.alloc(size, align) : mem.allocKernel(size, align);
    this.#blocks.push(a);
    return a;
  }

  protected checkOpen(): void {
    if (this.#closed) throw new TypeError(`map ${this.describe()} is closed`);
  }

  /** TypeScript reads (lookup, iteration): MapError EPERM on a BPF_F_WRONLY map. */
  protected checkSysRead(op: string): void {
    this.checkOpen();
    if ((this.flags & BPF_F_WRONLY) !== 0)
      throw new MapError(EPERM, this.describe(), `${op}: the map was created BPF_F_WRONLY`);
  }

  /** TypeScript writes (update, delete): MapError EPERM on a BPF_F_RDONLY or frozen map. */
  protected checkSysWrite(op: string): void {
    this.checkOpen();
    if ((this.flags & BPF_F_RDONLY) !== 0)
      throw new MapError(EPERM, this.describe(), `${op}: the map was created BPF_F_RDONLY`);
    if (this.#frozen) throw new MapError(EPERM, this.describe(), `${op}: the map is frozen`);
  }

  /** Called by MapTable.close(): free the storage; the map is unusable afterwards. */
  release(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#grantedTo = null;
    for (const b of this.#blocks.splice(0)) this.ctx.mem.free(b);
  }
}
