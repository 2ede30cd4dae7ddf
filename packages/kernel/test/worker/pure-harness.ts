/**
 * The harness of the pure-task escape tests: a kernel with a worker pool, a
 * host directory of secrets the tasks must not reach, and a runner that
 * starts a fixture's export as a pure task and reads back the JSON report
 * it wrote to its output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel, ObjectType, RunFlags } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { dec, readAll, writeAll } from '../helpers.js';

/** What an escape attempt reports: whether it got through, and what it saw or the error that stopped it. */
export interface Attempt {
  ok: boolean;
  value?: unknown;
  name?: string;
  code?: string;
  message?: string;
}

/** A report of named attempts (one per key in `K`), as most fixtures that try several ways out write it. */
export type Attempts<K extends string> = Record<K, Attempt>;

/** A pure task's exit status and what it reported. */
export interface PureRun<R> {
  status: number | undefined;
  report: R;
}

/** One kernel, pool and secrets directory for a test file. */
export class PureHarness {
  kernel!: Kernel;
  pool!: WorkerPool;
  /** The host directory holding the secrets (argv[1] of every task). */
  dir!: string;
  /** What tasks wrote to the DIOS console. */
  readonly consoleOut: string[] = [];
  /** Why tasks failed (shown when a program reported nothing). */
  readonly failures: unknown[] = [];
  readonly #binaries = new Map<string, number>();

  /** Writes `files` (name -> content) into a new directory and boots the kernel with a pool of two threads. */
  async start(prefix: string, files: Record<string, string>): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.dir, name), content);
    this.kernel = await Kernel.boot({ consoleSink: (bytes) => this.consoleOut.push(dec(bytes)) });
    this.pool = useWorkers(this.kernel, { size: 2 });
    this.kernel.onTaskFailure = (_task, error) => this.failures.push(error);
  }

  /** Closes the pool and removes the directory. */
  async close(): Promise<void> {
    await this.pool?.close();
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Runs export `name` of `module` as a pure task with argv [name, dir, ...args]; its status and JSON report. `R` is
   * the shape the fixture writes (one attempt unless the caller says otherwise): the JSON is taken as it, unchecked,
   * and the test's assertions judge it. The report is undefined when the task wrote nothing.
   */
  async run<R = Attempt>(
    module: string,
    name: string,
    args: readonly string[] = [],
    env: Record<string, string> = {},
  ): Promise<PureRun<R>> {
    const { status, text } = await this.#run(module, name, [name, this.dir, ...args], env);
    if (text === '' && this.failures.length > 0)
      console.warn(`${name}: status ${String(status)}, no report`, this.failures.at(-1));
    return { status, report: (text === '' ? undefined : JSON.parse(text)) as R };
  }

  /** Runs export `name` of `module` as a pure task with argv [name]; its status and raw output text. */
  async runRaw(module: string, name: string): Promise<PureRun<string>> {
    const { status, text } = await this.#run(module, name, [name], {});
    return { status, report: text };
  }

  async #run(
    module: string,
    name: string,
    argv: string[],
    env: Record<string, string>,
  ): Promise<{ status: number | undefined; text: string }> {
    const sys = this.kernel.init;
    const key = `${module}#${name}`;
    let bin = this.#binaries.get(key);
    if (bin === undefined) {
      const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
      await writeAll(
        sys,
        ref,
        this.kernel.registerProgram(`pure-${name}-${this.#binaries.size}-${Math.random()}`, { module, export: name }),
      );
      this.#binaries.set(key, (bin = ref));
    }
    const { ref: out } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    this.failures.length = 0;
    const task = await sys.run(bin, { argv, outputs: [out], env }, RunFlags.PURE);
    await sys.select([task]);
    const status = sys.ref(task).task?.exitStatus;
    const text = dec((await readAll(sys, out)).bytes);
    await sys.delete(task);
    await sys.delete(out);
    return { status, text };
  }
}
