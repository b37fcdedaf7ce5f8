/**
 * Program fds: the runtime's bpf(BPF_PROG_LOAD) table. Every BPF_PROG_TYPE_IOURING program loaded for
 * io_uring (Runtime.bpfLoad, Runtime.bpfProgLoad) gets a small integer fd from the runtime's own fd
 * space: a namespace of its own, numbered from 3 like a fresh process's descriptors, distinct from
 * (and never passed to) the OS. IORING_REGISTER_BPF looks fds up here; closing an fd drops it from
 * the table, while rings that registered the program keep their reference (as the kernel's table
 * holds a program reference).
 *
 * There is one table per address space (= per Runtime): rings find it through their AddressSpace.
 */

import type { BpfProgram } from '../../ebpf/run-env.js';
import type { AddressSpace } from '../../mem/address-space.js';

/** A loaded program behind an fd. */
export interface ProgEntry {
  readonly name: string;
  /** BPF_PROG_TYPE_*. */
  readonly type: number;
  readonly sleepable: boolean;
  readonly prog: BpfProgram;
}

/** First program fd of a runtime (0-2 look like stdio in a process). */
export const FIRST_PROG_FD = 3;

export class ProgramFds {
  readonly #byFd = new Map<number, ProgEntry>();
  #next = FIRST_PROG_FD;

  /** Give `entry` the lowest unused fd ≥ FIRST_PROG_FD. */
  add(entry: ProgEntry): number {
    let fd = this.#next;
    while (this.#byFd.has(fd)) fd++;
    this.#byFd.set(fd, entry);
    this.#next = fd + 1;
    return fd;
  }

  get(fd: number): ProgEntry | undefined {
    return this.#byFd.get(fd);
  }

  /** close(2) of a program fd: true when it was open. */
  close(fd: number): boolean {
    if (!this.#byFd.delete(fd)) return false;
    if (fd < this.#next) this.#next = fd;
    return true;
  }

  get size(): number {
    return this.#byFd.size;
  }
}

const tables = new WeakMap<AddressSpace, ProgramFds>();

/** The program fd table of the process whose address space is `mem`. */
export function programFdsOf(mem: AddressSpace): ProgramFds {
  let t = tables.get(mem);
  if (t === undefined) {
    t = new ProgramFds();
    tables.set(mem, t);
  }
  return t;
}
