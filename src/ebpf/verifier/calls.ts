/**
 * Calls as the verifier checks them: helper calls against their prototypes in the one helper
 * registry (the kernel's check_helper_call: argument types, sizes, memory ranges, map types,
 * sleepable and GPL-only rules, references acquired and released) and bpf2bpf calls, each with a
 * frame of its own (check_func_call / prepare_func_exit).
 */
import {
  BPF_FUNC_map_delete_elem,
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_ringbuf_output,
  BPF_FUNC_ringbuf_reserve,
  BPF_FUNC_tail_call,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_MAX_VAR_SIZ,
} from '../../uapi/bpf.js';
import type { ArgType, HelperDef } from '../helpers.js';
import type { Insn } from '../insn.js';
import { readReg } from './alu.js';
import type { MapInfo } from './api.js';
import { type Env, fail } from './env.js';
import { checkHelperMem } from './memory.js';
import { constValue, scalarStr } from './scalar.js';
import {
  curFrame,
  type Frame,
  isPointer,
  NOT_INIT,
  newFrame,
  ptrReg,
  RELEASED,
  type Reg,
  regStr,
  STACK_POISON,
  typeName,
  unknownReg,
  type VState,
} from './state.js';

const MAX_SIZE = BigInt(BPF_MAX_VAR_SIZ);

/** Map types each map-taking helper accepts (the kernel's check_map_func_compatibility). */
function mapCompatible(helper: number, mapType: number): boolean {
  const ringbuf = mapType === BPF_MAP_TYPE_RINGBUF;
  const progArray = mapType === BPF_MAP_TYPE_PROG_ARRAY;
  switch (helper) {
    case BPF_FUNC_map_lookup_elem:
    case BPF_FUNC_map_update_elem:
    case BPF_FUNC_map_delete_elem:
      return !ringbuf && !progArray;
    case BPF_FUNC_ringbuf_output:
    case BPF_FUNC_ringbuf_reserve:
      return ringbuf;
    case BPF_FUNC_tail_call:
      return progArray;
    default:
      return !ringbuf && !progArray;
  }
}

/** What earlier arguments tell later ones (the kernel's bpf_call_arg_meta). */
interface CallMeta {
  map: MapInfo | null;
  /** The previous argument was memory whose size this one gives. */
  memArg: { regno: number; write: boolean; nullOk: boolean } | null;
  allocSize: number;
  release: number;
}

function argFail(env: Env, regno: number, reg: Reg, expected: string): never {
  return fail(
    env,
    'V054_HELPER_ARG_TYPE',
    { reg: regno, type: typeName(reg), expected },
    `found ${regStr(reg)}`,
    [regno],
  );
}

const isNullConst = (r: Reg): boolean => r.type === 'scalar' && constValue(r.s) === 0n;

