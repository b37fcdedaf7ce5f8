/**
 * Calls in the JIT against the interpreter: bpf2bpf calls (registers across a call, the frame
 * limit), callx, helper failures, tail calls through a PROG_ARRAY stub (chains, the 33-call limit
 * from a subprogram), nested runs, and the inlined ARRAY map lookup.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleLlvm } from '../src/ebpf/asm/index.js';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { registerBaseHelpers } from '../src/ebpf/base-helpers.js';
import { type LoadOptions, loadProgram } from '../src/ebpf/engine.js';
import { BpfFault } from '../src/ebpf/faults.js';
import { type HelperEnv, HelperRegistry } from '../src/ebpf/helpers.js';
import type { JitProgram } from '../src/ebpf/jit/program.js';
import { registerMapHelpers } from '../src/ebpf/map-helpers.js';
import { MapTable } from '../src/ebpf/maps/index.js';
import type { BpfProgram } from '../src/ebpf/run-env.js';
import { BPF_MAP_TYPE_ARRAY, MAX_TAIL_CALL_CNT } from '../src/uapi/bpf.js';
import { ELOOP } from '../src/uapi/errno.js';
import {
  agree,
  ENGINE_VARIANTS,
  type Ending,
  ending,
  endings,
  helperDef,
  mem,
  NO_GUARDS,
} from './jit-gen-run.js';

const ALL_VARIANTS = [...ENGINE_VARIANTS, NO_GUARDS];

/** Run `src` with r1 = a zeroed 128-byte region on every variant; r0/fault and the region's words. */
function withRegion(
  src: string,
  load: LoadOptions = {},
  variants = ALL_VARIANTS,
): { name: string; end: Ending; words: bigint[] }[] {
  const insns = assembleUbpf(src);
  const addr = mem.alloc(128, 8);
  try {
    return variants.map((v) => {
      mem.zero(addr, 128);
      const end = ending(loadProgram(insns, { ...load, ...v.opts }), {
        r1: addr,
        regions: [{ addr, size: 128, name: 'region' }],
      });
      return { name: v.name, end, words: Array.from({ length: 16 }, (_, k) => mem.readU64(addr + 8 * k)) };
    });
  } finally {
    mem.free(addr);
  }
}

function allSame(rs: { name: string; end: Ending; words: bigint[] }[]): { end: Ending; words: bigint[] } {
  const first = rs[0] as { end: Ending; words: bigint[] };
  const want = { end: first.end, words: first.words };
  for (const r of rs) {
    const end = { ...r.end, executed: r.end.executed === -1 ? want.end.executed : r.end.executed };
    assert.deepEqual({ end, words: r.words }, want, `${r.name} vs interp`);
  }
  return want;
}

/* ------------------------------------------------------------------ bpf2bpf */

test('a bpf2bpf call keeps r6-r9 and returns r1-r5 as the callee left them', () => {
  const regs = (base: number): string =>
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => `mov %r${r}, ${base + r}`).join('\n');
  const src = [
    'stxdw [%r10-8], %r1',
    regs(0),
    'call local sub',
    'stxdw [%r10-16], %r0',
    'ldxdw %r0, [%r10-8]',
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => `stxdw [%r0+${8 * r}], %r${r}`),
    'ldxdw %r1, [%r10-16]',
    'stxdw [%r0+0], %r1',
    'mov %r0, 0',
    'exit',
    'sub:',
    'stdw [%r10-8], 5',
    regs(100),
    'mov %r0, 77',
    'exit',
  ].join('\n');
  const { end, words } = allSame(withRegion(src));
  assert.equal(end.r0, 0n);
  assert.deepEqual(words.slice(0, 10), [77n, 101n, 102n, 103n, 104n, 105n, 6n, 7n, 8n, 9n]);
});

test('the 9th frame faults E_STACK_OVERFLOW at the call on every variant', () => {
  // main calls f, f calls itself: frames 2..8 fit, the 9th does not.
  for (const [src, index] of [
    ['call local f\nexit\nf:\ncall local f\nexit', 2],
    ['mov %r0, 0\ncall local f\nexit\nf:\nadd %r0, 1\njgt %r0, 100, +1\ncall local f\nexit', 5],
  ] as const) {
    for (const [v, e] of endings(src, {}, {}, ALL_VARIANTS)) {
      assert.equal(e.fault, 'E_STACK_OVERFLOW', `${src}: ${v}`);
      assert.equal(e.index, index, `${src}: ${v}`);
    }
  }
  // Depth 8 exactly fits: a counter stops the recursion at the 8th frame.
  const ok = agree(
    'mov %r0, 0\ncall local f\nexit\nf:\nadd %r0, 1\njge %r0, 7, +1\ncall local f\nexit',
    {},
    {},
  );
  assert.equal(ok.r0, 7n);
});

