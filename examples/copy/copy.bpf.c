/* SPDX-License-Identifier: MIT */
/*
 * copy.bpf.c: `cat` as one BPF request. Concatenate nr_files input files into the output fd,
 * chaining OPENAT -> READ (until it returns 0) -> WRITE (until the chunk is written) -> CLOSE per
 * file, each stage's CQE on its own CQ (cq_base + stage - 1). Exactly one request is in flight at a
 * time, so every run knows which CQ the next CQE comes to and waits on that one alone (a run can wait
 * on one CQ only). The job (struct copy_job, copy.h) is in user memory at ctx->user_data; the
 * progress (struct copy_state) is in the map `state`. The first negative result stops the copy: it
 * is stored in state.error, the open input (if any) is closed, and the request completes.
 *
 * Build: examples/copy/build.sh. Traces and the driver's part: examples/copy/README.md.
 */
#include "uring_bpf.h"
#include "copy.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct copy_state);
	__uint(max_entries, 1);
} state SEC(".maps");

/* Record the first failure only: later ones (e.g. of the CLOSE after it) leave it alone. */
static __always_inline void fail(struct copy_state *s, long res, __u32 stage)
{
	if (s->error)
		return;
	s->error = (__s32)res;
	s->err_stage = stage;
	s->err_file = s->file;
}

/*
 * Queue the next step: sqe is prepared; give it its user_data and CQ, submit it, and wait for its
 * CQE. If the helper fails (nothing was queued, nothing is in flight), record the error and stop.
 */
static __always_inline long submit(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				   const struct copy_job *job, struct io_uring_sqe *sqe, __u32 stage)
{
	__u32 cq = job->cq_base + stage - 1;
	long ret;

	io_uring_sqe_set_data64(sqe, COPY_UD(s->file, stage));
	io_uring_sqe_set_cq_idx(sqe, (__u16)cq);
	ret = iouring_queue_sqe(ctx, sqe, sizeof(*sqe));
	if (ret < 0) {
		fail(s, ret, stage);
		s->stage = COPY_DONE;
		return ret;
	}
	/* 1: accepted. 0: rejected, but its error CQE is already on CQ cq: reaped like any other. */
	s->sqes++;
	s->stage = stage;
	ctx->wait_idx = cq;
	ctx->wait_nr = 1;
	return 0;
}

static __always_inline long open_file(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				      const struct copy_job *job, struct io_uring_sqe *sqe)
{
	__u64 path = 0;
	long ret;

	ret = bpf_copy_from_user(&path, sizeof(path), (const void *)(unsigned long)(job->paths + 8 * (__u64)s->file));
	if (ret < 0) {
		fail(s, ret, COPY_OPEN);
		s->stage = COPY_DONE;
		return ret;
	}
	io_uring_prep_openat(sqe, AT_FDCWD, (const char *)(unsigned long)path, O_RDONLY, 0);
	return submit(ctx, s, job, sqe, COPY_OPEN);
}

static __always_inline long read_chunk(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				       const struct copy_job *job, struct io_uring_sqe *sqe)
{
	io_uring_prep_read(sqe, s->fd, (void *)(unsigned long)job->buf, job->buf_size, s->in_off);
	return submit(ctx, s, job, sqe, COPY_READ);
}

static __always_inline long write_rest(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				       const struct copy_job *job, struct io_uring_sqe *sqe)
{
	io_uring_prep_write(sqe, job->out_fd, (const void *)(unsigned long)(job->buf + s->chunk_done),
			    s->chunk - s->chunk_done, s->out_off);
	return submit(ctx, s, job, sqe, COPY_WRITE);
}

static __always_inline long close_file(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				       const struct copy_job *job, struct io_uring_sqe *sqe)
{
	io_uring_prep_close(sqe, s->fd);
	return submit(ctx, s, job, sqe, COPY_CLOSE);
}

/* The next file's OPEN, or DONE after the last one (wait_nr stays 0: the request completes). */
static __always_inline long next_file(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				      const struct copy_job *job, struct io_uring_sqe *sqe)
{
	if (s->file >= job->nr_files) {
		s->stage = COPY_DONE;
		return 0;
	}
	return open_file(ctx, s, job, sqe);
}

/*
 * Act on the CQE of the stage in flight (res) and queue the next step. Returns 0, or the negative
 * error of queueing it (already recorded).
 */
static __always_inline long advance(struct io_uring_bpf_ctx *ctx, struct copy_state *s,
				    const struct copy_job *job, struct io_uring_sqe *sqe, __s32 res)
{
	switch (s->stage) {
	case COPY_OPEN:
		if (res < 0) {
			fail(s, res, COPY_OPEN);
			s->stage = COPY_DONE; /* nothing open: stop here */
			return 0;
		}
		s->fd = res;
		s->in_off = 0;
		return read_chunk(ctx, s, job, sqe);
	case COPY_READ:
		if (res < 0)
			fail(s, res, COPY_READ);
		if (res <= 0) /* end of file, or stop: close the input */
			return close_file(ctx, s, job, sqe);
		s->chunk = (__u32)res;
		s->chunk_done = 0;
		s->in_off += (__u32)res;
		return write_rest(ctx, s, job, sqe);
	case COPY_WRITE:
		if (res <= 0) {
			fail(s, res < 0 ? res : -ENOSPC, COPY_WRITE); /* 0 bytes written: would loop */
			return close_file(ctx, s, job, sqe);
		}
		s->chunk_done += (__u32)res;
		s->out_off += (__u32)res;
		if (s->chunk_done < s->chunk) /* short write: write the rest */
			return write_rest(ctx, s, job, sqe);
		return read_chunk(ctx, s, job, sqe);
	case COPY_CLOSE:
		if (res < 0)
			fail(s, res, COPY_CLOSE);
		if (s->error) {
			s->stage = COPY_DONE;
			return 0;
		}
		s->file++;
		return next_file(ctx, s, job, sqe);
	}
	return 0;
}

SEC("iouring.s/copy")
int copy(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	struct copy_job job;
	struct copy_state *s;
	__u32 key = 0;
	__u32 stage;
	long ret;

	s = bpf_map_lookup_elem(&state, &key);
	if (!s)
		return 0;
	s->runs++;
	if (s->stage == COPY_DONE)
		return 0;
	ret = bpf_copy_from_user(&job, sizeof(job), (const void *)(unsigned long)ctx->user_data);
	if (ret < 0) { /* the job is unreadable: stop (a request in flight, if any, is left alone) */
		fail(s, ret, s->stage);
		s->stage = COPY_DONE;
		return 0;
	}

	stage = s->stage;
	if (stage == COPY_IDLE) {
		ret = next_file(ctx, s, &job, &sqe);
	} else {
		ret = iouring_reap_cqe(ctx, job.cq_base + stage - 1, &cqe, sizeof(cqe));
		if (ret == -ENOENT) { /* a spurious re-run: the CQE is not there yet */
			ctx->wait_idx = job.cq_base + stage - 1;
			ctx->wait_nr = 1;
			return 0;
		}
		if (ret < 0) {
			fail(s, ret, stage);
			s->stage = COPY_DONE;
			return 0;
		}
		s->last_ud = cqe.user_data;
		s->last_res = cqe.res;
		ret = advance(ctx, s, &job, &sqe, cqe.res);
	}
	if (ret < 0) /* the next step could not be queued (recorded, stage DONE): complete */
		ctx->wait_nr = 0;
	return 0;
}
