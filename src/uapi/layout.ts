/** Struct layouts as data: each field's byte offset and type. Sizes are asserted in tests. */

export type FieldType = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 's64';

export interface Field {
  readonly offset: number;
  readonly type: FieldType;
}

export interface StructLayout<F extends string = string> {
  readonly name: string;
  readonly size: number;
  readonly fields: { readonly [K in F]: Field };
}

/** Byte width of a field type. */
export function fieldSize(type: FieldType): number {
  switch (type) {
    case 'u8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
    case 's32':
      return 4;
    case 'u64':
    case 's64':
      return 8;
  }
}

function f(offset: number, type: FieldType): Field {
  return { offset, type };
}

/**
 * struct io_uring_sqe (64 bytes), RFC v2: `__u16 cq_idx` at byte 48. Union members that share a slot
 * with a listed field are given under their own names too (addr2 = off, timeout_flags = op_flags...).
 */
export const IO_URING_SQE = {
  name: 'io_uring_sqe',
  size: 64,
  fields: {
    opcode: f(0, 'u8'),
    flags: f(1, 'u8'),
    ioprio: f(2, 'u16'),
    fd: f(4, 's32'),
    off: f(8, 'u64'),
    addr2: f(8, 'u64'),
    addr: f(16, 'u64'),
    splice_off_in: f(16, 'u64'),
    len: f(24, 'u32'),
    op_flags: f(28, 'u32'),
    rw_flags: f(28, 'u32'),
    fsync_flags: f(28, 'u32'),
    timeout_flags: f(28, 'u32'),
    cancel_flags: f(28, 'u32'),
    user_data: f(32, 'u64'),
    buf_index: f(40, 'u16'),
    buf_group: f(40, 'u16'),
    personality: f(42, 'u16'),
    splice_fd_in: f(44, 's32'),
    cq_idx: f(48, 'u16'),
  },
} as const satisfies StructLayout;

/** struct io_uring_cqe (16 bytes). */
export const IO_URING_CQE = {
  name: 'io_uring_cqe',
  size: 16,
  fields: {
    user_data: f(0, 'u64'),
    res: f(8, 's32'),
    flags: f(12, 'u32'),
  },
} as const satisfies StructLayout;

/** struct io_sqring_offsets (40 bytes). */
export const IO_SQRING_OFFSETS = {
  name: 'io_sqring_offsets',
  size: 40,
  fields: {
    head: f(0, 'u32'),
    tail: f(4, 'u32'),
    ring_mask: f(8, 'u32'),
    ring_entries: f(12, 'u32'),
    flags: f(16, 'u32'),
    dropped: f(20, 'u32'),
    array: f(24, 'u32'),
    resv1: f(28, 'u32'),
    resv2: f(32, 'u64'),
  },
} as const satisfies StructLayout;

/** struct io_cqring_offsets (40 bytes). */
export const IO_CQRING_OFFSETS = {
  name: 'io_cqring_offsets',
  size: 40,
  fields: {
    head: f(0, 'u32'),
    tail: f(4, 'u32'),
    ring_mask: f(8, 'u32'),
    ring_entries: f(12, 'u32'),
    overflow: f(16, 'u32'),
    cqes: f(20, 'u32'),
    flags: f(24, 'u32'),
    resv1: f(28, 'u32'),
    resv2: f(32, 'u64'),
  },
} as const satisfies StructLayout;

/** struct io_uring_params (120 bytes), RFC v2: `__u32 nr_cq` at 28 and `__u64 cq_sizes` at 32. */
export const IO_URING_PARAMS = {
  name: 'io_uring_params',
  size: 120,
  fields: {
    sq_entries: f(0, 'u32'),
    cq_entries: f(4, 'u32'),
    flags: f(8, 'u32'),
    sq_thread_cpu: f(12, 'u32'),
    sq_thread_idle: f(16, 'u32'),
    features: f(20, 'u32'),
    wq_fd: f(24, 'u32'),
    nr_cq: f(28, 'u32'),
    cq_sizes: f(32, 'u64'),
  },
} as const satisfies StructLayout;
/** Where the two offset structs sit inside io_uring_params. */
export const IO_URING_PARAMS_SQ_OFF = 40;
export const IO_URING_PARAMS_CQ_OFF = 80;

/** struct __kernel_timespec (16 bytes). */
export const KERNEL_TIMESPEC = {
  name: '__kernel_timespec',
  size: 16,
  fields: {
    tv_sec: f(0, 's64'),
    tv_nsec: f(8, 's64'),
  },
} as const satisfies StructLayout;

/** RFC v2 struct io_uring_bpf_ctx: the context of a BPF_PROG_TYPE_IOURING program (spec §3.7). */
export const IO_URING_BPF_CTX = {
  name: 'io_uring_bpf_ctx',
  size: 16,
  fields: {
    user_data: f(0, 'u64'),
    wait_nr: f(8, 'u32'),
    wait_idx: f(12, 'u32'),
  },
} as const satisfies StructLayout;

/** struct io_uring_probe header (16 bytes) followed by io_uring_probe_op entries (8 bytes each). */
export const IO_URING_PROBE = {
  name: 'io_uring_probe',
  size: 16,
  fields: {
    last_op: f(0, 'u8'),
    ops_len: f(1, 'u8'),
  },
} as const satisfies StructLayout;
export const IO_URING_PROBE_OP = {
  name: 'io_uring_probe_op',
  size: 8,
  fields: {
    op: f(0, 'u8'),
    flags: f(2, 'u16'),
  },
} as const satisfies StructLayout;

/**
 * The kernel-private `struct io_rings` that backs the SQ and CQ rings (one allocation,
 * IORING_FEAT_SINGLE_MMAP), as Linux 6.18 lays it out on x86-64 (the offsets the kernel probe
 * reports in T01). Every extra CQ of RFC v2 is a full io_rings of its own, so the cq_* offsets
 * hold for all CQs. The SQ index array follows the CQEs, 64-byte aligned.
 */
export const IO_RINGS = {
  name: 'io_rings',
  size: 64,
  fields: {
    sq_head: f(0, 'u32'),
    sq_tail: f(4, 'u32'),
    cq_head: f(8, 'u32'),
    cq_tail: f(12, 'u32'),
    sq_ring_mask: f(16, 'u32'),
    cq_ring_mask: f(20, 'u32'),
    sq_ring_entries: f(24, 'u32'),
    cq_ring_entries: f(28, 'u32'),
    sq_dropped: f(32, 'u32'),
    sq_flags: f(36, 'u32'),
    cq_flags: f(40, 'u32'),
    cq_overflow: f(44, 'u32'),
  },
} as const satisfies StructLayout;
/** Offset of the CQE array in io_rings (cache-line aligned). */
export const IO_RINGS_CQES = 64;
export const CACHE_LINE = 64;
