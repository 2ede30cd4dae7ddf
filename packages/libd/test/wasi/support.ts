/**
 * What the WASI tests share: C programs compiled with clang (wasm32-wasi)
 * into a cache directory, a kernel with worker threads and the WASI
 * interpreter (optionally a durable store in a temp directory), and running
 * a program as a task with its stdin, stdout and stderr on streams.
 * Without clang or the wasi sysroot the tests skip with a visible reason,
 * unless DIOS_REQUIRE_SERVICES=1 makes that a failure.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndWriteFlags, Kernel, ObjectType, type SystemCalls } from '@dios/kernel';
import { FileBlobStore, useWorkers, type WorkerPool } from '@dios/kernel/node';
import { wasiInterpreter } from '@dios/libd/wasi';
import { programMissing } from '../../../kernel/test/support/services.js';

/** Where the test C programs are. */
export const C_DIR = new URL('./c/', import.meta.url);
const CLANG = '/usr/bin/clang';
const SYSROOT_LIBC = '/usr/lib/wasm32-wasi/libc.a';
const CACHE = join(tmpdir(), 'dios-wasi-test-cache');

/** Why C programs cannot be built here (undefined: they can); throws when DIOS_REQUIRE_SERVICES=1. */
export function clangMissing(): string | undefined {
  return programMissing(CLANG) ?? programMissing(SYSROOT_LIBC);
}

/** The wasm bytes of C source `file` (a URL), built once per source and flags and cached. */
export function compileC(file: URL, flags: readonly string[] = []): Uint8Array {
  const source = readFileSync(file);
  const hash = createHash('sha256').update(source).update(flags.join('\0'));
  // Headers in -I directories (dios.h) are part of the key too.
  for (const flag of flags.filter((f) => f.startsWith('-I')))
    for (const header of readdirSync(flag.slice(2)).sort()) hash.update(readFileSync(join(flag.slice(2), header)));
  const key = hash.digest('hex').slice(0, 24);
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, `${key}.wasm`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync(CLANG, ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', ...flags, file.pathname, '-o', tmp], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    renameSync(tmp, out);
  }
  return new Uint8Array(readFileSync(out));
}

/** A kernel able to run WASI programs. */
export interface WasiKernel {
  /** The kernel. */
  kernel: Kernel;
  /** Its init task's calls. */
  sys: SystemCalls;
  /** Tasks' unexpected failures (an exception out of the interpreter). */
  failures: unknown[];
  /** The store's directory (undefined without a store). */
  dir: string | undefined;
  /** Stops the workers and the store (and removes the directory unless `keep`). */
  close(keep?: boolean): Promise<void>;
}

/** Boots a kernel with workers and the WASI interpreter; with `store`, a FileBlobStore in `dir` (a new temp dir if not given). */
export async function bootWasi(options: { store?: boolean; dir?: string } = {}): Promise<WasiKernel> {
  const dir = options.store ? (options.dir ?? mkdtempSync(join(tmpdir(), 'dios-wasi-'))) : undefined;
  const store = dir !== undefined ? new FileBlobStore(dir, { fsync: 'none' }) : undefined;
  const kernel = await Kernel.boot({
    ...(store && { store, cluster: 'dios-wasi-test' }),
    consoleSink: () => {},
  });
  const pool: WorkerPool = useWorkers(kernel, { size: 2 });
  kernel.registerInterpreter('wasm', wasiInterpreter);
  const failures: unknown[] = [];
  kernel.onTaskFailure = (_task, error) => failures.push(error);
  return {
    kernel,
    sys: kernel.init,
    failures,
    dir,
    async close(keep = false) {
      await pool.close();
      await store?.close();
      if (dir !== undefined && !keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a finished program left. */
export interface RunResult {
  /** Exit status. */
  status: number;
  /** Everything it wrote to stdout. */
  stdout: string;
  /** Everything it wrote to stderr. */
  stderr: string;
  /** The task reference's kind of process. */
  process: string | undefined;
}

const decoder = new TextDecoder();

async function drain(sys: SystemCalls, stream: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const lent = await sys.beginRead(stream);
    const copy = lent.slice();
    await sys.endRead(stream, lent);
    if (copy.length === 0) break;
    chunks.push(copy);
  }
  return chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
}

async function endStream(sys: SystemCalls, stream: number): Promise<void> {
  await sys.endWrite(stream, await sys.beginWrite(stream, 0), undefined, EndWriteFlags.END_OF_STREAM);
}

/** Runs wasm `image` as a task of `sys` with argv, env and stdin (ended before the task starts unless `stdinOpen`); waits for it and returns what it left. */
export async function runWasm(
  sys: SystemCalls,
  image: Uint8Array,
  options: {
    argv?: readonly string[];
    env?: Record<string, string>;
    stdin?: string;
    stdinOpen?: boolean;
    /** stderr on the stdout stream (as 2>&1 does). */
    mergeStderr?: boolean;
  } = {},
): Promise<RunResult> {
  const { ref: binary } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const buffer = await sys.beginWrite(binary, image.length);
  buffer.set(image);
  await sys.endWrite(binary, buffer);
  const [stdin, stdout, stderr] = await Promise.all(
    [0, 1, 2].map(async () => (await sys.create(ObjectType.SHARED_MEMORY_STREAM)).ref),
  );
  const input = new TextEncoder().encode(options.stdin ?? '');
  if (input.length > 0) {
    const b = await sys.beginWrite(stdin!, input.length);
    b.set(input);
    await sys.endWrite(stdin!, b);
  }
  // stdinOpen: the input stream ends only after the task has exited (reads of it would wait).
  if (options.stdinOpen !== true) await endStream(sys, stdin!);
  const task = await sys.run(binary, {
    argv: options.argv ?? ['prog'],
    env: options.env ?? {},
    inputs: [stdin!],
    outputs: [stdout!, options.mergeStderr === true ? stdout! : stderr!],
  });
  const process = sys.ref(task).process;
  const out = drain(sys, stdout!);
  const err = drain(sys, stderr!);
  await sys.select([task]);
  const status = sys.ref(task).task?.exitStatus ?? -1;
  await Promise.all([endStream(sys, stdout!), endStream(sys, stderr!)]);
  if (options.stdinOpen === true) await endStream(sys, stdin!);
  const result = { status, stdout: await out, stderr: await err, process };
  for (const h of [binary, stdin!, stdout!, stderr!, task]) await sys.delete(h);
  return result;
}
