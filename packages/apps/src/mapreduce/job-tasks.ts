/**
 * Running a job's tasks from the master: every map task, then (once all
 * map outputs exist) every reduce task, at most `parallel` at once. A task
 * that fails is started again until it has had its attempts. A task lost
 * with its node (the wait reports EHOSTDOWN), and a map whose finished
 * output went down with a node (found when a reduce fails and the master
 * looks for that reduce's inputs), are started again elsewhere without
 * counting as failed attempts: only the node failed.
 * @module
 */
import { DeleteFlags, errors, isDiosError, type SystemCalls } from '@dios/kernel';
import { deleteQuietly, sleep, waitAny } from '@dios/libd';

/** What {@link runJobTasks} needs from the master. */
export interface JobTasks {
  /** The job id (for messages). */
  readonly job: string;
  /** Number of map tasks. */
  readonly maps: number;
  /** Number of reduce tasks. */
  readonly reduces: number;
  /** Failed attempts each task may take before the job fails. */
  readonly attempts: number;
  /** Tasks running at once at most (0: no limit). */
  readonly parallel: number;
  /** Starts attempt `attempt` of map task `m`; returns the task handle. */
  startMap(m: number, attempt: number): Promise<number>;
  /** Starts attempt `attempt` of reduce task `r`, which reads attempt `mapAttempts[m]` of each map's output. */
  startReduce(r: number, attempt: number, mapAttempts: readonly number[]): Promise<number>;
  /** Whether partition `r` of attempt `attempt` of map `m` can still be read (false: gone with its node). */
  mapOutputExists(m: number, attempt: number, r: number): Promise<boolean>;
  /** Why the last attempt of a task failed, as it recorded it. */
  lastError(kind: 'map' | 'reduce', index: number): Promise<string>;
  /** Called whenever the number of finished tasks changes. */
  progress(done: number): Promise<void>;
  /** Called once, when every map task has finished for the first time. */
  mapsFinished(): Promise<void>;
}

/** What ran: the attempt of each map task whose output the reduces read, and how many attempts each task started. */
export interface JobTasksResult {
  /** The attempt of each map task that the reduces read. */
  readonly mapAttempts: readonly number[];
  /** The highest attempt started of each map task (their outputs are the job's to clean up). */
  readonly mapsStarted: readonly number[];
}

type Kind = 'map' | 'reduce';
interface Run {
  readonly kind: Kind;
  readonly index: number;
  readonly attempt: number;
}

// Restarts of one task after losing its node, before the job gives up (a cluster losing node after node).
const MAX_LOST = 8;
// Pause before starting again a task whose start failed for want of its node.
const RETRY_PAUSE_MS = 100;

