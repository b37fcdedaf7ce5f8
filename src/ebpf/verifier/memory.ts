/**
 * Loads, stores and atomics as the verifier checks them (the kernel's check_mem_access): what the
 * base register points to, bounds and alignment of the access in that region, stack byte tracking
 * (spills and fills, initialised bytes, variable offsets), and pointer leaks.
 *
 * Alignment is strict for every region (the kernel's BPF_F_STRICT_ALIGNMENT behaviour).
 */
import { BPF_MAX_VAR_OFF, MAX_BPF_STACK } from '../../uapi/bpf.js';
import { type Env, fail } from './env.js';
import { boundsSync, constValue, type Scalar, scalarConst, scalarStr, scalarUnknown } from './scalar.js';
import { scalarMov, scalarMovsx } from './scalar-alu.js';
import {
  type Frame,
  isPointer,
  type Reg,
  regStr,
  STACK_INVALID,
  STACK_MISC,
  STACK_SPILL,
  STACK_ZERO,
  scalarReg,
  typeName,
} from './state.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumRange } from './tnum.js';

export type AccessKind = 'read' | 'write' | 'atomic';

const MAX_OFF = BigInt(BPF_MAX_VAR_OFF);

const SIZED = new Map<number, Scalar>();

/**
 * An unknown scalar loaded from `size` bytes, zero- or sign-extended. Shared objects: scalars in a
 * state are never mutated (every operation copies first).
 */
export function sizedUnknown(size: number, signed = false): Scalar {
  const key = size * 2 + (signed ? 1 : 0);
  let s = SIZED.get(key);
  if (s === undefined) {
    s = makeSizedUnknown(size, signed);
    SIZED.set(key, s);
  }
  return s;
}

function makeSizedUnknown(size: number, signed: boolean): Scalar {
  const s = scalarUnknown();
  if (size >= 8) return s;
  const bits = BigInt(size * 8);
  if (signed) {
    s.smin = -(1n << (bits - 1n));
    s.smax = (1n << (bits - 1n)) - 1n;
  } else {
    s.umax = (1n << bits) - 1n;
    s.varOff = tnumRange(0n, s.umax);
  }
  boundsSync(s);
  return s;
}

const u64 = (x: number | bigint): bigint => BigInt.asUintN(64, BigInt(x));

function checkAligned(env: Env, regno: number, reg: Reg, off: number, size: number, what: string): void {
  const t = tnumAdd(reg.s.varOff, tnumConst(u64(reg.off + off)));
  if (!tnumIsAligned(t, BigInt(size))) {
    const v = constValue(reg.s) === undefined ? `${scalarStr(reg.s)}+` : '';
    fail(
      env,
      'V034_MISALIGNED',
      { kind: what, off: `${v}${reg.off + off}`, size },
      `expected an offset that is a multiple of ${size}`,
      [regno],
    );
  }
}

/** The byte range [lo, hi) an access of `size` at reg+off may touch, relative to the region start. */
function accessRange(
  env: Env,
  regno: number,
  reg: Reg,
  off: number,
  size: number,
): { lo: number; hi: number } {
  const s = reg.s;
  const fixed = reg.off + off;
  if (constValue(s) === undefined) {
    if (s.smin <= -MAX_OFF || s.smax >= MAX_OFF) {
      fail(
        env,
        'V037_VAR_OFF_UNBOUNDED',
        {
          reg: regno,
          what: 'unbounded memory access, make sure to bound the register with and explicit check',
        },
        `expected a variable offset within ±${BPF_MAX_VAR_OFF}, found ${scalarStr(s)}`,
        [regno],
      );
    }
  }
  return { lo: fixed + Number(s.smin), hi: fixed + Number(s.smax) + size };
}

