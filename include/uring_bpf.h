/* SPDX-License-Identifier: MIT */
/*
 * uring_bpf.h: the C SDK for io_uring BPF programs (RFC v2 "io_uring BPF requests", May 2021),
 * as uring-bpf runs them.
 *
 * Self-contained: it needs only clang, no kernel, libbpf or libc headers:
 *
 *   clang-19 --target=bpf -O2 -g -mcpu=v3 -I include -c prog.bpf.c -o prog.bpf.o
 *
 * It gives
 *   - fixed-width types (__u8 .. __u64, __s8 .. __s64);
 *   - the RFC v2 UAPI structs: io_uring_sqe (with `__u16 cq_idx` at byte 48), io_uring_cqe,
 *     io_uring_bpf_ctx (the program context) and __kernel_timespec;
 *   - the io_uring constants (opcodes 0..36 of Linux 5.13 and IORING_OP_BPF = 37, IOSQE_* flags,
 *     per-op flags), the BPF map types and map update flags, a few errno values and open(2) flags,
 *     all with the kernel's names and values;
 *   - the helpers as libbpf declares them (a constant function pointer whose value is the helper id),
 *     the RFC's 164..167 and 148 and the base helpers uring-bpf provides;
 *   - SEC(), __uint(), __type(), __array() for BTF-defined maps, __always_inline, __noinline,
 *     bpf_printk();
 *   - liburing's io_uring_prep_*() helpers as static inline functions that work inside a BPF
 *     program (they zero the SQE with __builtin_memset, which clang expands into stores).
 *
 * A program is a function `int name(struct io_uring_bpf_ctx *ctx)` in a section "iouring/<name>"
 * (may not sleep) or "iouring.s/<name>" (sleepable: may submit SQEs and copy user memory). It must
 * return 0. An object declares its license as
 *
 *   char LICENSE[] SEC("license") = "GPL";
 *
 * include/README.md documents all of it with an example.
 */
#ifndef URING_BPF_H
#define URING_BPF_H

/* ------------------------------------------------------------------ types */

typedef signed char __s8;
typedef unsigned char __u8;
typedef signed short __s16;
typedef unsigned short __u16;
typedef signed int __s32;
typedef unsigned int __u32;
typedef signed long long __s64;
typedef unsigned long long __u64;

#ifndef NULL
#define NULL ((void *)0)
#endif

/* ------------------------------------------------------------------ UAPI structs (RFC v2) */

/* struct __kernel_timespec: the time of IORING_OP_TIMEOUT and IORING_OP_LINK_TIMEOUT (sqe->addr). */
struct __kernel_timespec {
	__s64 tv_sec;
	__s64 tv_nsec;
};

/* Only pointers to it are used here (io_uring_prep_readv/writev take the array's address). */
struct iovec;

/* struct io_uring_sqe: one submission queue entry, 64 bytes. */
struct io_uring_sqe {
	__u8 opcode;	/* IORING_OP_* */
	__u8 flags;	/* IOSQE_* */
	__u16 ioprio;
	__s32 fd;
	union {
		__u64 off;	/* file offset; IORING_OP_BPF: program slot (low 32 bits) */
		__u64 addr2;
	};
	union {
		__u64 addr;	/* buffer, iovec array, path, timespec... (a user address) */
		__u64 splice_off_in;
	};
	__u32 len;
	union {	/* per-opcode flags (5.13 declares rw_flags as __kernel_rwf_t, an int) */
		__u32 rw_flags;
		__u32 fsync_flags;
		__u16 poll_events;
		__u32 poll32_events;
		__u32 sync_range_flags;
		__u32 msg_flags;
		__u32 timeout_flags;
		__u32 accept_flags;
		__u32 cancel_flags;
		__u32 open_flags;
		__u32 statx_flags;
		__u32 fadvise_advice;
		__u32 splice_flags;
		__u32 rename_flags;
		__u32 unlink_flags;
	};
	__u64 user_data;	/* copied into the request's CQE */
	union {
		struct {
			union {
				__u16 buf_index;	/* registered buffer (READ/WRITE_FIXED) */
				__u16 buf_group;	/* IOSQE_BUFFER_SELECT group */
			} __attribute__((packed));
			__u16 personality;
			__s32 splice_fd_in;
			__u16 cq_idx;	/* RFC v2: the CQ that receives the CQE (0 = main CQ) */
		};
		__u64 __pad2[3];
	};
};

