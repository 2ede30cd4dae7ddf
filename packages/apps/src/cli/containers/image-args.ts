/**
 * `dios image ...`'s command lines: build DIR [-t/--tag NAME], ls, rm
 * REF...; `--data DIR` on each.
 * @module
 */
import { CommandLineError } from './command-line-error.js';
import { DATA_OPTION, HELP_OPTION, hasFlag, lastValue, noMore, scanOptions } from './option-scan.js';

/** A parsed `dios image` command line (`data`: the --data option, if given). */
export type ImageArgs = { readonly data: string | undefined } & (
  | { readonly kind: 'help' }
  | { readonly kind: 'build'; readonly dir: string; readonly tag: string | undefined }
  | { readonly kind: 'ls' }
  | { readonly kind: 'rm'; readonly refs: readonly string[] }
);

// name[:tag], as Docker spells a repository and tag (lowercase name parts).
const TAG = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

/** Parses `dios image SUBCOMMAND ...` (CommandLineError naming the option or argument). */
export function parseImageArgs(argv: readonly string[]): ImageArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new CommandLineError('missing subcommand (one of build, ls, rm)');
  if (command === '-h' || command === '--help' || command === 'help') return { kind: 'help', data: undefined };
  const tagOption = { names: ['-t', '--tag'], value: true };
  const s = scanOptions(rest, command === 'build' ? [DATA_OPTION, HELP_OPTION, tagOption] : [DATA_OPTION, HELP_OPTION]);
  const data = lastValue(s, '--data');
  if (hasFlag(s, '--help')) return { kind: 'help', data };
  if (command === 'build') {
    const [dir] = s.positionals;
    if (dir === undefined) throw new CommandLineError('build: missing DIR');
    noMore(s.positionals, 1, 'build');
    const tag = lastValue(s, '--tag');
    if (tag !== undefined && !TAG.test(tag))
      throw new CommandLineError(`--tag: '${tag}' is not NAME[:TAG] (lowercase name; tag letters, digits, _ . -)`);
    return { kind: 'build', dir, tag, data };
  }
  if (command === 'ls') {
    noMore(s.positionals, 0, 'ls');
    return { kind: 'ls', data };
  }
  if (command === 'rm') {
    if (s.positionals.length === 0) throw new CommandLineError('rm: missing IMAGE');
    return { kind: 'rm', refs: [...s.positionals], data };
  }
  throw new CommandLineError(`unknown subcommand '${command}' (one of build, ls, rm)`);
}
