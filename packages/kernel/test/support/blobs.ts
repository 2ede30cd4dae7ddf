/**
 * Text and blob helpers every package's tests use: UTF-8 both ways, and a
 * shared-memory blob holding given bytes, made with the system calls (see
 * errno.ts for why this folder is where it is).
 */
import { ObjectType, type CreateOptions, type CreateResult, type SystemCalls } from '@dios/kernel';

/** UTF-8 bytes of `text`. */
export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
/** `bytes` decoded as UTF-8. */
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Creates a shared blob holding `content` (with the given create options); returns its name and handle. */
export async function blobWith(
  sys: SystemCalls,
  content: Uint8Array | string = '',
  options: CreateOptions = {},
): Promise<CreateResult> {
  const created = await sys.create(ObjectType.SHARED_MEMORY_BLOB, options);
  const bytes = typeof content === 'string' ? enc(content) : content;
  const buffer = await sys.beginWrite(created.ref, bytes.length);
  buffer.set(bytes);
  await sys.endWrite(created.ref, buffer);
  return created;
}
