/**
 * Parsing `dios wordcount`'s arguments.
 * @module
 */
import { UsageError } from './usage-error.js';

/** The parsed `dios wordcount` command line. */
export interface WordCountArgs {
  /** Host files to count, in order. */
  readonly files: readonly string[];
  /** --maps, when given. */
  readonly maps: number | undefined;
  /** --reduces, when given. */
  readonly reduces: number | undefined;
  /** How many words to print (Infinity for --all). */
  readonly top: number;
}

/** The default of --top. */
export const DEFAULT_TOP = 10;

function positive(option: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new UsageError(`option ${option} needs a value`);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new UsageError(`option ${option}: expected an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}

/** Parses the arguments after `wordcount`; UsageError naming the argument when they are wrong. */
export function parseWordCountArgs(args: readonly string[]): WordCountArgs {
  const files: string[] = [];
  let maps: number | undefined;
  let reduces: number | undefined;
  let top: number | undefined;
  let all = false;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!options || arg === '-' || !arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (arg === '--') options = false;
    else if (name === '--maps') maps = positive('--maps', value(), 1);
    else if (name === '--reduces') reduces = positive('--reduces', value(), 1);
    else if (name === '--top') top = positive('--top', value(), 0);
    else if (arg === '--all') all = true;
    else throw new UsageError(`unknown option '${arg}'`);
  }
  if (files.length === 0) throw new UsageError('wordcount needs at least one FILE');
  if (all && top !== undefined) throw new UsageError('options --top and --all exclude each other');
  return { files, maps, reduces, top: all ? Infinity : top ?? DEFAULT_TOP };
}
