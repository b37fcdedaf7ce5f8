# Sum of 1..10^7 (= 50000005000000): a three-instruction loop of 64-bit adds and a compare.
mov %r0, 0
mov %r1, 1
loop:
add %r0, %r1
add %r1, 1
jle %r1, 10000000, loop
exit
