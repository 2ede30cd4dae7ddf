/**
 * `dios sched simulate --machines M (--tasks T | --trace FILE) [--racks R]
 * [--slots S] [--seed N] [--skew S] [--round-ms MS] [--schedulers LIST]
 * [--json]`: runs each scheduler on the same workload in the simulator and
 * prints the comparison. A trace that cannot be read, or a line of it that
 * is wrong, is a usage error naming the file, the line and the field.
 * @module
 */
import { readFileSync } from 'node:fs';
import { isDiosError } from '@dios/kernel';
import { generateJobMix } from '../sched/job-mix.js';
import { SCHEDULERS } from '../sched/schedulers.js';
import { compare, formatTable } from '../sched/sim-report.js';
import { simulate } from '../sched/simulator.js';
import { parseTrace } from '../sched/trace-file.js';
import { clusterOf, type Workload } from '../sched/workload.js';
import { UsageError } from './args/usage-error.js';
import { badSubcommand } from './args/value-checks.js';
import { parseSchedSimulateArgs, type SchedSimulateArgs } from './sched-args.js';

// The trace's tasks on the command line's cluster; UsageError for a file not read or a line that is wrong.
function traceWorkload(file: string, a: SchedSimulateArgs): Workload {
  const machines = clusterOf(a.machines, a.slots, a.racks);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`option --trace: cannot read '${file}' (${(e as { code?: string }).code ?? String(e)})`);
  }
  try {
    return { machines, tasks: parseTrace(text, new Set(machines.map((m) => m.id))) };
  } catch (e) {
    if (isDiosError(e, 'EINVAL')) throw new UsageError(`option --trace: ${file}, ${e.argument ?? ''}: ${e.detail}`);
    throw e;
  }
}

/** Runs `dios sched ...`; resolves to the exit status; a usage error is thrown (UsageError) for the caller to report. */
export async function schedCommand(
  args: readonly string[],
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'simulate') throw badSubcommand('sched', sub, ['simulate']);
  const a = parseSchedSimulateArgs(rest);
  const workload =
    a.trace !== undefined
      ? traceWorkload(a.trace, a)
      : generateJobMix({
          machines: a.machines,
          tasks: a.tasks ?? 0,
          slots: a.slots,
          ...(a.racks !== undefined && { racks: a.racks }),
          seed: a.seed,
          skew: a.skew,
        });
  const results = a.schedulers.map((name) =>
    simulate(name, () => SCHEDULERS[name](a.seed), workload, { roundMs: a.roundMs }),
  );
  const comparison = compare(results);
  const jobs = new Set(workload.tasks.map((t) => t.job)).size;
  const inputBytes = workload.tasks.reduce((s, t) => s + t.totalBytes, 0);
  const shape = {
    machines: a.machines,
    slots: a.slots,
    racks: a.racks ?? 0,
    tasks: workload.tasks.length,
    jobs,
    inputBytes,
    ...(a.trace !== undefined ? { trace: a.trace } : { seed: a.seed, skew: a.skew }),
    roundMs: a.roundMs,
  };
  if (a.json) out.write(`${JSON.stringify({ workload: shape, ...comparison }, null, 2)}\n`);
  else {
    const source = a.trace !== undefined ? `trace ${a.trace}` : `job mix seed ${a.seed}, skew ${a.skew}`;
    out.write(
      `${a.machines} machines x ${a.slots} slots${a.racks !== undefined ? ` in ${a.racks} racks` : ''}; ` +
        `${workload.tasks.length} tasks in ${jobs} jobs, ${(inputBytes / 2 ** 30).toFixed(1)} GiB of input ` +
        `(${source}); rounds every ${a.roundMs} ms\n`,
    );
    out.write(formatTable(comparison, a.racks !== undefined));
  }
  return Promise.resolve(0);
}
