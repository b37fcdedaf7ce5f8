export * from './address-space.js';
export * from './allocator.js';
export * from './errors.js';
export * from './struct.js';
