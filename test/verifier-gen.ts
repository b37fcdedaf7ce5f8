/**
 * A seeded generator of random BPF_PROG_TYPE_IOURING programs for the verifier's soundness test and
 * benchmark: plausible programs (scalar ALU of every kind, ctx fields, stack stores and loads, map
 * lookups with null checks, map value accesses at constant and variable offsets, bounded loops,
 * forward branches, pointer spills, pointer arithmetic, helper calls, bpf2bpf calls, ring buffer
 * reservations) that are often verifiable but not always: each program has a fault rate, the
 * chance that a fragment is generated in a form the rules refuse (uninitialised reads, out-of-range
 * offsets, unbounded indexes, pointer leaks, wrong helper arguments...). Variable offsets go through
 * random transforms and bound checks, so that whether they are safe is the verifier's call and the
 * interpreter's check, not the generator's.
 *
 * Files: verifier-gen-core.ts (randomness, abstract state, builder, scalar and stack fragments),
 * verifier-gen-frags.ts (maps, helpers, memory), verifier-gen-flow.ts (branches, loops, calls, the
 * program), this one (the entry point and the harness: the maps, the interpreter's run options,
 * the example objects' programs).
 *
 * The generator keeps an abstract view of the registers and the stack (what kind of value each
 * holds, which stack bytes are written) to pick plausible operands; it is conservative at joins.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BpfFault } from '../src/ebpf/faults.js';
import { type HelperDef, HelperRegistry } from '../src/ebpf/helpers.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { LoadOptions, RunOptions } from '../src/ebpf/interp.js';
import { isGplCompatible } from '../src/ebpf/loader.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import type { VerifyOptions } from '../src/ebpf/verifier/api.js';
import { tableMaps } from '../src/ebpf/verifier/map-info.js';
import { IOURING_PROG_TYPE } from '../src/ebpf/verifier/prog-types.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_F_RDONLY_PROG,
  BPF_FUNC_map_lookup_elem,
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_PROG_TYPE_IOURING,
} from '../src/uapi/bpf.js';
import { bpfLoad, iouringRegistry } from '../src/uring/bpf/load.js';
import { BPF_CTX_FIELDS, BPF_CTX_SIZE } from '../src/uring/bpf/run.js';
import { repoRoot } from './helpers.js';
import {
  ARRAY_ENTRIES,
  ARRAY_VALUE,
  type GenMaps,
  HASH_ENTRIES,
  HASH_KEY,
  HASH_VALUE,
  ODD_ENTRIES,
  ODD_VALUE,
  RINGBUF_BYTES,
  Rng,
  RODATA_VALUE,
} from './verifier-gen-core.js';
import { Gen } from './verifier-gen-flow.js';

export { ARRAY_ENTRIES, ARRAY_VALUE, type GenMaps, HASH_KEY, HASH_VALUE, RODATA_VALUE, Rng };

/** The options a program was generated with, for the verifier call. */
export interface GenProgram {
  readonly seed: number;
  readonly insns: Insn[];
  /** GPL-compatible license (VerifyOptions.gpl). */
  readonly gpl: boolean;
  /** Per-fragment chance of a deliberately refused form. */
  readonly faultRate: number;
}

export interface GenOptions {
  /** Fragments of the main body (default random 4-14). */
  readonly fragments?: number;
  /** Force a fault rate (default: 0 for half of the seeds, else 0.03-0.25). */
  readonly faultRate?: number;
  /** Many forward branches over scalars used later as indexes (default: a quarter of the seeds). */
  readonly branchy?: boolean;
}

/** The program of `seed` over the harness maps `ids`. */
export function generateProgram(seed: number, ids: GenMaps, opts: GenOptions = {}): GenProgram {
  const r = new Rng(seed ^ 0x5bd1e995);
  const faultRate = opts.faultRate ?? (r.chance(0.5) ? 0 : 0.03 + r.int(23) / 100);
  const gen = new Gen(seed, ids, faultRate);
  gen.branchy = opts.branchy ?? r.chance(0.25);
  const gpl = !gen.bad();
  const insns = gen.program(opts.fragments ?? gen.r.range(4, 14));
  return { seed, insns, gpl, faultRate };
}

/* ================================================================== the harness */

/** What verify() needs besides the instructions. */
export interface VerifierInputs {
  options(gpl?: boolean): VerifyOptions;
}

/** The maps of the generated programs in their own address space, and how to run programs there. */
export interface Harness extends VerifierInputs {
  readonly ids: GenMaps;
  readonly mem: AddressSpace;
  readonly table: MapTable;
  readonly helpers: HelperRegistry;
  loadOptions(budget: number): LoadOptions;
  /** A run with r1 = the 16-byte ctx (accessible field by field, as the runtime gives it). */
  runOptions(): RunOptions;
  /** New random map contents (biased to edge values) and ctx fields. */
  randomize(rng: Rng): void;
  /** Ring buffer reservations not committed. */
  openReservations(): number;
  /** Consume the ring buffer's records. */
  reset(): void;
}

/**
 * map_lookup_elem granting the program only the element found (the runtime's helper grants the whole
 * storage of the map, so that an access into a neighbouring element would not fault).
 */
function strictLookup(table: MapTable, def: HelperDef): HelperDef {
  return {
    ...def,
    impl: (env, r1, r2) => {
      const map = table.byHandle(Number(r1));
      if (map === undefined) throw new Error(`map_lookup_elem: r1 0x${r1.toString(16)} is no map`);
      const key = Number(r2);
      if (r2 >= 1n << 32n || !env.readable(key, map.keySize))
        throw new BpfFault('E_FAULT_MEM', 0, `map_lookup_elem: key 0x${r2.toString(16)} is not readable`);
      const v = map.lookupAddr(key);
      if (v !== 0) env.grant(v, map.valueSize, map.programWritable, `${map.name} element`);
      return BigInt(v);
    },
  };
}

