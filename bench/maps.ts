/**
 * Map speed (and object load time, bench/object.ts): hash map lookups and updates from TypeScript (typed u32 -> u64 view and raw bytes, with
 * a JavaScript Map<number, bigint> as a reference point) and from a BPF program running on the
 * interpreter (a loop of map_lookup_elem or map_update_elem calls), on a HASH of 4096 u32 keys
 * (max_entries 8192, u64 values).
 *
 * TypeScript cases: time-boxed runs (harness.measure), ops/s; every lookup's value is checked.
 * Program cases: whole runs of N calls, ns per helper call; each run's r0 (the sum of the values
 * found, or 0 for the updates) and the map's content after the update loop are checked. "net" is
 * the same loop with each call replaced by a move: what the helper call itself costs.
 */
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import { loadInterpProgram as loadProgram } from '../src/ebpf/interp.js';
import { registerMapHelpers } from '../src/ebpf/map-helpers.js';
import { type HashMap, MapTable } from '../src/ebpf/maps/index.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { BPF_ANY, BPF_MAP_TYPE_HASH } from '../src/uapi/bpf.js';
import { type BenchCase, measure, median, type Runner, type Timing } from './harness.js';
import { OBJECT_CASES } from './object.js';

const KEYS = 4096;
const MASK = KEYS - 1;
const MAX_ENTRIES = 8192;
/** Value of key k after the fill. */
const filled = (k: number): bigint => BigInt(k) * 3n + 1n;

function fail(what: string): never {
  throw new Error(`maps bench: ${what}`);
}

interface Fixture {
  readonly mem: AddressSpace;
  readonly table: MapTable;
  readonly map: HashMap;
}

function fixture(): Fixture {
  const mem = new AddressSpace({ size: 16 * 1024 * 1024 });
  const table = new MapTable(mem);
  const map = table.create({
    type: BPF_MAP_TYPE_HASH,
    keySize: 4,
    valueSize: 8,
    maxEntries: MAX_ENTRIES,
    name: 'bench',
  });
  for (let k = 0; k < KEYS; k++) map.u64.set(k, filled(k));
  return { mem, table, map };
}

const le32 = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k]).buffer);
const le64 = (v: bigint): Uint8Array => new Uint8Array(new BigUint64Array([v]).buffer);

/* ------------------------------------------------------------------ TypeScript cases */

function tsCase(name: string, make: (f: Fixture) => (iters: number, from: number) => void): BenchCase {
  return {
    group: 'maps',
    name,
    batch: 1,
    open(): Runner {
      const f = fixture();
      const body = make(f);
      let from = 0;
      return {
        chunk(iters: number): number {
          body(iters, from);
          from = (from + iters) & MASK;
          return iters;
        },
        async close() {
          f.table.closeAll();
        },
      };
    },
  };
}

const TS_CASES: readonly BenchCase[] = [
  tsCase('TS typed map.u64.get (hit)', ({ map }) => {
    const v = map.u64;
    return (iters, from) => {
      for (let i = 0; i < iters; i++) {
        const k = (from + i) & MASK;
        if (v.get(k) !== filled(k)) fail(`u64.get(${k}) = ${v.get(k)}, expected ${filled(k)}`);
      }
    };
  }),
  tsCase('TS typed map.u64.set (existing key)', ({ map }) => {
    const v = map.u64;
    return (iters, from) => {
      for (let i = 0; i < iters; i++) {
        const k = (from + i) & MASK;
        v.set(k, filled(k), BPF_ANY);
      }
      if (v.get(from) !== filled(from)) fail(`u64.set did not keep key ${from}`);
    };
  }),
  tsCase('TS bytes map.lookup (hit)', ({ map }) => {
    const keys = Array.from({ length: KEYS }, (_, k) => le32(k));
    return (iters, from) => {
      for (let i = 0; i < iters; i++) {
        const k = (from + i) & MASK;
        const got = map.lookup(keys[k]!);
        if (got === undefined || got[0] !== Number(filled(k) & 0xffn)) fail(`lookup(${k}) = ${got}`);
      }
    };
  }),
  tsCase('TS bytes map.update (existing key)', ({ map }) => {
    const keys = Array.from({ length: KEYS }, (_, k) => le32(k));
    const values = Array.from({ length: KEYS }, (_, k) => le64(filled(k)));
    return (iters, from) => {
      for (let i = 0; i < iters; i++) {
        const k = (from + i) & MASK;
        map.update(keys[k]!, values[k]!, BPF_ANY);
      }
      if (map.u64.get(from) !== filled(from)) fail(`update did not keep key ${from}`);
    };
  }),
  tsCase('TS typed insert + delete (fresh key)', ({ map }) => {
    const v = map.u64;
    return (iters, from) => {
      for (let i = 0; i < iters; i++) {
        const k = KEYS + ((from + i) & MASK);
        v.set(k, 1n);
        if (!v.delete(k)) fail(`delete(${k}) found nothing`);
      }
      if (map.count !== KEYS) fail(`count ${map.count}, expected ${KEYS}`);
    };
  }),
  tsCase('JS Map<number, bigint>.get (reference)', () => {
    const m = new Map<number, bigint>();
    for (let k = 0; k < KEYS; k++) m.set(k, filled(k));
    return (iters, from) => {
      for (let i = 0; i < iters; i++) {
        const k = (from + i) & MASK;
        if (m.get(k) !== filled(k)) fail(`Map.get(${k})`);
      }
    };
  }),
];

