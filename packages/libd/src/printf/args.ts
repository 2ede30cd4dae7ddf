/**
 * Taking printf arguments in order and checking each against what its
 * conversion needs, the way C's `va_arg` would have to if it could check.
 * @module
 */
import { errors } from '@dios/kernel';
import { MAX_FIELD, type ConversionSpec } from './spec.js';

/** A short, readable description of a value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'number') return `number ${Object.is(value, -0) ? '-0' : String(value)}`;
  if (value === null) return 'null';
  return typeof value;
}

/** Hands out the arguments of one printf call in order, converting each for its conversion. */
export class ArgCursor {
  readonly #args: readonly unknown[];
  readonly #caller: string;
  #next = 0;

  /** `caller` names the public function in errors. */
  constructor(args: readonly unknown[], caller: string) {
    this.#args = args;
    this.#caller = caller;
  }

  /** Takes the next argument, or throws `EINVAL` naming the missing `args[i]`. */
  #take(spec: ConversionSpec, purpose: string): { value: unknown; index: number } {
    const index = this.#next++;
    if (index >= this.#args.length) {
      throw errors.EINVAL(
        this.#caller,
        `args[${index}]`,
        `missing: ${spec.text} at offset ${spec.offset} needs it for its ${purpose}, but only ${this.#args.length} argument${this.#args.length === 1 ? ' was' : 's were'} given`,
      );
    }
    return { value: this.#args[index], index };
  }

  #wrong(spec: ConversionSpec, index: number, expected: string, value: unknown): never {
    throw errors.EINVAL(
      this.#caller,
      `args[${index}]`,
      `${spec.text} at offset ${spec.offset} expects ${expected}, got ${describe(value)}`,
    );
  }

  /** A `*` width or precision: an integer in C's int range. */
  field(spec: ConversionSpec, purpose: 'width' | 'precision'): number {
    const { value, index } = this.#take(spec, purpose);
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= MAX_FIELD) return value;
    if (typeof value === 'bigint' && value >= -MAX_FIELD && value <= MAX_FIELD) return Number(value);
    return this.#wrong(spec, index, `an integer ${purpose} between -${MAX_FIELD} and ${MAX_FIELD}`, value);
  }

  /** An integer conversion's value: an integral number or a bigint, before wrapping to the C type. */
  integer(spec: ConversionSpec): bigint {
    const { value, index } = this.#take(spec, 'value');
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    return this.#wrong(spec, index, 'an integer (an integral number or a bigint)', value);
  }

  /** A floating-point conversion's value: a number (NaN and the infinities included). */
  double(spec: ConversionSpec): number {
    const { value, index } = this.#take(spec, 'value');
    if (typeof value === 'number') return value;
    return this.#wrong(spec, index, 'a number', value);
  }

  /**
   * A `%c` argument as text. A one-character string is used as it is. A number is
   * a character code: `%c` keeps its low 8 bits as C's conversion to unsigned char
   * does (so 256 + 65 prints `A`); `%lc` takes it as a Unicode code point.
   */
  char(spec: ConversionSpec): string {
    const { value, index } = this.#take(spec, 'value');
    if (typeof value === 'string') {
      const first = value.codePointAt(0);
      if (first !== undefined && value.length === (first > 0xffff ? 2 : 1)) return value;
      return this.#wrong(spec, index, 'a character code or a one-character string', value);
    }
    let code: bigint | undefined;
    if (typeof value === 'bigint') code = value;
    else if (typeof value === 'number' && Number.isInteger(value)) code = BigInt(value);
    if (code === undefined) return this.#wrong(spec, index, 'a character code or a one-character string', value);
    if (spec.length !== 'l') return String.fromCharCode(Number(BigInt.asUintN(8, code)));
    if (code < 0n || code > 0x10ffffn) return this.#wrong(spec, index, 'a Unicode code point (0 to 0x10FFFF)', value);
    return String.fromCodePoint(Number(code));
  }

  /** A `%s` argument: a string, or a number or bigint written with `String()`. */
  string(spec: ConversionSpec): string {
    const { value, index } = this.#take(spec, 'value');
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    return this.#wrong(spec, index, 'a string (or a number)', value);
  }
}
