/**
 * The I/O backend interface: real I/O performed directly on views of the address space (no bounce
 * buffers). Every call reports through `done(res)`: a non-negative result or a negative errno, once.
 * The default is Node's fs on the libuv thread pool (fs.ts); the interface is narrow enough for a
 * second backend on the real kernel io_uring.
 */

/** A file position: a byte offset, or -1 for "the file's current position". */
export type Position = number | bigint;

/** What stat-like calls report: Node's BigIntStats fields, as the kernel's struct statx needs them. */
export interface StatResult {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly rdev: bigint;
  readonly size: bigint;
  readonly blksize: bigint;
  readonly blocks: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly birthtimeNs: bigint;
}

export type Done = (res: number) => void;

export interface IoBackend {
  readonly name: string;
  /**
   * A second, O_NONBLOCK open of the stream behind `fd` (a FIFO), for reads that must stay
   * cancellable: the new fd or -errno. Optional; without it stream reads block a pool thread.
   */
  openNonblocking?(fd: number): number;
  read(fd: number, buf: Uint8Array, pos: Position, done: Done): void;
  write(fd: number, buf: Uint8Array, pos: Position, done: Done): void;
  readv(fd: number, bufs: Uint8Array[], pos: Position, done: Done): void;
  writev(fd: number, bufs: Uint8Array[], pos: Position, done: Done): void;
  fsync(fd: number, datasync: boolean, done: Done): void;
  /** open(2) with Linux flag and mode numbers; `path` is absolute or relative to the process cwd. */
  open(path: string, flags: number, mode: number, done: Done): void;
  close(fd: number, done: Done): void;
  ftruncate(fd: number, len: number, done: Done): void;
  /** stat of a path (lstat when `nofollow`), or of an fd when `path` is null. */
  stat(
    path: string | null,
    fd: number,
    nofollow: boolean,
    done: (res: number, st: StatResult | null) => void,
  ): void;
  /**
   * fallocate(2) with the kernel's loff_t arguments. The op has already checked what vfs_fallocate
   * checks first (offset >= 0, len > 0, a mode the kernel knows); the backend does the rest.
   */
  fallocate(fd: number, mode: number, offset: bigint, len: bigint, done: Done): void;
  /** posix_fadvise(2) with the kernel's loff_t arguments (fadvise64: a negative len is -EINVAL). */
  fadvise(fd: number, offset: bigint, len: bigint, advice: number, done: Done): void;
  rename(from: string, to: string, done: Done): void;
  unlink(path: string, done: Done): void;
  rmdir(path: string, done: Done): void;
}
