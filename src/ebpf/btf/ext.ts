/**
 * .BTF.ext reader: the header, then the func_info, line_info and CO-RE relocation sections. Each is
 * a record size followed by per-ELF-section blocks { sec_name_off, num_info, records }. Records of
 * func_info and line_info are decoded (insn_off is a byte offset in the ELF section, as clang writes
 * it); CO-RE relocations are only counted per section (skipped by their length). Counts are checked
 * against the bytes left before anything is allocated.
 */
import type { Btf } from './btf.js';
import { BtfError } from './errors.js';

/** Magic of .BTF.ext (the same as .BTF). */
const BTF_EXT_MAGIC = 0xeb9f;
/** Header up to line_info_len; core_relo_off/len follow when hdr_len allows. */
const EXT_HEADER_MIN = 24;
const EXT_HEADER_CORE = 32;
const MIN_REC = { func: 8, line: 16, core: 16 } as const;

/** One bpf_func_info: the function starting at byte `insnOff` of its ELF section. */
export interface BtfFuncInfo {
  /** Byte offset in the ELF section (a multiple of 8). */
  readonly insnOff: number;
  /** The BTF FUNC type. */
  readonly typeId: number;
  /** The function's name (from its FUNC type). */
  readonly name: string;
}

/** One bpf_line_info: source position of the instruction at byte `insnOff` of its ELF section. */
export interface BtfLineInfo {
  readonly insnOff: number;
  readonly file: string;
  /** The source line's text. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

export interface BtfExtHeader {
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
}

/** Parsed .BTF.ext, keyed by ELF section name. */
export interface BtfExt {
  readonly header: BtfExtHeader;
  readonly funcInfo: ReadonlyMap<string, readonly BtfFuncInfo[]>;
  readonly lineInfo: ReadonlyMap<string, readonly BtfLineInfo[]>;
  /** Number of CO-RE relocation records per section (the records are not decoded). */
  readonly coreRelos: ReadonlyMap<string, number>;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Parse a .BTF.ext section against its .BTF (names and types). Throws BtfError. */
export function parseBtfExt(bytes: Uint8Array, btf: Btf, options: { readonly base?: number } = {}): BtfExt {
  const base = options.base ?? 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) {
    throw new BtfError('E_BTF_TRUNCATED', base, `.BTF.ext: expected a header, found ${bytes.length} bytes`);
  }
  const magic = dv.getUint16(0, true);
  if (magic !== BTF_EXT_MAGIC)
    throw new BtfError('E_BTF_MAGIC', base, `.BTF.ext: expected magic 0xeb9f, found ${hex(magic)}`);
  if (bytes[2] !== 1)
    throw new BtfError('E_BTF_VERSION', base + 2, `.BTF.ext: expected version 1, found ${bytes[2]}`);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < EXT_HEADER_MIN || hdrLen > bytes.length) {
    throw new BtfError(
      'E_BTF_HEADER',
      base + 4,
      `.BTF.ext: expected hdr_len between ${EXT_HEADER_MIN} and the section size ${hex(bytes.length)}, found ${hex(hdrLen)}`,
    );
  }
  const header = { version: 1, flags: bytes[3]!, hdrLen };
  const area = (at: number): [number, number] => [dv.getUint32(at, true), dv.getUint32(at + 4, true)];
  const sub = (name: string, at: number, off: number, len: number): [number, number] => {
    const data = bytes.length - hdrLen;
    if (off > data || len > data - off) {
      throw new BtfError(
        'E_BTF_TRUNCATED',
        base + at,
        `.BTF.ext ${name} at ${hex(off)} of ${hex(len)} bytes: expected it inside the ${hex(data)} bytes after the header`,
      );
    }
    return [hdrLen + off, len];
  };
  const funcInfo = new Map<string, BtfFuncInfo[]>();
  const lineInfo = new Map<string, BtfLineInfo[]>();
  const coreRelos = new Map<string, number>();
  const ctx: Ctx = { bytes, dv, btf, base };

