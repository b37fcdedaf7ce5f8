/* SPDX-License-Identifier: MIT */
/*
 * uring.h: what the RFC v2 example programs (uring.bpf.c) and their userspace drivers share
 * (spec §7): the structs a BPF request's user_data points at and the parameters of write_file.
 *
 * Include it after uring_bpf.h (or any header that defines __s32 and struct __kernel_timespec).
 */
#ifndef RFC_URING_H
#define RFC_URING_H

/* counting (slot 1): user_data = &counting_ctx; each run arms one timeout of length ts. */
struct counting_ctx {
	struct __kernel_timespec ts;	/* @0, 16 bytes */
};

/* pingpong (slot 2): user_data = &ping_ctx; idx 0 or 1 picks the inbox CQ idx + 1. */
struct ping_ctx {
	int idx;	/* @0, 4 bytes */
};

/* write_file (slot 3): FILL_BLOCKS writes of FILL_BLOCK_SIZE bytes, at most FILL_QD in flight. */
#define FILL_QD 4
#define FILL_BLOCKS 16
#define FILL_BLOCK_SIZE 16384
#define FILL_FSIZE 262144	/* FILL_BLOCKS * FILL_BLOCK_SIZE */

_Static_assert(sizeof(struct counting_ctx) == 16, "struct counting_ctx is 16 bytes");
_Static_assert(sizeof(struct ping_ctx) == 4, "struct ping_ctx is 4 bytes");
_Static_assert(FILL_FSIZE == FILL_BLOCKS * FILL_BLOCK_SIZE, "FILL_FSIZE is FILL_BLOCKS blocks");

#endif /* RFC_URING_H */
