/**
 * `dios exec`'s command line: options first, then PROGRAM.wasm, then the
 * program's own arguments, untouched (so a program may take `--data` or
 * `-h` itself; `--` ends the options early, for a program whose name
 * starts with `-`).
 * @module
 */
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { required } from './args/value-checks.js';

/** Where `dios exec` keeps the durable store when no `--data` is given: in the directory it runs in. */
export const DEFAULT_EXEC_DATA = '.dios-data';

/** The parsed command line of `dios exec`. */
export interface ExecArgs {
  /** Host path of the WebAssembly program. */
  readonly program: string;
  /** The program's arguments after its name (argv[1...]). */
  readonly args: readonly string[];
  /** Directory of the durable store. */
  readonly data: string;
}

/** `dios exec`'s options, synopsis and help. */
export const EXEC_COMMAND: CommandSpec = {
  name: 'exec',
  synopsis: '[--data DIR] [--] PROGRAM.wasm [ARGS...]',
  summary:
    'Runs a WebAssembly program built for WASI (C compiled with clang --target=wasm32-wasi) as a DIOS task, ' +
    'every POSIX call it makes carried by the system calls.',
  details: `  Its stdin, stdout and stderr are this command's; its files are durable
  DIOS blobs in DIR. Everything after PROGRAM.wasm is the program's (its
  argv[0] is the file's base name).
  Exit status: the program's (134 when it traps); 126 when PROGRAM is not a
  WebAssembly module DIOS can run, 127 when it is not there or imports what
  DIOS does not provide; 2 for a usage error; 1 when the command fails.`,
  options: {
    data: {
      type: 'string',
      value: 'DIR',
      help:
        `directory of the durable store (default ./${DEFAULT_EXEC_DATA}: the files a program writes stay for ` +
        "the next run, as a native program's stay in the directory it ran in)",
    },
  },
  stopAtPositional: true,
  example: 'exec hello.wasm world',
};

/** Parses `dios exec [--data DIR] [--] PROGRAM.wasm [ARGS...]` (UsageError naming the argument). */
export function parseExecArgs(argv: readonly string[]): ExecArgs {
  const p = parseCommand(EXEC_COMMAND, argv);
  const program = required(p.positionals, 0, 'PROGRAM.wasm');
  return { program, args: p.positionals.slice(1), data: p.string('data') ?? DEFAULT_EXEC_DATA };
}
