/**
 * The real-workloads part of bench:sched: matmul and Pi, as DIOS programs in
 * worker threads, over two kernels (A and B) in one process joined by the
 * loopback transport. The matrices live on A, so the default policy
 * (localityPolicy) piles every matmul on A; the flow policy weighs that
 * locality against interference between task classes (matmul memory-bound,
 * Pi CPU-bound, as each kernel's monitoring of a warm-up round classes
 * them). A client task on A submits a mix with `run` kernel '*', once per
 * policy per repetition, the order alternating; the figure is the makespan
 * (first submission to last exit).
 *
 * Honest limit: both "machines" are threads of one process on the same
 * cores (2 on the machine this was written on), so tasks placed on
 * different kernels still share CPUs, caches and memory bandwidth; what
 * placement can change here is little. Runnable alone: `npx tsx bench/sched-real.ts`
 * (after `npm run build`, as every bench).
 * @module
 */
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  errors,
  flowPolicy,
  Kernel,
  localityPolicy,
  LoopbackNetwork,
  ObjectType,
  type SchedulingPolicy,
  type SystemCalls,
  type TaskClass,
} from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { wait } from '@dios/libd';
import { installSchedPrograms, putMatrix, randomMatrix, SCHED_PROGRAM_IDS, startWorkload } from '@dios/apps';
import { median, now, printTable } from './harness.js';

/** The size of the mix and of its tasks ({@link realWorkloads}' options; every field has a default). */
export interface MixShape {
  /** Matmul tasks (n x n, the inputs on kernel A). */
  readonly matmuls: number;
  /** Matrix order. */
  readonly n: number;
  /** Pi tasks. */
  readonly pis: number;
  /** Terms of each Pi. */
  readonly terms: number;
  /** Slots each kernel reports. */
  readonly slots: number;
  /** Repetitions per policy. */
  readonly repetitions: number;
}

/** The defaults: about 1.5 s of work per mix on 2 cores. */
const SHAPE: MixShape = { matmuls: 4, n: 384, pis: 4, terms: 100_000_000, slots: 2, repetitions: 7 };

/** One policy's figures over the repetitions. */
interface PolicyFigures {
  /** Makespan of each repetition (ms), in the order run. */
  readonly makespansMs: number[];
  /** Median makespan (ms). */
  readonly medianMs: number;
  /** Where the tasks went, as `matmul A:a B:b, pi A:c B:d` (the most frequent layout over the repetitions). */
  readonly placement: string;
  /** The classes the policy was told, by program (from the last repetition). */
  readonly classes: Record<string, TaskClass | undefined>;
}

/** What {@link realWorkloads} measured: a table to print and the figures behind it. */
export interface RealWorkloads {
  /** The table, header first. */
  readonly rows: string[][];
  /** Greedy (localityPolicy, the kernel's default) figures. */
  readonly greedy: PolicyFigures;
  /** Flow (flowPolicy()) figures. */
  readonly flow: PolicyFigures;
  /** Flow's median makespan over greedy's (below 1: flow finished sooner). */
  readonly ratio: number;
  /** The median over repetitions of flow's makespan over greedy's in the same repetition (less hit by drift). */
  readonly pairedRatio: number;
  /** The machine's 1-minute load average when the measure ended (other work shares the cores). */
  readonly load: number;
  /** Cores this process saw (both kernels share them). */
  readonly cores: number;
  /** What the figures can and cannot show, one line. */
  readonly note: string;
}

// A policy that records the class it was told and where each program's tasks went, then lets `inner` place.
function recording(inner: SchedulingPolicy): SchedulingPolicy & {
  placed: { program: string; kernel: string }[];
  classes: Record<string, TaskClass | undefined>;
} {
  const placed: { program: string; kernel: string }[] = [];
  const classes: Record<string, TaskClass | undefined> = {};
  return {
    placed,
    classes,
    async place(request) {
      const kernel = await inner.place(request);
      const program = request.argv[0] ?? '?';
      placed.push({ program, kernel });
      classes[program] = request.taskClass;
      return kernel;
    },
  };
}