/* struct io_uring_cqe: one completion queue entry, 16 bytes. */
struct io_uring_cqe {
	__u64 user_data;
	__s32 res;	/* result, or -errno */
	__u32 flags;	/* IORING_CQE_F_* */
};

/*
 * struct io_uring_bpf_ctx: the program's context, zeroed before every run. user_data is the
 * IORING_OP_BPF SQE's; set wait_nr > 0 to have the request re-run once CQ wait_idx holds at least
 * wait_nr CQEs (leave it 0 to complete the request when the program returns).
 */
struct io_uring_bpf_ctx {
	__u64 user_data;
	__u32 wait_nr;
	__u32 wait_idx;
};

_Static_assert(sizeof(struct io_uring_sqe) == 64, "struct io_uring_sqe is 64 bytes");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, off) == 8, "sqe->off at byte 8");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, addr) == 16, "sqe->addr at byte 16");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, len) == 24, "sqe->len at byte 24");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, rw_flags) == 28, "sqe->rw_flags at byte 28");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, user_data) == 32, "sqe->user_data at byte 32");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, buf_index) == 40, "sqe->buf_index at byte 40");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, personality) == 42, "sqe->personality at byte 42");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, splice_fd_in) == 44, "sqe->splice_fd_in at byte 44");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, cq_idx) == 48, "RFC v2: sqe->cq_idx at byte 48");
_Static_assert(sizeof(struct io_uring_cqe) == 16, "struct io_uring_cqe is 16 bytes");
_Static_assert(__builtin_offsetof(struct io_uring_cqe, res) == 8, "cqe->res at byte 8");
_Static_assert(__builtin_offsetof(struct io_uring_cqe, flags) == 12, "cqe->flags at byte 12");
_Static_assert(sizeof(struct io_uring_bpf_ctx) == 16, "struct io_uring_bpf_ctx is 16 bytes");
_Static_assert(__builtin_offsetof(struct io_uring_bpf_ctx, wait_nr) == 8, "ctx->wait_nr at byte 8");
_Static_assert(__builtin_offsetof(struct io_uring_bpf_ctx, wait_idx) == 12, "ctx->wait_idx at byte 12");
_Static_assert(sizeof(struct __kernel_timespec) == 16, "struct __kernel_timespec is 16 bytes");

/* ------------------------------------------------------------------ io_uring constants */

/* Opcodes (sqe->opcode): Linux 5.13's, then RFC v2's IORING_OP_BPF (mainline 37 is MKDIRAT). */
enum {
	IORING_OP_NOP = 0,
	IORING_OP_READV = 1,
	IORING_OP_WRITEV = 2,
	IORING_OP_FSYNC = 3,
	IORING_OP_READ_FIXED = 4,
	IORING_OP_WRITE_FIXED = 5,
	IORING_OP_POLL_ADD = 6,
	IORING_OP_POLL_REMOVE = 7,
	IORING_OP_SYNC_FILE_RANGE = 8,
	IORING_OP_SENDMSG = 9,
	IORING_OP_RECVMSG = 10,
	IORING_OP_TIMEOUT = 11,
	IORING_OP_TIMEOUT_REMOVE = 12,
	IORING_OP_ACCEPT = 13,
	IORING_OP_ASYNC_CANCEL = 14,
	IORING_OP_LINK_TIMEOUT = 15,
	IORING_OP_CONNECT = 16,
	IORING_OP_FALLOCATE = 17,
	IORING_OP_OPENAT = 18,
	IORING_OP_CLOSE = 19,
	IORING_OP_FILES_UPDATE = 20,
	IORING_OP_STATX = 21,
	IORING_OP_READ = 22,
	IORING_OP_WRITE = 23,
	IORING_OP_FADVISE = 24,
	IORING_OP_MADVISE = 25,
	IORING_OP_SEND = 26,
	IORING_OP_RECV = 27,
	IORING_OP_OPENAT2 = 28,
	IORING_OP_EPOLL_CTL = 29,
	IORING_OP_SPLICE = 30,
	IORING_OP_PROVIDE_BUFFERS = 31,
	IORING_OP_REMOVE_BUFFERS = 32,
	IORING_OP_TEE = 33,
	IORING_OP_SHUTDOWN = 34,
	IORING_OP_RENAMEAT = 35,
	IORING_OP_UNLINKAT = 36,
	IORING_OP_BPF = 37,
	IORING_OP_LAST = 38,
};

