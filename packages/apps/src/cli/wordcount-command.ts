/**
 * `dios wordcount`: boots a kernel, loads the files, runs WordCount on
 * MapReduce, prints the counts.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Kernel } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import { installMapReducePrograms } from '../mapreduce/install.js';
import { wordCountRecords } from '../wordcount/run.js';
import { loadFile } from './load-file.js';
import { ProgressBar } from './progress-bar.js';
import { parseWordCountArgs } from './wordcount-args.js';

// At most this much input per map task by default. Larger splits cost less in all: the distinct words of a split
// grow more slowly than the split, and every map's table is merged in the reduces. One map per core up to this.
const SPLIT_BYTES = 512 * 1024 * 1024;

/** A file the command could not read. */
export class InputError extends Error {
  /** `message` names the file and the cause. */
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Runs `dios wordcount ARGS`; writes the result to `out`. UsageError or InputError for the caller to report. */
export async function wordCountCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WriteStream): Promise<void> {
  const options = parseWordCountArgs(args);
  const kernel = await Kernel.boot({ id: 'dios-wordcount' });
  // Map and reduce tasks run in worker threads, one per core at a time. No idle threads kept: a thread ends with
  // its task, and its heap (a map's table, its views of the job's blobs) goes too, instead of staying till exit.
  const pool = useWorkers(kernel, { size: 0 });
  try {
    await countFiles(kernel, options, out, err);
  } finally {
    await pool.close();
  }
}

async function countFiles(kernel: Kernel, options: ReturnType<typeof parseWordCountArgs>, out: NodeJS.WritableStream, err: NodeJS.WriteStream): Promise<void> {
  await installMapReducePrograms(kernel);
  const sys = kernel.init;
  const inputs: number[] = [];
  for (const file of options.files) {
    try {
      inputs.push(await loadFile(sys, file));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new InputError(`cannot read '${file}': ${typeof code === 'string' ? code : 'EIO'} (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const total = inputs.reduce((n, h) => n + sys.ref(h).size, 0);
  const cpus = availableParallelism();
  const bar = new ProgressBar(err);
  let records: Uint8Array;
  try {
    // The records are the lines to print: written as they are, not parsed.
    records = await wordCountRecords(sys, inputs, {
      maps: options.maps ?? Math.max(cpus, Math.ceil(total / SPLIT_BYTES)),
      reduces: options.reduces ?? cpus,
      parallel: cpus,
      releaseInputs: true,
      top: options.top,
      onProgress: (done, all) => bar.update(done, all),
    });
  } finally {
    bar.clear();
  }
  await new Promise<void>((resolve, reject) => out.write(records, (e) => (e ? reject(e) : resolve())));
}
