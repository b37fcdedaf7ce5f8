/*
 * sdk_prep: run the io_uring_prep_*() helpers of include/uring_bpf.h (plain C, so they build for the
 * host too) on arguments read from stdin and print the 64 bytes of each SQE they produce, for
 * test/sdk-prep.test.ts, which runs src/liburing/prep.ts on the same lines.
 *
 * Input, one SQE per line: <helper> <arg>... [ud=<u64>] [data=<u64>] [flags=<u8>] [cq=<u16>]
 *   helper: rw op fd addr len off | nop | read/write/readv/writev fd addr len off
 *         | timeout ts count flags | timeout_remove ud flags | link_timeout ts flags
 *         | cancel ud flags | cancel64 ud flags | fsync fd flags | openat dfd path flags mode
 *         | close fd | bpf slot
 *   numbers: decimal, 0x hex or negative (strtoull); ud= calls io_uring_sqe_set_data64, data= the
 *   pointer form io_uring_sqe_set_data, flags= io_uring_sqe_set_flags, cq= io_uring_sqe_set_cq_idx.
 * Output, per line: the input line, a tab, the SQE as 128 lowercase hex digits. The SQE holds 0xa5
 * in every byte before the helper runs, so a byte the helper does not write shows.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -I include -o /tmp/sdk_prep tools/sdk/sdk_prep.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uring_bpf.h"

#define MAX_ARGS 8

static void *ptr(unsigned long long v)
{
	return (void *)(unsigned long)v;
}

static int fail(const char *line, const char *why)
{
	fprintf(stderr, "sdk_prep: %s: '%s'\n", why, line);
	return 2;
}

/* Returns 0, or 2 on a malformed line. */
static int prep(struct io_uring_sqe *sqe, const char *op, const unsigned long long *a, int n)
{
	static const struct {
		const char *name;
		int nargs;
	} arity[] = {
		{ "rw", 5 },	   { "nop", 0 },	  { "read", 4 },	  { "write", 4 },
		{ "readv", 4 },	   { "writev", 4 },	  { "timeout", 3 },	  { "timeout_remove", 2 },
		{ "link_timeout", 2 }, { "cancel", 2 },	  { "cancel64", 2 },	  { "fsync", 2 },
		{ "openat", 4 },   { "close", 1 },	  { "bpf", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(arity) / sizeof(arity[0]); i++)
		if (strcmp(op, arity[i].name) == 0)
			break;
	if (i == sizeof(arity) / sizeof(arity[0]) || n != arity[i].nargs)
		return 2;

	if (!strcmp(op, "rw"))
		io_uring_prep_rw((int)a[0], sqe, (int)a[1], ptr(a[2]), (unsigned int)a[3], a[4]);
	else if (!strcmp(op, "nop"))
		io_uring_prep_nop(sqe);
	else if (!strcmp(op, "read"))
		io_uring_prep_read(sqe, (int)a[0], ptr(a[1]), (unsigned int)a[2], a[3]);
	else if (!strcmp(op, "write"))
		io_uring_prep_write(sqe, (int)a[0], ptr(a[1]), (unsigned int)a[2], a[3]);
	else if (!strcmp(op, "readv"))
		io_uring_prep_readv(sqe, (int)a[0], ptr(a[1]), (unsigned int)a[2], a[3]);
	else if (!strcmp(op, "writev"))
		io_uring_prep_writev(sqe, (int)a[0], ptr(a[1]), (unsigned int)a[2], a[3]);
	else if (!strcmp(op, "timeout"))
		io_uring_prep_timeout(sqe, ptr(a[0]), (unsigned int)a[1], (unsigned int)a[2]);
	else if (!strcmp(op, "timeout_remove"))
		io_uring_prep_timeout_remove(sqe, a[0], (unsigned int)a[1]);
	else if (!strcmp(op, "link_timeout"))
		io_uring_prep_link_timeout(sqe, ptr(a[0]), (unsigned int)a[1]);
	else if (!strcmp(op, "cancel"))
		io_uring_prep_cancel(sqe, ptr(a[0]), (int)a[1]);
	else if (!strcmp(op, "cancel64"))
		io_uring_prep_cancel64(sqe, a[0], (int)a[1]);
	else if (!strcmp(op, "fsync"))
		io_uring_prep_fsync(sqe, (int)a[0], (unsigned int)a[1]);
	else if (!strcmp(op, "openat"))
		io_uring_prep_openat(sqe, (int)a[0], ptr(a[1]), (int)a[2], (unsigned int)a[3]);
	else if (!strcmp(op, "close"))
		io_uring_prep_close(sqe, (int)a[0]);
	else
		io_uring_prep_bpf(sqe, (__u32)a[0]);
	return 0;
}

/* A whole token as a number; 0 if it is not one. */
static int number(const char *s, unsigned long long *out)
{
	char *end;

	if (*s == '\0')
		return 0;
	*out = strtoull(s, &end, 0);
	return *end == '\0';
}

int main(void)
{
	char line[512];

	while (fgets(line, sizeof(line), stdin)) {
		char copy[512], *tok, *save = NULL, *op;
		unsigned long long args[MAX_ARGS], v;
		struct io_uring_sqe sqe;
		const unsigned char *b = (const unsigned char *)&sqe;
		int n = 0, setters = 0;
		size_t i;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		strcpy(copy, line);
		op = strtok_r(copy, " ", &save);
		if (op == NULL)
			return fail(line, "no helper name");
		memset(&sqe, 0xa5, sizeof(sqe));
		/* Arguments first, then the setters, which apply after the helper. */
		while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
			if (strchr(tok, '=') == NULL) {
				if (setters || n == MAX_ARGS || !number(tok, &args[n]))
					return fail(line, "bad argument");
				n++;
				continue;
			}
			if (!setters && prep(&sqe, op, args, n) != 0)
				return fail(line, "unknown helper or wrong number of arguments");
			setters = 1;
			if (!number(strchr(tok, '=') + 1, &v))
				return fail(line, "bad setter value");
			if (!strncmp(tok, "ud=", 3))
				io_uring_sqe_set_data64(&sqe, v);
			else if (!strncmp(tok, "data=", 5))
				io_uring_sqe_set_data(&sqe, ptr(v));
			else if (!strncmp(tok, "flags=", 6))
				io_uring_sqe_set_flags(&sqe, (unsigned int)v);
			else if (!strncmp(tok, "cq=", 3))
				io_uring_sqe_set_cq_idx(&sqe, (__u16)v);
			else
				return fail(line, "unknown setter");
		}
		if (!setters && prep(&sqe, op, args, n) != 0)
			return fail(line, "unknown helper or wrong number of arguments");
		printf("%s\t", line);
		for (i = 0; i < sizeof(sqe); i++)
			printf("%02x", b[i]);
		printf("\n");
	}
	return 0;
}
