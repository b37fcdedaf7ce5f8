/**
 * BTF reader: the .BTF header, type section and string section, every kind with its exact binary
 * layout, checked as the kernel checks them (known kind, unused info bits zero, records inside the
 * type section, names inside the string section, every referenced type id existing). Queries:
 * types by id and name, resolve() through typedefs and modifiers, qualifiers(), sizeof(); chains
 * are followed iteratively with a step limit, so cyclic or very deep BTF throws instead of hanging.
 */
import {
  BTF_INT_BOOL,
  BTF_INT_CHAR,
  BTF_INT_SIGNED,
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_DATASEC,
  BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_MAX,
  BTF_KIND_PTR,
  BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPE_TAG,
  BTF_KIND_TYPEDEF,
  BTF_KIND_UNION,
  BTF_KIND_VAR,
  BTF_KIND_VOLATILE,
  BTF_MAGIC,
  BTF_MAX_TYPE,
  BTF_VERSION,
  MAX_RESOLVE_DEPTH,
} from '../../uapi/bpf.js';
import { StringTable } from '../elf/strtab.js';
import { BtfError } from './errors.js';
import { BTF_KIND_NAMES, type BtfKindName, type BtfMember, type BtfType } from './types.js';

/** Size of struct btf_header. */
export const BTF_HEADER_SIZE = 24;
/** Longest BTF string accepted (names, file names, source lines). */
export const BTF_MAX_STRING = 65536;
/** Steps sizeof() and resolve() take before declaring a chain cyclic (or too deep). */
export const BTF_MAX_CHAIN = 2 * MAX_RESOLVE_DEPTH;

export interface BtfOptions {
  /** Added to every reported offset (the section's file offset when read from an ELF object). */
  readonly base?: number;
}

/** The header fields of .BTF. */
export interface BtfHeader {
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

const MODIFIERS: ReadonlySet<BtfKindName> = new Set(['typedef', 'const', 'volatile', 'restrict', 'type_tag']);

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Parsed BTF. */
export class Btf {
  readonly header: BtfHeader;
  /** Types by id; [0] is void. */
  readonly types: readonly BtfType[];
  /** Offset base of reported offsets. */
  readonly base: number;
  private readonly strings: StringTable;
  private byNameIndex: Map<string, BtfType[]> | null = null;

  constructor(header: BtfHeader, types: BtfType[], strings: StringTable, base: number) {
    this.header = header;
    this.types = types;
    this.strings = strings;
    this.base = base;
  }

  /** The type with id `id`. RangeError when there is none. */
  type(id: number): BtfType {
    const t = Number.isInteger(id) ? this.types[id] : undefined;
    if (t === undefined)
      throw new RangeError(`BTF type id: expected 0-${this.types.length - 1}, found ${id}`);
    return t;
  }

  /** The string at `offset` of the string section. BtfError E_BTF_STRING when out of range. */
  str(offset: number): string {
    return this.strings.get(offset);
  }

  /** Types named `name`, optionally of one kind, in id order. */
  byName(name: string, kind?: BtfKindName): BtfType[] {
    if (this.byNameIndex === null) {
      const m = new Map<string, BtfType[]>();
      for (const t of this.types) {
        if (t.name === '') continue;
        const l = m.get(t.name);
        if (l === undefined) m.set(t.name, [t]);
        else l.push(t);
      }
      this.byNameIndex = m;
    }
    const all = this.byNameIndex.get(name) ?? [];
    return kind === undefined ? all : all.filter((t) => t.kind === kind);
  }

  /** The id reached from `id` by skipping typedef, const, volatile, restrict and type_tag. */
  resolve(id: number): number {
    let t = this.type(id);
    for (let steps = 0; MODIFIERS.has(t.kind); steps++) {
      if (steps >= BTF_MAX_CHAIN) throw this.cycle(id);
      t = this.type((t as { type: number }).type);
    }
    return t.id;
  }

  /** The qualifiers met on the way from `id` to resolve(id). */
  qualifiers(id: number): { const: boolean; volatile: boolean; restrict: boolean } {
    const q = { const: false, volatile: false, restrict: false };
    let t = this.type(id);
    for (let steps = 0; MODIFIERS.has(t.kind); steps++) {
      if (steps >= BTF_MAX_CHAIN) throw this.cycle(id);
      if (t.kind === 'const') q.const = true;
      else if (t.kind === 'volatile') q.volatile = true;
      else if (t.kind === 'restrict') q.restrict = true;
      t = this.type((t as { type: number }).type);
    }
    return q;
  }

