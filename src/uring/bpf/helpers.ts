/**
 * The io_uring helpers of RFC v2 (spec §3.8, §4.6), with their return values:
 *
 *   164 long iouring_queue_sqe(ctx, sqe, len)            1 accepted, 0 rejected (its error CQE posted),
 *                                                        -EINVAL len != 64, -EAGAIN ring being torn down
 *   165 long iouring_emit_cqe(ctx, cq_idx, ud, res, fl)  0 posted (or backlogged, DESIGN.md Q5),
 *                                                        -EINVAL bad cq_idx, -ENOMEM dropped (strictRfc)
 *   166 long iouring_reap_cqe(ctx, cq_idx, out, len)     0 copied and head advanced; -ENOENT empty,
 *                                                        -EINVAL len != 16 or bad cq_idx; out zeroed on error
 *   167 long bpf_copy_to_user(uptr, src, size)           0, or -EFAULT
 *   148 long bpf_copy_from_user(dst, size, uptr)         0, or -EFAULT with dst zero-filled
 *
 * 148, 164 and 167 are sleepable-only (a non-sleepable program calling them fails to load, load.ts).
 * The helpers find their ring through HelperEnv.ctx (a BpfRunCtx); called outside an IORING_OP_BPF run
 * they stop the program (E_HELPER fault). "User memory" is any valid address of the address space
 * (the NULL page is not), the same rule ops use for buffers in SQEs.
 *
 * What the verifier would reject (no verifier runs yet) stops the run: a memory argument the program
 * may not read or write (sqe, out, src, dst) is an E_FAULT_MEM fault.
 */

import { BpfFault } from '../../ebpf/faults.js';
import type { HelperDef, HelperEnv, HelperRegistry } from '../../ebpf/helpers.js';
import {
  BPF_FUNC_copy_from_user,
  BPF_FUNC_copy_to_user,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_reap_cqe,
} from '../../uapi/bpf.js';
import { EAGAIN, EFAULT, EINVAL, ENOENT, ENOMEM } from '../../uapi/errno.js';
import { type BpfRunCtx, isBpfRunCtx } from './host.js';

const U32 = 0xffff_ffffn;
const hex = (v: bigint): string => `0x${v.toString(16)}`;
const err = (e: number): bigint => BigInt(-e);

function runCtx(env: HelperEnv, name: string): BpfRunCtx {
  if (!isBpfRunCtx(env.ctx)) {
    throw new TypeError(`${name}: called outside an IORING_OP_BPF run (no ring in the run's context)`);
  }
  return env.ctx;
}

/** `r` as an address of `len` bytes the program may read (write); an E_FAULT_MEM fault otherwise. */
function progMem(env: HelperEnv, r: bigint, len: number, write: boolean, what: string): number {
  const a = r <= U32 ? Number(r) : -1;
  if (len === 0) return a;
  if (a < 0 || !(write ? env.writable(a, len) : env.readable(a, len))) {
    throw new BpfFault(
      'E_FAULT_MEM',
      0,
      `${what} ${hex(r)} (${len} bytes) is not memory the program may ${write ? 'write' : 'read'}`,
    );
  }
  return a;
}

/** `r` as a user address of `len` bytes (addressable, not kernel-private memory), or -1. */
function userMem(env: HelperEnv, r: bigint, len: number): number {
  if (r > BigInt(Number.MAX_SAFE_INTEGER)) return -1;
  const a = Number(r);
  const n = Math.max(len, 1);
  return env.mem.isUser(a, n) ? a : -1;
}

const size32 = (r: bigint): number => Number(r & U32);

export function iouringHelpers(): HelperDef[] {
  const gplOnly = false;
  return [
    {
      id: BPF_FUNC_iouring_queue_sqe,
      name: 'iouring_queue_sqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE'],
      ret: 'RET_INTEGER',
      sleepableOnly: true,
      gplOnly,
      impl(env, _ctx, sqe, len) {
        const { host } = runCtx(env, 'iouring_queue_sqe');
        if (len !== 64n) return err(EINVAL);
        const a = progMem(env, sqe, 64, false, 'r2 sqe');
        if (host.dying) return err(EAGAIN);
        return host.bpfSubmitSqe(a) === 0 ? 1n : 0n;
      },
    },
    {
      id: BPF_FUNC_iouring_emit_cqe,
      name: 'iouring_emit_cqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly,
      impl(env, _ctx, cqIdx, ud, res, flags) {
        const { host } = runCtx(env, 'iouring_emit_cqe');
        const idx = size32(cqIdx);
        if (idx >= host.cqs.length) return err(EINVAL);
        const posted = host.post(
          idx,
          Number(ud & U32),
          Number((ud >> 32n) & U32),
          Number(BigInt.asIntN(32, res)),
          size32(flags),
        );
        return posted ? 0n : err(ENOMEM);
      },
    },
    {
      id: BPF_FUNC_iouring_reap_cqe,
      name: 'iouring_reap_cqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly,
      impl(env, _ctx, cqIdx, out, outLen) {
        const run = runCtx(env, 'iouring_reap_cqe');
        const host = run.host;
        const len = size32(outLen);
        const o = progMem(env, out, len, true, 'r3 out');
        const mem = host.mem;
        const fail = (e: number): bigint => {
          if (len > 0) mem.zero(o, len);
          return err(e);
        };
        if (len !== 16) return fail(EINVAL);
        const cq = host.cqs[size32(cqIdx)];
        if (cqIdx > U32 || cq === undefined) return fail(EINVAL);
        const head = mem.loadU32(cq.headAddr);
        if (mem.loadU32(cq.tailAddr) === head) return fail(ENOENT);
        mem.copy(o, cq.cqesAddr + ((head & (cq.entries - 1)) << 4), 16);
        mem.storeU32(cq.headAddr, (head + 1) >>> 0);
        run.reaped++;
        return 0n;
      },
    },
    {
      id: BPF_FUNC_copy_to_user,
      name: 'copy_to_user',
      args: ['ARG_ANYTHING', 'ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'],
      ret: 'RET_INTEGER',
      sleepableOnly: true,
      gplOnly,
      impl(env, uptr, src, size) {
        const n = size32(size);
        const s = progMem(env, src, n, false, 'r2 src');
        if (n === 0) return 0n;
        const u = userMem(env, uptr, n);
        if (u < 0) return err(EFAULT);
        env.mem.copy(u, s, n);
        return 0n;
      },
    },
    {
      id: BPF_FUNC_copy_from_user,
      name: 'copy_from_user',
      args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
      ret: 'RET_INTEGER',
      sleepableOnly: true,
      gplOnly,
      impl(env, dst, size, uptr) {
        const n = size32(size);
        const d = progMem(env, dst, n, true, 'r1 dst');
        if (n === 0) return 0n;
        const u = userMem(env, uptr, n);
        if (u < 0) {
          env.mem.zero(d, n);
          return err(EFAULT);
        }
        env.mem.copy(d, u, n);
        return 0n;
      },
    },
  ];
}

/** Add the io_uring helpers (148, 164-167) to `registry`. */
export function registerIouringHelpers(registry: HelperRegistry): void {
  for (const def of iouringHelpers()) registry.register(def);
}
