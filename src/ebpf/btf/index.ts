/** BTF (.BTF) and BTF extension (.BTF.ext) readers, and a C-like printer of BTF types. */
export { BTF_MAX_CHAIN, Btf, type BtfHeader, type BtfOptions, parseBtf } from './btf.js';
export { BtfError, type BtfErrorCode } from './errors.js';
export {
  type BtfExt,
  type BtfExtHeader,
  type BtfFuncInfo,
  type BtfLineInfo,
  extFuncAt,
  extLineAt,
  parseBtfExt,
} from './ext.js';
export { declare as declareBtf, printBtfType } from './print.js';
export * from './types.js';
