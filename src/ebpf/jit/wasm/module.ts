/**
 * A WebAssembly module builder: types, imports (functions, one memory, globals), functions, exports,
 * name section. build() also records where each function's code starts in the binary (codeOffsets),
 * so that a trap's module offset can be traced back to the instruction that caused it.
 */

import type { CodeBuilder } from './code.js';
import { u32 } from './leb128.js';
import { SECTION, VALTYPE, type ValType } from './opcodes.js';

const MAGIC_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const FUNC_TYPE = 0x60;
const IMPORT_FUNC = 0x00;
const IMPORT_MEMORY = 0x02;
const IMPORT_GLOBAL = 0x03;
const EXPORT_FUNC = 0x00;
const MAX_PAGES = 65536;

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface MemoryLimits {
  /** Initial size in 64 KiB pages. */
  readonly min: number;
  /** Maximum size in pages (required when shared). */
  readonly max?: number;
  readonly shared?: boolean;
}

export interface FunctionDef extends FuncType {
  /** Extra locals after the parameters, in order (consecutive equal types are grouped in the binary). */
  readonly locals?: readonly ValType[];
  readonly body: CodeBuilder;
  /** Debug name (name section). */
  readonly name?: string;
  /** Debug names of params and locals by local index (name section). */
  readonly localNames?: readonly (string | undefined)[];
  /** Export the function under this name. */
  readonly export?: string;
}

interface FuncImport {
  readonly module: string;
  readonly field: string;
  readonly type: number;
  readonly name: string;
}
interface MemImport {
  readonly module: string;
  readonly field: string;
  readonly limits: MemoryLimits;
}
interface GlobalImport {
  readonly module: string;
  readonly field: string;
  readonly type: ValType;
  readonly mutable: boolean;
}
interface Func {
  readonly type: number;
  readonly def: FunctionDef;
}

const utf8 = new TextEncoder();

function name(s: string): number[] {
  const b = utf8.encode(s);
  return [...u32(b.length), ...b];
}

function vec(items: readonly number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, content: readonly number[]): number[] {
  return [id, ...u32(content.length), ...content];
}

function types(ts: readonly ValType[]): number[] {
  return vec(ts.map((t) => [VALTYPE[t]]));
}

/** Group consecutive locals of the same type: [[count, type], ...]. */
function groupLocals(locals: readonly ValType[]): [number, ValType][] {
  const groups: [number, ValType][] = [];
  for (const t of locals) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  return groups;
}

export class ModuleBuilder {
  readonly #types: FuncType[] = [];
  readonly #typeKeys = new Map<string, number>();
  readonly #funcImports: FuncImport[] = [];
  #memImport: MemImport | undefined;
  readonly #funcs: Func[] = [];
  readonly #exports = new Map<string, number>();
  readonly #globalImports: GlobalImport[] = [];
  #codeOffsets: number[] = [];

  /** The index of function type (params) -> (results), added once. */
  addType(params: readonly ValType[], results: readonly ValType[]): number {
    for (const t of [...params, ...results]) {
      if (!(t in VALTYPE)) throw new TypeError(`addType: unknown value type '${t}'`);
    }
    const key = `${params.join(',')}->${results.join(',')}`;
    const known = this.#typeKeys.get(key);
    if (known !== undefined) return known;
    const idx = this.#types.length;
    this.#types.push({ params: [...params], results: [...results] });
    this.#typeKeys.set(key, idx);
    return idx;
  }

