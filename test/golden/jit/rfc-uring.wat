;; program test: 168 insns, 1682 wasm bytes, 1 functions, 11 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h1" (func (;1;) (type 1)))
  (import "env" "h2" (func (;2;) (type 1)))
  (import "env" "h165" (func (;3;) (type 1)))
  (import "env" "h166" (func (;4;) (type 1)))
  (import "env" "h164" (func (;5;) (type 1)))
  (import "env" "h148" (func (;6;) (type 1)))
  (import "env" "h167" (func (;7;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    block
      block
        local.get 1
        local.set 6
        i64.const 0
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -104
        i32.add
        local.get 1
        i64.store
        i64.const 31
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -112
        i32.add
        local.get 1
        i64.store
        i32.const 10
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -80
        i32.add
        local.get 1
        i64.store32
        local.get 10
        local.set 2
        local.get 2
        i64.const -80
        i64.add
        local.set 2
        i64.const 4096
        local.set 1
        local.get 2
        i32.wrap_i64
        i32.load
        local.tee 15
        i32.const 256
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
        i64.const 0
        i64.ne
        br_if 0
        br 1
      end
      local.get 0
      i32.wrap_i64
      i64.load
      local.set 1
      local.get 1
      i64.const 0
      i64.ne
      br_if 0
      block
        i32.const 10
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -96
        i32.add
        local.get 1
        i64.store32
        i64.const 1
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -80
        i32.add
        local.get 1
        i64.store
        local.get 10
        local.set 2
        local.get 2
        i64.const -96
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -80
        i64.add
        local.set 3
        i64.const 0
        local.set 8
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 28
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        i64.const 11
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -80
        i32.add
        local.get 1
        i64.store
        i32.const 0
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -96
        i32.add
        local.get 1
        i64.store32
        local.get 10
        local.set 2
        local.get 2
        i64.const -96
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -80
        i64.add
        local.set 3
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 40
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        local.get 6
        local.set 1
        i32.const 0
        i64.extend_i32_u
        local.set 2
        i64.const 3
        local.set 3
        i32.const 13
        i64.extend_i32_u
        local.set 4
        i32.const 0
        i64.extend_i32_u
        local.set 5
        i32.const 46
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 3
        local.set 0
        i32.const 1
        i64.extend_i32_u
        local.set 9
        local.get 6
        local.set 1
        i32.const 1
        i64.extend_i32_u
        local.set 2
        i64.const 4
        local.set 3
        i32.const 17
        i64.extend_i32_u
        local.set 4
        i32.const 0
        i64.extend_i32_u
        local.set 5
        i32.const 53
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 3
        local.set 0
        local.get 6
        local.set 1
        i32.const 1
        i64.extend_i32_u
        local.set 2
        i64.const 5
        local.set 3
        i32.const 19
        i64.extend_i32_u
        local.set 4
        i32.const 0
        i64.extend_i32_u
        local.set 5
        i32.const 59
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 3
        local.set 0
        local.get 10
        local.set 7
        local.get 7
        i64.const -96
        i64.add
        local.set 7
        local.get 6
        local.set 1
        i32.const 1
        i64.extend_i32_u
        local.set 2
        local.get 7
        local.set 3
        i32.const 16
        i64.extend_i32_u
        local.set 4
        i32.const 66
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 4
        local.set 0
        local.get 10
        i32.wrap_i64
        i32.const -96
        i32.add
        i64.load
        local.set 1
        local.get 0
        i64.const 0
        i64.eq
        br_if 0
        local.get 0
        local.set 1
      end
      block
        local.get 10
        i32.wrap_i64
        i32.const -80
        i32.add
        local.get 1
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -16
        i32.add
        local.get 9
        i64.store32
        local.get 10
        local.set 2
        local.get 2
        i64.const -16
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -80
        i64.add
        local.set 3
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 79
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        local.get 6
        local.set 1
        i32.const 1
        i64.extend_i32_u
        local.set 2
        local.get 7
        local.set 3
        i32.const 16
        i64.extend_i32_u
        local.set 4
        i32.const 84
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 4
        local.set 0
        local.get 10
        i32.wrap_i64
        i32.const -96
        i32.add
        i64.load
        local.set 1
        i32.const 2
        i64.extend_i32_u
        local.set 2
        local.get 10
        i32.wrap_i64
        i32.const -4
        i32.add
        local.get 2
        i64.store32
        local.get 0
        i64.const 0
        i64.eq
        br_if 0
        local.get 0
        local.set 1
      end
      block
        local.get 10
        i32.wrap_i64
        i32.const -16
        i32.add
        local.get 1
        i64.store
        local.get 10
        local.set 2
        local.get 2
        i64.const -4
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -16
        i64.add
        local.set 3
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 98
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        i64.const 2
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -48
        i32.add
        local.get 1
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -80
        i32.add
        local.get 8
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -56
        i32.add
        local.get 8
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -72
        i32.add
        local.get 8
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -64
        i32.add
        local.get 8
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -40
        i32.add
        local.get 8
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -32
        i32.add
        local.get 8
        i64.store
        local.get 10
        i32.wrap_i64
        i32.const -24
        i32.add
        local.get 8
        i64.store
        i32.const -1
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -76
        i32.add
        local.get 1
        i64.store32
        i32.const 0
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -56
        i32.add
        local.get 1
        i64.store32
        local.get 10
        local.set 2
        local.get 2
        i64.const -80
        i64.add
        local.set 2
        local.get 6
        local.set 1
        i32.const 64
        i64.extend_i32_u
        local.set 3
        i32.const 116
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 5
        local.set 0
        local.get 0
        i64.const 0
        i64.lt_s
        br_if 0
        i32.const 3
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -4
        i32.add
        local.get 1
        i64.store32
        i64.const 21
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -16
        i32.add
        local.get 1
        i64.store
        local.get 10
        local.set 2
        local.get 2
        i64.const -4
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -16
        i64.add
        local.set 3
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 129
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
      end
      local.get 6
      i32.wrap_i64
      i64.load
      local.set 1
      i32.const 4
      i64.extend_i32_u
      local.set 2
      local.get 10
      i32.wrap_i64
      i32.const -4
      i32.add
      local.get 2
      i64.store32
      local.get 10
      i32.wrap_i64
      i32.const -16
      i32.add
      local.get 1
      i64.store
      local.get 10
      local.set 2
      local.get 2
      i64.const -4
      i64.add
      local.set 2
      local.get 10
      local.set 3
      local.get 3
      i64.const -16
      i64.add
      local.set 3
      i64.const 4096
      local.set 1
      i64.const 0
      local.set 4
      i32.const 141
      local.get 1
      local.get 2
      local.get 3
      local.get 4
      local.get 5
      call 2
      local.set 0
      local.get 6
      i32.wrap_i64
      i64.load
      local.set 3
      local.get 10
      local.set 1
      local.get 1
      i64.const -104
      i64.add
      local.set 1
      i32.const 8
      i64.extend_i32_u
      local.set 2
      i32.const 146
      local.get 1
      local.get 2
      local.get 3
      local.get 4
      local.get 5
      call 6
      local.set 0
      local.get 10
      i32.wrap_i64
      i32.const -104
      i32.add
      i64.load
      local.set 1
      i32.const 5
      i64.extend_i32_u
      local.set 2
      local.get 10
      i32.wrap_i64
      i32.const -4
      i32.add
      local.get 2
      i64.store32
      local.get 10
      i32.wrap_i64
      i32.const -16
      i32.add
      local.get 1
      i64.store
      local.get 10
      local.set 2
      local.get 2
      i64.const -4
      i64.add
      local.set 2
      local.get 10
      local.set 3
      local.get 3
      i64.const -16
      i64.add
      local.set 3
      i64.const 4096
      local.set 1
      i64.const 0
      local.set 4
      i32.const 158
      local.get 1
      local.get 2
      local.get 3
      local.get 4
      local.get 5
      call 2
      local.set 0
      local.get 6
      i32.wrap_i64
      i64.load
      local.set 1
      local.get 10
      local.set 2
      local.get 2
      i64.const -112
      i64.add
      local.set 2
      i32.const 8
      i64.extend_i32_u
      local.set 3
      i32.const 163
      local.get 1
      local.get 2
      local.get 3
      local.get 4
      local.get 5
      call 7
      local.set 0
      i64.const 1
      local.set 1
      local.get 6
      i32.wrap_i64
      local.get 1
      i64.store offset=8
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
    call 8
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 8))
  (export "run" (func 9))
)
;; program counting: 74 insns, 959 wasm bytes, 1 functions, 9 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h1" (func (;1;) (type 1)))
  (import "env" "h2" (func (;2;) (type 1)))
  (import "env" "h166" (func (;3;) (type 1)))
  (import "env" "h164" (func (;4;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    block
      block
        local.get 1
        local.set 6
        local.get 6
        i32.wrap_i64
        i64.load
        local.set 7
        i32.const 0
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -72
        i32.add
        local.get 1
        i64.store32
        local.get 10
        local.set 2
        local.get 2
        i64.const -72
        i64.add
        local.set 2
        i64.const 4096
        local.set 1
        local.get 2
        i32.wrap_i64
        i32.load
        local.tee 15
        i32.const 256
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
        i64.const 0
        i64.ne
        br_if 0
        br 1
      end
      local.get 0
      i32.wrap_i64
      i64.load
      local.set 9
      local.get 9
      i64.const 10
      i64.gt_u
      br_if 0
      block
        i32.const 0
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -88
        i32.add
        local.get 1
        i64.store32
        local.get 9
        local.set 1
        local.get 1
        i64.const 1
        i64.add
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -72
        i32.add
        local.get 1
        i64.store
        local.get 10
        local.set 2
        local.get 2
        i64.const -88
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -72
        i64.add
        local.set 3
        i64.const 0
        local.set 8
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 26
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        local.get 9
        i64.const 0
        i64.eq
        br_if 0
        block
          i32.const 1
          i64.extend_i32_u
          local.set 9
          local.get 10
          local.set 3
          local.get 3
          i64.const -88
          i64.add
          local.set 3
          local.get 6
          local.set 1
          i32.const 1
          i64.extend_i32_u
          local.set 2
          i32.const 16
          i64.extend_i32_u
          local.set 4
          i32.const 34
          local.get 1
          local.get 2
          local.get 3
          local.get 4
          local.get 5
          call 3
          local.set 0
          local.get 10
          i32.wrap_i64
          i32.const -88
          i32.add
          i64.load
          local.set 1
          local.get 10
          i32.wrap_i64
          i32.const -4
          i32.add
          local.get 9
          i64.store32
          local.get 0
          i64.const 0
          i64.eq
          br_if 0
          local.get 0
          local.set 1
        end
        local.get 10
        i32.wrap_i64
        i32.const -72
        i32.add
        local.get 1
        i64.store
        local.get 10
        local.set 2
        local.get 2
        i64.const -4
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -72
        i64.add
        local.set 3
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 47
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
      end
      local.get 10
      i32.wrap_i64
      i32.const -24
      i32.add
      local.get 8
      i64.store
      local.get 10
      i32.wrap_i64
      i32.const -48
      i32.add
      local.get 8
      i64.store
      local.get 10
      i32.wrap_i64
      i32.const -72
      i32.add
      local.get 8
      i64.store
      local.get 10
      i32.wrap_i64
      i32.const -16
      i32.add
      local.get 8
      i64.store
      local.get 10
      i32.wrap_i64
      i32.const -32
      i32.add
      local.get 8
      i64.store
      local.get 10
      i32.wrap_i64
      i32.const -64
      i32.add
      local.get 8
      i64.store
      i64.const 5
      local.set 1
      local.get 10
      i32.wrap_i64
      i32.const -40
      i32.add
      local.get 1
      i64.store
      local.get 10
      i32.wrap_i64
      i32.const -56
      i32.add
      local.get 7
      i64.store
      i32.const 1
      i64.extend_i32_u
      local.set 1
      local.get 10
      i32.wrap_i64
      i32.const -24
      i32.add
      local.get 1
      i64.store16
      local.get 10
      i32.wrap_i64
      i32.const -48
      i32.add
      local.get 1
      i64.store32
      i32.const -1
      i64.extend_i32_u
      local.set 1
      local.get 10
      i32.wrap_i64
      i32.const -68
      i32.add
      local.get 1
      i64.store32
      i32.const 11
      i64.extend_i32_u
      local.set 1
      local.get 10
      i32.wrap_i64
      i32.const -72
      i32.add
      local.get 1
      i64.store8
      local.get 10
      local.set 2
      local.get 2
      i64.const -72
      i64.add
      local.set 2
      local.get 6
      local.set 1
      i32.const 64
      i64.extend_i32_u
      local.set 3
      i32.const 68
      local.get 1
      local.get 2
      local.get 3
      local.get 4
      local.get 5
      call 4
      local.set 0
      i64.const 4294967297
      local.set 1
      local.get 6
      i32.wrap_i64
      local.get 1
      i64.store offset=8
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
    call 5
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 5))
  (export "run" (func 6))
)
;; program pingpong: 66 insns, 910 wasm bytes, 1 functions, 8 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h148" (func (;1;) (type 1)))
  (import "env" "h1" (func (;2;) (type 1)))
  (import "env" "h166" (func (;3;) (type 1)))
  (import "env" "h165" (func (;4;) (type 1)))
  (import "env" "h2" (func (;5;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    block
      block
        block
          block
            local.get 1
            local.set 6
            local.get 6
            i32.wrap_i64
            i64.load
            local.set 3
            local.get 10
            local.set 1
            local.get 1
            i64.const -20
            i64.add
            local.set 1
            i32.const 4
            i64.extend_i32_u
            local.set 2
            i32.const 5
            local.get 1
            local.get 2
            local.get 3
            local.get 4
            local.get 5
            call 1
            local.set 0
            local.get 10
            i32.wrap_i64
            i32.const -20
            i32.add
            i64.load32_u
            local.set 8
            local.get 10
            i32.wrap_i64
            i32.const -40
            i32.add
            local.get 8
            i64.store32
            local.get 10
            local.set 2
            local.get 2
            i64.const -40
            i64.add
            local.set 2
            i64.const 4096
            local.set 1
            local.get 2
            i32.wrap_i64
            i32.load
            local.tee 15
            i32.const 256
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
            local.get 8
            i32.wrap_i64
            i64.extend_i32_u
            local.set 7
            local.get 7
            i32.wrap_i64
            i32.const 1
            i32.add
            i64.extend_i32_u
            local.set 7
            local.get 0
            i64.const 0
            i64.ne
            i32.eqz
            br_if 1
          end
          local.get 0
          i32.wrap_i64
          i64.load
          local.set 1
          local.get 1
          i64.const 0
          i64.ne
          br_if 0
          local.get 10
          i32.wrap_i64
          i32.const -20
          i32.add
          i64.load32_u
          local.set 1
          local.get 10
          i32.wrap_i64
          i32.const -16
          i32.add
          local.get 1
          i64.store32
          i64.const 1
          local.set 1
          local.get 10
          i32.wrap_i64
          i32.const -40
          i32.add
          local.get 1
          i64.store
          local.get 10
          local.set 2
          local.get 2
          i64.const -16
          i64.add
          local.set 2
          local.get 10
          local.set 3
          local.get 3
          i64.const -40
          i64.add
          local.set 3
          i64.const 4096
          local.set 1
          i64.const 0
          local.set 4
          i32.const 60
          local.get 1
          local.get 2
          local.get 3
          local.get 4
          local.get 5
          call 5
          local.set 0
          br 1
        end
        local.get 10
        local.set 3
        local.get 3
        i64.const -40
        i64.add
        local.set 3
        local.get 6
        local.set 1
        local.get 7
        i32.wrap_i64
        i64.extend_i32_u
        local.set 2
        i32.const 16
        i64.extend_i32_u
        local.set 4
        i32.const 21
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 3
        local.set 0
        local.get 0
        i64.const 0
        i64.ne
        br_if 0
        local.get 8
        i32.wrap_i64
        i32.const 1
        i32.xor
        i64.extend_i32_u
        local.set 8
        local.get 8
        i32.wrap_i64
        i32.const 1
        i32.add
        i64.extend_i32_u
        local.set 8
        local.get 10
        i32.wrap_i64
        i32.const -40
        i32.add
        i64.load
        local.set 9
        local.get 9
        local.set 3
        local.get 3
        i64.const 1
        i64.add
        local.set 3
        local.get 6
        local.set 1
        local.get 8
        i32.wrap_i64
        i64.extend_i32_u
        local.set 2
        i32.const 0
        i64.extend_i32_u
        local.set 4
        i32.const 0
        i64.extend_i32_u
        local.set 5
        i32.const 32
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 4
        local.set 0
        local.get 9
        i64.const 20
        i64.lt_u
        br_if 0
        local.get 10
        i32.wrap_i64
        i32.const -20
        i32.add
        i64.load32_u
        local.set 1
        local.get 1
        i32.wrap_i64
        i32.const 5
        i32.add
        i64.extend_i32_u
        local.set 1
        local.get 10
        i32.wrap_i64
        i32.const -4
        i32.add
        local.get 1
        i64.store32
        local.get 10
        i32.wrap_i64
        i32.const -16
        i32.add
        local.get 9
        i64.store
        local.get 10
        local.set 2
        local.get 2
        i64.const -4
        i64.add
        local.set 2
        local.get 10
        local.set 3
        local.get 3
        i64.const -16
        i64.add
        local.set 3
        i64.const 4096
        local.set 1
        i64.const 0
        local.set 4
        i32.const 45
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 5
        local.set 0
        br 1
      end
      i32.const 1
      i64.extend_i32_u
      local.set 1
      local.get 6
      i32.wrap_i64
      local.get 1
      i64.store32 offset=8
      local.get 6
      i32.wrap_i64
      local.get 7
      i64.store32 offset=12
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
    call 6
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 6))
  (export "run" (func 7))
)
;; program write_file: 109 insns, 1254 wasm bytes, 1 functions, 19 blocks
(module
  (type (;0;) (func (param i32) (param i32) (param i32) (param i64)))
  (type (;1;) (func (param i32) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (type (;2;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (param i32) (result i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i64)))
  (import "env" "fault" (func (;0;) (type 0)))
  (import "env" "h1" (func (;1;) (type 1)))
  (import "env" "h166" (func (;2;) (type 1)))
  (import "env" "h164" (func (;3;) (type 1)))
  (import "env" "h2" (func (;4;) (type 1)))
  (import "env" "memory" (memory 1 65536 shared))
  (func $main (type 2) (param $r0 i64) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r6 i64) (param $r7 i64) (param $r8 i64) (param $r9 i64) (param $r10 i64) (param $depth i32) (result i64 i64 i64 i64 i64 i64) (local $t0 i64) (local $t1 i64) (local $label i32) (local $tmp32 i32) (local $mg i32)
    block
      local.get 10
      i32.wrap_i64
      i32.const -104
      i32.add
      local.get 1
      i64.store
      i32.const 0
      i64.extend_i32_u
      local.set 1
      local.get 10
      i32.wrap_i64
      i32.const -80
      i32.add
      local.get 1
      i64.store32
      local.get 10
      local.set 2
      local.get 2
      i64.const -80
      i64.add
      local.set 2
      i64.const 4096
      local.set 1
      local.get 2
      i32.wrap_i64
      i32.load
      local.tee 15
      i32.const 256
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
      i64.const -1
      local.set 9
      i64.const -1
      local.set 6
      local.get 0
      i64.const 0
      i64.eq
      br_if 0
      local.get 0
      i32.wrap_i64
      i64.load
      local.set 6
    end
    block
      i32.const 1
      i64.extend_i32_u
      local.set 1
      local.get 10
      i32.wrap_i64
      i32.const -80
      i32.add
      local.get 1
      i64.store32
      local.get 10
      local.set 2
      local.get 2
      i64.const -80
      i64.add
      local.set 2
      i64.const 4096
      local.set 1
      local.get 2
      i32.wrap_i64
      i32.load
      local.tee 15
      i32.const 256
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
      i64.const 0
      i64.eq
      br_if 0
      local.get 0
      i32.wrap_i64
      i64.load
      local.set 9
    end
    block
      i64.const 0
      local.set 8
      local.get 6
      i64.const 0
      i64.eq
      br_if 0
      i32.const 0
      i64.extend_i32_u
      local.set 7
      local.get 6
      local.set 8
      loop
        local.get 8
        local.set 6
        local.get 10
        local.set 3
        local.get 3
        i64.const -96
        i64.add
        local.set 3
        local.get 10
        i32.wrap_i64
        i32.const -104
        i32.add
        i64.load
        local.set 1
        i32.const 1
        i64.extend_i32_u
        local.set 2
        i32.const 16
        i64.extend_i32_u
        local.set 4
        i32.const 31
        local.get 1
        local.get 2
        local.get 3
        local.get 4
        local.get 5
        call 2
        local.set 0
        local.get 0
        i64.const 0
        i64.ne
        br_if 1
        local.get 6
        local.set 8
        local.get 8
        i64.const -1
        i64.add
        local.set 8
        local.get 7
        i32.wrap_i64
        i32.const 2
        i32.gt_u
        br_if 1
        local.get 7
        i32.wrap_i64
        i32.const 1
        i32.add
        i64.extend_i32_u
        local.set 7
        local.get 6
        i64.const 1
        i64.ne
        br_if 0
        br 1
      end
    end
    block
      local.get 8
      i64.const 3
      i64.gt_u
      br_if 0
      local.get 9
      i64.const 15
      i64.gt_u
      br_if 0
      local.get 10
      i32.wrap_i64
      i32.const -112
      i32.add
      local.get 9
      i64.store
      local.get 9
      local.set 7
      local.get 7
      i64.const 14
      i64.shl
      local.set 7
      i64.const 0
      local.set 6
      loop
        block
          local.get 10
          i32.wrap_i64
          i32.const -104
          i32.add
          i64.load
          local.set 1
          local.get 1
          i32.wrap_i64
          i64.load
          local.set 2
          i64.const 0
          local.set 3
          local.get 10
          i32.wrap_i64
          i32.const -56
          i32.add
          local.get 3
          i64.store
          local.get 10
          i32.wrap_i64
          i32.const -32
          i32.add
          local.get 3
          i64.store
          local.get 10
          i32.wrap_i64
          i32.const -80
          i32.add
          local.get 3
          i64.store
          local.get 10
          i32.wrap_i64
          i32.const -24
          i32.add
          local.get 3
          i64.store
          local.get 10
          i32.wrap_i64
          i32.const -40
          i32.add
          local.get 3
          i64.store
          local.get 10
          i32.wrap_i64
          i32.const -64
          i32.add
          local.get 2
          i64.store
          local.get 10
          i32.wrap_i64
          i32.const -72
          i32.add
          local.get 7
          i64.store
          i32.const 16384
          i64.extend_i32_u
          local.set 2
          local.get 10
          i32.wrap_i64
          i32.const -56
          i32.add
          local.get 2
          i64.store32
          i32.const 1
          i64.extend_i32_u
          local.set 2
          local.get 10
          i32.wrap_i64
          i32.const -32
          i32.add
          local.get 2
          i64.store16
          i32.const 279
          i64.extend_i32_u
          local.set 2
          local.get 10
          i32.wrap_i64
          i32.const -80
          i32.add
          local.get 2
          i64.store16
          local.get 10
          i32.wrap_i64
          i32.const -112
          i32.add
          i64.load
          local.set 9
          local.get 9
          local.get 6
          i64.add
          local.set 9
          local.get 10
          i32.wrap_i64
          i32.const -48
          i32.add
          local.get 9
          i64.store
          local.get 10
          local.set 2
          local.get 2
          i64.const -80
          i64.add
          local.set 2
          i32.const 64
          i64.extend_i32_u
          local.set 3
          i32.const 66
          local.get 1
          local.get 2
          local.get 3
          local.get 4
          local.get 5
          call 3
          local.set 0
          local.get 8
          local.set 2
          local.get 2
          local.get 6
          i64.add
          local.set 2
          local.get 0
          i64.const 0
          i64.lt_s
          br_if 0
          block
            local.get 6
            local.set 1
            local.get 1
            i64.const 1
            i64.add
            local.set 1
            local.get 6
            i32.wrap_i64
            i32.const 2
            i32.gt_u
            br_if 0
            local.get 2
            i64.const 2
            i64.gt_u
            br_if 0
            local.get 7
            i64.const 16384
            i64.add
            local.set 7
            local.get 1
            local.set 6
            local.get 9
            i64.const 15
            i64.lt_u
            br_if 2
          end
          local.get 8
          local.get 1
          i64.add
          local.set 8
          local.get 10
          i32.wrap_i64
          i32.const -112
          i32.add
          i64.load
          local.set 9
          local.get 9
          local.get 1
          i64.add
          local.set 9
          br 2
        end
        local.get 2
        local.set 8
        br 1
      end
    end
    i32.const 0
    i64.extend_i32_u
    local.set 1
    local.get 10
    i32.wrap_i64
    i32.const -4
    i32.add
    local.get 1
    i64.store32
    local.get 10
    i32.wrap_i64
    i32.const -16
    i32.add
    local.get 8
    i64.store
    local.get 10
    local.set 2
    local.get 2
    i64.const -4
    i64.add
    local.set 2
    local.get 10
    local.set 3
    local.get 3
    i64.const -16
    i64.add
    local.set 3
    i64.const 4096
    local.set 1
    i64.const 0
    local.set 4
    i32.const 92
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    call 4
    local.set 0
    local.get 10
    i32.wrap_i64
    i32.const -16
    i32.add
    local.get 9
    i64.store
    i32.const 1
    i64.extend_i32_u
    local.set 6
    local.get 10
    i32.wrap_i64
    i32.const -4
    i32.add
    local.get 6
    i64.store32
    local.get 10
    local.set 2
    local.get 2
    i64.const -4
    i64.add
    local.set 2
    local.get 10
    local.set 3
    local.get 3
    i64.const -16
    i64.add
    local.set 3
    i64.const 4096
    local.set 1
    i64.const 0
    local.set 4
    i32.const 103
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    call 4
    local.set 0
    local.get 10
    i32.wrap_i64
    i32.const -104
    i32.add
    i64.load
    local.set 1
    local.get 1
    i32.wrap_i64
    local.get 8
    i64.store32 offset=8
    local.get 1
    i32.wrap_i64
    local.get 6
    i64.store32 offset=12
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
    call 5
    drop
    drop
    drop
    drop
    drop
  )
  (export "enter" (func 5))
  (export "run" (func 6))
)
