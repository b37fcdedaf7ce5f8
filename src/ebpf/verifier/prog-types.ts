/**
 * The program types this runtime runs, as the verifier sees them.
 *
 * BPF_PROG_TYPE_IOURING (spec §3.6-§3.7, DESIGN Q10): r1 points to the 16-byte struct
 * io_uring_bpf_ctx, accessed only field by field: user_data (8 bytes at 0), wait_nr (4 at 8),
 * wait_idx (4 at 12), reads and writes alike; r0 must be exactly 0 at exit. Departure from the
 * RFC: one 8-byte access at offset 8 covering wait_nr and wait_idx whole is allowed too, because
 * clang merges `ctx->wait_nr = n; ctx->wait_idx = i;` into such a store (the RFC's own programs
 * compiled by clang-19 do it); it cannot reach any byte outside the two fields. The run enforces
 * the same fields (IOURING_CTX_FIELDS) when a program is loaded without verification.
 */
import { BPF_PROG_TYPE_IOURING } from '../../uapi/bpf.js';
import { IO_URING_BPF_CTX } from '../../uapi/layout.js';
import type { ProgTypeInfo } from './api.js';

const F = IO_URING_BPF_CTX.fields;

/** The [offset, size] accesses allowed to struct io_uring_bpf_ctx. */
export const IOURING_CTX_FIELDS: readonly (readonly [number, number])[] = [
  [F.user_data.offset, 8],
  [F.wait_nr.offset, 4],
  [F.wait_idx.offset, 4],
  [F.wait_nr.offset, 8],
];

export const IOURING_PROG_TYPE: ProgTypeInfo = {
  name: 'iouring',
  ctxSize: IO_URING_BPF_CTX.size,
  ctxAccess: (off, size) => IOURING_CTX_FIELDS.some(([o, n]) => o === off && n === size),
  retRange: [0n, 0n],
};

/** The verifier's description of program type `type` (BPF_PROG_TYPE_*), or undefined. */
export function progTypeInfo(type: number): ProgTypeInfo | undefined {
  return type === BPF_PROG_TYPE_IOURING ? IOURING_PROG_TYPE : undefined;
}
