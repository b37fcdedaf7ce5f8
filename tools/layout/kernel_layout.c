/*
 * kernel_layout: print the io_uring UAPI struct layouts, constants and errno values as this
 * machine's kernel headers define them, one fact per line, for test/uapi-layout.test.ts.
 *
 *   sizeof <struct> <bytes>
 *   field <struct>.<member> <offset> <size> <u|s|struct>
 *   const <NAME> <value>          (decimal, as an unsigned 64-bit number)
 *   errno <NAME> <value>
 *
 * Only the 5.13-era names that RFC v2 ("io_uring BPF requests") knows are printed, all of which
 * the modern <linux/io_uring.h> still defines with the same value. Members the RFC renamed are
 * printed under their modern names (sqe addr3 = RFC cq_idx, params resv[0] = nr_cq,
 * resv[1..2] = cq_sizes).
 *
 * Build and run (test/uapi-layout.test.ts does this when gcc is available):
 *   gcc -std=gnu11 -Wall -Werror -o /tmp/kernel_layout tools/layout/kernel_layout.c
 *   /tmp/kernel_layout > test/golden/kernel-layout.txt
 * or: UPDATE_GOLDEN=1 node --test dist/test/uapi-layout.test.js
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>

/*
 * The 5.13 `__u64 resv2` of io_sqring_offsets / io_cqring_offsets was renamed `user_addr` in 6.5
 * (together with IORING_SETUP_NO_MMAP); print it under the RFC-era name with either header.
 */
#ifdef IORING_SETUP_NO_MMAP
#define RING_OFFSETS_RESV2 user_addr
#else
#define RING_OFFSETS_RESV2 resv2
#endif

#define MEMBER(S, F) (((struct S *)0)->F)
/* (T)-1 is above (T)0 for unsigned types only (written this way to keep -Wtype-limits quiet). */
#define IS_UNSIGNED(S, F) ((__typeof__(MEMBER(S, F)))-1 > (__typeof__(MEMBER(S, F)))0)

/* A scalar member, printed as NAME: offset, size and signedness. */
#define FIELD_AS(S, F, NAME)                                                                      \
	printf("field %s.%s %zu %zu %s\n", #S, NAME, offsetof(struct S, F), sizeof(MEMBER(S, F)), \
	       IS_UNSIGNED(S, F) ? "u" : "s")
#define FIELD(S, F) FIELD_AS(S, F, #F)
/* A member that is itself a struct. */
#define SUBSTRUCT(S, F) \
	printf("field %s.%s %zu %zu struct\n", #S, #F, offsetof(struct S, F), sizeof(MEMBER(S, F)))
#define SIZEOF(S) printf("sizeof %s %zu\n", #S, sizeof(struct S))
#define CONST(N) printf("const %s %llu\n", #N, (unsigned long long)(N))
#define ERRNO(N) printf("errno %s %d\n", #N, N)

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
	FIELD(io_uring_sqe, addr3);
	FIELD(io_uring_sqe, __pad2[0]);

	SIZEOF(io_uring_cqe);
	FIELD(io_uring_cqe, user_data);
	FIELD(io_uring_cqe, res);
	FIELD(io_uring_cqe, flags);

	SIZEOF(io_sqring_offsets);
	FIELD(io_sqring_offsets, head);
	FIELD(io_sqring_offsets, tail);
	FIELD(io_sqring_offsets, ring_mask);
	FIELD(io_sqring_offsets, ring_entries);
	FIELD(io_sqring_offsets, flags);
	FIELD(io_sqring_offsets, dropped);
	FIELD(io_sqring_offsets, array);
	FIELD(io_sqring_offsets, resv1);
	FIELD_AS(io_sqring_offsets, RING_OFFSETS_RESV2, "resv2");

	SIZEOF(io_cqring_offsets);
	FIELD(io_cqring_offsets, head);
	FIELD(io_cqring_offsets, tail);
	FIELD(io_cqring_offsets, ring_mask);
	FIELD(io_cqring_offsets, ring_entries);
	FIELD(io_cqring_offsets, overflow);
	FIELD(io_cqring_offsets, cqes);
	FIELD(io_cqring_offsets, flags);
	FIELD(io_cqring_offsets, resv1);
	FIELD_AS(io_cqring_offsets, RING_OFFSETS_RESV2, "resv2");

	SIZEOF(io_uring_params);
	FIELD(io_uring_params, sq_entries);
	FIELD(io_uring_params, cq_entries);
	FIELD(io_uring_params, flags);
	FIELD(io_uring_params, sq_thread_cpu);
	FIELD(io_uring_params, sq_thread_idle);
	FIELD(io_uring_params, features);
	FIELD(io_uring_params, wq_fd);
	FIELD(io_uring_params, resv[0]);
	FIELD(io_uring_params, resv[1]);
	FIELD(io_uring_params, resv[2]);
	SUBSTRUCT(io_uring_params, sq_off);
	SUBSTRUCT(io_uring_params, cq_off);

	SIZEOF(__kernel_timespec);
	FIELD(__kernel_timespec, tv_sec);
	FIELD(__kernel_timespec, tv_nsec);

	SIZEOF(io_uring_probe);
	FIELD(io_uring_probe, last_op);
	FIELD(io_uring_probe, ops_len);
	FIELD(io_uring_probe, resv);
	FIELD(io_uring_probe, resv2[0]);
	FIELD(io_uring_probe, resv2[1]);
	FIELD(io_uring_probe, resv2[2]);
	printf("field io_uring_probe.ops %zu 0 struct\n", offsetof(struct io_uring_probe, ops));

	SIZEOF(io_uring_probe_op);
	FIELD(io_uring_probe_op, op);
	FIELD(io_uring_probe_op, resv);
	FIELD(io_uring_probe_op, flags);
	FIELD(io_uring_probe_op, resv2);
}

