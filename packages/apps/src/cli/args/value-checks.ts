/**
 * Typed checks of option values, shared by every command so that the same
 * mistake reads the same: `option --port: expected a port number 0-65535,
 * got 'x'`.
 * @module
 */
import { UsageError } from './usage-error.js';

/** The one wording of a bad value: `option --OPTION: expected WHAT, got 'VALUE'` (for a positional: `PATH: expected ...`). */
export function invalidValue(option: string, expected: string, value: string): UsageError {
  return new UsageError(`${option.startsWith('-') ? 'option ' : ''}${option}: expected ${expected}, got '${value}'`);
}

/** A TCP port, 0 (any free one) to 65535. */
export function portValue(option: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw invalidValue(option, 'a port number 0-65535', value);
  return Number(value);
}

/** A whole number >= min (and <= max when given), in decimal digits. */
export function wholeNumber(option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    throw invalidValue(
      option,
      max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`,
      value,
    );
  return n;
}

/** One of `choices`. */
export function oneOf<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw invalidValue(option, listed(choices), value);
  return value as T;
}

/** An id or cluster name: letters, digits, - and _ only. */
export function nameToken(option: string, value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw invalidValue(option, 'letters, digits, - and _ only', value);
  return value;
}

/** "a, b or c". */
function listed(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)!}`;
}

/** Refuses positionals beyond the first `count` a command takes. */
export function noMoreThan(positionals: readonly string[], count: number): void {
  const extra = positionals[count];
  if (extra !== undefined) throw new UsageError(`extra argument '${extra}'`);
}

/** The positional at `index`, or a UsageError saying which one is missing (`missing DIR`). */
export function required(positionals: readonly string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

/** The one wording of a missing or unknown subcommand: `missing subcommand of web (one of: serve)`, `unknown subcommand 'x' of web (one of: serve)`. */
export function badSubcommand(command: string, sub: string | undefined, known: readonly string[]): UsageError {
  const of = `of ${command} (one of: ${known.join(', ')})`;
  return new UsageError(sub === undefined ? `missing subcommand ${of}` : `unknown subcommand '${sub}' ${of}`);
}
