/*
 * sdk_layout: print what include/uring_bpf.h declares, one fact per line, for test/sdk-layout.test.ts.
 *
 *   sizeof <struct> <bytes>
 *   field <struct>.<member> <offset> <size> <u|s|array>
 *   const <NAME> <value>          (decimal, signed 64-bit)
 *   helper <name> <id>            (the value of the helper's function pointer)
 *
 * Built for the host (x86-64), where the header's types have the sizes they have on BPF:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -I include -o /tmp/sdk_layout tools/sdk/sdk_layout.c
 *   /tmp/sdk_layout > test/golden/sdk/layout.txt
 * or: UPDATE_GOLDEN=1 node --test dist/test/sdk-layout.test.js
 */
#include <stddef.h>
#include <stdio.h>

#include "uring_bpf.h"

#define MEMBER(S, F) (((struct S *)0)->F)
/* (T)-1 is above (T)0 for unsigned types only. */
#define IS_UNSIGNED(S, F) ((__typeof__(MEMBER(S, F)))-1 > (__typeof__(MEMBER(S, F)))0)

#define SIZEOF(S) printf("sizeof %s %zu\n", #S, sizeof(struct S))
#define FIELD(S, F)                                                                                  \
	printf("field %s.%s %zu %zu %s\n", #S, #F, offsetof(struct S, F), sizeof(MEMBER(S, F)), \
	       IS_UNSIGNED(S, F) ? "u" : "s")
