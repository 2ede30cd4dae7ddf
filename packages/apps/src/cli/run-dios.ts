/**
 * What the `dios` command does with its arguments: `dios COMMAND
 * [SUBCOMMAND] [options] [ARGS...]`, `dios help [COMMAND [SUBCOMMAND]]`,
 * `--help` on every command, and `dios --version`. Usage errors read alike
 * for every command: `dios: ` and what is wrong, then which help to read;
 * exit status 2.
 * @module
 */
import type { CommandSpec } from './args/command-spec.js';
import { commandList, helpText } from './args/help-text.js';
import { asksForHelp } from './args/parse-command.js';
import { UsageError } from './args/usage-error.js';
import { badSubcommand } from './args/value-checks.js';
import { allSpecs, COMMANDS, isCommandSpec, type CommandEntry } from './command-table.js';
import { packageVersion } from './package-version.js';

const HELP_WORDS = ['-h', '--help'];

/** Where the command's own lines go (the commands it runs write to the process's streams). */
export interface DiosOutput {
  /** Help and version. */
  readonly out: { write(text: string): unknown };
  /** Errors. */
  readonly err: { write(text: string): unknown };
}

const PROCESS: DiosOutput = { out: process.stdout, err: process.stderr };

/** Writes a usage error and the help to read; status 2. */
function usageError(io: DiosOutput, message: string, helpFor: string | undefined): number {
  io.err.write(`dios: ${message}\nTry 'dios help${helpFor === undefined ? '' : ` ${helpFor}`}'.\n`);
  return 2;
}

/** The spec `argv` (the words after the command's name) is for, and the words after its name; UsageError if none. */
function specOf(entry: CommandEntry, argv: readonly string[]): [CommandSpec | undefined, readonly string[]] {
  if (isCommandSpec(entry.spec)) return [entry.spec, argv];
  const [sub, ...rest] = argv;
  // `dios container --help`: the command's list of subcommands.
  if (sub !== undefined && HELP_WORDS.includes(sub)) return [undefined, argv];
  if ((sub === undefined || sub.startsWith('-')) && entry.defaultSubcommand !== undefined)
    return [entry.spec[entry.defaultSubcommand], argv];
  const spec = sub === undefined ? undefined : entry.spec[sub];
  if (spec === undefined) throw badSubcommand(entry.name, sub, Object.keys(entry.spec));
  return [spec, rest];
}

/** The help of a command: its own, or (with subcommands) the only one's or the list of them. */
function entryHelp(entry: CommandEntry): string {
  if (isCommandSpec(entry.spec)) return helpText(entry.spec);
  const specs = Object.values(entry.spec);
  return specs.length === 1 ? helpText(specs[0]!) : commandList(specs, `dios ${entry.name}`);
}

/** `dios help [COMMAND [SUBCOMMAND]]`. */
function help(io: DiosOutput, words: readonly string[]): number {
  const [name, sub] = words;
  if (name === undefined) {
    io.out.write(commandList(allSpecs()));
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) return usageError(io, `unknown command '${name}'`, undefined);
  if (sub === undefined || isCommandSpec(entry.spec)) {
    io.out.write(entryHelp(entry));
    return 0;
  }
  const spec = entry.spec[sub];
  if (spec === undefined) return usageError(io, badSubcommand(name, sub, Object.keys(entry.spec)).message, name);
  io.out.write(helpText(spec));
  return 0;
}

/** Runs `dios ARGV` (the words after `dios`); resolves to the exit status. */
export async function runDios(argv: readonly string[], io: DiosOutput = PROCESS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return usageError(io, 'missing command', undefined);
  if (name === '--version' || name === '-V') {
    io.out.write(`${packageVersion()}\n`);
    return 0;
  }
  if (HELP_WORDS.includes(name)) return help(io, []);
  if (name === 'help') return help(io, rest);
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) return usageError(io, `unknown command '${name}'`, undefined);
  let spec: CommandSpec | undefined;
  try {
    let words: readonly string[];
    [spec, words] = specOf(entry, rest);
    if (spec === undefined || asksForHelp(spec, words)) {
      io.out.write(spec === undefined ? entryHelp(entry) : helpText(spec));
      return 0;
    }
    return await entry.run(rest);
  } catch (e) {
    if (e instanceof UsageError) return usageError(io, e.message, spec?.name ?? entry.name);
    // The commands' own failures, one line each: the kernel's typed errors, a file or a credential not readable.
    const { isDiosError } = await import('@dios/kernel');
    if (isDiosError(e) || (e instanceof Error && ['InputError', 'CredentialsError'].includes(e.name))) {
      io.err.write(`dios ${entry.name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