/** Check an access to a map value or helper memory of `limit` bytes. */
function checkRegion(env: Env, regno: number, reg: Reg, off: number, size: number, kind: AccessKind): void {
  const s = reg.s;
  if (constValue(s) === undefined && s.smin < 0n) {
    fail(
      env,
      'V037_VAR_OFF_UNBOUNDED',
      {
        reg: regno,
        what: 'min value is negative, either use unsigned index or do a if (index >=0) check.',
      },
      `found ${regStr(reg)}`,
      [regno],
    );
  }
  const { lo, hi } = accessRange(env, regno, reg, off, size);
  const isMap = reg.type === 'map_value';
  const limit = isMap ? reg.map!.valueSize : reg.size;
  if (lo < 0 || hi > limit) {
    const params = { off: lo, size, valueSize: limit, memSize: limit };
    const detail = `expected bytes within [0, ${limit}), found [${lo}, ${hi})`;
    fail(env, isMap ? 'V035_MAP_VALUE_OOB' : 'V036_MEM_OOB', params, detail, [regno]);
  }
  checkAligned(env, regno, reg, off, size, isMap ? 'value ' : 'mem ');
  if (kind !== 'read' && reg.rdonly) {
    fail(
      env,
      'V040_READ_ONLY',
      { off: lo, size, valueSize: limit },
      `${reg.map?.name ?? 'the memory'} is read-only to programs`,
      [regno],
    );
  }
}

/* ------------------------------------------------------------------ stack */

/** The frame a stack pointer points into and the byte-index range of the access. */
function stackAccess(
  env: Env,
  regno: number,
  reg: Reg,
  off: number,
  size: number,
  rw: string,
): { frame: Frame; lo: number; hi: number; fixed: boolean } {
  const frame = env.cur.frames[reg.frame]!;
  const { lo, hi } = accessRange(env, regno, reg, off, size);
  if (lo < -MAX_BPF_STACK || hi > 0) {
    const fixed = constValue(reg.s) !== undefined;
    fail(
      env,
      'V032_STACK_OOB',
      { rw, reg: regno, off: fixed ? lo : `${reg.off + off}+${scalarStr(reg.s)}`, size },
      `expected bytes within [-${MAX_BPF_STACK}, 0) of the frame, found [${lo}, ${hi})`,
      [regno],
    );
  }
  checkAligned(env, regno, reg, off, size, 'stack ');
  noteDepth(env, frame, lo);
  return { frame, lo: lo + MAX_BPF_STACK, hi: hi + MAX_BPF_STACK, fixed: constValue(reg.s) !== undefined };
}

function noteDepth(env: Env, frame: Frame, lo: number): void {
  const b = lo + MAX_BPF_STACK;
  if (b < frame.low) frame.low = b;
  const d = -lo;
  if (d > (env.depth[frame.subprog] ?? 0)) env.depth[frame.subprog] = d;
}

/** Drop the spill in `slot`: its bytes become misc (a scalar's) or invalid (a pointer's, not to leak it). */
function dropSpill(frame: Frame, slot: number): void {
  const sp = frame.spills[slot];
  if (sp === null || sp === undefined) return;
  const t = isPointer(sp.reg) ? STACK_INVALID : STACK_MISC;
  const b0 = slot * 8 + sp.at;
  for (let b = b0; b < b0 + sp.size; b++) frame.stype[b] = t;
  frame.spills[slot] = null;
}

/** Drop every spill overlapping bytes [lo, hi). */
function dropSpills(frame: Frame, lo: number, hi: number): void {
  for (let slot = lo >> 3; slot <= (hi - 1) >> 3; slot++) {
    const sp = frame.spills[slot];
    if (sp === null || sp === undefined) continue;
    const a = slot * 8 + sp.at;
    if (a < hi && a + sp.size > lo) dropSpill(frame, slot);
  }
}

/** Bytes [lo, hi) must all be initialised (else onUninit); a spilled pointer among them is onPtr's error. */
function checkInit(
  frame: Frame,
  lo: number,
  hi: number,
  onUninit: (b: number) => never,
  onPtr: ((b: number) => never) | null,
): void {
  for (let b = lo; b < hi; b++) {
    const t = frame.stype[b]!;
    if (t === STACK_INVALID) onUninit(b);
    if (t === STACK_SPILL && onPtr !== null) {
      const sp = frame.spills[b >> 3];
      if (sp && isPointer(sp.reg)) onPtr(b);
    }
  }
}

