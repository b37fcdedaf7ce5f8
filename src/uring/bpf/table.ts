/**
 * IORING_REGISTER_BPF / IORING_UNREGISTER_BPF (spec §4.3): one program table per ring, slot i =
 * element i of a u32 fd array (0xFFFFFFFF leaves the slot empty). The ring quiesces before calling
 * these (DESIGN.md Q8).
 */
import type { AddressSpace } from '../../mem/address-space.js';
import { BPF_PROG_TYPE_IOURING } from '../../uapi/bpf.js';
import { EBADF, EBUSY, EFAULT, EINVAL, ENXIO } from '../../uapi/errno.js';
import { IORING_MAX_BPF_PROGS } from '../../uapi/io_uring.js';
import { type ProgEntry, programFdsOf } from './programs.js';

export type BpfTable = ReadonlyArray<ProgEntry | null>;

/** Build the table from the fd array at `arg`: the table, or -errno (nothing is registered then). */
export function readBpfTable(
  mem: AddressSpace,
  current: BpfTable | null,
  arg: number,
  nr: number,
): BpfTable | number {
  const n = nr >>> 0;
  if (n === 0 || n > IORING_MAX_BPF_PROGS) return -EINVAL;
  if (current !== null) return -EBUSY;
  if (!Number.isSafeInteger(arg) || !mem.isValid(arg, 4 * n)) return -EFAULT;
  const fds = programFdsOf(mem);
  const table: Array<ProgEntry | null> = [];
  for (let i = 0; i < n; i++) {
    const fd = mem.readU32(arg + 4 * i);
    if (fd === 0xffff_ffff) {
      table.push(null);
      continue;
    }
    const e = fds.get(fd);
    if (e === undefined) return -EBADF;
    if (e.type !== BPF_PROG_TYPE_IOURING) return -EINVAL;
    table.push(e);
  }
  return table;
}

/** IORING_UNREGISTER_BPF's checks: 0 when the table may be dropped, else -errno. */
export function checkUnregister(current: BpfTable | null, arg: number, nr: number): number {
  if (arg !== 0 || nr !== 0) return -EINVAL;
  if (current === null) return -ENXIO;
  return 0;
}
