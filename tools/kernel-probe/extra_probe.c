/*
 * extra_probe: more io_uring scenarios against the real kernel, focused on
 * links, hardlinks, link timeouts, drain, timeouts and cancellation. Same
 * output format as ../../../shared/tools/kernel-probe/semantics_probe.c:
 * a "== Xnn description" header, "submit -> N" lines, then the CQEs in ring
 * order as "cqe ud=U res=R [ENAME] flags=0xF".
 *
 * Only NOP (optionally IORING_NOP_INJECT_RESULT), TIMEOUT, TIMEOUT_REMOVE,
 * LINK_TIMEOUT, ASYNC_CANCEL and READ on an empty pipe (a request that stays
 * in flight) are used. Each scenario gets a fresh plain ring.
 *
 * Times are printed as "@~N ms" rounded to 10 ms (measured from the submit
 * that started the scenario); they are noisy by nature.
 *
 * build: gcc -O2 -Wall -pthread -o extra_probe extra_probe.c -luring
 * run:   ./extra_probe            (needs io_uring enabled; no root needed)
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef IORING_NOP_INJECT_RESULT
#define IORING_NOP_INJECT_RESULT (1U << 0)
#endif
#ifndef IORING_LINK_TIMEOUT_UPDATE
#define IORING_LINK_TIMEOUT_UPDATE (1U << 4)
#endif
#ifndef IORING_ASYNC_CANCEL_ANY
#define IORING_ASYNC_CANCEL_ANY (1U << 2)
#endif

/* ---------------------------------------------------------------- helpers */
static double t_start;

static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static void mark(void) { t_start = now_ms(); }
static int since_ms(void) { return (int)((now_ms() - t_start + 5) / 10) * 10; }

static const char *ename(int res) {
	if (res >= 0) return "";
	const char *n = strerrorname_np(-res);
	return n ? n : "?";
}

static int show_time; /* when set, each reaped CQE gets "@~N ms" */

static void print_cqe(struct io_uring_cqe *c) {
	printf("  cqe ud=%llu res=%d%s%s flags=0x%x", (unsigned long long)c->user_data, c->res,
	       c->res < 0 ? " " : "", ename(c->res), c->flags);
	if (show_time) printf("  @~%d ms", since_ms());
	printf("\n");
}

/* Wait until `want` CQEs arrived (or `ms` passed), print them in ring order. */
static int reap(struct io_uring *r, int want, int ms) {
	int got = 0;
	double deadline = now_ms() + ms;
	while (got < want) {
		double left = deadline - now_ms();
		if (left <= 0) break;
		struct __kernel_timespec ts = { .tv_sec = (long)left / 1000, .tv_nsec = ((long)left % 1000) * 1000000L };
		struct io_uring_cqe *c;
		int ret = io_uring_wait_cqe_timeout(r, &c, &ts);
		if (ret == -ETIME || ret == -EINTR) break;
		if (ret < 0) { printf("  wait_cqe: %d %s\n", ret, ename(ret)); break; }
		print_cqe(c);
		io_uring_cqe_seen(r, c);
		got++;
	}
	struct io_uring_cqe *c;
	while (io_uring_peek_cqe(r, &c) == 0) { print_cqe(c); io_uring_cqe_seen(r, c); got++; }
	printf("  (%d CQEs)\n", got);
	return got;
}

static void init_cq(struct io_uring *r, unsigned entries, unsigned cq) {
	struct io_uring_params p; memset(&p, 0, sizeof p);
	if (cq) { p.flags |= IORING_SETUP_CQSIZE; p.cq_entries = cq; }
	int ret = io_uring_queue_init_params(entries, r, &p);
	if (ret < 0) { printf("queue_init(%u, cq=%u) = %d %s\n", entries, cq, ret, ename(ret)); exit(1); }
}
static void init(struct io_uring *r, unsigned entries) { init_cq(r, entries, 0); }

static struct io_uring_sqe *nop(struct io_uring *r, unsigned long ud, unsigned char flags) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_nop(s); s->user_data = ud; s->flags = flags;
	return s;
}
/* NOP that completes with res = -err (IORING_NOP_INJECT_RESULT) */
static struct io_uring_sqe *nop_fail(struct io_uring *r, unsigned long ud, unsigned char flags, int err) {
	struct io_uring_sqe *s = nop(r, ud, flags);
	s->rw_flags = IORING_NOP_INJECT_RESULT; s->len = (unsigned)-err;
	return s;
}

static char pbuf[64];
static struct io_uring_sqe *pread_(struct io_uring *r, int fd, unsigned long ud, unsigned char flags) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_read(s, fd, pbuf, sizeof pbuf, 0); s->user_data = ud; s->flags = flags;
	return s;
}

static struct __kernel_timespec ms_ts(long ms) {
	struct __kernel_timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	return t;
}

static struct io_uring_sqe *timeout(struct io_uring *r, struct __kernel_timespec *ts, unsigned count,
				    unsigned tflags, unsigned long ud, unsigned char flags) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_timeout(s, ts, count, tflags); s->user_data = ud; s->flags = flags;
	return s;
}
static struct io_uring_sqe *ltimeout(struct io_uring *r, struct __kernel_timespec *ts, unsigned tflags,
				     unsigned long ud, unsigned char flags) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_link_timeout(s, ts, tflags); s->user_data = ud; s->flags = flags;
	return s;
}
static struct io_uring_sqe *cancel(struct io_uring *r, unsigned long target, unsigned cflags, unsigned long ud,
				   unsigned char flags) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_cancel64(s, target, cflags); s->user_data = ud; s->flags = flags;
	return s;
}
static struct io_uring_sqe *tremove(struct io_uring *r, unsigned long target, unsigned long ud, unsigned char flags) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_timeout_remove(s, target, 0); s->user_data = ud; s->flags = flags;
	return s;
}

static void submit_print(struct io_uring *r) {
	int ret = io_uring_submit(r);
	printf("  submit -> %d%s%s\n", ret, ret < 0 ? " " : "", ename(ret));
}

