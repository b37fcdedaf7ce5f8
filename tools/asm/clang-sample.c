/*
 * A small BPF program for test/asm-llvm.test.ts: built with clang-19 -O2 -target bpf -mcpu=v1..v4,
 * its llvm-objdump-19 -dr listing must assemble back to the object's bytes. It mixes loops, calls
 * to a local function and to an extern one, map and global references (relocated lddw), atomics,
 * byte swaps and sign extension, so that the compiler's own choice of forms is exercised per cpu.
 */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef long long s64;

struct {
	int type;
	int max_entries;
} counts __attribute__((section(".maps")));

u64 total;
extern int ext_helper(int x);

/* Signed division and modulo exist from cpu v4 on. */
#if __BPF_CPU_VERSION__ >= 4
#define SDIV(a, b) ((s64)(a) / (b))
#else
#define SDIV(a, b) ((u64)(a) / (u64)(b))
#endif

static __attribute__((noinline)) int scale(int a, int b)
{
	return a * b + (a >> 3) - (int)SDIV(b, 7);
}

__attribute__((section("xdp"))) int prog(u64 *ctx)
{
	u64 s = 0;
	for (int i = 0; i < 16; i++) {
		s += ctx[i] ^ (s >> 3);
		if ((s64)s < -5)
			s = __builtin_bswap64(s);
		if ((u32)s == 0x12345678)
			break;
	}
	__sync_fetch_and_add(&total, s);
#if __BPF_CPU_VERSION__ >= 3
	__sync_fetch_and_or((u32 *)ctx, 3);
	u32 old = __sync_val_compare_and_swap((u32 *)ctx + 1, 5, (u32)s);
	u64 prev = __sync_lock_test_and_set(ctx + 3, s);
#else
	u32 old = 0;
	u64 prev = 0;
#endif
	signed char c = *(signed char *)(ctx + 2);
	short h = *(short *)((char *)ctx + 20);
	return scale((int)s, c) + old + h + (int)prev + ext_helper((int)(s64)&counts) +
	       (int)(s % 1000003) - (int)SDIV(s, -13);
}
