/**
 * The base helpers every program type gets, for the interpreter:
 *
 *   5  ktime_get_ns()                       CLOCK_MONOTONIC in ns
 *   6  trace_printk(fmt, fmt_size, a1, a2, a3)  formatted text to a TraceLog (trace.ts)
 *   7  get_prandom_u32()                    32 pseudo-random bits (seedable)
 *   8  get_smp_processor_id()               0
 *  12  tail_call(ctx, prog_array, index)    replace the running program (interp-tail.ts)
 *
 *   const { trace } = registerBaseHelpers(registry, { seed: 1, resolveTailCall });
 *
 * Prototypes are the kernel's (kernel/bpf/helpers.c, kernel/trace/bpf_trace.c, kernel/bpf/core.c).
 *
 * ktime_get_ns: process.hrtime.bigint() by default, which is libuv's uv_hrtime(): clock_gettime
 * (CLOCK_MONOTONIC) on Linux, the clock of the kernel's ktime_get_mono_fast_ns(); other systems give
 * their monotonic clock. A `clock` option replaces it (and the trace timestamps) in tests.
 *
 * get_smp_processor_id is 0: programs run on the thread that calls run(), one CPU as far as a
 * program can tell (per-CPU maps have one slot in use).
 *
 * get_prandom_u32: xoshiro128** seeded through splitmix32 from the `seed` option (reproducible
 * runs), else from crypto.getRandomValues. Not cryptographic, as the kernel's is not.
 *
 * trace_printk: fmt must be readable for fmt_size bytes (the verifier's ARG_PTR_TO_MEM rule; else
 * the run faults with E_FAULT_MEM) and hold a NUL within them (else -EINVAL); the rest of the rules
 * are formatTracePrintk's (trace.ts). A string (%s) is read through what the program may read. The
 * result is the length of the formatted text, as the kernel's; the line goes to the TraceLog.
 *
 * tail_call: registered only with a `resolveTailCall` option, which maps (map handle, index) to a
 * program loaded by loadProgram() or null (index out of range, empty slot). The index is the low 32
 * bits of r3 (the kernel's u32). See interp.ts tailCall() for the count and the return values.
 */
import {
  BPF_FUNC_get_prandom_u32,
  BPF_FUNC_get_smp_processor_id,
  BPF_FUNC_ktime_get_ns,
  BPF_FUNC_tail_call,
  BPF_FUNC_trace_printk,
} from '../uapi/bpf.js';
import { EINVAL } from '../uapi/errno.js';
import { BpfFault } from './faults.js';
import { type HelperDef, type HelperEnv, HelperRegistry } from './helpers.js';
import { type BpfProgram, tailCall } from './run-env.js';
import { formatTracePrintk, type PrintkMemory, TraceLog } from './trace.js';

/** Finds the program at `index` of the PROG_ARRAY map `mapHandle` (r2 as the program passed it). */
export type TailCallResolver = (mapHandle: bigint, index: number) => BpfProgram | null;

export interface BaseHelperOptions {
  /** Where trace_printk writes; default a new TraceLog (nothing is printed). */
  readonly trace?: TraceLog;
  /** Seed of get_prandom_u32 (an integer), for reproducible runs; default random. */
  readonly seed?: number;
  /** The clock of ktime_get_ns and of trace timestamps, in ns; default process.hrtime.bigint. */
  readonly clock?: () => bigint;
  /** Enables tail_call (12): the PROG_ARRAY lookup. */
  readonly resolveTailCall?: TailCallResolver;
}

export interface BaseHelpers {
  /** The log trace_printk writes to. */
  readonly trace: TraceLog;
  /** The helper ids registered, ascending. */
  readonly ids: readonly number[];
}

const TWO32 = 0x1_0000_0000n;

const hrtimeNs = (): bigint => process.hrtime.bigint();

/** xoshiro128** over four u32 words seeded by splitmix32. */
export function prandomU32(seed: number): () => number {
  let x = seed >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
}

const rotl = (v: number, k: number): number => (v << k) | (v >>> (32 - k));

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** A u64 register as an address, or -1 when it cannot be one (the high half set). */
const addr = (v: bigint): number => (v < TWO32 ? Number(v) : -1);

