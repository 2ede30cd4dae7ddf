/**
 * The job master program. argv: `mapreduce-master JOB APP MAPS REDUCES
 * ATTEMPTS PARALLEL` (PARALLEL: tasks running at once at most, 0 for all); its inputs are the job's input blobs. It splits the inputs,
 * runs the map tasks, then the reduce tasks (each re-run on failure, up to
 * ATTEMPTS times), deletes the intermediate objects, and writes a report
 * (reportPath) and, as it goes, its progress (progressPath).
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { defineProgram, spawn } from '@dios/libd';
import { removeAt, replaceAt } from './blob-io.js';
import { ATTEMPT_ENV } from './faults.js';
import { checkJobId, mapOutputPath, progressPath, reportPath, taskErrorPath } from './paths.js';
import { runPhase } from './phase.js';
import { BINARY_PATHS, PROGRAM_IDS } from './programs.js';
import { appById } from './registry.js';
import { planSplits } from './splits.js';
import { intArg, stringArg } from './task-args.js';

const CALL = 'mapreduce-master';
const encoder = new TextEncoder();

async function writeText(sys: SystemCalls, path: string, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  await replaceAt(sys, path, bytes.length, (b) => b.set(bytes), CALL);
}

async function cleanUp(sys: SystemCalls, job: string, maps: number, reduces: number): Promise<void> {
  for (let m = 0; m < maps; m++) for (let r = 0; r < reduces; r++) await removeAt(sys, mapOutputPath(job, m, r), CALL);
  for (let m = 0; m < maps; m++) await removeAt(sys, taskErrorPath(job, 'map', m), CALL);
  for (let r = 0; r < reduces; r++) await removeAt(sys, taskErrorPath(job, 'reduce', r), CALL);
}

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const job = checkJobId(argv[1], CALL, 'argv[1]');
  const appId = stringArg(argv, 2, CALL);
  appById(appId, CALL, 'argv[2]');
  const maps = intArg(argv, 3, CALL, 1);
  const reduces = intArg(argv, 4, CALL, 1);
  const attempts = intArg(argv, 5, CALL, 1);
  const parallel = intArg(argv, 6, CALL, 0);
  const total = maps + reduces;
  let done = 0;
  const progress = async () => writeText(sys, progressPath(job), `${done} ${total}`);
  const finished = async () => {
    done++;
    await progress();
  };
  const env = (attempt: number) => ({ ...sys.env, [ATTEMPT_ENV]: String(attempt) });
  try {
    await progress();
    const plan = planSplits(sys.inputs.map((h) => sys.ref(h).size), maps);
    await runPhase(sys, {
      kind: 'map', tasks: maps, attempts, parallel, job, done: finished,
      start: (m, attempt) => {
        const pieces = plan[m]!;
        return spawn(sys, BINARY_PATHS.map, {
          argv: [PROGRAM_IDS.map, job, appId, String(m), String(reduces), JSON.stringify(pieces.map((p) => [p.start, p.end]))],
          env: env(attempt),
          inputs: pieces.map((p) => sys.inputs[p.input]!),
        });
      },
    });
    // The reduces read only the map outputs: let go of the inputs, so a caller that gave its own references up
    // (MapReduceJob.releaseInputs) sees them freed before the reduce phase needs memory.
    for (const h of sys.inputs) await sys.delete(h);
    await runPhase(sys, {
      kind: 'reduce', tasks: reduces, attempts, parallel, job, done: finished,
      start: (r, attempt) => spawn(sys, BINARY_PATHS.reduce, { argv: [PROGRAM_IDS.reduce, job, appId, String(r), String(maps)], env: env(attempt) }),
    });
    await cleanUp(sys, job, maps, reduces);
    await writeText(sys, reportPath(job), JSON.stringify({ ok: true }));
    return 0;
  } catch (e) {
    await cleanUp(sys, job, maps, reduces).catch(() => {});
    await writeText(sys, reportPath(job), JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }));
    throw e;
  }
}

/** The job master program (see the module comment). */
export default defineProgram(main);
