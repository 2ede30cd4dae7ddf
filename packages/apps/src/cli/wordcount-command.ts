/**
 * `dios wordcount`: boots a kernel, loads the files (standard input for
 * '-', every file under a directory), runs WordCount on MapReduce while
 * showing its progress, prints the counts.
 * @module
 */
import { availableParallelism } from 'node:os';
import {
  ANY_KERNEL,
  DeleteFlags,
  errors,
  Kernel,
  normalizePath,
  ObjectType,
  taskReport,
  type SystemCalls,
} from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';
import { FileBlobStore, useWorkers } from '@dios/kernel/node';
import { joinCluster } from './join-cluster.js';
import { lookupPath } from '../mapreduce/blob-io.js';
import { DELAY_ENV, FAULTS_ENV } from '../mapreduce/faults.js';
import { installMapReducePrograms } from '../mapreduce/install.js';
import { jobPath, outputPath } from '../mapreduce/paths.js';
import { JobProvenance } from '../provenance/job-provenance.js';
import { wordCountRecords } from '../wordcount/run.js';
import { loadFile } from './load-file.js';
import { ProgressBar } from './progress-bar.js';
import { UsageError } from './args/usage-error.js';
import { hostFiles } from './wordcount/host-files.js';
import { JobWatch } from './wordcount/job-watch.js';
import { loadStream } from './wordcount/stdin-blob.js';
import { parseWordCountArgs, type WordCountArgs } from './wordcount-args.js';
import { errorText } from './error-text.js';

// At most this much input per map task by default. Larger splits cost less in all: the distinct words of a split
// grow more slowly than the split, and every map's table is merged in the reduces. One map per core up to this.
const SPLIT_BYTES = 512 * 1024 * 1024;

// Failure and delay injection reach the job's tasks from the command's environment (for tests).
function injection(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [FAULTS_ENV, DELAY_ENV]) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}

/** The prefix of a FILE argument that names a blob by its DIOS path instead of a host file. */
export const DIOS_PREFIX = 'dios:';

// The FILE argument that stands for standard input.
const STDIN = '-';
// How often the progress is looked at while the inputs load, in ms.
const LOAD_POLL_MS = 100;

// What one FILE argument stands for, once directories are walked.
type Source =
  | { readonly kind: 'dios'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'file'; readonly path: string; readonly size: number };

// A handle to the blob at `path` in DIOS (on any node of the cluster); EINVAL when it is not a blob.
async function lookupBlob(sys: SystemCalls, path: string): Promise<number> {
  const h = await lookupPath(sys, normalizePath(path, 'wordcount', 'FILE'), 'wordcount');
  const type = sys.ref(h).type;
  if (type !== ObjectType.SHARED_MEMORY_BLOB && type !== ObjectType.DURABLE_BLOB) {
    await sys.delete(h, DeleteFlags.DROP);
    throw errors.EINVAL('wordcount', 'FILE', `dios:${path} is a ${type}, not a blob`);
  }
  return h;
}

