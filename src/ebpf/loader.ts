/**
 * Loading a BPF object the way libbpf does: parse the ELF (src/ebpf/object/), let the caller set
 * global variables (`const volatile` ones included) while the object is open, then create every map
 * in a MapTable, fill the global-data maps with their initial bytes and freeze the read-only ones,
 * rewrite each lddw relocation as libbpf rewrites it (a map: src BPF_PSEUDO_MAP_FD, imm = the map's
 * id; a global: src BPF_PSEUDO_MAP_VALUE, imm = the map's id, the second slot's imm = the offset),
 * and load every program with a resolver that turns those into the map's handle or the value's
 * address.
 *
 *   const obj = BpfObject.open(readFileSync('prog.bpf.o'));
 *   obj.setGlobal('limit', 10);                 // a const volatile in .rodata
 *   const loaded = obj.load({ mem });
 *   loaded.program('count').run({ mem, r1: ctx });
 *   loaded.map('counts').u64.get(0);
 */
import { readFileSync } from 'node:fs';
import type { AddressSpace } from '../mem/address-space.js';
import { BPF_OBJ_NAME_LEN, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../uapi/bpf.js';
import { type BaseHelperOptions, registerBaseHelpers, type TailCallResolver } from './base-helpers.js';
import { checkEngine, loadProgram } from './engine.js';
import { ProgramLoadError } from './faults.js';
import { firstHelperCall, HelperRegistry } from './helpers.js';
import { type Insn, isLddw } from './insn.js';
import type { Region } from './interp.js';
import { registerMapHelpers } from './map-helpers.js';
import { ArrayMap } from './maps/arrays.js';
import type { BpfMap } from './maps/map.js';
import { ProgArrayMap } from './maps/prog-array.js';
import { MapTable } from './maps/table.js';
import { parseObject } from './object/parse.js';
import type { GlobalDef, GlobalVar, MapDef, ObjectFile, ProgramDef } from './object/types.js';
import type { BpfProgram, EngineKind } from './run-env.js';
import type { TraceLog } from './trace.js';
import type { LogLevel, VerifyResult } from './verifier/api.js';
import { tableMaps } from './verifier/map-info.js';
import { progTypeInfo } from './verifier/prog-types.js';
import { verifyNamed } from './verifier/verify.js';

export interface OpenOptions {
  /** Cap on the instructions of all programs together (parseObject's maxInsns). */
  readonly maxInsns?: number;
}

export interface ObjectLoadOptions {
  /** The address space maps and programs live in. */
  readonly mem: AddressSpace;
  /** Where the maps are created; default a new MapTable of `mem`. */
  readonly maps?: MapTable;
  /**
   * The helpers programs may call; default: the map and ring buffer helpers over `maps` and the base
   * helpers (5, 6, 7, 8, 12 with tail calls through the PROG_ARRAY maps of `maps`). When given, it is
   * used as it is (see registerMapHelpers, registerBaseHelpers and tailCallResolver).
   */
  readonly helpers?: HelperRegistry;
  /** Options of the default base helpers (trace log, prandom seed, clock). */
  readonly base?: Omit<BaseHelperOptions, 'resolveTailCall'>;
  /**
   * Instruction budget of every run (see LoadOptions.budget); a verified program's is raised to
   * twice its processed-instruction count when lower, so that only unverified programs can run out.
   */
  readonly budget?: number;
  /**
   * Run the verifier on every program before loading it (default true). With false, programs are
   * loaded unverified, for experiments: the interpreter's memory guards and instruction budget still
   * keep the process safe, but a program may fault at run time instead of being refused here.
   */
  readonly verify?: boolean;
  /** Verifier log level (0-2, default 0); each program's log is in LoadedProgram.verified. */
  readonly logLevel?: LogLevel;
  /** The engine programs run on: 'jit' (default) or 'interp'. */
  readonly engine?: EngineKind;
}

/** GPL-compatible license strings, as the kernel's license_is_gpl_compatible() lists them. */
const GPL_COMPATIBLE = new Set([
  'GPL',
  'GPL v2',
  'GPL and additional rights',
  'Dual BSD/GPL',
  'Dual MIT/GPL',
  'Dual MPL/GPL',
]);

export function isGplCompatible(license: string | null): boolean {
  return license !== null && GPL_COMPATIBLE.has(license);
}

/** A map name the MapTable accepts: at most 15 characters of [A-Za-z0-9_.] (as libbpf truncates). */
function mapName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, BPF_OBJ_NAME_LEN - 1);
}

