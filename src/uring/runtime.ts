/**
 * A Runtime is one process: one address space shared by every ring, user buffer, map and program
 * in it (DESIGN.md "memory model"). Most programs need one; `Runtime.default()` is created lazily.
 * It also holds the process's BPF maps (`bpfMaps`) and program fds (src/uring/bpf/programs.ts).
 */
import type { BpfObject } from '../ebpf/loader.js';
import { MapTable } from '../ebpf/maps/table.js';
import { AddressSpace, type AddressSpaceOptions } from '../mem/address-space.js';
import { EBADF } from '../uapi/errno.js';
import {
  type BpfLoaded,
  type BpfLoadOptions,
  type BpfProgLoadAttr,
  bpfLoad,
  bpfProgLoad,
} from './bpf/load.js';
import { type ProgEntry, programFdsOf } from './bpf/programs.js';
import type { RingContext } from './context.js';
import { ioUringSetup, type SetupOptions } from './setup.js';

export interface RuntimeOptions extends AddressSpaceOptions {}

export class Runtime {
  readonly mem: AddressSpace;
  static #default: Runtime | null = null;
  #maps: MapTable | null = null;

  constructor(options: RuntimeOptions = {}) {
    this.mem = new AddressSpace(options);
  }

  /** The process-wide runtime (256 MiB of address space, reserved, committed only as touched). */
  static default(): Runtime {
    Runtime.#default ??= new Runtime({ size: 256 * 1024 * 1024 });
    return Runtime.#default;
  }

  /** io_uring_setup(2) in this process: a ring context or -errno. */
  setup(entries: number, paramsAddr: number, options: SetupOptions = {}): RingContext | number {
    return ioUringSetup(this.mem, entries, paramsAddr, options);
  }

  /** The process's BPF maps (bpf(BPF_MAP_CREATE)); map lddw instructions name them by `map.id`. */
  get bpfMaps(): MapTable {
    this.#maps ??= new MapTable(this.mem);
    return this.#maps;
  }

  /**
   * Load a BPF object (ELF bytes or an opened BpfObject) for io_uring: every BPF_PROG_TYPE_IOURING
   * program gets a program fd (`progFd(name)`), maps are created in `bpfMaps`. Throws the loader's
   * errors, and BpfLoadError 'E_SLEEPABLE' for a non-sleepable program calling 148, 164 or 167.
   */
  bpfLoad(source: Uint8Array | BpfObject, options: BpfLoadOptions = {}): BpfLoaded {
    return bpfLoad(this.mem, this.bpfMaps, source, options);
  }

  /** bpf(BPF_PROG_LOAD) of raw instructions (maps of `bpfMaps` by id): the program fd. */
  bpfProgLoad(attr: BpfProgLoadAttr): number {
    return bpfProgLoad(this.mem, this.bpfMaps, attr);
  }

  /** The program behind a program fd, if open. */
  bpfProg(fd: number): ProgEntry | undefined {
    return programFdsOf(this.mem).get(fd);
  }

  /** close(2) of a program fd: 0, or -EBADF when it is not open. */
  bpfClose(fd: number): number {
    return programFdsOf(this.mem).close(fd) ? 0 : -EBADF;
  }
}
