/**
 * A Runtime is one process: one address space shared by every ring, user buffer, map and program
 * in it (DESIGN.md "memory model"). Most programs need one; `Runtime.default()` is created lazily.
 */
import { AddressSpace, type AddressSpaceOptions } from '../mem/address-space.js';
import type { RingContext } from './context.js';
import { ioUringSetup, type SetupOptions } from './setup.js';

export interface RuntimeOptions extends AddressSpaceOptions {}

export class Runtime {
  readonly mem: AddressSpace;
  static #default: Runtime | null = null;

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
}
