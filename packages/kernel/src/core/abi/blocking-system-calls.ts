/**
 * The eleven calls as a task with a thread of its own can make them: each
 * returns its result (or throws) once the kernel has answered, instead of a
 * promise. WebAssembly imports are synchronous, so a legacy process's POSIX
 * calls reach the kernel this way. Arguments, errors and semantics are those
 * of the same call on `SystemCalls`.
 * @module
 */
import type { ObjectType, SelectResult } from './flags.js';
import type { Name } from './names.js';
import type {
  CopyOptions,
  CreateOptions,
  CreateResult,
  EndWriteOptions,
  ReadOptions,
  SelectOptions,
  TaskSpec,
  WriteOptions,
} from './syscall-options.js';

/** `SystemCalls`' eleven calls, each blocking its thread until the kernel answers. */
export interface BlockingSystemCalls {
  /** {@link SystemCalls.create}, blocking. */
  create(type: ObjectType, options?: CreateOptions, flags?: number): CreateResult;
  /** {@link SystemCalls.lookup}, blocking. */
  lookup(name: Name | string, flags?: number): number[];
  /** {@link SystemCalls.copy}, blocking. */
  copy(refs: readonly number[], target: number, options?: CopyOptions, flags?: number): number[];
  /** {@link SystemCalls.delete}, blocking. */
  delete(ref: number, flags?: number): void;
  /** {@link SystemCalls.run}, blocking. */
  run(binary: number, spec: TaskSpec, flags?: number): number;
  /** {@link SystemCalls.pause}, blocking. */
  pause(task: number, flags?: number): void;
  /** {@link SystemCalls.select}, blocking. */
  select<F extends number = 0>(refs: readonly number[], options?: SelectOptions, flags?: F): SelectResult<NoInfer<F>>;
  /** {@link SystemCalls.beginRead}, blocking. */
  beginRead(ref: number, options?: ReadOptions, flags?: number): Uint8Array;
  /** {@link SystemCalls.endRead}, blocking. */
  endRead(ref: number, buffer: Uint8Array, flags?: number): boolean;
  /** {@link SystemCalls.beginWrite}, blocking. */
  beginWrite(ref: number, length: number, options?: WriteOptions, flags?: number): Uint8Array;
  /** {@link SystemCalls.endWrite}, blocking. */
  endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags?: number): number;
}
