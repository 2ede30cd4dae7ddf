/**
 * Worker tasks: the kernel's executor for module programs, a pool of worker
 * threads (the DIOS equivalent of processes). Starting a task takes an idle
 * thread when there is one; a task never waits for a thread (tasks may wait
 * for each other, so a cap could deadlock them), and idle threads beyond the
 * pool's size are ended. Pure tasks run in threads of their own kind,
 * locked down before any task code loads, one task per thread: the thread is
 * ended after its task, and a few locked-down threads are kept warm so a pure
 * task does not wait for a thread to start.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type ResourceLimits } from 'node:worker_threads';
import { DiosError, Errno, errors, type ErrnoCode } from '../../core/abi/errors.js';
import type { TaskExecutor } from '../../core/kernel/executor.js';
import type { Kernel } from '../../core/kernel.js';
import type { TaskObject } from '../../core/objects/task.js';
import type { ProgramModule } from '../../core/abi/program.js';
import { Channel } from './channel.js';
import { PURE_EXEC_ARGV } from './pure.js';
import { SyscallServer } from './syscall-server.js';
import { isTypeScript } from './typescript.js';
import { applyShares } from './cpu-shares.js';
import type { DoneMessage, StartMessage, WorkerBoot } from './worker-main.js';

/** Options of {@link useWorkers}. */
export interface WorkerPoolOptions {
  /** Idle plain threads kept for reuse; default: the number of cores. (Pure threads are not reused: see pureSpares.) */
  size?: number;
  /** V8 heap limits of each thread (a task over them fails, the kernel goes on). */
  resourceLimits?: ResourceLimits;
  /** How long a task the kernel ended may take to give its thread back before the thread is terminated (ms, default 200). */
  stopGraceMs?: number;
  /** Locked-down threads kept warm per pure kind, started after the first pure task of that kind (default: the smaller of size and 2). */
  pureSpares?: number;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly kind: string;
  tid: number | undefined;
  run: Run | undefined;
  dead: boolean;
}

interface Run {
  readonly id: number;
  readonly task: TaskObject;
  readonly server: SyscallServer;
  readonly pooled: PooledWorker;
  cpuAtStart: number | undefined;
  done: boolean;
  stopTimer: ReturnType<typeof setTimeout> | undefined;
}

let nextRunId = 1;

/** Runs module programs in pooled worker threads; install it with {@link useWorkers}. */
export class WorkerPool implements TaskExecutor {
  readonly #kernel: Kernel;
  readonly #size: number;
  readonly #limits: ResourceLimits | undefined;
  readonly #grace: number;
  readonly #spares: number;
  // Idle threads by kind: plain, and pure ones (per whether they were set up for TypeScript before their lock-down).
  readonly #idle = new Map<string, PooledWorker[]>();
  readonly #runs = new Map<TaskObject, Run>();
  readonly #all = new Set<PooledWorker>();
  #closed = false;
  /** Threads started so far (a measure of how well the pool reuses them). */
  threadsStarted = 0;