  const [fOff, fLen] = sub('func_info', 8, ...area(8));
  eachBlock(ctx, 'func_info', fOff, fLen, MIN_REC.func, (sec, p, n, rec) => {
    const list = getList(funcInfo, sec);
    for (let k = 0; k < n; k++, p += rec) {
      const insnOff = insnOffset(ctx, p, 'func_info');
      const typeId = dv.getUint32(p + 4, true);
      const t = typeId < btf.types.length ? btf.types[typeId]! : null;
      if (t === null || t.kind !== 'func') {
        throw new BtfError(
          'E_BTF_EXT',
          base + p + 4,
          `func_info of '${sec}': expected a FUNC type id, found ${typeId}${t ? ` (${t.kind})` : ''}`,
        );
      }
      list.push({ insnOff, typeId, name: t.name });
    }
  });
  const [lOff, lLen] = sub('line_info', 16, ...area(16));
  eachBlock(ctx, 'line_info', lOff, lLen, MIN_REC.line, (sec, p, n, rec) => {
    const list = getList(lineInfo, sec);
    for (let k = 0; k < n; k++, p += rec) {
      const insnOff = insnOffset(ctx, p, 'line_info');
      const lineCol = dv.getUint32(p + 12, true);
      list.push({
        insnOff,
        file: btf.str(dv.getUint32(p + 4, true)),
        text: btf.str(dv.getUint32(p + 8, true)),
        line: lineCol >>> 10,
        column: lineCol & 0x3ff,
      });
    }
  });
  if (hdrLen >= EXT_HEADER_CORE) {
    const [cOff, cLen] = sub('core_relo', 24, ...area(24));
    eachBlock(ctx, 'core_relo', cOff, cLen, MIN_REC.core, (sec, _p, n) => {
      coreRelos.set(sec, (coreRelos.get(sec) ?? 0) + n);
    });
  }
  for (const l of funcInfo.values()) l.sort((a, b) => a.insnOff - b.insnOff);
  for (const l of lineInfo.values()) l.sort((a, b) => a.insnOff - b.insnOff);
  return { header, funcInfo, lineInfo, coreRelos };
}

/** The last record of `list` (sorted by insnOff) at or before `insnOff`, or null. */
function lastAtOrBefore<T extends { insnOff: number }>(
  list: readonly T[] | undefined,
  insnOff: number,
): T | null {
  if (list === undefined) return null;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.insnOff <= insnOff) lo = mid + 1;
    else hi = mid;
  }
  return list[lo - 1] ?? null;
}

/** The function holding the instruction at byte `insnOff` of ELF section `section`, or null. */
export function extFuncAt(ext: BtfExt, section: string, insnOff: number): BtfFuncInfo | null {
  return lastAtOrBefore(ext.funcInfo.get(section), insnOff);
}

/**
 * The source line of the instruction at byte `insnOff` of ELF section `section`: the last line_info
 * record at or before it within its function, or null.
 */
export function extLineAt(ext: BtfExt, section: string, insnOff: number): BtfLineInfo | null {
  const line = lastAtOrBefore(ext.lineInfo.get(section), insnOff);
  const fn = extFuncAt(ext, section, insnOff);
  return line === null || (fn !== null && line.insnOff < fn.insnOff) ? null : line;
}

interface Ctx {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  readonly btf: Btf;
  readonly base: number;
}

function getList<T>(m: Map<string, T[]>, key: string): T[] {
  let l = m.get(key);
  if (l === undefined) {
    l = [];
    m.set(key, l);
  }
  return l;
}

function insnOffset(ctx: Ctx, p: number, what: string): number {
  const off = ctx.dv.getUint32(p, true);
  if (off % 8 !== 0) {
    throw new BtfError(
      'E_BTF_EXT',
      ctx.base + p,
      `${what}: expected an insn_off multiple of 8, found ${hex(off)}`,
    );
  }
  return off;
}

/**
 * Walk one info area: a u32 record size, then blocks { sec_name_off, num_info, records }. `visit`
 * gets the section name, the offset of the first record, the count and the record size.
 */
function eachBlock(
  ctx: Ctx,
  what: string,
  start: number,
  len: number,
  minRec: number,
  visit: (section: string, first: number, count: number, recSize: number) => void,
): void {
  if (len === 0) return;
  const { dv, base } = ctx;
  const end = start + len;
  if (len < 4)
    throw new BtfError(
      'E_BTF_TRUNCATED',
      base + start,
      `${what}: expected a record size, found ${len} bytes`,
    );
  const rec = dv.getUint32(start, true);
  if (rec < minRec || rec % 4 !== 0) {
    throw new BtfError(
      'E_BTF_EXT',
      base + start,
      `${what}: expected a record size >= ${minRec} and a multiple of 4, found ${rec}`,
    );
  }
  for (let p = start + 4; p < end; ) {
    if (end - p < 8) {
      throw new BtfError(
        'E_BTF_TRUNCATED',
        base + p,
        `${what}: expected a section header of 8 bytes, found ${end - p}`,
      );
    }
    const sec = ctx.btf.str(dv.getUint32(p, true));
    const n = dv.getUint32(p + 4, true);
    if (n === 0)
      throw new BtfError(
        'E_BTF_EXT',
        base + p + 4,
        `${what} of '${sec}': expected at least one record, found 0`,
      );
    if (n > (end - p - 8) / rec) {
      throw new BtfError(
        'E_BTF_TRUNCATED',
        base + p + 4,
        `${what} of '${sec}': expected ${n} records of ${rec} bytes, found ${hex(end - p - 8)} bytes left`,
      );
    }
    visit(sec, p + 8, n, rec);
    p += 8 + n * rec;
  }
}
