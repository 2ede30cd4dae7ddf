/**
 * Byte and blob helpers every package's tests use: UTF-8 both ways, a blob
 * written or read whole, and a shared-memory blob holding given bytes, made
 * with the system calls (see errno.ts for why this folder is where it is).
 */
import { ObjectType, type CreateOptions, type CreateResult, type SystemCalls } from '@dios/kernel';
import { enc } from '../../src/compliance/bytes.js';
import { writeAll } from '../../src/compliance/calls.js';

export { dec, enc } from '../../src/compliance/bytes.js';
export { readAll, writeAll } from '../../src/compliance/calls.js';

/** Creates a shared blob holding `content` (text as UTF-8; with the given create options); returns its name and handle. */
export async function blobWith(
  sys: SystemCalls,
  content: Uint8Array | string = '',
  options: CreateOptions = {},
): Promise<CreateResult> {
  const created = await sys.create(ObjectType.SHARED_MEMORY_BLOB, options);
  await writeAll(sys, created.ref, typeof content === 'string' ? enc(content) : content);
  return created;
}
