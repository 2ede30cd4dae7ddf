/**
 * `dios wordcount`: boots a kernel, loads the files, runs WordCount on
 * MapReduce, prints the counts.
 * @module
 */
import { availableParallelism } from 'node:os';
import { ANY_KERNEL, DeleteFlags, errors, Kernel, normalizePath, ObjectType, type SystemCalls } from '@dios/kernel';
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
import { parseWordCountArgs, type WordCountArgs } from './wordcount-args.js';

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
 * Runs `dios wordcount ARGS`; writes the result to `out`. UsageError or
 * InputError for the caller to report; with --cluster, a DiosError when the
 * cluster cannot be reached (EHOSTUNREACH: no node answered).
 */
export async function wordCountCommand(
  args: readonly string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream,
): Promise<void> {
  const options = parseWordCountArgs(args);
  if (options.cluster !== undefined) {
    // A client kernel: it holds the input and the job master; the cluster's nodes run the map and reduce tasks.
    const client = await joinCluster(options.cluster);
    try {
      await countFiles(client.kernel, options, out, err, client.nodes);
    } finally {
      await client.close();
    }
    return;
  }
  // With --store, the job's provenance log is kept there (see 'dios provenance').
  const store = options.store === undefined ? undefined : new FileBlobStore(options.store, { fsync: 'batch' });
  const kernel = await Kernel.boot({ id: 'dios-wordcount', ...(store !== undefined && { store }) });
  // Map and reduce tasks run in worker threads, one per core at a time. No idle threads kept: a thread ends with
  // its task, and its heap (a map's table, its views of the job's blobs) goes too, instead of staying till exit.
  const pool = useWorkers(kernel, { size: 0 });
  try {
    await countFiles(kernel, options, out, err, undefined);
  } finally {
    await pool.close();
    await store?.close();
  }
}

// nodes: the cluster's node count when the tasks run there; undefined to run them on `kernel`.
async function countFiles(
  kernel: Kernel,
  options: WordCountArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream,
  nodes: number | undefined,
): Promise<void> {
  await installMapReducePrograms(kernel);
  const sys = kernel.init;
  const inputs: number[] = [];
  const provenance = options.store === undefined ? undefined : new JobProvenance(kernel);
  // Inputs named `dios:PATH` are blobs already in DIOS (on any node of the cluster): borrowed, never deleted.
  let borrowed = false;
  for (const file of options.files) {
    try {
      if (file.startsWith(DIOS_PREFIX)) {
        inputs.push(await lookupBlob(sys, file.slice(DIOS_PREFIX.length)));
        await provenance?.at(file.slice(DIOS_PREFIX.length));
        borrowed = true;
      } else if (provenance !== undefined)
        inputs.push(await provenance.loaded(`file:${file}`, () => loadFile(sys, file)));
      else inputs.push(await loadFile(sys, file));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new InputError(
        `cannot read '${file}': ${typeof code === 'string' ? code : 'EIO'} (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }
  const total = inputs.reduce((n, h) => n + sys.ref(h).size, 0);
  const cpus = availableParallelism();
  const bar = new ProgressBar(err);
  let records: Uint8Array;
  // Across nodes: one map per node (each map's table of distinct words costs more than its split's size says).
  const maps = options.maps ?? Math.max(nodes ?? cpus, Math.ceil(total / SPLIT_BYTES));
  const reduces = options.reduces ?? nodes ?? cpus;
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
      onProgress: (done, all) => bar.update(done, all),
    });
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
