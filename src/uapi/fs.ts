/** File-system UAPI used by the file ops: fcntl/stat/fs flags and the structs they pass (x86-64). */
import type { StructLayout } from './layout.js';

/* ---- fcntl.h ---- */
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_STATX_SYNC_TYPE = 0x6000;
export const AT_STATX_FORCE_SYNC = 0x2000;
export const AT_STATX_DONT_SYNC = 0x4000;

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20200000;
/** The O_TMPFILE bit without O_DIRECTORY (the kernel's __O_TMPFILE). */
export const O_TMPFILE_BIT = 0o20000000;
export const FASYNC = 0o20000;
/** Flags openat2(2) accepts (the kernel's VALID_OPEN_FLAGS; O_SYNC includes O_DSYNC). */
export const VALID_OPEN_FLAGS =
  O_WRONLY |
  O_RDWR |
  O_CREAT |
  O_EXCL |
  O_NOCTTY |
  O_TRUNC |
  O_APPEND |
  O_NONBLOCK |
  O_SYNC |
  FASYNC |
  O_DIRECT |
  O_LARGEFILE |
  O_DIRECTORY |
  O_NOFOLLOW |
  O_NOATIME |
  O_CLOEXEC |
  O_PATH |
  O_TMPFILE;
/* ---- stat.h: file types in st_mode ---- */
export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFBLK = 0o060000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFSOCK = 0o140000;
/** Permission bits a mode may carry (S_IALLUGO). */
export const S_IALLUGO = 0o7777;

/* ---- openat2.h: struct open_how resolve flags ---- */
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;
export const RESOLVE_CACHED = 0x20;

/* ---- stat.h: struct statx masks ---- */
export const STATX_TYPE = 0x1;
export const STATX_MODE = 0x2;
export const STATX_NLINK = 0x4;
export const STATX_UID = 0x8;
export const STATX_GID = 0x10;
export const STATX_ATIME = 0x20;
export const STATX_MTIME = 0x40;
export const STATX_CTIME = 0x80;
export const STATX_INO = 0x100;
export const STATX_SIZE = 0x200;
export const STATX_BLOCKS = 0x400;
export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;
/** Reserved mask bit: requesting it is -EINVAL. */
export const STATX__RESERVED = 0x80000000;

/* ---- fs.h ---- */
export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;
/** preadv2/pwritev2 flags (sqe->rw_flags). */
export const RWF_HIPRI = 0x1;
export const RWF_DSYNC = 0x2;
export const RWF_SYNC = 0x4;
export const RWF_NOWAIT = 0x8;
export const RWF_APPEND = 0x10;
export const RWF_SUPPORTED = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND;

/* ---- falloc.h ---- */
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_COLLAPSE_RANGE = 0x08;
export const FALLOC_FL_ZERO_RANGE = 0x10;
export const FALLOC_FL_INSERT_RANGE = 0x20;
export const FALLOC_FL_UNSHARE_RANGE = 0x40;
export const FALLOC_FL_WRITE_ZEROES = 0x80;

/* ---- fadvise / madvise ---- */
export const POSIX_FADV_NORMAL = 0;
export const POSIX_FADV_RANDOM = 1;
export const POSIX_FADV_SEQUENTIAL = 2;
export const POSIX_FADV_WILLNEED = 3;
export const POSIX_FADV_DONTNEED = 4;
export const POSIX_FADV_NOREUSE = 5;
export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_COLLAPSE = 25;
export const MADV_HWPOISON = 100;
export const MADV_SOFT_OFFLINE = 101;
export const MADV_GUARD_INSTALL = 102;
export const MADV_GUARD_REMOVE = 103;

/* ---- uio.h ---- */
export const UIO_MAXIOV = 1024;

/* ---- io_uring registration of files and buffers ---- */
/** 5.13's limit on registered files. */
export const IORING_MAX_FIXED_FILES = 1 << 15;
/** In a files update, leave this slot as it is. */
export const IORING_REGISTER_FILES_SKIP = -2;
/** Largest registered buffer (SZ_1G). */
export const IORING_MAX_REG_BUFFER = 1 << 30;
/** 5.13's limit on registered buffers. */
export const IORING_MAX_REG_BUFFERS = 1 << 14;

/** struct iovec (16 bytes). */
export const IOVEC = {
  name: 'iovec',
  size: 16,
  fields: {
    iov_base: { offset: 0, type: 'u64' },
    iov_len: { offset: 8, type: 'u64' },
  },
} as const satisfies StructLayout;

/** struct io_uring_files_update (16 bytes), the argument of IORING_REGISTER_FILES_UPDATE. */
export const IO_URING_FILES_UPDATE = {
  name: 'io_uring_files_update',
  size: 16,
  fields: {
    offset: { offset: 0, type: 'u32' },
    resv: { offset: 4, type: 'u32' },
    fds: { offset: 8, type: 'u64' },
  },
} as const satisfies StructLayout;

/** struct open_how (24 bytes), for IORING_OP_OPENAT2. */
export const OPEN_HOW = {
  name: 'open_how',
  size: 24,
  fields: {
    flags: { offset: 0, type: 'u64' },
    mode: { offset: 8, type: 'u64' },
    resolve: { offset: 16, type: 'u64' },
  },
} as const satisfies StructLayout;

/** struct statx (256 bytes). Timestamps are struct statx_timestamp { s64 tv_sec; u32 tv_nsec; s32 pad }. */
export const STATX = {
  name: 'statx',
  size: 256,
  fields: {
    stx_mask: { offset: 0, type: 'u32' },
    stx_blksize: { offset: 4, type: 'u32' },
    stx_attributes: { offset: 8, type: 'u64' },
    stx_nlink: { offset: 16, type: 'u32' },
    stx_uid: { offset: 20, type: 'u32' },
    stx_gid: { offset: 24, type: 'u32' },
    stx_mode: { offset: 28, type: 'u16' },
    stx_ino: { offset: 32, type: 'u64' },
    stx_size: { offset: 40, type: 'u64' },
    stx_blocks: { offset: 48, type: 'u64' },
    stx_attributes_mask: { offset: 56, type: 'u64' },
    stx_atime: { offset: 64, type: 's64' },
    stx_atime_nsec: { offset: 72, type: 'u32' },
    stx_btime: { offset: 80, type: 's64' },
    stx_btime_nsec: { offset: 88, type: 'u32' },
    stx_ctime: { offset: 96, type: 's64' },
    stx_ctime_nsec: { offset: 104, type: 'u32' },
    stx_mtime: { offset: 112, type: 's64' },
    stx_mtime_nsec: { offset: 120, type: 'u32' },
    stx_rdev_major: { offset: 128, type: 'u32' },
    stx_rdev_minor: { offset: 132, type: 'u32' },
    stx_dev_major: { offset: 136, type: 'u32' },
    stx_dev_minor: { offset: 140, type: 'u32' },
  },
} as const satisfies StructLayout;
