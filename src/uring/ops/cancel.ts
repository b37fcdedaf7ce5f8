/** IORING_OP_ASYNC_CANCEL: cancel an in-flight request by user_data (5.13 form: no cancel flags). */
import { EINVAL, ENOENT } from '../../uapi/errno.js';
import { IOSQE_BUFFER_SELECT, IOSQE_FIXED_FILE } from '../../uapi/io_uring.js';
import type { OpDef } from './types.js';

export const asyncCancelOp: OpDef = {
  name: 'ASYNC_CANCEL',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.flags & (IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT)) !== 0) return -EINVAL;
    // 6.18 (probe X16): off, cancel_flags and splice_fd_in must be 0; len and buf_index are ignored.
    if (req.offLo !== 0 || req.offHi !== 0 || req.opFlags !== 0 || req.spliceFdIn !== 0) return -EINVAL;
    return 0;
  },
  issue(ring, req) {
    const victim = ring.findCancelable(req.addrLo, req.addrHi);
    if (victim === null || victim.cancel === null) {
      req.res = -ENOENT;
      return true;
    }
    req.res = victim.cancel(victim);
    return true;
  },
};
