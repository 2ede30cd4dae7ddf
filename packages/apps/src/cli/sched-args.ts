/**
 * `dios sched simulate`'s command line: its option table and its parser.
 * @module
 */
import { SCHEDULER_NAMES, type SchedulerName } from '../sched/scheduler-names.js';
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { UsageError } from './args/usage-error.js';
import { invalidValue, noMoreThan, oneOf, wholeNumber } from './args/value-checks.js';

/** The parsed `dios sched simulate` command line. */
export interface SchedSimulateArgs {
  /** Machines in the cluster. */
  readonly machines: number;
  /** Tasks to generate (undefined with a trace). */
  readonly tasks: number | undefined;
  /** Racks (undefined: none). */
  readonly racks: number | undefined;
  /** Slots per machine. */
  readonly slots: number;
  /** The trace file to read instead of generating a job mix. */
  readonly trace: string | undefined;
  /** Seed of the job mix and of the random scheduler. */
  readonly seed: number;
  /** Zipf exponent of the data placement. */
  readonly skew: number;
  /** Simulated ms between scheduling rounds. */
  readonly roundMs: number;
  /** The schedulers to compare, the first being the ratios' baseline. */
  readonly schedulers: readonly SchedulerName[];
  /** JSON instead of the table. */
  readonly json: boolean;
}

/** `dios sched simulate`'s options, synopsis and help. */
export const SCHED_SIMULATE_COMMAND: CommandSpec = {
  name: 'sched simulate',
  synopsis: '--machines M (--tasks T | --trace FILE) [options]',
  summary:
    'Simulates a cluster of M machines running a job mix with skewed data placement (or a trace) under ' +
    'each scheduler, with the same policy code the kernel runs, and compares placement latency, data moved, ' +
    'waiting time and makespan.',
  details: `  Simulated time: jobs arrive, scheduling rounds place their tasks on
  machine slots, a task runs for its duration slowed by the tasks next to it
  and by fetching the input its machine does not hold. Placement latency is
  the real time each round's schedule() took. A trace is JSON lines, one task
  a line: {"job":"j1","submit":0,"duration":1200,"class":"memory",
  "blocks":[{"bytes":134217728,"on":["m1","m4","m9"]}]} (docs/scheduling.md).`,
  options: {
    machines: { type: 'string', value: 'M', help: 'machines m0..m{M-1} (required)' },
    tasks: { type: 'string', value: 'T', help: 'tasks to generate (required unless --trace)' },
    racks: { type: 'string', value: 'R', help: 'racks: machine i in rack floor(i*R/M) (default: none)' },
    slots: { type: 'string', value: 'S', help: 'slots (tasks at once) per machine (default 8)' },
    trace: { type: 'string', value: 'FILE', help: 'read the tasks from FILE (JSON lines) instead of generating them' },
    seed: { type: 'string', value: 'N', help: 'seed of the job mix and the random scheduler (default 1)' },
    skew: {
      type: 'string',
      value: 'S',
      help: 'Zipf exponent of the data placement over machines (default 1; 0 is uniform)',
    },
    'round-ms': {
      type: 'string',
      value: 'MS',
      help: 'simulated ms between scheduling rounds (default 100; 0: after each batch of events)',
    },
    schedulers: {
      type: 'string',
      value: 'LIST',
      help: `comma-separated, the first is what ratios are against (default ${SCHEDULER_NAMES.join(',')})`,
    },
    json: { type: 'boolean', help: 'print the figures as JSON' },
  },
  example: 'sched simulate --machines 100 --tasks 2000 --racks 4',
};

/** Parses the arguments after `sched simulate` (UsageError naming the argument). */
export function parseSchedSimulateArgs(args: readonly string[]): SchedSimulateArgs {
  const p = parseCommand(SCHED_SIMULATE_COMMAND, args);
  noMoreThan(p.positionals, 0);
  const machinesText = p.string('machines');
  if (machinesText === undefined) throw new UsageError('missing option --machines M');
  const machines = wholeNumber('--machines', machinesText, 1, 1_000_000);
  const trace = p.string('trace');
  const tasksText = p.string('tasks');
  if (trace !== undefined && tasksText !== undefined) throw new UsageError('--tasks and --trace exclude each other');
  if (trace === undefined && tasksText === undefined)
    throw new UsageError('missing option --tasks T (or --trace FILE)');
  const racksText = p.string('racks');
  const skewText = p.string('skew') ?? '1';
  const skew = Number(skewText);
  if (!/^\d+(\.\d+)?$/.test(skewText) || skew > 10) throw invalidValue('--skew', 'a number from 0 to 10', skewText);
  const names = (p.string('schedulers') ?? SCHEDULER_NAMES.join(',')).split(',');
  const schedulers = names.map((n) => oneOf('--schedulers', n, SCHEDULER_NAMES));
  if (new Set(schedulers).size !== schedulers.length)
    throw invalidValue('--schedulers', 'each scheduler once', names.join(','));
  return {
    machines,
    tasks: tasksText === undefined ? undefined : wholeNumber('--tasks', tasksText, 0, 10_000_000),
    racks: racksText === undefined ? undefined : wholeNumber('--racks', racksText, 1, machines),
    slots: wholeNumber('--slots', p.string('slots') ?? '8', 1, 1 << 20),
    trace,
    seed: wholeNumber('--seed', p.string('seed') ?? '1', 0, 2 ** 32 - 1),
    skew,
    roundMs: wholeNumber('--round-ms', p.string('round-ms') ?? '100', 0, 3_600_000),
    schedulers,
    json: p.flag('json'),
  };
}
