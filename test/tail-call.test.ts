/**
 * Helper 12, bpf_tail_call, in the interpreter: chains of programs, what the target sees (registers,
 * frame), the MAX_TAIL_CALL_CNT limit, failures that continue after the call, tail calls from
 * bpf2bpf subprograms, the budget across a chain, nested runs. The PROG_ARRAY is a stub resolver.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { registerBaseHelpers } from '../src/ebpf/base-helpers.js';
import type { LoadOptions } from '../src/ebpf/engine.js';
import { BpfFault } from '../src/ebpf/faults.js';
import { type HelperEnv, HelperRegistry } from '../src/ebpf/helpers.js';
import { tailCall } from '../src/ebpf/interp.js';
import type { BpfProgram, EngineKind } from '../src/ebpf/run-env.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { MAX_TAIL_CALL_CNT } from '../src/uapi/bpf.js';
import { ELOOP, ENOENT } from '../src/uapi/errno.js';
import { perEngine } from './engines.js';

const mem = new AddressSpace({ size: 1024 * 1024 });
/** The handle programs pass in r2 (any u64: the resolver interprets it). */
const MAP = 0xabc0_0000_0001n;
const TC = `lddw %r2, 0x${MAP.toString(16)}`;

/** A PROG_ARRAY stub: slots by map handle, and every lookup made. */
function progArray() {
  const slots = new Map<bigint, (BpfProgram | null)[]>([[MAP, []]]);
  const lookups: [bigint, number][] = [];
  const helpers = new HelperRegistry();
  registerBaseHelpers(helpers, {
    resolveTailCall: (map, index) => {
      lookups.push([map, index]);
      return slots.get(map)?.[index] ?? null;
    },
  });
  const load = (asm: string, o: LoadOptions = {}): BpfProgram =>
    loadProgram(assembleUbpf(asm), { helpers, ...o });
  const set = (...progs: (BpfProgram | null)[]): void => {
    slots.set(MAP, progs);
  };
  return { helpers, lookups, load, set };
}

/** Run `prog` with r1 = a zeroed 64-byte ctx; returns r0 (signed), executed and the ctx words. */
function runCtx(prog: BpfProgram, budget?: number): { r0: bigint; executed: number; ctx: bigint[] } {
  const ctx = mem.alloc(64);
  try {
    const r = prog.run({
      mem,
      r1: ctx,
      regions: [{ addr: ctx, size: 64, name: 'ctx' }],
      ...(budget === undefined ? {} : { budget }),
    });
    return {
      r0: BigInt.asIntN(64, r.r0),
      executed: r.executed,
      ctx: Array.from({ length: 8 }, (_, k) => mem.readU64(ctx + 8 * k)),
    };
  } finally {
    mem.free(ctx);
  }
}

/** Program i of a chain: ctx[0] = ctx[0] * 10 + i, then tail call slot i + 1 (7 instructions). */
const link = (i: number): string =>
  `ldxdw %r6, [%r1]\nmul %r6, 10\nadd %r6, ${i}\nstxdw [%r1], %r6\n${TC}\nmov %r3, ${i + 1}\ncall 12\n` +
  `mov %r0, ${100 + i}\nexit`;

// The JIT counts instructions (the tests check `executed`) when asked to.
const loadProgram = perEngine(suite, { count: true });