static void constants(void)
{
	/* enum io_uring_op, 0..36 (5.13 ends at UNLINKAT; RFC v2 appends IORING_OP_BPF = 37) */
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

	/* sqe->flags */
	CONST(IOSQE_FIXED_FILE);
	CONST(IOSQE_IO_DRAIN);
	CONST(IOSQE_IO_LINK);
	CONST(IOSQE_IO_HARDLINK);
	CONST(IOSQE_ASYNC);
	CONST(IOSQE_BUFFER_SELECT);

	/* io_uring_setup() flags */
	CONST(IORING_SETUP_IOPOLL);
	CONST(IORING_SETUP_SQPOLL);
	CONST(IORING_SETUP_SQ_AFF);
	CONST(IORING_SETUP_CQSIZE);
	CONST(IORING_SETUP_CLAMP);
	CONST(IORING_SETUP_ATTACH_WQ);
	CONST(IORING_SETUP_R_DISABLED);

	/* per-op flags */
	CONST(IORING_FSYNC_DATASYNC);
	CONST(IORING_TIMEOUT_ABS);
	CONST(IORING_TIMEOUT_UPDATE);
	CONST(SPLICE_F_FD_IN_FIXED);
	CONST(IORING_POLL_ADD_MULTI);
	CONST(IORING_POLL_UPDATE_EVENTS);
	CONST(IORING_POLL_UPDATE_USER_DATA);
#ifdef IORING_NOP_INJECT_RESULT
	CONST(IORING_NOP_INJECT_RESULT);
#endif

	/* cqe->flags */
	CONST(IORING_CQE_F_BUFFER);
	CONST(IORING_CQE_F_MORE);
	CONST(IORING_CQE_BUFFER_SHIFT);

	/* mmap offsets */
	CONST(IORING_OFF_SQ_RING);
	CONST(IORING_OFF_CQ_RING);
	CONST(IORING_OFF_SQES);

	/* ring flags */
	CONST(IORING_SQ_NEED_WAKEUP);
	CONST(IORING_SQ_CQ_OVERFLOW);
	CONST(IORING_CQ_EVENTFD_DISABLED);

	/* io_uring_enter() flags */
	CONST(IORING_ENTER_GETEVENTS);
	CONST(IORING_ENTER_SQ_WAKEUP);
	CONST(IORING_ENTER_SQ_WAIT);
	CONST(IORING_ENTER_EXT_ARG);

	/* io_uring_params->features */
	CONST(IORING_FEAT_SINGLE_MMAP);
	CONST(IORING_FEAT_NODROP);
	CONST(IORING_FEAT_SUBMIT_STABLE);
	CONST(IORING_FEAT_RW_CUR_POS);
	CONST(IORING_FEAT_CUR_PERSONALITY);
	CONST(IORING_FEAT_FAST_POLL);
	CONST(IORING_FEAT_POLL_32BITS);
	CONST(IORING_FEAT_SQPOLL_NONFIXED);
	CONST(IORING_FEAT_EXT_ARG);
	CONST(IORING_FEAT_NATIVE_WORKERS);
	CONST(IORING_FEAT_RSRC_TAGS);

	/* io_uring_register() opcodes 0..14 (RFC v2 adds REGISTER_BPF = 15, UNREGISTER_BPF = 16) */
	CONST(IORING_REGISTER_BUFFERS);
	CONST(IORING_UNREGISTER_BUFFERS);
	CONST(IORING_REGISTER_FILES);
	CONST(IORING_UNREGISTER_FILES);
	CONST(IORING_REGISTER_EVENTFD);
	CONST(IORING_UNREGISTER_EVENTFD);
	CONST(IORING_REGISTER_FILES_UPDATE);
	CONST(IORING_REGISTER_EVENTFD_ASYNC);
	CONST(IORING_REGISTER_PROBE);
	CONST(IORING_REGISTER_PERSONALITY);
	CONST(IORING_UNREGISTER_PERSONALITY);
	CONST(IORING_REGISTER_RESTRICTIONS);
	CONST(IORING_REGISTER_ENABLE_RINGS);
	CONST(IORING_REGISTER_FILES2);
	CONST(IORING_REGISTER_FILES_UPDATE2);

	/* io_uring_probe_op->flags */
	CONST(IO_URING_OP_SUPPORTED);
}

