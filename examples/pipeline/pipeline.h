/* SPDX-License-Identifier: MIT */
/*
 * pipeline.h: what pipeline.bpf.c and its userspace driver share: the slots of the array map
 * `counters` (__u64 values) and the defaults of the program's const volatile globals, which the
 * driver may change before loading (BpfObject.setGlobal).
 */
#ifndef EXAMPLES_PIPELINE_H
#define EXAMPLES_PIPELINE_H

/* counters[slot], all __u64, zero when the object is loaded (load afresh, or zero them, per run). */
#define PL_SUBMITTED 0	/* NOPs queued (iouring_queue_sqe returned >= 0) */
#define PL_COMPLETED 1	/* NOP CQEs reaped */
#define PL_RUNS 2	/* program runs */
#define PL_ERRORS 3	/* NOP CQEs with res < 0, plus iouring_queue_sqe failures */
#define PL_LAST_ERROR 4	/* the last negative result (as a __s64), 0 if none */
#define PL_MAX_INFLIGHT 5	/* most NOPs in flight at once (= min(depth, target) unless errors) */
#define PL_NR_COUNTERS 6

/* Defaults of the const volatile globals (in .rodata). */
#define PL_DEFAULT_DEPTH 16	/* `depth`: NOPs kept in flight, 1..PL_MAX_DEPTH */
#define PL_DEFAULT_TARGET 1000	/* `target`: NOPs to complete in all */
#define PL_DEFAULT_CQ 1		/* `nop_cq`: the CQ of the NOPs' CQEs (not 0: the request's own) */
#define PL_MAX_DEPTH 256	/* bound of the program's loops; a larger depth acts as PL_MAX_DEPTH */

#endif /* EXAMPLES_PIPELINE_H */
