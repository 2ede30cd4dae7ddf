/**
 * The one command-line parser of every `dios` command: node:util's
 * parseArgs splits the words (`--opt VALUE`, `--opt=VALUE`, `-o VALUE`,
 * `-oVALUE`, clusters of short flags, `--`), and the command's option
 * table decides what they mean. Each mistake is a UsageError in the one
 * wording all commands share.
 * @module
 */
import { parseArgs } from 'node:util';
import type { CommandSpec, OptionSpec } from './command-spec.js';
import { UsageError } from './usage-error.js';

/** What a command line says, by option long name. */
export interface ParsedCommand {
  /** The arguments that are not options, in order (for a stop-at-positional command, the first and all after it). */
  readonly positionals: readonly string[];
  /** Whether -h/--help was given among the options. */
  readonly help: boolean;
  /** A value option's last value (a repeated option: the last wins), or undefined. */
  string(name: string): string | undefined;
  /** Whether a flag was given. */
  flag(name: string): boolean;
  /** Every value of a repeatable option, in order. */
  list(name: string): readonly string[];
}

/** -h/--help, which every command takes. */
const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help' };

/** The options of `spec` with -h/--help. */
export function optionsOf(spec: CommandSpec): Readonly<Record<string, OptionSpec>> {
  return { ...spec.options, help: HELP };
}

type Token = ReturnType<typeof parseArgs<{ tokens: true; strict: false; allowPositionals: true }>>['tokens'][number];

function tokensOf(options: Readonly<Record<string, OptionSpec>>, argv: readonly string[]): Token[] {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(options))
    config[name] = { type: o.type, ...(o.short !== undefined && { short: o.short }) };
  // Not strict: the checks below find the mistakes, so that each is named in the project's wording.
  return parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** Every spelling of the options (`--port`, `-p`): a word that is one cannot be another option's value. */
function spellings(options: Readonly<Record<string, OptionSpec>>): Set<string> {
  const all = new Set(['--']);
  for (const [name, o] of Object.entries(options)) {
    all.add(`--${name}`);
    if (o.short !== undefined) all.add(`-${o.short}`);
  }
  return all;
}

/**
 * Parses `argv` (the words after the command's name) by `spec`'s table.
 * UsageError for an unknown option, a value option without its value
 * (`--port` at the end, `--port=`, or followed by another option), or a
 * flag given a value; checking the values and counting the positionals
 * are the command's.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const options = optionsOf(spec);
  const known = spellings(options);
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (const token of tokensOf(options, argv)) {
    if (token.kind === 'option-terminator') {
      positionals.push(...argv.slice(token.index + 1));
      break;
    }
    if (token.kind === 'positional') {
      // A stop-at-positional command's first positional and every word after it are the program's, as written.
      if (spec.stopAtPositional === true) {
        positionals.push(...argv.slice(token.index));
        break;
      }
      positionals.push(token.value);
      continue;
    }
    const option = options[token.name];
    if (option === undefined) throw new UsageError(`unknown option '${token.rawName}'`);
    const long = `--${token.name}`;
    let value = '';
    if (option.type === 'string') {
      // An option word right after it is a forgotten value; any other word is the value, even one starting with -.
      if (token.value === undefined || token.value === '' || (token.inlineValue === false && known.has(token.value)))
        throw new UsageError(`option ${long} needs a value`);
      value = token.value;
    } else if (token.value !== undefined) throw new UsageError(`option ${long} takes no value`);
    const list = values.get(token.name) ?? [];
    list.push(value);
    values.set(token.name, list);
  }
  return {
    positionals,
    help: values.has('help'),
    string: (name) => values.get(name)?.at(-1),
    flag: (name) => values.has(name),
    list: (name) => values.get(name) ?? [],
  };
}

/** Whether `argv` asks for the command's help (-h or --help among its options), whatever else is wrong with it. */
export function asksForHelp(spec: CommandSpec, argv: readonly string[]): boolean {
  for (const token of tokensOf(optionsOf(spec), argv)) {
    if (token.kind === 'option-terminator') return false;
    if (token.kind === 'positional') {
      if (spec.stopAtPositional === true) return false;
      continue;
    }
    if (token.name === 'help' && token.value === undefined) return true;
  }
  return false;
}
