/**
 * Base helpers 5 (ktime_get_ns), 7 (get_prandom_u32), 8 (get_smp_processor_id) and their
 * registration: prototypes, options, the tail_call entry only with a resolver. trace_printk (6) is in
 * base-helpers-printk.test.ts, tail calls (12) in tail-call.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { prandomU32, registerBaseHelpers } from '../src/ebpf/base-helpers.js';
import { ProgramLoadError } from '../src/ebpf/faults.js';
import { type HelperDef, HelperRegistry } from '../src/ebpf/helpers.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { TraceLog } from '../src/ebpf/trace.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_FUNC_get_prandom_u32,
  BPF_FUNC_get_smp_processor_id,
  BPF_FUNC_ktime_get_ns,
  BPF_FUNC_tail_call,
  BPF_FUNC_trace_printk,
} from '../src/uapi/bpf.js';
import { perEngine } from './engines.js';

const mem = new AddressSpace({ size: 1024 * 1024 });

/** Run `asm` with the base helpers registered with `options`. */
function r0(asm: string, options: Parameters<typeof registerBaseHelpers>[1] = {}): bigint {
  const helpers = new HelperRegistry();
  registerBaseHelpers(helpers, options);
  return loadProgram(assembleUbpf(asm), { helpers }).run({ mem }).r0;
}

/** Store r0 of `n` calls of helper `id` at [r10-8*k] and return them (via a ctx buffer). */
function calls(id: number, n: number, options: Parameters<typeof registerBaseHelpers>[1] = {}): bigint[] {
  const helpers = new HelperRegistry();
  registerBaseHelpers(helpers, options);
  const buf = mem.alloc(8 * n);
  try {
    const body = Array.from({ length: n }, (_, k) => `call ${id}\nstxdw [%r6+${8 * k}], %r0`).join('\n');
    loadProgram(assembleUbpf(`mov %r6, %r1\n${body}\nmov %r0, 0\nexit`), { helpers }).run({
      mem,
      r1: buf,
      regions: [{ addr: buf, size: 8 * n }],
    });
    return Array.from({ length: n }, (_, k) => mem.readU64(buf + 8 * k));
  } finally {
    mem.free(buf);
  }
}

const loadProgram = perEngine(suite);

