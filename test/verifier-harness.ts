/**
 * Shared setup of the verifier tests: one address space with a standard set of maps, the io_uring
 * helper registry over them, and `verifyAsm(text, opts)`, which assembles LLVM-syntax text and
 * verifies it as an io_uring program (unless told otherwise).
 *
 * Map lddws are written with placeholders the harness turns into the pseudo lddw a loader emits:
 *   r1 = map[arr] ll          lddw r1, src BPF_PSEUDO_MAP_FD, imm = id of map `arr`
 *   r1 = map_value[data]+8 ll lddw r1, src BPF_PSEUDO_MAP_VALUE, imm = id of `data`, 2nd slot imm = 8
 *   r1 = map[#99] ll          the same with the raw id 99 (a map that does not exist)
 */
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { BpfMap } from '../src/ebpf/maps/map.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import type { ProgTypeInfo, VerifyOptions, VerifyResult } from '../src/ebpf/verifier/api.js';
import { tableMaps } from '../src/ebpf/verifier/map-info.js';
import { IOURING_PROG_TYPE } from '../src/ebpf/verifier/prog-types.js';
import { verify } from '../src/ebpf/verifier/verify.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
} from '../src/uapi/bpf.js';
import { iouringRegistry } from '../src/uring/bpf/load.js';

/* ------------------------------------------------------------------ the standard maps */

export const mem = new AddressSpace({ size: 4 * 1024 * 1024 });
export const table = new MapTable(mem);

/** Value sizes of the standard maps, for cases that compute offsets from them. */
export const ARR_VALUE = 48;
export const HASH_VALUE = 16;
export const DATA_VALUE = 64;
export const RODATA_VALUE = 32;
export const RB_SIZE = 4096;

const rodata = table.create({
  type: BPF_MAP_TYPE_ARRAY,
  keySize: 4,
  valueSize: RODATA_VALUE,
  maxEntries: 1,
  name: 'rodata',
});
rodata.freeze();

/** The standard maps by the names the placeholders use. */
export const MAPS: Readonly<Record<string, BpfMap>> = {
  arr: table.create({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: ARR_VALUE,
    maxEntries: 4,
    name: 'arr',
  }),
  hash: table.create({
    type: BPF_MAP_TYPE_HASH,
    keySize: 8,
    valueSize: HASH_VALUE,
    maxEntries: 16,
    name: 'hash',
  }),
  data: table.create({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: DATA_VALUE,
    maxEntries: 1,
    name: 'data',
  }),
  rodata,
  rb: table.create({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: RB_SIZE, name: 'rb' }),
  progs: table.create({
    type: BPF_MAP_TYPE_PROG_ARRAY,
    keySize: 4,
    valueSize: 4,
    maxEntries: 4,
    name: 'progs',
  }),
};

export const { helpers } = iouringRegistry(table);
export const maps = tableMaps(table);

/** A program type like io_uring's but with any r0 at exit (for cases about something else). */
export const ANY_RET_PROG_TYPE: ProgTypeInfo = {
  ...IOURING_PROG_TYPE,
  name: 'iouring-any-ret',
  retRange: null,
};

/* ------------------------------------------------------------------ assembling */

/** Marks a placeholder lddw until it is patched: the high word of its constant. */
const MARK = 0x7e57ab1e;
const PLACEHOLDER = /\b(r\d+)\s*=\s*(map|map_value)\[(#?\w+)\](?:\s*\+\s*(\d+))?\s+ll\b/g;

interface Pseudo {
  readonly src: number;
  readonly id: number;
  readonly off: number;
}

function mapId(name: string): number {
  if (name.startsWith('#')) return Number(name.slice(1));
  const m = MAPS[name];
  if (m === undefined)
    throw new TypeError(`verifier harness: no standard map '${name}' (have ${Object.keys(MAPS).join(', ')})`);
  return m.id;
}

/** Assemble `text`, turning the map placeholders into pseudo lddws. */
export function assembleCase(text: string): Insn[] {
  const pseudos: Pseudo[] = [];
  const src = text.replace(PLACEHOLDER, (_m, reg: string, kind: string, name: string, off?: string) => {
    pseudos.push({
      src: kind === 'map' ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE,
      id: mapId(name),
      off: off === undefined ? 0 : Number(off),
    });
    return `${reg} = 0x${MARK.toString(16)}${(pseudos.length - 1).toString(16).padStart(8, '0')} ll`;
  });
  const insns = assembleLlvm(src);
  for (let k = 0; k + 1 < insns.length; k++) {
    const lo = insns[k]!;
    const hi = insns[k + 1]!;
    if (lo.code !== 0x18 || hi.imm !== MARK) continue;
    const p = pseudos[lo.imm];
    if (p === undefined) continue;
    insns[k] = { ...lo, src: p.src, imm: p.id };
    insns[k + 1] = { ...hi, imm: p.off };
    k++;
  }
  return insns;
}

/* ------------------------------------------------------------------ verifying */

/** What a case may change in the options. */
export interface VerifyCaseOptions {
  readonly sleepable?: boolean;
  readonly gpl?: boolean;
  readonly maxProcessed?: number;
  readonly progType?: ProgTypeInfo;
}

/** The VerifyOptions of a case: the standard helpers and maps, io_uring unless told otherwise. */
export function caseOptions(opts: VerifyCaseOptions = {}): VerifyOptions {
  return {
    helpers,
    map: maps,
    progType: opts.progType ?? IOURING_PROG_TYPE,
    ...(opts.sleepable === undefined ? {} : { sleepable: opts.sleepable }),
    ...(opts.gpl === undefined ? {} : { gpl: opts.gpl }),
    ...(opts.maxProcessed === undefined ? {} : { maxProcessed: opts.maxProcessed }),
  };
}

/** Assemble `text` and verify it. Throws VerifierError on rejection (AsmError on bad text). */
export function verifyAsm(text: string, opts: VerifyCaseOptions = {}): VerifyResult {
  return verify(assembleCase(text), caseOptions(opts));
}

/** Verify raw slots with the standard options. */
export function verifyInsns(insns: readonly Insn[], opts: VerifyCaseOptions = {}): VerifyResult {
  return verify(insns, caseOptions(opts));
}
