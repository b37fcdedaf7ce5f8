/**
 * What ops look up at issue, as the kernel does: whether an fd is open (and a stream), a user buffer
 * as a view of the address space, a NUL-terminated path, and a path relative to a directory fd.
 */
import { fstatSync } from 'node:fs';
import { AddressSpace } from '../mem/address-space.js';
import { EBADF, EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR } from '../uapi/errno.js';
import { AT_FDCWD } from '../uapi/fs.js';

const PATH_MAX = 4096;

export class Lookup {
  readonly #mem: AddressSpace;
  /** fds verified open and not streams (see #fdKind). */
  readonly #fds = new Set<number>();

  constructor(mem: AddressSpace) {
    this.#mem = mem;
  }

  /** `fd` when it is open, else -EBADF. */
  checkFd(fd: number): number {
    if (fd < 0) return -EBADF;
    return this.#fdKind(fd) < 0 ? -EBADF : fd;
  }

  isStream(fd: number): boolean {
    return this.#fdKind(fd) === 1;
  }

  forget(fd: number): void {
    this.#fds.delete(fd);
  }

  /**
   * -1 when `fd` is not open, 1 for a stream (FIFO, socket, character device), 0 otherwise. The
   * kernel looks the fd up at issue; so do we. Plain files are remembered (CLOSE and OPENAT through
   * the ring forget them), so the fast path makes no system call; an fd closed behind the ring's back
   * still fails -EBADF, from the backend, and one reused for a stream is read the safe blocking way.
   * Streams are looked up every time: treating a reused number as a stream would read the wrong way.
   */
  #fdKind(fd: number): number {
    if (this.#fds.has(fd)) return 0;
    let kind: number;
    try {
      const st = fstatSync(fd);
      kind = st.isFIFO() || st.isSocket() || st.isCharacterDevice() ? 1 : 0;
    } catch {
      return -1;
    }
    if (kind === 0) this.#fds.add(fd);
    return kind;
  }

  userView(lo: number, hi: number, len: number): Uint8Array | null {
    const addr = AddressSpace.pointer(lo, hi);
    // User pointers cannot reach kernel-private memory (BPF stacks, map storage): -EFAULT.
    if (addr < 0 || !this.#mem.isUser(addr, len)) return null;
    return this.#mem.view(addr, len);
  }

  userPath(lo: number, hi: number): string | number {
    const addr = AddressSpace.pointer(lo, hi);
    if (addr < 0 || !this.#mem.isUser(addr, 1)) return -EFAULT;
    let path: string;
    try {
      path = this.#mem.readCString(addr, PATH_MAX);
    } catch (e) {
      return e instanceof RangeError ? -ENAMETOOLONG : -EFAULT;
    }
    return path.length === 0 ? -ENOENT : path;
  }

  resolveAt(dirfd: number, path: string): string | number {
    if (path.startsWith('/') || dirfd === AT_FDCWD) return path;
    if (dirfd < 0) return -EBADF;
    try {
      if (!fstatSync(dirfd).isDirectory()) return -ENOTDIR;
    } catch {
      return -EBADF;
    }
    // Linux: the directory an fd refers to is reachable as /proc/self/fd/N.
    return `/proc/self/fd/${dirfd}/${path}`;
  }
}