/** `value` as `size` little-endian bytes (two's complement for negatives); RangeError when it does not fit. */
function encodeValue(name: string, value: number | bigint | Uint8Array, size: number): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== size) {
      throw new RangeError(`global '${name}': expected ${size} bytes, found ${value.length}`);
    }
    return value;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new TypeError(`global '${name}': expected an integer, found ${value}`);
  }
  if (size > 8) throw new TypeError(`global '${name}' is ${size} bytes: give its value as a Uint8Array`);
  const v = BigInt(value);
  const bits = BigInt(size * 8);
  if (v < -(1n << (bits - 1n)) || v >= 1n << bits) {
    throw new RangeError(`global '${name}': ${value} does not fit in ${size} bytes`);
  }
  const u = BigInt.asUintN(size * 8, v);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** An object opened from an ELF file: programs, maps and globals described, nothing created yet. */
export class BpfObject {
  readonly file: ObjectFile;
  #loaded = false;

  constructor(file: ObjectFile) {
    this.file = file;
  }

  /** Parse an object (bytes, or a path to read). Throws ElfError / BtfError / ObjectError. */
  static open(source: Uint8Array | string, options: OpenOptions = {}): BpfObject {
    const bytes = typeof source === 'string' ? readFileSync(source) : source;
    return new BpfObject(
      parseObject(bytes, options.maxInsns === undefined ? {} : { maxInsns: options.maxInsns }),
    );
  }

  get programs(): readonly ProgramDef[] {
    return this.file.programs;
  }
  get maps(): readonly MapDef[] {
    return this.file.maps;
  }
  get globals(): readonly GlobalDef[] {
    return this.file.globals;
  }
  get license(): string | null {
    return this.file.license;
  }

  /** A global variable by name (from BTF), with its section. */
  variable(name: string): { global: GlobalDef; variable: GlobalVar } {
    for (const g of this.file.globals) {
      const v = g.variables.find((x) => x.name === name);
      if (v !== undefined) return { global: g, variable: v };
    }
    const known = this.file.globals.flatMap((g) => g.variables.map((v) => v.name));
    throw new TypeError(`no global variable '${name}' (known: ${known.join(', ') || 'none'})`);
  }

