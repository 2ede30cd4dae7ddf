/**
 * Name derivation written independently of the kernel (node:crypto instead of
 * WebCrypto, Buffer instead of the kernel's byte layout code), so the model
 * checks deterministic names rather than repeating the kernel's computation.
 */
import { createHash } from 'node:crypto';

/** The name a seeded create or run gives within a scope (a group's or task's name): SHA-256("dios:sed" ++ scope ++ UTF-8(seed)). */
export function seedNameKey(scopeKey: string, seed: string): string {
  return createHash('sha256')
    .update('dios:sed', 'utf8')
    .update(Buffer.from(scopeKey, 'hex'))
    .update(Buffer.from(seed, 'utf8'))
    .digest('hex');
}

/** The name of a task's `counter`-th deterministic output: SHA-256("dios:drv" ++ creator ++ u64be(counter)). */
export function derivedNameKey(creatorKey: string, counter: number): string {
  const input = Buffer.alloc(8 + 32 + 8);
  input.write('dios:drv', 0, 'ascii');
  Buffer.from(creatorKey, 'hex').copy(input, 8);
  input.writeBigUInt64BE(BigInt(counter), 40);
  return createHash('sha256').update(input).digest('hex');
}

/** A deterministically named group's name on kernel `kernelId`: SHA-256("dios:grp" ++ name ++ UTF-8(kernelId)). */
export function groupOnKernelKey(nameKey: string, kernelId: string): string {
  return createHash('sha256')
    .update('dios:grp', 'utf8')
    .update(Buffer.from(nameKey, 'hex'))
    .update(Buffer.from(kernelId, 'utf8'))
    .digest('hex');
}

/** Prefix of a binary's bytes that names an installed program (restated from the interface description). */
export const PROGRAM_PREFIX = '#!dios-program ';

/** The program a binary's bytes name: UTF-8 text (a leading byte-order mark dropped) that starts with the prefix. */
export function programOfBytes(bytes: readonly number[]): string | undefined {
  let text = Buffer.from(bytes).toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return text.startsWith(PROGRAM_PREFIX) ? text.slice(PROGRAM_PREFIX.length).trim() : undefined;
}
