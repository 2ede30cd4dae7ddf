import { describe, expect, it } from 'vitest';
import { ObjectType, programBinary, Rights } from '@dios/kernel';
import { defineProgram, installProgram, spawn, wait, writeBinary } from '@dios/libd';
import { blobWith, boot, contentOf, dec, expectErrno } from './stdio-helpers.js';
import { install } from './process-helpers.js';

describe('spawn', () => {
  it('runs a binary given by handle, by Name, by its hex digits, and by path', async () => {
    const { kernel, sys } = await boot();
    const main = defineProgram((argv) => Number(argv[1]));
    const byHandle = await installProgram(kernel, sys, 'echo-status', main);
    expect(await wait(sys, await spawn(sys, byHandle, { argv: ['echo-status', '4'] }))).toBe(4);
    expect(sys.ref(byHandle).open).toBe(true);

    const named = await blobWith(sys, programBinary('echo-status'));
    const before = sys.handles;
    expect(await wait(sys, await spawn(sys, named.name, { argv: ['echo-status', '5'] }))).toBe(5);
    expect(await wait(sys, await spawn(sys, named.name.toString().toUpperCase(), { argv: ['echo-status', '6'] }))).toBe(
      6,
    );

    const atPath = await writeBinary(sys, programBinary('echo-status'), '/bin/echo-status');
    await sys.delete(atPath);
    const handles = sys.handles;
    expect(await wait(sys, await spawn(sys, '/bin/./echo-status', { argv: ['echo-status', '7'] }))).toBe(7);
    // Binaries found by name or path are dropped again; wait reaped the tasks.
    expect(sys.handles).toEqual(handles);
    expect(handles.filter((h) => !before.includes(h))).toEqual([]);
    await sys.delete(byHandle);
    await sys.delete(named.ref);
    kernel.checkInvariants();
  });

  it('reports what run reports for a bad binary: ENOEXEC, ENOENT, EACCES', async () => {
    const { kernel, sys } = await boot();
    const garbage = await blobWith(sys, 'not a program');
    await expectErrno(spawn(sys, garbage.ref, { argv: ['x'] }), 'ENOEXEC', 'binary', 'run');
    const unknown = await writeBinary(sys, programBinary('never-registered'));
    await expectErrno(spawn(sys, unknown, { argv: ['x'] }), 'ENOENT', 'binary', 'run');
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    await expectErrno(spawn(sys, stream.ref, { argv: ['x'] }), 'ENOEXEC', 'binary', 'run');
    const { binary } = await install(kernel, sys, () => 0);
    const [noExec] = await sys.copy([binary], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    await expectErrno(spawn(sys, noExec!, { argv: ['x'] }), 'EACCES', 'binary', 'run');
    await expectErrno(spawn(sys, 999, { argv: ['x'] }), 'EBADF', 'binary', 'run');
    for (const h of [garbage.ref, unknown, stream.ref, binary, noExec!]) await sys.delete(h);
    kernel.checkInvariants();
  });

  it('reports a path or name that names nothing as ENOENT, and bad arguments as EINVAL', async () => {
    const { kernel, sys } = await boot();
    const handles = sys.handles;
    await expectErrno(spawn(sys, '/bin/missing', { argv: ['x'] }), 'ENOENT', '/bin/missing', 'spawn');
    await expectErrno(spawn(sys, 'f'.repeat(64), { argv: ['x'] }), 'ENOENT', undefined, 'lookup');
    await expectErrno(spawn(sys, '', { argv: ['x'] }), 'EINVAL', 'binary', 'spawn');
    await expectErrno(spawn(sys, {} as never, { argv: ['x'] }), 'EINVAL', 'binary', 'spawn');
    const { binary } = await install(kernel, sys, () => 0);
    await expectErrno(spawn(sys, binary, undefined as never), 'EINVAL', 'options', 'spawn');
    await expectErrno(spawn(sys, binary, { argv: 'x' as never }), 'EINVAL', 'spec.argv', 'run');
    await sys.delete(binary);
    expect(sys.handles).toEqual(handles);
    kernel.checkInvariants();
  });

  it('passes inputs and outputs: a child copies its input to its output', async () => {
    const { kernel, sys } = await boot();
    const copyProgram = defineProgram(async (_argv, { sys: child }) => {
      const [input] = child.inputs;
      const [output] = child.outputs;
      const bytes = await contentOf(child, input!);
      const buf = await child.beginWrite(output!, bytes.length, { offset: 0 });
      buf.set(bytes);
      await child.endWrite(output!, buf);
    });
    const binary = await installProgram(kernel, sys, 'copy', copyProgram);
    const source = await blobWith(sys, 'payload');
    const target = await blobWith(sys, '');
    const task = await spawn(sys, binary, { argv: ['copy'], inputs: [source.ref], outputs: [target.ref] });
    expect(await wait(sys, task)).toBe(0);
    expect(dec(await contentOf(sys, target.ref))).toBe('payload');
    for (const h of [binary, source.ref, target.ref]) await sys.delete(h);
    kernel.checkInvariants();
  });
});

describe('writeBinary and installProgram', () => {
  it('writes the bytes into a blob the task may run', async () => {
    const { kernel, sys } = await boot();
    const handle = await writeBinary(sys, programBinary('p'));
    expect(sys.ref(handle).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    expect(dec(await contentOf(sys, handle))).toBe('#!dios-program p');
    await sys.delete(handle);
    kernel.checkInvariants();
  });

  it('at a path: stays after its handle is deleted, and is not overwritten (EEXIST)', async () => {
    const { kernel, sys } = await boot();
    const handle = await installProgram(
      kernel,
      sys,
      'at-path',
      defineProgram(() => 12),
      '/usr/bin/at-path',
    );
    await sys.delete(handle);
    await expectErrno(writeBinary(sys, programBinary('other'), '/usr/bin//at-path'), 'EEXIST', '/usr/bin//at-path');
    expect(await wait(sys, await spawn(sys, '/usr/bin/at-path', { argv: ['at-path'] }))).toBe(12);
    await expectErrno(writeBinary(sys, 'text' as never), 'EINVAL', 'bytes', 'writeBinary');
    await expectErrno(writeBinary(sys, programBinary('p'), 'a\0b'), 'EINVAL', 'path', 'writeBinary');
    kernel.checkInvariants();
  });
});