function readStackFixed(
  env: Env,
  regno: number,
  frame: Frame,
  frameNo: number,
  b: number,
  size: number,
  sx: boolean,
): Reg {
  const slot = b >> 3;
  const pos = b & 7;
  const sp = frame.spills[slot];
  if (sp && pos < sp.at + sp.size && pos + size > sp.at) {
    if (pos === sp.at && size === sp.size) {
      env.stackRef = frameNo * 64 + slot;
      if (!sx || size === 8) return sp.reg;
      return scalarReg(scalarMovsx(sp.reg.s, 32, false));
    }
    if (isPointer(sp.reg)) {
      fail(
        env,
        'V042_SPILL_CORRUPT',
        {},
        `expected an 8-byte load of the pointer spilled at fp${slot * 8 - MAX_BPF_STACK}, found a ${size}-byte load at fp${b - MAX_BPF_STACK}`,
        [regno],
      );
    }
  }
  let zero = true;
  for (let k = b; k < b + size; k++) {
    const t = frame.stype[k]!;
    if (t === STACK_INVALID) uninitRead(env, regno, b, size, k);
    if (t !== STACK_ZERO) zero = false;
  }
  return zero ? scalarReg(scalarConst(0n)) : scalarReg(sizedUnknown(size, sx));
}

function uninitRead(env: Env, regno: number, b: number, size: number, at: number): never {
  fail(
    env,
    'V033_STACK_UNINIT',
    { reg: regno, off: b - MAX_BPF_STACK, varOff: 0, size },
    `expected initialised bytes, found fp${at - MAX_BPF_STACK} never written on this path`,
    [regno],
  );
}

function writeStackFixed(env: Env, frame: Frame, frameNo: number, b: number, size: number, value: Reg): void {
  dropSpills(frame, b, b + size);
  const slot = b >> 3;
  if (isPointer(value)) {
    if (size !== 8) {
      fail(
        env,
        'V041_PTR_LEAK',
        { reg: env.insns[env.idx]!.src, where: 'stack' },
        `expected an 8-byte spill of the pointer, found a ${size}-byte store`,
      );
    }
    if (value.type === 'stack' && value.frame > frameNo) {
      fail(
        env,
        'V061_RETURN_STACK_PTR',
        {},
        `a pointer to frame ${value.frame}'s stack stored in frame ${frameNo}'s stack would outlive it`,
      );
    }
    frame.spills[slot] = { reg: value, size: 8, at: 0 };
    frame.stype.fill(STACK_SPILL, b, b + 8);
    env.stackRef = frameNo * 64 + slot;
    return;
  }
  const c = constValue(value.s);
  if (c !== undefined && BigInt.asUintN(size * 8, c) === 0n) {
    frame.stype.fill(STACK_ZERO, b, b + size);
    return;
  }
  if (size === 8 || size === 4) {
    const other = frame.spills[slot];
    if (other) dropSpill(frame, slot);
    const reg = size === 8 ? value : scalarReg(scalarMov(value.s, true));
    frame.spills[slot] = { reg, size, at: (b & 7) as 0 | 4 };
    frame.stype.fill(STACK_SPILL, b, b + size);
    env.stackRef = frameNo * 64 + slot;
    return;
  }
  frame.stype.fill(STACK_MISC, b, b + size);
}

/** A write of unknown bytes to [lo, hi) of which only [lo, sure) is certainly written. */
function writeStackRange(frame: Frame, lo: number, sure: number, hi: number): void {
  dropSpills(frame, lo, hi);
  for (let b = lo; b < hi; b++) {
    if (b < sure || frame.stype[b] !== STACK_INVALID) frame.stype[b] = STACK_MISC;
  }
}

