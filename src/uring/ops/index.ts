/** The opcode table: every opcode of the RFC's set, with the ones not supported yet failing prep. */
import { EINVAL } from '../../uapi/errno.js';
import {
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_BPF,
  IORING_OP_CLOSE,
  IORING_OP_FADVISE,
  IORING_OP_FALLOCATE,
  IORING_OP_FSYNC,
  IORING_OP_LAST,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_MADVISE,
  IORING_OP_NAMES,
  IORING_OP_NOP,
  IORING_OP_OPENAT,
  IORING_OP_OPENAT2,
  IORING_OP_READ,
  IORING_OP_READ_FIXED,
  IORING_OP_READV,
  IORING_OP_RENAMEAT,
  IORING_OP_SPLICE,
  IORING_OP_STATX,
  IORING_OP_TEE,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_OP_UNLINKAT,
  IORING_OP_WRITE,
  IORING_OP_WRITE_FIXED,
  IORING_OP_WRITEV,
} from '../../uapi/io_uring.js';
import { bpfOp } from './bpf.js';
import { asyncCancelOp } from './cancel.js';
import { renameatOp, spliceOpDef, teeOp, unlinkatOp } from './fsops.js';
import { nopOp } from './nop.js';
import { closeOp, openat2Op, openatOp } from './open.js';
import { readFixedOp, readOp, readvOp, writeFixedOp, writeOp, writevOp } from './rw.js';
import { statxOp } from './statx.js';
import { fadviseOp, fallocateOp, fsyncOp, madviseOp } from './sync.js';
import { linkTimeoutOp, timeoutOp, timeoutRemoveOp } from './timeout.js';
import type { OpDef } from './types.js';

function unsupported(opcode: number): OpDef {
  return {
    name: (IORING_OP_NAMES[opcode] ?? `op ${opcode}`).replace('IORING_OP_', ''),
    ioprio: true,
    bufferSelect: true,
    prep: () => -EINVAL,
    issue(_ring, req) {
      req.res = -EINVAL;
      return true;
    },
  };
}

const table: OpDef[] = [];
for (let op = 0; op < IORING_OP_LAST; op++) table.push(unsupported(op));
table[IORING_OP_NOP] = nopOp;
table[IORING_OP_TIMEOUT] = timeoutOp;
table[IORING_OP_TIMEOUT_REMOVE] = timeoutRemoveOp;
table[IORING_OP_ASYNC_CANCEL] = asyncCancelOp;
table[IORING_OP_LINK_TIMEOUT] = linkTimeoutOp;
table[IORING_OP_READ] = readOp;
table[IORING_OP_WRITE] = writeOp;
table[IORING_OP_READV] = readvOp;
table[IORING_OP_WRITEV] = writevOp;
table[IORING_OP_READ_FIXED] = readFixedOp;
table[IORING_OP_WRITE_FIXED] = writeFixedOp;
table[IORING_OP_FSYNC] = fsyncOp;
table[IORING_OP_FALLOCATE] = fallocateOp;
table[IORING_OP_OPENAT] = openatOp;
table[IORING_OP_CLOSE] = closeOp;
table[IORING_OP_STATX] = statxOp;
table[IORING_OP_FADVISE] = fadviseOp;
table[IORING_OP_MADVISE] = madviseOp;
table[IORING_OP_OPENAT2] = openat2Op;
table[IORING_OP_SPLICE] = spliceOpDef;
table[IORING_OP_TEE] = teeOp;
table[IORING_OP_RENAMEAT] = renameatOp;
table[IORING_OP_UNLINKAT] = unlinkatOp;
table[IORING_OP_BPF] = bpfOp;

/** Op definitions indexed by opcode, 0 .. IORING_OP_LAST-1. */
export const OPS: readonly OpDef[] = table;

const supported = new Set([
  IORING_OP_NOP,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_READ,
  IORING_OP_WRITE,
  IORING_OP_READV,
  IORING_OP_WRITEV,
  IORING_OP_READ_FIXED,
  IORING_OP_WRITE_FIXED,
  IORING_OP_FSYNC,
  IORING_OP_FALLOCATE,
  IORING_OP_OPENAT,
  IORING_OP_CLOSE,
  IORING_OP_STATX,
  IORING_OP_FADVISE,
  IORING_OP_MADVISE,
  IORING_OP_OPENAT2,
  IORING_OP_RENAMEAT,
  IORING_OP_UNLINKAT,
  IORING_OP_BPF,
  // SPLICE and TEE have entries (field checks, then -EOPNOTSUPP) but are not reported as supported.
]);

/** Whether an opcode is implemented (for IORING_REGISTER_PROBE). */
export function opSupported(opcode: number): boolean {
  return supported.has(opcode);
}
