/** IORING_OP_NOP, with IORING_NOP_INJECT_RESULT (a 6.x flag the kernel probe relies on). */
import { EINVAL } from '../../uapi/errno.js';
import { IORING_NOP_INJECT_RESULT } from '../../uapi/io_uring.js';
import type { OpDef } from './types.js';

export const nopOp: OpDef = {
  name: 'NOP',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.opFlags & ~IORING_NOP_INJECT_RESULT) !== 0) return -EINVAL;
    return 0;
  },
  issue(_ring, req) {
    req.res = (req.opFlags & IORING_NOP_INJECT_RESULT) !== 0 ? req.len | 0 : 0;
    return true;
  },
};