function checkStack(
  env: Env,
  regno: number,
  reg: Reg,
  off: number,
  size: number,
  kind: AccessKind,
  value: Reg | null,
  sx: boolean,
): Reg | null {
  const rw = kind === 'read' ? 'read from' : 'write to';
  const { frame, lo, hi, fixed } = stackAccess(env, regno, reg, off, size, rw);
  if (kind === 'atomic') {
    checkInit(
      frame,
      lo,
      hi,
      (b) => uninitRead(env, regno, lo, size, b),
      () =>
        fail(env, 'V043_ATOMIC', { what: 'on a spilled pointer' }, 'expected a scalar on the stack', [regno]),
    );
    writeStackRange(frame, lo, hi, hi);
    return null;
  }
  if (kind === 'read') {
    if (fixed) return readStackFixed(env, regno, frame, reg.frame, lo, size, sx);
    checkInit(
      frame,
      lo,
      hi,
      (b) => uninitRead(env, regno, lo, size, b),
      (b) =>
        fail(
          env,
          'V042_SPILL_CORRUPT',
          {},
          `a variable-offset load may read part of the pointer spilled at fp${(b & ~7) - MAX_BPF_STACK}`,
          [regno],
        ),
    );
    return scalarReg(sizedUnknown(size, sx));
  }
  const v = value!;
  if (fixed) {
    writeStackFixed(env, frame, reg.frame, lo, size, v);
    return null;
  }
  if (isPointer(v)) {
    fail(
      env,
      'V041_PTR_LEAK',
      { reg: env.insns[env.idx]!.src, where: 'stack (variable-offset store)' },
      'expected a scalar for a store at a variable stack offset',
    );
  }
  writeStackRange(frame, lo, lo, hi);
  return null;
}

/* ------------------------------------------------------------------ entry point */

/**
 * Check a load (returns the loaded register), store (`value`: the stored register) or atomic of
 * `size` bytes at register `regno` + `off`. `sx`: a sign-extending load (BPF_MEMSX).
 */
export function checkMemAccess(
  env: Env,
  regno: number,
  off: number,
  size: number,
  kind: AccessKind,
  value: Reg | null,
  sx = false,
): Reg {
  const reg = env.cur.frames[env.cur.frames.length - 1]!.regs[regno]!;
  if (reg.nullable) {
    fail(
      env,
      'V031_NULL_DEREF',
      { reg: regno, type: typeName(reg) },
      'expected a pointer checked against NULL on this path',
      [regno],
    );
  }
  if (value !== null && isPointer(value) && reg.type !== 'stack') {
    fail(
      env,
      'V041_PTR_LEAK',
      { reg: env.insns[env.idx]!.src, where: reg.type === 'map_value' ? 'map' : reg.type },
      `expected a scalar, found ${regStr(value)}`,
      [env.insns[env.idx]!.src],
    );
  }
  const loaded = (): Reg => scalarReg(sizedUnknown(size, sx));
  switch (reg.type) {
    case 'stack':
      return checkStack(env, regno, reg, off, size, kind, value, sx) ?? loaded();
    case 'map_value':
    case 'mem':
      checkRegion(env, regno, reg, off, size, kind);
      return loaded();
    case 'ctx': {
      if (kind === 'atomic') {
        fail(env, 'V043_ATOMIC', { what: `stores into R${regno} ctx is not allowed` }, '', [regno]);
      }
      if (reg.off !== 0 || constValue(reg.s) !== 0n) {
        fail(
          env,
          'V039_CTX_MODIFIED',
          { reg: regno, off: reg.off },
          'expected the ctx pointer as the program received it',
          [regno],
        );
      }
      if (off % size !== 0) {
        fail(env, 'V034_MISALIGNED', { kind: 'context ', off, size }, `expected a multiple of ${size}`, [
          regno,
        ]);
      }
      const { progType } = env.opts;
      if (off < 0 || off + size > progType.ctxSize || !progType.ctxAccess(off, size, kind !== 'read')) {
        fail(
          env,
          'V038_CTX_ACCESS',
          { off, size },
          `the ${progType.name} ctx (${progType.ctxSize} bytes) has no ${kind === 'read' ? 'readable' : 'writable'} field of ${size} bytes at offset ${off}`,
          [regno],
        );
      }
      return loaded();
    }
    default:
      return fail(
        env,
        'V030_BAD_MEM_TYPE',
        { reg: regno, type: typeName(reg) },
        `expected a pointer to memory, found ${regStr(reg)}`,
        [regno],
      );
  }
}

