/**
 * A pooled worker thread: runs one task's program at a time (a pure thread:
 * one task in all). Each task gets its channel and port from the kernel's
 * thread; the program's end (its exit status or its error) and what it cost
 * go back as one message.
 * @module
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { format } from 'node:util';
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { errors, isDiosError } from '../../core/abi/errors.js';
import type { ProgramFunction } from '../../core/abi/program.js';
import type { PureThread } from './pure.js';
import { isTypeScript, loadTypeScript } from './typescript.js';
import { WorkerSystemCalls, type TaskInit } from './worker-syscalls.js';

/** The kernel's thread asks the worker to run a task. */
export interface StartMessage {
  /** Always 'start'. */
  kind: 'start';
  /** The pool's id for this run. */
  id: number;
  /** Module URL of the program. */
  module: string;
  /** Export holding the program. */
  export: string;
  /** The channel's shared buffer. */
  channel: SharedArrayBuffer;
  /** The port beside the channel. */
  port: MessagePort;
  /** What the task is told about itself. */
  init: TaskInit;
}

/** How a task ended, as the worker reports it. */
export interface DoneMessage {
  /** Always 'done'. */
  kind: 'done';
  /** The run's id. */
  id: number;
  /** The exit status when the program returned. */
  status?: number;
  /** The error when it threw. */
  error?: {
    name: string;
    message: string;
    stack?: string;
    code?: string;
    syscall?: string;
    argument?: string | null;
    detail?: string;
  };
  /** CPU time of the thread while the task ran (ns), where the host tells. */
  cpuNs?: number;
  /** Peak heap in use by the thread while the task ran (bytes). */
  heapPeak: number;
}

/** What the pool tells a new thread. */
export interface WorkerBoot {
  /** Lock the thread down for pure tasks. */
  pure: boolean;
  /** TypeScript loading is already set up (the kernel runs from its sources). */
  typescriptReady: boolean;
  /** Set up TypeScript loading before the lock-down (a pure thread for a .ts program). */
  typescript: boolean;
}

const port = parentPort!;
// Taken before any task code runs: a pure task may change prototypes of its own thread, not what this file calls.
const post = port.postMessage.bind(port);
const exitThread = process.exit.bind(process);
const boot = workerData as WorkerBoot;
if (boot.typescriptReady) void loadTypeScript(true);
let pure: PureThread | undefined;
let tasksRun = 0;

async function start(): Promise<void> {
  if (boot.pure) {
    if (boot.typescript) await loadTypeScript();
    // Loaded only here: plain threads start without the lock-down's modules.
    const { lockDown } = await import('./pure.js');
    pure = await lockDown();
  }
  port.on('message', (m: StartMessage) => {
    if (m.kind === 'start') void runTask(m);
  });
  post({ kind: 'ready', threadId, tid: ownTid() });
}
void start();

async function runTask(m: StartMessage): Promise<void> {
  if (pure !== undefined && tasksRun > 0) {
    post({
      kind: 'done',
      id: m.id,
      error: describeError(errors.EBUSY('run', undefined, 'a pure thread runs one task only')),
      heapPeak: 0,
    } satisfies DoneMessage);
    return;
  }
  tasksRun++;
  const sys = new WorkerSystemCalls(m.channel, m.port, m.init);
  const cpu0 = cpuNs();
  let heapPeak = heapUsed();
  sys.onCalls = () => {
    heapPeak = Math.max(heapPeak, heapUsed());
  };
  const finish = (result: Pick<DoneMessage, 'status' | 'error'>) => {
    heapPeak = Math.max(heapPeak, heapUsed());
    const cpu1 = cpuNs();
    m.port.close();
    post({
      kind: 'done',
      id: m.id,
      ...result,
      heapPeak,
      ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuNs: cpu1 - cpu0 } : {}),
    } satisfies DoneMessage);
  };
  const writer = consoleWriter(sys);
  let result: Pick<DoneMessage, 'status' | 'error'>;
  try {
    if (pure !== undefined) {
      await pure.begin(m.module, {
        argv: m.init.argv,
        env: { ...m.init.env },
        write: writer.write,
        // process.exit in a pure task ends the task with that status, then the thread (which runs nothing else).
        exit: (status) => {
          finish({ status: Number.isInteger(status) ? status : 1 });
          return exitThread(0);
        },
      });
    }
    if (isTypeScript(m.module)) await loadTypeScript();
    const mod = (await import(m.module)) as Record<string, unknown>;
    const program = mod[m.export];
    if (typeof program !== 'function')
      throw errors.ENOEXEC('run', 'binary', `module ${m.module} exports no program function "${m.export}"`);
    const status = await (program as ProgramFunction)(sys);
    result = { status: typeof status === 'number' && Number.isInteger(status) ? status : (pure?.exitCode ?? 0) };
  } catch (e) {
    result = { error: describeError(e) };
  }
  // Console text the task wrote is in the console before the task exits.
  await writer.flush();
  finish(result);
}

function describeError(e: unknown): NonNullable<DoneMessage['error']> {
  if (isDiosError(e))
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      code: e.code,
      syscall: e.syscall,
      argument: e.argument ?? null,
      detail: e.detail,
    };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: `the program threw ${format(e)}` };
}

// A pure task's console text goes to the DIOS console object through the task's own system calls, in order.
function consoleWriter(sys: WorkerSystemCalls): { write: (text: string) => void; flush: () => Promise<void> } {
  let handle: number | undefined;
  let queue = Promise.resolve();
  const write = (text: string) => {
    queue = queue
      .then(async () => {
        handle ??= (await sys.lookup(sys.consoleName))[0];
        if (handle === undefined) return;
        const bytes = new TextEncoder().encode(text);
        const buf = await sys.beginWrite(handle, bytes.length);
        buf.set(bytes);
        await sys.endWrite(handle, buf);
      })
      // Console text is best effort: a failed write (the console gone, the task torn down) must not stop the queue nor
      // fail the task, and the console, the one place to tell of it, is what failed.
      .catch(() => {});
  };
  return { write, flush: () => queue };
}

// CPU time of this thread in ns (Linux schedstat), or undefined where the host does not tell.
function cpuNs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function ownTid(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}
