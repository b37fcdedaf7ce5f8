;; program pingpong: 58 insns, 1317 wasm bytes, 1 functions, 8 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h1" (func (;1;) (type 1)))
  (import "env" "h166" (func (;2;) (type 1)))
  (import "env" "h165" (func (;3;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (import "env" "memEnd" (global (;0;) i64))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    block
      local.get 10
      i64.const -32
      i64.add
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4104
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 0
        i32.const 19
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      local.get 1
      i64.store
      local.get 1
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4104
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 1
        i32.const 18
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      i64.load
      local.set 6
      local.get 6
      i32.wrap_i64
      i32.const 1
      i32.and
      i64.extend_i32_u
      local.set 6
      local.get 10
      i64.const -4
      i64.add
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4100
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 3
        i32.const 16
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      local.get 6
      i64.store32
      local.get 6
      i32.wrap_i64
      i64.extend_i32_u
      local.set 1
      local.get 1
      i32.wrap_i64
      i32.const 2
      i32.or
      i64.extend_i32_u
      local.set 1
      local.get 10
      i64.const -8
      i64.add
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4100
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 6
        i32.const 13
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      local.get 1
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
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4100
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 11
        i32.const 9
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      i32.load
      local.tee 15
      i32.const 4
      i32.lt_u
      if (result i64)
        local.get 15
        i64.extend_i32_u
        i64.const 8
        i64.mul
        i64.const 4120
        i64.add
      else
        i64.const 0
      end
      local.set 0
      local.get 0
      local.set 9
      local.get 10
      local.set 2
      local.get 2
      i64.const -8
      i64.add
      local.set 2
      i64.const 4096
      local.set 1
      local.get 2
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4100
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 17
        i32.const 4
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      i32.load
      local.tee 15
      i32.const 4
      i32.lt_u
      if (result i64)
        local.get 15
        i64.extend_i32_u
        i64.const 8
        i64.mul
        i64.const 4120
        i64.add
      else
        i64.const 0
      end
      local.set 0
      local.get 0
      local.set 8
      i64.const 8192
      local.set 1
      local.get 1
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4104
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 21
        i32.const 1
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      i64.load
      local.set 2
      local.get 9
      i64.const 0
      i64.eq
      br_if 0
      local.get 8
      i64.const 0
      i64.eq
      br_if 0
      block
        local.get 6
        i32.wrap_i64
        i64.extend_i32_u
        local.set 7
        local.get 7
        i32.wrap_i64
        i32.const 1
        i32.add
        i64.extend_i32_u
        local.set 7
        local.get 9
        local.tee 12
        i64.const 4096
        i64.sub
        global.get 0
        i64.const 4104
        i64.sub
        i64.gt_u
        if
          i32.const 0
          i32.const 26
          i32.const 11
          local.get 12
          call 0
          unreachable
        end
        local.get 12
        i32.wrap_i64
        i64.load
        local.set 1
        local.get 1
        i64.const 1
        i64.add
        local.set 1
        local.get 9
        local.tee 12
        i64.const 4096
        i64.sub
        global.get 0
        i64.const 4104
        i64.sub
        i64.gt_u
        if
          i32.const 0
          i32.const 28
          i32.const 9
          local.get 12
          call 0
          unreachable
        end
        local.get 12
        i32.wrap_i64
        local.get 1
        i64.store
        local.get 10
        local.set 3
        local.get 3
        i64.const -24
        i64.add
        local.set 3
        local.get 10
        i64.const -32
        i64.add
        local.tee 12
        i64.const 4096
        i64.sub
        global.get 0
        i64.const 4104
        i64.sub
        i64.gt_u
        if
          i32.const 0
          i32.const 31
          i32.const 6
          local.get 12
          call 0
          unreachable
        end
        local.get 12
        i32.wrap_i64
        i64.load
        local.set 1
        local.get 2
        local.set 9
        local.get 7
        i32.wrap_i64
        i64.extend_i32_u
        local.set 2
        i32.const 16
        i64.extend_i32_u
        local.set 4
        i32.const 35
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        local.get 9
        local.set 2
        local.get 0
        i64.const 0
        i64.ne
        br_if 0
        block
          local.get 10
          i64.const -24
          i64.add
          local.tee 12
          i64.const 4096
          i64.sub
          global.get 0
          i64.const 4104
          i64.sub
          i64.gt_u
          if
            i32.const 0
            i32.const 38
            i32.const 4
            local.get 12
            call 0
            unreachable
          end
          local.get 12
          i32.wrap_i64
          i64.load
          local.set 1
          local.get 8
          local.tee 12
          i64.const 4096
          i64.sub
          global.get 0
          i64.const 4104
          i64.sub
          i64.gt_u
          if
            i32.const 0
            i32.const 39
            i32.const 3
            local.get 12
            call 0
            unreachable
          end
          local.get 12
          i32.wrap_i64
          local.get 1
          i64.store
          local.get 1
          local.set 8
          local.get 8
          i64.const 1
          i64.add
          local.set 8
          local.get 1
          local.get 2
          i64.ge_u
          br_if 0
          i32.const 2
          i64.extend_i32_u
          local.set 2
          local.get 2
          i32.wrap_i64
          local.get 6
          i32.wrap_i64
          i32.sub
          i64.extend_i32_u
          local.set 2
          local.get 10
          i64.const -32
          i64.add
          local.tee 12
          i64.const 4096
          i64.sub
          global.get 0
          i64.const 4104
          i64.sub
          i64.gt_u
          if
            i32.const 0
            i32.const 45
            i32.const 5
            local.get 12
            call 0
            unreachable
          end
          local.get 12
          i32.wrap_i64
          i64.load
          local.set 1
          local.get 8
          local.set 3
          i32.const 0
          i64.extend_i32_u
          local.set 4
          i32.const 0
          i64.extend_i32_u
          local.set 5
          i32.const 49
          local.get 1
          local.get 2
          local.get 3
          local.get 4
          local.get 5
          call 3
          local.set 0
          local.get 9
          local.set 2
        end
        local.get 8
        local.get 2
        i64.ge_u
        br_if 1
      end
      i32.const 1
      i64.extend_i32_u
      local.set 1
      local.get 10
      i64.const -32
      i64.add
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4104
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 53
        i32.const 2
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      i64.load
      local.set 2
      local.get 2
      i64.const 8
      i64.add
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4100
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 54
        i32.const 1
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      local.get 1
      i64.store32
      local.get 2
      i64.const 12
      i64.add
      local.tee 12
      i64.const 4096
      i64.sub
      global.get 0
      i64.const 4100
      i64.sub
      i64.gt_u
      if
        i32.const 0
        i32.const 55
        i32.const 0
        local.get 12
        call 0
        unreachable
      end
      local.get 12
      i32.wrap_i64
      local.get 7
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
    local.get 5
    i32.wrap_i64
    i32.const 512
    i32.sub
    i32.const 0
    i32.const 512
    memory.fill
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
    call 4
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 4))
  (export "run" (func 5))
)