/* ------------------------------------------------------------------ program cases */

/** A loop of n calls: key = i & MASK on the stack; `body` does the call (or its stand-in). */
function loopProgram(mapId: number, n: number, body: string): string {
  return `
    r6 = 0
    r7 = 0
  loop:
    r1 = r6
    r1 &= ${MASK}
    *(u32 *)(r10 - 4) = r1
    *(u64 *)(r10 - 16) = r6
    ld_pseudo r1, 1, ${mapId}
    r2 = r10
    r2 += -4
    ${body}
    r6 += 1
    if r6 < ${n} goto loop
    r0 = r7
    exit`;
}

const LOOKUP = (call: string): string => `
    ${call}
    if r0 == 0 goto miss
    r1 = *(u64 *)(r0 + 0)
    r7 += r1
  miss:`;
const UPDATE = (call: string): string => `
    r3 = r10
    r3 += -16
    r4 = 0
    ${call}
    r7 |= r0`;

interface ProgCase {
  readonly name: string;
  readonly body: (call: string) => string;
  readonly call: string;
  /** The same loop without the helper: r0 stands in. */
  readonly standIn: string;
  /** Expected r0 of a run of n calls. */
  readonly r0: (n: number) => bigint;
  /** Check the map after a run of n calls. */
  readonly after: (map: HashMap, n: number) => void;
}

const PROG_CASES: readonly ProgCase[] = [
  {
    name: 'BPF map_lookup_elem (hit) + load',
    body: LOOKUP,
    call: 'call 1',
    standIn: 'r0 = r10\n    r0 += -16',
    r0: (n) => {
      let s = 0n;
      for (let i = 0; i < n; i++) s += filled(i & MASK);
      return s;
    },
    after: () => {},
  },
  {
    name: 'BPF map_update_elem (existing key)',
    body: UPDATE,
    call: 'call 2',
    standIn: 'r0 = 0',
    r0: () => 0n,
    after: (map, n) => {
      // Each key holds the last i that mapped to it; then restore the fill.
      for (let k = 0; k < KEYS; k++) {
        const last = Math.floor((n - 1 - k) / KEYS) * KEYS + k;
        const want = last < 0 ? filled(k) : BigInt(last);
        if (map.u64.get(k) !== want)
          fail(`after the update loop key ${k} = ${map.u64.get(k)}, expected ${want}`);
        map.u64.set(k, filled(k));
      }
    },
  },
];

export interface MapsRow {
  readonly name: string;
  /** Operations (or helper calls) per second, per timed run. */
  readonly runs: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Program cases: ns per call net of the loop (median), else null. */
  readonly netNs: number | null;
  readonly what: string;
}

export interface MapsReport {
  readonly timing: Timing;
  readonly callsPerRun: number;
  readonly progRuns: number;
  readonly rows: readonly MapsRow[];
}

export interface MapsGroupOptions {
  readonly quick: boolean;
  readonly timing: Timing;
  readonly progress: (line: string) => void;
}

