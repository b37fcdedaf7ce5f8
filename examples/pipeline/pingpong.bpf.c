/* SPDX-License-Identifier: MIT */
/*
 * pingpong.bpf.c: two requests of this program bounce a counter between two CQs, `rounds` messages
 * in all (the RFC's §7.3 pingpong, which stops at 20, made to run as long as a benchmark needs).
 * The BPF SQE's user_data is the instance (0 or 1); instance i's inbox is CQ i + 1, its peer's is
 * CQ (i ^ 1) + 1. A NOP with cq_idx 1 kicks it off (message 0 to instance 0). Each run reaps one
 * message n from its inbox (an empty inbox: wait again), sends n + 1 to the peer while n < rounds,
 * and completes once n + 1 >= rounds (the peer then receives the last message and completes too).
 * counters[i] = runs of instance i, counters[2 + i] = the last message it received.
 *
 * Build (repository root): clang-19 --target=bpf -O2 -g -mcpu=v3 -Wall -Wextra -Werror
 *   -fdebug-compilation-dir=. -I include -c examples/pipeline/pingpong.bpf.c
 *   -o examples/pipeline/pingpong.bpf.o
 * Driven by bench/bpf.ts (the `bpf` benchmark group) and test/examples-bpf.test.ts.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Messages to exchange (the kick-off NOP's 0 not counted); rounds / 2 round trips. */
const volatile __u64 rounds = 20;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counters SEC(".maps");

SEC("iouring.s/pingpong")
int pingpong(struct io_uring_bpf_ctx *ctx)
{
	__u32 idx = (__u32)ctx->user_data & 1, last_key = 2 + idx;
	__u32 inbox = idx + 1, peer = (idx ^ 1) + 1;
	__u64 *runs = bpf_map_lookup_elem(&counters, &idx);
	__u64 *last = bpf_map_lookup_elem(&counters, &last_key);
	__u64 goal = rounds, n;
	struct io_uring_cqe cqe;

	if (!runs || !last)
		return 0;
	*runs += 1;
	if (iouring_reap_cqe(ctx, inbox, &cqe, sizeof(cqe)) == 0) {
		n = cqe.user_data;
		*last = n;
		if (n < goal)
			iouring_emit_cqe(ctx, peer, n + 1, 0, 0);
		if (n + 1 >= goal)
			return 0; /* wait_nr 0: the request completes */
	}
	ctx->wait_idx = inbox;
	ctx->wait_nr = 1;
	return 0;
}
