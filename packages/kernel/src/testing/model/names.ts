/**
 * Name derivation written independently of the kernel (the hash function
 * straight from @noble/hashes, bytes laid out here), so that the model checks
 * deterministic names rather than repeating the kernel's computation.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function hashOf(...parts: Uint8Array[]): string {
  const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    input.set(p, at);
    at += p.length;
  }
  return toHex(sha256(input));
}

/** The name a seeded create or run gives within a scope (a group's or task's name): SHA-256("dios:sed" ++ scope ++ UTF-8(seed)). */
export function seedNameKey(scopeKey: string, seed: string): string {
  return hashOf(utf8('dios:sed'), fromHex(scopeKey), utf8(seed));
}

/** The name of a task's `counter`-th deterministic output: SHA-256("dios:drv" ++ creator ++ u64be(counter)). */
export function derivedNameKey(creatorKey: string, counter: number): string {
  const big = new Uint8Array(8);
  new DataView(big.buffer).setBigUint64(0, BigInt(counter));
  return hashOf(utf8('dios:drv'), fromHex(creatorKey), big);
}

/** A deterministically named group's name on kernel `kernelId`: SHA-256("dios:grp" ++ name ++ UTF-8(kernelId)). */
export function groupOnKernelKey(nameKey: string, kernelId: string): string {
  return hashOf(utf8('dios:grp'), fromHex(nameKey), utf8(kernelId));
}

/** Prefix of a binary's bytes that names an installed program (restated from the interface description). */
export const MODEL_PROGRAM_PREFIX = '#!dios-program ';

/** The program a binary's bytes name: UTF-8 text (a leading byte-order mark dropped) that starts with the prefix. */
export function programOfBytes(bytes: readonly number[]): string | undefined {
  let text = new TextDecoder().decode(Uint8Array.from(bytes));
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return text.startsWith(MODEL_PROGRAM_PREFIX) ? text.slice(MODEL_PROGRAM_PREFIX.length).trim() : undefined;
}