  /**
   * Size in bytes of type `id` (VAR: its type's). Throws BtfError E_BTF_SIZE for void, fwd, func,
   * func_proto and decl_tag, or a size above 0xffffffff; E_BTF_CYCLE for a cyclic chain.
   */
  sizeof(id: number): number {
    let mult = 1;
    let t = this.type(id);
    for (let steps = 0; ; steps++) {
      if (steps >= BTF_MAX_CHAIN) throw this.cycle(id);
      switch (t.kind) {
        case 'int':
        case 'float':
        case 'struct':
        case 'union':
        case 'enum':
        case 'enum64':
        case 'datasec':
          return this.checkSize(id, mult * t.size);
        case 'ptr':
          return this.checkSize(id, mult * 8);
        case 'array':
          mult *= t.nelems;
          if (mult === 0) return 0;
          this.checkSize(id, mult);
          t = this.type(t.elemType);
          break;
        case 'typedef':
        case 'const':
        case 'volatile':
        case 'restrict':
        case 'type_tag':
        case 'var':
          t = this.type(t.type);
          break;
        default:
          throw new BtfError(
            'E_BTF_SIZE',
            t.offset,
            `sizeof type ${id}: expected a type with a size, found ${t.kind} (type ${t.id})`,
          );
      }
    }
  }

  /**
   * Set a DATASEC's size and its variables' offsets (clang leaves them zero; the object parser takes
   * them from the ELF section and symbols, as libbpf's btf_fixup_datasec does).
   */
  fixDatasec(id: number, size: number, offsets: readonly number[]): void {
    const t = this.type(id);
    if (t.kind !== 'datasec' || offsets.length !== t.vars.length) {
      throw new TypeError(
        `fixDatasec: expected a DATASEC with ${offsets.length} variables, found ${t.kind} ${id}`,
      );
    }
    const vars = t.vars.map((v, k) => ({ ...v, offset: offsets[k]! }));
    (this.types as BtfType[])[id] = { ...t, size, vars };
    this.byNameIndex = null;
  }

  private checkSize(id: number, n: number): number {
    if (n > 0xffffffff) {
      throw new BtfError(
        'E_BTF_SIZE',
        this.type(id).offset,
        `sizeof type ${id}: expected at most 0xffffffff bytes, found ${n}`,
      );
    }
    return n;
  }

  private cycle(id: number): BtfError {
    return new BtfError(
      'E_BTF_CYCLE',
      this.type(id).offset,
      `type ${id}: expected a chain of at most ${BTF_MAX_CHAIN} typedefs, modifiers or arrays, found a longer or cyclic one`,
    );
  }
}

/* ================================================================== parsing */

/** Parse a .BTF section. Throws BtfError. */
export function parseBtf(bytes: Uint8Array, options: BtfOptions = {}): Btf {
  const base = options.base ?? 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = parseHeader(bytes, dv, base);
  const dataStart = header.hdrLen;
  const strStart = dataStart + header.strOff;
  const strBytes = bytes.subarray(strStart, strStart + header.strLen);
  if (strBytes.length === 0 || strBytes[0] !== 0 || strBytes[strBytes.length - 1] !== 0) {
    throw new BtfError(
      'E_BTF_STRING',
      base + strStart,
      `expected a string section starting and ending with NUL, found ${strBytes.length === 0 ? 'an empty one' : `first byte ${hex(strBytes[0]!)}, last ${hex(strBytes[strBytes.length - 1]!)}`}`,
    );
  }
  const strings = new StringTable(
    strBytes,
    BTF_MAX_STRING,
    (off, msg) => new BtfError('E_BTF_STRING', base + strStart + off, msg),
  );
  const types = parseTypes(dv, dataStart + header.typeOff, header.typeLen, strings, base);
  checkReferences(types);
  return new Btf(header, types, strings, base);
}

function parseHeader(bytes: Uint8Array, dv: DataView, base: number): BtfHeader {
  if (bytes.length < BTF_HEADER_SIZE) {
    throw new BtfError(
      'E_BTF_TRUNCATED',
      base,
      `expected a header of ${BTF_HEADER_SIZE} bytes, found ${bytes.length}`,
    );
  }
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_MAGIC)
    throw new BtfError('E_BTF_MAGIC', base, `expected magic 0xeb9f, found ${hex(magic)}`);
  const version = bytes[2]!;
  if (version !== BTF_VERSION)
    throw new BtfError('E_BTF_VERSION', base + 2, `expected version 1, found ${version}`);
  const h: BtfHeader = {
    version,
    flags: bytes[3]!,
    hdrLen: dv.getUint32(4, true),
    typeOff: dv.getUint32(8, true),
    typeLen: dv.getUint32(12, true),
    strOff: dv.getUint32(16, true),
    strLen: dv.getUint32(20, true),
  };
  if (h.hdrLen < BTF_HEADER_SIZE || h.hdrLen > bytes.length) {
    throw new BtfError(
      'E_BTF_HEADER',
      base + 4,
      `expected hdr_len between ${BTF_HEADER_SIZE} and the section size ${hex(bytes.length)}, found ${hex(h.hdrLen)}`,
    );
  }
  const data = bytes.length - h.hdrLen;
  if (h.typeOff % 4 !== 0)
    throw new BtfError('E_BTF_HEADER', base + 8, `expected a 4-aligned type_off, found ${hex(h.typeOff)}`);
  for (const [at, off, len, what] of [
    [8, h.typeOff, h.typeLen, 'type'],
    [16, h.strOff, h.strLen, 'string'],
  ] as const) {
    if (off > data || len > data - off) {
      throw new BtfError(
        'E_BTF_TRUNCATED',
        base + at,
        `${what} section at ${hex(off)} of ${hex(len)} bytes: expected it inside the ${hex(data)} bytes after the header`,
      );
    }
  }
  return h;
}