/** The reads trace_printk's formatter makes, limited to what the program may read. */
function printkMemory(env: HelperEnv): PrintkMemory {
  return {
    cstring(p: bigint, max: number): Uint8Array | null {
      const a = addr(p);
      if (a < 0) return null;
      // As strncpy_from_kernel_nofault: up to max bytes are read; a fault anywhere fails the copy;
      // without a NUL among them, the first max - 1 are kept.
      for (let n = 0; n < max; n++) {
        if (!env.readable(a + n, 1)) return null;
        if (env.mem.readU8(a + n) === 0) return env.mem.readBytes(a, n);
      }
      return env.mem.readBytes(a, max - 1);
    },
    bytes(p: bigint, n: number): Uint8Array | null {
      const a = addr(p);
      return a >= 0 && env.readable(a, n) ? env.mem.readBytes(a, n) : null;
    },
  };
}

const utf8 = new TextDecoder('utf-8');

function def(
  id: number,
  name: string,
  args: HelperDef['args'],
  ret: HelperDef['ret'],
  gplOnly: boolean,
  impl: HelperDef['impl'],
): HelperDef {
  return { id, name, args, ret, sleepableOnly: false, gplOnly, impl };
}

/**
 * Register helpers 5, 6, 7, 8 (and 12 with `resolveTailCall`) in `registry`. TypeError on bad
 * options or when one of the ids is already registered.
 */
export function registerBaseHelpers(registry: HelperRegistry, options: BaseHelperOptions = {}): BaseHelpers {
  if (!(registry instanceof HelperRegistry))
    throw new TypeError('registerBaseHelpers: registry must be a HelperRegistry');
  const { trace = new TraceLog(), seed, clock = hrtimeNs, resolveTailCall } = options;
  if (!(trace instanceof TraceLog)) throw new TypeError('registerBaseHelpers: trace must be a TraceLog');
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new TypeError(`registerBaseHelpers: seed must be a safe integer, got ${seed}`);
  if (typeof clock !== 'function') throw new TypeError('registerBaseHelpers: clock must be a function');
  if (resolveTailCall !== undefined && typeof resolveTailCall !== 'function')
    throw new TypeError('registerBaseHelpers: resolveTailCall must be a function');
  const next = prandomU32(seed ?? randomSeed());

  const defs: HelperDef[] = [
    def(BPF_FUNC_ktime_get_ns, 'ktime_get_ns', [], 'RET_INTEGER', false, () => clock()),
    def(
      BPF_FUNC_trace_printk,
      'trace_printk',
      // The kernel's prototype declares fmt and its size only: r3-r5 (up to three values the format
      // prints) are not checked, so a call with fewer values passes.
      ['ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE'],
      'RET_INTEGER',
      true,
      (env, fmt, size, a1, a2, a3) => {
        const len = Number(size & 0xffff_ffffn);
        if (len === 0) return BigInt(-EINVAL); // no room for the NUL
        const at = addr(fmt);
        if (at < 0 || !env.readable(at, len)) {
          throw new BpfFault(
            'E_FAULT_MEM',
            0,
            `fmt [0x${fmt.toString(16)}, +0x${len.toString(16)}) is not memory the program may read: expected a readable format of fmt_size bytes`,
          );
        }
        const bytes = env.mem.readBytes(at, len);
        const nul = bytes.indexOf(0);
        if (nul < 0) return BigInt(-EINVAL);
        const r = formatTracePrintk(bytes.subarray(0, nul), [a1, a2, a3], printkMemory(env));
        if (typeof r === 'number') return BigInt(r);
        const end = r.bytes.indexOf(0);
        trace.write(utf8.decode(end < 0 ? r.bytes : r.bytes.subarray(0, end)), clock());
        return BigInt(r.length);
      },
    ),
    def(BPF_FUNC_get_prandom_u32, 'get_prandom_u32', [], 'RET_INTEGER', false, () => BigInt(next())),
    def(BPF_FUNC_get_smp_processor_id, 'get_smp_processor_id', [], 'RET_INTEGER', false, () => 0n),
  ];
  if (resolveTailCall !== undefined) {
    defs.push(
      def(
        BPF_FUNC_tail_call,
        'tail_call',
        ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
        'RET_VOID',
        false,
        (env, _ctx, map, index) => tailCall(env, () => resolveTailCall(map, Number(index & 0xffff_ffffn))),
      ),
    );
  }
  for (const d of defs) {
    if (registry.has(d.id)) {
      throw new TypeError(`registerBaseHelpers: helper id ${d.id} (${d.name}) is already registered`);
    }
  }
  for (const d of defs) registry.register(d);
  return { trace, ids: defs.map((d) => d.id) };
}
