;; program map_value_index: 19 insns, 479 wasm bytes, 1 functions, 6 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h1" (func (;1;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    block
      local.get 1
      local.set 6
      local.get 10
      i32.wrap_i64
      i32.const -4
      i32.add
      i64.const 0
      i64.store32
      local.get 10
      local.set 2
      local.get 2
      i64.const -4
      i64.add
      local.set 2
      i64.const 4096
      local.set 1
      local.get 2
      i32.wrap_i64
      i32.load
      local.tee 15
      i32.const 1
      i32.lt_u
      if (result i64)
        local.get 15
        i64.extend_i32_u
        i64.const 136
        i64.mul
        i64.const 4120
        i64.add
      else
        i64.const 0
      end
      local.set 0
      local.get 0
      i64.const 0
      i64.eq
      br_if 0
      block
        block
          local.get 6
          i32.wrap_i64
          i64.load
          local.set 1
          local.get 1
          i64.const 31
          i64.gt_u
          br_if 0
          local.get 1
          i64.const 2
          i64.shl
          local.set 1
          local.get 0
          local.get 1
          i64.add
          local.set 0
          br 1
        end
        local.get 0
        i64.const 128
        i64.add
        local.set 0
      end
      local.get 0
      i32.wrap_i64
      i64.load32_u
      local.set 1
      local.get 1
      i32.wrap_i64
      i32.const 1
      i32.add
      i64.extend_i32_u
      local.set 1
      local.get 0
      i32.wrap_i64
      local.get 1
      i64.store32
    end
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
  (func $run (type 3) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
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
    call 2
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 2))
  (export "run" (func 3))
)