/* Publish the queued SQEs and call io_uring_enter(n, min, flags) ourselves (no
 * implicit GETEVENTS, unlike liburing's io_uring_submit when the CQ overflowed). */
static int raw_submit(struct io_uring *r, unsigned min, unsigned eflags) {
	unsigned n = r->sq.sqe_tail - r->sq.sqe_head, tail = *r->sq.ktail, mask = *r->sq.kring_mask;
	for (unsigned i = 0; i < n; i++) r->sq.array[(tail + i) & mask] = (r->sq.sqe_head + i) & mask;
	io_uring_smp_store_release(r->sq.ktail, tail + n);
	r->sq.sqe_head = r->sq.sqe_tail;
	return io_uring_enter(r->ring_fd, n, min, eflags, NULL);
}

static void ring_state(struct io_uring *r, const char *what) {
	unsigned head = IO_URING_READ_ONCE(*r->cq.khead), tail = IO_URING_READ_ONCE(*r->cq.ktail);
	printf("  [%s] cq head=%u tail=%u visible=%u sq_flags=0x%x koverflow=%u\n", what, head, tail, tail - head,
	       IO_URING_READ_ONCE(*r->sq.kflags), IO_URING_READ_ONCE(*r->cq.koverflow));
}

/* Cancel whatever is still in flight (ASYNC_CANCEL ANY|ALL, ud 9999) and print it. */
static void cleanup(struct io_uring *r, int expect) {
	printf("  cleanup: ASYNC_CANCEL ANY|ALL (ud 9999)\n");
	cancel(r, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL, 9999, 0);
	submit_print(r); reap(r, expect + 1, 300);
}

static int mkpipe(int p[2]) { if (pipe(p)) { perror("pipe"); exit(1); } return p[0]; }

/* ---------------------------------------------------------------- links */
static void x01(void) {
	struct io_uring r; init(&r, 8);
	printf("== X01 NOP inject -EIO (LINK) ud1 -> NOP (HARDLINK) ud2 -> NOP ud3\n");
	nop_fail(&r, 1, IOSQE_IO_LINK, EIO); nop(&r, 2, IOSQE_IO_HARDLINK); nop(&r, 3, 0);
	submit_print(&r); reap(&r, 3, 300);
	io_uring_queue_exit(&r);
}