function suite(eng: EngineKind): void {
  void eng;
  test('the base helpers have the kernel prototypes', () => {
    const helpers = new HelperRegistry();
    const { ids, trace } = registerBaseHelpers(helpers, { resolveTailCall: () => null });
    assert.ok(trace instanceof TraceLog);
    assert.deepEqual(ids, [5, 6, 7, 8, 12]);
    const proto = (h: HelperDef | undefined): unknown =>
      h && { name: h.name, args: h.args, ret: h.ret, gpl: h.gplOnly, sleepable: h.sleepableOnly };
    const want: [number, unknown][] = [
      [
        BPF_FUNC_ktime_get_ns,
        { name: 'ktime_get_ns', args: [], ret: 'RET_INTEGER', gpl: false, sleepable: false },
      ],
      [
        BPF_FUNC_trace_printk,
        {
          name: 'trace_printk',
          args: ['ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE'],
          ret: 'RET_INTEGER',
          gpl: true,
          sleepable: false,
        },
      ],
      [
        BPF_FUNC_get_prandom_u32,
        { name: 'get_prandom_u32', args: [], ret: 'RET_INTEGER', gpl: false, sleepable: false },
      ],
      [
        BPF_FUNC_get_smp_processor_id,
        { name: 'get_smp_processor_id', args: [], ret: 'RET_INTEGER', gpl: false, sleepable: false },
      ],
      [
        BPF_FUNC_tail_call,
        {
          name: 'tail_call',
          args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
          ret: 'RET_VOID',
          gpl: false,
          sleepable: false,
        },
      ],
    ];
    for (const [id, p] of want) assert.deepEqual(proto(helpers.get(id)), p, `helper ${id}`);
  });

  test('tail_call is registered only with a resolver; a program calling it without one does not load', () => {
    const helpers = new HelperRegistry();
    assert.deepEqual(registerBaseHelpers(helpers).ids, [5, 6, 7, 8]);
    assert.equal(helpers.has(BPF_FUNC_tail_call), false);
    assert.throws(
      () => loadProgram(assembleUbpf('call 12\nexit'), { helpers }),
      (e: unknown) => e instanceof ProgramLoadError && e.code === 'E_HELPER_UNKNOWN',
    );
  });

  test('registerBaseHelpers refuses bad options and taken ids, registering nothing', () => {
    const bad: [string, Parameters<typeof registerBaseHelpers>[1]][] = [
      ['seed not an integer', { seed: 1.5 }],
      ['trace not a TraceLog', { trace: {} as TraceLog }],
      ['clock not a function', { clock: 5 as unknown as () => bigint }],
      ['resolver not a function', { resolveTailCall: 'x' as unknown as () => null }],
    ];
    for (const [what, o] of bad)
      assert.throws(() => registerBaseHelpers(new HelperRegistry(), o), TypeError, what);
    assert.throws(() => registerBaseHelpers({} as HelperRegistry), TypeError);
    const taken = new HelperRegistry().register({
      id: 7,
      name: 'mine',
      args: [],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly: false,
      impl: () => 0n,
    });
    assert.throws(() => registerBaseHelpers(taken), /helper id 7 \(get_prandom_u32\) is already registered/);
    assert.deepEqual(
      taken.list().map((h) => h.id),
      [7],
    );
  });

  test('ktime_get_ns reads CLOCK_MONOTONIC (process.hrtime.bigint) and never goes back', () => {
    const before = process.hrtime.bigint();
    const [a, b] = calls(BPF_FUNC_ktime_get_ns, 2);
    const after = process.hrtime.bigint();
    assert.ok(a !== undefined && b !== undefined);
    assert.ok(before <= a && a <= b && b <= after, `${before} <= ${a} <= ${b} <= ${after}`);
    // A clock option replaces it.
    let t = 41n;
    assert.deepEqual(calls(BPF_FUNC_ktime_get_ns, 3, { clock: () => (t += 1n) }), [42n, 43n, 44n]);
  });

  test('get_prandom_u32 is 32 bits, reproducible with a seed, different across seeds', () => {
    const a = calls(BPF_FUNC_get_prandom_u32, 64, { seed: 12345 });
    const b = calls(BPF_FUNC_get_prandom_u32, 64, { seed: 12345 });
    const c = calls(BPF_FUNC_get_prandom_u32, 64, { seed: 12346 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const ref = prandomU32(12345);
    assert.deepEqual(
      a,
      a.map(() => BigInt(ref())),
    );
    for (const v of [...a, ...c]) assert.ok(v >= 0n && v < 1n << 32n, `${v} is a u32`);
    assert.equal(new Set(a).size, a.length, 'no repeats in 64 draws');
    // Every bit is set in some value and clear in another.
    const or = a.reduce((x, y) => x | y, 0n);
    const and = a.reduce((x, y) => x & y, 0xffff_ffffn);
    assert.equal(or, 0xffff_ffffn);
    assert.equal(and, 0n);
    // Unseeded helper sets differ from each other.
    assert.notDeepEqual(calls(BPF_FUNC_get_prandom_u32, 4), calls(BPF_FUNC_get_prandom_u32, 4));
  });

  test('get_prandom_u32 is roughly uniform: byte histogram of 64 KiB draws within 25% of flat', () => {
    const next = prandomU32(7);
    const hist = new Array<number>(256).fill(0);
    for (let i = 0; i < 16384; i++) {
      const v = next();
      for (let k = 0; k < 4; k++) hist[(v >>> (8 * k)) & 0xff]!++;
    }
    for (const n of hist) assert.ok(n > 192 && n < 320, `bucket ${n} of ~256`);
  });

  test('get_smp_processor_id is 0', () => {
    assert.equal(r0('mov %r0, 5\ncall 8\nexit'), 0n);
  });
}
