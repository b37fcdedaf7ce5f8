# Number of primes below 20000 (= 2262) by trial division: n is prime when no d with d*d <= n
# divides it; the remainder is a 64-bit mod.
mov %r0, 0
mov %r1, 2
outer:
mov %r2, 2
inner:
mov %r3, %r2
mul %r3, %r2
jgt %r3, %r1, prime
mov %r4, %r1
mod %r4, %r2
jeq %r4, 0, next
add %r2, 1
ja inner
prime:
add %r0, 1
next:
add %r1, 1
jlt %r1, 20000, outer
exit
