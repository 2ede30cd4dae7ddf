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
  if (text.startsWith(PROGRAM_PREFIX)) return `program:${text.slice(PROGRAM_PREFIX.length).trim()}`;
  // FNV-1a over the bytes: cheap, and two different modules colliding only share a guess.
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return `binary:${bytes.length}:${h.toString(16)}`;
}
