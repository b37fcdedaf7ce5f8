/**
 * The reference interpreter: bpf2bpf calls and frames, helpers and the registry, budget, may_goto,
 * load errors, the lddw resolver and run arguments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { BpfFault, ProgramLoadError } from '../src/ebpf/faults.js';
import { type HelperDef, type HelperEnv, HelperRegistry } from '../src/ebpf/helpers.js';
import { type Insn, InsnError, LDDW } from '../src/ebpf/insn.js';
import { MAY_GOTO_LOOPS } from '../src/ebpf/interp-run.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { perEngine } from './engines.js';
import { EXIT, helper, I, lddw, mem, r0, run, throwsCode, u64 } from './interp-common.js';

/* ------------------------------------------------------------------ calls and frames */

const CALL_CASES: [name: string, asm: string, want: bigint][] = [
  [
    'local call passes r1-r5, returns r0 and restores r6-r9',
    'mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\nmov %r6, 6\nmov %r9, 9\ncall local f\n' +
      'mul %r0, 100\nadd %r0, %r6\nadd %r0, %r9\nexit\n' +
      'f:\nmov %r0, %r1\nadd %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nadd %r0, %r5\nmov %r6, 0\nmov %r9, 0\nexit',
    1515n,
  ],
  [
    'the callee frame pointer is 512 bytes below',
    'mov %r6, %r10\ncall local f\nsub %r6, %r0\nmov %r0, %r6\nexit\nf:\nmov %r0, %r10\nexit',
    512n,
  ],
  [
    'the callee writes the caller frame through a pointer; r10 is restored',
    'mov %r1, %r10\nadd %r1, -8\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r1], 77\nstdw [%r10-8], 1\nexit',
    77n,
  ],
  [
    'every frame starts zeroed, also where an earlier call wrote',
    'call local f\ncall local g\nexit\nf:\nstdw [%r10-8], 7\nexit\ng:\nldxdw %r0, [%r10-8]\nexit',
    0n,
  ],
  [
    'nested calls unwind in order',
    'call local f\nadd %r0, 1\nexit\nf:\ncall local g\nmul %r0, 10\nexit\ng:\nmov %r0, 4\nexit',
    41n,
  ],
];

const loadProgram = perEngine(suite);