#define ARRAY(S, F) \
	printf("field %s.%s %zu %zu array\n", #S, #F, offsetof(struct S, F), sizeof(MEMBER(S, F)))
#define CONST(N) printf("const %s %lld\n", #N, (long long)(N))
#define HELPER(H) printf("helper %s %lu\n", #H, (unsigned long)(H))

static void structs(void)
{
	SIZEOF(io_uring_sqe);
	FIELD(io_uring_sqe, opcode);
	FIELD(io_uring_sqe, flags);
	FIELD(io_uring_sqe, ioprio);
	FIELD(io_uring_sqe, fd);
	FIELD(io_uring_sqe, off);
	FIELD(io_uring_sqe, addr2);
	FIELD(io_uring_sqe, addr);
	FIELD(io_uring_sqe, splice_off_in);
	FIELD(io_uring_sqe, len);
	FIELD(io_uring_sqe, rw_flags);
	FIELD(io_uring_sqe, fsync_flags);
	FIELD(io_uring_sqe, poll_events);
	FIELD(io_uring_sqe, poll32_events);
	FIELD(io_uring_sqe, sync_range_flags);
	FIELD(io_uring_sqe, msg_flags);
	FIELD(io_uring_sqe, timeout_flags);
	FIELD(io_uring_sqe, accept_flags);
	FIELD(io_uring_sqe, cancel_flags);
	FIELD(io_uring_sqe, open_flags);
	FIELD(io_uring_sqe, statx_flags);
	FIELD(io_uring_sqe, fadvise_advice);
	FIELD(io_uring_sqe, splice_flags);
	FIELD(io_uring_sqe, rename_flags);
	FIELD(io_uring_sqe, unlink_flags);
	FIELD(io_uring_sqe, user_data);
	FIELD(io_uring_sqe, buf_index);
	FIELD(io_uring_sqe, buf_group);
	FIELD(io_uring_sqe, personality);
	FIELD(io_uring_sqe, splice_fd_in);
	FIELD(io_uring_sqe, cq_idx);
	ARRAY(io_uring_sqe, __pad2);

	SIZEOF(io_uring_cqe);
	FIELD(io_uring_cqe, user_data);
	FIELD(io_uring_cqe, res);
	FIELD(io_uring_cqe, flags);

	SIZEOF(io_uring_bpf_ctx);
	FIELD(io_uring_bpf_ctx, user_data);
	FIELD(io_uring_bpf_ctx, wait_nr);
	FIELD(io_uring_bpf_ctx, wait_idx);

	SIZEOF(__kernel_timespec);
	FIELD(__kernel_timespec, tv_sec);
	FIELD(__kernel_timespec, tv_nsec);
}

static void io_uring_consts(void)
{
	CONST(IORING_OP_NOP);
	CONST(IORING_OP_READV);
	CONST(IORING_OP_WRITEV);
	CONST(IORING_OP_FSYNC);
	CONST(IORING_OP_READ_FIXED);
	CONST(IORING_OP_WRITE_FIXED);
	CONST(IORING_OP_POLL_ADD);
	CONST(IORING_OP_POLL_REMOVE);
	CONST(IORING_OP_SYNC_FILE_RANGE);
	CONST(IORING_OP_SENDMSG);
	CONST(IORING_OP_RECVMSG);
	CONST(IORING_OP_TIMEOUT);
	CONST(IORING_OP_TIMEOUT_REMOVE);
	CONST(IORING_OP_ACCEPT);
	CONST(IORING_OP_ASYNC_CANCEL);
	CONST(IORING_OP_LINK_TIMEOUT);
	CONST(IORING_OP_CONNECT);
	CONST(IORING_OP_FALLOCATE);
	CONST(IORING_OP_OPENAT);
	CONST(IORING_OP_CLOSE);
	CONST(IORING_OP_FILES_UPDATE);
	CONST(IORING_OP_STATX);
	CONST(IORING_OP_READ);
	CONST(IORING_OP_WRITE);
	CONST(IORING_OP_FADVISE);
	CONST(IORING_OP_MADVISE);
	CONST(IORING_OP_SEND);
	CONST(IORING_OP_RECV);
	CONST(IORING_OP_OPENAT2);
	CONST(IORING_OP_EPOLL_CTL);
	CONST(IORING_OP_SPLICE);
	CONST(IORING_OP_PROVIDE_BUFFERS);
	CONST(IORING_OP_REMOVE_BUFFERS);
	CONST(IORING_OP_TEE);
	CONST(IORING_OP_SHUTDOWN);
	CONST(IORING_OP_RENAMEAT);
	CONST(IORING_OP_UNLINKAT);
	CONST(IORING_OP_BPF);
	CONST(IORING_OP_LAST);

	CONST(IOSQE_FIXED_FILE);
	CONST(IOSQE_IO_DRAIN);
	CONST(IOSQE_IO_LINK);
	CONST(IOSQE_IO_HARDLINK);
	CONST(IOSQE_ASYNC);
	CONST(IOSQE_BUFFER_SELECT);

	CONST(IORING_FSYNC_DATASYNC);
	CONST(IORING_TIMEOUT_ABS);
	CONST(IORING_TIMEOUT_UPDATE);
	CONST(SPLICE_F_FD_IN_FIXED);
	CONST(IORING_POLL_ADD_MULTI);
	CONST(IORING_POLL_UPDATE_EVENTS);
	CONST(IORING_POLL_UPDATE_USER_DATA);
	CONST(IORING_CQE_F_BUFFER);
	CONST(IORING_CQE_F_MORE);
	CONST(IORING_CQE_BUFFER_SHIFT);
}

static void bpf_consts(void)
{
	CONST(BPF_MAP_TYPE_UNSPEC);
	CONST(BPF_MAP_TYPE_HASH);
	CONST(BPF_MAP_TYPE_ARRAY);
	CONST(BPF_MAP_TYPE_PROG_ARRAY);
	CONST(BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	CONST(BPF_MAP_TYPE_PERCPU_HASH);
	CONST(BPF_MAP_TYPE_PERCPU_ARRAY);
	CONST(BPF_MAP_TYPE_STACK_TRACE);
	CONST(BPF_MAP_TYPE_CGROUP_ARRAY);
	CONST(BPF_MAP_TYPE_LRU_HASH);
	CONST(BPF_MAP_TYPE_LRU_PERCPU_HASH);
	CONST(BPF_MAP_TYPE_LPM_TRIE);
	CONST(BPF_MAP_TYPE_ARRAY_OF_MAPS);
	CONST(BPF_MAP_TYPE_HASH_OF_MAPS);
	CONST(BPF_MAP_TYPE_QUEUE);
	CONST(BPF_MAP_TYPE_STACK);
	CONST(BPF_MAP_TYPE_RINGBUF);

	CONST(BPF_ANY);
	CONST(BPF_NOEXIST);
	CONST(BPF_EXIST);
	CONST(BPF_F_LOCK);

	CONST(BPF_F_NO_PREALLOC);
	CONST(BPF_F_NO_COMMON_LRU);
	CONST(BPF_F_NUMA_NODE);
	CONST(BPF_F_RDONLY);
	CONST(BPF_F_WRONLY);
	CONST(BPF_F_ZERO_SEED);
	CONST(BPF_F_RDONLY_PROG);
	CONST(BPF_F_WRONLY_PROG);
	CONST(BPF_F_MMAPABLE);
	CONST(BPF_F_INNER_MAP);

	CONST(BPF_RB_NO_WAKEUP);
	CONST(BPF_RB_FORCE_WAKEUP);
}

static void libc_consts(void)
{
	CONST(EPERM);
	CONST(ENOENT);
	CONST(EINTR);
	CONST(EBADF);
	CONST(EAGAIN);
	CONST(ENOMEM);
	CONST(EFAULT);
	CONST(EBUSY);
	CONST(EEXIST);
	CONST(EINVAL);
	CONST(ENOSPC);
	CONST(ETIME);
	CONST(EOVERFLOW);
	CONST(EALREADY);
	CONST(ECANCELED);

	CONST(AT_FDCWD);
	CONST(O_RDONLY);
	CONST(O_WRONLY);
	CONST(O_RDWR);
	CONST(O_CREAT);
	CONST(O_EXCL);
	CONST(O_TRUNC);
	CONST(O_APPEND);
	CONST(O_NONBLOCK);
	CONST(O_DIRECTORY);
	CONST(O_CLOEXEC);
}

static void helpers(void)
{
	HELPER(bpf_map_lookup_elem);
	HELPER(bpf_map_update_elem);
	HELPER(bpf_map_delete_elem);
	HELPER(bpf_ktime_get_ns);
	HELPER(bpf_trace_printk);
	HELPER(bpf_get_prandom_u32);
	HELPER(bpf_get_smp_processor_id);
	HELPER(bpf_tail_call);
	HELPER(bpf_ringbuf_output);
	HELPER(bpf_ringbuf_reserve);
	HELPER(bpf_ringbuf_submit);
	HELPER(bpf_ringbuf_discard);
	HELPER(bpf_copy_from_user);
	HELPER(iouring_queue_sqe);
	HELPER(iouring_emit_cqe);
	HELPER(iouring_reap_cqe);
	HELPER(bpf_copy_to_user);
}

int main(void)
{
	printf("# Generated by tools/sdk/sdk_layout.c from include/uring_bpf.h; do not edit.\n");
	printf("# Regenerate: npx tsc -p . && UPDATE_GOLDEN=1 node --test dist/test/sdk-layout.test.js\n");
	structs();
	io_uring_consts();
	bpf_consts();
	libc_consts();
	helpers();
	return 0;
}
