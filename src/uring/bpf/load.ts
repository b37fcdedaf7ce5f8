/**
 * Loading BPF programs for io_uring (the bpf(BPF_PROG_LOAD) of this runtime):
 *
 *   const obj = runtime.bpfLoad(readFileSync('uring.bpf.o'), { globals: { limit: 10 } });
 *   ring.registerBpf([obj.progFd('test'), obj.progFd('counting')]);
 *   obj.arrayMap('arr').u64.get(0);
 *   obj.close();                                  // drops the program fds and frees the maps
 *
 * The helper registry of every load: the map and ring buffer helpers, the base helpers (tail calls
 * through the object's PROG_ARRAY maps, trace_printk into `trace`) and the io_uring helpers (148,
 * 164-167). A non-sleepable program that calls a sleepable-only helper is refused at load (spec §3.8:
 * the verifier does not know the helper) with a BpfLoadError 'E_SLEEPABLE' naming the program, the
 * instruction and the helper. Each BPF_PROG_TYPE_IOURING program gets a program fd (programs.ts).
 *
 * Runtime.bpfProgLoad loads raw instructions (like the RFC's io_uring-bpf-asm example): map lddw
 * instructions name maps of `runtime.bpfMaps` by id (src BPF_PSEUDO_MAP_FD, imm = map.id).
 */

import { checkEngine, loadProgram } from '../../ebpf/engine.js';
import { firstHelperCall, type HelperRegistry } from '../../ebpf/helpers.js';
import type { Insn } from '../../ebpf/insn.js';
import {
  BpfObject,
  defaultHelpers,
  isGplCompatible,
  type LoadedObject,
  runLimits,
} from '../../ebpf/loader.js';
import type { ArrayMap } from '../../ebpf/maps/arrays.js';
import type { BpfMap } from '../../ebpf/maps/map.js';
import type { MapTable } from '../../ebpf/maps/table.js';
import type { EngineKind } from '../../ebpf/run-env.js';
import type { TraceLog } from '../../ebpf/trace.js';
import type { LogLevel, VerifyResult } from '../../ebpf/verifier/api.js';
import { tableMaps } from '../../ebpf/verifier/map-info.js';
import { progTypeInfo } from '../../ebpf/verifier/prog-types.js';
import { verifyNamed } from '../../ebpf/verifier/verify.js';
import type { AddressSpace } from '../../mem/address-space.js';
import { BPF_PROG_TYPE_IOURING } from '../../uapi/bpf.js';
import { registerIouringHelpers } from './helpers.js';
import { programFdsOf } from './programs.js';

/**
 * Default instruction budget of one run. Verified programs terminate on their own (the verifier
 * bounds every loop); the budget still stops a program loaded with verify: false.
 */
export const DEFAULT_BPF_RUN_BUDGET = 1_000_000;

export type BpfLoadErrorCode = 'E_SLEEPABLE' | 'E_PROG_TYPE';

/** A program refused at load by the io_uring program rules. */
export class BpfLoadError extends Error {
  readonly code: BpfLoadErrorCode;
  readonly program: string;
  readonly index: number;

  constructor(code: BpfLoadErrorCode, program: string, index: number, message: string) {
    super(`${program}: insn ${index}: ${message}`);
    this.name = 'BpfLoadError';
    this.code = code;
    this.program = program;
    this.index = index;
  }
}

export interface BpfLoadOptions {
  /** Initial values of global variables (BpfObject.setGlobal), set before load. */
  readonly globals?: Readonly<Record<string, number | bigint | Uint8Array>>;
  /** Instruction budget of each run; default DEFAULT_BPF_RUN_BUDGET. */
  readonly budget?: number;
  /** Verify every program before loading it (default true; see ObjectLoadOptions.verify). */
  readonly verify?: boolean;
  /** Verifier log level 0-2 (default 0); logs are in `object.program(name).verified.log`. */
  readonly logLevel?: LogLevel;
  /** The engine the programs run on: 'jit' (default) or 'interp'. */
  readonly engine?: EngineKind;
}

/** The helper registry of an io_uring load over `maps`, with its trace log. */
export function iouringRegistry(maps: MapTable): { helpers: HelperRegistry; trace: TraceLog } {
  const d = defaultHelpers(maps);
  registerIouringHelpers(d.helpers);
  return d;
}

/** Refuse a non-sleepable program that calls a sleepable-only helper. */
export function checkSleepable(
  name: string,
  sleepable: boolean,
  insns: readonly Insn[],
  helpers: HelperRegistry,
): void {
  if (sleepable) return;
  const call = firstHelperCall(insns, helpers, (h) => h.sleepableOnly);
  if (call === null) return;
  const h = call.def;
  throw new BpfLoadError(
    'E_SLEEPABLE',
    name,
    call.index,
    `calls helper ${h.id} (${h.name}), which only sleepable programs may call; the program is not sleepable (expected SEC("iouring.s/...") or BPF_F_SLEEPABLE)`,
  );
}