function suite(eng: EngineKind): void {
  void eng;
  test('bpf2bpf calls: arguments, r6-r9, r10 per frame, return', () => {
    for (const [name, asm, want] of CALL_CASES) assert.equal(r0(asm), want, name);
  });

  /** Recurse until r1 is 0: `depth` frames in all (main + depth - 1 calls). */
  const recurse = (depth: number): string =>
    `mov %r1, ${depth - 2}\ncall local f\nmov %r0, 0\nexit\nf:\njeq %r1, 0, +2\nsub %r1, 1\ncall local f\nexit`;

  test('eight frames are allowed; a ninth is E_STACK_OVERFLOW at the call', () => {
    assert.equal(r0(recurse(8)), 0n);
    throwsCode(() => run(recurse(9)), BpfFault, 'E_STACK_OVERFLOW', 6, /frame 9: at most 8 frames/);
  });

  test('helpers: u64 arguments, the run context, granted regions, callx by id', () => {
    // Grant the middle 16 bytes of a 48-byte block: the bytes around them are not the program's.
    const block = mem.alloc(48);
    const granted = block + 16;
    const reg = new HelperRegistry()
      .register(helper(1, (_e, a, b, c, d, e) => a + b + c + d + e))
      .register(helper(2, (env) => BigInt((env.ctx as { v: number }).v)))
      .register(
        helper(3, (env) => {
          env.grant(granted, 16, true, 'buf');
          return BigInt(granted);
        }),
      )
      .register(helper(4, (_e, a) => a))
      .register(
        helper(5, (env) => {
          kept = env;
          return 0n;
        }),
      );
    let kept: HelperEnv | null = null;
    try {
      assert.equal(r0('call 5\nexit', { helpers: reg }), 0n);
      assert.ok(kept !== null);
      const env: HelperEnv = kept;
      assert.throws(() => env.grant(granted, 16), TypeError, 'grant after the run ended');
      assert.equal(env.readable(granted, 1), false);
      assert.equal(
        r0('mov %r1, -1\nmov %r2, 0\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncall 4\nexit', { helpers: reg }),
        u64(-1n),
      );
      assert.equal(
        r0('mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nexit', { helpers: reg }),
        15n,
      );
      assert.equal(r0('call 2\nexit', { helpers: reg, ctx: { v: 42 } }), 42n);
      assert.equal(r0('call 3\nstdw [%r0+8], 9\nldxdw %r0, [%r0+8]\nexit', { helpers: reg }), 9n);
      throwsCode(() => run('call 3\nstdw [%r0-8], 9\nexit', { helpers: reg }), BpfFault, 'E_FAULT_MEM', 1);
      throwsCode(() => run('call 3\nstb [%r0+16], 9\nexit', { helpers: reg }), BpfFault, 'E_FAULT_MEM', 1);
      assert.equal(r0('mov %r1, 7\nmov %r2, 4\ncall %r2\nexit', { helpers: reg }), 7n);
      throwsCode(
        () => run('mov %r2, 6\ncall %r2\nexit', { helpers: reg }),
        BpfFault,
        'E_HELPER_UNKNOWN',
        1,
        /no helper 6/,
      );
      throwsCode(
        () => run('lddw %r2, 0x100000004\ncall %r2\nexit', { helpers: reg }),
        BpfFault,
        'E_FAULT_CALL',
        2,
        /0x100000004/,
      );
    } finally {
      mem.free(block);
    }
  });

  test('a helper that throws or returns a non-bigint stops the run with E_HELPER; its BpfFault keeps its code', () => {
    const reg = new HelperRegistry()
      .register(
        helper(
          1,
          () => {
            throw new Error('boom');
          },
          'bad',
        ),
      )
      .register(helper(2, () => 1 as unknown as bigint, 'num'))
      .register(
        helper(
          3,
          () => {
            throw new BpfFault('E_FAULT_MEM', -1, 'copy of 8 bytes at 0x0');
          },
          'copy',
        ),
      );
    throwsCode(
      () => run('mov %r0, 0\ncall 1\nexit', { helpers: reg }),
      BpfFault,
      'E_HELPER',
      1,
      /helper 1 \(bad\) failed: boom/,
    );
    throwsCode(
      () => run('call 2\nexit', { helpers: reg }),
      BpfFault,
      'E_HELPER',
      0,
      /returned number, expected a bigint/,
    );
    throwsCode(
      () => run('call 3\nexit', { helpers: reg }),
      BpfFault,
      'E_FAULT_MEM',
      0,
      /^insn 0: helper 3 \(copy\): copy of 8/,
    );
  });

  test('HelperRegistry: one entry per id, validated definitions, listed by id', () => {
    const reg = new HelperRegistry().register(helper(7, () => 0n)).register(helper(3, () => 0n));
    assert.deepEqual(
      reg.list().map((h) => h.id),
      [3, 7],
    );
    assert.ok(reg.has(7) && !reg.has(8));
    assert.equal(reg.get(3)?.name, 'h3');
    assert.equal(reg.size, 2);
    const bad: [string, HelperDef][] = [
      ['duplicate id', helper(7, () => 0n)],
      ['negative id', helper(-1, () => 0n)],
      ['fractional id', helper(1.5, () => 0n)],
      ['id beyond s32', helper(2 ** 31, () => 0n)],
      ['six arguments', { ...helper(9, () => 0n), args: Array(6).fill('ARG_ANYTHING') }],
      ['empty name', helper(10, () => 0n, '')],
    ];
    for (const [name, def] of bad) assert.throws(() => reg.register(def), TypeError, name);
  });

  /* ------------------------------------------------------------------ budget, may_goto */

  test('the budget stops a runaway program with E_BUDGET after exactly that many instructions', () => {
    const forever = [I(0xb7, 0, 0, 0, 0), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -2), EXIT];
    assert.throws(
      () => run(forever, { budget: 1000 }),
      (e: unknown) =>
        e instanceof BpfFault &&
        e.code === 'E_BUDGET' &&
        e.executed === 1000 &&
        e.index === 2 &&
        /1000/.test(e.message),
    );
    throwsCode(() => run(forever, { budget: 1_000_000, runBudget: 10 }), BpfFault, 'E_BUDGET', 2);
    const three = 'mov %r0, 1\nadd %r0, 1\nexit';
    assert.deepEqual(run(three, { budget: 3 }), { r0: 2n, executed: 3 });
    throwsCode(() => run(three, { budget: 2 }), BpfFault, 'E_BUDGET', 2);
    for (const b of [0, -1, 1.5, Number.NaN])
      assert.throws(() => loadProgram(assembleUbpf(three), { budget: b }), RangeError);
  });

  test(`may_goto falls through ${MAY_GOTO_LOOPS} times, then jumps; every frame has its own count`, () => {
    // 0: r0 = 0; 1: may_goto +2; 2: r0 += 1; 3: ja -3; 4: exit
    const loop = [I(0xb7, 0, 0, 0, 0), I(0xe5, 0, 0, 2), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -3), EXIT];
    assert.equal(MAY_GOTO_LOOPS, 8 * 1024 * 1024);
    assert.deepEqual(run(loop), { r0: BigInt(MAY_GOTO_LOOPS), executed: 2 + 3 * MAY_GOTO_LOOPS + 1 });
    // main: call f; r6 = r0; call f; r0 += r6; exit. f: the loop above.
    const twice = [I(0x85, 0, 1, 0, 4), I(0xbf, 6, 0), I(0x85, 0, 1, 0, 2), I(0x0f, 0, 6), EXIT, ...loop];
    assert.equal(r0(twice), BigInt(2 * MAY_GOTO_LOOPS));
  });

  /* ------------------------------------------------------------------ load errors */

  test('loading rejects bad targets, unknown helpers, kfuncs and unresolved pseudo lddw, with the index', () => {
    const cases: [name: string, insns: Insn[], code: string, index: number, re: RegExp][] = [
      [
        'jump past the end',
        [I(0x05, 0, 0, 5), EXIT],
        'E_JUMP_RANGE',
        0,
        /jump target 6 \(offset 5\) is outside the program: expected 0 to 1/,
      ],
      ['jump before the start', [EXIT, I(0x15, 1, 0, -3)], 'E_JUMP_RANGE', 1, /target -1/],
      ['jump to the program end', [I(0x05, 0, 0, 1), EXIT], 'E_JUMP_RANGE', 0, /target 2/],
      [
        'jump into an lddw',
        [I(0x05, 0, 0, 1), ...lddw(0, 1n), EXIT],
        'E_JUMP_LDDW',
        0,
        /second slot of the lddw at 1/,
      ],
      ['gotol out of range', [I(0x06, 0, 0, 0, 9), EXIT], 'E_JUMP_RANGE', 0, /target 10/],
      ['may_goto out of range', [I(0xe5, 0, 0, 4), EXIT], 'E_JUMP_RANGE', 0, /target 5/],
      ['local call out of range', [I(0x85, 0, 1, 0, 7), EXIT], 'E_CALL_RANGE', 0, /call target 8/],
      [
        'local call into an lddw',
        [I(0x85, 0, 1, 0, 1), ...lddw(0, 1n), EXIT],
        'E_CALL_LDDW',
        0,
        /call target 2/,
      ],
      [
        'unknown helper',
        [I(0x85, 0, 0, 0, 99), EXIT],
        'E_HELPER_UNKNOWN',
        0,
        /helper 99: no such helper is registered \(registered: none\)/,
      ],
      ['kfunc', [I(0x85, 0, 2, 0, 1), EXIT], 'E_KFUNC', 0, /kfunc calls are not supported/],
      [
        'pseudo map fd',
        [I(LDDW, 1, 1, 0, 3), I(0), EXIT],
        'E_LDDW_PSEUDO',
        0,
        /pseudo source 1 \(imm 3\) needs the loader/,
      ],
    ];
    for (const [name, insns, code, index, re] of cases) {
      throwsCode(() => loadProgram(insns), ProgramLoadError, code, index, re);
      void name;
    }
    throwsCode(() => loadProgram([I(0xb7, 11), EXIT]), InsnError, 'E_REGISTER', 0);
  });

  test('a resolver turns pseudo lddw into constants at load', () => {
    const seen: number[][] = [];
    const resolveLddw = (src: number, imm: number, next: number, index: number): bigint => {
      seen.push([src, imm, next, index]);
      return 0xabcd_0000_1234n + BigInt(imm);
    };
    assert.equal(
      r0([I(0xb7), I(LDDW, 0, 2, 0, 5), I(0, 0, 0, 0, 8), EXIT], { resolveLddw }),
      0xabcd_0000_1239n,
    );
    assert.deepEqual(seen, [[2, 5, 8, 1]]);
  });

  test('run arguments: r1-r5 as bigint or safe integer; misuse is a TypeError or RangeError', () => {
    assert.equal(r0('mov %r0, %r5\nexit', { r5: -1 }), u64(-1n));
    assert.equal(r0('mov %r0, %r5\nexit', { r5: (1n << 64n) + 3n }), 3n);
    const p = loadProgram(assembleUbpf('mov %r0, %r10\nexit'));
    const fp = p.run({ mem }).r0;
    assert.ok(fp % 8n === 0n && fp > 0x1000n && fp <= BigInt(mem.size), `r10 = 0x${fp.toString(16)}`);
    assert.throws(() => p.run({ mem, r1: 1.5 }), TypeError);
    assert.throws(() => p.run({} as never), TypeError);
    assert.throws(() => p.run({ mem, regions: [{ addr: 0, size: 8 }] }), RangeError);
    assert.throws(() => p.run({ mem, regions: [{ addr: mem.size - 4, size: 8 }] }), RangeError);
    assert.throws(() => loadProgram([EXIT], { helpers: {} as never }), TypeError);
    assert.equal(p.engine, eng);
    assert.equal(p.length, 2);
  });

  test('may_goto ends its loop once fewer instructions than mayGotoReserve are left in the budget', () => {
    // r0 counts iterations of a may_goto loop; with budget 1000 and reserve 100 the loop ends early
    // (may_goto may jump at any time) and the run completes instead of running out of budget.
    const insns = assembleLlvm(`r0 = 0
l:
may_goto +2
r0 += 1
goto l
exit`);
    const free = loadProgram(insns, { budget: 1000 });
    assert.throws(
      () => free.run({ mem }),
      (e: unknown) => e instanceof BpfFault && e.code === 'E_BUDGET',
    );
    const reserved = loadProgram(insns, { budget: 1000, mayGotoReserve: 100 });
    const r = reserved.run({ mem });
    assert.ok(Number(r.r0) > 250 && r.executed <= 1000, `r0 ${r.r0}, executed ${r.executed}`);
    assert.throws(() => loadProgram(insns, { mayGotoReserve: -1 }), RangeError);
  });
}
