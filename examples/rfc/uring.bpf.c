/* SPDX-License-Identifier: MIT */
/*
 * uring.bpf.c: the four BPF programs of RFC v2's liburing examples (spec §7), written against our C
 * SDK. One object; register its programs as the table [test, counting, pingpong, write_file] so that
 * they get slots 0..3. Every program is sleepable (section "iouring.s/") and keeps its state in the
 * legacy array map `arr`, which starts zeroed when the object is loaded afresh for each test.
 *
 * Build: examples/rfc/build.sh (clang-19 --target=bpf -O2 -g -mcpu=v3 -I include -c ...).
 * What each program does and the CQEs it produces: examples/rfc/README.md.
 */
#include "uring_bpf.h"
#include "bpf_map_def.h"
#include "uring.h"

char LICENSE[] SEC("license") = "GPL";

/* arr[k]: u64 results and counters; key 10 is test's "already ran once" flag. */
struct bpf_map_def SEC("maps") arr = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 256,
};

/* arr[key], or (u64)-1 when the lookup fails. */
static __always_inline __u64 readv(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&arr, &key);

	return v ? *v : (__u64)-1;
}

/* arr[key] = value. */
static __always_inline void writev(__u32 key, __u64 value)
{
	bpf_map_update_elem(&arr, &key, &value, BPF_ANY);
}

/* ------------------------------------------------------------------ slot 0: test (§7.1) */

/*
 * A tour of the helpers. user_data = the address of a u64 secret (29). The first run records what
 * each helper gave in arr[0..5], swaps the secret for 31 and waits for one CQE on CQ 0, which is
 * already there; the second run finds arr[10] set and completes the request.
 */
SEC("iouring.s/")
int test(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	__u64 secret = 0, new_secret = 31;
	long ret;

	if (readv(10))
		return 0; /* second run: wait_nr stays 0, the request completes */
	writev(10, 1);
	writev(0, 11);

	/* Emitted CQEs are visible at once: reap CQ 1's two straight back. */
	iouring_emit_cqe(ctx, 0, 3, 13, 0);
	iouring_emit_cqe(ctx, 1, 4, 17, 0);
	iouring_emit_cqe(ctx, 1, 5, 19, 0);
	ret = iouring_reap_cqe(ctx, 1, &cqe, sizeof(cqe));
	writev(1, ret ? (__u64)ret : cqe.user_data);
	ret = iouring_reap_cqe(ctx, 1, &cqe, sizeof(cqe));
	writev(2, ret ? (__u64)ret : cqe.user_data);

	/* A NOP on CQ 0: its CQE {2, 0} is posted when this run ends. */
	io_uring_prep_nop(&sqe);
	io_uring_sqe_set_data64(&sqe, 2);
	ret = iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
	if (ret >= 0)
		writev(3, 21);

	writev(4, ctx->user_data);
	bpf_copy_from_user(&secret, sizeof(secret), (const void *)(unsigned long)ctx->user_data);
	writev(5, secret);
	bpf_copy_to_user((void *)(unsigned long)ctx->user_data, &new_secret, sizeof(new_secret));

	ctx->wait_idx = 0;
	ctx->wait_nr = 1;
	return 0;
}

/* ------------------------------------------------------------------ slot 1: counting (§7.2) */

/*
 * Tick 11 times. user_data = the address of a struct counting_ctx. Runs 1..11 (arr[0] = 0..10 on
 * entry) each arm a timeout of ts with user_data 5 on CQ 1 and wait for one CQE there; runs 2..11
 * first reap the previous timeout's CQE into arr[1]. Run 12 completes the request.
 */
