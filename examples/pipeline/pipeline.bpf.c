/* SPDX-License-Identifier: MIT */
/*
 * pipeline.bpf.c: keep `depth` NOPs in flight from BPF until `target` of them have completed, never
 * returning to user code in between (the BPF side of the "NOP chain" benchmark). Each run reaps
 * every NOP CQE on CQ `nop_cq`, queues as many new NOPs as there are free slots (up to `target` in
 * all), and waits for the next CQE there; the run that finds nothing in flight and nothing left to
 * queue completes the request. Counters in the map `counters` (slots in pipeline.h).
 *
 * depth, target and nop_cq are const volatile globals (.rodata): set them before loading.
 * Build: examples/pipeline/build.sh. Traces and the driver's part: examples/pipeline/README.md.
 */
#include "uring_bpf.h"
#include "pipeline.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 depth = PL_DEFAULT_DEPTH;
const volatile __u64 target = PL_DEFAULT_TARGET;
const volatile __u32 nop_cq = PL_DEFAULT_CQ;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, PL_NR_COUNTERS);
} counters SEC(".maps");

static __always_inline __u64 *slot(__u32 key)
{
	return bpf_map_lookup_elem(&counters, &key);
}

SEC("iouring.s/pipeline")
int pipeline(struct io_uring_bpf_ctx *ctx)
{
	__u64 *submitted = slot(PL_SUBMITTED), *completed = slot(PL_COMPLETED), *runs = slot(PL_RUNS);
	__u64 *errors = slot(PL_ERRORS), *last_error = slot(PL_LAST_ERROR), *max_inflight = slot(PL_MAX_INFLIGHT);
	__u32 cq = nop_cq, n = depth < PL_MAX_DEPTH ? depth : PL_MAX_DEPTH;
	__u64 goal = target, inflight;
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	long ret;
	__u32 i;

	if (!submitted || !completed || !runs || !errors || !last_error || !max_inflight)
		return 0;
	*runs += 1;

	/* Reap what completed: at most the NOPs in flight, so at most n. */
	for (i = 0; i < PL_MAX_DEPTH && *completed < *submitted; i++) {
		if (iouring_reap_cqe(ctx, cq, &cqe, sizeof(cqe)) != 0)
			break;
		*completed += 1;
		if (cqe.res < 0) {
			*errors += 1;
			*last_error = (__u64)(__s64)cqe.res;
		}
	}

	/* Top up: one new NOP per free slot, user_data = its sequence number 0..target-1. */
	for (i = 0; i < PL_MAX_DEPTH; i++) {
		inflight = *submitted - *completed;
		if (inflight >= n || *submitted >= goal)
			break;
		io_uring_prep_nop(&sqe);
		io_uring_sqe_set_data64(&sqe, *submitted);
		io_uring_sqe_set_cq_idx(&sqe, (__u16)cq);
		ret = iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
		if (ret < 0) { /* not queued, no CQE will come: no more this run (complete if none in flight) */
			*errors += 1;
			*last_error = (__u64)ret;
			goal = *submitted;
			break;
		}
		/* 1: accepted; 0: rejected with its error CQE on CQ cq (counted when reaped). */
		*submitted += 1;
	}
	inflight = *submitted - *completed;
	if (inflight > *max_inflight)
		*max_inflight = inflight;

	/* Nothing in flight: target reached, a submission failed, or depth is 0. wait_nr 0: complete. */
	if (inflight == 0)
		return 0;
	ctx->wait_idx = cq;
	ctx->wait_nr = 1;
	return 0;
}
