/**
 * A command's help, made from its option table: synopsis, what it does,
 * every option with what it takes and its default, and an example.
 * @module
 */
import type { CommandSpec } from './command-spec.js';
import { optionsOf } from './parse-command.js';

const WIDTH = 78;

/** Words of `text` in lines of at most `width` characters, each line prefixed with `indent` spaces. */
function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(' '.repeat(indent) + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(' '.repeat(indent) + line);
  return lines;
}

/** The spellings of an option as its help shows them: `-p, --port PORT`. */
function spelling(name: string, spec: CommandSpec['options'][string]): string {
  const long = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
  return spec.short === undefined ? `    ${long}` : `-${spec.short}, ${long}`;
}

/** What `dios help COMMAND` and `dios COMMAND --help` print. */
export function helpText(spec: CommandSpec): string {
  const out = [`Usage: dios ${spec.name} ${spec.synopsis}`, '', ...wrap(spec.summary, 2)];
  if (spec.details !== undefined) out.push('', ...spec.details.replace(/\n+$/, '').split('\n'));
  out.push('', 'Options:');
  const entries = Object.entries(optionsOf(spec)).map(([name, o]) => [`  ${spelling(name, o)}`, o.help] as const);
  const column = Math.min(Math.max(...entries.map(([s]) => s.length)) + 2, 32);
  for (const [left, help] of entries) {
    const [first = '', ...more] = wrap(help, column);
    if (left.length + 2 <= column) out.push(left.padEnd(column) + first.trimStart());
    else out.push(left, first);
    out.push(...more);
  }
  out.push('', 'Example:', `  dios ${spec.example}`);
  return `${out.join('\n')}\n`;
}

/**
 * `dios help` (or, with `of`, a command's list of subcommands: `dios help
 * container`): each command's name and summary, and how to read more.
 */
export function commandList(specs: readonly CommandSpec[], of?: string): string {
  const column = Math.max(...specs.map((s) => s.name.length)) + 4;
  const out =
    of === undefined
      ? [
          'Usage: dios COMMAND [options] [ARGS...]',
          '',
          'DIOS, the distributed OS for the data centre, from the command line.',
        ]
      : [`Usage: ${of} SUBCOMMAND [options] [ARGS...]`];
  out.push('', 'Commands:');
  for (const spec of specs) {
    const [first = '', ...more] = wrap(spec.summary, column);
    out.push(`  ${spec.name.padEnd(column - 2)}${first.trimStart()}`, ...more);
  }
  if (of !== undefined) {
    out.push('', `Run 'dios help ${of.slice('dios '.length)} SUBCOMMAND' for a subcommand's options and an example.`);
    return `${out.join('\n')}\n`;
  }
  out.push(
    '',
    'Options:',
    "  -h, --help      print this help (dios COMMAND --help: that command's)",
    '  -V, --version   print the version of @dios/apps',
    '',
    "Run 'dios help COMMAND [SUBCOMMAND]' for a command's options and an example.",
    'Exit status: 0 on success, 1 when the command fails, 2 for a usage error;',
    "'dios exec', 'dios container run' (attached) and 'container exec' exit",
    "with the program's status.",
  );
  return `${out.join('\n')}\n`;
}
