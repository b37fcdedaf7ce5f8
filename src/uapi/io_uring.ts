/**
 * The io_uring UAPI of RFC v2 ("io_uring BPF requests", May 2021): the 5.13-era constants with the
 * RFC's additions (IORING_OP_BPF = 37, IORING_REGISTER_BPF = 15/16, the extra-CQ mmap offsets).
 * Names and values are the kernel's (include/uapi/linux/io_uring.h of that tree).
 */

/* ---- opcodes (enum io_uring_op) ---- */
export const IORING_OP_NOP = 0;
export const IORING_OP_READV = 1;
export const IORING_OP_WRITEV = 2;
export const IORING_OP_FSYNC = 3;
export const IORING_OP_READ_FIXED = 4;
export const IORING_OP_WRITE_FIXED = 5;
export const IORING_OP_POLL_ADD = 6;
export const IORING_OP_POLL_REMOVE = 7;
export const IORING_OP_SYNC_FILE_RANGE = 8;
export const IORING_OP_SENDMSG = 9;
export const IORING_OP_RECVMSG = 10;
export const IORING_OP_TIMEOUT = 11;
export const IORING_OP_TIMEOUT_REMOVE = 12;
export const IORING_OP_ACCEPT = 13;
export const IORING_OP_ASYNC_CANCEL = 14;
export const IORING_OP_LINK_TIMEOUT = 15;
export const IORING_OP_CONNECT = 16;
export const IORING_OP_FALLOCATE = 17;
export const IORING_OP_OPENAT = 18;
export const IORING_OP_CLOSE = 19;
export const IORING_OP_FILES_UPDATE = 20;
export const IORING_OP_STATX = 21;
export const IORING_OP_READ = 22;
export const IORING_OP_WRITE = 23;
export const IORING_OP_FADVISE = 24;
export const IORING_OP_MADVISE = 25;
export const IORING_OP_SEND = 26;
export const IORING_OP_RECV = 27;
export const IORING_OP_OPENAT2 = 28;
export const IORING_OP_EPOLL_CTL = 29;
export const IORING_OP_SPLICE = 30;
export const IORING_OP_PROVIDE_BUFFERS = 31;
export const IORING_OP_REMOVE_BUFFERS = 32;
export const IORING_OP_TEE = 33;
export const IORING_OP_SHUTDOWN = 34;
export const IORING_OP_RENAMEAT = 35;
export const IORING_OP_UNLINKAT = 36;
/** RFC v2: a BPF program run as a request (mainline later used 37 for MKDIRAT). */
export const IORING_OP_BPF = 37;
/** One past the last opcode: anything at or above it is rejected with -EINVAL. */
export const IORING_OP_LAST = 38;

/** Kernel names of the opcodes, indexed by value. */
export const IORING_OP_NAMES: readonly string[] = [
  'IORING_OP_NOP',
  'IORING_OP_READV',
  'IORING_OP_WRITEV',
  'IORING_OP_FSYNC',
  'IORING_OP_READ_FIXED',
  'IORING_OP_WRITE_FIXED',
  'IORING_OP_POLL_ADD',
  'IORING_OP_POLL_REMOVE',
  'IORING_OP_SYNC_FILE_RANGE',
  'IORING_OP_SENDMSG',
  'IORING_OP_RECVMSG',
  'IORING_OP_TIMEOUT',
  'IORING_OP_TIMEOUT_REMOVE',
  'IORING_OP_ACCEPT',
  'IORING_OP_ASYNC_CANCEL',
  'IORING_OP_LINK_TIMEOUT',
  'IORING_OP_CONNECT',
  'IORING_OP_FALLOCATE',
  'IORING_OP_OPENAT',
  'IORING_OP_CLOSE',
  'IORING_OP_FILES_UPDATE',
  'IORING_OP_STATX',
  'IORING_OP_READ',
  'IORING_OP_WRITE',
  'IORING_OP_FADVISE',
  'IORING_OP_MADVISE',
  'IORING_OP_SEND',
  'IORING_OP_RECV',
  'IORING_OP_OPENAT2',
  'IORING_OP_EPOLL_CTL',
  'IORING_OP_SPLICE',
  'IORING_OP_PROVIDE_BUFFERS',
  'IORING_OP_REMOVE_BUFFERS',
  'IORING_OP_TEE',
  'IORING_OP_SHUTDOWN',
  'IORING_OP_RENAMEAT',
  'IORING_OP_UNLINKAT',
  'IORING_OP_BPF',
];

/* ---- sqe->flags ---- */
export const IOSQE_FIXED_FILE = 1 << 0;
export const IOSQE_IO_DRAIN = 1 << 1;
export const IOSQE_IO_LINK = 1 << 2;
export const IOSQE_IO_HARDLINK = 1 << 3;
export const IOSQE_ASYNC = 1 << 4;
export const IOSQE_BUFFER_SELECT = 1 << 5;

/* ---- io_uring_setup() flags ---- */
export const IORING_SETUP_IOPOLL = 1 << 0;
export const IORING_SETUP_SQPOLL = 1 << 1;
export const IORING_SETUP_SQ_AFF = 1 << 2;
export const IORING_SETUP_CQSIZE = 1 << 3;
export const IORING_SETUP_CLAMP = 1 << 4;
export const IORING_SETUP_ATTACH_WQ = 1 << 5;
export const IORING_SETUP_R_DISABLED = 1 << 6;

