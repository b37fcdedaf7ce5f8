/**
 * Registered files and buffers (IORING_REGISTER_FILES / _UPDATE / UNREGISTER_FILES,
 * IORING_REGISTER_BUFFERS / UNREGISTER_BUFFERS) with 5.13's limits and error codes.
 *
 * The kernel holds a reference to each registered file, so closing the fd afterwards leaves the slot
 * usable. Node cannot dup(2), so a slot holds its own open of the same file, made through
 * /proc/self/fd/N with the fd's flags (read from /proc/self/fdinfo/N). Departure: that open has its
 * own file position, so off = -1 through a slot does not move the original fd's position. Files that
 * cannot be reopened that way (sockets) keep the fd number, and closing it empties the slot (-EBADF).
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { AddressSpace } from '../mem/address-space.js';
import { EBADF, EBUSY, EFAULT, EINVAL, EMFILE, ENXIO, EOVERFLOW } from '../uapi/errno.js';
import {
  IO_URING_FILES_UPDATE,
  IORING_MAX_FIXED_FILES,
  IORING_MAX_REG_BUFFER,
  IORING_MAX_REG_BUFFERS,
  IORING_REGISTER_FILES_SKIP,
  IOVEC,
} from '../uapi/fs.js';

/** Whether `fd` is an open file descriptor of this process. */
function fdIsOpen(fd: number): boolean {
  if (!Number.isInteger(fd) || fd < 0) return false;
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Open flags that describe an open file description (not how it was created). */
const KEEP_FLAGS = 0o3 | 0o2000 | 0o4000 | 0o10000 | 0o40000 | 0o100000 | 0o1000000 | 0o4010000;

/** A second open of the file behind `fd` (see above), or `fd` itself when that is impossible. */
function holdFile(fd: number, owned: Set<number>): number {
  try {
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
    const m = /^flags:\s*([0-7]+)/m.exec(info);
    if (m === null) return fd;
    const flags = Number.parseInt(m[1]!, 8) & KEEP_FLAGS;
    const own = openSync(`/proc/self/fd/${fd}`, flags);
    owned.add(own);
    return own;
  } catch {
    return fd;
  }
}

function release(fd: number, owned: Set<number>): void {
  if (owned.delete(fd)) {
    try {
      closeSync(fd);
    } catch {
      /* already gone */
    }
  }
}

/** A registered buffer: [addr, addr+len) of the address space; len 0 = empty slot. */
export interface RegisteredBuffer {
  readonly addr: number;
  readonly len: number;
}

export class ResourceTables {
  readonly #mem: AddressSpace;
  /** Registered files: fd numbers, -1 for an empty slot; null when none are registered. */
  files: Int32Array | null = null;
  buffers: RegisteredBuffer[] | null = null;
  /** fds this table opened itself (see holdFile) and must close. */
  readonly #owned = new Set<number>();

  constructor(mem: AddressSpace) {
    this.#mem = mem;
  }

  /** The fd in slot `idx`, or -EBADF (no table, out of range, empty slot). */
  fixedFile(idx: number): number {
    const t = this.files;
    if (t === null || idx < 0 || idx >= t.length) return -EBADF;
    const fd = t[idx]!;
    return fd < 0 ? -EBADF : fd;
  }

  registerFiles(arg: number, nr: number): number {
    if (arg === 0) return -EFAULT;
    if (this.files !== null) return -EBUSY;
    if (nr === 0) return -EINVAL;
    if (nr > IORING_MAX_FIXED_FILES) return -EMFILE;
    if (!this.#mem.isUser(arg, 4 * nr)) return -EFAULT;
    const raw = new Int32Array(nr);
    for (let i = 0; i < nr; i++) {
      const fd = this.#mem.readI32(arg + 4 * i);
      if (fd !== -1 && !fdIsOpen(fd)) return -EBADF;
      raw[i] = fd;
    }
    const t = new Int32Array(nr);
    for (let i = 0; i < nr; i++) t[i] = raw[i] === -1 ? -1 : holdFile(raw[i]!, this.#owned);
    this.files = t;
    return 0;
  }

  unregisterFiles(arg: number, nr: number): number {
    if (arg !== 0 || nr !== 0) return -EINVAL;
    if (this.files === null) return -ENXIO;
    for (const fd of this.files) release(fd, this.#owned);
    this.files = null;
    return 0;
  }

  /** IORING_REGISTER_FILES_UPDATE: returns how many slots were updated, or -errno. */
  updateFiles(arg: number, nr: number): number {
    // 6.18 validates the argument before it looks for the table.
    if (nr === 0) return -EINVAL;
    const m = this.#mem;
    if (!m.isUser(arg, IO_URING_FILES_UPDATE.size)) return -EFAULT;
    const offset = m.readU32(arg + IO_URING_FILES_UPDATE.fields.offset.offset);
    const resv = m.readU32(arg + IO_URING_FILES_UPDATE.fields.resv.offset);
    const fdsPtr = m.readU64(arg + IO_URING_FILES_UPDATE.fields.fds.offset);
    if (resv !== 0) return -EINVAL;
    if (offset + nr > 0xffffffff) return -EOVERFLOW;
    const t = this.files;
    if (t === null) return -ENXIO;
    if (offset + nr > t.length) return -EINVAL;
    const fds = fdsPtr < BigInt(m.size) ? Number(fdsPtr) : -1;
    let done = 0;
    for (let i = 0; i < nr; i++) {
      if (fds < 0 || !m.isUser(fds + 4 * i, 4)) return done > 0 ? done : -EFAULT;
      const fd = m.readI32(fds + 4 * i);
      if (fd !== IORING_REGISTER_FILES_SKIP) {
        // The old file goes first; a bad new fd leaves the slot empty.
        release(t[offset + i]!, this.#owned);
        t[offset + i] = -1;
        if (fd !== -1) {
          if (!fdIsOpen(fd)) return done > 0 ? done : -EBADF;
          t[offset + i] = holdFile(fd, this.#owned);
        }
      }
      done++;
    }
    return done;
  }

  /** Close the files this table holds (ring teardown). */
  release(): void {
    for (const fd of this.#owned) release(fd, this.#owned);
    this.files = null;
    this.buffers = null;
  }

  registerBuffers(arg: number, nr: number): number {
    if (arg === 0) return -EFAULT;
    if (this.buffers !== null) return -EBUSY;
    if (nr === 0 || nr > IORING_MAX_REG_BUFFERS) return -EINVAL;
    const m = this.#mem;
    if (!m.isUser(arg, IOVEC.size * nr)) return -EFAULT;
    const bufs: RegisteredBuffer[] = [];
    for (let i = 0; i < nr; i++) {
      const base = m.readU64(arg + IOVEC.size * i);
      const len = m.readU64(arg + IOVEC.size * i + 8);
      if (len >= 1n << 63n) return -EINVAL;
      if (base === 0n) {
        if (len !== 0n) return -EFAULT;
        bufs.push({ addr: 0, len: 0 });
        continue;
      }
      if (len === 0n || len > BigInt(IORING_MAX_REG_BUFFER)) return -EFAULT;
      const a = base < BigInt(m.size) ? Number(base) : -1;
      if (a < 0 || !m.isUser(a, Number(len))) return -EFAULT;
      bufs.push({ addr: a, len: Number(len) });
    }
    this.buffers = bufs;
    return 0;
  }

  unregisterBuffers(arg: number, nr: number): number {
    if (arg !== 0 || nr !== 0) return -EINVAL;
    if (this.buffers === null) return -ENXIO;
    this.buffers = null;
    return 0;
  }

  /** The registered buffer range that must contain [addr, addr+len): true, or false (-EFAULT). */
  fixedBufferCovers(idx: number, addr: number, len: number): boolean {
    const b = this.buffers?.[idx];
    if (b === undefined || b.len === 0) return false;
    return addr >= b.addr && addr + len <= b.addr + b.len;
  }
}
