/**
 * IORING_OP_BPF (spec §4.4): prep checks, in the RFC's order, then issue hands the request to the
 * BPF run path (src/uring/bpf/run.ts) which never runs the program inline.
 */
import { EFAULT, EINVAL } from '../../uapi/errno.js';
import {
  IORING_SETUP_IOPOLL,
  IORING_SETUP_SQPOLL,
  IOSQE_BUFFER_SELECT,
  IOSQE_FIXED_FILE,
} from '../../uapi/io_uring.js';
import { BpfReqState } from '../bpf/run.js';
import type { OpDef } from './types.js';

export const bpfOp: OpDef = {
  name: 'BPF',
  // ioprio and BUFFER_SELECT reach prep, which fails them with -EINVAL (not -EOPNOTSUPP).
  ioprio: true,
  bufferSelect: true,
  prep(ring, req) {
    if ((ring.setupFlags & (IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL)) !== 0) return -EINVAL;
    if ((req.flags & (IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT)) !== 0) return -EINVAL;
    if (req.ioprio !== 0 || req.len !== 0 || req.opFlags !== 0 || req.addrLo !== 0 || req.addrHi !== 0) {
      return -EINVAL;
    }
    // The slot is the low 32 bits of sqe->off (DESIGN.md Q9).
    const entry = ring.bpfSlot(req.offLo >>> 0);
    if (entry === null) return -EFAULT;
    req.op = new BpfReqState(entry);
    return 0;
  },
  issue(ring, req) {
    ring.bpfIssue(req);
    return false;
  },
};
