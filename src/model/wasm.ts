/**
 * Loading the WebAssembly kernels (src/engine/wasm/, src/audio/wasm/): each is compiled once,
 * synchronously, when its module is imported, from the base64 text that `npm run wasm` writes
 * (src/cli/write-wasm.ts), and each user makes an instance with a memory of its own. Where
 * WebAssembly or one of the features a kernel uses (SIMD) is missing, there is no module and
 * the JavaScript code that every kernel mirrors runs instead.
 */

/** The part of the WebAssembly JavaScript API used here (the Node types do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}

/** A compiled kernel module (opaque). */
export type WasmKernel = { readonly __wasmKernel: unique symbol };

const PAGE = 65536;

function api(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Compile a kernel from base64; null where it cannot run here. */
export function compileKernel(base64: string): WasmKernel | null {
  const wa = api();
  if (wa === undefined) return null;
  try {
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
    return wa.validate(bytes) ? (new wa.Module(bytes) as WasmKernel) : null;
  } catch {
    return null;
  }
}

/**
 * An instance of `kernel` with a fixed memory of at least `bytes` bytes, zeroed (imported as
 * env.memory; it never grows, so views on it stay valid).
 */
export function instantiateKernel(kernel: WasmKernel, bytes: number): { exports: Record<string, unknown>; memory: ArrayBuffer } {
  const wa = api();
  if (wa === undefined) throw new Error('WebAssembly is not available');
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  const memory = new wa.Memory({ initial: pages, maximum: pages });
  const inst = new wa.Instance(kernel, { env: { memory } });
  return { exports: inst.exports, memory: memory.buffer };
}
