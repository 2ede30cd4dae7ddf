/**
 * The part of the WebAssembly JavaScript API this runtime uses, typed here:
 * the project compiles without the DOM library (where TypeScript declares
 * it), and the global exists in every runtime the package supports.
 * @module
 */

/** A module's linear memory. */
export interface WasmMemory {
  /** The bytes (a new ArrayBuffer after each grow). */
  readonly buffer: ArrayBuffer;
}

/** One import a compiled module declares. */
export interface WasmImportDescriptor {
  /** Module name. */
  readonly module: string;
  /** Field name. */
  readonly name: string;
  /** `function`, `memory`, `table` or `global`. */
  readonly kind: string;
}

/** A compiled module (opaque). */
export type WasmModule = object;

/** An instance's exports. */
export interface WasmInstance {
  /** Exported functions, memories, tables and globals by name. */
  readonly exports: Record<string, unknown>;
}

/** The WebAssembly global's members used here. */
export interface WasmApi {
  /** Compiles bytes (throws CompileError). */
  Module: { new (bytes: Uint8Array): WasmModule; imports(module: WasmModule): WasmImportDescriptor[] };
  /** Instantiates a module (throws LinkError, or a trap of a start function). */
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  /** The Memory class. */
  Memory: abstract new (...args: never[]) => WasmMemory;
  /** Thrown by a failed link. */
  LinkError: abstract new (...args: never[]) => Error;
  /** Thrown by a trap. */
  RuntimeError: abstract new (...args: never[]) => Error;
}

/** The runtime's WebAssembly API. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
