/**
 * The job master program. argv: `mapreduce-master JOB APP MAPS REDUCES
 * ATTEMPTS PARALLEL [KERNEL]` (PARALLEL: tasks running at once at most, 0
 * for all; KERNEL: where the tasks run, as run's `spec.kernel`: absent or
 * empty for the master's kernel, `*` to let the scheduling policy spread
 * them over the cluster); its inputs are the job's input blobs. It creates
 * the output blobs (on its own kernel, so they outlive any node that runs a
 * reduce), splits the inputs, runs the map tasks and then the reduce tasks
 * (see job-tasks.ts for re-runs), deletes the intermediate objects, and
 * writes a report (reportPath) and, as it goes, its progress
 * (progressPath).
 * @module
 */
import { DeleteFlags, isDiosError, type SystemCalls } from '@dios/kernel';
import { defineProgram, deleteQuietly, spawn } from '@dios/libd';
import { lookupPath, openAt, removeAt, replaceAt, withViewAt } from './blob-io.js';
import { ATTEMPT_ENV } from './faults.js';
import { runJobTasks } from './job-tasks.js';
import { checkJobId, mapOutputPath, outputPath, progressPath, reportPath, taskErrorPath } from './paths.js';
import { BINARY_PATHS, PROGRAM_IDS } from './programs.js';
import { appById } from './registry.js';
import { planSplits } from './splits.js';
import { intArg, stringArg } from './task-args.js';

const CALL = 'mapreduce-master';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function writeText(sys: SystemCalls, path: string, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  await replaceAt(sys, path, bytes.length, (b) => b.set(bytes), CALL);
}

// Best effort: an object on a node that went down cannot be removed, and need not be.
async function removeQuietly(sys: SystemCalls, path: string): Promise<void> {
  await removeAt(sys, path, CALL).catch((e: unknown) => {
    if (!isDiosError(e, 'EHOSTDOWN') && !isDiosError(e, 'EHOSTUNREACH')) throw e;
  });
}

async function cleanUp(sys: SystemCalls, job: string, mapsStarted: readonly number[], reduces: number): Promise<void> {
  for (const [m, attempts] of mapsStarted.entries()) {
    for (let a = 1; a <= attempts; a++)
      for (let r = 0; r < reduces; r++) await removeQuietly(sys, mapOutputPath(job, m, a, r));
    await removeQuietly(sys, taskErrorPath(job, 'map', m));
  }
  for (let r = 0; r < reduces; r++) await removeQuietly(sys, taskErrorPath(job, 'reduce', r));
}

async function lastError(sys: SystemCalls, job: string, kind: 'map' | 'reduce', index: number): Promise<string> {
  try {
    return await withViewAt(sys, taskErrorPath(job, kind, index), (view) => decoder.decode(view), CALL);
  } catch (e) {
    if (isDiosError(e, 'ENOENT') || isDiosError(e, 'EHOSTDOWN')) return 'no error recorded';
    throw e;
  }
}

// Whether anything answers for `path`: a lookup, not a read (the object may be a map output on another node).
async function exists(sys: SystemCalls, path: string): Promise<boolean> {
  try {
    await sys.delete(await lookupPath(sys, path, CALL), DeleteFlags.DROP);
    return true;
  } catch (e) {
    if (isDiosError(e, 'ENOENT') || isDiosError(e, 'EHOSTDOWN') || isDiosError(e, 'EBADF')) return false;
    throw e;
  }
}

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const job = checkJobId(argv[1], CALL, 'argv[1]');
  const appId = stringArg(argv, 2, CALL);
  appById(appId, CALL, 'argv[2]');
  const maps = intArg(argv, 3, CALL, 1);
  const reduces = intArg(argv, 4, CALL, 1);
  const attempts = intArg(argv, 5, CALL, 1);
  const parallel = intArg(argv, 6, CALL, 0);
  const kernel = argv[7] === undefined || argv[7] === '' ? undefined : argv[7];
  const env = (attempt: number) => ({ ...sys.env, [ATTEMPT_ENV]: String(attempt) });
  let mapsStarted: readonly number[] = new Array<number>(maps).fill(1);
  const outputs: number[] = [];
  try {
    await writeText(sys, progressPath(job), `0 ${maps + reduces}`);
    for (let r = 0; r < reduces; r++) outputs.push(await openAt(sys, outputPath(job, r), 0, CALL));
    const plan = planSplits(
      sys.inputs.map((h) => sys.ref(h).size),
      maps,
    );
    const ran = await runJobTasks(sys, {
      job,
      maps,
      reduces,
      attempts,
      parallel,
      startMap: (m, attempt) => {
        const pieces = plan[m]!;
        return spawn(sys, BINARY_PATHS.map, {
          argv: [
            PROGRAM_IDS.map,
            job,
            appId,
            String(m),
            String(reduces),
            JSON.stringify(pieces.map((p) => [p.start, p.end])),
          ],
          env: env(attempt),
          inputs: pieces.map((p) => sys.inputs[p.input]!),
          ...(kernel !== undefined && { kernel }),
        });
      },
      startReduce: (r, attempt, mapAttempts) =>
        spawn(sys, BINARY_PATHS.reduce, {
          argv: [PROGRAM_IDS.reduce, job, appId, String(r), mapAttempts.join(',')],
          env: env(attempt),
          outputs: [outputs[r]!],
          ...(kernel !== undefined && { kernel }),
        }),
      mapOutputExists: (m, attempt, r) => exists(sys, mapOutputPath(job, m, attempt, r)),
      lastError: (kind, index) => lastError(sys, job, kind, index),
      progress: (done) => writeText(sys, progressPath(job), `${done} ${maps + reduces}`),
      // On one kernel the reduces read only the map outputs: let go of the inputs, so a caller that gave its own
      // references up (MapReduceJob.releaseInputs) sees them freed before the reduce phase needs memory. Across
      // nodes a map may have to run again (its output lost with a node) until the last reduce is done.
      mapsFinished: async () => {
        if (kernel === undefined) for (const h of sys.inputs) await sys.delete(h);
      },
    });
    mapsStarted = ran.mapsStarted;
    await cleanUp(sys, job, mapsStarted, reduces);
    await writeText(sys, reportPath(job), JSON.stringify({ ok: true }));
    return 0;
  } catch (e) {
    // Best effort: the job's own error `e` is the one to report, not a failure to clean up after it.
    await cleanUp(sys, job, mapsStarted, reduces).catch(() => {});
    await writeText(
      sys,
      reportPath(job),
      JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
    throw e;
  } finally {
    for (const h of outputs) await deleteQuietly(sys, h, DeleteFlags.DROP);
  }
}

/** The job master program (see the module comment). */
export default defineProgram(main);