/* ---- sqe->fsync_flags ---- */
export const IORING_FSYNC_DATASYNC = 1 << 0;

/* ---- sqe->timeout_flags ---- */
export const IORING_TIMEOUT_ABS = 1 << 0;
export const IORING_TIMEOUT_UPDATE = 1 << 1;

/* ---- sqe->splice_flags ---- */
export const SPLICE_F_FD_IN_FIXED = 0x80000000;

/* ---- POLL_ADD flags (sqe->len) ---- */
export const IORING_POLL_ADD_MULTI = 1 << 0;
export const IORING_POLL_UPDATE_EVENTS = 1 << 1;
export const IORING_POLL_UPDATE_USER_DATA = 1 << 2;

/* ---- sqe->rw_flags of IORING_OP_NOP (a 6.x addition, kept because the kernel probe uses it) ---- */
export const IORING_NOP_INJECT_RESULT = 1 << 0;

/* ---- cqe->flags ---- */
export const IORING_CQE_F_BUFFER = 1 << 0;
export const IORING_CQE_F_MORE = 1 << 1;
export const IORING_CQE_BUFFER_SHIFT = 16;

/* ---- mmap offsets ---- */
export const IORING_OFF_SQ_RING = 0x00000000;
export const IORING_OFF_CQ_RING = 0x08000000;
export const IORING_OFF_SQES = 0x10000000;
/** RFC v2: extra CQ k (k = sqe->cq_idx) is mapped at IORING_OFF_CQ_RING_EXTRA + k * IORING_STRIDE_CQ_RING. */
export const IORING_OFF_CQ_RING_EXTRA = 0x01200000;
export const IORING_STRIDE_CQ_RING = 0x00100000;

/* ---- sq_ring->flags ---- */
export const IORING_SQ_NEED_WAKEUP = 1 << 0;
export const IORING_SQ_CQ_OVERFLOW = 1 << 1;

/* ---- cq_ring->flags ---- */
export const IORING_CQ_EVENTFD_DISABLED = 1 << 0;

/* ---- io_uring_enter() flags ---- */
export const IORING_ENTER_GETEVENTS = 1 << 0;
export const IORING_ENTER_SQ_WAKEUP = 1 << 1;
export const IORING_ENTER_SQ_WAIT = 1 << 2;
export const IORING_ENTER_EXT_ARG = 1 << 3;

/* ---- io_uring_params->features ---- */
export const IORING_FEAT_SINGLE_MMAP = 1 << 0;
export const IORING_FEAT_NODROP = 1 << 1;
export const IORING_FEAT_SUBMIT_STABLE = 1 << 2;
export const IORING_FEAT_RW_CUR_POS = 1 << 3;
export const IORING_FEAT_CUR_PERSONALITY = 1 << 4;
export const IORING_FEAT_FAST_POLL = 1 << 5;
export const IORING_FEAT_POLL_32BITS = 1 << 6;
export const IORING_FEAT_SQPOLL_NONFIXED = 1 << 7;
export const IORING_FEAT_EXT_ARG = 1 << 8;
export const IORING_FEAT_NATIVE_WORKERS = 1 << 9;
export const IORING_FEAT_RSRC_TAGS = 1 << 10;

/* ---- io_uring_register() opcodes ---- */
export const IORING_REGISTER_BUFFERS = 0;
export const IORING_UNREGISTER_BUFFERS = 1;
export const IORING_REGISTER_FILES = 2;
export const IORING_UNREGISTER_FILES = 3;
export const IORING_REGISTER_EVENTFD = 4;
export const IORING_UNREGISTER_EVENTFD = 5;
export const IORING_REGISTER_FILES_UPDATE = 6;
export const IORING_REGISTER_EVENTFD_ASYNC = 7;
export const IORING_REGISTER_PROBE = 8;
export const IORING_REGISTER_PERSONALITY = 9;
export const IORING_UNREGISTER_PERSONALITY = 10;
export const IORING_REGISTER_RESTRICTIONS = 11;
export const IORING_REGISTER_ENABLE_RINGS = 12;
export const IORING_REGISTER_FILES2 = 13;
export const IORING_REGISTER_FILES_UPDATE2 = 14;
/** RFC v2: register the BPF program table (u32 fds[], nr); v1 called it IORING_ATTACH_BPF = 13. */
export const IORING_REGISTER_BPF = 15;
/** RFC v2: drop the BPF program table (arg NULL, nr 0). */
export const IORING_UNREGISTER_BPF = 16;
export const IORING_REGISTER_LAST = 17;

/* ---- io_uring_probe ---- */
export const IO_URING_OP_SUPPORTED = 1 << 0;

/* ---- limits ---- */
export const IORING_MAX_ENTRIES = 32768;
export const IORING_MAX_CQ_ENTRIES = 2 * IORING_MAX_ENTRIES;
/** RFC v2: at most this many extra CQs (IO_MAX_CQRINGS). */
export const IO_MAX_CQRINGS = 1024;
/** RFC v2: at most this many slots in the BPF program table. */
export const IORING_MAX_BPF_PROGS = 100;

/** Sqe flag bits the 5.13 kernel accepts (SQE_VALID_FLAGS). */
export const SQE_VALID_FLAGS =
  IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC | IOSQE_BUFFER_SELECT;
