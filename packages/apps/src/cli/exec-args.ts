/**
 * `dios exec`'s command line: options first, then PROGRAM.wasm, then the
 * program's own arguments, untouched (so a program may take `--data` or
 * `-h` itself; `--` ends the options early, for a program whose name
 * starts with `-`).
 * @module
 */
import { UsageError } from './usage-error.js';

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
  /** Whether `-h`/`--help` came before the program. */
  readonly help: boolean;
}

/** Parses `dios exec [--data DIR] [--] PROGRAM.wasm [ARGS...]` (UsageError naming the argument). */
export function parseExecArgs(argv: readonly string[]): ExecArgs {
  let data = DEFAULT_EXEC_DATA;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { program: '', args: [], data, help: true };
    if (arg === '--') {
      const program = argv[i + 1];
      if (program === undefined) throw new UsageError('missing PROGRAM.wasm after --');
      return { program, args: argv.slice(i + 2), data, help: false };
    }
    if (arg === '--data' || arg.startsWith('--data=')) {
      const value = arg === '--data' ? argv[++i] : arg.slice('--data='.length);
      if (value === undefined || value === '') throw new UsageError('--data needs a directory');
      data = value;
      continue;
    }
    if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' (options go before PROGRAM.wasm)`);
    return { program: arg, args: argv.slice(i + 1), data, help: false };
  }
  throw new UsageError('missing PROGRAM.wasm');
}
