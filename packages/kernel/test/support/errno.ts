/**
 * The error assertion every package's tests use: a call fails with a typed
 * DiosError of the expected code, naming the expected argument and call.
 *
 * This folder holds the helpers the packages' tests share. It sits in the
 * kernel's test folder rather than at the repository root because each
 * package's TypeScript project compiles only its own folder (rootDir), and
 * the projects of libd and the apps reference the kernel's, whose test folder
 * is part of it: they import these files by relative path
 * (`../../kernel/test/support/errno.js`).
 */
import { expect } from 'vitest';
import { DiosError, type ErrnoCode } from '@dios/kernel';

/** Asserts that `action` rejects (or throws) a DiosError with `code` (and `argument`, `syscall` when given); returns it. */
export async function expectErrno(
  action: Promise<unknown> | (() => unknown),
  code: ErrnoCode,
  argument?: string,
  syscall?: string,
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
  if (syscall !== undefined) expect(err.syscall, err.message).toBe(syscall);
  return err;
}
