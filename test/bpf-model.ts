/**
 * The io_uring helpers of the test models of test/rfc-objects.test.ts and test/examples-objects.test.ts:
 * tiny stand-ins for a ring (CQs as arrays) that run the example programs on the interpreter before
 * and beside the real kernel side. A model supplies its CQs, its posting and what a queued SQE does.
 */
import type { HelperDef } from '../src/ebpf/helpers.js';
import type { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_FUNC_copy_from_user,
  BPF_FUNC_copy_to_user,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_reap_cqe,
} from '../src/uapi/bpf.js';
import { EINVAL, ENOENT } from '../src/uapi/errno.js';

export interface ModelCqe {
  readonly ud: bigint;
  readonly res: number;
}

export interface ModelRing {
  readonly mem: AddressSpace;
  readonly cqs: ModelCqe[][];
  /** Post a CQE to CQ `cq` (the model's own bookkeeping: logs, wake-ups). */
  post(cq: number, ud: bigint, res: number): void;
  /** What iouring_queue_sqe does with the 64-byte SQE at `addr` (len already checked): 1, 0 or -errno. */
  queueSqe(addr: number): bigint;
}

/** Helpers 148, 164-167 over a model ring, as plain copies and array operations. */
export function modelHelpers(r: ModelRing): HelperDef[] {
  const m = r.mem;
  const base = { ret: 'RET_INTEGER', sleepableOnly: false, gplOnly: false } as const;
  const copy = (dst: bigint, src: bigint, size: bigint): bigint => {
    m.writeBytes(Number(dst), m.readBytes(Number(src), Number(size)));
    return 0n;
  };
  return [
    {
      ...base,
      id: BPF_FUNC_copy_from_user,
      name: 'bpf_copy_from_user',
      args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
      sleepableOnly: true,
      impl: (_e, dst, size, src) => copy(dst, src, size),
    },
    {
      ...base,
      id: BPF_FUNC_copy_to_user,
      name: 'bpf_copy_to_user',
      args: ['ARG_ANYTHING', 'ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'],
      sleepableOnly: true,
      impl: (_e, dst, src, size) => copy(dst, src, size),
    },
    {
      ...base,
      id: BPF_FUNC_iouring_emit_cqe,
      name: 'iouring_emit_cqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
      impl: (_e, _ctx, cq, ud, res) => {
        if (cq >= BigInt(r.cqs.length)) return BigInt(-EINVAL);
        r.post(Number(cq), ud, Number(BigInt.asIntN(32, res)));
        return 0n;
      },
    },
    {
      ...base,
      id: BPF_FUNC_iouring_reap_cqe,
      name: 'iouring_reap_cqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
      impl: (_e, _ctx, cq, out, len) => {
        m.writeBytes(Number(out), new Uint8Array(Number(len)));
        if (len !== 16n || cq >= BigInt(r.cqs.length)) return BigInt(-EINVAL);
        const c = r.cqs[Number(cq)]!.shift();
        if (c === undefined) return BigInt(-ENOENT);
        m.writeU64(Number(out), c.ud);
        m.writeU32(Number(out) + 8, c.res >>> 0);
        return 0n;
      },
    },
    {
      ...base,
      id: BPF_FUNC_iouring_queue_sqe,
      name: 'iouring_queue_sqe',
      args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM_RDONLY', 'ARG_CONST_SIZE'],
      sleepableOnly: true,
      impl: (_e, _ctx, at, len) => (len === 64n ? r.queueSqe(Number(at)) : BigInt(-EINVAL)),
    },
  ];
}
