/**
 * Registered files and buffers (IORING_REGISTER_FILES / _UPDATE / UNREGISTER_FILES,
 * IORING_REGISTER_BUFFERS / UNREGISTER_BUFFERS) with 5.13's limits and error codes.
 *
 * Departure: the kernel holds a reference to each registered file, so closing the fd afterwards
 * leaves the slot usable. Node cannot duplicate an fd, so a slot holds the fd number: closing that
 * fd makes I/O through the slot fail with -EBADF.
 */
import { fstatSync } from 'node:fs';
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
    if (this.files !== null) return -EBUSY;
    if (nr === 0) return -EINVAL;
    if (nr > IORING_MAX_FIXED_FILES) return -EMFILE;
    if (!this.#mem.isValid(arg, 4 * nr)) return -EFAULT;
    const t = new Int32Array(nr);
    for (let i = 0; i < nr; i++) {
      const fd = this.#mem.readI32(arg + 4 * i);
      if (fd === -1) {
        t[i] = -1;
        continue;
      }
      if (!fdIsOpen(fd)) return -EBADF;
      t[i] = fd;
    }
    this.files = t;
    return 0;
  }

  unregisterFiles(arg: number, nr: number): number {
    if (arg !== 0 || nr !== 0) return -EINVAL;
    if (this.files === null) return -ENXIO;
    this.files = null;
    return 0;
  }

  /** IORING_REGISTER_FILES_UPDATE: returns how many slots were updated, or -errno. */
  updateFiles(arg: number, nr: number): number {
    if (this.files === null) return -ENXIO;
    if (nr === 0) return -EINVAL;
    const m = this.#mem;
    if (!m.isValid(arg, IO_URING_FILES_UPDATE.size)) return -EFAULT;
    const offset = m.readU32(arg + IO_URING_FILES_UPDATE.fields.offset.offset);
    const resv = m.readU32(arg + IO_URING_FILES_UPDATE.fields.resv.offset);
    const fdsPtr = m.readU64(arg + IO_URING_FILES_UPDATE.fields.fds.offset);
    if (resv !== 0) return -EINVAL;
    if (offset + nr > 0xffffffff) return -EOVERFLOW;
    const t = this.files;
    if (offset + nr > t.length) return -EINVAL;
    const fds = fdsPtr < BigInt(m.size) ? Number(fdsPtr) : -1;
    let done = 0;
    for (let i = 0; i < nr; i++) {
      if (fds < 0 || !m.isValid(fds + 4 * i, 4)) return done > 0 ? done : -EFAULT;
      const fd = m.readI32(fds + 4 * i);
      if (fd !== IORING_REGISTER_FILES_SKIP) {
        if (fd !== -1 && !fdIsOpen(fd)) return done > 0 ? done : -EBADF;
        t[offset + i] = fd === -1 ? -1 : fd;
      }
      done++;
    }
    return done;
  }

  registerBuffers(arg: number, nr: number): number {
    if (this.buffers !== null) return -EBUSY;
    if (nr === 0 || nr > IORING_MAX_REG_BUFFERS) return -EINVAL;
    const m = this.#mem;
    if (!m.isValid(arg, IOVEC.size * nr)) return -EFAULT;
    const bufs: RegisteredBuffer[] = [];
    for (let i = 0; i < nr; i++) {
      const base = m.readU64(arg + IOVEC.size * i);
      const len = m.readU64(arg + IOVEC.size * i + 8);
      if (base === 0n) {
        if (len !== 0n) return -EFAULT;
        bufs.push({ addr: 0, len: 0 });
        continue;
      }
      if (len === 0n || len > BigInt(IORING_MAX_REG_BUFFER)) return -EFAULT;
      const a = base < BigInt(m.size) ? Number(base) : -1;
      if (a < 0 || !m.isValid(a, Number(len))) return -EFAULT;
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
