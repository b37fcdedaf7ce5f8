/**
 * The run loop's slow paths: faults built with their messages (addresses in hex, the reason, the
 * permitted regions) and helper calls (arguments as u64 bigints, failures turned into faults). Kept
 * out of interp-run.ts so that the loop holds only the per-instruction work.
 */
import type { RegionAccess } from '../mem/regions.js';
import { BpfFault } from './faults.js';
import type { HelperDef, HelperEnv } from './helpers.js';

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

export function fault(code: BpfFault['code'], index: number, executed: number, detail: string): BpfFault {
  const f = new BpfFault(code, index, detail);
  f.executed = executed;
  return f;
}

export function budgetFault(pc: number, n: number, limit: number): BpfFault {
  return fault(
    'E_BUDGET',
    pc,
    n,
    `instruction budget spent: ${limit} instructions executed, expected the program to exit within them`,
  );
}

export function memFault(
  kind: 'load' | 'store' | 'atomic',
  size: number,
  reg: number,
  off: number,
  L: Int32Array,
  H: Int32Array,
  acc: RegionAccess,
  index: number,
  n: number,
): BpfFault {
  const base = (BigInt(H[reg]! >>> 0) << 32n) | BigInt(L[reg]! >>> 0);
  const addr = BigInt.asUintN(64, base + BigInt(off));
  const at = `${kind} of ${size} byte(s) at 0x${addr.toString(16)} (r${reg} 0x${base.toString(16)} ${off < 0 ? '-' : '+'} ${Math.abs(off)})`;
  let why: string;
  if (addr < 0x1000n) why = 'in the NULL page';
  else if (addr >= 0x1_0000_0000n) why = 'beyond the 32-bit address space';
  else {
    const r = acc.regionAt(Number(addr));
    if (r === null) why = 'outside every permitted region';
    else if (kind !== 'load' && r.writable === false) why = `in read-only region '${r.name}'`;
    else why = `crossing the end of region '${r.name}' [${hex(r.addr)}, ${hex(r.addr + r.size)})`;
  }
  return fault('E_FAULT_MEM', index, n, `${at} is ${why}; permitted: ${acc.describe()}`);
}

export function alignFault(size: number, addr: number, index: number, n: number): BpfFault {
  return fault(
    'E_FAULT_ALIGN',
    index,
    n,
    `atomic of ${size} bytes at ${hex(addr)}: expected an address aligned to ${size} bytes`,
  );
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * Call helper `def` with the u64 arguments; its result as a u64. A throw becomes a BpfFault at
 * `index` ('E_HELPER' naming the helper; a BpfFault the helper threw keeps its code), with
 * `executed` = n. Both engines call helpers through here.
 */
export function helperValue(
  def: HelperDef,
  env: HelperEnv,
  index: number,
  n: number,
  r1: bigint,
  r2: bigint,
  r3: bigint,
  r4: bigint,
  r5: bigint,
): bigint {
  let r: unknown;
  try {
    r = def.impl(env, r1, r2, r3, r4, r5);
  } catch (e) {
    if (e instanceof BpfFault) {
      const f = new BpfFault(e.code, index, `helper ${def.id} (${def.name}): ${e.detail}`, { cause: e });
      f.executed = n;
      throw f;
    }
    const f = new BpfFault(
      'E_HELPER',
      index,
      `helper ${def.id} (${def.name}) failed: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
    f.executed = n;
    throw f;
  }
  if (typeof r !== 'bigint') {
    throw fault(
      'E_HELPER',
      index,
      n,
      `helper ${def.id} (${def.name}) returned ${typeof r}, expected a bigint`,
    );
  }
  return BigInt.asUintN(64, r);
}

export function callHelper(
  def: HelperDef,
  L: Int32Array,
  H: Int32Array,
  env: HelperEnv,
  index: number,
  n: number,
): void {
  const v = helperValue(
    def,
    env,
    index,
    n,
    u64(L[1]!, H[1]!),
    u64(L[2]!, H[2]!),
    u64(L[3]!, H[3]!),
    u64(L[4]!, H[4]!),
    u64(L[5]!, H[5]!),
  );
  L[0] = Number(v & 0xffff_ffffn);
  H[0] = Number(v >> 32n);
}