/** An object loaded for io_uring: program fds, maps, globals. */
export class BpfLoaded {
  readonly object: LoadedObject;
  readonly trace: TraceLog;
  readonly #fds: ReadonlyMap<string, number>;
  readonly #mem: AddressSpace;
  #closed = false;

  constructor(mem: AddressSpace, object: LoadedObject, trace: TraceLog, fds: ReadonlyMap<string, number>) {
    this.#mem = mem;
    this.object = object;
    this.trace = trace;
    this.#fds = fds;
  }

  /** The program fd of a BPF_PROG_TYPE_IOURING program, by function name. */
  progFd(name: string): number {
    const fd = this.#fds.get(name);
    if (fd === undefined || this.#closed) {
      throw new TypeError(
        `no program fd for '${name}' (${this.#closed ? 'the object is closed' : `programs: ${[...this.#fds.keys()].join(', ') || 'none'}`})`,
      );
    }
    return fd;
  }

  map(name: string): BpfMap {
    return this.object.map(name);
  }

  arrayMap(name: string): ArrayMap {
    return this.object.arrayMap(name);
  }

  global(name: string): Uint8Array {
    return this.object.global(name);
  }

  /** Close the program fds and free the maps (rings that registered a program keep it). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const fds = programFdsOf(this.#mem);
    for (const fd of this.#fds.values()) fds.close(fd);
    this.object.close();
  }
}

/** Runtime.bpfLoad: open (if needed) and load an object, giving each io_uring program an fd. */
export function bpfLoad(
  mem: AddressSpace,
  maps: MapTable,
  source: Uint8Array | BpfObject,
  options: BpfLoadOptions = {},
): BpfLoaded {
  const obj = source instanceof BpfObject ? source : BpfObject.open(source);
  for (const [k, v] of Object.entries(options.globals ?? {})) obj.setGlobal(k, v);
  const { helpers, trace } = iouringRegistry(maps);
  for (const def of obj.programs) {
    if (def.supported) checkSleepable(def.name, def.sleepable, def.insns, helpers);
  }
  const loaded = obj.load({
    mem,
    maps,
    helpers,
    budget: options.budget ?? DEFAULT_BPF_RUN_BUDGET,
    ...(options.verify === undefined ? {} : { verify: options.verify }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  });
  const table = programFdsOf(mem);
  const fds = new Map<string, number>();
  for (const def of obj.programs) {
    if (!def.supported || def.type !== BPF_PROG_TYPE_IOURING) continue;
    const prog = loaded.program(def.name);
    fds.set(def.name, table.add({ name: def.name, type: def.type, sleepable: def.sleepable, prog }));
  }
  return new BpfLoaded(mem, loaded, trace, fds);
}

export interface BpfProgLoadAttr {
  readonly insns: readonly Insn[];
  /** BPF_PROG_TYPE_*; only BPF_PROG_TYPE_IOURING programs can be registered with a ring. */
  readonly type: number;
  readonly sleepable?: boolean;
  readonly name?: string;
  readonly budget?: number;
  /** The program's license (default 'GPL'): GPL-only helpers need a GPL-compatible one. */
  readonly license?: string;
  /** Verify the program first (default true); BPF_PROG_TYPE_IOURING is the type with rules. */
  readonly verify?: boolean;
  /** Verifier log level 0-2 (default 0). */
  readonly logLevel?: LogLevel;
  /** The engine: 'jit' (default) or 'interp'. */
  readonly engine?: EngineKind;
}

/** Runtime.bpfProgLoad: load raw instructions; returns the program fd. */
export function bpfProgLoad(mem: AddressSpace, maps: MapTable, attr: BpfProgLoadAttr): number {
  const name = attr.name ?? 'prog';
  const sleepable = attr.sleepable ?? false;
  const { helpers } = iouringRegistry(maps);
  checkSleepable(name, sleepable, attr.insns, helpers);
  let verified: VerifyResult | null = null;
  if (attr.verify !== false) {
    const progType = progTypeInfo(attr.type);
    if (progType === undefined) {
      throw new BpfLoadError(
        'E_PROG_TYPE',
        name,
        0,
        `program type ${attr.type} has no verifier rules here (expected BPF_PROG_TYPE_IOURING = ${BPF_PROG_TYPE_IOURING}, or verify: false)`,
      );
    }
    verified = verifyNamed(name, attr.insns, {
      helpers,
      progType,
      map: tableMaps(maps),
      sleepable,
      gpl: isGplCompatible(attr.license ?? 'GPL'),
      logLevel: attr.logLevel ?? 0,
    });
  }
  const engine = checkEngine(attr.engine, 'bpfProgLoad');
  const prog = loadProgram(attr.insns, {
    helpers,
    resolveLddw: maps.resolveLddw,
    engine,
    guards: verified === null,
    ...runLimits(attr.budget ?? DEFAULT_BPF_RUN_BUDGET, verified, engine),
  });
  return programFdsOf(mem).add({ name, type: attr.type, sleepable, prog });
}