function checkArg(env: Env, def: HelperDef, k: number, t: ArgType, meta: CallMeta): void {
  const regno = k + 1;
  const reg = readReg(env, regno);
  switch (t) {
    case 'ARG_ANYTHING':
      if (isPointer(reg)) {
        fail(
          env,
          'V041_PTR_LEAK',
          { reg: regno, where: `helper ${def.name} argument ${regno}` },
          `expected a scalar, found ${regStr(reg)}`,
          [regno],
        );
      }
      return;
    case 'ARG_PTR_TO_CTX':
    case 'ARG_PTR_TO_CTX_OR_NULL':
      if (t === 'ARG_PTR_TO_CTX_OR_NULL' && isNullConst(reg)) {
        env.markPrecise(1 << regno);
        return;
      }
      if (reg.type !== 'ctx') argFail(env, regno, reg, 'ctx');
      if (reg.off !== 0 || constValue(reg.s) !== 0n) {
        fail(env, 'V039_CTX_MODIFIED', { reg: regno, off: reg.off }, 'expected the unmodified ctx pointer', [
          regno,
        ]);
      }
      return;
    case 'ARG_CONST_MAP_PTR':
      if (reg.type !== 'map_ptr') argFail(env, regno, reg, 'map_ptr');
      if (!mapCompatible(def.id, reg.map!.type)) {
        fail(
          env,
          'V056_HELPER_MAP_TYPE',
          { mapType: reg.map!.type, helper: def.name, id: def.id },
          `map '${reg.map!.name}'`,
          [regno],
        );
      }
      if (reg.map!.readonly && (def.id === BPF_FUNC_map_update_elem || def.id === BPF_FUNC_map_delete_elem)) {
        fail(
          env,
          'V040_READ_ONLY',
          { off: 0, size: reg.map!.valueSize, valueSize: reg.map!.valueSize },
          `${def.name} would change map '${reg.map!.name}', which is read-only to programs`,
          [regno],
        );
      }
      meta.map = reg.map;
      return;
    case 'ARG_PTR_TO_MAP_KEY':
    case 'ARG_PTR_TO_MAP_VALUE':
    case 'ARG_PTR_TO_UNINIT_MAP_VALUE': {
      const map = meta.map;
      if (map === null) throw new TypeError(`helper ${def.name}: ${t} without a map argument before it`);
      if (reg.nullable || !isMemPtr(reg)) argFail(env, regno, reg, 'fp, map_value, mem');
      const size = t === 'ARG_PTR_TO_MAP_KEY' ? map.keySize : map.valueSize;
      checkHelperMem(env, regno, size, size, t === 'ARG_PTR_TO_UNINIT_MAP_VALUE');
      return;
    }
    case 'ARG_PTR_TO_MEM':
    case 'ARG_PTR_TO_MEM_RDONLY':
    case 'ARG_PTR_TO_MEM_OR_NULL':
    case 'ARG_PTR_TO_UNINIT_MEM': {
      const nullOk = t === 'ARG_PTR_TO_MEM_OR_NULL';
      if (nullOk && isNullConst(reg)) env.markPrecise(1 << regno);
      else if (reg.nullable || !isMemPtr(reg)) {
        argFail(env, regno, reg, 'fp, map_value, mem');
      }
      meta.memArg = { regno, write: t === 'ARG_PTR_TO_UNINIT_MEM', nullOk };
      return;
    }
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO': {
      const mem = meta.memArg;
      meta.memArg = null;
      if (mem === null) throw new TypeError(`helper ${def.name}: ${t} without a memory argument before it`);
      if (reg.type !== 'scalar') argFail(env, regno, reg, 'scalar');
      env.markPrecise(1 << regno);
      const s = reg.s;
      const sizeFail = (what: string): never =>
        fail(env, 'V055_HELPER_ARG_SIZE', { reg: regno, what }, `found ${scalarStr(s)}`, [regno]);
      if (s.smin < 0n) sizeFail("min value is negative, either use unsigned or 'var &= const'");
      if (s.umax >= MAX_SIZE) {
        sizeFail("unbounded memory access, use 'var &= const' or 'if (var < const)'");
      }
      if (t === 'ARG_CONST_SIZE' && s.umin === 0n) sizeFail('invalid zero-sized read');
      const memReg = curFrame(env.cur).regs[mem.regno]!;
      if (isNullConst(memReg)) {
        if (s.umax !== 0n) sizeFail('expected size 0 with a NULL memory argument');
        return;
      }
      checkHelperMem(env, mem.regno, Number(s.umin), Number(s.umax), mem.write);
      return;
    }
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO': {
      if (reg.type === 'scalar') env.markPrecise(1 << regno);
      const c = reg.type === 'scalar' ? constValue(reg.s) : undefined;
      if (c === undefined || c >= MAX_SIZE) {
        fail(
          env,
          'V055_HELPER_ARG_SIZE',
          { reg: regno, what: 'is not a known constant' },
          `found ${regStr(reg)}`,
          [regno],
        );
      }
      meta.allocSize = Number(c);
      return;
    }
    case 'ARG_PTR_TO_ALLOC_MEM': {
      if (reg.type !== 'mem' || reg.nullable || reg.ref === 0) {
        fail(
          env,
          'V059_BAD_RELEASE',
          { reg: regno, what: `type=${typeName(reg)} expected=alloc_mem` },
          `expected the pointer ringbuf_reserve returned, after a NULL check; found ${regStr(reg)}`,
          [regno],
        );
      }
      if (reg.off !== 0 || constValue(reg.s) !== 0n) {
        fail(
          env,
          'V059_BAD_RELEASE',
          { reg: regno, what: `must have zero offset when passed to release func` },
          `found ${regStr(reg)}`,
          [regno],
        );
      }
      meta.release = reg.ref;
      return;
    }
  }
}

const isMemPtr = (r: Reg): boolean =>
  r.type === 'stack' || r.type === 'map_value' || r.type === 'mem' || r.type === 'ctx';

