/**
 * The parts of the WebAssembly JS API that @types/node does not declare (it has no DOM library):
 * WebAssembly.Global and WebAssembly.RuntimeError, typed as far as the JIT uses them.
 */

export interface WasmGlobal {
  value: unknown;
}

interface WasmGlobalConstructor {
  new (descriptor: { value: 'i32' | 'i64'; mutable: boolean }, value: number | bigint): WasmGlobal;
}

const api = WebAssembly as unknown as {
  Global: WasmGlobalConstructor;
  RuntimeError: new (message?: string) => Error;
};

export const WasmGlobal: WasmGlobalConstructor = api.Global;
/** The class of wasm traps (out-of-bounds access, unaligned atomic, unreachable). */
export const WasmRuntimeError: new (message?: string) => Error = api.RuntimeError;