/* Every errno that src/uapi/errno.ts defines. */
static void errnos(void)
{
	ERRNO(EPERM);
	ERRNO(ENOENT);
	ERRNO(ESRCH);
	ERRNO(EINTR);
	ERRNO(EIO);
	ERRNO(ENXIO);
	ERRNO(E2BIG);
	ERRNO(ENOEXEC);
	ERRNO(EBADF);
	ERRNO(ECHILD);
	ERRNO(EAGAIN);
	ERRNO(ENOMEM);
	ERRNO(EACCES);
	ERRNO(EFAULT);
	ERRNO(EBUSY);
	ERRNO(EEXIST);
	ERRNO(EXDEV);
	ERRNO(ENODEV);
	ERRNO(ENOTDIR);
	ERRNO(EISDIR);
	ERRNO(EINVAL);
	ERRNO(ENFILE);
	ERRNO(EMFILE);
	ERRNO(ENOTTY);
	ERRNO(EFBIG);
	ERRNO(ENOSPC);
	ERRNO(ESPIPE);
	ERRNO(EROFS);
	ERRNO(EMLINK);
	ERRNO(EPIPE);
	ERRNO(ERANGE);
	ERRNO(EDEADLK);
	ERRNO(ENAMETOOLONG);
	ERRNO(ENOSYS);
	ERRNO(ENOTEMPTY);
	ERRNO(ELOOP);
	ERRNO(ENODATA);
	ERRNO(ETIME);
	ERRNO(EOVERFLOW);
	ERRNO(EBADFD);
	ERRNO(EILSEQ);
	ERRNO(ENOTSOCK);
	ERRNO(EOPNOTSUPP);
	ERRNO(ETIMEDOUT);
	ERRNO(EALREADY);
	ERRNO(ECANCELED);
}

int main(void)
{
	printf("# Generated by tools/layout/kernel_layout.c from <linux/io_uring.h> and <errno.h>; do not edit.\n");
	printf("# Regenerate: npx tsc -p . && UPDATE_GOLDEN=1 node --test dist/test/uapi-layout.test.js\n");
	structs();
	constants();
	errnos();
	return 0;
}
