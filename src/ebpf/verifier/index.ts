/** The verifier's public surface. */
export type {
  LogLevel,
  MapInfo,
  ProgTypeInfo,
  VerifierLineInfo,
  VerifyOptions,
  VerifyResult,
} from './api.js';
export { VerifierError, type VerifierErrorCode } from './errors.js';
export { mapInfo, tableMaps } from './map-info.js';
export { formatMessage, MESSAGES, messageNumber } from './messages.js';
export { IOURING_CTX_FIELDS, IOURING_PROG_TYPE, progTypeInfo } from './prog-types.js';
export { verify } from './verify.js';
