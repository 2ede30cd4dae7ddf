/**
 * Every `dios` command: its name, the specs of its subcommands (or its
 * own), and the function that runs it. `dios help`, `--help` on each
 * command and the usage errors' hints are all read from here. A command's
 * code is loaded when it runs: help, the version and a usage error load
 * only the option tables, and start as fast as node does.
 * @module
 */
import type { CommandSpec } from './args/command-spec.js';
import { CONTAINER_COMMANDS } from './containers/container-commands.js';
import { DAEMON_COMMANDS, DEFAULT_DAEMON_SUBCOMMAND } from './containers/daemon-args.js';
import { IMAGE_COMMANDS } from './containers/image-args.js';
import { LOAD_COMMAND } from './containers/load-args.js';
import { EXEC_COMMAND } from './exec-args.js';
import { KV_SERVE_COMMAND } from './kv-args.js';
import { NODE_START_COMMAND } from './node-args.js';
import { PROVENANCE_COMMAND } from './provenance-args.js';
import { SCHED_SIMULATE_COMMAND } from './sched-args.js';
import { WEB_SERVE_COMMAND } from './web-args.js';
import { WORDCOUNT_COMMAND } from './wordcount-args.js';

/** One word after `dios`. */
export interface CommandEntry {
  /** The word (`container`). */
  readonly name: string;
  /** Its own spec, or its subcommands' by the word after it. */
  readonly spec: CommandSpec | Readonly<Record<string, CommandSpec>>;
  /** The subcommand run when the word after it is an option or missing (`dios daemon` starts one). */
  readonly defaultSubcommand?: string;
  /** Runs it on the words after its name; resolves to the exit status; throws UsageError for a usage error. */
  run(argv: readonly string[]): Promise<number>;
}

/** Whether `spec` is one command's (not a table of subcommands). */
export function isCommandSpec(spec: CommandEntry['spec']): spec is CommandSpec {
  return typeof spec.name === 'string';
}

/** The commands, in the order `dios help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'wordcount',
    spec: WORDCOUNT_COMMAND,
    run: async (argv) => {
      const { wordCountCommand } = await import('./wordcount-command.js');
      await wordCountCommand(argv, process.stdout, process.stderr);
      return 0;
    },
  },
  {
    name: 'web',
    spec: { serve: WEB_SERVE_COMMAND },
    run: async (argv) => {
      const { webCommand } = await import('./web-command.js');
      await webCommand(argv, process.stdout);
      return 0;
    },
  },
  {
    name: 'kv',
    spec: { serve: KV_SERVE_COMMAND },
    run: async (argv) => (await import('./kv-command.js')).kvCommand(argv),
  },
  {
    name: 'node',
    spec: { start: NODE_START_COMMAND },
    run: async (argv) => (await import('./node-command.js')).nodeCommand(argv),
  },
  {
    name: 'provenance',
    spec: PROVENANCE_COMMAND,
    run: async (argv) => (await import('./provenance-command.js')).provenanceCommand(argv),
  },
  {
    name: 'sched',
    spec: { simulate: SCHED_SIMULATE_COMMAND },
    run: async (argv) => (await import('./sched-command.js')).schedCommand(argv),
  },
  { name: 'exec', spec: EXEC_COMMAND, run: async (argv) => (await import('./exec-command.js')).execCommand(argv) },
  {
    name: 'image',
    spec: IMAGE_COMMANDS,
    run: async (argv) => (await import('./containers/image-command.js')).imageCommand(argv),
  },
  {
    name: 'container',
    spec: CONTAINER_COMMANDS,
    run: async (argv) => (await import('./containers/container-command.js')).containerCommand(argv),
  },
  {
    name: 'load',
    spec: LOAD_COMMAND,
    run: async (argv) => (await import('./containers/load-command.js')).loadCommand(argv),
  },
  {
    name: 'daemon',
    spec: DAEMON_COMMANDS,
    defaultSubcommand: DEFAULT_DAEMON_SUBCOMMAND,
    run: async (argv) => (await import('./containers/daemon-command.js')).daemonCommand(argv),
  },
];

/** Every command and subcommand spec, in the order of {@link COMMANDS}. */
export function allSpecs(): CommandSpec[] {
  return COMMANDS.flatMap((c) => (isCommandSpec(c.spec) ? [c.spec] : Object.values(c.spec)));
}