export function newHarness(): Harness {
  const mem = new AddressSpace({ size: 16 * 1024 * 1024 });
  const table = new MapTable(mem);
  const array = table.create({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: ARRAY_VALUE,
    maxEntries: ARRAY_ENTRIES,
    name: 'array',
  });
  const hash = table.create({
    type: BPF_MAP_TYPE_HASH,
    keySize: HASH_KEY,
    valueSize: HASH_VALUE,
    maxEntries: HASH_ENTRIES,
    name: 'hash',
  });
  const rb = table.create({
    type: BPF_MAP_TYPE_RINGBUF,
    keySize: 0,
    valueSize: 0,
    maxEntries: RINGBUF_BYTES,
    name: 'rb',
  });
  const rodata = table.create({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: RODATA_VALUE,
    maxEntries: 1,
    flags: BPF_F_RDONLY_PROG,
    name: 'rodata',
  });
  const progs = table.create({ type: BPF_MAP_TYPE_PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
  const odd = table.create({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: ODD_VALUE,
    maxEntries: ODD_ENTRIES,
    name: 'odd',
  });
  const helpers = new HelperRegistry();
  for (const d of iouringRegistry(table).helpers.list())
    helpers.register(d.id === BPF_FUNC_map_lookup_elem ? strictLookup(table, d) : d);
  const ctx = mem.alloc(BPF_CTX_SIZE);
  const roAddr = rodata.directValueAddr(0);
  const maps = tableMaps(table);
  return {
    ids: {
      array: array.id,
      hash: hash.id,
      ringbuf: rb.id,
      rodata: rodata.id,
      progArray: progs.id,
      odd: odd.id,
    },
    mem,
    table,
    helpers,
    options: (gpl = true) => ({ helpers, progType: IOURING_PROG_TYPE, map: maps, gpl }),
    loadOptions: (budget) => ({
      helpers,
      resolveLddw: table.resolveLddw,
      budget,
      regions: [{ addr: roAddr, size: RODATA_VALUE, writable: false, name: 'rodata' }],
    }),
    runOptions: () => ({
      mem,
      r1: ctx,
      regions: [{ addr: ctx, size: BPF_CTX_SIZE, writable: true, name: 'ctx', fields: BPF_CTX_FIELDS }],
      ctx: {},
    }),
    randomize(rng) {
      for (let i = 0; i < ARRAY_ENTRIES; i++)
        for (let w = 0; w < ARRAY_VALUE; w += 8) mem.writeU64(array.valueAddr(i) + w, rng.edge());
      for (let w = 0; w < RODATA_VALUE; w += 8) mem.writeU64(roAddr + w, rng.edge());
      for (let i = 0; i < ODD_ENTRIES; i++) {
        const at = odd.valueAddr(i);
        mem.writeU64(at, rng.edge());
        mem.writeU64(at + 8, rng.edge());
        mem.writeU32(at + 16, Number(rng.edge() & 0xffff_ffffn));
      }
      for (const k of [...hash.keys()]) hash.delete(k);
      for (let n = rng.int(9); n > 0; n--) {
        const key = new Uint8Array(HASH_KEY);
        key[0] = rng.int(8);
        const value = new Uint8Array(HASH_VALUE);
        const dv = new DataView(value.buffer);
        dv.setBigUint64(0, rng.edge(), true);
        dv.setBigUint64(8, rng.edge(), true);
        hash.update(key, value);
      }
      mem.writeU64(ctx, rng.edge());
      mem.writeU32(ctx + 8, Number(rng.edge() & 0xffff_ffffn));
      mem.writeU32(ctx + 12, Number(rng.edge() & 0xffff_ffffn));
    },
    openReservations: () => rb.reservedCount,
    reset: () => {
      rb.drain();
    },
  };
}

/** One program of an example object, relocated as the loader does, with what verify() needs. */
export interface ExampleInput {
  /** object/program. */
  readonly name: string;
  readonly insns: readonly Insn[];
  readonly gpl: boolean;
  readonly sleepable: boolean;
  readonly harness: VerifierInputs;
}

function objectFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return objectFiles(p);
    return e.name.endsWith('.o') ? [p] : [];
  });
}

/**
 * Every BPF_PROG_TYPE_IOURING program of examples/**\/*.o: each object loaded as Runtime.bpfLoad does
 * it (its maps created in a MapTable of its own, the programs relocated), and the relocated
 * instructions (LoadedProgram.insns) taken with the io_uring helper registry over that table.
 */
export function exampleInputs(): ExampleInput[] {
  const root = join(repoRoot(), 'examples');
  const out: ExampleInput[] = [];
  for (const file of objectFiles(root).sort()) {
    const mem = new AddressSpace({ size: 8 * 1024 * 1024 });
    const table = new MapTable(mem);
    const loaded = bpfLoad(mem, table, readFileSync(file), { verify: false });
    const { helpers } = iouringRegistry(table);
    const maps = tableMaps(table);
    const gpl = isGplCompatible(loaded.object.file.license);
    const harness: VerifierInputs = {
      options: (g = gpl) => ({ helpers, progType: IOURING_PROG_TYPE, map: maps, gpl: g }),
    };
    for (const name of loaded.object.programNames) {
      const p = loaded.object.loaded(name);
      if (p.def.type !== BPF_PROG_TYPE_IOURING) continue;
      out.push({
        name: `${relative(root, file)}/${name}`,
        insns: p.insns,
        gpl,
        sleepable: p.def.sleepable,
        harness,
      });
    }
  }
  return out;
}
