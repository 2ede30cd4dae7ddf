/**
 * Object names: 256-bit global identifiers. The canonical text form is 64
 * lowercase hexadecimal digits; {@link Name.parse} accepts nothing else, so a
 * name has exactly one spelling.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2';
import { errors } from './errors.js';

/** Length of a name in bytes. */
export const NAME_BYTES = 32;

const HEX = /^[0-9a-f]{64}$/;
const encoder = new TextEncoder();

// Random bytes are drawn in batches: one getRandomValues call per 128 names.
const POOL_NAMES = 128;
let pool = new Uint8Array(0);
let poolOffset = 0;

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_BYTE[bytes[i]!];
  return s;
}

/** A 256-bit object name. Immutable; compare with {@link Name.equals} or by {@link Name.key}. */
export class Name {
  /** The canonical text form (64 lowercase hex digits), also used as a map key. */
  readonly key: string;
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array, key: string) {
    this.#bytes = bytes;
    this.key = key;
  }

  /**
   * Whether `value` is a name: an instance of this class, or of another copy
   * of it (a program in a worker thread may load @dios/kernel again, and the
   * names its system calls give it are then of the kernel's copy). A name is
   * an identifier, not a capability, so any object carrying a well-formed
   * `key` under the class's name is taken for one.
   */
  static isName(value: unknown): value is Name {
    if (value instanceof Name) return true;
    if (typeof value !== 'object' || value === null) return false;
    const key: unknown = (value as { key?: unknown }).key;
    return value.constructor?.name === 'Name' && typeof key === 'string' && HEX.test(key);
  }

  /** `value` as a name of this copy of the class (see {@link Name.isName}): itself, or parsed from its key. */
  static from(value: Name, syscall = 'Name.from', argument = 'name'): Name {
    if (value instanceof Name) return value;
    if (!Name.isName(value)) throw errors.EINVAL(syscall, argument, `expected a Name, got ${describe(value)}`);
    return Name.parse((value as { readonly key: string }).key, syscall, argument);
  }

  /** A copy of the 32 bytes of the name. */
  get bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** Builds a name from 32 bytes (copied). */
  static fromBytes(bytes: Uint8Array): Name {
    if (!(bytes instanceof Uint8Array) || bytes.length !== NAME_BYTES) {
      throw errors.EINVAL('Name.fromBytes', 'bytes', `a name is ${NAME_BYTES} bytes`);
    }
    const copy = bytes.slice();
    return new Name(copy, toHex(copy));
  }

  /** Parses the canonical text form; anything else is EINVAL. */
  static parse(text: string, syscall = 'Name.parse', argument = 'name'): Name {
    if (typeof text !== 'string' || !HEX.test(text)) {
      throw errors.EINVAL(syscall, argument, `expected 64 lowercase hex digits, got ${describe(text)}`);
    }
    const bytes = new Uint8Array(NAME_BYTES);
    for (let i = 0; i < NAME_BYTES; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
    return new Name(bytes, text);
  }

  /** A fresh name from a cryptographically strong random source. */
  static random(): Name {
    if (poolOffset >= pool.length) {
      pool = new Uint8Array(NAME_BYTES * POOL_NAMES);
      globalThis.crypto.getRandomValues(pool);
      poolOffset = 0;
    }
    const bytes = pool.slice(poolOffset, poolOffset + NAME_BYTES);
    poolOffset += NAME_BYTES;
    return new Name(bytes, toHex(bytes));
  }

  /**
   * The name a task deterministically gives its `counter`-th output:
   * SHA-256 over a domain tag, the creator's name and the counter. Re-running
   * a task with the same name reproduces its outputs' names.
   */
  static async derived(creator: Name, counter: number): Promise<Name> {
    const input = new Uint8Array(8 + NAME_BYTES + 8);
    input.set(encoder.encode('dios:drv'), 0);
    input.set(Name.from(creator, 'Name.derived', 'creator').#bytes, 8);
    new DataView(input.buffer).setBigUint64(8 + NAME_BYTES, BigInt(counter));
    return Name.#digest(input);
  }

  /**
   * The name a task derives from a seed string within a scope (the group the
   * object is named in): SHA-256 over a domain tag, the scope's name and the
   * seed's UTF-8 bytes. Scoping keeps a task from reproducing names of other
   * groups, or of the kernel's own objects, by choosing a seed.
   */
  static async seeded(scope: Name, seed: string): Promise<Name> {
    return Name.#digest(Name.#seededInput(scope, seed, 'Name.seeded'));
  }

  /**
   * {@link Name.seeded} without a promise, for code that cannot wait (a
   * legacy process's path calls, made from a WebAssembly import): the same
   * name, hashed in this thread.
   */
  static seededSync(scope: Name, seed: string): Name {
    const bytes = sha256(Name.#seededInput(scope, seed, 'Name.seededSync'));
    return new Name(bytes, toHex(bytes));
  }

  static #seededInput(scope: Name, seed: string, call: string): Uint8Array {
    if (typeof seed !== 'string') throw errors.EINVAL(call, 'seed', `expected a string, got ${describe(seed)}`);
    const text = encoder.encode(seed);
    const input = new Uint8Array(8 + NAME_BYTES + text.length);
    input.set(encoder.encode('dios:sed'), 0);
    input.set(Name.from(scope, call, 'scope').#bytes, 8);
    input.set(text, 8 + NAME_BYTES);
    return input;
  }

  /**
   * The name a deterministically named group gets on kernel `kernelId`:
   * SHA-256 over a domain tag, the seeded or derived name `name` and the
   * kernel id. Groups are identified by name across a cluster (a peer's
   * group of that name stands for it), so a group name must not be made
   * again, independently, on another kernel: its creator there would hold
   * all rights on what the home kernel resolves in the original. On one
   * kernel the name stays reproducible (the same seed gives it again).
   */
  static async onKernel(kernelId: string, name: Name): Promise<Name> {
    if (typeof kernelId !== 'string')
      throw errors.EINVAL('Name.onKernel', 'kernelId', `expected a string, got ${describe(kernelId)}`);
    const text = encoder.encode(kernelId);
    const input = new Uint8Array(8 + NAME_BYTES + text.length);
    input.set(encoder.encode('dios:grp'), 0);
    input.set(Name.from(name, 'Name.onKernel', 'name').#bytes, 8);
    input.set(text, 8 + NAME_BYTES);
    return Name.#digest(input);
  }

  /**
   * The name derived from a string alone (SHA-256 over a domain tag and the
   * UTF-8 bytes), for names fixed outside any task: kernels name their boot
   * objects and cluster root groups this way. Tasks get {@link Name.seeded}.
   */
  static async fromString(seed: string): Promise<Name> {
    if (typeof seed !== 'string')
      throw errors.EINVAL('Name.fromString', 'seed', `expected a string, got ${describe(seed)}`);
    const text = encoder.encode(seed);
    const input = new Uint8Array(8 + text.length);
    input.set(encoder.encode('dios:str'), 0);
    input.set(text, 8);
    return Name.#digest(input);
  }

  // Hashed in this thread: WebCrypto's digest settles outside the microtask queue, which would let the wall
  // clock into the order of events (the deterministic simulation depends on there being none), and for
  // inputs this short it is slower than hashing here.
  static async #digest(input: Uint8Array): Promise<Name> {
    const bytes = sha256(input);
    return new Name(bytes, toHex(bytes));
  }

  /** True when both names have the same bits. */
  equals(other: Name): boolean {
    return other.key === this.key;
  }

  /** The canonical text form. */
  toString(): string {
    return this.key;
  }

  /** Serialises as the canonical text form. */
  toJSON(): string {
    return this.key;
  }
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}..."` : `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}
