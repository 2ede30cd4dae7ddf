/**
 * Shared setup for the legacy-process tests: the C programs built by
 * scripts/build-wasm.mjs (packages/apps/wasm/), a kernel that runs them
 * (worker threads, the WASI interpreter, optionally a durable store), and
 * running one with its stdin, stdout and stderr on DIOS streams.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EndWriteFlags, isDiosError, Kernel, ObjectType, Rights, type SystemCalls } from '@dios/kernel';
import { FileBlobStore, useWorkers } from '@dios/kernel/node';
import { wasiInterpreter } from '@dios/libd/wasi';
import { REQUIRED } from '../../../kernel/test/support/services.js';

/** Where scripts/build-wasm.mjs puts the programs. */
export const WASM_DIR = fileURLToPath(new URL('../../wasm/', import.meta.url));

/** The path of program `name`'s binary. */
export const wasmPath = (name: string): string => `${WASM_DIR}${name}.wasm`;

/**
 * Why programs `names` cannot be run here (undefined when they can): clang
 * missing, or the programs not built. Throws when DIOS_REQUIRE_SERVICES=1
 * requires them (CI builds them before the tests).
 */
export function wasmMissing(...names: string[]): string | undefined {
  const absent = names.filter((n) => !existsSync(wasmPath(n)));
  if (absent.length === 0) return undefined;
  const reason = existsSync('/usr/bin/clang')
    ? `${absent.map((n) => `${n}.wasm`).join(', ')} not built in ${WASM_DIR} (npm run build:wasm)`
    : 'clang not found: the C programs cannot be built (Debian: clang lld wasi-libc libclang-rt-dev-wasm32)';
  if (REQUIRED) throw new Error(`${reason}, and DIOS_REQUIRE_SERVICES=1 requires them`);
  console.warn(`skipped: ${reason} (set DIOS_REQUIRE_SERVICES=1 to make this a failure)`);
  return reason;
}

/** A kernel that runs WebAssembly programs. */
export interface LegacyKernel {
  /** The kernel. */
  readonly kernel: Kernel;
  /** Its init task's system calls (the host's, so they also serve importFile and exportFile). */
  readonly sys: Kernel['init'];
  /** Task failures the kernel reported (expected empty). */
  readonly failures: unknown[];
  /** Stops the workers and closes the store. */
  close(): Promise<void>;
}

/** The cluster every durable kernel of these tests boots in: paths name the same objects after a restart. */
const CLUSTER = 'dios-legacy-test';

/**
 * Boots a kernel with `workers` worker threads (the tests run one program at
 * a time) and the WASI interpreter; its durable blobs in `storeDir` if given.
 */
export async function bootLegacyKernel(storeDir?: string, workers = 1): Promise<LegacyKernel> {
  const store = storeDir === undefined ? undefined : new FileBlobStore(storeDir, { fsync: 'none' });
  const kernel = await Kernel.boot({ cluster: CLUSTER, ...(store === undefined ? {} : { store }) });
  const failures: unknown[] = [];
  kernel.onTaskFailure = (_task, error) => failures.push(error);
  const pool = useWorkers(kernel, { size: workers });
  kernel.registerInterpreter('wasm', wasiInterpreter);
  return {
    kernel,
    sys: kernel.init,
    failures,
    async close() {
      await pool.close();
      await store?.close();
    },
  };
}

/** What a program run printed, and how it exited. */
export interface RunResult {
  /** Its exit status. */
  readonly status: number;
  /** Its standard output. */
  readonly stdout: Uint8Array;
  /** Its standard error, as text. */
  readonly stderr: string;
}

const binaries = new WeakMap<SystemCalls, Map<string, number>>();

/** A blob holding program `name`'s binary (one per kernel). */
async function binary(sys: SystemCalls, name: string): Promise<number> {
  let known = binaries.get(sys);
  if (known === undefined) binaries.set(sys, (known = new Map<string, number>()));
  const held = known.get(name);
  if (held !== undefined) return held;
  const bytes = readFileSync(wasmPath(name));
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const lent = await sys.beginWrite(ref, bytes.length);
  lent.set(bytes);
  await sys.endWrite(ref, lent);
  known.set(name, ref);
  return ref;
}

const CHUNK = 64 << 10;

/** Writes `bytes` into stream `ref` in chunks, then its end; stops quietly when the program no longer reads (EPIPE). */
async function feed(sys: SystemCalls, ref: number, bytes: Uint8Array): Promise<void> {
  try {
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const part = bytes.subarray(at, at + CHUNK);
      const lent = await sys.beginWrite(ref, part.length);
      lent.set(part);
      await sys.endWrite(ref, lent);
    }
    const end = await sys.beginWrite(ref, 0);
    await sys.endWrite(ref, end, undefined, EndWriteFlags.END_OF_STREAM);
  } catch (e) {
    // A program that exits without reading all its input, as `grep -q` may: a shell's writer would get SIGPIPE.
    if (!isDiosError(e, 'EPIPE')) throw e;
  }
}

/** Reads stream `ref` to its end, showing each piece to `onPiece` as it comes. */
async function drain(sys: SystemCalls, ref: number, onPiece?: (bytes: Uint8Array) => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const view = await sys.beginRead(ref);
    const copy = view.slice();
    await sys.endRead(ref, view);
    if (copy.length === 0) break;
    onPiece?.(copy);
    parts.push(copy);
    length += copy.length;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/**
 * Runs program `name` with `args`, stdin holding `stdin`, stdout and stderr
 * read from streams (stdout also shown to `onStdout` as it comes); waits for
 * its exit.
 */
export async function runWasm(
  sys: SystemCalls,
  name: string,
  args: readonly string[],
  stdin: Uint8Array | string = new Uint8Array(0),
  onStdout?: (bytes: Uint8Array) => void,
): Promise<RunResult> {
  const [input, output, errors] = await Promise.all([0, 1, 2].map(() => sys.create(ObjectType.SHARED_MEMORY_STREAM)));
  const task = await sys.run(await binary(sys, name), {
    argv: [name, ...args],
    inputs: [input!.ref],
    outputs: [output!.ref, errors!.ref],
  });
  // Keep only the rights our side uses: stdout and stderr then end when the task's references close, and writes
  // to stdin stop waiting for room once the task has gone without reading it all.
  const [stdinRef, stdoutRef, stderrRef] = await sys.copy([input!.ref, output!.ref, errors!.ref], sys.self, {
    rights: [Rights.WRITE, Rights.READ, Rights.READ],
  });
  for (const { ref } of [input!, output!, errors!]) await sys.delete(ref);
  const bytes = typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin;
  const [, stdout, stderr] = await Promise.all([
    feed(sys, stdinRef!, bytes),
    drain(sys, stdoutRef!, onStdout),
    drain(sys, stderrRef!),
  ]);
  await sys.select([task]);
  const status = sys.ref(task).task?.exitStatus ?? -1;
  for (const ref of [stdinRef!, stdoutRef!, stderrRef!, task]) await sys.delete(ref);
  return { status, stdout, stderr: new TextDecoder().decode(stderr) };
}
