/**
 * The slice of the WebAssembly JS API the hand-assembled kernels use, typed
 * here once: tsconfig's lib has no DOM types, and @types/node 20 declares no
 * WebAssembly namespace.
 */
export interface WasmMemory<B extends ArrayBufferLike = ArrayBuffer> {
  readonly buffer: B;
  grow(deltaPages: number): number;
}

export interface WasmApi {
  Memory: {
    new (d: { initial: number; maximum: number }): WasmMemory;
    new (d: { initial: number; maximum: number; shared: true }): WasmMemory<SharedArrayBuffer>;
  };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
