;; program call_chain: 39 insns, 1051 wasm bytes, 4 functions, 4 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    local.get 10
    i32.wrap_i64
    i32.const -8
    i32.add
    i64.const 0
    i64.store
    local.get 1
    i32.wrap_i64
    i64.load
    local.set 2
    local.get 10
    local.set 1
    local.get 1
    i64.const -8
    i64.add
    local.set 1
    local.get 11
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
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    local.get 6
    local.get 7
    local.get 8
    local.get 9
    local.get 10
    i64.const 512
    i64.sub
    local.get 11
    i32.const 1
    i32.add
    call 2
    local.set 5
    local.set 4
    local.set 3
    local.set 2
    local.set 1
    local.set 0
    i64.const 8192
    local.set 1
    local.get 10
    i32.wrap_i64
    i32.const -8
    i32.add
    i64.load
    local.set 2
    local.get 1
    i32.wrap_i64
    local.get 2
    i64.store
    i32.const 0
    i64.extend_i32_u
    local.set 0
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    return
    unreachable
  )
  (func $fn_11 (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    local.get 2
    i64.const 5
    i64.shr_u
    local.set 2
    local.get 2
    i64.const 32
    i64.shl
    local.set 2
    local.get 2
    i64.const 32
    i64.shr_u
    local.set 2
    local.get 11
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
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    local.get 6
    local.get 7
    local.get 8
    local.get 9
    local.get 10
    i64.const 512
    i64.sub
    local.get 11
    i32.const 1
    i32.add
    call 3
    local.set 5
    local.set 4
    local.set 3
    local.set 2
    local.set 1
    local.set 0
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    return
    unreachable
  )
  (func $fn_16 (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    local.get 2
    local.set 3
    local.get 3
    i64.const 3
    i64.add
    local.set 3
    local.get 10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get 3
    i64.store
    local.get 2
    local.set 3
    local.get 3
    i64.const 2
    i64.add
    local.set 3
    local.get 10
    i32.wrap_i64
    i32.const -16
    i32.add
    local.get 3
    i64.store
    local.get 2
    local.set 3
    local.get 3
    i64.const 1
    i64.add
    local.set 3
    local.get 10
    i32.wrap_i64
    i32.const -24
    i32.add
    local.get 3
    i64.store
    local.get 10
    i32.wrap_i64
    i32.const -32
    i32.add
    local.get 2
    i64.store
    local.get 2
    i64.const 3
    i64.and
    local.set 2
    local.get 2
    i64.const 3
    i64.shl
    local.set 2
    local.get 10
    local.set 3
    local.get 3
    i64.const -32
    i64.add
    local.set 3
    local.get 3
    local.get 2
    i64.add
    local.set 3
    local.get 3
    i32.wrap_i64
    i64.load
    local.set 2
    local.get 11
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
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    local.get 6
    local.get 7
    local.get 8
    local.get 9
    local.get 10
    i64.const 512
    i64.sub
    local.get 11
    i32.const 1
    i32.add
    call 4
    local.set 5
    local.set 4
    local.set 3
    local.set 2
    local.set 1
    local.set 0
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    return
    unreachable
  )
  (func $fn_34 (type 1) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    local.get 2
    local.set 3
    local.get 3
    i64.const 3
    i64.add
    local.set 3
    local.get 3
    local.get 2
    i64.xor
    local.set 3
    local.get 1
    i32.wrap_i64
    local.get 3
    i64.store
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    return
    unreachable
  )
  (func $run (type 2) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    i64.const 0
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    i64.const 0
    i64.const 0
    i64.const 0
    i64.const 0
    local.get 5
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