/** Bytes of kind-specific data after the 12-byte btf_type (per vlen unit for the list kinds). */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case BTF_KIND_INT:
    case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
      return 4;
    case BTF_KIND_ARRAY:
      return 12;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_DATASEC:
    case BTF_KIND_ENUM64:
      return 12 * vlen;
    case BTF_KIND_ENUM:
    case BTF_KIND_FUNC_PROTO:
      return 8 * vlen;
    default:
      return 0;
  }
}

function parseTypes(dv: DataView, start: number, len: number, strings: StringTable, base: number): BtfType[] {
  const types: BtfType[] = [{ id: 0, kind: 'void', name: 'void', offset: base + start }];
  const end = start + len;
  for (let p = start; p < end; ) {
    const id = types.length;
    const at = base + p;
    if (end - p < 12) {
      throw new BtfError(
        'E_BTF_TRUNCATED',
        at,
        `type ${id}: expected a 12-byte btf_type, found ${end - p} bytes left`,
      );
    }
    if (id > BTF_MAX_TYPE)
      throw new BtfError('E_BTF_TYPE', at, `expected at most ${BTF_MAX_TYPE} types, found more`);
    const info = dv.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kindFlag = info >>> 31 === 1;
    const st = dv.getUint32(p + 8, true);
    if (kind === 0 || kind > BTF_KIND_MAX) {
      throw new BtfError(
        'E_BTF_KIND',
        at + 4,
        `type ${id}: expected a kind 1-${BTF_KIND_MAX}, found ${kind}`,
      );
    }
    if ((info & 0x60ff0000) !== 0) {
      throw new BtfError(
        'E_BTF_TYPE',
        at + 4,
        `type ${id}: expected unused info bits zero, found info ${hex(info)}`,
      );
    }
    const extra = extraBytes(kind, vlen);
    if (extra > end - p - 12) {
      throw new BtfError(
        'E_BTF_TRUNCATED',
        at,
        `type ${id} (${BTF_KIND_NAMES[kind]}, vlen ${vlen}): expected ${12 + extra} bytes, found ${end - p} left in the type section`,
      );
    }
    const name = strings.get(dv.getUint32(p, true));
    const q = p + 12;
    const common = { id, name, offset: at };
    const u32 = (o: number): number => dv.getUint32(o, true);
    switch (kind) {
      case BTF_KIND_INT: {
        const e = u32(q);
        const t = {
          ...common,
          kind: 'int',
          size: st,
          encoding: (e >>> 24) & 0xf,
          bitOffset: (e >>> 16) & 0xff,
          bits: e & 0xff,
        } as const;
        if (
          ![1, 2, 4, 8, 16].includes(st) ||
          t.bits === 0 ||
          t.bits > 128 ||
          t.bitOffset + t.bits > 8 * st ||
          (e & 0xf000ff00) !== 0
        ) {
          throw new BtfError(
            'E_BTF_TYPE',
            at,
            `int ${id}: expected size 1/2/4/8/16 holding offset+bits, found size ${st}, encoding word ${hex(e)}`,
          );
        }
        if ((t.encoding & ~(BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL)) !== 0) {
          throw new BtfError(
            'E_BTF_TYPE',
            at + 12,
            `int ${id}: expected encoding bits SIGNED, CHAR, BOOL (0x7), found ${hex(t.encoding)}`,
          );
        }
        types.push(t);
        break;
      }
      case BTF_KIND_PTR:
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        types.push({ ...common, kind: BTF_KIND_NAMES[kind] as 'ptr', type: st });
        break;
      case BTF_KIND_FWD:
        types.push({ ...common, kind: 'fwd', union: kindFlag });
        break;
      case BTF_KIND_FLOAT:
        types.push({ ...common, kind: 'float', size: st });
        break;
      case BTF_KIND_FUNC:
        types.push({ ...common, kind: 'func', type: st, linkage: vlen });
        break;
      case BTF_KIND_ARRAY:
        types.push({ ...common, kind: 'array', elemType: u32(q), indexType: u32(q + 4), nelems: u32(q + 8) });
        break;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        const members: BtfMember[] = [];
        for (let k = 0; k < vlen; k++) {
          const m = q + 12 * k;
          const off = u32(m + 8);
          members.push({
            name: strings.get(u32(m)),
            type: u32(m + 4),
            bitOffset: kindFlag ? off & 0xffffff : off,
            bitfieldSize: kindFlag ? off >>> 24 : 0,
          });
        }
        types.push({
          ...common,
          kind: kind === BTF_KIND_STRUCT ? 'struct' : 'union',
          size: st,
          kindFlag,
          members,
        });
        break;
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const values = [];
        for (let k = 0; k < vlen; k++) {
          const m = kind === BTF_KIND_ENUM ? q + 8 * k : q + 12 * k;
          const value =
            kind === BTF_KIND_ENUM
              ? kindFlag
                ? BigInt(dv.getInt32(m + 4, true))
                : BigInt(u32(m + 4))
              : (BigInt(u32(m + 8)) << 32n) | BigInt(u32(m + 4));
          values.push({
            name: strings.get(u32(m)),
            value: kind === BTF_KIND_ENUM64 && kindFlag ? BigInt.asIntN(64, value) : value,
          });
        }
        types.push({
          ...common,
          kind: kind === BTF_KIND_ENUM ? 'enum' : 'enum64',
          size: st,
          signed: kindFlag,
          values,
        });
        break;
      }
      case BTF_KIND_FUNC_PROTO: {
        const params = [];
        for (let k = 0; k < vlen; k++)
          params.push({ name: strings.get(u32(q + 8 * k)), type: u32(q + 8 * k + 4) });
        types.push({ ...common, kind: 'func_proto', returnType: st, params });
        break;
      }
      case BTF_KIND_VAR:
        types.push({ ...common, kind: 'var', type: st, linkage: u32(q) });
        break;
      case BTF_KIND_DATASEC: {
        const vars = [];
        for (let k = 0; k < vlen; k++)
          vars.push({ type: u32(q + 12 * k), offset: u32(q + 12 * k + 4), size: u32(q + 12 * k + 8) });
        types.push({ ...common, kind: 'datasec', size: st, vars });
        break;
      }
      default:
        // BTF_KIND_DECL_TAG
        types.push({ ...common, kind: 'decl_tag', type: st, componentIdx: dv.getInt32(q, true) });
    }
    p = q + extra;
  }
  return types;
}

