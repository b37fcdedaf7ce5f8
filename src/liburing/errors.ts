import { errnoName } from '../uapi/errno.js';

/** A failed io_uring call: `errno` is the negative value the kernel returned, `code` its name. */
export class UringError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(call: string, errno: number) {
    super(`${call} failed: ${errnoName(errno)} (${errno})`);
    this.name = 'UringError';
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

/** Throw UringError for a negative result, else return it. */
export function check(call: string, r: number): number {
  if (r < 0) throw new UringError(call, r);
  return r;
}
