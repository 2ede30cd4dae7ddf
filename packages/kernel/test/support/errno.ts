/**
 * The error assertion every package's tests use: a call fails with a typed
 * DiosError of the expected code, naming the expected argument and call.
 *
 * This folder is where the packages' tests get the helpers they share. It
 * sits in the kernel's test folder rather than at the repository root because
 * each package's TypeScript project compiles only its own folder (rootDir),
 * and the projects of libd and the apps reference the kernel's, whose test
 * folder is part of it: they import these files by relative path
 * (`../../kernel/test/support/errno.js`). What the compliance suites also need
 * is written once, in src/compliance, and re-exported or built on here.
 */
import { expect } from 'vitest';
import type { DiosError, ErrnoCode } from '@dios/kernel';
import { expectErrno as expectCode } from '../../src/compliance/calls.js';

/**
 * Asserts that `action` rejects (or throws) a DiosError with `code` (and
 * `argument`, `syscall` when given); returns it. The compliance suites'
 * assertion, with the call's name checked too.
 */
export async function expectErrno(
  action: Promise<unknown> | (() => unknown),
  code: ErrnoCode,
  argument?: string,
  syscall?: string,
): Promise<DiosError> {
  const err = await expectCode(action, code, argument);
  if (syscall !== undefined) expect(err.syscall, err.message).toBe(syscall);
  return err;
}