/* ------------------------------------------------------------------ callx, helper failures */

test('callx calls the helper whose id the register holds, or faults at the callx', () => {
  const helpers = new HelperRegistry().register(helperDef(5, (a) => a + 1n));
  const cases: [string, string][] = [
    ['a registered helper', 'mov %r1, 41\nmov %r2, 5\ncall %r2\nexit'],
    ['an id past 0x7fffffff', 'mov %r1, 41\nlddw %r2, 0x80000000\ncall %r2\nexit'],
    ['a negative id', 'mov %r1, 41\nmov %r2, -1\ncall %r2\nexit'],
    ['an unregistered id', 'mov %r1, 41\nmov %r2, 77\nadd %r1, 1\ncall %r2\nexit'],
  ];
  const want = ['r0 42', 'E_FAULT_CALL@3', 'E_FAULT_CALL@2', 'E_HELPER_UNKNOWN@3'];
  cases.forEach(([what, src], k) => {
    for (const [v, e] of endings(src, { helpers }, {}, ALL_VARIANTS))
      assert.equal(e.fault === undefined ? `r0 ${e.r0}` : `${e.fault}@${e.index}`, want[k], `${what}: ${v}`);
  });
});

const failing = new HelperRegistry()
  .register(
    helperDef(60, () => {
      throw new Error('boom');
    }),
  )
  .register(helperDef(61, () => 5 as unknown as bigint))
  .register(helperDef(62, (a) => a * 2n));
const FAILURES: [string, string, number][] = [
  ['a helper that throws', 'mov %r0, 0\ncall 62\ncall 60\nadd %r0, 1\nexit', 2],
  ['a helper that returns a number', 'mov %r1, 3\ncall 62\nmov %r1, %r0\ncall 61\nadd %r0, 1\nexit', 3],
  ['a throwing helper in a loop', 'mov %r6, 3\ncall 62\nsub %r6, 1\njne %r6, 0, -3\ncall 60\nexit', 4],
  ['a throwing helper in a subprogram', 'call local f\nadd %r0, 1\nexit\nf:\nmov %r0, 1\ncall 60\nexit', 4],
  ['callx of a throwing helper', 'mov %r2, 60\ncall %r2\nadd %r0, 1\nexit', 1],
];

test('a helper that fails stops the run with E_HELPER at the call on every variant', () => {
  for (const [what, src, index] of FAILURES) {
    for (const [v, e] of endings(src, { helpers: failing }, {}, ALL_VARIANTS)) {
      assert.equal(e.fault, 'E_HELPER', `${what}: ${v}`);
      assert.equal(e.index, index, `${what}: ${v}`);
    }
  }
});

test('a fault in a helper or a callee reports the instructions executed up to it, as the interpreter', () => {
  for (const [, src] of FAILURES) agree(src, { helpers: failing });
  // A memory fault in a callee: interp 4, jit count 7.
  agree(
    'mov %r0, 0\ncall local +3\nadd %r0, 1\nadd %r0, 1\nexit\nmov %r3, 0x134\nldxb %r3, [%r3+0x3c]\nexit',
  );
  // The 9th frame: interp 8, jit count 15; callx of a bad id: interp 3, jit count 4.
  agree('call local f\nexit\nf:\ncall local f\nexit');
  agree('mov %r1, 41\nlddw %r2, 0x80000000\ncall %r2\nexit', { helpers: failing });
});

/* ------------------------------------------------------------------ tail calls */

const MAP = 0xabc0_0000_0001n;
const TC = `lddw %r2, 0x${MAP.toString(16)}`;

