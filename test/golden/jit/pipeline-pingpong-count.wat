;; program pingpong: 58 insns, 1228 wasm bytes, 1 functions, 8 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (param i32) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h166" (func (;1;) (type 1)))
  (import "env" "h165" (func (;2;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (import "env" "n" (global (;0;) (mut i64)))
  (import "env" "limit" (global (;1;) (mut i64)))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32) (local $n i64) (local $limit i64)
    global.get 0
    local.set $n
    global.get 1
    local.set $limit
    block
      local.get $n
      i64.const 20
      i64.add
      local.tee $n
      local.get $limit
      i64.gt_u
      if
        local.get $n
        global.set 0
        i32.const 4
        i32.const 0
        i32.const 20
        i64.const 0
        call 0
        unreachable
      end
      local.get $r10
      i32.wrap_i64
      i32.const -32
      i32.add
      local.get $r1
      i64.store
      local.get $r1
      i32.wrap_i64
      i64.load
      local.set $r6
      local.get $r6
      i32.wrap_i64
      i32.const 1
      i32.and
      i64.extend_i32_u
      local.set $r6
      local.get $r10
      i32.wrap_i64
      i32.const -4
      i32.add
      local.get $r6
      i64.store32
      local.get $r6
      i32.wrap_i64
      i64.extend_i32_u
      local.set $r1
      local.get $r1
      i32.wrap_i64
      i32.const 2
      i32.or
      i64.extend_i32_u
      local.set $r1
      local.get $r10
      i32.wrap_i64
      i32.const -8
      i32.add
      local.get $r1
      i64.store32
      local.get $r10
      local.set $r2
      local.get $r2
      i64.const -4
      i64.add
      local.set $r2
      i64.const 4096
      local.set $r1
      local.get $r2
      i32.wrap_i64
      i32.load
      local.tee $tmp32
      i32.const 4
      i32.lt_u
      if (result i64)
        local.get $tmp32
        i64.extend_i32_u
        i64.const 8
        i64.mul
        i64.const 4120
        i64.add
      else
        i64.const 0
      end
      local.set $r0
      local.get $r0
      local.set $r9
      local.get $r10
      local.set $r2
      local.get $r2
      i64.const -8
      i64.add
      local.set $r2
      i64.const 4096
      local.set $r1
      local.get $r2
      i32.wrap_i64
      i32.load
      local.tee $tmp32
      i32.const 4
      i32.lt_u
      if (result i64)
        local.get $tmp32
        i64.extend_i32_u
        i64.const 8
        i64.mul
        i64.const 4120
        i64.add
      else
        i64.const 0
      end
      local.set $r0
      local.get $r0
      local.set $r8
      i64.const 8192
      local.set $r1
      local.get $r1
      i32.wrap_i64
      i64.load
      local.set $r2
      local.get $r9
      i64.const 0
      i64.eq
      br_if 0
      local.get $n
      i64.const 1
      i64.add
      local.tee $n
      local.get $limit
      i64.gt_u
      if
        local.get $n
        global.set 0
        i32.const 4
        i32.const 23
        i32.const 1
        i64.const 0
        call 0
        unreachable
      end
      local.get $r8
      i64.const 0
      i64.eq
      br_if 0
      block
        local.get $n
        i64.const 14
        i64.add
        local.tee $n
        local.get $limit
        i64.gt_u
        if
          local.get $n
          global.set 0
          i32.const 4
          i32.const 24
          i32.const 14
          i64.const 0
          call 0
          unreachable
        end
        local.get $r6
        i32.wrap_i64
        i64.extend_i32_u
        local.set $r7
        local.get $r7
        i32.wrap_i64
        i32.const 1
        i32.add
        i64.extend_i32_u
        local.set $r7
        local.get $r9
        i32.wrap_i64
        i64.load
        local.set $r1
        local.get $r1
        i64.const 1
        i64.add
        local.set $r1
        local.get $r9
        i32.wrap_i64
        local.get $r1
        i64.store
        local.get $r10
        local.set $r3
        local.get $r3
        i64.const -24
        i64.add
        local.set $r3
        local.get $r10
        i32.wrap_i64
        i32.const -32
        i32.add
        i64.load
        local.set $r1
        local.get $r2
        local.set $r9
        local.get $r7
        i32.wrap_i64
        i64.extend_i32_u
        local.set $r2
        i32.const 16
        i64.extend_i32_u
        local.set $r4
        i32.const 35
        local.get $r1
        local.get $r2
        local.get $r3
        local.get $r4
        local.get $r5
        local.get $n
        i64.const 2
        i64.sub
        global.set 0
        call 1
        global.get 0
        i64.const 2
        i64.add
        local.tee $n
        local.get $limit
        i64.gt_u
        if
          local.get $n
          global.set 0
          i32.const 4
          i32.const 36
          i32.const 2
          i64.const 0
          call 0
          unreachable
        end
        local.set $r0
        local.get $r9
        local.set $r2
        local.get $r0
        i64.const 0
        i64.ne
        br_if 0
        block
          local.get $n
          i64.const 5
          i64.add
          local.tee $n
          local.get $limit
          i64.gt_u
          if
            local.get $n
            global.set 0
            i32.const 4
            i32.const 38
            i32.const 5
            i64.const 0
            call 0
            unreachable
          end
          local.get $r10
          i32.wrap_i64
          i32.const -24
          i32.add
          i64.load
          local.set $r1
          local.get $r8
          i32.wrap_i64
          local.get $r1
          i64.store
          local.get $r1
          local.set $r8
          local.get $r8
          i64.const 1
          i64.add
          local.set $r8
          local.get $r1
          local.get $r2
          i64.ge_u
          br_if 0
          local.get $n
          i64.const 8
          i64.add
          local.tee $n
          local.get $limit
          i64.gt_u
          if
            local.get $n
            global.set 0
            i32.const 4
            i32.const 43
            i32.const 8
            i64.const 0
            call 0
            unreachable
          end
          i32.const 2
          i64.extend_i32_u
          local.set $r2
          local.get $r2
          i32.wrap_i64
          local.get $r6
          i32.wrap_i64
          i32.sub
          i64.extend_i32_u
          local.set $r2
          local.get $r10
          i32.wrap_i64
          i32.const -32
          i32.add
          i64.load
          local.set $r1
          local.get $r8
          local.set $r3
          i32.const 0
          i64.extend_i32_u
          local.set $r4
          i32.const 0
          i64.extend_i32_u
          local.set $r5
          i32.const 49
          local.get $r1
          local.get $r2
          local.get $r3
          local.get $r4
          local.get $r5
          local.get $n
          i64.const 1
          i64.sub
          global.set 0
          call 2
          global.get 0
          i64.const 1
          i64.add
          local.tee $n
          local.get $limit
          i64.gt_u
          if
            local.get $n
            global.set 0
            i32.const 4
            i32.const 50
            i32.const 1
            i64.const 0
            call 0
            unreachable
          end
          local.set $r0
          local.get $r9
          local.set $r2
        end
        local.get $n
        i64.const 1
        i64.add
        local.tee $n
        local.get $limit
        i64.gt_u
        if
          local.get $n
          global.set 0
          i32.const 4
          i32.const 51
          i32.const 1
          i64.const 0
          call 0
          unreachable
        end
        local.get $r8
        local.get $r2
        i64.ge_u
        br_if 1
      end
      local.get $n
      i64.const 4
      i64.add
      local.tee $n
      local.get $limit
      i64.gt_u
      if
        local.get $n
        global.set 0
        i32.const 4
        i32.const 52
        i32.const 4
        i64.const 0
        call 0
        unreachable
      end
      i32.const 1
      i64.extend_i32_u
      local.set $r1
      local.get $r10
      i32.wrap_i64
      i32.const -32
      i32.add
      i64.load
      local.set $r2
      local.get $r2
      i32.wrap_i64
      local.get $r1
      i64.store32 offset=8
      local.get $r2
      i32.wrap_i64
      local.get $r7
      i64.store32 offset=12
    end
    local.get $n
    i64.const 2
    i64.add
    local.tee $n
    local.get $limit
    i64.gt_u
    if
      local.get $n
      global.set 0
      i32.const 4
      i32.const 56
      i32.const 2
      i64.const 0
      call 0
      unreachable
    end
    i32.const 0
    i64.extend_i32_u
    local.set $r0
    local.get $n
    global.set 0
    local.get $r0
    local.get $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    return
    unreachable
  )
  (func $run (type 3) (param $r1lo i32) (param $r1hi i32) (param $r2lo i32) (param $r2hi i32) (param $r3lo i32) (param $r3hi i32) (param $r4lo i32) (param $r4hi i32) (param $r5lo i32) (param $r5hi i32) (param $r10 i32) (result i64)
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
    call 3
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 3))
  (export "run" (func 4))
)
