/**
 * Reading a request's JSON body with a size limit: the daemon takes no
 * more than it needs from a client.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '@dios/kernel';

/** Largest request body the daemon reads (1 MiB): a container spec or a build request is far smaller. */
export const MAX_BODY_BYTES = 1 << 20;

/** A body over {@link MAX_BODY_BYTES}: answered 413. */
export class BodyTooLarge extends Error {
  /** `limit`: the bytes allowed. */
  constructor(limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** The body's bytes; BodyTooLarge as soon as it passes `limit` (the rest is not read). */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body parsed as JSON (an empty body is `{}`); EINVAL naming `call` when it is not JSON or not an object. */
export async function readJsonObject(req: IncomingMessage, call: string): Promise<Record<string, unknown>> {
  const bytes = await readBody(req);
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw errors.EINVAL(call, 'body', `not JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw errors.EINVAL(call, 'body', 'expected a JSON object');
  return value as Record<string, unknown>;
}