/** A PROG_ARRAY stub for one engine variant: load programs, fill slots. */
function progArray(opts: LoadOptions) {
  let slots: (BpfProgram | null)[] = [];
  const helpers = new HelperRegistry();
  registerBaseHelpers(helpers, { resolveTailCall: (map, i) => (map === MAP ? (slots[i] ?? null) : null) });
  return {
    helpers,
    load: (src: string, o: LoadOptions = {}): BpfProgram =>
      loadProgram(assembleUbpf(src), { helpers, ...opts, ...o }),
    set: (...progs: (BpfProgram | null)[]): void => {
      slots = progs;
    },
  };
}

/** Build a scenario per variant (`setup` returns the entry program), run it with a 64-byte ctx. */
function tailScenario(
  setup: (a: ReturnType<typeof progArray>) => BpfProgram,
  budget?: number,
): { name: string; end: Ending; ctx: bigint[] }[] {
  return ALL_VARIANTS.map((v) => {
    const entry = setup(progArray(v.opts));
    const ctx = mem.alloc(64, 8);
    mem.zero(ctx, 64);
    try {
      const end = ending(entry, {
        r1: ctx,
        regions: [{ addr: ctx, size: 64, name: 'ctx' }],
        ...(budget === undefined ? {} : { budget }),
      });
      return { name: v.name, end, ctx: Array.from({ length: 8 }, (_, k) => mem.readU64(ctx + 8 * k)) };
    } finally {
      mem.free(ctx);
    }
  });
}

function sameTail(rs: { name: string; end: Ending; ctx: bigint[] }[]): { end: Ending; ctx: bigint[] } {
  const want = rs[0] as { end: Ending; ctx: bigint[] };
  for (const r of rs) {
    const end = { ...r.end, executed: r.end.executed === -1 ? want.end.executed : r.end.executed };
    assert.deepEqual(
      { end: { ...end, executed: 0 }, ctx: r.ctx },
      { end: { ...want.end, executed: 0 }, ctx: want.ctx },
      `${r.name} vs interp`,
    );
  }
  return want;
}

/** Program i of a chain: ctx[0] = ctx[0] * 10 + i, then tail call slot i + 1. */
const link = (i: number): string =>
  `ldxdw %r6, [%r1]\nmul %r6, 10\nadd %r6, ${i}\nstxdw [%r1], %r6\n${TC}\nmov %r3, ${i + 1}\ncall 12\n` +
  `mov %r0, ${100 + i}\nexit`;

const chain = (a: ReturnType<typeof progArray>): BpfProgram => {
  a.set(null, a.load(link(1)), a.load(link(2)), a.load('ldxdw %r0, [%r1]\nadd %r0, 5\nexit'));
  return a.load(link(0));
};

/** A subprogram tail calls Q, which tail calls itself in f's frame until the count is spent. */
const selfFromSub = (a: ReturnType<typeof progArray>): BpfProgram => {
  const bump = 'ldxdw %r7, [%r6]\nadd %r7, 1\nstxdw [%r6], %r7\nmov %r1, %r6';
  a.set(a.load(`mov %r6, %r1\n${bump}\n${TC}\nmov %r3, 0\ncall 12\nexit`));
  return a.load(
    `mov %r6, %r1\ncall local f\nadd %r0, 1000\nexit\nf:\n${bump}\n${TC}\nmov %r3, 0\ncall 12\nmov %r0, 5\nexit`,
  );
};

test('a chain of tail calls ends the same on every variant', () => {
  const r = sameTail(tailScenario(chain));
  assert.equal(r.ctx[0], 12n);
  assert.equal(r.end.r0, 17n);
});

test(`${MAX_TAIL_CALL_CNT} tail calls from a subprogram, then -ELOOP, on every variant`, () => {
  const r = sameTail(tailScenario(selfFromSub, 100_000));
  assert.equal(r.ctx[0], BigInt(MAX_TAIL_CALL_CNT + 1), 'f and 33 entries of Q');
  // The last Q's tail call fails and Q exits with -ELOOP into main, which adds 1000.
  assert.equal(BigInt.asIntN(64, r.end.r0 as bigint), BigInt(-ELOOP) + 1000n);
});

test('a tail-call chain reports the instructions the interpreter counts', () => {
  for (const setup of [chain, selfFromSub]) {
    const rs = tailScenario(setup, 100_000);
    const want = rs[0] as { end: Ending };
    for (const r of rs) if (r.end.executed !== -1) assert.equal(r.end.executed, want.end.executed, r.name);
  }
});

