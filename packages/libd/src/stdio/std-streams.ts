/**
 * stdin, stdout and stderr: three FILEs over the console of the task's
 * kernel, buffered as in C (stdout by line, stderr not at all).
 * @module
 */
import { isDiosError, ObjectType, type SystemCalls } from '@dios/kernel';
import { fclose } from './close.js';
import { stateOf, type FILE } from './file.js';
import { fflush } from './flush.js';
import { fopen } from './open.js';

/** The three standard FILEs of a task. */
export interface StdStreams {
  /** Console input, read-only. Waiting for input first flushes stdout. */
  readonly stdin: FILE;
  /** Console output, line-buffered. */
  readonly stdout: FILE;
  /** Console output, unbuffered. */
  readonly stderr: FILE;
}

const opened = new WeakMap<SystemCalls, Promise<StdStreams>>();

/**
 * The standard FILEs of task `sys`, bound to its kernel's console (looked up
 * by `sys.consoleName`; if the task cannot resolve that name, a console
 * reference it already holds is used instead). Made on the first call and
 * the same for every later call of the task, like C's globals; a closed one
 * stays closed.
 */
export function stdio(sys: SystemCalls): Promise<StdStreams> {
  let streams = opened.get(sys);
  if (streams === undefined) {
    streams = openAll(sys);
    opened.set(sys, streams);
    streams.catch(() => opened.delete(sys));
  }
  return streams;
}

async function openAll(sys: SystemCalls): Promise<StdStreams> {
  const results = await Promise.allSettled([openConsole(sys, 'r'), openConsole(sys, 'w'), openConsole(sys, 'w')]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    // The open's failure is the one thrown; closing the streams that did open is only tidying up.
    for (const r of results) if (r.status === 'fulfilled') await fclose(r.value).catch(() => {});
    throw failed.reason;
  }
  const [stdin, stdout, stderr] = results.map((r) => (r as PromiseFulfilledResult<FILE>).value) as [FILE, FILE, FILE];
  stateOf(stdout, 'stdio').buffering = 'line';
  stateOf(stderr, 'stdio').buffering = 'none';
  const out = stateOf(stdout, 'stdio');
  // As in C, asking for console input first shows any prompt still buffered in stdout.
  stateOf(stdin, 'stdio').beforeRefill = async () => {
    // A prompt that cannot be shown must not fail the read of stdin; the failed flush set stdout's error indicator.
    if (!out.closed && out.wlen > 0) await fflush(stdout).catch(() => {});
  };
  return { stdin, stdout, stderr };
}

async function openConsole(sys: SystemCalls, mode: 'r' | 'w'): Promise<FILE> {
  try {
    return await fopen(sys, sys.consoleName, mode);
  } catch (e) {
    if (!isDiosError(e, 'ENOENT')) throw e;
    const held = sys.handles.find((h) => sys.ref(h).type === ObjectType.CONSOLE);
    if (held === undefined) throw e;
    return fopen(sys, { ref: held }, mode);
  }
}
