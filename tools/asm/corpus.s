# Every instruction form of the LLVM BPF syntax, cpu v1-v4 (llvm-mc-19 -triple=bpfel -mcpu=v4).
# One instruction per line; labels on lines of their own. tools/asm/llvm-golden.sh turns it into
# test/golden/asm/llvm-corpus.txt (bytes per line) and the llvm-objdump-19 listings beside it.
	.text
start:
# ---- ALU64, register source
	r0 += r1
	r1 -= r2
	r2 *= r3
	r3 /= r4
	r4 s/= r5
	r5 |= r6
	r6 &= r7
	r7 <<= r8
	r8 >>= r9
	r9 s>>= r10
	r1 %= r2
	r1 s%= r2
	r1 ^= r2
	r10 = r1
# ---- ALU64, immediate source
	r0 += 1
	r1 -= -1
	r2 *= 0x7fffffff
	r3 /= 3
	r4 s/= -3
	r5 |= 0xff
	r6 &= 0xffffffff
	r7 <<= 63
	r8 >>= 1
	r9 s>>= 0x3f
	r1 %= 7
	r1 s%= -7
	r1 ^= -2147483648
	r1 = 2147483647
	r1 = -0x1
# ---- ALU32, register source
	w0 += w1
	w1 -= w2
	w2 *= w3
	w3 /= w4
	w4 s/= w5
	w5 |= w6
	w6 &= w7
	w7 <<= w8
	w8 >>= w9
	w9 s>>= w10
	w1 %= w2
	w1 s%= w2
	w1 ^= w2
	w1 = w2
# ---- ALU32, immediate source
	w0 += 1
	w1 -= 0x10
	w2 *= -5
	w3 /= 3
	w4 s/= -3
	w5 |= 0x80000000
	w6 &= 0xffff
	w7 <<= 31
	w8 >>= 1
	w9 s>>= 7
	w1 %= 5
	w1 s%= 5
	w1 ^= 1
	w1 = 0xfffffffe
# ---- negation, sign-extending moves, byte order
	r1 = -r1
	w2 = -w2
	r1 = (s8)r2
	r1 = (s16)r2
	r1 = (s32)r2
	w1 = (s8)w2
	w1 = (s16)w2
	r1 = be16 r1
	r2 = be32 r2
	r3 = be64 r3
	r1 = le16 r1
	r2 = le32 r2
	r3 = le64 r3
	r1 = bswap16 r1
	r2 = bswap32 r2
	r3 = bswap64 r3
# ---- 64-bit immediates (lddw) and pseudo sources
	r0 = 0x1122334455667788 ll
	r1 = -1 ll
	r2 = 0 ll
	r3 = 0xffffffff ll
	r4 = -0x8000000000000000 ll
	ld_pseudo r1, 1, 5
	ld_pseudo r2, 2, 0x10
	ld_pseudo r3, 3, 7
	ld_pseudo r4, 4, 1
	ld_pseudo r5, 5, 0
	ld_pseudo r6, 6, 2
# ---- loads
	r0 = *(u8 *)(r1 + 0)
	r0 = *(u16 *)(r1 + 2)
	r0 = *(u32 *)(r1 + 0x8)
	r0 = *(u64 *)(r10 - 8)
	w0 = *(u8 *)(r1 + 1)
	w0 = *(u16 *)(r1 - 2)
	w0 = *(u32 *)(r1 + 32767)
	r0 = *(s8 *)(r1 + 0)
	r0 = *(s16 *)(r2 + 4)
	r0 = *(s32 *)(r3 - 32768)
# ---- stores of an immediate
	*(u8 *)(r1 + 0) = 0xff
	*(u16 *)(r1 + 2) = -1
	*(u32 *)(r10 - 4) = 0x11223344
	*(u64 *)(r10 - 8) = -2147483648
# ---- stores of a register
	*(u8 *)(r1 + 0) = r2
	*(u16 *)(r1 + 2) = r3
	*(u32 *)(r1 + 4) = r4
	*(u64 *)(r10 - 8) = r5
	*(u8 *)(r1 + 0) = w2
	*(u16 *)(r1 + 2) = w3
	*(u32 *)(r1 + 4) = w4
# ---- atomics, 64-bit
	lock *(u64 *)(r1 + 0) += r2
	lock *(u64 *)(r1 + 8) |= r2
	lock *(u64 *)(r1 - 8) &= r2
	lock *(u64 *)(r1 + 0) ^= r2
	r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)
	r2 = xchg_64(r1 + 0, r2)
	r0 = cmpxchg_64(r1 + 0, r0, r2)
# ---- atomics, 32-bit
	lock *(u32 *)(r1 + 0) += w2
	lock *(u32 *)(r1 + 0) += r2
	lock *(u32 *)(r1 + 0) |= w2
	lock *(u32 *)(r1 + 0) &= w2
	lock *(u32 *)(r1 + 0) ^= w2
	w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)
	w2 = xchg32_32(r1 + 0, w2)
	w0 = cmpxchg32_32(r1 + 0, w0, w2)
# ---- legacy packet access (class LD, modes ABS and IND)
	r0 = *(u8 *)skb[3]
	r0 = *(u16 *)skb[0x10]
	r0 = *(u32 *)skb[0]
	r0 = *(u8 *)skb[r3]
	r0 = *(u16 *)skb[r4]
	r0 = *(u32 *)skb[r5]
# ---- arena address space cast
	r1 = addr_space_cast(r2, 1, 0)
	r3 = addr_space_cast(r4, 0, 1)
# ---- conditional jumps, JMP, register and immediate
back:
	if r1 == r2 goto +1
	if r1 == 5 goto -1
	if r1 != r2 goto back
	if r1 != 0x80000000 goto fwd
	if r1 > r2 goto +0
	if r1 > 5 goto +0x3
	if r1 >= r2 goto +0
	if r1 >= 5 goto +0
	if r1 < r2 goto +0
	if r1 < 5 goto +0
	if r1 <= r2 goto +0
	if r1 <= 5 goto +0
	if r1 s> r2 goto +0
	if r1 s> -1 goto +0
	if r1 s>= r2 goto +0
	if r1 s>= -1 goto +0
	if r1 s< r2 goto +0
	if r1 s< -1 goto +0
	if r1 s<= r2 goto +0
	if r1 s<= -1 goto +0
	if r1 & r2 goto +0
	if r1 & 0x1 goto +0
# ---- conditional jumps, JMP32
	if w1 == w2 goto +0
	if w1 == 5 goto +0
	if w1 != w2 goto +0
	if w1 != 5 goto +0
	if w1 > w2 goto +0
	if w1 > 5 goto +0
	if w1 >= w2 goto +0
	if w1 >= 5 goto +0
	if w1 < w2 goto +0
	if w1 < 5 goto +0
	if w1 <= w2 goto +0
	if w1 <= 5 goto +0
	if w1 s> w2 goto +0
	if w1 s> -5 goto +0
	if w1 s>= w2 goto +0
	if w1 s>= -5 goto +0
	if w1 s< w2 goto -2
	if w1 s< -5 goto +0
	if w1 s<= w2 goto +0
	if w1 s<= -5 goto +0
	if w1 & w2 goto +0
	if w1 & 0xffffffff goto +0
fwd:
# ---- unconditional jumps, calls, exit
	goto +3
	goto -32768
	goto fwd
	gotol +3
	gotol -0x7fff
	gotol back
	may_goto +3
	may_goto fwd
	call 5
	call -1
	call func
	callx r2
	exit
func:
	r0 = 0
	exit