test('a tail call whose chain fits the budget on the interpreter fits it on the JIT', () => {
  const run = (v: (typeof ALL_VARIANTS)[number]) => {
    const a = progArray(v.opts);
    a.set(a.load('mov %r0, 1\nadd %r0, 1\nadd %r0, 1\nexit'));
    return ending(a.load(`${TC}\nmov %r3, 0\ncall 12\nexit`), { budget: 7 });
  };
  for (const v of ALL_VARIANTS) assert.deepEqual(run(v), { r0: 3n, executed: 7 }, v.name);
});

/* ------------------------------------------------------------------ nested runs */

test('a helper that runs another program (nested run) agrees on every variant', () => {
  for (const v of ALL_VARIANTS.slice(1)) {
    const results: Ending[] = [];
    for (const opts of [{ engine: 'interp' as const }, v.opts]) {
      let inner: BpfProgram | null = null;
      const helpers = new HelperRegistry().register({
        ...helperDef(70, () => 0n),
        impl: (env: HelperEnv, r1: bigint) => (inner as BpfProgram).run({ mem: env.mem, r1 }).r0,
      });
      // The inner program uses its own stack: the outer's slots survive the nested run.
      inner = loadProgram(
        assembleUbpf('stdw [%r10-8], 1\nldxdw %r0, [%r10-8]\nadd %r0, %r1\nmul %r0, 3\nexit'),
        { ...opts, helpers },
      );
      const outer = loadProgram(
        assembleUbpf(
          'stdw [%r10-8], 100\nmov %r6, 7\nmov %r1, 5\ncall 70\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nadd %r0, %r6\nexit',
        ),
        { ...opts, helpers },
      );
      results.push(ending(outer));
    }
    const [want, got] = results as [Ending, Ending];
    assert.equal(got.r0, want.r0, v.name);
    assert.equal(want.r0, (1n + 5n) * 3n + 100n + 7n);
  }
});

/* ------------------------------------------------------------------ inlined ARRAY lookup */

