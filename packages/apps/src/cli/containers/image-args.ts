/**
 * `dios image ...`'s command lines: build DIR [-t/--tag NAME], ls, rm
 * IMAGE...; `--data DIR` on each.
 * @module
 */
import type { CommandSpec } from '../args/command-spec.js';
import { parseCommand } from '../args/parse-command.js';
import { badSubcommand, invalidValue, noMoreThan, required } from '../args/value-checks.js';
import { DATA_OPTION } from './data-option.js';

/** A parsed `dios image` command line (`data`: the --data option, if given). */
export type ImageArgs = { readonly data: string | undefined } & (
  | { readonly kind: 'build'; readonly dir: string; readonly tag: string | undefined }
  | { readonly kind: 'ls' }
  | { readonly kind: 'rm'; readonly refs: readonly string[] }
);

/** The specs of `dios image`'s subcommands, by name. */
export const IMAGE_COMMANDS = {
  build: {
    name: 'image build',
    synopsis: 'DIR [options]',
    summary: "Builds an image from DIR (its dios-image.json and every file under it) and prints the image's digest.",
    details: '  dios-image.json holds the entry, args, env, limits and shares.',
    options: {
      data: DATA_OPTION,
      tag: {
        type: 'string',
        short: 't',
        value: 'NAME[:TAG]',
        help: 'name it (lowercase name; tag letters, digits, _ . -)',
      },
    },
    example: 'image build ./hello -t hello:1',
  },
  ls: {
    name: 'image ls',
    synopsis: '[options]',
    summary: 'Lists the images: REPOSITORY, TAG, IMAGE ID, CREATED, SIZE.',
    options: { data: DATA_OPTION },
    example: 'image ls',
  },
  rm: {
    name: 'image rm',
    synopsis: '[options] IMAGE...',
    summary:
      'Removes a tag, or an image (by digest or its first 12+ hex digits) with all its tags; refused while a ' +
      'container uses it.',
    options: { data: DATA_OPTION },
    example: 'image rm hello:1',
  },
} satisfies Record<string, CommandSpec>;

// name[:tag], as Docker spells a repository and tag (lowercase name parts).
const TAG = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

/** Parses `dios image SUBCOMMAND ...` (UsageError naming the option or argument). */
export function parseImageArgs(argv: readonly string[]): ImageArgs {
  const [command, ...rest] = argv;
  if (command !== 'build' && command !== 'ls' && command !== 'rm')
    throw badSubcommand('image', command, Object.keys(IMAGE_COMMANDS));
  const p = parseCommand(IMAGE_COMMANDS[command], rest);
  const data = p.string('data');
  if (command === 'build') {
    const dir = required(p.positionals, 0, 'DIR');
    noMoreThan(p.positionals, 1);
    const tag = p.string('tag');
    if (tag !== undefined && !TAG.test(tag))
      throw invalidValue('--tag', 'NAME[:TAG] (lowercase name; tag letters, digits, _ . -)', tag);
    return { kind: 'build', dir, tag, data };
  }
  if (command === 'ls') {
    noMoreThan(p.positionals, 0);
    return { kind: 'ls', data };
  }
  required(p.positionals, 0, 'IMAGE');
  return { kind: 'rm', refs: [...p.positionals], data };
}
