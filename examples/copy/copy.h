/* SPDX-License-Identifier: MIT */
/*
 * copy.h: what copy.bpf.c and its userspace driver share. The driver fills a struct copy_job in
 * user memory and submits one IORING_OP_BPF SQE whose user_data is the job's address; the program
 * keeps its progress in the one entry of the array map `state` (a struct copy_state), which the
 * driver reads when the BPF request has completed. Layouts are fixed (no implicit padding) so that
 * the TypeScript driver can mirror them by offset; test/examples-objects.test.ts checks them.
 *
 * Include it after uring_bpf.h (or any header that defines __u32, __s32 and __u64).
 */
#ifndef EXAMPLES_COPY_H
#define EXAMPLES_COPY_H

/* The job, in user memory at ctx->user_data, read with bpf_copy_from_user on every run. */
struct copy_job {
	__u64 paths;	/* @0: address of nr_files __u64s, each the address of a NUL-terminated path */
	__u64 buf;	/* @8: address of the bounce buffer (user memory, buf_size bytes) */
	__u32 buf_size;	/* @16: bytes per read (> 0) */
	__s32 out_fd;	/* @20: output file descriptor, opened by the driver; written at explicit offsets */
	__u32 nr_files;	/* @24: number of input files (0: the request completes at once) */
	__u32 cq_base;	/* @28: CQ of the OPEN stage; READ, WRITE, CLOSE use cq_base + 1, + 2, + 3 */
};

/* Stages: the request in flight (one at a time); its CQE goes to CQ cq_base + stage - 1. */
#define COPY_IDLE 0	/* nothing queued yet (the first run) */
#define COPY_OPEN 1	/* IORING_OP_OPENAT of paths[file], O_RDONLY, relative to AT_FDCWD */
#define COPY_READ 2	/* IORING_OP_READ of buf_size bytes from fd at in_off into buf */
#define COPY_WRITE 3	/* IORING_OP_WRITE of chunk - chunk_done bytes from buf + chunk_done at out_off */
#define COPY_CLOSE 4	/* IORING_OP_CLOSE of fd */
#define COPY_DONE 5	/* finished (all files copied, or stopped on an error): the request completed */
#define COPY_NR_CQ 4	/* CQs the job uses: cq_base .. cq_base + 3 */

/* user_data of every SQE the program queues: the file index and the stage. */
#define COPY_UD(file, stage) (((__u64)(file) << 8) | (stage))

/* state[0]: progress, zero when the object is loaded (load it afresh, or zero it, for each job). */
struct copy_state {
	__u32 stage;		/* @0: COPY_*: the stage of the request in flight (or IDLE/DONE) */
	__u32 file;		/* @4: index of the current input file */
	__s32 fd;		/* @8: its descriptor once opened (valid in READ, WRITE, CLOSE) */
	__s32 error;		/* @12: the first negative result (a CQE's res or a helper's), 0 if none */
	__u32 err_stage;	/* @16: the stage that failed (COPY_*), 0 if none */
	__u32 err_file;		/* @20: the file it failed on */
	__u32 chunk;		/* @24: bytes the last read returned */
	__u32 chunk_done;	/* @28: bytes of that chunk written so far (short writes are resumed) */
	__u64 in_off;		/* @32: read offset in the current input */
	__u64 out_off;		/* @40: bytes written in total = offset of the next write */
	__u64 runs;		/* @48: program runs */
	__u64 sqes;		/* @56: SQEs queued (iouring_queue_sqe returned >= 0) */
	__u64 last_ud;		/* @64: user_data of the last CQE reaped */
	__s64 last_res;		/* @72: its res */
};

_Static_assert(sizeof(struct copy_job) == 32, "struct copy_job is 32 bytes");
_Static_assert(sizeof(struct copy_state) == 80, "struct copy_state is 80 bytes");

#endif /* EXAMPLES_COPY_H */