/** Runs every task of the job to success; EIO naming the task (`map[i]`, `reduce[i]`) when one fails every attempt. */
export async function runJobTasks(sys: SystemCalls, t: JobTasks): Promise<JobTasksResult> {
  const limit = t.parallel > 0 ? t.parallel : t.maps + t.reduces;
  const started = { map: new Array<number>(t.maps).fill(0), reduce: new Array<number>(t.reduces).fill(0) };
  const failed = { map: new Array<number>(t.maps).fill(0), reduce: new Array<number>(t.reduces).fill(0) };
  const lost = { map: new Array<number>(t.maps).fill(0), reduce: new Array<number>(t.reduces).fill(0) };
  // The attempt whose output each finished map left; 0 while it has none.
  const mapDone = new Array<number>(t.maps).fill(0);
  let mapsDone = 0;
  let reducesDone = 0;
  let mapsFinishedOnce = false;
  // Stacks: a task put back goes first, since it holds up the job more than one not yet started.
  const pendingMaps = Array.from({ length: t.maps }, (_, i) => t.maps - 1 - i);
  const pendingReduces = Array.from({ length: t.reduces }, (_, i) => t.reduces - 1 - i);
  const running = new Map<number, Run>();

  const requeue = (run: Run, why: 'failed' | 'lost', detail: string) => {
    const count = why === 'failed' ? ++failed[run.kind][run.index]! : ++lost[run.kind][run.index]!;
    if (why === 'lost' && count > MAX_LOST) {
      throw errors.EIO(
        'mapreduce',
        `${run.kind}[${run.index}]`,
        `${run.kind} task ${run.index} of job ${t.job} lost its node ${count} times: ${detail}`,
      );
    }
    (run.kind === 'map' ? pendingMaps : pendingReduces).push(run.index);
  };
  const start = async (kind: Kind, index: number) => {
    const attempt = ++started[kind][index]!;
    let handle: number;
    try {
      handle = kind === 'map' ? await t.startMap(index, attempt) : await t.startReduce(index, attempt, mapDone);
    } catch (e) {
      // The node chosen went away between placement and start: try again, elsewhere, after a pause that lets
      // the cluster notice (a burst of immediate retries could use up the task's restarts on one lost node).
      if (!isDiosError(e, 'EHOSTDOWN') && !isDiosError(e, 'EHOSTUNREACH')) throw e;
      await sleep(sys, RETRY_PAUSE_MS);
      requeue({ kind, index, attempt }, 'lost', e.message);
      return;
    }
    running.set(handle, { kind, index, attempt });
  };
  const fill = async () => {
    for (;;) {
      if (running.size >= limit) return;
      if (pendingMaps.length > 0) await start('map', pendingMaps.pop()!);
      else if (mapsDone === t.maps && pendingReduces.length > 0) await start('reduce', pendingReduces.pop()!);
      else return;
    }
  };
  // A map whose output is gone must run again, and every reduce waits for it.
  const forgetMap = (m: number, why: string) => {
    if (mapDone[m] === 0) return;
    mapDone[m] = 0;
    mapsDone--;
    requeue({ kind: 'map', index: m, attempt: started.map[m]! }, 'lost', why);
  };

  await fill();
  while (mapsDone < t.maps || reducesDone < t.reduces) {
    if (running.size === 0) {
      // Everything left was put back (lost nodes): start it again.
      await fill();
      if (running.size === 0)
        throw errors.EIO('mapreduce', 'job', `job ${t.job} has tasks left but none could be started`);
      continue;
    }
    const handles = [...running.keys()];
    let task: number;
    let status: number;
    try {
      ({ task, status } = await waitAny(sys, handles));
    } catch (e) {
      if (!isDiosError(e, 'EHOSTDOWN')) throw e;
      const i = /\[(\d+)\]$/.exec(e.argument ?? '')?.[1];
      if (i === undefined) throw e;
      // The task's node went down: its output, if any, went with it.
      const handle = handles[Number(i)]!;
      const run = running.get(handle)!;
      running.delete(handle);
      await deleteQuietly(sys, handle, DeleteFlags.DROP);
      requeue(run, 'lost', e.message);
      await fill();
      continue;
    }
    const run = running.get(task)!;
    running.delete(task);
    if (status === 0) {
      if (run.kind === 'map') {
        mapDone[run.index] = run.attempt;
        mapsDone++;
      } else reducesDone++;
      await t.progress(mapsDone + reducesDone);
      if (mapsDone === t.maps && !mapsFinishedOnce) {
        mapsFinishedOnce = true;
        await t.mapsFinished();
      }
      await fill();
      continue;
    }
    if (run.kind === 'reduce') {
      // Did the reduce fail for want of map outputs that went down with a node? Then those maps run again.
      let missing = 0;
      for (let m = 0; m < t.maps; m++) {
        if (mapDone[m] !== 0 && !(await t.mapOutputExists(m, mapDone[m]!, run.index))) {
          forgetMap(m, `the output of map task ${m} (attempt ${mapDone[m]}) could not be found`);
          missing++;
        }
      }
      if (missing > 0) {
        await t.progress(mapsDone + reducesDone);
        requeue(run, 'lost', `${missing} map output(s) it needed were lost with their node`);
        await fill();
        continue;
      }
    }
    if (failed[run.kind][run.index]! + 1 >= t.attempts) {
      const why = await t.lastError(run.kind, run.index);
      const times = failed[run.kind][run.index]! + 1;
      throw errors.EIO(
        'mapreduce',
        `${run.kind}[${run.index}]`,
        `${run.kind} task ${run.index} of job ${t.job} failed ${times} time(s), last with status ${status}: ${why}`,
      );
    }
    requeue(run, 'failed', `status ${status}`);
    await fill();
  }
  return { mapAttempts: mapDone, mapsStarted: started.map };
}