/** A file the command could not read. */
export class InputError extends Error {
  /** `message` names the file and the cause. */
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Runs `dios wordcount ARGS`; writes the result to `out`, and the progress
 * to `err` (redrawn in place on a terminal; plain lines with --progress
 * elsewhere; nothing otherwise). A FILE '-' reads `input` (default:
 * standard input), a directory its regular files in a sorted walk. UsageError or
 * InputError (naming the file at fault) for the caller to report; with
 * --cluster, a DiosError when the cluster cannot be reached (EHOSTUNREACH:
 * no node answered).
 */
export async function wordCountCommand(
  args: readonly string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream,
  input?: AsyncIterable<Uint8Array | string>,
): Promise<void> {
  const options = parseWordCountArgs(args);
  // Standard input can be read once: a second '-' would count nothing, silently, so it is refused.
  if (options.files.filter((f) => f === STDIN).length > 1)
    throw new UsageError(`'-' (standard input) may be given once`);
  if (options.cluster !== undefined) {
    // A client kernel: it holds the input and the job master; the cluster's nodes run the map and reduce tasks.
    const client = await joinCluster(options.cluster);
    try {
      await countFiles(client.kernel, options, { out, err, input }, client.nodes);
    } finally {
      await client.close();
    }
    return;
  }
  // With --store, the job's provenance log is kept there (see 'dios provenance').
  const store = options.store === undefined ? undefined : new FileBlobStore(options.store, { fsync: 'batch' });
  const kernel = await Kernel.boot({ id: 'dios-wordcount', ...(store !== undefined && { store }) });
  // Map and reduce tasks run in worker threads, one per core at a time. One idle thread per core is kept: a reduce
  // starts in the thread a map ended in instead of paying a new thread's start (~0.13 s of CPU each). The pool's
  // plain threads hold nothing of a finished task (no module of the job keeps state), so its heap is garbage; but
  // V8 takes it back only at that thread's next full collection (the next task's allocations), not when it idles:
  // a little more peak RSS (about 20 MiB on 256 MB of real text) for the CPU saved.
  const pool = useWorkers(kernel, { size: availableParallelism() });
  try {
    await countFiles(kernel, options, { out, err, input }, undefined);
  } finally {
    await pool.close();
    await store?.close();
  }
}

// The command's streams: the result to `out`, messages and progress to `err`, '-' read from `input`.
interface Streams {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WriteStream;
  readonly input: AsyncIterable<Uint8Array | string> | undefined;
}

// An InputError naming `path` (the file or directory at fault) and the cause.
function inputError(path: string, e: unknown): InputError {
  return new InputError(`cannot read '${path}': ${errorText(e, true)}`);
}

// The FILE arguments with directories walked (in order; each directory's files in a sorted walk).
async function sources(files: readonly string[]): Promise<Source[]> {
  const found: Source[] = [];
  for (const file of files) {
    if (file.startsWith(DIOS_PREFIX)) found.push({ kind: 'dios', path: file.slice(DIOS_PREFIX.length) });
    else if (file === STDIN) found.push({ kind: 'stdin' });
    else {
      try {
        for (const f of await hostFiles(file)) found.push({ kind: 'file', ...f });
      } catch (e) {
        // Node's error names the file or directory at fault, which may be deep inside `file`.
        const at = (e as { path?: unknown }).path;
        throw inputError(typeof at === 'string' ? at : file, e);
      }
    }
  }
  return found;
}

// nodes: the cluster's node count when the tasks run there; undefined to run them on `kernel`.
async function countFiles(
  kernel: Kernel,
  options: WordCountArgs,
  { out, err, input }: Streams,
  nodes: number | undefined,
): Promise<void> {
  await installMapReducePrograms(kernel);
  const sys = kernel.init;
  const inputs: number[] = [];
  const provenance = options.store === undefined ? undefined : new JobProvenance(kernel);
  const bar = new ProgressBar(err, { lines: options.progress });
  const list = await sources(options.files);
  // Inputs named `dios:PATH` are blobs already in DIOS (on any node of the cluster): borrowed, never deleted.
  const borrowed = list.some((s) => s.kind === 'dios');
  // Loading shows the bytes this command's task has written into blobs so far (unknown in all with stdin).
  const hostBytes = list.some((s) => s.kind === 'stdin')
    ? undefined
    : list.reduce((n, s) => n + (s.kind === 'file' ? s.size : 0), 0);
  const written = () => taskReport(kernel, sys.taskName.key)?.stats.bytesWritten ?? 0;
  const before = written();
  const loading = () => {
    const bytesDone = written() - before;
    bar.update({
      phase: 'load',
      bytesDone: hostBytes === undefined ? bytesDone : Math.min(hostBytes, bytesDone),
      bytesTotal: hostBytes,
      map: 0,
      reduce: 0,
    });
  };
  // Not while someone types the input on the terminal the line would be drawn on.
  const typing = input === undefined && list.some((s) => s.kind === 'stdin') && process.stdin.isTTY;
  const timer = typing ? undefined : setInterval(loading, LOAD_POLL_MS);
  try {
    for (const source of list) {
      const label =
        source.kind === 'stdin' ? 'stdin' : source.kind === 'dios' ? `${DIOS_PREFIX}${source.path}` : source.path;
      try {
        if (source.kind === 'dios') {
          inputs.push(await lookupBlob(sys, source.path));
          await provenance?.at(source.path);
          continue;
        }
        const load = () =>
          source.kind === 'stdin' ? loadStream(sys, input ?? process.stdin) : loadFile(sys, source.path);
        inputs.push(provenance === undefined ? await load() : await provenance.loaded(`file:${label}`, load));
      } catch (e) {
        throw inputError(source.kind === 'stdin' ? 'standard input' : label, e);
      }
    }
  } catch (e) {
    bar.clear();
    throw e;
  } finally {
    clearInterval(timer);
  }
  const sizes = inputs.map((h) => sys.ref(h).size);
  const total = sizes.reduce((n, size) => n + size, 0);
  const cpus = availableParallelism();
  let records: Uint8Array;
  // Across nodes: one map per node (each map's table of distinct words costs more than its split's size says).
  const maps = options.maps ?? Math.max(nodes ?? cpus, Math.ceil(total / SPLIT_BYTES));
  const reduces = options.reduces ?? nodes ?? cpus;
  const watch = new JobWatch(kernel, sizes, maps, reduces);
  // A known job id when the provenance is kept, so that its objects' paths can be named in the drawing.
  const job = provenance === undefined ? undefined : 'wordcount';
  try {
    // The records are the lines to print: written as they are, not parsed.
    records = await wordCountRecords(sys, inputs, {
      maps,
      reduces,
      ...(job !== undefined && { job }),
      ...(nodes === undefined ? { parallel: cpus } : { kernel: ANY_KERNEL }),
      // Giving the references up lets the job free what it loaded early; a borrowed blob must outlive the job.
      releaseInputs: !borrowed,
      env: injection(),
      top: options.top,
      onProgress: (done) => bar.update(watch.snapshot(done)),
    });
    bar.finish();
  } finally {
    bar.clear();
    if (borrowed) for (const h of inputs) await deleteQuietly(sys, h, DeleteFlags.DROP);
    // Kept whether the job succeeded or not: refused flows are one way a job fails.
    if (provenance !== undefined && job !== undefined) {
      const where = await provenance.save({ job, maps, reduces, attempts: 3 });
      err.write(
        `dios wordcount: provenance log kept at ${where} in ${options.store}` +
          ` (draw it: dios provenance ${jobPath(job)}/out --store ${options.store}; one output: ${outputPath(job, 0)})\n`,
      );
    }
  }
  await new Promise<void>((resolve, reject) => out.write(records, (e) => (e ? reject(e) : resolve())));
}