  /** Use {@link useWorkers}. */
  constructor(kernel: Kernel, options: WorkerPoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 0 || size > 1024)
      throw errors.EINVAL('useWorkers', 'options.size', `expected an integer in [0, 1024], got ${String(size)}`);
    const grace = options.stopGraceMs ?? 200;
    if (!Number.isFinite(grace) || grace < 0)
      throw errors.EINVAL('useWorkers', 'options.stopGraceMs', `expected a non-negative number, got ${String(grace)}`);
    this.#kernel = kernel;
    this.#size = size;
    this.#limits = options.resourceLimits;
    this.#grace = grace;
    const spares = options.pureSpares ?? Math.min(size, 2);
    if (!Number.isInteger(spares) || spares < 0 || spares > 64)
      throw errors.EINVAL('useWorkers', 'options.pureSpares', `expected an integer in [0, 64], got ${String(spares)}`);
    this.#spares = spares;
  }

  /** Threads alive now (idle or running a task). */
  get threads(): number {
    return this.#all.size;
  }

  /** Starts `task`'s program in a pooled thread (see TaskExecutor). */
  start(task: TaskObject, program: ProgramModule): void {
    if (this.#closed) {
      this.#fail(task, errors.ECANCELED('run', undefined, 'the worker pool is closed'));
      return;
    }
    const pure = task.setup.pure === true;
    const typescript = pure && isTypeScript(program.module);
    // A container's memory limit is its threads' heap limit: such threads are a kind of their own.
    const memoryMb = task.container?.limits.memoryMb;
    const kind = (pure ? (typescript ? 'pure-ts' : 'pure') : 'plain') + (memoryMb !== undefined ? `:${memoryMb}m` : '');
    const idle = this.#idleOf(kind);
    const pooled = (pure ? idle.shift() : idle.pop()) ?? this.#spawn(kind, pure, typescript, memoryMb);
    // A pure thread runs one task: warm its successors while this one runs.
    if (pure)
      while (this.#idleOf(kind).length < this.#spares)
        this.#idleOf(kind).push(this.#spawn(kind, pure, typescript, memoryMb));
    const buffer = Channel.allocate();
    const { port1, port2 } = new MessageChannel();
    const server = new SyscallServer(new Channel(buffer), port1, this.#kernel.contextOf(task));
    const run: Run = {
      id: nextRunId++,
      task,
      server,
      pooled,
      cpuAtStart: this.#threadCpu(pooled),
      done: false,
      stopTimer: undefined,
    };
    pooled.run = run;
    this.#runs.set(task, run);
    this.#prioritize(pooled);
    pooled.worker.ref();
    const ctx = this.#kernel.contextOf(task);
    const start: StartMessage = {
      kind: 'start',
      id: run.id,
      module: program.module,
      export: program.export ?? 'default',
      channel: buffer,
      port: port2,
      init: {
        argv: [...ctx.argv],
        env: { ...ctx.env },
        inputs: [...ctx.inputs],
        outputs: [...ctx.outputs],
        self: ctx.self,
        taskName: ctx.taskName.key,
        groupNames: ctx.groupNames.map((n) => n.key),
        consoleName: ctx.consoleName.key,
        kernelId: ctx.kernelId,
        ...(task.setup.image !== undefined ? { image: task.setup.image } : {}),
      },
    };
    pooled.worker.postMessage(start, [port2]);
  }

  /** Stops a task the kernel ended while its program runs: its calls fail from now on, and its thread is ended if it does not finish soon. */
  stop(task: TaskObject): void {
    const run = this.#runs.get(task);
    if (run === undefined || run.done || run.stopTimer !== undefined) return;
    // Replies already under way (e.g. to the delete that exited the task) go out before the channel closes.
    setImmediate(() => run.server.close());
    run.stopTimer = setTimeout(() => {
      if (!run.done) void run.pooled.worker.terminate();
    }, this.#grace);
    run.stopTimer.unref();
  }

  /** Live CPU time of the tasks running now, written to their stats (where the host tells per-thread CPU time). */
  sample(): void {
    for (const run of this.#runs.values()) this.#recordCpu(run);
  }

  /** Ends every thread; tasks still running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#kernel.executor === this) this.#kernel.executor = undefined;
    await Promise.all([...this.#all].map((p) => p.worker.terminate()));
  }

  #idleOf(kind: string): PooledWorker[] {
    let idle = this.#idle.get(kind);
    if (idle === undefined) this.#idle.set(kind, (idle = []));
    return idle;
  }

  // A container's CPU shares become its thread's nice level (a pure thread runs one task, so it is never reset).
  #prioritize(pooled: PooledWorker): void {
    const shares = pooled.run?.task.container?.limits.cpuShares;
    if (shares !== undefined && pooled.tid !== undefined && pooled.kind !== 'plain') applyShares(pooled.tid, shares);
  }

  #spawn(kind: string, pure: boolean, typescript: boolean, memoryMb?: number): PooledWorker {
    const limits: ResourceLimits | undefined =
      memoryMb === undefined
        ? this.#limits
        : {
            ...this.#limits,
            maxOldGenerationSizeMb: memoryMb,
            maxYoungGenerationSizeMb: Math.max(1, Math.min(16, Math.floor(memoryMb / 4))),
          };
    const { url, execArgv, eval: isEval } = workerEntry();
    const boot: WorkerBoot = { pure, typescript, typescriptReady: isEval };
    const worker = new Worker(url, {
      eval: isEval,
      execArgv: pure ? [...execArgv, ...PURE_EXEC_ARGV] : execArgv,
      workerData: boot,
      // A pure thread sees no host environment variables, and its stdio (Node's own warnings) goes nowhere on the host.
      ...(pure ? { env: {}, stdout: true, stderr: true } : {}),
      ...(limits !== undefined ? { resourceLimits: limits } : {}),
    });
    if (pure) {
      worker.stdout.resume();
      worker.stderr.resume();
      worker.unref();
    }
    this.threadsStarted++;
    const pooled: PooledWorker = { worker, kind, tid: undefined, run: undefined, dead: false };
    this.#all.add(pooled);
    // Messages from a thread are the task's word (a pure task can post on its thread's port): checked, never trusted.
    worker.on('message', (m: unknown) => {
      const message = m as { kind?: unknown; tid?: unknown } | null;
      if (message?.kind === 'ready') {
        pooled.tid =
          Number.isSafeInteger(message.tid) && (message.tid as number) > 0 ? (message.tid as number) : undefined;
        if (pooled.run !== undefined && pooled.run.cpuAtStart === undefined)
          pooled.run.cpuAtStart = this.#threadCpu(pooled);
        this.#prioritize(pooled);
      } else if (message?.kind === 'done') this.#finished(pooled, doneMessage(message));
    });
    worker.on('error', (error) => this.#died(pooled, error));
    worker.on('exit', (code) => this.#died(pooled, new Error(`the task's worker thread exited with code ${code}`)));
    return pooled;
  }

  #finished(pooled: PooledWorker, m: DoneMessage): void {
    const run = pooled.run;
    if (run === undefined || run.id !== m.id) return;
    this.#end(run);
    const stats = run.task.stats;
    if (m.cpuNs !== undefined) stats.cpuMs = m.cpuNs / 1e6;
    stats.memoryBytes = Math.max(stats.memoryBytes ?? 0, m.heapPeak);
    if (m.error !== undefined) this.#fail(run.task, rebuild(m.error));
    else this.#kernel.exitTask(run.task, m.status ?? 0);
    // A thread whose task was stopped is not trusted to be idle, and a pure thread runs one task: both are ended.
    if (run.stopTimer !== undefined || this.#closed || pooled.kind !== 'plain') {
      void pooled.worker.terminate();
      return;
    }
    const idle = this.#idleOf(pooled.kind);
    if (idle.length < this.#size) {
      idle.push(pooled);
      pooled.worker.unref();
    } else void pooled.worker.terminate();
  }

  #died(pooled: PooledWorker, error: Error): void {
    if (pooled.dead) return;
    pooled.dead = true;
    this.#all.delete(pooled);
    const idle = this.#idleOf(pooled.kind);
    const i = idle.indexOf(pooled);
    if (i >= 0) idle.splice(i, 1);
    const run = pooled.run;
    if (run !== undefined && !run.done) {
      this.#end(run);
      // The thread passed its heap limit: the task ran out of memory (its container is then stopped).
      const oom = (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      run.task.outOfMemory = oom;
      const mb = run.task.container?.limits.memoryMb;
      this.#fail(
        run.task,
        oom
          ? errors.ENOMEM(
              'worker',
              undefined,
              `the task's heap passed its limit${mb !== undefined ? ` of ${mb} MiB` : ''}`,
            )
          : error,
      );
    }
  }

  #end(run: Run): void {
    run.done = true;
    this.#recordCpu(run);
    run.server.close();
    if (run.stopTimer !== undefined) clearTimeout(run.stopTimer);
    run.pooled.run = undefined;
    this.#runs.delete(run.task);
  }

  #fail(task: TaskObject, error: unknown): void {
    if (task.state !== 'exited') {
      task.failure = error;
      this.#kernel.onTaskFailure?.(task, error);
    }
    this.#kernel.exitTask(task, 1);
  }

  #recordCpu(run: Run): void {
    const now = this.#threadCpu(run.pooled);
    if (now !== undefined && run.cpuAtStart !== undefined) run.task.stats.cpuMs = (now - run.cpuAtStart) / 1e6;
  }

  // CPU time of a pooled thread (ns) from Linux's per-thread schedstat, or undefined.
  #threadCpu(pooled: PooledWorker): number | undefined {
    if (pooled.tid === undefined) return undefined;
    try {
      return Number(readFileSync(`/proc/self/task/${pooled.tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      return undefined;
    }
  }
}

/** Makes `kernel` run module programs in pooled worker threads (see {@link WorkerPool}); returns the pool. */
export function useWorkers(kernel: Kernel, options: WorkerPoolOptions = {}): WorkerPool {
  if (kernel.executor !== undefined)
    throw errors.EBUSY('useWorkers', 'kernel', `kernel ${kernel.id} already has a worker executor`);
  const pool = new WorkerPool(kernel, options);
  kernel.executor = pool;
  return pool;
}

// The worker's entry: the built worker.js beside this bundle, or (running from TypeScript sources) the source
// entry loaded through tsx, which only development installs have.
function workerEntry(): { url: string | URL; execArgv: string[]; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./worker.js', here), execArgv: [], eval: false };
  const tsx = createRequire(here)
    .resolve('tsx/esm/api')
    .replace(/index\.cjs$/, 'index.mjs');
  const entry = new URL('./worker-main.ts', here).href;
  const code = `import(${JSON.stringify(`file://${tsx}`)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return { url: code, execArgv: ['--conditions=@dios/source'], eval: true };
}

// A done message as far as it is well-formed: fields of the wrong type are dropped.
function doneMessage(m: Record<string, unknown>): DoneMessage {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const done: DoneMessage = { kind: 'done', id: typeof m.id === 'number' ? m.id : -1, heapPeak: num(m.heapPeak) ?? 0 };
  if (Number.isSafeInteger(m.status)) done.status = m.status as number;
  const cpu = num(m.cpuNs);
  if (cpu !== undefined) done.cpuNs = cpu;
  const e = m.error as Record<string, unknown> | null | undefined;
  if (e !== undefined) {
    done.error = { name: str(e?.name) ?? 'Error', message: str(e?.message) ?? 'the task failed', stack: str(e?.stack) };
    const code = str(e?.code);
    if (code !== undefined && Object.hasOwn(Errno, code))
      Object.assign(done.error, {
        code,
        syscall: str(e?.syscall),
        argument: str(e?.argument) ?? null,
        detail: str(e?.detail),
      });
  }
  if (done.status === undefined && done.error === undefined)
    done.error = { name: 'Error', message: 'the task ended with neither a status nor an error' };
  return done;
}

// A task's error as the worker described it, rebuilt (a DiosError stays one).
function rebuild(e: NonNullable<DoneMessage['error']>): Error {
  if (e.code !== undefined && e.syscall !== undefined && e.detail !== undefined) {
    const error = new DiosError(e.code as ErrnoCode, e.syscall, e.argument ?? undefined, e.detail);
    if (e.stack !== undefined) error.stack = e.stack;
    return error;
  }
  const error = new Error(e.message);
  error.name = e.name;
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}
