export type { EnterArg, LeftoverCqe } from './context.js';
export { RingContext } from './context.js';
export { CompletionQueue } from './cq.js';
export { Runtime, type RuntimeOptions } from './runtime.js';
export { FEATURES, ioUringSetup, type SetupOptions, SUPPORTED_SETUP_FLAGS } from './setup.js';
