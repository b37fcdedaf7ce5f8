import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DW,
  BPF_FETCH,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_get_prandom_u32,
  BPF_FUNC_get_smp_processor_id,
  BPF_FUNC_ktime_get_ns,
  BPF_FUNC_map_delete_elem,
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_ringbuf_discard,
  BPF_FUNC_ringbuf_output,
  BPF_FUNC_ringbuf_reserve,
  BPF_FUNC_ringbuf_submit,
  BPF_FUNC_tail_call,
  BPF_FUNC_trace_printk,
  BPF_JEQ,
  BPF_JMP,
  BPF_K,
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOV,
  BPF_OR,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from '../src/uapi/bpf.js';
import {
  ARRAY_ENTRIES,
  cloneState,
  GenCore,
  type Kind,
  type MapSel,
  meet,
  NONE,
  type Reg,
  SCALAR,
  SIZES,
  sizeCode,
} from './verifier-gen-core.js';

/** Fragments with maps, helpers and memory. */
export abstract class GenMem extends GenCore {
  /** One random fragment (verifier-gen-flow.ts). */
  abstract fragment(): void;

  /** r1 = a map (lddw), r2 = a key on the stack; returns the map. */
  mapKeyArgs(map: MapSel): void {
    const koff = this.stackOff(8);
    const keyFromValue = this.regsOf(['mapval']).filter(
      (i) => i >= 6 && this.s.regs[i]!.off === 0 && this.s.regs[i]!.map!.valueSize >= map.keySize,
    );
    if (keyFromValue.length > 0 && this.r.chance(0.2)) {
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, keyFromValue[0]!, 0, 0);
    } else {
      // a faulty key may be left unwritten
      if (!this.bad()) {
        const key = this.r.chance(0.8)
          ? this.r.int(map === this.m.hash ? 8 : ARRAY_ENTRIES + 1)
          : this.r.imm();
        const size = map.keySize === 8 ? 8 : 4;
        this.b.emit(BPF_ST | BPF_MEM | sizeCode(size), 10, 0, koff, key);
        this.markInit(koff, size);
      }
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
      this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, koff);
    }
    this.b.lddw(1, BPF_PSEUDO_MAP_FD, map.id, 0);
  }

  /** A map value register, held, with its state; without one, a lookup fragment instead (null). */
  protected heldValueOrLookup(): { p: number; v: Reg } | null {
    const p = this.mapValReg();
    if (p === null) {
      this.lookupFrag();
      return null;
    }
    this.hold(p);
    return { p, v: this.s.regs[p]! };
  }

  lookupFrag(): void {
    if (this.r.chance(0.15) && !this.inLoop) {
      // direct value of the read-only map
      const ds = [6, 7, 8].filter((i) => this.s.regs[i]!.kind !== 'ctx' || this.regsOf(['ctx']).length > 1);
      if (ds.length === 0) return;
      const d = this.r.pick(ds);
      this.b.lddw(d, BPF_PSEUDO_MAP_VALUE, this.m.ro.id, 0);
      this.set(d, { kind: 'mapval', off: 0, map: this.m.ro });
      return;
    }
    let map = this.r.pick(this.maps);
    if (this.bad()) map = this.r.pick([this.m.rb, this.m.progs]);
    this.mapKeyArgs(map);
    if (this.bad()) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, map.id);
    this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
    this.clobber({ kind: 'mapnull', off: 0, map });
    this.afterLookup();
  }

  /** r0 holds what map_lookup_elem returned: keep it, check it against NULL (usually), use it. */
  afterLookup(): void {
    const keep = this.inLoop
      ? [0]
      : [6, 7, 8].filter((i) => this.s.regs[i]!.kind !== 'ctx' || this.regsOf(['ctx']).length > 1);
    const d = keep.length === 0 ? 0 : this.r.pick(keep);
    const checkCopy = d !== 0 && this.r.chance(0.3);
    if (d !== 0 && (checkCopy || this.r.chance(0.5))) {
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, d, 0, 0, 0);
      this.set(d, this.s.regs[0]!);
    }
    if (this.bad()) return; // no null check
    const chk = checkCopy ? d : 0;
    if (this.r.chance(0.6)) {
      // early exit when NULL
      this.b.jump(BPF_JMP | BPF_JEQ | BPF_K, chk, 0, 0, this.out);
      this.nonNull(chk, d);
    } else {
      // a nested block used only when non-NULL
      const skip = this.b.label();
      const before = cloneState(this.s);
      this.b.jump(BPF_JMP | BPF_JEQ | BPF_K, chk, 0, 0, skip);
      this.nonNull(chk, d);
      this.depth++;
      for (let k = this.r.int(3); k > 0; k--) this.fragment();
      this.depth--;
      this.b.place(skip);
      this.s = meet(before, this.s);
    }
  }

  nonNull(chk: number, d: number): void {
    const v = { ...this.s.regs[chk]!, kind: 'mapval' as Kind };
    for (const i of [0, d]) if (this.s.regs[i]!.kind === 'mapnull') this.set(i, v);
  }

  mapAccessFrag(): void {
    const held = this.heldValueOrLookup();
    if (held === null) return;
    const { p, v } = held;
    const vs = v.map!.valueSize;
    const [, size] = this.r.pick(SIZES);
    let off = this.r.int(Math.floor(vs / size)) * size - v.off;
    if (this.bad()) off = this.r.pick([vs - v.off, vs - v.off - size + 1, -v.off - size, off + 1]);
    if (this.r.chance(0.55) || (v.map!.readonly && !this.bad())) {
      const d = this.dstReg();
      const sx = size < 8 && this.r.chance(0.2);
      this.b.emit(BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | sizeCode(size), d, p, off, 0);
      this.set(d, SCALAR);
    } else if (this.r.chance(0.3)) {
      this.b.emit(BPF_ST | BPF_MEM | sizeCode(size), p, 0, off, this.r.imm());
    } else {
      const src = this.bad() && size === 8 ? this.r.pick([10, p]) : this.scalarReg();
      this.b.emit(BPF_STX | BPF_MEM | sizeCode(size), p, src, off, 0);
    }
  }

  varAccessFrag(): void {
    const held = this.heldValueOrLookup();
    if (held === null) return;
    const { p, v } = held;
    const vs = v.map!.valueSize - v.off;
    const [, size] = this.r.pick(SIZES);
    if (vs < size) return;
    const i = this.unknownScalar();
    this.hold(i);
    const random = this.r.chance(0.35) || this.bad();
    if (random) {
      this.transform(i);
      if (!this.bad()) this.randomBound(i, vs - size);
    } else {
      this.cleanBound(i, Math.floor(vs / size), size);
    }
    // a small constant offset in the access besides the variable one (random forms only)
    const c = random && this.r.chance(0.3) ? this.r.pick([size, -size, 8, 16, -8]) : 0;
    const t = this.inLoop ? this.r.pick([0, 1, 2, 3, 4, 5].filter((x) => !this.busy.includes(x))) : i;
    if (t !== i) {
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, t, p, 0, 0);
      this.b.emit(BPF_ALU64 | (this.r.chance(0.15) ? BPF_SUB : BPF_ADD) | BPF_X, t, i, 0, 0);
    } else {
      // i = i + p: scalar plus pointer gives the pointer
      this.b.emit(BPF_ALU64 | BPF_ADD | BPF_X, i, p, 0, 0);
    }
    this.set(t, NONE);
    if (this.r.chance(0.6) || v.map!.readonly) {
      const d = this.dstReg();
      this.b.emit(BPF_LDX | BPF_MEM | sizeCode(size), d, t, c, 0);
      this.set(d, SCALAR);
    } else {
      this.b.emit(BPF_ST | BPF_MEM | sizeCode(size), t, 0, c, this.r.imm());
    }
  }

  /**
   * Random bound checks on i itself, on a copy of it (linked: a bound learnt on one register holds
   * for the other, also across `+= const` on one of them) or across a stack spill and fill.
   */
  randomBound(i: number, hi: number): void {
    const how = this.r.int(4);
    if (how <= 1) {
      this.boundChecks(i, hi);
      return;
    }
    if (how === 2) {
      const j = this.dstReg();
      this.hold(j);
      this.b.emit((this.r.chance(0.8) ? BPF_ALU64 : BPF_ALU) | BPF_MOV | BPF_X, j, i, 0, 0);
      this.set(j, SCALAR);
      if (this.r.chance(0.5)) {
        const imm = this.r.pick([1, -1, 4, 8, -8, 0x7fffffff]);
        this.b.emit(
          (this.r.chance(0.8) ? BPF_ALU64 : BPF_ALU) | BPF_ADD | BPF_K,
          this.r.chance(0.5) ? j : i,
          0,
          0,
          imm,
        );
      }
      this.boundChecks(j, hi);
      return;
    }
    const slot = this.stackOff(8);
    const sz = this.r.pick([8, 8, 4]);
    this.b.emit(BPF_STX | BPF_MEM | sizeCode(sz), 10, i, slot, 0);
    this.markInit(slot, sz);
    if (this.r.chance(0.5)) {
      this.boundChecks(i, hi);
      this.b.emit(BPF_LDX | BPF_MEM | sizeCode(sz), i, 10, slot, 0);
    } else {
      const j = this.dstReg();
      this.hold(j);
      this.b.emit(BPF_LDX | BPF_MEM | sizeCode(sz), j, 10, slot, 0);
      this.set(j, SCALAR);
      this.boundChecks(j, hi);
    }
  }

  stackVarFrag(): void {
    const base = this.area()[0];
    const n = this.r.pick([2, 4, 8]);
    if (!this.bad())
      for (let k = 0; k < n; k++) if (!this.isInit(base + 8 * k, 8)) this.initStack(base + 8 * k, 8);
    const i = this.unknownScalar();
    this.hold(i);
    if (this.r.chance(0.3) || this.bad()) {
      this.transform(i);
      this.boundChecks(i, 8 * (n - 1));
    } else this.cleanBound(i, n, 8);
    const t = this.r.pick([0, 1, 2, 3, 4, 5].filter((x) => !this.busy.includes(x)));
    this.hold(t);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, t, 10, 0, 0);
    if (this.r.chance(0.3)) {
      // from the top of the area down: r10 + base + 8 (n - 1) - i
      this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, t, 0, 0, base + 8 * (n - 1));
      this.b.emit(BPF_ALU64 | BPF_SUB | BPF_X, t, i, 0, 0);
    } else {
      this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, t, 0, 0, base);
      this.b.emit(BPF_ALU64 | BPF_ADD | BPF_X, t, i, 0, 0);
    }
    if (this.r.chance(0.7)) {
      this.b.emit(BPF_LDX | BPF_MEM | BPF_DW, i, t, 0, 0);
      this.set(i, SCALAR);
    } else {
      this.b.emit(BPF_STX | BPF_MEM | BPF_DW, t, this.scalarReg(), 0, 0);
    }
    this.set(t, NONE);
  }

  /** ringbuf_output(rb, value + i, j, 0): helper memory at a variable offset and of a variable size. */
  valueOutputFrag(): void {
    const held = this.heldValueOrLookup();
    if (held === null) return;
    const { p, v } = held;
    const vs = v.map!.valueSize - v.off;
    if (vs < 8) return;
    const random = this.r.chance(0.35) || this.bad();
    const i = this.unknownScalar();
    this.hold(i);
    if (random) {
      this.transform(i);
      this.randomBound(i, vs - 1);
    } else this.cleanBound(i, Math.floor(vs / 8), 8);
    const j = this.unknownScalar();
    this.hold(j);
    if (random) {
      this.transform(j);
      this.randomBound(j, 8);
    } else this.b.emit(BPF_ALU64 | BPF_AND | BPF_K, j, 0, 0, 7);
    const t = this.r.pick([0, 4, 5].filter((x) => !this.busy.includes(x)));
    if (t === undefined) return;
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, t, p, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_ADD | BPF_X, t, i, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 3, j, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, t, 0, 0);
    this.b.lddw(1, BPF_PSEUDO_MAP_FD, this.m.rb.id, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
    this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
    this.clobber(SCALAR);
  }

  helperFrag(): void {
    switch (this.r.int(8)) {
      case 0:
      case 1:
        this.b.emit(
          BPF_JMP | BPF_CALL,
          0,
          0,
          0,
          this.r.pick([BPF_FUNC_ktime_get_ns, BPF_FUNC_get_prandom_u32, BPF_FUNC_get_smp_processor_id]),
        );
        this.clobber(SCALAR);
        return;
      case 2: {
        // map_update_elem(map, key, value on the stack, flags)
        const map = this.r.pick([this.m.array, this.m.hash, ...(this.bad() ? [this.m.ro, this.m.rb] : [])]);
        if (this.inLoop) return;
        const voff = this.stackRange(map.valueSize || 8);
        if (!this.bad()) this.initStack(voff, map.valueSize || 8);
        this.mapKeyArgs(map);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
        this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, voff);
        if (this.bad()) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 4, 10, 0, 0);
        else this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
        this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem);
        this.clobber(SCALAR);
        return;
      }
      case 3: {
        const map = this.r.pick([this.m.hash, this.m.array]);
        this.mapKeyArgs(map);
        this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_delete_elem);
        this.clobber(SCALAR);
        return;
      }
      case 4: {
        // ringbuf_output(rb, stack data, size, 0)
        const n = 8 * this.r.range(1, 4);
        const off = this.stackRange(n);
        if (!this.bad()) this.initStack(off, n);
        if (this.bad()) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 3, this.unknownScalar(), 0, 0);
        else this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, this.r.range(0, n));
        this.b.lddw(1, BPF_PSEUDO_MAP_FD, this.bad() ? this.m.hash.id : this.m.rb.id, 0);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
        this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, off);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, this.r.pick([0, 1, 2]));
        this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
        this.clobber(SCALAR);
        return;
      }
      case 5: {
        // trace_printk("%d\n"...) from the stack
        const off = this.stackOff(8);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 3, this.scalarReg(), 0, 0);
        this.b.emit(BPF_ST | BPF_MEM | BPF_W, 10, 0, off, 0x0a6425); // "%d\n\0"
        this.markInit(off, 4);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
        this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, off);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, this.bad() ? 16 : 4);
        this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_trace_printk);
        this.clobber(SCALAR);
        return;
      }
      case 6: {
        // tail_call(ctx, prog array, index): the array is empty, so the program goes on
        const c = this.ctxReg();
        if (c === null || c === 3 || this.inLoop) return;
        this.hold(c);
        const x = this.scalarReg();
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 3, x, 0, 0);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 1, c, 0, 0);
        this.b.lddw(2, BPF_PSEUDO_MAP_FD, this.bad() ? this.m.array.id : this.m.progs.id, 0);
        this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call);
        this.clobber(NONE);
        return;
      }
      default: {
        // refused helpers: unknown id, sleepable-only, wrong argument kind
        const which = this.r.int(3);
        if (!this.bad()) {
          this.helperFrag();
          return;
        }
        if (which === 0) this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, this.r.pick([4, 9999, 200]));
        else if (which === 1) {
          this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
          this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8);
          this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8);
          this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
          this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_copy_from_user);
        } else {
          this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1);
          this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
          this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
        }
        this.clobber(SCALAR);
      }
    }
  }

  ringbufFrag(): void {
    const size = 8 * this.r.range(1, 8);
    const end = this.b.label();
    this.b.lddw(1, BPF_PSEUDO_MAP_FD, this.bad() ? this.m.array.id : this.m.rb.id, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, size);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
    this.b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve);
    this.clobber(NONE);
    const keep = this.inLoop
      ? 0
      : this.r.pick(
          [0, 0, 7, 8].filter((i) => this.s.regs[i]!.kind !== 'ctx' || this.regsOf(['ctx']).length > 1),
        );
    if (keep !== 0) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, keep, 0, 0, 0);
    if (!this.bad()) this.b.jump(BPF_JMP | BPF_JEQ | BPF_K, keep, 0, 0, end);
    for (let n = this.r.range(1, 3); n > 0; n--) {
      const [, s] = this.r.pick(SIZES);
      let off = this.r.int(size / s) * s;
      if (this.bad()) off = this.r.pick([size, size - s + 1, -s]);
      if (this.r.chance(0.5)) this.b.emit(BPF_ST | BPF_MEM | sizeCode(s), keep, 0, off, this.r.imm());
      else {
        const d = this.r.pick([1, 2, 3, 4, 5]);
        this.b.emit(BPF_LDX | BPF_MEM | sizeCode(s), d, keep, off, 0);
      }
    }
    const release = this.b.label();
    if (this.r.chance(0.35)) this.memVarAccess(keep, size, release);
    if (this.bad()) {
      if (this.r.chance(0.5)) this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, keep, 0, 0, 8);
    }
    if (this.b.used(release)) this.b.place(release);
    if (!this.bad()) {
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 1, keep, 0, 0);
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, this.r.pick([0, 1, 2]));
      this.b.emit(
        BPF_JMP | BPF_CALL,
        0,
        0,
        0,
        this.r.chance(0.5) ? BPF_FUNC_ringbuf_submit : BPF_FUNC_ringbuf_discard,
      );
    }
    this.b.place(end);
    for (let i = 0; i <= 5; i++) this.set(i, NONE);
    if (keep !== 0) this.set(keep, NONE);
  }

  /** A store at a variable offset into the reservation in `keep`; failed bound checks go to `release`. */
  memVarAccess(keep: number, size: number, release: number): void {
    this.hold(keep);
    this.set(keep, { kind: 'mem', off: 0 });
    const [, s] = this.r.pick(SIZES);
    const i = this.unknownScalar();
    this.hold(i);
    const saved = this.exitTo;
    this.exitTo = release;
    if (this.r.chance(0.4) || this.bad()) {
      this.transform(i);
      this.randomBound(i, size - s);
    } else this.cleanBound(i, size / s, s);
    this.exitTo = saved;
    const t = this.r.pick([1, 2, 3, 4, 5].filter((x) => !this.busy.includes(x)));
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, t, keep, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_ADD | BPF_X, t, i, 0, 0);
    this.b.emit(BPF_ST | BPF_MEM | sizeCode(s), t, 0, 0, this.r.imm());
    this.set(t, NONE);
  }

  atomicFrag(): void {
    const p = this.mapValReg();
    const ro = p !== null && this.s.regs[p]!.map!.readonly && !this.bad();
    const size = this.r.pick([4, 8]);
    // A value smaller than the access has no slot for it (r.int(0) is NaN): use the stack.
    const tooSmall = p !== null && this.s.regs[p]!.map!.valueSize < size;
    const onStack = p === null || ro || tooSmall || this.r.chance(0.4);
    let base = 10;
    let off: number;
    if (onStack) {
      off = this.stackOff(size);
      if (!this.isInit(off, size)) this.initStack(off, size);
    } else {
      base = p;
      const v = this.s.regs[p]!;
      off = this.r.int(Math.floor(v.map!.valueSize / size)) * size - v.off;
      if (this.bad()) off += this.r.pick([2, v.map!.valueSize]);
    }
    this.hold(base);
    let imm = this.r.pick([
      BPF_ADD,
      BPF_ADD | BPF_FETCH,
      BPF_OR,
      BPF_AND | BPF_FETCH,
      BPF_XOR,
      BPF_XCHG,
      BPF_CMPXCHG,
    ]);
    if (imm === BPF_CMPXCHG && base === 0) imm = BPF_ADD;
    const src = this.scalarReg();
    this.hold(src);
    if (imm === BPF_CMPXCHG && this.s.regs[0]!.kind !== 'scalar') this.movImm(0, this.r.imm());
    this.b.emit(BPF_STX | BPF_ATOMIC | sizeCode(size), base, src, off, imm);
    if (imm === BPF_CMPXCHG) this.set(0, SCALAR);
    else if (imm & BPF_FETCH) this.set(src, SCALAR);
  }
}