  /**
   * Set a global variable's initial value before load: `const volatile` values in .rodata (frozen
   * after load) and .data/.bss variables alike. Integers are stored little-endian in the variable's
   * size; other types take a Uint8Array of exactly that size.
   */
  setGlobal(name: string, value: number | bigint | Uint8Array): void {
    if (this.#loaded)
      throw new TypeError(`setGlobal('${name}'): the object is loaded; set globals before load()`);
    const { global, variable } = this.variable(name);
    global.initial.set(encodeValue(name, value, variable.size), variable.offset);
  }

  /** Create the maps, fill the globals, relocate and load every supported program. */
  load(options: ObjectLoadOptions): LoadedObject {
    if (this.#loaded) throw new TypeError('load(): this object is already loaded');
    const { mem } = options;
    const engine = checkEngine(options.engine, 'load()');
    const table = options.maps ?? new MapTable(mem);
    const created: BpfMap[] = [];
    const byName = new Map<string, BpfMap>();
    try {
      for (const def of this.file.maps) {
        const map = table.create({
          type: def.type,
          keySize: def.keySize,
          valueSize: def.valueSize,
          maxEntries: def.maxEntries,
          flags: def.flags,
          name: mapName(def.name),
        });
        created.push(map);
        byName.set(def.name, map);
      }
      for (const g of this.file.globals) {
        const map = byName.get(g.name);
        if (!(map instanceof ArrayMap)) throw new TypeError(`global section ${g.name} has no array map`);
        mem.writeBytes(map.valueAddr(0), g.initial);
        if (g.readonly) map.freeze();
      }
      let helpers = options.helpers;
      let trace: TraceLog | null = null;
      if (helpers === undefined) {
        const d = defaultHelpers(table, options.base);
        helpers = d.helpers;
        trace = d.trace;
      }
      const gpl = isGplCompatible(this.file.license);
      const programs = new Map<string, LoadedProgram>();
      for (const def of this.file.programs) {
        if (!def.supported) continue;
        const insns = relocate(def, byName);
        if (!gpl) checkGplHelpers(def, insns, helpers, this.file.license);
        const verified =
          options.verify === false
            ? null
            : verifyProgram(def, insns, helpers, table, gpl, options.logLevel ?? 0);
        const prog = loadProgram(insns, {
          helpers,
          resolveLddw: table.resolveLddw,
          regions: directRegions(def, byName),
          engine,
          guards: verified === null,
          ...runLimits(options.budget, verified, engine),
        });
        programs.set(def.name, { def, prog, insns, id: registerProgram(table, prog), verified });
      }
      this.#loaded = true;
      return new LoadedObject(this.file, table, byName, programs, created, trace);
    } catch (e) {
      for (const m of created) table.close(m.id);
      throw e;
    }
  }
}

/**
 * Budget and may_goto reserve of a program's runs. A verified program's runs are bounded by its
 * processed-instruction count P (each step of a run is a distinct state the verifier walked, and
 * may_goto loops end once fewer than P instructions are left), so its budget is at least 2P: the
 * budget stops only unverified programs. On the JIT a verified program runs without a budget, so
 * without counting (its may_goto loops end after BPF_MAX_LOOPS iterations, as the kernel's).
 */
export function runLimits(
  budget: number | undefined,
  verified: VerifyResult | null,
  engine: EngineKind = 'interp',
): { budget?: number; mayGotoReserve?: number } {
  if (verified === null) return budget === undefined ? {} : { budget };
  if (engine === 'jit') return {};
  const p = verified.processed;
  return { mayGotoReserve: p, ...(budget === undefined ? {} : { budget: Math.max(budget, 2 * p) }) };
}

/** The program's instructions with every lddw relocation rewritten as libbpf rewrites it. */
function relocate(def: ProgramDef, maps: ReadonlyMap<string, BpfMap>): Insn[] {
  const insns = def.insns.map((i) => ({ ...i }));
  for (const r of def.relocs) {
    const lo = insns[r.insnIndex];
    const hi = insns[r.insnIndex + 1];
    const map = maps.get(r.map);
    if (lo === undefined || hi === undefined || !isLddw(lo) || map === undefined) {
      throw new ProgramLoadError(
        'E_LDDW_PSEUDO',
        r.insnIndex,
        `${def.name}: relocation at insn ${r.insnIndex} expected an lddw naming a map, found ${lo === undefined ? 'nothing' : `opcode 0x${lo.code.toString(16)}`}${map === undefined ? ` and no map '${r.map}'` : ''}`,
      );
    }
    lo.imm = map.id;
    if (r.kind === 'map') {
      lo.src = BPF_PSEUDO_MAP_FD;
      hi.imm = 0;
    } else {
      lo.src = BPF_PSEUDO_MAP_VALUE;
      hi.imm = r.offset;
    }
  }
  return insns;
}

/**
 * The value storage of every map the program addresses directly (lddw BPF_PSEUDO_MAP_VALUE: its
 * globals), which it may access in every run (read-only for frozen .rodata), as the verifier would
 * let it: the kernel's map-value pointers need no helper call.
 */
function directRegions(def: ProgramDef, maps: ReadonlyMap<string, BpfMap>): Region[] {
  const out: Region[] = [];
  const seen = new Set<string>();
  for (const r of def.relocs) {
    if (r.kind !== 'map_value' || seen.has(r.map)) continue;
    seen.add(r.map);
    const map = maps.get(r.map);
    const v = map?.valueRegion() ?? null;
    if (map === undefined || v === null || v.size === 0) continue;
    out.push({ addr: v.addr, size: v.size, writable: map.programWritable, name: `global ${r.map}` });
  }
  return out;
}

/**
 * The default helpers of a load over `table`: the map and ring buffer helpers and the base helpers,
 * with tail calls through `table`'s PROG_ARRAY maps; and the log trace_printk writes to.
 */
export function defaultHelpers(
  table: MapTable,
  base: Omit<BaseHelperOptions, 'resolveTailCall'> = {},
): { helpers: HelperRegistry; trace: TraceLog } {
  const helpers = new HelperRegistry();
  registerMapHelpers(helpers, table);
  const { trace } = registerBaseHelpers(helpers, { ...base, resolveTailCall: tailCallResolver(table) });
  return { helpers, trace };
}

/** GPL-only helpers need a GPL-compatible license (the kernel refuses the program otherwise). */
function checkGplHelpers(
  def: ProgramDef,
  insns: readonly Insn[],
  helpers: HelperRegistry,
  license: string | null,
): void {
  const call = firstHelperCall(insns, helpers, (h) => h.gplOnly);
  if (call === null) return;
  const { index: k, def: h } = call;
  throw new ProgramLoadError(
    'E_GPL',
    k,
    `${def.name}: insn ${k} calls ${h.name}, which is GPL-only; the object's license is ${license === null ? 'missing' : `'${license}'`} (expected a GPL-compatible one, e.g. char LICENSE[] SEC("license") = "GPL";)`,
  );
}

export interface LoadedProgram {
  readonly def: ProgramDef;
  readonly prog: BpfProgram;
  /** The program's id in its MapTable: what a PROG_ARRAY slot holds (ProgArrayMap.set(i, id)). */
  readonly id: number;
  /** The instructions after relocation (what the engine runs). */
  readonly insns: readonly Insn[];
  /** The verifier's statistics and log, or null when loaded with verify: false. */
  readonly verified: VerifyResult | null;
}

/**
 * Verify one relocated program of the object (its program type's rules, the object's license, BTF
 * line info and function names for the log). Throws VerifierError naming the program.
 */
export function verifyProgram(
  def: ProgramDef,
  insns: readonly Insn[],
  helpers: HelperRegistry,
  table: MapTable,
  gpl: boolean,
  logLevel: LogLevel,
): VerifyResult {
  const progType = progTypeInfo(def.type);
  if (progType === undefined)
    throw new TypeError(`${def.name}: no verifier description of program type ${def.type}`);
  return verifyNamed(def.name, insns, {
    helpers,
    progType,
    map: tableMaps(table),
    sleepable: def.sleepable,
    gpl,
    logLevel,
    lineInfo: def.lineInfo,
    funcNames: new Map(def.funcs.map((f) => [f.insnIndex, f.name])),
  });
}

/** What load() made: the maps (by their names in the object) and the programs (by function name). */
export class LoadedObject {
  readonly file: ObjectFile;
  readonly table: MapTable;
  readonly #maps: ReadonlyMap<string, BpfMap>;
  readonly #programs: ReadonlyMap<string, LoadedProgram>;
  readonly #created: readonly BpfMap[];
  /** Where trace_printk writes, with the default helpers; null with the caller's registry. */
  readonly trace: TraceLog | null;
  #closed = false;

  constructor(
    file: ObjectFile,
    table: MapTable,
    maps: ReadonlyMap<string, BpfMap>,
    programs: ReadonlyMap<string, LoadedProgram>,
    created: readonly BpfMap[],
    trace: TraceLog | null,
  ) {
    this.file = file;
    this.trace = trace;
    this.table = table;
    this.#maps = maps;
    this.#programs = programs;
    this.#created = created;
  }

  get programNames(): string[] {
    return [...this.#programs.keys()];
  }
  get mapNames(): string[] {
    return [...this.#maps.keys()];
  }

  /** A loaded program by its function name. */
  program(name: string): BpfProgram {
    return this.loaded(name).prog;
  }

  loaded(name: string): LoadedProgram {
    const p = this.#programs.get(name);
    if (p === undefined) {
      throw new TypeError(`no loaded program '${name}' (loaded: ${this.programNames.join(', ') || 'none'})`);
    }
    return p;
  }

  /** A map by its name in the object (a global-data section by its section name, e.g. '.bss'). */
  map(name: string): BpfMap {
    const m = this.#maps.get(name);
    if (m === undefined)
      throw new TypeError(`no map '${name}' (maps: ${this.mapNames.join(', ') || 'none'})`);
    return m;
  }

  /** Typed access to a map known to be an array or hash (lookup/update/u32/u64 views). */
  arrayMap(name: string): ArrayMap {
    const m = this.map(name);
    if (!(m instanceof ArrayMap)) throw new TypeError(`map '${name}' is not an array map`);
    return m;
  }

  /** A live view of a global variable's bytes in its map (after load). */
  global(name: string): Uint8Array {
    for (const g of this.file.globals) {
      const v = g.variables.find((x) => x.name === name);
      if (v === undefined) continue;
      const m = this.arrayMap(g.name);
      return this.table.mem.view(m.valueAddr(0) + v.offset, v.size);
    }
    throw new TypeError(`no global variable '${name}'`);
  }

  /** Free every map this load created. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const m of this.#created) this.table.close(m.id);
    for (const p of this.#programs.values()) programsOf(this.table).delete(p.id);
  }
}

/* ------------------------------------------------------------------ programs for tail calls */

const registries = new WeakMap<MapTable, { next: number; byId: Map<number, BpfProgram> }>();

function programsOf(table: MapTable): Map<number, BpfProgram> {
  let r = registries.get(table);
  if (r === undefined) {
    r = { next: 1, byId: new Map() };
    registries.set(table, r);
  }
  return r.byId;
}

/** Give `prog` an id in `table`'s program registry (PROG_ARRAY slots hold these ids). */
export function registerProgram(table: MapTable, prog: BpfProgram): number {
  const byId = programsOf(table);
  const r = registries.get(table)!;
  const id = r.next++;
  byId.set(id, prog);
  return id;
}

/** tail_call's lookup: the program whose id sits at `index` of the PROG_ARRAY map at `mapHandle`. */
export function tailCallResolver(table: MapTable): TailCallResolver {
  return (mapHandle, index) => {
    const map = table.byHandle(Number(mapHandle));
    if (!(map instanceof ProgArrayMap)) return null;
    const id = map.programId(index);
    return id === 0 ? null : (programsOf(table).get(id) ?? null);
  };
}