async function newBlob(sys: SystemCalls): Promise<number> {
  return (await sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
}

// Runs the mix once from A's init task with A's scheduler set to `policy`; returns the makespan and the placements.
async function runMix(
  a: Kernel,
  policy: SchedulingPolicy,
  inputs: { a: number; b: number },
  outputs: number[],
  shape: MixShape,
): Promise<{
  ms: number;
  placed: { program: string; kernel: string }[];
  classes: Record<string, TaskClass | undefined>;
}> {
  const sys = a.init;
  const recorder = recording(policy);
  a.scheduler = recorder;
  // Interleaved, so that each placement sees the tasks placed before it running.
  const kinds: ('matmul' | 'pi')[] = [];
  for (let i = 0; i < Math.max(shape.matmuls, shape.pis); i++) {
    if (i < shape.matmuls) kinds.push('matmul');
    if (i < shape.pis) kinds.push('pi');
  }
  const start = now();
  const tasks: number[] = [];
  for (const [i, kind] of kinds.entries()) {
    const output = outputs[i]!;
    const spec =
      kind === 'matmul'
        ? ({ kind, n: shape.n, a: inputs.a, b: inputs.b, output } as const)
        : ({ kind, terms: shape.terms, output } as const);
    tasks.push(await startWorkload(sys, spec, '*'));
  }
  const statuses = await Promise.all(tasks.map((t) => wait(sys, t)));
  const ms = now() - start;
  if (statuses.some((s) => s !== 0)) throw new Error(`a task of the mix failed: exit statuses ${statuses.join(' ')}`);
  return { ms, placed: recorder.placed, classes: recorder.classes };
}

// `matmul A:4 B:0, pi A:0 B:4`.
function layout(placed: readonly { program: string; kernel: string }[]): string {
  const parts: string[] = [];
  for (const [kind, id] of Object.entries(SCHED_PROGRAM_IDS)) {
    const on = (k: string) => placed.filter((p) => p.program === id && p.kernel === k).length;
    parts.push(`${kind} A:${on('A')} B:${on('B')}`);
  }
  return parts.join(', ');
}

function mostFrequent(xs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  const [best, n] = [...counts].sort((p, q) => q[1] - p[1])[0]!;
  return counts.size === 1 ? best : `${best} (${n}/${xs.length})`;
}

/**
 * Measures the mix (4 matmul n=384 + 4 Pi of 10^8 terms by default) over two
 * kernels with worker threads, greedy against flow, alternating over
 * repetitions; returns the table and figures (nothing printed). EINVAL
 * (`options.FIELD`) for a field that is not a positive integer (slots may be 0).
 */
export async function realWorkloads(options: Partial<MixShape> = {}): Promise<RealWorkloads> {
  const shape = { ...SHAPE, ...options };
  for (const [key, value] of Object.entries(shape)) {
    const min = key === 'slots' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min)
      throw errors.EINVAL('realWorkloads', `options.${key}`, `expected an integer >= ${min}, got ${String(value)}`);
  }
  const net = new LoopbackNetwork();
  const cluster = `sched-real-${process.pid}`;
  const kernels: Kernel[] = [];
  const pools: WorkerPool[] = [];
  for (const id of ['A', 'B']) {
    const k = await Kernel.boot({ id, cluster, slots: shape.slots });
    k.join(net.connect(id));
    k.onTaskFailure = (task, error) => console.error(`task ${task.setup.argv[0] ?? '?'} on ${id} failed:`, error);
    // Warm threads for every task a kernel may get at once, so no run pays for starting one.
    pools.push(useWorkers(k, { size: shape.matmuls + shape.pis }));
    await installSchedPrograms(k);
    kernels.push(k);
  }
  const a = kernels[0]!;
  try {
    const sys = a.init;
    const inputs = {
      a: await putMatrix(sys, randomMatrix(shape.n, 1)),
      b: await putMatrix(sys, randomMatrix(shape.n, 2)),
    };
    const outputs: number[] = [];
    for (let i = 0; i < shape.matmuls + shape.pis; i++) outputs.push(await newBlob(sys));

    // Warm-up: each program three times on each kernel (two at once, so threads warm), so both kernels' profiles
    // hold a class for each program; then one untimed mix per policy.
    for (let round = 0; round < 3; round++)
      for (const target of ['A', 'B']) {
        const m = await startWorkload(sys, { kind: 'matmul', n: shape.n, ...inputs, output: outputs[0]! }, target);
        const p = await startWorkload(sys, { kind: 'pi', terms: shape.terms, output: outputs[1]! }, target);
        await Promise.all([wait(sys, m), wait(sys, p)]);
      }
    const policies: Record<'greedy' | 'flow', SchedulingPolicy> = { greedy: localityPolicy, flow: flowPolicy() };
    for (const policy of Object.values(policies)) await runMix(a, policy, inputs, outputs, shape);

    const runs: Record<'greedy' | 'flow', Awaited<ReturnType<typeof runMix>>[]> = { greedy: [], flow: [] };
    for (let r = 0; r < shape.repetitions; r++) {
      const order = r % 2 === 0 ? (['greedy', 'flow'] as const) : (['flow', 'greedy'] as const);
      for (const name of order) runs[name].push(await runMix(a, policies[name], inputs, outputs, shape));
    }
    const figures = (name: 'greedy' | 'flow'): PolicyFigures => {
      const makespansMs = runs[name].map((x) => x.ms);
      return {
        makespansMs,
        medianMs: median(makespansMs),
        placement: mostFrequent(runs[name].map((x) => layout(x.placed))),
        classes: runs[name].at(-1)!.classes,
      };
    };
    const greedy = figures('greedy');
    const flow = figures('flow');
    const ratio = flow.medianMs / greedy.medianMs;
    const pairedRatio = median(flow.makespansMs.map((ms, r) => ms / greedy.makespansMs[r]!));
    const load = loadavg()[0]!;
    const cores = availableParallelism();
    const told = (f: PolicyFigures) =>
      `matmul=${f.classes[SCHED_PROGRAM_IDS.matmul] ?? '-'} pi=${f.classes[SCHED_PROGRAM_IDS.pi] ?? '-'}`;
    const range = (f: PolicyFigures) =>
      `${Math.min(...f.makespansMs).toFixed(0)}-${Math.max(...f.makespansMs).toFixed(0)}`;
    const rows = [
      [
        'policy',
        'placement (tasks per kernel)',
        'classes told',
        'makespan median ms',
        'range ms',
        'vs greedy',
        'paired',
      ],
      [
        'greedy (locality)',
        greedy.placement,
        told(greedy),
        greedy.medianMs.toFixed(0),
        range(greedy),
        '1.00x',
        '1.00x',
      ],
      [
        'flow',
        flow.placement,
        told(flow),
        flow.medianMs.toFixed(0),
        range(flow),
        `${ratio.toFixed(2)}x`,
        `${pairedRatio.toFixed(2)}x`,
      ],
    ];
    const note =
      `${shape.matmuls} matmul n=${shape.n} (inputs on A) + ${shape.pis} Pi of ${shape.terms} terms, ` +
      `run '*' from A, ${shape.slots} slots per kernel, ${shape.repetitions} repetitions per policy alternating ` +
      `("paired": median of flow/greedy within a repetition), load average ${load.toFixed(1)} at the end; ` +
      `both kernels are threads of one process on the same ${cores} core(s), so spreading tasks across them ` +
      'does not give them separate CPUs or memory bandwidth: the ratio shows the placements, not what they would ' +
      'do on separate machines.';
    return { rows, greedy, flow, ratio, pairedRatio, load, cores, note };
  } finally {
    for (const pool of pools) await pool.close();
  }
}

async function main(): Promise<void> {
  console.log('# Real workloads: matmul and Pi over two kernels, flow against greedy (same run)');
  const result = await realWorkloads();
  printTable(result.rows);
  console.log(result.note);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  process.exit(0);
}
