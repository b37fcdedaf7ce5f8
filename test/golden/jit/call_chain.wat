;; program call_chain: 39 insns, 1185 wasm bytes, 4 functions, 4 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;2;) (func (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32) (local $n i64) (local $limit i64)
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    i64.const 0
    i64.store
    local.get $r1
    i32.wrap_i64
    i64.load
    local.set $r2
    local.get $r10
    local.set $r1
    local.get $r1
    i64.const -8
    i64.add
    local.set $r1
    local.get $depth
    i32.const 7
    i32.ge_u
    if
      i32.const 3
      i32.const 4
      i32.const 5
      i64.const 0
      call 0
      unreachable
    end
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    local.get $r6
    local.get $r7
    local.get $r8
    local.get $r9
    local.get $r10
    i64.const 512
    i64.sub
    local.get $depth
    i32.const 1
    i32.add
    call 2
    local.set $r5
    local.set $r4
    local.set $r3
    local.set $r2
    local.set $r1
    local.set $r0
    i64.const 8192
    local.set $r1
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    i64.load
    local.set $r2
    local.get $r1
    i32.wrap_i64
    local.get $r2
    i64.store
    i32.const 0
    i64.extend_i32_u
    local.set $r0
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    return
    unreachable
  )
  (func $fn_11 (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32) (local $n i64) (local $limit i64)
    local.get $r2
    i64.const 5
    i64.shr_u
    local.set $r2
    local.get $r2
    i64.const 32
    i64.shl
    local.set $r2
    local.get $r2
    i64.const 32
    i64.shr_u
    local.set $r2
    local.get $depth
    i32.const 7
    i32.ge_u
    if
      i32.const 3
      i32.const 14
      i32.const 1
      i64.const 0
      call 0
      unreachable
    end
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    local.get $r6
    local.get $r7
    local.get $r8
    local.get $r9
    local.get $r10
    i64.const 512
    i64.sub
    local.get $depth
    i32.const 1
    i32.add
    call 3
    local.set $r5
    local.set $r4
    local.set $r3
    local.set $r2
    local.set $r1
    local.set $r0
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    return
    unreachable
  )
  (func $fn_16 (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32) (local $n i64) (local $limit i64)
    local.get $r2
    local.set $r3
    local.get $r3
    i64.const 3
    i64.add
    local.set $r3
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r3
    i64.store
    local.get $r2
    local.set $r3
    local.get $r3
    i64.const 2
    i64.add
    local.set $r3
    local.get $r10
    i32.wrap_i64
    i32.const -16
    i32.add
    local.get $r3
    i64.store
    local.get $r2
    local.set $r3
    local.get $r3
    i64.const 1
    i64.add
    local.set $r3
    local.get $r10
    i32.wrap_i64
    i32.const -24
    i32.add
    local.get $r3
    i64.store
    local.get $r10
    i32.wrap_i64
    i32.const -32
    i32.add
    local.get $r2
    i64.store
    local.get $r2
    i64.const 3
    i64.and
    local.set $r2
    local.get $r2
    i64.const 3
    i64.shl
    local.set $r2
    local.get $r10
    local.set $r3
    local.get $r3
    i64.const -32
    i64.add
    local.set $r3
    local.get $r3
    local.get $r2
    i64.add
    local.set $r3
    local.get $r3
    i32.wrap_i64
    i64.load
    local.set $r2
    local.get $depth
    i32.const 7
    i32.ge_u
    if
      i32.const 3
      i32.const 32
      i32.const 1
      i64.const 0
      call 0
      unreachable
    end
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    local.get $r6
    local.get $r7
    local.get $r8
    local.get $r9
    local.get $r10
    i64.const 512
    i64.sub
    local.get $depth
    i32.const 1
    i32.add
    call 4
    local.set $r5
    local.set $r4
    local.set $r3
    local.set $r2
    local.set $r1
    local.set $r0
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    return
    unreachable
  )
  (func $fn_34 (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32) (local $n i64) (local $limit i64)
    local.get $r2
    local.set $r3
    local.get $r3
    i64.const 3
    i64.add
    local.set $r3
    local.get $r3
    local.get $r2
    i64.xor
    local.set $r3
    local.get $r1
    i32.wrap_i64
    local.get $r3
    i64.store
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    return
    unreachable
  )
  (func $run (type 2) (param $r1lo i32) (param $r1hi i32) (param $r2lo i32) (param $r2hi i32) (param $r3lo i32) (param $r3hi i32) (param $r4lo i32) (param $r4hi i32) (param $r5lo i32) (param $r5hi i32) (param $r10 i32) (result i64)
    i64.const 0
    local.get $r1lo
    i64.extend_i32_u
    local.get $r1hi
    i64.extend_i32_u
    i64.const 32
    i64.shl
    i64.or
    local.get $r2lo
    i64.extend_i32_u
    local.get $r2hi
    i64.extend_i32_u
    i64.const 32
    i64.shl
    i64.or
    local.get $r3lo
    i64.extend_i32_u
    local.get $r3hi
    i64.extend_i32_u
    i64.const 32
    i64.shl
    i64.or
    local.get $r4lo
    i64.extend_i32_u
    local.get $r4hi
    i64.extend_i32_u
    i64.const 32
    i64.shl
    i64.or
    local.get $r5lo
    i64.extend_i32_u
    local.get $r5hi
    i64.extend_i32_u
    i64.const 32
    i64.shl
    i64.or
    i64.const 0
    i64.const 0
    i64.const 0
    i64.const 0
    local.get $r10
    i64.extend_i32_u
    i32.const 0
    call 1
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 1))
  (export "run" (func 5))
)
