/** IORING_REGISTER_PROBE: which opcodes this ring supports, in struct io_uring_probe at `arg`. */
import type { AddressSpace } from '../mem/address-space.js';
import { EFAULT, EINVAL } from '../uapi/errno.js';
import { IO_URING_OP_SUPPORTED, IORING_OP_LAST } from '../uapi/io_uring.js';
import { IO_URING_PROBE, IO_URING_PROBE_OP } from '../uapi/layout.js';
import { opSupported } from './ops/index.js';

/** Fill the probe at `arg` with `nr` op entries (at most 256); 0, -EFAULT, or -EINVAL when not zeroed. */
export function registerProbe(mem: AddressSpace, arg: number, nr: number): number {
  const n = Math.min(nr >>> 0, 256);
  const size = IO_URING_PROBE.size + n * IO_URING_PROBE_OP.size;
  if (!mem.isUser(arg, size)) return -EFAULT;
  if (mem.readBytes(arg, size).some((b) => b !== 0)) return -EINVAL;
  const ops = Math.min(n, IORING_OP_LAST);
  mem.writeU8(arg + IO_URING_PROBE.fields.last_op.offset, IORING_OP_LAST - 1);
  mem.writeU8(arg + IO_URING_PROBE.fields.ops_len.offset, ops);
  for (let i = 0; i < ops; i++) {
    const e = arg + IO_URING_PROBE.size + i * IO_URING_PROBE_OP.size;
    mem.writeU8(e + IO_URING_PROBE_OP.fields.op.offset, i);
    if (opSupported(i)) mem.writeU16(e + IO_URING_PROBE_OP.fields.flags.offset, IO_URING_OP_SUPPORTED);
  }
  return 0;
}