static void x02(void) {
	struct io_uring r; init(&r, 8);
	printf("== X02 NOP inject -EIO (HARDLINK) ud1 -> NOP inject -EIO (LINK) ud2 -> NOP ud3\n");
	nop_fail(&r, 1, IOSQE_IO_HARDLINK, EIO); nop_fail(&r, 2, IOSQE_IO_LINK, EIO); nop(&r, 3, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   variant: NOP -EIO (HARDLINK) ud4 -> NOP (HARDLINK) ud5 -> NOP -EIO (LINK) ud6 -> NOP ud7\n");
	nop_fail(&r, 4, IOSQE_IO_HARDLINK, EIO); nop(&r, 5, IOSQE_IO_HARDLINK); nop_fail(&r, 6, IOSQE_IO_LINK, EIO);
	nop(&r, 7, 0);
	submit_print(&r); reap(&r, 4, 300);
	io_uring_queue_exit(&r);
}

static void x03(void) {
	struct io_uring r; init(&r, 8);
	struct __kernel_timespec t1s = ms_ts(1000);
	printf("== X03 NOP (LINK) ud1 -> LINK_TIMEOUT 1s (LINK) ud2 -> NOP ud3\n");
	nop(&r, 1, IOSQE_IO_LINK); ltimeout(&r, &t1s, 0, 2, IOSQE_IO_LINK); nop(&r, 3, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 3, 1500); show_time = 0;
	io_uring_queue_exit(&r);
}

static void x04(void) {
	struct io_uring r; init(&r, 8);
	struct __kernel_timespec t1s = ms_ts(1000), t20 = ms_ts(20);
	printf("== X04 TIMEOUT 1s (LINK) ud1 -> LINK_TIMEOUT 20ms ud2 (timeout is the guarded request)\n");
	timeout(&r, &t1s, 0, 0, 1, IOSQE_IO_LINK); ltimeout(&r, &t20, 0, 2, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 2, 1500); show_time = 0;
	printf("   variant: TIMEOUT 20ms (LINK) ud3 -> LINK_TIMEOUT 1s ud4 (timeout expires first)\n");
	timeout(&r, &t20, 0, 0, 3, IOSQE_IO_LINK); ltimeout(&r, &t1s, 0, 4, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 2, 1500); show_time = 0;
	io_uring_queue_exit(&r);
}

static void x05(void) {
	struct io_uring r; init(&r, 8);
	struct __kernel_timespec t20 = ms_ts(20);
	printf("== X05 TIMEOUT 20ms (LINK) ud1 -> NOP ud2 ; then TIMEOUT 20ms (HARDLINK) ud3 -> NOP ud4\n");
	timeout(&r, &t20, 0, 0, 1, IOSQE_IO_LINK); nop(&r, 2, 0);
	submit_print(&r); reap(&r, 2, 500);
	timeout(&r, &t20, 0, 0, 3, IOSQE_IO_HARDLINK); nop(&r, 4, 0);
	submit_print(&r); reap(&r, 2, 500);
	printf("   variant: TIMEOUT 1s count=1 (LINK) ud5 -> NOP ud6, plus independent NOP ud7 (count satisfied -> res 0)\n");
	struct __kernel_timespec t1s = ms_ts(1000);
	timeout(&r, &t1s, 1, 0, 5, IOSQE_IO_LINK); nop(&r, 6, 0); nop(&r, 7, 0);
	submit_print(&r); reap(&r, 3, 1500);
	io_uring_queue_exit(&r);
}

/* ---------------------------------------------------------------- cancellation */
static void x06(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	struct __kernel_timespec t5s = ms_ts(5000);
	printf("== X06 ASYNC_CANCEL of a not-yet-started link successor: READ pipe (LINK) ud1 -> NOP ud2 ; cancel ud2 (ud10)\n");
	pread_(&r, rfd, 1, IOSQE_IO_LINK); nop(&r, 2, 0);
	submit_print(&r);
	cancel(&r, 2, 0, 10, 0);
	submit_print(&r); reap(&r, 1, 200);
	printf("   then cancel ud1 (ud11)\n");
	cancel(&r, 1, 0, 11, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   cancel of a LINK_TIMEOUT by its user_data: READ pipe (LINK) ud3 -> LINK_TIMEOUT 5s ud4 ; cancel ud4 (ud12)\n");
	pread_(&r, rfd, 3, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 4, 0);
	submit_print(&r);
	cancel(&r, 4, 0, 12, 0);
	submit_print(&r); reap(&r, 1, 200);
	printf("   then TIMEOUT_REMOVE ud4 (ud13, plain remove of a link timeout)\n");
	tremove(&r, 4, 13, 0);
	submit_print(&r); reap(&r, 1, 200);
	cleanup(&r, 2);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x07(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	printf("== X07 ASYNC_CANCEL of the READ head: READ pipe (LINK) ud1 -> NOP ud2 ; cancel ud1 (ud10)\n");
	pread_(&r, rfd, 1, IOSQE_IO_LINK); nop(&r, 2, 0);
	submit_print(&r);
	cancel(&r, 1, 0, 10, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   same with HARDLINK: READ pipe (HARDLINK) ud3 -> NOP ud4 ; cancel ud3 (ud11)\n");
	pread_(&r, rfd, 3, IOSQE_IO_HARDLINK); nop(&r, 4, 0);
	submit_print(&r);
	cancel(&r, 3, 0, 11, 0);
	submit_print(&r); reap(&r, 3, 300);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x08(void) {
	struct io_uring r; init(&r, 8);
	struct __kernel_timespec t5s = ms_ts(5000);
	printf("== X08 TIMEOUT_REMOVE of a linked timeout request: TIMEOUT 5s (LINK) ud1 -> NOP ud2 ; TIMEOUT_REMOVE ud1 (ud3)\n");
	timeout(&r, &t5s, 0, 0, 1, IOSQE_IO_LINK); nop(&r, 2, 0);
	submit_print(&r);
	tremove(&r, 1, 3, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   same with HARDLINK: TIMEOUT 5s (HARDLINK) ud4 -> NOP ud5 ; TIMEOUT_REMOVE ud4 (ud6)\n");
	timeout(&r, &t5s, 0, 0, 4, IOSQE_IO_HARDLINK); nop(&r, 5, 0);
	submit_print(&r);
	tremove(&r, 4, 6, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   ASYNC_CANCEL instead: TIMEOUT 5s (LINK) ud7 -> NOP ud8 ; ASYNC_CANCEL ud7 (ud9)\n");
	timeout(&r, &t5s, 0, 0, 7, IOSQE_IO_LINK); nop(&r, 8, 0);
	submit_print(&r);
	cancel(&r, 7, 0, 9, 0);
	submit_print(&r); reap(&r, 3, 300);
	io_uring_queue_exit(&r);
}

static void x09(void) {
	struct io_uring r; init(&r, 8);
	struct __kernel_timespec t5s = ms_ts(5000), t20 = ms_ts(20);
	printf("== X09 TIMEOUT_REMOVE|IORING_TIMEOUT_UPDATE: TIMEOUT 5s ud1 ; update ud1 -> 20ms (ud2) ; update unknown ud 777 (ud3)\n");
	timeout(&r, &t5s, 0, 0, 1, 0);
	show_time = 1; mark(); submit_print(&r);
	struct io_uring_sqe *s = io_uring_get_sqe(&r); io_uring_prep_timeout_update(s, &t20, 1, 0); s->user_data = 2;
	s = io_uring_get_sqe(&r); io_uring_prep_timeout_update(s, &t20, 777, 0); s->user_data = 3;
	submit_print(&r); reap(&r, 3, 1000);
	printf("   update of a count timeout: TIMEOUT 5s count=2 ud4 ; update -> 20ms (ud5) ; then 2 NOPs ud6, ud7 (count kept -> res 0 at once?)\n");
	timeout(&r, &t5s, 2, 0, 4, 0);
	mark(); submit_print(&r);
	s = io_uring_get_sqe(&r); io_uring_prep_timeout_update(s, &t20, 4, 0); s->user_data = 5;
	submit_print(&r);
	nop(&r, 6, 0); nop(&r, 7, 0); submit_print(&r);
	reap(&r, 4, 1000);
	printf("   update of an already-fired timeout ud1 (ud8)\n");
	s = io_uring_get_sqe(&r); io_uring_prep_timeout_update(s, &t20, 1, 0); s->user_data = 8;
	mark(); submit_print(&r); reap(&r, 1, 200);
	show_time = 0;
	io_uring_queue_exit(&r);
}

/* ---------------------------------------------------------------- drain */
static void x10(void) {
	struct io_uring r; init(&r, 16);
	struct __kernel_timespec t30 = ms_ts(30);
	printf("== X10 DRAIN: NOP ud1, NOP ud2, NOP(DRAIN) ud3 in one submit (nothing reaped)\n");
	nop(&r, 1, 0); nop(&r, 2, 0); nop(&r, 3, IOSQE_IO_DRAIN);
	submit_print(&r); reap(&r, 3, 300);
	printf("   TIMEOUT 30ms ud1, NOP(DRAIN|LINK) ud2 -> NOP ud3, NOP ud4 in one submit\n");
	timeout(&r, &t30, 0, 0, 1, 0); nop(&r, 2, IOSQE_IO_DRAIN | IOSQE_IO_LINK); nop(&r, 3, 0); nop(&r, 4, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 4, 500); show_time = 0;
	io_uring_queue_exit(&r);
}

/* ---------------------------------------------------------------- overflow */
static void x11_common(struct io_uring *r) {
	for (int b = 0; b < 3; b++) {
		for (int i = 0; i < 4; i++) nop(r, b * 4 + i + 1, 0);
		int ret = raw_submit(r, 0, 0);
		printf("  batch %d enter(4,0,0) -> %d\n", b, ret);
		ring_state(r, "after batch");
	}
	io_uring_cq_advance(r, 2);
	ring_state(r, "after cq_advance(2), no enter");
	nop(r, 100, 0);
}

static void x11(void) {
	struct io_uring r; init(&r, 4); /* sq=4 cq=8 */
	printf("== X11 overflow order: sq=%u cq=%u, 12 NOPs (ud1-12) unreaped, consume 2 w/o enter, then NOP ud100 via raw enter(1,0,0)\n",
	       r.sq.ring_entries, r.cq.ring_entries);
	x11_common(&r);
	int ret = raw_submit(&r, 0, 0);
	printf("  enter(1,0,0) -> %d\n", ret);
	ring_state(&r, "after ud100 submit");
	printf("  reap all (liburing peek enters GETEVENTS while SQ_CQ_OVERFLOW is set):\n");
	reap(&r, 11, 300);
	ring_state(&r, "end");
	io_uring_queue_exit(&r);

	init(&r, 4);
	printf("== X11b same, but ud100 submitted with liburing io_uring_submit (adds GETEVENTS because SQ_CQ_OVERFLOW is set)\n");
	x11_common(&r);
	submit_print(&r);
	ring_state(&r, "after ud100 submit");
	reap(&r, 11, 300);
	ring_state(&r, "end");
	io_uring_queue_exit(&r);

	init(&r, 4);
	printf("== X11c same, but ud100 submitted with enter(1,0,GETEVENTS) after consuming 6 (room for backlog + ud100)\n");
	for (int b = 0; b < 3; b++) { for (int i = 0; i < 4; i++) nop(&r, b * 4 + i + 1, 0); raw_submit(&r, 0, 0); }
	io_uring_cq_advance(&r, 6);
	ring_state(&r, "after 12 NOPs + cq_advance(6)");
	nop(&r, 100, 0);
	ret = raw_submit(&r, 0, IORING_ENTER_GETEVENTS);
	printf("  enter(1,0,GETEVENTS) -> %d\n", ret);
	ring_state(&r, "after");
	reap(&r, 7, 300);
	io_uring_queue_exit(&r);
}

static void on_alarm(int sig) { (void)sig; }

static int wpipe[2][2];
static void *delayed_writer(void *arg) {
	(void)arg;
	usleep(30000); if (write(wpipe[0][1], "a", 1) != 1) exit(1);
	usleep(50000); if (write(wpipe[1][1], "b", 1) != 1) exit(1);
	return NULL;
}

/* enter(0, min, GETEVENTS) with a 400ms SIGALRM guard; prints result and time */
static void guarded_enter(struct io_uring *r, unsigned min) {
	struct itimerval it = { { 0, 0 }, { 0, 400000 } }, off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	int ret = io_uring_enter(r->ring_fd, 0, min, IORING_ENTER_GETEVENTS, NULL); /* liburing returns -errno */
	setitimer(ITIMER_REAL, &off, NULL);
	printf("  enter(0, min_complete=%u, GETEVENTS) -> %d%s%s after ~%d ms, cq_ready=%u sq_flags=0x%x\n", min, ret,
	       ret < 0 ? " " : "", ename(ret), since_ms(), io_uring_cq_ready(r), IO_URING_READ_ONCE(*r->sq.kflags));
}

static void two_reads_case(struct io_uring *r, unsigned min) {
	if (pipe(wpipe[0]) || pipe(wpipe[1])) exit(1);
	static char b0[4], b1[4];
	struct io_uring_sqe *s = io_uring_get_sqe(r); io_uring_prep_read(s, wpipe[0][0], b0, 4, 0); s->user_data = 1;
	s = io_uring_get_sqe(r); io_uring_prep_read(s, wpipe[1][0], b1, 4, 0); s->user_data = 2;
	io_uring_submit(r);
	pthread_t th; mark(); pthread_create(&th, NULL, delayed_writer, NULL);
	guarded_enter(r, min);
	pthread_join(th, NULL);
	reap(r, 2, 300);
	for (int i = 0; i < 2; i++) { close(wpipe[i][0]); close(wpipe[i][1]); }
}

/* another thread submits `nops_per_round` NOPs (batches of 4) at +30ms */
static struct io_uring *nop_ring;
static int nop_count;
static void *delayed_nops(void *arg) {
	(void)arg;
	usleep(30000);
	for (int i = 0; i < nop_count; i++) {
		nop(nop_ring, 100 + i, 0);
		if (i % 4 == 3 || i == nop_count - 1) raw_submit(nop_ring, 0, 0);
	}
	return NULL;
}
static void nops_case(struct io_uring *r, int n, unsigned min) {
	nop_ring = r; nop_count = n;
	pthread_t th; mark(); pthread_create(&th, NULL, delayed_nops, NULL);
	guarded_enter(r, min);
	pthread_join(th, NULL);
	reap(r, n, 300);
}

static void x12(void) {
	struct io_uring r; init(&r, 4); /* sq=4 cq=8 */
	struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	struct __kernel_timespec t50 = ms_ts(50);
	printf("== X12 min_complete > cq_entries (cq=%u); every enter has a SIGALRM guard at 400ms\n", r.cq.ring_entries);
	printf("  a) 1 TIMEOUT 50ms in flight, min_complete=100\n");
	timeout(&r, &t50, 0, 0, 1, 0); io_uring_submit(&r); mark();
	guarded_enter(&r, 100);
	reap(&r, 1, 300);
	printf("  b) no TIMEOUT: READs on two pipes written at +30ms and +80ms, min_complete=100\n");
	two_reads_case(&r, 100);
	printf("  c) same, min_complete=8 (== cq_entries)\n");
	two_reads_case(&r, 8);
	printf("  d) same, min_complete=2\n");
	two_reads_case(&r, 2);
	printf("  d2) another thread submits 8 NOPs (fills cq exactly) at +30ms, min_complete=100: clamped to cq_entries?\n");
	nops_case(&r, 8, 100);
	printf("  d3) another thread submits 12 NOPs (4 overflow) at +30ms, min_complete=100\n");
	nops_case(&r, 12, 100);
	printf("  d4) another thread submits 12 NOPs at +30ms, min_complete=10 (> cq_entries, < total)\n");
	nops_case(&r, 12, 10);
	printf("  e) nothing will complete (READ on a never-written pipe ud5), min_complete=1: the signal with an empty CQ\n");
	int p[2]; int rfd = mkpipe(p);
	pread_(&r, rfd, 5, 0); io_uring_submit(&r); mark();
	guarded_enter(&r, 1);
	printf("  f) 2 TIMEOUTs 20ms ud6 and 200ms ud7 + READ ud5 still pending, min_complete=3\n");
	struct __kernel_timespec t20 = ms_ts(20), t200 = ms_ts(200);
	timeout(&r, &t20, 0, 0, 6, 0); timeout(&r, &t200, 0, 0, 7, 0); io_uring_submit(&r); mark();
	guarded_enter(&r, 3);
	show_time = 1; reap(&r, 1, 50); show_time = 0;
	cleanup(&r, 2);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x13(void) {
	struct io_uring r; init_cq(&r, 4, 4); /* sq=4 cq=4 */
	struct __kernel_timespec t1s = ms_ts(1000);
	printf("== X13 TIMEOUT 1s count=1 whose counted CQE overflows: sq=%u cq=%u\n", r.sq.ring_entries, r.cq.ring_entries);
	for (int i = 0; i < 4; i++) nop(&r, i + 1, 0);
	printf("  4 NOPs ud1-4 -> enter = %d (CQ now full)\n", raw_submit(&r, 0, 0));
	timeout(&r, &t1s, 1, 0, 10, 0); nop(&r, 11, 0);
	mark();
	printf("  TIMEOUT count=1 ud10 + NOP ud11 -> enter(2,0,0) = %d\n", raw_submit(&r, 0, 0));
	usleep(50000);
	ring_state(&r, "+50ms");
	io_uring_cq_advance(&r, 4);
	usleep(50000);
	ring_state(&r, "consumed 4 w/o enter, +100ms");
	int ret = io_uring_enter(r.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, NULL);
	printf("  enter(0,0,GETEVENTS) -> %d at ~%d ms\n", ret, since_ms());
	ring_state(&r, "after flush");
	show_time = 1; reap(&r, 2, 1500); show_time = 0;
	io_uring_queue_exit(&r);

	init_cq(&r, 4, 4);
	printf("== X13b is the count timeout still pending while its counted CQE sits in the backlog? (sq=4 cq=4)\n");
	for (int i = 0; i < 4; i++) nop(&r, i + 1, 0);
	raw_submit(&r, 0, 0);
	timeout(&r, &t1s, 1, 0, 10, 0); nop(&r, 11, 0);
	mark(); raw_submit(&r, 0, 0);
	usleep(20000);
	tremove(&r, 10, 12, 0);
	printf("  TIMEOUT_REMOVE ud10 (ud12) via enter(1,0,0) = %d (its CQE also goes to the backlog)\n", raw_submit(&r, 0, 0));
	io_uring_cq_advance(&r, 4);
	show_time = 1; reap(&r, 3, 1500); show_time = 0;
	io_uring_queue_exit(&r);

	init_cq(&r, 4, 4);
	printf("== X13c same, but the timeout is queued first and the CQ is filled afterwards: TIMEOUT 1s count=5 ud10, then 5 NOPs ud1-5\n");
	timeout(&r, &t1s, 5, 0, 10, 0); mark(); raw_submit(&r, 0, 0);
	for (int i = 0; i < 4; i++) nop(&r, i + 1, 0);
	raw_submit(&r, 0, 0); nop(&r, 5, 0); raw_submit(&r, 0, 0);
	usleep(50000);
	ring_state(&r, "+50ms");
	show_time = 1; reap(&r, 6, 1500); show_time = 0;
	io_uring_queue_exit(&r);
}

/* ---------------------------------------------------------------- timeout parameters */
static void x14(void) {
	struct io_uring r; init(&r, 8);
	printf("== X14 TIMEOUT {-1,0} ud1, {0,1000000000} ud2, {0,-1} ud3, {0,0} ud4, {1,-1} ud5\n");
	static struct __kernel_timespec ts[5] = { { -1, 0 }, { 0, 1000000000LL }, { 0, -1 }, { 0, 0 }, { 1, -1 } };
	printf("  (each submitted on its own: a failing SQE ends a plain ring's submit batch)\n");
	mark();
	for (int i = 0; i < 5; i++) { timeout(&r, &ts[i], 0, 0, i + 1, 0); submit_print(&r); }
	show_time = 1; reap(&r, 5, 1500); show_time = 0;
	printf("   LINK_TIMEOUT {-1,0}: READ pipe (LINK) ud6 -> LT ud7 ; LINK_TIMEOUT {0,0}: READ pipe (LINK) ud8 -> LT ud9\n");
	int p[2]; int rfd = mkpipe(p);
	static struct __kernel_timespec neg = { -1, 0 }, zero = { 0, 0 };
	pread_(&r, rfd, 6, IOSQE_IO_LINK); ltimeout(&r, &neg, 0, 7, 0);
	submit_print(&r); reap(&r, 2, 300);
	pread_(&r, rfd, 8, IOSQE_IO_LINK); ltimeout(&r, &zero, 0, 9, 0);
	submit_print(&r); reap(&r, 2, 300);
	cleanup(&r, 0);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x15(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	struct __kernel_timespec t20 = ms_ts(20);
	printf("== X15a READ pipe (LINK) ud1 -> LINK_TIMEOUT 20ms with off=1 ud2\n");
	pread_(&r, rfd, 1, IOSQE_IO_LINK);
	struct io_uring_sqe *s = ltimeout(&r, &t20, 0, 2, 0); s->off = 1;
	submit_print(&r); reap(&r, 2, 300);
	printf("== X15b READ pipe (LINK) ud3 -> LINK_TIMEOUT 20ms with len=2 ud4\n");
	pread_(&r, rfd, 3, IOSQE_IO_LINK);
	s = ltimeout(&r, &t20, 0, 4, 0); s->len = 2;
	submit_print(&r); reap(&r, 2, 300);
	printf("== X15c READ pipe (LINK) ud5 -> LINK_TIMEOUT ABS 1s in the past ud6\n");
	struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
	struct __kernel_timespec past = { now.tv_sec - 1, now.tv_nsec };
	pread_(&r, rfd, 5, IOSQE_IO_LINK); ltimeout(&r, &past, IORING_TIMEOUT_ABS, 6, 0);
	submit_print(&r); reap(&r, 2, 300);
	printf("== X15d NOP (LINK) ud7 -> LINK_TIMEOUT off=1 ud8 -> NOP ud9 (invalid LT in the middle of a chain)\n");
	nop(&r, 7, IOSQE_IO_LINK); s = ltimeout(&r, &t20, 0, 8, IOSQE_IO_LINK); s->off = 1; nop(&r, 9, 0);
	submit_print(&r); reap(&r, 3, 300);
	cleanup(&r, 0);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x16(void) {
	struct io_uring r; init(&r, 16);
	struct __kernel_timespec t5s = ms_ts(5000);
	printf("== X16 ASYNC_CANCEL field validation; TIMEOUT 5s ud1..ud6 pending\n");
	for (int i = 1; i <= 6; i++) timeout(&r, &t5s, 0, 0, i, 0);
	submit_print(&r);
	printf("  ud11 cancel(1) ioprio=1; ud12 cancel(2) off=1; ud13 cancel(3) len=5; ud14 cancel(4) cancel_flags=1<<31;\n"
	       "  ud15 cancel(5) buf_index=1; ud16 cancel(6) flags FD|ANY\n");
	printf("  (each submitted on its own: a failing SQE ends a plain ring's submit batch)\n");
	struct io_uring_sqe *s = cancel(&r, 1, 0, 11, 0); s->ioprio = 1; submit_print(&r); reap(&r, 2, 100);
	s = cancel(&r, 2, 0, 12, 0); s->off = 1; submit_print(&r); reap(&r, 2, 100);
	s = cancel(&r, 3, 0, 13, 0); s->len = 5; submit_print(&r); reap(&r, 2, 100);
	s = cancel(&r, 4, 1U << 31, 14, 0); submit_print(&r); reap(&r, 2, 100);
	s = cancel(&r, 5, 0, 15, 0); s->buf_index = 1; submit_print(&r); reap(&r, 2, 100);
	s = cancel(&r, 6, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY, 16, 0); submit_print(&r); reap(&r, 2, 100);
	cleanup(&r, 0);
	io_uring_queue_exit(&r);
}

static void x17(void) {
	struct io_uring r; init(&r, 16);
	struct __kernel_timespec t300 = ms_ts(300);
	printf("== X17 TIMEOUT 300ms count=2 ud1, TIMEOUT 300ms count=1 ud2, NOP ud3 (one submit)\n");
	timeout(&r, &t300, 2, 0, 1, 0); timeout(&r, &t300, 1, 0, 2, 0); nop(&r, 3, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 3, 1000);
	printf("== X17b TIMEOUT 300ms count=1 ud1, TIMEOUT 300ms count=1 ud2, NOP ud3\n");
	timeout(&r, &t300, 1, 0, 1, 0); timeout(&r, &t300, 1, 0, 2, 0); nop(&r, 3, 0);
	mark(); submit_print(&r); reap(&r, 3, 1000);
	printf("== X17c TIMEOUT 300ms count=1 ud1, TIMEOUT 300ms count=2 ud2, NOP ud3, NOP ud4\n");
	timeout(&r, &t300, 1, 0, 1, 0); timeout(&r, &t300, 2, 0, 2, 0); nop(&r, 3, 0); nop(&r, 4, 0);
	mark(); submit_print(&r); reap(&r, 4, 1000);
	printf("== X17d TIMEOUT 20ms count=0 ud1, TIMEOUT 300ms count=1 ud2 (does ud1's -ETIME count for ud2?)\n");
	struct __kernel_timespec t20 = ms_ts(20);
	timeout(&r, &t20, 0, 0, 1, 0); timeout(&r, &t300, 1, 0, 2, 0);
	mark(); submit_print(&r); reap(&r, 2, 1000);
	show_time = 0;
	io_uring_queue_exit(&r);
}

static void x18(void) {
	struct io_uring r; init(&r, 16);
	struct __kernel_timespec t5s = ms_ts(5000);
	printf("== X18 IOSQE_ASYNC: TIMEOUT 5s ud1 ; then TIMEOUT_REMOVE(ASYNC) ud2 -> ud1, NOP ud3 in one submit\n");
	timeout(&r, &t5s, 0, 0, 1, 0); submit_print(&r);
	tremove(&r, 1, 2, IOSQE_ASYNC); nop(&r, 3, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   baseline without ASYNC: TIMEOUT 5s ud4 ; TIMEOUT_REMOVE ud5 -> ud4, NOP ud6\n");
	timeout(&r, &t5s, 0, 0, 4, 0); submit_print(&r);
	tremove(&r, 4, 5, 0); nop(&r, 6, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   TIMEOUT 5s ud7 ; ASYNC_CANCEL(ASYNC) ud8 -> ud7, NOP ud9\n");
	timeout(&r, &t5s, 0, 0, 7, 0); submit_print(&r);
	cancel(&r, 7, 0, 8, IOSQE_ASYNC); nop(&r, 9, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   baseline without ASYNC: TIMEOUT 5s ud10 ; ASYNC_CANCEL ud11 -> ud10, NOP ud12\n");
	timeout(&r, &t5s, 0, 0, 10, 0); submit_print(&r);
	cancel(&r, 10, 0, 11, 0); nop(&r, 12, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("   ASYNC_CANCEL(ASYNC) of unknown ud 777 (ud13), NOP ud14\n");
	cancel(&r, 777, 0, 13, IOSQE_ASYNC); nop(&r, 14, 0);
	submit_print(&r); reap(&r, 2, 300);
	io_uring_queue_exit(&r);
}

/* ---------------------------------------------------------------- extra scenarios */
static struct io_uring_sqe *tupdate(struct io_uring *r, struct __kernel_timespec *ts, unsigned long target,
				    unsigned tflags, unsigned long ud) {
	struct io_uring_sqe *s = io_uring_get_sqe(r);
	io_uring_prep_timeout_update(s, ts, target, 0);
	s->timeout_flags = tflags; s->user_data = ud;
	return s;
}

static void x19(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	struct __kernel_timespec t5s = ms_ts(5000), t20 = ms_ts(20);
	printf("== X19 TIMEOUT_REMOVE flag combinations vs link timeouts (U=IORING_TIMEOUT_UPDATE, L=IORING_LINK_TIMEOUT_UPDATE)\n");
	printf("  a) READ pipe (LINK) ud1 -> LINK_TIMEOUT 5s ud2 ; TIMEOUT_REMOVE flags=L only, ud2 -> 20ms (ud3)\n");
	pread_(&r, rfd, 1, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 2, 0);
	show_time = 1; mark(); submit_print(&r);
	tupdate(&r, &t20, 2, IORING_LINK_TIMEOUT_UPDATE, 3);
	submit_print(&r); reap(&r, 1, 200);
	printf("  b) flags=U|L, ud2 -> 20ms (ud4)\n");
	tupdate(&r, &t20, 2, IORING_LINK_TIMEOUT_UPDATE | IORING_TIMEOUT_UPDATE, 4);
	mark(); submit_print(&r); reap(&r, 3, 1000);
	printf("  c) READ pipe (LINK) ud5 -> LINK_TIMEOUT 5s ud6 ; flags=U only aimed at the link timeout ud6 (ud7)\n");
	pread_(&r, rfd, 5, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 6, 0);
	mark(); submit_print(&r);
	tupdate(&r, &t20, 6, IORING_TIMEOUT_UPDATE, 7);
	submit_print(&r); reap(&r, 1, 200);
	printf("  d) plain TIMEOUT 5s ud8 ; flags=U|L aimed at it (ud9)\n");
	timeout(&r, &t5s, 0, 0, 8, 0); submit_print(&r);
	tupdate(&r, &t20, 8, IORING_LINK_TIMEOUT_UPDATE | IORING_TIMEOUT_UPDATE, 9);
	submit_print(&r); reap(&r, 1, 200);
	printf("  e) flags=L only aimed at the plain TIMEOUT ud8 (ud10)\n");
	tupdate(&r, &t20, 8, IORING_LINK_TIMEOUT_UPDATE, 10);
	submit_print(&r); reap(&r, 2, 200);
	printf("  f) READ pipe (LINK) ud11 -> LINK_TIMEOUT 5s ud12 ; U|L ud12 -> ABS in the past (ud13)\n");
	pread_(&r, rfd, 11, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 12, 0);
	mark(); submit_print(&r);
	struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
	struct __kernel_timespec past = { now.tv_sec - 1, now.tv_nsec };
	tupdate(&r, &past, 12, IORING_LINK_TIMEOUT_UPDATE | IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS, 13);
	submit_print(&r); reap(&r, 3, 300);
	show_time = 0;
	cleanup(&r, 2);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x20(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	struct __kernel_timespec t20 = ms_ts(20);
	printf("== X20 READ pipe (HARDLINK) ud1 -> LINK_TIMEOUT 20ms (LINK) ud2 -> NOP ud3 : does the hardlink survive the LT?\n");
	pread_(&r, rfd, 1, IOSQE_IO_HARDLINK); ltimeout(&r, &t20, 0, 2, IOSQE_IO_LINK); nop(&r, 3, 0);
	submit_print(&r); reap(&r, 3, 500);
	printf("== X20b READ pipe (LINK) ud4 -> LINK_TIMEOUT 20ms (HARDLINK) ud5 -> NOP ud6\n");
	pread_(&r, rfd, 4, IOSQE_IO_LINK); ltimeout(&r, &t20, 0, 5, IOSQE_IO_HARDLINK); nop(&r, 6, 0);
	submit_print(&r); reap(&r, 3, 500);
	printf("== X20c READ pipe (HARDLINK) ud7 -> LINK_TIMEOUT 20ms (HARDLINK) ud8 -> NOP ud9\n");
	pread_(&r, rfd, 7, IOSQE_IO_HARDLINK); ltimeout(&r, &t20, 0, 8, IOSQE_IO_HARDLINK); nop(&r, 9, 0);
	submit_print(&r); reap(&r, 3, 500);
	cleanup(&r, 0);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x21(void) {
	struct io_uring r; init(&r, 16);
	struct __kernel_timespec t1s = ms_ts(1000);
	printf("== X21 NOP inject -EIO (LINK) ud1 -> LINK_TIMEOUT 1s (LINK) ud2 -> NOP ud3\n");
	nop_fail(&r, 1, IOSQE_IO_LINK, EIO); ltimeout(&r, &t1s, 0, 2, IOSQE_IO_LINK); nop(&r, 3, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 3, 1500);
	printf("== X21b NOP inject -EIO (HARDLINK) ud4 -> LINK_TIMEOUT 1s (LINK) ud5 -> NOP ud6\n");
	nop_fail(&r, 4, IOSQE_IO_HARDLINK, EIO); ltimeout(&r, &t1s, 0, 5, IOSQE_IO_LINK); nop(&r, 6, 0);
	mark(); submit_print(&r); reap(&r, 3, 1500);
	printf("== X21c NOP (LINK) ud7 -> LINK_TIMEOUT 1s (CQE_SKIP_SUCCESS) ud8 : is the LT's -ECANCELED CQE skipped?\n");
	nop(&r, 7, IOSQE_IO_LINK); ltimeout(&r, &t1s, 0, 8, IOSQE_CQE_SKIP_SUCCESS);
	mark(); submit_print(&r); reap(&r, 2, 300);
	show_time = 0;
	io_uring_queue_exit(&r);
}

static void x22(void) {
	struct io_uring r; init(&r, 16);
	struct __kernel_timespec t30 = ms_ts(30);
	printf("== X22 DRAIN on a non-head link member: TIMEOUT 30ms ud1, NOP(LINK) ud2 -> NOP(DRAIN) ud3, NOP ud4\n");
	timeout(&r, &t30, 0, 0, 1, 0); nop(&r, 2, IOSQE_IO_LINK); nop(&r, 3, IOSQE_IO_DRAIN); nop(&r, 4, 0);
	show_time = 1; mark(); submit_print(&r); reap(&r, 4, 500);
	printf("== X22b DRAIN then cancel what it waits for: READ pipe ud5, NOP(DRAIN) ud6, NOP ud7 ; ASYNC_CANCEL ud5 (ud8)\n");
	int p[2]; int rfd = mkpipe(p);
	pread_(&r, rfd, 5, 0); nop(&r, 6, IOSQE_IO_DRAIN); nop(&r, 7, 0);
	mark(); submit_print(&r); reap(&r, 3, 100);
	cancel(&r, 5, 0, 8, 0);
	submit_print(&r); reap(&r, 4, 200);
	printf("   TIMEOUT 20ms ud9 (submitted while the drain is stuck)\n");
	struct __kernel_timespec t20 = ms_ts(20);
	timeout(&r, &t20, 0, 0, 9, 0); submit_print(&r); reap(&r, 1, 200);
	printf("   write 1 byte to the pipe\n");
	if (write(p[1], "x", 1) != 1) exit(1);
	reap(&r, 5, 300);
	show_time = 0;
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x23(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	struct __kernel_timespec t5s = ms_ts(5000);
	printf("== X23 cancel the guarded READ: READ pipe (LINK) ud1 -> LINK_TIMEOUT 5s ud2 ; ASYNC_CANCEL ud1 (ud3)\n");
	pread_(&r, rfd, 1, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 2, 0);
	submit_print(&r);
	cancel(&r, 1, 0, 3, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("== X23b TIMEOUT 5s (LINK) ud4 -> LINK_TIMEOUT 5s (LINK) ud5 -> NOP ud6 ; TIMEOUT_REMOVE ud4 (ud7)\n");
	timeout(&r, &t5s, 0, 0, 4, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 5, IOSQE_IO_LINK); nop(&r, 6, 0);
	submit_print(&r);
	tremove(&r, 4, 7, 0);
	submit_print(&r); reap(&r, 4, 300);
	printf("== X23c write to pipe completes the guarded READ: READ pipe (LINK) ud8 -> LINK_TIMEOUT 5s (LINK) ud9 -> NOP ud10\n");
	pread_(&r, rfd, 8, IOSQE_IO_LINK); ltimeout(&r, &t5s, 0, 9, IOSQE_IO_LINK); nop(&r, 10, 0);
	submit_print(&r); reap(&r, 3, 50);
	if (write(p[1], "xy", 2) != 2) exit(1);
	reap(&r, 3, 300);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

static void x24(void) {
	struct io_uring r; init(&r, 16);
	int p[2]; int rfd = mkpipe(p);
	printf("== X24 ASYNC_CANCEL ALL ud7: READ pipe (LINK) ud7 -> NOP ud7, READ pipe ud7 (independent) ; cancel ALL ud7 (ud8)\n");
	pread_(&r, rfd, 7, IOSQE_IO_LINK); nop(&r, 7, 0); pread_(&r, rfd, 7, 0);
	submit_print(&r);
	cancel(&r, 7, IORING_ASYNC_CANCEL_ALL, 8, 0);
	submit_print(&r); reap(&r, 4, 300);
	printf("== X24b ASYNC_CANCEL of itself-like target: ASYNC_CANCEL ud20 targeting ud20 ; ASYNC_CANCEL ANY with nothing in flight (ud21)\n");
	cancel(&r, 20, 0, 20, 0); cancel(&r, 0, IORING_ASYNC_CANCEL_ANY, 21, 0);
	submit_print(&r); reap(&r, 2, 300);
	printf("   ASYNC_CANCEL ANY (without ALL) over 2 pending READs ud22, ud23 (ud24)\n");
	pread_(&r, rfd, 22, 0); pread_(&r, rfd, 23, 0); submit_print(&r);
	cancel(&r, 0, IORING_ASYNC_CANCEL_ANY, 24, 0);
	submit_print(&r); reap(&r, 3, 300);
	printf("== X24c two ASYNC_CANCELs of the same pending READ ud30 in one submit (ud31, ud32)\n");
	pread_(&r, rfd, 30, 0); submit_print(&r);
	cancel(&r, 30, 0, 31, 0); cancel(&r, 30, 0, 32, 0);
	submit_print(&r); reap(&r, 3, 300);
	close(p[0]); close(p[1]);
	io_uring_queue_exit(&r);
}

int main(void) {
	struct utsname_hack { char s[6][65]; } u;
	syscall(SYS_uname, &u);
	printf("kernel %s %s\n", u.s[2], u.s[4]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	x01(); x02(); x03(); x04(); x05(); x06(); x07(); x08(); x09(); x10(); x11(); x12();
	x13(); x14(); x15(); x16(); x17(); x18(); x19(); x20(); x21(); x22(); x23(); x24();
	return 0;
}
