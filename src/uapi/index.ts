export * from './bpf.js';
export * from './errno.js';
export * from './fs.js';
export * from './io_uring.js';
export * from './layout.js';
