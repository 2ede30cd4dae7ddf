/**
 * System-call helpers of the cluster compliance suite: write or read a blob
 * whole, make a blob holding given bytes, assert a call's error.
 */
import { expect } from 'vitest';
import { DiosError, ObjectType, type CreateResult, type ErrnoCode, type SystemCalls } from '@dios/kernel';

/** Asserts that `action` rejects (or throws) a DiosError with `code` (and `argument` when given); returns it. */
export async function expectErrno(
  action: Promise<unknown> | (() => unknown),
  code: ErrnoCode,
  argument?: string,
): Promise<DiosError> {
  let error: unknown;
  let threw = false;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    threw = true;
    error = e;
  }
  expect(threw, `expected ${code}, but the call succeeded`).toBe(true);
  expect(error).toBeInstanceOf(DiosError);
  const err = error as DiosError;
  expect(err.code, err.message).toBe(code);
  if (argument !== undefined) expect(err.argument, err.message).toBe(argument);
  return err;
}

/** Writes `bytes` into a blob (or stream) through `ref` and commits; returns the new version. */
export async function writeAll(
  sys: SystemCalls,
  ref: number,
  bytes: Uint8Array,
  options: { offset?: number; truncate?: boolean } = {},
): Promise<number> {
  const buf = await sys.beginWrite(ref, bytes.length, options);
  buf.set(bytes);
  return sys.endWrite(ref, buf);
}

/** Reads a blob through `ref` (copying the lent bytes); returns the bytes and whether the read was valid. */
export async function readAll(
  sys: SystemCalls,
  ref: number,
  options: { offset?: number; length?: number } = {},
): Promise<{ bytes: Uint8Array; valid: boolean }> {
  const buf = await sys.beginRead(ref, options);
  const bytes = buf.slice();
  const valid = await sys.endRead(ref, buf);
  return { bytes, valid };
}

/** Creates a shared blob holding `bytes`; returns its handle and name. */
export async function blobWith(sys: SystemCalls, bytes: Uint8Array): Promise<CreateResult> {
  const created = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  await writeAll(sys, created.ref, bytes);
  return created;
}
