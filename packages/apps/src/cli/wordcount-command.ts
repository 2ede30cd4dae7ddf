/**
 * `dios wordcount`: boots a kernel, loads the files, runs WordCount on
 * MapReduce, prints the counts.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Kernel } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import { installMapReducePrograms } from '../mapreduce/install.js';
import { wordCount } from '../wordcount/run.js';
import { loadFile } from './load-file.js';
import { ProgressBar } from './progress-bar.js';
import { parseWordCountArgs } from './wordcount-args.js';

const SPLIT_BYTES = 64 * 1024 * 1024;

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
  // Map and reduce tasks run in worker threads, one per core at a time.
  const pool = useWorkers(kernel);
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
  let counts;
  try {
    counts = await wordCount(sys, inputs, {
      maps: options.maps ?? Math.max(cpus, Math.ceil(total / SPLIT_BYTES)),
      reduces: options.reduces ?? cpus,
      parallel: cpus,
      top: options.top,
      onProgress: (done, all) => bar.update(done, all),
    });
  } finally {
    bar.clear();
  }
  const text = counts.map((c) => `${c.key}\t${c.count}\n`).join('');
  await new Promise<void>((resolve, reject) => out.write(text, (e) => (e ? reject(e) : resolve())));
}