SEC("iouring.s/")
int counting(struct io_uring_bpf_ctx *ctx)
{
	struct counting_ctx *uctx = (struct counting_ctx *)(unsigned long)ctx->user_data;
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	__u64 v = readv(0);
	long ret;

	if (v > 10)
		return 0;
	writev(0, v + 1);
	if (v != 0) {
		ret = iouring_reap_cqe(ctx, 1, &cqe, sizeof(cqe));
		writev(1, ret ? (__u64)ret : cqe.user_data);
	}

	io_uring_prep_timeout(&sqe, &uctx->ts, 0, 0);
	io_uring_sqe_set_data64(&sqe, 5);
	io_uring_sqe_set_cq_idx(&sqe, 1);
	iouring_queue_sqe(ctx, &sqe, sizeof(sqe));

	ctx->wait_idx = 1;
	ctx->wait_nr = 1;
	return 0;
}

/* ------------------------------------------------------------------ slot 2: pingpong (§7.3) */

/*
 * Two requests of this program bounce a counter. user_data = the address of a struct ping_ctx whose
 * idx (0 or 1) names the instance: its inbox is CQ idx + 1, its peer's is CQ (idx ^ 1) + 1. The
 * first run marks arr[idx] and waits on the inbox; each later run takes the number n from the inbox
 * CQE's user_data and sends n + 1 to the peer; the instance that received n >= 20 records n in
 * arr[5 + idx] and completes.
 */
SEC("iouring.s/")
int pingpong(struct io_uring_bpf_ctx *ctx)
{
	struct ping_ctx uctx;
	struct io_uring_cqe cqe;
	__u32 inbox, peer;
	__u64 iter;

	bpf_copy_from_user(&uctx, sizeof(uctx), (const void *)(unsigned long)ctx->user_data);
	inbox = (__u32)uctx.idx + 1;
	peer = ((__u32)uctx.idx ^ 1) + 1;

	if (readv(uctx.idx) == 0) {
		writev(uctx.idx, 1);
	} else if (iouring_reap_cqe(ctx, inbox, &cqe, sizeof(cqe)) == 0) {
		iter = cqe.user_data;
		iouring_emit_cqe(ctx, peer, iter + 1, 0, 0);
		if (iter >= 20) {
			writev(5 + uctx.idx, iter);
			return 0;
		}
	}
	/* First run, next number or (on a spurious re-run, empty inbox) nothing yet: wait. */
	ctx->wait_idx = inbox;
	ctx->wait_nr = 1;
	return 0;
}

/* ------------------------------------------------------------------ slot 3: write_file (§7.4) */

/*
 * Write FILL_FSIZE bytes of the buffer at user_data to fixed file 0, FILL_BLOCK_SIZE at a time with
 * at most FILL_QD writes in flight, their CQEs (user_data = block number) on CQ 1. Each run reaps
 * the CQEs of the writes in flight, tops the queue up, and waits for all of them; the run that finds
 * nothing in flight and nothing left completes the request. arr[0] = in flight, arr[1] = next block.
 */
SEC("iouring.s/")
int write_file(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	__u64 inflight = readv(0), cur_off = readv(1);
	int i;

	for (i = 0; i < FILL_QD && inflight > 0; i++) {
		if (iouring_reap_cqe(ctx, 1, &cqe, sizeof(cqe)) != 0)
			break;
		inflight--;
	}

	for (i = 0; i < FILL_QD && inflight < FILL_QD && cur_off < FILL_BLOCKS; i++) {
		io_uring_prep_write(&sqe, 0, (const void *)(unsigned long)ctx->user_data, FILL_BLOCK_SIZE,
				    cur_off * FILL_BLOCK_SIZE);
		io_uring_sqe_set_flags(&sqe, IOSQE_FIXED_FILE);
		io_uring_sqe_set_data64(&sqe, cur_off);
		io_uring_sqe_set_cq_idx(&sqe, 1);
		if (iouring_queue_sqe(ctx, &sqe, sizeof(sqe)) < 0)
			break; /* not queued, no CQE will come */
		inflight++;
		cur_off++;
	}
	writev(0, inflight);
	writev(1, cur_off);

	ctx->wait_idx = 1;
	ctx->wait_nr = (__u32)inflight; /* 0: the request completes */
	return 0;
}
