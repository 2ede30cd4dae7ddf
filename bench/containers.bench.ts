/**
 * Container benchmark: create, start and stop containers one after another,
 * each running a tiny program (it prints a line, then waits for the stop
 * notice), on the container engine over a kernel with a durable file store
 * and a worker pool. Every figure is a median over the containers. In the
 * same run, the baselines: the same program started as a plain pure worker
 * task (no container), and `node -e 0` as a new process (what a `docker
 * run` starts at the least, before any image or namespace work). Anchor
 * from the issue: `docker run` of a tiny image takes hundreds of
 * milliseconds; the target here is at most 20 ms per container start.
 *
 *   npm run bench:containers
 *   BENCH_CONTAINERS=300 npm run bench:containers
 *   BENCH_QUICK=1 npm run bench:containers      (20 containers)
 *
 * "start" is engine.start returning (the entry task made and started, its
 * record written); "start to running" is until its first line is in the
 * container's log, back to back (each container's task takes a fresh
 * locked-down thread, so this is the rate the pool makes them at) and with
 * the machine idle between containers (a warm thread is waiting).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel, ObjectType } from '@dios/kernel';
import { FileBlobStore, useWorkers } from '@dios/kernel/node';
import { ContainerEngine } from '../packages/apps/src/containers/engine/engine.js';
import { nodeEngineHost } from '../packages/apps/src/cli/containers/host-files.js';
import { median, printTable } from './harness.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const N = Number(process.env.BENCH_CONTAINERS ?? (QUICK ? 20 : 100));
const IMAGE = fileURLToPath(new URL('./container-image', import.meta.url));

const ms = (t0: number) => performance.now() - t0;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-bench-containers-'));
  const store = new FileBlobStore(join(dir, 'store'));
  const kernel = await Kernel.boot({ store, id: 'bench-containers' });
  const pool = useWorkers(kernel, { size: 2, pureSpares: 2 });
  const engine = await ContainerEngine.open(kernel, { host: nodeEngineHost(join(dir, 'images')) });
  await engine.buildImage(IMAGE, 'tiny');
  const dec = new TextDecoder();
  const up = async (name: string) => {
    while (!dec.decode(await engine.logs(name)).includes('up')) await new Promise((r) => setTimeout(r, 0.5));
  };

  // Containers: create, start, (running: its first line out), stop, rm.
  const create: number[] = [];
  const start: number[] = [];
  const running: number[] = [];
  const stop: number[] = [];
  const remove: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const name = `c${i}`;
    let t = performance.now();
    await engine.create({ image: 'tiny', name });
    create.push(ms(t));
    t = performance.now();
    await engine.start(name);
    start.push(ms(t));
    await up(name);
    running.push(ms(t));
    t = performance.now();
    const info = await engine.stop(name, 10_000);
    stop.push(ms(t));
    if (info.State.ExitCode !== 0)
      throw new Error(`container ${name} ended ${info.State.ExitCode}: ${info.State.Error}`);
    t = performance.now();
    await engine.remove(name);
    remove.push(ms(t));
  }
  const total = ms(t0);

  // The same with the machine idle between containers (0.4 s), so a warm locked-down thread is waiting: the latency
  // of one container start, rather than the rate the pool can make threads at.
  const idleRunning: number[] = [];
  for (let i = 0; i < Math.min(N, 20); i++) {
    const name = `idle${i}`;
    await engine.create({ image: 'tiny', name });
    await new Promise((r) => setTimeout(r, 400));
    const t = performance.now();
    await engine.start(name);
    await up(name);
    idleRunning.push(ms(t));
    await engine.stop(name, 10_000);
    await engine.remove(name);
  }

  // Baseline 1: the same program as a plain pure worker task, no container (start, then running).
  const program = kernel.registerProgram('bench-tiny', {
    module: new URL('./container-image/main.mjs', import.meta.url).href,
  });
  const init = kernel.init;
  const { ref: bin } = await init.create(ObjectType.SHARED_MEMORY_BLOB);
  const b = await init.beginWrite(bin, program.length);
  b.set(program);
  await init.endWrite(bin, b);
  let printed = 0;
  kernel.console.setSink(() => printed++);
  const taskStart: number[] = [];
  const taskRunning: number[] = [];
  for (let i = 0; i < N; i++) {
    const before = printed;
    const t = performance.now();
    const task = await init.run(bin, { argv: ['tiny', 'exit'] }, 0x4 /* RunFlags.PURE */);
    taskStart.push(ms(t));
    while (printed === before) await new Promise((r) => setTimeout(r, 0.5));
    taskRunning.push(ms(t));
    await init.select([task]);
    await init.delete(task);
  }

  // Baseline 2: a new process (node -e 0), what a container runtime starts at the least.
  const processes: number[] = [];
  for (let i = 0; i < Math.min(N, 20); i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    processes.push(ms(t));
  }

  await pool.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const f = (x: number) => x.toFixed(2);
  console.log(`containers: ${N} one after another; ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(2)}`);
  printTable([
    ['step', 'median ms', 'baseline', 'baseline median ms', 'ratio'],
    ['create', f(median(create)), '', '', ''],
    [
      'start (engine.start returns)',
      f(median(start)),
      'plain pure task: run returns',
      f(median(taskStart)),
      f(median(start) / median(taskStart)),
    ],
    [
      'start to running (first output)',
      f(median(running)),
      'plain pure task: first output',
      f(median(taskRunning)),
      f(median(running) / median(taskRunning)),
    ],
    ['', '', 'new process (node -e 0)', f(median(processes)), f(median(running) / median(processes))],
    ['start to running, idle between', f(median(idleRunning)), '', '', ''],
    ['stop (notice, exit, stopped)', f(median(stop)), '', '', ''],
    ['rm', f(median(remove)), '', '', ''],
  ]);
  console.log(
    `throughput: ${(N / (total / 1000)).toFixed(1)} containers/s (create+start+stop+rm), ${f(total / N)} ms each; target: start at most 20 ms (median start ${f(median(start))} ms; start to running ${f(median(running))} ms back to back, ${f(median(idleRunning))} ms with a warm thread)`,
  );
}

await main();
