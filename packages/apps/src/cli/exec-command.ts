/**
 * `dios exec [--data DIR] PROGRAM.wasm [ARGS...]`: runs a WebAssembly
 * program (C compiled for WASI) as a legacy or hybrid DIOS task. It boots a
 * kernel with worker threads, the WASI interpreter and a durable store in
 * DIR, installs the program in a blob, runs it with argv [basename, ...ARGS]
 * and its standard streams on the terminal (stdin is inputs[0], stdout
 * outputs[0], stderr outputs[1]), and exits with the program's status.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isDiosError, Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { FileBlobStore, useWorkers, writableConsoleSink } from '@dios/kernel/node';
import { wasiInterpreter } from '@dios/libd/wasi';
import { parseExecArgs, type ExecArgs } from './exec-args.js';
import { endStream, pumpIn, pumpOut } from './exec-stdio.js';

/** Cluster name of the kernel `dios exec` boots: fixed, so that every run names a path's blob the same and finds the files of the runs before. */
export const EXEC_CLUSTER = 'dios-exec';

// Exit statuses of a program that could not run, as shells use them.
const CANNOT_EXECUTE = 126;
const NOT_FOUND = 127;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function fail(program: string, message: string, status: number): number {
  process.stderr.write(`dios exec: ${program}: ${message}\n`);
  return status;
}

/** Reads the program file: its bytes, or the exit status after a one-line message. */
function readProgram(path: string): Uint8Array | number {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(path, 'no such file', NOT_FOUND);
    if (code === 'EISDIR') return fail(path, 'is a directory', CANNOT_EXECUTE);
    return fail(path, (e as Error).message, CANNOT_EXECUTE);
  }
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b))
    return fail(path, 'not a WebAssembly module (it does not start with \\0asm)', CANNOT_EXECUTE);
  return bytes;
}

/** Writes `bytes` into a new blob of the init task; returns its handle. */
async function blobOf(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: bytes.length });
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf);
  return ref;
}

/** Runs `dios exec ...`; resolves to the exit status; a usage error is thrown (UsageError) for the caller to report. */
export async function execCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseExecArgs(argv);
  const image = readProgram(parsed.program);
  if (typeof image === 'number') return image;
  return runProgram(parsed, image);
}

async function runProgram(parsed: ExecArgs, image: Uint8Array): Promise<number> {
  const store = new FileBlobStore(parsed.data);
  // The console is the kernel's log: stderr, so that stdout holds only what the program writes.
  const kernel = await Kernel.boot({ store, cluster: EXEC_CLUSTER, consoleSink: writableConsoleSink(process.stderr) });
  const pool = useWorkers(kernel, { size: 1 });
  kernel.registerInterpreter('wasm', wasiInterpreter);
  let failure: unknown;
  kernel.onTaskFailure = (_task, error) => (failure = error);
  const sys = kernel.init;
  try {
    const binary = await blobOf(sys, image);
    const [stdin, stdout, stderr] = await Promise.all(
      [0, 1, 2].map(async () => (await sys.create(ObjectType.SHARED_MEMORY_STREAM)).ref),
    );
    let task: number;
    try {
      task = await sys.run(binary, {
        argv: [basename(parsed.program), ...parsed.args],
        inputs: [stdin!],
        outputs: [stdout!, stderr!],
      });
    } catch (e) {
      if (isDiosError(e) && e.code === 'ENOEXEC') return fail(parsed.program, e.message, CANNOT_EXECUTE);
      throw e;
    }
    const feeding = pumpIn(sys, stdin!, process.stdin);
    const out = pumpOut(sys, stdout!, process.stdout);
    const err = pumpOut(sys, stderr!, process.stderr);
    await sys.select([task]);
    const status = sys.ref(task).task?.exitStatus ?? 1;
    // The program is gone: stop feeding it (a write waiting for room in a full stream fails on the deleted reference).
    feeding.stop();
    await sys.delete(stdin!);
    // A write cut short by that delete fails with EBADF: the bytes had nowhere to go.
    await feeding.done.catch(() => undefined);
    // The host's references could still write, so the streams end only when it says so.
    await Promise.all([endStream(sys, stdout!), endStream(sys, stderr!)]);
    await Promise.all([out, err]);
    if (failure !== undefined)
      return fail(parsed.program, failure instanceof Error ? failure.message : 'the program failed', status || 1);
    return status;
  } catch (e) {
    if (!isDiosError(e)) throw e;
    return fail(parsed.program, e.message, 1);
  } finally {
    await pool.close();
    await store.close();
  }
}
