export { AsyncRing } from './async.js';
export { allocBuffer, type UserBuffer } from './buffer.js';
export { Cqe, type CqeData } from './cqe.js';
export { check, UringError } from './errors.js';
export * from './prep.js';
export { IoUring, type QueueInitOptions, type RingParams } from './ring.js';
export { Sqe, type UserData } from './sqe.js';