/** Every register and spill of the state, with a way to replace it. */
export function forEachReg(st: VState, fn: (r: Reg) => Reg | null): void {
  for (const f of st.frames) {
    for (let k = 0; k < 11; k++) {
      const n = fn(f.regs[k]!);
      if (n !== null) f.regs[k] = n;
    }
    for (let s = 0; s < f.spills.length; s++) {
      const sp = f.spills[s];
      if (sp === null || sp === undefined) continue;
      const n = fn(sp.reg);
      if (n === null) continue;
      if (n.type === 'not_init') {
        // A released pointer's bytes stay unreadable (reading them would leak the address).
        f.spills[s] = null;
        f.stype.fill(STACK_POISON, s * 8 + sp.at, s * 8 + sp.at + sp.size);
      } else f.spills[s] = { ...sp, reg: n };
    }
  }
}

/** Release reference `ref`: every copy of the memory becomes unusable. */
export function releaseRef(st: VState, ref: number): void {
  st.refs = st.refs.filter((r) => r.id !== ref);
  forEachReg(st, (r) => (r.ref === ref ? RELEASED : null));
}

/** A helper call: `call imm` with src 0. */
export function checkHelperCall(env: Env, insn: Insn): void {
  const { opts } = env;
  const def = opts.helpers.get(insn.imm);
  if (def === undefined) {
    fail(env, 'V050_UNKNOWN_HELPER', { id: insn.imm }, 'expected the id of a helper of this runtime');
  }
  const helper = { helper: def.name, id: def.id };
  if (opts.progType.helperAllowed !== undefined && !opts.progType.helperAllowed(def)) {
    fail(env, 'V051_HELPER_NOT_ALLOWED', { ...helper, progType: opts.progType.name });
  }
  if (def.sleepableOnly && opts.sleepable !== true) fail(env, 'V052_HELPER_SLEEPABLE', helper);
  if (def.gplOnly && opts.gpl === false) fail(env, 'V053_HELPER_GPL', helper);

  const meta: CallMeta = { map: null, memArg: null, allocSize: 0, release: 0 };
  for (let k = 0; k < def.args.length; k++) checkArg(env, def, k, def.args[k]!, meta);
  if (meta.memArg !== null)
    throw new TypeError(`helper ${def.name}: memory argument without a size after it`);

  const st = env.cur;
  if (def.id === BPF_FUNC_tail_call && st.refs.length > 0) {
    const r = st.refs[0]!;
    fail(env, 'V058_UNRELEASED_REF', { id: r.id, at: r.at }, 'tail_call would lead to reference leak');
  }
  if (meta.release !== 0) releaseRef(st, meta.release);
  const regs = curFrame(st).regs;
  for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
  switch (def.ret) {
    case 'RET_INTEGER':
      regs[0] = unknownReg();
      break;
    case 'RET_VOID':
      regs[0] = NOT_INIT;
      break;
    case 'RET_PTR_TO_MAP_VALUE':
    case 'RET_PTR_TO_MAP_VALUE_OR_NULL': {
      const map = meta.map!;
      regs[0] = ptrReg('map_value', {
        map,
        rdonly: map.readonly,
        nullable: def.ret === 'RET_PTR_TO_MAP_VALUE_OR_NULL',
        id: def.ret === 'RET_PTR_TO_MAP_VALUE_OR_NULL' ? env.nextId() : 0,
      });
      break;
    }
    case 'RET_PTR_TO_ALLOC_MEM_OR_NULL': {
      const id = env.nextId();
      st.refs = [...st.refs, { id, at: env.idx }];
      regs[0] = ptrReg('mem', { size: meta.allocSize, nullable: true, id, ref: id });
      break;
    }
  }
}

/** A bpf2bpf call into subprogram `subprog`: a new frame with r1-r5 passed. */
export function enterCall(env: Env, subprog: number): void {
  const st = env.cur;
  const caller = curFrame(st);
  const frameNo = st.frames.length;
  const callee: Frame = newFrame(env.idx, subprog, frameNo);
  for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r]!;
  st.frames.push(callee);
}

/** `exit` of a subprogram: back to the caller; returns the slot to continue at. */
export function leaveCall(env: Env): number {
  const st = env.cur;
  const callee = st.frames.pop()!;
  // A function that returns nothing (void) leaves r0 unwritten: the caller's r0 is then unreadable.
  const r0 = callee.regs[0]!;
  if (r0.type === 'stack' && r0.frame >= st.frames.length) {
    st.frames.push(callee);
    fail(env, 'V061_RETURN_STACK_PTR', {}, `found R0=${regStr(r0)}`, [0]);
  }
  const caller = curFrame(st);
  caller.regs[0] = r0;
  for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
  return callee.callsite + 1;
}
