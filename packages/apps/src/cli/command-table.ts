/**
 * Every `dios` command: its name, the specs of its subcommands (or its
 * own), and the function that runs it. `dios help`, `--help` on each
 * command and the usage errors' hints are all read from here.
 * @module
 */
import type { CommandSpec } from './args/command-spec.js';
import { CONTAINER_COMMANDS } from './containers/container-args.js';
import { containerCommand } from './containers/container-command.js';
import { DAEMON_COMMANDS, DEFAULT_DAEMON_SUBCOMMAND } from './containers/daemon-args.js';
import { daemonCommand } from './containers/daemon-command.js';
import { IMAGE_COMMANDS } from './containers/image-args.js';
import { imageCommand } from './containers/image-command.js';
import { LOAD_COMMAND, loadCommand } from './containers/load-command.js';
import { EXEC_COMMAND } from './exec-args.js';
import { execCommand } from './exec-command.js';
import { KV_SERVE_COMMAND, kvCommand } from './kv-command.js';
import { NODE_START_COMMAND } from './node-args.js';
import { nodeCommand } from './node-command.js';
import { PROVENANCE_COMMAND } from './provenance-args.js';
import { provenanceCommand } from './provenance-command.js';
import { WEB_SERVE_COMMAND } from './web-args.js';
import { webCommand } from './web-command.js';
import { WORDCOUNT_COMMAND } from './wordcount-args.js';
import { wordCountCommand } from './wordcount-command.js';

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
    run: async (argv) => (await wordCountCommand(argv, process.stdout, process.stderr), 0),
  },
  { name: 'web', spec: { serve: WEB_SERVE_COMMAND }, run: async (argv) => (await webCommand(argv, process.stdout), 0) },
  { name: 'kv', spec: { serve: KV_SERVE_COMMAND }, run: kvCommand },
  { name: 'node', spec: { start: NODE_START_COMMAND }, run: nodeCommand },
  { name: 'provenance', spec: PROVENANCE_COMMAND, run: provenanceCommand },
  { name: 'exec', spec: EXEC_COMMAND, run: execCommand },
  { name: 'image', spec: IMAGE_COMMANDS, run: imageCommand },
  { name: 'container', spec: CONTAINER_COMMANDS, run: containerCommand },
  { name: 'load', spec: LOAD_COMMAND, run: loadCommand },
  { name: 'daemon', spec: DAEMON_COMMANDS, defaultSubcommand: DEFAULT_DAEMON_SUBCOMMAND, run: daemonCommand },
];

/** Every command and subcommand spec, in the order of {@link COMMANDS}. */
export function allSpecs(): CommandSpec[] {
  return COMMANDS.flatMap((c) => (isCommandSpec(c.spec) ? [c.spec] : Object.values(c.spec)));
}
