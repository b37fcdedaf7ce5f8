/**
 * BPF_PROG_TYPE_IOURING as the verifier sees it (spec §3.6-§3.7, DESIGN Q10): r1 points to the
 * 16-byte struct io_uring_bpf_ctx, accessed only field by field (BPF_CTX_FIELDS, the same rule the
 * run enforces), and r0 must be exactly 0 at exit.
 */
import type { ProgTypeInfo } from '../../ebpf/verifier/api.js';
import { BPF_CTX_FIELDS, BPF_CTX_SIZE } from './run.js';

export const IOURING_PROG_TYPE: ProgTypeInfo = {
  name: 'iouring',
  ctxSize: BPF_CTX_SIZE,
  ctxAccess: (off, size) => BPF_CTX_FIELDS.some(([o, n]) => o === off && n === size),
  retRange: [0n, 0n],
};