/** Every type id a record refers to, with what refers to it. */
function references(t: BtfType): [number, string][] {
  switch (t.kind) {
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
    case 'func':
    case 'var':
    case 'decl_tag':
      return [[t.type, 'type']];
    case 'array':
      return [
        [t.elemType, 'element type'],
        [t.indexType, 'index type'],
      ];
    case 'struct':
    case 'union':
      return t.members.map((m, k) => [m.type, `member ${k} '${m.name}'`]);
    case 'func_proto':
      return [
        [t.returnType, 'return type'],
        ...t.params.map((p, k): [number, string] => [p.type, `parameter ${k}`]),
      ];
    case 'datasec':
      return t.vars.map((v, k) => [v.type, `variable ${k}`]);
    default:
      return [];
  }
}

function checkReferences(types: readonly BtfType[]): void {
  const bad = (t: BtfType, what: string): BtfError =>
    new BtfError('E_BTF_TYPE', t.offset, `${t.kind} ${t.id}: ${what}`);
  for (const t of types) {
    for (const [ref, what] of references(t)) {
      if (ref >= types.length)
        throw bad(t, `${what}: expected a type id below ${types.length}, found ${ref}`);
    }
    if (t.kind === 'func' && types[t.type]!.kind !== 'func_proto') {
      throw bad(t, `expected its type to be a func_proto, found ${types[t.type]!.kind} ${t.type}`);
    }
    if (t.kind === 'datasec') {
      for (const v of t.vars) {
        const k = types[v.type]!.kind;
        if (k !== 'var' && k !== 'func')
          throw bad(t, `expected variables of kind var or func, found ${k} ${v.type}`);
      }
    }
  }
}
