/**
 * A pooled worker thread: runs one task's program at a time. Each task gets
 * its channel and port from the kernel's thread; the program's end (its exit
 * status or its error) and what it cost go back as one message.
 * @module
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { format } from 'node:util';
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { errors, isDiosError } from '../../core/errors.js';
import type { ProgramFunction } from '../../core/program.js';
import { lockDown } from './pure.js';
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
  error?: { name: string; message: string; stack?: string; code?: string; syscall?: string; argument?: string | null; detail?: string };
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
const boot = workerData as WorkerBoot;
if (boot.typescriptReady) void loadTypeScript(true);

async function start(): Promise<void> {
  if (boot.pure) {
    if (boot.typescript) await loadTypeScript();
    lockDown();
  }
  port.on('message', (m: StartMessage) => {
    if (m.kind === 'start') void runTask(m);
  });
  port.postMessage({ kind: 'ready', threadId, tid: ownTid() });
}
void start();

async function runTask(m: StartMessage): Promise<void> {
  const sys = new WorkerSystemCalls(m.channel, m.port, m.init);
  const cpu0 = cpuNs();
  let heapPeak = heapUsed();
  sys.onCalls = () => {
    heapPeak = Math.max(heapPeak, heapUsed());
  };
  const restore = boot.pure ? consoleToKernel(sys) : undefined;
  let result: Pick<DoneMessage, 'status' | 'error'>;
  try {
    if (isTypeScript(m.module)) await loadTypeScript();
    const mod = (await import(m.module)) as Record<string, unknown>;
    const program = mod[m.export];
    if (typeof program !== 'function') throw errors.ENOEXEC('run', 'binary', `module ${m.module} exports no program function "${m.export}"`);
    const status = await (program as ProgramFunction)(sys);
    result = { status: typeof status === 'number' && Number.isInteger(status) ? status : 0 };
  } catch (e) {
    result = { error: describeError(e) };
  }
  restore?.();
  heapPeak = Math.max(heapPeak, heapUsed());
  const cpu1 = cpuNs();
  m.port.close();
  const done: DoneMessage = { kind: 'done', id: m.id, ...result, heapPeak, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuNs: cpu1 - cpu0 } : {}) };
  port.postMessage(done);
}

function describeError(e: unknown): NonNullable<DoneMessage['error']> {
  if (isDiosError(e)) return { name: e.name, message: e.message, stack: e.stack, code: e.code, syscall: e.syscall, argument: e.argument ?? null, detail: e.detail };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: `the program threw ${format(e)}` };
}

// A pure task's console writes to the DIOS console object through its own system calls.
function consoleToKernel(sys: WorkerSystemCalls): () => void {
  const saved = globalThis.console;
  let handle: number | undefined;
  const write = (text: string) => {
    void (async () => {
      handle ??= (await sys.lookup(sys.consoleName))[0];
      if (handle === undefined) return;
      const bytes = new TextEncoder().encode(text);
      const buf = await sys.beginWrite(handle, bytes.length);
      buf.set(bytes);
      await sys.endWrite(handle, buf);
    })().catch(() => {});
  };
  const replacement = Object.create(saved) as Console;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    (replacement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => write(`${format(...args)}\n`);
  }
  globalThis.console = replacement;
  return () => {
    globalThis.console = saved;
  };
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
