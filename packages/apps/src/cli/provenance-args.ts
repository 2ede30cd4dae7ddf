/**
 * `dios provenance`'s command line: its option table and its parser.
 * @module
 */
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { UsageError } from './args/usage-error.js';
import { invalidValue, noMoreThan, oneOf, required, wholeNumber } from './args/value-checks.js';

const FORMATS = ['svg', 'dot', 'json'] as const;

/** The kernel whose log `dios provenance` reads unless `--kernel` says otherwise: the one `dios wordcount` boots. */
const DEFAULT_KERNEL = 'dios-wordcount';

/** The parsed `dios provenance` command line. */
export interface ProvenanceArgs {
  /** NAME|PATH: what to draw the lineage of. */
  readonly target: string;
  /** The durable store the log is in. */
  readonly store: string;
  /** Whose log to read. */
  readonly kernel: string;
  /** What to write. */
  readonly format: (typeof FORMATS)[number];
  /** How many edges back to follow (undefined: all). */
  readonly depth: number | undefined;
  /** The file to write (undefined: standard output). */
  readonly output: string | undefined;
}

/** `dios provenance`'s options, synopsis and help. */
export const PROVENANCE_COMMAND: CommandSpec = {
  name: 'provenance',
  synopsis: 'NAME|PATH --store DIR [options]',
  summary:
    'Draws the lineage of an object from the provenance log kept in DIR: the tasks and objects whose data ' +
    'flowed into it, with the operation and the bytes on every edge and refused flows in red.',
  details: `  PATH is the object's DIOS path, or a directory of them (for 'dios wordcount
  --store DIR': /mapreduce/wordcount/out, its output); NAME is the first hex
  digits (4 or more) of a task's or an object's name.`,
  options: {
    store: {
      type: 'string',
      value: 'DIR',
      help: "the store a kernel kept its log in ('dios wordcount --store DIR'; required)",
    },
    format: {
      type: 'string',
      value: 'FORMAT',
      help: 'svg (default; drawn with a WebAssembly Graphviz), dot (Graphviz) or json (W3C PROV-JSON)',
    },
    depth: { type: 'string', value: 'N', help: 'follow at most N edges back (default: all)' },
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE instead of standard output' },
    kernel: { type: 'string', value: 'ID', help: `whose log to read (default ${DEFAULT_KERNEL})` },
  },
  example: 'provenance /mapreduce/wordcount/out --store ./store -o lineage.svg',
};

/** Parses the arguments after `provenance` (UsageError naming the argument). */
export function parseProvenanceArgs(args: readonly string[]): ProvenanceArgs {
  const p = parseCommand(PROVENANCE_COMMAND, args);
  const target = required(p.positionals, 0, 'NAME|PATH');
  noMoreThan(p.positionals, 1);
  const store = p.string('store');
  if (store === undefined) throw new UsageError('missing option --store DIR');
  const depth = p.string('depth');
  const kernel = p.string('kernel') ?? DEFAULT_KERNEL;
  if (!/^[A-Za-z0-9_.-]+$/.test(kernel)) throw invalidValue('--kernel', "letters, digits, '.', - and _ only", kernel);
  return {
    target,
    store,
    kernel,
    format: oneOf('--format', p.string('format') ?? 'svg', FORMATS),
    depth: depth === undefined ? undefined : wholeNumber('--depth', depth, 0, 999_999),
    output: p.string('output'),
  };
}
