/**
 * Finding a command by the bytes of its name, ignoring ASCII case, without
 * making a string of the name: every request does this, and a string per
 * request (lower-cased char by char) cost more than the lookup itself.
 * Names are bucketed by length and first letter; a bucket holds one or a few
 * names, compared byte by byte.
 * @module
 */
import type { CommandSpec } from './context.js';

// Names longer than this are no command's (the table's names are at most 64 bytes: see CommandSpec.name).
const MAX_NAME = 64;

interface Candidate {
  readonly name: Uint8Array;
  readonly spec: CommandSpec;
}

// ASCII upper case to lower case; every other byte as it is.
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A command table indexed for {@link CommandLookup.find}. */
export class CommandLookup {
  readonly #buckets = new Map<number, Candidate[]>();

  /** Indexes `table` (lower-case names to specs; names are ASCII, at most 64 bytes). */
  constructor(table: ReadonlyMap<string, CommandSpec>) {
    for (const [name, spec] of table) {
      if (name.length === 0 || name.length > MAX_NAME) continue;
      const bytes = new Uint8Array(name.length);
      let latin1 = true;
      for (let i = 0; i < name.length; i++) {
        const c = name.charCodeAt(i);
        latin1 &&= c <= 0xff;
        bytes[i] = lower(c);
      }
      // A name no request can spell (requests' names are read one byte a char, see bytes.ts) is never found, as before.
      if (!latin1) continue;
      const key = bucketOf(bytes.length, bytes[0]!);
      const bucket = this.#buckets.get(key) ?? [];
      bucket.push({ name: bytes, spec });
      this.#buckets.set(key, bucket);
    }
  }

  /** The command named `name` (any ASCII case), or undefined. */
  find(name: Uint8Array): CommandSpec | undefined {
    const n = name.length;
    if (n === 0 || n > MAX_NAME) return undefined;
    const bucket = this.#buckets.get(bucketOf(n, lower(name[0]!)));
    if (bucket === undefined) return undefined;
    for (const c of bucket) {
      const want = c.name;
      let i = 1;
      while (i < n && lower(name[i]!) === want[i]) i++;
      if (i === n) return c.spec;
    }
    return undefined;
  }
}

function bucketOf(length: number, first: number): number {
  return (length << 8) | first;
}
