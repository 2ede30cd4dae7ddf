/**
 * The key a program is remembered under between runs: what its binary
 * names. A binary naming an installed program is keyed by that program's id
 * (on every kernel the same); any other binary (a WebAssembly module) by its
 * length and a hash of its bytes.
 * @module
 */
import { PROGRAM_PREFIX } from '../abi/program.js';

const decoder = new TextDecoder();

/** The key of the program a binary's bytes name. */
export function programKey(bytes: Uint8Array): string {
  const text = decoder.decode(bytes.subarray(0, 4096));
  if (text.startsWith(PROGRAM_PREFIX)) {
    const id = text.slice(PROGRAM_PREFIX.length).trim();
    // A key stays short whatever the id: profiles and load requests bound what they take.
    if (id.length <= MAX_ID) return `program:${id}`;
    return `program#${hash(new TextEncoder().encode(id))}`;
  }
  return `binary:${bytes.length}:${hash(bytes)}`;
}

/** Ids longer than this are keyed by their hash. */
const MAX_ID = 200;

// FNV-1a: cheap; two programs colliding only share a guess about their class.
function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h.toString(16);
}
