/**
 * The option scanner the container commands share: `--opt VALUE`,
 * `--opt=VALUE`, `-o VALUE`, flags, repeatable options and `--`; each
 * mistake a CommandLineError naming the option.
 * @module
 */
import { CommandLineError } from './command-line-error.js';

/** One option a command takes. */
export interface OptionSpec {
  /** Its spellings (`['-t', '--time']`); the last is the one messages and results use. */
  readonly names: readonly string[];
  /** Whether it takes a value. */
  readonly value: boolean;
}

/** What a scan found. */
export interface Scanned {
  /** Values by the option's last spelling, in order (a flag: one empty string per use). */
  readonly options: ReadonlyMap<string, readonly string[]>;
  /** The arguments that are not options. */
  readonly positionals: readonly string[];
}

/** `--data DIR`, which every container command takes. */
export const DATA_OPTION: OptionSpec = { names: ['--data'], value: true };

/** `-h`/`--help`. */
export const HELP_OPTION: OptionSpec = { names: ['-h', '--help'], value: false };

/**
 * Scans `argv` for `specs`. With `stopAtPositional`, the first argument
 * that is not an option ends the options, as `docker run IMAGE ARGS...`
 * does (that argument and everything after are positionals); otherwise
 * options and positionals may mix. `--` ends the options either way.
 */
export function scanOptions(argv: readonly string[], specs: readonly OptionSpec[], stopAtPositional = false): Scanned {
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) {
        positionals.push(...argv.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs.find((s) => s.names.includes(name));
    if (spec === undefined) throw new CommandLineError(`unknown option '${name}'`);
    const key = spec.names[spec.names.length - 1]!;
    let value = '';
    if (spec.value) {
      const next = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (next === undefined || next === '') throw new CommandLineError(`${name} needs a value`);
      value = next;
    } else if (eq > 0) throw new CommandLineError(`${name} takes no value`);
    const list = options.get(key) ?? [];
    list.push(value);
    options.set(key, list);
  }
  return { options, positionals };
}

/** The option's last value (a repeated single-valued option: the last wins, as in Docker). */
export function lastValue(scanned: Scanned, key: string): string | undefined {
  return scanned.options.get(key)?.at(-1);
}

/** Whether a flag was given. */
export function hasFlag(scanned: Scanned, key: string): boolean {
  return scanned.options.has(key);
}

/** A whole number in [min, max] given to `option`. */
export function integerOption(option: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new CommandLineError(`${option}: expected a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

/** Refuses positionals beyond what a command takes. */
export function noMore(positionals: readonly string[], from: number, command: string): void {
  const extra = positionals[from];
  if (extra !== undefined) throw new CommandLineError(`${command}: unexpected argument '${extra}'`);
}
