/**
 * The two scheduling workloads, run for real in worker threads: matmul's
 * product and Pi's estimate are right, and the kernel's monitoring figures of
 * each give the class the seed's slide gives it (matmul memory-bound, Pi
 * CPU-bound) through classifyTask, and through TaskProfiles for repeated runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDiosError, Kernel, monitorTasks, ObjectType, type TaskStatsSnapshot } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { wait } from '@dios/libd';
import { installSchedPrograms, putMatrix, randomMatrix, readMatrix, startWorkload } from '../../src/sched/index.js';
import { classifyTask } from '../../../kernel/src/core/scheduling/classify-task.js';
import { TaskProfiles } from '../../../kernel/src/core/scheduling/task-profiles.js';

let kernel: Kernel;
let pool: WorkerPool;
const failures: unknown[] = [];

beforeAll(async () => {
  kernel = await Kernel.boot();
  kernel.onTaskFailure = (_task, error) => failures.push(error);
  pool = useWorkers(kernel, { size: 2 });
  await installSchedPrograms(kernel);
});
afterAll(async () => {
  await pool.close();
});

async function newBlob(): Promise<number> {
  return (await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
}

/** Runs matmul on a and b (n x n) to exit; returns the product and the task's exit status. */
async function matmul(n: number, a: Float64Array, b: Float64Array): Promise<{ status: number; c: number }> {
  const sys = kernel.init;
  const output = await newBlob();
  const task = await startWorkload(sys, {
    kind: 'matmul',
    n,
    a: await putMatrix(sys, a),
    b: await putMatrix(sys, b),
    output,
  });
  return { status: await wait(sys, task), c: output };
}

/** Runs Pi over `terms` to exit; returns the estimate. */
async function pi(terms: number): Promise<number> {
  const sys = kernel.init;
  const output = await newBlob();
  expect(await wait(sys, await startWorkload(sys, { kind: 'pi', terms, output }))).toBe(0);
  const view = await sys.beginRead(output);
  const estimate = new Float64Array(view.slice().buffer)[0]!;
  await sys.endRead(output, view);
  return estimate;
}

/** The figures of the latest task run with exactly `argv`. */
function figuresOf(argv: string[]): TaskStatsSnapshot {
  const reports = monitorTasks(kernel).filter((r) => r.argv.join(' ') === argv.join(' '));
  const last = reports.at(-1);
  if (last === undefined) throw new Error(`no task ran with argv ${argv.join(' ')}`);
  expect(last.exitStatus).toBe(0);
  return last.stats;
}

describe('the scheduling workloads in worker threads', () => {
  it('matmul multiplies: a 2 x 2 by hand, and 17 x 17 against another loop order', async () => {
    const small = await matmul(2, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8));
    expect(small.status).toBe(0);
    expect([...(await readMatrix(kernel.init, small.c, 2))]).toEqual([19, 22, 43, 50]);

    const n = 17;
    const a = randomMatrix(n, 7);
    const b = randomMatrix(n, 8);
    const expected = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) expected[i * n + j]! += a[i * n + k]! * b[k * n + j]!;
    const got = await matmul(n, a, b);
    expect(got.status).toBe(0);
    const c = await readMatrix(kernel.init, got.c, n);
    for (let i = 0; i < n * n; i++) expect(c[i]).toBeCloseTo(expected[i]!, 12);
  });

  it('matmul refuses inputs of the wrong size (EINVAL naming the input)', async () => {
    failures.length = 0;
    const { status } = await matmul(3, randomMatrix(2, 1), randomMatrix(2, 2));
    expect(status).toBe(1);
    expect(failures).toHaveLength(1);
    expect(isDiosError(failures[0], 'EINVAL')).toBe(true);
    expect((failures[0] as { argument?: string }).argument).toBe('inputs[0]');
  });

  it('Pi refuses a bad number of terms (EINVAL naming argv[1])', async () => {
    failures.length = 0;
    const sys = kernel.init;
    const task = await startWorkload(sys, { kind: 'pi', terms: 0, output: await newBlob() });
    expect(await wait(sys, task)).toBe(1);
    expect(failures).toHaveLength(1);
    expect(isDiosError(failures[0], 'EINVAL')).toBe(true);
    expect((failures[0] as { argument?: string }).argument).toBe('argv[1]');
    await expect(startWorkload(sys, { kind: 'sort' } as never)).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'spec.kind',
    });
  });

  it('Pi is close to Math.PI', async () => {
    expect(Math.abs((await pi(1_000_001)) - Math.PI)).toBeLessThan(2e-6);
    expect(await pi(1)).toBe(4);
  });

  it('monitoring classes matmul as memory and Pi as cpu', async () => {
    // Sizes: about 35-50 ms of CPU each on a warm thread (classify-task.ts has the measured figures).
    const profiles = new TaskProfiles();
    for (let round = 0; round < 3; round++) {
      expect((await matmul(256, randomMatrix(256, round), randomMatrix(256, round + 1))).status).toBe(0);
      const m = figuresOf(['sched.matmul', '256']);
      expect(m.cpuMs).toBeDefined(); // it ran in a worker thread, where the kernel measures CPU time
      expect(m.bytesRead).toBe(2 * 8 * 256 * 256);
      expect(m.bytesWritten).toBe(8 * 256 * 256);
      expect(classifyTask(m)).toBe('memory');
      profiles.record('sched.matmul', m);

      expect(Math.abs((await pi(30_000_000)) - Math.PI)).toBeLessThan(1e-6);
      const p = figuresOf(['sched.pi', '30000000']);
      expect(p.cpuMs).toBeDefined();
      expect(p.bytesRead).toBe(0);
      expect(classifyTask(p)).toBe('cpu');
      profiles.record('sched.pi', p);
    }
    expect(profiles.classOf('sched.matmul')).toBe('memory');
    expect(profiles.classOf('sched.pi')).toBe('cpu');
  });
});