  /** Import a function; returns its function index. Imports must come before defined functions. */
  importFunction(
    module: string,
    field: string,
    params: readonly ValType[],
    results: readonly ValType[],
  ): number {
    if (this.#funcs.length !== 0) {
      throw new TypeError(`importFunction ${module}.${field}: functions were already defined (import first)`);
    }
    const idx = this.#funcImports.length;
    this.#funcImports.push({
      module,
      field,
      type: this.addType(params, results),
      name: `${module}.${field}`,
    });
    return idx;
  }

  /** Import the (single) linear memory. A shared memory needs a maximum. */
  importMemory(module: string, field: string, limits: MemoryLimits): void {
    if (this.#memImport !== undefined) throw new TypeError('importMemory: a memory is already imported');
    const { min, max, shared } = limits;
    if (!Number.isInteger(min) || min < 0 || min > MAX_PAGES) {
      throw new RangeError(`importMemory: min must be in 0..${MAX_PAGES} pages, found ${min}`);
    }
    if (max !== undefined && (!Number.isInteger(max) || max < min || max > MAX_PAGES)) {
      throw new RangeError(`importMemory: max must be in ${min}..${MAX_PAGES} pages, found ${max}`);
    }
    if (shared === true && max === undefined)
      throw new TypeError('importMemory: a shared memory needs a max');
    this.#memImport = { module, field, limits };
  }

  /** Import a global of type `type`; returns its global index. */
  importGlobal(module: string, field: string, type: ValType, mutable: boolean): number {
    if (!(type in VALTYPE)) throw new TypeError(`importGlobal: unknown value type '${type}'`);
    return this.#globalImports.push({ module, field, type, mutable }) - 1;
  }

  /**
   * Byte offset in the last build()'s binary of the first instruction of each defined function (after
   * its locals), by defined-function order. Empty before build().
   */
  get codeOffsets(): readonly number[] {
    return this.#codeOffsets;
  }

  /** Define a function; returns its function index (after the imported ones). */
  addFunction(def: FunctionDef): number {
    const type = this.addType(def.params, def.results);
    for (const t of def.locals ?? []) {
      if (!(t in VALTYPE)) throw new TypeError(`addFunction: unknown local type '${t}'`);
    }
    const idx = this.#funcImports.length + this.#funcs.length;
    this.#funcs.push({ type, def });
    if (def.export !== undefined) this.exportFunction(def.export, idx);
    return idx;
  }

  exportFunction(field: string, funcIndex: number): void {
    if (this.#exports.has(field)) throw new TypeError(`exportFunction: '${field}' is already exported`);
    const total = this.#funcImports.length + this.#funcs.length;
    if (!Number.isInteger(funcIndex) || funcIndex < 0 || funcIndex >= total) {
      throw new RangeError(
        `exportFunction ${field}: function index must be in 0..${total - 1}, found ${funcIndex}`,
      );
    }
    this.#exports.set(field, funcIndex);
  }

  /** The module binary: sections in the order the format requires, each with its size. */
  build(options: { names?: boolean } = {}): Uint8Array {
    const out: number[] = [...MAGIC_VERSION];
    out.push(
      ...section(
        SECTION.type,
        vec(this.#types.map((t) => [FUNC_TYPE, ...types(t.params), ...types(t.results)])),
      ),
    );
    const imports: number[][] = this.#funcImports.map((f) => [
      ...name(f.module),
      ...name(f.field),
      IMPORT_FUNC,
      ...u32(f.type),
    ]);
    const mem = this.#memImport;
    if (mem !== undefined) {
      const { min, max, shared } = mem.limits;
      const flags = (max !== undefined ? 1 : 0) | (shared === true ? 2 : 0);
      const limits = [flags, ...u32(min), ...(max !== undefined ? u32(max) : [])];
      imports.push([...name(mem.module), ...name(mem.field), IMPORT_MEMORY, ...limits]);
    }
    for (const g of this.#globalImports) {
      imports.push([...name(g.module), ...name(g.field), IMPORT_GLOBAL, VALTYPE[g.type], g.mutable ? 1 : 0]);
    }
    if (imports.length !== 0) out.push(...section(SECTION.import, vec(imports)));
    if (this.#funcs.length !== 0) {
      out.push(...section(SECTION.function, vec(this.#funcs.map((f) => u32(f.type)))));
    }
    if (this.#exports.size !== 0) {
      const exps = [...this.#exports].map(([field, idx]) => [...name(field), EXPORT_FUNC, ...u32(idx)]);
      out.push(...section(SECTION.export, vec(exps)));
    }
    this.#codeOffsets = [];
    let codeSection = new Uint8Array(0);
    if (this.#funcs.length !== 0) {
      // The bodies are copied once into one buffer; offsets are relative to the section content
      // first, made absolute once the section header is known.
      const bodies = this.#funcs.map((f) => {
        const locals = vec(groupLocals(f.def.locals ?? []).map(([n, t]) => [...u32(n), VALTYPE[t]]));
        const code = f.def.body.finish();
        return { locals, code, size: u32(locals.length + code.length) };
      });
      const count = u32(this.#funcs.length);
      let contentLen = count.length;
      for (const b of bodies) contentLen += b.size.length + b.locals.length + b.code.length;
      const header = [SECTION.code, ...u32(contentLen)];
      const buf = new Uint8Array(contentLen);
      buf.set(count, 0);
      let at = count.length;
      const start = out.length + header.length;
      for (const b of bodies) {
        buf.set(b.size, at);
        at += b.size.length;
        buf.set(b.locals, at);
        at += b.locals.length;
        this.#codeOffsets.push(start + at);
        buf.set(b.code, at);
        at += b.code.length;
      }
      for (const b of header) out.push(b);
      codeSection = buf;
    }
    const tail: number[] = [];
    if (options.names !== false) {
      const ns = this.#nameSection();
      if (ns.length !== 0) for (const b of section(SECTION.custom, [...name('name'), ...ns])) tail.push(b);
    }
    const result = new Uint8Array(out.length + codeSection.length + tail.length);
    result.set(out, 0);
    result.set(codeSection, out.length);
    result.set(tail, out.length + codeSection.length);
    return result;
  }

  /** The module as WAT text (flat bodies), for `jit --wat` and golden tests. */
  toWat(): string {
    const lines = ['(module'];
    const sig = (t: FuncType, names: readonly (string | undefined)[] = []) =>
      [
        ...t.params.map((p, i) => (names[i] !== undefined ? ` (param $${names[i]} ${p})` : ` (param ${p})`)),
        t.results.length !== 0 ? ` (result ${t.results.join(' ')})` : '',
      ].join('');
    this.#types.forEach((t, i) => {
      lines.push(`  (type (;${i};) (func${sig(t)}))`);
    });
    this.#funcImports.forEach((f, i) => {
      lines.push(`  (import "${f.module}" "${f.field}" (func (;${i};) (type ${f.type})))`);
    });
    const mem = this.#memImport;
    if (mem !== undefined) {
      const { min, max, shared } = mem.limits;
      const lim = `${min}${max !== undefined ? ` ${max}` : ''}${shared === true ? ' shared' : ''}`;
      lines.push(`  (import "${mem.module}" "${mem.field}" (memory ${lim}))`);
    }
    this.#globalImports.forEach((g, i) => {
      const t = g.mutable ? `(mut ${g.type})` : g.type;
      lines.push(`  (import "${g.module}" "${g.field}" (global (;${i};) ${t}))`);
    });
    const base = this.#funcImports.length;
    this.#funcs.forEach((f, i) => {
      const d = f.def;
      const id = d.name !== undefined ? `$${d.name}` : `(;${base + i};)`;
      const names = d.localNames ?? [];
      const locals = (d.locals ?? [])
        .map((t, j) => {
          const n = names[d.params.length + j];
          return n !== undefined ? ` (local $${n} ${t})` : ` (local ${t})`;
        })
        .join('');
      lines.push(`  (func ${id} (type ${f.type})${sig(d, names)}${locals}`);
      const body = d.body.toWat(2, names);
      if (body !== '') lines.push(body);
      lines.push('  )');
    });
    for (const [field, idx] of this.#exports) lines.push(`  (export "${field}" (func ${idx}))`);
    lines.push(')');
    return lines.join('\n');
  }

  /** Name section subsections 1 (function names) and 2 (local names); empty when nothing is named. */
  #nameSection(): number[] {
    const base = this.#funcImports.length;
    const fnames: number[][] = this.#funcImports.map((f, i) => [...u32(i), ...name(f.name)]);
    const lnames: number[][] = [];
    this.#funcs.forEach((f, i) => {
      if (f.def.name !== undefined) fnames.push([...u32(base + i), ...name(f.def.name)]);
      const ls: number[][] = [];
      (f.def.localNames ?? []).forEach((n, j) => {
        if (n !== undefined) ls.push([...u32(j), ...name(n)]);
      });
      if (ls.length !== 0) lnames.push([...u32(base + i), ...vec(ls)]);
    });
    const out: number[] = [];
    if (fnames.length !== 0) out.push(...section(1, vec(fnames)));
    if (lnames.length !== 0) out.push(...section(2, vec(lnames)));
    return out;
  }
}
