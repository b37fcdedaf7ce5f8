/**
 * MapError: a map operation from TypeScript failed the way the bpf() syscall would (map creation with
 * bad attributes, an update with BPF_NOEXIST on an existing key, a full hash...). It carries the
 * kernel's errno (positive, e.g. 17) and its name as the stable `code` ('EEXIST'), and names the map.
 *
 * Programs never see MapError: the helpers return the same errno negated in r0.
 */
import { ENOTSUPP } from '../../uapi/bpf.js';
import { errnoName } from '../../uapi/errno.js';

/** 'EEXIST' for 17 or -17; 'ENOTSUPP' for the kernel-internal 524. */
export function errnoCode(err: number): string {
  return Math.abs(err) === ENOTSUPP ? 'ENOTSUPP' : errnoName(err);
}

export class MapError extends Error {
  /** The errno name ('EINVAL', 'E2BIG', 'ENOENT', ...). */
  readonly code: string;
  /** The errno value, positive (EINVAL = 22). */
  readonly errno: number;
  /** The map: `'name' (TYPE, id N)`, or the attributes of a map that could not be created. */
  readonly map: string;

  constructor(err: number, map: string, detail: string) {
    const errno = Math.abs(err);
    const code = errnoCode(errno);
    super(`map ${map}: ${detail} (${code})`);
    this.name = 'MapError';
    this.code = code;
    this.errno = errno;
    this.map = map;
  }
}
