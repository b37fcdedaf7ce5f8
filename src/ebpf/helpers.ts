/**
 * The helper registry: one table of helper functions that serves the interpreter, the JIT and (later)
 * the verifier. Each entry has the kernel's helper id, its name, a prototype modelled on the kernel's
 * struct bpf_func_proto (argument and return types, by the kernel's enum names), the sleepable-only
 * and GPL-only flags, and the implementation.
 *
 * An implementation receives the run's environment and the five argument registers r1-r5 as u64
 * bigints, and returns r0 as a bigint (taken modulo 2^64). It may throw: the run then stops with a
 * BpfFault 'E_HELPER' naming the helper (a BpfFault it throws is passed on as it is).
 */
import type { AddressSpace } from '../mem/address-space.js';

/**
 * Argument types (the kernel's enum bpf_arg_type; MEM_RDONLY and similar flags are folded into the
 * name, e.g. ARG_PTR_TO_MEM_RDONLY = ARG_PTR_TO_MEM | MEM_RDONLY).
 */
export type ArgType =
  | 'ARG_ANYTHING' // any value
  | 'ARG_PTR_TO_CTX' // the program's context
  | 'ARG_PTR_TO_CTX_OR_NULL'
  | 'ARG_PTR_TO_MEM' // initialized memory the helper may write (size in the next argument)
  | 'ARG_PTR_TO_MEM_RDONLY' // initialized memory the helper only reads
  | 'ARG_PTR_TO_MEM_OR_NULL'
  | 'ARG_PTR_TO_UNINIT_MEM' // memory the helper fills (may be uninitialized)
  | 'ARG_CONST_SIZE' // size of the preceding memory argument, > 0
  | 'ARG_CONST_SIZE_OR_ZERO'
  | 'ARG_CONST_ALLOC_SIZE_OR_ZERO' // size of memory the helper allocates (ringbuf reserve)
  | 'ARG_CONST_MAP_PTR' // a map (lddw of a map)
  | 'ARG_PTR_TO_MAP_KEY' // key_size bytes of the map argument
  | 'ARG_PTR_TO_MAP_VALUE' // value_size bytes of the map argument
  | 'ARG_PTR_TO_UNINIT_MAP_VALUE'
  | 'ARG_PTR_TO_ALLOC_MEM'; // memory returned by an allocating helper (ringbuf submit/discard)

/** Return types (the kernel's enum bpf_return_type). */
export type RetType =
  | 'RET_INTEGER'
  | 'RET_VOID'
  | 'RET_PTR_TO_MAP_VALUE'
  | 'RET_PTR_TO_MAP_VALUE_OR_NULL'
  | 'RET_PTR_TO_ALLOC_MEM_OR_NULL';

/** What a helper sees of the run that called it. */
export interface HelperEnv {
  /** The address space the program runs in. */
  readonly mem: AddressSpace;
  /** The caller's context object for this run (RunOptions.ctx), opaque to the interpreter. */
  readonly ctx: unknown;
  /** Permit the program to access [addr, addr+size) for the rest of the run (e.g. a map value). */
  grant(addr: number, size: number, writable?: boolean, name?: string): void;
  /** Whether the program may read / write every byte of [addr, addr+len). */
  readable(addr: number, len: number): boolean;
  writable(addr: number, len: number): boolean;
}

export type HelperImpl = (
  env: HelperEnv,
  r1: bigint,
  r2: bigint,
  r3: bigint,
  r4: bigint,
  r5: bigint,
) => bigint;

/**
 * What the JIT needs to inline a bpf_map_lookup_elem on an ARRAY map: value `key` (a u32 read at r2)
 * is at valueBase + key * stride when key < maxEntries, else the lookup returns NULL. Every run of a
 * program that inlines the lookup calls `grantValues` (so helpers accept value pointers as they do
 * after a helper lookup).
 */
export interface InlineArrayLookup {
  readonly valueBase: number;
  readonly maxEntries: number;
  readonly stride: number;
  grantValues(env: HelperEnv): void;
}

export interface HelperDef {
  /** The helper id of `call imm` (the kernel's BPF_FUNC_* value). */
  readonly id: number;
  readonly name: string;
  /** Types of r1.. (at most 5). */
  readonly args: readonly ArgType[];
  readonly ret: RetType;
  /** Callable only from sleepable programs. */
  readonly sleepableOnly: boolean;
  /** Callable only from programs with a GPL-compatible license. */
  readonly gplOnly: boolean;
  readonly impl: HelperImpl;
  /**
   * JIT hint of bpf_map_lookup_elem: the layout of the map whose handle r1 holds when it is an ARRAY
   * map the JIT may inline the lookup of, else null (the helper is called).
   */
  readonly inlineArrayLookup?: (handle: bigint) => InlineArrayLookup | null;
}

const MAX_HELPER_ARGS = 5;

export class HelperRegistry {
  readonly #byId = new Map<number, HelperDef>();

  /** Add a helper. TypeError on a malformed definition or an id already registered. */
  register(def: HelperDef): this {
    const { id, name, args, impl } = def;
    if (!Number.isInteger(id) || id < 0 || id > 0x7fff_ffff) {
      throw new TypeError(`helper id must be an integer from 0 to 0x7fffffff, got ${id}`);
    }
    if (typeof name !== 'string' || name === '')
      throw new TypeError(`helper ${id}: name must be a non-empty string`);
    if (!Array.isArray(args) || args.length > MAX_HELPER_ARGS) {
      throw new TypeError(
        `helper ${id} (${name}): expected at most ${MAX_HELPER_ARGS} argument types, got ${args?.length}`,
      );
    }
    if (typeof impl !== 'function') throw new TypeError(`helper ${id} (${name}): impl must be a function`);
    const old = this.#byId.get(id);
    if (old !== undefined) {
      throw new TypeError(`helper id ${id} (${name}) is already registered (as ${old.name})`);
    }
    this.#byId.set(id, Object.freeze({ ...def, args: Object.freeze([...args]) }));
    return this;
  }

  get(id: number): HelperDef | undefined {
    return this.#byId.get(id);
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** Every helper, by id. */
  list(): HelperDef[] {
    return [...this.#byId.values()].sort((a, b) => a.id - b.id);
  }

  get size(): number {
    return this.#byId.size;
  }
}

/**
 * The first helper call (`call imm`, src 0) in `insns` whose helper in `registry` satisfies `pred`:
 * its slot index and definition, or null. Load-time rules (GPL-only, sleepable-only) use it.
 */
export function firstHelperCall(
  insns: readonly { code: number; src: number; imm: number }[],
  registry: HelperRegistry,
  pred: (def: HelperDef) => boolean,
): { index: number; def: HelperDef } | null {
  for (let k = 0; k < insns.length; k++) {
    const i = insns[k]!;
    if (i.code !== 0x85 || i.src !== 0) continue;
    const def = registry.get(i.imm);
    if (def !== undefined && pred(def)) return { index: k, def };
  }
  return null;
}
