/**
 * Rejections before the walk, over every instruction (also those no path reaches, as the kernel
 * checks kfunc calls up front): checkInsns's encoding errors as V012; instructions a verified
 * program may not use (legacy packet access, callx, kfunc calls) as V012; unknown helpers as V050;
 * lddw pseudo sources other than maps as V013.
 */
import {
  BPF_CALL,
  BPF_JMP,
  BPF_LD,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
  BPF_X,
} from '../../uapi/bpf.js';
import type { HelperRegistry } from '../helpers.js';
import { checkInsns, type Insn, InsnError, insnClass, isLddw, jmpOp, srcBit } from '../insn.js';
import type { MapInfo } from './api.js';
import { VerifierError, type VerifierErrorCode } from './errors.js';
import { formatMessage } from './messages.js';

function bad(
  code: VerifierErrorCode,
  i: number,
  params: Readonly<Record<string, string | number>>,
  detail: string,
): never {
  throw new VerifierError(code, i, `${formatMessage(code, params)}: ${detail}`);
}

/** An lddw naming a map (by id): the map exists; a direct value address needs a one-element ARRAY. */
export function checkMapLddw(
  insn: Insn,
  hi: Insn,
  i: number,
  maps: ((id: number) => MapInfo | undefined) | undefined,
): MapInfo {
  const map = maps?.(insn.imm);
  if (map === undefined) {
    return bad(
      'V013_BAD_LDDW',
      i,
      { what: `fd ${insn.imm} is not pointing to valid bpf_map` },
      'expected a map id',
    );
  }
  if (insn.src === BPF_PSEUDO_MAP_VALUE && (!map.directValue || hi.imm < 0 || hi.imm >= map.valueSize)) {
    bad(
      'V013_BAD_LDDW',
      i,
      { what: `direct value access on map '${map.name}' at off ${hi.imm}` },
      `expected a one-element ARRAY map and an offset in [0, ${map.valueSize})`,
    );
  }
  return map;
}

export function checkEncoding(
  insns: readonly Insn[],
  helpers: HelperRegistry,
  maps: ((id: number) => MapInfo | undefined) | undefined,
): void {
  try {
    checkInsns(insns);
  } catch (e) {
    if (e instanceof InsnError)
      throw new VerifierError('V012_BAD_INSN', e.index, `invalid insn: ${e.message}`);
    throw e;
  }
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const cls = insnClass(insn.code);
    if (isLddw(insn)) {
      if (insn.src !== 0 && insn.src !== BPF_PSEUDO_MAP_FD && insn.src !== BPF_PSEUDO_MAP_VALUE) {
        bad('V013_BAD_LDDW', i, { what: `unsupported pseudo source ${insn.src}` }, 'expected 0, 1 or 2');
      }
      if (insn.src !== 0) checkMapLddw(insn, insns[i + 1]!, i, maps);
      i++;
      continue;
    }
    if (cls === BPF_LD) {
      bad('V012_BAD_INSN', i, { what: 'legacy packet access (BPF_LD | BPF_ABS / BPF_IND)' }, 'not supported');
    }
    if (cls !== BPF_JMP || jmpOp(insn.code) !== BPF_CALL) continue;
    if (srcBit(insn.code) === BPF_X) {
      bad('V012_BAD_INSN', i, { what: 'callx (indirect call through a register)' }, 'not supported');
    }
    if (insn.src === BPF_PSEUDO_CALL) continue;
    if (insn.src !== 0) bad('V012_BAD_INSN', i, { what: 'kfunc call' }, 'kernel functions are not supported');
    if (!helpers.has(insn.imm)) {
      bad('V050_UNKNOWN_HELPER', i, { id: insn.imm }, 'expected the id of a helper of this runtime');
    }
  }
}
