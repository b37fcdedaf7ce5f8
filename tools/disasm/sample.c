/* A small BPF program for the disassembler's clang check: a loop, a helper call, a 64-bit
 * constant, a bpf-to-bpf call, narrow and sign-extending loads and an atomic. */
typedef unsigned long long u64;
typedef unsigned int u32;

static long (*bpf_ktime_get_ns)(void) = (void *)5;

static __attribute__((noinline)) u64 mix(u64 x, u32 n)
{
	return (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ULL + n;
}

long sample(u64 *ctx)
{
	u32 n = *(u32 *)ctx;
	signed char s = *((signed char *)ctx + 4);
	u64 acc = 0x1122334455667788ULL;

	for (u32 i = 0; i < n; i++) {
		if (ctx[i + 1] == 0)
			break;
		acc = mix(acc, i) + s;
	}
	__sync_fetch_and_add(&ctx[1], acc);
	return acc + bpf_ktime_get_ns();
}
