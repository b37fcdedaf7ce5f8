/**
 * The generator's control flow (test/verifier-gen.ts has the overview): the choice of fragments,
 * forward branches, bounded loops (some with may_goto), bpf2bpf calls, the forms only faulty
 * programs have, and the whole program.
 */
import type { Insn } from '../src/ebpf/insn.js';
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_CALL,
  BPF_DIV,
  BPF_DW,
  BPF_EXIT,
  BPF_FUNC_map_lookup_elem,
  BPF_JCOND,
  BPF_JEQ,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSLT,
  BPF_K,
  BPF_LDX,
  BPF_LSH,
  BPF_MAY_GOTO,
  BPF_MEM,
  BPF_MOD,
  BPF_MOV,
  BPF_PSEUDO_MAP_FD,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_W,
  BPF_X,
} from '../src/uapi/bpf.js';
import {
  ALU_OPS,
  ARRAY_ENTRIES,
  cloneState,
  JMP_OPS,
  meet,
  NONE,
  PTR_KINDS,
  SCALAR,
  sameReg,
  sizeCode,
} from './verifier-gen-core.js';
import { GenMem } from './verifier-gen-frags.js';

export class Gen extends GenMem {
  fragment(): void {
    const w: [number, () => void][] = [
      [10, () => this.aluFrag()],
      [4, () => this.constFrag()],
      [4, () => this.ctxFrag()],
      [6, () => this.stackFrag()],
      [3, () => this.spillFrag()],
      [6, () => this.lookupFrag()],
      [6, () => this.mapAccessFrag()],
      [6, () => this.varAccessFrag()],
      [2, () => this.stackVarFrag()],
      [2, () => this.valueOutputFrag()],
      [3, () => this.ptrArithFrag()],
      [4, () => this.helperFrag()],
      [2, () => this.ringbufFrag()],
      [2, () => this.atomicFrag()],
      [this.depth < (this.branchy ? 3 : 2) ? (this.branchy ? 15 : 5) : 0, () => this.branchFrag()],
      [this.depth < 1 && !this.inLoop ? 3 : 0, () => this.loopFrag()],
      [this.inLoop || this.depth > 1 || !this.calls ? 0 : 4, () => this.callFrag()],
      [1, () => this.faultFrag()],
    ];
    let total = 0;
    for (const [n] of w) total += n;
    let k = this.r.int(total);
    for (const [n, f] of w) {
      if (k < n) {
        const held = this.busy.length;
        f();
        this.busy.length = held;
        return;
      }
      k -= n;
    }
  }

  /** `if cond goto L; fragments; L:` */
  branchFrag(): void {
    const a = this.scalarReg();
    this.hold(a);
    const skip = this.b.label();
    const op = this.r.pick(JMP_OPS);
    const cls = this.r.chance(0.3) ? BPF_JMP32 : BPF_JMP;
    if (this.r.chance(0.5)) this.b.jump(cls | op | BPF_K, a, 0, this.r.imm(), skip);
    else this.b.jump(cls | op | BPF_X, a, this.scalarReg(), 0, skip);
    const before = cloneState(this.s);
    this.depth++;
    for (let k = this.r.range(1, 3); k > 0; k--) this.fragment();
    this.depth--;
    this.b.place(skip);
    this.s = meet(before, this.s);
  }