export async function runMapsGroup(opts: MapsGroupOptions): Promise<MapsReport> {
  const rows: MapsRow[] = [];
  for (const c of [...TS_CASES, ...OBJECT_CASES]) {
    const s = await measure(c, opts.timing, opts.progress);
    rows.push({
      name: c.name,
      runs: s.runs,
      median: s.median,
      min: s.min,
      max: s.max,
      netNs: null,
      what: 'ops/s',
    });
  }
  const n = opts.quick ? 100_000 : 1_000_000;
  const progRuns = opts.quick ? 3 : 7;
  const f = fixture();
  const helpers = registerMapHelpers(new HelperRegistry(), f.table);
  try {
    for (const c of PROG_CASES) {
      const load = (body: string) =>
        loadProgram(assembleLlvm(loopProgram(f.map.id, n, body)), {
          helpers,
          resolveLddw: f.table.resolveLddw,
        });
      const prog = load(c.body(c.call));
      const base = load(c.body(c.standIn));
      const timeRun = (p: typeof prog, check: boolean): number => {
        const t0 = process.hrtime.bigint();
        const r = p.run({ mem: f.mem });
        const ns = Number(process.hrtime.bigint() - t0);
        if (check) {
          if (r.r0 !== c.r0(n)) fail(`${c.name}: r0 ${r.r0}, expected ${c.r0(n)}`);
          c.after(f.map, n);
        }
        return ns / n;
      };
      timeRun(prog, true);
      timeRun(base, false);
      const perCall: number[] = [];
      const net: number[] = [];
      for (let i = 0; i < progRuns; i++) {
        const ns = timeRun(prog, true);
        const nsBase = timeRun(base, false);
        perCall.push(ns);
        net.push(ns - nsBase);
        opts.progress(
          `${c.name}: run ${i + 1}/${progRuns} ${ns.toFixed(1)} ns/call (${(ns - nsBase).toFixed(1)} net)`,
        );
      }
      const rates = perCall.map((ns) => 1e9 / ns);
      rows.push({
        name: c.name,
        runs: rates,
        median: median(rates),
        min: Math.min(...rates),
        max: Math.max(...rates),
        netNs: median(net),
        what: 'calls/s',
      });
    }
  } finally {
    f.table.closeAll();
  }
  return { timing: opts.timing, callsPerRun: n, progRuns, rows };
}

export function mapsTable(report: MapsReport): { lines: string[]; header: string[]; body: string[][] } {
  const lines = [
    `maps: HASH of ${KEYS} u32 keys -> u64 values (max_entries ${MAX_ENTRIES}). TypeScript: ${report.timing.runs} runs of`,
    `  ${report.timing.runMs} ms, every value checked. BPF: ${report.progRuns} interpreter runs of a loop of ${report.callsPerRun} calls, r0`,
    '  and the map checked; ns/op = per call including the loop, net = minus the same loop without the call.',
  ];
  const header = ['benchmark', 'median ops/s', 'ns/op', '(min-max ns)', 'net ns/call'];
  const body = report.rows.map((r) => [
    r.name,
    r.median >= 1e6 ? `${(r.median / 1e6).toFixed(2)} M/s` : `${(r.median / 1e3).toFixed(1)} k/s`,
    (1e9 / r.median).toFixed(1),
    `(${(1e9 / r.max).toFixed(1)}-${(1e9 / r.min).toFixed(1)})`,
    r.netNs === null ? '-' : r.netNs.toFixed(1),
  ]);
  return { lines, header, body };
}

export function mapsJson(report: MapsReport): unknown {
  const round = (x: number): number => Number(x.toFixed(2));
  return {
    settings: {
      keys: KEYS,
      maxEntries: MAX_ENTRIES,
      timing: report.timing,
      callsPerRun: report.callsPerRun,
      progRuns: report.progRuns,
    },
    results: report.rows.map((r) => ({
      group: 'maps',
      benchmark: r.name,
      unit: r.what,
      opsPerSec: {
        median: Math.round(r.median),
        min: Math.round(r.min),
        max: Math.round(r.max),
        runs: r.runs.map(Math.round),
      },
      nsPerOp: round(1e9 / r.median),
      netNsPerCall: r.netNs === null ? null : round(r.netNs),
    })),
  };
}