function suite(eng: EngineKind): void {
  void eng;
  test('a chain of tail calls runs each program in turn and ends with the last one', () => {
    const a = progArray();
    const own = new HelperRegistry().register({
      id: 60,
      name: 'only_in_the_target',
      args: [],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly: false,
      impl: () => 5n,
    });
    // The last program has its own helper table (no tail_call, a helper 60 the others lack).
    const last = loadProgram(
      assembleUbpf('ldxdw %r0, [%r1]\ncall 60\nldxdw %r6, [%r1]\nadd %r0, %r6\nexit'),
      {
        helpers: own,
      },
    );
    a.set(null, a.load(link(1)), a.load(link(2)), last);
    const r = runCtx(a.load(link(0)));
    // 0 -> 0 * 10 + 1 -> 1 * 10 + 2, then the last program adds helper 60's 5
    assert.equal(r.ctx[0], 12n);
    assert.equal(r.r0, 12n + 5n);
    assert.equal(r.executed, 3 * 7 + 5, 'instructions of every program of the chain');
    assert.deepEqual(a.lookups, [
      [MAP, 1],
      [MAP, 2],
      [MAP, 3],
    ]);
  });

  test('the target starts with r1-r9 as the caller left them, r0 = 0, and the same frame, zeroed', () => {
    const a = progArray();
    const target = a.load(
      'stxdw [%r1+0], %r0\nstxdw [%r1+8], %r2\nstxdw [%r1+16], %r3\nstxdw [%r1+24], %r6\n' +
        'stxdw [%r1+32], %r9\nstxdw [%r1+40], %r10\nldxdw %r0, [%r10-8]\nstxdw [%r1+48], %r0\nmov %r0, 1\nexit',
    );
    a.set(null, target);
    const r = runCtx(
      a.load(
        `mov %r0, 77\nmov %r6, 66\nmov %r9, %r10\nstdw [%r10-8], 0x55\n${TC}\nmov %r3, 1\ncall 12\nexit`,
      ),
    );
    const [r0, r2, r3, r6, r9, r10, slot] = r.ctx;
    assert.deepEqual([r0, r2, r3, r6], [0n, MAP, 1n, 66n]);
    assert.equal(r10, r9, 'r10 is the caller frame pointer: the frame is replaced, not stacked');
    assert.equal(slot, 0n, 'the frame is zeroed for the target');
    assert.equal(r.r0, 1n);
  });

  test(`${MAX_TAIL_CALL_CNT} tail calls per run; the next fails with -ELOOP and execution continues`, () => {
    const a = progArray();
    // Count the entries in ctx[0], tail call itself; a failed tail call falls through to exit.
    const self = a.load(`ldxdw %r6, [%r1]\nadd %r6, 1\nstxdw [%r1], %r6\n${TC}\nmov %r3, 0\ncall 12\nexit`);
    a.set(self);
    for (let round = 0; round < 2; round++) {
      const r = runCtx(self, 10_000); // a budget, so that a broken limit fails instead of hanging
      assert.equal(r.ctx[0], BigInt(MAX_TAIL_CALL_CNT + 1), 'the entry program and 33 tail calls');
      assert.equal(r.r0, BigInt(-ELOOP));
      assert.equal(r.executed, (MAX_TAIL_CALL_CNT + 1) * 6 + 1);
    }
    assert.equal(a.lookups.length, 2 * MAX_TAIL_CALL_CNT, 'no lookup once the count is spent');
  });

  test('failed lookups count toward the limit, as the kernel counts an empty slot', () => {
    const a = progArray();
    a.set(null, a.load('mov %r0, 7\nexit'));
    const attempts = (failed: number): bigint =>
      runCtx(
        a.load(
          `mov %r6, %r1\nmov %r7, 0\nl:\njge %r7, ${failed}, go\nmov %r1, %r6\n${TC}\nmov %r3, 9\ncall 12\n` +
            `add %r7, 1\nja l\ngo:\nmov %r1, %r6\n${TC}\nmov %r3, 1\ncall 12\nexit`,
        ),
      ).r0;
    assert.equal(attempts(MAX_TAIL_CALL_CNT - 1), 7n);
    assert.equal(attempts(MAX_TAIL_CALL_CNT), BigInt(-ELOOP));
  });

  test('a tail call that fails returns a negative value and the program goes on after the call', () => {
    const a = progArray();
    const seven = a.load('mov %r0, 7\nexit');
    a.set(null, seven);
    const cases: [what: string, r2: string, r3: string, want: bigint, index: number][] = [
      ['index past the end', TC, 'mov %r3, 5', BigInt(-ENOENT), 5],
      ['empty slot', TC, 'mov %r3, 0', BigInt(-ENOENT), 0],
      ['unknown map', 'lddw %r2, 0x1234', 'mov %r3, 1', BigInt(-ENOENT), 1],
      ['index is the low 32 bits of r3', TC, 'lddw %r3, 0x100000001', 7n, 1],
      ['index 0xffffffff', TC, 'mov32 %r3, -1', BigInt(-ENOENT), 0xffff_ffff],
    ];
    for (const [what, r2, r3, want, index] of cases) {
      a.lookups.length = 0;
      const r = runCtx(a.load(`${r2}\n${r3}\ncall 12\nstxdw [%r1], %r0\nmov %r0, %r0\nexit`));
      if (want < 0n) assert.equal(r.ctx[0], BigInt.asUintN(64, want), `${what}: r0 after the call`);
      assert.equal(r.r0, want, what);
      assert.equal(a.lookups[0]?.[1], index, `${what}: index looked up`);
    }
  });

  test('a resolver that returns something other than an interpreter program stops the run (E_HELPER)', () => {
    const cases: [what: string, value: unknown, re: RegExp][] = [
      [
        'another engine',
        { engine: eng === 'jit' ? 'interp' : 'jit', length: 1, run: () => ({ r0: 0n, executed: 0 }) },
        eng === 'jit' ? /engine 'interp'/ : /engine 'jit'/,
      ],
      ['undefined', undefined, /found undefined/],
      ['a plain object', {}, /not a BpfProgram/],
    ];
    for (const [what, value, re] of cases) {
      const helpers = new HelperRegistry();
      registerBaseHelpers(helpers, { resolveTailCall: () => value as BpfProgram });
      const prog = loadProgram(assembleUbpf(`${TC}\nmov %r3, 0\ncall 12\nexit`), { helpers });
      assert.throws(
        () => runCtx(prog),
        (e: unknown) =>
          e instanceof BpfFault &&
          e.code === 'E_HELPER' &&
          e.index === 3 &&
          /helper 12 \(tail_call\) failed: tail call: expected a program loaded by the (interpreter|JIT)/.test(
            e.message,
          ) &&
          re.test(e.message),
        what,
      );
    }
    const helpers = new HelperRegistry();
    registerBaseHelpers(helpers, {
      resolveTailCall: () => {
        throw new Error('map gone');
      },
    });
    assert.throws(
      () => runCtx(loadProgram(assembleUbpf(`${TC}\ncall 12\nexit`), { helpers })),
      /helper 12 \(tail_call\) failed: map gone/,
    );
  });

  test('A and B tail call each other, each with its own immediates', () => {
    const a = progArray();
    const A = a.load(
      'ldxdw %r6, [%r1]\nadd %r6, 3\nstxdw [%r1], %r6\nldxdw %r7, [%r1+8]\nadd %r7, 1\nstxdw [%r1+8], %r7\n' +
        `jge %r7, 6, done\n${TC}\nmov %r3, 1\ncall 12\ndone:\nldxdw %r0, [%r1]\nexit`,
    );
    const B = a.load(`ldxdw %r6, [%r1]\nmul %r6, 7\nstxdw [%r1], %r6\n${TC}\nmov %r3, 0\ncall 12\nexit`);
    a.set(A, B);
    let v = 0n;
    for (let k = 1; k <= 6; k++) v = k < 6 ? (v + 3n) * 7n : v + 3n;
    const r = runCtx(A);
    assert.equal(r.r0, v);
    assert.equal(r.ctx[1], 6n);
    // Entered at B (0 * 7 = 0), the chain ends with the same value: the machines were released.
    assert.equal(runCtx(B).r0, v);
  });

  /* ------------------------------------------------------------------ from bpf2bpf subprograms */

  test('from a subprogram: the target replaces its frame and returns to its caller', () => {
    const a = progArray();
    // T runs in f's frame; g (its subprogram) tail calls U, whose exit returns into T.
    const U = a.load('stxdw [%r1+40], %r10\nmov %r0, 4\nexit');
    const T = a.load(
      'mov %r6, %r1\nstxdw [%r6+16], %r10\nmov %r8, 88\ncall local g\nstxdw [%r6+32], %r8\nadd %r0, 1\nexit\n' +
        `g:\nmov %r8, 0\nmov %r1, %r6\n${TC}\nmov %r3, 2\ncall 12\nmov %r0, 999\nexit`,
    );
    a.set(null, T, U);
    const main = a.load(
      'mov %r6, %r1\nmov %r7, 77\ncall local f\nstxdw [%r6+0], %r0\nstxdw [%r6+8], %r7\nstxdw [%r6+24], %r10\n' +
        `mov %r0, 0\nexit\nf:\nmov %r7, 0\nmov %r1, %r6\n${TC}\nmov %r3, 1\ncall 12\nmov %r0, 999\nexit`,
    );
    const { ctx } = runCtx(main);
    const [r0, r7, tFp, mainFp, r8, uFp] = ctx;
    assert.equal(r0, 5n, "U's 4, plus T's 1 after g returned");
    assert.equal(r7, 77n, "main's r7, restored by the return from f's frame");
    assert.equal(r8, 88n, "T's r8, restored by the return from g's frame");
    assert.equal(tFp, mainFp! - 512n, "T runs in f's frame");
    assert.equal(uFp, mainFp! - 1024n, "U runs in g's frame");
  });

  test('from a subprogram: the frame limit counts the frames below the tail call', () => {
    const a = progArray();
    const leaf = a.load('mov %r0, 3\nexit');
    const caller = a.load('call local h\nexit\nh:\nmov %r0, 3\nexit');
    a.set(leaf, caller);
    /** main + depth - 1 nested calls, then a tail call into slot `slot` from the deepest frame. */
    const deep = (depth: number, slot: number): BpfProgram =>
      a.load(
        `mov %r6, %r1\nmov %r7, ${depth - 1}\ncall local f\nexit\n` +
          `f:\nsub %r7, 1\njeq %r7, 0, tail\ncall local f\nexit\ntail:\nmov %r1, %r6\n${TC}\nmov %r3, ${slot}\ncall 12\nexit`,
      );
    assert.equal(runCtx(deep(8, 0)).r0, 3n, 'a target without calls fits in the 8th frame');
    assert.equal(runCtx(deep(7, 1)).r0, 3n, 'a target with a call fits from the 7th');
    assert.throws(
      () => runCtx(deep(8, 1)),
      (e: unknown) => e instanceof BpfFault && e.code === 'E_STACK_OVERFLOW' && e.index === 0,
    );
  });

  /* ------------------------------------------------------------------ budget, faults, nesting */

  test('the budget counts the instructions of the whole chain; a fault names the target slot', () => {
    const a = progArray();
    // The target's own load budget does not apply: the run's does.
    a.set(a.load('mov %r0, 1\nadd %r0, 1\nadd %r0, 1\nexit', { budget: 1 }));
    const entry = a.load(`${TC}\nmov %r3, 0\ncall 12\nexit`);
    assert.deepEqual(runCtx(entry, 7), { r0: 3n, executed: 7, ctx: Array(8).fill(0n) });
    // The interpreter stops at the instruction past the budget; the JIT at the start of its block.
    const [index, executed] = eng === 'jit' ? [0, 3] : [3, 6];
    assert.throws(
      () => runCtx(entry, 6),
      (e: unknown) =>
        e instanceof BpfFault && e.code === 'E_BUDGET' && e.index === index && e.executed === executed,
    );
    a.set(a.load('mov %r0, 0\nldxdw %r0, [%r0]\nexit'));
    assert.throws(
      () => runCtx(entry),
      (e: unknown) => e instanceof BpfFault && e.code === 'E_FAULT_MEM' && e.index === 1 && e.executed === 5,
    );
    // After a fault the entry program runs again from a clean state.
    a.set(a.load('mov %r0, 9\nexit'));
    assert.equal(runCtx(entry).r0, 9n);
  });

  test('a nested run may tail call into a program the outer run is executing', () => {
    const a = progArray();
    let inner: BpfProgram | null = null;
    a.helpers.register({
      id: 50,
      name: 'run_nested',
      args: ['ARG_ANYTHING'],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly: false,
      impl: (env: HelperEnv, ctx: bigint) =>
        inner!.run({ mem: env.mem, r1: ctx, regions: [{ addr: Number(ctx), size: 64 }] }).r0,
    });
    const P = a.load(
      'mov %r6, %r1\nldxdw %r7, [%r6]\njne %r7, 0, nested\nmov %r8, 1234\nstdw [%r6], 1\nmov %r1, %r6\ncall 50\n' +
        'stxdw [%r6+8], %r0\nmov %r0, %r8\nexit\nnested:\nmov %r8, 42\nmov %r0, %r8\nexit',
    );
    inner = a.load(`${TC}\nmov %r3, 0\ncall 12\nexit`);
    a.set(P);
    const r = runCtx(P);
    assert.equal(r.ctx[1], 42n, 'the nested run ended in P');
    assert.equal(r.r0, 1234n, "the outer P's registers are untouched");
  });

  test('tailCall() works only from a running program helper', () => {
    const fake = { mem, ctx: null, grant() {}, readable: () => true, writable: () => true } as HelperEnv;
    assert.throws(() => tailCall(fake, () => null), /expected the HelperEnv of a program run/);
    let kept: HelperEnv | null = null;
    const helpers = new HelperRegistry().register({
      id: 1,
      name: 'keep',
      args: [],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly: false,
      impl: (env) => {
        kept = env;
        return 0n;
      },
    });
    loadProgram(assembleUbpf('call 1\nexit'), { helpers }).run({ mem });
    assert.ok(kept !== null);
    const env: HelperEnv = kept;
    assert.throws(() => tailCall(env, () => null), /the run this environment belongs to has ended/);
  });

  test(
    'load-time regions: granted in every run, and when a tail call enters the program that has them',
    {
      skip: eng === 'jit' && 'the JIT does not check regions (only the address space)',
    },
    () => {
      const a = progArray();
      const own = mem.alloc(8);
      mem.writeU64(own, 0x77n);
      try {
        const reader = `lddw %r2, 0x${own.toString(16)}\nldxdw %r0, [%r2]\nexit`;
        // Without the region the read faults; with it, the program (alone or as a tail-call target) reads it.
        assert.throws(() => runCtx(a.load(reader)), { code: 'E_FAULT_MEM' });
        const target = a.load(reader, { regions: [{ addr: own, size: 8, writable: false, name: 'own' }] });
        assert.equal(runCtx(target).r0, 0x77n);
        a.set(null, target);
        assert.equal(runCtx(a.load(`${TC}\nmov %r3, 1\ncall 12\nexit`)).r0, 0x77n);
        // Read-only: a write faults.
        const writer = a.load(`lddw %r2, 0x${own.toString(16)}\nstdw [%r2], 1\nexit`, {
          regions: [{ addr: own, size: 8, writable: false }],
        });
        assert.throws(() => runCtx(writer), { code: 'E_FAULT_MEM' });
      } finally {
        mem.free(own);
      }
    },
  );
}