test('an ARRAY map lookup in one block is inlined and agrees with the interpreter', () => {
  const table = new MapTable(mem);
  try {
    const helpers = registerMapHelpers(new HelperRegistry(), table);
    const map = table.create({
      type: BPF_MAP_TYPE_ARRAY,
      keySize: 4,
      valueSize: 8,
      maxEntries: 4,
      name: 'arr',
    });
    for (let k = 0; k < 4; k++)
      map.update(new Uint8Array([k, 0, 0, 0]), new Uint8Array([10 + k, 0, 0, 0, 0, 0, 0, 0]));
    // key = r1; lookup; NULL -> 99; else value += 1, then map_update_elem with the value pointer as
    // its value argument (it must accept it: 0, else 1000 + its error), then the value read back.
    const src = `
      *(u32 *)(r10 - 4) = w1
      ld_pseudo r1, 1, ${map.id}
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto +15
      r6 = r0
      r7 = *(u64 *)(r0 + 0)
      r7 += 1
      *(u64 *)(r10 - 16) = r7
      *(u64 *)(r6 + 0) = r7
      ld_pseudo r1, 1, ${map.id}
      r2 = r10
      r2 += -4
      r3 = r6
      r4 = 0
      call 2
      if r0 != 0 goto +4
      r0 = *(u64 *)(r6 + 0)
      exit
      r0 = 99
      exit
      r0 += 1000
      exit`;
    const insns = assembleLlvm(src);
    const load = { helpers, resolveLddw: table.resolveLddw };
    const w = (loadProgram(insns, load) as JitProgram).compiled.wat;
    const h1 = /\(import "env" "h1" \(func \(;(\d+);\)/.exec(w);
    if (h1 !== null) assert.doesNotMatch(w, new RegExp(`^\\s*call ${h1[1]}$`, 'm'), 'no call of h1');
    assert.match(w, /i32\.lt_u/, 'the key is compared with max_entries');
    for (const key of [0, 3, 4, 0xffff_ffff, -1]) {
      const before = map.lookup(new Uint8Array([key & 0xff, 0, 0, 0]));
      const e = agreeWithReset(insns, load, key, map);
      if (key >= 0 && key < 4) assert.equal(e.r0, BigInt((before as Uint8Array)[0]! + 1), `key ${key}`);
      else assert.equal(e.r0, 99n, `key ${key}: out of range, NULL`);
    }
  } finally {
    table.closeAll();
  }
});

/** Every variant from the same map contents (restored before each run). */
function agreeWithReset(
  insns: ReturnType<typeof assembleLlvm>,
  load: LoadOptions,
  key: number,
  map: { lookup(k: Uint8Array): Uint8Array | undefined; update(k: Uint8Array, v: Uint8Array): void },
): Ending {
  const saved = [0, 1, 2, 3].map((k) => map.lookup(new Uint8Array([k, 0, 0, 0])) as Uint8Array);
  let want: Ending | null = null;
  for (const v of ALL_VARIANTS) {
    saved.forEach((val, k) => {
      map.update(new Uint8Array([k, 0, 0, 0]), val);
    });
    const e = ending(loadProgram(insns, { ...load, ...v.opts }), { r1: key });
    if (want === null) want = e;
    else assert.deepEqual({ ...e, executed: e.executed === -1 ? want.executed : e.executed }, want, v.name);
  }
  return want as Ending;
}

test('a callee frame is zeroed on entry and a callee may reach its caller frame through r10', () => {
  const cases: [string, string, bigint][] = [
    [
      'a value below the frame, under the callee frame',
      'stdw [%r10-520], 0x55\ncall local f\nldxdw %r0, [%r10-520]\nexit\nf:\nexit',
      0n,
    ],
    [
      'the caller frame read from the callee',
      'stdw [%r10-8], 0x66\ncall local f\nexit\nf:\nldxdw %r0, [%r10+504]\nexit',
      0x66n,
    ],
    [
      'the caller frame written by the callee',
      'stdw [%r10-8], 1\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r10+504], 9\nexit',
      9n,
    ],
  ];
  for (const [what, src, want] of cases) assert.equal(agree(src).r0, want, what);
});

test('a helper may run the same program again (recursive nested runs) with its own count', () => {
  for (const v of ALL_VARIANTS) {
    let self: BpfProgram | null = null;
    const helpers = new HelperRegistry().register({
      ...helperDef(71, () => 0n),
      impl: (env: HelperEnv, r1: bigint) => (self as BpfProgram).run({ mem: env.mem, r1 }).r0,
    });
    // r1 = n: n == 0 ? 1 : n * self(n - 1), with a stack slot that must survive the nested run.
    self = loadProgram(
      assembleUbpf(
        'stxdw [%r10-8], %r1\njne %r1, 0, +2\nmov %r0, 1\nexit\nsub %r1, 1\ncall 71\nldxdw %r1, [%r10-8]\nmul %r0, %r1\nexit',
      ),
      { ...v.opts, helpers },
    );
    const r = self.run({ mem, r1: 10 });
    assert.equal(r.r0, 3628800n, v.name);
    // The outer run counts its own instructions only: 7 when n > 0.
    if (r.executed !== -1) assert.equal(r.executed, 7, v.name);
  }
});

test('run arguments (numbers, bigints, negative, past 2^63) reach r1-r5 alike', () => {
  const src =
    'mov %r0, %r1\nxor %r0, %r2\nrsh %r3, 1\nadd %r0, %r3\nmul %r4, 3\nxor %r0, %r4\narsh %r5, 7\nadd %r0, %r5\nexit';
  const args = [
    { r1: -1, r2: 5n, r3: 2n ** 64n - 3n, r4: -(2n ** 63n), r5: Number.MAX_SAFE_INTEGER },
    { r1: 0, r2: -7, r3: 1, r4: 2n ** 63n, r5: -1n },
  ];
  for (const a of args) agree(src, {}, a, ALL_VARIANTS);
});

test('a tail call into a program of the other engine stops the run with E_HELPER at the call', () => {
  for (const [from, to] of [
    ['jit', 'interp'],
    ['interp', 'jit'],
  ] as const) {
    const a = progArray({ engine: to });
    a.set(a.load('mov %r0, 1\nexit'));
    const entry = loadProgram(assembleUbpf(`${TC}\nmov %r3, 0\ncall 12\nexit`), {
      helpers: a.helpers,
      engine: from,
    });
    assert.throws(
      () => entry.run({ mem }),
      (e: unknown) =>
        e instanceof BpfFault &&
        e.code === 'E_HELPER' &&
        e.index === 3 &&
        /expected a program loaded by/.test(e.message),
      `${from} -> ${to}`,
    );
  }
});