/* sqe->flags */
#define IOSQE_FIXED_FILE (1U << 0)	/* sqe->fd is an index into the registered files */
#define IOSQE_IO_DRAIN (1U << 1)	/* start after every earlier request completed */
#define IOSQE_IO_LINK (1U << 2)	/* the next SQE starts when this one succeeded */
#define IOSQE_IO_HARDLINK (1U << 3)	/* the next SQE starts when this one completed */
#define IOSQE_ASYNC (1U << 4)	/* always go async */
#define IOSQE_BUFFER_SELECT (1U << 5)	/* pick a buffer from group sqe->buf_group */

/* sqe->fsync_flags */
#define IORING_FSYNC_DATASYNC (1U << 0)

/* sqe->timeout_flags */
#define IORING_TIMEOUT_ABS (1U << 0)
#define IORING_TIMEOUT_UPDATE (1U << 1)

/* sqe->splice_flags */
#define SPLICE_F_FD_IN_FIXED (1U << 31)

/* sqe->len of IORING_OP_POLL_ADD */
#define IORING_POLL_ADD_MULTI (1U << 0)
#define IORING_POLL_UPDATE_EVENTS (1U << 1)
#define IORING_POLL_UPDATE_USER_DATA (1U << 2)

/* cqe->flags */
#define IORING_CQE_F_BUFFER (1U << 0)
#define IORING_CQE_F_MORE (1U << 1)
#define IORING_CQE_BUFFER_SHIFT 16

/* ------------------------------------------------------------------ BPF constants */

/* Map types (enum bpf_map_type): the ones uring-bpf provides. */
enum {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_HASH_OF_MAPS = 13,
	BPF_MAP_TYPE_QUEUE = 22,
	BPF_MAP_TYPE_STACK = 23,
	BPF_MAP_TYPE_RINGBUF = 27,
};

/* flags of bpf_map_update_elem() */
#define BPF_ANY 0	/* create or update */
#define BPF_NOEXIST 1	/* create only */
#define BPF_EXIST 2	/* update only */
#define BPF_F_LOCK 4

/* map_flags of a map definition */
#define BPF_F_NO_PREALLOC (1U << 0)
#define BPF_F_NO_COMMON_LRU (1U << 1)
#define BPF_F_NUMA_NODE (1U << 2)
#define BPF_F_RDONLY (1U << 3)
#define BPF_F_WRONLY (1U << 4)
#define BPF_F_ZERO_SEED (1U << 6)
#define BPF_F_RDONLY_PROG (1U << 7)
#define BPF_F_WRONLY_PROG (1U << 8)
#define BPF_F_MMAPABLE (1U << 10)
#define BPF_F_INNER_MAP (1U << 12)

/* flags of bpf_ringbuf_output/submit/discard() */
#define BPF_RB_NO_WAKEUP (1U << 0)
#define BPF_RB_FORCE_WAKEUP (1U << 1)

/* ------------------------------------------------------------------ errno and open(2) flags */

/* Helpers and CQEs report errors as -errno (Linux values); defined unless a libc already did. */
#ifndef EPERM
#define EPERM 1
#endif
#ifndef ENOENT
#define ENOENT 2	/* iouring_reap_cqe: the CQ is empty */
#endif
#ifndef EINTR
#define EINTR 4
#endif
#ifndef EBADF
#define EBADF 9
#endif
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef ETIME
#define ETIME 62	/* a timeout expired */
#endif
#ifndef EOVERFLOW
#define EOVERFLOW 75
#endif
#ifndef EALREADY
#define EALREADY 114
#endif
#ifndef ECANCELED
#define ECANCELED 125
#endif

/* For io_uring_prep_openat(): the values of x86-64, arm64 and the generic ABI. */
#ifndef AT_FDCWD
#define AT_FDCWD (-100)
#endif
#ifndef O_RDONLY
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#endif

/* ------------------------------------------------------------------ helpers */

/*
 * Each helper is a constant function pointer holding its id: clang turns a call through it into
 * `call <id>`. Sleepable-only helpers load only in "iouring.s/" programs.
 */