/**
 * Memory a helper reads (`write` false: initialised bytes, no spilled pointers) or writes, through
 * register `regno`, of at least `minSize` and at most `maxSize` bytes.
 */
export function checkHelperMem(
  env: Env,
  regno: number,
  minSize: number,
  maxSize: number,
  write: boolean,
): void {
  const reg = env.cur.frames[env.cur.frames.length - 1]!.regs[regno]!;
  if (maxSize === 0) return;
  const bad = (what: string, detail: string): never =>
    fail(env, 'V057_HELPER_MEM_RANGE', { reg: regno, what }, detail, [regno]);
  switch (reg.type) {
    case 'stack': {
      const frame = env.cur.frames[reg.frame]!;
      const { lo, hi } = accessRange(env, regno, reg, 0, maxSize);
      if (lo < -MAX_BPF_STACK || hi > 0) {
        bad(
          `invalid indirect access to stack off=${lo} size=${maxSize}`,
          `expected bytes within [-${MAX_BPF_STACK}, 0), found [${lo}, ${hi})`,
        );
      }
      noteDepth(env, frame, lo);
      const b0 = lo + MAX_BPF_STACK;
      const b1 = hi + MAX_BPF_STACK;
      if (write) {
        const sure = constValue(reg.s) === undefined ? b0 : b0 + minSize;
        writeStackRange(frame, b0, sure, b1);
        return;
      }
      checkInit(
        frame,
        b0,
        b1,
        (b) =>
          bad(
            `invalid indirect read from stack off ${lo}+0 size ${maxSize}`,
            `expected initialised bytes, found fp${b - MAX_BPF_STACK} never written on this path`,
          ),
        (b) =>
          fail(
            env,
            'V041_PTR_LEAK',
            { reg: regno, where: 'helper memory' },
            `the helper would read the pointer spilled at fp${(b & ~7) - MAX_BPF_STACK}`,
            [regno],
          ),
      );
      return;
    }
    case 'map_value':
    case 'mem': {
      const s = reg.s;
      if (constValue(s) === undefined && s.smin < 0n) {
        bad('min value is negative', `found ${regStr(reg)}`);
      }
      const { lo, hi } = accessRange(env, regno, reg, 0, maxSize);
      const limit = reg.type === 'map_value' ? reg.map!.valueSize : reg.size;
      if (lo < 0 || hi > limit) {
        bad(
          `invalid access to ${reg.type === 'mem' ? 'memory' : 'map value'}, size=${limit} off=${lo} size=${maxSize}`,
          `expected bytes within [0, ${limit}), found [${lo}, ${hi})`,
        );
      }
      if (write && reg.rdonly) {
        fail(
          env,
          'V040_READ_ONLY',
          { off: lo, size: maxSize, valueSize: limit },
          'the helper would write read-only memory',
          [regno],
        );
      }
      return;
    }
    case 'ctx': {
      // Departure from the kernel: a ctx field may be helper memory (e.g. &ctx->user_data as a map
      // key), when the helper touches exactly one field the program type allows.
      const { progType } = env.opts;
      if (constValue(reg.s) !== 0n || minSize !== maxSize || !progType.ctxAccess(reg.off, maxSize, write)) {
        bad(
          `invalid indirect ${write ? 'write to' : 'read from'} ctx off=${reg.off} size=${maxSize}`,
          `expected exactly one ${write ? 'writable' : 'readable'} field of the ${progType.name} ctx`,
        );
      }
      return;
    }
    default:
      bad(
        `type=${typeName(reg)} expected=fp, map_value, mem`,
        `expected a pointer to memory the helper may ${write ? 'write' : 'read'}, found ${regStr(reg)}`,
      );
  }
}
