/*
 * statx_check: print the layout of struct statx as this machine's <linux/stat.h> defines it, one
 * fact per line, for test/file-ops.test.ts to compare with STATX in src/uapi/fs.ts:
 *
 *   sizeof statx <bytes>
 *   field <name> <offset> <size>
 *
 * The timestamps are printed as two fields each, the way src/uapi/fs.ts flattens them:
 * stx_atime = stx_atime.tv_sec, stx_atime_nsec = stx_atime.tv_nsec (and btime, ctime, mtime).
 *
 * With a path argument it prints instead what the real statx(2) reports for it (AT_FDCWD,
 * AT_SYMLINK_NOFOLLOW, the mask given as a second argument, by default STATX_BASIC_STATS |
 * STATX_BTIME), one `value <name> <decimal>` line per field, or `errno <n>` on failure, so that the test can check the emulation's encoding (the
 * major/minor split in particular) against the kernel's.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -o /tmp/statx_check tools/layout/statx_check.c
 *   /tmp/statx_check
 *   /tmp/statx_check /some/path [mask]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/stat.h>

#define MEMBER(F) (((struct statx *)0)->F)
#define FIELD_AS(F, NAME) printf("field %s %zu %zu\n", NAME, offsetof(struct statx, F), sizeof(MEMBER(F)))
#define FIELD(F) FIELD_AS(F, #F)
#define TIME(F)                          \
	FIELD_AS(F.tv_sec, #F);          \
	FIELD_AS(F.tv_nsec, #F "_nsec")

#define VALUE(F) printf("value %s %lld\n", #F, (long long)sx.F)
#define TVALUE(F)                                                 \
	printf("value %s %lld\n", #F, (long long)sx.F.tv_sec);   \
	printf("value %s_nsec %lld\n", #F, (long long)sx.F.tv_nsec)

static int values(const char *path, unsigned int mask)
{
	struct statx sx;

	if (syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, mask, &sx) != 0) {
		printf("errno %d\n", errno);
		return 0;
	}
	VALUE(stx_mask);
	VALUE(stx_blksize);
	VALUE(stx_nlink);
	VALUE(stx_uid);
	VALUE(stx_gid);
	VALUE(stx_mode);
	VALUE(stx_ino);
	VALUE(stx_size);
	VALUE(stx_blocks);
	TVALUE(stx_atime);
	TVALUE(stx_btime);
	TVALUE(stx_ctime);
	TVALUE(stx_mtime);
	VALUE(stx_rdev_major);
	VALUE(stx_rdev_minor);
	VALUE(stx_dev_major);
	VALUE(stx_dev_minor);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return values(argv[1], argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0)
						: STATX_BASIC_STATS | STATX_BTIME);
	printf("sizeof statx %zu\n", sizeof(struct statx));
	FIELD(stx_mask);
	FIELD(stx_blksize);
	FIELD(stx_attributes);
	FIELD(stx_nlink);
	FIELD(stx_uid);
	FIELD(stx_gid);
	FIELD(stx_mode);
	FIELD(stx_ino);
	FIELD(stx_size);
	FIELD(stx_blocks);
	FIELD(stx_attributes_mask);
	TIME(stx_atime);
	TIME(stx_btime);
	TIME(stx_ctime);
	TIME(stx_mtime);
	FIELD(stx_rdev_major);
	FIELD(stx_rdev_minor);
	FIELD(stx_dev_major);
	FIELD(stx_dev_minor);
	return 0;
}