/* 1: the value stored under *key, or NULL. */
static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
/* 2: store *value under *key; flags BPF_ANY, BPF_NOEXIST or BPF_EXIST. 0 or -errno. */
static long (* const bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *) 2;
/* 3: remove *key. 0 or -errno. */
static long (* const bpf_map_delete_elem)(void *map, const void *key) = (void *) 3;
/* 5: CLOCK_MONOTONIC in ns. */
static __u64 (* const bpf_ktime_get_ns)(void) = (void *) 5;
/* 6: print fmt (fmt_size bytes with its NUL) with up to 3 arguments; use bpf_printk(). */
static long (* const bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *) 6;
/* 7: a pseudo-random u32. */
static __u32 (* const bpf_get_prandom_u32)(void) = (void *) 7;
/* 8: the CPU the program runs on (always 0 in uring-bpf). */
static __u32 (* const bpf_get_smp_processor_id)(void) = (void *) 8;
/* 12: jump to prog_array_map[index]; returns (an error) only if there is no such program. */
static long (* const bpf_tail_call)(void *ctx, void *prog_array_map, __u32 index) = (void *) 12;
/* 130: copy size bytes of data into the ring buffer. 0 or -errno. */
static long (* const bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) = (void *) 130;
/* 131: reserve size bytes in the ring buffer; NULL if full. Submit or discard it before returning. */
static void *(* const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *) 131;
/* 132: publish a reserved record. */
static void (* const bpf_ringbuf_submit)(void *data, __u64 flags) = (void *) 132;
/* 133: drop a reserved record. */
static void (* const bpf_ringbuf_discard)(void *data, __u64 flags) = (void *) 133;
/* 148 (sleepable only): copy size bytes from user memory; 0, or -EFAULT with dst zero-filled. */
static long (* const bpf_copy_from_user)(void *dst, __u32 size, const void *user_ptr) = (void *) 148;
/*
 * 164 (sleepable only): submit a copy of *sqe (len must be sizeof(struct io_uring_sqe)). 1: accepted;
 * 0: rejected (its error CQE is already posted); -EINVAL, -ENOMEM or -EAGAIN.
 */
static long (* const iouring_queue_sqe)(void *ctx, const struct io_uring_sqe *sqe, __u32 len) = (void *) 164;
/* 165: post {user_data, res, flags} to CQ cq_idx at once. 0, -EINVAL (no such CQ) or -ENOMEM. */
static long (* const iouring_emit_cqe)(void *ctx, __u32 cq_idx, __u64 user_data, __s32 res, __u32 flags) = (void *) 165;
/*
 * 166: move the oldest CQE of CQ cq_idx into *cqe (len must be sizeof(struct io_uring_cqe)). 0,
 * -ENOENT (empty) or -EINVAL; on error *cqe is zeroed.
 */
static long (* const iouring_reap_cqe)(void *ctx, __u32 cq_idx, struct io_uring_cqe *cqe, __u32 len) = (void *) 166;
/* 167 (sleepable only): copy size bytes to user memory; 0 or -EFAULT. */
static long (* const bpf_copy_to_user)(void *user_ptr, const void *src, __u32 size) = (void *) 167;

/* ------------------------------------------------------------------ macros */

/* Put a function or variable into ELF section `name`. */
#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif

/* BTF-defined maps: struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); ... } m SEC(".maps"); */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __array(name, val) __typeof__(val) *name[]

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

/* bpf_printk("fmt", args...): bpf_trace_printk with the format in .rodata (at most 3 arguments). */
#define bpf_printk(fmt, ...)                                                                    \
	({                                                                                      \
		static const char __uring_bpf_fmt[] = fmt;                                      \
		bpf_trace_printk(__uring_bpf_fmt, sizeof(__uring_bpf_fmt), ##__VA_ARGS__);      \
	})

/* ------------------------------------------------------------------ SQE preparation (liburing) */

/*
 * Each io_uring_prep_*() zeroes the whole SQE (user_data and cq_idx too), then fills what the
 * opcode reads, like liburing's. Set user_data, flags and cq_idx afterwards.
 */
static __always_inline void io_uring_prep_rw(int op, struct io_uring_sqe *sqe, int fd, const void *addr,
					     unsigned int len, __u64 offset)
{
	__builtin_memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (__u8)op;
	sqe->fd = fd;
	sqe->off = offset;
	sqe->addr = (unsigned long)addr;
	sqe->len = len;
}

static __always_inline void io_uring_prep_nop(struct io_uring_sqe *sqe)
{
	io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
}

static __always_inline void io_uring_prep_read(struct io_uring_sqe *sqe, int fd, void *buf, unsigned int nbytes,
					       __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READ, sqe, fd, buf, nbytes, offset);
}