  /** do { body } while (++r9 < n): r0-r5 and the stack below r10-384 are the body's own. */
  loopFrag(): void {
    const n = this.r.range(1, 12);
    const head = this.b.label();
    if (this.s.regs[9]!.kind !== 'none' && this.s.regs[9]!.kind !== 'scalar') return;
    const op = this.r.pick([BPF_JLT, BPF_JLT, BPF_JNE, BPF_JSLT, BPF_JLE]);
    // jne needs the counter to hit n exactly: start 0, step 1
    const start = op === BPF_JNE || this.r.chance(0.8) ? 0 : this.r.range(-3, 3);
    const step = op === BPF_JNE ? 1 : this.r.pick([1, 1, 1, 2]);
    this.movImm(9, start);
    const before = cloneState(this.s);
    for (let i = 0; i <= 5; i++) this.set(i, NONE);
    this.s.init.fill(0, 512 - this.limit, 512 - this.limit + 128);
    for (const slot of [...this.s.spills.keys()]) if (slot < -this.limit + 128) this.s.spills.delete(slot);
    // a may_goto at the head: the loop may also end there (the verifier widens instead of unrolling)
    const mayGoto = this.r.chance(0.3);
    const out = this.b.label();
    this.b.place(head);
    if (mayGoto) this.b.jump(BPF_JMP | BPF_JCOND, 0, BPF_MAY_GOTO, 0, out);
    this.inLoop = true;
    this.depth++;
    for (let k = this.r.range(1, 4); k > 0; k--) this.fragment();
    this.depth--;
    this.inLoop = false;
    // (not with may_goto: its 8M iterations outlast the run budget, a known issue of its own)
    const infinite = !mayGoto && this.bad() && this.r.chance(0.3);
    if (!infinite) this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 9, 0, 0, step);
    this.b.jump((this.r.chance(0.25) ? BPF_JMP32 : BPF_JMP) | op | BPF_K, 9, 0, n, head);
    if (mayGoto) this.b.place(out);
    // the body runs at least once (unless may_goto ends the loop at once): what holds after it holds
    // after the loop, minus its own area
    const after = mayGoto ? meet(before, this.s) : this.s;
    this.s = { ...after, regs: after.regs.map((r, i) => (i === 9 ? SCALAR : r)) };
    for (let i = 6; i <= 8; i++) if (!sameReg(before.regs[i]!, after.regs[i]!)) this.set(i, NONE);
  }

  /** A bpf2bpf call: f(r1 = scalar, r2 = pointer into the caller's stack) returns a scalar. */
  callFrag(): void {
    const k = this.r.int(3);
    if (k === 1) {
      this.callValueFrag();
      return;
    }
    if (k === 2) {
      this.callLookupFrag();
      return;
    }
    const f = this.b.label();
    const x = this.scalarReg();
    const slot = this.stackOff(8);
    if (x !== 1) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 1, x, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, slot);
    this.b.call(f);
    const writes = this.r.chance(0.7);
    const frame = this.bad() ? this.r.pick([256, 504]) : this.r.pick([8, 32, 64]);
    const returnsStack = this.bad() && this.r.chance(0.3);
    const op = this.r.pick(ALU_OPS.filter((o) => o !== BPF_DIV && o !== BPF_MOD));
    const b = this.b;
    const shift = op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH;
    this.subs.push({
      label: f,
      body: () => {
        b.emit(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -frame, 7);
        b.emit(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -frame, 0);
        b.emit(BPF_ALU64 | op | BPF_X, 0, 1, 0, 0);
        if (shift) b.emit(BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 0xff);
        if (writes) b.emit(BPF_STX | BPF_MEM | BPF_DW, 2, 0, 0, 0);
        if (returnsStack) {
          b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 0, 10, 0, 0);
          b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, -frame);
        }
        b.emit(BPF_JMP | BPF_EXIT);
      },
    });
    this.clobber(SCALAR);
    if (writes) this.markInit(slot, 8);
  }

  /** f(r1 = a map value, r2 = an index): the callee bounds the index and accesses the value there. */
  callValueFrag(): void {
    const held = this.heldValueOrLookup();
    if (held === null) return;
    const { p, v } = held;
    const vs = v.map!.valueSize - v.off;
    if (vs < 8) return;
    const i = this.unknownScalar();
    this.hold(i);
    const tmp = this.r.pick([3, 4, 5, 0].filter((x) => x !== p && x !== i));
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, tmp, i, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 1, p, 0, 0);
    this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, tmp, 0, 0);
    const f = this.b.label();
    this.b.call(f);
    this.clobber(SCALAR);
    const random = this.r.chance(0.35) || this.bad();
    const write = !v.map!.readonly && this.r.chance(0.4);
    this.subs.push({
      label: f,
      body: () => {
        // the callee's own view: r1 the value, r2 a scalar; failed checks return 0
        const saved = { s: this.s, exitTo: this.exitTo, busy: this.busy };
        const regs = Array.from({ length: 11 }, () => NONE);
        regs[1] = { ...v };
        regs[2] = SCALAR;
        regs[10] = { kind: 'fp', off: 0 };
        this.s = { regs, init: new Uint8Array(512), spills: new Map() };
        this.busy = [1, 2];
        const ret = this.b.label();
        this.exitTo = ret;
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
        if (random) {
          this.transform(2);
          this.randomBound(2, vs - 8);
        } else this.cleanBound(2, Math.floor(vs / 8), 8);
        this.b.emit(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0);
        if (write) this.b.emit(BPF_STX | BPF_MEM | BPF_DW, 1, 0, 0, 0);
        else this.b.emit(BPF_LDX | BPF_MEM | BPF_DW, 0, 1, 0, 0);
        if (this.b.used(ret)) this.b.place(ret);
        this.b.emit(BPF_JMP | BPF_EXIT);
        this.s = saved.s;
        this.exitTo = saved.exitTo;
        this.busy = saved.busy;
      },
    });
  }

  /** f() looks a key up on its own stack and returns what map_lookup_elem returned. */
  callLookupFrag(): void {
    const map = this.r.pick(this.maps);
    const key = this.r.int(map === this.m.hash ? 8 : ARRAY_ENTRIES + 1);
    const f = this.b.label();
    this.b.call(f);
    this.clobber({ kind: 'mapnull', off: 0, map });
    this.afterLookup();
    const b = this.b;
    this.subs.push({
      label: f,
      body: () => {
        b.emit(BPF_ST | BPF_MEM | sizeCode(map.keySize === 8 ? 8 : 4), 10, 0, -8, key);
        b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
        b.emit(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8);
        b.lddw(1, BPF_PSEUDO_MAP_FD, map.id, 0);
        b.emit(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
        b.emit(BPF_JMP | BPF_EXIT);
      },
    });
  }

  /** Refused forms that no other fragment makes. */
  faultFrag(): void {
    if (!this.bad()) {
      this.aluFrag();
      return;
    }
    switch (this.r.int(7)) {
      case 0:
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 10, 0, 0, 0); // write r10
        return;
      case 1: {
        const none = [2, 3, 4, 5].filter((i) => this.s.regs[i]!.kind === 'none');
        if (none.length > 0) this.b.emit(BPF_ALU64 | BPF_ADD | BPF_X, 0, this.r.pick(none), 0, 0);
        return;
      }
      case 2:
        this.b.emit(BPF_LDX | BPF_MEM | BPF_DW, 0, this.scalarReg(), 0, 0); // deref of a scalar
        this.set(0, SCALAR);
        return;
      case 3:
        this.b.lddw(0, this.r.pick([BPF_PSEUDO_MAP_FD, 7]), this.r.pick([9999, 0]), 0); // no such map / pseudo
        this.set(0, NONE);
        return;
      case 4: {
        const p = this.regsOf(PTR_KINDS)[0];
        if (p !== undefined) this.b.emit(BPF_ALU | BPF_MOV | BPF_X, 0, p, 0, 0); // 32-bit mov of a pointer
        this.set(0, SCALAR);
        return;
      }
      case 5: {
        // a loop that comes back to the same state
        const head = this.b.label();
        this.b.place(head);
        this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
        this.b.jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, head);
        this.set(0, SCALAR);
        return;
      }
      default: {
        // deref of a possibly-NULL pointer
        const p = this.regsOf(['mapnull'])[0];
        if (p !== undefined) {
          this.b.emit(BPF_LDX | BPF_MEM | BPF_W, 0, p, 0, 0);
          this.set(0, SCALAR);
        }
      }
    }
  }

  program(fragments: number): Insn[] {
    if (this.r.chance(0.9)) {
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
      this.set(6, { kind: 'ctx', off: 0 });
    }
    for (let k = 0; k < fragments; k++) this.fragment();
    // the end: r0 = 0 (sometimes unknown or a pointer)
    if (this.bad()) {
      const k = this.r.int(3);
      if (k === 0) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 0, this.unknownScalar(), 0, 0);
      else if (k === 1) this.b.emit(BPF_ALU64 | BPF_MOV | BPF_X, 0, 10, 0, 0);
      else this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
    } else this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
    this.b.emit(BPF_JMP | BPF_EXIT);
    if (this.b.used(this.out)) {
      this.b.place(this.out);
      this.b.emit(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
      this.b.emit(BPF_JMP | BPF_EXIT);
    }
    for (const s of this.subs) {
      this.b.place(s.label);
      s.body();
    }
    return this.b.finish();
  }
}
