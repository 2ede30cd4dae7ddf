/**
 * A task's system calls in a simulation: each call waits for the scheduler
 * before it goes to the kernel, so the order in which tasks' calls happen
 * is decided by the run's choices (every call is a scheduling point), and
 * each call leaves a line in the trace with its outcome.
 * @module
 */
import { isDiosError } from '../../core/abi/errors.js';
import type { Name } from '../../core/abi/names.js';
import type {
  CopyOptions,
  CreateOptions,
  CreateResult,
  EndWriteOptions,
  ReadOptions,
  SelectOptions,
  TaskSpec,
  WriteOptions,
} from '../../core/abi/syscall-options.js';
import type { RefAttributes, SystemCalls } from '../../core/abi/system-calls.js';
import type { ObjectType, SelectResult } from '../../core/abi/flags.js';
import type { DelayRange, SimScheduler } from './scheduler.js';

/** How a settled call reads in the trace. */
function outcomeOf(error: unknown): string {
  return isDiosError(error) ? error.code : error instanceof Error ? `threw ${error.name}` : 'threw';
}

const flagText = (flags: number | undefined): string => (flags ? `, flags ${flags}` : '');

/** `sys` with a scheduling point before each call. */
export class GatedCalls implements SystemCalls {
  readonly #sys: SystemCalls;
  readonly #scheduler: SimScheduler;
  readonly #node: string;
  readonly #who: string;
  readonly #delay: DelayRange;

  /** Gates `sys`, a task on `node` shown as `who` in the trace; each call waits a delay within `delay`. */
  constructor(sys: SystemCalls, scheduler: SimScheduler, node: string, who: string, delay: DelayRange) {
    this.#sys = sys;
    this.#scheduler = scheduler;
    this.#node = node;
    this.#who = who;
    this.#delay = delay;
  }

  get argv(): readonly string[] {
    return this.#sys.argv;
  }
  get env(): Readonly<Record<string, string>> {
    return this.#sys.env;
  }
  get inputs(): readonly number[] {
    return this.#sys.inputs;
  }
  get outputs(): readonly number[] {
    return this.#sys.outputs;
  }
  get self(): number {
    return this.#sys.self;
  }
  get taskName(): Name {
    return this.#sys.taskName;
  }
  get groupNames(): readonly Name[] {
    return this.#sys.groupNames;
  }
  get consoleName(): Name {
    return this.#sys.consoleName;
  }
  get kernelId(): string {
    return this.#sys.kernelId;
  }
  get handles(): number[] {
    return this.#sys.handles;
  }
  ref(handle: number): RefAttributes {
    return this.#sys.ref(handle);
  }

  create(type: ObjectType, options?: CreateOptions, flags?: number): Promise<CreateResult> {
    return this.#gate(
      `create(${type}${flagText(flags)})`,
      () => this.#sys.create(type, options, flags),
      (r) => `ref ${r.ref}`,
    );
  }
  lookup(name: Name | string, flags?: number): Promise<number[]> {
    const key = typeof name === 'string' ? name : (name as Name | undefined)?.key;
    return this.#gate(
      `lookup(${String(key).slice(0, 12)}…${flagText(flags)})`,
      () => this.#sys.lookup(name, flags),
      (refs) => `refs [${refs.join(', ')}]`,
    );
  }
  copy(refs: readonly number[], target: number, options?: CopyOptions, flags?: number): Promise<number[]> {
    return this.#gate(
      `copy([${String(refs)}] to ${target}${flagText(flags)})`,
      () => this.#sys.copy(refs, target, options, flags),
      (handles) => `refs [${handles.join(', ')}]`,
    );
  }
  delete(ref: number, flags?: number): Promise<void> {
    return this.#gate(
      `delete(${ref}${flagText(flags)})`,
      () => this.#sys.delete(ref, flags),
      () => 'ok',
    );
  }
  run(binary: number, spec: TaskSpec, flags?: number): Promise<number> {
    const argv = Array.isArray(spec?.argv) ? spec.argv.join(' ').slice(0, 40) : '';
    return this.#gate(
      `run(binary ${binary}, "${argv}"${flagText(flags)})`,
      () => this.#sys.run(binary, spec, flags),
      (ref) => `task ref ${ref}`,
    );
  }
  pause(task: number, flags?: number): Promise<void> {
    return this.#gate(
      `pause(${task}${flagText(flags)})`,
      () => this.#sys.pause(task, flags),
      () => 'ok',
    );
  }
  select<F extends number = 0>(
    refs: readonly number[],
    options?: SelectOptions,
    flags?: F,
  ): Promise<SelectResult<NoInfer<F>>> {
    const timeout = options?.timeoutMs === undefined ? '' : `, ${options.timeoutMs} ms`;
    return this.#gate(
      `select([${String(refs)}]${timeout}${flagText(flags)})`,
      () => this.#sys.select(refs, options, flags),
      (ref) => `ready ${String(ref)}`,
    );
  }
  beginRead(ref: number, options?: ReadOptions, flags?: number): Promise<Uint8Array> {
    return this.#gate(
      `beginRead(${ref}${flagText(flags)})`,
      () => this.#sys.beginRead(ref, options, flags),
      (b) => `${b.length} bytes`,
    );
  }
  endRead(ref: number, buffer: Uint8Array, flags?: number): Promise<boolean> {
    return this.#gate(
      `endRead(${ref}${flagText(flags)})`,
      () => this.#sys.endRead(ref, buffer, flags),
      (valid) => (valid ? 'valid' : 'INVALID'),
    );
  }
  beginWrite(ref: number, length: number, options?: WriteOptions, flags?: number): Promise<Uint8Array> {
    return this.#gate(
      `beginWrite(${ref}, ${length}${flagText(flags)})`,
      () => this.#sys.beginWrite(ref, length, options, flags),
      (b) => `${b.length} bytes`,
    );
  }
  endWrite(ref: number, buffer: Uint8Array, options?: EndWriteOptions, flags?: number): Promise<number> {
    return this.#gate(
      `endWrite(${ref}, ${buffer?.length} bytes${flagText(flags)})`,
      () => this.#sys.endWrite(ref, buffer, options, flags),
      (version) => `version ${version}`,
    );
  }

  #gate<T>(what: string, call: () => Promise<T>, show: (value: T) => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const event = this.#scheduler.at(
        this.#scheduler.delay(this.#delay),
        this.#node,
        'call',
        `${this.#who}: ${what}`,
        () => {
          let pending: Promise<T>;
          try {
            pending = call();
          } catch (error) {
            // The kernel's error goes to the task unchanged, whatever it is.
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
            pending = Promise.reject(error);
          }
          // A call that ends after its node was lost never returns: the program went down with the node.
          pending.then(
            (value) => {
              if (this.#scheduler.isLost(this.#node)) return;
              if (event.entry !== undefined) event.entry.outcome = show(value);
              resolve(value);
            },
            (error: unknown) => {
              if (this.#scheduler.isLost(this.#node)) return;
              if (event.entry !== undefined) event.entry.outcome = outcomeOf(error);
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on unchanged
              reject(error);
            },
          );
        },
      );
    });
  }
}