static __always_inline void io_uring_prep_write(struct io_uring_sqe *sqe, int fd, const void *buf,
						unsigned int nbytes, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_WRITE, sqe, fd, buf, nbytes, offset);
}

static __always_inline void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd, const struct iovec *iovecs,
						unsigned int nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

static __always_inline void io_uring_prep_writev(struct io_uring_sqe *sqe, int fd, const struct iovec *iovecs,
						 unsigned int nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_WRITEV, sqe, fd, iovecs, nr_vecs, offset);
}

/* Complete after *ts (user memory) elapsed (-ETIME) or after count other CQEs (0); IORING_TIMEOUT_ABS. */
static __always_inline void io_uring_prep_timeout(struct io_uring_sqe *sqe, struct __kernel_timespec *ts,
						  unsigned int count, unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT, sqe, -1, ts, 1, count);
	sqe->timeout_flags = flags;
}

/* Remove the pending timeout whose user_data is user_data. */
static __always_inline void io_uring_prep_timeout_remove(struct io_uring_sqe *sqe, __u64 user_data,
							 unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, (void *)(unsigned long)user_data, 0, 0);
	sqe->timeout_flags = flags;
}

/* Bound the request linked before this SQE (IOSQE_IO_LINK) by *ts. */
static __always_inline void io_uring_prep_link_timeout(struct io_uring_sqe *sqe, struct __kernel_timespec *ts,
						       unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_LINK_TIMEOUT, sqe, -1, ts, 1, 0);
	sqe->timeout_flags = flags;
}

/* Cancel the in-flight request whose user_data is user_data. */
static __always_inline void io_uring_prep_cancel64(struct io_uring_sqe *sqe, __u64 user_data, int flags)
{
	io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, -1, (void *)(unsigned long)user_data, 0, 0);
	sqe->cancel_flags = (__u32)flags;
}

static __always_inline void io_uring_prep_cancel(struct io_uring_sqe *sqe, void *user_data, int flags)
{
	io_uring_prep_cancel64(sqe, (unsigned long)user_data, flags);
}

/* fsync(2), or fdatasync(2) with IORING_FSYNC_DATASYNC. */
static __always_inline void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd, unsigned int fsync_flags)
{
	io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
	sqe->fsync_flags = fsync_flags;
}

/* openat(2) of the NUL-terminated path (user memory) relative to dfd (AT_FDCWD or a directory). */
static __always_inline void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd, const char *path, int flags,
						 unsigned int mode)
{
	io_uring_prep_rw(IORING_OP_OPENAT, sqe, dfd, path, mode, 0);
	sqe->open_flags = (__u32)flags;
}

static __always_inline void io_uring_prep_close(struct io_uring_sqe *sqe, int fd)
{
	io_uring_prep_rw(IORING_OP_CLOSE, sqe, fd, NULL, 0, 0);
}

/* RFC v2: run the program in slot `slot` of the ring's registered table (IORING_REGISTER_BPF). */
static __always_inline void io_uring_prep_bpf(struct io_uring_sqe *sqe, __u32 slot)
{
	io_uring_prep_rw(IORING_OP_BPF, sqe, -1, NULL, 0, slot);
}

static __always_inline void io_uring_sqe_set_data64(struct io_uring_sqe *sqe, __u64 data)
{
	sqe->user_data = data;
}

static __always_inline void io_uring_sqe_set_data(struct io_uring_sqe *sqe, void *data)
{
	sqe->user_data = (unsigned long)data;
}

/* IOSQE_* */
static __always_inline void io_uring_sqe_set_flags(struct io_uring_sqe *sqe, unsigned int flags)
{
	sqe->flags = (__u8)flags;
}

/* RFC v2: post this request's CQE to CQ cq_idx (0 = main CQ; beyond the ring's CQs: -EINVAL on CQ 0). */
static __always_inline void io_uring_sqe_set_cq_idx(struct io_uring_sqe *sqe, __u16 cq_idx)
{
	sqe->cq_idx = cq_idx;
}

#endif /* URING_BPF_H */
