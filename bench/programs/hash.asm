# FNV-1a 64 of the r2 bytes at r1, taken 50 times over (one hash of the buffer repeated 50 times):
# per byte h ^= b; h *= 0x100000001b3 (64-bit multiply).
lddw %r0, 0xcbf29ce484222325
lddw %r5, 0x100000001b3
mov %r6, 50
pass:
mov %r3, %r1
mov %r4, %r1
add %r4, %r2
byte:
ldxb %r7, [%r3]
xor %r0, %r7
mul %r0, %r5
add %r3, 1
jlt %r3, %r4, byte
sub %r6, 1
jne %r6, 0, pass
exit
