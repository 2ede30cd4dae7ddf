/**
 * Errors of libd's path calls name the path the program gave, never the
 * 256-bit name the kernel looked up; the code stays the kernel's, and the
 * kernel's error is kept as the cause. Each failure is also the task's
 * lastError.
 */
import { describe, expect, it } from 'vitest';
import { isDiosError, programBinary, Rights } from '@dios/kernel';
import { fopen, lastError, spawn, writeBinary } from '@dios/libd';
import { boot, expectErrno } from './stdio-helpers.js';

const HASH = /[0-9a-f]{64}/;

describe('path errors', () => {
  it('fopen of a missing path is ENOENT naming the path, with the kernel error as its cause', async () => {
    const { kernel, sys } = await boot();
    const err = await expectErrno(fopen(sys, '/data/in.txt', 'r'), 'ENOENT', '/data/in.txt', 'fopen');
    expect(err.message).toContain('/data/in.txt');
    expect(err.message).not.toMatch(HASH);
    expect(isDiosError(err.cause, 'ENOENT')).toBe(true);
    expect(lastError(sys)).toBe(err);
    // A relative path is named as written, and the path it stands for too.
    const rel = await expectErrno(fopen(sys, 'notes/../a.txt', 'r+'), 'ENOENT', 'notes/../a.txt');
    expect(rel.message).toMatch(/fopen\(notes\/\.\.\/a\.txt\): nothing at \/a\.txt /);
    kernel.checkInvariants();
  });

  it('creating at a path the task may not create at is EACCES naming the path', async () => {
    const { kernel } = await boot();
    const reader = await kernel.attachTask(['reader'], [{ group: kernel.rootGroup, rights: Rights.READ }]);
    const err = await expectErrno(fopen(reader, '/out/report', 'w'), 'EACCES', '/out/report', 'fopen');
    expect(err.message).not.toMatch(HASH);
    expect(lastError(reader)).toBe(err);
  });

  it('spawn and writeBinary name the path: ENOENT, EEXIST, and run refusing what is there', async () => {
    const { kernel, sys } = await boot();
    const missing = await expectErrno(spawn(sys, '/bin/nothing', { argv: ['x'] }), 'ENOENT', '/bin/nothing', 'spawn');
    expect(missing.message).not.toMatch(HASH);
    expect(lastError(sys)).toBe(missing);
    await writeBinary(sys, programBinary('never-registered'), '/bin/ghost');
    const exists = await expectErrno(
      writeBinary(sys, programBinary('other'), 'bin/ghost'),
      'EEXIST',
      'bin/ghost',
      'writeBinary',
    );
    expect(exists.message).toMatch(/writeBinary\(bin\/ghost\): something is already at \/bin\/ghost/);
    expect(exists.message).not.toMatch(HASH);
    // The bytes name no registered program: run's ENOENT, about the path the program gave.
    const unknown = await expectErrno(spawn(sys, '/bin/ghost', { argv: ['ghost'] }), 'ENOENT', '/bin/ghost', 'spawn');
    expect(isDiosError(unknown.cause, 'ENOENT') && unknown.cause.syscall).toBe('run');
    kernel.checkInvariants();
  });
});
